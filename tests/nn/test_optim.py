"""Optimizers against their published update rules (NumPy, float64) and against
torch.optim; state dicts; the learning-rate schedulers against torch's sequences."""

import functools
import io
import json
import math

import numpy as np
import pytest

import autograd
from nn import optim
from nn.optim import lr_scheduler
from tests.torch_oracle import GLASSGRAD, json_value, torch_library

SHAPES = [(3, 4), (5,)]
STEPS = 5


def _data(seed=0, steps=STEPS):
    rng = np.random.default_rng(seed)
    params = [rng.standard_normal(s).astype(np.float32) for s in SHAPES]
    grads = [[rng.standard_normal(s).astype(np.float32) for s in SHAPES] for _ in range(steps)]
    return params, grads


def _run(cls, kwargs, params, grads, opt=None):
    """Step a glassgrad optimizer through `grads`; returns the params and the optimizer."""
    ps = [autograd.tensor(p, requires_grad=True) for p in params] if opt is None else params
    opt = opt or cls(ps, **kwargs)
    for step in grads:
        for p, g in zip(ps, step):
            p.grad = autograd.tensor(g)
        opt.step()
    return ps, opt


# --- the published rules, written out in float64 ---
def ref_sgd(p, grads, lr=1e-3, momentum=0, dampening=0, weight_decay=0, nesterov=False, maximize=False):
    b = None
    for g in grads:
        g = (-g if maximize else g) + weight_decay * p
        if momentum:
            b = g if b is None else momentum * b + (1 - dampening) * g
            g = g + momentum * b if nesterov else b
        p = p - lr * g
    return p


def ref_adagrad(
    p, grads, lr=1e-2, lr_decay=0, weight_decay=0, initial_accumulator_value=0, eps=1e-10, maximize=False
):
    s = np.full_like(p, initial_accumulator_value)
    for t, g in enumerate(grads, 1):
        g = (-g if maximize else g) + weight_decay * p
        s = s + g**2
        p = p - lr / (1 + (t - 1) * lr_decay) * g / (np.sqrt(s) + eps)
    return p


def ref_rmsprop(
    p, grads, lr=1e-2, alpha=0.99, eps=1e-8, weight_decay=0, momentum=0, centered=False, maximize=False
):
    v, mean, b = np.zeros_like(p), np.zeros_like(p), np.zeros_like(p)
    for g in grads:
        g = (-g if maximize else g) + weight_decay * p
        v = alpha * v + (1 - alpha) * g**2
        mean = alpha * mean + (1 - alpha) * g
        root = np.sqrt(v - mean**2 if centered else v) + eps
        if momentum:
            b = momentum * b + g / root
            p = p - lr * b
        else:
            p = p - lr * g / root
    return p


def ref_adam(
    p,
    grads,
    lr=1e-3,
    betas=(0.9, 0.999),
    eps=1e-8,
    weight_decay=0,
    amsgrad=False,
    maximize=False,
    decoupled=False,
):
    m, v, v_max = np.zeros_like(p), np.zeros_like(p), np.zeros_like(p)
    for t, g in enumerate(grads, 1):
        g = -g if maximize else g
        if decoupled:
            p = p - lr * weight_decay * p
        else:
            g = g + weight_decay * p
        m = betas[0] * m + (1 - betas[0]) * g
        v = betas[1] * v + (1 - betas[1]) * g**2
        v_max = np.maximum(v_max, v)
        m_hat = m / (1 - betas[0] ** t)
        v_hat = (v_max if amsgrad else v) / (1 - betas[1] ** t)
        p = p - lr * m_hat / (np.sqrt(v_hat) + eps)
    return p


def ref_adamw(p, grads, weight_decay=1e-2, **kwargs):
    return ref_adam(p, grads, weight_decay=weight_decay, decoupled=True, **kwargs)


def ref_adadelta(p, grads, lr=1.0, rho=0.9, eps=1e-6, weight_decay=0, maximize=False):
    v, u = np.zeros_like(p), np.zeros_like(p)
    for g in grads:
        g = (-g if maximize else g) + weight_decay * p
        v = rho * v + (1 - rho) * g**2
        delta = np.sqrt(u + eps) / np.sqrt(v + eps) * g
        u = rho * u + (1 - rho) * delta**2
        p = p - lr * delta
    return p


