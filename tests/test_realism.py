"""The realism check (local contrast), on real MNIST digits: calibrated on clean digits, it catches PGD
made without it, and PGD that adds its statistic as a penalty gets past it."""

import pytest
import torch
from conftest import DATA

from inspector.core.attacks import make_attack
from inspector.core.defenses import make_detector
from inspector.core.defenses.penalty import Penalized
from inspector.core.defenses.realism import local_contrast
from inspector.core.evaluation.stats import wilson_interval
from inspector.core.evasion.calibration import calibration_images
from inspector.core.io.datasets.mnist import mnist_split
from inspector.core.util.errors import ParameterError


@pytest.fixture(scope="module")
def check(mnist_model):
    """The realism check (total variation, fpr 0.05) and its threshold from the 400 shipped calibration digits."""
    detector = make_detector("realism", {"fpr": "0.05"})
    return detector, detector.calibrate(mnist_model, calibration_images(mnist_model))


def test_the_statistics_are_the_neighbour_differences():
    x = torch.zeros(1, 1, 4, 4)
    x[..., 2:] = 1.0  # a vertical edge: 4 of the 12 horizontal pairs differ by 1, no vertical pair
    assert local_contrast(x, "tv").item() == pytest.approx(4 / 12)
    assert local_contrast(x, "maxdiff").item() == 1.0
    with pytest.raises(ValueError, match="expected one of tv, maxdiff"):
        local_contrast(x, "laplace")


def test_clean_held_out_digits_are_flagged_at_about_the_calibrated_rate(mnist_model, check):
    detector, threshold = check
    x, _ = mnist_split(DATA / "mnist")["held_out"]
    flagged = int((detector.score(mnist_model, x) > threshold).sum())
    low, high = wilson_interval(flagged, len(x))
    assert low <= detector.fpr <= high + 0.01, flagged


def test_pgd_made_without_the_check_is_caught_and_pgd_made_with_it_is_not(mnist_model, check):
    detector, threshold = check
    x, y = mnist_split(DATA / "mnist")["held_out"]
    x, y = x[-40:], y[-40:]
    pgd = make_attack("pgd", {"eps": "0.3", "steps": "20", "step_size": "0.03"})
    evaded = []
    for model in (mnist_model, Penalized(mnist_model, detector.differentiable_score, threshold, label=y)):
        x_adv = pgd.run(model, x, y).x_adv
        with torch.no_grad():
            fooled = mnist_model(x_adv).argmax(1) != y
        evaded.append(int((fooled & (detector.score(mnist_model, x_adv) > threshold).logical_not()).sum()))
    plain, adaptive = (wilson_interval(e, len(y)) for e in evaded)
    assert plain[1] < 0.3 < adaptive[0] and plain[1] < adaptive[0], evaded


def test_too_few_clean_images_cannot_calibrate_the_check(mnist_model):
    x, _ = mnist_split(DATA / "mnist")["held_out"]
    with pytest.raises(ParameterError, match="that takes at least 19"):
        make_detector("realism").calibrate(mnist_model, x[:10])
