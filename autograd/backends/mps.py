"""Apple's Metal backend: not available (glassgrad computes on the CPU with NumPy)."""


def is_available() -> bool:
    return False


def is_built() -> bool:
    return False
