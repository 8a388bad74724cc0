"""`inspector harden` on the shipped MNIST digits: PGD-AT beats the standard model and the FGSM
baseline under PGD beyond the intervals, resume gives the same weights, bad input is refused early."""

import pytest
import torch
from safetensors.torch import load_file
from torch import nn

from inspector.cli import main
from inspector.core.io.datasets.mnist import heldout_digits, mnist_split
from inspector.core.io.image import to_pil
from inspector.core.models.classifier import Classifier
from inspector.core.models.loading import load_model
from inspector.core.training.fast_at import OverfittingCheck
from inspector.core.training.hardening import harden
from inspector.core.training.hardening.dataset import stratified_split
from inspector.core.training.hardening.source import check_trainable
from inspector.core.util.errors import ModelError

#: The budget the comparisons are made at: the standard model keeps few held-out digits there.
EPS = 0.2
QUICK = {"data": "mnist-train", "limit": 800, "epochs": 1, "eps": EPS, "device": "cpu"}


@pytest.fixture(scope="module")
def hardened(tmp_path_factory):
    """mnist-standard fine-tuned for one epoch by PGD-AT at EPS and by FGSM augmentation at 0.1."""
    out = tmp_path_factory.mktemp("hardened")
    return {
        "pgd-at": harden("mnist-standard", "pgd-at", out_dir=out, params={"steps": 5, "warmup": 0}, **QUICK),
        "fgsm-aug": harden("mnist-standard", "fgsm-aug", out_dir=out, params={"eps": 0.1}, **QUICK),
    }


def test_pgd_at_is_robust_beyond_the_intervals(hardened):
    report = hardened["pgd-at"]
    before, after = report.before[-1], report.after[-1]
    assert before.budget == after.budget == EPS and before.total == after.total == 200
    assert after.interval[0] > before.interval[1]  # the standard model's robust accuracy, beyond both intervals
    assert after.rate > 0.2 and report.after[0].rate > 0.9  # clean accuracy kept


def test_fgsm_augmentation_stays_below_pgd_at_under_pgd(hardened):
    fgsm, pgd = hardened["fgsm-aug"].after[-1], hardened["pgd-at"].after[-1]
    assert fgsm.interval[1] < pgd.interval[0]


def test_outputs_load_as_architecture_and_weights(hardened):
    report = hardened["pgd-at"]
    assert not report.weights.with_name(f"{report.name}.ckpt").exists()
    model = load_model("mnist-cnn", "cpu", weights=report.weights)
    assert model.class_names == load_model("mnist-standard", "cpu").class_names
    x, y = heldout_digits()
    with torch.no_grad():
        correct = int((model(x[:200]).argmax(1) == y[:200]).sum())
    assert correct == report.after[0].correct
    card = report.card.read_text()
    before = report.before[-1]
    assert f"| 0.2 | PGD-20 | {before.rate:.1%} [{before.interval[0]:.1%}, " in card
    assert "validation: 200 of the 2,000 held-out digits" in card


def test_resume_gives_the_same_weights(tmp_path):
    common = {"data": "mnist-train", "limit": 100, "epochs": 2, "device": "cpu", "params": {"steps": 1}}
    whole = harden("mnist-standard", "trades", out_dir=tmp_path / "whole", **common)
    out = tmp_path / "resumed"
    checkpoint = out / "mnist-standard-trades.ckpt"
    stopped = harden("mnist-standard", "trades", out_dir=out, should_stop=checkpoint.exists, **common)
    assert not stopped.finished and [s.epoch for s in stopped.scores] == [1] and not stopped.weights.exists()
    resumed = harden("mnist-standard", "trades", out_dir=out, resume=True, **common)
    assert resumed.finished and [s.epoch for s in resumed.scores] == [2]
    a, b = load_file(str(whole.weights)), load_file(str(resumed.weights))
    assert a.keys() == b.keys() and all(torch.equal(a[k], b[k]) for k in a)


def test_fast_at_notes_catastrophic_overfitting(tmp_path, monkeypatch):
    import inspector.core.training.fast_at as fast_at

    monkeypatch.setattr(fast_at, "overfitting_check", lambda net, x, y, eps, epoch: OverfittingCheck(epoch, 0.9, 0.02))
    report = harden("mnist-standard", "fast-at", out_dir=tmp_path, data="mnist-train", limit=100, epochs=1)
    assert report.notes and report.notes[0].startswith("catastrophic overfitting after epoch 1: PGD accuracy 2.0%")
    assert OverfittingCheck(1, 0.9, 0.02).collapsed and not OverfittingCheck(1, 0.9, 0.5).collapsed
    assert not OverfittingCheck(1, 0.3, 0.0).collapsed  # FGSM low too: not learnt yet, not overfitted


