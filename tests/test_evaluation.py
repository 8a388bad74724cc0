"""Whole-dataset evaluation on real data: the shipped held-out MNIST digits and the ImageNet sample names."""

from __future__ import annotations

import json
import shutil

import pytest
import torch
from conftest import DATA, IMAGENET_SAMPLE

from inspector.core.evaluation import EvaluationConfig, evaluate
from inspector.core.evaluation.accuracy import robust_accuracy
from inspector.core.evaluation.data import label_from_name, load_dataset
from inspector.core.evaluation.stats import quantiles, wilson_interval
from inspector.core.io.datasets.mnist import mnist_split
from inspector.core.models.labels import imagenet_classes
from inspector.core.util.errors import ClassNameError, ExportError, ParameterError

EPS = ["0", "0.1", "0.2", "0.3"]


def config(**changes) -> EvaluationConfig:
    base = dict(
        data="mnist-heldout",
        model="mnist-standard",
        attacks=["fgsm", "pgd"],
        eps=EPS,
        params={"steps": "3"},
        limit=40,
        batch_size=8,
        sanity=False,
        device="cpu",
    )
    return EvaluationConfig(**(base | changes))


def test_wilson_interval_matches_the_closed_form():
    low, high = wilson_interval(5, 10)
    assert low == pytest.approx(0.2366, abs=1e-4) and high == pytest.approx(0.7634, abs=1e-4)
    assert wilson_interval(0, 10)[0] == 0.0 and wilson_interval(0, 10)[1] == pytest.approx(0.2775, abs=1e-4)
    assert wilson_interval(0, 0) == (0.0, 1.0)
    assert quantiles([1.0, 2.0, 3.0, float("inf")], (0.5,))["q50"] == 2.5


def test_the_default_step_size_is_two_and_a_half_eps_over_steps_at_most_eps():
    from inspector.core.evaluation.config import build_attack

    assert build_attack(config(params={"steps": "10"}), "pgd", 0.2).step_size == pytest.approx(0.05)
    assert build_attack(config(params={"steps": "2"}), "pgd", 1.0).step_size == 1.0
    assert build_attack(config(params={"steps": "2", "step_size": "0.01"}), "pgd", 1.0).step_size == 0.01


def test_labels_come_from_wordnet_ids_indices_and_names():
    names = imagenet_classes()
    wnids = [line.split("\t")[1] for line in (DATA / "imagenet_classes.tsv").read_text().splitlines()]
    for f in sorted(IMAGENET_SAMPLE.glob("*.JPEG"))[:20]:
        assert label_from_name(f.stem, names) == wnids.index(f.name.split("_")[0])
    assert label_from_name("great_white_shark_2", names) == 2
    assert label_from_name("967_cup", names) == 967
    with pytest.raises(ClassNameError):
        label_from_name("holiday_photo", names)


def test_the_shipped_split_is_the_real_test_set_s_first_8000_and_last_2000():
    real, shipped = mnist_split(DATA / "mnist"), mnist_split()
    for part in ("train", "held_out"):
        assert torch.equal(shipped[part][0], real[part][0]) and torch.equal(shipped[part][1], real[part][1])


def test_the_shipped_heldout_digits_are_the_last_2000_of_the_test_set(mnist_model):
    x, y = mnist_split(DATA / "mnist")["held_out"]
    samples = load_dataset("mnist-heldout", mnist_model)
    assert len(samples) == 2000
    assert [s.label for s in samples] == y.tolist()
    assert torch.equal(torch.cat([s.load(mnist_model) for s in samples[-5:]]), x[-5:])


def test_accuracy_falls_with_eps_and_the_worst_case_is_below_each_attack(mnist_model):
    result = evaluate(config(), model=mnist_model)
    x, y = mnist_split()["held_out"]
    assert result.clean["none"]["accuracy"] == pytest.approx(robust_accuracy(mnist_model, x[:40], y[:40]))
    rows = {(r["attack"], r["eps"]): r for r in result.robust}
    for attack in ("fgsm", "pgd", "worst case"):
        curve = [rows[(attack, float(e))]["accuracy"] for e in EPS]
        assert curve == sorted(curve, reverse=True) and curve[-1] < curve[0]
    for e in EPS:
        worst = rows[("worst case", float(e))]
        assert worst["accuracy"] <= min(rows[(a, float(e))]["accuracy"] for a in ("fgsm", "pgd"))
        assert worst["ci"][0] <= worst["accuracy"] <= worst["ci"][1]


