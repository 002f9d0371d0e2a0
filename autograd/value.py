"""`Value`: micrograd's scalar, on plain Python floats, on the same engine.

Each op is a `Function` like the Tensor ops; their forward and backward work on
floats directly, which keeps the scalar path lean. Every Value keeps its `.grad`
after backward (intermediates too), as in micrograd.
"""

from __future__ import annotations

import math
import operator
import types

from autograd import engine
from autograd.engine import (
    _RETAIN_FIRST, Function, _grad_mode, _ref, _sequence, _unusual, root_gradients, run_backward,
)


class Value:
    """A scalar with a gradient: `Value(2.0)`, `.data`, `.grad`, `+ - * / **`,
    `relu`, `tanh`, `exp`, `log`, `sigmoid`, `backward()`."""

    # No __dict__: an instance dict would cost every Value an allocation, and every
    # read of a class attribute a probe of it. `_hooks` and `_name` are set only by
    # __init__ (an op's output has neither until given one).
    __slots__ = ("__weakref__", "_grad", "_hooks", "_name", "_output_nr", "data", "grad_fn", "requires_grad")
    _retain_by_default = True  # every Value keeps its .grad, as in micrograd
    _n_outputs = 0  # a variable, not a node (the engine tells leaves by this)
    shape = None
    dtype = None

    def __init__(self, data, requires_grad=True, name=None, label=None):
        self.data = float(data)
        self._grad = 0.0
        self.grad_fn = None
        self.requires_grad = bool(requires_grad)
        self._output_nr = 0
        self._hooks = None
        self._name = name or label

    @property
    def grad(self):
        """The gradient (0.0 before backward). A Value made by a Value op keeps it on
        its node, which therefore needs no reference back to the Value: a Value that
        nobody holds any more is freed at once, only the graph stays."""
        node = self.grad_fn
        return self._grad if node is None or not node._keeps_output else node.grad

    @grad.setter
    def grad(self, value):
        node = self.grad_fn
        if node is None or not node._keeps_output:
            self._grad = value
        else:
            node.grad = value

    @property
    def name(self):
        return getattr(self, "_name", None)

    @name.setter
    def name(self, value):
        self._name = value
        node = self.grad_fn
        if node is not None and node._n_outputs == 1:
            node._outputs = _ref(self)  # so that draw_graph finds a named Value from its node

    label = name

    @property
    def is_leaf(self) -> bool:
        return self.grad_fn is None

    # `+ * relu tanh exp log sigmoid` are the ops' `apply` functions (set at the end)

    def __pow__(self, exponent):
        if not isinstance(exponent, (int, float)):
            raise TypeError("Value ** only supports int or float exponents")
        return PowV.apply(self, float(exponent))

    def __neg__(self):
        return self * -1.0

    def __sub__(self, other):
        return self + (-other)

    def __rsub__(self, other):
        return other + (-self)

    def __truediv__(self, other):
        return self * other**-1

    def __rtruediv__(self, other):
        return other * self**-1

    def retain_grad(self):
        pass  # every Value keeps its .grad

    def register_hook(self, hook):
        """`hook(grad)` runs on this Value's complete gradient and may return a
        replacement: what `.grad` keeps and what flows on to the Values it depends on."""
        if self.grad_fn is not None:
            engine.add_pre_hook(self.grad_fn, 0, hook)
        else:
            self._hooks = (self._hooks or []) + [hook]  # a leaf: made by __init__

    def backward(self, gradient=None, retain_graph=None, create_graph=False):
        """Accumulate d(self)/d(v) into `v.grad` for every Value v it depends on."""
        if create_graph:
            raise NotImplementedError("Value: create_graph is not supported; use Tensor for higher-order gradients")
        run_backward([self], root_gradients([self], [gradient]), bool(retain_graph))

    def __repr__(self):
        return f"Value(data={self.data}, grad={self.grad})"


engine.Value = Value


_new = object.__new__
_ONE_INPUT = object()  # the missing second argument of a one-Value op


