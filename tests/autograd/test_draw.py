"""draw_graph, backprop_steps and save_frames: the DOT source, and real renders."""

import os
import re

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import autograd
import nn
from autograd import Value
from autograd.draw import GraphvizNotInstalled, op_name



def node_lines(source):
    return [line for line in source.splitlines() if "[label=" in line and "legend" not in line]


def edges(source):
    return re.findall(r"^\s*(\S+) -> (\S+)$", source, flags=re.M)


def micrograd_example():
    a, b, c, f = Value(2.0, label="a"), Value(-3.0, label="b"), Value(10.0, label="c"), Value(-2.0, label="f")
    e = a * b
    e.label = "e"
    d = e + c
    d.label = "d"
    loss = d * f
    return (a, b, c, f, e, d), loss


def test_value_graph_has_one_node_per_op_and_leaf_with_data_and_grad():
    (a, b, c, f, e, d), loss = micrograd_example()
    loss.backward()
    source = autograd.draw_graph(loss).source
    nodes = node_lines(source)
    assert len(nodes) == 7  # 4 leaves, 3 ops
    assert len(edges(source)) == 6
    text = "\n".join(nodes)
    for label in ("<B>a</B>", "<B>b</B>", "<B>c</B>", "<B>f</B>", "<B>e = mul</B>", "<B>d = add</B>", "<B>mul</B>"):
        assert label in text
    a_line = next(line for line in nodes if "<B>a</B>" in line)
    assert "data 2.0000" in a_line and "grad 6.0000" in a_line  # dL/da = b * f = 6
    e_line = next(line for line in nodes if "e = mul" in line)
    assert "data -6.0000" in e_line and "grad -2.0000" in e_line


def test_edges_follow_the_data_flow():
    (a, b, c, f, e, d), loss = micrograd_example()
    source = autograd.draw_graph(loss, legend=False).source
    pairs = set(edges(source))
    ids = {v: str(id(v)) for v in (a, b, c, f)}
    mul_e, add_d, mul_loss = (str(id(v)) for v in (e, d, loss))  # each Value is its own node
    assert (ids[a], mul_e) in pairs and (ids[b], mul_e) in pairs
    assert (mul_e, add_d) in pairs and (ids[c], add_d) in pairs
    assert (add_d, mul_loss) in pairs and (ids[f], mul_loss) in pairs


def test_tensor_graph_names_parameters_and_shows_shapes_dtypes_and_styles():
    autograd.manual_seed(0)
    W = autograd.randn(3, 4, requires_grad=True)
    b = autograd.zeros(3, requires_grad=True)
    x = autograd.randn(4, requires_grad=True)
    x.name = "x"
    y = (W @ x + b).tanh().sum()
    y.backward()
    source = autograd.draw_graph(y, params={"W": W, "b": b}).source
    nodes = node_lines(source)
    w_line = next(line for line in nodes if "<B>W</B>" in line)
    assert "3×4 float32" in w_line and "#cfe2ff" in w_line  # a parameter's colour
    x_line = next(line for line in nodes if "<B>x</B>" in line)
    assert "#d8f0d2" in x_line  # an input's colour
    out_line = next(line for line in nodes if "<B>sum</B>" in line)
    assert "scalar float32" in out_line and "#ffe3b3" in out_line  # the output stands out
    assert f"{y.item():.4g}" in out_line
    for op in ("matmul", "add", "tanh"):
        assert any(f"<B>{op}</B>" in line for line in nodes)
    b_line = next(line for line in nodes if "<B>b</B>" in line)
    assert "grad [" in b_line  # small tensors show their gradient
    assert "legend" in source


def test_big_tensors_hide_their_data_and_show_data_can_force_it():
    x = autograd.randn(10, 10, requires_grad=True)
    y = (x * 2.0).sum()
    assert "[[" not in autograd.draw_graph(y).source
    assert "[[" in autograd.draw_graph(y, show_data=True).source


def test_show_saved_lists_what_an_op_keeps_for_backward():
    x = autograd.randn(2, 3, requires_grad=True)
    y = (x * x).sum()
    assert "saved 2×3, 2×3" in autograd.draw_graph(y, show_saved=True).source


