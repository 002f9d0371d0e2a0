"""The Tensor's linear-algebra methods, `mm`, `bmm`, `addmm` and `norm`: thin calls of
the functions in `linalg.py` and `norms.py`. `tensor_methods.py` attaches them."""

from __future__ import annotations

from autograd import linalg, norms
from autograd.tensor import Tensor


class LinalgMethods:
    """The methods, written as in a class body; `tensor_methods.attach` copies them onto Tensor."""

    def mm(self, mat2) -> Tensor:
        return linalg.mm(self, mat2)

    def bmm(self, mat2) -> Tensor:
        return linalg.bmm(self, mat2)

    def addmm(self, mat1, mat2, *, beta=1, alpha=1) -> Tensor:
        return linalg.addmm(self, mat1, mat2, beta=beta, alpha=alpha)

    def norm(self, p="fro", dim=None, keepdim=False, dtype=None) -> Tensor:
        """The p-norm over dim (all dims by default), as torch.norm: see `norms.norm`."""
        return norms.norm(self, p, dim, keepdim, dtype=dtype)
