"""`Value`: micrograd's scalar, on plain Python floats, on the same engine.

Each op is a `Function` like the Tensor ops; their forward and backward work on
floats directly, which keeps the scalar path lean. Every Value keeps its `.grad`
after backward (intermediates too), as in micrograd.
"""

from __future__ import annotations

import math

from autograd import engine
from autograd.engine import Function, retain_output, root_gradients, run_backward


class Value:
    """A scalar with a gradient: `Value(2.0)`, `.data`, `.grad`, `+ - * / **`,
    `relu`, `tanh`, `exp`, `log`, `sigmoid`, `backward()`."""

    __slots__ = ("data", "grad", "grad_fn", "requires_grad", "_output_nr", "_hooks", "name", "__weakref__")
    _retain_by_default = True
    shape = None
    dtype = None

    def __init__(self, data, requires_grad=True, name=None, label=None):
        self.data = float(data)
        self.grad = 0.0
        self.grad_fn = None
        self.requires_grad = requires_grad
        self._output_nr = 0
        self._hooks = None
        self.name = name or label

    label = property(lambda self: self.name, lambda self, v: setattr(self, "name", v))

    @property
    def is_leaf(self) -> bool:
        return self.grad_fn is None

    def __add__(self, other):
        return AddV.apply(self, other)

    def __mul__(self, other):
        return MulV.apply(self, other)

    def __pow__(self, exponent):
        if not isinstance(exponent, (int, float)):
            raise TypeError("Value ** only supports int or float exponents")
        return PowV.apply(self, float(exponent))

    def relu(self):
        return ReluV.apply(self)

    def tanh(self):
        return TanhV.apply(self)

    def exp(self):
        return ExpV.apply(self)

    def log(self):
        return LogV.apply(self)

    def sigmoid(self):
        return SigmoidV.apply(self)

    def __neg__(self):
        return self * -1.0

    def __radd__(self, other):
        return self + other

    def __sub__(self, other):
        return self + (-other)

    def __rsub__(self, other):
        return other + (-self)

    def __rmul__(self, other):
        return self * other

    def __truediv__(self, other):
        return self * other**-1

    def __rtruediv__(self, other):
        return other * self**-1

    def retain_grad(self):
        if self.grad_fn is not None:
            retain_output(self.grad_fn, 0)

    def register_hook(self, hook):
        if self.grad_fn is not None:
            engine.add_pre_hook(self.grad_fn, 0, hook)
        else:
            self._hooks = (self._hooks or []) + [hook]

    def backward(self, gradient=None, retain_graph=None, create_graph=False):
        """Accumulate d(self)/d(v) into `v.grad` for every Value v it depends on."""
        if create_graph:
            raise NotImplementedError("Value: create_graph is not supported; use Tensor for higher-order gradients")
        run_backward([self], root_gradients([self], [gradient]), bool(retain_graph))

    def __repr__(self):
        return f"Value(data={self.data}, grad={self.grad})"


engine.Value = Value


def _data(x):
    return x.data if type(x) is Value else float(x)


class AddV(Function):
    @staticmethod
    def forward(ctx, a, b):  # a + b
        return a.data + _data(b)

    @staticmethod
    def backward(ctx, grad):
        return grad, grad


class MulV(Function):
    @staticmethod
    def forward(ctx, a, b):  # a * b
        ctx.a, ctx.b = a.data, _data(b)
        return ctx.a * ctx.b

    @staticmethod
    def backward(ctx, grad):
        return grad * ctx.b, grad * ctx.a


class PowV(Function):
    @staticmethod
    def forward(ctx, a, exponent):  # a ** k for a constant k
        ctx.a, ctx.k = a.data, exponent
        return a.data**exponent

    @staticmethod
    def backward(ctx, grad):  # k a^(k-1)
        return grad * ctx.k * ctx.a ** (ctx.k - 1), None


class ReluV(Function):
    @staticmethod
    def forward(ctx, a):  # max(a, 0)
        ctx.positive = a.data > 0
        return a.data if ctx.positive else 0.0

    @staticmethod
    def backward(ctx, grad):
        return grad if ctx.positive else 0.0


class TanhV(Function):
    @staticmethod
    def forward(ctx, a):  # y = tanh a
        ctx.y = math.tanh(a.data)
        return ctx.y

    @staticmethod
    def backward(ctx, grad):  # 1 - y^2
        return grad * (1.0 - ctx.y * ctx.y)


class ExpV(Function):
    @staticmethod
    def forward(ctx, a):  # y = e^a
        ctx.y = math.exp(a.data)
        return ctx.y

    @staticmethod
    def backward(ctx, grad):
        return grad * ctx.y


class LogV(Function):
    @staticmethod
    def forward(ctx, a):  # log a
        if a.data <= 0:
            raise ValueError(f"Value.log(): needs a positive value, got {a.data}")
        ctx.a = a.data
        return math.log(a.data)

    @staticmethod
    def backward(ctx, grad):
        return grad / ctx.a


class SigmoidV(Function):
    @staticmethod
    def forward(ctx, a):  # y = 1 / (1 + e^-a)
        x = a.data
        ctx.y = 1.0 / (1.0 + math.exp(-x)) if x >= 0 else math.exp(x) / (1.0 + math.exp(x))
        return ctx.y

    @staticmethod
    def backward(ctx, grad):  # y (1 - y)
        return grad * ctx.y * (1.0 - ctx.y)
