"""Optimizers: a failed step() changes nothing (issue 17, item 11), 0-d parameters in
every optimizer, and OneCycleLR (issue 16), against the published rules and, when
it is installed, torch. Bad gradients and hyperparameters are drawn by Hypothesis."""

from __future__ import annotations

import copy

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import autograd
import nn
from nn import optim
from nn.optim import lr_scheduler
from tests.nn.test_optim import CASES, IDS

# --- 0-d parameters ------------------------------------------------------------------------


@pytest.mark.parametrize("name, ref, kwargs", CASES, ids=IDS)
def test_a_0d_parameter_steps_in_every_optimizer(name, ref, kwargs):
    """nn.Parameter(randn(())) crashed SGD, Adam and RMSprop (issue 16)."""
    rng = np.random.default_rng(5)
    start, grads = np.float32(rng.standard_normal()), rng.standard_normal(6).astype(np.float32)
    p = nn.Parameter(autograd.tensor(start))
    opt = getattr(optim, name)([p], **kwargs)
    for g in grads:
        p.grad = autograd.tensor(g)
        opt.step()
    assert p.shape == () and p.dtype == np.float32 and isinstance(p.numpy(), np.ndarray)
    expected = ref(np.float64(start), [np.float64(g) for g in grads], **kwargs)
    np.testing.assert_allclose(p.numpy(), expected, rtol=1e-5, atol=1e-6)
    assert all(v.shape == () for v in opt.state[p].values() if isinstance(v, autograd.Tensor))


@pytest.mark.parametrize("name, ref, kwargs", CASES, ids=IDS)
def test_a_0d_parameter_matches_torch(torch_oracle, name, ref, kwargs):
    rng = np.random.default_rng(6)
    start, grads = np.float32(rng.standard_normal()), rng.standard_normal(4).astype(np.float32)

    def steps(lib, parameter, optimizers):
        p = parameter(lib.tensor(start))
        opt = getattr(optimizers, name)([p], **kwargs)
        for g in grads:
            p.grad = lib.tensor(g)
            opt.step()
        return {"p": p.detach().numpy()}

    torch_oracle.check(steps(autograd, nn.Parameter, optim), lambda torch: steps(torch, torch.nn.Parameter, torch.optim),
                       rtol=1e-6, atol=1e-7)


# --- a failed step changes nothing -----------------------------------------------------------


def _snapshot(opt) -> dict:
    """The optimizer's parameters and state, copied."""
    params = [p.numpy().copy() for g in opt.param_groups for p in g["params"]]
    state = {id(p): {k: (v.numpy().copy() if isinstance(v, autograd.Tensor) else copy.deepcopy(v))
                     for k, v in s.items()} for p, s in opt.state.items()}
    groups = [{k: v for k, v in g.items() if k != "params"} for g in opt.param_groups]
    return {"params": params, "state": state, "groups": copy.deepcopy(groups)}


def _assert_same(a: dict, b: dict) -> None:
    assert len(a["params"]) == len(b["params"])
    for x, y in zip(a["params"], b["params"]):
        np.testing.assert_array_equal(x, y)
    assert a["state"].keys() == b["state"].keys()
    for key in a["state"]:
        assert a["state"][key].keys() == b["state"][key].keys()
        for name in a["state"][key]:
            np.testing.assert_array_equal(a["state"][key][name], b["state"][key][name])


def _bad_gradient(shape, kind, data):
    if kind == "shape":
        other = data.draw(hnp.array_shapes(min_dims=0, max_dims=3, max_side=4).filter(lambda s: s != shape))
        return autograd.ones(other), "shape"
    if kind == "broadcasts":  # (1,) on (3,): broadcasting would hide it
        return autograd.ones((1,) * len(shape) if shape else (1,)), "shape"
    if kind == "int":
        return autograd.ones(shape, dtype=data.draw(st.sampled_from([autograd.int64, autograd.int32]))), "floating"
    if kind == "bool":
        return autograd.ones(shape, dtype=autograd.bool), "floating"
    return np.ones(shape, np.float32), "floating"  # an ndarray, not a Tensor


