"""The engine: grad mode, the `Function` node, and reverse-mode backprop.

Every differentiable op, built-in or user-defined, is a subclass of `Function`.
`Function.apply` runs `forward` and, when gradients are wanted, records the call
as a node of the graph: the instance itself is the `ctx` that `forward` and
`backward` see, and the `grad_fn` of the outputs. `backward` visits the nodes
latest-created first (a topological order; no recursion) and hands each node the
gradient of its output; the gradients it returns flow to its inputs, reduced to
their shapes.

The engine only needs its variables (`Tensor`, `Value`) to carry `grad_fn`,
`requires_grad`, `grad` and `_output_nr`; of NumPy it knows how to sum a
broadcast gradient back to its input's shape (`_reduce_to`), that an array has a
shape and a dtype, and whether a gradient's buffer is shared (`_unshared`).
"""

from __future__ import annotations

import functools
import heapq
import itertools
import operator
import sys
import threading
import traceback
import weakref

__all__ = [
    "Function",
    "grad",
    "detect_anomaly",
    "set_detect_anomaly",
    "is_anomaly_enabled",
    "no_grad",
    "enable_grad",
    "set_grad_enabled",
    "is_grad_enabled",
    "run_backward",
]


# --- grad mode ---------------------------------------------------------------


class _ModeState:
    """The grad mode of one thread. Whoever changes a field calls `sync()`."""

    __slots__ = ("anomaly", "enabled", "module_scope")

    def __init__(self):
        self.enabled = True
        self.anomaly = False
        self.module_scope = ()  # ((qualified name, module), ...) whose forward is running (set by nn)

    def sync(self):
        """Keep `_unusual` in step with this state's fields."""
        if self.enabled and not self.anomaly and not self.module_scope:
            _unusual.discard(self)
        else:
            _unusual.add(self)


# The states (of all threads) that are not the default one: grad mode off, anomaly
# detection on, or inside an nn.Module's forward. Each thread keeps its own state's
# membership (set.add and set.discard are atomic). Reading the thread-local state
# costs an op far more than this set's emptiness: the Value ops check this first.
_unusual = set()


def _field(name):
    def set_field(self, value):
        state = self.state
        setattr(state, name, value)
        state.sync()

    return property(lambda self: getattr(self.state, name), set_field)


class _GradMode(threading.local):
    """Per thread, `state`: a `_ModeState`. Reading an attribute of a thread-local
    object costs many times a slot's, so every op reads `_grad_mode.state` once and
    then its slots; `_grad_mode.enabled` (etc.) read and write the same fields."""

    def __init__(self):  # in each thread, at its first use
        self.state = _ModeState()

    enabled = _field("enabled")
    anomaly = _field("anomaly")
    module_scope = _field("module_scope")


_grad_mode = _GradMode()


def is_grad_enabled() -> bool:
    """Whether ops record the graph in this thread."""
    return _grad_mode.state.enabled


class _GradModeContext:
    """Base of the grad-mode switches: a context manager and a decorator."""

    mode = True

    def __enter__(self):
        state = _grad_mode.state
        self._previous = state.enabled
        state.enabled = self.mode
        state.sync()

    def __exit__(self, *exc):
        state = _grad_mode.state
        state.enabled = self._previous
        state.sync()
        return False

    def __call__(self, fn):
        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            with self.__class__(*self._args()):
                return fn(*args, **kwargs)

        return wrapper

    def _args(self):
        return ()


class no_grad(_GradModeContext):
    """Disable graph recording in this thread: `with no_grad():` or `@no_grad()`."""

    mode = False


class enable_grad(_GradModeContext):
    """Enable graph recording in this thread (inside a `no_grad` block)."""

    mode = True


class set_grad_enabled(_GradModeContext):
    """`set_grad_enabled(False)` switches recording off at once, as in PyTorch;
    as a context manager it restores the previous mode on exit."""

    def __init__(self, mode: bool):
        state = _grad_mode.state
        self.mode = bool(mode)
        self._previous = state.enabled
        state.enabled = self.mode
        state.sync()

    def __enter__(self):
        pass

    def _args(self):
        return (self.mode,)


