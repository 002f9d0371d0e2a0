"""Central differences, the reference that analytic gradients are checked against.

A plain loop over the elements of every input, in float64: slow, obvious, and
fine for the small shapes the op tests draw.
"""

from __future__ import annotations

import numpy as np


def numerical_vjp(f, arrays, upstream, eps=1e-6) -> list:
    """d/dx sum(upstream * f(*arrays)) for every x in `arrays`, by central differences.

    `f` maps float64 arrays to an array of the shape of `upstream` (or to a scalar,
    with `upstream=1.0`). The differences of the outputs are taken before they are
    weighted, so that large outputs do not swamp small changes.
    """
    arrays = [np.array(a, dtype=np.float64) for a in arrays]
    grads = []
    for i, a in enumerate(arrays):
        grad = np.zeros(a.shape, dtype=np.float64)
        for j in np.ndindex(a.shape):
            original = a[j]
            a[j] = original + eps
            up = np.asarray(f(*arrays), dtype=np.float64)
            step = a[j]
            a[j] = original - eps
            down = np.asarray(f(*arrays), dtype=np.float64)
            step = step - a[j]  # the step actually taken, after rounding
            a[j] = original
            grad[j] = np.sum(upstream * (up - down)) / step
        grads.append(grad)
    return grads


def assert_close(actual, desired, rtol, atol, what=""):
    """allclose, but the shapes must be equal (no broadcasting hides a wrong shape)."""
    actual, desired = np.asarray(actual), np.asarray(desired)
    assert actual.shape == desired.shape, f"{what}: shape {actual.shape} != expected {desired.shape}"
    np.testing.assert_allclose(actual, desired, rtol=rtol, atol=atol, err_msg=what)


def numerical_directional_derivative(f, arrays, direction, eps=1e-6) -> list:
    """(f(x + eps v) - f(x - eps v)) / (2 eps) for `f` returning a list of arrays:
    the derivative of every output of `f` along the direction `v` (one array per input)."""
    arrays = [np.array(a, dtype=np.float64) for a in arrays]
    up = f(*[a + eps * v for a, v in zip(arrays, direction)])
    down = f(*[a - eps * v for a, v in zip(arrays, direction)])
    return [(u - d) / (2 * eps) for u, d in zip(up, down)]