def test_interrupted_and_resumed_gives_the_same_numbers(mnist_model, tmp_path):
    whole = evaluate(config(sanity=True, sanity_images=16), model=mnist_model)
    calls = {"n": 0}

    def stop_after_some_work():
        calls["n"] += 1
        return calls["n"] > 12  # inside the second batch's attacks

    first = evaluate(
        config(sanity=True, sanity_images=16, out=str(tmp_path / "run")),
        model=mnist_model,
        should_stop=stop_after_some_work,
    )
    assert first.stopped
    done = len((tmp_path / "run" / "results.jsonl").read_text().splitlines())
    assert done > 0
    resumed = evaluate(config(sanity=True, sanity_images=16, out=str(tmp_path / "run"), resume=True), model=mnist_model)
    assert not resumed.stopped
    assert resumed.robust == whole.robust and resumed.clean == whole.clean and resumed.sanity == whole.sanity
    again = evaluate(config(sanity=True, sanity_images=16, out=str(tmp_path / "run"), resume=True), model=mnist_model)
    assert again.robust == whole.robust and again.examples  # nothing left to run: the examples are made again
    lines = (tmp_path / "run" / "results.jsonl").read_text().splitlines()
    keys = [tuple(json.loads(line)[k] for k in ("image", "attack", "eps", "setting", "variant")) for line in lines]
    assert len(keys) == len(set(keys))


def test_resuming_another_configuration_or_overwriting_is_refused(mnist_model, tmp_path):
    out = str(tmp_path / "run")
    evaluate(config(limit=8, attacks=["pgd"], out=out), model=mnist_model)
    with pytest.raises(ParameterError, match="another configuration.*steps"):
        evaluate(config(limit=8, attacks=["pgd"], params={"steps": "4"}, out=out, resume=True), model=mnist_model)
    with pytest.raises(ParameterError, match="batch_size"):
        evaluate(config(limit=8, attacks=["pgd"], batch_size=4, out=out, resume=True), model=mnist_model)
    evaluate(config(limit=8, attacks=["pgd"], out=out, resume=True), model=mnist_model)
    with pytest.raises(ExportError, match="--resume"):
        evaluate(config(limit=8, attacks=["pgd"], out=out), model=mnist_model)


def test_a_bad_image_is_recorded_and_the_rest_evaluated(mnist_model, tmp_path):
    folder = tmp_path / "digits"
    folder.mkdir()
    for name in ("mnist-3.png", "mnist-7.png", "mnist-9.png"):
        shutil.copy(f"resources/images/{name}", folder / name)
    (folder / "broken.png").write_bytes(b"\x89PNG\r\n\x1a\n not really")
    (folder / "labels.csv").write_text("file,label\nmnist-3.png,3\nbroken.png,1\nmnist-7.png,7\nmnist-9.png,9\n")
    result = evaluate(config(data=str(folder), attacks=["fgsm"], params={}, eps=["0.3"]), model=mnist_model)
    assert result.failed == 1 and result.errors[0]["image"] == "broken.png"
    assert result.clean["none"] == {"correct": 3, "n": 3, "accuracy": 1.0, "ci": list(wilson_interval(3, 3))}


def _sanity(model_name: str) -> dict[str, dict]:
    cfg = config(
        model=model_name,
        attacks=["pgd"],
        eps=["0", "0.3"],
        params={"steps": "10"},
        limit=100,
        batch_size=100,
        sanity=True,
        sanity_images=100,
    )
    return {row["check"]: row for row in evaluate(cfg).sanity}


def test_sanity_checks_flag_the_distilled_models_masked_gradients_and_pass_adversarial_training():
    distilled = _sanity("mnist-distilled")
    assert distilled["pgd with the margin loss does not do much better"]["status"] == "flag"
    assert distilled["pgd at an unbounded budget (linf 1) reaches chance"]["status"] == "flag"
    trained = _sanity("mnist-pgd-at")
    assert all(row["status"] == "ok" for row in trained.values()), trained
    assert set(trained) == set(distilled) and len(trained) == 4  # unbounded, x2, x5 steps, margin


