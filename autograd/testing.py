"""Property-test gradients with Hypothesis: strategies for shapes and tensors, and
`check_gradients`, which draws inputs and runs `gradcheck` (and `gradgradcheck`).

    from autograd.testing import check_gradients, tensors, broadcastable_shapes

    def test_my_op():
        check_gradients(lambda a, b: (a * b).tanh(), tensors((3, 4)), tensors((4,)))

Needs `hypothesis`, a dependency of glassgrad.
"""

from __future__ import annotations

import numpy as np

try:
    from hypothesis import given, settings as _settings, strategies as st
    from hypothesis.extra import numpy as hnp
except ImportError as error:  # a dependency, but an environment may lack it
    raise ImportError("autograd.testing needs hypothesis: pip install hypothesis") from error

from autograd.gradcheck import gradcheck, gradgradcheck
from autograd.tensor import Tensor

__all__ = ["shapes", "broadcastable_shapes", "floats", "tensors", "check_gradients"]


def shapes(min_dims=0, max_dims=4, min_side=1, max_side=5):
    """Array shapes (tuples of ints), 0-d included when `min_dims=0`."""
    return hnp.array_shapes(min_dims=min_dims, max_dims=max_dims, min_side=min_side, max_side=max_side)


def broadcastable_shapes(num_shapes=2, min_dims=0, max_dims=4, min_side=1, max_side=5):
    """Tuples of `num_shapes` shapes that broadcast together, e.g. ((3, 1), (4,))."""
    return hnp.mutually_broadcastable_shapes(
        num_shapes=num_shapes, min_dims=min_dims, max_dims=max_dims, min_side=min_side, max_side=max_side
    ).map(lambda drawn: drawn.input_shapes)


def floats(min_value=-3.0, max_value=3.0, avoid=(), margin=1e-2, width=64):
    """Finite floats in [min_value, max_value], at least `margin` away from each
    value in `avoid` (the kinks of relu, abs, clamp, ...)."""
    elements = st.floats(min_value, max_value, allow_nan=False, allow_infinity=False, width=width)
    if avoid:
        avoid = tuple(float(a) for a in avoid)
        elements = elements.filter(lambda v: all(abs(v - a) > margin for a in avoid))
    return elements


def tensors(shape, dtype=np.float64, elements=None, requires_grad=True, *, min_value=-3.0,
            max_value=3.0, avoid=(), margin=1e-2, unique=False, min_gap=0.0):
    """Tensors of `shape` (a tuple or a strategy of tuples). Values come from
    `elements` or `floats(min_value, max_value, avoid, margin)`; `min_gap > 0`
    keeps every two elements that far apart (for max, sort, ties of maximum)."""
    dtype = np.dtype(dtype)
    if elements is None:
        width = 32 if dtype == np.float32 else 64
        elements = floats(min_value, max_value, avoid, margin, width) if dtype.kind == "f" else None
    arrays = hnp.arrays(dtype, shape, elements=elements, unique=unique)
    if min_gap > 0:
        arrays = arrays.filter(lambda a: a.size < 2 or np.min(np.diff(np.sort(a.reshape(-1)))) > min_gap)
    return arrays.map(lambda a: Tensor(a, requires_grad=requires_grad and dtype.kind == "f"))


def check_gradients(fn, *input_strategies, order=1, eps=1e-6, atol=1e-5, rtol=1e-3, max_examples=None):
    """Draw inputs from the strategies and check `fn`'s gradients against central
    differences (`order=2` checks second derivatives too). `fn` may be a function,
    `SomeFunction.apply` or an `nn.Module`, whose parameters are checked as well
    (make it float64 first: `module.double()`). Raises on the first failure, with
    Hypothesis's minimal failing example."""
    parameters = list(fn.parameters()) if hasattr(fn, "parameters") else []
    count = len(input_strategies)

    def call(*args):
        return fn(*args[:count])

    @given(st.tuples(*input_strategies))
    def property_(inputs):
        everything = tuple(inputs) + tuple(parameters)
        gradcheck(call, everything, eps=eps, atol=atol, rtol=rtol)
        if order >= 2:
            gradgradcheck(call, everything, eps=eps, atol=atol, rtol=rtol)

    if max_examples is not None:
        property_ = _settings(max_examples=max_examples)(property_)
    property_()
