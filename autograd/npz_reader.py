"""Reading `.npy` and `.npz` files without trusting them (what `autograd.load` uses).

`np.load` allocates the array an `.npy` header declares before reading any data,
so a 200-byte file claiming shape (10**12,) ends in a bare MemoryError. Here
every header is checked against the bytes that follow it (a zip entry's size, the
file's size) before anything is allocated, and every dtype against what a tensor
may hold (`dtypes.check_dtype`: no strings, records, dates, complex numbers, and
never pickled objects). The zip's central directory must account for every entry
in the archive: a damaged one would otherwise load as fewer arrays, or none.
Every refusal is a ValueError naming the file (and the entry).
"""

from __future__ import annotations

import os
import stat
import struct
import zipfile

import numpy as np

from autograd.dtypes import check_dtype

__all__ = ["read_arrays"]

_CHUNK = 1 << 20
_DEFLATE_MAX_RATIO = 1032  # deflate's best case: a 258-byte match in 2 bits
_NPY_MAGIC = b"\x93NUMPY"


def read_arrays(file, name: str, text_entries=()):
    """The arrays of an .npz (a dict, keys without '.npy') or .npy (an array) read
    from the binary `file` at its position. Entries named in `text_entries` may
    hold a string (the manifest of `autograd.save`)."""
    start = file.tell()
    magic = file.read(6)
    file.seek(start)
    if magic.startswith(_NPY_MAGIC):
        return _read_npy(file, name, _bytes_left(file), False)
    if not magic.startswith(b"PK"):
        raise ValueError(
            f"load(): {name} is neither an .npz nor an .npy file (it starts with {magic!r}); glassgrad never "
            "unpickles (a pickle, e.g. from torch.save, can run arbitrary code); it may also be truncated"
        )
    try:
        archive = zipfile.ZipFile(file)
    except (zipfile.BadZipFile, ValueError, EOFError, OSError, NotImplementedError) as error:
        raise damaged(name, error) from None
    with archive:
        _check_directory(archive, file, name)
        return {
            _key(info, name): _read_entry(archive, info, name, _key(info, name) in text_entries)
            for info in archive.infolist()
        }


def damaged(name: str, error) -> ValueError:
    """The ValueError for a damaged file; `error` is an exception or a sentence."""
    reason = error if isinstance(error, str) else f"{type(error).__name__}: {error}"
    return ValueError(
        f"load(): {name} is not a complete .npz or .npy file ({reason}); it may be truncated or corrupted: "
        "save it again"
    )


def _key(info: zipfile.ZipInfo, name: str) -> str:
    if not info.filename.endswith(".npy"):
        raise ValueError(
            f"load(): {name} is a zip archive but not an .npz of arrays (it holds {info.filename!r}; a torch.save "
            "file?); export it with safetensors or numpy instead"
        )
    return info.filename[: -len(".npy")]


def _check_directory(archive: zipfile.ZipFile, file, name: str) -> None:
    """The entries the central directory lists must follow each other from the
    archive's start up to the directory itself, with no bytes unaccounted for."""
    end = 0
    for info in sorted(archive.infolist(), key=lambda i: i.header_offset):
        if info.header_offset != end:
            raise damaged(name, f"entry {info.filename!r} starts at byte {info.header_offset}, expected {end}")
        file.seek(info.header_offset)
        local = file.read(30)
        if len(local) < 30 or not local.startswith(b"PK\x03\x04"):
            raise damaged(name, f"no local header for entry {info.filename!r}")
        name_length, extra_length = struct.unpack("<HH", local[26:30])
        end = info.header_offset + 30 + name_length + extra_length + info.compress_size
        if info.flag_bits & 0x08:  # a data descriptor follows (a zip written to a stream): sizes vary, stop here
            return
    directory = getattr(archive, "start_dir", end)  # zipfile's offset of the central directory
    if directory != end:
        raise damaged(name, f"the central directory lists entries up to byte {end}, but starts at {directory}")


