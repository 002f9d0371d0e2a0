"""mm, bmm, addmm, the norms (autograd/norms.py) and topk against PyTorch (the recorded
oracle: outputs, gradients and node names), and their errors. Gradients of every order
against central differences are the op table's (autograd/optable.py)."""

from __future__ import annotations

import math

import numpy as np
import pytest

import autograd
from autograd import linalg


def seeded(seed, *shape) -> np.ndarray:
    return np.random.default_rng(seed).standard_normal(shape)


def forward_backward(lib, fn, arrays, name=True) -> dict:
    """fn(torch_module, *tensors) in one library: its outputs, the name of the first one's node,
    and the inputs' gradients for seeded random upstream gradients of the float outputs."""
    xs = [lib.torch.tensor(a, requires_grad=True) for a in arrays]
    outs = fn(lib.torch, *xs)
    outs = tuple(outs) if isinstance(outs, tuple) else (outs,)
    results = {f"out {i}": o for i, o in enumerate(outs)}
    if name:
        results["node"] = outs[0].grad_fn.name()
    rng = np.random.default_rng(0)
    total = sum((o * lib.torch.tensor(rng.standard_normal(tuple(o.shape)))).sum() for o in outs if o.requires_grad)
    total.backward()
    return results | {f"grad {i}": x.grad for i, x in enumerate(xs)}


def check(torch_oracle, case, fn, *arrays, name=True, rtol=1e-10):
    torch_oracle.check_same(
        lambda lib: forward_backward(lib, fn, arrays, name),
        case,
        {f"input {i}": a for i, a in enumerate(arrays)},
        rtol=rtol,
        atol=rtol / 100,
    )


def test_matrix_products_match_torch(torch_oracle):
    a, b = seeded(1, 3, 4), seeded(2, 4, 2)
    check(torch_oracle, "mm", lambda t, a, b: t.mm(a, b), a, b)
    check(torch_oracle, "Tensor.mm", lambda t, a, b: a.mm(b), a, b)
    check(torch_oracle, "bmm", lambda t, a, b: t.bmm(a, b), seeded(3, 2, 3, 4), seeded(4, 2, 4, 5))
    check(torch_oracle, "addmm beta alpha", lambda t, c, a, b: t.addmm(c, a, b, beta=0.5, alpha=-2), seeded(5, 2), a, b)
    check(torch_oracle, "Tensor.addmm", lambda t, c, a, b: c.addmm(a, b), seeded(6, 3, 1), a, b)
    with_nan = np.array([[np.nan, np.inf]])
    check(torch_oracle, "addmm beta=0 ignores input", lambda t, c, a, b: t.addmm(c, a, b, beta=0), with_nan, a, b)


