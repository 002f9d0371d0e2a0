"""The functions behind the layers and losses (PyTorch's `torch.nn.functional`,
imported as `F`). Everything is composed from differentiable Tensor ops, so
gradients (and gradients of gradients) come from the engine. Masks, class
weights and random draws are constants computed in NumPy.

The losses are numerically stable: cross entropy goes through `log_softmax`,
binary cross entropy with logits through `log1p(exp(-|x|))`, and `log` is
clamped at -100 (as PyTorch does) without producing NaN gradients.
"""

from __future__ import annotations

import math
import warnings

import numpy as np

from autograd import no_grad
from autograd.conv import (
    AvgPool,
    Convolution,
    ConvolutionTranspose,
    Geometry,
    MaxPool,
)
from autograd.creation import default_generator
from autograd.functional_forms import pad, where
from autograd.tensor import Tensor

__all__ = [
    "adaptive_avg_pool1d",
    "adaptive_avg_pool2d",
    "avg_pool1d",
    "avg_pool2d",
    "batch_norm",
    "binary_cross_entropy",
    "binary_cross_entropy_with_logits",
    "conv1d",
    "conv2d",
    "conv_transpose1d",
    "conv_transpose2d",
    "cross_entropy",
    "dropout",
    "dropout2d",
    "elu",
    "embedding",
    "gelu",
    "hinge_embedding_loss",
    "huber_loss",
    "interpolate",
    "kl_div",
    "l1_loss",
    "layer_norm",
    "leaky_relu",
    "linear",
    "log_softmax",
    "max_pool1d",
    "max_pool2d",
    "mse_loss",
    "multi_margin_loss",
    "nll_loss",
    "one_hot",
    "pad",
    "relu",
    "relu_",
    "sigmoid",
    "silu",
    "smooth_l1_loss",
    "softmax",
    "softplus",
    "tanh",
]


def _array(x) -> np.ndarray:
    return x.data if isinstance(x, Tensor) else np.asarray(x)


def _const(array, dtype=None) -> Tensor:
    """A tensor without gradient (a mask, gathered class weights, a dropout mask)."""
    return Tensor(np.asarray(array), dtype=dtype)


def _as_tensor(x, like: Tensor | None = None) -> Tensor:
    if isinstance(x, Tensor):
        return x
    return Tensor(np.asarray(x), dtype=like.dtype if like is not None else None)


# --- layers ------------------------------------------------------------------------


def linear(input: Tensor, weight: Tensor, bias: Tensor | None = None) -> Tensor:
    """y = x W^T + b, for x of shape (*, in_features) and W of shape (out_features, in_features)."""
    if input.ndim == 0 or input.shape[-1] != weight.shape[-1]:
        raise RuntimeError(
            f"linear(): input of shape {input.shape} does not fit weight of shape {weight.shape}: the "
            f"input's last dimension must be in_features={weight.shape[-1]}"
        )
    out = input @ weight.T
    return out if bias is None else out + bias


def dropout(input: Tensor, p: float = 0.5, training: bool = True, inplace: bool = False) -> Tensor:
    """In training, zero each element with probability p and scale the rest by 1/(1-p)."""
    if p < 0.0 or p > 1.0:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
    if not training or p == 0.0:
        return input
    keep = default_generator().random(input.shape) >= p
    scale = _const(keep / (1.0 - p) if p < 1.0 else keep * 0.0, dtype=input.dtype)
    return input.mul_(scale) if inplace else input * scale


def _channel_shape(input: Tensor) -> tuple:
    """(1, C, 1, ...): how a per-channel vector broadcasts against (N, C, *)."""
    return (1, input.shape[1]) + (1,) * (input.ndim - 2)


def batch_norm(
    input: Tensor,
    running_mean: Tensor | None,
    running_var: Tensor | None,
    weight: Tensor | None = None,
    bias: Tensor | None = None,
    training: bool = False,
    momentum: float = 0.1,
    eps: float = 1e-5,
) -> Tensor:
    """y = (x - mean) / sqrt(var + eps) * weight + bias per channel (dim 1) of x (N, C, *);
    batch statistics in training (updating the running ones), running ones otherwise."""
    if input.ndim < 2:
        raise ValueError(f"batch_norm(): expected input of shape (N, C, *), got shape {input.shape}")
    channels = input.shape[1]
    for name, t in (
        ("running_mean", running_mean),
        ("running_var", running_var),
        ("weight", weight),
        ("bias", bias),
    ):
        if t is not None and t.shape != (channels,):
            raise RuntimeError(
                f"batch_norm(): {name} should contain {channels} elements (the channels, dim 1 of input of "
                f"shape {input.shape}), not shape {t.shape}"
            )
    shape = _channel_shape(input)
    dims = (0,) + tuple(range(2, input.ndim))
    if training:
        count = input.data.size // max(channels, 1)
        if count <= 1:
            raise ValueError(
                f"Expected more than 1 value per channel when training, got input size {input.shape}"
            )
        mean = input.mean(dims, keepdim=True)
        var = input.var(dims, keepdim=True, correction=0)
        with no_grad():  # the running variance is unbiased, as in PyTorch
            if running_mean is not None:
                running_mean.copy_(running_mean * (1.0 - momentum) + mean.reshape(channels) * momentum)
            if running_var is not None:
                unbiased = var.reshape(channels) * (count / (count - 1))
                running_var.copy_(running_var * (1.0 - momentum) + unbiased * momentum)
    else:
        if running_mean is None or running_var is None:
            raise RuntimeError("batch_norm(): running_mean and running_var are needed when training=False")
        mean, var = running_mean.reshape(shape), running_var.reshape(shape)
    out = (input - mean) / (var + eps).sqrt()
    if weight is not None:
        out = out * weight.reshape(shape)
    if bias is not None:
        out = out + bias.reshape(shape)
    return out


