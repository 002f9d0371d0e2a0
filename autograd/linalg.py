"""Matrix products (`matmul`, `mm`, `bmm`, `addmm`), and the `autograd.linalg`
namespace of PyTorch's `torch.linalg`: `vector_norm`, `matrix_norm` and `norm`,
which live in `norms.py`."""

from __future__ import annotations

import numpy as np

from autograd.dtypes import DTYPE_NAMES
from autograd.function import NumpyOp
from autograd.norms import linalg_norm as norm
from autograd.norms import matrix_norm, vector_norm
from autograd.shape import matrix_transpose
from autograd.tensor import Tensor, _raw

__all__ = ["Addmm", "Bmm", "Linear", "MatMul", "addmm", "bmm", "matrix_norm", "mm", "norm", "vector_norm"]


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


class Bmm(MatMul):
    """`bmm`: a batch of matrix products, (b, n, m) @ (b, m, p); matmul's op under PyTorch's node name."""

    backward_name = "BmmBackward0"


class Addmm(NumpyOp):
    @staticmethod
    def forward(ctx, input, mat1, mat2, beta, alpha):  # beta * input + alpha * (mat1 @ mat2)
        ctx.save_for_backward(mat1, mat2)
        ctx.beta, ctx.alpha = beta, alpha
        out = mat1._data @ mat2._data
        if alpha != 1:
            out *= alpha
        if beta != 0:  # beta = 0 ignores input, nan and inf included, as in PyTorch
            out += input._data if beta == 1 else beta * input._data
        return out

    @staticmethod
    def backward(ctx, grad):  # d/dinput = beta g (summed to its shape), d/dmat1 = alpha g mat2^T, d/dmat2 = alpha mat1^T g
        mat1, mat2 = ctx.saved_tensors
        need_input, need_mat1, need_mat2 = ctx.needs_input_grad[:3]
        scaled = grad if ctx.alpha == 1 else grad * ctx.alpha
        return (
            (grad if ctx.beta == 1 else grad * ctx.beta) if need_input else None,
            scaled @ matrix_transpose(mat2) if need_mat1 else None,
            matrix_transpose(mat1) @ scaled if need_mat2 else None,
            None,
            None,
        )


def _check_operands(op, names, tensors, ndim=None):
    """Tensors (of `ndim` dims) of one dtype, or a clear error naming the argument."""
    for name, t in zip(names, tensors):
        if not isinstance(t, Tensor):
            raise TypeError(f"{op}(): argument '{name}' must be a Tensor, not {type(t).__name__}")
        if ndim is not None and t.ndim != ndim:
            raise RuntimeError(f"{op}(): {name} must be a {ndim}-d tensor, got shape {tuple(t.shape)}")
    dtypes = {t.dtype for t in tensors}
    if len(dtypes) > 1:
        got = " and ".join(f"{name} {DTYPE_NAMES.get(t.dtype, t.dtype)}" for name, t in zip(names, tensors))
        raise RuntimeError(f"{op}(): expected its tensors to have the same dtype, but got {got}")


def _check_product(op, a, b):
    if a.shape[-1] != b.shape[-2]:
        raise RuntimeError(
            f"{op}(): shapes {tuple(a.shape)} and {tuple(b.shape)} cannot be multiplied "
            f"({a.shape[-2]}x{a.shape[-1]} and {b.shape[-2]}x{b.shape[-1]}): the columns of the first "
            "must equal the rows of the second"
        )


def mm(input: Tensor, mat2: Tensor) -> Tensor:
    """input (n, m) @ mat2 (m, p), for two matrices only (no broadcasting: see `matmul`)."""
    _check_operands("mm", ("input", "mat2"), (input, mat2), 2)
    _check_product("mm", input, mat2)
    return MatMul.apply(input, mat2)


def bmm(input: Tensor, mat2: Tensor) -> Tensor:
    """input (b, n, m) @ mat2 (b, m, p): b matrix products (no broadcasting: see `matmul`)."""
    _check_operands("bmm", ("input", "mat2"), (input, mat2), 3)
    if input.shape[0] != mat2.shape[0]:
        raise RuntimeError(
            f"bmm(): input and mat2 must hold the same number of matrices, got shapes {tuple(input.shape)} "
            f"and {tuple(mat2.shape)}"
        )
    _check_product("bmm", input, mat2)
    return Bmm.apply(input, mat2)


def addmm(input: Tensor, mat1: Tensor, mat2: Tensor, *, beta=1, alpha=1) -> Tensor:
    """beta * input + alpha * (mat1 (n, m) @ mat2 (m, p)); input broadcasts to (n, p).
    With beta = 0 input is ignored (its nan and inf do not propagate)."""
    _check_operands("addmm", ("mat1", "mat2"), (mat1, mat2), 2)
    _check_product("addmm", mat1, mat2)
    _check_operands("addmm", ("input", "mat1"), (input, mat1))
    shape = (mat1.shape[0], mat2.shape[1])
    if input.ndim > 2 or any(s not in (1, t) for s, t in zip(input.shape[::-1], shape[::-1])):
        raise RuntimeError(
            f"addmm(): input of shape {tuple(input.shape)} does not broadcast to the product's shape {shape}"
        )
    for name, value in (("beta", beta), ("alpha", alpha)):
        if not isinstance(value, (int, float)) or isinstance(value, bool):
            raise TypeError(f"addmm(): {name} must be a number, got {type(value).__name__}")
    return Addmm.apply(input, mat1, mat2, beta, alpha)
