"""Convolution layers: `Conv1d`, `Conv2d`, `ConvTranspose1d`, `ConvTranspose2d` (NCHW, as `torch.nn`)."""

from __future__ import annotations

import math

import numpy as np

import autograd
from autograd.conv_geometry import same_padding, transposed_output_size
from autograd.tensor import Tensor
from nn import functional as F
from nn import init
from nn.module import Module, Parameter, _check_device

__all__ = ["Conv1d", "Conv2d", "ConvTranspose1d", "ConvTranspose2d"]

_PADDING_MODES = ("zeros", "reflect", "replicate", "circular")


def _ntuple(value, n: int) -> tuple:
    if isinstance(value, (tuple, list)):
        return tuple(value)
    return (value,) * n


def _is_int(value) -> bool:
    return isinstance(value, (int, np.integer)) and not isinstance(value, bool)


def _check_geometry(layer, kernel_size, stride, padding, dilation, output_padding, transposed) -> None:
    """Ints, one per spatial dim: kernel_size, stride, dilation positive; padding (unless
    'same' or 'valid') and output_padding non-negative, output_padding below stride or
    dilation. PyTorch finds these at the first forward; here the layer refuses them."""
    n = len(kernel_size)
    arguments = [("kernel_size", kernel_size, 1), ("stride", stride, 1), ("dilation", dilation, 1),
                 ("padding", padding, 0), ("output_padding", output_padding, 0)]
    for name, values, least in arguments:
        if isinstance(values, str):
            continue  # padding='same' / 'valid', checked below
        if len(values) != n or not all(_is_int(v) and v >= least for v in values):
            kind = "positive" if least else "non-negative"
            raise ValueError(f"{layer}: {name} must be {kind} ints (one, or one per each of the {n} spatial dims), "
                             f"got {name}={values}")
    if transposed and any(p >= max(s, d) for p, s, d in zip(output_padding, stride, dilation)):
        raise ValueError(f"{layer}: output padding must be smaller than either stride or dilation, got "
                         f"output_padding={output_padding}, stride={stride}, dilation={dilation}")