def test_op_names_are_readable():
    x = autograd.randn(2, 3, requires_grad=True)
    assert op_name((x @ x.T).grad_fn) == "matmul"
    assert op_name(x.log_softmax(1).grad_fn) == "log_softmax"
    assert op_name(Value(1.0) * 2) == "mul"


def test_module_clusters_nest_as_the_modules_and_collapse():
    autograd.manual_seed(0)
    model = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Sequential(nn.Linear(8, 3), nn.Tanh()))
    y = model(autograd.randn(5, 4)).sum()
    source = autograd.draw_graph(y, params=dict(model.named_parameters())).source
    assert "<I>0: Linear(in_features=4, out_features=8, bias=True)</I>" in source
    # 2.0 is nested inside 2: its subgraph opens before 2's closes
    start_2, start_20 = source.index("<I>2: Sequential</I>"), source.index("<I>2.0: Linear")
    assert start_2 < start_20 and "}" not in source[start_2:start_20]
    # the parameter 2.0.weight is drawn inside its module's cluster
    cluster_20 = source[start_20:]
    assert "<B>2.0.weight</B>" in cluster_20.split("}")[0]
    collapsed = autograd.draw_graph(y, params=dict(model.named_parameters()), collapse_modules=True).source
    assert "matmul" not in collapsed and "box3d" in collapsed
    module_nodes = [line for line in node_lines(collapsed) if "box3d" in line]
    assert len(module_nodes) == 3  # 0, 1 and 2 at the top level


def test_max_nodes_refuses_with_advice_or_collapses_modules():
    x = autograd.randn(3, requires_grad=True)
    y = x
    for _ in range(30):
        y = y * 1.01
    with pytest.raises(ValueError, match="max_nodes=None"):
        autograd.draw_graph(y.sum(), max_nodes=10)
    model = nn.Sequential(*[nn.Linear(3, 3) for _ in range(10)])
    z = model(autograd.randn(2, 3)).sum()
    source = autograd.draw_graph(z, max_nodes=10).source
    assert "box3d" in source  # collapsed to modules instead of refusing


def test_backprop_steps_follow_the_engine_and_leave_grads_alone():
    (a, b, c, f, e, d), loss = micrograd_example()
    frames = autograd.backprop_steps(loss)
    assert [fr.description for fr in frames] == [
        "step 1: mul", "step 2: add", "step 3: mul", "step 4: a", "step 5: b", "step 6: c", "step 7: f",
    ]
    assert frames[0].visiting is loss and frames[1].visiting is d and frames[2].visiting is e
    # gradients known so far grow frame by frame, and match the real backward
    assert len(frames[0].grads) == 1 and len(frames[-1].grads) == len(frames)
    assert frames[-1].grads[id(a)] == pytest.approx(6.0)
    assert frames[-1].grads[id(f)] == pytest.approx(4.0)
    assert a.grad == 0.0 and e.grad == 0.0  # backprop_steps leaves every .grad as it was
    # the visited node is outlined in red in its own frame only
    source = frames[1].graph.source
    highlighted = [line for line in node_lines(source) if 'color="#d62728"' in line]
    assert len(highlighted) == 1 and str(id(d)) in highlighted[0]


def test_large_graph_builds_its_source():
    x = autograd.randn(2, requires_grad=True)
    y = x
    for _ in range(5000):
        y = y * 1.0001
    graph = autograd.draw_graph(y.sum(), max_nodes=None, legend=False)
    assert len(node_lines(graph.source)) == 5002


def test_without_dot_rendering_says_how_to_install_but_source_works(monkeypatch):
    import graphviz

    x = autograd.randn(2, requires_grad=True)
    graph = autograd.draw_graph((x * 2).sum())

    def missing(*args, **kwargs):
        raise graphviz.ExecutableNotFound(("dot",))

    monkeypatch.setattr(graphviz.Digraph, "pipe", missing)
    assert "digraph" in graph.source
    with pytest.raises(GraphvizNotInstalled, match="apt-get install graphviz"):
        graph.pipe(format="svg")


@pytest.mark.parametrize("fmt, magic", [("svg", b"<svg"), ("png", b"\x89PNG"), ("pdf", b"%PDF")])
def test_real_renders(fmt, magic, tmp_path):
    _, loss = micrograd_example()
    loss.backward()
    data = autograd.draw_graph(loss).pipe(format=fmt)
    assert magic in data[:400]
    path = autograd.draw_graph(loss).render(tmp_path / "graph", format=fmt, cleanup=True)
    assert os.path.getsize(path) > 500