def test_the_html_report_is_one_self_contained_file(mnist_model, tmp_path):
    from inspector.core.evaluation.report import write_report
    from inspector.core.explain.examples import add_maps
    from inspector.core.io.figure import CAPTION, MARGIN, PANEL
    from inspector.core.models.loading import load_model

    result = evaluate(
        config(
            model="mnist-distilled",
            attacks=["pgd", "deepfool"],
            params={"steps": "10"},
            limit=24,
            batch_size=24,
            sanity=True,
            sanity_images=24,
        )
    )
    assert result.examples and result.flagged
    assert all(ex.maps is None for ex in result.examples)  # the evaluation knows nothing of explanations
    add_maps(result.examples, load_model("mnist-distilled", "cpu"))
    write_report(result, tmp_path / "report.html")
    page = (tmp_path / "report.html").read_text(encoding="utf-8")
    assert "http://" not in page and "https://" not in page and 'src="file' not in page
    # the plot, and per example the attack's figure and the maps of where the model looks
    assert page.count("data:image/png;base64,") == 1 + 2 * len(result.examples)
    assert page.count("where the model looks on ") == len(result.examples)
    for ex in result.examples:  # the original towards its true class, the adversarial towards the class it is read as
        assert ex.maps.figure.size == (3 * PANEL + 4 * MARGIN, PANEL + CAPTION + 2 * MARGIN)
        assert ex.maps.note.startswith("Grad-CAM (last feature maps) (Selvaraju et al. 2017, arXiv:1610.02391); ")
    assert "after re-initialising the top 2 layers (model randomisation)" in page
    assert "95 % CI (Wilson)" in page and "FLAG" in page and "worst case" in page and "mnist-distilled" in page
    worst = next(r for r in result.robust if r["attack"] == "worst case" and r["eps"] == 0.3)
    assert f"{100 * worst['accuracy']:.1f} %" in page


def test_an_image_the_model_fails_on_is_recorded_and_the_rest_evaluated(mnist_model):
    class FailsOnBrightImages(torch.nn.Module):
        """mnist-standard, but raising on any image brighter on average than 0.196 (a bug on some inputs)."""

        def __init__(self):
            super().__init__()
            self.inner = mnist_model
            self.name, self.class_names, self.input_size = "picky", mnist_model.class_names, mnist_model.input_size
            self.channels, self.resize, self.device = 1, mnist_model.resize, mnist_model.device

        def forward(self, x):
            if x.requires_grad and (x.flatten(1).mean(1) > 0.196).any():
                raise RuntimeError("the kernel failed")
            return self.inner(x)

    means = mnist_split()["held_out"][0][:16].flatten(1).mean(1)
    assert ((means - 0.196).abs() > 1 / 255).all()  # an attack within 1/255 cannot move a mean across
    bright = int((means > 0.196).sum())
    assert 0 < bright < 16
    result = evaluate(config(attacks=["pgd"], eps=["0", "1/255"], limit=16), model=FailsOnBrightImages())
    assert result.failed == bright and all("the kernel failed" in e["error"] for e in result.errors)
    assert result.robust[-1]["n"] == 16 - bright


def test_a_folder_of_photos_is_labelled_by_wordnet_id(model):
    from inspector.core.io.image import load_tensor

    wnids = [line.split("\t")[1] for line in (DATA / "imagenet_classes.tsv").read_text().splitlines()]
    files = sorted(IMAGENET_SAMPLE.glob("*.JPEG"))[:4]
    x = torch.cat([load_tensor(f, model.input_size) for f in files])
    y = torch.tensor([wnids.index(f.name.split("_")[0]) for f in files])
    with torch.no_grad():
        expected = int((model(x).argmax(1) == y).sum())
    result = evaluate(
        EvaluationConfig(
            data=str(IMAGENET_SAMPLE),
            model="efficientnet-lite0",
            attacks=["fgsm"],
            eps=["0", "4/255"],
            limit=4,
            sanity=False,
        ),
        model=model,
    )
    assert result.clean["none"]["correct"] == expected and result.clean["none"]["n"] == 4
    assert result.robust[-1]["accuracy"] <= result.robust[0]["accuracy"]


def test_a_black_box_attack_beating_a_crippled_white_box_one_is_flagged(mnist_model):
    crippled = {"steps": "1", "step_size": "1/255", "max_queries": "300"}  # PGD: one step of one grey level
    result = evaluate(
        config(attacks=["pgd", "square"], params=crippled, eps=["0", "0.3"], limit=30, batch_size=30), model=mnist_model
    )
    check = next(s for s in result.sanity if s["check"].startswith("no black-box attack"))
    assert check["status"] == "flag" and "square" in check["detail"]
    fair = evaluate(
        config(
            attacks=["pgd", "square"],
            params={"steps": "10", "max_queries": "300"},
            eps=["0", "0.3"],
            limit=30,
            batch_size=30,
        ),
        model=mnist_model,
    )
    assert next(s for s in fair.sanity if s["check"].startswith("no black-box attack"))["status"] == "ok"


def test_budgets_are_labelled_in_grey_levels_where_the_decimal_is_long():
    from inspector.core.evaluation.plot import eps_label

    assert [eps_label(e) for e in (0, 0.3, 1 / 255, 8 / 255, 0.5 / 255)] == ["0", "0.3", "1/255", "8/255", "0.5/255"]
    assert eps_label(0.001234) == "0.001234"  # not a whole or half grey level