def layer_norm(
    input: Tensor,
    normalized_shape,
    weight: Tensor | None = None,
    bias: Tensor | None = None,
    eps: float = 1e-5,
) -> Tensor:
    """y = (x - mean) / sqrt(var + eps) * weight + bias over the last len(normalized_shape) dims."""
    normalized_shape = (normalized_shape,) if isinstance(normalized_shape, int) else tuple(normalized_shape)
    n = len(normalized_shape)
    if input.shape[input.ndim - n :] != normalized_shape or input.ndim < n:
        raise RuntimeError(
            f"layer_norm(): Given normalized_shape={list(normalized_shape)}, expected input with shape "
            f"[*, {', '.join(map(str, normalized_shape))}], but got input of size {input.shape}"
        )
    dims = tuple(range(input.ndim - n, input.ndim))
    mean = input.mean(dims, keepdim=True)
    var = input.var(dims, keepdim=True, correction=0)
    out = (input - mean) / (var + eps).sqrt()
    if weight is not None:
        out = out * weight
    if bias is not None:
        out = out + bias
    return out


def embedding(
    input,
    weight: Tensor,
    padding_idx: int | None = None,
    max_norm: float | None = None,
    norm_type: float = 2.0,
    scale_grad_by_freq: bool = False,
    sparse: bool = False,
) -> Tensor:
    """out[...] = weight[input[...]]: rows of weight (num_embeddings, dim) for integer indices;
    the row at padding_idx gets no gradient."""
    index = _array(input)
    if index.dtype.kind not in "iu":
        raise RuntimeError(
            f"embedding(): expected integer indices (dtype int64), got dtype {index.dtype}; convert with .long()"
        )
    num = weight.shape[0]
    if index.size and (index.min() < 0 or index.max() >= num):
        raise IndexError(
            f"embedding(): index out of range: indices must be in [0, {num}) for a weight of shape "
            f"{weight.shape}, got values in [{index.min()}, {index.max()}]"
        )
    if sparse:
        raise NotImplementedError("embedding(): sparse gradients are not supported; use sparse=False")
    if max_norm is not None:
        _renorm_rows(weight, index, max_norm, norm_type)
    rows = weight[index]
    if scale_grad_by_freq:  # the same forward; the gradient of each row divided by its count
        counts = np.bincount(index.reshape(-1), minlength=num)[index][..., None].astype(weight.dtype)
        rows = rows.detach() + (rows - rows.detach()) / _const(counts)
    if padding_idx is not None:
        padding_idx = padding_idx % num
        rows = where(_const((index != padding_idx)[..., None]), rows, rows.detach())
    return rows


def _renorm_rows(weight: Tensor, index: np.ndarray, max_norm: float, norm_type: float) -> None:
    """Rescale in place the rows of weight used by index whose norm exceeds max_norm."""
    used = np.unique(index)
    norms = np.linalg.norm(weight.data[used].astype(np.float64), ord=norm_type, axis=1)
    scale = np.where(norms > max_norm, max_norm / (norms + 1e-7), 1.0)[:, None]
    with no_grad():
        weight[used] = _const(weight.data[used] * scale, dtype=weight.dtype)


def one_hot(tensor, num_classes: int = -1) -> Tensor:
    """int64 tensor of shape (*, num_classes) with a 1 at each index of `tensor`."""
    index = _array(tensor)
    if index.dtype.kind not in "iu":
        raise RuntimeError(
            f"one_hot is only applicable to index tensor of type LongTensor (got dtype {index.dtype})"
        )
    if num_classes == -1:
        num_classes = int(index.max()) + 1 if index.size else 0
    if index.size and index.min() < 0:
        raise RuntimeError("one_hot(): Class values must be non-negative.")
    if index.size and index.max() >= num_classes:
        raise RuntimeError(f"one_hot(): Class values must be smaller than num_classes ({num_classes}).")
    return Tensor((index[..., None] == np.arange(num_classes)).astype(np.int64))


# --- activations -------------------------------------------------------------------


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


# --- losses ------------------------------------------------------------------------


def _legacy_reduction(size_average, reduce, reduction: str) -> str:
    """PyTorch's deprecated size_average / reduce flags, mapped to a reduction."""
    if size_average is None and reduce is None:
        return reduction
    size_average = True if size_average is None else size_average
    reduce = True if reduce is None else reduce
    reduction = "none" if not reduce else "mean" if size_average else "sum"
    warnings.warn(
        f"size_average and reduce args will be deprecated, please use reduction='{reduction}' instead.",
        stacklevel=3,
    )
    return reduction


def _check_reduction(reduction: str, allowed=("none", "mean", "sum")) -> None:
    if reduction not in allowed:
        raise ValueError(f"{reduction} is not a valid value for reduction; use one of {', '.join(allowed)}")


def _reduce(loss: Tensor, reduction: str) -> Tensor:
    _check_reduction(reduction)
    if reduction == "mean":
        return loss.mean()
    if reduction == "sum":
        return loss.sum()
    return loss


def _weighted_reduce(loss: Tensor, weight, reduction: str, input: Tensor, mean_by_weight: bool) -> Tensor:
    """loss * weight, reduced; the weighted mean divides by the sum of the weights
    (mse_loss, l1_loss) or by the count (huber_loss), as in PyTorch."""
    _check_reduction(reduction)
    if weight is None:
        return _reduce(loss, reduction)
    weight = _as_tensor(weight, input)
    if weight.shape != input.shape:
        raise ValueError(
            f"Weights and input must have the same size (weight {weight.shape}, input {input.shape})."
        )
    loss = loss * weight
    if reduction == "mean" and mean_by_weight:
        return loss.sum() / weight.sum()
    return _reduce(loss, reduction)


def _warn_if_broadcast(input: Tensor, target: Tensor) -> None:
    if target.shape != input.shape:
        warnings.warn(
            f"Using a target size ({target.shape}) that is different to the input size ({input.shape}). "
            "This will likely lead to incorrect results due to broadcasting. Please ensure they have the same size.",
            stacklevel=3,
        )


def mse_loss(
    input: Tensor, target, size_average=None, reduce=None, reduction: str = "mean", weight=None
) -> Tensor:
    """(x - y)^2, reduced."""
    reduction = _legacy_reduction(size_average, reduce, reduction)
    target = _as_tensor(target, input)
    _warn_if_broadcast(input, target)
    diff = input - target
    return _weighted_reduce(diff * diff, weight, reduction, input, mean_by_weight=True)


def l1_loss(
    input: Tensor, target, size_average=None, reduce=None, reduction: str = "mean", weight=None
) -> Tensor:
    """|x - y|, reduced."""
    reduction = _legacy_reduction(size_average, reduce, reduction)
    target = _as_tensor(target, input)
    _warn_if_broadcast(input, target)
    return _weighted_reduce((input - target).abs(), weight, reduction, input, mean_by_weight=True)


