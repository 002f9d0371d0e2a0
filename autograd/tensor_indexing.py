"""The Tensor's methods that select or place elements by index: `masked_fill`,
`where`, `gather`, `scatter`, `scatter_`, `index_select`. `tensor_methods.py`
attaches them."""

from __future__ import annotations

import numpy as np

from autograd.arguments import _dims, scatter_arguments
from autograd.dtypes import bool_
from autograd.elementwise import Where
from autograd.shape import Gather, Scatter
from autograd.tensor import Tensor, _raw


def _as_tensor(x):
    return x if isinstance(x, Tensor) else Tensor(x)


class IndexingMethods:
    """The methods, written as in a class body; `tensor_methods.attach` copies them onto Tensor."""

    def masked_fill(self, mask, value):
        """`value` where `mask` is true (the filled elements get no gradient)."""
        keep = ~np.broadcast_to(_raw(mask), self.shape).astype(np.bool_)
        return Where.apply(Tensor._make(keep, False), self, value)

    def where(self, condition, other):
        """self where condition holds, else other (`autograd.where(condition, self, other)`)."""
        return Where.apply(_as_tensor(condition).to(bool_), self, other)

    def gather(self, dim, index):
        """`out[i][j] = self[i][index[i][j]]` along `dim` (`torch.gather`)."""
        dim = _dims(dim, self.ndim)[0] if self.ndim else 0
        return Gather.apply(self, dim, index if isinstance(index, Tensor) else np.asarray(index))

    def scatter(self, dim, index, src=None, value=None):
        """A copy with `out[i][index[i][j]] = src[i][j]` along `dim` (or `= value`)."""
        dim, index, src = scatter_arguments(self, dim, index, src, value)
        return Scatter.apply(self, dim, index, _as_tensor(src) if src is not None else value)

    def scatter_(self, dim, index, src=None, value=None):
        dim, index, src = scatter_arguments(self, dim, index, src, value)
        return self._inplace(Scatter, dim, index, _as_tensor(src) if src is not None else value, name="scatter_")

    def index_select(self, dim, index):
        dim = _dims(dim, self.ndim)[0]
        return self[(slice(None),) * dim + (np.asarray(_raw(index)),)]
