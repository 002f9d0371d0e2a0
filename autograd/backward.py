"""The backward pass: reverse-mode backprop over the recorded nodes.

The nodes that have received a gradient wait in a heap, latest-created first.
A node is created after the nodes of its inputs, so when the latest-created one
comes out, every gradient for it has arrived: the nodes are visited in reverse
creation order, a topological order, in one pass and without recursion. Each
visit runs the node's backward and sends each input's gradient, summed back to
that input's shape, to the node that made the input (or to the leaf itself).
What reaches the leaves is added into their `.grad`.
"""

from __future__ import annotations

from heapq import heappop, heappush

import numpy as np

from autograd import anomaly
from autograd.arguments import broadcast_dims
from autograd.function import FREED, Function
from autograd.grad_mode import _state
from autograd.tensor import Tensor

__all__ = ["grad", "run_backward"]


def run_backward(roots, root_grads, retain_graph=False, create_graph=False, inputs=None, observer=None):
    """Backpropagate `root_grads` (Tensors) from `roots`.

    Without `inputs`, gradients are added into the `.grad` of the leaves (and of
    tensors that `retain_grad()`). With `inputs`, their gradients are returned, in
    order (None where unreachable), and no `.grad` changes. `observer(node or leaf,
    grad)` is called as each node is visited and as each leaf gets its total: the
    steps that `backprop_steps` draws.

    A first-order pass carries ndarrays; with `create_graph`, Tensors, and grad mode
    stays on so that backward's own ops are recorded.
    """
    create_graph = bool(create_graph)
    capture = None if inputs is None else {_key(v): None for v in inputs}
    previous, _state.enabled = _state.enabled, create_graph
    try:
        if not create_graph:
            root_grads = [g._data for g in root_grads]
        leaf_grads = _backward_pass(roots, root_grads, retain_graph, create_graph, capture, observer)
        if capture is not None:
            capture.update((leaf, g) for leaf, g in leaf_grads.items() if leaf in capture)
            return [None if capture[_key(v)] is None else _tensor(capture[_key(v)]) for v in inputs]
        for leaf, g in leaf_grads.items():  # the hooks first: one that raises leaves every .grad as it was
            for hook in leaf._hooks or ():
                leaf_grads[leaf] = g = _run_hook(hook, g)
            if observer is not None:
                observer(leaf, _tensor(g))
        for leaf, g in leaf_grads.items():
            _accumulate(leaf, g, create_graph)
        return None
    finally:
        _state.enabled = previous


def _backward_pass(roots, root_grads, retain_graph, create_graph, capture, observer):
    """The loop. Returns what reached the leaves: {leaf: its total gradient}."""
    grads = {}  # a node -> the gradients of its outputs so far (a list); a leaf -> its gradient
    ready = []  # the nodes that received a gradient: a heap of (-creation number, node)
    for root, g in zip(roots, root_grads):
        _send(grads, ready, root.grad_fn or root, root._output_nr, g)
    while ready:
        node = heappop(ready)[1]  # the latest-created: all its gradient has arrived
        output_grads = grads.pop(node)
        if node._n_outputs != 1:  # an output nobody used: zeros
            output_grads = [_zeros(meta, create_graph) if g is None else g
                            for g, meta in zip(output_grads, node._output_meta)]
        if node._pre_hooks or node._retained or capture is not None:
            output_grads = [_hooks_and_retain(node, i, g, capture) for i, g in enumerate(output_grads)]
        if observer is not None:
            observer(node, _tensor(output_grads[0]) if node._n_outputs == 1 else list(map(_tensor, output_grads)))
        input_grads = _call_backward(node, output_grads, create_graph)
        if not retain_graph and node._saved:
            node._saved = FREED
        if len(input_grads) != len(node._edges):
            raise RuntimeError(
                f"{node.name()}: backward returned {len(input_grads)} gradients, but forward took "
                f"{len(node._edges)} arguments; return one gradient (or None) per argument"
            )
        if _state.anomaly_check_nan:
            anomaly.check_gradients(node, input_grads)
        for i, (edge, g) in enumerate(zip(node._edges, input_grads)):
            if edge is not None and g is not None:
                target, output_nr, shape, dtype = edge
                _send(grads, ready, target, output_nr, _conform(g, shape, dtype, create_graph, node, i))
    return grads


def _call_backward(node, output_grads, create_graph):
    """`node.backward` as a tuple. A first-order pass gives a NumpyOp its ndarrays
    as they are, any other Function (one written in Tensor ops) Tensors."""
    if not create_graph and not node.numpy_backward:
        output_grads = [Tensor._make(g, False) for g in output_grads]
    result = node.backward(node, *output_grads)
    return result if type(result) is tuple else (result,)


