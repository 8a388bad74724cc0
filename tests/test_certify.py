"""Randomized smoothing (Cohen, Rosenfeld and Kolter 2019, arXiv:1902.02918): the certificate's
statistics, abstentions, the certified radius against what minimal-norm attacks find on real
digits, the certified-accuracy curve, and bad input (one line, exit 2)."""

from __future__ import annotations

import json
from statistics import NormalDist

import pytest
import torch
from scipy.stats import binom
from torch import nn

from inspector.cli import main
from inspector.core.attacks import make_attack
from inspector.core.certify.bounds import lower_confidence_bound
from inspector.core.certify.builtin import builtin_smoothing, certificate_text
from inspector.core.certify.settings import Smoothing
from inspector.core.certify.smoothed import certify, predict
from inspector.core.evaluation.certified import CertifiedImage, certify_samples
from inspector.core.evaluation.data import load_dataset
from inspector.core.io.datasets.mnist import heldout_digits
from inspector.core.models.loading import load_model
from inspector.core.util.errors import ParameterError

FAST = {"n0": 10, "n": 100, "batch_size": 100}


class Constant(nn.Module):
    """A base classifier that answers class 3 of 10, whatever the input."""

    def forward(self, x):
        logits = torch.zeros(len(x), 10)
        logits[:, 3] = 1
        return logits


class Threshold(nn.Module):
    """Class 1 where the first pixel is above 0.5, class 0 elsewhere: on a pixel of exactly 0.5 the
    noise makes it a coin toss."""

    def forward(self, x):
        above = x.flatten(1)[:, 0] > 0.5
        return torch.stack([(~above).float(), above.float()], 1)


def test_clopper_pearson_bound_has_its_coverage():
    for k, n in ((1, 10), (37, 50), (99, 100), (1000, 1000)):
        p = lower_confidence_bound(k, n, 0.01)
        assert binom.sf(k - 1, n, p) == pytest.approx(0.01, rel=1e-6)  # P(X >= k | p_lower) = alpha
    assert lower_confidence_bound(0, 100, 0.01) == 0.0


def test_a_constant_classifier_is_certified_at_the_largest_radius():
    s = Smoothing(sigma=0.5, alpha=0.001, **FAST)
    found = certify(Constant(), torch.full((1, 1, 4, 4), 0.3), s)
    p_lower = 0.001 ** (1 / 100)  # every sample agrees: the Clopper-Pearson bound is alpha^(1/n)
    assert (found.label, found.count) == (3, 100)
    assert found.radius == pytest.approx(0.5 * NormalDist().inv_cdf(p_lower), rel=1e-9)
    assert predict(Constant(), torch.zeros(1, 1, 4, 4), s) == 3


def test_a_coin_toss_abstains_in_certify_and_predict():
    x = torch.full((1, 1, 4, 4), 0.5)
    s = Smoothing(sigma=0.25, n0=50, n=400, batch_size=64)
    for seed in range(3):
        found = certify(Threshold(), x, s, seed=seed)
        assert found.abstained and found.radius == 0.0 and 100 < found.count < 300
        assert predict(Threshold(), x, s, seed=seed) is None
    assert certify(Threshold(), torch.full((1, 1, 4, 4), 0.9), s).label == 1  # 1.6 sigma from the threshold


def test_the_noise_is_seeded():
    model = load_model("mnist-smooth-0.25", "cpu")
    x = heldout_digits()[0][:1]
    s = Smoothing(sigma=0.25, n0=10, n=60, batch_size=25)
    assert certify(model, x, s, seed=5) == certify(model, x, s, seed=5)


@pytest.fixture(scope="module")
def certified():
    """mnist-smooth-0.50 on 10 held-out digits and the first 3 its base classifier gets wrong."""
    model = load_model("mnist-smooth-0.50", "cpu")
    samples = load_dataset("mnist-heldout", model)
    x, y = heldout_digits()
    with torch.no_grad():
        wrong = (model(x).argmax(1) != y).nonzero().flatten()[:3].tolist()
    chosen = [samples[i] for i in range(10)] + [samples[i] for i in wrong]
    return model, certify_samples(model, chosen, Smoothing(sigma=0.5, **FAST), data="mnist-heldout")


