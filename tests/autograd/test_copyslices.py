"""In-place ops on views rebase the base's graph (PyTorch's CopySlices): checked
against central differences for every sequence of three view edits, and against
torch where it is installed."""

import itertools

import numpy as np
import pytest

import autograd

EDITS = {  # each edit works in PyTorch and here, on a (2, 2) base `b` made from x
    "column += 1": lambda b, x: b.__setitem__((slice(None), 0), b[:, 0].__iadd__(1)),
    "t()[1] *= x[0]": lambda b, x: b.t()[1].mul_(x[0]),
    "view(4)[1:3] *= x[1]": lambda b, x: b.view(4)[1:3].mul_(x[1]),
    "t() *= x": lambda b, x: b.t().mul_(x),
    "[0] *= 2": lambda b, x: b[0].mul_(2),
    "[1][0] -= 2 x[0, 1]": lambda b, x: b[1][0].sub_(x[0, 1] * 2),
    "unsqueeze(0)[0, 1] /= e^x[1]": lambda b, x: b.unsqueeze(0)[0, 1].div_(x[1].exp()),
    "reshape(4)[::3] += x[0, 0]": lambda b, x: b.reshape(4)[::3].add_(x[0, 0]),
}
SEQUENCES = list(itertools.product(EDITS, repeat=2))


def _edited(lib, x, names):
    b = x * 3
    for name in names:
        EDITS[name](b, x)
    return b


def _loss(lib, x, names):
    return (_edited(lib, x, names) ** 2).sum()


@pytest.mark.parametrize("names", SEQUENCES, ids=" then ".join)
def test_inplace_on_views_matches_central_differences(names):
    x0 = np.array([[1.0, 2.0], [3.0, 4.0]])
    x = autograd.tensor(x0, requires_grad=True)
    _loss(autograd, x, names).backward()
    numeric = np.zeros_like(x0)
    for i in np.ndindex(x0.shape):
        step = np.zeros_like(x0)
        step[i] = 1e-6
        plus = _loss(autograd, autograd.tensor(x0 + step), names).item()
        minus = _loss(autograd, autograd.tensor(x0 - step), names).item()
        numeric[i] = (plus - minus) / 2e-6
    np.testing.assert_allclose(x.grad.numpy(), numeric, rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize("names", SEQUENCES[::5], ids=" then ".join)
def test_inplace_on_views_matches_torch(torch_oracle, names):
    x0 = np.array([[1.0, 2.0], [3.0, 4.0]])

    def run(lib):
        x = lib.torch.tensor(x0, requires_grad=True)
        b = _edited(lib.torch, x, names)
        grad_fn = b.grad_fn.name().split("::")[-1]  # torch's is torch::autograd::CopySlices
        (b**2).sum().backward()
        return {"edited": b, "grad": x.grad, "grad_fn": grad_fn}

    torch_oracle.check_same(run, inputs={"x": x0}, rtol=1e-7, atol=0)


def test_a_view_of_one_element_shares_memory():
    z = autograd.zeros(3)
    z[0].add_(1)
    z[1:][1].add_(2)
    np.testing.assert_array_equal(z.numpy(), [1.0, 0.0, 2.0])


def test_inplace_on_a_view_of_a_leaf_that_requires_grad_raises():
    x = autograd.zeros(3, requires_grad=True)
    for edit in [lambda: x[0].mul_(2), lambda: x.view(3, 1).add_(1), lambda: x.unsqueeze(0).t().zero_()]:
        with pytest.raises(RuntimeError, match="view of a leaf tensor that requires grad"):
            edit()
    assert x._version_number == 0 and x.grad_fn is None
    with autograd.no_grad():
        x[0].add_(1)
    assert x.numpy()[0] == 1
