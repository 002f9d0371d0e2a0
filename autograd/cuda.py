"""`autograd.cuda`, as PyTorch scripts ask it: there is no GPU here.

`is_available()` is False, so `device = "cuda" if cuda.is_available() else "cpu"`
picks the CPU; seeding CUDA does nothing, as in PyTorch on a machine without one.
"""


def is_available() -> bool:
    return False


def device_count() -> int:
    return 0


def manual_seed(seed: int) -> None:
    """No CUDA generator to seed (PyTorch, too, ignores this without a GPU)."""


def manual_seed_all(seed: int) -> None:
    """No CUDA generators to seed."""


def empty_cache() -> None:
    """No CUDA memory to free."""
