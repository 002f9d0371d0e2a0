"""Convolution and pooling ops (autograd/conv.py, autograd/pooling.py, through nn.functional).

Every configuration is checked against a direct-loop NumPy reference written
here (slow and obvious: loops over output pixels or input pixels and kernel
taps), and the gradients against central differences along a random direction;
Hypothesis draws the shapes, strides, paddings, dilations and groups. Both
layouts of the im2col matrix (per image and whole batch) and the scratch buffer
are exercised. Small float64 cases go through gradcheck and gradgradcheck, and
PyTorch (where installed) is a second oracle.
"""

from __future__ import annotations

import contextlib
import math
import warnings

import hypothesis.strategies as st
import numpy as np
import pytest
from hypothesis import assume, given

import autograd
import autograd.conv as conv_ops
import nn.functional as F
from tests.autograd.numerical import assert_close
from tests.torch_oracle import GLASSGRAD, as_result, assert_same_results, torch_library

# --- direct-loop references ----------------------------------------------------------------


def ref_conv2d(x, w, b, stride, pads, dilation, groups):
    """out[n, o, y, x] = b[o] + sum over the window of the zero-padded input, one output pixel at a time."""
    n, c, h, wd = x.shape
    o, cg, kh, kw = w.shape
    (sh, sw), (dh, dw) = stride, dilation
    (pt, pb), (pl, pr) = pads
    padded = np.zeros((n, c, h + pt + pb, wd + pl + pr))
    padded[:, :, pt : pt + h, pl : pl + wd] = x
    oh = (h + pt + pb - dh * (kh - 1) - 1) // sh + 1
    ow = (wd + pl + pr - dw * (kw - 1) - 1) // sw + 1
    out = np.zeros((n, o, oh, ow))
    per_group = o // groups
    for k in range(o):
        first = k // per_group * cg
        for y in range(oh):
            for z in range(ow):
                window = padded[:, first : first + cg, y * sh : y * sh + dh * (kh - 1) + 1 : dh,
                                z * sw : z * sw + dw * (kw - 1) + 1 : dw]
                out[:, k, y, z] = (window * w[k]).sum((1, 2, 3)) + (0.0 if b is None else b[k])
    return out


def ref_conv_transpose2d(x, w, b, stride, padding, output_padding, groups, dilation):
    """Every input pixel adds x * w[c] onto the output at stride * position + dilation * tap."""
    n, c, h, wd = x.shape
    _, og, kh, kw = w.shape
    (sh, sw), (ph, pw), (eh, ew), (dh, dw) = stride, padding, output_padding, dilation
    cg = c // groups
    full = np.zeros((n, og * groups, (h - 1) * sh + dh * (kh - 1) + 1 + eh, (wd - 1) * sw + dw * (kw - 1) + 1 + ew))
    for ch in range(c):
        first = ch // cg * og
        for y in range(h):
            for z in range(wd):
                for i in range(kh):
                    for j in range(kw):
                        full[:, first : first + og, y * sh + i * dh, z * sw + j * dw] += x[:, ch, y, z][:, None] * w[ch, :, i, j]
    out_h = (h - 1) * sh - 2 * ph + dh * (kh - 1) + eh + 1
    out_w = (wd - 1) * sw - 2 * pw + dw * (kw - 1) + ew + 1
    out = full[:, :, ph : ph + out_h, pw : pw + out_w]
    return out + (0.0 if b is None else b[None, :, None, None])


def pool_out_size(n, k, s, p, d, ceil_mode):
    """PyTorch's documented output size of a pooling."""
    out = (n + 2 * p - d * (k - 1) - 1 + (s - 1 if ceil_mode else 0)) // s + 1
    if ceil_mode and (out - 1) * s >= n + p:
        out -= 1
    return out


def ref_max_pool2d(x, kernel, stride, padding, dilation, ceil_mode):
    """(max, flat index of the first max) over the in-bounds positions of each window."""
    n, c, h, wd = x.shape
    (kh, kw), (sh, sw), (ph, pw), (dh, dw) = kernel, stride, padding, dilation
    oh, ow = pool_out_size(h, kh, sh, ph, dh, ceil_mode), pool_out_size(wd, kw, sw, pw, dw, ceil_mode)
    out, index = np.zeros((n, c, oh, ow)), np.zeros((n, c, oh, ow), np.int64)
    for y in range(oh):
        for z in range(ow):
            cells = [(y * sh - ph + i * dh, z * sw - pw + j * dw) for i in range(kh) for j in range(kw)]
            inside = [(r, q) for r, q in cells if 0 <= r < h and 0 <= q < wd]
            if not inside:  # a window all in the padding: -inf, and PyTorch's index of its first inside tap
                r, q = min(r for r, _ in cells if r >= 0), min(q for _, q in cells if q >= 0)
                out[:, :, y, z], index[:, :, y, z] = -np.inf, r * wd + q
                continue
            cells = inside
            values = np.stack([x[:, :, r, q] for r, q in cells], -1)
            first = values.argmax(-1)
            out[:, :, y, z] = values.max(-1)
            index[:, :, y, z] = np.array([r * wd + q for r, q in cells])[first]
    return out, index


