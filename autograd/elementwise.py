"""Elementwise ops. Each backward is NumPy code that also runs on Tensors (see
`NumpyOp`): ndarrays at first order, recorded ops under `create_graph=True`.
The engine sums broadcast gradients back to each input's shape, so no op here
reduces by hand.

Binary ops take Tensors or Python numbers on either side.
"""

from __future__ import annotations

import math

import numpy as np

from autograd.dtypes import check_dtype
from autograd.function import NumpyOp
from autograd.tensor import Tensor, _raw

_F64 = np.dtype(np.float64)
_F32 = np.dtype(np.float32)


def _floating(x):
    """x's data for a float function: an int or bool tensor computes in float32, as
    in PyTorch (NumPy would give float64, or truncate back to ints)."""
    data = x._data
    return data if data.dtype.kind in "fc" else data.astype(_F32)


_NUMBERS = (float, int, bool)


def _real_operand(value, op: str):
    """A non-Tensor operand other than a Python number: refused unless it holds real
    numbers (a complex scalar or array would make a complex tensor, see dtypes.py)."""
    if isinstance(value, (Tensor, int, float)):
        return value
    if value is None or isinstance(value, (np.ndarray, np.generic, list, tuple, complex, str, bytes)):
        try:
            array = np.asarray(value)
        except ValueError:
            raise ValueError(f"{op}: the operand is a ragged nested list; every list at one depth must have the "
                             "same length") from None
        check_dtype(array.dtype, op)
        return value
    if getattr(type(value), "__array_ufunc__", True) is None:
        return value  # it refuses NumPy's ufuncs itself (a Value): _binary says what to do
    raise TypeError(f"{op}: unsupported operand of type {type(value).__name__}; Tensor ops take Tensors, NumPy "
                    "arrays and numbers")


def _binary(fn, a, b):
    """fn(a, b) on arrays with PyTorch's promotion: an int tensor meeting a float
    scalar, or int / int, gives float32, not NumPy's float64."""
    x = a._data if isinstance(a, Tensor) else a if type(a) in _NUMBERS else _real_operand(a, fn.__name__)
    y = b._data if isinstance(b, Tensor) else b if type(b) in _NUMBERS else _real_operand(b, fn.__name__)
    try:
        out = fn(x, y)
    except TypeError:  # e.g. a Value, which refuses NumPy's ufuncs
        raise TypeError(
            f"{fn.__name__}: unsupported operands {type(a).__name__} and {type(b).__name__}; Tensor ops take "
            "Tensors, NumPy arrays and numbers (for a Value, micrograd's scalar, use autograd.tensor(...))"
        ) from None
    except ValueError as error:
        try:
            np.broadcast_shapes(np.shape(x), np.shape(y))
        except ValueError:
            raise ValueError(
                f"{fn.__name__}: shapes {np.shape(x)} and {np.shape(y)} cannot be broadcast together "
                "(sizes must be equal or 1, aligned from the right)"
            ) from None
        raise RuntimeError(f"{fn.__name__}: {error}") from None  # e.g. ints to negative int powers
    if out.dtype is _F64 and getattr(x, "dtype", None) is not _F64 and getattr(y, "dtype", None) is not _F64:
        out = out.astype(_F32)
    return out


def compare(fn, a, b):
    """`a < b` and the like (`fn` a NumPy comparison), without gradient; b is checked
    as an operand of the arithmetic ops is (no complex numbers, strings, None)."""
    return Tensor._make(_binary(fn, a, b), False)


def integer_division(fn, a, b):
    """`a // b` or `a % b` (`fn`: np.floor_divide or np.remainder), without gradient:
    an integer division by zero raises, as in PyTorch (NumPy gives 0)."""
    with np.errstate(divide="ignore", invalid="ignore"):  # NumPy's warning for an int 0; float 0 gives inf as PyTorch
        out = _binary(fn, a, b)  # the operand checked first
    divisor = np.asarray(_raw(b))
    if _raw(a).dtype.kind in "biu" and divisor.dtype.kind in "biu" and not np.all(divisor):
        raise RuntimeError(
            f"{fn.__name__}: integer division by zero (ZeroDivisionError); cast to float first for inf/nan results"
        )
    return Tensor._make(out, False)


class Add(NumpyOp):
    @staticmethod
    def forward(ctx, a, b):  # a + b
        return _binary(np.add, a, b)

    @staticmethod
    def backward(ctx, grad):
        return grad, grad