@given(
    case=st.sampled_from(range(len(CASES))),
    shapes=st.lists(hnp.array_shapes(min_dims=0, max_dims=3, max_side=4), min_size=1, max_size=4),
    warm_steps=st.integers(0, 2),
    bad_at=st.integers(0, 3),
    kind=st.sampled_from(["shape", "broadcasts", "int", "bool", "ndarray"]),
    data=st.data(),
)
def test_a_step_with_a_bad_gradient_raises_and_changes_nothing(case, shapes, warm_steps, bad_at, kind, data):
    """Momentum buffers, step counts and RMSprop's average used to advance before the
    error; a (1,) gradient on a (3,) parameter was broadcast silently."""
    name, _, kwargs = CASES[case]
    bad_at %= len(shapes)
    if kind == "broadcasts" and all(side == 1 for side in shapes[bad_at]):
        shapes[bad_at] = shapes[bad_at] + (3,)
    params = [nn.Parameter(autograd.randn(s)) for s in shapes]
    opt = getattr(optim, name)(params, **kwargs)
    for _ in range(warm_steps):
        for p in params:
            p.grad = autograd.randn(p.shape)
        opt.step()
    for p in params:
        p.grad = autograd.randn(p.shape)
    bad, message = _bad_gradient(shapes[bad_at], kind, data)
    params[bad_at].grad = bad
    before = _snapshot(opt)
    with pytest.raises((RuntimeError, TypeError), match=f"parameter {bad_at} in param group 0.*{message}"):
        opt.step()
    _assert_same(before, _snapshot(opt))


@given(case=st.sampled_from(range(len(CASES))), value=st.sampled_from(["0.1", None, [0.1], object()]),
       data=st.data())
def test_a_step_with_a_hyperparameter_that_is_no_number_raises_and_changes_nothing(case, value, data):
    name, _, kwargs = CASES[case]
    params = [nn.Parameter(autograd.randn(3)), nn.Parameter(autograd.randn(2))]
    opt = getattr(optim, name)([{"params": params[:1]}, {"params": params[1:]}], **kwargs)
    numeric = [k for k, v in opt.defaults.items() if isinstance(v, (int, float, tuple)) and not isinstance(v, bool)]
    key = data.draw(st.sampled_from(numeric))
    for p in params:
        p.grad = autograd.randn(p.shape)
    opt.param_groups[1][key] = value if key != "betas" else (0.9, value)
    before = _snapshot(opt)
    with pytest.raises(TypeError, match=f"{key!r} is .*not a number"):
        opt.step()
    _assert_same(before, _snapshot(opt))


def test_adadelta_refuses_bad_hyperparameters_as_torch():
    p = [nn.Parameter(autograd.randn(2))]
    for kwargs, message in [({"lr": -1}, "learning rate"), ({"rho": 1.5}, "rho"), ({"eps": -1}, "epsilon"),
                            ({"weight_decay": -0.1}, "weight_decay")]:
        with pytest.raises(ValueError, match=f"Invalid {message}"):
            optim.Adadelta(p, **kwargs)


# --- OneCycleLR ----------------------------------------------------------------------------

ONE_CYCLE = [
    ("SGD", {"max_lr": 0.1, "total_steps": 20}),
    ("SGD", {"max_lr": [0.1, 0.5], "epochs": 3, "steps_per_epoch": 7, "anneal_strategy": "linear"}),
    ("SGD", {"max_lr": 1.0, "total_steps": 30, "three_phase": True, "pct_start": 0.25}),
    ("SGD", {"max_lr": 0.2, "total_steps": 15, "cycle_momentum": False, "div_factor": 10.0,
             "final_div_factor": 100.0}),
    ("Adam", {"max_lr": 0.01, "total_steps": 25, "base_momentum": 0.8, "max_momentum": [0.9, 0.99]}),
    ("AdamW", {"max_lr": [0.01, 0.02], "total_steps": 12, "pct_start": 0.5, "three_phase": True}),
]


def _one_cycle(module, opt_module, tensor, name, kwargs):
    params = [tensor(np.ones(2, np.float32), requires_grad=True) for _ in range(2)]
    extra = {"momentum": 0.9} if name == "SGD" else {}
    opt = getattr(opt_module, name)([{"params": [params[0]]}, {"params": [params[1]]}], lr=0.1, **extra)
    scheduler = module.OneCycleLR(opt, **kwargs)
    total = kwargs.get("total_steps") or kwargs["epochs"] * kwargs["steps_per_epoch"]
    lrs, momenta = [], []
    for _ in range(total):
        lrs.append([g["lr"] for g in opt.param_groups])
        momenta.append([g["momentum"] if "momentum" in g else g["betas"][0] for g in opt.param_groups])
        opt.step()
        scheduler.step()
    return np.array(lrs), np.array(momenta), scheduler


