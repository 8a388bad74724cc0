"""Model inversion (MI-Face) on the shipped MNIST models: the reconstructions are classified as their class,
the stopping rule ends a run whose cost stalls, SSIM behaves, the files are written together, and bad input
is one line."""

from __future__ import annotations

import json

import torch

from inspector.cli import main
from inspector.core.models.loading import load_model
from inspector.core.privacy.inversion import MIFace
from inspector.core.privacy.inversion_run import InversionConfig, class_means, invert_model
from inspector.core.privacy.ssim import ssim


def test_reconstructions_are_seen_as_their_class_by_the_model(tmp_path):
    report = invert_model(InversionConfig("mnist-standard", MIFace(max_iterations=150), judges=["mnist-pgd-at"]))
    assert report.images.shape == (10, 1, 28, 28)
    assert torch.equal(report.images, (report.images * 255).round() / 255)  # 8-bit, as saved
    assert report.summary["self"]["rate"] >= 0.9
    model = load_model("mnist-standard", "cpu")
    with torch.no_grad():
        assert (model(report.images).argmax(1) == torch.arange(10)).float().mean() >= 0.9
    assert set(report.rows[0]["judges"]) == {"mnist-pgd-at"}
    written = report.save(tmp_path / "out")
    assert sorted(written) == ["inversion.json", "inversion.png"]
    assert json.loads(written["inversion.json"].read_text())["summary"]["self"]["n"] == 10


def test_stalled_cost_stops_after_patience():
    # The distilled model's softmax saturates: the cost's gradient is exactly zero, the cost never improves,
    # and the no-improvement rule ends every class after `patience` steps instead of `max_iterations`.
    model = load_model("mnist-distilled", "cpu")
    result = MIFace(max_iterations=1000, patience=20).run(model, torch.arange(10), (1, 28, 28))
    stalled = result.cost > 0.5
    assert stalled.any() and (result.iterations[stalled] <= 21).all()


def test_ssim_is_one_on_identical_images_and_falls_with_noise():
    means = class_means()
    assert torch.allclose(ssim(means, means), torch.ones(10), atol=1e-5)
    noise = torch.rand(means.shape, generator=torch.Generator().manual_seed(0))
    slight, heavy = (means + 0.05 * (noise - 0.5)).clamp(0, 1), (means + 0.5 * (noise - 0.5)).clamp(0, 1)
    assert (ssim(means, slight) > ssim(means, heavy)).all()
    assert torch.allclose(ssim(means, heavy), ssim(heavy, means), atol=1e-6)


def test_invert_bad_model_is_one_line_and_writes_nothing(tmp_path, capsys):
    out = tmp_path / "out"
    assert main(["invert", "--model", "no-such-model", "--out", str(out)]) == 2
    assert capsys.readouterr().err.count("\n") == 1 and not out.exists()
    assert main(["invert", "--max-iterations", "0", "--out", str(out)]) == 2
    assert "--max-iterations must be at least 1" in capsys.readouterr().err and not out.exists()
