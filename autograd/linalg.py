"""Matrix products."""

from __future__ import annotations

import numpy as np

from autograd.function import NumpyOp
from autograd.shape import matrix_transpose
from autograd.tensor import _raw


class MatMul(NumpyOp):
    backward_name = "MmBackward0"

    @staticmethod
    def forward(ctx, a, b):  # a @ b: 1-D, 2-D, batched and broadcast, as np.matmul
        if a.ndim == 0 or b.ndim == 0:
            raise RuntimeError(
                f"matmul(): both arguments need at least 1 dimension, got shapes {a.shape} and {b.shape}"
            )
        if a.shape[-1] != b.shape[-2 if b.ndim > 1 else 0]:
            raise RuntimeError(
                f"matmul(): shapes {a.shape} and {b.shape} cannot be multiplied "
                f"({a.shape[-1]} != {b.shape[-2 if b.ndim > 1 else 0]}): the last dim of the first "
                "must equal the second-to-last dim of the second"
            )
        ctx.save_for_backward(a, b)
        try:
            return np.matmul(a._data, b._data)
        except ValueError:
            raise RuntimeError(
                f"matmul(): batch dims of shapes {a.shape} and {b.shape} cannot be broadcast together"
            ) from None

    @staticmethod
    def backward(ctx, grad):  # dA = G B^T, dB = A^T G (1-D operands as a row / a column)
        a, b = ctx.saved_tensors
        need_a, need_b = ctx.needs_input_grad
        a2 = a if a.ndim > 1 else a.reshape(1, -1)
        b2 = b if b.ndim > 1 else b.reshape(-1, 1)
        if b.ndim == 1:
            grad = grad[..., None]
        if a.ndim == 1:
            grad = grad[..., None, :]
        grad_a = _product_like(a, grad, matrix_transpose(b2)) if need_a else None
        grad_b = _product_like(b, matrix_transpose(a2), grad) if need_b else None
        if need_a and a.ndim == 1:  # (the engine sums broadcast batch dims; these are the row's)
            grad_a = grad_a.reshape(-1, a.shape[0]).sum(axis=0)
        if need_b and b.ndim == 1:
            grad_b = grad_b.reshape(-1, b.shape[0]).sum(axis=0)
        return grad_a, grad_b


def _product_like(x, left, right):
    """left @ right, in x's memory order: the gradient of a transposed matrix (W.T in
    x @ W.T) comes out transposed too, so that W's gradient is contiguous, not a
    strided view that every later use (the optimizer's update) walks across."""
    flags = _raw(x).flags
    if x.ndim == 2 and flags.f_contiguous and not flags.c_contiguous:
        return matrix_transpose(matrix_transpose(right) @ matrix_transpose(left))
    return left @ right



class Linear(NumpyOp):
    """y = x W^T + b for x of shape (*, in), W (out, in), b (out,) or None: one node,
    PyTorch's `AddmmBackward0` (`MmBackward0` without a bias)."""

    @staticmethod
    def forward(ctx, x, weight, bias=None):
        ctx.save_for_backward(x, weight)
        ctx.has_bias = bias is not None
        out = np.matmul(x._data, weight._data.T)
        return out if bias is None else out + bias._data

    @staticmethod
    def backward(ctx, grad):  # dx = G W, dW = G^T x (over every leading dim), db = G summed
        x, weight = ctx.saved_tensors
        need_x, need_w = ctx.needs_input_grad[:2]
        n_out, n_in = weight.shape
        grad_x = grad @ weight if need_x else None
        grad_w = matrix_transpose(grad.reshape(-1, n_out)) @ x.reshape(-1, n_in) if need_w else None
        return (grad_x, grad_w, grad) if ctx.has_bias else (grad_x, grad_w)

    def name(self) -> str:
        return "AddmmBackward0" if self.has_bias else "MmBackward0"
