"""Hostile state dicts: a weight that declares more elements than the file stores, and a torch.save
archive whose deflated members expand a thousandfold, are refused before anything is allocated."""

from __future__ import annotations

import zipfile

import pytest
import torch
from hostile import run_inspector

from inspector.core.io.resources import resource_path
from inspector.core.models.formats.state_dict import read_state_dict
from inspector.core.models.zoo.mnist_cnn import MnistCNN
from inspector.core.util.errors import ModelError

DIGIT = str(resource_path("images", "mnist-3.png"))


def _broadcast_head(path, classes: int) -> None:
    """mnist-cnn weights whose output layer is one stored zero broadcast (stride 0) to ``classes`` rows."""
    state = MnistCNN(num_classes=10).state_dict()
    features = state["classifier.5.weight"].shape[1]
    state["classifier.5.weight"] = torch.zeros(1).expand(classes, features)
    state["classifier.5.bias"] = torch.zeros(1).expand(classes)
    torch.save(state, path)


def test_a_broadcast_output_layer_is_refused_before_the_network_is_built(tmp_path):
    # 10 million classes: building the network for them took 11 GB and 50 s before this check
    bomb = tmp_path / "bomb.pt"
    _broadcast_head(bomb, 10_000_000)
    outcome = run_inspector("classify", DIGIT, "--model", "mnist-cnn", "--weights", str(bomb))
    outcome.assert_refused("bomb.pt", "classifier.5.weight", "stores 4 bytes")


def test_deflated_members_that_expand_past_the_file_are_refused_unread(tmp_path):
    stored = tmp_path / "stored.pt"
    torch.save({"w": torch.zeros(2**24)}, stored)  # 64 MB of zeros, stored as torch.save does
    deflated = tmp_path / "deflated.pt"
    with zipfile.ZipFile(stored) as src, zipfile.ZipFile(deflated, "w", zipfile.ZIP_DEFLATED) as dst:
        for member in src.infolist():
            dst.writestr(member, src.read(member.filename), compress_type=zipfile.ZIP_DEFLATED)
    assert deflated.stat().st_size < 2**20
    with pytest.raises(ModelError, match="expand to 67,10"):
        read_state_dict(deflated)
    assert read_state_dict(stored)["w"].numel() == 2**24  # the honest archive still loads


def test_honest_weights_with_shared_storage_still_load(tmp_path):
    net = MnistCNN(num_classes=10)
    state = net.state_dict()
    state["tied"] = state["classifier.5.weight"][:2]  # a view into a stored tensor is fine
    path = tmp_path / "tied.pt"
    torch.save(state, path)
    assert read_state_dict(path)["tied"].shape[0] == 2