@pytest.mark.parametrize(
    "case, fn, shape",
    [
        ("norm()", lambda t, x: x.norm(), (3, 4)),
        ("norm(1)", lambda t, x: x.norm(1), (3, 4)),
        ("norm(inf, dim=1)", lambda t, x: x.norm(p=math.inf, dim=1), (3, 4)),
        ("norm(-inf, dim=0, keepdim)", lambda t, x: x.norm(-math.inf, 0, keepdim=True), (3, 4)),
        ("norm(0)", lambda t, x: x.norm(0), (3, 4)),
        ("norm(3, dim=(0, 1), keepdim)", lambda t, x: x.norm(3, dim=(0, 1), keepdim=True), (2, 3, 2)),
        ("norm(0.5, dim=-1)", lambda t, x: x.norm(0.5, dim=-1), (2, 3, 2)),
        ("torch.norm('fro', dim=1)", lambda t, x: t.norm(x, "fro", dim=1), (3, 4)),
        ("torch.norm(p=-1, dim=0)", lambda t, x: t.norm(x, p=-1, dim=0), (3, 4)),
        ("norm(dtype=float64) of float32", lambda t, x: x.float().norm(dtype=t.float64), (3, 4)),
        ("norm of a 0-d tensor", lambda t, x: x.norm(), ()),
        ("vector_norm(2.5, dim=(0, 1))", lambda t, x: t.linalg.vector_norm(x, 2.5, dim=(0, 1)), (2, 3, 2)),
        ("vector_norm(-inf)", lambda t, x: t.linalg.vector_norm(x, -math.inf), (3, 4)),
        ("linalg.norm() of 3-d", lambda t, x: t.linalg.norm(x), (2, 3, 2)),
        ("linalg.norm(1)", lambda t, x: t.linalg.norm(x, 1), (3, 4)),
        ("linalg.norm(inf)", lambda t, x: t.linalg.norm(x, math.inf), (3, 4)),
        ("linalg.norm(dim=(2, 0))", lambda t, x: t.linalg.norm(x, dim=(2, 0)), (2, 3, 2)),
        ("linalg.norm('fro', dim=(0, 1), keepdim)", lambda t, x: t.linalg.norm(x, "fro", (0, 1), True), (2, 3, 2)),
        ("linalg.norm(inf) of 1-d", lambda t, x: t.linalg.norm(x, math.inf), (5,)),
        ("linalg.norm(1, dim=1)", lambda t, x: t.linalg.norm(x, 1, dim=1), (3, 4)),
        ("matrix_norm()", lambda t, x: t.linalg.matrix_norm(x), (2, 3, 2)),
        ("matrix_norm(1, dim=(0, 2), keepdim)", lambda t, x: t.linalg.matrix_norm(x, 1, dim=(0, 2), keepdim=True),
         (2, 3, 2)),
    ],
)
def test_norms_match_torch(torch_oracle, case, fn, shape):
    check(torch_oracle, case, fn, seeded(7, *shape), rtol=1e-6 if "float32" in case else 1e-10)  # (float32 steps)


def test_norm_gradients_at_zero_and_at_ties_match_torch(torch_oracle):
    """A zero vector's gradient is 0 (not nan); the elements tied at the max share it."""
    x = np.array([[3.0, -4.0, 0.0], [0.0, 0.0, 0.0], [2.0, -2.0, 1.0]])
    for p in (2, 1, 3, 0.5, -1, math.inf, -math.inf):
        check(torch_oracle, f"p={p}", lambda t, x, p=p: x.norm(p, dim=1), x)
    # matrix norms through amax / amin: PyTorch shows AminBackward0 where glassgrad shows NegBackward0
    for ord in (1, -1, math.inf, -math.inf):
        check(torch_oracle, f"matrix ord={ord}", lambda t, x, o=ord: t.linalg.matrix_norm(x, o), x, name=False)


@pytest.mark.parametrize(
    "case, fn",
    [
        ("topk(2)", lambda t, x: x.topk(2)),
        ("topk(3, dim=0, largest=False)", lambda t, x: t.topk(x, 3, dim=0, largest=False)),
        ("topk(1, dim=1)", lambda t, x: x.topk(1, dim=1)),
        ("topk(0)", lambda t, x: x.topk(0)),
    ],
)
def test_topk_matches_torch(torch_oracle, case, fn):
    check(torch_oracle, case, fn, seeded(8, 3, 4, 5))


def test_topk_nan_ranks_largest_and_ints_work_as_in_torch(torch_oracle):
    x = np.array([1.0, np.nan, 3.0, -np.inf, np.inf])
    check(torch_oracle, "nan largest", lambda t, x: x.topk(3), x)
    check(torch_oracle, "nan smallest", lambda t, x: x.topk(2, largest=False), x)
    ints = np.array([[3, 1, 2], [0, 5, 4]])

    def int_topk(lib):
        values, indices = lib.torch.tensor(ints).topk(2)
        return {"values": values, "indices": indices}

    torch_oracle.check_same(int_topk, "ints", {"ints": ints})


def test_topk_unsorted_is_sorted_here():
    """PyTorch's order with sorted=False is unspecified (and differs from its sorted one); glassgrad sorts."""
    x = autograd.tensor(seeded(9, 3, 6))
    for a, b in zip(x.topk(4, sorted=False), x.topk(4)):
        np.testing.assert_array_equal(a.numpy(), b.numpy())