def smooth_l1_loss(
    input: Tensor, target, size_average=None, reduce=None, reduction: str = "mean", beta: float = 1.0
) -> Tensor:
    """0.5 d^2 / beta where d = |x - y| < beta, else d - 0.5 beta; reduced."""
    reduction = _legacy_reduction(size_average, reduce, reduction)
    if beta < 0:
        raise RuntimeError(f"smooth_l1_loss does not support negative values for beta (got {beta}).")
    target = _as_tensor(target, input)
    _warn_if_broadcast(input, target)
    d = (input - target).abs()
    loss = d if beta == 0 else where(d < beta, d * d * (0.5 / beta), d - 0.5 * beta)
    return _reduce(loss, reduction)


def huber_loss(input: Tensor, target, reduction: str = "mean", delta: float = 1.0, weight=None) -> Tensor:
    """0.5 d^2 where d = |x - y| < delta, else delta (d - 0.5 delta); reduced."""
    target = _as_tensor(target, input)
    _warn_if_broadcast(input, target)
    d = (input - target).abs()
    loss = where(d < delta, d * d * 0.5, (d - 0.5 * delta) * delta)
    return _weighted_reduce(loss, weight, reduction, input, mean_by_weight=False)


def _clamped_log(x: Tensor) -> Tensor:
    """max(log x, -100), as PyTorch's BCELoss, with finite gradients (0 where clamped)."""
    ok = x.data > math.exp(-100.0)
    safe = where(_const(ok), x, 1.0)
    return where(_const(ok), safe.log(), -100.0)


def binary_cross_entropy(
    input: Tensor, target, weight=None, size_average=None, reduce=None, reduction: str = "mean"
) -> Tensor:
    """-(y log x + (1 - y) log(1 - x)) * weight for probabilities x, logs clamped at -100; reduced."""
    reduction = _legacy_reduction(size_average, reduce, reduction)
    target = _as_tensor(target, input)
    if target.shape != input.shape:
        raise ValueError(
            f"Using a target size ({target.shape}) that is different to the input size ({input.shape}) is "
            "deprecated. Please ensure they have the same size."
        )
    if np.any((input.data < 0) | (input.data > 1)):
        raise RuntimeError(
            "binary_cross_entropy(): all elements of input should be between 0 and 1; for logits use "
            "binary_cross_entropy_with_logits (BCEWithLogitsLoss)"
        )
    loss = -(target * _clamped_log(input) + (1.0 - target) * _clamped_log(1.0 - input))
    if weight is not None:
        loss = loss * _as_tensor(weight, input)
    return _reduce(loss, reduction)


def _log1p_exp_neg(x: Tensor) -> Tensor:
    """log(1 + e^-x) = -log(sigmoid(x)) without overflow: log1p(e^-|x|) + max(-x, 0),
    with |x| and max written through constant signs so the gradient at 0 is exact."""
    negative = x.data < 0
    sign = _const(np.where(negative, -1.0, 1.0), dtype=x.dtype)
    return (-(x * sign)).exp().log1p() - x * _const(negative, dtype=x.dtype)


def binary_cross_entropy_with_logits(
    input: Tensor,
    target,
    weight=None,
    size_average=None,
    reduce=None,
    reduction: str = "mean",
    pos_weight=None,
) -> Tensor:
    """-(p y log sigmoid(x) + (1 - y) log(1 - sigmoid(x))) * weight for logits x, computed
    stably as (1 - y) x + (1 + (p - 1) y) log(1 + e^-x); reduced."""
    reduction = _legacy_reduction(size_average, reduce, reduction)
    target = _as_tensor(target, input)
    if target.shape != input.shape:
        raise ValueError(f"Target size ({target.shape}) must be the same as input size ({input.shape})")
    softplus_neg = _log1p_exp_neg(input)
    if pos_weight is not None:
        softplus_neg = softplus_neg * ((_as_tensor(pos_weight, input) - 1.0) * target + 1.0)
    loss = (1.0 - target) * input + softplus_neg
    if weight is not None:
        loss = loss * _as_tensor(weight, input)
    return _reduce(loss, reduction)


def _class_dim(input: Tensor, op: str) -> int:
    if input.ndim == 0:
        raise ValueError(f"{op}(): input must have a class dimension, got a 0-d tensor")
    return 0 if input.ndim == 1 else 1


def _class_weight(weight, classes: int, op: str):
    """The class weights as a NumPy vector (None stays None)."""
    if weight is None:
        return None
    weight = _array(weight)
    if weight.shape != (classes,):
        raise RuntimeError(
            f"{op}(): weight tensor should be defined either for all {classes} classes or no classes "
            f"but got weight tensor of shape: {weight.shape}"
        )
    return weight


def _target_indices(input: Tensor, target, ignore_index: int | None, op: str):
    """(class dim, safe indices with ignored ones set to 0, mask of the kept ones), checked."""
    class_dim = _class_dim(input, op)
    index = _array(target)
    if index.dtype.kind not in "iu":
        raise RuntimeError(
            f"{op}(): expected class indices of an integer dtype (int64), got dtype {index.dtype}; "
            "convert the target with .long()"
        )
    expected = input.shape[:class_dim] + input.shape[class_dim + 1 :]
    if index.shape != expected:
        raise ValueError(
            f"{op}(): expected target of shape {expected} for input of shape {input.shape} (classes along "
            f"dim {class_dim}), got target of shape {index.shape}"
        )
    kept = np.ones(index.shape, bool) if ignore_index is None else index != ignore_index
    safe = np.where(kept, index, 0)
    classes = input.shape[class_dim]
    bad = (safe < 0) | (safe >= classes)
    if np.any(bad):
        raise IndexError(
            f"{op}(): Target {index[bad].reshape(-1)[0]} is out of bounds for {classes} classes."
        )
    return class_dim, safe, kept