@pytest.mark.parametrize("name, kwargs", ONE_CYCLE, ids=[f"{n}-{k}" for n, k in ONE_CYCLE])
def test_one_cycle_matches_torch(torch_oracle, name, kwargs):
    def schedule(lr_schedulers, optimizers, tensor):
        lrs, momenta, _ = _one_cycle(lr_schedulers, optimizers, tensor, name, kwargs)
        return {"lrs": lrs, "momenta": momenta}

    torch_oracle.check(schedule(lr_scheduler, optim, autograd.tensor),
                       lambda torch: schedule(torch.optim.lr_scheduler, torch.optim, torch.tensor), rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("name, kwargs", ONE_CYCLE, ids=[f"{n}-{k}" for n, k in ONE_CYCLE])
def test_one_cycle_follows_the_1cycle_policy(name, kwargs):
    """Without torch: the lr starts at max_lr / div_factor, peaks at max_lr after
    pct_start of the steps, and ends at the minimum; momentum moves the other way."""
    lrs, momenta, scheduler = _one_cycle(lr_scheduler, optim, autograd.tensor, name, kwargs)
    total = len(lrs)
    top = np.broadcast_to(kwargs["max_lr"], (2,))
    start = top / kwargs.get("div_factor", 25.0)
    np.testing.assert_allclose(lrs[0], start)
    end_of_rise = kwargs.get("pct_start", 0.3) * total - 1  # a step number only when pct_start * total is whole
    peak = int(np.floor(end_of_rise))
    assert np.all(lrs <= top * (1 + 1e-12)) and set(np.argmax(lrs, axis=0)) <= {peak, peak + 1}
    if end_of_rise == peak:
        np.testing.assert_allclose(lrs[peak], top, rtol=1e-12)
    np.testing.assert_allclose(lrs[-1], start / kwargs.get("final_div_factor", 1e4), rtol=1e-9)
    assert np.all(np.diff(lrs[: peak + 1], axis=0) > 0)
    if kwargs.get("cycle_momentum", True):
        base = np.broadcast_to(kwargs.get("base_momentum", 0.85), (2,))
        assert np.all(momenta >= base - 1e-12) and np.all(np.diff(momenta[: peak + 1], axis=0) < 0)
    with pytest.raises(ValueError, match="Tried to step"):
        scheduler.step()
        scheduler.step()


@pytest.mark.parametrize("kwargs, message", [
    ({"max_lr": 0.1}, "total_steps OR"),
    ({"max_lr": 0.1, "total_steps": 0}, "positive integer total_steps"),
    ({"max_lr": 0.1, "total_steps": 2.5}, "positive integer total_steps"),
    ({"max_lr": 0.1, "epochs": 0, "steps_per_epoch": 3}, "positive integer epochs"),
    ({"max_lr": 0.1, "total_steps": 9, "pct_start": 1.5}, "pct_start"),
    ({"max_lr": 0.1, "total_steps": 9, "pct_start": 0}, "pct_start"),
    ({"max_lr": 0.1, "total_steps": 9, "anneal_strategy": "step"}, "anneal_strategy"),
    ({"max_lr": [0.1, 0.2, 0.3], "total_steps": 9}, "expected 1 values for max_lr"),
])
def test_one_cycle_refuses_bad_arguments_as_torch(kwargs, message):
    opt = optim.SGD([nn.Parameter(autograd.randn(2))], lr=0.1, momentum=0.9)
    with pytest.raises(ValueError, match=message):
        lr_scheduler.OneCycleLR(opt, **kwargs)
    with pytest.raises(ValueError, match="momentum or beta1"):
        lr_scheduler.OneCycleLR(optim.Adagrad([nn.Parameter(autograd.randn(2))]), max_lr=0.1, total_steps=5)


@pytest.mark.parametrize("bad", [np.array(["a", "b"]), np.zeros(2, np.complex64), np.array([None, 1], dtype=object)],
                         ids=["strings", "complex", "objects"])
def test_optimizer_load_state_dict_with_a_bad_entry_leaves_the_optimizer_as_it_was(bad):
    params = [nn.Parameter(autograd.randn(2)), nn.Parameter(autograd.randn(2))]
    opt = optim.Adam(params, lr=0.1)
    for p in params:
        p.grad = autograd.randn(2)
    opt.step()
    saved = opt.state_dict()
    saved = {"state": {k: dict(v) for k, v in saved["state"].items()}, "param_groups": saved["param_groups"]}
    saved["state"][1]["exp_avg"] = bad
    saved["param_groups"] = [dict(saved["param_groups"][0], lr=0.5)]
    before = _snapshot(opt)
    with pytest.raises(TypeError, match="holds numbers|complex"):
        opt.load_state_dict(saved)
    _assert_same(before, _snapshot(opt))
    assert opt.param_groups[0]["lr"] == 0.1