def test_topk_of_a_0d_tensor_and_its_fields():
    x = autograd.tensor(2.5, requires_grad=True)
    result = x.topk(1)
    assert result.values.shape == () and result.indices.item() == 0
    result.values.backward()
    assert x.grad.item() == 1.0


@pytest.mark.parametrize(
    "call, error, message",
    [
        (lambda: autograd.mm(autograd.zeros(3, 4), autograd.zeros(3, 4)), RuntimeError,
         r"mm\(\): shapes \(3, 4\) and \(3, 4\) cannot be multiplied \(3x4 and 3x4\)"),
        (lambda: autograd.mm(autograd.zeros(4), autograd.zeros(4, 2)), RuntimeError, r"input must be a 2-d tensor"),
        (lambda: autograd.mm(autograd.zeros(2, 2), [[1.0, 0.0], [0.0, 1.0]]), TypeError, "'mat2' must be a Tensor"),
        (lambda: autograd.mm(autograd.zeros(2, 2), autograd.zeros(2, 2, dtype=autograd.float64)), RuntimeError,
         "same dtype, but got input autograd.float32 and mat2 autograd.float64"),
        (lambda: autograd.bmm(autograd.zeros(3, 4), autograd.zeros(4, 3)), RuntimeError, "must be a 3-d tensor"),
        (lambda: autograd.bmm(autograd.zeros(2, 3, 4), autograd.zeros(1, 4, 3)), RuntimeError,
         "same number of matrices"),
        (lambda: autograd.addmm(autograd.zeros(4), autograd.zeros(3, 2), autograd.zeros(2, 3)), RuntimeError,
         r"input of shape \(4,\) does not broadcast to the product's shape \(3, 3\)"),
        (lambda: autograd.tensor([1, 2]).norm(), RuntimeError, "Expected a floating point tensor as input. Got autograd.int64"),
        (lambda: autograd.ones(2).norm(dtype=autograd.int64), RuntimeError, "dtype should be floating point"),
        (lambda: autograd.ones(2).double().norm(dtype=autograd.float32), RuntimeError, "without narrowing"),
        (lambda: linalg.vector_norm(autograd.zeros(0), math.inf), RuntimeError, "cannot compute the inf norm on an empty"),
        (lambda: linalg.vector_norm(autograd.zeros(2, 3), dim=(0, 0)), RuntimeError, "dim 0 appears multiple times"),
        (lambda: linalg.vector_norm(autograd.zeros(2), "fro"), TypeError, "'ord' must be a number"),
        (lambda: autograd.zeros(2, 3).norm("nuc"), NotImplementedError, "singular values"),
        (lambda: linalg.norm(autograd.zeros(2, 3), 2), NotImplementedError, "singular values"),
        (lambda: linalg.norm(autograd.zeros(2, 3), 3), RuntimeError, "Order 3 not supported"),
        (lambda: linalg.norm(autograd.zeros(2, 3, 4), 1), RuntimeError, "the input must be 1D or 2D"),
        (lambda: linalg.norm(autograd.zeros(2, 3), "fro", dim=1), RuntimeError, "dim must be a 2-tuple"),
        (lambda: linalg.matrix_norm(autograd.zeros(3)), RuntimeError, "at least 2 dimensions"),
        (lambda: autograd.zeros(2, 3, 4).norm("fro", dim=(0, 1, 2)), RuntimeError, "dim must be a 2-tuple"),
        (lambda: autograd.zeros(3, 4).topk(5), RuntimeError, r"selected index k=5 out of range for dim 1"),
        (lambda: autograd.zeros(3, 4).topk(-1), RuntimeError, "out of range"),
        (lambda: autograd.zeros(3, 4).topk(1, dim=2), IndexError, "out of range"),
        (lambda: autograd.zeros(3, 4).topk(1.5), TypeError, "k must be an int"),
    ],
)
def test_bad_arguments_raise_naming_them(call, error, message):
    with pytest.raises(error, match=message):
        call()
