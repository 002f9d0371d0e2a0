"""Seeing the graph: `draw_graph` and `backprop_steps`.

`draw_graph(root)` returns a `graphviz.Digraph` with one node per op (its name,
the shape and dtype of its output, the data when small, the gradient when known)
and one per leaf (named from `params` or the leaf's `name`). The data that enters
the graph without needing a gradient (an input x, a target y) is drawn too, as an
input node (`show_inputs=False` leaves it out). Parameters, inputs and other
leaves, ops and the output have their own colours and shapes; a legend says
which is which. Nodes created inside an `nn.Module`'s
forward are drawn inside a cluster per module, nested as the modules nest.

`backprop_steps(root)` runs backward and returns one frame per step, in the
engine's own visiting order, each a drawing with the node being visited
highlighted and the gradients known so far.

A Tensor graph is read from its `grad_fn` nodes; a Value graph from the Values
themselves (each is its own node), through the protocol that `autograd.value`
documents: `_inputs()`, `_op`, `label` and `backward(observer)`.
"""

from __future__ import annotations

import html
import os
import re
from dataclasses import dataclass, field

import graphviz
import numpy as np

from autograd.backward import root_gradients, run_backward
from autograd.function import FREED as _FREED, Function
from autograd.tensor import Tensor
from autograd.value import Value

__all__ = ["draw_graph", "backprop_steps", "save_frames", "Frame", "GraphvizNotInstalled"]

STYLE = {
    "parameter": dict(shape="box", style="rounded,filled", fillcolor="#cfe2ff", color="#3d6fb6"),
    "input": dict(shape="box", style="rounded,filled", fillcolor="#d8f0d2", color="#4a8a3f"),
    "op": dict(shape="box", style="filled", fillcolor="#f1f1f1", color="#8a8a8a"),
    "output": dict(shape="box", style="filled,bold", fillcolor="#ffe3b3", color="#c77d00", penwidth="2"),
    "module": dict(shape="box3d", style="filled", fillcolor="#ece4f7", color="#7b5aa6"),
}
HIGHLIGHT = dict(color="#d62728", penwidth="3")
INSTALL_HINT = (
    "Graphviz's `dot` program is needed to render (the .source of the graph works without it). "
    "Install it: `apt-get install graphviz` (Debian/Ubuntu), `brew install graphviz` (macOS) or "
    "`conda install graphviz`."
)


class GraphvizNotInstalled(RuntimeError):
    """Rendering needs Graphviz's `dot` executable, which is not on the PATH."""


class Digraph(graphviz.Digraph):
    """A `graphviz.Digraph` whose rendering errors say how to install Graphviz."""

    def pipe(self, *args, **kwargs):
        try:
            return super().pipe(*args, **kwargs)
        except graphviz.ExecutableNotFound:
            raise GraphvizNotInstalled(INSTALL_HINT) from None

    def render(self, *args, **kwargs):
        try:
            return super().render(*args, **kwargs)
        except graphviz.ExecutableNotFound:
            raise GraphvizNotInstalled(INSTALL_HINT) from None


# --- walking the graph -------------------------------------------------------------


@dataclass
class _Graph:
    nodes: list  # Function nodes, each once, root's first
    leaves: list  # leaf variables, each once
    edges: list  # (source, target): a leaf, input or node feeding a node
    inputs: list = field(default_factory=list)  # Tensors that entered without needing a gradient
    shapes: dict = field(default_factory=dict)  # id(node or leaf) -> (shape, dtype) of its output
    outputs: dict = field(default_factory=dict)  # id(node) -> its output, where known without the node


@dataclass
class _GoneInput:
    """An input Tensor freed after its op ran (a temporary): its shape, dtype and name remain."""

    shape: tuple
    dtype: object
    name: str | None
    grad = None


def _walk(root, with_inputs=True) -> _Graph:
    """Every node and leaf the root depends on, iteratively (no recursion); with
    `with_inputs`, also the Tensors that entered ops without needing a gradient."""
    if isinstance(root, Value):
        return _walk_values(root)
    graph = _Graph([], [], [])
    if root.grad_fn is None:
        graph.leaves.append(root)
        return graph
    seen = {id(root.grad_fn)}
    stack = [root.grad_fn]
    graph.shapes[id(root.grad_fn)] = (root.shape, root.dtype)
    graph.outputs[id(root.grad_fn)] = root
    while stack:
        node = stack.pop()
        graph.nodes.append(node)
        for edge in node._input_edges():
            if edge is None:
                continue
            source, _, shape, dtype = edge
            graph.edges.append((source, node))
            graph.shapes.setdefault(id(source), (shape, dtype))
            if id(source) in seen:
                continue
            seen.add(id(source))
            if isinstance(source, Function):
                stack.append(source)
            else:
                graph.leaves.append(source)
        if with_inputs:
            _add_data_inputs(graph, node, seen)
    return graph


