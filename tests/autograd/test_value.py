"""`autograd.Value`, micrograd's scalar engine: every op against math and central
differences, micrograd's own test expressions, random expressions against float64
Tensors, a micrograd-style MLP, a 1,000,000-op chain, and the errors."""

import math
import random
import time

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

import autograd
from autograd import Value

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
    "pow_int": (lambda x, y: x**2, lambda x, y: x**2, (-2, 2), (-3, 3)),
    "pow_half": (lambda x, y: x**0.5, lambda x, y: x**0.5, (0.2, 3), (-3, 3)),
    "rpow": (lambda x, y: 2.0**x, lambda x, y: 2.0**x, (-3, 3), (-3, 3)),
    "rpow_int": (lambda x, y: 3**x, lambda x, y: 3**x, (-3, 3), (-3, 3)),
    "pow_value": (lambda x, y: x**y, lambda x, y: x**y, (0.2, 3), (-2, 2)),
    "neg": (lambda x, y: -x, lambda x, y: -x, (-3, 3), (-3, 3)),
    "relu_pos": (lambda x, y: x.relu(), lambda x, y: max(x, 0.0), (0.1, 3), (-3, 3)),
    "relu_neg": (lambda x, y: x.relu(), lambda x, y: max(x, 0.0), (-3, -0.1), (-3, 3)),
    "tanh": (lambda x, y: x.tanh(), lambda x, y: math.tanh(x), (-3, 3), (-3, 3)),
    "exp": (lambda x, y: x.exp(), lambda x, y: math.exp(x), (-3, 3), (-3, 3)),
    "log": (lambda x, y: x.log(), lambda x, y: math.log(x), (0.2, 3), (-3, 3)),
    "sigmoid": (lambda x, y: x.sigmoid(), lambda x, y: sigmoid(x), (-6, 6), (-3, 3)),
    "sigmoid_far": (lambda x, y: x.sigmoid(), lambda x, y: sigmoid(x), (-40, -20), (-3, 3)),
}


def _scalar_vjp(fn, *xs):
    """d fn / d x for each x, by central differences in float64."""
    return [float(g) for g in numerical_vjp(lambda *a: fn(*(float(v) for v in a)), list(xs), 1.0)]


@pytest.mark.parametrize("name", sorted(OPS))
@given(data=st.data())
def test_op_matches_math_and_central_differences(name, data):
    on_values, on_floats, (xlo, xhi), (ylo, yhi) = OPS[name]
    x = data.draw(st.floats(xlo, xhi), label="x")
    y = data.draw(st.floats(ylo, yhi), label="y")
    a, b = Value(x), Value(y)
    out = on_values(a, b)
    out.backward()
    assert type(out.data) is float and out.data == pytest.approx(on_floats(x, y), rel=1e-12, abs=1e-12)
    dx, dy = _scalar_vjp(on_floats, x, y)
    assert a.grad == pytest.approx(dx, rel=1e-6, abs=1e-6)
    assert b.grad == pytest.approx(dy, rel=1e-6, abs=1e-6)
    assert out.grad == 1.0


# micrograd's own test/test_engine.py: its expressions, checked there against torch in
# float64; here against the numbers torch gives and against float64 Tensors.

def micrograd_sanity(x):
    z = 2 * x + 2 + x
    q = z.relu() + z * x
    h = (z * z).relu()
    return h + q + q * x


def micrograd_more_ops(a, b):
    c = a + b
    d = a * b + b**3
    c += c + 1
    c += 1 + c + (-a)
    d += d * 2 + (b + a).relu()
    d += 3 * d + (b - a).relu()
    e = c - d
    f = e**2
    g = f / 2.0
    g += 10.0 / f
    return g


def f64(x):
    return autograd.tensor(x, dtype=autograd.float64, requires_grad=True)


def test_micrograd_sanity_check():
    x = Value(-4.0)
    y = micrograd_sanity(x)
    y.backward()
    assert (y.data, x.grad) == (-20.0, 46.0)  # torch's numbers, exactly
    xt = f64(-4.0)
    yt = micrograd_sanity(xt)
    yt.backward()
    assert (y.data, x.grad) == (yt.item(), xt.grad.item())


def test_micrograd_more_ops():
    a, b = Value(-4.0), Value(2.0)
    g = micrograd_more_ops(a, b)
    g.backward()
    torch_numbers = (24.70408163265306, 138.83381924198252, 645.5772594752186)
    assert (g.data, a.grad, b.grad) == pytest.approx(torch_numbers, abs=1e-6)
    at, bt = f64(-4.0), f64(2.0)
    gt = micrograd_more_ops(at, bt)
    gt.backward()
    assert (g.data, a.grad, b.grad) == pytest.approx((gt.item(), at.grad.item(), bt.grad.item()), rel=1e-12)


