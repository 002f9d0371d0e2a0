"""A small training loop, shared by the `glassgrad` command and the notebooks.

    history = fit(model, nn.CrossEntropyLoss(), optimizer, train_loader, val_loader,
                  epochs=20, patience=5)
    history["val_accuracy"]          # one value per epoch
    history.plot("training.png")     # loss and accuracy, train and validation

Each epoch: the model in training mode goes once over `train_loader` (forward,
loss, backward, `optimizer.step()`), then, in eval mode and without gradients,
over `val_loader`; the scheduler steps once. `fit` keeps a copy of the weights of
the best epoch (lowest `val_loss`, or `loss` without validation) and puts them
back when training stops early (`patience` epochs without improvement), when the
loss becomes NaN or infinite, and on Ctrl-C (KeyboardInterrupt), which ends
training cleanly instead of raising.
"""

from __future__ import annotations

import math
import sys
import time
import warnings

import numpy as np

from autograd import Tensor, from_numpy, no_grad

__all__ = ["History", "accuracy", "confusion_matrix", "evaluate", "fit", "format_confusion_matrix", "predict"]


# --- metrics --------------------------------------------------------------------------


def _numpy(x) -> np.ndarray:
    return np.asarray(x._data if isinstance(x, Tensor) else x)


def _predicted_classes(output: np.ndarray) -> np.ndarray:
    """argmax over the class dimension of logits (N, C); for one logit per sample,
    (N,) or (N, 1), the class is 1 where the logit is positive."""
    if output.ndim >= 2 and output.shape[1] > 1:
        return output.argmax(1)
    return (output.reshape(len(output)) > 0).astype(np.int64)


def accuracy(output, target) -> float:
    """The fraction of samples whose predicted class (see above) equals `target`
    (class indices, or 0/1 labels for a single logit)."""
    output, target = _numpy(output), _numpy(target)
    predicted = _predicted_classes(output)
    if target.dtype.kind == "f":
        target = target > 0.5
    return float(np.mean(predicted == target.reshape(predicted.shape)))


def confusion_matrix(predicted, target, num_classes: int | None = None) -> np.ndarray:
    """counts[i, j]: how many samples of true class i were predicted as class j."""
    predicted, target = _numpy(predicted).astype(np.int64).ravel(), _numpy(target).astype(np.int64).ravel()
    n = num_classes or int(max(predicted.max(initial=0), target.max(initial=0))) + 1
    counts = np.zeros((n, n), dtype=np.int64)
    np.add.at(counts, (target, predicted), 1)
    return counts


def format_confusion_matrix(counts: np.ndarray, labels=None) -> str:
    """The matrix as text: one row per true class, one column per predicted class."""
    labels = [str(label) for label in (labels if labels is not None else range(len(counts)))]
    width = max(3, max(len(label) for label in labels), len(str(counts.max(initial=0))))
    lines = [" " * (width + 2) + " ".join(label.rjust(width) for label in labels)]
    for label, row in zip(labels, counts):
        lines.append(label.rjust(width) + "  " + " ".join(str(c).rjust(width) for c in row))
    return "\n".join(lines)


# --- history ----------------------------------------------------------------------------


