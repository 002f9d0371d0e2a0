"""Resizing: `F.interpolate`, modes 'nearest' (composed of indexing and expand) and
'linear', 'bilinear', 'trilinear' (autograd/resize.py's op)."""

from __future__ import annotations

import math

import numpy as np

from autograd.conv_geometry import int_tuple
from autograd.resize import LinearResize, linear_taps
from autograd.tensor import Tensor

_LINEAR_MODES = {"linear": 1, "bilinear": 2, "trilinear": 3}  # mode -> spatial dims


def _nearest_indices(n: int, out: int, scale) -> np.ndarray:
    """PyTorch's source index of each output position of 'nearest' resizing (in float32)."""
    if out == n:
        return np.arange(n)
    if out == 2 * n:
        return np.arange(out) >> 1
    step = np.float32(1.0 / scale) if scale is not None and scale > 0 else np.float32(n) / np.float32(out)
    return np.minimum(np.floor(np.arange(out, dtype=np.float32) * step).astype(np.int64), n - 1)


def _output_size(input: Tensor, size, scale_factor, recompute_scale_factor) -> tuple:
    """(the output's spatial size, the scale per dim passed on to the resize, or None each)."""
    dims = input.ndim - 2
    if dims < 1:
        raise ValueError(f"interpolate(): expected an input of shape (N, C, *spatial), got {input.shape}")
    spatial = input.shape[2:]
    if (size is None) == (scale_factor is None):
        raise ValueError("only one of size or scale_factor should be defined")
    if size is not None:
        if recompute_scale_factor:
            raise ValueError("recompute_scale_factor is not meaningful with an explicit size.")
        if isinstance(size, (tuple, list)) and len(size) != dims:
            raise ValueError(
                f"Input and output must have the same number of spatial dimensions, but got input with spatial "
                f"dimensions of {list(spatial)} and output size of {size}. Please provide input tensor in "
                "(N, C, d1, d2, ...,dK) format and output size in (o1, o2, ...,oK) format."
            )
        return int_tuple(size, dims, "size", "interpolate"), (None,) * dims
    scales = tuple(float(s) for s in scale_factor) if isinstance(scale_factor, (tuple, list)) else (
        float(scale_factor),) * dims
    if len(scales) != dims:
        raise ValueError(
            f"Input and scale_factor must have the same number of spatial dimensions, but got input with "
            f"spatial dimensions of {list(spatial)} and scale_factor of shape {list(scales)}."
        )
    out = tuple(math.floor(n * s) for n, s in zip(spatial, scales))
    return out, ((None,) * dims if recompute_scale_factor else scales)


def _nearest(input: Tensor, out: tuple, scales: tuple) -> Tensor:
    """Output position i reads input floor(i * in / out), per spatial dim."""
    spatial = input.shape[2:]
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


def _linear(input: Tensor, out: tuple, scales: tuple, mode: str, align_corners: bool) -> Tensor:
    """Each output position blends the two input positions around its source, per spatial dim."""
    if input.ndim - 2 != _LINEAR_MODES[mode]:
        raise NotImplementedError(f"Got {input.ndim}D input, but {mode} mode needs {_LINEAR_MODES[mode] + 2}D input")
    if input.dtype.kind != "f":
        raise NotImplementedError(f"interpolate(): mode {mode!r} needs a floating point input, got {input.dtype}")
    if 0 in input.shape[2:]:
        raise RuntimeError(
            f"interpolate(): Input and output sizes should be greater than 0, but got input {input.shape[2:]} "
            f"output {out}"
        )
    taps = tuple(
        (2 + d, *linear_taps(n, o, align_corners, s, input.dtype))
        for d, (n, o, s) in enumerate(zip(input.shape[2:], out, scales))
    )
    return LinearResize.apply(input, taps)


def interpolate(input: Tensor, size=None, scale_factor=None, mode: str = "nearest", align_corners=None,
                recompute_scale_factor=None, antialias: bool = False) -> Tensor:
    """Resize the spatial dims of input (N, C, *spatial) to `size`, or by `scale_factor`.
    mode 'nearest': output position i reads input floor(i * in / out). 'linear' (3-d input),
    'bilinear' (4-d), 'trilinear' (5-d): i blends the two inputs around its source
    coordinate, i (in - 1) / (out - 1) with align_corners=True, else (i + 0.5) in / out - 0.5."""
    if mode == "nearest":
        if align_corners is not None:
            raise ValueError(
                "align_corners option can only be set with the interpolating modes: linear | bilinear | bicubic | "
                "trilinear"
            )
    elif mode not in _LINEAR_MODES:
        raise NotImplementedError(
            f"interpolate(): mode {mode!r} is not supported; use 'nearest', 'linear', 'bilinear' or 'trilinear'"
        )
    if antialias:
        raise NotImplementedError("interpolate(): antialias=True is not supported")
    out, scales = _output_size(input, size, scale_factor, recompute_scale_factor)
    if any(o < 1 for o in out):
        raise RuntimeError(f"interpolate(): output size {out} of input {input.shape} should be greater than 0")
    if mode == "nearest":
        return _nearest(input, out, scales)
    return _linear(input, out, scales, mode, bool(align_corners))
