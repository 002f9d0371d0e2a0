"""Run the same computation in glassgrad and in PyTorch (the oracle) and compare
outputs and gradients. PyTorch is optional: the helpers skip the calling test
when it is not installed."""

from __future__ import annotations

import numpy as np
import pytest

import autograd
from autograd import Tensor


def torch_or_skip():
    return pytest.importorskip("torch")


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


def pair(array, requires_grad=None):
    """The same array as a glassgrad tensor and a torch tensor (float inputs require grad)."""
    torch = torch_or_skip()
    array = np.asarray(array)
    if requires_grad is None:
        requires_grad = array.dtype.kind == "f"
    ours = autograd.tensor(array, requires_grad=requires_grad)
    theirs = torch.from_numpy(array.copy()).requires_grad_(requires_grad)
    return ours, theirs


def copy_state(ours, theirs) -> None:
    """Load our module's state_dict into the torch module (the keys must be identical)."""
    torch = torch_or_skip()
    theirs.load_state_dict({k: torch.from_numpy(v.numpy().copy()) for k, v in ours.state_dict().items()})


def compare(our_fn, torch_fn, *arrays, our_params=(), torch_params=(), rtol=1e-5, atol=1e-6, seed=0):
    """our_fn(*tensors) vs torch_fn(*tensors): outputs, then the gradients of the float
    inputs and of the given parameters for a random upstream gradient (or for the
    scalar output itself)."""
    torch = torch_or_skip()
    pairs = [pair(a) for a in arrays]
    out = our_fn(*[p[0] for p in pairs])
    expected = torch_fn(*[p[1] for p in pairs])
    assert_close(out, expected, rtol, atol, "forward")
    if not expected.requires_grad:
        return out
    upstream = np.random.default_rng(seed).standard_normal(expected.shape).astype(to_numpy(out).dtype)
    out.backward(autograd.tensor(upstream))
    expected.backward(torch.from_numpy(upstream))
    for i, (ours, theirs) in enumerate(pairs):
        if theirs.requires_grad and theirs.grad is None:
            assert ours.grad is None, f"input {i} got a gradient where PyTorch gives none"
        elif theirs.requires_grad:
            assert_close(ours.grad, theirs.grad, rtol, atol, f"gradient of input {i}")
    for i, (ours, theirs) in enumerate(zip(our_params, torch_params)):
        assert_close(ours.grad, theirs.grad, rtol, atol, f"gradient of parameter {i}")
    return out


def compare_modules(ours, theirs, *arrays, rtol=1e-5, atol=1e-6):
    """Copy our weights into the torch module, then compare outputs, input and
    parameter gradients, and the buffers after the call (running statistics)."""
    copy_state(ours, theirs)
    names = [name for name, _ in ours.named_parameters()]
    assert names == [name for name, _ in theirs.named_parameters()]
    torch_params = dict(theirs.named_parameters())
    compare(
        ours,
        theirs,
        *arrays,
        our_params=[p for _, p in ours.named_parameters()],
        torch_params=[torch_params[n] for n in names],
        rtol=rtol,
        atol=atol,
    )
    their_state = theirs.state_dict()
    for key, value in ours.state_dict().items():
        assert_close(value, their_state[key], rtol, atol, f"state {key}")
