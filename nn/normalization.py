"""Normalisation layers: `BatchNorm1d` and `BatchNorm2d` (per channel, over the batch
and the positions) and `LayerNorm` (per sample, over the last dims)."""

from __future__ import annotations

import autograd
from autograd.tensor import Tensor
from nn import functional as F
from nn import init
from nn.module import Module, Parameter, _check_device

__all__ = ["BatchNorm1d", "BatchNorm2d", "LayerNorm"]


class _BatchNorm(Module):
    """y = (x - mean) / sqrt(var + eps) * weight + bias per channel C (dim 1) of x;
    batch statistics in training (updating running_mean / running_var with `momentum`, or
    a cumulative average when momentum=None), the running ones in eval. Subclasses say
    which input shapes they take (`_check_input_dim`)."""

    def __init__(
        self,
        num_features: int,
        eps: float = 1e-5,
        momentum: float | None = 0.1,
        affine: bool = True,
        track_running_stats: bool = True,
        device=None,
        dtype=None,
        *,
        bias: bool = True,
    ):
        super().__init__()
        _check_device(device, type(self).__name__)
        self.num_features = num_features
        self.eps = eps
        self.momentum = momentum
        self.affine = affine
        self.track_running_stats = track_running_stats
        if affine:
            self.weight = Parameter(autograd.empty(num_features, dtype=dtype))
            if bias:
                self.bias = Parameter(autograd.empty(num_features, dtype=dtype))
            else:
                self.register_parameter("bias", None)
        else:
            self.register_parameter("weight", None)
            self.register_parameter("bias", None)
        if track_running_stats:
            self.register_buffer("running_mean", autograd.zeros(num_features, dtype=dtype))
            self.register_buffer("running_var", autograd.ones(num_features, dtype=dtype))
            self.register_buffer("num_batches_tracked", autograd.tensor(0, dtype=autograd.int64))
        else:
            self.register_buffer("running_mean", None)
            self.register_buffer("running_var", None)
            self.register_buffer("num_batches_tracked", None)
        self.reset_parameters()

    def reset_running_stats(self) -> None:
        if self.track_running_stats:
            with autograd.no_grad():
                self.running_mean.zero_()
                self.running_var.fill_(1)
                self.num_batches_tracked.zero_()

    def reset_parameters(self) -> None:
        self.reset_running_stats()
        if self.affine:
            init.ones_(self.weight)
            if self.bias is not None:
                init.zeros_(self.bias)

    def _check_input_dim(self, input: Tensor) -> None:
        raise NotImplementedError

    def forward(self, input: Tensor) -> Tensor:
        self._check_input_dim(input)
        factor = 0.0 if self.momentum is None else self.momentum
        if self.training and self.track_running_stats and self.num_batches_tracked is not None:
            self.num_batches_tracked.add_(1)
            factor = 1.0 / float(self.num_batches_tracked) if self.momentum is None else self.momentum
        use_batch_stats = self.training or (self.running_mean is None and self.running_var is None)
        track = not self.training or self.track_running_stats
        return F.batch_norm(
            input,
            self.running_mean if track else None,
            self.running_var if track else None,
            self.weight,
            self.bias,
            use_batch_stats,
            factor,
            self.eps,
        )

    def extra_repr(self) -> str:
        return (
            f"{self.num_features}, eps={self.eps}, momentum={self.momentum}, affine={self.affine}, "
            f"bias={self.bias is not None}, track_running_stats={self.track_running_stats}"
        )


class BatchNorm1d(_BatchNorm):
    """Batch normalisation per channel C of x (N, C) or (N, C, L), over the batch (and L)."""

    def _check_input_dim(self, input: Tensor) -> None:
        if input.ndim not in (2, 3):
            raise ValueError(
                f"{self!r}: expected 2D or 3D input (got {input.ndim}D input of shape {input.shape})"
            )
        if input.shape[1] != self.num_features:
            raise RuntimeError(
                f"{self!r}: expected input of shape (N, {self.num_features}) or (N, {self.num_features}, L), got "
                f"{input.shape}; dim 1 holds the channels and must equal num_features={self.num_features}"
            )


class BatchNorm2d(_BatchNorm):
    """Batch normalisation per channel C of images x (N, C, H, W), over the batch and the pixels."""

    def _check_input_dim(self, input: Tensor) -> None:
        if input.ndim != 4:
            raise ValueError(f"{self!r}: expected 4D input (got {input.ndim}D input of shape {input.shape})")
        if input.shape[1] != self.num_features:
            raise RuntimeError(
                f"{self!r}: expected input of shape (N, {self.num_features}, H, W), got {input.shape}; dim 1 holds "
                f"the channels and must equal num_features={self.num_features}"
            )


class LayerNorm(Module):
    """y = (x - mean) / sqrt(var + eps) * weight + bias, the statistics over the last
    len(normalized_shape) dims of each sample; weight starts at ones, bias at zeros."""

    def __init__(
        self,
        normalized_shape,
        eps: float = 1e-5,
        elementwise_affine: bool = True,
        bias: bool = True,
        device=None,
        dtype=None,
    ):
        super().__init__()
        _check_device(device, type(self).__name__)
        if isinstance(normalized_shape, int):
            normalized_shape = (normalized_shape,)
        self.normalized_shape = tuple(normalized_shape)
        self.eps = eps
        self.elementwise_affine = elementwise_affine
        if elementwise_affine:
            self.weight = Parameter(autograd.empty(self.normalized_shape, dtype=dtype))
            if bias:
                self.bias = Parameter(autograd.empty(self.normalized_shape, dtype=dtype))
            else:
                self.register_parameter("bias", None)
        else:
            self.register_parameter("weight", None)
            self.register_parameter("bias", None)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        if self.elementwise_affine:
            init.ones_(self.weight)
            if self.bias is not None:
                init.zeros_(self.bias)

    def forward(self, input: Tensor) -> Tensor:
        n = len(self.normalized_shape)
        if input.shape[max(input.ndim - n, 0) :] != self.normalized_shape:
            dims = ", ".join(map(str, self.normalized_shape))
            raise RuntimeError(
                f"{self!r}: expected input of shape (*, {dims}), got shape {input.shape}; the last {n} dims "
                "of the input must equal normalized_shape"
            )
        return F.layer_norm(input, self.normalized_shape, self.weight, self.bias, self.eps)

    def extra_repr(self) -> str:
        return (
            f"{self.normalized_shape}, eps={self.eps}, elementwise_affine={self.elementwise_affine}, "
            f"bias={self.bias is not None}"
        )
