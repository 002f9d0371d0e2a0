"""Activation functions (`F.relu`, `F.gelu`, `F.softmax`, ...)."""

from __future__ import annotations

import math
import warnings

from autograd.functional_forms import where
from autograd.tensor import Tensor


def _maybe_inplace(fn, input: Tensor, inplace: bool) -> Tensor:
    """fn(input), or with `inplace` written back into input (computed on a copy, so
    that backward never sees the overwritten values)."""
    return input.copy_(fn(input.clone())) if inplace else fn(input)


def relu(input: Tensor, inplace: bool = False) -> Tensor:
    """max(x, 0)."""
    return input.relu_() if inplace else input.relu()


def relu_(input: Tensor) -> Tensor:
    return input.relu_()


def leaky_relu(input: Tensor, negative_slope: float = 0.01, inplace: bool = False) -> Tensor:
    """x for x > 0, negative_slope * x otherwise."""
    return _maybe_inplace(lambda x: where(x > 0, x, x * negative_slope), input, inplace)


def elu(input: Tensor, alpha: float = 1.0, inplace: bool = False) -> Tensor:
    """x for x > 0, alpha * (e^x - 1) otherwise."""
    return _maybe_inplace(lambda x: where(x > 0, x, (x.clamp(max=0.0).exp() - 1.0) * alpha), input, inplace)


def gelu(input: Tensor, approximate: str = "none") -> Tensor:
    """x * Phi(x), Phi the standard normal CDF (via erf), or its tanh approximation."""
    if approximate == "none":
        return input * 0.5 * (1.0 + (input * (1.0 / math.sqrt(2.0))).erf())
    if approximate == "tanh":
        inner = (input + input * input * input * 0.044715) * math.sqrt(2.0 / math.pi)
        return input * 0.5 * (1.0 + inner.tanh())
    raise RuntimeError(f"gelu(): approximate argument must be either 'none' or 'tanh', got {approximate!r}")


def silu(input: Tensor, inplace: bool = False) -> Tensor:
    """x * sigmoid(x)."""
    return _maybe_inplace(lambda x: x * x.sigmoid(), input, inplace)


def sigmoid(input: Tensor) -> Tensor:
    """1 / (1 + e^-x)."""
    return input.sigmoid()


def tanh(input: Tensor) -> Tensor:
    return input.tanh()


def softplus(input: Tensor, beta: float = 1.0, threshold: float = 20.0) -> Tensor:
    """log(1 + e^(beta x)) / beta, and x itself where beta x > threshold."""
    scaled = input * beta
    smooth = scaled.clamp(max=threshold).exp().log1p() / beta
    return where(scaled > threshold, input, smooth)


def _softmax_dim(ndim: int, name: str) -> int:
    warnings.warn(
        f"Implicit dimension choice for {name} has been deprecated. Change the call to include dim=X as an argument.",
        stacklevel=3,
    )
    return 0 if ndim in (0, 1, 3) else 1


def softmax(input: Tensor, dim: int | None = None, _stacklevel: int = 3, dtype=None) -> Tensor:
    """e^x / sum(e^x) along dim."""
    if dim is None:
        dim = _softmax_dim(input.ndim, "softmax")
    return (input if dtype is None else input.to(dtype)).softmax(dim)


def log_softmax(input: Tensor, dim: int | None = None, _stacklevel: int = 3, dtype=None) -> Tensor:
    """x - logsumexp(x) along dim."""
    if dim is None:
        dim = _softmax_dim(input.ndim, "log_softmax")
    return (input if dtype is None else input.to(dtype)).log_softmax(dim)
