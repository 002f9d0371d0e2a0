"""Higher-level differentiation, as `torch.autograd.functional`: `vjp`, `jvp`,
`jacobian`, `hessian`, `hvp`, `vhp`.

Each is built from `autograd.grad`: a Jacobian is one vector-Jacobian product per
output element, a JVP is the double-backward trick (the VJP is linear in its
vector, so differentiating it with respect to that vector gives J v).
"""

from __future__ import annotations

import numpy as np

from autograd.backward import grad
from autograd.grad_mode import enable_grad
from autograd.tensor import Tensor


def _as_tuple(x):
    return (x, False) if isinstance(x, tuple) else ((x,), True)


def _fresh_inputs(inputs, create_graph):
    """Inputs that require grad for this computation: the originals when the result
    must stay differentiable with respect to them (create_graph), else detached copies."""
    out = []
    for t in inputs:
        if not isinstance(t, Tensor):
            raise TypeError(f"inputs must be Tensors, got {type(t).__name__}")
        if create_graph and t.requires_grad:
            out.append(t.view_as(t))
        else:
            out.append(Tensor._make(t._data, False).requires_grad_())
    return tuple(out)


def _zeros_if_none(grads, like, strict, what):
    out = []
    for i, (g, t) in enumerate(zip(grads, like)):
        if g is None:
            if strict:
                raise RuntimeError(
                    f"{what}: the output is independent of input {i}; strict=True forbids this "
                    "(pass strict=False for a zero gradient)"
                )
            g = Tensor._make(np.zeros(t.shape, t.dtype), False)
        out.append(g)
    return tuple(out)


def _maybe_detach(values, create_graph):
    return tuple(v if create_graph else v.detach() for v in values)


def _check_v(v, outputs, what):
    if v is None:
        if any(o._data.size != 1 for o in outputs):
            raise RuntimeError(f"{what}: v can be None only when the function's outputs are scalars")
        return tuple(Tensor._make(np.ones(o.shape, o.dtype), False) for o in outputs)
    v, _ = _as_tuple(v)
    if len(v) != len(outputs):
        raise RuntimeError(f"{what}: got {len(v)} vectors v for {len(outputs)} outputs")
    for vi, o in zip(v, outputs):
        if vi.shape != o.shape:
            raise RuntimeError(f"{what}: v has shape {vi.shape} but the output has shape {o.shape}")
    return v


def vjp(func, inputs, v=None, create_graph=False, strict=False):
    """`(func(inputs), v^T J)`."""
    inputs, single_in = _as_tuple(inputs)
    with enable_grad():
        xs = _fresh_inputs(inputs, create_graph)
        outputs, single_out = _as_tuple(func(*xs))
        v = _check_v(v, outputs, "vjp")
        differentiable = [i for i, o in enumerate(outputs) if o.requires_grad]
        grads = (None,) * len(xs)
        if differentiable:
            grads = grad([outputs[i] for i in differentiable], xs, [v[i] for i in differentiable],
                         create_graph=create_graph, allow_unused=True)
    grads = _zeros_if_none(grads, xs, strict, "vjp")
    outputs = _maybe_detach(outputs, create_graph)
    return (outputs[0] if single_out else outputs), (grads[0] if single_in else grads)


def jvp(func, inputs, v=None, create_graph=False, strict=False):
    """`(func(inputs), J v)`, by differentiating a VJP with respect to its vector."""
    inputs, single_in = _as_tuple(inputs)
    with enable_grad():
        xs = _fresh_inputs(inputs, create_graph)
        if v is None:
            if any(x._data.size != 1 for x in xs):
                raise RuntimeError("jvp: v can be None only when the inputs are scalars")
            v = tuple(Tensor._make(np.ones(x.shape, x.dtype), False) for x in xs)
        v, _ = _as_tuple(v)
        outputs, single_out = _as_tuple(func(*xs))
        dummies = tuple(Tensor._make(np.zeros(o.shape, o.dtype), False).requires_grad_() for o in outputs)
        differentiable = [i for i, o in enumerate(outputs) if o.requires_grad]
        results = (None,) * len(outputs)
        if differentiable:
            vjps = grad([outputs[i] for i in differentiable], xs, [dummies[i] for i in differentiable],
                        create_graph=True, allow_unused=True)
            used = [(g, vi) for g, vi in zip(vjps, v) if g is not None]
            if used:
                results = grad([g for g, _ in used], dummies, [vi for _, vi in used],
                               create_graph=create_graph, allow_unused=True)
    results = _zeros_if_none(results, outputs, strict, "jvp")
    outputs = _maybe_detach(outputs, create_graph)
    return (outputs[0] if single_out else outputs), (results[0] if single_out else results)