def _conform(g, shape, dtype, create_graph, node, i):
    """An input's gradient as the pass carries it (an ndarray at first order, else a
    Tensor), summed back to the input's shape if broadcast, in the input's dtype."""
    if not isinstance(g, Tensor if create_graph else np.ndarray):
        g = _in_pass_type(g, create_graph, node, i)
    if g.shape != shape:
        g = _sum_to(g, shape, node, i)
    if g.dtype != dtype:
        if g.dtype.kind not in "biuf":  # a complex gradient would lose its imaginary part, strings not cast
            raise TypeError(
                f"{node.name()}: backward returned a gradient of dtype {g.dtype} for argument {i}; gradients are "
                f"real numbers (the input is {dtype})"
            )
        g = g.to(dtype) if create_graph else g.astype(dtype)
    return g


def _in_pass_type(g, create_graph, node, i):
    """A gradient that backward returned, as the pass carries it."""
    if not isinstance(g, (Tensor, np.ndarray, np.generic)):
        raise TypeError(
            f"{node.name()}: backward returned a {type(g).__name__} as the gradient of argument {i}; "
            "return a Tensor (or None) per argument of forward"
        )
    if create_graph:
        return g if isinstance(g, Tensor) else Tensor._make(np.asarray(g), False)
    return g._data if isinstance(g, Tensor) else np.asarray(g)


def _sum_to(g, shape, node, i):
    """Sum `g` over the dims that broadcasting added or stretched to give `shape`."""
    dims = broadcast_dims(g.shape, shape)
    if dims is None:
        raise RuntimeError(
            f"{node.name()}: backward returned a gradient of shape {tuple(g.shape)} for argument {i}, "
            f"which has shape {shape}: it must have that shape or broadcast to it"
        )
    return g.sum(axis=dims, keepdims=True).reshape(shape)


def _send(grads, ready, target, output_nr, g):
    """Add `g` to what `target` (a node's output `output_nr`, or a leaf) has received;
    a node receiving its first gradient joins the `ready` heap."""
    if not isinstance(target, Function):  # a leaf
        old = grads.get(target)
        grads[target] = g if old is None else old + g
        return
    received = grads.get(target)
    if received is None:
        received = grads[target] = [None] * target._n_outputs
        heappush(ready, (-target._sequence_nr, target))
    old = received[output_nr]
    received[output_nr] = g if old is None else old + g


def _zeros(meta, create_graph):
    shape, dtype = meta
    return Tensor._make(np.zeros(shape, dtype), False) if create_graph else np.zeros(shape, dtype)


def _tensor(g):
    """A gradient as users see it (hooks, observers, results): a Tensor."""
    return g if isinstance(g, Tensor) else Tensor._make(np.asarray(g), False)


def _hooks_and_retain(node, output_nr, g, capture):
    """Output `output_nr`'s gradient is complete: run its hooks, then capture it
    for `autograd.grad` or keep it in `.grad` for `retain_grad`."""
    for hook in (node._pre_hooks or {}).get(output_nr, ()):
        g = _run_hook(hook, g)
    if capture is not None:
        if (node, output_nr) in capture:
            capture[(node, output_nr)] = g
    elif output_nr in node._retained:
        output = node._output_variable(output_nr)
        if output is not None:
            _accumulate(output, g, _state.enabled)
    return g


def _run_hook(hook, g):
    """`hook(grad)` on a Tensor; its replacement, if any (a Tensor of the same shape
    and dtype, as in PyTorch), in the pass's type."""
    new = hook(_tensor(g))
    if new is None:
        return g
    if not isinstance(new, Tensor) or new.shape != tuple(g.shape) or new.dtype != g.dtype:
        what = f"a Tensor of shape {new.shape} and dtype {new.dtype}" if isinstance(new, Tensor) else type(new).__name__
        raise RuntimeError(
            f"hook {getattr(hook, '__qualname__', hook)!r} has changed the type or size of the gradient: it got a "
            f"Tensor of shape {tuple(g.shape)} and dtype {g.dtype} and returned {what}; return None or a Tensor "
            "of the same shape and dtype"
        )
    return new if isinstance(g, Tensor) else new._data


def _accumulate(variable, g, create_graph):
    """Add `g` into `variable.grad`, in a buffer of its own (a .grad the user kept
    elsewhere, or another variable's gradient, is never written into)."""
    if variable.grad is None:
        variable.grad = g.clone() if create_graph else Tensor._make(np.array(g), False)
    elif create_graph:
        variable.grad = variable.grad + g
    else:
        variable.grad._data = variable.grad._data + g


def _key(variable):
    """How the pass knows a variable: its node's output, or the leaf itself."""
    return variable if variable.grad_fn is None else (variable.grad_fn, variable._output_nr)