def test_frames_written_as_svg_files(tmp_path):
    _, loss = micrograd_example()
    paths = autograd.save_frames(autograd.backprop_steps(loss), tmp_path / "frames")
    assert [os.path.basename(p) for p in paths] == [f"step_{i:03d}.svg" for i in range(1, 8)]
    assert all(open(p).read().lstrip().startswith(("<?xml", "<svg")) for p in paths)


def test_inline_display_in_jupyter():
    _, loss = micrograd_example()
    bundle = autograd.draw_graph(loss)._repr_mimebundle_()
    assert "image/svg+xml" in bundle


def test_numbers_in_a_value_expression_are_not_drawn_or_visited():
    t = Value(0.7, label="t")
    out = (1 + (-t).exp()) ** -1  # three numbers: constants the ops made into Values
    source = autograd.draw_graph(out, legend=False).source
    assert len(node_lines(source)) == 5 and len(edges(source)) == 4  # t, mul, exp, add, pow
    frames = autograd.backprop_steps(out)
    descriptions = [fr.description for fr in frames]
    assert descriptions == ["step 1: pow", "step 2: add", "step 3: exp", "step 4: mul", "step 5: t"]


HOSTILE = ['a" {injected [label="PWNED" image="any/local/file.png"]} subgraph "z', "b\\", 'c"', "d}", "e{",
           "<f>", "g&amp;", "h\nnewline", "i'j", "k -> l", "]", "// m", "/* n", "<<o>>"]


@settings(max_examples=25, deadline=None)
@given(st.lists(st.sampled_from(HOSTILE) | st.text(min_size=1, max_size=12), min_size=1, max_size=3, unique=True))
def test_user_names_cannot_inject_dot(names):
    """Module, parameter and tensor names, and the title, reach DOT only escaped:
    the rendered graph has exactly the nodes of the same model with plain names."""
    import json
    from collections import OrderedDict

    def drawing(labels):
        autograd.manual_seed(0)
        # (prefixed: a module name may not be an attribute of Sequential, "parameters" say)
        model = nn.Sequential(OrderedDict(("m" + label, nn.Linear(2, 2)) for label in labels))
        x = autograd.randn(1, 2)
        x.name = labels[0]
        dot = autograd.draw_graph(model(x).sum(), params=dict(model.named_parameters()), title=labels[-1])
        return json.loads(dot.pipe(format="json"))

    names = [n.replace(".", "_") or "_" for n in names]  # (a module name cannot contain a dot)
    hostile, plain = drawing(names), drawing([f"m{i}" for i in range(len(names))])
    assert len(hostile.get("objects", [])) == len(plain.get("objects", []))
    assert len(hostile.get("edges", [])) == len(plain.get("edges", []))
    assert not any("image" in o for o in hostile["objects"])


# --- the data: tensors that need no gradient are drawn as inputs ---------------------------


def line_of(source, title):
    return next(line for line in node_lines(source) if f"<B>{title}</B>" in line)


def mse_example():
    autograd.manual_seed(0)
    model = nn.Sequential(nn.Linear(2, 3), nn.Tanh(), nn.Linear(3, 1))
    x, y = autograd.tensor([[0.5, -1.0], [2.0, 0.3]]), autograd.tensor([[1.0], [0.0]])
    x.name, y.name = "x", "y"
    loss = nn.functional.mse_loss(model(x), y)
    loss.backward()
    return model, x, y, loss


def test_the_data_x_and_the_target_y_are_input_nodes_feeding_their_ops():
    model, x, y, loss = mse_example()
    source = autograd.draw_graph(loss, params=dict(model.named_parameters())).source
    for tensor, title, op in ((x, "x", "linear"), (y, "y", "mse_loss")):
        line = line_of(source, title)
        assert "#d8f0d2" in line and "2×" in line  # the green of "input / leaf", with its shape
        consumers = [b for a, b in edges(source) if a == str(id(tensor))]
        consumer = next(line for line in node_lines(source) if line.split()[0] == consumers[0])
        assert len(consumers) == 1 and f"<B>{op}</B>" in consumer
    assert "[[ 0.5, -1. &#93;" in line_of(source, "x")  # small data is shown
    # every op has all its inputs drawn: x (or h), weight and bias into linear, prediction and y into mse_loss
    for op, inputs in (("linear", 3), ("mse_loss", 2)):
        for node in (l.split()[0] for l in node_lines(source) if f"<B>{op}</B>" in l):
            assert sum(b == node for _, b in edges(source)) == inputs