def test_ctrl_c_stops_with_the_resume_hint(capsys, tmp_path, monkeypatch):
    from contextlib import contextmanager

    import inspector.cli.commands.harden as command

    monkeypatch.setattr(command, "stop_on_interrupt", contextmanager(lambda: (yield lambda: True)))
    code = main(
        ["harden", "--model", "mnist-standard", "--data", "mnist-train", "--limit", "100", "--out", str(tmp_path)]
    )
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 130 and err[-1].startswith(
        "inspector: stopped: the checkpoint of the last finished epoch, if any, is kept in "
    )
    assert err[-1].endswith("run the same command with --resume to continue")
    assert not list(tmp_path.iterdir())  # stopped in the first epoch: no checkpoint yet, no output


def test_split_holds_out_the_last_tenth_of_each_class():
    y = torch.tensor([0] * 20 + [1] * 5 + [0] * 10)
    train, val = stratified_split(y)
    assert val.tolist() == [24, 32, 33, 34]  # class 0: its last 3 of 30; class 1: 5 images, still one
    assert sorted(train.tolist() + val.tolist()) == list(range(35))


def _digits(folder, count, label=None):
    """``count`` shipped digits as PNGs in ``folder`` with a labels.csv (all labelled ``label`` if given)."""
    x, y = mnist_split()["train"]
    folder.mkdir(parents=True, exist_ok=True)
    rows = ["file,label"]
    for i in range(count):
        to_pil(x[i]).save(folder / f"d{i}.png")
        rows.append(f"d{i}.png,{label if label is not None else int(y[i])}")
    (folder / "labels.csv").write_text("\n".join(rows) + "\n")


def _class_folders(folder, classes):
    x, y = mnist_split()["train"]
    for c in classes:
        sub = folder / str(c)
        sub.mkdir(parents=True)
        for i in torch.nonzero(y == c).flatten()[:3].tolist():
            to_pil(x[i]).save(sub / f"{i}.png")


def _refused(capsys, tmp_path, *args):
    out = tmp_path / "out"
    code = main(["harden", *args, "--out", str(out)])
    err = capsys.readouterr().err
    assert code == 2 and not out.exists()
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("inspector: error: ")
    return lines[0]


def test_bad_data_is_refused_before_training(capsys, tmp_path):
    line = _refused(capsys, tmp_path, "--model", "mnist-standard", "--data", str(tmp_path / "absent"))
    assert "not a folder of labelled images, nor mnist-train" in line
    (tmp_path / "empty").mkdir()
    assert "the folder is empty" in _refused(
        capsys, tmp_path, "--model", "mnist-standard", "--data", str(tmp_path / "empty")
    )
    _digits(tmp_path / "ones", 5, label=1)
    assert "one class only" in _refused(capsys, tmp_path, "--model", "mnist-standard", "--data", str(tmp_path / "ones"))
    _class_folders(tmp_path / "two", [3, 7])
    line = _refused(capsys, tmp_path, "--model", "mnist-standard", "--data", str(tmp_path / "two"))
    assert "images of 2 classes, the model has 10" in line
    line = _refused(capsys, tmp_path, "--model", "mnist-standard", "--data", "mnist-train", "--eps", "0")
    assert line.startswith("inspector: error: --eps: ") and "out of range" in line


def test_class_folders_are_read_as_imagefolder(tmp_path):
    from inspector.core.evaluation.data import load_dataset

    _class_folders(tmp_path, [3, 7])
    samples = load_dataset(str(tmp_path), load_model("mnist-standard", "cpu"))
    assert [(s.id.split("/")[0], s.label) for s in samples] == [("3", 3)] * 3 + [("7", 7)] * 3


def test_untrainable_models_are_refused_with_the_reason(capsys, tmp_path):
    scripted = tmp_path / "net.pt"
    torch.jit.save(torch.jit.script(nn.Linear(2, 2)), str(scripted))
    line = _refused(capsys, tmp_path, "--model", str(scripted), "--data", "mnist-train")
    assert "is TorchScript" in line and "cannot be trained here" in line and "--weights" in line
    onnx = tmp_path / "net.onnx"
    onnx.write_bytes(b"not read")
    line = _refused(capsys, tmp_path, "--model", str(onnx), "--data", "mnist-train")
    assert "runs in onnxruntime: its parameters cannot be trained here" in line


def test_a_network_without_parameters_is_refused():
    frozen = Classifier(nn.Flatten(), name="flat", input_size=(2, 2), channels=1, class_names=("a", "b"))
    with pytest.raises(ModelError, match="flat: the network has no parameters to train"):
        check_trainable(frozen)
