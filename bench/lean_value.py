"""A scalar Value with no engine behind it: the floor for micrograd's demo step.

Benchmark reference only (bench_micrograd_mlp.py's "engine-less" column), never
imported by glassgrad. It is as lean as a Python scalar autograd gets: slots, an
op code instead of a closure per op, an iterative depth-first order, and nothing
else (no Function, hooks, retain_grad, capture, anomaly detection or drawing).
How far glassgrad's `Value`, which runs on the shared engine, is from it shows
what that generality costs.
"""

from __future__ import annotations

ADD, MUL, RELU = 1, 2, 3


class Value:
    __slots__ = ("_op", "_prev", "data", "grad")

    def __init__(self, data, prev=(), op=0):
        self.data, self.grad, self._prev, self._op = data, 0.0, prev, op

    def __add__(self, other):
        other = other if type(other) is Value else Value(other)
        return Value(self.data + other.data, (self, other), ADD)

    def __mul__(self, other):
        other = other if type(other) is Value else Value(other)
        return Value(self.data * other.data, (self, other), MUL)

    __radd__, __rmul__ = __add__, __mul__

    def relu(self):
        return Value(self.data if self.data > 0 else 0.0, (self,), RELU)

    def backward(self):
        """Accumulate d(self)/d(v) into v.grad for every v it depends on."""
        order, seen, stack = [], set(), [(self, False)]
        while stack:  # post-order, without recursion
            v, expanded = stack.pop()
            if expanded:
                order.append(v)
            elif v not in seen:
                seen.add(v)
                stack.append((v, True))
                stack.extend((p, False) for p in v._prev if p not in seen)
        self.grad = 1.0
        for v in reversed(order):
            op, g = v._op, v.grad
            if op == ADD:
                a, b = v._prev
                a.grad += g
                b.grad += g
            elif op == MUL:
                a, b = v._prev
                a.grad += g * b.data
                b.grad += g * a.data
            elif op == RELU and v.data > 0:
                v._prev[0].grad += g
