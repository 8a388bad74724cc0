"""Model stealing on real digits: the copy's agreement rises with the budget, the label-only oracle is
respected, the saved copy loads as a model, a stopped run keeps what it finished and resumes without
asking the victim again, and bad input ends with one line and nothing written."""

from __future__ import annotations

import json

import numpy as np
import pytest
import torch
from PIL import Image
from torch import nn

from inspector.cli import main
from inspector.core.io.resources import resource_path
from inspector.core.models.classifier import Classifier
from inspector.core.models.loading import load_model
from inspector.core.privacy.data import held_out, query_pool
from inspector.core.privacy.fidelity import predictions
from inspector.core.privacy.stealing import StealConfig, steal
from inspector.core.util.errors import ImageError, ParameterError

FAST = dict(transfer_eps=0.0)


class Counting(nn.Module):
    """The victim's network, counting the images it is asked about."""

    def __init__(self, net: nn.Module, scale: float = 1.0):
        super().__init__()
        self.net, self.scale, self.images = net, scale, 0

    def forward(self, x):
        self.images += len(x)
        return self.net(x) * self.scale


def victim(scale: float = 1.0) -> Classifier:
    """mnist-standard with its logits times ``scale``: the same top-1 labels, other probabilities."""
    base = load_model("mnist-standard", "cpu")
    return Classifier(
        Counting(base, scale), name="victim", input_size=(28, 28), channels=1, class_names=base.class_names
    )


def test_agreement_rises_with_the_budget():
    result = steal(StealConfig(method="copycat", output="label", budgets=[100, 800], epochs=2, **FAST))
    small, large = result.rows
    assert result.finished and [r["queries"] for r in result.rows] == [100, 800]
    assert large["agreement"]["low"] > small["agreement"]["high"]
    assert large["agreement"]["rate"] > 0.7  # chance is about 10 %


def test_label_only_copy_never_sees_the_scores():
    # Two victims with the same top-1 labels but different probabilities: label-only copies are identical,
    # copies that learn from the probabilities are not.
    def copy_predictions(v, output):
        result = steal(StealConfig(method="knockoff-random", output=output, budgets=[150], epochs=1, **FAST), victim=v)
        return result.rows[0]["agreement"]["rate"], result

    x, _ = held_out()
    a, b = victim(1.0), victim(0.05)
    assert torch.equal(predictions(a, x), predictions(b, x))
    label_a, label_b = copy_predictions(a, "label")[0], copy_predictions(b, "label")[0]
    assert label_a == label_b
    prob_a, prob_b = copy_predictions(a, "probabilities")[0], copy_predictions(b, "probabilities")[0]
    assert prob_a != prob_b


def test_saved_copy_loads_as_a_model(tmp_path, capsys):
    out = tmp_path / "run"
    assert (
        main(
            [
                "steal",
                "--budget",
                "300",
                "--epochs",
                "2",
                "--labels-only",
                "--method",
                "copycat",
                "--transfer-eps",
                "0",
                "--out",
                str(out),
            ]
        )
        == 0
    )
    saved = json.loads((out / "steal.json").read_text())
    assert saved["finished"] and saved["rows"][0]["queries"] == 300 and (out / "curve.png").is_file()
    copy = load_model(str(out / "copy-300.pt2"), "cpu")
    x, _ = held_out()
    v = load_model("mnist-standard", "cpu")
    agreement = float((predictions(copy, x) == predictions(v, x)).float().mean())
    assert agreement == pytest.approx(saved["rows"][0]["agreement"]["rate"])
    capsys.readouterr()
    digit = str(resource_path("images", "mnist-7.png"))
    assert main(["classify", digit, "--model", str(out / "copy-300.pt2"), "--json"]) == 0
    pixels = torch.from_numpy(np.asarray(Image.open(digit), dtype=np.float32) / 255)[None, None]
    assert json.loads(capsys.readouterr().out)["top_k"][0]["index"] == int(predictions(copy, pixels)[0])