# --- the Function node ---------------------------------------------------------


class _SavedOutput:
    """An output saved for backward, stored without its `grad_fn` to avoid a
    reference cycle (node -> output -> node); rebuilt on unpack."""

    __slots__ = ("_version", "data", "output_nr")

    def __init__(self, data, output_nr, version):
        self.data = data
        self.output_nr = output_nr
        self._version = version  # the output's version counter


_FREED = object()
_RETAIN_FIRST = frozenset((0,))
_sequence = itertools.count()  # numbers the nodes in creation order


class Function:
    """A differentiable op and, once applied, a node of the graph.

    Subclass it and define two static methods, as in PyTorch::

        class Exp(Function):
            @staticmethod
            def forward(ctx, x):            # y = exp(x)
                y = x.data.__class__(...)  # any NumPy or Tensor code
                ...
            @staticmethod
            def backward(ctx, grad):        # dL/dx = grad * y
                ...

    `forward` receives the arguments of `apply` as given and returns a Tensor,
    a NumPy array (wrapped into a Tensor), a float (wrapped into a Value) or a
    tuple of them. `backward` receives one gradient per output and returns one
    gradient (or None) per argument of `forward`. Gradients may have the
    broadcast shape: the engine sums them back to each input's shape.
    Use `ctx.save_for_backward(*tensors)` for tensors needed in backward,
    `ctx.saved_tensors` to read them, `ctx.needs_input_grad[i]` to skip work.

    A node's links to its inputs, one entry per argument of forward: `_edges`,
    where the gradient goes (the input's node, the input itself for a leaf, or
    None), and `_input_meta`, what the engine needs to deliver it (`(output_nr,
    shape, dtype)` of the input, or None for output 0 of a scalar: nothing to reduce;
    a Value op's node made by its own `apply` has None for the whole of it).
    """

    # No __dict__ here: a subclass without __slots__ (a user's Function, a Tensor op)
    # gets one for its ctx attributes; the Value ops declare slots and have none.
    __slots__ = (
        "__weakref__",
        "_edges",
        "_input_meta",
        "_output_meta",
        "_outputs",  # weak reference to the output (a list of them for multi-output nodes)
        "_saved",
        "_saved_versions",
        "_sequence_nr",  # creation order: every node is created after its inputs' nodes
    )

    # Rarely set per node: class-level defaults (a node that needs its own value
    # keeps it in its __dict__ or a slot), so that building a node writes only what it must.
    _n_outputs = 1
    _pre_hooks = None  # output_nr -> hooks run on that output's gradient
    _retained = None  # output numbers whose gradient is kept in the output's .grad
    _keeps_output = False  # whether the node keeps its output's data and grad itself (Value ops, with `_visit`)
    _non_differentiable = None
    metadata = None

    # --- what users define ---
    @staticmethod
    def forward(ctx, *args, **kwargs):
        raise NotImplementedError("subclasses of Function must define forward(ctx, ...)")

    @staticmethod
    def backward(ctx, *grads):
        raise NotImplementedError("subclasses of Function must define backward(ctx, *grads)")

    # --- ctx API ---
    def save_for_backward(self, *tensors):
        self._saved = tensors

    @property
    def saved_tensors(self) -> tuple:
        saved = self._saved
        if saved is _FREED:
            raise RuntimeError(
                f"{self.name()}: trying to backward through the graph a second time "
                "(or to read saved tensors after they were freed). Saved tensors are "
                "freed after .backward() or autograd.grad(); pass retain_graph=True to "
                "the first call if you need to backward through the graph again."
            )
        if not saved:
            return ()
        out = []
        for s, version in zip(saved, self._saved_versions):
            if version is not None and s._version[0] != version:
                self._raise_modified(s, version)
            if type(s) is _SavedOutput:
                s = self._unpack_output(s)
            out.append(s)
        return tuple(out)

    def _raise_modified(self, saved, version):
        shape = saved.data.shape
        raise RuntimeError(
            f"one of the variables needed for gradient computation has been modified by an "
            f"inplace operation: the tensor of shape {tuple(shape)} and dtype {saved.data.dtype} "
            f"saved by {self.name()} is at version {saved._version[0]}; expected version {version} "
            "instead. Use the out-of-place op (e.g. x = x + y instead of x += y), or clone() "
            "the tensor before modifying it"
        )

    def _unpack_output(self, saved):
        t = Tensor._make(saved.data, False)
        if _grad_mode.state.enabled:  # double backward: the output depends on this node
            t.requires_grad = True
            t.grad_fn = self
            t._output_nr = saved.output_nr
        return t

    @property
    def needs_input_grad(self) -> tuple:
        """Per argument of forward, whether a gradient flows to it."""
        return tuple(map(operator.is_not, self._edges, _NONES))

    def mark_non_differentiable(self, *outputs):
        self._non_differentiable = {id(t) for t in outputs}

    def set_materialize_grads(self, value: bool):
        pass  # gradients are always materialized (zeros) for unused outputs

    # --- node API (grad_fn) ---
    def name(self) -> str:
        return type(self).__name__ + "Backward"

    def _input_edges(self) -> list:
        """One `(source, output_nr, shape, dtype)` per argument of forward (None where
        no gradient flows): the input's node (or the leaf itself) and what it was."""
        return [
            None if edge is None else (edge, 0, None, None) if meta is None else (edge, *meta)
            for edge, meta in zip(self._edges, self._input_meta or _NONES)
        ]

    def _output_variable(self, output_nr: int = 0):
        """The variable that is output `output_nr` of this node, if it is still alive
        (nodes hold their outputs weakly: no reference cycle)."""
        refs = getattr(self, "_outputs", None)
        if refs is not None and self._n_outputs != 1:
            refs = refs[output_nr]
        return None if refs is None else refs()

    @property
    def next_functions(self) -> tuple:
        """One `(node, output_nr)` per argument of forward, as in PyTorch: the
        producing node, an `AccumulateGrad` for leaves, `(None, 0)` otherwise."""
        out = []
        for edge in self._input_edges():
            if edge is None:
                out.append((None, 0))
            elif isinstance(edge[0], Function):
                out.append((edge[0], edge[1]))
            else:
                out.append((AccumulateGrad(edge[0]), 0))
        return tuple(out)

    def register_hook(self, fn):
        """`fn(grad_inputs, grad_outputs)` is not supported; use Tensor.register_hook."""
        raise NotImplementedError("use Tensor.register_hook(fn) to hook gradients")

    def __repr__(self):
        return f"<{self.name()} object at {id(self):#x}>"

    # --- applying ---
    @classmethod
    def apply(cls, *args, **kwargs):
        """Run forward; record the node when grad mode is on and an input requires grad.
        Keyword arguments pass through to forward; only positional ones are inputs."""
        state = _grad_mode.state
        if state.enabled:
            for a in args:
                if getattr(a, "requires_grad", False):
                    return _record(cls, args, kwargs, state)
        ctx = _new(cls)
        ctx._edges = (None,) * len(args)  # nothing recorded: needs_input_grad is all False
        out = cls.forward(ctx, *args, **kwargs) if kwargs else cls.forward(ctx, *args)
        return Tensor._make(out, False) if type(out) is _ndarray else _wrap(out)