def test_certified_accuracy_at_radius_0_is_not_above_clean_accuracy(certified):
    _, result = certified
    curve = result.curve()
    assert len(result.images) == 13 and result.clean_accuracy == pytest.approx(10 / 13)
    assert curve[0]["radius"] == 0 and curve[0]["accuracy"] <= result.clean_accuracy
    assert curve[0]["certified"] >= 8  # the noise-trained model is certified on its correct digits
    assert all(a["accuracy"] >= b["accuracy"] for a, b in zip(curve, curve[1:], strict=False))
    assert curve[-1]["accuracy"] == 0  # the last radius is beyond what n = 100 samples can certify


def test_the_certified_radius_is_below_what_deepfool_finds(certified):
    model, result = certified
    digits = [i for i in result.images if i.certified_correct]
    x = torch.cat([load_dataset("mnist-heldout", model)[int(i.id.split("-")[1]) - 8000].load(model) for i in digits])
    y = torch.tensor([i.label for i in digits])
    attack = make_attack("deepfool", {"steps": 50}).run(model, x, y)
    assert bool(attack.success.all())
    l2 = (attack.x_adv - x).flatten(1).norm(dim=1)
    radii = torch.tensor([i.radius for i in digits])
    assert bool((radii < l2).all()), (radii, l2)
    # the theorem: the smoothed classifier keeps its class (or abstains) 90 % of the radius towards the adversarial
    direction = (attack.x_adv - x) / l2.view(-1, 1, 1, 1)
    for k, image in enumerate(digits):
        near = x[k : k + 1] + 0.9 * image.radius * direction[k : k + 1]
        assert predict(model, near, Smoothing(sigma=0.5, **FAST), seed=k) in (image.label, None)


def test_bad_settings_name_their_field():
    for values, field in (
        ({"sigma": 0}, "sigma"),
        ({"sigma": -0.25}, "sigma"),
        ({"n0": 200, "n": 100}, "n0"),
        ({"alpha": 0}, "alpha"),
        ({"alpha": 1}, "alpha"),
        ({"alpha": 1.5}, "alpha"),
    ):
        with pytest.raises(ParameterError) as err:
            Smoothing(**values)
        assert err.value.param == field


@pytest.mark.parametrize(
    "flags",
    [["--sigma", "0"], ["--sigma", "-1"], ["--n0", "200", "--n", "100"], ["--alpha", "0"], ["--alpha", "1"]]
    + [["--alpha", "2"], ["--radii", "0,-1"], []],
)
def test_bad_input_is_one_line_and_exit_2(flags, capsys, tmp_path):
    model = [] if flags == [] else ["--model", "mnist-smooth-0.25"]  # no --sigma for a model without one
    assert main(["certify", "mnist-heldout", "--limit", "1", "--report", str(tmp_path / "r.html"), *model, *flags]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("inspector: error:")
    assert not (tmp_path / "r.html").exists()


def test_the_command_prints_the_curve_and_writes_the_report(capsys, tmp_path):
    report = tmp_path / "certify.html"
    args = ["certify", "mnist-heldout", "--model", "mnist-smooth-0.25", "--limit", "3", "--n", "50", "--n0", "5"]
    assert main([*args, "--radii", "0,0.25,0.5", "--json", "--report", str(report)]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["smoothing"]["sigma"] == 0.25 and out["images"] == 3
    assert [row["radius"] for row in out["curve"]] == [0, 0.25, 0.5]
    assert all(set(i) >= {"id", "label", "predicted", "radius"} for i in out["per_image"])
    text = report.read_text()
    assert "Certified accuracy" in text and "data:image/png;base64," in text and "arXiv:1902.02918" in text


def test_only_the_smoothing_models_are_certified_in_the_app():
    assert builtin_smoothing("mnist-smooth-0.50").sigma == 0.5 and builtin_smoothing("mnist-standard") is None
    assert certificate_text(None, 0.0, 0.25).startswith("no certificate")


def test_an_abstention_is_never_certified_correct():
    image = CertifiedImage("a", 3, None, 0.0, 0.4, 3, 0.1)
    assert not image.certified_correct
