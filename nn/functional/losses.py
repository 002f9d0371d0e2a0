"""Loss functions (`F.mse_loss`, `F.cross_entropy`, ...), numerically stable: cross
entropy goes through `log_softmax`, binary cross entropy with logits through
`log1p(exp(-|x|))`, and `log` is clamped at -100 (as PyTorch does) without
producing NaN gradients. Class weights and masks are constants computed in NumPy."""

from __future__ import annotations

import math
import warnings

import numpy as np

from autograd.function import NumpyOp
from autograd.functional_forms import where
from autograd.shape import ScatterAdd
from autograd.tensor import Tensor
from nn.functional._tensors import _array, _as_tensor, _const


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
    if weight is None:
        _check_reduction(reduction)
        return MseLoss.apply(input, target, reduction)
    diff = input - target
    return _weighted_reduce(diff * diff, weight, reduction, input, mean_by_weight=True)


class MseLoss(NumpyOp):
    """(x - y)^2, reduced by 'mean', 'sum' or 'none': one node, as PyTorch's
    `MseLossBackward0`; x and y broadcast."""

    @staticmethod
    def forward(ctx, input, target, reduction):
        ctx.save_for_backward(input, target)
        ctx.reduction = reduction
        diff = input._data - target._data
        ctx.count = diff.size
        squared = diff * diff
        return squared if reduction == "none" else squared.sum() if reduction == "sum" else squared.mean()

    @staticmethod
    def backward(ctx, grad):  # d/dx = 2 (x - y) * grad (/ n for the mean); d/dy = -d/dx
        input, target = ctx.saved_tensors
        diff = input - target
        scale = 2.0 / max(ctx.count, 1) if ctx.reduction == "mean" else 2.0  # (an empty input has no gradient)
        grad_input = grad * diff * scale
        return grad_input, -grad_input if ctx.needs_input_grad[1] else None, None


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
    if isinstance(beta, bool) or not isinstance(beta, (int, float)) or not beta >= 0:  # NaN too
        raise RuntimeError(f"smooth_l1_loss does not support negative values for beta (got {beta}).")
    target = _as_tensor(target, input)
    _warn_if_broadcast(input, target)
    d = (input - target).abs()
    loss = d if beta == 0 else where(d < beta, d * d * (0.5 / beta), d - 0.5 * beta)
    return _reduce(loss, reduction)


def huber_loss(input: Tensor, target, reduction: str = "mean", delta: float = 1.0, weight=None) -> Tensor:
    """0.5 d^2 where d = |x - y| < delta, else delta (d - 0.5 delta); reduced."""
    if isinstance(delta, bool) or not isinstance(delta, (int, float)) or not delta > 0:  # NaN too
        raise RuntimeError(f"huber_loss does not support non-positive values for delta (got {delta}).")
    target = _as_tensor(target, input)
    _warn_if_broadcast(input, target)
    d = (input - target).abs()
    loss = where(d < delta, d * d * 0.5, (d - 0.5 * delta) * delta)
    return _weighted_reduce(loss, weight, reduction, input, mean_by_weight=False)


def _clamped_log(x: Tensor) -> Tensor:
    """max(log x, -100), as PyTorch's BCELoss, with finite gradients (0 where clamped)."""
    ok = x._data > math.exp(-100.0)
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
    if not np.all((input._data >= 0) & (input._data <= 1)):  # NaN fails too, as in PyTorch
        raise RuntimeError(
            "binary_cross_entropy(): all elements of input should be between 0 and 1; for logits use "
            "binary_cross_entropy_with_logits (BCEWithLogitsLoss)"
        )
    if not np.all((target._data >= 0) & (target._data <= 1)):
        raise RuntimeError(
            "binary_cross_entropy(): all elements of target should be between 0 and 1 (probabilities, or "
            "labels 0 and 1)"
        )
    loss = -(target * _clamped_log(input) + (1.0 - target) * _clamped_log(1.0 - input))
    if weight is not None:
        loss = loss * _as_tensor(weight, input)
    return _reduce(loss, reduction)


def _log1p_exp_neg(x: Tensor) -> Tensor:
    """log(1 + e^-x) = -log(sigmoid(x)) without overflow: log1p(e^-|x|) + max(-x, 0),
    with |x| and max written through constant signs so the gradient at 0 is exact."""
    negative = x._data < 0
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
    if reduction == "mean":  # sum(-w x) / sum(w), as one weighted sum
        total = w.sum()
        with np.errstate(invalid="ignore", divide="ignore"):  # every target ignored: NaN, as in PyTorch
            w = w / total
    target_index = Tensor._make(safe.reshape(kept_dim), False)
    target_index.name = "target"  # a Tensor argument: a drawn graph shows it entering the loss
    return NllLoss.apply(input, target_index, np.negative(w).reshape(kept_dim), class_dim, reduction)


class NllLoss(NumpyOp):
    """-w[n] * input[n, y[n]]: each target's log-probability picked along `dim` by
    `index` (shaped as input, 1 along dim) and weighted by `neg_w` (= -w, index's
    shape); summed, or kept per target with reduction 'none'. PyTorch's `NllLossBackward0`."""

    @staticmethod
    def forward(ctx, input, index, neg_w, dim, reduction):
        index = _array(index)
        ctx.shape, ctx.index, ctx.neg_w, ctx.dim, ctx.reduction = input.shape, index, neg_w, dim, reduction
        loss = np.take_along_axis(input._data, index, axis=dim) * neg_w
        return loss.squeeze(dim) if reduction == "none" else loss.sum()

    @staticmethod
    def backward(ctx, grad):  # each target's log-probability gets -w * grad; the other classes 0
        per_target = grad.reshape(ctx.index.shape) if ctx.reduction == "none" else grad
        return ScatterAdd.apply(per_target * ctx.neg_w, ctx.shape, ctx.dim, ctx.index), None, None, None, None


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
    zero = _const(t._data == 0)
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
