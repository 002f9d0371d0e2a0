"""Gradient checking against central differences, as `torch.autograd.gradcheck`.

`gradcheck(func, inputs)` compares, for every input that requires grad and every
output, the analytical Jacobian (one backward per output element) with the
numerical one ((f(x + eps) - f(x - eps)) / 2 eps per input element). Use float64
inputs: in float32 the finite differences themselves are wrong by ~1e-3.
`gradgradcheck` does the same for the gradient of `func`.
"""

from __future__ import annotations

import warnings

import numpy as np

from autograd.backward import grad
from autograd.grad_mode import enable_grad, no_grad
from autograd.tensor import Tensor

__all__ = ["gradcheck", "gradgradcheck", "GradcheckError"]


class GradcheckError(RuntimeError):
    """A Jacobian mismatch. `numerical` and `analytical` are the two Jacobians
    (shape `output.shape + input.shape`) of the worst pair; `input_index`,
    `output_index` and `element` say where the worst error is."""

    def __init__(self, message, *, input_index=None, output_index=None, element=None,
                 numerical=None, analytical=None, max_error=None):
        super().__init__(message)
        self.input_index = input_index
        self.output_index = output_index
        self.element = element
        self.numerical = numerical
        self.analytical = analytical
        self.max_error = max_error


def _as_tuple(x):
    return tuple(x) if isinstance(x, (tuple, list)) else (x,)


def _outputs(func, inputs):
    """func's outputs as a tuple of Tensors; anything else (None, a float) raises:
    there would be nothing to check."""
    outputs = _as_tuple(func(*inputs))
    for k, o in enumerate(outputs):
        if not isinstance(o, Tensor):
            where = "" if len(outputs) == 1 else f" (output {k})"
            raise TypeError(
                f"gradcheck: the function returned a {type(o).__name__}{where}; it must return a Tensor or a "
                "tuple of Tensors, computed from the inputs with autograd ops"
            )
    return outputs


def numerical_jacobian(func, inputs, eps=1e-6):
    """`jac[i][o]`: d output o / d input i by central differences, of shape
    `output.shape + input.shape` (inputs that don't require grad are skipped: None)."""
    with no_grad():
        reference = _outputs(func, inputs)
        jacobians = []
        for x in inputs:
            if not (isinstance(x, Tensor) and x.requires_grad):
                jacobians.append(None)
                continue
            per_output = [np.zeros(o.shape + x.shape, dtype=np.float64) for o in reference]
            flat = x._data.reshape(-1)  # a view: perturb in place, restore after
            for j in range(flat.size):
                original = flat[j]
                flat[j] = original + eps
                plus = [o._data.astype(np.float64) for o in _outputs(func, inputs)]
                flat[j] = original - eps
                minus = [o._data.astype(np.float64) for o in _outputs(func, inputs)]
                flat[j] = original
                index = np.unravel_index(j, x.shape)
                for k, (p, m) in enumerate(zip(plus, minus)):
                    per_output[k][(Ellipsis,) + index] = (p - m) / (2 * eps)
            jacobians.append(per_output)
    return jacobians


def analytical_jacobian(func, inputs):
    """`jac[i][o]` as `numerical_jacobian`, from one backward per output element."""
    wanted = [i for i, x in enumerate(inputs) if isinstance(x, Tensor) and x.requires_grad]
    outputs = _outputs(func, inputs)
    jacobians = [None if i not in wanted else [] for i in range(len(inputs))]
    for o in outputs:
        per_input = {i: np.zeros(o.shape + inputs[i].shape, dtype=np.float64) for i in wanted}
        if o.requires_grad:
            for k in range(o._data.size):
                seed = np.zeros(o.shape, dtype=o.dtype)
                seed.reshape(-1)[k] = 1
                grads = grad(o, [inputs[i] for i in wanted], Tensor._make(seed, False),
                             retain_graph=True, allow_unused=True)
                index = np.unravel_index(k, o.shape)
                for i, g in zip(wanted, grads):
                    if g is not None:
                        if g.shape != inputs[i].shape:
                            raise GradcheckError(
                                f"gradcheck: the gradient for input {i} has shape {g.shape}, but the "
                                f"input has shape {inputs[i].shape}", input_index=i)
                        per_input[i][index] = g._data
        for i in wanted:
            jacobians[i].append(per_input[i])
    return jacobians


