"""`DataLoader` and `default_collate` (`torch.utils.data`)."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import numpy as np

from autograd import Tensor, from_numpy, stack

from .dataset import Subset, TensorDataset, as_generator

__all__ = ["DataLoader", "default_collate"]


def default_collate(batch: list):
    """Merge a list of samples into a batch: tensors, arrays and numbers are stacked
    into one Tensor (Python floats as float64, ints as int64, as in PyTorch); tuples
    and lists are collated field by field (into a list), dicts key by key; strings
    stay a list."""
    elem = batch[0]
    if isinstance(elem, Tensor):
        if any(t.requires_grad for t in batch):
            return stack(batch)  # differentiable, as torch.stack
        return from_numpy(np.stack([t._data for t in batch]))
    if isinstance(elem, (np.ndarray, np.generic)):
        if np.asarray(elem).dtype.kind in "OSUV":
            raise TypeError(f"default_collate: cannot batch numpy arrays of dtype {np.asarray(elem).dtype}")
        return from_numpy(np.stack(batch))
    if isinstance(elem, float):
        return from_numpy(np.array(batch, dtype=np.float64))
    if isinstance(elem, int):  # and bool, which stays bool
        return from_numpy(np.array(batch, dtype=np.bool_ if isinstance(elem, bool) else np.int64))
    if isinstance(elem, (str, bytes)):
        return batch
    if isinstance(elem, Mapping):
        collated = {key: default_collate([sample[key] for sample in batch]) for key in elem}
        try:
            return type(elem)(collated)
        except TypeError:
            return collated
    if isinstance(elem, tuple) and hasattr(elem, "_fields"):  # a namedtuple
        return type(elem)(*(default_collate(list(field)) for field in zip(*batch)))
    if isinstance(elem, Sequence):
        if any(len(sample) != len(elem) for sample in batch):
            raise RuntimeError("each element in list of batch should be of equal size")
        return [default_collate(list(field)) for field in zip(*batch)]
    raise TypeError(
        "default_collate: batch must contain tensors, numpy arrays, numbers, dicts or lists; "
        f"found {type(elem).__name__}"
    )


def _is_int(value) -> bool:
    return isinstance(value, (int, np.integer)) and not isinstance(value, bool)


def _indices(values, source: str) -> np.ndarray:
    """The indices a sampler gives, as int64; floats (which would be truncated) and
    anything else that is not an integer are refused."""
    try:
        array = np.asarray(values if isinstance(values, np.ndarray) else list(values))
    except (TypeError, ValueError):
        raise TypeError(f"DataLoader: the {source} must be an iterable of integer indices (of equal-length lists for "
                        f"a batch_sampler), got {type(values).__name__}") from None
    if array.size == 0:
        return np.zeros(0, np.int64)
    if array.ndim != 1 or array.dtype.kind not in "iu":
        raise TypeError(
            f"DataLoader: the {source} must give integer indices, got {array.dtype} values such as "
            f"{array.reshape(-1)[0]!r}" + ("" if array.ndim == 1 else f" in an array of shape {array.shape}")
        )
    return array.astype(np.int64, copy=False)


def _batch_getter(dataset):
    """For a TensorDataset (or a Subset of one), a function from an index array to the
    collated batch, in one NumPy indexing per tensor; None for other datasets."""
    if type(dataset).__getitem__ is TensorDataset.__getitem__:
        if any(t.requires_grad for t in dataset.tensors):
            return None  # collate with the differentiable stack instead
        return lambda index: [from_numpy(t._data[index]) for t in dataset.tensors]
    if type(dataset).__getitem__ is Subset.__getitem__:
        inner = _batch_getter(dataset.dataset)
        indices = np.asarray(dataset.indices, dtype=np.int64)
        return inner and (lambda index: inner(indices[index]))
    return None


class DataLoader:
    """Iterate over `dataset` in batches of `batch_size` samples merged by
    `collate_fn` (default: `default_collate`).

    shuffle: a new random order each epoch, drawn from `generator` (a NumPy
    Generator, an int seed, or None for autograd's default generator, which
    `autograd.manual_seed` seeds). `sampler` (an iterable of indices) or
    `batch_sampler` (an iterable of index lists) replace the built-in order.
    drop_last: skip the last, incomplete batch. `batch_size=None` yields the
    samples one by one, uncollated. Loading always happens in this process:
    `num_workers`, `pin_memory` and the like are accepted and ignored.
    """

    def __init__(
        self,
        dataset,
        batch_size=1,
        shuffle=None,
        sampler=None,
        batch_sampler=None,
        num_workers=0,
        collate_fn=None,
        pin_memory=False,
        drop_last=False,
        timeout=0,
        worker_init_fn=None,
        generator=None,
        *,
        prefetch_factor=None,
        persistent_workers=False,
    ):
        if sampler is not None and shuffle:
            raise ValueError("sampler option is mutually exclusive with shuffle")
        if batch_sampler is not None and (batch_size != 1 or shuffle or sampler is not None or drop_last):
            raise ValueError(
                "batch_sampler option is mutually exclusive with batch_size, shuffle, sampler, and drop_last"
            )
        if batch_size is None and drop_last:
            raise ValueError(
                "batch_size=None option disables auto-batching and is mutually exclusive with drop_last"
            )
        if batch_size is not None and (not _is_int(batch_size) or batch_size <= 0):
            raise ValueError(
                f"batch_size should be a positive integer value, but got batch_size={batch_size!r}"
            )
        if isinstance(sampler, (Sequence, np.ndarray)):
            _indices(sampler, "sampler")  # a list can be checked now; other samplers as they are iterated
        self.dataset = dataset
        self.batch_size = None if batch_sampler is not None else batch_size
        self.shuffle = bool(shuffle)
        self.sampler = sampler
        self.batch_sampler = batch_sampler
        self.num_workers = num_workers
        self.collate_fn = collate_fn if collate_fn is not None else default_collate
        self.drop_last = drop_last
        self.generator = generator
        self._rng = None if generator is None else as_generator(generator)  # one stream across epochs
        self._fast = _batch_getter(dataset) if collate_fn is None else None

    def _order(self) -> np.ndarray:
        if self.sampler is not None:
            return _indices(self.sampler, "sampler")
        if self.shuffle:
            rng = self._rng if self._rng is not None else as_generator(None)
            return rng.permutation(len(self.dataset))
        return np.arange(len(self.dataset))

    def _fetch(self, index):
        if self._fast is not None:
            return self._fast(np.asarray(index, dtype=np.int64))
        return self.collate_fn([self.dataset[i] for i in np.asarray(index).tolist()])

    def __iter__(self):
        if self.batch_sampler is not None:
            for index in self.batch_sampler:
                yield self._fetch(_indices(index, "batch_sampler"))
            return
        order = self._order()
        if self.batch_size is None:
            for i in order.tolist():
                yield self.dataset[i]
            return
        stop = len(order) - len(order) % self.batch_size if self.drop_last else len(order)
        for start in range(0, stop, self.batch_size):
            yield self._fetch(order[start : start + self.batch_size])

    def __len__(self) -> int:
        if self.batch_sampler is not None:
            return len(self.batch_sampler)
        n = len(self.sampler) if self.sampler is not None else len(self.dataset)
        if self.batch_size is None:
            return n
        return n // self.batch_size if self.drop_last else math.ceil(n / self.batch_size)
