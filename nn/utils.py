"""Gradient clipping and flattening parameters to one vector (`torch.nn.utils`)."""

from __future__ import annotations

import warnings

import numpy as np

from autograd import Tensor, cat, from_numpy, no_grad

__all__ = [
    "clip_grad_norm_",
    "clip_grad_value_",
    "clip_grads_with_norm_",
    "get_total_norm",
    "parameters_to_vector",
    "vector_to_parameters",
]


def _tensors(parameters) -> list:
    return [parameters] if isinstance(parameters, Tensor) else list(parameters)


def _norm(array: np.ndarray, norm_type: float):
    """The p-norm of all elements, in the array's dtype (inf: the largest magnitude)."""
    a = np.abs(array.ravel())
    if norm_type == np.inf:
        return a.max(initial=0).astype(array.dtype)
    if norm_type == -np.inf:
        return a.min(initial=np.inf).astype(array.dtype)
    if norm_type == 0:
        return np.asarray(np.count_nonzero(a), dtype=array.dtype)
    if norm_type == 1:
        return a.sum(dtype=array.dtype)
    if norm_type == 2:
        return np.sqrt(np.dot(a, a)).astype(array.dtype)
    return (a**norm_type).sum() ** (1.0 / norm_type)


def get_total_norm(tensors, norm_type: float = 2.0, error_if_nonfinite: bool = False) -> Tensor:
    """||(||t_1||_p, ..., ||t_n||_p)||_p: the p-norm of all tensors as if concatenated
    into one vector. An empty list gives tensor(0.)."""
    tensors = _tensors(tensors)
    norm_type = float(norm_type)
    if not tensors:
        return from_numpy(np.zeros((), np.float32))
    norms = np.stack([_norm(t._data, norm_type) for t in tensors]).astype(tensors[0].dtype, copy=False)
    total = np.asarray(_norm(norms, norm_type), dtype=norms.dtype)
    if error_if_nonfinite and not np.isfinite(total):
        raise RuntimeError(
            f"The total norm of order {norm_type} for gradients from `parameters` is non-finite, so it cannot be "
            "clipped. To disable this error and scale the gradients by the non-finite norm anyway, set "
            "`error_if_nonfinite=False`"
        )
    return from_numpy(total)


def clip_grads_with_norm_(parameters, max_norm: float, total_norm) -> None:
    """grad = grad * min(max_norm / (total_norm + 1e-6), 1), in place, for every gradient."""
    grads = [p.grad for p in _tensors(parameters) if p.grad is not None]
    if not grads:
        return
    total = np.asarray(total_norm._data if isinstance(total_norm, Tensor) else total_norm)
    coef = np.minimum(float(max_norm) / (total + 1e-6), 1.0)
    with no_grad(), np.errstate(invalid="ignore"):  # a non-finite norm gives nan gradients, as in PyTorch
        for g in grads:
            g.mul_(from_numpy(np.asarray(coef, dtype=g.dtype)))


def clip_grad_norm_(
    parameters, max_norm: float, norm_type: float = 2.0, error_if_nonfinite: bool = False
) -> Tensor:
    """Scale all gradients in place so their total `norm_type`-norm (see `get_total_norm`)
    is at most `max_norm`: grad = grad * min(max_norm / (total + 1e-6), 1).
    Returns the total norm before clipping, as a 0-d tensor."""
    is_generator = isinstance(parameters, type(x for x in ()))
    parameters = _tensors(parameters)
    if is_generator and not parameters:
        warnings.warn("`parameters` is an empty generator, no gradient clipping will occur.", stacklevel=2)
    grads = [p.grad for p in parameters if p.grad is not None]
    total = get_total_norm(grads, norm_type, error_if_nonfinite)
    clip_grads_with_norm_(parameters, max_norm, total)
    return total


def clip_grad_value_(parameters, clip_value: float) -> None:
    """Clamp every gradient, in place, to [-clip_value, clip_value]."""
    clip_value = float(clip_value)
    with no_grad():
        for p in _tensors(parameters):
            if p.grad is not None:
                p.grad.clamp_(-clip_value, clip_value)


def parameters_to_vector(parameters) -> Tensor:
    """All parameters flattened and concatenated into one 1-D tensor (differentiable)."""
    return cat([p.reshape(-1) for p in parameters])


def vector_to_parameters(vec: Tensor, parameters) -> None:
    """Slice `vec` into the shapes of `parameters`, in order, and make each
    parameter's data that slice (a view of `vec`'s memory, as in PyTorch)."""
    if not isinstance(vec, Tensor):
        raise TypeError(f"expected autograd.Tensor, but got: {type(vec).__name__}")
    parameters = list(parameters)
    sizes = [p.numel() for p in parameters]
    if sum(sizes) != vec.numel():
        raise RuntimeError(
            f"vector_to_parameters(): vec has {vec.numel()} elements but the parameters need {sum(sizes)}"
        )
    flat = vec._data.reshape(-1)
    for p, start, size in zip(parameters, np.cumsum([0] + sizes[:-1]), sizes):
        p._data = flat[start : start + size].reshape(p.shape)
