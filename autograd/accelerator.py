"""`autograd.accelerator`, PyTorch's device-agnostic query: no accelerator here."""


def is_available() -> bool:
    return False


def device_count() -> int:
    return 0


def current_accelerator(check_available: bool = False):
    """None: glassgrad has no accelerator (PyTorch returns None in that case too)."""
    return None
