"""Image transforms with torchvision's names, on NumPy arrays or Tensors of shape
(..., H, W): HW, CHW, or a whole NCHW batch (which then shares one random draw).

An ndarray comes back as an ndarray, a Tensor as a Tensor (without gradient).
The random transforms draw from `generator`: a NumPy Generator, an int seed, or
None for autograd's default generator (`autograd.manual_seed` makes them
reproducible). The functions (`hflip`, `rotate`, `crop`, ...) are the fixed
transforms of torchvision.transforms.functional, for test-time augmentation
with `tta_predict`.
"""

from __future__ import annotations

import numbers
from enum import Enum

import numpy as np

from autograd import Tensor, from_numpy, no_grad

from .dataset import as_generator

__all__ = [
    "CenterCrop",
    "Compose",
    "InterpolationMode",
    "Lambda",
    "Normalize",
    "RandomCrop",
    "RandomHorizontalFlip",
    "RandomRotation",
    "RandomVerticalFlip",
    "ToTensor",
    "center_crop",
    "crop",
    "hflip",
    "normalize",
    "pad",
    "rotate",
    "to_tensor",
    "tta_predict",
    "vflip",
]


class InterpolationMode(str, Enum):
    NEAREST = "nearest"
    BILINEAR = "bilinear"


def _apply(img, fn):
    """Run `fn` on the array inside `img`, giving back the same kind of object."""
    if isinstance(img, Tensor):
        return from_numpy(np.ascontiguousarray(fn(img._data)))
    return fn(np.asarray(img))


def _pair(size) -> tuple:
    if isinstance(size, numbers.Number):
        return int(size), int(size)
    if len(size) == 1:
        return int(size[0]), int(size[0])
    return int(size[0]), int(size[1])


# --- functions (torchvision.transforms.functional) ---
def hflip(img):
    """Mirror left-right (the last axis)."""
    return _apply(img, lambda a: a[..., ::-1].copy())


def vflip(img):
    """Mirror top-bottom (the second last axis)."""
    return _apply(img, lambda a: a[..., ::-1, :].copy())


def crop(img, top: int, left: int, height: int, width: int):
    """The window of `height` x `width` pixels whose top-left corner is (top, left)."""
    return _apply(img, lambda a: a[..., top : top + height, left : left + width].copy())


def center_crop(img, output_size):
    """The centered window of `output_size` (an int or (h, w))."""
    th, tw = _pair(output_size)
    h, w = np.shape(img)[-2:]
    if th > h or tw > w:
        raise ValueError(f"center_crop(): crop size {(th, tw)} is larger than the image size {(h, w)}")
    return crop(img, round((h - th) / 2.0), round((w - tw) / 2.0), th, tw)


def pad(img, padding, fill=0, padding_mode: str = "constant"):
    """Pad the last two axes: `padding` is an int (all sides), (left/right, top/bottom)
    or (left, top, right, bottom); padding_mode is constant (with `fill`), edge,
    reflect or symmetric."""
    if isinstance(padding, numbers.Number):
        padding = (padding,) * 4
    if len(padding) == 2:
        padding = (padding[0], padding[1], padding[0], padding[1])
    left, top, right, bottom = (int(p) for p in padding)
    if padding_mode not in ("constant", "edge", "reflect", "symmetric"):
        raise ValueError(
            f"pad(): padding_mode must be constant, edge, reflect or symmetric, got {padding_mode!r}"
        )
    kwargs = {"constant_values": fill} if padding_mode == "constant" else {}

    def fn(a):
        widths = [(0, 0)] * (a.ndim - 2) + [(top, bottom), (left, right)]
        return np.pad(a, widths, mode=padding_mode, **kwargs)

    return _apply(img, fn)


def rotate(img, angle: float, interpolation="nearest", expand: bool = False, center=None, fill=0):
    """Rotate by `angle` degrees counter-clockwise about `center` ((x, y) in pixels;
    default the image center), by inverse mapping: output pixel (x, y) takes the
    input at (cx + cos a (x - cx) - sin a (y - cy), cy + sin a (x - cx) + cos a (y - cy)),
    nearest or bilinear; points outside the image get `fill`."""
    if expand:
        raise NotImplementedError("rotate(): expand=True is not supported; pad the image first")
    mode = InterpolationMode(interpolation)

    def fn(a):
        h, w = a.shape[-2:]
        cx, cy = ((w - 1) / 2, (h - 1) / 2) if center is None else (center[0] - 0.5, center[1] - 0.5)
        theta = np.deg2rad(angle)
        cos, sin = np.cos(theta), np.sin(theta)
        y, x = np.mgrid[0:h, 0:w].astype(np.float64)
        sx = cx + cos * (x - cx) - sin * (y - cy)
        sy = cy + sin * (x - cx) + cos * (y - cy)
        if mode is InterpolationMode.NEAREST:
            return _sample_nearest(a, sx, sy, fill)
        return _sample_bilinear(a, sx, sy, fill)

    return _apply(img, fn)


