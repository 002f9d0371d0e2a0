"""Losses: every module and option against PyTorch (outputs and gradients, all
reductions), against closed forms and central differences, and at extreme logits."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import autograd
import nn
import nn.functional as F
from tests.nn.compare import assert_close, compare

RNG = np.random.default_rng(99)


def randn(*shape):
    return RNG.standard_normal(shape).astype(np.float32)


def uniform(low, high, *shape):
    return RNG.uniform(low, high, shape).astype(np.float32)


def log_softmax(x, axis):
    shifted = x - x.max(axis, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis, keepdims=True))


def classes(n, *shape):
    return RNG.integers(0, n, shape)


def probabilities(*shape, axis=1):
    return np.exp(log_softmax(randn(*shape) * 2, axis)).astype(np.float32)


W4 = np.array([0.5, 2.0, 1.0, 3.0], np.float32)
TARGETS_WITH_IGNORED = np.array([0, 3, -100, 1, 2])

# (loss class, options (arrays become tensors of each library), input, target, reductions)
CASES = [
    ("MSELoss", {}, randn(4, 3), randn(4, 3)),
    ("L1Loss", {}, randn(4, 3), randn(4, 3)),
    ("SmoothL1Loss", {}, randn(4, 3) * 2, randn(4, 3)),
    ("SmoothL1Loss", {"beta": 0.5}, randn(4, 3) * 2, randn(4, 3)),
    ("SmoothL1Loss", {"beta": 0.0}, randn(4, 3), randn(4, 3)),
    ("HuberLoss", {}, randn(4, 3) * 2, randn(4, 3)),
    ("HuberLoss", {"delta": 0.3}, randn(4, 3) * 2, randn(4, 3)),
    ("BCELoss", {}, uniform(0.02, 0.98, 4, 3), uniform(0, 1, 4, 3)),
    ("BCELoss", {"weight": uniform(0.5, 2, 3)}, uniform(0.02, 0.98, 4, 3), uniform(0, 1, 4, 3)),
    ("BCEWithLogitsLoss", {}, randn(4, 3) * 3, uniform(0, 1, 4, 3)),
    (
        "BCEWithLogitsLoss",
        {"weight": uniform(0.5, 2, 4, 1), "pos_weight": uniform(0.5, 3, 3)},
        randn(4, 3) * 3,
        uniform(0, 1, 4, 3),
    ),
    ("CrossEntropyLoss", {}, randn(5, 4), classes(4, 5)),
    ("CrossEntropyLoss", {"weight": W4}, randn(5, 4), classes(4, 5)),
    ("CrossEntropyLoss", {"weight": W4, "ignore_index": -100}, randn(5, 4), TARGETS_WITH_IGNORED),
    ("CrossEntropyLoss", {"ignore_index": 1}, randn(5, 4), classes(4, 5)),
    ("CrossEntropyLoss", {"label_smoothing": 0.2}, randn(5, 4), TARGETS_WITH_IGNORED),
    ("CrossEntropyLoss", {"label_smoothing": 0.1, "weight": W4}, randn(5, 4), TARGETS_WITH_IGNORED),
    ("CrossEntropyLoss", {}, randn(2, 4, 3, 2), classes(4, 2, 3, 2)),
    ("CrossEntropyLoss", {"weight": W4, "label_smoothing": 0.3}, randn(2, 4, 3), classes(4, 2, 3)),
    ("CrossEntropyLoss", {}, randn(4), np.array(2)),
    ("CrossEntropyLoss", {}, randn(5, 4), probabilities(5, 4)),
    ("CrossEntropyLoss", {"weight": W4, "label_smoothing": 0.2}, randn(2, 4, 3), probabilities(2, 4, 3)),
    ("NLLLoss", {}, log_softmax(randn(5, 4), 1), classes(4, 5)),
    ("NLLLoss", {"weight": W4}, log_softmax(randn(5, 4), 1), TARGETS_WITH_IGNORED),
    ("NLLLoss", {"ignore_index": 2}, log_softmax(randn(2, 4, 3), 1), classes(4, 2, 3)),
    ("MultiMarginLoss", {}, randn(5, 4), classes(4, 5)),
    ("MultiMarginLoss", {"p": 2, "margin": 0.5, "weight": W4}, randn(5, 4), classes(4, 5)),
    ("MultiMarginLoss", {}, randn(4), np.array(1)),
    ("HingeEmbeddingLoss", {}, randn(6) * 2, np.array([1, -1, 1, -1, -1, 1], np.float32)),
    ("HingeEmbeddingLoss", {"margin": 0.5}, randn(2, 3), np.array([[1, -1, 1], [-1, -1, 1]], np.float32)),
    ("KLDivLoss", {}, log_softmax(randn(3, 4), 1), probabilities(3, 4)),
    ("KLDivLoss", {"log_target": True}, log_softmax(randn(3, 4), 1), log_softmax(randn(3, 4), 1)),
]


def _options(options, lib):
    return {k: lib.tensor(v) if isinstance(v, np.ndarray) else v for k, v in options.items()}


def _case_id(case):
    return case[0] + "".join(f"-{k}" for k in case[1]) + f"-{np.shape(case[2])}"


WITH_REDUCTIONS = [
    pytest.param(case, reduction, id=f"{_case_id(case)}-{reduction}")
    for case in CASES
    for reduction in ["mean", "sum", "none"] + (["batchmean"] if case[0] == "KLDivLoss" else [])
]


@pytest.mark.filterwarnings("ignore:reduction")
@pytest.mark.parametrize("case, reduction", WITH_REDUCTIONS)
def test_loss_matches_torch(torch_oracle, case, reduction):
    name, options, input, target = case

    def loss(lib):
        return getattr(lib.nn, name)(reduction=reduction, **_options(options, lib.torch))

    compare(torch_oracle, loss, input, target, case="float32", rtol=1e-5, atol=1e-6)
    compare(
        torch_oracle,
        lambda lib: loss(lib).double(),
        input.astype(np.float64),
        target.astype(np.float64) if target.dtype.kind == "f" else target,
        case="float64",
        rtol=1e-9,
        atol=1e-10,
    )


@pytest.mark.filterwarnings("ignore:reduction")
@pytest.mark.parametrize("case", CASES, ids=[_case_id(c) for c in CASES])
def test_loss_gradcheck(case):
    name, options, input, target = case
    if name == "SmoothL1Loss" and options.get("beta") == 0.0 or name == "L1Loss":
        input = input + np.sign(input - target) * 0.1  # keep away from the kink of |x - y|
    loss = getattr(nn, name)(reduction="sum", **_options(options, autograd)).double()
    x = autograd.tensor(input.astype(np.float64), requires_grad=True)
    float_target = target.dtype.kind == "f" and name != "HingeEmbeddingLoss"
    y = autograd.tensor(target.astype(np.float64) if float_target else target, requires_grad=float_target)
    assert autograd.gradcheck(loss, (x, y), atol=1e-5, rtol=1e-4)


# --- closed forms ------------------------------------------------------------------------------


def test_closed_forms():
    x, y = autograd.tensor([1.0, 2.0, 4.0]), autograd.tensor([1.0, 0.0, 1.0])
    assert_close(F.mse_loss(x, y), (0 + 4 + 9) / 3)
    assert_close(F.l1_loss(x, y, reduction="sum"), 5.0)
    assert_close(F.smooth_l1_loss(x, y, reduction="none"), [0.0, 1.5, 2.5])
    assert_close(F.huber_loss(x, y, reduction="none", delta=2.0), [0.0, 2.0, 4.0])
    assert_close(F.cross_entropy(autograd.zeros(3, 5), autograd.tensor([0, 4, 2])), math.log(5))
    p = autograd.tensor([0.25, 0.5])
    assert_close(
        F.binary_cross_entropy(p, autograd.tensor([1.0, 0.0])), -(math.log(0.25) + math.log(0.5)) / 2
    )
    assert_close(
        F.hinge_embedding_loss(autograd.tensor([0.3, 0.3]), autograd.tensor([1.0, -1.0]), reduction="none"),
        [0.3, 0.7],
    )


def test_weighted_mean_divides_by_the_sum_of_the_targets_weights():
    logits, target = randn(4, 3), np.array([0, 2, 2, -100])
    weight = np.array([1.0, 2.0, 3.0], np.float32)
    picked = -log_softmax(logits, 1)[np.arange(3), target[:3]]
    expected = (picked * weight[target[:3]]).sum() / weight[target[:3]].sum()
    got = F.cross_entropy(autograd.tensor(logits), autograd.tensor(target), weight=autograd.tensor(weight))
    assert_close(got, expected)


def test_label_smoothing_closed_form():
    logits, target, eps = randn(3, 4), np.array([1, 0, 3]), 0.2
    smoothed = np.full((3, 4), eps / 4) + (1 - eps) * np.eye(4)[target]
    expected = -(smoothed * log_softmax(logits, 1)).sum(1).mean()
    assert_close(
        F.cross_entropy(autograd.tensor(logits), autograd.tensor(target), label_smoothing=eps), expected
    )


def test_kl_div_with_zero_target_probabilities_matches_torch(torch_oracle):
    rng = np.random.default_rng(5)
    q = log_softmax(rng.standard_normal((2, 3)).astype(np.float32), 1)
    p = np.exp(log_softmax(rng.standard_normal((2, 3)).astype(np.float32) * 2, 1))
    p[0, 1] = 0.0  # 0 log 0 = 0

    def run(lib):
        x = lib.torch.tensor(q, requires_grad=True)
        loss = lib.F.kl_div(x, lib.torch.tensor(p), reduction="sum")
        loss.backward()
        return {"loss": loss, "grad": x.grad}

    torch_oracle.check_same(run, inputs={"q": q, "p": p})


def test_kl_div_batchmean_is_the_kl_divergence():
    p, q = probabilities(3, 4), probabilities(3, 4)
    expected = (p * (np.log(p) - np.log(q))).sum() / 3
    assert_close(F.kl_div(autograd.tensor(np.log(q)), autograd.tensor(p), reduction="batchmean"), expected)
    with pytest.warns(UserWarning, match="batchmean"):
        F.kl_div(autograd.tensor(np.log(q)), autograd.tensor(p))


def test_bce_with_logits_gradient_at_zero_is_sigmoid_minus_target():
    x = autograd.zeros(3, requires_grad=True)
    F.binary_cross_entropy_with_logits(x, autograd.tensor([0.0, 0.5, 1.0]), reduction="sum").backward()
    assert_close(x.grad, [0.5, 0.0, -0.5])


@settings(max_examples=20)
@given(st.integers(1, 6), st.integers(2, 6), st.integers(0, 2**31 - 1))
def test_cross_entropy_equals_a_numpy_reference(n, c, seed):
    rng = np.random.default_rng(seed)
    logits = rng.standard_normal((n, c)) * 5
    target = rng.integers(0, c, n)
    x = autograd.tensor(logits, requires_grad=True)
    loss = F.cross_entropy(x, autograd.tensor(target))
    assert_close(loss, -log_softmax(logits, 1)[np.arange(n), target].mean(), rtol=1e-10, atol=1e-12)
    loss.backward()
    softmax = np.exp(log_softmax(logits, 1))
    assert_close(x.grad, (softmax - np.eye(c)[target]) / n, rtol=1e-10, atol=1e-12)


# --- numerical stability --------------------------------------------------------------------


def test_cross_entropy_with_huge_logits_is_finite_and_correct(torch_oracle):
    logits = np.array([[1e4, -1e4, 0.0], [-1e4, 1e4, 5.0], [3e4, 3e4, -3e4]], np.float32)
    target = np.array([1, 1, 0])
    for options in ({}, {"label_smoothing": 0.1}):
        out = compare(
            torch_oracle,
            lambda lib, o=options: lambda x, y: lib.F.cross_entropy(x, y, **o),
            logits,
            target,
            case=str(options),
        )
        assert np.isfinite(out.item())
    x = autograd.tensor(logits, requires_grad=True)
    loss = F.cross_entropy(x, autograd.tensor(target), reduction="none")
    assert_close(loss, [2e4, 0.0, math.log(2)], rtol=1e-6)
    loss.sum().backward()
    assert np.all(np.isfinite(x.grad.numpy()))


def test_bce_with_logits_with_huge_logits_is_finite_and_correct(torch_oracle):
    logits = np.array([1e4, -1e4, 1e4, -1e4, 0.0], np.float32)
    target = np.array([0.0, 1.0, 1.0, 0.0, 1.0], np.float32)
    compare(
        torch_oracle,
        lambda lib: (
            lambda x, y: lib.F.binary_cross_entropy_with_logits(
                x, y, reduction="none", pos_weight=lib.torch.tensor(2.0)
            )
        ),
        logits,
        target,
    )
    x = autograd.tensor(logits, requires_grad=True)
    loss = F.binary_cross_entropy_with_logits(x, autograd.tensor(target), reduction="none")
    assert_close(loss, [1e4, 1e4, 0.0, 0.0, math.log(2)])
    loss.sum().backward()
    assert_close(x.grad, [1.0, -1.0, 0.0, 0.0, -0.5])


def test_bce_at_zero_and_one_clamps_the_log_and_keeps_gradients_finite(torch_oracle):
    p = np.array([0.0, 1.0, 0.0, 1.0, 0.5], np.float32)
    y = np.array([1.0, 0.0, 0.0, 1.0, 1.0], np.float32)
    x = autograd.tensor(p, requires_grad=True)
    loss = F.binary_cross_entropy(x, autograd.tensor(y), reduction="none")
    torch_oracle.check(
        {"loss": loss},
        lambda torch: {
            "loss": torch.nn.functional.binary_cross_entropy(
                torch.from_numpy(p), torch.from_numpy(y), reduction="none"
            )
        },
        inputs={"p": p, "y": y},
    )
    assert_close(loss, [100.0, 100.0, 0.0, 0.0, math.log(2)])
    loss.sum().backward()
    # Where the log is clamped the gradient is 0 (PyTorch: (x - y) / 1e-12); elsewhere it is
    # the derivative, also at the edge: d/dx -log(1 - x) = 1 at x = 0 (PyTorch: 0).
    assert_close(x.grad, [0.0, 0.0, 1.0, -1.0, -2.0])


def test_nll_with_every_target_ignored_is_nan_like_torch():
    loss = F.nll_loss(autograd.zeros(2, 3), autograd.tensor([-100, -100]))
    assert math.isnan(loss.item())


# --- errors -----------------------------------------------------------------------------------


def test_errors_say_what_is_wrong():
    x = autograd.zeros(4, 3)
    with pytest.raises(ValueError, match="not a valid value for reduction"):
        F.mse_loss(x, x, reduction="average")
    with pytest.raises(ValueError, match=r"expected target of shape \(4,\).*\(4, 3\).*\(3,\)"):
        F.cross_entropy(x, autograd.tensor([0, 1, 2]))
    with pytest.raises(IndexError, match="Target 3 is out of bounds"):
        F.cross_entropy(x, autograd.tensor([0, 1, 2, 3]))
    with pytest.raises(RuntimeError, match="integer dtype"):
        F.nll_loss(x, autograd.zeros(4))
    with pytest.raises(RuntimeError, match="must have the input's shape"):
        F.cross_entropy(x, autograd.zeros(4, 2))
    with pytest.raises(RuntimeError, match="weight tensor should be defined either for all 3 classes"):
        F.cross_entropy(x, autograd.tensor([0, 1, 2, 0]), weight=autograd.ones(2))
    with pytest.raises(ValueError, match="same size"):
        F.binary_cross_entropy(autograd.zeros(3), autograd.zeros(4))
    with pytest.raises(RuntimeError, match="between 0 and 1"):
        F.binary_cross_entropy(autograd.tensor([1.5]), autograd.tensor([1.0]))
    with pytest.raises(ValueError, match="same as input size"):
        F.binary_cross_entropy_with_logits(autograd.zeros(3), autograd.zeros(3, 1))
    with pytest.raises(ValueError, match="p == 1 and p == 2"):
        nn.MultiMarginLoss(p=3)
    with pytest.warns(UserWarning, match="different to the input size"):
        F.mse_loss(autograd.zeros(3, 1), autograd.zeros(3))


def test_legacy_size_average_and_reduce_flags():
    x, y = autograd.tensor([1.0, 3.0]), autograd.zeros(2)
    with pytest.warns(UserWarning, match="reduction='sum'"):
        assert nn.L1Loss(size_average=False).reduction == "sum"
    with pytest.warns(UserWarning):
        assert_close(F.l1_loss(x, y, reduce=False), [1.0, 3.0])


def test_loss_weights_are_buffers_in_the_state_dict(torch_oracle):
    def run(lib):
        weighted = lib.nn.CrossEntropyLoss(weight=lib.torch.tensor(W4))
        both = lib.nn.BCEWithLogitsLoss(pos_weight=lib.torch.ones(3))
        return {"weighted": list(weighted.state_dict()), "both": list(both.state_dict())}

    torch_oracle.check_same(run)
    assert list(nn.CrossEntropyLoss(weight=autograd.tensor(W4)).state_dict()) == ["weight"]


def _second_order_cases():
    t = autograd.tensor(np.array([0, 3, 1]))
    p = autograd.tensor(uniform(0.1, 0.9, 3, 4).astype(np.float64))
    return {
        "cross_entropy": lambda x: F.cross_entropy(x, t, label_smoothing=0.1),
        "bce_with_logits": lambda x: F.binary_cross_entropy_with_logits(
            x, p, pos_weight=autograd.tensor(2.0)
        ),
        "bce": lambda x: F.binary_cross_entropy(x.sigmoid(), p),
        "kl_div": lambda x: F.kl_div(x.log_softmax(1), p.softmax(1), reduction="batchmean"),
        "multi_margin": lambda x: F.multi_margin_loss(x, t, p=2),
        "huber": lambda x: F.huber_loss(x, p),
    }


@pytest.mark.parametrize("name", list(_second_order_cases()))
def test_loss_second_derivatives(name):
    x = autograd.tensor(randn(3, 4).astype(np.float64), requires_grad=True)
    assert autograd.gradgradcheck(_second_order_cases()[name], (x,))
