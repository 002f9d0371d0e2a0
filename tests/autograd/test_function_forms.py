"""PyTorch's function forms and their arguments: `out=` on add, sub, mul, matmul and norm,
`alpha=` on add and sub (function, method and in place), `Tensor.where`, `is_tensor`;
against PyTorch through the recorded oracle (results, gradients, and which calls raise)."""

from __future__ import annotations

import numpy as np
import pytest

import autograd
import nn


def seeded(seed, *shape, dtype=np.float32) -> np.ndarray:
    return np.random.default_rng(seed).standard_normal(shape).astype(dtype)


def outcome(call) -> dict:
    """call()'s results, or the kind of error it raised."""
    try:
        return call()
    except (RuntimeError, TypeError, ValueError) as error:
        return {"error": type(error).__name__}


A, B, M = seeded(1, 2, 3), seeded(2, 2, 3), seeded(3, 3, 4)


def _written(lib, name, args, out_shape=(2, 3), out_dtype="float32", **kwargs):
    t = lib.torch
    out = t.zeros(out_shape, dtype=getattr(t, out_dtype))
    result = getattr(t, name)(*[t.tensor(a) if isinstance(a, np.ndarray) else a for a in args], out=out, **kwargs)
    return {"is out": result is out, "out": out}


@pytest.mark.parametrize(
    "case, call",
    [
        ("add", lambda lib: _written(lib, "add", (A, B))),
        ("add alpha", lambda lib: _written(lib, "add", (A, B), alpha=-2)),
        ("sub alpha", lambda lib: _written(lib, "sub", (A, B), alpha=0.5)),
        ("mul scalar", lambda lib: _written(lib, "mul", (A, 3.0))),
        ("matmul", lambda lib: _written(lib, "matmul", (A, M), out_shape=(2, 4))),
        ("norm", lambda lib: _written(lib, "norm", (A,), out_shape=())),
        ("int inputs into a float out", lambda lib: _written(lib, "add", (A.astype(np.int64), 1))),
        ("float result into an int out", lambda lib: _written(lib, "add", (A, B), out_dtype="int64")),
        ("an empty out is resized", lambda lib: _written(lib, "mul", (A, B), out_shape=(0,))),
    ],
)
def test_out_writes_into_the_given_tensor_as_in_torch(torch_oracle, case, call):
    torch_oracle.check_same(lambda lib: outcome(lambda: call(lib)), case, {"A": A, "B": B, "M": M})


def _graph_and_out(lib, inputs_require_grad, out_requires_grad, no_grad):
    t = lib.torch
    a = t.tensor(A, requires_grad=inputs_require_grad)
    out = t.zeros(2, 3, requires_grad=out_requires_grad)
    if no_grad:
        with t.no_grad():
            t.add(a, 1.0, out=out)
    else:
        t.add(a, 1.0, out=out)
    return {"out": out.detach(), "requires_grad": out.requires_grad}


@pytest.mark.parametrize("no_grad", [False, True])
@pytest.mark.parametrize("inputs_require_grad, out_requires_grad", [(True, False), (False, True), (False, False)])
def test_out_refuses_a_graph_as_torch_does(torch_oracle, inputs_require_grad, out_requires_grad, no_grad):
    torch_oracle.check_same(
        lambda lib: outcome(lambda: _graph_and_out(lib, inputs_require_grad, out_requires_grad, no_grad)),
        inputs={"A": A},
    )


def test_out_of_another_shape_raises_instead_of_resizing():
    """PyTorch resizes a non-empty out of the wrong shape with a deprecation warning; glassgrad refuses."""
    out = autograd.zeros(2, 2)
    with pytest.raises(RuntimeError, match=r"add\(\): out has shape \(2, 2\) but the result has shape \(2, 3\)"):
        autograd.add(autograd.tensor(A), 1.0, out=out)
    assert out.tolist() == [[0.0, 0.0], [0.0, 0.0]]


def test_out_bumps_the_version_a_saved_tensor_checks():
    x = autograd.tensor(A, requires_grad=True)
    saved = autograd.ones(2, 3)
    y = (x * saved).sum()
    version = saved._version_number
    autograd.mul(autograd.tensor(A), 2.0, out=saved)
    assert saved._version_number == version + 1
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        y.backward()


def _alpha_forms(lib):
    t = lib.torch
    a, b = t.tensor(A, requires_grad=True), t.tensor(B, requires_grad=True)
    outs = {
        "add": t.add(a, b, alpha=3),
        "sub": t.sub(a, b, alpha=0.25),
        "Tensor.add": a.add(b, alpha=-1.5),
        "Tensor.sub": a.sub(2.0, alpha=2),
        "sub_": a.clone().sub_(b, alpha=2),
        "add_": a.clone().add_(b, alpha=0.5),
    }
    sum(o.sum() * (i + 1) for i, o in enumerate(outs.values())).backward()
    return outs | {"node": outs["add"].grad_fn.name(), "grad a": a.grad, "grad b": b.grad}


def test_alpha_scales_the_second_operand_as_in_torch(torch_oracle):
    torch_oracle.check_same(_alpha_forms, inputs={"A": A, "B": B})


@pytest.mark.parametrize(
    "case, call",
    [
        ("int alpha on ints", lambda t: {"out": t.add(t.tensor([1, 2]), t.tensor([3, 4]), alpha=2)}),
        ("float alpha on ints", lambda t: {"out": t.add(t.tensor([1, 2]), t.tensor([3, 4]), alpha=0.5)}),
        ("float alpha on ints, in place", lambda t: {"out": t.tensor([1, 2]).sub_(t.tensor([3, 4]), alpha=1.5)}),
        ("float alpha on an int and a float", lambda t: {"out": t.add(t.tensor([1, 2]), 0.5, alpha=0.5)}),
        ("bool alpha on floats", lambda t: {"out": t.tensor([1.0]).add(t.tensor([2.0]), alpha=True)}),
        ("bool alpha on bools", lambda t: {"out": t.add(t.tensor([True, False]), t.tensor([True, True]), alpha=True)}),
    ],
)
def test_alpha_checks_match_torch(torch_oracle, case, call):
    torch_oracle.check_same(lambda lib: outcome(lambda: call(lib.torch)), case)


def test_tensor_where_matches_torch(torch_oracle):
    def where(lib):
        t = lib.torch
        x, y = t.tensor(A, requires_grad=True), t.tensor(B, requires_grad=True)
        out = x.where(y > 0, y) * 2 + x.where(x < 0, 0.5)
        out.sum().backward()
        return {"out": out, "grad x": x.grad, "grad y": y.grad}

    torch_oracle.check_same(where, inputs={"A": A, "B": B})


def test_is_tensor():
    assert autograd.is_tensor(autograd.zeros(2)) and autograd.is_tensor(nn.Parameter(autograd.zeros(2)))
    assert not autograd.is_tensor(np.zeros(2)) and not autograd.is_tensor(1.0)
