"""`linear`, `mse_loss` and `nll_loss` are one node each (PyTorch's
`AddmmBackward0`, `MseLossBackward0`, `NllLossBackward0`): the same values and gradients as the ops they fuse, checked
against central differences to second order, over shapes Hypothesis draws."""

import warnings

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

import autograd
import nn.functional as F

_shapes = st.lists(st.integers(1, 4), min_size=0, max_size=3)


def _leaf(rng, shape):
    return autograd.tensor(rng.standard_normal(shape), requires_grad=True)


def _grads(out, inputs):
    return autograd.grad(out.sum(), inputs)


@given(lead=_shapes, n_in=st.integers(1, 4), n_out=st.integers(1, 4), bias=st.booleans(), seed=st.integers(0, 99))
def test_linear_is_x_wT_plus_b_in_one_node(lead, n_in, n_out, bias, seed):
    rng = np.random.default_rng(seed)
    x, w = _leaf(rng, (*lead, n_in)), _leaf(rng, (n_out, n_in))
    inputs = (x, w, _leaf(rng, (n_out,))) if bias else (x, w)
    fused = F.linear(*inputs)
    plain = x @ w.T + inputs[2] if bias else x @ w.T
    assert fused.grad_fn.name() == ("AddmmBackward0" if bias else "MmBackward0")
    np.testing.assert_allclose(fused.numpy(), plain.numpy(), rtol=1e-12, atol=1e-12)
    for a, b in zip(_grads(fused, inputs), _grads(plain, inputs)):
        np.testing.assert_allclose(a.numpy(), b.numpy(), rtol=1e-12, atol=1e-12)
    assert autograd.gradcheck(F.linear, inputs) and autograd.gradgradcheck(F.linear, inputs)


@given(shape=_shapes, broadcast=st.booleans(), reduction=st.sampled_from(["mean", "sum", "none"]),
       seed=st.integers(0, 99))
def test_mse_loss_is_one_node(shape, broadcast, reduction, seed):
    rng = np.random.default_rng(seed)
    x = _leaf(rng, shape)
    y = _leaf(rng, shape[1:] if broadcast and shape else shape)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the broadcast warning, tested in test_loss.py
        loss = F.mse_loss(x, y, reduction=reduction)
        diff = x - y
        plain = {"mean": (diff * diff).mean(), "sum": (diff * diff).sum(), "none": diff * diff}[reduction]
        assert loss.grad_fn.name() == "MseLossBackward0"
        np.testing.assert_allclose(loss.numpy(), plain.numpy(), rtol=1e-12)
        for a, b in zip(_grads(loss, (x, y)), _grads(plain, (x, y))):
            np.testing.assert_allclose(a.numpy(), b.numpy(), rtol=1e-12, atol=1e-12)
        fn = lambda a, b: F.mse_loss(a, b, reduction=reduction)  # noqa: E731
        assert autograd.gradcheck(fn, (x, y)) and autograd.gradgradcheck(fn, (x, y))


@given(n=st.integers(1, 4), classes=st.integers(1, 4), extra=st.lists(st.integers(1, 3), max_size=2),
       reduction=st.sampled_from(["mean", "sum", "none"]), weighted=st.booleans(), ignore=st.booleans(),
       seed=st.integers(0, 99))
def test_nll_loss_is_one_node(n, classes, extra, reduction, weighted, ignore, seed):
    rng = np.random.default_rng(seed)
    x = _leaf(rng, (n, classes, *extra))
    target = autograd.tensor(rng.integers(0, classes, (n, *extra)))
    weight = autograd.tensor(rng.uniform(0.5, 2.0, classes)) if weighted else None
    ignore_index = int(target.numpy().flat[0]) if ignore else -100
    loss = F.nll_loss(x, target, weight=weight, ignore_index=ignore_index, reduction=reduction)
    # the plain path: pick with gather, weight, reduce
    picked = x.gather(1, target.unsqueeze(1)).squeeze(1)
    w = (weight.numpy()[target.numpy()] if weighted else np.ones(target.shape)) * (target.numpy() != ignore_index)
    per_target = -picked * autograd.tensor(w)
    with np.errstate(invalid="ignore"):  # every target ignored: 0 / 0
        plain = {"none": per_target, "sum": per_target.sum(), "mean": per_target.sum() / float(w.sum())}[reduction]
    assert loss.grad_fn.name() == "NllLossBackward0"
    np.testing.assert_allclose(loss.numpy(), plain.numpy(), rtol=1e-12)
    if np.all(np.isfinite(plain.numpy())):  # (every target ignored: the mean is NaN, as in PyTorch)
        np.testing.assert_allclose(_grads(loss, (x,))[0].numpy(), _grads(plain, (x,))[0].numpy(), rtol=1e-12)
        fn = lambda a: F.nll_loss(a, target, weight=weight, ignore_index=ignore_index, reduction=reduction)  # noqa: E731
        assert autograd.gradcheck(fn, (x,)) and autograd.gradgradcheck(fn, (x,))