_new = object.__new__
_ref = weakref.ref
_NONES = itertools.repeat(None)


def _record(cls, args, kwargs, state):
    """Run forward with grad mode off, then make a new node (the `ctx`) the node
    of the outputs (`state`: this thread's grad mode)."""
    edges, meta = [], []
    for a in args:
        if getattr(a, "requires_grad", False):
            node, data, output_nr = a.grad_fn, a.data, a._output_nr
            if type(data) is _ndarray:  # a Tensor: its shape and dtype, without the properties
                meta.append((output_nr, data.shape, data.dtype))
            else:
                shape = a.shape
                meta.append(None if shape is None and not output_nr else (output_nr, shape, a.dtype))
            edges.append(a if node is None else node)
        else:
            edges.append(None)
            meta.append(None)
    ctx = _new(cls)
    ctx._edges = edges
    ctx._input_meta = meta
    ctx._sequence_nr = next(_sequence)
    ctx._saved = None
    state.enabled = False
    _unusual.add(state)
    try:
        out = cls.forward(ctx, *args, **kwargs) if kwargs else cls.forward(ctx, *args)
    finally:
        state.enabled = True
        if not state.anomaly and not state.module_scope:
            _unusual.discard(state)
    outputs = Tensor._make(out, False) if type(out) is _ndarray else _wrap(out, args)
    saved = ctx._saved
    if saved:  # remember versions: an in-place change before backward must be caught
        ctx._saved_versions = [s._version[0] if isinstance(s, Tensor) else None for s in saved]
    scope = state.module_scope
    if scope:  # for draw_graph's module clusters
        ctx.metadata = {"module_scope": scope}
    if state.anomaly:
        ctx.metadata = dict(getattr(ctx, "metadata", None) or {}, traceback_=traceback.format_stack()[:-3])
    if type(outputs) is tuple:
        ctx._n_outputs = len(outputs)
        ctx._output_meta = [(o.shape, o.dtype) for o in outputs]
        ctx._outputs = [None] * len(outputs)
        for i, o in enumerate(outputs):
            _attach(ctx, o, i)
    else:
        ctx._outputs = None
        _attach(ctx, outputs, 0)
    return outputs