@pytest.mark.parametrize("fn, torch_numbers", [
    ("tanh", [(-0.7615941559557649, 0.41997434161402614), (0.12238344189440876, 0.9850222931500778),
              (0.9640275800758169, 0.07065082485316443)]),
    ("exp", [(0.36787944117144233, 0.36787944117144233), (1.1308844209474893, 1.1308844209474893),
             (7.38905609893065, 7.38905609893065)]),
])
def test_micrograd_unary_fns(fn, torch_numbers):
    for x, expected in zip([-1.0, 0.123, 2.0], torch_numbers):
        v = Value(x)
        y = getattr(v, fn)()
        y.backward()
        assert (y.data, v.grad) == pytest.approx(expected, abs=1e-6)


# Random expressions: each step applies an op to one or two earlier nodes (reuse
# gives shared subexpressions and diamonds); the output sums the last three.
BINARY = {"add": lambda p, q: p + q, "mul": lambda p, q: p * q, "sub": lambda p, q: p - q,
          "div": lambda p, q: p / (q * q + 0.5)}
UNARY = {"tanh": lambda p: p.tanh(), "sigmoid": lambda p: p.sigmoid(), "relu": lambda p: p.relu(),
         "exp": lambda p: (p * 0.1).exp(), "log": lambda p: (p * p + 1.0).log(),
         "square": lambda p: p**2, "rpow": lambda p: 1.5**p, "scale": lambda p: 0.5 * p + 0.25,
         "neg": lambda p: 1.0 - p}


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


@given(program=programs())
def test_random_expressions_match_float64_tensors(program):
    leaves, steps = program
    values = [Value(v) for v in leaves]
    out, nodes = run_program(steps, values)
    assume(all(abs(v.data) < 1e6 for v in nodes))
    assume(all(abs(v.data) > 1e-9 for v in nodes if v._op == "relu"))  # (away from relu's kink)
    out.backward()
    tensors = [f64(v) for v in leaves]
    out_t, nodes_t = run_program(steps, tensors)
    for t in nodes_t[len(leaves):]:
        t.retain_grad()
    out_t.backward()
    assert out.data == pytest.approx(out_t.item(), rel=1e-12, abs=1e-12)
    # every Value keeps its gradient, leaves and intermediates alike (an unused one has 0)
    for v, t in zip(nodes, nodes_t):
        expected = 0.0 if t.grad is None else t.grad.item()
        assert v.grad == pytest.approx(expected, rel=1e-9, abs=1e-12)


# micrograd's nn.py, written again in its style, run on autograd.Value: its demo's
# training loop (SVM loss, L2 penalty, `p.grad = 0`, SGD) gives micrograd's numbers.

class Neuron:
    def __init__(self, nin, nonlin=True):
        self.w = [Value(random.uniform(-1, 1)) for _ in range(nin)]
        self.b = Value(0)
        self.nonlin = nonlin

    def __call__(self, x):
        act = sum((wi * xi for wi, xi in zip(self.w, x)), self.b)
        return act.relu() if self.nonlin else act

    def parameters(self):
        return self.w + [self.b]


class MLP:
    def __init__(self, nin, nouts):
        sizes = [nin] + nouts
        self.layers = [[Neuron(sizes[i], nonlin=i != len(nouts) - 1) for _ in range(sizes[i + 1])]
                       for i in range(len(nouts))]

    def __call__(self, x):
        for layer in self.layers:
            x = [n(x) for n in layer]
        return x[0] if len(x) == 1 else x

    def parameters(self):
        return [p for layer in self.layers for n in layer for p in n.parameters()]

    def zero_grad(self):
        for p in self.parameters():
            p.grad = 0


def test_micrograd_demo_training_loop_gives_micrograds_numbers():
    random.seed(1337)
    model = MLP(2, [4, 4, 1])
    X = [[0.5, -1.0], [1.5, 0.3], [-0.7, 0.8], [0.1, 0.2]]
    Y = [1, -1, 1, -1]
    losses = []
    for _ in range(5):
        scores = [model(list(map(Value, x))) for x in X]
        data_loss = sum((1 + -yi * s).relu() for yi, s in zip(Y, scores)) * (1.0 / len(scores))
        loss = data_loss + 1e-4 * sum(p * p for p in model.parameters())
        model.zero_grad()
        loss.backward()
        for p in model.parameters():
            p.data -= 0.1 * p.grad
        losses.append(loss.data)
    # micrograd 0.1.0's nn.MLP(2, [4, 4, 1]) and engine, same seed, same loop
    micrograd = [0.8229635267682752, 0.793679213209515, 0.7750838728318606, 0.7618039490169624,
                 0.7488355311949202]
    assert losses == pytest.approx(micrograd, rel=1e-12)