class History:
    """What `fit` recorded: `epochs`, one dict per epoch (`epoch`, `loss`, each
    metric, `val_loss` and `val_` metrics with validation, `lr`, `time` in
    seconds); `batch_losses`, the loss of every batch; `best_epoch` and
    `best_value` of the monitored quantity; `stop_reason` ("completed",
    "early_stopping", "nan" or "interrupted") and `message`, a sentence saying why;
    `weights_epoch`, the epoch whose weights the model holds at the end (None:
    those of the moment training stopped, in the middle of an epoch).
    `history["val_loss"]` is the list of one quantity over the epochs."""

    def __init__(self, monitor: str = "loss", mode: str = "min"):
        self.epochs: list[dict] = []
        self.batch_losses: list[float] = []
        self.monitor, self.mode = monitor, mode
        self.best_epoch: int | None = None
        self.best_value: float | None = None
        self.stop_reason = "completed"
        self.message = ""
        self.weights_epoch: int | None = None

    def __getitem__(self, key: str) -> list:
        if self.epochs and key not in self.epochs[0]:
            raise KeyError(f"History has no {key!r}; it has {', '.join(self.keys())}")
        return [epoch.get(key, math.nan) for epoch in self.epochs]

    def __len__(self) -> int:
        return len(self.epochs)

    def __contains__(self, key: str) -> bool:
        return key in self.keys()

    def keys(self) -> list:
        return list(self.epochs[0]) if self.epochs else []

    def improved(self, value: float) -> bool:
        """Whether `value` of the monitored quantity beats the best so far."""
        if not math.isfinite(value):
            return False
        if self.best_value is None:
            return True
        return value < self.best_value if self.mode == "min" else value > self.best_value

    def plot(self, path=None, title: str | None = None, axes=None):
        """Loss (left) and accuracy (right) per epoch, training and validation, the
        best epoch marked; into `axes` (one or two matplotlib Axes) or a new
        Figure, saved to `path` when given. Returns the Figure."""
        from nn.plots import plot_history

        return plot_history(self, path, title, axes)

    def to_dict(self) -> dict:
        return {"epochs": self.epochs, "best_epoch": self.best_epoch, "best_value": self.best_value,
                "monitor": self.monitor, "stop_reason": self.stop_reason, "message": self.message,
                "weights_epoch": self.weights_epoch}

    def __repr__(self) -> str:
        last = ", ".join(f"{k}={v:.4g}" for k, v in (self.epochs[-1] if self.epochs else {}).items()
                         if k not in ("epoch", "time"))
        return (f"History({len(self.epochs)} epochs, {self.stop_reason}, best {self.monitor} "
                f"{self.best_value if self.best_value is None else f'{self.best_value:.4g}'} "
                f"at epoch {self.best_epoch}; last: {last})")


# --- evaluation ---------------------------------------------------------------------------


def _batches(loader):
    for batch in loader:
        inputs, target = batch[0], batch[1]
        yield inputs, target


def predict(model, loader) -> tuple:
    """The model's outputs over the whole loader, in eval mode without gradients,
    and the targets: two NumPy arrays."""
    was_training = model.training
    model.eval()
    outputs, targets = [], []
    try:
        with no_grad():
            for inputs, target in _batches(loader):
                outputs.append(model(inputs)._data)
                targets.append(_numpy(target))
    finally:
        model.train(was_training)
    if not outputs:
        raise ValueError("predict(): the loader gave no batches")
    return np.concatenate(outputs), np.concatenate(targets)


def evaluate(model, loss_fn, loader, metrics=None) -> dict:
    """The mean loss and each metric over `loader` (weighted by batch size), in eval
    mode without gradients: `{"loss": ..., "accuracy": ...}`."""
    metrics = {"accuracy": accuracy} if metrics is None else dict(metrics)
    was_training = model.training
    model.eval()
    totals, count = dict.fromkeys(["loss", *metrics], 0.0), 0
    try:
        with no_grad():
            for inputs, target in _batches(loader):
                output = model(inputs)
                n = len(output)
                totals["loss"] += loss_fn(output, target).item() * n
                for name, metric in metrics.items():
                    totals[name] += metric(output, target) * n
                count += n
    finally:
        model.train(was_training)
    if not count:
        raise ValueError("evaluate(): the loader gave no samples; a mean over nothing would be a made-up number")
    return {name: total / count for name, total in totals.items()}


# --- fit --------------------------------------------------------------------------------------


class _Diverged(Exception):
    pass


def _snapshot(model) -> dict:
    return {key: from_numpy(np.array(value._data, copy=True)) for key, value in model.state_dict().items()}


