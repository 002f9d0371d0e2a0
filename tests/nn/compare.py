"""Run the same computation in glassgrad and in PyTorch and compare outputs and gradients.

PyTorch's side is built by the same function in both libraries (`make(lib)`, lib being
`tests.torch_oracle.Library`), and its results come from the oracle: recorded in
tests/fixtures/torch/, and computed live where torch is installed."""

from __future__ import annotations

import numpy as np

import autograd
import nn
from autograd import Tensor
from tests.torch_oracle import GLASSGRAD, torch_library


def to_numpy(x) -> np.ndarray:
    if isinstance(x, Tensor):
        return x.numpy()
    if hasattr(x, "detach"):
        return x.detach().numpy()
    return np.asarray(x)


def assert_close(actual, expected, rtol=1e-5, atol=1e-6, what=""):
    actual, expected = to_numpy(actual), to_numpy(expected)
    assert actual.shape == expected.shape, f"{what}: shape {actual.shape} != {expected.shape}"
    np.testing.assert_allclose(actual, expected, rtol=rtol, atol=atol, err_msg=what)


def seeded_normal(seed, *shape, dtype=np.float32) -> np.ndarray:
    return np.random.default_rng(seed).standard_normal(shape).astype(dtype)


def with_seeded_parameters(module, seed=0):
    """The module, every parameter drawn from a seeded normal distribution: a recorded comparison's
    inputs must not depend on the library's own random generator."""
    rng = np.random.default_rng(seed)
    with autograd.no_grad():
        for _, p in module.named_parameters():
            p.copy_(autograd.tensor(rng.standard_normal(p.shape).astype(p.numpy().dtype)))
    return module


def forward_backward(fn, arrays, lib, seed=0, call_kwargs=None) -> dict:
    """fn(*tensors, **call_kwargs) in one library: the output and, for a seeded random upstream
    gradient, the gradients of the float inputs and of fn's parameters (when fn is a module)."""
    inputs = [lib.torch.tensor(a, requires_grad=a.dtype.kind == "f") for a in arrays]
    out = fn(*inputs, **(call_kwargs or {}))
    results = {"out": out}
    if out.requires_grad:
        upstream = np.random.default_rng(seed).standard_normal(tuple(out.shape))
        out.backward(lib.torch.tensor(upstream.astype(out.detach().numpy().dtype)))
        results.update({f"grad of input {i}": x.grad for i, x in enumerate(inputs) if x.requires_grad})
        parameters = fn.named_parameters() if hasattr(fn, "named_parameters") else ()
        results.update({f"grad of {name}": p.grad for name, p in parameters})
    return results


def compare(oracle, make, *arrays, case="", rtol=1e-5, atol=1e-6, seed=0):
    """make(lib)(*tensors) in glassgrad against torch: outputs, and the gradients of the float
    inputs and of the parameters for a seeded random upstream gradient. Returns our output."""
    arrays = [np.asarray(a) for a in arrays]
    fn = make(GLASSGRAD)
    inputs = {f"input {i}": a for i, a in enumerate(arrays)} | _configuration(fn)
    ours = forward_backward(fn, arrays, GLASSGRAD, seed)
    oracle.check(
        ours,
        lambda torch: forward_backward(make(torch_library(torch)), arrays, torch_library(torch), seed),
        case,
        inputs,
        rtol,
        atol,
    )
    return ours["out"]


def _configuration(fn) -> dict:
    """A module's repr and state, recorded with the inputs: a changed configuration makes the
    recording stale."""
    if not isinstance(fn, nn.Module):
        return {}
    return {"module": repr(fn)} | {
        f"state {key}": value.numpy().copy() for key, value in fn.state_dict().items()
    }


def module_results(module, arrays, lib, call_kwargs=None) -> dict:
    """Output and gradients, the parameters' names, and the state after the call (running statistics)."""
    results = forward_backward(module, arrays, lib, call_kwargs=call_kwargs)
    results["parameter names"] = [name for name, _ in module.named_parameters()]
    results.update({f"state {key} after": value for key, value in module.state_dict().items()})
    return results


def compare_modules(oracle, ours, make, *arrays, case="", call_kwargs=None, rtol=1e-5, atol=1e-6):
    """Our module against make(torch_lib), a twin loaded with our module's state and mode, both
    called on the arrays (and call_kwargs): outputs, input and parameter gradients, and the state
    after the call."""
    arrays = [np.asarray(a) for a in arrays]
    state = {key: value.numpy().copy() for key, value in ours.state_dict().items()}
    training = ours.training

    def theirs(torch):
        twin = make(torch_library(torch)).train(training)
        twin.load_state_dict({key: torch.from_numpy(value.copy()) for key, value in state.items()})
        return module_results(twin, arrays, torch_library(torch), call_kwargs)

    inputs = {f"input {i}": a for i, a in enumerate(arrays)} | _configuration(ours)
    inputs |= {"training": training, "call_kwargs": call_kwargs}
    oracle.check(module_results(ours, arrays, GLASSGRAD, call_kwargs), theirs, case, inputs, rtol, atol)