class Sub(NumpyOp):
    @staticmethod
    def forward(ctx, a, b):  # a - b
        return _binary(np.subtract, a, b)

    @staticmethod
    def backward(ctx, grad):
        return grad, (-grad if ctx.needs_input_grad[1] else None)


class Mul(NumpyOp):
    @staticmethod
    def forward(ctx, a, b):  # a * b
        # a is needed only for d/db, b only for d/da
        ctx.save_for_backward(a if isinstance(b, Tensor) else None, b if isinstance(a, Tensor) else None)
        return _binary(np.multiply, a, b)

    @staticmethod
    def backward(ctx, grad):  # d/da = b, d/db = a
        a, b = ctx.saved_tensors
        need_a, need_b = ctx.needs_input_grad
        return (grad * b if need_a else None), (grad * a if need_b else None)


class Div(NumpyOp):
    @staticmethod
    def forward(ctx, a, b):  # a / b
        ctx.save_for_backward(a if isinstance(b, Tensor) else None, b)
        return _binary(np.true_divide, a, b)

    @staticmethod
    def backward(ctx, grad):  # d/da = 1/b, d/db = -a/b^2
        a, b = ctx.saved_tensors
        need_a, need_b = ctx.needs_input_grad
        grad_a = grad / b if need_a else None
        grad_b = -grad * a / (b * b) if need_b else None
        return grad_a, grad_b


class Pow(NumpyOp):
    @staticmethod
    def forward(ctx, a, b):  # y = a ** b
        y = Tensor._make(_binary(np.power, a, b), False)
        ctx.save_for_backward(a, b, y if isinstance(b, Tensor) else None)
        return y

    @staticmethod
    def backward(ctx, grad):  # d/da = b a^(b-1), d/db = y log(a)
        a, b, y = ctx.saved_tensors
        need_a, need_b = ctx.needs_input_grad
        grad_a = None
        if need_a:  # 0 where b = 0, even at a = 0 (not 0 * inf), as in PyTorch
            if isinstance(b, (int, float)):
                grad_a = grad * (b * a ** (b - 1)) if b != 0 else np.zeros_like(_raw(grad))
            else:
                grad_a = grad * where(_raw(b) == 0, 0.0, b * a ** (b - 1))
        grad_b = None
        if need_b:  # at a = 0 the limit of y log(a) is 0, as in PyTorch
            log_a = (math.log(a) if a != 0 else 0.0) if isinstance(a, (int, float)) else np.log(where(_raw(a) == 0, 1.0, a))
            grad_b = grad * y * log_a
        return grad_a, grad_b


class Neg(NumpyOp):
    @staticmethod
    def forward(ctx, x):  # -x
        return np.negative(x._data)

    @staticmethod
    def backward(ctx, grad):
        return -grad


class Exp(NumpyOp):
    @staticmethod
    def forward(ctx, x):  # y = e^x
        y = Tensor._make(np.exp(_floating(x)), False)
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, grad):  # dy/dx = y
        (y,) = ctx.saved_tensors
        return grad * y


class Log(NumpyOp):
    @staticmethod
    def forward(ctx, x):  # log x
        ctx.save_for_backward(x)
        return np.log(_floating(x))

    @staticmethod
    def backward(ctx, grad):  # 1/x
        (x,) = ctx.saved_tensors
        return grad / x


class Sqrt(NumpyOp):
    @staticmethod
    def forward(ctx, x):  # y = sqrt(x)
        y = Tensor._make(np.sqrt(_floating(x)), False)
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, grad):  # 1 / (2 y)
        (y,) = ctx.saved_tensors
        return grad / (y * 2.0)


class Abs(NumpyOp):
    @staticmethod
    def forward(ctx, x):  # |x|
        ctx.save_for_backward(x)
        return np.abs(x._data)

    @staticmethod
    def backward(ctx, grad):  # sign(x), 0 at 0
        (x,) = ctx.saved_tensors
        return grad * np.sign(_raw(x))


class Sin(NumpyOp):
    @staticmethod
    def forward(ctx, x):  # sin x
        ctx.save_for_backward(x)
        return np.sin(_floating(x))

    @staticmethod
    def backward(ctx, grad):  # cos x
        (x,) = ctx.saved_tensors
        return grad * np.cos(x)