def test_grad_reset_to_an_int_zero_then_backward():
    a, b = Value(2.0), Value(-3.0)
    (a * b).backward()
    a.grad = b.grad = 0  # micrograd's zero_grad
    (a * b + a).backward()
    assert (a.grad, b.grad) == (-2.0, 2.0)
    assert type(a.grad) is float


def test_sum_of_values():
    xs = [Value(float(i)) for i in range(5)]
    total = sum(x * x for x in xs)
    total.backward()
    assert total.data == 30.0
    assert [x.grad for x in xs] == [0.0, 2.0, 4.0, 6.0, 8.0]


def test_intermediates_keep_their_gradient_and_leaves_accumulate():
    a, b = Value(2.0), Value(-3.0)
    c = a * b
    d = c + a  # dd/da = b + 1, dd/db = a, dd/dc = 1
    d.backward()
    assert (a.grad, b.grad, c.grad, d.grad) == (-2.0, 2.0, 1.0, 1.0)
    d.backward()  # leaves accumulate, as in PyTorch; the ops' Values hold this call's gradient
    assert (a.grad, b.grad, c.grad, d.grad) == (-4.0, 4.0, 1.0, 1.0)


def test_repr_label_and_name():
    v = Value(2, label="v")
    assert repr(v) == "Value(data=2.0, grad=0.0)"
    assert v.label == v.name == "v"
    w = v * 3
    w.name = "w"
    assert w.label == "w" and Value(1.0, name="u").label == "u"


def test_a_subclass_of_value_gets_its_gradients_in_either_position():
    class Named(Value):
        __slots__ = ()

    a, b = Value(1.5), Named(-2.0)
    out = a * b + b * a + (b + a).tanh()
    out.backward()
    t = math.tanh(-0.5)
    assert (a.grad, b.grad) == (pytest.approx(2 * -2.0 + 1 - t * t), pytest.approx(2 * 1.5 + 1 - t * t))


def test_a_million_op_chain_backprops_without_recursion():
    x, c = Value(1.0), Value(1.0000001)
    y = x
    start = time.perf_counter()
    for _ in range(1_000_000):
        y = y * c  # c is shared by every op: one Value used a million times
    y.backward()
    elapsed = time.perf_counter() - start
    assert x.grad == pytest.approx(c.data**1_000_000, rel=1e-9)
    assert c.grad == pytest.approx(1_000_000 * c.data**999_999, rel=1e-6)
    del y
    assert elapsed < 30  # about 1-2 s; a guard against something quadratic


# bad input

def test_a_complex_result_raises_a_value_error_naming_the_op():
    with pytest.raises(ValueError, match=r"-8\.0 \*\* 0\.333.* is a complex number"):
        Value(-8) ** (1 / 3)
    with pytest.raises(ValueError, match=r"-2\.0 \*\* 0\.5 is a complex number"):
        (-2.0) ** Value(0.5)
    assert (Value(-2.0) ** 3).data == -8.0  # an integer exponent is fine


def test_the_slope_of_a_root_at_zero_is_infinite():
    x = Value(0)
    (x**0.5).backward()
    assert x.grad == math.inf
    x = Value(0.0)
    (x**0).backward()
    assert x.grad == 0.0
    x = Value(0.0)
    (x**2).backward()
    assert x.grad == 0.0


def test_log_of_a_non_positive_value_raises():
    with pytest.raises(ValueError, match=r"log\(\): needs a positive value, got -1.0"):
        Value(-1.0).log()


@pytest.mark.parametrize("op", ["+", "-", "*", "/", "**"])
def test_value_and_tensor_do_not_mix(op):
    v, t = Value(2.0), autograd.tensor([1.0, 2.0], requires_grad=True)
    fn = {"+": lambda p, q: p + q, "-": lambda p, q: p - q, "*": lambda p, q: p * q,
          "/": lambda p, q: p / q, "**": lambda p, q: p**q}[op]
    with pytest.raises(TypeError, match=r"use autograd\.tensor\(\.\.\.\)"):
        fn(v, t)
    with pytest.raises(TypeError, match=r"use autograd\.tensor\(\.\.\.\)"):
        fn(t, v)


def test_a_value_combines_only_with_numbers_and_values():
    for fn in (lambda p, q: p + q, lambda p, q: q * p, lambda p, q: p**q):
        with pytest.raises(TypeError, match=r"Value \S+ str: a Value combines only with Values, ints and"):
            fn(Value(2.0), "2")
