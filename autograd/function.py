"""The `Function`: a differentiable op and, once applied, a node of the graph.

`Function.apply` runs `forward` on the arguments as given. When grad mode is on
and an input requires grad, it also records the call: the instance that was
`forward`'s `ctx` becomes the `grad_fn` of the outputs, holding one edge per
argument (where that argument's gradient goes) and a creation number (every node
is created after the nodes of its inputs: backward's order). Nothing else is
recorded; `backward.py` walks these nodes.
"""

from __future__ import annotations

import itertools
import operator
import weakref

import numpy as np

from autograd import anomaly
from autograd.dtypes import check_dtype
from autograd.grad_mode import _state
from autograd.tensor import Tensor

__all__ = ["Function", "NumpyOp"]

_new = object.__new__
_ndarray = np.ndarray
_creation_numbers = itertools.count()
_NONES = itertools.repeat(None)
FREED = object()  # what a node's saved tensors become after backward without retain_graph


class _SavedOutput:
    """An output saved for backward, stored without its `grad_fn` (no reference
    cycle node -> output -> node); `saved_tensors` rebuilds it."""

    __slots__ = ("_version", "_data", "output_nr")

    def __init__(self, output):
        self._data, self.output_nr, self._version = output._data, output._output_nr, output._version


class Function:
    """Subclass it with two static methods, as in PyTorch::

        class Exp(Function):
            @staticmethod
            def forward(ctx, x):             # y = e^x, in NumPy
                y = autograd.from_numpy(np.exp(x.numpy()))
                ctx.save_for_backward(y)
                return y
            @staticmethod
            def backward(ctx, grad):         # dL/dx = grad * y, in Tensor ops
                (y,) = ctx.saved_tensors
                return grad * y

    `forward` returns a Tensor, an ndarray (wrapped) or a tuple of them. `backward`
    gets one gradient per output and returns one (or None) per argument of
    forward; it may return the broadcast shape: the engine sums it back to the
    input's shape. Written in Tensor ops, it is differentiable in turn
    (`create_graph=True`).

    A recorded node has `_edges`, one per argument of forward: None (no gradient
    flows there) or `(target, output_nr, shape, dtype)`, where target is the
    argument's node (or the argument itself, for a leaf). A Tensor argument that
    needs no gradient gets None, and is noted in `_data_inputs` for `draw_graph`.
    """

    # Class-level defaults: a node writes only what differs.
    backward_name = None  # the name PyTorch shows, where it differs from the class's
    _edges = ()
    _n_outputs = 1
    _output_meta = None  # [(shape, dtype)] per output, for multi-output nodes
    _outputs = None  # weak reference(s) to the output(s), for retain_grad and drawing
    _saved = None
    _saved_versions = None
    _pre_hooks = None  # output_nr -> [hook]: Tensor.register_hook on a non-leaf
    _retained = frozenset()  # output numbers whose gradient is kept in .grad (retain_grad)
    _non_differentiable = ()
    _data_inputs = ()  # [(argument position, weak reference, shape, dtype, name)]: Tensors without an edge
    metadata = None

    # Whether backward is NumPy code that the engine may run on ndarrays (`NumpyOp`).
    numpy_backward = False

    @staticmethod
    def forward(ctx, *args, **kwargs):
        raise NotImplementedError("subclasses of Function must define forward(ctx, ...)")

    @staticmethod
    def backward(ctx, *grads):
        raise NotImplementedError("subclasses of Function must define backward(ctx, *grads)")

    # --- the ctx API ---
    def save_for_backward(self, *tensors):
        self._saved = tensors

    @property
    def saved_tensors(self) -> tuple:
        saved = self._saved
        if saved is FREED:
            raise RuntimeError(
                f"{self.name()}: trying to backward through the graph a second time "
                "(or to read saved tensors after they were freed). Saved tensors are "
                "freed after .backward() or autograd.grad(); pass retain_graph=True to "
                "the first call if you need to backward through the graph again."
            )
        if not saved:
            return ()
        arrays = self.numpy_backward and not _state.enabled  # a first-order backward: ndarrays
        out = []
        for s, version in zip(saved, self._saved_versions):
            if version is None:  # not a tensor
                out.append(s)
                continue
            if s._version[0] != version:
                self._raise_modified(s, version)
            out.append(s._data if arrays else self._unpack(s) if type(s) is _SavedOutput else s)
        return tuple(out)

    def _raise_modified(self, saved, version):
        raise RuntimeError(
            f"one of the variables needed for gradient computation has been modified by an "
            f"inplace operation: the tensor of shape {tuple(saved._data.shape)} and dtype "
            f"{saved._data.dtype} saved by {self.name()} is at version {saved._version[0]}; "
            f"expected version {version} instead. Use the out-of-place op (e.g. x = x + y "
            "instead of x += y), or clone() the tensor before modifying it"
        )

    def _unpack(self, saved):
        t = Tensor._make(saved._data, False)
        if _state.enabled:  # double backward: the output depends on this node
            t.requires_grad, t.grad_fn, t._output_nr = True, self, saved.output_nr
        return t

    @property
    def needs_input_grad(self) -> tuple:
        """Per argument of forward, whether a gradient flows to it."""
        return tuple(map(operator.is_not, self._edges, _NONES))

    def mark_non_differentiable(self, *outputs):
        self._non_differentiable = {id(t) for t in outputs}

    def set_materialize_grads(self, value: bool):
        pass  # gradients of unused outputs are always materialized (zeros)

    # --- the node API (grad_fn) ---
    def name(self) -> str:
        """`CubeBackward` for a user's `Function` subclass `Cube`, as in PyTorch."""
        return self.backward_name or type(self).__name__ + "Backward"

    def _input_edges(self) -> list:
        return list(self._edges)

    def _output_variable(self, output_nr: int = 0):
        """Output `output_nr` of this node, if it is still alive (held weakly)."""
        ref = self._outputs if self._n_outputs == 1 else (self._outputs or {}).get(output_nr)
        return None if ref is None else ref()

    @property
    def next_functions(self) -> tuple:
        """One `(node, output_nr)` per argument of forward, as in PyTorch: the
        producing node, an `AccumulateGrad` for a leaf, `(None, 0)` otherwise."""
        return tuple(
            (None, 0) if edge is None
            else (edge[0], edge[1]) if isinstance(edge[0], Function)
            else (AccumulateGrad(edge[0]), 0)
            for edge in self._edges
        )

    def register_hook(self, fn):
        raise NotImplementedError("use Tensor.register_hook(fn) to hook gradients")

    def __repr__(self):
        return f"<{self.name()} object at {id(self):#x}>"

    @classmethod
    def apply(cls, *args, **kwargs):
        """Run forward; record the node when grad mode is on and an input requires
        grad. Only positional arguments are inputs; keywords pass through."""
        if _state.enabled:
            for a in args:
                if isinstance(a, Tensor) and a.requires_grad:
                    return _record(cls, args, kwargs)
        ctx = _new(cls)
        ctx._edges = (None,) * len(args)
        out = cls.forward(ctx, *args, **kwargs) if kwargs else cls.forward(ctx, *args)
        return Tensor._make(out, False) if type(out) is _ndarray else _wrap(out, args, cls)


