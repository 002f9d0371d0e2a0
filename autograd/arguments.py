"""The size and dim arguments of ops, checked as PyTorch checks them: ints (a
float is refused, not truncated), dims within range (an IndexError names it),
sizes of new tensors non-negative; and the `alpha` of add and sub."""

from __future__ import annotations

import operator

import numpy as np


def _size(args) -> tuple:
    """(2, 3), ((2, 3),) and ([2, 3],) all mean the shape (2, 3); each entry an int."""
    if len(args) == 1 and isinstance(args[0], (tuple, list)):
        args = args[0]
    return tuple(_int(a, "size", i) for i, a in enumerate(args))


def _int(value, name, position=None) -> int:
    """`value` as an int; a float, a bool or another type raises instead of being truncated."""
    try:
        if isinstance(value, (bool, np.bool_)):
            raise TypeError
        return operator.index(value)
    except TypeError:
        where = "" if position is None else f" at position {position}"
        raise TypeError(f"{name} must be an int (or a tuple of ints), but found {type(value).__name__} "
                        f"{value!r}{where}") from None


def _sizes_of_new(shape, op) -> tuple:
    """A size for a new tensor: ints, none negative."""
    if any(s < 0 for s in shape):
        raise RuntimeError(f"{op}(): trying to create a tensor with a negative dimension: {list(shape)}")
    return shape


def broadcast_dims(shape, target):
    """The dims of `shape` that broadcasting `target` to it added or stretched (summing
    over them gives `target` back), or None if `target` does not broadcast to `shape`."""
    lead = len(shape) - len(target)
    if lead < 0 or any(t != 1 and t != s for t, s in zip(target, shape[lead:])):
        return None
    return tuple(range(lead)) + tuple(lead + i for i, t in enumerate(target) if t == 1 and shape[lead + i] != 1)


def _dims(dim, ndim):
    """A dim argument as a tuple of non-negative axes (None: all)."""
    if dim is None:
        return tuple(range(ndim))
    dims = tuple(dim) if isinstance(dim, (tuple, list)) else (dim,)
    dims = tuple(_int(d, "dim") for d in dims)
    for d in dims:
        if not -max(ndim, 1) <= d < max(ndim, 1):
            raise IndexError(f"dimension out of range (expected to be in range of [{-max(ndim, 1)}, {max(ndim, 1) - 1}], but got {d})")
    return tuple(d % ndim for d in dims) if ndim else ()


def scatter_arguments(x, dim, index, src, value):
    """scatter's `(dim, index, src)`, checked: dim in range, an integer index
    with x's number of dims (a 0-d index is one position)."""
    if (src is None) == (value is None):
        raise TypeError("scatter(): give exactly one of src (a Tensor) or value (a number)")
    dim = _dims(dim, x.ndim)[0] if x.ndim else 0
    index = np.asarray(index)  # (a Tensor gives its array)
    if index.dtype.kind not in "iu":
        raise RuntimeError(f"scatter(): index must be an integer tensor (int64), got dtype {index.dtype}")
    if index.ndim == 0:
        index = index.reshape((1,) * x.ndim)
    if index.ndim != x.ndim:
        raise RuntimeError(f"scatter(): index has {index.ndim} dims and the input {x.ndim}; they must match")
    return dim, index, src


def _kind(x) -> str:
    """The dtype kind of a tensor, array or Python number ('b', 'i', 'u', 'f', ...)."""
    dtype = getattr(x, "dtype", None)
    if dtype is not None:
        return dtype.kind
    return "b" if isinstance(x, bool) else "i" if isinstance(x, int) else "f"


def _alpha(alpha, op, *operands):
    """The `alpha` of `add`, `sub`, `add_`, `sub_` (`a + alpha * b`), checked as PyTorch
    does: a number; a float only if the result is float, a bool only if it is bool."""
    if not isinstance(alpha, (int, float)):
        raise TypeError(f"{op}(): argument 'alpha' must be a number, not {type(alpha).__name__}")
    kinds = {_kind(x) for x in operands}
    if isinstance(alpha, bool) and kinds != {"b"}:
        raise RuntimeError(f"{op}(): Boolean alpha only supported for Boolean results (got alpha={alpha})")
    if isinstance(alpha, float) and kinds <= {"b", "i", "u"}:
        raise RuntimeError(
            f"{op}(): For integral input tensors, argument alpha must not be a floating point number "
            f"(got alpha={alpha})"
        )
    return alpha


def _dim(dim, ndim: int, name: str = "dim") -> int:
    """A single dim (None refused: softmax, unsqueeze and logsumexp need one) as a non-negative axis."""
    if dim is None or isinstance(dim, (tuple, list)):
        raise TypeError(f"{name} must be an int, but found {type(dim).__name__} {dim!r}; say which one dim")
    return (_dims(dim, ndim) or (0,))[0]


def _reduced_dims(dim, ndim: int) -> tuple:
    """The dims a reduction runs over: an empty list or tuple means all of them, as in
    PyTorch (`sum(dim=[])` is the full sum), like None."""
    return _dims(None if isinstance(dim, (tuple, list)) and not dim else dim, ndim)
