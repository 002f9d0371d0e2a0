"""nn.utils: gradient clipping and parameter vectors, against NumPy and torch.nn.utils."""

import numpy as np
import pytest

import autograd
from nn import utils
from tests.torch_oracle import GLASSGRAD, torch_library


def _params(seed=0, scale=1.0):
    rng = np.random.default_rng(seed)
    params = [
        autograd.tensor(rng.standard_normal(s).astype(np.float32), requires_grad=True)
        for s in [(3, 4), (5,), (2, 2)]
    ]
    for p in params[:2]:  # the last one has no gradient
        p.grad = autograd.tensor((scale * rng.standard_normal(p.shape)).astype(np.float32))
    return params


@pytest.mark.parametrize("norm_type", [2.0, 1, 3.5, float("inf"), "inf"])
def test_clip_grad_norm_scales_to_max_norm(norm_type):
    params = _params(scale=10.0)
    grads = [p.grad.numpy().astype(np.float64) for p in params[:2]]
    flat = np.concatenate([g.ravel() for g in grads])
    order = float(norm_type)
    expected = np.abs(flat).max() if order == np.inf else (np.abs(flat) ** order).sum() ** (1 / order)
    total = utils.clip_grad_norm_(params, max_norm=1.0, norm_type=norm_type)
    assert isinstance(total, autograd.Tensor) and total.shape == () and total.dtype == np.float32
    np.testing.assert_allclose(float(total), expected, rtol=1e-5)
    coef = 1.0 / (expected + 1e-6)
    for p, g in zip(params, grads):
        np.testing.assert_allclose(p.grad.numpy(), g * coef, rtol=1e-5)
    assert params[2].grad is None


def test_clip_grad_norm_leaves_small_gradients_alone():
    params = _params(scale=1e-3)
    before = [p.grad.numpy().copy() for p in params[:2]]
    utils.clip_grad_norm_(params, max_norm=10.0)
    for p, g in zip(params, before):
        np.testing.assert_array_equal(p.grad.numpy(), g)


def test_clip_grad_norm_single_tensor_empty_and_nonfinite():
    p = autograd.tensor([3.0, 4.0], requires_grad=True)
    p.grad = autograd.tensor([3.0, 4.0])
    assert float(utils.clip_grad_norm_(p, 1.0)) == 5.0
    np.testing.assert_allclose(p.grad.numpy(), [0.6, 0.8], rtol=1e-5)
    q = autograd.tensor([1.0], requires_grad=True)
    assert float(utils.clip_grad_norm_([q], 1.0)) == 0.0
    with pytest.warns(UserWarning, match="empty generator"):
        utils.clip_grad_norm_((x for x in []), 1.0)
    p.grad = autograd.tensor([np.inf, 1.0])
    with pytest.raises(RuntimeError, match="non-finite"):
        utils.clip_grad_norm_(p, 1.0, error_if_nonfinite=True)
    assert not np.isfinite(float(utils.clip_grad_norm_(p, 1.0)))


@pytest.mark.parametrize("norm_type", [2.0, 1.0, float("inf"), 0.5])
def test_clip_grad_norm_matches_torch(torch_oracle, norm_type):
    params = _params(seed=1, scale=5.0)
    values = {f"param {i}": p.numpy().copy() for i, p in enumerate(params)}
    grads = {f"grad {i}": p.grad.numpy().copy() for i, p in enumerate(params) if p.grad is not None}

    def clipped(lib, params):
        total = lib.nn.utils.clip_grad_norm_(params, 2.0, norm_type)
        return {"total": total} | {f"grad {i}": p.grad for i, p in enumerate(params)}

    def theirs(torch):
        tparams = [torch.tensor(value, requires_grad=True) for value in values.values()]
        for i, p in enumerate(tparams):
            p.grad = torch.tensor(grads[f"grad {i}"]) if f"grad {i}" in grads else None
        return clipped(torch_library(torch), tparams)

    torch_oracle.check(clipped(GLASSGRAD, params), theirs, inputs=values | grads, rtol=1e-5, atol=1e-7)


def test_clip_grad_value():
    params = _params(scale=3.0)
    expected = [np.clip(p.grad.numpy(), -0.5, 0.5) for p in params[:2]]
    assert utils.clip_grad_value_(params, 0.5) is None
    for p, e in zip(params, expected):
        np.testing.assert_array_equal(p.grad.numpy(), e)
        assert p.grad.dtype == np.float32


def test_parameters_to_vector_and_back():
    params = _params()
    vec = utils.parameters_to_vector(params)
    assert vec.shape == (12 + 5 + 4,)
    np.testing.assert_array_equal(vec.numpy(), np.concatenate([p.numpy().ravel() for p in params]))
    vec.sum().backward()  # differentiable, as in PyTorch
    assert params[2].grad is not None

    new = autograd.arange(21, dtype=autograd.float32)
    utils.vector_to_parameters(new, params)
    np.testing.assert_array_equal(params[0].numpy(), np.arange(12).reshape(3, 4))
    np.testing.assert_array_equal(params[2].numpy(), [[17, 18], [19, 20]])
    with pytest.raises(TypeError, match="expected autograd.Tensor"):
        utils.vector_to_parameters(np.zeros(21), params)
    with pytest.raises(RuntimeError, match="21"):
        utils.vector_to_parameters(autograd.zeros(5), params)
