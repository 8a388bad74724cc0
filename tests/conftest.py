"""Shared fixtures: the real pretrained model and the real photos in ../shared/data."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import torch
from needs_data import install

pytest_plugins = ["pytester"]  # tests/test_needs_data.py runs small sessions in-process

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
IMAGENET_SAMPLE = DATA / "imagenet-sample"


def pytest_configure(config):
    """Tests that refer to DATA skip without it, and fail without it in CI (tests/needs_data.py)."""
    install(config, DATA)


@pytest.fixture(scope="session")
def model():
    from inspector.core.models.loading import load_model

    torch.manual_seed(0)
    return load_model("efficientnet-lite0", "cpu")


@pytest.fixture(scope="session")
def imagenet_batch(model):
    """(x, y) for the ImageNet sample photos, with y the true class from the file name."""
    from inspector.core.io.image import load_tensor

    wnids = [line.split("\t")[1] for line in (DATA / "imagenet_classes.tsv").read_text().splitlines()]
    files = sorted(IMAGENET_SAMPLE.glob("*.JPEG"))
    x = torch.cat([load_tensor(f, model.input_size) for f in files])
    y = torch.tensor([wnids.index(f.name.split("_")[0]) for f in files])
    return x, y, files


@pytest.fixture(scope="session")
def correct_batch(model, imagenet_batch):
    """The sample photos the model classifies correctly: (x, y, files)."""
    x, y, files = imagenet_batch
    with torch.no_grad():
        ok = model(x).argmax(1) == y
    return x[ok], y[ok], [f for f, keep in zip(files, ok, strict=True) if keep]


@pytest.fixture(scope="session")
def mnist_model():
    """The shipped mnist-standard model on the CPU."""
    from inspector.core.models.loading import load_model

    return load_model("mnist-standard", "cpu")


@pytest.fixture(scope="session")
def mnist_digits(mnist_model):
    """(x, y): those of the first 20 held-out MNIST digits mnist-standard classifies correctly."""
    from inspector.core.io.datasets.mnist import mnist_split

    x, y = mnist_split(DATA / "mnist")["held_out"]
    x, y = x[:20], y[:20]
    with torch.no_grad():
        ok = mnist_model(x).argmax(1) == y
    return x[ok], y[ok]


def exportable_l2(model, x, x_adv, y):
    """(N,) L2 of a reference library's perturbation after the 8-bit export rule (inf where no scale works).

    References optimise in float and their minimal adversarials mostly stop fooling
    once rounded to 8 bits, while ours are judged on the 8-bit image they export:
    the perturbation is scaled by the smallest factor that keeps it adversarial once rounded.
    """
    from inspector.core.io.image import quantize

    out = torch.full((x.shape[0],), float("inf"))
    with torch.no_grad():
        for scale in reversed((1, 1.25, 1.5, 2, 3, 4, 6, 8)):
            q = quantize(x + scale * (x_adv - x))
            fooled = model(q).argmax(1) != y
            out = torch.where(fooled, (q - x).flatten(1).norm(dim=1), out)
    return out