def _record(cls, args, kwargs):
    """Run forward with grad mode off and make its ctx the node of the outputs."""
    ctx = _new(cls)
    ctx._edges = edges = []
    for a in args:
        if isinstance(a, Tensor):
            if a.requires_grad:
                edges.append((a.grad_fn or a, a._output_nr, a._data.shape, a._data.dtype))
                continue
            _note_data_input(ctx, len(edges), a)
        edges.append(None)
    ctx._sequence_nr = next(_creation_numbers)
    _state.enabled = False  # forward's own Tensor ops are not recorded
    try:
        out = cls.forward(ctx, *args, **kwargs) if kwargs else cls.forward(ctx, *args)
    finally:
        _state.enabled = True
    outputs = Tensor._make(out, False) if type(out) is _ndarray else _wrap(out, args, cls)
    if _state.metadata:
        ctx.metadata = dict(_state.metadata)
    if _state.anomaly:
        ctx.metadata = {**(ctx.metadata or {}), "traceback_": anomaly.creation_stack()}
    if type(outputs) is tuple:
        ctx._n_outputs = len(outputs)
        ctx._output_meta = [(o._data.shape, o._data.dtype) for o in outputs]
        ctx._outputs = {}
        for i, o in enumerate(outputs):
            _attach(ctx, o, i)
    else:
        _attach(ctx, outputs, 0)
    if ctx._saved:
        _remember_saved(ctx)
    return outputs


