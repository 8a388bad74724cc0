"""The IDX loader on the real MNIST files, and on broken copies of them."""

import gzip

import numpy as np
import pytest
from conftest import DATA

from inspector.core.io.datasets.idx import load_mnist, read_idx
from inspector.core.io.datasets.mnist import HELD_OUT_SIZE, IMAGES_FILE, LABELS_FILE, TRAIN_SIZE, mnist_split
from inspector.core.util.errors import ImageError

MNIST = DATA / "mnist"


def test_real_mnist_files():
    x, y = load_mnist(MNIST / IMAGES_FILE, MNIST / LABELS_FILE)
    assert x.shape == (10000, 1, 28, 28) and x.dtype.is_floating_point and y.shape == (10000,)
    assert x.min() >= 0.0 and x.max() <= 1.0 and x.max() == 1.0
    assert np.allclose((x * 255).numpy(), (x * 255).round().numpy())  # exact grey levels
    assert sorted(y.unique().tolist()) == list(range(10))
    assert 800 <= int((y == 1).sum()) <= 1300  # every digit is roughly a tenth
    raw = read_idx(MNIST / IMAGES_FILE)
    assert raw.dtype == np.uint8 and raw.shape == (10000, 28, 28)


def test_split_is_first_8000_and_last_2000():
    split = mnist_split(MNIST)
    x, y = load_mnist(MNIST / IMAGES_FILE, MNIST / LABELS_FILE)
    assert len(split["train"][1]) == TRAIN_SIZE and len(split["held_out"][1]) == HELD_OUT_SIZE
    assert (split["held_out"][0] == x[TRAIN_SIZE:]).all() and (split["train"][1] == y[:TRAIN_SIZE]).all()


def test_truncated_gzip(tmp_path):
    data = (MNIST / IMAGES_FILE).read_bytes()
    bad = tmp_path / IMAGES_FILE
    bad.write_bytes(data[: len(data) // 2])
    with pytest.raises(ImageError, match="truncated or not gzip"):
        read_idx(bad)


def test_truncated_payload_in_valid_gzip(tmp_path):
    raw = gzip.decompress((MNIST / LABELS_FILE).read_bytes())
    bad = tmp_path / "labels.gz"
    bad.write_bytes(gzip.compress(raw[:-10]))
    with pytest.raises(ImageError, match=r"truncated \(9998 bytes, header implies 10008\)"):
        read_idx(bad)


def test_garbage_files(tmp_path):
    junk = tmp_path / "junk.gz"
    junk.write_bytes(b"hello, not gzip")
    with pytest.raises(ImageError, match="not gzip"):
        read_idx(junk)
    plain = tmp_path / "junk.idx"
    plain.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(100))
    with pytest.raises(ImageError, match="not an IDX file"):
        read_idx(plain)
    with pytest.raises(ImageError, match="no such IDX file"):
        read_idx(tmp_path / "missing.gz")


def test_images_and_labels_swapped_or_mismatched(tmp_path):
    with pytest.raises(ImageError, match="not an IDX image file"):
        load_mnist(MNIST / LABELS_FILE, MNIST / LABELS_FILE)
    raw = gzip.decompress((MNIST / LABELS_FILE).read_bytes())
    short = tmp_path / "labels.gz"
    short.write_bytes(gzip.compress(raw[:4] + (5).to_bytes(4, "big") + raw[8:13]))
    with pytest.raises(ImageError, match="10000 images but .* 5 labels"):
        load_mnist(MNIST / IMAGES_FILE, short)
    with pytest.raises(ImageError, match="no t10k-images"):
        mnist_split(tmp_path)
