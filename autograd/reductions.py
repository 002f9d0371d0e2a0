"""Reductions, and `topk`. `mean`, `var`, `std`, `amin`, `logsumexp` and `max(dim)` are
composed from these and other ops in `tensor_methods.py`; the norms are in
`norms.py`. Backward formulas run on ndarrays or Tensors (`NumpyOp`)."""

from __future__ import annotations

import numpy as np

from autograd.arguments import broadcast_dims
from autograd.function import NumpyOp
from autograd.shape import ScatterAdd, broadcast_to
from autograd.tensor import Tensor


def _kept_shape(shape, dims):
    """`shape` with the reduced `dims` set to 1 (what keepdim=True gives)."""
    return tuple(1 if i in dims else s for i, s in enumerate(shape))


class Sum(NumpyOp):
    @staticmethod
    def forward(ctx, x, dims, keepdim):  # sum over dims
        ctx.shape, ctx.dims = x.shape, dims
        return np.add.reduce(x._data, axis=dims, keepdims=keepdim)  # np.sum, without its wrapper

    @staticmethod
    def backward(ctx, grad):  # every summed element gets the gradient of the sum
        if grad.ndim:  # (a 0-d gradient, of a sum over all dims, expands as it is)
            grad = grad.reshape(_kept_shape(ctx.shape, ctx.dims))
        return broadcast_to(grad, ctx.shape), None, None


class SumToSize(NumpyOp):
    backward_name = "SumBackward1"

    @staticmethod
    def forward(ctx, x, shape):  # sum the dims that broadcasting added or stretched
        ctx.shape = x.shape
        dims = broadcast_dims(x.shape, shape)
        if dims is None:
            raise RuntimeError(f"sum_to_size(): size {shape} is not expandable to the tensor's {x.shape}")
        if not dims:
            return x._data.reshape(shape)
        out = np.add.reduce(x._data, axis=dims)
        return out if out.shape == shape else out.reshape(shape)  # a fresh array can become a .grad uncopied

    @staticmethod
    def backward(ctx, grad):
        return broadcast_to(grad, ctx.shape), None


class AMax(NumpyOp):
    backward_name = "AmaxBackward0"

    @staticmethod
    def forward(ctx, x, dims, keepdim):  # max over dims; ties share the gradient equally
        if x._data.size == 0:
            raise RuntimeError(f"amax(): cannot reduce an empty tensor of shape {x.shape}")
        peak = np.amax(x._data, axis=dims, keepdims=True)
        hits = (x._data == peak).astype(x.dtype)
        ctx.save_for_backward(Tensor._make(hits / hits.sum(axis=dims, keepdims=True), False))
        ctx.kept = _kept_shape(x.shape, dims)
        return peak if keepdim else peak.reshape([s for i, s in enumerate(x.shape) if i not in dims])

    @staticmethod
    def backward(ctx, grad):
        (share,) = ctx.saved_tensors
        return grad.reshape(ctx.kept) * share, None, None


def _minus_max(data, dim):
    """data - its max along dim (e^x then cannot overflow); an empty array as it is."""
    return data - np.amax(data, axis=dim, keepdims=True) if data.size else data


def power_of_two_scale(data, dims):
    """2^k with max |data| over dims (kept) in [2^k, 2^(k+1)), 1 where that max is
    0 or not finite: dividing by it is exact, and keeps squares from overflowing."""
    if data.size == 0:
        return np.ones(_kept_shape(data.shape, dims), data.dtype)
    peak = np.amax(np.abs(data), axis=dims, keepdims=True)
    exponent = np.where(np.isfinite(peak) & (peak > 0), np.frexp(peak)[1] - 1, 0)  # frexp: m 2^e, m in [0.5, 1)
    return np.ldexp(np.ones_like(peak), exponent)


class Softmax(NumpyOp):
    @staticmethod
    def forward(ctx, x, dim):  # y = e^x / sum(e^x)
        e = np.exp(_minus_max(x._data, dim))
        y = Tensor._make(e / e.sum(axis=dim, keepdims=True), False)
        ctx.save_for_backward(y)
        ctx.dim = dim
        return y

    @staticmethod
    def backward(ctx, grad):  # y * (g - sum(g * y))
        (y,) = ctx.saved_tensors
        return y * (grad - (grad * y).sum(axis=ctx.dim, keepdims=True)), None


class LogSoftmax(NumpyOp):
    @staticmethod
    def forward(ctx, x, dim):  # y = x - logsumexp(x)
        shifted = _minus_max(x._data, dim)
        log_total = np.log(np.exp(shifted).sum(axis=dim, keepdims=True)) if shifted.size else 0.0
        y = Tensor._make(shifted - log_total, False)
        ctx.save_for_backward(y)
        ctx.dim = dim
        return y

    @staticmethod
    def backward(ctx, grad):  # g - softmax * sum(g)
        (y,) = ctx.saved_tensors
        return grad - np.exp(y) * grad.sum(axis=ctx.dim, keepdims=True), None


class Topk(NumpyOp):
    @staticmethod
    def forward(ctx, x, k, dim, largest):  # the k largest (smallest) along dim, sorted, and where they were
        data = x._data.reshape(x.shape or (1,))  # (a 0-d x as one element)
        if not 0 <= k <= data.shape[dim]:
            raise RuntimeError(f"topk(): selected index k={k} out of range for dim {dim} of shape {x.shape}")
        if largest:  # descending, ties in index order, NaN first (the largest, as in PyTorch): a stable
            # ascending sort of the reversed row, read backwards
            flipped = np.argsort(np.flip(data, dim), axis=dim, kind="stable")
            order = data.shape[dim] - 1 - np.flip(flipped, dim)
        else:
            order = np.argsort(data, axis=dim, kind="stable")
        indices = np.ascontiguousarray(order[(slice(None),) * dim + (slice(0, k),)])
        ctx.shape, ctx.dim, ctx.indices = x.shape, dim, indices
        values = np.take_along_axis(data, indices, axis=dim)
        return (values, indices) if x.ndim else (values.reshape(()), indices.reshape(()))

    @staticmethod
    def backward(ctx, grad, _):  # each value's gradient goes back to where it was taken
        grad_x = ScatterAdd.apply(grad.reshape(ctx.indices.shape), ctx.shape or (1,), ctx.dim, ctx.indices)
        return (grad_x if ctx.shape else grad_x.reshape(())), None, None, None