def _attach(ctx, out, output_nr):
    """Make `out` an output of node `ctx` (unless it cannot carry a gradient)."""
    data = out.data
    if type(data) is _ndarray and data.dtype.kind not in "fc":
        return
    if ctx._non_differentiable and id(out) in ctx._non_differentiable:
        return
    out.requires_grad = True
    out.grad_fn = ctx
    out._output_nr = output_nr
    if ctx._n_outputs == 1:  # weak: for retain_grad and draw_graph, no cycle
        ctx._outputs = _ref(out)
    else:
        ctx._outputs[output_nr] = _ref(out)
    saved = ctx._saved
    if saved:
        for s in saved:
            if s is out:  # an output saved for backward: keep its data, not the tensor
                ctx._saved = tuple([_SavedOutput(s.data, output_nr, s._version) if s is out else s for s in saved])
                break
    if out._retain_by_default and not (ctx._retained and output_nr in ctx._retained):
        ctx._retained = _retain(ctx._retained, output_nr)


# The variable types, registered by autograd.tensor and autograd.value on import.
Tensor = None
Value = None
_ndarray = None


def _wrap(raw, args=()):
    """Outputs of forward as variables: arrays become Tensors, floats Values; an
    input returned as it is becomes a new variable on the same data."""
    t = type(raw)
    if t is tuple:
        return tuple(_wrap(r, args) for r in raw)
    if isinstance(raw, Tensor):
        for a in args:
            if a is raw:
                return Tensor._make(raw.data, False)
        return raw
    if t is Value:
        return Value(raw.data) if any(a is raw for a in args) else raw
    if t is float:
        return Value(raw)
    return Tensor._make(raw, False)


class AccumulateGrad:
    """The node PyTorch shows for a leaf in `next_functions`: adds into `.grad`."""

    def __init__(self, variable):
        self.variable = variable

    def name(self) -> str:
        return "AccumulateGrad"

    next_functions = ()

    def __repr__(self):
        return f"<AccumulateGrad object at {id(self):#x}>"


# --- backprop ------------------------------------------------------------------

_heappush, _heappop = heapq.heappush, heapq.heappop


def _add(a, b, create_graph):
    if create_graph or type(a) is float:
        return a + b
    return type(a)._make(a.data + b.data, False)