def nll_loss(
    input: Tensor,
    target,
    weight=None,
    size_average=None,
    ignore_index: int = -100,
    reduce=None,
    reduction: str = "mean",
) -> Tensor:
    """-weight[y] * input[y] for log-probabilities input (N, C, *) and class indices y (N, *);
    the mean divides by the sum of the weights of the targets that are not ignored."""
    reduction = _legacy_reduction(size_average, reduce, reduction)
    _check_reduction(reduction)
    class_dim, safe, kept = _target_indices(input, target, ignore_index, "nll_loss")
    weight = _class_weight(weight, input.shape[class_dim], "nll_loss")
    w = kept.astype(input.dtype) if weight is None else (weight[safe] * kept).astype(input.dtype)
    kept_dim = safe.shape[:class_dim] + (1,) + safe.shape[class_dim:]
    picked = input.gather(class_dim, safe.reshape(kept_dim))
    if reduction == "none":
        return -picked.squeeze(class_dim) * _const(w)
    if reduction == "mean":  # sum(-w x) / sum(w), as one weighted sum: fewer ops to record
        total = w.sum()
        if total:
            w = w / total
        else:
            with np.errstate(invalid="ignore", divide="ignore"):  # every target ignored: NaN, as in PyTorch
                w = w / total
    return (picked * Tensor._make(np.negative(w).reshape(kept_dim), False)).sum()


def cross_entropy(
    input: Tensor,
    target,
    weight=None,
    size_average=None,
    ignore_index: int = -100,
    reduce=None,
    reduction: str = "mean",
    label_smoothing: float = 0.0,
) -> Tensor:
    """-sum_c w_c y_c log softmax(x)_c for logits x (N, C, *) or (C,), with y class indices
    (N, *) or class probabilities (the shape of x), optionally smoothed towards uniform."""
    reduction = _legacy_reduction(size_average, reduce, reduction)
    _check_reduction(reduction)
    if not 0.0 <= label_smoothing <= 1.0:
        raise RuntimeError(
            f"cross_entropy(): label_smoothing must be between 0.0 and 1.0, got {label_smoothing}"
        )
    class_dim = _class_dim(input, "cross_entropy")
    classes = input.shape[class_dim]
    weight_vector = _class_weight(weight, classes, "cross_entropy")
    shape = [1] * input.ndim
    shape[class_dim] = classes
    log_p = input.log_softmax(class_dim)
    class_weight = None if weight_vector is None else _const(weight_vector.reshape(shape), dtype=input.dtype)
    if _array(target).dtype.kind == "f":  # class probabilities
        target = _as_tensor(target, input)
        if target.shape != input.shape:
            raise RuntimeError(
                f"cross_entropy(): class-probability targets must have the input's shape {input.shape}, "
                f"got {target.shape}; for class indices pass an integer (int64) target"
            )
        if label_smoothing > 0:
            target = target * (1.0 - label_smoothing) + label_smoothing / classes
        terms = log_p * target if class_weight is None else log_p * target * class_weight
        return _reduce(-terms.sum(class_dim), reduction)
    nll = nll_loss(log_p, target, weight, None, ignore_index, None, reduction)
    if label_smoothing == 0:
        return nll
    _, safe, kept = _target_indices(input, target, ignore_index, "cross_entropy")
    smooth = -(log_p if class_weight is None else log_p * class_weight).sum(class_dim) * _const(
        kept, input.dtype
    )
    if reduction == "mean":
        total = kept.sum() if weight_vector is None else (weight_vector[safe] * kept).sum()
        with np.errstate(invalid="ignore", divide="ignore"):
            smooth = smooth.sum() / _const(total, input.dtype)
    else:
        smooth = _reduce(smooth, reduction)
    return nll * (1.0 - label_smoothing) + smooth * (label_smoothing / classes)


def multi_margin_loss(
    input: Tensor,
    target,
    p: int = 1,
    margin: float = 1.0,
    weight=None,
    size_average=None,
    reduce=None,
    reduction: str = "mean",
) -> Tensor:
    """sum_{j != y} w_y max(0, margin - x_y + x_j)^p / C per sample, for x (N, C) or (C,)."""
    reduction = _legacy_reduction(size_average, reduce, reduction)
    _check_reduction(reduction)
    if p not in (1, 2):
        raise ValueError(f"multi_margin_loss(): only p == 1 and p == 2 supported, got p={p}")
    if input.ndim not in (1, 2):
        raise RuntimeError(f"multi_margin_loss(): expected input of shape (N, C) or (C,), got {input.shape}")
    _, safe, _ = _target_indices(input, target, None, "multi_margin_loss")
    x = input if input.ndim == 2 else input.unsqueeze(0)
    y = safe.reshape(-1)
    classes = x.shape[1]
    weight = _class_weight(weight, classes, "multi_margin_loss")
    z = (x - x.gather(1, _const(y[:, None])) + margin).relu()
    if p == 2:
        z = z * z
    other = (np.arange(classes) != y[:, None]) * (1.0 if weight is None else weight[y][:, None])
    loss = (z * _const(other, input.dtype)).sum(1) / classes
    return _reduce(loss if input.ndim == 2 else loss.squeeze(0), reduction)


def hinge_embedding_loss(
    input: Tensor, target, margin: float = 1.0, size_average=None, reduce=None, reduction: str = "mean"
) -> Tensor:
    """x where y = 1, max(0, margin - x) where y = -1; reduced."""
    reduction = _legacy_reduction(size_average, reduce, reduction)
    y = _array(target)
    margin_term = (margin - input).clamp(min=0.0) * _const(y != 1, input.dtype)
    return _reduce(margin_term + input * _const(y != -1, input.dtype), reduction)


def _xlogx(t: Tensor) -> Tensor:
    """t log t, 0 where t = 0."""
    zero = _const(t.data == 0)
    return t * where(zero, 1.0, t).log()


def kl_div(
    input: Tensor, target, size_average=None, reduce=None, reduction: str = "mean", log_target: bool = False
) -> Tensor:
    """y (log y - x) for log-probabilities x and probabilities y (or log-probabilities with
    log_target); 'batchmean' divides the sum by the batch size, the true KL divergence."""
    if size_average is not None or reduce is not None:
        reduction = _legacy_reduction(size_average, reduce, reduction)
    elif reduction == "mean":
        warnings.warn(
            "reduction: 'mean' divides the total loss by both the batch size and the support size."
            "'batchmean' divides only by the batch size, and aligns with the KL div math definition."
            "'mean' will be changed to behave the same as 'batchmean' in the next major release.",
            stacklevel=2,
        )
    _check_reduction(reduction, ("none", "mean", "sum", "batchmean"))
    target = _as_tensor(target, input)
    loss = target.exp() * (target - input) if log_target else _xlogx(target) - target * input
    if reduction == "batchmean":
        return loss.sum() / input.shape[0] if input.ndim else loss.sum()
    return _reduce(loss, reduction)