CASES = [
    ("SGD", ref_sgd, {"lr": 0.1}),
    ("SGD", ref_sgd, {"lr": 0.1, "momentum": 0.9}),
    ("SGD", ref_sgd, {"lr": 0.1, "momentum": 0.9, "dampening": 0.3, "weight_decay": 0.1}),
    ("SGD", ref_sgd, {"lr": 0.05, "momentum": 0.8, "nesterov": True, "weight_decay": 0.01}),
    ("SGD", ref_sgd, {"lr": 0.1, "momentum": 0.5, "maximize": True}),
    ("Adagrad", ref_adagrad, {"lr": 0.1}),
    (
        "Adagrad",
        ref_adagrad,
        {"lr": 0.1, "lr_decay": 0.05, "weight_decay": 0.1, "initial_accumulator_value": 0.2},
    ),
    ("Adagrad", ref_adagrad, {"lr": 0.1, "eps": 1e-3, "maximize": True}),
    ("RMSprop", ref_rmsprop, {}),
    ("RMSprop", ref_rmsprop, {"lr": 0.01, "momentum": 0.9}),
    ("RMSprop", ref_rmsprop, {"lr": 0.01, "centered": True, "alpha": 0.9}),
    (
        "RMSprop",
        ref_rmsprop,
        {"lr": 0.01, "centered": True, "momentum": 0.5, "weight_decay": 0.1, "maximize": True},
    ),
    ("Adam", ref_adam, {"lr": 0.01}),
    ("Adam", ref_adam, {"lr": 0.01, "amsgrad": True}),
    ("Adam", ref_adam, {"lr": 0.01, "weight_decay": 0.1, "betas": (0.8, 0.95), "eps": 1e-6}),
    ("Adam", ref_adam, {"lr": 0.01, "weight_decay": 0.1, "amsgrad": True, "maximize": True}),
    ("AdamW", ref_adamw, {"lr": 0.01}),
    ("AdamW", ref_adamw, {"lr": 0.01, "weight_decay": 0.1, "amsgrad": True}),
    ("AdamW", ref_adamw, {"lr": 0.01, "weight_decay": 0.3, "maximize": True}),
    ("Adadelta", ref_adadelta, {}),
    ("Adadelta", ref_adadelta, {"lr": 0.5, "rho": 0.8, "eps": 1e-4, "weight_decay": 0.1}),
    ("Adadelta", ref_adadelta, {"lr": 2.0, "rho": 0.95, "maximize": True}),
]
IDS = [f"{name}-{'-'.join(f'{k}={v}' for k, v in kw.items()) or 'defaults'}" for name, _, kw in CASES]


@pytest.mark.parametrize("name, ref, kwargs", CASES, ids=IDS)
def test_update_rule_matches_published_formula(name, ref, kwargs):
    params, grads = _data()
    ps, opt = _run(getattr(optim, name), kwargs, params, grads)
    for i, p in enumerate(ps):
        expected = ref(params[i].astype(np.float64), [g[i].astype(np.float64) for g in grads], **kwargs)
        np.testing.assert_allclose(p.numpy(), expected, rtol=1e-5, atol=1e-6)
        assert p.dtype == np.float32
        assert all(v.dtype == np.float32 for v in opt.state[p].values() if isinstance(v, autograd.Tensor))


def _steps(lib, name, kwargs, params, grads):
    """`name` of lib.optim stepped through `grads` from `params`: the parameters and the state dict,
    its tensors by "state <param> <name>" and its param_groups as plain values."""
    ps = [lib.torch.tensor(p, requires_grad=True) for p in params]
    opt = getattr(lib.optim, name)(ps, **kwargs)
    for step in grads:
        for p, g in zip(ps, step):
            p.grad = lib.torch.tensor(g)
        opt.step()
    state_dict = opt.state_dict()
    results = {f"param {i}": p for i, p in enumerate(ps)}
    results |= {f"state {key} {k}": v for key, state in state_dict["state"].items() for k, v in state.items()}
    return results | {"param_groups": json.loads(json.dumps(state_dict["param_groups"]))}


