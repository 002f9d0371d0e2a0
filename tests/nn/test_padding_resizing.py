"""F.pad's reflect, replicate and circular modes, adaptive max pooling (F and nn, with
indices) and linear resizing (`F.interpolate` 'linear' / 'bilinear' / 'trilinear',
`nn.Upsample`) against PyTorch through the recorded oracle: outputs, gradients, node
names; and their errors. Gradients of every order are the op table's."""

from __future__ import annotations

import numpy as np
import pytest

import autograd
import nn
import nn.functional as F
from tests.nn.compare import seeded_normal


def run(lib, fn, x, name=True) -> dict:
    """fn(lib, tensor): its outputs, its node's name and the input's gradient for a seeded upstream."""
    t = lib.torch.tensor(x, requires_grad=True)
    outs = fn(lib, t)
    outs = tuple(outs) if isinstance(outs, tuple) else (outs,)
    upstream = np.random.default_rng(0).standard_normal(tuple(outs[0].shape)).astype(x.dtype)
    outs[0].backward(lib.torch.tensor(upstream))
    results = {f"out {i}": o for i, o in enumerate(outs)} | {"grad": t.grad}
    return results | ({"node": outs[0].grad_fn.name()} if name else {})


def check(torch_oracle, fn, x, case="", name=True, rtol=1e-5, atol=1e-6):
    torch_oracle.check_same(lambda lib: run(lib, fn, x, name), case, {"x": x}, rtol=rtol, atol=atol)


@pytest.mark.parametrize("mode", ["reflect", "replicate", "circular"])
@pytest.mark.parametrize(
    "pad, shape",
    [
        ((2, 1), (2, 3, 5)),
        ((3, 0), (3, 4)),  # unbatched
        ((-1, 2), (1, 2, 5)),
        ((3, -2), (1, 1, 5)),
        ((1, 2, 2, 1), (2, 2, 4, 5)),
        ((0, 1, -1, 2), (3, 4, 4)),  # unbatched
        ((1, 1, 2, 0, 1, 2), (1, 2, 3, 4, 3)),
        ((2, 0, 1, 1, 0, 2), (2, 3, 4, 3)),  # unbatched
    ],
)
def test_pad_modes_match_torch(torch_oracle, mode, pad, shape):
    check(torch_oracle, lambda lib, t: lib.F.pad(t, pad, mode=mode), seeded_normal(1, *shape), name=mode != "circular")


def test_circular_padding_is_a_copyslices_node_as_in_torch():
    x = autograd.ones(1, 2, 3, requires_grad=True)
    assert F.pad(x, (1, 1), mode="circular").grad_fn.name() == "CopySlices"


@pytest.mark.parametrize(
    "call, error, message",
    [
        (lambda: F.pad(autograd.zeros(1, 1, 5), (5, 0), mode="reflect"), RuntimeError,
         (r"Padding size should be less than the corresponding input dimension, but got: padding \(5, 0\) at "
          r"dimension 2 of input \[1, 1, 5\]")),
        (lambda: F.pad(autograd.zeros(1, 1, 5), (6, 0), mode="circular"), RuntimeError,
         "wrapping around more than once"),
        (lambda: F.pad(autograd.zeros(1, 1, 5), (4, -2), mode="circular"), RuntimeError,
         "wrapping around more than once"),
        (lambda: F.pad(autograd.zeros(5), (1, 1), mode="reflect"), NotImplementedError,
         "Padding size 2 is not supported for 1D input tensor"),
        (lambda: F.pad(autograd.zeros(1, 1, 3, 4), (1, 1), mode="replicate"), NotImplementedError,
         "Padding size 2 is not supported for 4D input tensor"),
        (lambda: F.pad(autograd.zeros(1, 1, 3, 4), (1, 1, 1), mode="reflect"), RuntimeError,
         "Padding length must be divisible by 2"),
        (lambda: F.pad(autograd.zeros(1, 1, 5), (1, 1), mode="reflect", value=2.0), RuntimeError,
         "doesn't take in value argument"),
        (lambda: F.pad(autograd.zeros(1, 1, 5), (-3, -2), mode="replicate"), RuntimeError,
         "calculated output size 0"),
        (lambda: F.pad(autograd.zeros(1, 0, 5), (1, 1), mode="replicate"), RuntimeError, "non-zero sizes"),
        (lambda: F.pad(autograd.zeros(1, 1, 5), (1, 1), mode="wrap"), NotImplementedError,
         "Unrecognised padding mode 'wrap'"),
        (lambda: F.adaptive_max_pool2d(autograd.zeros(1, 2, 0, 4), 2), RuntimeError, "non-zero size"),
        (lambda: F.adaptive_max_pool2d(autograd.zeros(4, 4), 2), RuntimeError, "Expected 3D .* or 4D"),
        (lambda: F.interpolate(autograd.zeros(1, 2, 4), size=3, mode="bilinear"), NotImplementedError,
         "Got 3D input, but bilinear mode needs 4D input"),
        (lambda: F.interpolate(autograd.zeros(1, 2, 4, 4), size=3, mode="linear"), NotImplementedError,
         "Got 4D input, but linear mode needs 3D input"),
        (lambda: F.interpolate(autograd.zeros(1, 2, 4, 4), size=3, mode="bilinear", antialias=True),
         NotImplementedError, "antialias"),
        (lambda: F.interpolate(autograd.zeros(1, 2, 4, 4, dtype=autograd.int64), size=3, mode="bilinear"),
         NotImplementedError, "floating point"),
        (lambda: F.interpolate(autograd.zeros(1, 2, 0, 4), size=3, mode="bilinear"), RuntimeError,
         "sizes should be greater than 0"),
        (lambda: F.interpolate(autograd.zeros(1, 2, 4, 4), size=3, mode="bilinear", recompute_scale_factor=True),
         ValueError, "recompute_scale_factor is not meaningful with an explicit size"),
        (lambda: nn.Upsample(scale_factor=2, mode="bicubic"), NotImplementedError, "mode 'bicubic'"),
    ],
)
def test_bad_arguments_raise_saying_why(call, error, message):
    with pytest.raises(error, match=message):
        call()