def test_show_inputs_false_leaves_the_data_out():
    model, x, y, loss = mse_example()
    source = autograd.draw_graph(loss, params=dict(model.named_parameters()), show_inputs=False).source
    assert str(id(x)) not in source and str(id(y)) not in source
    assert "<B>x</B>" not in source and "<B>0.weight</B>" in source


def test_a_class_target_enters_the_loss_and_a_freed_temporary_keeps_shape_and_name():
    autograd.manual_seed(0)
    logits = autograd.randn(4, 3, requires_grad=True)
    loss = nn.functional.cross_entropy(logits, autograd.tensor([0, 2, 1, 1]))  # the target: a temporary
    source = autograd.draw_graph(loss).source
    target = line_of(source, "target")
    assert "4×1 int64" in target and "#d8f0d2" in target
    nll_loss = next(l.split()[0] for l in node_lines(source) if "<B>nll_loss</B>" in l)
    assert (target.split()[0], nll_loss) in edges(source)
    index = autograd.tensor([[1], [0]])
    picked = autograd.randn(2, 3, requires_grad=True).gather(1, index)  # an index tensor is data too
    assert (str(id(index)), str(id(picked.grad_fn))) in edges(autograd.draw_graph(picked.sum()).source)
    unnamed = autograd.randn(3, requires_grad=True) * autograd.randn(3)  # freed at once
    assert "<B>input</B>" in autograd.draw_graph(unnamed.sum()).source


def test_a_drawn_input_is_held_weakly():
    import gc
    import weakref

    w = autograd.randn(3, requires_grad=True)
    x = autograd.randn(3)
    out = (w + x).sum()  # add saves nothing for backward
    ref = weakref.ref(x)
    del x
    gc.collect()
    assert ref() is None  # the graph does not keep the data alive
    assert "3 float32" in line_of(autograd.draw_graph(out).source, "input")


def test_params_name_data_as_inputs_and_a_frozen_parameter_stays_a_parameter():
    autograd.manual_seed(0)
    a = autograd.randn(2, requires_grad=True)
    frozen = nn.Parameter(autograd.randn(2), requires_grad=False)
    x = autograd.randn(2)
    source = autograd.draw_graph((a * frozen + x).sum(), params={"a": a, "frozen": frozen, "x": x}).source
    assert "#d8f0d2" in line_of(source, "x")  # named by params, drawn as data
    assert "#cfe2ff" in line_of(source, "frozen")  # a Parameter, though it needs no gradient now
    assert "#cfe2ff" in line_of(source, "a")


def test_inputs_are_counted_by_max_nodes_and_drawn_in_backprop_frames():
    w = autograd.randn(3, requires_grad=True)
    data = [autograd.randn(3) for _ in range(6)]
    y = w
    for d in data:
        y = y * d
    with pytest.raises(ValueError, match="max_nodes"):
        autograd.draw_graph(y.sum(), max_nodes=9)  # 7 ops and 1 leaf fit; the 6 inputs do not
    assert autograd.draw_graph(y.sum(), max_nodes=9, show_inputs=False)
    frames = autograd.backprop_steps(y.sum())
    assert str(id(data[0])) in frames[0].graph.source and w.grad is None


def test_module_labels_are_wrapped_never_cut():
    conv = nn.Conv2d(1, 8, 3, padding=1)
    model = nn.Sequential(conv, nn.BatchNorm2d(8))
    model.eval()
    source = autograd.draw_graph(model(autograd.randn(1, 1, 4, 4)).sum()).source
    assert "..." not in source
    assert "padding=(1, 1))" in source and "track_running_stats=True)" in source
    collapsed = autograd.draw_graph(model(autograd.randn(1, 1, 4, 4)).sum(), collapse_modules=True).source
    assert "padding=(1, 1))" in collapsed
    assert "<B>running_mean</B>" in source  # batch norm's statistics enter as named data
