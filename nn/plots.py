"""Pictures of training, with matplotlib: a History's curves, a 2-D classifier's
decision regions, a grid of images (filters, feature maps, digits), a confusion
matrix.

Each function draws into `ax` when given (e.g. from `plt.subplots()`); otherwise
it makes a `matplotlib.figure.Figure` of its own, without pyplot, so it works
headless (no display, no backend to choose) and a notebook shows it when it is
the value of a cell. `path` saves the figure (PNG, SVG, PDF by the suffix).
"""

from __future__ import annotations

import numpy as np

from autograd import Tensor, from_numpy, no_grad

__all__ = ["plot_confusion_matrix", "plot_decision_boundary", "plot_history", "show_images"]


def _figure(ax, ncols=1, size=(5.0, 3.6)):
    if ax is not None:
        return ax.figure, [ax]
    from matplotlib.figure import Figure

    figure = Figure(figsize=(size[0] * ncols, size[1]), layout="constrained")
    return figure, list(np.atleast_1d(figure.subplots(1, ncols)))


def _finish(figure, path, title=None):
    if title:
        figure.suptitle(title)
    if path is not None:
        figure.savefig(path, dpi=120)
    return figure


def plot_history(history, path=None, title=None, axes=None):
    """Loss (left) and accuracy (right) per epoch, training solid, validation
    dashed, the best epoch marked by a dotted line."""
    has_accuracy = "accuracy" in history
    if axes is None:
        figure, axes = _figure(None, 2 if has_accuracy else 1)
    else:
        axes = list(np.atleast_1d(axes))
        figure = axes[0].figure
    epochs = history["epoch"]
    panels = [("loss", axes[0])] + ([("accuracy", axes[1])] if has_accuracy and len(axes) > 1 else [])
    for name, ax in panels:
        ax.plot(epochs, history[name], "-o", ms=3, label=f"train {name}")
        if f"val_{name}" in history:
            ax.plot(epochs, history[f"val_{name}"], "--o", ms=3, label=f"validation {name}")
        if history.best_epoch is not None:
            ax.axvline(history.best_epoch, color="grey", ls=":", lw=1, label=f"best epoch ({history.best_epoch})")
        ax.set_xlabel("epoch")
        ax.set_ylabel(name)
        ax.grid(alpha=0.3)
        ax.legend(fontsize=8)
    return _finish(figure, path, title)


def plot_decision_boundary(model, X, y, ax=None, path=None, title=None, resolution=200, margin=0.5):
    """The regions a 2-D classifier assigns to each class (argmax of its logits, or
    the sign of a single logit), with the points (X, y) on top."""
    figure, (ax,) = _figure(ax, 1, (4.5, 4.0))
    X = np.asarray(X._data if isinstance(X, Tensor) else X)
    y = np.asarray(y._data if isinstance(y, Tensor) else y).ravel()
    (x0, y0), (x1, y1) = X.min(0) - margin, X.max(0) + margin
    gx, gy = np.meshgrid(np.linspace(x0, x1, resolution), np.linspace(y0, y1, resolution))
    grid = from_numpy(np.c_[gx.ravel(), gy.ravel()].astype(np.float32))
    was_training = model.training
    model.eval()
    with no_grad():
        logits = model(grid)._data
    model.train(was_training)
    if logits.ndim == 2 and logits.shape[1] > 1:
        regions = logits.argmax(1)
    else:
        regions = (logits.reshape(-1) > 0).astype(int)
    classes = max(int(y.max()) + 1, int(regions.max()) + 1, 2)
    cmap = "coolwarm" if classes == 2 else "tab10"
    ax.contourf(gx, gy, regions.reshape(gx.shape), levels=np.arange(classes + 1) - 0.5, cmap=cmap, alpha=0.3,
                vmin=-0.5, vmax=classes - 0.5 if classes > 2 else 1.5)
    ax.scatter(X[:, 0], X[:, 1], c=y, cmap=cmap, s=14, edgecolors="k", linewidths=0.4,
               vmin=0, vmax=classes - 1 if classes > 2 else 1)
    ax.set_xlim(x0, x1)
    ax.set_ylim(y0, y1)
    ax.set_aspect("equal")
    if title:
        ax.set_title(title)
    return _finish(figure, path)


def show_images(images, titles=None, ncols=8, cmap="gray", path=None, title=None, size=1.2, symmetric=False):
    """A grid of 2-D images (an array (N, H, W) or (N, 1, H, W), or a list): digits,
    filters, feature maps. `symmetric` centres the colour scale on 0 (for filters,
    with a red-blue map)."""
    images = [np.asarray(im._data if isinstance(im, Tensor) else im).squeeze() for im in images]
    from matplotlib.figure import Figure

    nrows = -(-len(images) // ncols)
    ncols = min(ncols, len(images))
    figure = Figure(figsize=(size * ncols, size * nrows + (0.3 if title else 0)), layout="constrained")
    axes = np.atleast_1d(figure.subplots(nrows, ncols)).ravel()
    for i, ax in enumerate(axes):
        ax.axis("off")
        if i >= len(images):
            continue
        image = images[i]
        if symmetric:
            bound = np.abs(image).max() or 1.0
            ax.imshow(image, cmap="RdBu_r", vmin=-bound, vmax=bound)
        else:
            ax.imshow(image, cmap=cmap)
        if titles is not None:
            ax.set_title(str(titles[i]), fontsize=8)
    return _finish(figure, path, title)


def plot_confusion_matrix(counts, labels=None, ax=None, path=None, title=None):
    """The confusion matrix as a heat map with the counts written in the cells."""
    figure, (ax,) = _figure(ax, 1, (4.5, 4.0))
    counts = np.asarray(counts)
    labels = list(labels) if labels is not None else list(range(len(counts)))
    ax.imshow(counts, cmap="Blues")
    ticks = np.arange(len(counts))
    ax.set_xticks(ticks, labels)
    ax.set_yticks(ticks, labels)
    ax.set_xlabel("predicted")
    ax.set_ylabel("true")
    for (i, j), count in np.ndenumerate(counts):
        if count:
            ax.text(j, i, str(count), ha="center", va="center", fontsize=7,
                    color="white" if count > counts.max() / 2 else "black")
    if title:
        ax.set_title(title)
    return _finish(figure, path)