# --- convolution and pooling (NCHW; 1-d ops run as 2-d ones of height 1) -----------------------


def _tuple(value, n: int, name: str, op: str) -> tuple:
    """An int, or a sequence of n ints, as a tuple of n ints."""
    if isinstance(value, (int, np.integer)) and not isinstance(value, bool):
        return (int(value),) * n
    values = tuple(value)
    if len(values) == 1 and n > 1:
        values = values * n
    if len(values) != n or not all(isinstance(v, (int, np.integer)) and not isinstance(v, bool) for v in values):
        raise RuntimeError(
            f"{op}(): expected {name} to be a single integer value or a list of {n} values to match the "
            f"{n}-d spatial dims, but got {name}={value!r}"
        )
    return tuple(int(v) for v in values)


def _spatial_input(input: Tensor, dims: int, op: str) -> tuple:
    """(input as a batch (N, C, *spatial), whether it was batched), for a
    (C, *spatial) or (N, C, *spatial) input."""
    if not isinstance(input, Tensor) or input.ndim not in (dims + 1, dims + 2):
        shape = list(input.shape) if isinstance(input, Tensor) else type(input).__name__
        raise RuntimeError(
            f"Expected {dims + 1}D (unbatched) or {dims + 2}D (batched) input to {op}, but got input of size: {shape}"
        )
    if input.dtype.kind != "f":
        raise RuntimeError(f"{op}(): expected a floating point input, got dtype {input.dtype}; call .float() first")
    batched = input.ndim == dims + 2
    return (input if batched else input.unsqueeze(0)), batched


def _as_2d(x: Tensor, dims: int) -> Tensor:
    return x.unsqueeze(2) if dims == 1 else x


def _from_2d(y: Tensor, dims: int, batched: bool) -> Tensor:
    if dims == 1:
        y = y.squeeze(2)
    return y if batched else y.squeeze(0)


def _sizes(sizes) -> str:
    return " x ".join(str(s) for s in sizes)


def _check_conv_weight(input: Tensor, x: Tensor, weight: Tensor, bias, groups: int, dims: int, op: str,
                       transposed: bool = False) -> None:
    """PyTorch's checks of the channels, groups, dtypes and bias of a convolution."""
    if not isinstance(weight, Tensor) or weight.ndim != dims + 2:
        raise RuntimeError(
            f"{op}(): expected a {dims + 2}-d weight (out_channels, in_channels / groups, "
            f"{', '.join('k' + str(i) for i in range(dims))}), got weight of size "
            f"{list(weight.shape) if isinstance(weight, Tensor) else type(weight).__name__}"
        )
    if x.dtype != weight.dtype or (bias is not None and bias.dtype != weight.dtype):
        raise RuntimeError(
            f"{op}(): input ({x.dtype}), weight ({weight.dtype})"
            + (f" and bias ({bias.dtype})" if bias is not None else "")
            + " must have the same dtype"
        )
    if not isinstance(groups, (int, np.integer)) or groups < 1:
        raise RuntimeError(f"{op}(): non-positive groups is not supported (got groups={groups})")
    channels = x.shape[1]
    if transposed:
        if weight.shape[0] != channels:
            raise RuntimeError(
                f"Given transposed=1, weight of size {list(weight.shape)}, expected input{list(input.shape)} to have "
                f"{weight.shape[0]} channels, but got {channels} channels instead"
            )
        if channels % groups:
            raise RuntimeError(
                f"Given groups={groups}, expected the input channels (dim 1 of input{list(input.shape)}, and dim 0 "
                f"of weight of size {list(weight.shape)}) to be divisible by {groups}, but got {channels}"
            )
        out_channels = weight.shape[1] * groups
    else:
        if weight.shape[0] % groups:
            raise RuntimeError(
                f"Given groups={groups}, expected weight to be divisible by {groups} at dimension 0, but got weight "
                f"of size {list(weight.shape)} instead (input of size {list(input.shape)})"
            )
        if weight.shape[1] * groups != channels:
            raise RuntimeError(
                f"Given groups={groups}, weight of size {list(weight.shape)}, expected input{list(input.shape)} to "
                f"have {weight.shape[1] * groups} channels, but got {channels} channels instead"
            )
        out_channels = weight.shape[0]
    if bias is not None and bias.shape != (out_channels,):
        raise RuntimeError(
            f"Given weight of size {list(weight.shape)}, expected bias to be 1-dimensional with {out_channels} "
            f"elements, but got bias of size {list(bias.shape)} instead"
        )