def _reduce_to(grad, shape, dtype):
    """Sum a broadcast gradient back to an input's shape and cast it to its dtype."""
    if grad.shape != shape:
        grad = grad.sum_to_size(shape)
    if dtype is not None and grad.dtype != dtype:
        grad = grad.to(dtype)
    return grad


def run_backward(roots, root_grads, retain_graph=False, create_graph=False, inputs=None, observer=None):
    """Backpropagate `root_grads` from `roots` through the graph.

    Without `inputs`, gradients accumulate into the `.grad` of the leaves (and of
    tensors that `retain_grad()`). With `inputs` (a sequence of variables), their
    gradients are returned instead, in order (None where unreachable), and no
    `.grad` is touched. `observer(node_or_leaf, grad)`, if given, is called as each
    node is visited (with the complete gradient of its output) and as each leaf
    receives its total gradient: the order of the steps, for `backprop_steps`.
    """
    state = _grad_mode.state
    previous = state.enabled
    state.enabled = bool(create_graph)
    state.sync()
    try:
        return _run_backward(roots, root_grads, retain_graph, create_graph, inputs, observer)
    finally:
        state.enabled = previous
        state.sync()


def _run_backward(roots, root_grads, retain_graph, create_graph, inputs, observer):
    # What each node (or leaf) has received so far: the gradient of its output (a
    # list, one per output, for multi-output nodes). A node leaves when visited, so
    # what stays at the end are the leaves.
    pending = {}
    captured = None  # with `inputs`: what to capture -> positions in `inputs`
    captured_grads = {}  # (node, output_nr) -> the gradient of that non-leaf input
    if inputs is not None:
        captured = {}
        for i, v in enumerate(inputs):
            key = (v.grad_fn, v._output_nr) if v.grad_fn is not None else v
            captured.setdefault(key, []).append(i)
    check_anomaly = _anomaly_check_nan

    # The nodes that have received a gradient wait in a max-heap of their creation
    # numbers (negated: heapq is a min-heap). A node is created after the nodes of its
    # inputs, so when the latest-created one comes out all its gradient has arrived:
    # the nodes are visited in reverse creation order, a topological order, in one pass.
    ready, waiting = [], {}  # (negated creation numbers), creation number -> node
    for root, grad in zip(roots, root_grads):
        _send(pending, ready, waiting, root.grad_fn or root, root._output_nr, grad, create_graph)

    plain = captured is None and observer is None and not check_anomaly  # nothing watches the pass
    node = None
    while node is not None or ready:
        if node is None:
            node = waiting.pop(_heappop(ready))
        grads = pending.pop(node)
        if node._keeps_output and plain and not node._pre_hooks:
            # A Value op, nothing to watch: its gradient stays on it, as in micrograd, and
            # its backward (built in, floats, one gradient per input) needs no checks.
            edges, result, metas = node._visit(grads)
        else:
            if node._n_outputs == 1:
                if node._pre_hooks or captured is not None:
                    grads = _run_pre_hooks(node, 0, grads, captured, captured_grads)
                elif node._retained:  # a Value's gradient, or a tensor's that retain_grad()
                    if node._keeps_output:  # a Value op: on the node itself
                        node.grad = grads if node.grad is None else node.grad + grads
                    else:  # one output: a weak reference to it
                        _keep_grad(node._outputs(), grads, create_graph)
                if observer is not None:
                    observer(node, grads)
                result = node.backward(node, grads)
            else:
                grads = [
                    _run_pre_hooks(node, i, _zeros(node._output_meta[i]) if g is None else g, captured, captured_grads)
                    for i, g in enumerate(grads)
                ]
                if observer is not None:
                    observer(node, grads)
                result = node.backward(node, *grads)
            if not retain_graph and node._saved:
                node._saved = _FREED
            if type(result) is not tuple:
                result = (result,)
            if check_anomaly:
                _check_anomaly(node, result)
            edges, metas = node._edges, node._input_meta
            if len(result) != len(edges):
                raise RuntimeError(
                    f"{node.name()}: backward returned {len(result)} gradients, but forward "
                    f"took {len(edges)} arguments; return one gradient (or None) per argument"
                )
        # The latest-created node that this one makes pending goes next, without the
        # heap, when nothing waiting there is later (most often: a chain of ops).
        next_node = None
        for target, grad, meta in zip(edges, result, metas or _NONES):
            if target is None or grad is None:
                continue
            if meta is not None:  # a tensor: sum a broadcast gradient back to its shape
                output_nr, shape, dtype = meta
                if shape is not None:
                    data = grad.data
                    if data.shape != shape or data.dtype is not dtype and data.dtype != dtype:
                        grad = _reduce_to(grad, shape, dtype)
                if output_nr:
                    _send(pending, ready, waiting, target, output_nr, grad, create_graph)
                    continue
            old = pending.get(target)  # _send, inlined for output 0
            if old is None:
                n_outputs = target._n_outputs  # 0 for a leaf: a variable, not a node
                if n_outputs != 1:
                    _send(pending, ready, waiting, target, 0, grad, create_graph)
                    continue
                pending[target] = grad
                if next_node is None:
                    next_node = target
                elif next_node._sequence_nr < target._sequence_nr:
                    key = -next_node._sequence_nr
                    _heappush(ready, key)
                    waiting[key] = next_node
                    next_node = target
                else:
                    key = -target._sequence_nr
                    _heappush(ready, key)
                    waiting[key] = target
            elif type(old) is float:
                pending[target] = old + grad
            elif type(old) is list:
                _send(pending, ready, waiting, target, 0, grad, create_graph)
            else:
                pending[target] = _add(old, grad, create_graph)
        node = next_node
        if node is not None and ready and ready[0] < -node._sequence_nr:  # a later one waits
            key = -node._sequence_nr
            _heappush(ready, key)
            waiting[key] = node
            node = None

    grads = result = grad = old = data = None  # drop the loop's references: _unshared counts them
    if captured is not None:
        out = [None] * len(inputs)
        for key, positions in captured.items():
            grad = captured_grads.get(key) if type(key) is tuple else pending.get(key)
            for i in positions:
                out[i] = grad
        return out

    for leaf in pending:  # noqa: PLC0206 - no local may hold a gradient: _unshared counts references
        if leaf._hooks or observer is not None:
            grad = pending[leaf]
            for hook in leaf._hooks or ():
                new = hook(grad)
                if new is not None:
                    grad = new
            if observer is not None:
                observer(leaf, grad)
            _keep_grad(leaf, grad, create_graph)
        elif leaf.grad is None and not create_graph and _unshared(pending, leaf):
            leaf.grad = pending[leaf]  # nothing else can reach it: no copy needed
        else:
            _keep_grad(leaf, pending[leaf], create_graph)
    return None