class _ConvNd(Module):
    """What the convolution layers share: the arguments, the weight and bias, PyTorch's
    default initialisation (kaiming_uniform_(a=sqrt(5)), i.e. U(-1/sqrt(fan_in), 1/sqrt(fan_in)),
    for both) and PyTorch's repr."""

    def __init__(self, in_channels, out_channels, kernel_size, stride, padding, dilation, transposed,
                 output_padding, groups, bias, padding_mode, device=None, dtype=None):
        super().__init__()
        _check_device(device, type(self).__name__)
        _check_geometry(type(self).__name__, kernel_size, stride, padding, dilation, output_padding, transposed)
        if not _is_int(groups) or groups <= 0:
            raise ValueError("groups must be a positive integer")
        if in_channels % groups != 0:
            raise ValueError(f"in_channels must be divisible by groups (in_channels={in_channels}, groups={groups})")
        if out_channels % groups != 0:
            raise ValueError(
                f"out_channels must be divisible by groups (out_channels={out_channels}, groups={groups})"
            )
        if isinstance(padding, str):
            if padding not in ("same", "valid"):
                raise ValueError(f"Invalid padding string {padding!r}, should be one of {{'same', 'valid'}}")
            if padding == "same" and any(s != 1 for s in stride):
                raise ValueError("padding='same' is not supported for strided convolutions")
        if padding_mode not in _PADDING_MODES:
            raise ValueError(
                f"padding_mode must be one of {set(_PADDING_MODES)}, but got padding_mode='{padding_mode}'"
            )
        self.in_channels = in_channels
        self.out_channels = out_channels
        self.kernel_size = kernel_size
        self.stride = stride
        self.padding = padding
        self.dilation = dilation
        self.transposed = transposed
        self.output_padding = output_padding
        self.groups = groups
        self.padding_mode = padding_mode
        shape = (in_channels, out_channels // groups) if transposed else (out_channels, in_channels // groups)
        self.weight = Parameter(autograd.empty(*shape, *kernel_size, dtype=dtype))
        if bias:
            self.bias = Parameter(autograd.empty(out_channels, dtype=dtype))
        else:
            self.register_parameter("bias", None)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        init.kaiming_uniform_(self.weight, a=math.sqrt(5))
        if self.bias is not None:
            fan_in, _ = init._calculate_fan_in_and_fan_out(self.weight)
            bound = 1 / math.sqrt(fan_in) if fan_in > 0 else 0
            init.uniform_(self.bias, -bound, bound)

    def extra_repr(self) -> str:
        s = "{in_channels}, {out_channels}, kernel_size={kernel_size}, stride={stride}"
        if self.padding != (0,) * len(self.padding):
            s += ", padding={padding}"
        if self.dilation != (1,) * len(self.dilation):
            s += ", dilation={dilation}"
        if self.output_padding != (0,) * len(self.output_padding):
            s += ", output_padding={output_padding}"
        if self.groups != 1:
            s += ", groups={groups}"
        if self.bias is None:
            s += ", bias=False"
        if self.padding_mode != "zeros":
            s += ", padding_mode={padding_mode}"
        return s.format(**self.__dict__)


def _pad_by_mode(input: Tensor, padding: tuple, mode: str) -> Tensor:
    """input padded by `padding` (one (lo, hi) per spatial dim) in a non-zero `padding_mode`:
    an index gather, so gradients flow back to the elements that were copied."""
    index = [slice(None)] * (input.ndim - len(padding))
    for size, (lo, hi) in zip(input.shape[input.ndim - len(padding) :], padding):
        positions = np.arange(-lo, size + hi)
        if mode == "circular":
            if lo > size or hi > size:
                raise ValueError(f"padding_mode='circular': padding ({lo}, {hi}) is larger than the size {size}")
            positions = positions % size
        elif mode == "replicate":
            positions = np.clip(positions, 0, size - 1)
        else:  # reflect, without repeating the edge
            if lo >= size or hi >= size:
                raise ValueError(
                    f"padding_mode='reflect': padding ({lo}, {hi}) should be less than the size {size} of the dim"
                )
            period = 2 * (size - 1) if size > 1 else 1
            positions = np.abs(positions) % period
            positions = np.where(positions >= size, period - positions, positions)
        index.append(positions)
    grids = np.ix_(*index[input.ndim - len(padding) :])
    return input[tuple(index[: input.ndim - len(padding)]) + grids]


class _Conv(_ConvNd):
    _dims = 2
    _function = staticmethod(F.conv2d)

    def __init__(self, in_channels: int, out_channels: int, kernel_size, stride=1, padding=0, dilation=1,
                 groups: int = 1, bias: bool = True, padding_mode: str = "zeros", device=None, dtype=None):
        n = self._dims
        padding = padding if isinstance(padding, str) else _ntuple(padding, n)
        super().__init__(in_channels, out_channels, _ntuple(kernel_size, n), _ntuple(stride, n), padding,
                         _ntuple(dilation, n), False, (0,) * n, groups, bias, padding_mode, device, dtype)

    def _mode_padding(self) -> tuple:
        """(lo, hi) per spatial dim, for a padding_mode other than zeros."""
        if self.padding == "valid":
            return ((0, 0),) * self._dims
        if self.padding == "same":
            return same_padding(self.kernel_size, self.dilation)
        return tuple((p, p) for p in self.padding)

    def forward(self, input: Tensor) -> Tensor:
        if self.padding_mode != "zeros":
            padded = _pad_by_mode(input, self._mode_padding(), self.padding_mode)
            return self._function(padded, self.weight, self.bias, self.stride, 0, self.dilation, self.groups)
        return self._function(input, self.weight, self.bias, self.stride, self.padding, self.dilation, self.groups)


class Conv1d(_Conv):
    """y[n, o] = bias[o] + sum_c weight[o, c] (*) x[n, c] along the length of x (N, C_in, L)
    or (C_in, L); weight (out_channels, in_channels / groups, kernel_size)."""

    _dims = 1
    _function = staticmethod(F.conv1d)


class Conv2d(_Conv):
    """y[n, o] = bias[o] + sum_c weight[o, c] (*) x[n, c], a 2-d cross-correlation of x (N, C_in, H, W)
    or (C_in, H, W); weight (out_channels, in_channels / groups, kh, kw); padding an int, a pair,
    'valid' or 'same'; padding_mode 'zeros', 'reflect', 'replicate' or 'circular'."""

    _dims = 2
    _function = staticmethod(F.conv2d)


class _ConvTranspose(_ConvNd):
    _dims = 2
    _function = staticmethod(F.conv_transpose2d)

    def __init__(self, in_channels: int, out_channels: int, kernel_size, stride=1, padding=0, output_padding=0,
                 groups: int = 1, bias: bool = True, dilation=1, padding_mode: str = "zeros", device=None,
                 dtype=None):
        if padding_mode != "zeros":
            raise ValueError(f'Only "zeros" padding mode is supported for {type(self).__name__}')
        n = self._dims
        super().__init__(in_channels, out_channels, _ntuple(kernel_size, n), _ntuple(stride, n),
                         _ntuple(padding, n), _ntuple(dilation, n), True, _ntuple(output_padding, n), groups, bias,
                         padding_mode, device, dtype)

    def _output_padding(self, input: Tensor, output_size) -> tuple:
        """output_padding, or what gives `output_size` (the spatial dims, or all of them)."""
        if output_size is None:
            return self.output_padding
        n = self._dims
        output_size = list(output_size)
        lead = 2 if input.ndim == n + 2 else 1
        if len(output_size) == lead + n:
            output_size = output_size[lead:]
        if len(output_size) != n:
            raise ValueError(
                f"ConvTranspose{n}D: for {input.ndim}D input, output_size must have {n} or {lead + n} elements "
                f"(got {len(output_size)})"
            )
        smallest = list(transposed_output_size(input.shape[lead:], self.kernel_size, self.stride, self.padding,
                                               self.dilation, (0,) * n))
        largest = [s + self.stride[d] - 1 for d, s in enumerate(smallest)]
        if any(not lo <= size <= hi for size, lo, hi in zip(output_size, smallest, largest)):
            raise ValueError(
                f"requested an output size of {output_size}, but valid sizes range from {smallest} to {largest} "
                f"(for an input of {tuple(input.shape[lead:])})"
            )
        return tuple(size - lo for size, lo in zip(output_size, smallest))

    def forward(self, input: Tensor, output_size=None) -> Tensor:
        output_padding = self._output_padding(input, output_size)
        return self._function(input, self.weight, self.bias, self.stride, self.padding, output_padding,
                              self.groups, self.dilation)


class ConvTranspose1d(_ConvTranspose):
    """The adjoint of Conv1d in its input (its gradient): x (N, C_in, L) to
    (N, out_channels, (L - 1) * stride - 2 * padding + dilation * (k - 1) + output_padding + 1);
    weight (in_channels, out_channels / groups, kernel_size)."""

    _dims = 1
    _function = staticmethod(F.conv_transpose1d)


class ConvTranspose2d(_ConvTranspose):
    """The adjoint of Conv2d in its input (its gradient, a 'deconvolution'): x (N, C_in, H, W) to
    (N, out_channels, (H - 1) * stride - 2 * padding + dilation * (kh - 1) + output_padding + 1, ...);
    weight (in_channels, out_channels / groups, kh, kw). forward(x, output_size) picks the
    output_padding that gives output_size."""

    _dims = 2
    _function = staticmethod(F.conv_transpose2d)
