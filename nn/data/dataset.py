"""`Dataset`, `TensorDataset`, `Subset` and `random_split` (`torch.utils.data`)."""

from __future__ import annotations

import math
from itertools import accumulate

import numpy as np

from autograd import Tensor
from autograd.creation import default_generator

__all__ = ["Dataset", "Subset", "TensorDataset", "random_split"]


def as_generator(generator=None) -> np.random.Generator:
    """A NumPy Generator from `generator`: a Generator (used as is), an int seed, or
    None for autograd's default generator (so `autograd.manual_seed` reproduces runs)."""
    if generator is None:
        return default_generator()
    if isinstance(generator, np.random.Generator):
        return generator
    if isinstance(generator, (int, np.integer)) and not isinstance(generator, bool):
        return np.random.default_rng(int(generator))
    raise TypeError(
        f"generator must be a numpy.random.Generator, an int seed or None, got {type(generator).__name__}"
    )


class Dataset:
    """A map-style dataset: `dataset[i]` is the i-th sample and `len(dataset)` their number."""

    def __getitem__(self, index):
        raise NotImplementedError(f"{type(self).__name__} must implement __getitem__")


class TensorDataset(Dataset):
    """Samples are `(t[i] for t in tensors)`; every tensor has the same first dimension."""

    def __init__(self, *tensors: Tensor):
        if not tensors:
            raise ValueError("TensorDataset needs at least one tensor")
        sizes = [t.shape[0] if t.ndim else None for t in tensors]
        if None in sizes or len(set(sizes)) != 1:
            raise ValueError(f"Size mismatch between tensors: first dimensions {sizes} must be equal")
        self.tensors = tensors

    def __getitem__(self, index):
        return tuple(t[index] for t in self.tensors)

    def __len__(self) -> int:
        return self.tensors[0].shape[0]


class Subset(Dataset):
    """The samples of `dataset` at `indices`, in that order."""

    def __init__(self, dataset: Dataset, indices):
        self.dataset = dataset
        self.indices = indices

    def __getitem__(self, index):
        if isinstance(index, list):
            return self.dataset[[self.indices[i] for i in index]]
        return self.dataset[self.indices[index]]

    def __len__(self) -> int:
        return len(self.indices)


def random_split(dataset: Dataset, lengths, generator=None) -> list:
    """Split `dataset` into non-overlapping random Subsets of the given lengths, or of
    fractions summing to 1 (floor(n * f) each, the remainder handed out one by one
    from the first)."""
    n = len(dataset)
    lengths = list(lengths)
    if math.isclose(sum(lengths), 1) and sum(lengths) <= 1:
        if any(not 0 <= frac <= 1 for frac in lengths):
            raise ValueError(f"fractions must be between 0 and 1, got {lengths}")
        sizes = [math.floor(n * frac) for frac in lengths]
        for i in range(n - sum(sizes)):
            sizes[i % len(sizes)] += 1
        lengths = sizes
    if sum(lengths) != n:
        raise ValueError(
            f"Sum of input lengths ({sum(lengths)}) does not equal the length of the input dataset ({n})"
        )
    order = as_generator(generator).permutation(n).tolist()
    return [Subset(dataset, order[end - size : end]) for end, size in zip(accumulate(lengths), lengths)]
