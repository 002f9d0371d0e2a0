"""Helpers shared by the families of `nn.functional`: arguments as arrays or tensors."""

from __future__ import annotations

import numpy as np

from autograd.tensor import Tensor


def _array(x) -> np.ndarray:
    return x._data if isinstance(x, Tensor) else np.asarray(x)


def _const(array, dtype=None, name=None) -> Tensor:
    """A tensor without gradient (a mask, gathered class weights, a dropout mask);
    `name` is what a drawn graph calls it."""
    t = Tensor(np.asarray(array), dtype=dtype)
    t.name = name
    return t


def _as_tensor(x, like: Tensor | None = None) -> Tensor:
    if isinstance(x, Tensor):
        return x
    return Tensor(np.asarray(x), dtype=like.dtype if like is not None else None)