def _add_data_inputs(graph, node, seen):
    """The Tensors `node` took without an edge (`Function._data_inputs`), as inputs."""
    for _, ref, shape, dtype, name in node._data_inputs:
        tensor = ref()
        if tensor is None:  # one box per use: nothing says two were the same
            tensor = _GoneInput(shape, dtype, name)
        graph.edges.append((tensor, node))
        if id(tensor) not in seen:
            seen.add(id(tensor))
            graph.inputs.append(tensor)


def _walk_values(root) -> _Graph:
    """A Value graph, as `_walk`: the Values made by ops are its nodes, each its own output."""
    graph = _Graph([], [], [])
    if not root._op:
        graph.leaves.append(root)
        return graph
    seen, stack = {id(root)}, [root]
    while stack:
        value = stack.pop()
        graph.nodes.append(value)
        graph.outputs[id(value)] = value
        for source in value._inputs():
            if source._op == "const":  # a number in the expression: not drawn, as in a Tensor graph
                continue
            graph.edges.append((source, value))
            if id(source) not in seen:
                seen.add(id(source))
                (stack if source._op else graph.leaves).append(source)
    return graph


def op_name(node) -> str:
    """`MatMul` -> `matmul`, `LogSoftmax` -> `log_softmax`; a Value's op: its `_op`."""
    if isinstance(node, Value):
        return node._op
    name = type(node).__name__
    if name.isupper() or name in ("MatMul",):
        return name.lower()
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", name).lower()


def _output_of(node, graph):
    output = graph.outputs.get(id(node))
    return output if output is not None else node._output_variable(0)


# --- labels --------------------------------------------------------------------------


def _format_array(data, limit) -> str | None:
    data = np.asarray(data)
    if data.size > limit:
        return None
    if data.ndim == 0:
        return f"{data.item():.4g}" if data.dtype.kind == "f" else str(data.item())
    text = np.array2string(data, precision=3, separator=", ", suppress_small=True, max_line_width=48)
    return text


def _describe(variable, shape, dtype, show_data, grad) -> list[str]:
    lines = []
    if shape is None:  # a Value: micrograd's data and grad
        data = variable.data if variable is not None else None
        if data is not None and show_data:
            lines.append(f"data {data:.4f}")
        if grad is not None:
            lines.append(f"grad {grad:.4f}")
        return lines
    dims = "×".join(str(s) for s in shape) if shape else "scalar"
    lines.append(f"{dims} {dtype.name}")  # float32: NumPy's short name
    limit = 9 if show_data == "auto" else (np.inf if show_data else -1)
    if isinstance(variable, Tensor):
        text = _format_array(np.asarray(variable), limit)
        if text is not None:
            lines.append(text)
    if grad is not None:
        text = _format_array(np.asarray(grad), limit if limit > 0 else 9)
        lines.append(f"grad {text}" if text is not None else "grad ✓")
    return lines


def _escape(text) -> str:
    """Text for an HTML-like label: markup (and "]") escaped, a line break or tab a
    space (as Graphviz shows it), another control character \\xNN (XML refuses them)."""
    text = re.sub(r"[\n\r\t]", " ", str(text))
    text = html.escape(re.sub(r"[\x00-\x1f\x7f]", lambda m: f"\\x{ord(m.group()):02x}", text))
    return text.replace("]", "&#93;")  # Graphviz's label parser fails on a "]" that starts a text


def _label(title, lines) -> str:
    body = "".join(f'<BR/><FONT POINT-SIZE="10">{_escape(line)}</FONT>' for line in lines)
    return f"<<B>{_escape(title)}</B>{body}>"


def _attrs(style, extra=None) -> str:
    merged = dict(style, **(extra or {}))
    return " ".join(f'{k}="{v}"' for k, v in merged.items())


# --- module clusters ---------------------------------------------------------------


def _scope(node):
    """The module path a node was created in: a tuple of (qualified name, module)."""
    metadata = getattr(node, "metadata", None)
    return metadata.get("module_scope", ()) if metadata else ()


