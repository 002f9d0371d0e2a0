"""Norms, with PyTorch's semantics: one op, `VectorNorm`, and composed from it and
other ops the rest.

    vector_norm(x, ord, dim)   (sum |x_i|^ord)^(1/ord) over dim; ord inf: max |x_i|,
                               -inf: min |x_i|, 0: how many x_i are nonzero
    matrix_norm(A, ord, dim)   'fro': the 2-norm of the entries; 1 / -1: the max / min
                               column sum of |A|; inf / -inf: the max / min row sum
    linalg_norm(A, ord, dim)   torch.linalg.norm: a vector or a matrix norm by dim and ord
    norm(input, p, dim)        torch.norm and Tensor.norm: a vector norm ('fro' is ord 2)

`autograd.linalg` exports the first three as `vector_norm`, `matrix_norm`, `norm`.
"""

from __future__ import annotations

import math

import numpy as np

from autograd.arguments import _dims
from autograd.dtypes import DTYPE_NAMES
from autograd.elementwise import where
from autograd.function import NumpyOp
from autograd.tensor import Tensor, _raw

__all__ = ["VectorNorm", "linalg_norm", "matrix_norm", "norm", "vector_norm"]

_INF = math.inf


class VectorNorm(NumpyOp):
    backward_name = "LinalgVectorNormBackward0"

    @staticmethod
    def forward(ctx, x, ord, dims, keepdim):  # y = (sum |x|^ord)^(1/ord) over dims
        magnitude = np.abs(x._data)
        if ord == _INF:
            y = np.amax(magnitude, axis=dims, keepdims=True)
        elif ord == -_INF:
            y = np.amin(magnitude, axis=dims, keepdims=True)
        elif ord == 0:
            y = np.add.reduce(magnitude != 0, axis=dims, keepdims=True, dtype=x.dtype)
        elif ord == 1:
            y = np.add.reduce(magnitude, axis=dims, keepdims=True)
        elif ord == 2:
            y = np.sqrt(np.add.reduce(magnitude * magnitude, axis=dims, keepdims=True))
        else:
            with np.errstate(divide="ignore"):  # 0 ** negative ord is inf, and the norm 0
                y = np.add.reduce(magnitude**ord, axis=dims, keepdims=True) ** (1.0 / ord)
        ctx.ord, ctx.dims, ctx.kept = ord, dims, y.shape
        y = Tensor._make(y if keepdim else y.reshape([s for i, s in enumerate(x.shape) if i not in dims]), False)
        ctx.save_for_backward(x, y)
        return y

    @staticmethod
    def backward(ctx, grad):  # sign(x) |x|^(ord-1) / y^(ord-1); 0 where y = 0, as in PyTorch
        x, y = ctx.saved_tensors
        ord = ctx.ord
        if ord == 0:  # a count: no gradient (PyTorch gives none either)
            return None, None, None, None
        grad, y = grad.reshape(ctx.kept), y.reshape(ctx.kept)
        sign = np.sign(_raw(x))
        if ord == 1:
            scale = sign
        elif abs(ord) == _INF:  # the elements at the max (min) share it equally
            hits = np.abs(_raw(x)) == _raw(y)
            scale = (sign * hits / np.add.reduce(hits, axis=ctx.dims, keepdims=True)).astype(sign.dtype)
        elif ord == 2:  # x / y (where y = 0, x = 0 too)
            return grad * x / where(_raw(y) == 0, 1.0, y), None, None, None
        else:
            magnitude = where(_raw(x) == 0, 1.0, np.abs(x))  # (sign is 0 there)
            scale = sign * (magnitude / where(_raw(y) == 0, 1.0, y)) ** (ord - 1)
            scale = where(_raw(y) == 0, 0.0, scale)  # a negative ord's norm is 0 at a zero element
        return grad * scale, None, None, None


# --- argument checks -----------------------------------------------------------------------------


def _float_input(x, dtype, op):
    """x (cast to dtype, if given), after PyTorch's checks: a float tensor and a float dtype."""
    if not isinstance(x, Tensor):
        raise TypeError(f"{op}(): argument 'input' must be a Tensor, not {type(x).__name__}")
    if x.dtype.kind != "f":
        raise RuntimeError(
            f"{op}: Expected a floating point tensor as input. Got {DTYPE_NAMES.get(x.dtype, x.dtype)}; "
            "call .float() first"
        )
    if dtype is None:
        return x
    dtype = np.dtype(dtype)
    if dtype.kind != "f":
        raise RuntimeError(f"{op}: dtype should be floating point, but got {DTYPE_NAMES.get(dtype, dtype)}")
    if dtype.itemsize < x.dtype.itemsize:
        raise RuntimeError(
            f"{op}: the dtype of the input ({DTYPE_NAMES[x.dtype]}) should be convertible without narrowing to the "
            f"specified dtype ({DTYPE_NAMES[dtype]})"
        )
    return x.to(dtype)


def _distinct_dims(dim, ndim, op):
    dims = _dims(dim if dim != () else None, ndim)  # () means all dims, as in PyTorch
    for d in dims:
        if dims.count(d) > 1:
            raise RuntimeError(f"{op}: dim {d} appears multiple times in the list of dims")
    return dims