def _send(pending, ready, waiting, target, output_nr, grad, create_graph):
    """Add `grad` to what `target` (output `output_nr` of a node, or a leaf) has
    received so far; a node receiving its first gradient joins the `ready` heap."""
    n_outputs = target._n_outputs
    old = pending.get(target)
    if n_outputs and old is None:
        key = -target._sequence_nr
        _heappush(ready, key)
        waiting[key] = target
    if n_outputs <= 1:
        pending[target] = grad if old is None else _add(old, grad, create_graph)
    else:
        if old is None:
            old = pending[target] = [None] * n_outputs
        previous = old[output_nr]
        old[output_nr] = grad if previous is None else _add(previous, grad, create_graph)


def _run_pre_hooks(node, output_nr, grad, captured, captured_grads):
    """The gradient of a node's output is complete: run the tensor hooks on it, keep
    it for `retain_grad`, or capture it for `autograd.grad`."""
    hooks = node._pre_hooks
    if hooks:
        for hook in hooks.get(output_nr, ()):
            new = hook(grad)
            if new is not None:
                grad = new
    if captured is not None:
        if (node, output_nr) in captured:
            captured_grads[(node, output_nr)] = grad
        return grad
    retained = node._retained
    if retained and output_nr in retained:
        if node._keeps_output:
            node.grad = grad if node.grad is None else node.grad + grad
        else:
            _keep_grad(node._output_variable(output_nr), grad, _grad_mode.state.enabled)
    return grad


