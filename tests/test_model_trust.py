"""A pickled whole model runs code from its file when loaded: nothing of it runs without the user's opt-in.

The pickle made here writes a marker file when unpickled, as a malicious one
would do anything else; the marker shows whether code from the file ran.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import torch
from torch import nn

from inspector.cli import main
from inspector.core.evasion.inspect import inspect
from inspector.core.evasion.recipe import Recipe
from inspector.core.io.resources import resource_path
from inspector.core.models.formats import file_kind
from inspector.core.models.formats.pickled import CodePickleError
from inspector.core.models.loading import load_model
from inspector.core.models.zoo.mnist_cnn import load_mnist_cnn, weights_path

DIGIT = str(resource_path("images", "mnist-7.png"))


def build_and_mark(marker: str) -> nn.Module:
    """What unpickling the file calls: code of the file's choosing."""
    Path(marker).write_text("code from the model file ran")
    return load_mnist_cnn(weights_path("mnist-standard"), "mnist-standard").net


class MarkingModel:
    """Pickles as a call of :func:`build_and_mark`, as ``torch.save(model)`` pickles any object."""

    def __init__(self, marker: Path):
        self.marker = str(marker)

    def __reduce__(self):
        return build_and_mark, (self.marker,)


@pytest.fixture
def pickled(tmp_path):
    path, marker = tmp_path / "model.pt", tmp_path / "ran.txt"
    torch.save(MarkingModel(marker), path)
    (tmp_path / "model.pt.inspector.json").write_text('{"input_size": [28, 28], "channels": 1}')
    assert not marker.exists()
    return path, marker


def test_refused_without_opt_in_and_nothing_runs(pickled):
    path, marker = pickled
    assert file_kind(path) == "pickle"
    with pytest.raises(CodePickleError) as caught:
        load_model(path, "cpu")
    message = str(caught.value)
    assert "\n" not in message and message.startswith(f"{path} is a pickled model: loading it runs code from the file")
    for safe in ("--trust-model-code", ".pt2", "ONNX", "--model ARCHITECTURE --weights FILE"):
        assert safe in message
    with pytest.raises(CodePickleError):
        inspect(Recipe(image=DIGIT, model=str(path), attack="fgsm", device="cpu"))
    assert not marker.exists()


def test_loads_with_opt_in_and_attacks_run(pickled):
    path, marker = pickled
    model = load_model(path, "cpu", trust_code=True)
    assert marker.exists()
    assert model.task == "pickled torch model" and model.has_input_gradient
    result = inspect(
        Recipe(image=DIGIT, model=str(path), trust_model_code=True, attack="fgsm", params={"eps": "0.3"}, device="cpu")
    )
    assert result.original.label == 7 and result.success
    marker.unlink()
    with pytest.raises(CodePickleError):  # trusting once is no trust for later loads without the opt-in
        load_model(path, "cpu")
    assert not marker.exists()


def test_cli_refuses_without_the_flag_and_loads_with_it(pickled, capsys):
    path, marker = pickled
    assert main(["classify", DIGIT, "--model", str(path)]) == 2
    out, err = capsys.readouterr()
    assert out == "" and err.count("\n") == 1 and "runs code from the file" in err and "--trust-model-code" in err
    assert not marker.exists()
    assert main(["classify", DIGIT, "--model", str(path), "--trust-model-code", "--top", "1"]) == 0
    assert "class 7" in capsys.readouterr().out and marker.exists()


def test_what_a_file_is_is_found_without_running_it(tmp_path, mnist_model):
    torch.save(mnist_model.net.state_dict(), tmp_path / "state.pt")
    (tmp_path / "junk.pt").write_bytes(b"\x00garbage")
    assert file_kind(tmp_path / "state.pt") == file_kind(tmp_path / "w.safetensors") == "weights"
    assert file_kind(tmp_path / "junk.pt") == file_kind(tmp_path / "missing.pt") == "model"