def _sample_nearest(a, sx, sy, fill):
    ix, iy = np.rint(sx).astype(np.int64), np.rint(sy).astype(np.int64)
    h, w = a.shape[-2:]
    inside = (ix >= 0) & (ix < w) & (iy >= 0) & (iy < h)
    out = a[..., np.clip(iy, 0, h - 1), np.clip(ix, 0, w - 1)]
    return np.where(inside, out, np.asarray(fill, dtype=a.dtype))


def _sample_bilinear(a, sx, sy, fill):
    """Bilinear sampling of `a` padded by one pixel of `fill`, so edges fade into it."""
    h, w = a.shape[-2:]
    padded = np.pad(a.astype(np.float64), [(0, 0)] * (a.ndim - 2) + [(1, 1), (1, 1)], constant_values=fill)
    px, py = np.clip(sx + 1, 0, w + 1), np.clip(sy + 1, 0, h + 1)
    x0, y0 = np.minimum(np.floor(px), w).astype(np.int64), np.minimum(np.floor(py), h).astype(np.int64)
    fx, fy = px - x0, py - y0
    top = padded[..., y0, x0] * (1 - fx) + padded[..., y0, x0 + 1] * fx
    bottom = padded[..., y0 + 1, x0] * (1 - fx) + padded[..., y0 + 1, x0 + 1] * fx
    out = top * (1 - fy) + bottom * fy
    if a.dtype.kind in "iub":
        out = np.rint(out)
    return out.astype(a.dtype)


def normalize(img, mean, std, inplace: bool = False):
    """(img - mean[c]) / std[c] for each channel c (the third last axis; a 2-D image
    takes a single mean and std)."""

    def fn(a):
        dtype = a.dtype if a.dtype.kind == "f" else np.float32
        m, s = np.asarray(mean, dtype=dtype).reshape(-1), np.asarray(std, dtype=dtype).reshape(-1)
        if np.any(s == 0):
            raise ValueError(
                f"normalize(): std evaluated to zero after conversion to {dtype}, leading to division by zero"
            )
        if a.ndim == 2 and len(m) > 1:
            raise ValueError(f"normalize(): a 2-D image takes one mean and std, got {len(m)} values")
        shape = (-1, 1, 1) if a.ndim > 2 else (-1, 1)
        if inplace and a.dtype == dtype:
            a -= m.reshape(shape)
            a /= s.reshape(shape)
            return a
        return (a.astype(dtype, copy=False) - m.reshape(shape)) / s.reshape(shape)

    return _apply(img, fn)


def to_tensor(pic) -> Tensor:
    """An HW or HWC ndarray as a CHW Tensor; uint8 scaled to float32 in [0, 1]."""
    if isinstance(pic, Tensor) or not isinstance(pic, np.ndarray):
        raise TypeError(f"to_tensor(): pic should be a numpy ndarray, got {type(pic).__name__}")
    if pic.ndim not in (2, 3):
        raise ValueError(f"to_tensor(): pic should be 2 or 3 dimensional, got {pic.ndim} dimensions")
    chw = pic[None] if pic.ndim == 2 else pic.transpose(2, 0, 1)
    if chw.dtype == np.uint8:
        return from_numpy(chw.astype(np.float32) / np.float32(255))
    return from_numpy(np.ascontiguousarray(chw))


# --- transform objects (torchvision.transforms) ---
class Compose:
    """Apply `transforms` in order."""

    def __init__(self, transforms):
        self.transforms = list(transforms)

    def __call__(self, img):
        for t in self.transforms:
            img = t(img)
        return img

    def __repr__(self) -> str:
        return f"{type(self).__name__}(" + "".join(f"\n    {t}" for t in self.transforms) + "\n)"


class ToTensor:
    """`to_tensor`: HW or HWC ndarray to a CHW Tensor, uint8 scaled to [0, 1]."""

    def __call__(self, pic):
        return to_tensor(pic)

    def __repr__(self) -> str:
        return "ToTensor()"