def _short(name: str) -> str:
    return name.replace("accuracy", "acc")


def _postfix(logs: dict) -> str:
    return " ".join(f"{_short(k)}={v:.4g}" for k, v in logs.items())


def fit(model, loss_fn, optimizer, train_loader, val_loader=None, *, epochs: int = 10, scheduler=None,
        patience: int | None = None, monitor: str | None = None, metrics=None, progress: bool = True,
        callbacks=(), clip_grad_norm: float | None = None, restore_best: bool = False) -> History:
    """Train `model` for `epochs` epochs and return its History.

    loss_fn(model(x), y) is minimised over the batches `(x, y)` of `train_loader`.
    val_loader: evaluated after each epoch (`val_loss`, `val_accuracy`, ...).
    scheduler: a learning-rate scheduler stepped once per epoch (ReduceLROnPlateau
    is given the monitored value). patience: stop after that many epochs without
    improvement of `monitor` (default `val_loss` with a val_loader, else `loss`;
    names ending in "loss" are minimised, others maximised) and restore the best
    weights. metrics: a dict name -> fn(output, target) -> float (default:
    accuracy). progress: a tqdm bar per epoch with the running loss and metrics.
    callbacks: functions called as `callback(epoch, logs)` after each epoch.
    clip_grad_norm: clip the gradients' total norm to this before each step.
    restore_best: after the last epoch too, put back the weights of the best one.

    The best weights also come back after a NaN or infinite loss, which stops
    training with a RuntimeWarning saying so, and after Ctrl-C, which stops it
    cleanly; `history.stop_reason` says which happened, `history.message` why
    (printed too when `progress` is on) and `history.weights_epoch` whose
    weights the model holds.
    """
    if epochs < 1:
        raise ValueError(f"fit(): epochs must be at least 1, got {epochs}")
    if patience is not None and patience < 1:
        raise ValueError(f"fit(): patience must be at least 1, got {patience}")
    metrics = {"accuracy": accuracy} if metrics is None else dict(metrics)
    monitor = monitor or ("val_loss" if val_loader is not None else "loss")
    history = History(monitor, "min" if monitor.endswith("loss") else "max")
    best_state, waited = None, 0

    try:
        for epoch in range(1, epochs + 1):
            start = time.perf_counter()
            lr = optimizer.param_groups[0]["lr"]
            logs = _train_epoch(model, loss_fn, optimizer, train_loader, metrics, history, epoch, epochs,
                                lr, progress, clip_grad_norm, val_loader)
            logs["lr"], logs["time"] = lr, time.perf_counter() - start
            history.epochs.append({"epoch": epoch, **logs})
            if monitor not in logs:
                raise KeyError(f"fit(): monitor={monitor!r} is not among the logged values {sorted(logs)}")
            if history.improved(logs[monitor]):
                history.best_epoch, history.best_value = epoch, logs[monitor]
                best_state, waited = _snapshot(model), 0
            else:
                waited += 1
                _warn_if_not_finite(history, monitor, logs[monitor], epoch)
            if scheduler is not None:
                if type(scheduler).__name__ == "ReduceLROnPlateau":
                    scheduler.step(logs[monitor])
                else:
                    scheduler.step()
            for callback in callbacks:
                callback(epoch, logs)
            if patience is not None and waited >= patience:
                history.stop_reason = "early_stopping"
                history.message = (f"early stopping after epoch {epoch}: {monitor} has not improved for "
                                   f"{patience} epochs")
                break
    except KeyboardInterrupt:
        history.stop_reason = "interrupted"
        history.message = f"interrupted during epoch {len(history.epochs) + 1}"
    except _Diverged as diverged:
        history.stop_reason = "nan"
        history.message = str(diverged)

    _finish(model, history, best_state, restore_best, progress)
    return history