def draw_graph(root, *, params=None, show_data="auto", show_grad=True, show_saved=False,
               show_inputs=True, rankdir="LR", max_nodes=2000, collapse_modules=False, legend=True,
               highlight=None, grads=None, title=None) -> Digraph:
    """A `graphviz.Digraph` of the graph that produced `root` (a Tensor or a Value).

    `params`: a dict name -> tensor (`dict(model.named_parameters())`) naming leaves
    (those that require grad are drawn as parameters) and inputs (buffers, data).
    `show_inputs`: draw the Tensors that entered the graph without needing a
    gradient (the data x, the targets y, a module's buffers) as input nodes;
    False leaves them out (big graphs).
    `show_data`: 'auto' (small tensors and scalars), True or False. `show_grad`:
    show `.grad` of leaves and retained outputs (and `grads`, a dict id -> gradient,
    as `backprop_steps` passes). `show_saved`: list the shapes each op saved for
    backward. `collapse_modules`: draw each top-level module as one node.
    `max_nodes`: above it, raise (or collapse modules, if the graph has any).
    `highlight`: a node or leaf to outline in red.
    """
    graph = _walk(root, show_inputs)
    has_modules = any(_scope(n) for n in graph.nodes)
    collapse_modules = _check_size(graph, has_modules, max_nodes, collapse_modules)
    names = {id(t): name for name, t in (params or {}).items()}
    look = _Look(show_data, show_grad, show_saved, grads or {}, None if highlight is None else id(highlight))
    dot = Digraph(name="autograd", graph_attr=dict(rankdir=rankdir, fontname="Helvetica", nodesep="0.25",
                                                   ranksep="0.35", label=f"<{_escape(title)}>" if title else "", labelloc="t"),
                  node_attr=dict(fontname="Helvetica", fontsize="11", margin="0.08,0.04"),
                  edge_attr=dict(color="#707070", arrowsize="0.7"))
    root_node = root if isinstance(root, Value) else root.grad_fn
    collapsed, clusters = _op_lines(graph, root_node, look, collapse_modules)
    for path, line in _leaf_lines(graph, names, look):  # a parameter goes inside its module's cluster
        if path in clusters:
            clusters[path].append(line)
        else:
            dot.body.append(line)
    _emit_clusters(dot, clusters, graph)
    emitted = set()  # edges, deduplicated when modules are collapsed
    for source, target in graph.edges:
        a = collapsed.get(id(source), str(id(source)))
        b = collapsed.get(id(target), str(id(target)))
        if a != b and (a, b) not in emitted:
            emitted.add((a, b))
            dot.body.append(f"\t{a} -> {b}\n")
    if legend:
        _legend(dot, has_modules and collapse_modules)
    return dot


@dataclass
class _Look:
    """What draw_graph shows of each box."""

    show_data: object
    show_grad: bool
    show_saved: bool
    grads: dict  # id(node or leaf) -> a gradient to show (backprop_steps)
    highlight: int | None  # id of the node or leaf outlined in red


def _check_size(graph, has_modules, max_nodes, collapse_modules):
    """`collapse_modules`, turned on for a graph over `max_nodes` that has modules;
    such a graph without modules raises."""
    count = len(graph.nodes) + len(graph.leaves) + len(graph.inputs)
    if max_nodes is not None and count > max_nodes and not collapse_modules:
        if not has_modules:
            raise ValueError(
                f"draw_graph: the graph has {count} nodes, more than max_nodes={max_nodes}; pass "
                "max_nodes=None to draw it all (slow to render), or draw a smaller part of the model"
            )
        return True
    return collapse_modules


def _leaf_lines(graph, names, look):
    """(module path of the cluster it belongs in, or None; DOT line) per leaf and input:
    a tensor named in `params` belongs to the module its name says; the others are
    drawn outside every module, where they enter."""
    out, input_ids = [], {id(t) for t in graph.inputs}
    for leaf in graph.leaves + graph.inputs:
        name = names.get(id(leaf)) or getattr(leaf, "name", None)
        is_input = id(leaf) in input_ids
        is_param = type(leaf).__name__ == "Parameter" or id(leaf) in names and not is_input
        grad = look.grads[id(leaf)] if id(leaf) in look.grads else (leaf.grad if look.show_grad else None)
        shape, dtype = (None, None) if isinstance(leaf, Value) else (leaf.shape, leaf.dtype)
        lines = _describe(leaf, shape, dtype, look.show_data, grad)
        extra = HIGHLIGHT if id(leaf) == look.highlight else None
        title = name or ("parameter" if is_param else "input" if is_input else "leaf")
        kind = "parameter" if is_param else "input"
        line = f"\t{id(leaf)} [label={_label(title, lines)} {_attrs(STYLE[kind], extra)}]\n"
        out.append((_module_path(names.get(id(leaf))), line))
    return out


