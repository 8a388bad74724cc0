"""IDX files (the MNIST format, LeCun et al. 1998), plain or gzip'd.

An IDX file is a big-endian header — two zero bytes, a type code, the number
of dimensions D — then D uint32 sizes, then the array itself. MNIST images are
uint8 (N, 28, 28), labels uint8 (N,).
"""

from __future__ import annotations

import gzip
import os
import zlib
from pathlib import Path

import numpy as np
import torch

from inspector.core.util.errors import ImageError
from inspector.core.util.messages import one_line, show_path

#: IDX type code -> big-endian numpy dtype.
IDX_TYPES = {0x08: ">u1", 0x09: ">i1", 0x0B: ">i2", 0x0C: ">i4", 0x0D: ">f4", 0x0E: ">f8"}


def read_idx(path: str | os.PathLike) -> np.ndarray:
    """Read an IDX file (``.gz`` or not) into a numpy array of its declared shape and type.

    Raises:
        ImageError: the file is missing, not gzip data though named ``.gz``,
            truncated, longer than declared, or has no IDX header.
    """
    path = Path(path)
    if not path.is_file():
        raise ImageError(f"{show_path(path)}: no such IDX file")
    try:
        if path.suffix == ".gz":
            with gzip.open(path, "rb") as f:
                data = f.read()
        else:
            data = path.read_bytes()
    except (OSError, EOFError, zlib.error) as exc:
        raise ImageError(
            f"{show_path(path)}: truncated or not gzip data ({one_line(exc)}); download the file again"
        ) from None
    if len(data) < 4 or data[0] != 0 or data[1] != 0 or data[2] not in IDX_TYPES or data[3] == 0:
        raise ImageError(f"{show_path(path)}: not an IDX file (bad header); expected e.g. t10k-images-idx3-ubyte.gz")
    ndim = data[3]
    header = 4 + 4 * ndim
    if len(data) < header:
        raise ImageError(f"{show_path(path)}: truncated IDX header")
    shape = tuple(int(v) for v in np.frombuffer(data, ">u4", ndim, 4))
    dtype = np.dtype(IDX_TYPES[data[2]])
    expected = header + int(np.prod(shape)) * dtype.itemsize
    if len(data) != expected:
        what = "truncated" if len(data) < expected else "longer than its header says"
        raise ImageError(
            f"{show_path(path)}: {what} ({len(data)} bytes, header implies {expected}); download the file again"
        )
    return np.frombuffer(data, dtype, offset=header).reshape(shape)


def load_mnist(images: str | os.PathLike, labels: str | os.PathLike) -> tuple[torch.Tensor, torch.Tensor]:
    """MNIST digits as tensors: x (N, 1, 28, 28) float32 in [0, 1] (exact grey levels), y (N,) int64.

    Raises:
        ImageError: a file is unreadable (see :func:`read_idx`), the images are
            not (N, H, W) uint8, the labels not (N,) in 0..9, or the counts differ.
    """
    pixels, digits = read_idx(images), read_idx(labels)
    if pixels.ndim != 3 or pixels.dtype != np.uint8:
        raise ImageError(f"{show_path(images)}: not an IDX image file (shape {pixels.shape}, type {pixels.dtype})")
    if digits.ndim != 1 or digits.dtype != np.uint8 or (digits.size and digits.max() > 9):
        raise ImageError(f"{show_path(labels)}: not an IDX label file of digits 0-9")
    if len(pixels) != len(digits):
        raise ImageError(
            f"{show_path(images)} holds {len(pixels)} images but {show_path(labels)} holds {len(digits)} labels"
        )
    x = torch.from_numpy(pixels.astype(np.float32) / 255.0).unsqueeze(1)
    return x, torch.from_numpy(digits.astype(np.int64))