class Cos(NumpyOp):
    @staticmethod
    def forward(ctx, x):  # cos x
        ctx.save_for_backward(x)
        return np.cos(_floating(x))

    @staticmethod
    def backward(ctx, grad):  # -sin x
        (x,) = ctx.saved_tensors
        return -grad * np.sin(x)


class Tanh(NumpyOp):
    @staticmethod
    def forward(ctx, x):  # y = tanh x
        y = Tensor._make(np.tanh(_floating(x)), False)
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, grad):  # 1 - y^2
        (y,) = ctx.saved_tensors
        return grad * (1.0 - y * y)


class Sigmoid(NumpyOp):
    @staticmethod
    def forward(ctx, x):  # y = 1 / (1 + e^-x), computed without overflow
        data = _floating(x)
        e = np.exp(-np.abs(data))
        y = Tensor._make(np.where(data >= 0, 1.0 / (1.0 + e), e / (1.0 + e)).astype(data.dtype, copy=False), False)
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, grad):  # y (1 - y)
        (y,) = ctx.saved_tensors
        return grad * y * (1.0 - y)


class Relu(NumpyOp):
    @staticmethod
    def forward(ctx, x):  # max(x, 0)
        ctx.save_for_backward(x)
        return np.maximum(x._data, 0)

    @staticmethod
    def backward(ctx, grad):  # 1 where x > 0
        (x,) = ctx.saved_tensors
        return grad * (_raw(x) > 0)


class Clamp(NumpyOp):
    backward_name = "ClampBackward1"

    @staticmethod
    def forward(ctx, x, low, high):  # min(max(x, low), high)
        low = None if low is None else _real_operand(low, "clamp")
        high = None if high is None else _real_operand(high, "clamp")
        ctx.save_for_backward(x, low, high)
        return np.clip(x._data, _raw(low), _raw(high))

    @staticmethod
    def backward(ctx, grad):  # 1 where low <= x <= high, else to the bound that won
        x, low, high = ctx.saved_tensors
        need_x, need_low, need_high = ctx.needs_input_grad
        data = _raw(x)
        below = data < _raw(low) if low is not None else False
        above = data > _raw(high) if high is not None else False
        if low is not None and high is not None:
            below = below & (_raw(low) <= _raw(high))
            above = above | (_raw(low) > _raw(high))
        inside = ~(below | above)
        return (
            grad * inside if need_x else None,
            grad * below if need_low else None,
            grad * above if need_high else None,
        )


class Maximum(NumpyOp):
    @staticmethod
    def forward(ctx, a, b):  # max(a, b); ties split the gradient equally, as in PyTorch
        ctx.save_for_backward(a, b)
        return _binary(np.maximum, a, b)

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        a, b = _raw(a), _raw(b)
        share = ((a > b) + (a == b) * 0.5).astype(grad.dtype)
        return grad * share, grad * (1.0 - share)


class Minimum(NumpyOp):
    @staticmethod
    def forward(ctx, a, b):  # min(a, b); ties split the gradient equally
        ctx.save_for_backward(a, b)
        return _binary(np.minimum, a, b)

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        a, b = _raw(a), _raw(b)
        share = ((a < b) + (a == b) * 0.5).astype(grad.dtype)
        return grad * share, grad * (1.0 - share)


def where(condition, a, b):
    """`np.where` on ndarrays; the op if `a` or `b` is a Tensor (for backward formulas)."""
    if isinstance(a, Tensor) or isinstance(b, Tensor):
        return Where.apply(Tensor._make(_raw(condition), False), a, b)
    return np.where(condition, a, b)


class Where(NumpyOp):
    @staticmethod
    def forward(ctx, condition, a, b):  # a where condition else b
        ctx.save_for_backward(condition)

        def where(x, y):
            try:
                return np.where(condition._data, x, y)
            except ValueError:  # the condition may be the culprit: name all three shapes
                raise RuntimeError(
                    f"where: condition of shape {condition.shape} and inputs of shapes {np.shape(x)} "
                    f"and {np.shape(y)} cannot be broadcast together"
                ) from None

        return _binary(where, a, b)

    @staticmethod
    def backward(ctx, grad):
        (condition,) = ctx.saved_tensors
        need_a, need_b = ctx.needs_input_grad[1:]
        keep = _raw(condition).astype(grad.dtype)
        return None, (grad * keep if need_a else None), (grad * (1.0 - keep) if need_b else None)