def jacobian(func, inputs, create_graph=False, strict=False, vectorize=False, strategy="reverse-mode"):
    """The Jacobian of `func` at `inputs`: for one input and one output, a tensor of
    shape `output.shape + input.shape`; tuples of these for several."""
    inputs, single_in = _as_tuple(inputs)
    with enable_grad():
        xs = _fresh_inputs(inputs, create_graph)
        outputs, single_out = _as_tuple(func(*xs))
        rows = []  # rows[i][j]: d output i / d input j
        for i, out in enumerate(outputs):
            flat = out.reshape(-1)
            per_input = [[] for _ in xs]
            for k in range(flat.shape[0]):
                if out.requires_grad:
                    gs = grad(flat[k], xs, retain_graph=True, create_graph=create_graph, allow_unused=True)
                else:
                    gs = (None,) * len(xs)
                gs = _zeros_if_none(gs, xs, strict, "jacobian")
                for j, g in enumerate(gs):
                    per_input[j].append(g)
            rows.append(tuple(
                _stack_rows(per_input[j], out.shape + x.shape, x) for j, x in enumerate(xs)
            ))
    if not create_graph:
        rows = [tuple(r.detach() for r in row) for row in rows]
    if single_out and single_in:
        return rows[0][0]
    if single_out:
        return rows[0]
    if single_in:
        return tuple(row[0] for row in rows)
    return tuple(rows)


def _stack_rows(rows, shape, x):
    from autograd.functional_forms import stack

    if not rows:
        return Tensor._make(np.zeros(shape, x.dtype), False)
    return stack(rows).reshape(shape)


def hessian(func, inputs, create_graph=False, strict=False, vectorize=False, outer_jacobian_strategy="reverse-mode"):
    """The Hessian of a scalar `func`: the Jacobian of its gradient."""
    inputs, single_in = _as_tuple(inputs)

    def gradient(*xs):
        out = func(*xs)
        if not isinstance(out, Tensor) or out._data.size != 1:
            raise RuntimeError("hessian: the function must return a single-element Tensor")
        gs = grad(out, xs, create_graph=True, allow_unused=True)
        return _zeros_if_none(gs, xs, strict, "hessian")

    result = jacobian(gradient, inputs, create_graph=create_graph, strict=strict)
    return result[0][0] if single_in else result


def vhp(func, inputs, v=None, create_graph=False, strict=False):
    """`(func(inputs), v^T H)` for a scalar `func`."""
    inputs, single_in = _as_tuple(inputs)
    with enable_grad():
        xs = _fresh_inputs(inputs, True)
        out = func(*xs)
        if not isinstance(out, Tensor) or out._data.size != 1:
            raise RuntimeError("vhp: the function must return a single-element Tensor")
        if v is None:
            if any(x._data.size != 1 for x in xs):
                raise RuntimeError("vhp: v can be None only when the inputs are scalars")
            v = tuple(Tensor._make(np.ones(x.shape, x.dtype), False) for x in xs)
        v, _ = _as_tuple(v)
        gs = _zeros_if_none(grad(out, xs, create_graph=True, allow_unused=True), xs, strict, "vhp")
        used = [(g, vi) for g, vi in zip(gs, v) if g.requires_grad]
        result = (None,) * len(xs)
        if used:
            result = grad([g for g, _ in used], xs, [vi for _, vi in used],
                          create_graph=create_graph, allow_unused=True)
    result = _zeros_if_none(result, xs, strict, "vhp")
    out = out if create_graph else out.detach()
    return out, (result[0] if single_in else result)


def hvp(func, inputs, v=None, create_graph=False, strict=False):
    """`(func(inputs), H v)`; the Hessian is symmetric, so this equals `vhp`."""
    return vhp(func, inputs, v, create_graph, strict)
