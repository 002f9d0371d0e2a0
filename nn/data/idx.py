"""MNIST's IDX format: magic 0x00 0x00 <type> <ndim>, then ndim big-endian uint32
sizes, then the data, big-endian, gzipped or not.

`read_idx` trusts nothing in the header: the sizes it declares are checked against
what the file can hold before anything is allocated, and a gzipped file is
decompressed in chunks, never past the bytes the header promises (+ 1, to notice
a file longer than its header says). A small file that claims a huge array, or
holds one behind a small header (a gzip bomb), is a ValueError naming the file.
"""

from __future__ import annotations

import gzip
import math
import os
import stat
import zlib

import numpy as np

from autograd.npz_reader import read_up_to as _read_up_to

__all__ = ["read_idx"]

_IDX_TYPES = {0x08: ">u1", 0x09: ">i1", 0x0B: ">i2", 0x0C: ">i4", 0x0D: ">f4", 0x0E: ">f8"}
_DEFLATE_MAX_RATIO = 1032  # deflate's best case: a 258-byte match in 2 bits


def read_idx(path) -> np.ndarray:
    """The array in an IDX file (MNIST's format), gzipped or not, in native byte order.
    Raises ValueError for a wrong magic number, a damaged gzip stream, or sizes that
    disagree with the header (checked before the data is read)."""
    path = os.fspath(path)
    with open(path, "rb") as file:
        gzipped = file.peek(2)[:2] == b"\x1f\x8b"
        capacity = _capacity(file, gzipped)
        if not gzipped:
            return _read(file, path, capacity, "the file has")
        try:
            with gzip.GzipFile(fileobj=file) as stream:
                return _read(stream, path, capacity, "a gzip file of its size can hold at most")
        except (EOFError, OSError, zlib.error) as error:
            raise ValueError(f"read_idx(): {path} is a damaged or truncated gzip file ({error})") from None


def _capacity(file, gzipped: bool) -> int | None:
    """The most bytes the (decompressed) file can hold: its size, or deflate's
    maximum expansion of it; None for a device or pipe (read until it ends)."""
    info = os.fstat(file.fileno())
    if not stat.S_ISREG(info.st_mode):
        return None
    return info.st_size * _DEFLATE_MAX_RATIO if gzipped else info.st_size


def _read(stream, path: str, capacity: int | None, holds: str) -> np.ndarray:
    head = _read_up_to(stream, 4)
    if len(head) < 4 or head[0] != 0 or head[1] != 0 or head[2] not in _IDX_TYPES:
        raise ValueError(
            f"read_idx(): {path} is not an IDX file: its magic number is 0x{head.hex() or 'empty'}, expected "
            "0x0000TTDD with type code TT in 08, 09, 0B, 0C, 0D, 0E and DD the number of dimensions"
        )
    dtype, ndim = np.dtype(_IDX_TYPES[head[2]]), head[3]
    header = 4 + 4 * ndim
    sizes = _read_up_to(stream, 4 * ndim)
    if len(sizes) < 4 * ndim:
        raise ValueError(f"read_idx(): {path} is truncated: its header needs {header} bytes, the file has "
                         f"{4 + len(sizes)}")
    shape = tuple(int(s) for s in np.frombuffer(bytes(sizes), ">u4"))
    expected = header + math.prod(shape) * dtype.itemsize
    if capacity is not None and expected > capacity:
        raise ValueError(
            f"read_idx(): {path} is truncated or its header is wrong: shape {shape} of {dtype.name} needs "
            f"{expected} bytes, and {holds} {capacity}"
        )
    data = _read_up_to(stream, expected - header + 1)  # one more: a longer file is an error too
    if header + len(data) != expected:
        problem = "truncated" if header + len(data) < expected else "longer than its header says"
        found = f"{header + len(data)}" if len(data) < expected - header else f"more than {expected}"
        raise ValueError(
            f"read_idx(): {path} is {problem}: shape {shape} of {dtype.name} needs {expected} bytes, the file has "
            f"{found}"
        )
    try:
        array = np.frombuffer(data, dtype).reshape(shape)
    except ValueError as error:  # e.g. (0, 2^21, 2^21, 2^21): empty, but beyond NumPy's index range
        raise ValueError(f"read_idx(): {path} declares shape {shape}, which NumPy cannot represent ({error})") from None
    return array.astype(dtype.newbyteorder("="))
