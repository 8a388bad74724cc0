"""Locations of the files shipped with the product (``resources/``)."""

from importlib import resources
from pathlib import Path


_SOURCE_TREE = Path(__file__).resolve().parents[2] / "resources"


def resource_path(*parts: str) -> Path:
    """Path of a shipped resource, e.g. ``resource_path("images", "coffee.png")``.

    Works from a source checkout (``resources/`` beside ``inspector/``) and from
    an installed wheel (where ``resources/`` is installed as ``inspector.resources``).
    """
    if _SOURCE_TREE.is_dir():
        return _SOURCE_TREE.joinpath(*parts)
    return Path(str(resources.files("inspector.resources").joinpath(*parts)))


def sample_images() -> list[Path]:
    """The shipped sample photos, sorted by file name."""
    folder = resource_path("images")
    return sorted(p for p in folder.iterdir() if p.suffix.lower() in {".png", ".jpg", ".jpeg"})


DEFAULT_IMAGE = "coffee.png"


def default_image() -> Path:
    """The sample photo used when the user names none."""
    return resource_path("images", DEFAULT_IMAGE)
