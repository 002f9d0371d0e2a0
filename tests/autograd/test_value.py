"""`autograd.Value`, micrograd's scalar on the shared engine: every op against math
and central differences, random graphs with shared subexpressions, and the engine
behaviours (accumulation, hooks, grad mode, autograd.grad, user Functions) on both
of a Value op's paths: the direct one and `Function.apply`'s (which anomaly mode
takes)."""

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import autograd
from autograd import Function, Value

from .numerical import numerical_vjp


def sigmoid(x):
    return 1.0 / (1.0 + math.exp(-x))


# name: (on Values, on floats, range of x, range of y); x and y are kept away from kinks
OPS = {
    "add": (lambda x, y: x + y, lambda x, y: x + y, (-3, 3), (-3, 3)),
    "radd": (lambda x, y: 2.5 + x, lambda x, y: 2.5 + x, (-3, 3), (-3, 3)),
    "sub": (lambda x, y: x - y, lambda x, y: x - y, (-3, 3), (-3, 3)),
    "rsub": (lambda x, y: 1.5 - x, lambda x, y: 1.5 - x, (-3, 3), (-3, 3)),
    "mul": (lambda x, y: x * y, lambda x, y: x * y, (-3, 3), (-3, 3)),
    "rmul": (lambda x, y: -3.0 * x, lambda x, y: -3.0 * x, (-3, 3), (-3, 3)),
    "self_mul": (lambda x, y: x * x, lambda x, y: x * x, (-3, 3), (-3, 3)),
    "div": (lambda x, y: x / y, lambda x, y: x / y, (-3, 3), (0.5, 3)),
    "rdiv": (lambda x, y: 2.0 / x, lambda x, y: 2.0 / x, (0.5, 3), (-3, 3)),
    "pow": (lambda x, y: x**3, lambda x, y: x**3, (-2, 2), (-3, 3)),
    "pow_half": (lambda x, y: x**0.5, lambda x, y: x**0.5, (0.2, 3), (-3, 3)),
    "neg": (lambda x, y: -x, lambda x, y: -x, (-3, 3), (-3, 3)),
    "relu_pos": (lambda x, y: x.relu(), lambda x, y: max(x, 0.0), (0.1, 3), (-3, 3)),
    "relu_neg": (lambda x, y: x.relu(), lambda x, y: max(x, 0.0), (-3, -0.1), (-3, 3)),
    "tanh": (lambda x, y: x.tanh(), lambda x, y: math.tanh(x), (-3, 3), (-3, 3)),
    "exp": (lambda x, y: x.exp(), lambda x, y: math.exp(x), (-3, 3), (-3, 3)),
    "log": (lambda x, y: x.log(), lambda x, y: math.log(x), (0.2, 3), (-3, 3)),
    "sigmoid": (lambda x, y: x.sigmoid(), lambda x, y: sigmoid(x), (-6, 6), (-3, 3)),
}


def _scalar_vjp(fn, *xs):
    """d fn / d x for each x, by central differences in float64."""
    return [float(g) for g in numerical_vjp(lambda *a: fn(*(float(v) for v in a)), list(xs), 1.0)]


@pytest.mark.parametrize("anomaly", [False, True], ids=["direct", "via_apply"])
@pytest.mark.parametrize("name", sorted(OPS))
@given(data=st.data())
def test_op_matches_math_and_central_differences(name, anomaly, data):
    on_values, on_floats, (xlo, xhi), (ylo, yhi) = OPS[name]
    x = data.draw(st.floats(xlo, xhi), label="x")
    y = data.draw(st.floats(ylo, yhi), label="y")
    a, b = Value(x), Value(y)
    with autograd.set_detect_anomaly(anomaly):
        out = on_values(a, b)
        out.backward()
    assert out.data == pytest.approx(on_floats(x, y), rel=1e-12, abs=1e-12)
    dx, dy = _scalar_vjp(on_floats, x, y)
    assert a.grad == pytest.approx(dx, rel=1e-6, abs=1e-6)
    assert b.grad == pytest.approx(dy, rel=1e-6, abs=1e-6)
    assert out.grad == 1.0