class ScalarFunction(Function):
    """A Function of one or two Values (or Python numbers) whose forward returns a
    float and whose backward works on floats: the Value ops. Subclasses declare
    `__slots__` for what forward keeps.

    What makes the scalar path lean: the node is the only object an op leaves
    behind (micrograd's MLP step builds some 65,000 of them, and the cyclic GC's
    time grows with their number). It keeps its output's `data` and `grad` itself
    (`Value.grad` reads it there), so it needs no reference back to the output
    Value, which is freed as soon as nobody holds it; and it keeps its edges in
    two slots rather than a tuple (a one-Value op: a 1-tuple in the first). Each
    op class gets two functions of its own: `apply` (`_scalar_apply`), which
    Value's operators are, and `_visit` (`_scalar_visit`), the engine's visit of
    its nodes."""

    # No __dict__ (see Value): what may be set per node is a slot. `apply` sets
    # `_input_meta` (None: nothing to reduce or cast for a Value), `_saved` (None:
    # Value ops keep what backward needs in their own slots) and `_pre_hooks`.
    __slots__ = ("_edge0", "_edge1", "_pre_hooks", "data", "grad", "metadata")
    _keeps_output = True
    _retained = _RETAIN_FIRST  # every Value keeps its .grad, as in micrograd

    def _set_edges(self, edges):  # (Function.apply's rare paths set them as a sequence)
        self._edge0, self._edge1 = edges

    # the engine's view of the two slots, read in C (no Python call per node in backward)
    _edges = property(operator.attrgetter("_edge0", "_edge1"), _set_edges)

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if "forward" in cls.__dict__:
            cls.apply = staticmethod(_scalar_apply(cls))
        if "backward" in cls.__dict__:
            cls._visit = _scalar_visit(cls)

    @classmethod
    def _apply_in_general(cls, *args):
        """`Function.apply`, then the node keeps its output's data and grad."""
        out = Function.apply.__func__(cls, *args)
        node = out.grad_fn
        if node is not None:
            node.data, node.grad, node._pre_hooks = out.data, 0.0, None
        return out


def _scalar_apply(cls):
    """`cls.apply` for a Value op: a plain function, which Value's operators are
    themselves (`Value.__mul__ is MulV.apply`: one Python call per op). It builds
    the node directly, writing only what a Value op needs; the rare cases (grad mode
    off, anomaly detection, module scopes, an input that is output 1+ of a node or
    does not require grad, a first argument that is not a Value) take
    `Function.apply`."""
    forward, in_general = cls.forward, cls._apply_in_general

    def apply(a, b=_ONE_INPUT):
        # (inlined: each input must be a Value the engine reaches as output 0 of its node, or
        # a leaf; or, as b, a number. A subclass of Value takes the general path too.)
        b_is_value = type(b) is Value
        if _unusual and _grad_mode.state in _unusual or type(a) is not Value or not a.requires_grad \
                or a._output_nr or (not b.requires_grad or b._output_nr if b_is_value else isinstance(b, Value)):
            return in_general(a) if b is _ONE_INPUT else in_general(a, b)
        ctx = cls()  # (no __init__: faster than object.__new__)
        if b is _ONE_INPUT:
            data = forward(ctx, a)
            ctx._edge0 = (a.grad_fn or a,)
        else:
            data = forward(ctx, a, b)
            ctx._edge0 = a.grad_fn or a
            ctx._edge1 = (b.grad_fn or b) if b_is_value else None  # or a number
        ctx._sequence_nr = next(_sequence)
        ctx.data, ctx.grad = data, 0.0
        ctx._input_meta = ctx._saved = ctx._pre_hooks = None
        out = _new(Value)
        out.data, out.grad_fn, out.requires_grad, out._output_nr = data, ctx, True, 0
        return out

    return _own_code(apply, cls, "apply")


def _scalar_visit(cls):
    """`node._visit(grad)`: the engine's visit of a node of this op when nothing
    watches the pass. The node keeps its gradient (as micrograd's Values do) and runs
    backward; returns the edges, the gradients for them and the input metadata (None
    unless `Function.apply` made the node: an input was output 1+ of a node). Like
    `apply`, a code object per op class, so that attribute access on the node is
    specialized."""
    backward = cls.backward
    if issubclass(cls, UnaryScalarFunction):
        def visit(node, grad):
            kept = node.grad
            node.grad = grad if kept is None else kept + grad
            return node._edge0, (backward(node, grad),), node._input_meta
    else:
        def visit(node, grad):
            kept = node.grad
            node.grad = grad if kept is None else kept + grad
            return (node._edge0, node._edge1), backward(node, grad), node._input_meta

    return _own_code(visit, cls, "_visit")