def _note_data_input(ctx, position, tensor):
    """Remember a Tensor argument that needs no gradient (the data: an input x, a
    target y), weakly, with its shape, dtype and name: for drawing only (no edge)."""
    note = (position, weakref.ref(tensor), tensor._data.shape, tensor._data.dtype, tensor.name)
    if ctx._data_inputs:
        ctx._data_inputs.append(note)
    else:
        ctx._data_inputs = [note]


def _remember_saved(ctx):
    """Note the versions of the saved tensors (an in-place change before backward is
    caught); an output saved keeps its data only (no cycle node -> output -> node)."""
    versions, own_output = [], False
    for s in ctx._saved:
        if isinstance(s, Tensor):
            versions.append(s._version[0])
            own_output = own_output or s.grad_fn is ctx
        else:
            versions.append(None)
    ctx._saved_versions = versions
    if own_output:
        ctx._saved = tuple(_SavedOutput(s) if isinstance(s, Tensor) and s.grad_fn is ctx else s for s in ctx._saved)


def _attach(ctx, out, output_nr):
    """Make `out` output `output_nr` of node `ctx`, unless it cannot carry a gradient."""
    kind = out._data.dtype.kind
    if kind != "f" or id(out) in ctx._non_differentiable:
        if kind not in "biuf":
            check_dtype(out._data.dtype, f"{ctx.name()}'s output")
        return
    out.requires_grad, out.grad_fn, out._output_nr = True, ctx, output_nr
    if ctx._n_outputs == 1:
        ctx._outputs = weakref.ref(out)
    else:
        ctx._outputs[output_nr] = weakref.ref(out)



def _wrap(raw, args, cls=None):
    """Forward's result as Tensors: an ndarray is wrapped; an input returned as it
    is becomes a new Tensor on the same data (an output is a new variable); a
    number becomes a 0-d Tensor. Anything else (None, a str, ...) is refused."""
    if type(raw) is _ndarray:
        return Tensor._make(raw, False)
    if type(raw) is tuple:
        return tuple(_wrap(r, args, cls) for r in raw)
    if isinstance(raw, Tensor):
        return Tensor._make(raw._data, False) if id(raw) in map(id, args) else raw
    array = np.asarray(raw) if isinstance(raw, (int, float, np.ndarray, np.generic)) else None
    if array is None or array.dtype.kind not in "biuf":
        name = cls.__name__ if cls is not None else "Function"
        raise TypeError(
            f"{name}.forward returned {type(raw).__name__} {str(raw)[:40]!r}; forward must return Tensors, "
            "ndarrays or real numbers (or a tuple of these)"
        )
    return Tensor._make(array, False)


class NumpyOp(Function):
    """An op of glassgrad's catalogue. Its backward is written with what ndarrays
    and Tensors share: operators, NumPy's math functions (ufuncs, which Tensor
    implements as ops), `reshape`, `sum(axis=..., keepdims=...)`, indexing. So
    the engine runs it on ndarrays for a first-order backward (no graph, no
    wrapping: cheap) and on Tensors under `create_graph=True`, where each step
    is recorded: one formula, differentiable in turn. `saved_tensors` and the
    gradients are then ndarrays, and backward may return either type."""

    numpy_backward = True

    def name(self) -> str:
        """PyTorch's name for the node: `AddBackward0`, or `backward_name` where
        glassgrad's class is named differently (`Reshape` shows as `ViewBackward0`)."""
        return self.backward_name or type(self).__name__ + "Backward0"


class AccumulateGrad:
    """The node PyTorch shows for a leaf in `next_functions`: adds into `.grad`."""

    next_functions = ()

    def __init__(self, variable):
        self.variable = variable

    def name(self) -> str:
        return "AccumulateGrad"

    def __repr__(self):
        return f"<AccumulateGrad object at {id(self):#x}>"
