"""nn.init: gains and fans as PyTorch, the statistics of each initialiser, in-place
semantics, and reproducibility with autograd.manual_seed."""

from __future__ import annotations

import math

import numpy as np
import pytest

import autograd
import nn
from nn import init
from tests.nn.compare import assert_close

NONLINEARITIES = [
    ("linear", None),
    ("conv1d", None),
    ("conv2d", None),
    ("conv3d", None),
    ("conv_transpose1d", None),
    ("conv_transpose2d", None),
    ("conv_transpose3d", None),
    ("sigmoid", None),
    ("tanh", None),
    ("relu", None),
    ("leaky_relu", None),
    ("leaky_relu", 0.2),
    ("leaky_relu", 1),
    ("selu", None),
]


@pytest.mark.parametrize("nonlinearity, param", NONLINEARITIES)
def test_calculate_gain_matches_torch(torch_oracle, nonlinearity, param):
    torch_oracle.check_same(lambda lib: {"gain": lib.nn.init.calculate_gain(nonlinearity, param)})


def test_calculate_gain_closed_forms_and_errors():
    assert init.calculate_gain("tanh") == 5 / 3
    assert init.calculate_gain("relu") == math.sqrt(2)
    assert init.calculate_gain("leaky_relu", 0.5) == math.sqrt(2 / 1.25)
    with pytest.raises(ValueError, match="Unsupported nonlinearity"):
        init.calculate_gain("swish")
    with pytest.raises(ValueError, match="not a valid number"):
        init.calculate_gain("leaky_relu", True)


@pytest.mark.parametrize("shape", [(3, 5), (4, 2, 3), (6, 3, 2, 2)])
def test_fans_match_torch(torch_oracle, shape):
    torch_oracle.check_same(
        lambda lib: {"fans": lib.nn.init._calculate_fan_in_and_fan_out(lib.torch.zeros(shape))}
    )
    with pytest.raises(ValueError, match="fewer than 2 dimensions"):
        init._calculate_fan_in_and_fan_out(autograd.zeros(3))


def test_kaiming_uniform_bounds_and_std():
    autograd.manual_seed(0)
    w = init.kaiming_uniform_(autograd.empty(400, 250), nonlinearity="relu")
    bound = math.sqrt(2) * math.sqrt(3 / 250)
    assert np.abs(w.numpy()).max() <= bound and np.abs(w.numpy()).max() > 0.99 * bound
    assert abs(w.numpy().std() - bound / math.sqrt(3)) < 0.01 * bound
    fan_out = init.kaiming_uniform_(autograd.empty(100, 400), a=0.2, mode="fan_out")
    assert np.abs(fan_out.numpy()).max() <= init.calculate_gain("leaky_relu", 0.2) * math.sqrt(3 / 100)
    with pytest.raises(ValueError, match="Mode fan_avg not supported"):
        init.kaiming_uniform_(autograd.empty(2, 2), mode="fan_avg")


def test_kaiming_normal_and_xavier_statistics():
    autograd.manual_seed(1)
    w = init.kaiming_normal_(autograd.empty(300, 200), nonlinearity="relu")
    assert abs(w.numpy().std() - math.sqrt(2 / 200)) < 0.02 * math.sqrt(2 / 200)
    assert abs(w.numpy().mean()) < 0.01 * math.sqrt(2 / 200)
    xu = init.xavier_uniform_(autograd.empty(300, 200), gain=2.0)
    bound = 2.0 * math.sqrt(6 / 500)
    assert np.abs(xu.numpy()).max() <= bound and abs(xu.numpy().std() - bound / math.sqrt(3)) < 0.02 * bound
    xn = init.xavier_normal_(autograd.empty(300, 200))
    assert abs(xn.numpy().std() - math.sqrt(2 / 500)) < 0.02 * math.sqrt(2 / 500)


def test_uniform_normal_constant_eye():
    autograd.manual_seed(2)
    u = init.uniform_(autograd.empty(10000), -2.0, 3.0)
    assert u.numpy().min() >= -2.0 and u.numpy().max() < 3.0 and abs(u.numpy().mean() - 0.5) < 0.05
    n = init.normal_(autograd.empty(10000), mean=1.0, std=0.5)
    assert abs(n.numpy().mean() - 1.0) < 0.02 and abs(n.numpy().std() - 0.5) < 0.02
    assert_close(init.constant_(autograd.empty(2, 2), 0.3), np.full((2, 2), 0.3, np.float32))
    assert_close(init.zeros_(autograd.ones(3)), np.zeros(3))
    assert_close(init.ones_(autograd.zeros(3)), np.ones(3))
    assert_close(init.eye_(autograd.empty(2, 3)), np.eye(2, 3))
    with pytest.raises(ValueError, match="2 dimensions"):
        init.eye_(autograd.empty(3))


@pytest.mark.parametrize("shape", [(4, 4), (3, 7), (7, 3), (4, 2, 3)])
def test_orthogonal_gives_orthonormal_rows_or_columns(shape):
    autograd.manual_seed(3)
    w = init.orthogonal_(autograd.empty(shape, dtype=autograd.float64), gain=2.0).numpy().reshape(shape[0], -1)
    rows, cols = w.shape
    gram = w @ w.T if rows <= cols else w.T @ w
    assert_close(gram, 4.0 * np.eye(min(rows, cols)), atol=1e-12)
    with pytest.raises(ValueError, match="2 or more dimensions"):
        init.orthogonal_(autograd.empty(3))


def test_init_works_in_place_on_parameters_without_recording_the_graph():
    p = nn.Parameter(autograd.zeros(3, 4))
    data = p.numpy()
    for fn in (
        init.uniform_,
        init.normal_,
        init.xavier_uniform_,
        init.kaiming_normal_,
        init.orthogonal_,
        init.ones_,
    ):
        assert fn(p) is p
        assert p.numpy() is data and p.grad_fn is None and p.requires_grad and p.is_leaf
    assert p.dtype == np.float32


def test_initialisation_is_reproducible_with_manual_seed():
    def make():
        autograd.manual_seed(123)
        model = nn.Sequential(nn.Linear(3, 4), nn.Embedding(5, 2))
        extra = init.orthogonal_(autograd.empty(3, 3))
        return [p.numpy().copy() for p in model.parameters()] + [extra.numpy().copy()]

    first, second = make(), make()
    assert all(np.array_equal(a, b) for a, b in zip(first, second))
    autograd.manual_seed(124)
    assert not np.array_equal(nn.Linear(3, 4).weight.numpy(), first[0])


def test_a_generator_can_be_passed_and_zero_element_tensors_warn():
    a = init.normal_(autograd.empty(5), generator=np.random.default_rng(0))
    b = init.normal_(autograd.empty(5), generator=np.random.default_rng(0))
    assert_close(a, b)
    with pytest.warns(UserWarning, match="zero-element"):
        init.kaiming_uniform_(autograd.empty(0, 3))