@pytest.mark.parametrize(
    "output_size, shape",
    [((2, 3), (2, 3, 5, 7)), (3, (2, 1, 4, 4)), ((None, 2), (3, 5, 6)), ((6, 9), (1, 2, 4, 5)), (1, (2, 2, 3, 3))],
)
def test_adaptive_max_pool2d_matches_torch(torch_oracle, output_size, shape):
    x = np.random.default_rng(2).permutation(np.prod(shape)).reshape(shape).astype(np.float32) / 10  # no ties
    check(torch_oracle, lambda lib, t: lib.F.adaptive_max_pool2d(t, output_size, return_indices=True), x, "F")
    check(torch_oracle, lambda lib, t: lib.nn.AdaptiveMaxPool2d(output_size)(t), x, "nn")


def test_adaptive_max_pool_ties_and_nan_match_torch(torch_oracle):
    """The first maximum of a window gets the gradient; a NaN is the maximum (PyTorch takes the last)."""
    ties = np.array([[[[1.0, 3.0, 3.0, 0.0], [3.0, 2.0, 0.0, 3.0], [np.nan, 1.0, 2.0, np.nan]]]], np.float32)
    check(torch_oracle, lambda lib, t: lib.F.adaptive_max_pool2d(t, (2, 2), True), ties)
    check(torch_oracle, lambda lib, t: lib.F.adaptive_max_pool1d(t[0], 3, True), ties, "1d", name=False)


def test_adaptive_max_pool1d_and_its_layer_match_torch(torch_oracle):
    x = seeded_normal(3, 2, 3, 11)
    check(torch_oracle, lambda lib, t: lib.nn.AdaptiveMaxPool1d(4, return_indices=True)(t), x, name=False)
    assert repr(nn.AdaptiveMaxPool1d(4, return_indices=True)) == "AdaptiveMaxPool1d(output_size=4)"


@pytest.mark.parametrize(
    "kwargs, shape",
    [
        ({"size": (5, 9), "mode": "bilinear"}, (2, 3, 4, 6)),
        ({"size": (3, 2), "mode": "bilinear", "align_corners": True}, (1, 2, 5, 7)),
        ({"scale_factor": 2, "mode": "bilinear"}, (2, 2, 3, 4)),
        ({"scale_factor": (1.7, 0.6), "mode": "bilinear"}, (1, 2, 5, 6)),
        ({"scale_factor": (1.7, 0.6), "mode": "bilinear", "recompute_scale_factor": True}, (1, 2, 5, 6)),
        ({"size": (1, 1), "mode": "bilinear", "align_corners": True}, (1, 1, 3, 3)),
        ({"size": 9, "mode": "linear"}, (2, 3, 4)),
        ({"scale_factor": 0.5, "mode": "linear", "align_corners": True}, (2, 3, 7)),
        ({"size": (3, 4, 5), "mode": "trilinear"}, (1, 2, 2, 3, 2)),
        ({"scale_factor": 1.5, "mode": "trilinear", "align_corners": True}, (1, 1, 2, 3, 4)),
    ],
)
def test_linear_interpolation_matches_torch(torch_oracle, kwargs, shape):
    for dtype in (np.float32, np.float64):
        x = seeded_normal(4, *shape, dtype=dtype)
        check(torch_oracle, lambda lib, t: lib.F.interpolate(t, **kwargs), x, str(dtype.__name__), rtol=1e-5)


def test_upsample_bilinear_layer_matches_torch(torch_oracle):
    x = seeded_normal(5, 2, 3, 4, 5)
    for kwargs in ({"scale_factor": 2, "mode": "bilinear"}, {"size": (7, 3), "mode": "bilinear", "align_corners": True}):
        check(torch_oracle, lambda lib, t, kwargs=kwargs: lib.nn.Upsample(**kwargs)(t), x, repr(kwargs))
        torch_oracle.check_same(lambda lib, kwargs=kwargs: {"repr": repr(lib.nn.Upsample(**kwargs))}, f"repr {kwargs}")