def _named_data(params, grads) -> dict:
    steps = {f"grad {step} {i}": g for step, gs in enumerate(grads) for i, g in enumerate(gs)}
    return {f"param {i}": p for i, p in enumerate(params)} | steps


@pytest.mark.parametrize("name, ref, kwargs", CASES, ids=IDS)
def test_matches_torch(torch_oracle, name, ref, kwargs):
    params, grads = _data(1)
    inputs = _named_data(params, grads) | {"kwargs": kwargs}
    ours = _steps(GLASSGRAD, name, kwargs, params, grads)
    their_steps = functools.partial(_steps, name=name, kwargs=kwargs, params=params, grads=grads)
    for source, theirs in torch_oracle.results(
        lambda torch: their_steps(torch_library(torch)), inputs=inputs
    ):
        assert sorted(ours) == sorted(theirs), source
        for key, value in theirs.items():
            if key.startswith("param "):
                np.testing.assert_allclose(ours[key].numpy(), value, rtol=1e-6, atol=1e-7, err_msg=source)
            elif key.startswith(
                "state "
            ):  # float32 round-off scales with the largest entry (momentum cancels)
                scale = float(np.abs(value).max()) if value.size else 0.0
                got = ours[key].numpy()
                assert got.dtype == value.dtype, (source, key)
                np.testing.assert_allclose(
                    got, value, rtol=1e-6, atol=1e-7 + 1e-6 * scale, err_msg=f"{source} {key}"
                )
        for group, their_group in zip(ours["param_groups"], json_value(theirs["param_groups"]), strict=True):
            assert set(group) <= set(their_group), source
            assert all(group[k] == their_group[k] for k in group), source


def test_float64_parameters_stay_float64():
    p = autograd.tensor(np.ones(3), requires_grad=True)
    opt = optim.Adam([p], lr=0.1)
    p.grad = autograd.tensor(np.ones(3))
    memory, version = p.numpy(), p._version_number
    opt.step()
    assert p.numpy() is memory and p._version_number > version  # in place, as PyTorch
    assert p.dtype == np.float64 and opt.state[p]["exp_avg"].dtype == np.float64


@pytest.mark.parametrize("name, ref, kwargs", CASES[1::2], ids=IDS[1::2])
def test_state_dict_round_trip_continues_identically(name, ref, kwargs):
    params, grads = _data(2, steps=6)
    ps, opt = _run(getattr(optim, name), kwargs, params, grads[:3])
    buffer = io.BytesIO()
    autograd.save(opt.state_dict(), buffer)
    buffer.seek(0)
    saved = autograd.load(buffer)

    clones = [autograd.tensor(p.numpy(), requires_grad=True) for p in ps]
    fresh = getattr(optim, name)(clones, lr=123.0)  # the loaded groups override this
    fresh.load_state_dict(saved)
    assert fresh.param_groups[0]["lr"] == kwargs.get("lr", opt.defaults["lr"])
    _run(None, None, ps, grads[3:], opt)
    _run(None, None, clones, grads[3:], fresh)
    for a, b in zip(ps, clones):
        np.testing.assert_array_equal(a.numpy(), b.numpy())