def _conv_padding(padding, kernel, stride, dilation, dims, op) -> tuple:
    """((lo, hi), ...) per spatial dim from an int, a tuple, 'valid' or 'same'
    ('same' puts the odd extra pad at the end, as PyTorch does)."""
    if isinstance(padding, str):
        if padding == "valid":
            return ((0, 0),) * dims
        if padding != "same":
            raise RuntimeError(f"{op}(): invalid padding string {padding!r}, should be one of 'valid', 'same'")
        if any(s != 1 for s in stride):
            raise RuntimeError(f"{op}(): padding='same' is not supported for strided convolutions (stride={stride})")
        return tuple((d * (k - 1) // 2, d * (k - 1) - d * (k - 1) // 2) for k, d in zip(kernel, dilation))
    pads = _tuple(padding, dims, "padding", op)
    if any(p < 0 for p in pads):
        raise RuntimeError(f"{op}(): negative padding is not supported (got padding={padding})")
    return tuple((p, p) for p in pads)


def _positive(values: tuple, name: str, op: str) -> None:
    if any(v < 1 for v in values):
        raise RuntimeError(f"{op}(): non-positive {name} is not supported (got {name}={values})")


def _conv(input, weight, bias, stride, padding, dilation, groups, dims: int, op: str) -> Tensor:
    x, batched = _spatial_input(input, dims, op)
    _check_conv_weight(input, x, weight, bias, groups, dims, op)
    kernel = tuple(weight.shape[2:])
    stride, dilation = _tuple(stride, dims, "stride", op), _tuple(dilation, dims, "dilation", op)
    _positive(stride, "stride", op)
    _positive(dilation, "dilation", op)
    pads = _conv_padding(padding, kernel, stride, dilation, dims, op)
    size = x.shape[2:]
    padded = tuple(n + lo + hi for n, (lo, hi) in zip(size, pads))
    reach = tuple(d * (k - 1) + 1 for k, d in zip(kernel, dilation))
    if any(p < r for p, r in zip(padded, reach)):
        raise RuntimeError(
            f"{op}(): calculated padded input size per channel: ({_sizes(padded)}) (input of size "
            f"{list(input.shape)}, padding {[lo for lo, _ in pads]}). Kernel size: ({_sizes(reach)}) (weight of size "
            f"{list(weight.shape)}, dilation {list(dilation)}). Kernel size can't be greater than actual input size"
        )
    if dims == 1:
        kernel, stride, pads, dilation = (1,) + kernel, (1,) + stride, ((0, 0),) + pads, (1,) + dilation
    geometry = Geometry(kernel, stride, pads, dilation, int(groups))
    y = Convolution.apply(_as_2d(x, dims), _as_2d(weight, dims), bias, geometry)
    return _from_2d(y, dims, batched)


def conv1d(input: Tensor, weight: Tensor, bias: Tensor | None = None, stride=1, padding=0, dilation=1,
           groups: int = 1) -> Tensor:
    """y[n, o] = bias[o] + sum_c weight[o, c] (*) input[n, c], a cross-correlation over the
    length of input (N, C, L) or (C, L); weight (out_channels, C / groups, k); padding
    an int, 'valid' or 'same'."""
    return _conv(input, weight, bias, stride, padding, dilation, groups, 1, "conv1d")


def conv2d(input: Tensor, weight: Tensor, bias: Tensor | None = None, stride=1, padding=0, dilation=1,
           groups: int = 1) -> Tensor:
    """y[n, o] = bias[o] + sum_c weight[o, c] (*) input[n, c], a 2-d cross-correlation of
    input (N, C, H, W) or (C, H, W) with weight (out_channels, C / groups, kh, kw);
    padding an int, a pair, 'valid' or 'same'."""
    return _conv(input, weight, bias, stride, padding, dilation, groups, 2, "conv2d")


def _conv_transpose(input, weight, bias, stride, padding, output_padding, groups, dilation, dims, op) -> Tensor:
    x, batched = _spatial_input(input, dims, op)
    _check_conv_weight(input, x, weight, bias, groups, dims, op, transposed=True)
    kernel = tuple(weight.shape[2:])
    stride, dilation = _tuple(stride, dims, "stride", op), _tuple(dilation, dims, "dilation", op)
    _positive(stride, "stride", op)
    _positive(dilation, "dilation", op)
    if isinstance(padding, str):
        raise TypeError(f"{op}(): padding must be an int or a tuple of ints, got {padding!r}")
    pads = _tuple(padding, dims, "padding", op)
    extra = _tuple(output_padding, dims, "output_padding", op)
    if any(p < 0 for p in pads + extra):
        raise RuntimeError(f"{op}(): negative padding is not supported (padding={pads}, output_padding={extra})")
    if any(e >= s and e >= d for e, s, d in zip(extra, stride, dilation)):
        raise RuntimeError(
            f"{op}(): output padding must be smaller than either stride or dilation, but got output_padding={extra}, "
            f"stride={stride}, dilation={dilation}"
        )
    size = tuple(
        (n - 1) * s - 2 * p + d * (k - 1) + e + 1
        for n, s, p, d, k, e in zip(x.shape[2:], stride, pads, dilation, kernel, extra)
    )
    if any(n < 1 for n in size):
        raise RuntimeError(
            f"{op}(): the output size ({_sizes(size)}) of input of size {list(input.shape)} with weight of size "
            f"{list(weight.shape)}, stride {stride}, padding {pads}, dilation {dilation} and output_padding "
            f"{extra} is too small"
        )
    # The convolution whose adjoint this is: output_padding rows past what a stride covers
    # are cropped from its input (a negative bottom / right padding).
    pads = tuple((p, p - max(0, e - s + 1)) for p, e, s in zip(pads, extra, stride))
    if dims == 1:
        kernel, stride, pads, dilation, size = (1,) + kernel, (1,) + stride, ((0, 0),) + pads, (1,) + dilation, (1,) + size
    geometry = Geometry(kernel, stride, pads, dilation, int(groups))
    y = ConvolutionTranspose.apply(_as_2d(x, dims), _as_2d(weight, dims), bias, geometry, size)
    return _from_2d(y, dims, batched)


def conv_transpose1d(input: Tensor, weight: Tensor, bias: Tensor | None = None, stride=1, padding=0,
                     output_padding=0, groups: int = 1, dilation=1) -> Tensor:
    """The adjoint of conv1d in its input (the gradient of a convolution): input (N, C_in, L),
    weight (C_in, out_channels / groups, k), output length
    (L - 1) * stride - 2 * padding + dilation * (k - 1) + output_padding + 1."""
    return _conv_transpose(input, weight, bias, stride, padding, output_padding, groups, dilation, 1,
                           "conv_transpose1d")


def conv_transpose2d(input: Tensor, weight: Tensor, bias: Tensor | None = None, stride=1, padding=0,
                     output_padding=0, groups: int = 1, dilation=1) -> Tensor:
    """The adjoint of conv2d in its input (the gradient of a convolution, a 'deconvolution'):
    input (N, C_in, H, W), weight (C_in, out_channels / groups, kh, kw), output height
    (H - 1) * stride - 2 * padding + dilation * (kh - 1) + output_padding + 1 (and width alike)."""
    return _conv_transpose(input, weight, bias, stride, padding, output_padding, groups, dilation, 2,
                           "conv_transpose2d")


def _pool_geometry(x: Tensor, input: Tensor, kernel_size, stride, padding, dilation, ceil_mode, dims, op,
                   dilated=True) -> Geometry:
    """The windows of a pooling, with PyTorch's output size (ceil_mode lets a last window
    hang over the bottom / right edge, if it starts inside the input or the left padding)."""
    kernel = _tuple(kernel_size, dims, "kernel_size", op)
    stride = kernel if stride is None or (not isinstance(stride, int) and len(stride) == 0) else _tuple(
        stride, dims, "stride", op
    )
    pads = _tuple(padding, dims, "padding", op)
    dilation = _tuple(dilation, dims, "dilation", op)
    _positive(kernel, "kernel_size", op)
    _positive(stride, "stride", op)
    _positive(dilation, "dilation", op)
    for p, k, d in zip(pads, kernel, dilation):
        if p < 0 or p > ((k - 1) * d + 1) // 2:
            raise RuntimeError(
                f"{op}(): pad should be at most half of {'effective ' if dilated else ''}kernel size, but got "
                f"pad={p}, kernel_size={k}" + (f" and dilation={d}" if dilated else "")
            )
    size = x.shape[2:]
    out = []
    for n, k, s, p, d in zip(size, kernel, stride, pads, dilation):
        span = n + 2 * p - d * (k - 1) - 1
        o = (span + (s - 1 if ceil_mode else 0)) // s + 1
        if ceil_mode and (o - 1) * s >= n + p:
            o -= 1
        out.append(o)
    if any(o < 1 for o in out):
        c = x.shape[1]
        raise RuntimeError(
            f"{op}(): given input size: ({c}x{'x'.join(map(str, size))}). Calculated output size: "
            f"({c}x{'x'.join(map(str, out))}). Output size is too small (input of size {list(input.shape)}, "
            f"kernel_size={kernel}, stride={stride}, padding={pads}, dilation={dilation})"
        )
    pads = tuple(
        (p, p + max(0, (o - 1) * s + d * (k - 1) + 1 - (n + 2 * p)))
        for n, k, s, p, d, o in zip(size, kernel, stride, pads, dilation, out)
    )
    if dims == 1:
        kernel, stride, pads, dilation = (1,) + kernel, (1,) + stride, ((0, 0),) + pads, (1,) + dilation
    return Geometry(kernel, stride, pads, dilation)


def _max_pool(input, kernel_size, stride, padding, dilation, ceil_mode, return_indices, dims, op):
    x, batched = _spatial_input(input, dims, op)
    geometry = _pool_geometry(x, input, kernel_size, stride, padding, dilation, ceil_mode, dims, op)
    out = MaxPool.apply(_as_2d(x, dims), geometry, bool(return_indices))
    if not return_indices:
        return _from_2d(out, dims, batched)
    y, indices = out
    return _from_2d(y, dims, batched), _from_2d(indices, dims, batched)


def max_pool1d(input: Tensor, kernel_size, stride=None, padding=0, dilation=1, ceil_mode: bool = False,
               return_indices: bool = False):
    """The max of each window along the length of input (N, C, L) or (C, L) (padding counts as -inf);
    with return_indices, also the position of each max in its input row."""
    return _max_pool(input, kernel_size, stride, padding, dilation, ceil_mode, return_indices, 1, "max_pool1d")


def max_pool2d(input: Tensor, kernel_size, stride=None, padding=0, dilation=1, ceil_mode: bool = False,
               return_indices: bool = False):
    """The max of each kernel_size window of input (N, C, H, W) or (C, H, W), windows stride
    apart (kernel_size by default); padding counts as -inf. With return_indices, also the flat
    position (row * W + column) of each max in its input plane. The gradient goes to the max
    (the first one, on ties)."""
    return _max_pool(input, kernel_size, stride, padding, dilation, ceil_mode, return_indices, 2, "max_pool2d")


def _avg_scale(size, geometry: Geometry, count_include_pad: bool, divisor_override, dtype):
    """1 / the divisor of each window of a (H, W) = size input, as PyTorch counts it: the
    window clipped to the padded input (count_include_pad) or to the input itself; a float
    when it is the same everywhere."""
    if divisor_override is not None:
        if divisor_override == 0:
            raise RuntimeError("avg_pool2d(): divisor must be not zero")
        return 1.0 / divisor_override
    counts = []
    for n, k, s, (p, _), o in zip(size, geometry.kernel, geometry.stride, geometry.padding,
                                  geometry.output_size(size)):
        start = np.arange(o) * s - p
        end = np.minimum(start + k, n + p)
        if not count_include_pad:
            start, end = np.maximum(start, 0), np.minimum(end, n)
        counts.append(end - start)
    count = counts[0][:, None] * counts[1][None, :]
    if np.all(count == count.flat[0]):
        return 1.0 / float(count.flat[0])
    with np.errstate(divide="ignore"):
        scale = np.where(count > 0, 1.0 / count, 0.0)
    return scale.astype(dtype)


def _avg_pool(input, kernel_size, stride, padding, ceil_mode, count_include_pad, divisor_override, dims, op):
    x, batched = _spatial_input(input, dims, op)
    geometry = _pool_geometry(x, input, kernel_size, stride, padding, 1, ceil_mode, dims, op, dilated=False)
    x = _as_2d(x, dims)
    scale = _avg_scale(x.shape[2:], geometry, count_include_pad, divisor_override, x.dtype)
    return _from_2d(AvgPool.apply(x, geometry, scale), dims, batched)


def avg_pool1d(input: Tensor, kernel_size, stride=None, padding=0, ceil_mode: bool = False,
               count_include_pad: bool = True) -> Tensor:
    """The mean of each window along the length of input (N, C, L) or (C, L)."""
    return _avg_pool(input, kernel_size, stride, padding, ceil_mode, count_include_pad, None, 1, "avg_pool1d")


def avg_pool2d(input: Tensor, kernel_size, stride=None, padding=0, ceil_mode: bool = False,
               count_include_pad: bool = True, divisor_override: int | None = None) -> Tensor:
    """The mean of each kernel_size window of input (N, C, H, W) or (C, H, W), windows stride
    apart (kernel_size by default); zero padding counts in the mean unless count_include_pad=False."""
    return _avg_pool(input, kernel_size, stride, padding, ceil_mode, count_include_pad, divisor_override, 2,
                     "avg_pool2d")


def _adaptive_matrix(n: int, out: int, dtype) -> np.ndarray:
    """(out, n): row i averages input positions floor(i n / out) .. ceil((i + 1) n / out) - 1."""
    i = np.arange(out)
    start, end = (i * n) // out, -((-(i + 1) * n) // out)
    positions = np.arange(n)
    inside = (positions >= start[:, None]) & (positions < end[:, None])
    return (inside / (end - start)[:, None]).astype(dtype)


def _adaptive_avg_pool(input, output_size, dims, op) -> Tensor:
    x, batched = _spatial_input(input, dims, op)
    size = x.shape[2:]
    if isinstance(output_size, (int, np.integer)) or output_size is None:
        output_size = (output_size,) * dims
    output_size = tuple(size[i] if o is None else int(o) for i, o in enumerate(output_size))
    if len(output_size) != dims or any(o < 1 for o in output_size):
        raise RuntimeError(f"{op}(): output_size must be {dims} positive integers, got {output_size}")
    if all(o == 1 for o in output_size):
        y = x.mean(tuple(range(2, 2 + dims)), keepdim=True)
    else:  # a linear map per spatial dim: y = A_h x A_w^T
        y = x
        if output_size[-1] != size[-1]:
            y = y @ Tensor._make(np.ascontiguousarray(_adaptive_matrix(size[-1], output_size[-1], x.dtype).T), False)
        if dims == 2 and output_size[0] != size[0]:
            y = Tensor._make(_adaptive_matrix(size[0], output_size[0], x.dtype), False) @ y
    return y if batched else y.squeeze(0)


def adaptive_avg_pool1d(input: Tensor, output_size) -> Tensor:
    """Averages over windows that split the length of input (N, C, L) into output_size parts."""
    return _adaptive_avg_pool(input, output_size, 1, "adaptive_avg_pool1d")


def adaptive_avg_pool2d(input: Tensor, output_size) -> Tensor:
    """Averages over windows that split input (N, C, H, W) into an output_size grid (an int, or
    a pair whose None keeps that input size); window i covers floor(i H / OH) .. ceil((i + 1) H / OH)."""
    return _adaptive_avg_pool(input, output_size, 2, "adaptive_avg_pool2d")


def dropout2d(input: Tensor, p: float = 0.5, training: bool = True, inplace: bool = False) -> Tensor:
    """In training, zero each whole channel (input[n, c]) with probability p and scale the
    rest by 1/(1-p). A 3-D input is taken as (N, C, L), as PyTorch does (with its warning)."""
    if p < 0.0 or p > 1.0:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
    if input.ndim not in (3, 4):
        warnings.warn(
            f"dropout2d: Received a {input.ndim}-D input to dropout2d, which is deprecated and will result in an "
            "error in a future release. To retain the behavior and silence this warning, please use dropout "
            "instead. Note that dropout2d exists to provide channel-wise dropout on inputs with 2 spatial "
            "dimensions, a channel dimension, and an optional batch dimension (i.e. 3D or 4D inputs).",
            stacklevel=2,
        )
    if input.ndim == 3:
        warnings.warn(
            "dropout2d: Received a 3D input to dropout2d and assuming that channel-wise 1D dropout behavior is "
            "desired - input is interpreted as shape (N, C, L), where C is the channel dim. This behavior will "
            "change in a future release to interpret the input as one without a batch dimension, i.e. shape "
            "(C, H, W). To maintain the 1D channel-wise dropout behavior, please switch to using dropout1d instead.",
            stacklevel=2,
        )
    if not training or p == 0.0:
        return input
    if input.ndim < 2:
        return dropout(input, p, training, inplace)
    keep = default_generator().random(input.shape[:2] + (1,) * (input.ndim - 2)) >= p
    scale = _const(keep / (1.0 - p) if p < 1.0 else keep * 0.0, dtype=input.dtype)
    return input.mul_(scale) if inplace else input * scale


def _nearest_indices(n: int, out: int, scale) -> np.ndarray:
    """PyTorch's source index of each output position of 'nearest' resizing (in float32)."""
    if out == n:
        return np.arange(n)
    if out == 2 * n:
        return np.arange(out) >> 1
    step = np.float32(1.0 / scale) if scale is not None and scale > 0 else np.float32(n) / np.float32(out)
    return np.minimum(np.floor(np.arange(out, dtype=np.float32) * step).astype(np.int64), n - 1)


def interpolate(input: Tensor, size=None, scale_factor=None, mode: str = "nearest", align_corners=None,
                recompute_scale_factor=None, antialias: bool = False) -> Tensor:
    """Resize the spatial dims of input (N, C, *spatial) to `size`, or by `scale_factor`;
    mode 'nearest' only: output position i reads input floor(i * in / out)."""
    if mode != "nearest":
        raise NotImplementedError(f"interpolate(): mode {mode!r} is not supported; use mode='nearest'")
    if align_corners is not None:
        raise ValueError(
            "align_corners option can only be set with the interpolating modes: linear | bilinear | bicubic | trilinear"
        )
    dims = input.ndim - 2
    if dims < 1:
        raise ValueError(f"interpolate(): expected an input of shape (N, C, *spatial), got {input.shape}")
    spatial = input.shape[2:]
    if (size is None) == (scale_factor is None):
        raise ValueError("only one of size or scale_factor should be defined")
    if size is not None:
        out = _tuple(size, dims, "size", "interpolate")
        scales = (None,) * dims
    else:
        scales = tuple(float(s) for s in scale_factor) if isinstance(scale_factor, (tuple, list)) else (
            float(scale_factor),) * dims
        if len(scales) != dims:
            raise ValueError(
                f"Input and scale_factor must have the same number of spatial dimensions, but got input with "
                f"spatial dimensions of {list(spatial)} and scale_factor of shape {list(scales)}."
            )
        out = tuple(math.floor(n * s) for n, s in zip(spatial, scales))
        if recompute_scale_factor:
            scales = (None,) * dims
    if any(o < 1 for o in out):
        raise RuntimeError(f"interpolate(): output size {out} of input {input.shape} should be greater than 0")
    indices = [_nearest_indices(n, o, s) for n, o, s in zip(spatial, out, scales)]
    factors = [o // n if o % n == 0 else 0 for n, o in zip(spatial, out)]
    if all(f and np.array_equal(i, np.arange(o) // f) for i, f, o in zip(indices, factors, out)):
        # each input element repeated f times per dim: a broadcast, then one copy
        lead = input.shape[:2]
        spread = input.reshape(lead + tuple(x for n in spatial for x in (n, 1)))
        spread = spread.expand(lead + tuple(x for n, f in zip(spatial, factors) for x in (n, f)))
        return spread.reshape(lead + out)
    grids = np.ix_(*indices)
    return input[(slice(None), slice(None)) + grids]