# --- hooks and retain_grad, as Tensor records them on a node ---


def retain_output(node, output_nr):
    """Keep the gradient of output `output_nr` of `node` in that variable's `.grad`."""
    node._retained = node._retained | {output_nr}


def pre_hooks_of(node, output_nr) -> list:
    """The hooks run on the gradient of `node`'s output `output_nr` (a list to add to)."""
    if node._pre_hooks is None:
        node._pre_hooks = {}
    return node._pre_hooks.setdefault(output_nr, [])


# --- the entry points: the roots' gradients, and autograd.grad ---


def root_gradients(roots, gradients, op="backward"):
    """The gradients to start with: ones for a scalar root, else the given ones,
    checked against each root's shape."""
    out = []
    for i, (root, gradient) in enumerate(zip(roots, gradients)):
        if not root.requires_grad:
            raise RuntimeError(
                f"{op}(): element {i} of the outputs does not require grad and has no grad_fn; "
                "create the leaves with requires_grad=True (and not under no_grad)"
            )
        if gradient is None:
            if root._data.size != 1:
                raise RuntimeError(
                    f"{op}(): grad can be implicitly created only for scalar outputs, but output {i} "
                    f"has shape {root.shape}; pass a gradient of that shape"
                )
            gradient = Tensor._make(Tensor._ones(root.shape, root.dtype), False)
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


def _as_list(x):
    return [x] if isinstance(x, Tensor) else list(x)


def checked_inputs(inputs, op: str) -> list:
    """`inputs` of `grad()` or `backward(inputs=...)` as a list: Tensors that
    require grad, at least one (PyTorch refuses an empty list too)."""
    try:
        inputs = _as_list(inputs)
    except TypeError:
        raise TypeError(f"{op}(): inputs must be a Tensor or a sequence of Tensors, got {type(inputs).__name__}") from None
    if not inputs:
        raise RuntimeError(f"`inputs` argument to `{op}()` cannot be empty.")
    for i, t in enumerate(inputs):
        if not isinstance(t, Tensor):
            raise TypeError(f"{op}(): inputs[{i}] is a {type(t).__name__}, not a Tensor")
        if not t.requires_grad:
            raise RuntimeError(
                f"{op}(): inputs[{i}] (shape {t.shape}) does not require grad, so it has no gradient; "
                "call requires_grad_() on it before computing the output"
            )
    return inputs


def backward(tensors, grad_tensors=None, retain_graph=None, create_graph=False, inputs=None) -> None:
    """Accumulate d(tensors)/d(leaf) . grad_tensors into each leaf's `.grad` (into
    only `inputs`' `.grad`, if given): `torch.autograd.backward`, behind `Tensor.backward`."""
    tensors = _as_list(tensors)
    grad_tensors = [None] * len(tensors) if grad_tensors is None else _as_list(grad_tensors)
    if len(grad_tensors) != len(tensors):
        raise RuntimeError(f"backward(): got {len(grad_tensors)} grad_tensors for {len(tensors)} tensors")
    roots = root_gradients(tensors, grad_tensors)
    if retain_graph is None:
        retain_graph = create_graph
    if inputs is None:
        run_backward(tensors, roots, retain_graph, create_graph)
        return
    inputs = checked_inputs(inputs, "backward")
    for t, g in zip(inputs, run_backward(tensors, roots, retain_graph, create_graph, inputs)):
        if g is not None:
            t.grad = g if t.grad is None else t.grad + g


def grad(outputs, inputs, grad_outputs=None, retain_graph=None, create_graph=False,
         allow_unused=None, materialize_grads=False):
    """The gradients of `outputs` with respect to `inputs`, as a tuple, without
    touching any `.grad` (PyTorch's `torch.autograd.grad`)."""
    outputs, inputs = _as_list(outputs), checked_inputs(inputs, "grad")
    grad_outputs = [None] * len(outputs) if grad_outputs is None else _as_list(grad_outputs)
    if len(grad_outputs) != len(outputs):
        raise RuntimeError(f"grad(): got {len(grad_outputs)} grad_outputs for {len(outputs)} outputs")
    if retain_graph is None:
        retain_graph = create_graph
    roots = root_gradients(outputs, grad_outputs, "grad")
    result = run_backward(outputs, roots, retain_graph, create_graph, inputs)
    for i, (t, g) in enumerate(zip(inputs, result)):
        if g is None:
            if materialize_grads:
                result[i] = _zeros((t.shape, t.dtype), True)
            elif not allow_unused:
                raise RuntimeError(
                    f"grad(): input {i} appears not to have been used in the graph; "
                    "pass allow_unused=True if this is what you want"
                )
    return tuple(result)