def _read_entry(archive: zipfile.ZipFile, info: zipfile.ZipInfo, name: str, text: bool) -> np.ndarray:
    where = f"{name}, entry {info.filename!r}"
    if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
        raise ValueError(f"load(): {where} is compressed with method {info.compress_type}; .npz files are stored "
                         "or deflated (np.savez, np.savez_compressed)")
    most = info.compress_size * (1 if info.compress_type == zipfile.ZIP_STORED else _DEFLATE_MAX_RATIO) + 64
    if info.file_size > most:
        raise damaged(where, f"it claims {info.file_size} bytes, more than {info.compress_size} compressed bytes "
                             "can hold")
    try:
        with archive.open(info) as entry:
            return _read_npy(entry, where, info.file_size, text)
    except (zipfile.BadZipFile, EOFError, OSError, NotImplementedError, RuntimeError) as error:
        raise damaged(where, error) from None  # RuntimeError, NotImplementedError: flags of encryption and the like


def _bytes_left(file) -> int | None:
    """How many bytes follow the position of `file`, when it can tell."""
    try:
        info = os.fstat(file.fileno())
        return info.st_size - file.tell() if stat.S_ISREG(info.st_mode) else None  # a device or pipe: unknown
    except (OSError, ValueError, AttributeError):
        pass  # not a file on disk (a BytesIO, a stream)
    try:
        here = file.tell()
        size = file.seek(0, os.SEEK_END)
        file.seek(here)
        return size - here
    except (OSError, ValueError, AttributeError):
        return None


def _read_npy(stream, where: str, size: int | None, text: bool) -> np.ndarray:
    """One .npy array of `size` bytes (header included; None: unknown) from `stream`."""
    start = stream.tell() if size is not None else 0
    shape, fortran, dtype = _read_header(stream, where)
    if dtype.hasobject:
        raise ValueError(
            f"load(): {where} holds pickled Python objects; glassgrad never unpickles (it can run arbitrary "
            "code). Save plain arrays instead (autograd.save, or np.savez of numeric arrays)"
        )
    if not (text and dtype.kind == "U" and shape == ()):
        try:
            check_dtype(dtype, f"load(): {where}")
        except TypeError as error:
            raise ValueError(str(error)) from None
    n_bytes = int(np.prod(shape, dtype=object)) * dtype.itemsize
    if size is not None and n_bytes != size - (stream.tell() - start):
        raise ValueError(
            f"load(): {where} declares shape {shape} of {dtype} ({n_bytes} bytes), but {size - (stream.tell() - start)}"
            " bytes follow its header; the file is truncated or corrupted (nothing was allocated)"
        )
    data = read_up_to(stream, n_bytes + (size is None))
    if len(data) != n_bytes:
        raise ValueError(f"load(): {where} declares {n_bytes} bytes of data, the file has {len(data)}"
                         f"{' or more' if len(data) > n_bytes else ''}; it is truncated or corrupted")
    try:
        array = np.frombuffer(data, dtype).reshape(shape, order="F" if fortran else "C")
    except ValueError as error:  # e.g. (0, 2^40, 2^40): empty, but beyond NumPy's index range
        raise ValueError(f"load(): {where} declares shape {shape}, which NumPy cannot represent ({error})") from None
    return array.astype(dtype.newbyteorder("="), order="K") if not dtype.isnative else array


def _read_header(stream, where: str):
    try:
        version = np.lib.format.read_magic(stream)
        if version == (1, 0):
            return np.lib.format.read_array_header_1_0(stream)
        if version == (2, 0):
            return np.lib.format.read_array_header_2_0(stream)
    except (ValueError, EOFError, SyntaxError, TypeError) as error:
        raise damaged(where, error) from None
    raise ValueError(f"load(): {where} is an .npy file of version {version}; glassgrad reads versions 1.0 and 2.0")


def read_up_to(stream, n: int) -> bytearray:
    """At most n bytes, read in chunks: memory grows with what the stream holds,
    not with what a header claims."""
    data = bytearray()
    while len(data) < n:
        chunk = stream.read(min(_CHUNK, n - len(data)))
        if not chunk:
            break
        data += chunk
    return data
