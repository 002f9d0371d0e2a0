"""`autograd.backends`, PyTorch's backend flags: `mps.is_available()` is False and
`cudnn`'s flags can be set (scripts set them for reproducibility); nothing uses them."""

from autograd.backends import cudnn, mps

__all__ = ["cudnn", "mps"]