def _keep_grad(var, grad, create_graph):
    """Add `grad` into `var.grad` (None at first for a Tensor, 0.0 for a Value)."""
    if var is None:  # a retained output that no longer exists
        return
    old = var.grad
    if old is None:
        var.grad = _fresh(grad, create_graph)
    else:
        var.grad = _accumulate_grad(old, grad, create_graph)


def _fresh(grad, create_graph):
    """A gradient to store in `.grad`: its own buffer, never shared with another."""
    if type(grad) is float:
        return grad
    if create_graph:
        return grad.clone()  # differentiable, and not shared with another leaf
    return Tensor._make(grad.data.copy(), False)


_getrefcount = getattr(sys, "getrefcount", None)


def _unshared(grads, key):
    """Whether the gradient `grads[key]` and its buffer can only be reached through
    `grads`, so that it may become a `.grad` without a copy (PyTorch's AccumulateGrad
    makes the same check on reference counts). Each `grads[key]` below is a new
    temporary reference: a count of 2 means the dict's and the argument's only. The
    buffer may be a view of a whole array that only it holds (a transposed product)."""
    if _getrefcount is None or type(grads[key]) is not Tensor or _getrefcount(grads[key]) != 2:
        return False
    data = grads[key].data  # held by the tensor, `data` and the argument: 3
    if _getrefcount(data) != 3:
        return False
    base = data.base
    if base is None:
        return True
    flags = data.flags  # a view: of its whole base (no broadcast, no gaps), writable, held only by it
    return (
        flags.writeable and (flags.c_contiguous or flags.f_contiguous) and data.size == base.size
        and type(base) is _ndarray and base.base is None and _getrefcount(base) == 3
    )


def _accumulate_grad(old, new, create_graph):
    if type(old) is float or create_graph:
        return old + new
    old.data = old.data + new.data  # a new buffer: a .grad the user kept stays intact
    return old


def _zeros(meta):
    shape, dtype = meta
    if shape is None:
        return 0.0
    return Tensor._make(Tensor._zeros(shape, dtype), False)


def _retain(retained, output_nr):
    return (retained or frozenset()) | {output_nr}


def retain_output(node, output_nr):
    """Keep the gradient of output `output_nr` of `node` in that variable's `.grad`."""
    node._retained = _retain(node._retained, output_nr)


def add_pre_hook(node, output_nr, hook):
    if node._pre_hooks is None:
        node._pre_hooks = {}
    node._pre_hooks.setdefault(output_nr, []).append(hook)


# --- the public entry points ---------------------------------------------------


def root_gradients(roots, gradients, op="backward"):
    """The gradients to start backprop with: ones for scalar roots, else the given
    ones (checked against each root's shape)."""
    out = []
    for i, (root, gradient) in enumerate(zip(roots, gradients)):
        if not root.requires_grad:
            raise RuntimeError(
                f"{op}(): element {i} of the outputs does not require grad and has no grad_fn; "
                "create the leaves with requires_grad=True (and not under no_grad)"
            )
        shape = root.shape
        if shape is None:  # a Value
            out.append(1.0 if gradient is None else float(gradient))
            continue
        if gradient is None:
            data = root.data
            if data.size != 1:
                raise RuntimeError(
                    f"{op}(): grad can be implicitly created only for scalar outputs, but output {i} "
                    f"has shape {shape}; pass a gradient of that shape"
                )
            gradient = Tensor._make(Tensor._ones(shape, data.dtype), False)
        else:
            if not isinstance(gradient, Tensor):
                gradient = Tensor(gradient, dtype=root.dtype)
            if gradient.shape != root.shape:
                raise RuntimeError(
                    f"{op}(): the gradient for output {i} has shape {gradient.shape}, but the output "
                    f"has shape {root.shape}"
                )
        out.append(gradient)
    return out


