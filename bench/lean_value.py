"""A scalar Value with no engine behind it: a floor for micrograd's demo step.

Benchmark reference only (bench_micrograd_mlp.py's "engine-less" column), never
imported by glassgrad. It is about as lean as a Python scalar autograd gets: one
object per op (slots; its operands in two slots rather than a tuple, so the
cyclic GC tracks one object per op), an op code instead of a closure, an
iterative depth-first order, and nothing else: no Function, hooks, retain_grad,
gradient capture, anomaly detection or drawing. glassgrad's `Value` has the same
shape (one object per op, operands in two slots) with a backward function per op
instead of op codes, plus its error checks and drawing protocol.
"""

from __future__ import annotations

ADD, MUL, RELU = 1, 2, 3


class Value:
    __slots__ = ("_a", "_b", "_op", "data", "grad")

    def __init__(self, data, a=None, b=None, op=0):
        self.data, self.grad, self._a, self._b, self._op = data, 0.0, a, b, op

    def __add__(self, other):
        other = other if type(other) is Value else Value(other)
        return Value(self.data + other.data, self, other, ADD)

    def __mul__(self, other):
        other = other if type(other) is Value else Value(other)
        return Value(self.data * other.data, self, other, MUL)

    __radd__, __rmul__ = __add__, __mul__

    def relu(self):
        return Value(self.data if self.data > 0 else 0.0, self, None, RELU)

    def backward(self):
        """Accumulate d(self)/d(v) into v.grad for every v it depends on."""
        order, seen, stack = [], {None}, [self]
        while stack:  # post-order without recursion: a node is pushed again (negated) below its operands
            v = stack.pop()
            if type(v) is tuple:
                order.append(v[0])
            elif v not in seen:
                seen.add(v)
                stack.append((v,))
                stack.append(v._a)
                stack.append(v._b)
        self.grad = 1.0
        for v in reversed(order):
            op, g = v._op, v.grad
            if op == ADD:
                v._a.grad += g
                v._b.grad += g
            elif op == MUL:
                v._a.grad += g * v._b.data
                v._b.grad += g * v._a.data
            elif op == RELU and v.data > 0:
                v._a.grad += g
