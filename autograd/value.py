"""`Value`: a scalar that remembers how it was computed, in micrograd's shape.

Each op returns a new Value holding its result (`data`), its gradient (`grad`),
its operands (`_a`, and `_b` or None), its op's name (`_op`) and `_backward(out)`,
written right below the op's forward, which adds the op's local derivative times
`out.grad` to the operands' `.grad`. A number in an expression is made into a
constant Value (`_op` 'const'; a leaf you make has `_op` ''), so every operand
is a Value. `backward()` visits the Values in reverse topological order, found
with an explicit stack (no recursion limit), so that each Value's gradient is
complete when its `_backward` runs.

What `autograd.draw` reads from a Value: `_inputs()`, `_op`, `label`, and
`backward(observer)`, which calls `observer(v)` on each Value it visits, in
order, when v's gradient is complete.

Value is small on purpose: no hooks, higher-order gradients, custom Functions
or `autograd.grad`, and it does not mix with Tensors. A Tensor does all of these.
"""

from __future__ import annotations

import math


class Value:
    """A scalar with a gradient: `Value(2.0)`, `.data`, `.grad`, `+ - * / **`,
    `relu`, `tanh`, `exp`, `log`, `sigmoid`, `backward()`."""

    # One object per op, no __dict__, its operands in two slots (no tuple): the
    # cyclic GC has one object per op to track.
    __slots__ = ("data", "grad", "_a", "_b", "_op", "_backward", "label")
    __array_ufunc__ = None  # NumPy refuses it (no array of Values): a Tensor op raises TypeError

    def __init__(self, data, _a=None, _b=None, _op="", _backward=None, label=None, name=None):
        self.data = float(data)
        self.grad = 0.0
        self._a, self._b, self._op, self._backward = _a, _b, _op, _backward
        self.label = label or name

    def __add__(self, other):
        other = other if type(other) is Value else _operand(other, "+")
        return Value(self.data + other.data, self, other, "add", Value._add_backward)

    def _add_backward(out):  # d(a + b) = da + db
        out._a.grad += out.grad
        out._b.grad += out.grad

    def __mul__(self, other):
        other = other if type(other) is Value else _operand(other, "*")
        return Value(self.data * other.data, self, other, "mul", Value._mul_backward)

    def _mul_backward(out):  # d(a b) = b da + a db
        out._a.grad += out._b.data * out.grad
        out._b.grad += out._a.data * out.grad

    def __pow__(self, k):
        if isinstance(k, Value):  # a ** b = e^(b log a), for a > 0
            return (k * self.log()).exp()
        k = _operand(k, "**")
        return Value(_real(self.data**k.data, self, "**", k), self, k, "pow", Value._pow_backward)

    def _pow_backward(out):  # d(a^k) = k a^(k-1) da; at a = 0: inf for 0 < k < 1 (as sqrt), 0 for k = 0
        a, k = out._a.data, out._b.data
        slope = k * a ** (k - 1) if a or k >= 1 else math.inf if k else 0.0
        out._a.grad += slope * out.grad

    def __rpow__(self, k):  # k ** b, for a number k
        k = _operand(k, "**")
        return Value(_real(k.data**self.data, k, "**", self), k, self, "rpow", Value._rpow_backward)

    def _rpow_backward(out):  # d(k^b) = k^b log(k) db; undefined (nan) for k <= 0
        log_k = math.log(out._a.data) if out._a.data > 0 else math.nan
        out._b.grad += out.data * log_k * out.grad

    def relu(self):
        return Value(self.data if self.data > 0 else 0.0, self, None, "relu", Value._relu_backward)

    def _relu_backward(out):  # d relu(a) = da where a > 0, else 0
        if out.data > 0:
            out._a.grad += out.grad

    def tanh(self):
        return Value(math.tanh(self.data), self, None, "tanh", Value._tanh_backward)

    def _tanh_backward(out):  # d tanh(a) = (1 - tanh(a)^2) da
        out._a.grad += (1.0 - out.data * out.data) * out.grad

    def exp(self):
        return Value(math.exp(self.data), self, None, "exp", Value._exp_backward)

    def _exp_backward(out):  # d e^a = e^a da
        out._a.grad += out.data * out.grad

    def log(self):
        if self.data <= 0:
            raise ValueError(f"Value.log(): needs a positive value, got {self.data}")
        return Value(math.log(self.data), self, None, "log", Value._log_backward)

    def _log_backward(out):  # d log(a) = da / a
        out._a.grad += out.grad / out._a.data

    def sigmoid(self):  # 1 / (1 + e^-a), written so that e^x never overflows
        x = self.data
        y = 1.0 / (1.0 + math.exp(-x)) if x >= 0 else math.exp(x) / (1.0 + math.exp(x))
        return Value(y, self, None, "sigmoid", Value._sigmoid_backward)

    def _sigmoid_backward(out):  # d sigmoid(a) = sigmoid(a) (1 - sigmoid(a)) da
        out._a.grad += out.data * (1.0 - out.data) * out.grad

    # derived ops: compositions of the ones above
    def __neg__(self):  # -a
        return self * -1.0

    def __sub__(self, other):  # a - b
        return self + (-other)

    def __rsub__(self, other):  # b - a
        return other + (-self)

    def __truediv__(self, other):  # a / b
        return self * other**-1

    def __rtruediv__(self, other):  # b / a
        return other * self**-1

    __radd__ = __add__  # b + a
    __rmul__ = __mul__  # b * a

    def backward(self, observer=None):
        """Add d(self)/d(v) to `v.grad` for every Value v that self depends on.

        The Values made by ops get the gradient of this call (each starts at 0);
        leaves accumulate, as in PyTorch: reset them (`p.grad = 0`) between steps.
        `observer(v)`, if given, sees each Value when its gradient is complete.
        """
        order = self._topological_order()
        for v in order:
            if v._backward is not None:
                v.grad = 0.0
        self.grad += 1.0
        for v in reversed(order):
            if observer is not None:
                observer(v)
            if v._backward is not None:
                v._backward(v)

    def _topological_order(self):
        """Every Value that self depends on, each after its inputs; self last."""
        order, seen, stack = [], {None, self}, [self]
        while stack:  # depth first, without recursion: a Value leaves the stack when its inputs are done
            v = stack[-1]
            if v._b not in seen:
                seen.add(v._b)
                stack.append(v._b)
            elif v._a not in seen:
                seen.add(v._a)
                stack.append(v._a)
            else:
                order.append(stack.pop())
        return order

    def _inputs(self):
        return tuple(v for v in (self._a, self._b) if v is not None)

    @property
    def name(self):  # an alias of `label`
        return self.label

    @name.setter
    def name(self, name):
        self.label = name

    def __repr__(self):
        return f"Value(data={self.data}, grad={self.grad})"


def _operand(x, op):
    """`x` as an operand of a Value op: a Value, or a number made into a constant Value."""
    if isinstance(x, Value):
        return x
    if isinstance(x, (int, float)):
        return Value(x, _op="const")
    raise TypeError(
        f"Value {op} {type(x).__name__}: a Value combines only with Values, ints and floats; "
        "for tensors, use autograd.tensor(...) (a 0-d tensor for a scalar) instead of Value"
    )


def _real(result, a, op, b):
    """`result` of `a op b`, which must be a real number."""
    if isinstance(result, complex):
        raise ValueError(f"Value: {a.data!r} {op} {b.data!r} is a complex number ({result}); "
                         "Value holds real numbers")
    return result
