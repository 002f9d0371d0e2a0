"""Layers: outputs and gradients against PyTorch (same weights copied in), against
closed forms, and against central differences (gradcheck in float64)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings

import autograd
import nn
import nn.functional as F
from autograd.testing import shapes, tensors
from tests.nn.compare import assert_close, compare, compare_modules, seeded_normal, with_seeded_parameters
from tests.torch_oracle import GLASSGRAD, torch_library

RNG = np.random.default_rng(1234)


def randn(*shape, dtype=np.float32):
    return RNG.standard_normal(shape).astype(dtype)


def gradcheck_module(module, *inputs):
    """Central differences for the inputs and every parameter of a float64 module."""
    module.double()
    params = tuple(module.parameters())
    n = len(inputs)
    assert autograd.gradcheck(lambda *args: module(*args[:n]), inputs + params)


def x64(*shape, scale=1.0):
    return autograd.tensor(randn(*shape, dtype=np.float64) * scale, requires_grad=True)


# --- Linear --------------------------------------------------------------------------


@pytest.mark.parametrize("bias", [True, False])
@pytest.mark.parametrize("shape", [(5, 3), (2, 4, 3), (3,)])
def test_linear_matches_torch(torch_oracle, bias, shape):
    ours = with_seeded_parameters(nn.Linear(3, 4, bias=bias))
    compare_modules(torch_oracle, ours, lambda lib: lib.nn.Linear(3, 4, bias=bias), seeded_normal(1, *shape))


def test_linear_closed_form_and_gradcheck():
    m = nn.Linear(2, 1)
    m.load_state_dict({"weight": autograd.tensor([[2.0, -1.0]]), "bias": autograd.tensor([0.5])})
    assert_close(m(autograd.tensor([[1.0, 3.0]])), [[-0.5]])
    gradcheck_module(nn.Linear(3, 2), x64(2, 3))


def test_linear_default_init_and_dtype():
    autograd.manual_seed(0)
    m = nn.Linear(50, 40)
    bound = 1 / math.sqrt(50)
    assert np.abs(m.weight.numpy()).max() <= bound and np.abs(m.weight.numpy()).max() > 0.9 * bound
    assert np.abs(m.bias.numpy()).max() <= bound
    assert m.weight.dtype == np.float32 and m.weight.shape == (40, 50)
    assert nn.Linear(2, 3, dtype=autograd.float64).weight.dtype == np.float64


def test_linear_wrong_in_features_names_the_shapes():
    with pytest.raises(
        RuntimeError, match=r"Linear\(in_features=4, out_features=2, bias=True\).*\(\*, 4\).*\(3, 5\)"
    ):
        nn.Linear(4, 2)(autograd.zeros(3, 5))


# --- Flatten, Unflatten, Identity ---------------------------------------------------------


@pytest.mark.parametrize("args", [(), (0,), (1, 2), (0, -2)])
def test_flatten_matches_torch(torch_oracle, args):
    compare(torch_oracle, lambda lib: lib.nn.Flatten(*args), seeded_normal(0, 2, 3, 4, 2))


def test_unflatten_matches_torch_and_checks_sizes(torch_oracle):
    compare(torch_oracle, lambda lib: lib.nn.Unflatten(1, (3, 4)), seeded_normal(0, 2, 12, 5), case="(3, 4)")
    compare(torch_oracle, lambda lib: lib.nn.Unflatten(-1, (2, -1)), seeded_normal(1, 2, 12), case="(2, -1)")
    with pytest.raises(RuntimeError, match=r"unflattened_size \(5, 2\).*size 12"):
        nn.Unflatten(1, (5, 2))(autograd.zeros(2, 12))


def test_identity_passes_input_through():
    x = autograd.randn(3)
    assert nn.Identity(54, unused="argument")(x) is x


# --- Embedding -------------------------------------------------------------------------


def test_embedding_matches_torch_with_padding_and_repeats(torch_oracle):
    ours = nn.Embedding(6, 3, padding_idx=2)
    assert not ours.weight.numpy()[2].any()  # the padding row starts at zero
    index = np.array([[0, 2, 5], [5, 5, 2]])
    compare_modules(
        torch_oracle, with_seeded_parameters(ours), lambda lib: lib.nn.Embedding(6, 3, padding_idx=2), index
    )
    assert not ours.weight.grad.numpy()[2].any()
    assert_close(ours.weight.grad.numpy()[1], np.zeros(3))  # unused row


def test_embedding_padding_row_keeps_its_value_but_gets_no_gradient():
    m = nn.Embedding(3, 2, padding_idx=0)
    with autograd.no_grad():
        m.weight[0] = 7.0
    out = m(autograd.tensor([0, 1, 0]))
    assert_close(out[0], [7.0, 7.0])
    out.sum().backward()
    assert_close(m.weight.grad, [[0, 0], [1, 1], [0, 0]])


@pytest.mark.parametrize(
    "options", [{"max_norm": 1.0}, {"max_norm": 0.5, "norm_type": 1.0}, {"scale_grad_by_freq": True}], ids=str
)
def test_embedding_options_match_torch(torch_oracle, options):
    ours = with_seeded_parameters(nn.Embedding(5, 4, **options))
    compare_modules(
        torch_oracle, ours, lambda lib: lib.nn.Embedding(5, 4, **options), np.array([[1, 3, 3], [3, 0, 1]])
    )


def test_embedding_from_pretrained_and_errors():
    weights = autograd.tensor([[1.0, 2.0], [3.0, 4.0]])
    frozen = nn.Embedding.from_pretrained(weights)
    assert not frozen.weight.requires_grad
    assert_close(frozen(autograd.tensor([1, 0])), [[3.0, 4.0], [1.0, 2.0]])
    assert nn.Embedding.from_pretrained(weights, freeze=False).weight.requires_grad
    with pytest.raises(RuntimeError, match="integer indices"):
        frozen(autograd.tensor([0.0, 1.0]))
    with pytest.raises(IndexError, match=r"\[0, 2\)"):
        frozen(autograd.tensor([2]))
    with pytest.raises(ValueError, match="padding_idx"):
        nn.Embedding(3, 2, padding_idx=3)


def test_embedding_gradcheck():
    m = nn.Embedding(4, 2, padding_idx=1).double()
    index = autograd.tensor([[0, 2], [3, 3]])  # row 1 (padding) unused: its zero gradient is by design
    assert autograd.gradcheck(lambda w: m(index), (m.weight,))


def test_one_hot_matches_torch(torch_oracle):
    index = np.array([[0, 3], [2, 1]])
    compare(torch_oracle, lambda lib: lib.F.one_hot, index)
    assert F.one_hot(autograd.tensor([1]), num_classes=4).tolist() == [[0, 1, 0, 0]]
    with pytest.raises(RuntimeError, match="smaller than num_classes"):
        F.one_hot(autograd.tensor([4]), 3)


# --- Dropout ------------------------------------------------------------------------------


def test_dropout_zeroes_a_fraction_p_and_scales_the_rest():
    autograd.manual_seed(0)
    m = nn.Dropout(0.3)
    x = autograd.ones(200, 100, requires_grad=True)
    y = m(x)
    kept = y.numpy() != 0
    assert abs(1 - kept.mean() - 0.3) < 0.01
    assert_close(y.numpy()[kept], np.full(kept.sum(), 1 / 0.7))
    y.sum().backward()
    assert_close(x.grad, kept / 0.7)
    assert m.eval()(x) is x


def test_dropout_is_reproducible_and_handles_the_edges():
    x = autograd.ones(4, 5)
    autograd.manual_seed(7)
    a = F.dropout(x, 0.5)
    autograd.manual_seed(7)
    b = F.dropout(x, 0.5)
    assert_close(a, b)
    assert F.dropout(x, 0.0) is x and F.dropout(x, 0.5, training=False) is x
    assert not F.dropout(x, 1.0).numpy().any()
    with pytest.raises(ValueError, match="between 0 and 1"):
        nn.Dropout(1.5)
    inplace = autograd.ones(3, 3)
    assert F.dropout(inplace, 0.5, inplace=True) is inplace


# --- BatchNorm1d -----------------------------------------------------------------------------


@pytest.mark.parametrize("shape", [(8, 3), (4, 3, 5)])
@pytest.mark.parametrize(
    "options",
    [
        {},
        {"momentum": None},
        {"affine": False},
        {"track_running_stats": False},
        {"momentum": 0.5, "eps": 1e-3},
        {"bias": False},
    ],
    ids=str,
)
def test_batchnorm1d_matches_torch_over_several_steps(torch_oracle, shape, options):
    ours = with_seeded_parameters(nn.BatchNorm1d(3, **options))
    twin = lambda lib: lib.nn.BatchNorm1d(3, **options)
    for step in range(3):  # training steps update the running statistics identically
        x = seeded_normal(step, *shape) * 2 + step
        compare_modules(torch_oracle, ours, twin, x, case=f"step {step}", rtol=1e-4, atol=1e-5)
        ours.zero_grad()
    ours.eval()
    compare_modules(torch_oracle, ours, twin, seeded_normal(3, *shape), case="eval", rtol=1e-4, atol=1e-5)


def test_batchnorm1d_running_stats_closed_form():
    m = nn.BatchNorm1d(2, momentum=None)
    batches = [randn(6, 2) for _ in range(3)]
    for batch in batches:
        m(autograd.tensor(batch))
    every = np.concatenate(batches)
    assert_close(m.running_mean, np.mean(batches, axis=(0, 1)), atol=1e-6)  # cumulative average
    assert_close(m.running_var, np.mean([b.var(0, ddof=1) for b in batches], axis=0), atol=1e-5)
    assert m.num_batches_tracked.item() == 3 and m.num_batches_tracked.dtype == np.int64
    m.eval()
    x = autograd.tensor(every[:2])
    expected = (every[:2] - m.running_mean.numpy()) / np.sqrt(m.running_var.numpy() + 1e-5)
    assert_close(m(x), expected, atol=1e-6)
    assert m.num_batches_tracked.item() == 3  # eval does not count


def test_batchnorm1d_gradcheck_in_training_and_eval():
    m = nn.BatchNorm1d(2)
    with autograd.no_grad():
        m.weight.copy_(autograd.tensor([1.5, -0.5]))
        m.bias.copy_(autograd.tensor([0.1, 0.2]))
    gradcheck_module(m, x64(4, 2))
    gradcheck_module(m, x64(2, 2, 2))
    m.eval()
    gradcheck_module(m, x64(3, 2))


def test_batchnorm1d_errors_name_the_layer_and_shapes():
    m = nn.BatchNorm1d(3)
    with pytest.raises(ValueError, match=r"BatchNorm1d\(3.*expected 2D or 3D input \(got 4D"):
        m(autograd.zeros(2, 3, 4, 5))
    with pytest.raises(RuntimeError, match=r"\(N, 3\).*got \(2, 4\)"):
        m(autograd.zeros(2, 4))
    with pytest.raises(ValueError, match="more than 1 value per channel"):
        m(autograd.zeros(1, 3))


# --- LayerNorm -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "shape, normalized, options",
    [
        ((4, 5), 5, {}),
        ((2, 3, 4), (3, 4), {}),
        ((3, 4), [4], {"elementwise_affine": False}),
        ((3, 4), 4, {"bias": False, "eps": 1e-3}),
    ],
)
def test_layernorm_matches_torch(torch_oracle, shape, normalized, options):
    ours = with_seeded_parameters(nn.LayerNorm(normalized, **options))  # non-trivial affine parameters
    twin = lambda lib: lib.nn.LayerNorm(normalized, **options)
    compare_modules(torch_oracle, ours, twin, seeded_normal(1, *shape) * 3 + 1, rtol=1e-4, atol=1e-5)


def test_layernorm_gradcheck_and_error():
    m = nn.LayerNorm(3)
    with autograd.no_grad():
        m.weight.copy_(autograd.tensor([0.5, 2.0, -1.0]))
    gradcheck_module(m, x64(2, 3))
    with pytest.raises(RuntimeError, match=r"LayerNorm\(\(3,\).*\(\*, 3\).*\(2, 4\)"):
        m(autograd.zeros(2, 4, dtype=autograd.float64))
    with pytest.raises(RuntimeError, match=r"normalized_shape=\[3\].*\[\*, 3\].*\(2, 4\)"):
        F.layer_norm(autograd.zeros(2, 4), (3,))


# --- activations ------------------------------------------------------------------------------

ACTIVATIONS = [
    ("ReLU", {}),
    ("LeakyReLU", {}),
    ("LeakyReLU", {"negative_slope": 0.2}),
    ("ELU", {}),
    ("ELU", {"alpha": 0.5}),
    ("GELU", {}),
    ("GELU", {"approximate": "tanh"}),
    ("SiLU", {}),
    ("Sigmoid", {}),
    ("Tanh", {}),
    ("Softplus", {}),
    ("Softplus", {"beta": 2.0, "threshold": 5.0}),
    ("Softmax", {"dim": 1}),
    ("Softmax", {"dim": 0}),
    ("LogSoftmax", {"dim": 1}),
    ("LogSoftmax", {"dim": -1}),
]


@pytest.mark.parametrize("name, options", ACTIVATIONS, ids=[f"{n}{o or ''}" for n, o in ACTIVATIONS])
def test_activation_matches_torch_including_large_inputs(torch_oracle, name, options):
    x = np.concatenate([seeded_normal(0, 4, 5) * 3, np.array([[-1e4, -30.0, 0.5, 30.0, 1e4]], np.float32)])
    compare(
        torch_oracle, lambda lib: getattr(lib.nn, name)(**options), x, case="float32", rtol=1e-5, atol=1e-6
    )
    compare(
        torch_oracle,
        lambda lib: getattr(lib.nn, name)(**options).double(),
        x.astype(np.float64),
        case="float64",
        rtol=1e-6,
        atol=1e-7,
    )


@pytest.mark.parametrize("name, options", ACTIVATIONS)
def test_activation_gradcheck(name, options):
    x = autograd.tensor(np.array([[-2.0, -0.7, 0.3, 1.1], [2.4, -0.2, 0.9, 6.0]]), requires_grad=True)
    assert autograd.gradcheck(getattr(nn, name)(**options), (x,))


ACTIVATION_FUNCTIONS = {
    "relu": lambda lib, v: lib.F.relu(v),
    "leaky_relu": lambda lib, v: lib.F.leaky_relu(v),
    "elu": lambda lib, v: lib.F.elu(v),
    "gelu": lambda lib, v: lib.F.gelu(v),
    "silu": lambda lib, v: lib.F.silu(v),
    "sigmoid": lambda lib, v: lib.torch.sigmoid(v),
    "tanh": lambda lib, v: lib.torch.tanh(v),
    "softplus": lambda lib, v: lib.F.softplus(v),
    "softmax(-1)": lambda lib, v: lib.F.softmax(v, -1),
    "log_softmax(0)": lambda lib, v: lib.F.log_softmax(v, 0),
}


def _activation_functions(x, upstream, lib):
    """Every activation function of x, and its gradient for the upstream gradient."""
    results = {}
    for name, fn in ACTIVATION_FUNCTIONS.items():
        leaf = lib.torch.tensor(x, requires_grad=True)
        results[name] = out = fn(lib, leaf)
        out.backward(lib.torch.tensor(upstream))
        results[f"grad of {name}"] = leaf.grad
    return results


@pytest.mark.parametrize("shape", [(), (5,), (2, 3), (2, 1, 4)], ids=str)
def test_activation_functions_match_torch_on_any_shape(torch_oracle, shape):
    rng = np.random.default_rng(len(shape))
    x, upstream = rng.uniform(-8.0, 8.0, shape), rng.standard_normal(shape)
    if shape:
        x.flat[0] = 0.0  # the kinks: PyTorch's choice of derivative at 0
    torch_oracle.check_same(
        lambda lib: _activation_functions(x, upstream, lib),
        inputs={"x": x, "upstream": upstream},
        rtol=1e-6,
        atol=1e-7,
    )


@settings(max_examples=15)
@given(tensors(shapes(min_dims=1, max_dims=3), min_value=-8.0, max_value=8.0, avoid=(0.0,)))
def test_activation_functions_match_live_torch_on_hypothesis_shapes(x):
    torch = pytest.importorskip("torch")  # the recorded shapes above run without torch
    x, upstream = x.numpy(), np.random.default_rng(0).standard_normal(x.shape)
    ours = _activation_functions(x, upstream, GLASSGRAD)
    for name, expected in _activation_functions(x, upstream, torch_library(torch)).items():
        assert_close(ours[name], expected, rtol=1e-6, atol=1e-7, what=name)


@pytest.mark.parametrize("name", ["relu", "leaky_relu", "elu", "silu"])
def test_inplace_activations_match_torch(torch_oracle, name):
    x, upstream = seeded_normal(0, 3, 4), seeded_normal(1, 3, 4)

    def run(lib):
        leaf = lib.torch.tensor(x, requires_grad=True)
        inner = leaf * 1.0  # non-leaves may change in place
        out = getattr(lib.F, name)(inner, inplace=True)
        out.backward(lib.torch.tensor(upstream))
        return {"out": out, "grad": leaf.grad, "returns its input": out is inner}

    torch_oracle.check_same(run, inputs={"x": x, "upstream": upstream})
    with pytest.raises(RuntimeError, match="leaf"):
        getattr(F, name)(autograd.zeros(2, requires_grad=True), inplace=True)


def test_softmax_without_dim_warns_and_picks_torchs_dim(torch_oracle):
    x = seeded_normal(0, 2, 3)

    def run(lib):
        with pytest.warns(UserWarning, match="Implicit dimension"):
            return {"out": lib.nn.Softmax()(lib.torch.tensor(x))}

    torch_oracle.check_same(run, inputs={"x": x})


def test_gelu_rejects_unknown_approximation():
    with pytest.raises(RuntimeError, match="'none' or 'tanh'"):
        F.gelu(autograd.zeros(1), approximate="fast")


def test_activation_closed_forms():
    x = autograd.tensor([-1.0, 0.0, 2.0])
    assert_close(nn.ReLU()(x), [0.0, 0.0, 2.0])
    assert_close(nn.LeakyReLU(0.1)(x), [-0.1, 0.0, 2.0])
    assert_close(nn.ELU()(x), [math.exp(-1) - 1, 0.0, 2.0])
    assert_close(nn.SiLU()(x), [-1 / (1 + math.e), 0.0, 2 / (1 + math.exp(-2))])
    assert_close(nn.Softplus()(x), [math.log1p(math.exp(-1)), math.log(2), math.log1p(math.exp(2))])
    assert_close(
        nn.GELU()(x),
        [-0.5 * (1 + math.erf(-1 / math.sqrt(2))), 0.0, 2 * 0.5 * (1 + math.erf(2 / math.sqrt(2)))],
    )
    assert_close(nn.Softmax(dim=0)(x).sum(), 1.0)


def test_property_gradients_of_layers_with_autograd_testing():
    from autograd.testing import check_gradients

    autograd.manual_seed(0)
    check_gradients(nn.Linear(3, 2).double(), tensors((2, 3)), max_examples=5)
    check_gradients(nn.LayerNorm(3).double(), tensors((2, 3)), max_examples=5)
    check_gradients(
        nn.Sequential(nn.Linear(2, 3), nn.GELU(), nn.Linear(3, 1)).double(), tensors((2, 2)), max_examples=5
    )


SECOND_ORDER = {
    "layer_norm": lambda x: F.layer_norm(x, (4,)),
    "batch_norm": lambda x: F.batch_norm(x, None, None, training=True),
    "gelu": F.gelu,
    "gelu_tanh": lambda x: F.gelu(x, approximate="tanh"),
    "elu": F.elu,
    "softplus": F.softplus,
    "silu": F.silu,
}


@pytest.mark.parametrize("name", SECOND_ORDER)
def test_second_derivatives(name):
    x = autograd.tensor(randn(3, 4, dtype=np.float64), requires_grad=True)
    assert autograd.gradgradcheck(SECOND_ORDER[name], (x,))