def _compare(numerical, analytical, inputs, atol, rtol, what):
    """The worst mismatch over all (input, output) pairs, or None."""
    worst = None
    for i, (num_i, ana_i) in enumerate(zip(numerical, analytical)):
        if num_i is None:
            continue
        for o, (num, ana) in enumerate(zip(num_i, ana_i)):
            bad = ~(np.abs(ana - num) <= atol + rtol * np.abs(num))
            if not bad.any():
                continue
            rel = np.abs(ana - num) / np.maximum(np.abs(num), atol)
            rel = np.where(bad, rel, -1)
            flat = int(np.argmax(rel))
            if worst is None or rel.reshape(-1)[flat] > worst[0]:
                worst = (rel.reshape(-1)[flat], i, o, np.unravel_index(flat, num.shape), num, ana)
    if worst is None:
        return None
    error, i, o, element, num, ana = worst
    split = len(element) - inputs[i].ndim
    out_index, in_index = tuple(int(e) for e in element[:split]), tuple(int(e) for e in element[split:])
    return GradcheckError(
        f"{what}: Jacobian mismatch for output {o} with respect to input {i},\n"
        f"at output element {out_index}, input element {in_index}:\n"
        f"numerical:  {float(num[element])!r}\nanalytical: {float(ana[element])!r}\n"
        f"worst relative error: {error:.3g} (atol={atol}, rtol={rtol}); "
        f"{int(np.sum(~(np.abs(ana - num) <= atol + rtol * np.abs(num))))} of {num.size} entries differ.\n"
        f"The full Jacobians are on this exception: .numerical and .analytical.",
        input_index=i, output_index=o, element=element, numerical=num, analytical=ana, max_error=error,
    )


def _warn_if_not_double(inputs, what):
    for i, x in enumerate(inputs):
        if isinstance(x, Tensor) and x.requires_grad and x.dtype != np.float64:
            warnings.warn(
                f"{what}: input {i} requires grad and is {x.dtype}, not float64; central "
                "differences are only accurate in double precision, so the check will likely "
                "fail. Use .double() inputs.", UserWarning, stacklevel=3)


def gradcheck(func, inputs, *, eps=1e-6, atol=1e-5, rtol=1e-3, raise_exception=True,
              nondet_tol=0.0, check_undefined_grad=True, check_grad_dtypes=False,
              check_batched_grad=False, check_backward_ad=True, fast_mode=False, masked=None) -> bool:
    """Check `func`'s gradients with respect to every input that requires grad
    against central differences. Returns True, or raises a `GradcheckError` (or
    returns False with `raise_exception=False`)."""
    inputs = _as_tuple(inputs)
    if not any(isinstance(x, Tensor) and x.requires_grad for x in inputs):
        raise ValueError("gradcheck: at least one input must be a Tensor that requires grad")
    _warn_if_not_double(inputs, "gradcheck")
    try:
        numerical = numerical_jacobian(func, inputs, eps)
        analytical = analytical_jacobian(func, inputs)
        failure = _compare(numerical, analytical, inputs, atol, rtol, "gradcheck")
    except GradcheckError as error:
        failure = error
    if failure is None:
        return True
    if raise_exception:
        raise failure
    return False


def gradgradcheck(func, inputs, grad_outputs=None, *, eps=1e-6, atol=1e-5, rtol=1e-3,
                  gen_non_contig_grad_outputs=False, raise_exception=True, nondet_tol=0.0,
                  check_undefined_grad=True, check_grad_dtypes=False, check_batched_grad=False,
                  check_fwd_over_rev=False, check_rev_over_rev=True, fast_mode=False, masked=False) -> bool:
    """Check the second derivatives: gradcheck of `v -> grad(func(inputs), inputs, v)`
    with respect to the inputs and the upstream gradients `v` (random when not given)."""
    inputs = _as_tuple(inputs)
    _warn_if_not_double(inputs, "gradgradcheck")
    first, inputs_and_vs = first_derivative(func, inputs, grad_outputs)
    return gradcheck(first, inputs_and_vs, eps=eps, atol=atol, rtol=rtol, raise_exception=raise_exception)


def first_derivative(func, inputs, grad_outputs=None):
    """`(g, inputs + vs)` where `g(*inputs, *vs)` is `grad(func(inputs), inputs, vs)`
    with `create_graph`, the function whose Jacobian holds func's second
    derivatives; `vs` are the upstream gradients (random when not given)."""
    outputs = _outputs(func, inputs)
    if grad_outputs is None:
        rng = np.random.default_rng(0)
        grad_outputs = tuple(
            Tensor._make(rng.standard_normal(o.shape).astype(o.dtype), False).requires_grad_()
            for o in outputs if o.dtype.kind == "f"
        )
    grad_outputs = _as_tuple(grad_outputs)
    wanted = [i for i, x in enumerate(inputs) if isinstance(x, Tensor) and x.requires_grad]
    n = len(inputs)

    def derivative(*args):
        xs, vs = args[:n], args[n:]
        with enable_grad():  # also when numerical_jacobian evaluates it under no_grad
            outs = [o for o in _outputs(func, xs) if o.dtype.kind == "f"]
            pairs = [(o, v) for o, v in zip(outs, vs) if o.requires_grad]
            if not pairs:
                return ()
            grads = grad([o for o, _ in pairs], [xs[i] for i in wanted], [v for _, v in pairs],
                         create_graph=True, allow_unused=True)
        return tuple(g for g in grads if g is not None)

    return derivative, tuple(inputs) + grad_outputs