def ref_avg_pool2d(x, kernel, stride, padding, ceil_mode, count_include_pad, divisor_override):
    n, c, h, wd = x.shape
    (kh, kw), (sh, sw), (ph, pw) = kernel, stride, padding
    oh, ow = pool_out_size(h, kh, sh, ph, 1, ceil_mode), pool_out_size(wd, kw, sw, pw, 1, ceil_mode)
    out = np.zeros((n, c, oh, ow))
    for y in range(oh):
        for z in range(ow):
            top, left = y * sh - ph, z * sw - pw
            bottom, right = min(top + kh, h + ph), min(left + kw, wd + pw)
            size = (bottom - top) * (right - left)
            top, left, bottom, right = max(top, 0), max(left, 0), min(bottom, h), min(right, wd)
            divisor = divisor_override or (size if count_include_pad else (bottom - top) * (right - left))
            out[:, :, y, z] = x[:, :, top:bottom, left:right].sum((2, 3)) / divisor
    return out


def ref_adaptive_avg_pool2d(x, out_size):
    n, c, h, wd = x.shape
    oh, ow = out_size
    out = np.zeros((n, c, oh, ow))
    for y in range(oh):
        for z in range(ow):
            rows = slice(math.floor(y * h / oh), math.ceil((y + 1) * h / oh))
            columns = slice(math.floor(z * wd / ow), math.ceil((z + 1) * wd / ow))
            out[:, :, y, z] = x[:, :, rows, columns].mean((2, 3))
    return out


# --- the two im2col layouts and the scratch buffer -------------------------------------------


@contextlib.contextmanager
def layout(kind):
    """'per_image' (one small matmul per image) or 'batch' (one matmul for the batch),
    with every temporary array drawn from (and given back to) the buffer pool."""
    saved = conv_ops._PER_IMAGE_MAX, conv_ops._POOL_MIN
    conv_ops._PER_IMAGE_MAX = 1 << 40 if kind == "per_image" else 0
    conv_ops._POOL_MIN = 0
    try:
        yield
    finally:
        conv_ops._PER_IMAGE_MAX, conv_ops._POOL_MIN = saved


LAYOUTS = ["per_image", "batch"]


# --- drawing configurations ------------------------------------------------------------------


