"""Datasets of the lecture notes: 2-D toy problems, scikit-learn's 8x8 digits, MNIST files.

The toy makers follow scikit-learn's `make_*` functions: each returns `(X, y)`,
X a float32 Tensor of shape (n_samples, 2) (`make_blobs`: n_features) and y an
int64 Tensor of class indices (use `y.float()` for a BCE loss). Wrap them with
`TensorDataset(X, y)` for a DataLoader. `generator` seeds them: a NumPy
Generator, an int seed, or None for autograd's default generator
(`autograd.manual_seed`).

`load_digits()` returns `(train, test)` TensorDatasets; `MNIST(root)` is a Dataset
over the IDX files you downloaded (glassgrad never downloads), read by `read_idx`.
"""

from __future__ import annotations

import os

import numpy as np

from autograd import from_numpy

from .dataset import Dataset, TensorDataset, as_generator
from .idx import read_idx

__all__ = [
    "MNIST",
    "load_digits",
    "make_blobs",
    "make_circles",
    "make_moons",
    "make_spirals",
    "read_idx",
    "xor",
]


def _finish(X, y, shuffle, noise, rng):
    """Add Gaussian noise of std `noise`, shuffle, and make the tensors."""
    if noise:
        X = X + rng.normal(scale=noise, size=X.shape)
    if shuffle:
        order = rng.permutation(len(X))
        X, y = X[order], y[order]
    return from_numpy(X.astype(np.float32)), from_numpy(y.astype(np.int64))


def _split(n_samples: int, n_classes: int) -> np.ndarray:
    """n_samples spread over classes as evenly as possible, the first ones taking the remainder."""
    return np.full(n_classes, n_samples // n_classes) + (np.arange(n_classes) < n_samples % n_classes)


def xor(n_samples: int = 4, noise: float = 0.0, shuffle: bool = False, generator=None):
    """The XOR problem: the corners (0,0), (0,1), (1,0), (1,1) with labels 0, 1, 1, 0,
    repeated to n_samples points, each moved by Gaussian noise of std `noise`.
    `xor()` is the 4-row truth table."""
    corners = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=np.float64)
    index = np.arange(n_samples) % 4
    return _finish(corners[index], np.array([0, 1, 1, 0])[index], shuffle, noise, as_generator(generator))


def make_moons(n_samples: int = 100, *, shuffle: bool = True, noise: float | None = None, generator=None):
    """Two interleaving half circles: class 0 on (cos t, sin t), class 1 on
    (1 - cos t, 1/2 - sin t), t in [0, pi]."""
    n_out, n_in = _split(n_samples, 2)
    t_out, t_in = np.linspace(0, np.pi, n_out), np.linspace(0, np.pi, n_in)
    X = np.concatenate(
        [np.stack([np.cos(t_out), np.sin(t_out)], 1), np.stack([1 - np.cos(t_in), 0.5 - np.sin(t_in)], 1)]
    )
    y = np.repeat([0, 1], [n_out, n_in])
    return _finish(X, y, shuffle, noise, as_generator(generator))


def make_circles(
    n_samples: int = 100,
    *,
    shuffle: bool = True,
    noise: float | None = None,
    factor: float = 0.8,
    generator=None,
):
    """Two concentric circles: class 0 of radius 1, class 1 of radius `factor`."""
    if not 0 <= factor < 1:
        raise ValueError(f"make_circles(): factor has to be between 0 and 1, got {factor}")
    n_out, n_in = _split(n_samples, 2)
    t_out = np.linspace(0, 2 * np.pi, n_out, endpoint=False)
    t_in = np.linspace(0, 2 * np.pi, n_in, endpoint=False)
    X = np.concatenate(
        [np.stack([np.cos(t_out), np.sin(t_out)], 1), factor * np.stack([np.cos(t_in), np.sin(t_in)], 1)]
    )
    y = np.repeat([0, 1], [n_out, n_in])
    return _finish(X, y, shuffle, noise, as_generator(generator))


def make_spirals(
    n_samples: int = 100, n_classes: int = 2, *, shuffle: bool = True, noise: float = 0.2, generator=None
):
    """Interleaved spiral arms, one per class: radius r in [0, 1] and angle
    4 * (k + r) for class k, the angle jittered by Gaussian noise of std `noise`."""
    rng = as_generator(generator)
    counts = _split(n_samples, n_classes)
    y = np.repeat(np.arange(n_classes), counts)
    r = np.concatenate([np.linspace(0.0, 1.0, c) for c in counts])
    angle = 4.0 * (y + r) + (rng.normal(scale=noise, size=n_samples) if noise else 0.0)
    X = np.stack([r * np.sin(angle), r * np.cos(angle)], 1)
    return _finish(X, y, shuffle, None, rng)


