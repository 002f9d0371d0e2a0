"""glassgrad's autograd: PyTorch's tensor API on NumPy, with a graph you can see.

The engine, by concept: `grad_mode.py` (whether ops record), `function.py` (the
`Function`: an op and its graph node), `backward.py` (the backward pass and
`grad`), `anomaly.py`. `tensor.py` is the Tensor's core, `tensor_methods.py` its
methods (`tensor_linalg.py` the linear-algebra ones); the ops are in
`elementwise.py`, `reductions.py`, `shape.py`, `linalg.py`, `norms.py`, `conv.py`,
`pooling.py`, `resize.py`; `autograd.linalg` is also PyTorch's `torch.linalg`
namespace. `Value`, micrograd's scalar, is `value.py`, on its own.
"""

from autograd.grad_mode import (
    enable_grad,
    inference_mode,
    is_grad_enabled,
    is_inference_mode_enabled,
    no_grad,
    set_grad_enabled,
)
from autograd.anomaly import detect_anomaly, is_anomaly_enabled, set_detect_anomaly
from autograd.function import Function
from autograd.backward import grad
from autograd.device import device, get_default_device, set_default_device
from autograd.tensor import Tensor
from autograd import tensor_methods  # noqa: F401 - attaches Tensor's methods
from autograd.dtypes import dtype  # noqa: F401 - the class, as torch.dtype
from autograd.dtypes import (
    double,
    float16,
    float32,
    float64,
    half,
    int8,
    int16,
    int32,
    int64,
    long,
    short,
    uint8,
)
from autograd.dtypes import bool_ as bool  # noqa: A004 - PyTorch's name: autograd.bool
from autograd.dtypes import float32 as float  # noqa: A004
from autograd.dtypes import int32 as int  # noqa: A004
from autograd.creation import (
    arange,
    as_tensor,
    empty,
    empty_like,
    eye,
    from_numpy,
    full,
    full_like,
    linspace,
    manual_seed,
    ones,
    ones_like,
    rand,
    rand_like,
    randint,
    randn,
    randn_like,
    randperm,
    tensor,
    zeros,
    zeros_like,
)
from autograd.functional_forms import *  # noqa: F401,F403 - autograd.exp(t), autograd.cat(...), ...
from autograd.functional_forms import __all__ as _forms
from autograd.value import Value

from autograd import accelerator, autograd, backends, cuda, functional, linalg  # noqa: F401 - torch.autograd, torch.cuda, ...
from autograd.gradcheck import GradcheckError, gradcheck, gradgradcheck
from autograd.serialization import load, save

__version__ = "0.1.0"

_DRAWING = ("draw_graph", "backprop_steps", "save_frames")


def __getattr__(name):
    """`draw_graph`, `backprop_steps`, `save_frames` import graphviz on first use only."""
    if name in _DRAWING:
        from autograd import draw

        return getattr(draw, name)
    raise AttributeError(f"module 'autograd' has no attribute {name!r}")