def _conv_padding(kind, kernel, dilation, dims, draw):
    """(the padding argument, the (lo, hi) pairs it means)."""
    if kind == "same":
        total = [d * (k - 1) for k, d in zip(kernel, dilation)]
        return "same", tuple((t // 2, t - t // 2) for t in total)
    if kind == "valid":
        return "valid", ((0, 0),) * dims
    if kind == "int":
        pad = draw(st.integers(0, 2))
        return pad, ((pad, pad),) * dims
    pads = tuple(draw(st.integers(0, 2)) for _ in range(dims))
    return pads, tuple((p, p) for p in pads)


@st.composite
def conv_configs(draw, dims=2):
    groups = draw(st.integers(1, 3))
    c, o = groups * draw(st.integers(1, 2)), groups * draw(st.integers(1, 2))
    kernel = tuple(draw(st.integers(1, 3)) for _ in range(dims))
    dilation = tuple(draw(st.integers(1, 2)) for _ in range(dims))
    kind = draw(st.sampled_from(["int", "tuple", "same", "valid"] if dims == 2 else ["int", "same", "valid"]))
    stride = (1,) * dims if kind == "same" else tuple(draw(st.integers(1, 3)) for _ in range(dims))
    padding, pads = _conv_padding(kind, kernel, dilation, dims, draw)
    size = tuple(
        max(1, d * (k - 1) + 1 - lo - hi) + draw(st.integers(0, 4))
        for k, d, (lo, hi) in zip(kernel, dilation, pads)
    )
    return {
        "x": (draw(st.integers(1, 2)), c) + size, "w": (o, c // groups) + kernel, "bias": draw(st.booleans()),
        "stride": stride, "padding": padding, "pads": pads, "dilation": dilation, "groups": groups,
        "seed": draw(st.integers(0, 2**32 - 1)),
    }


@st.composite
def conv_transpose_configs(draw):
    groups = draw(st.integers(1, 3))
    c, o = groups * draw(st.integers(1, 2)), groups * draw(st.integers(1, 2))
    kernel = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    stride = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    dilation = (draw(st.integers(1, 2)), draw(st.integers(1, 2)))
    padding = (draw(st.integers(0, 2)), draw(st.integers(0, 2)))
    extra = tuple(draw(st.integers(0, max(s, d) - 1)) for s, d in zip(stride, dilation))
    size = (draw(st.integers(1, 4)), draw(st.integers(1, 4)))
    out = [(n - 1) * s - 2 * p + d * (k - 1) + e + 1
           for n, s, p, d, k, e in zip(size, stride, padding, dilation, kernel, extra)]
    assume(min(out) >= 1)
    return {
        "x": (draw(st.integers(1, 2)), c) + size, "w": (c, o // groups) + kernel, "bias": draw(st.booleans()),
        "stride": stride, "padding": padding, "output_padding": extra, "dilation": dilation, "groups": groups,
        "seed": draw(st.integers(0, 2**32 - 1)),
    }


@st.composite
def pool_configs(draw, max_pool=True):
    kernel = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    stride = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    dilation = (draw(st.integers(1, 2)), draw(st.integers(1, 2))) if max_pool else (1, 1)
    padding = tuple(draw(st.integers(0, ((k - 1) * d + 1) // 2)) for k, d in zip(kernel, dilation))
    ceil_mode = draw(st.booleans())
    size = tuple(max(1, d * (k - 1) + 1 - 2 * p) + draw(st.integers(0, 4))
                 for k, d, p in zip(kernel, dilation, padding))
    config = {
        "x": (draw(st.integers(1, 2)), draw(st.integers(1, 3))) + size, "kernel_size": kernel,
        "stride": draw(st.sampled_from([None, stride])), "padding": padding, "ceil_mode": ceil_mode,
        "seed": draw(st.integers(0, 2**32 - 1)),
    }
    if max_pool:
        config["dilation"] = dilation
    else:
        config["count_include_pad"] = draw(st.booleans())
        config["divisor_override"] = draw(st.sampled_from([None, None, 3]))
    return config


def distinct_values(rng, shape):
    """Pairwise distinct values 0.01 apart: no ties for max pooling, and central differences
    with eps 1e-6 never change which element is the max."""
    return rng.permutation(math.prod(shape)).reshape(shape) / 100.0 - 1.0


# --- checking one function ----------------------------------------------------------------------


def check_against(fn, ref, arrays, rng, rtol=1e-10, atol=1e-10):
    """fn(*tensors) == ref(*arrays) in float64; float32 in, float32 out (and gradients); the
    gradients, for a random upstream gradient, equal central differences along a random
    direction; no input and no upstream gradient is mutated."""
    xs = [autograd.tensor(a, requires_grad=True) for a in arrays]
    out = fn(*xs)
    expected = ref(*arrays)
    assert_close(out.numpy(), expected, rtol=rtol, atol=atol, what="forward")

    upstream = rng.standard_normal(out.shape)
    before = [a.copy() for a in arrays], upstream.copy()
    out.backward(autograd.tensor(upstream))
    for a, b in zip(arrays, before[0]):
        np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(upstream, before[1])
    direction = [rng.standard_normal(a.shape) for a in arrays]
    eps = 1e-6

    def loss(sign):
        with autograd.no_grad():
            moved = [autograd.tensor(a + sign * eps * v) for a, v in zip(arrays, direction)]
            return float(np.sum(fn(*moved).numpy() * upstream))

    numeric = (loss(1.0) - loss(-1.0)) / (2 * eps)
    analytic = sum(float(np.sum(x.grad.numpy() * v)) for x, v in zip(xs, direction))
    assert math.isclose(analytic, numeric, rel_tol=1e-5, abs_tol=1e-6), (analytic, numeric)

    xs32 = [autograd.tensor(a.astype(np.float32), requires_grad=True) for a in arrays]
    out32 = fn(*xs32)
    assert out32.dtype == np.float32
    assert_close(out32.numpy(), expected, rtol=1e-4, atol=1e-4, what="forward in float32")
    out32.backward(autograd.tensor(upstream.astype(np.float32)))
    for x, x32 in zip(xs, xs32):
        assert x32.grad.dtype == np.float32 and x32.grad.shape == x32.shape
        assert_close(x32.grad.numpy(), x.grad.numpy(), rtol=1e-3, atol=1e-4, what="gradient in float32")


# --- convolution -----------------------------------------------------------------------------------


def _conv_case(config):
    """The generator, the arrays (x, w and maybe b) and F.conv*d's positional args of a config."""
    rng = np.random.default_rng(config["seed"])
    arrays = [rng.standard_normal(config["x"]), rng.standard_normal(config["w"])]
    if config["bias"]:
        arrays.append(rng.standard_normal(config["w"][0]))
    return rng, arrays, (config["stride"], config["padding"], config["dilation"], config["groups"])


@pytest.mark.parametrize("kind", LAYOUTS)
@given(config=conv_configs())
def test_conv2d_matches_loops_and_central_differences(kind, config):
    rng, arrays, args = _conv_case(config)

    def ours(x, w, b=None):
        return F.conv2d(x, w, b, *args)

    def ref(x, w, b=None):
        return ref_conv2d(x, w, b, config["stride"], config["pads"], config["dilation"], config["groups"])

    with layout(kind):
        check_against(ours, ref, arrays, rng)


@pytest.mark.parametrize("kind", LAYOUTS)
@given(config=conv_configs(dims=1))
def test_conv1d_matches_loops_and_central_differences(kind, config):
    rng, arrays, args = _conv_case(config)

    def ours(x, w, b=None):
        return F.conv1d(x, w, b, *args)

    def ref(x, w, b=None):
        out = ref_conv2d(x[:, :, None], w[:, :, None], b, (1,) + config["stride"], ((0, 0),) + config["pads"],
                         (1,) + config["dilation"], config["groups"])
        return out[:, :, 0]

    with layout(kind):
        check_against(ours, ref, arrays, rng)


@pytest.mark.parametrize("kind", LAYOUTS)
@given(config=conv_transpose_configs())
def test_conv_transpose2d_matches_loops_and_central_differences(kind, config):
    rng = np.random.default_rng(config["seed"])
    arrays = [rng.standard_normal(config["x"]), rng.standard_normal(config["w"])]
    if config["bias"]:
        arrays.append(rng.standard_normal(config["w"][1] * config["groups"]))
    args = config["stride"], config["padding"], config["output_padding"], config["groups"], config["dilation"]

    def ours(x, w, b=None):
        return F.conv_transpose2d(x, w, b, *args)

    def ref(x, w, b=None):
        return ref_conv_transpose2d(x, w, b, *args)

    with layout(kind):
        check_against(ours, ref, arrays, rng)


@given(config=conv_transpose_configs())
def test_conv_transpose1d_matches_loops(config):
    rng = np.random.default_rng(config["seed"])
    x, w = rng.standard_normal(config["x"][:2] + config["x"][3:]), rng.standard_normal(config["w"][:2] + config["w"][3:])
    s, p, e, g, d = (config[k][1] if isinstance(config[k], tuple) else config[k]
                     for k in ("stride", "padding", "output_padding", "groups", "dilation"))
    assume((x.shape[-1] - 1) * s - 2 * p + d * (w.shape[-1] - 1) + e + 1 >= 1)
    out = ref_conv_transpose2d(x[:, :, None], w[:, :, None], None, (1, s), (0, p), (0, e), g, (1, d))[:, :, 0]
    check_against(lambda a, b: F.conv_transpose1d(a, b, None, s, p, e, g, d), lambda a, b: out, [x, w], rng)


def test_conv_transpose2d_is_the_input_gradient_of_conv2d():
    """<conv2d(x, w), y> = <x, conv_transpose2d(y, w)> whenever the sizes match up."""
    rng = np.random.default_rng(0)
    x, w = rng.standard_normal((2, 4, 9, 8)), rng.standard_normal((6, 2, 3, 2))
    y = F.conv2d(autograd.tensor(x), autograd.tensor(w), stride=(2, 3), padding=(1, 2), dilation=(2, 1), groups=2)
    v = rng.standard_normal(y.shape)
    back = F.conv_transpose2d(autograd.tensor(v), autograd.tensor(w), stride=(2, 3), padding=(1, 2),
                              output_padding=(0, 1), groups=2, dilation=(2, 1))
    assert back.shape == x.shape
    assert math.isclose(float(np.sum(y.numpy() * v)), float(np.sum(x * back.numpy())), rel_tol=1e-10)


def test_an_infinite_weight_spoils_only_the_outputs_it_reaches():
    rng = np.random.default_rng(5)
    x, w = rng.standard_normal((1, 3, 4, 4)), rng.standard_normal((3, 2, 3, 3))
    w[0, 0, 0, 2] = np.inf
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # inf - inf in the reference
        ours = F.conv_transpose2d(autograd.tensor(x), autograd.tensor(w), padding=1).numpy()
        expected = ref_conv_transpose2d(x, w, None, (1, 1), (1, 1), (0, 0), 1, (1, 1))
    np.testing.assert_array_equal(np.isnan(ours), np.isnan(expected))
    assert_close(np.nan_to_num(ours), np.nan_to_num(expected), rtol=1e-10, atol=1e-10)


# --- pooling ---------------------------------------------------------------------------------------


@given(config=pool_configs())
def test_max_pool2d_matches_loops_and_central_differences(config):
    rng = np.random.default_rng(config.pop("seed"))
    x = distinct_values(rng, config.pop("x"))
    stride = config["stride"] or config["kernel_size"]
    expected, index = ref_max_pool2d(x, config["kernel_size"], stride, config["padding"], config["dilation"],
                                     config["ceil_mode"])
    out, indices = F.max_pool2d(autograd.tensor(x), return_indices=True, **config)
    assert indices.dtype == np.int64 and not indices.requires_grad
    np.testing.assert_array_equal(indices.numpy(), index)
    assert_close(out.numpy(), expected, rtol=0, atol=0)
    assume(np.isfinite(expected).all())  # central differences need finite outputs
    check_against(lambda a: F.max_pool2d(a, **config), lambda a: expected, [x], rng)


@given(config=pool_configs(max_pool=False))
def test_avg_pool2d_matches_loops_and_central_differences(config):
    rng = np.random.default_rng(config.pop("seed"))
    x = rng.standard_normal(config.pop("x"))
    stride = config["stride"] or config["kernel_size"]
    expected = ref_avg_pool2d(x, config["kernel_size"], stride, config["padding"], config["ceil_mode"],
                              config["count_include_pad"], config["divisor_override"])
    check_against(lambda a: F.avg_pool2d(a, **config), lambda a: expected, [x], rng)


@given(config=pool_configs())
def test_pool1d_match_loops(config):
    rng = np.random.default_rng(config["seed"])
    x = distinct_values(rng, config["x"][:2] + config["x"][3:])
    k, s, p, d = (config[key][1] if config[key] is not None else None
                  for key in ("kernel_size", "stride", "padding", "dilation"))
    expected, index = ref_max_pool2d(x[:, :, None], (1, k), (1, s or k), (0, p), (1, d), config["ceil_mode"])
    _, indices = F.max_pool1d(autograd.tensor(x), k, s, p, d, config["ceil_mode"], return_indices=True)
    np.testing.assert_array_equal(indices.numpy(), index[:, :, 0])
    assume(np.isfinite(expected).all())
    check_against(lambda a: F.max_pool1d(a, k, s, p, d, config["ceil_mode"]), lambda a: expected[:, :, 0], [x], rng)
    p = min(p, k // 2)
    if x.shape[-1] + 2 * p < k:
        return
    average = ref_avg_pool2d(x[:, :, None], (1, k), (1, s or k), (0, p), config["ceil_mode"], False, None)
    check_against(lambda a: F.avg_pool1d(a, k, s, p, config["ceil_mode"], False), lambda a: average[:, :, 0], [x],
                  rng)


@given(shape=st.tuples(st.integers(1, 2), st.integers(1, 2), st.integers(1, 7), st.integers(1, 7)),
       out=st.tuples(st.integers(1, 5), st.integers(1, 5) | st.none()), seed=st.integers(0, 2**32 - 1))
def test_adaptive_avg_pool_matches_loops(shape, out, seed):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal(shape)
    expected = ref_adaptive_avg_pool2d(x, (out[0], shape[3] if out[1] is None else out[1]))
    check_against(lambda a: F.adaptive_avg_pool2d(a, out), lambda a: expected, [x], rng)
    along = ref_adaptive_avg_pool2d(x[:, :, :1], (1, out[0]))[:, :, 0]
    check_against(lambda a: F.adaptive_avg_pool1d(a[:, :, 0], out[0]), lambda a: along, [x], rng)


def test_max_pool_window_without_a_value_inside_matches_torch():
    x = autograd.tensor([[[[0.5, -np.inf]]]], requires_grad=True)
    out, indices = F.max_pool2d(x, (1, 2), padding=(0, 1), dilation=(1, 2), return_indices=True)
    assert out.tolist() == [[[[-np.inf]]]] and indices.tolist() == [[[[1]]]]  # as PyTorch
    out, indices = F.max_pool2d(x, (1, 2), stride=1, padding=(0, 1), return_indices=True)
    assert out.tolist() == [[[[0.5, 0.5, -np.inf]]]] and indices.tolist() == [[[[0, 0, 1]]]]


def test_max_pool_ties_go_to_the_first_max_and_nan_wins():
    x = autograd.tensor([[[[1.0, 3.0, 3.0, 0.0], [3.0, 2.0, 0.0, 0.0]]]], requires_grad=True)
    out, indices = F.max_pool2d(x, 2, return_indices=True)
    assert indices.tolist() == [[[[1, 2]]]]
    out.sum().backward()
    assert x.grad.tolist() == [[[[0.0, 1.0, 1.0, 0.0], [0.0, 0.0, 0.0, 0.0]]]]
    y = autograd.tensor([[[[1.0, np.nan], [5.0, 2.0]]]])
    out, indices = F.max_pool2d(y, 2, return_indices=True)
    assert np.isnan(out.item()) and indices.item() == 1


def test_upsample_nearest_integer_and_fractional_factors():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((2, 3, 3, 4))
    check_against(lambda a: F.interpolate(a, scale_factor=2), lambda a: a.repeat(2, 2).repeat(2, 3), [x], rng)
    rows, columns = np.floor(np.arange(5) * 3 / 5).astype(int), np.floor(np.arange(7) * 4 / 7).astype(int)
    check_against(lambda a: F.interpolate(a, size=(5, 7)), lambda a: a[:, :, rows][:, :, :, columns], [x], rng)


# --- second derivatives (every backward is made of these ops) ----------------------------------------


def x64(rng, *shape):
    return autograd.tensor(rng.standard_normal(shape), requires_grad=True)


@pytest.mark.parametrize("kind", LAYOUTS)
def test_gradcheck_and_gradgradcheck(kind):
    rng = np.random.default_rng(0)
    x, w, b = x64(rng, 2, 4, 5, 4), x64(rng, 4, 2, 3, 2), x64(rng, 4)
    wt = x64(rng, 4, 3, 2, 3)
    distinct = autograd.tensor(distinct_values(rng, (2, 2, 5, 4)), requires_grad=True)
    cases = [
        (lambda x, w, b: F.conv2d(x, w, b, stride=(2, 1), padding=1, groups=2), (x, w, b)),
        (lambda x, w: F.conv2d(x, w, padding="same", dilation=2, groups=2).tanh(), (x, w)),
        (lambda x, w, b: F.conv_transpose2d(x, w, b[:3], stride=2, padding=1, output_padding=1), (x, wt, b)),
        (lambda x, w: F.conv_transpose2d(x, w, padding=1, dilation=2, output_padding=1), (x, wt)),
        (lambda x, w: F.conv1d(x[:, :, 0], w[:, :, 0], padding=1, stride=2, groups=2), (x, w)),
        (lambda x: F.max_pool2d(x, 3, stride=1, padding=1), (distinct,)),
        (lambda x: F.max_pool2d(x, 2, stride=1, dilation=2, ceil_mode=True), (distinct,)),
        (lambda x: F.avg_pool2d(x, 3, stride=2, padding=1, ceil_mode=True, count_include_pad=False), (x,)),
        (lambda x: F.adaptive_avg_pool2d(x, (3, 3)), (x,)),
        (lambda x: F.interpolate(x, size=(7, 5)), (x,)),
    ]
    with layout(kind):
        for fn, inputs in cases:
            assert autograd.gradcheck(fn, inputs)
            assert autograd.gradgradcheck(fn, inputs)


def test_third_derivative_of_a_convolution():
    """A convolution is bilinear: d3/dx dw dw of sum(conv(x, w)^2) is constant, and the chain
    of Convolution / ConvolutionTranspose / ConvolutionWeight nodes differentiates to any order."""
    rng = np.random.default_rng(1)
    x, w = x64(rng, 1, 2, 4, 4), x64(rng, 3, 2, 3, 3)
    (gw,) = autograd.grad((F.conv2d(x, w, padding=1) ** 2).sum(), w, create_graph=True)
    (gx,) = autograd.grad((gw * gw).sum(), x, create_graph=True)

    def second(w_array):
        w_ = autograd.tensor(w_array, requires_grad=True)
        (g,) = autograd.grad((F.conv2d(x, w_, padding=1) ** 2).sum(), w_, create_graph=True)
        (h,) = autograd.grad((g * g).sum(), x)
        return h.numpy()

    direction = rng.standard_normal(w.shape)
    numeric = (second(w.numpy() + 1e-6 * direction) - second(w.numpy() - 1e-6 * direction)) / 2e-6
    (analytic,) = autograd.grad(gx, w, autograd.tensor(np.ones(x.shape)))
    assert math.isclose(float(np.sum(analytic.numpy() * direction)), float(numeric.sum()), rel_tol=1e-5)


# --- what backward computes and keeps --------------------------------------------------------------


def test_no_gradient_for_an_input_that_does_not_need_one(monkeypatch):
    calls = []
    original = conv_ops.conv_transpose2d_array
    monkeypatch.setattr(conv_ops, "conv_transpose2d_array", lambda *a: calls.append(1) or original(*a))
    x = autograd.randn(2, 1, 8, 8)
    w = autograd.randn(3, 1, 3, 3, requires_grad=True)
    F.conv2d(x, w).sum().backward()
    assert x.grad is None and w.grad is not None and not calls
    x.requires_grad_()
    F.conv2d(x, w).sum().backward()
    assert calls and x.grad is not None


def test_inplace_change_of_a_saved_input_is_caught():
    x = autograd.randn(1, 1, 5, 5, requires_grad=True)
    w = autograd.randn(1, 1, 3, 3, requires_grad=True)
    h = x * 1.0
    y = F.conv2d(h, w)
    with autograd.no_grad():
        h.mul_(2.0)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        y.sum().backward()


def test_backward_twice_and_retain_graph():
    x, w = autograd.randn(2, 2, 6, 6, requires_grad=True), autograd.randn(3, 2, 3, 3, requires_grad=True)
    y = F.conv2d(x, w).sum()
    y.backward(retain_graph=True)
    first = w.grad.numpy().copy()
    y.backward()  # the kept im2col matrix was released after the first backward: recomputed
    assert_close(w.grad.numpy(), 2 * first, rtol=1e-5, atol=1e-5)


def test_buffers_are_reused_and_released():
    with layout("batch"):
        conv_ops.release_buffers()
        x, w = autograd.randn(2, 3, 9, 9, requires_grad=True), autograd.randn(4, 3, 3, 3, requires_grad=True)
        F.conv2d(x, w, padding=1).sum().backward()
        idle = {size: [id(b) for b in buffers] for size, buffers in conv_ops._pool.free.items()}
        assert idle and conv_ops._pool.idle == sum(size * len(b) for size, b in idle.items())
        F.conv2d(x, w, padding=1).sum().backward()
        assert {size: sorted(map(id, b)) for size, b in conv_ops._pool.free.items()} == {
            size: sorted(ids) for size, ids in idle.items()
        }  # the same buffers went round again
        conv_ops.release_buffers()
        assert not conv_ops._pool.free and conv_ops._pool.idle == 0


@pytest.mark.parametrize("budget", [0, 1 << 29])
def test_kept_im2col_matrices_stay_within_the_budget(monkeypatch, budget):
    """Kept for the weight gradient within the budget, recomputed past it: the same
    gradients either way, and the reservation ends with backward or with the graph."""
    monkeypatch.setattr(conv_ops, "_KEEP_COLS_BYTES", budget)
    rng = np.random.default_rng(3)
    x, w = rng.standard_normal((2, 3, 7, 7)), rng.standard_normal((4, 3, 3, 3))
    xt, wt = autograd.tensor(x), autograd.tensor(w, requires_grad=True)
    before = conv_ops._kept["bytes"]
    y = F.conv2d(xt, wt, padding=1)
    assert (conv_ops._kept["bytes"] > before) == (budget > 0)
    y.backward(autograd.tensor(np.ones(y.shape)))
    assert conv_ops._kept["bytes"] == before
    assert_close(wt.grad.numpy(), ref_conv_weight_grad(x, w.shape), rtol=1e-10, atol=1e-10)
    y = F.conv2d(xt, wt, padding=1)
    del y  # a graph dropped without backward releases its reservation too
    assert conv_ops._kept["bytes"] == before


def ref_conv_weight_grad(x, w_shape):
    """d sum(conv2d(x, w, padding=1)) / dw: each weight sees the sum of the inputs under it."""
    padded = np.pad(x, ((0, 0), (0, 0), (1, 1), (1, 1)))
    h, wd = x.shape[2:]
    sums = np.array([[padded[:, :, i : i + h, j : j + wd].sum((0, 2, 3)) for j in range(w_shape[3])]
                     for i in range(w_shape[2])])  # (kh, kw, C)
    return np.broadcast_to(sums.transpose(2, 0, 1), w_shape)


# --- PyTorch as a second oracle: recorded configurations always, Hypothesis's where torch is installed ---------

CONV_CASES = {  # name -> (x shape, w shape, bias, stride, padding, dilation, groups)
    "3x3": ((2, 3, 6, 5), (4, 3, 3, 3), True, (1, 1), (1, 1), (1, 1), 1),
    "strided, dilated, uneven": ((1, 2, 7, 8), (3, 2, 3, 2), False, (2, 3), (2, 0), (2, 1), 1),
    "groups=2, same": ((2, 4, 5, 6), (6, 2, 3, 3), True, (1, 1), "same", (1, 2), 2),
    "1x1, valid, strided": ((1, 3, 4, 4), (2, 3, 1, 1), True, (2, 2), "valid", (1, 1), 1),
    "depthwise": ((2, 3, 5, 5), (3, 1, 2, 2), True, (1, 2), (1, 1), (1, 1), 3),
}
CONV_TRANSPOSE_CASES = {  # name -> (x shape, w shape, bias, stride, padding, output_padding, groups, dilation)
    "3x3": ((2, 3, 4, 5), (3, 2, 3, 3), True, (1, 1), (1, 1), (0, 0), 1, (1, 1)),
    "strided, output padding, groups=2": (
        (1, 4, 3, 3),
        (4, 3, 3, 2),
        True,
        (2, 3),
        (1, 0),
        (1, 2),
        2,
        (1, 1),
    ),
    "dilated, groups=2": ((2, 4, 3, 4), (4, 1, 2, 3), False, (2, 1), (0, 1), (0, 0), 2, (2, 2)),
}
POOL_CASES = {  # name -> (max or avg, x shape, keyword arguments)
    "max 2x2": ("max", (2, 3, 6, 6), {"kernel_size": (2, 2)}),
    "max strided, padded, dilated, ceil": (
        "max",
        (1, 2, 7, 8),
        {"kernel_size": (3, 2), "stride": (2, 1), "padding": (1, 1), "dilation": (2, 1), "ceil_mode": True},
    ),
    "avg padded, ceil, without the padding": (
        "avg",
        (2, 2, 5, 7),
        {
            "kernel_size": (3, 3),
            "stride": (2, 2),
            "padding": (1, 1),
            "ceil_mode": True,
            "count_include_pad": False,
        },
    ),
    "avg divisor_override": (
        "avg",
        (1, 3, 4, 6),
        {"kernel_size": (2, 3), "padding": (0, 1), "divisor_override": 3},
    ),
}


def _results(lib, fn, arrays):
    """fn(lib.F, *tensors): the output, and the inputs' gradients for a seeded upstream gradient."""
    xs = [lib.torch.tensor(a, requires_grad=True) for a in arrays]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        out = fn(lib.F, *xs)
    out.backward(lib.torch.tensor(np.random.default_rng(0).standard_normal(tuple(out.shape))))
    return {"out": out} | {f"grad of input {i}": x.grad for i, x in enumerate(xs)}


def _check_with_torch(torch_oracle, fn, arrays):
    arrays = [a for a in arrays if a is not None]
    inputs = {f"input {i}": a for i, a in enumerate(arrays)}
    torch_oracle.check_same(lambda lib: _results(lib, fn, arrays), inputs=inputs, rtol=1e-10, atol=1e-10)


def _check_with_live_torch(torch, fn, arrays):
    arrays = [a for a in arrays if a is not None]
    ours = {name: as_result(value) for name, value in _results(GLASSGRAD, fn, arrays).items()}
    theirs = {name: as_result(value) for name, value in _results(torch_library(torch), fn, arrays).items()}
    assert_same_results(ours, theirs, "live torch", rtol=1e-10, atol=1e-10)


@pytest.mark.parametrize("case", CONV_CASES)
def test_conv_matches_torch(torch_oracle, case):
    x_shape, w_shape, bias, *args = CONV_CASES[case]
    rng = np.random.default_rng(1)
    x, w, b = rng.standard_normal(x_shape), rng.standard_normal(w_shape), rng.standard_normal(w_shape[0])
    _check_with_torch(
        torch_oracle,
        lambda F, x, w, *b: F.conv2d(x, w, b[0] if b else None, *args),
        [x, w, b if bias else None],
    )


@pytest.mark.parametrize("case", CONV_TRANSPOSE_CASES)
def test_conv_transpose_matches_torch(torch_oracle, case):
    x_shape, w_shape, bias, *args = CONV_TRANSPOSE_CASES[case]
    rng = np.random.default_rng(2)
    x, w, b = (
        rng.standard_normal(x_shape),
        rng.standard_normal(w_shape),
        rng.standard_normal(w_shape[1] * args[3]),
    )
    _check_with_torch(
        torch_oracle,
        lambda F, x, w, *b: F.conv_transpose2d(x, w, b[0] if b else None, *args),
        [x, w, b if bias else None],
    )


@pytest.mark.parametrize("case", POOL_CASES)
def test_pools_match_torch(torch_oracle, case):
    kind, shape, kwargs = POOL_CASES[case]
    x = distinct_values(np.random.default_rng(3), shape)
    _check_with_torch(torch_oracle, lambda F, t: getattr(F, f"{kind}_pool2d")(t, **kwargs), [x])


@given(config=conv_configs(), transposed=st.booleans())
def test_conv_matches_live_torch_on_hypothesis_configs(config, transposed):
    torch = pytest.importorskip("torch")  # the recorded configurations above run without torch
    rng = np.random.default_rng(config["seed"])
    x, w = rng.standard_normal(config["x"]), rng.standard_normal(config["w"])
    b = rng.standard_normal(config["w"][0]) if config["bias"] else None
    if transposed:  # the same shapes, read as a transposed convolution from C to O / groups * groups channels
        if isinstance(config["padding"], str):
            return
        w = rng.standard_normal((config["x"][1], config["w"][0] // config["groups"]) + config["w"][2:])
        b = None if b is None else b[: w.shape[1] * config["groups"]]
        pads = [lo for lo, _ in config["pads"]]
        sizes = [(n - 1) * s - 2 * p + d * (k - 1) + 1 for n, s, p, d, k in
                 zip(config["x"][2:], config["stride"], pads, config["dilation"], w.shape[2:])]
        assume(min(sizes) >= 1)
        args = (config["stride"], config["padding"], 0, config["groups"], config["dilation"])
        name = "conv_transpose2d"
    else:
        args = (config["stride"], config["padding"], config["dilation"], config["groups"])
        name = "conv2d"
    _check_with_live_torch(
        torch, lambda F, x, w, *b: getattr(F, name)(x, w, b[0] if b else None, *args), [x, w, b]
    )


@given(config=pool_configs(), average=st.booleans())
def test_pools_match_live_torch_on_hypothesis_configs(config, average):
    torch = pytest.importorskip("torch")  # the recorded configurations above run without torch
    config = dict(config)
    rng = np.random.default_rng(config.pop("seed"))
    x = distinct_values(rng, config.pop("x"))
    if average:
        config.pop("dilation")
        name = "avg_pool2d"
        config["padding"] = tuple(min(p, k // 2) for p, k in zip(config["padding"], config["kernel_size"]))
    else:
        name = "max_pool2d"
    try:
        getattr(torch.nn.functional, name)(torch.from_numpy(x), **config)
    except RuntimeError:  # e.g. an empty output after clamping the padding
        return
    _check_with_live_torch(torch, lambda F, t: getattr(F, name)(t, **config), [x])


# --- impossible configurations name the shapes ----------------------------------------------------------


@pytest.mark.parametrize(
    "call, error, message",
    [
        (lambda: F.conv2d(autograd.zeros(2, 5, 4, 4), autograd.zeros(3, 5, 5, 5)), RuntimeError,
         r"padded input size per channel: \(4 x 4\).*\[2, 5, 4, 4\].*Kernel size: \(5 x 5\).*\[3, 5, 5, 5\]"),
        (lambda: F.conv2d(autograd.zeros(1, 2, 3, 3), autograd.zeros(1, 2, 2, 2), padding=1, dilation=5),
         RuntimeError, r"\(5 x 5\).*Kernel size: \(6 x 6\).*dilation \[5, 5\]"),
        (lambda: F.conv2d(autograd.zeros(2, 5, 8, 8), autograd.zeros(4, 3, 3, 3), groups=2), RuntimeError,
         r"groups=2, weight of size \[4, 3, 3, 3\], expected input\[2, 5, 8, 8\] to have 6 channels, but got 5"),
        (lambda: F.conv2d(autograd.zeros(2, 6, 8, 8), autograd.zeros(3, 3, 3, 3), groups=2), RuntimeError,
         r"groups=2, expected weight to be divisible by 2 at dimension 0, but got weight of size \[3, 3, 3, 3\]"),
        (lambda: F.conv1d(autograd.zeros(2, 4, 8), autograd.zeros(4, 3, 3), groups=0), RuntimeError,
         r"non-positive groups"),
        (lambda: F.conv2d(autograd.zeros(2, 3, 8, 8), autograd.zeros(4, 3, 3, 3), autograd.zeros(5)), RuntimeError,
         r"weight of size \[4, 3, 3, 3\], expected bias to be 1-dimensional with 4 elements.*\[5\]"),
        (lambda: F.conv2d(autograd.zeros(5, 4), autograd.zeros(3, 5, 3, 3)), RuntimeError,
         r"Expected 3D \(unbatched\) or 4D \(batched\) input to conv2d, but got input of size: \[5, 4\]"),
        (lambda: F.conv2d(autograd.zeros(1, 3, 8, 8), autograd.zeros(2, 3, 3)), RuntimeError, r"4-d weight.*\[2, 3, 3\]"),
        (lambda: F.conv2d(autograd.zeros(1, 3, 8, 8), autograd.zeros(2, 3, 3, 3), stride=2, padding="same"),
         RuntimeError, "padding='same' is not supported for strided convolutions"),
        (lambda: F.conv2d(autograd.zeros(1, 3, 8, 8), autograd.zeros(2, 3, 3, 3), padding="full"), RuntimeError,
         "invalid padding string 'full'"),
        (lambda: F.conv2d(autograd.zeros(1, 3, 8, 8), autograd.zeros(2, 3, 3, 3), padding=-1), RuntimeError,
         "negative padding"),
        (lambda: F.conv2d(autograd.zeros(1, 3, 8, 8), autograd.zeros(2, 3, 3, 3), stride=0), RuntimeError,
         "non-positive stride"),
        (lambda: F.conv2d(autograd.zeros(1, 3, 8, 8), autograd.zeros(2, 3, 3, 3), stride=(1, 2, 3)), RuntimeError,
         "stride to be a single integer value or a list of 2 values"),
        (lambda: F.conv2d(autograd.zeros(1, 3, 8, 8), autograd.zeros(2, 3, 3, 3, dtype=autograd.float64)),
         RuntimeError, r"input \(autograd.float32\), weight \(autograd.float64\)"),
        (lambda: F.conv_transpose2d(autograd.zeros(2, 4, 5, 5), autograd.zeros(5, 3, 3, 3)), RuntimeError,
         r"weight of size \[5, 3, 3, 3\], expected input\[2, 4, 5, 5\] to have 5 channels, but got 4"),
        (lambda: F.conv_transpose2d(autograd.zeros(2, 4, 5, 5), autograd.zeros(4, 3, 3, 3), stride=2,
                                    output_padding=2), RuntimeError,
         "output padding must be smaller than either stride or dilation"),
        (lambda: F.conv_transpose2d(autograd.zeros(1, 4, 1, 1), autograd.zeros(4, 3, 1, 1), padding=1), RuntimeError,
         r"output size \(-1 x -1\) of input of size \[1, 4, 1, 1\] with weight of size \[4, 3, 1, 1\]"),
        (lambda: F.max_pool2d(autograd.zeros(2, 5, 4, 4), 5), RuntimeError,
         r"input size: \(5x4x4\). Calculated output size: \(5x0x0\). Output size is too small"),
        (lambda: F.max_pool2d(autograd.zeros(2, 5, 4, 4), 3, padding=2), RuntimeError,
         "pad should be at most half of effective kernel size, but got pad=2, kernel_size=3 and dilation=1"),
        (lambda: F.avg_pool2d(autograd.zeros(2, 5, 4, 4), 2, padding=2), RuntimeError,
         "pad should be at most half of kernel size, but got pad=2, kernel_size=2"),
        (lambda: F.max_pool1d(autograd.zeros(2, 5, 4, 4), 2), RuntimeError,
         r"Expected 2D \(unbatched\) or 3D \(batched\) input to max_pool1d, but got input of size: \[2, 5, 4, 4\]"),
        (lambda: F.interpolate(autograd.zeros(1, 1, 4, 4), scale_factor=2, mode="bicubic"), NotImplementedError,
         "mode 'bicubic'"),
    ],
)
def test_impossible_configurations_raise_naming_the_shapes(call, error, message):
    with pytest.raises(error, match=message):
        call()