class Cast(NumpyOp):
    backward_name = "ToCopyBackward0"

    @staticmethod
    def forward(ctx, x, dtype):  # x as dtype
        ctx.dtype = x.dtype
        return _raw(x).astype(dtype)

    @staticmethod
    def backward(ctx, grad):
        return Cast.apply(grad, ctx.dtype), None


def view_as_dtype(x, dtype):
    """x's memory as `dtype` (no gradient: the values are other numbers); a different
    element size changes the last dim, which must be contiguous."""
    dtype = check_dtype(dtype, "view()")
    if dtype == x.dtype:
        return x
    try:
        out = Tensor._make(x._data.view(dtype), False)
    except ValueError as error:
        raise RuntimeError(f"view(): cannot view {x.dtype} of shape {x.shape} as {dtype} ({error})") from None
    out._version = x._version
    return out


class Clone(NumpyOp):
    @staticmethod
    def forward(ctx, x):  # a copy of x
        return x._data.copy()

    @staticmethod
    def backward(ctx, grad):
        return grad


class Fill(NumpyOp):
    @staticmethod
    def forward(ctx, x, value):  # every element set to value (a number or a 0-d tensor)
        return np.full_like(x._data, _raw(value))

    @staticmethod
    def backward(ctx, grad):  # nothing flows to x; the value gets the sum
        return None, grad.sum() if ctx.needs_input_grad[1] else None


class Copy(NumpyOp):
    backward_name = "CopyBackwards"

    @staticmethod
    def forward(ctx, x, source):  # source broadcast to x's shape, cast to x's dtype
        return np.broadcast_to(_raw(source), x.shape).astype(x.dtype)

    @staticmethod
    def backward(ctx, grad):
        return None, grad


class Log1p(NumpyOp):
    backward_name = "Log1PBackward0"

    @staticmethod
    def forward(ctx, x):  # log(1 + x), accurate near 0
        ctx.save_for_backward(x)
        return np.log1p(_floating(x))

    @staticmethod
    def backward(ctx, grad):  # 1 / (1 + x)
        (x,) = ctx.saved_tensors
        return grad / (x + 1.0)


# erf by Abramowitz & Stegun 7.1.26 (|error| < 1.5e-7): NumPy has no erf, and a
# Python loop over math.erf would cost a call per element. That error is below
# float32's resolution but not float64's, so float64 pays the loop: exact, as in PyTorch.
# Near 0 it is a large relative error (1e-3 at x = 1e-4): there the Maclaurin series
# 2/sqrt(pi) sum (-1)^n x^(2n+1) / (n! (2n+1)) takes over.
_exact_erf = np.frompyfunc(math.erf, 1, 1)
_ERF_P = 0.3275911
_ERF_A = (0.254829592, -0.284496736, 1.421413741, -1.453152027, 1.061405429)
_ERF_SERIES = [2 / math.sqrt(math.pi) * (-1) ** n / (math.factorial(n) * (2 * n + 1)) for n in range(8)]


class Erf(NumpyOp):
    @staticmethod
    def forward(ctx, x):  # erf(x) = 2/sqrt(pi) * integral_0^x e^(-t^2) dt
        ctx.save_for_backward(x)
        data = x._data
        if data.dtype == np.float64:
            return np.asarray(_exact_erf(data), dtype=np.float64)
        dtype = data.dtype if data.dtype.kind == "f" else np.dtype(np.float32)
        data = data.astype(np.float32, copy=False)  # float16 computes in float32
        t = 1.0 / (1.0 + _ERF_P * np.abs(data))
        poly = t * (_ERF_A[0] + t * (_ERF_A[1] + t * (_ERF_A[2] + t * (_ERF_A[3] + t * _ERF_A[4]))))
        out = np.sign(data) * (1.0 - poly * np.exp(-data * data))
        small = np.abs(data) < 0.5
        if small.any():  # the series to 8 terms: truncated after < 1e-10 relative for |x| < 0.5
            squared, series = data * data, 0.0
            for c in reversed(_ERF_SERIES):
                series = series * squared + c
            out = np.where(small, data * series, out)
        return out.astype(dtype, copy=False)

    @staticmethod
    def backward(ctx, grad):  # 2/sqrt(pi) e^(-x^2)
        (x,) = ctx.saved_tensors
        return grad * np.exp(-(x * x)) * (2.0 / np.sqrt(np.pi))