def _as_sequence(x):
    return [x] if isinstance(x, (Tensor, Value)) else list(x)


def grad(outputs, inputs, grad_outputs=None, retain_graph=None, create_graph=False,
         allow_unused=None, materialize_grads=False):
    """The gradients of `outputs` with respect to `inputs`, as a tuple, without
    touching any `.grad` (PyTorch's `torch.autograd.grad`)."""
    outputs, inputs = _as_sequence(outputs), _as_sequence(inputs)
    if grad_outputs is None:
        grad_outputs = [None] * len(outputs)
    else:
        grad_outputs = _as_sequence(grad_outputs)
        if len(grad_outputs) != len(outputs):
            raise RuntimeError(
                f"grad(): got {len(grad_outputs)} grad_outputs for {len(outputs)} outputs"
            )
    for i, t in enumerate(inputs):
        if not t.requires_grad:
            raise RuntimeError(f"grad(): input {i} does not require grad; call requires_grad_() on it")
    if retain_graph is None:
        retain_graph = create_graph
    roots = root_gradients(outputs, grad_outputs, "grad")
    result = run_backward(outputs, roots, retain_graph, create_graph, inputs)
    for i, (t, g) in enumerate(zip(inputs, result)):
        if g is None:
            if materialize_grads:
                result[i] = Tensor._make(Tensor._zeros(t.shape, t.dtype), False)
            elif not allow_unused:
                raise RuntimeError(
                    f"grad(): input {i} appears not to have been used in the graph; "
                    "pass allow_unused=True if this is what you want"
                )
    return tuple(result)


# --- anomaly detection ---------------------------------------------------------

_anomaly_check_nan = False


def is_anomaly_enabled() -> bool:
    return _grad_mode.anomaly


class set_detect_anomaly(_GradModeContext):
    """Turn anomaly detection on or off: nodes record where they were created, and a
    backward that produces NaN (or infinity) raises naming the forward op."""

    def __init__(self, mode: bool, check_nan: bool = True):
        global _anomaly_check_nan
        self._previous = (_grad_mode.anomaly, _anomaly_check_nan)
        self.mode, self.check_nan = bool(mode), bool(check_nan)
        _grad_mode.anomaly = self.mode
        _anomaly_check_nan = self.mode and self.check_nan

    def __enter__(self):
        pass

    def __exit__(self, *exc):
        global _anomaly_check_nan
        _grad_mode.anomaly, _anomaly_check_nan = self._previous
        return False

    def _args(self):
        return (self.mode, self.check_nan)


class detect_anomaly(set_detect_anomaly):
    """`with detect_anomaly():` or `@detect_anomaly()`: anomaly detection on."""

    def __init__(self, check_nan: bool = True):
        self.mode, self.check_nan = True, bool(check_nan)

    def __enter__(self):
        global _anomaly_check_nan
        self._previous = (_grad_mode.anomaly, _anomaly_check_nan)
        _grad_mode.anomaly = True
        _anomaly_check_nan = self.check_nan

    def _args(self):
        return (self.check_nan,)


def _check_anomaly(node, grads):
    import numpy as np

    for i, g in enumerate(grads):
        if g is None:
            continue
        data = g.data if hasattr(g, "data") else g
        if not np.all(np.isfinite(data)):
            kind = "nan" if np.any(np.isnan(data)) else "infinite"
            where = "".join((getattr(node, "metadata", None) or {}).get("traceback_", [])) or (
                "  (no traceback: the forward ran before anomaly detection was enabled)\n"
            )
            raise RuntimeError(
                f"Function '{node.name()}' returned {kind} values in its {i}th output "
                f"(the gradient for argument {i} of {type(node).__name__}.forward).\n"
                f"The forward op was created at:\n{where}"
            )