def _number(ord, op):
    if isinstance(ord, bool) or not isinstance(ord, (int, float)):
        raise TypeError(f"{op}(): argument 'ord' must be a number, not {type(ord).__name__}")
    return ord


# --- the norms -----------------------------------------------------------------------------------


def vector_norm(x: Tensor, ord=2, dim=None, keepdim: bool = False, *, dtype=None) -> Tensor:
    """The ord-norm of x over dim (all dims by default) as a vector: (sum |x_i|^ord)^(1/ord);
    inf and -inf are the max and min |x_i|, 0 the number of nonzero x_i."""
    op = "linalg.vector_norm"
    x, ord = _float_input(x, dtype, op), _number(ord, op)
    dims = _distinct_dims(dim, x.ndim, op)
    if (ord < 0 or ord == _INF) and any(x.shape[d] == 0 for d in dims):
        raise RuntimeError(
            f"{op} cannot compute the {ord} norm on an empty tensor because the operation does not have an "
            f"identity (shape {tuple(x.shape)}, dim {dim})"
        )
    return VectorNorm.apply(x, float(ord), dims, bool(keepdim))


def matrix_norm(A: Tensor, ord="fro", dim=(-2, -1), keepdim: bool = False, *, dtype=None) -> Tensor:
    """The ord-norm of the matrices of A over the two dims `dim`: 'fro', 1, -1, inf, -inf.
    ('nuc', 2 and -2 need singular values, which glassgrad does not compute.)"""
    op = "linalg.matrix_norm"
    A = _float_input(A, dtype, op)
    if A.ndim < 2:
        raise RuntimeError(f"{op}: The input tensor A must have at least 2 dimensions, got shape {tuple(A.shape)}")
    dims = _distinct_dims(dim, A.ndim, op) if isinstance(dim, (tuple, list)) else ()
    if len(dims) != 2:
        raise RuntimeError(f"{op}: dim must be a 2-tuple. Got {dim}")
    if ord == "fro":
        return VectorNorm.apply(A, 2.0, dims, bool(keepdim))
    if ord in ("nuc", 2, -2):
        raise NotImplementedError(
            f"{op}: ord={ord!r} needs the singular values (an SVD), which glassgrad does not compute; "
            "ord 'fro', 1, -1, inf and -inf are supported"
        )
    if ord not in (1, -1, _INF, -_INF):
        raise RuntimeError(f"{op}: Order {ord} not supported.")
    rows, columns = dims
    summed, picked = (rows, columns) if abs(ord) == 1 else (columns, rows)  # 1: column sums; inf: row sums
    sums = A.abs().sum(summed, keepdim=keepdim)
    if not keepdim and picked > summed:
        picked -= 1  # (the summed dim is gone)
    return sums.amax(picked, keepdim=keepdim) if ord > 0 else sums.amin(picked, keepdim=keepdim)


def linalg_norm(A: Tensor, ord=None, dim=None, keepdim: bool = False, *, dtype=None) -> Tensor:
    """torch.linalg.norm: a vector norm over one dim, a matrix norm over two; without dim,
    the 2-norm of all entries (ord None), or the ord-norm of a 1-d or 2-d A."""
    if dim is not None:
        dims = tuple(dim) if isinstance(dim, (tuple, list)) else (dim,)
        if isinstance(ord, str) or len(dims) == 2:
            return matrix_norm(A, "fro" if ord is None else ord, dim, keepdim, dtype=dtype)
        if len(dims) != 1:
            raise RuntimeError(f"linalg.norm: If dim is specified, it must be of length 1 or 2. Got {list(dims)}")
        return vector_norm(A, 2 if ord is None else ord, dim, keepdim, dtype=dtype)
    if ord is None:
        return vector_norm(A, 2, None, keepdim, dtype=dtype)
    if not isinstance(A, Tensor) or A.ndim not in (1, 2):
        shape = tuple(A.shape) if isinstance(A, Tensor) else type(A).__name__
        raise RuntimeError(f"linalg.norm: If dim is not specified but ord is, the input must be 1D or 2D. Got {shape}")
    if A.ndim == 1:
        return vector_norm(A, ord, None, keepdim, dtype=dtype)
    return matrix_norm(A, ord, (-2, -1), keepdim, dtype=dtype)


def norm(input: Tensor, p="fro", dim=None, keepdim: bool = False, dtype=None) -> Tensor:
    """torch.norm and Tensor.norm: the p-norm of input over dim (all dims by default) as a
    vector; 'fro' is p = 2 (over at most two dims); 'nuc' asks for a matrix norm."""
    if isinstance(p, str):
        if p == "fro" and (dim is None or not isinstance(dim, (tuple, list)) or len(dim) <= 2):
            return vector_norm(input, 2, dim, keepdim, dtype=dtype)
        dims = tuple(range(input.ndim)) if dim is None else dim
        return matrix_norm(input, p, dims, keepdim, dtype=dtype)
    return vector_norm(input, 2 if p is None else p, dim, keepdim, dtype=dtype)
