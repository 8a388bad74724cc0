"""Image loading and preprocessing on the real sample photos."""

import os
import subprocess
import sys

import numpy as np
import pytest
import torch
from PIL import Image

from inspector.core.io.image import load_image, load_tensor, preprocess, save_image, to_pil, to_tensor
from inspector.core.io.resources import resource_path
from inspector.core.util.errors import ImageError, InputWarning

COFFEE = resource_path("images", "coffee.png")


@pytest.fixture(scope="module")
def coffee():
    return Image.open(COFFEE).convert("RGB")


@pytest.mark.parametrize("suffix", [".png", ".jpg", ".webp", ".bmp", ".tif"])
def test_opens_every_format(tmp_path, coffee, suffix):
    path = tmp_path / f"coffee{suffix}"
    coffee.save(path, **({"quality": 95} if suffix in (".jpg", ".webp") else {}))
    im = load_image(path)
    assert im.mode == "RGB" and im.size == coffee.size
    diff = np.abs(np.asarray(im, dtype=int) - np.asarray(coffee, dtype=int)).mean()
    assert diff < 4  # lossless formats exact, lossy ones close


def test_exif_orientation_is_honoured(tmp_path, coffee):
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90 degrees clockwise to display
    coffee.save(tmp_path / "rot.jpg", exif=exif.tobytes(), quality=95)
    im = load_image(tmp_path / "rot.jpg")
    assert im.size == (coffee.height, coffee.width)


@pytest.mark.parametrize("mode", ["L", "P", "RGBA", "CMYK", "LA", "1"])
def test_modes_convert_to_rgb(tmp_path, coffee, mode):
    ext = ".tif" if mode == "CMYK" else ".png"
    coffee.convert(mode).save(tmp_path / f"m{ext}")
    im = load_image(tmp_path / f"m{ext}")
    assert im.mode == "RGB" and im.size == coffee.size


def test_transparent_pixels_become_white(tmp_path, coffee):
    rgba = coffee.convert("RGBA")
    rgba.putalpha(0)
    rgba.save(tmp_path / "clear.png")
    assert np.asarray(load_image(tmp_path / "clear.png")).min() == 255


def test_16_bit_grey_is_scaled_not_clipped(tmp_path, coffee):
    grey = np.asarray(coffee.convert("L"), dtype=np.uint16) * 257
    Image.fromarray(grey).save(tmp_path / "deep.png")
    im = load_image(tmp_path / "deep.png")
    assert np.abs(np.asarray(im.convert("L"), dtype=int) - np.asarray(coffee.convert("L"), dtype=int)).max() <= 1


def test_grey_model_gets_one_channel(tmp_path, coffee):
    coffee.save(tmp_path / "c.png")
    assert to_tensor(load_image(tmp_path / "c.png", channels=1)).shape == (1, 1, 400, 600)


def test_decompression_bomb_refused(tmp_path):
    Image.new("1", (4000, 3000)).save(tmp_path / "bomb.png")
    with pytest.raises(ImageError, match="decompression bomb"):
        load_image(tmp_path / "bomb.png", max_pixels=1_000_000)


def test_errors_name_the_file_and_reason(tmp_path, coffee):
    with pytest.raises(ImageError, match="missing.png: no such image file"):
        load_image(tmp_path / "missing.png")
    (tmp_path / "empty.png").write_bytes(b"")
    with pytest.raises(ImageError, match="empty.png: the file is empty"):
        load_image(tmp_path / "empty.png")
    (tmp_path / "notes.png").write_text("not an image")
    with pytest.raises(ImageError, match="notes.png: not an image"):
        load_image(tmp_path / "notes.png")
    coffee.save(tmp_path / "whole.jpg")
    data = (tmp_path / "whole.jpg").read_bytes()
    (tmp_path / "cut.jpg").write_bytes(data[: len(data) // 3])
    with pytest.raises(ImageError, match="cut.jpg: truncated"):
        load_image(tmp_path / "cut.jpg")
    with pytest.raises(ImageError, match="folder"):
        load_image(tmp_path)


def test_preprocess_resizes_shorter_side_and_crops_centre(coffee):
    out = preprocess(coffee, (224, 224))
    assert out.size == (224, 224)
    # the centre of the crop is the centre of the photo
    centre = np.asarray(coffee.resize((336, 224)))[112, 168].astype(int)
    assert np.abs(np.asarray(out)[112, 112].astype(int) - centre).max() < 12


def test_image_at_input_size_passes_unchanged(coffee):
    small = coffee.resize((224, 224))
    assert preprocess(small, (224, 224)) is small
    x = to_tensor(small)
    assert torch.equal(to_tensor(to_pil(x)), x)


def test_tensors_hold_exact_grey_levels():
    x = load_tensor(COFFEE, (224, 224))
    assert x.shape == (1, 3, 224, 224) and x.dtype == torch.float32
    assert torch.equal((x * 255).round() / 255, x)


def test_save_is_atomic_and_readable(tmp_path, coffee):
    save_image(coffee, tmp_path / "out.png")
    assert [p.name for p in tmp_path.iterdir()] == ["out.png"]
    assert np.array_equal(np.asarray(load_image(tmp_path / "out.png")), np.asarray(coffee))


@pytest.mark.parametrize("size", [(12000, 1), (1, 12000)])
def test_extreme_aspect_ratio_costs_no_more_memory_than_a_photo(tmp_path, size):
    # resizing the shorter side of 12000x1 to 224 first would make a 2.7M x 224 image (1.8 GB)
    Image.new("RGB", size, (200, 10, 10)).save(tmp_path / "strip.png")
    script = (
        "import resource, sys\n"
        "from inspector.core.io.image import load_tensor\n"
        "before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss\n"
        "x = load_tensor(sys.argv[1], (224, 224))\n"
        "after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss\n"
        "print(after - before, tuple(x.shape), (x * 255).round().flatten(2).unique(dim=2).tolist())\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", script, str(tmp_path / "strip.png")],
        capture_output=True,
        text=True,
        timeout=120,
        env=dict(os.environ, OMP_NUM_THREADS="1"),
    )
    assert proc.returncode == 0, proc.stderr
    grown_kib, shape, colours = proc.stdout.split(" ", 2)
    assert int(grown_kib) < 50 * 1024  # KiB on Linux: under 50 MB
    assert shape == "(1," and colours.strip().startswith("3, 224, 224)")
    assert "[[[200.0], [10.0], [10.0]]]" in colours  # the centre of the strip, everywhere


def test_float_image_with_nan_loads_with_one_note(tmp_path):
    a = np.full((10, 12), 0.5, np.float32)
    a[0, 0], a[1, 1] = np.nan, np.inf
    Image.fromarray(a, "F").save(tmp_path / "f.tif")
    with pytest.warns(InputWarning) as record:
        px = np.asarray(load_image(tmp_path / "f.tif", channels=1))
    note = f"{tmp_path / 'f.tif'}: 2 NaN or infinite pixel values set to 0 (black)"
    assert [str(w.message) for w in record] == [note]
    assert px[0, 0] == px[1, 1] == 0 and px[5, 5] == 128


def test_corrupt_exif_is_one_note(tmp_path, coffee):
    exif = Image.Exif()
    exif[0x0112] = 6  # orientation, then cut short
    coffee.save(tmp_path / "c.jpg", exif=exif.tobytes()[:-4])
    with pytest.warns(InputWarning) as record:
        im = load_image(tmp_path / "c.jpg")
    assert [str(w.message) for w in record] == [f"{tmp_path / 'c.jpg'}: corrupt EXIF metadata ignored"]
    assert im.mode == "RGB"