def test_load_torch_state_dict_continues_like_torch(torch_oracle):
    params, grads = _data(3, steps=6)
    kwargs = {"lr": 0.01, "amsgrad": True, "weight_decay": 0.1}

    def theirs(torch):
        after_three = _steps(torch_library(torch), "Adam", kwargs, params, grads[:3])
        after_six = _steps(torch_library(torch), "Adam", kwargs, params, grads)
        return {f"{key} after 3 steps": value for key, value in after_three.items()} | {
            f"param {i} after 6 steps": after_six[f"param {i}"] for i in range(len(params))
        }

    inputs = _named_data(params, grads)
    for source, torchs in torch_oracle.results(theirs, inputs=inputs):
        state = {}
        for key, value in torchs.items():  # "state <param> <name> after 3 steps"
            if key.startswith("state "):
                _, index, name = key.removesuffix(" after 3 steps").split(" ")
                state.setdefault(int(index), {})[name] = autograd.tensor(value)
        ps = [
            autograd.tensor(torchs[f"param {i} after 3 steps"], requires_grad=True)
            for i in range(len(params))
        ]
        opt = optim.Adam(ps)
        opt.load_state_dict(
            {"state": state, "param_groups": json_value(torchs["param_groups after 3 steps"])}
        )
        _run(None, None, ps, grads[3:], opt)
        for i, p in enumerate(ps):
            np.testing.assert_allclose(
                p.numpy(), torchs[f"param {i} after 6 steps"], rtol=1e-6, atol=1e-7, err_msg=source
            )


def test_state_dict_format():
    a, b, c = (autograd.tensor(np.ones(2, np.float32), requires_grad=True) for _ in range(3))
    opt = optim.SGD([{"params": [a, b]}, {"params": [c], "lr": 0.5}], lr=0.1, momentum=0.9)
    sd = opt.state_dict()
    assert sd["state"] == {}
    assert [g["params"] for g in sd["param_groups"]] == [[0, 1], [2]]
    assert [g["lr"] for g in sd["param_groups"]] == [0.1, 0.5]
    a.grad = autograd.ones(2)
    opt.step()
    assert list(opt.state_dict()["state"]) == [0]
    assert opt.state_dict()["state"][0]["momentum_buffer"] is opt.state[a]["momentum_buffer"]


def test_param_groups_and_errors():
    a = autograd.tensor([1.0, 2.0], requires_grad=True)
    b = autograd.tensor([3.0], requires_grad=True)
    opt = optim.SGD([a], lr=0.1)
    opt.add_param_group({"params": b, "lr": 1.0, "momentum": 0.5})
    assert opt.param_groups[1]["params"][0] is b
    assert opt.param_groups[1]["dampening"] == 0 and opt.param_groups[1]["momentum"] == 0.5
    a.grad, b.grad = autograd.ones(2), autograd.ones(1)
    opt.step()
    np.testing.assert_allclose(a.numpy(), [0.9, 1.9])
    np.testing.assert_allclose(b.numpy(), [2.0])
    with pytest.raises(ValueError, match="more than one parameter group"):
        opt.add_param_group({"params": [a]})
    with pytest.raises(ValueError, match="empty parameter list"):
        optim.Adam([])
    with pytest.raises(TypeError, match="iterable of Tensors"):
        optim.Adam(a)
    with pytest.raises(ValueError, match="non-leaf"):
        optim.SGD([a * 2])
    with pytest.raises(ValueError, match="Invalid learning rate"):
        optim.SGD([a], lr=-1)
    with pytest.raises(ValueError, match="Nesterov"):
        optim.SGD([a], lr=0.1, nesterov=True)
    with pytest.raises(ValueError, match="beta parameter at index 1"):
        optim.Adam([a], betas=(0.9, 1.0))
    with pytest.raises(ValueError, match="different number of parameter groups"):
        optim.SGD([a]).load_state_dict(opt.state_dict())
    assert "Parameter Group 1" in repr(opt)


def test_zero_grad_closure_and_params_without_grad():
    a = autograd.tensor([1.0, 2.0], requires_grad=True)
    b = autograd.tensor([3.0], requires_grad=True)
    opt = optim.SGD([a, b], lr=0.5)

    def closure():
        opt.zero_grad()
        loss = (a * a).sum()
        loss.backward()
        return loss

    with autograd.no_grad():
        loss = opt.step(closure)
    assert float(loss) == 5.0
    np.testing.assert_allclose(a.numpy(), [0.0, 0.0])
    np.testing.assert_allclose(b.numpy(), [3.0])  # no gradient: left alone
    grad = a.grad
    opt.zero_grad(set_to_none=False)
    assert a.grad is grad and np.all(a.grad.numpy() == 0)
    opt.zero_grad()
    assert a.grad is None


