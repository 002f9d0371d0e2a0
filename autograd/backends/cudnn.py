"""cuDNN's flags, settable as in PyTorch (`cudnn.deterministic = True`); there is no
cuDNN here, and NumPy's CPU results are deterministic anyway."""

enabled = True
deterministic = False
benchmark = False


def is_available() -> bool:
    return False