class Normalize:
    """`normalize`: (img - mean[c]) / std[c] per channel."""

    def __init__(self, mean, std, inplace: bool = False):
        self.mean, self.std, self.inplace = mean, std, inplace

    def __call__(self, img):
        return normalize(img, self.mean, self.std, self.inplace)

    def __repr__(self) -> str:
        return f"Normalize(mean={self.mean}, std={self.std})"


class Lambda:
    """Apply a user function."""

    def __init__(self, lambd):
        if not callable(lambd):
            raise TypeError(f"Argument lambd should be callable, got {type(lambd).__name__}")
        self.lambd = lambd

    def __call__(self, img):
        return self.lambd(img)


class CenterCrop:
    """`center_crop` to `size` (an int or (h, w))."""

    def __init__(self, size):
        self.size = _pair(size)

    def __call__(self, img):
        return center_crop(img, self.size)


class RandomCrop:
    """Pad by `padding` (see `pad`), then crop `size` at a uniformly random position."""

    def __init__(
        self, size, padding=None, pad_if_needed=False, fill=0, padding_mode="constant", *, generator=None
    ):
        self.size = _pair(size)
        self.padding, self.pad_if_needed, self.fill, self.padding_mode = (
            padding,
            pad_if_needed,
            fill,
            padding_mode,
        )
        self.generator = generator

    def __call__(self, img):
        if self.padding is not None:
            img = pad(img, self.padding, self.fill, self.padding_mode)
        th, tw = self.size
        h, w = np.shape(img)[-2:]
        if self.pad_if_needed and (h < th or w < tw):
            dw, dh = max(tw - w, 0), max(th - h, 0)
            img = pad(img, (dw, dh), self.fill, self.padding_mode)
            h, w = np.shape(img)[-2:]
        if h < th or w < tw:
            raise ValueError(
                f"RandomCrop: required crop size {(th, tw)} is larger than the input image size {(h, w)}"
            )
        rng = as_generator(self.generator)
        top, left = int(rng.integers(0, h - th + 1)), int(rng.integers(0, w - tw + 1))
        return crop(img, top, left, th, tw)


class RandomHorizontalFlip:
    """`hflip` with probability p."""

    def __init__(self, p: float = 0.5, *, generator=None):
        self.p, self.generator = p, generator

    def __call__(self, img):
        return hflip(img) if as_generator(self.generator).random() < self.p else img


class RandomVerticalFlip:
    """`vflip` with probability p."""

    def __init__(self, p: float = 0.5, *, generator=None):
        self.p, self.generator = p, generator

    def __call__(self, img):
        return vflip(img) if as_generator(self.generator).random() < self.p else img


class RandomRotation:
    """`rotate` by an angle drawn uniformly from (-degrees, degrees), or from
    (min, max) when `degrees` is a pair."""

    def __init__(
        self, degrees, interpolation="nearest", expand=False, center=None, fill=0, *, generator=None
    ):
        if isinstance(degrees, numbers.Number):
            if degrees < 0:
                raise ValueError("If degrees is a single number, it must be positive.")
            degrees = (-degrees, degrees)
        elif len(degrees) != 2:
            raise ValueError("If degrees is a sequence, it must be of len 2.")
        self.degrees = (float(degrees[0]), float(degrees[1]))
        self.interpolation, self.expand, self.center, self.fill = (
            InterpolationMode(interpolation),
            expand,
            center,
            fill,
        )
        self.generator = generator

    def __call__(self, img):
        angle = float(as_generator(self.generator).uniform(*self.degrees))
        return rotate(img, angle, self.interpolation, self.expand, self.center, self.fill)


def tta_predict(model, x, transforms=(lambda x: x, hflip), activation=None) -> Tensor:
    """Test-time augmentation: the mean over `transforms` (fixed ones, such as
    `hflip` or `lambda x: rotate(x, 15)`) of `activation(model(t(x)))`, computed
    under no_grad. `x` is a batch (N, C, H, W); `activation` (e.g.
    `lambda out: out.softmax(1)`) defaults to the raw outputs. Put the model in
    eval mode first."""
    with no_grad():
        outputs = []
        for t in transforms:
            out = model(t(x))
            out = activation(out) if activation is not None else out
            outputs.append(out._data if isinstance(out, Tensor) else np.asarray(out))
    return from_numpy(np.mean(np.stack(outputs), axis=0))