def _finish(model, history, best_state, restore_best, progress):
    """Put back the best weights where asked (or after a stop); say so in `history`."""
    whole_epochs = history.stop_reason in ("completed", "early_stopping")  # else stopped within one
    history.weights_epoch = len(history.epochs) if whole_epochs else None
    if history.stop_reason == "completed":
        if restore_best and best_state is not None and history.best_epoch != history.weights_epoch:
            model.load_state_dict(best_state)
            history.weights_epoch = history.best_epoch
            history.message = (f"restored the weights of epoch {history.best_epoch}, "
                               f"the best {history.monitor}")
        return
    if best_state is not None:
        model.load_state_dict(best_state)
        history.weights_epoch = history.best_epoch
        history.message += f"; restored the weights of epoch {history.best_epoch}, the best so far"
    elif history.epochs:
        history.message += (f"; {history.monitor} was never a finite number (NaN or inf: look for NaN in the "
                            "data or the outputs), so the weights are those of the last epoch")
    else:
        history.message += "; no epoch was completed, so the weights are those of that moment"
    if history.stop_reason == "nan":
        warnings.warn(history.message, RuntimeWarning, stacklevel=3)
    elif progress:
        print(history.message, file=sys.stderr, flush=True)


def _warn_if_not_finite(history, monitor: str, value: float, epoch: int) -> None:
    """Say it (at its first epoch) when the monitored value is NaN or inf: no such epoch can be the best."""
    if math.isfinite(value) or any(not math.isfinite(e[monitor]) for e in history.epochs[:-1]):
        return
    source = "validation data" if monitor.startswith("val_") else "training data"
    warnings.warn(f"fit(): {monitor} is {value} at epoch {epoch}: the {source} or the model's outputs hold NaN "
                  "or inf, so this epoch can't count as the best", RuntimeWarning, stacklevel=3)


def _train_epoch(model, loss_fn, optimizer, loader, metrics, history, epoch, epochs, lr, progress,
                 clip_grad_norm, val_loader) -> dict:
    """One pass over the training batches (and the validation set): the epoch's logs."""
    model.train()
    totals, count = dict.fromkeys(["loss", *metrics], 0.0), 0
    bar = None
    if progress:
        from tqdm import tqdm

        bar = tqdm(total=len(loader), desc=f"epoch {epoch:>{len(str(epochs))}}/{epochs}", unit="batch",
                   leave=True, file=sys.stderr, dynamic_ncols=True)
    try:
        for index, (inputs, target) in enumerate(_batches(loader), start=1):
            output = model(inputs)
            loss = loss_fn(output, target)
            value = loss.item()
            if not math.isfinite(value):
                raise _Diverged(
                    f"the loss became {value} at epoch {epoch}, batch {index} of {len(loader)} (lr {lr:g}): "
                    "training stopped. Try a smaller learning rate, or clip the gradients"
                )
            optimizer.zero_grad()
            loss.backward()
            if clip_grad_norm is not None:
                from nn.utils import clip_grad_norm_

                clip_grad_norm_(model.parameters(), clip_grad_norm)
            optimizer.step()

            n = len(output)
            history.batch_losses.append(value)
            totals["loss"] += value * n
            for name, metric in metrics.items():
                totals[name] += metric(output, target) * n
            count += n
            if bar is not None:
                bar.update(1)
                bar.set_postfix_str(_postfix({k: v / count for k, v in totals.items()}), refresh=False)
        if not count:
            raise ValueError(
                "fit(): the training loader gave no samples (an empty dataset, or drop_last=True with fewer "
                "samples than batch_size); there is nothing to train on"
            )
        logs = {name: total / count for name, total in totals.items()}
        if val_loader is not None:
            logs.update({f"val_{k}": v for k, v in evaluate(model, loss_fn, val_loader, metrics).items()})
        if bar is not None:
            bar.set_postfix_str(_postfix(logs), refresh=True)
        return logs
    finally:
        if bar is not None:
            bar.close()