def test_nn_parameter_if_available():
    nn = pytest.importorskip("nn")
    if not hasattr(nn, "Parameter"):
        pytest.skip("nn.Parameter is not there yet")
    w = nn.Parameter(autograd.tensor([1.0, -1.0]))
    opt = optim.AdamW([w], lr=0.1)
    (w * w).sum().backward()
    opt.step()
    assert isinstance(w, nn.Parameter) and w.dtype == np.float32
    np.testing.assert_allclose(
        w.numpy(), [1.0 * (1 - 0.1 * 0.01) - 0.1, -1.0 * (1 - 0.1 * 0.01) + 0.1], rtol=1e-5
    )


# --- schedulers ---
SCHEDULERS = [
    ("StepLR", {"step_size": 3, "gamma": 0.5}),
    ("MultiStepLR", {"milestones": [2, 5, 5, 9], "gamma": 0.3}),
    ("ExponentialLR", {"gamma": 0.9}),
    ("CosineAnnealingLR", {"T_max": 6}),
    ("CosineAnnealingLR", {"T_max": 5, "eta_min": 0.01}),
    ("LambdaLR", {"lr_lambda": lambda epoch: 0.95**epoch / (1 + epoch % 3)}),
]


def _lr_sequences(lib, name, kwargs, epochs=20):
    params = [lib.torch.tensor(np.ones(2, np.float32), requires_grad=True) for _ in range(2)]
    opt = lib.optim.SGD([{"params": [params[0]]}, {"params": [params[1]], "lr": 0.3}], lr=0.1)
    scheduler = getattr(lib.optim.lr_scheduler, name)(opt, **kwargs)
    seen = [scheduler.get_last_lr()]
    for _ in range(epochs):
        opt.step()
        scheduler.step()
        seen.append(scheduler.get_last_lr())
        assert seen[-1] == [g["lr"] for g in opt.param_groups]
    return {"lr": np.array(seen)}


def _scheduler_id(name, kwargs):
    return f"{name}-" + ",".join(f"{k}={'lambda' if callable(v) else v}" for k, v in kwargs.items())


@pytest.mark.parametrize("name, kwargs", SCHEDULERS, ids=[_scheduler_id(n, k) for n, k in SCHEDULERS])
def test_scheduler_matches_torch(torch_oracle, name, kwargs):
    torch_oracle.check_same(lambda lib: _lr_sequences(lib, name, kwargs), rtol=1e-12, atol=1e-15)


def test_cosine_annealing_follows_closed_form_within_period():
    p = autograd.tensor([1.0], requires_grad=True)
    opt = optim.SGD([p], lr=1.0)
    scheduler = lr_scheduler.CosineAnnealingLR(opt, T_max=10, eta_min=0.1)
    for epoch in range(1, 11):
        scheduler.step()
        expected = 0.1 + 0.9 * (1 + math.cos(math.pi * epoch / 10)) / 2
        assert scheduler.get_last_lr()[0] == pytest.approx(expected, rel=1e-12)


def test_chained_schedulers_match_torch(torch_oracle):
    def run(lib):
        opt = lib.optim.SGD([lib.torch.tensor(np.ones(1, np.float32), requires_grad=True)], lr=1.0)
        module = lib.optim.lr_scheduler
        a, b = module.ExponentialLR(opt, gamma=0.9), module.StepLR(opt, step_size=4, gamma=0.1)
        lrs = []
        for _ in range(12):
            opt.step()
            a.step()
            b.step()
            lrs.append(opt.param_groups[0]["lr"])
        return {"lr": np.array(lrs)}

    torch_oracle.check_same(run, rtol=1e-12, atol=0)


PLATEAU = [
    {},
    {"mode": "max", "factor": 0.5, "patience": 1, "threshold": 0.1, "threshold_mode": "abs"},
    {"factor": 0.5, "patience": 0, "cooldown": 2, "min_lr": [0.01, 0.05]},
    {"factor": 0.2, "patience": 2, "threshold": 0.05, "eps": 0.02},
]
METRICS = [1.0, 0.9, 0.95, 0.9, 0.9, 0.91, 0.5, 0.6, 0.6, 0.6, 0.6, 0.7, 0.2, 0.3, 0.3, 0.3, 0.3, 0.3] * 2