def _own_code(fn, cls, name):
    """`fn` with a code object of its own (CPython specializes attribute access per
    code object; one shared by all the ops would see a new node class each time)."""
    fn = types.FunctionType(fn.__code__.replace(), fn.__globals__, name, fn.__defaults__, fn.__closure__)
    fn.__qualname__ = f"{cls.__name__}.{name}"
    return fn


class UnaryScalarFunction(ScalarFunction):
    """A Value op of one Value: its one edge, as a 1-tuple, in `_edge0`."""

    __slots__ = ()

    def _set_edges(self, edges):
        self._edge0 = tuple(edges)

    _edges = property(operator.attrgetter("_edge0"), _set_edges)


class AddV(ScalarFunction):
    __slots__ = ()

    @staticmethod
    def forward(ctx, a, b):  # a + b
        return a.data + (b.data if isinstance(b, Value) else float(b))

    @staticmethod
    def backward(ctx, grad):
        return grad, grad


class MulV(ScalarFunction):
    __slots__ = ("a", "b")

    @staticmethod
    def forward(ctx, a, b):  # a * b
        ctx.a, ctx.b = a.data, (b.data if isinstance(b, Value) else float(b))
        return ctx.a * ctx.b

    @staticmethod
    def backward(ctx, grad):
        return grad * ctx.b, grad * ctx.a


class PowV(ScalarFunction):
    __slots__ = ("a", "k")

    @staticmethod
    def forward(ctx, a, exponent):  # a ** k for a constant k
        ctx.a, ctx.k = a.data, exponent
        return a.data**exponent

    @staticmethod
    def backward(ctx, grad):  # k a^(k-1)
        return grad * ctx.k * ctx.a ** (ctx.k - 1), None


class ReluV(UnaryScalarFunction):
    __slots__ = ("positive",)

    @staticmethod
    def forward(ctx, a):  # max(a, 0)
        ctx.positive = a.data > 0
        return a.data if ctx.positive else 0.0

    @staticmethod
    def backward(ctx, grad):
        return grad if ctx.positive else 0.0


class TanhV(UnaryScalarFunction):
    __slots__ = ("y",)

    @staticmethod
    def forward(ctx, a):  # y = tanh a
        ctx.y = math.tanh(a.data)
        return ctx.y

    @staticmethod
    def backward(ctx, grad):  # 1 - y^2
        return grad * (1.0 - ctx.y * ctx.y)


class ExpV(UnaryScalarFunction):
    __slots__ = ("y",)

    @staticmethod
    def forward(ctx, a):  # y = e^a
        ctx.y = math.exp(a.data)
        return ctx.y

    @staticmethod
    def backward(ctx, grad):
        return grad * ctx.y


class LogV(UnaryScalarFunction):
    __slots__ = ("a",)

    @staticmethod
    def forward(ctx, a):  # log a
        if a.data <= 0:
            raise ValueError(f"Value.log(): needs a positive value, got {a.data}")
        ctx.a = a.data
        return math.log(a.data)

    @staticmethod
    def backward(ctx, grad):
        return grad / ctx.a


class SigmoidV(UnaryScalarFunction):
    __slots__ = ("y",)

    @staticmethod
    def forward(ctx, a):  # y = 1 / (1 + e^-a)
        x = a.data
        ctx.y = 1.0 / (1.0 + math.exp(-x)) if x >= 0 else math.exp(x) / (1.0 + math.exp(x))
        return ctx.y

    @staticmethod
    def backward(ctx, grad):  # y (1 - y)
        return grad * ctx.y * (1.0 - ctx.y)


# Value's operators are the ops' `apply` functions themselves: one Python call per op.
Value.__add__ = Value.__radd__ = AddV.apply  # other + self is self + other
Value.__mul__ = Value.__rmul__ = MulV.apply
Value.relu, Value.tanh, Value.exp = ReluV.apply, TanhV.apply, ExpV.apply
Value.log, Value.sigmoid = LogV.apply, SigmoidV.apply
