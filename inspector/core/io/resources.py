"""Locations of the files shipped with the product (``resources/``)."""

from importlib import resources
from pathlib import Path

from PIL import Image

_SOURCE_TREE = Path(__file__).resolve().parents[3] / "resources"


def resource_path(*parts: str) -> Path:
    """Path of a shipped resource, e.g. ``resource_path("images", "coffee.png")``.

    Works from a source checkout (``resources/`` beside ``inspector/``) and from
    an installed wheel (where ``resources/`` is installed as ``inspector.resources``).
    """
    if _SOURCE_TREE.is_dir():
        return _SOURCE_TREE.joinpath(*parts)
    return Path(str(resources.files("inspector.resources").joinpath(*parts)))


def sample_images(channels: int | None = None) -> list[Path]:
    """The shipped sample images, sorted by file name: colour photos and grey MNIST digits.

    ``channels`` 1 keeps the grey images, 3 the colour ones, None all of them.
    """
    folder = resource_path("images")
    files = sorted(p for p in folder.iterdir() if p.suffix.lower() in {".png", ".jpg", ".jpeg"})
    if channels is None:
        return files
    grey = channels == 1
    return [f for f in files if _is_grey(f) == grey]


def _is_grey(path: Path) -> bool:
    with Image.open(path) as image:
        return image.mode in ("1", "L", "I;16")


DEFAULT_IMAGE = "coffee.png"

#: In ``images/``: every 5th held-out MNIST digit, 400 (IDX), the clean images detectors of grey models calibrate on.
CALIBRATION_DIGITS = "mnist-calibration-idx3-ubyte.gz"
#: In ``images/``: the 2,000 held-out MNIST digits (IDX), a benign query stream for stateful detectors.
HELD_OUT_DIGITS = "mnist-heldout-images-idx3-ubyte.gz"


def default_image() -> Path:
    """The sample photo used when the user names none."""
    return resource_path("images", DEFAULT_IMAGE)
