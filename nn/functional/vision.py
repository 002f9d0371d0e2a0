"""Resizing: `F.interpolate` (mode 'nearest')."""

from __future__ import annotations

import math

import numpy as np

from autograd.conv_geometry import int_tuple
from autograd.tensor import Tensor


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
        out = int_tuple(size, dims, "size", "interpolate")
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
