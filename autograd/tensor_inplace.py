"""In-place ops (`add_`, `mul_`, `x[i] = v`, `+=`, ...): the out-of-place op,
written back into the tensor's memory. The graph then continues from the op's
node, and the version counter bumps, so that a node that saved the old value
notices at backward (`Function.saved_tensors`).
"""

from __future__ import annotations

import numpy as np

from autograd.arguments import _alpha
from autograd.dtypes import DTYPE_NAMES as _DTYPE_NAMES, check_dtype
from autograd.elementwise import Abs, Add, Clamp, Copy, Div, Exp, Fill, Log, Mul, Neg, Pow, Relu, Sigmoid, Sqrt, Sub, Tanh
from autograd.function import Function, _attach
from autograd.grad_mode import is_grad_enabled
from autograd.shape import GetItem, Permute, Reshape, SetItem, _is_basic
from autograd.tensor import Tensor, _raw

_INPLACE_UFUNCS = {Add: np.add, Sub: np.subtract, Mul: np.multiply, Div: np.true_divide}


def _index(index):
    """Tensors inside an index become arrays."""
    if isinstance(index, tuple):
        return tuple(_raw(i) for i in index)
    if isinstance(index, Tensor):
        return index._data
    if isinstance(index, list):
        return np.asarray(index)
    return index


def _assignable(value, name: str, target):
    """`value` for `x[i] = value`, `fill_`, `copy_`: a Tensor or real numbers. None
    would be written as NaN by NumPy, and a complex number lose its imaginary part."""
    if isinstance(value, Tensor) or type(value) in (int, float, bool):
        return value
    if value is None:
        raise TypeError(
            f"{name}(): can't assign None to a {_DTYPE_NAMES.get(target.dtype, target.dtype)} tensor; "
            "assign a number, an array or a Tensor (float('nan') for a missing value)"
        )
    check_dtype(np.asarray(value).dtype, f"{name}()")
    return value


def _requires_grad(x):
    return isinstance(x, Tensor) and x.requires_grad


def _is_view_node(node) -> bool:
    return type(node) in (Reshape, Permute) or (type(node) is GetItem and _is_basic(node.index))


def _view_chain(tensor):
    """`(base, view_nodes)` if `tensor` is a view, through the recorded view ops
    `view_nodes` (base first), of a live tensor `base` whose memory it shares; else None."""
    nodes, node = [], tensor.grad_fn
    while _is_view_node(node):
        nodes.append(node)
        target, output_nr = node._edges[0][:2]
        if not isinstance(target, Function):  # a leaf
            base = target
            break
        if not _is_view_node(target):
            base = target._output_variable(output_nr)
            break
        node = target
    else:
        return None
    if base is None or not np.may_share_memory(base._data, tensor._data):
        return None  # the base is gone, or the "view" was a copy (reshape of a permuted tensor)
    return base, nodes[::-1]


def _rebase(base, view_nodes, new_view):
    """After an in-place op on a view, `base`'s graph becomes PyTorch's CopySlices:
    the old base with the view's region replaced by `new_view` (its memory
    already holds the new values; only the graph changes)."""
    old = Tensor._make(base._data, True)
    old.grad_fn, old._output_nr = base.grad_fn, base._output_nr
    parents = [old]
    for node, child in zip(view_nodes[:-1], view_nodes[1:]):  # the intermediate views, on the old base
        parents.append(_replay(node, parents[-1], child._edges[0][2]))
    value = new_view
    for node, parent in zip(reversed(view_nodes), reversed(parents)):
        if type(node) is GetItem:
            value = SetItem.apply(parent, node.index, value)
        elif type(node) is Reshape:
            value = Reshape.apply(value, node.shape)
        else:
            value = Permute.apply(value, node.inverse)
    if type(view_nodes[0]) is not GetItem:  # the base's node is a CopySlices, as in PyTorch, never a view op
        value = SetItem.apply(old, (Ellipsis,), value)
    _attach(value.grad_fn, base, value._output_nr)


def _replay(node, tensor, shape):
    """The view op `node` applied again, to `tensor`; `shape` is its result's."""
    if type(node) is GetItem:
        return GetItem.apply(tensor, node.index)
    if type(node) is Reshape:
        return Reshape.apply(tensor, shape)
    return Permute.apply(tensor, tuple(np.argsort(node.inverse)))