def _module_path(name):
    """"2.0.weight" -> ("", "2", "2.0"): the scope path of the module holding it."""
    if name is None:
        return None
    parts = name.split(".")[:-1]
    return ("",) + tuple(".".join(parts[: i + 1]) for i in range(len(parts)))


def _op_lines(graph, root_node, look, collapse_modules):
    """The op boxes: ({id(node): the module box standing for it}, {scope path: DOT lines})."""
    collapsed, clusters = {}, {}
    depth = 1 if collapse_modules is True else int(collapse_modules)
    for node in graph.nodes:
        scope = _scope(node)
        if collapse_modules and len(scope) > depth:
            qualified, module = scope[depth]
            collapsed[id(node)] = "module_" + str(id(module))
            clusters.setdefault(("collapsed", qualified, id(module)), module)
            continue
        output = _output_of(node, graph)
        shape, dtype = graph.shapes.get(id(node), (None, None))
        lines = _describe(output, shape, dtype, look.show_data, _op_grad(node, output, look))
        if look.show_saved and not isinstance(node, Value) and node._saved and node._saved is not _FREED:
            saved = [s for s in node._saved if isinstance(s, Tensor)]
            if saved:
                lines.append("saved " + ", ".join("×".join(map(str, s._data.shape)) or "scalar" for s in saved))
        kind = "output" if node is root_node else "op"
        extra = HIGHLIGHT if id(node) == look.highlight else None
        name = getattr(output, "name", None)
        title = f"{name} = {op_name(node)}" if name else op_name(node)
        line = f"\t{id(node)} [label={_label(title, lines)} {_attrs(STYLE[kind], extra)}]\n"
        clusters.setdefault(tuple(q for q, _ in scope), []).append(line)
    return collapsed, clusters


def _op_grad(node, output, look):
    """The gradient to show on an op's box, if any."""
    if id(node) in look.grads:
        return look.grads[id(node)]
    if look.show_grad and isinstance(node, Value):  # every Value keeps its grad
        return node.grad
    if look.show_grad and output is not None and not isinstance(node, Value) and 0 in node._retained:
        return output.grad
    return None


def _emit_clusters(dot, clusters, graph):
    """Op lines inside nested `subgraph cluster_...` blocks, one per module."""
    modules = {}
    for node in graph.nodes:
        for qualified, module in _scope(node):
            modules.setdefault(qualified, module)
    collapsed = {key: value for key, value in clusters.items() if key and key[0] == "collapsed"}
    for (_, qualified, module_id), module in collapsed.items():
        label = _label(qualified or type(module).__name__, _module_summary(module))
        dot.body.append(f"\tmodule_{module_id} [label={label} {_attrs(STYLE['module'])}]\n")
    paths = sorted((k for k in clusters if not (k and k[0] == "collapsed")), key=len)
    open_paths = []

    def close_to(depth):
        while len(open_paths) > depth:
            open_paths.pop()
            dot.body.append("\t}\n")

    for number, path in enumerate(sorted(paths)):
        common = 0
        while common < min(len(open_paths), len(path)) and open_paths[common] == path[common]:
            common += 1
        close_to(common)
        for depth, qualified in enumerate(path[common:], common):
            summary = _module_summary(modules.get(qualified))
            if qualified:
                summary = [f"{qualified}: {summary[0] if summary else ''}"] + summary[1:]
            label = "<BR/>".join(map(_escape, summary))
            dot.body.append(  # a module's name reaches DOT only escaped, in the HTML label
                f'\tsubgraph cluster_{number}_{depth} {{\n\t\tlabel=<<I>{label}</I>> style="rounded,dashed" '
                f'color="#7b5aa6" fontcolor="#5a3f80" fontsize="10"\n'
            )
            open_paths.append(qualified)
        dot.body.extend(clusters[path])
    close_to(0)