def test_stopped_run_keeps_finished_budgets_and_resumes_as_if_uninterrupted(tmp_path):
    config = StealConfig(method="knockoff-adaptive", output="probabilities", budgets=[100, 300], epochs=1, **FAST)
    out = tmp_path / "run"

    def stop_when_training_the_second(progress):
        if progress.budget == 300 and progress.stage == "training":
            flag["stop"] = True

    flag = {"stop": False}
    first = steal(config, out=out, on_progress=stop_when_training_the_second, should_stop=lambda: flag["stop"])
    assert not first.finished and [r["budget"] for r in first.rows] == [100]
    assert (out / "copy-100.pt2").is_file() and not (out / "copy-300.pt2").exists()
    with pytest.raises(ParameterError, match="--resume"):
        steal(config, out=out)
    v = victim()
    resumed = steal(config, victim=v, out=out, resume=True)
    assert resumed.finished and resumed.rows[0] == first.rows[0] and resumed.rows[1]["queries"] == 300
    assert v.net.images == 2000  # the held-out digits only: the 300 answers were already paid for
    uninterrupted = steal(config)
    assert [r["agreement"] for r in resumed.rows] == [r["agreement"] for r in uninterrupted.rows]
    with pytest.raises(ParameterError, match="other settings"):
        steal(StealConfig(budgets=[100, 300], epochs=1, **FAST), out=out, resume=True)


def test_cancelled_before_any_budget_writes_no_copy(tmp_path):
    out = tmp_path / "run"
    result = steal(
        StealConfig(budgets=[200], epochs=3, **FAST), out=out, should_stop=lambda: (out / "steal-state.pt").is_file()
    )
    assert not result.finished and result.rows == []
    assert not list(out.glob("*.pt2")) and not (out / "steal.json").exists()


@pytest.mark.parametrize(
    "args, message",
    [
        (["--budget", "0"], "query budget 0 must be at least 1"),
        (["--budget", "10,x"], "budgets '10,x'"),
        (["--victim", "no-such-model", "--budget", "10"], "unknown model 'no-such-model'"),
        (["--budget", "9000"], "exceeds the 8000 images"),
        (["--victim", "efficientnet-lite0", "--budget", "10"], "28x28 grey"),
    ],
)
def test_bad_input_is_one_line_and_writes_nothing(tmp_path, capsys, args, message):
    out = tmp_path / "run"
    assert main(["steal", *args, "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and message in err
    assert not out.exists()


def test_empty_query_pool(tmp_path, capsys):
    empty = tmp_path / "empty-idx3-ubyte"
    empty.write_bytes(bytes([0, 0, 8, 3]) + (0).to_bytes(4, "big") + (28).to_bytes(4, "big") * 2)
    with pytest.raises(ImageError, match="empty"):
        query_pool(str(empty))
    assert main(["steal", "--budget", "10", "--pool", str(empty), "--out", str(tmp_path / "run")]) == 2
    assert capsys.readouterr().err.count("\n") == 1 and not (tmp_path / "run").exists()


def test_transformed_pool_differs_from_the_members_but_keeps_their_number():
    members, transformed = query_pool("members"), query_pool("transformed")
    assert members.shape == transformed.shape == (8000, 1, 28, 28)
    assert (members - transformed).abs().mean() > 0.05 and transformed.min() >= 0 and transformed.max() <= 1


def test_transfer_rate_is_high_from_the_victim_itself_and_low_from_an_untrained_copy():
    from inspector.core.models.zoo.mnist_cnn import MnistCNN
    from inspector.core.privacy.fidelity import transfer_success

    v = load_model("mnist-standard", "cpu")
    x, y = held_out()
    right = (predictions(v, x[:60]) == y[:60]).nonzero().flatten()[:40]
    x, y = x[right], y[right]
    itself = transfer_success(v.net, v, x, y, eps=0.3)
    torch.manual_seed(0)
    untrained = transfer_success(MnistCNN().eval(), v, x, y, eps=0.3)
    assert itself["white_box"]["rate"] == 1.0 and itself["transfer"]["rate"] == 1.0
    assert untrained["transfer"]["high"] < itself["transfer"]["low"]