def copy_result_into(target, result, op: str) -> None:
    """Write `result`'s values into `target`'s memory, cast as in-place ops cast
    ('same_kind'), and bump target's version counter."""
    try:
        np.copyto(target._data, result._data, casting="same_kind")
    except TypeError:
        raise RuntimeError(
            f"{op}(): result type {_DTYPE_NAMES.get(result.dtype, result.dtype)} can't be cast "
            f"to the desired output type {_DTYPE_NAMES.get(target.dtype, target.dtype)}"
        ) from None
    except ValueError as error:
        raise RuntimeError(
            f"{op}(): cannot write into this tensor of shape {target.shape} ({error}); an "
            "expanded or broadcast tensor shares memory between elements: clone() it first"
        ) from None
    target._version[0] += 1


class InplaceMethods:
    """Attached to Tensor by `tensor_methods.attach`."""

    # --- in-place ops: the out-of-place op, written back into this tensor's memory ---
    def _inplace(self, op, *args, name):
        """Apply `op(self, *args)` and store the result in self: the graph then
        continues from the op's node, and the version counter tells saved copies."""
        if self.requires_grad and self.grad_fn is None and is_grad_enabled():
            raise RuntimeError(
                f"{name}(): a leaf tensor that requires grad (shape {self.shape}) is being used in "
                "an in-place operation; do it under `with autograd.no_grad():` (as optimizers "
                "do) or use the out-of-place op"
            )
        view = _view_chain(self) if is_grad_enabled() else None
        if view is not None and view[0].requires_grad and view[0].grad_fn is None:
            raise RuntimeError(
                f"{name}(): a view of a leaf tensor that requires grad is being used in an in-place "
                "operation; do it under `with autograd.no_grad():` or change a clone()"
            )
        ufunc = _INPLACE_UFUNCS.get(op)
        if ufunc is not None and not (is_grad_enabled() and (self.requires_grad or _requires_grad(args[0]))):
            try:  # nothing to record: compute straight into self's memory (an optimizer's update)
                ufunc(self._data, _raw(args[0]), out=self._data, casting="same_kind")
            except (TypeError, ValueError):
                pass  # the general path below raises the error, worded for this op
            else:
                self._version[0] += 1
                return self
        before = Tensor._make(self._data, self.requires_grad)  # self's value before the change
        before.grad_fn, before._output_nr = self.grad_fn, self._output_nr
        result = op.apply(before, *args)
        node = result.grad_fn
        if node is not None and node._saved and any(s is before for s in node._saved):
            before._data = before._data.copy()  # the node keeps the old value, not our memory
        copy_result_into(self, result, name)
        if node is not None:
            if view is not None:
                _rebase(*view, result)
            _attach(node, self, result._output_nr)  # self is now the node's output
        return self

    def add_(self, other, *, alpha=1):
        return self._inplace(Add, other if _alpha(alpha, "add_", self, other) == 1 else other * alpha, name="add_")

    def sub_(self, other, *, alpha=1):
        return self._inplace(Sub, other if _alpha(alpha, "sub_", self, other) == 1 else other * alpha, name="sub_")

    def mul_(self, other):
        return self._inplace(Mul, other, name="mul_")

    def div_(self, other):
        return self._inplace(Div, other, name="div_")

    def pow_(self, exponent):
        return self._inplace(Pow, exponent, name="pow_")

    def neg_(self):
        return self._inplace(Neg, name="neg_")

    def exp_(self):
        return self._inplace(Exp, name="exp_")

    def log_(self):
        return self._inplace(Log, name="log_")

    def sqrt_(self):
        return self._inplace(Sqrt, name="sqrt_")

    def abs_(self):
        return self._inplace(Abs, name="abs_")

    def tanh_(self):
        return self._inplace(Tanh, name="tanh_")

    def sigmoid_(self):
        return self._inplace(Sigmoid, name="sigmoid_")

    def relu_(self):
        return self._inplace(Relu, name="relu_")

    def clamp_(self, min=None, max=None):  # noqa: A002
        if min is None and max is None:
            raise RuntimeError("clamp_(): at least one of 'min' or 'max' must not be None")
        return self._inplace(Clamp, min, max, name="clamp_")

    clip_ = clamp_

    def zero_(self):
        return self._inplace(Fill, 0, name="zero_")

    def fill_(self, value):
        return self._inplace(Fill, _assignable(value, "fill_", self), name="fill_")

    def copy_(self, src):
        return self._inplace(Copy, _assignable(src, "copy_", self), name="copy_")

    def __setitem__(self, index, value):
        self._inplace(SetItem, _index(index), _assignable(value, "__setitem__", self), name="__setitem__")

    def __iadd__(self, other):
        return self.add_(other)

    def __isub__(self, other):
        return self.sub_(other)

    def __imul__(self, other):
        return self.mul_(other)

    def __itruediv__(self, other):
        return self.div_(other)