@pytest.mark.parametrize("kwargs", PLATEAU)
def test_reduce_lr_on_plateau_matches_torch(torch_oracle, kwargs):
    def run(lib):
        params = [lib.torch.tensor(np.ones(1, np.float32), requires_grad=True) for _ in range(2)]
        opt = lib.optim.SGD([{"params": [params[0]]}, {"params": [params[1]], "lr": 0.2}], lr=1.0)
        scheduler = lib.optim.lr_scheduler.ReduceLROnPlateau(opt, **kwargs)
        lrs = []
        for metric in METRICS:
            scheduler.step(metric)
            lrs.append(scheduler.get_last_lr())
        return {"lr": np.array(lrs), "num_bad_epochs": scheduler.num_bad_epochs, "best": scheduler.best}

    torch_oracle.check_same(run, rtol=1e-12, atol=0)


def test_scheduler_state_dict_round_trip():
    def make():
        opt = optim.SGD([autograd.tensor([1.0], requires_grad=True)], lr=1.0)
        return opt, lr_scheduler.MultiStepLR(opt, milestones=[2, 4], gamma=0.5)

    opt, scheduler = make()
    for _ in range(3):
        scheduler.step()
    buffer = io.BytesIO()
    autograd.save({"optimizer": opt.state_dict(), "scheduler": scheduler.state_dict()}, buffer)
    buffer.seek(0)
    saved = autograd.load(buffer)
    opt2, scheduler2 = make()
    opt2.load_state_dict(saved["optimizer"])
    scheduler2.load_state_dict(saved["scheduler"])
    for _ in range(3):
        scheduler.step()
        scheduler2.step()
        assert scheduler2.get_last_lr() == scheduler.get_last_lr()
    assert scheduler2.get_last_lr() == [0.25] and scheduler2.last_epoch == 6


def test_scheduler_errors_and_lambda_state():
    p = autograd.tensor([1.0], requires_grad=True)
    opt = optim.SGD([p], lr=1.0)
    with pytest.raises(TypeError, match="not an Optimizer"):
        lr_scheduler.StepLR(object(), 2)
    with pytest.raises(KeyError, match="initial_lr"):
        lr_scheduler.StepLR(opt, 2, last_epoch=3)
    with pytest.raises(ValueError, match="Factor"):
        lr_scheduler.ReduceLROnPlateau(opt, factor=1.5)

    class Decay:
        def __init__(self):
            self.rate = 0.5

        def __call__(self, epoch):
            return self.rate**epoch

    scheduler = lr_scheduler.LambdaLR(opt, [Decay()])
    state = scheduler.state_dict()
    assert state["lr_lambdas"] == [{"rate": 0.5}]
    state["lr_lambdas"] = [{"rate": 0.25}]
    scheduler.load_state_dict(state)
    scheduler.step()
    assert scheduler.get_last_lr() == [0.25]


def test_training_an_mlp_on_moons():
    nn = pytest.importorskip("nn")
    if not hasattr(nn, "Sequential"):
        pytest.skip("nn modules are not there yet")
    import nn.functional as F
    from nn.data import DataLoader, TensorDataset
    from nn.data.datasets import make_moons

    autograd.manual_seed(0)
    model = nn.Sequential(nn.Linear(2, 16), nn.Tanh(), nn.Linear(16, 2))
    opt = optim.Adam(model.parameters(), lr=0.05)
    scheduler = lr_scheduler.StepLR(opt, step_size=10, gamma=0.5)
    X, y = make_moons(200, noise=0.1, generator=0)
    for _ in range(20):
        for xb, yb in DataLoader(TensorDataset(X, y), batch_size=32, shuffle=True):
            loss = F.cross_entropy(model(xb), yb)
            opt.zero_grad()
            loss.backward()
            opt.step()
        scheduler.step()
    assert (model(X).argmax(1).numpy() == y.numpy()).mean() > 0.97
    assert all(p.dtype == np.float32 for p in model.parameters())