# A random graph: each node applies an op to one or two earlier nodes (shared
# subexpressions and diamonds come from reuse); the output sums the last three.
BINARY = {"add": lambda p, q: p + q, "mul": lambda p, q: p * q, "sub": lambda p, q: p - q}
UNARY = {"tanh": lambda p: p.tanh() if isinstance(p, Value) else math.tanh(p),
         "sigmoid": lambda p: p.sigmoid() if isinstance(p, Value) else sigmoid(p),
         "scale": lambda p: 0.5 * p + 0.25}


@st.composite
def programs(draw):
    n_leaves = draw(st.integers(1, 4))
    steps = []
    for k in range(draw(st.integers(1, 14))):
        available = n_leaves + k
        if draw(st.booleans()):
            steps.append((draw(st.sampled_from(sorted(BINARY))), draw(st.integers(0, available - 1)),
                          draw(st.integers(0, available - 1))))
        else:
            steps.append((draw(st.sampled_from(sorted(UNARY))), draw(st.integers(0, available - 1)), None))
    leaves = draw(st.lists(st.floats(-1.5, 1.5), min_size=n_leaves, max_size=n_leaves))
    return leaves, steps


def run_program(steps, inputs):
    nodes = list(inputs)
    for op, i, j in steps:
        nodes.append(BINARY[op](nodes[i], nodes[j]) if j is not None else UNARY[op](nodes[i]))
    out = nodes[-1]
    for extra in nodes[-3:-1]:
        out = out + extra
    return out, nodes


@pytest.mark.parametrize("anomaly", [False, True], ids=["direct", "via_apply"])
@given(program=programs())
def test_random_graphs_match_central_differences(program, anomaly):
    leaves, steps = program
    values = [Value(v) for v in leaves]
    with autograd.set_detect_anomaly(anomaly):
        out, _ = run_program(steps, values)
        out.backward()
    expected = _scalar_vjp(lambda *xs: run_program(steps, xs)[0], *leaves)
    for v, g in zip(values, expected):
        assert v.grad == pytest.approx(g, rel=1e-5, abs=1e-6)


@given(program=programs())
def test_autograd_grad_gives_the_same_gradients_and_leaves_grad_alone(program):
    leaves, steps = program
    values = [Value(v) for v in leaves]
    out, nodes = run_program(steps, values)
    grads = autograd.grad(out, values, retain_graph=True, allow_unused=True)
    assert all(v.grad == 0.0 for v in nodes)
    out.backward()
    assert [0.0 if g is None else g for g in grads] == pytest.approx([v.grad for v in values])


def test_intermediates_keep_their_gradient_and_backward_twice_accumulates():
    a, b = Value(2.0), Value(-3.0)
    c = a * b
    d = c + a  # dd/da = b + 1, dd/db = a, dd/dc = 1
    d.backward()
    assert (a.grad, b.grad, c.grad, d.grad) == (-2.0, 2.0, 1.0, 1.0)
    d.backward()  # Value ops free nothing: a second backward works, as in micrograd
    assert (a.grad, b.grad, c.grad, d.grad) == (-4.0, 4.0, 2.0, 2.0)


def test_hooks_replace_the_gradient_that_flows_on():
    a = Value(3.0)
    a.register_hook(lambda g: g * 10.0)
    h = a * a
    h.register_hook(lambda g: g + 1.0)  # on a non-leaf: its .grad and what reaches a
    (h * 2.0).backward()
    assert h.grad == 3.0
    assert a.grad == 10.0 * 3.0 * 2 * 3.0


