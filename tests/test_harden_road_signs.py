"""Hardening on real road signs: the shipped PGD-AT road-sign model is robust beyond the intervals
where the standard one is not, and `inspector harden` reads GTSRB's own folder layout and resumes
a road-sign run to the same weights."""

import numpy as np
import torch
from conftest import DATA
from PIL import Image
from safetensors.torch import load_file

from inspector.core.attacks.pgd import PGD
from inspector.core.evaluation.stats import wilson_interval
from inspector.core.io.datasets.gtsrb import load_npz
from inspector.core.models.loading import load_model
from inspector.core.training.hardening import harden

EPS = 8 / 255


def _balanced_test_photos(per_class: int) -> tuple[torch.Tensor, torch.Tensor]:
    """The first ``per_class`` photos of each of GTSRB's 43 classes in its test set."""
    x, y = load_npz(DATA / "gtsrb" / "test.npz")
    keep = torch.cat([torch.nonzero(y == label).flatten()[:per_class] for label in range(43)])
    return x[keep], y[keep]


def test_gtsrb_pgd_at_is_robust_beyond_the_intervals_where_gtsrb_standard_is_not():
    x, y = _balanced_test_photos(2)
    intervals = {}
    for name in ("gtsrb-standard", "gtsrb-pgd-at"):
        model = load_model(name, "cpu")
        x_adv = PGD(eps=EPS, step_size=EPS / 4, steps=10, random_start=True).run(model, x, y).x_adv
        with torch.no_grad():
            robust = int((model(x_adv).argmax(1) == y).sum())
        intervals[name] = wilson_interval(robust, len(y))
    assert intervals["gtsrb-pgd-at"][0] > intervals["gtsrb-standard"][1], intervals


def test_harden_reads_a_gtsrb_folder_and_resumes_to_the_same_weights(tmp_path):
    x, y = _balanced_test_photos(4)
    folder = tmp_path / "GTSRB"
    folder.mkdir()
    rows = []
    for i, (image, label) in enumerate(zip(x, y.tolist(), strict=True)):
        Image.fromarray((image.permute(1, 2, 0).numpy() * 255).round().astype(np.uint8)).save(folder / f"{i:05d}.ppm")
        rows.append(f"{i:05d}.ppm;32;32;0;0;31;31;{label}")
    header = "Filename;Width;Height;Roi.X1;Roi.Y1;Roi.X2;Roi.Y2;ClassId"
    (folder / "GT-final_test.csv").write_text("\n".join([header, *rows]) + "\n")
    common = {"data": folder, "epochs": 2, "device": "cpu", "params": {"steps": 1, "warmup": 0}}
    whole = harden("gtsrb-standard", "pgd-at", out_dir=tmp_path / "whole", **common)
    assert whole.before[0].total == 43  # the last of each class's four photos is held out
    out = tmp_path / "resumed"
    checkpoint = out / "gtsrb-standard-pgd-at.ckpt"
    stopped = harden("gtsrb-standard", "pgd-at", out_dir=out, should_stop=checkpoint.exists, **common)
    assert not stopped.finished and not stopped.weights.exists()
    resumed = harden("gtsrb-standard", "pgd-at", out_dir=out, resume=True, **common)
    a, b = load_file(str(whole.weights)), load_file(str(resumed.weights))
    assert resumed.finished and a.keys() == b.keys() and all(torch.equal(a[k], b[k]) for k in a)