def _module_summary(module, width=56) -> list[str]:
    """The first line of the module's repr, wrapped (never cut) between its
    keyword arguments into lines of about `width` characters."""
    if module is None:
        return []
    text = repr(module).split("\n")[0]
    if text.endswith("("):  # a container: its children are drawn inside it
        text = text[:-1]
    lines = [""]
    for part in re.split(r"(?<=, )(?=\w+=)", text):
        if lines[-1] and len(lines[-1]) + len(part) > width:
            lines[-1] = lines[-1].rstrip()
            lines.append("")
        lines[-1] += part
    return lines


def _legend(dot, with_module):
    entries = [("parameter", "parameter"), ("input / leaf", "input"), ("op", "op"), ("output", "output")]
    if with_module:
        entries.append(("module (collapsed)", "module"))
    dot.body.append('\tsubgraph cluster_legend {\n\t\tlabel="legend" fontsize="10" color="#bbbbbb" style="dashed"\n')
    previous = None
    for text, kind in entries:
        dot.body.append(f'\t\t"legend_{kind}" [label="{text}" fontsize="9" {_attrs(STYLE[kind])}]\n')
        if previous:
            dot.body.append(f'\t\t"legend_{previous}" -> "legend_{kind}" [style=invis]\n')
        previous = kind
    dot.body.append("\t}\n")


# --- backprop step by step ------------------------------------------------------------


@dataclass
class Frame:
    """One step of backprop: `visiting` (a node or leaf) just got its complete
    gradient; `grads` maps id(node or leaf) to every gradient known so far;
    `graph` is the drawing, with `visiting` highlighted."""

    step: int
    visiting: object
    grads: dict
    graph: Digraph

    @property
    def description(self) -> str:
        visiting = self.visiting
        is_op = isinstance(visiting, Function) or isinstance(visiting, Value) and visiting._op
        what = op_name(visiting) if is_op else (getattr(visiting, "name", None) or "leaf")
        return f"step {self.step}: {what}"

    def _repr_mimebundle_(self, include=None, exclude=None):
        return self.graph._repr_mimebundle_(include, exclude)


def backprop_steps(root, gradient=None, **draw_kwargs) -> list[Frame]:
    """Run backward from `root` and return its frames, in the engine's visiting
    order: first the output, then each op as its gradient becomes complete, then
    each leaf. The graph is kept (retain_graph) and the leaves' `.grad` is left as
    it was before the call."""
    if isinstance(root, Value):
        return _frames(root, _value_backprop_order(root, gradient), draw_kwargs)
    leaves = _walk(root).leaves
    before = {id(leaf): leaf.grad for leaf in leaves}
    order, known = [], {}

    def observe(thing, grad):
        known[id(thing)] = grad
        order.append((thing, dict(known)))

    (start,) = root_gradients([root], [gradient])
    try:
        run_backward([root], [start], retain_graph=True, observer=observe)
    finally:
        for leaf in leaves:
            leaf.grad = before[id(leaf)]
    return _frames(root, order, draw_kwargs)


def _value_backprop_order(root, gradient):
    """Value's own backward, watched: (Value, gradients known so far) per visit.
    Every Value's `.grad` is restored afterwards."""
    if gradient is not None:
        raise ValueError("backprop_steps: a Value's backward starts from d(root)/d(root) = 1; "
                         "pass no gradient")
    graph = _walk_values(root)
    values = graph.nodes + graph.leaves
    before = {id(v): v.grad for v in values}
    order, known = [], {}

    def observe(value):
        if value._op != "const":
            known[id(value)] = value.grad
            order.append((value, dict(known)))

    try:
        for value in values:
            value.grad = 0.0  # so that the frames show this pass's gradients only
        root.backward(observer=observe)
    finally:
        for value in values:
            value.grad = before[id(value)]
    return order


def _frames(root, order, draw_kwargs) -> list[Frame]:
    frames = []
    for step, (thing, grads) in enumerate(order):
        graph = draw_graph(root, highlight=thing, grads=grads, show_grad=False,
                           title=f"backprop step {step + 1} of {len(order)}", **draw_kwargs)
        frames.append(Frame(step + 1, thing, grads, graph))
    return frames


def save_frames(frames, directory, format="svg") -> list[str]:
    """Render each frame to `directory/step_001.svg`, ...; returns the paths."""
    os.makedirs(directory, exist_ok=True)
    paths = []
    for frame in frames:
        path = os.path.join(directory, f"step_{frame.step:03d}.{format}")
        with open(path, "wb") as f:
            f.write(frame.graph.pipe(format=format))
        paths.append(path)
    return paths