def test_no_grad_records_nothing_and_constants_get_no_gradient():
    a, k = Value(2.0), Value(5.0, requires_grad=False)
    with autograd.no_grad():
        assert (a * a).grad_fn is None
    out = a * k + k
    out.backward()
    assert (a.grad, k.grad) == (5.0, 0.0)
    with pytest.raises(RuntimeError, match="does not require grad"):
        k.backward()


class SplitFloat(Function):
    """A user Function on Values returning two floats: (x + y, x * y)."""

    @staticmethod
    def forward(ctx, x, y):
        ctx.save_for_backward(x, y)
        return x.data + y.data, x.data * y.data

    @staticmethod
    def backward(ctx, g_sum, g_product):
        x, y = ctx.saved_tensors
        return g_sum + g_product * y.data, g_sum + g_product * x.data


def test_values_from_a_user_function_with_two_outputs_feed_value_ops():
    x, y = Value(1.5), Value(-0.5)
    total, product = SplitFloat.apply(x, y)
    out = product * 3.0 + total.tanh() * product  # output 1 of the node feeds both ops
    out.backward()

    def reference(xv, yv):
        return (xv * yv) * 3.0 + math.tanh(xv + yv) * (xv * yv)

    dx, dy = _scalar_vjp(reference, 1.5, -0.5)
    assert (x.grad, y.grad) == (pytest.approx(dx, rel=1e-6), pytest.approx(dy, rel=1e-6))


def test_grad_fn_names_and_next_functions():
    a, b = Value(1.0), Value(2.0)
    c = (a * b).relu()
    assert c.grad_fn.name() == "ReluVBackward"
    (mul, _), = c.grad_fn.next_functions
    assert mul.name() == "MulVBackward"
    assert [fn.name() for fn, _ in mul.next_functions] == ["AccumulateGrad", "AccumulateGrad"]
    assert not c.is_leaf and a.is_leaf


def test_value_ops_match_float64_tensors_on_micrograd_style_neurons():
    rng = np.random.default_rng(0)
    w, x = rng.uniform(-1, 1, (2, 8))
    ws, xs = [Value(v) for v in w], [Value(v) for v in x]
    act = sum((wi * xi for wi, xi in zip(ws, xs)), Value(0.1))
    out = act.tanh() * act.relu() + act.sigmoid()
    out.backward()
    wt = autograd.tensor(w, requires_grad=True)
    act_t = (wt * autograd.tensor(x)).sum() + 0.1
    out_t = act_t.tanh() * act_t.relu() + act_t.sigmoid()
    out_t.backward()
    assert out.data == pytest.approx(out_t.item(), rel=1e-12)
    np.testing.assert_allclose([v.grad for v in ws], wt.grad.data, rtol=1e-12)


def test_grad_mode_of_one_thread_does_not_leak_into_another():
    import threading

    in_no_grad, done = threading.Event(), threading.Event()
    seen = {}

    def other():
        with autograd.no_grad():
            in_no_grad.set()
            done.wait()
            seen["other records"] = (Value(1.0) * 2.0).grad_fn is not None

    thread = threading.Thread(target=other)
    thread.start()
    in_no_grad.wait()
    seen["main records"] = (Value(1.0) * 2.0).grad_fn is not None  # another thread's no_grad
    with autograd.no_grad():
        seen["main in no_grad records"] = (Value(1.0) * 2.0).grad_fn is not None
    done.set()
    thread.join()
    assert seen == {"main records": True, "main in no_grad records": False, "other records": False}
    assert (Value(1.0) * 2.0).grad_fn is not None


def test_a_subclass_of_value_gets_its_gradients_in_either_position():
    class Named(Value):
        pass

    a, b = Value(1.5), Named(-2.0)
    out = a * b + b * a + (b + a).tanh()
    out.backward()
    t = math.tanh(-0.5)
    assert (a.grad, b.grad) == (pytest.approx(2 * -2.0 + 1 - t * t), pytest.approx(2 * 1.5 + 1 - t * t))
