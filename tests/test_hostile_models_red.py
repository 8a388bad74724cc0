"""Red-team cases against model loading: hostile files that got past the first round of checks.

Each builds a real file the way an attacker would (``torch.save``, safetensors, ``torch.export.save``
then patched) and asserts the one-line refusal: in-process with ``pytest.raises(ModelError)`` where
the loader is enough, in a subprocess (:func:`hostile.run_inspector`) where exit status, stderr and
the memory and time bounds matter.
"""

from __future__ import annotations

import pytest
import torch
from safetensors.torch import save_file

from hostile import run_inspector
from inspector.core.architectures import load_with_weights
from inspector.core.errors import ModelError
from inspector.core.resources import resource_path
from inspector.core.zoo.mnist_cnn import MnistCNN

DIGIT = str(resource_path("images", "mnist-3.png"))


def _mnist_state(**changes) -> dict[str, torch.Tensor]:
    state = MnistCNN(num_classes=10).state_dict()
    state.update(changes)
    return state


# --- state dicts: tensors that are not plain stored CPU tensors, and heads that size the network ---

@pytest.mark.parametrize("suffix, head, phrase", [
    (".pt", torch.empty(10**9, 0), "1,000,000,000 classes"),      # no bytes stored, a network for 10^9 classes
    (".safetensors", torch.empty(10**9, 0), "1,000,000,000 classes"),
    (".pt", torch.empty(10**9, 256, device="meta"), "meta"),    # a meta tensor declares any shape, stores nothing
], ids=["empty-head", "empty-head-safetensors", "meta-head"])
def test_an_output_layer_that_stores_nothing_does_not_size_the_network(tmp_path, suffix, head, phrase):
    path = tmp_path / f"head{suffix}"
    state = _mnist_state(**{"classifier.5.weight": head})
    if suffix == ".pt":
        torch.save(state, path)
    else:
        save_file({k: v.contiguous() for k, v in state.items()}, str(path))
    with pytest.raises(ModelError, match=phrase):
        load_with_weights("mnist-cnn", path)


@pytest.mark.parametrize("name, tensor, phrase", [
    ("classifier.5.bias", torch.zeros(10).to_sparse(), "sparse"),
    ("classifier.5.bias", torch.zeros(10, dtype=torch.complex64), "complex"),
    ("classifier.2.bias", torch.empty(256, device="meta"), "meta"),
], ids=["sparse", "complex", "meta"])
def test_weights_that_are_not_plain_real_cpu_tensors_are_refused(tmp_path, name, tensor, phrase):
    path = tmp_path / "odd.pt"
    torch.save(_mnist_state(**{name: tensor}), path)
    with pytest.raises(ModelError, match=phrase):
        load_with_weights("mnist-cnn", path)


def test_a_sparse_weight_is_one_line_in_the_command(tmp_path):
    path = tmp_path / "sparse.pt"
    torch.save(_mnist_state(**{"classifier.5.bias": torch.zeros(10).to_sparse()}), path)
    run_inspector("classify", DIGIT, "--model", "mnist-cnn", "--weights", str(path)).assert_refused(
        "sparse.pt", "classifier.5.bias", "sparse")


def test_honest_weights_of_other_real_dtypes_still_load(tmp_path):
    for dtype in (torch.float64, torch.float16, torch.int64):
        path = tmp_path / f"{dtype}.pt"
        torch.save({k: v.to(dtype) for k, v in _mnist_state().items()}, path)
        assert load_with_weights("mnist-cnn", path).net is not None