def make_blobs(
    n_samples: int = 100,
    n_features: int = 2,
    *,
    centers=None,
    cluster_std: float = 1.0,
    center_box=(-10.0, 10.0),
    shuffle: bool = True,
    generator=None,
):
    """Gaussian blobs of std `cluster_std`, one class per center; `centers` is an
    array of shape (k, n_features) or a number k of centers drawn uniformly in
    `center_box` (3 when None)."""
    rng = as_generator(generator)
    if centers is None or isinstance(centers, (int, np.integer)):
        centers = rng.uniform(*center_box, size=(3 if centers is None else int(centers), n_features))
    centers = np.asarray(centers, dtype=np.float64)
    if centers.ndim != 2 or centers.shape[1] != n_features:
        raise ValueError(f"make_blobs(): centers must have shape (k, {n_features}), got {centers.shape}")
    y = np.repeat(np.arange(len(centers)), _split(n_samples, len(centers)))
    X = centers[y] + rng.normal(scale=cluster_std, size=(n_samples, n_features))
    return _finish(X, y, shuffle, None, rng)


def load_digits(test_size: float = 0.2, *, flatten: bool = False, generator=0):
    """scikit-learn's 1797 8x8 handwritten digits as `(train, test)` TensorDatasets:
    images float32 in [0, 1] (pixel / 16) of shape (N, 1, 8, 8), or (N, 64) with
    `flatten=True`, labels int64 in 0..9. The split takes a random `test_size`
    fraction for the test set, fixed by `generator` (seed 0 by default)."""
    try:
        from sklearn.datasets import load_digits as sklearn_digits
    except ImportError:
        raise ImportError("load_digits() needs scikit-learn: pip install 'glassgrad[digits]'") from None
    digits = sklearn_digits()
    X = (digits.images / 16.0).astype(np.float32)
    X = X.reshape(len(X), 64) if flatten else X[:, None]
    y = digits.target.astype(np.int64)
    order = as_generator(generator).permutation(len(X))
    n_test = round(test_size * len(X))
    test, train = order[:n_test], order[n_test:]
    return (
        TensorDataset(from_numpy(X[train]), from_numpy(y[train])),
        TensorDataset(from_numpy(X[test]), from_numpy(y[test])),
    )


class MNIST(Dataset):
    """MNIST from the four IDX files (torchvision's names, gzipped or not) in `root`
    or `root/MNIST/raw`: train-images-idx3-ubyte, train-labels-idx1-ubyte,
    t10k-images-idx3-ubyte, t10k-labels-idx1-ubyte. A sample is `(image, label)`:
    a uint8 (28, 28) array and an int, passed through `transform` and
    `target_transform` (e.g. `transforms.ToTensor()`). `.data` and `.targets` hold
    all images (uint8) and labels (int64) as tensors."""

    def __init__(
        self, root, train: bool = True, transform=None, target_transform=None, download: bool = False
    ):
        prefix = "train" if train else "t10k"
        images = read_idx(self._find(root, f"{prefix}-images-idx3-ubyte", download))
        labels = read_idx(self._find(root, f"{prefix}-labels-idx1-ubyte", download))
        if images.ndim != 3 or labels.ndim != 1 or len(images) != len(labels):
            raise ValueError(
                f"MNIST: expected images of shape (N, H, W) and N labels, got {images.shape} and {labels.shape}"
            )
        if images.dtype != np.uint8 or labels.dtype != np.uint8:  # torchvision's check: bytes, as MNIST has
            raise ValueError(
                f"MNIST: expected uint8 images and labels (IDX type code 08), got {images.dtype} and "
                f"{labels.dtype} in the files in {root}"
            )
        self.data, self.targets = from_numpy(images), from_numpy(labels.astype(np.int64))
        self.transform, self.target_transform = transform, target_transform
        self.train = train

    @staticmethod
    def _find(root, name, download):
        root = os.fspath(root)
        for folder in (root, os.path.join(root, "MNIST", "raw")):
            for candidate in (name, name + ".gz"):
                if os.path.exists(os.path.join(folder, candidate)):
                    return os.path.join(folder, candidate)
        note = " (glassgrad never downloads: fetch the files yourself)" if download else ""
        raise FileNotFoundError(
            f"MNIST: {name}[.gz] is not in {root} or {os.path.join(root, 'MNIST', 'raw')}{note}"
        )

    def __getitem__(self, index):
        image, target = self.data._data[index], int(self.targets._data[index])
        if self.transform is not None:
            image = self.transform(image)
        if self.target_transform is not None:
            target = self.target_transform(target)
        return image, target

    def __len__(self) -> int:
        return len(self.targets._data)
