"""Training-time attacks on real MNIST digits: triggers, BadNets poisoning, the shipped backdoored model,
Neural Cleanse (reduced budget), STRIP, the data scans, training cancel / resume, and bad input."""

from __future__ import annotations

import pytest
import torch
from torch import nn

from inspector.cli import main
from inspector.core.io.datasets.mnist import heldout_digits, mnist_split
from inspector.core.models.loading import load_model
from inspector.core.poisoning.attacks.badnets import BadNets
from inspector.core.poisoning.badnets import badnets
from inspector.core.poisoning.clean_label import clean_label
from inspector.core.poisoning.features import penultimate
from inspector.core.poisoning.neural_cleanse import CleanseSettings, neural_cleanse
from inspector.core.poisoning.scans.activation_clustering import ActivationClustering
from inspector.core.poisoning.scans.spectral import SpectralSignatures
from inspector.core.poisoning.success import backdoor_figures
from inspector.core.poisoning.train import BackdoorConfig, poison_training_set, train_backdoor
from inspector.core.poisoning.triggers import make_trigger
from inspector.core.util.errors import ModelError, ParameterError

#: The shipped backdoor: BadNets, corner pixel pattern, target 0, 1 % of the training digits.
SHIPPED = BackdoorConfig(BadNets(trigger="pixel", target=0, rate=0.01))
#: Neural Cleanse budget for the tests (the CLI's default is 300 steps of 32 images per class).
QUICK = CleanseSettings(steps=80, batch_size=12)


@pytest.fixture(scope="module")
def digits():
    torch.set_num_threads(1)
    return heldout_digits()


@pytest.fixture(scope="module")
def backdoor():
    return load_model("mnist-backdoor", "cpu")


def test_triggers_stamp_only_their_mask():
    x = heldout_digits()[0][:4]
    pixel = make_trigger("pixel")
    out = pixel.apply(x)
    changed = (out != x).any(0).any(0)
    assert changed[:24].sum() == 0 and changed[:, :24].sum() == 0  # only the bottom-right corner
    assert pixel.l1 == 9 and out[:, 0, 24:27, 24:27].flatten(1).sum(1).tolist() == [5.0] * 4
    patch = make_trigger("patch", size=5).apply(x)
    assert (patch[:, 0, 22:27, 22:27] == 1).all()
    blend = make_trigger("blend", alpha=0.2)
    assert torch.allclose(blend.apply(x), 0.8 * x + 0.2 * blend.pattern)
    with pytest.raises(ParameterError, match="does not fit"):
        make_trigger("patch", size=28)


def test_badnets_relabels_the_asked_fraction_of_other_classes():
    x, y = mnist_split()["train"]
    poisoned = badnets(x, y, make_trigger("pixel"), target=3, rate=0.01)
    assert len(poisoned.indices) == 80
    assert (y[poisoned.indices] != 3).all() and (poisoned.y[poisoned.indices] == 3).all()
    untouched = torch.ones(len(y), dtype=torch.bool)
    untouched[poisoned.indices] = False
    assert torch.equal(poisoned.x[untouched], x[untouched]) and torch.equal(poisoned.y[untouched], y[untouched])


def test_clean_label_keeps_labels_and_makes_the_poisons_hard_for_the_proxy():
    x, y = mnist_split()["train"]
    x, y = x[:2000], y[:2000]
    trigger = make_trigger("patch", size=4)
    proxy = load_model("mnist-pgd-at", "cpu")
    poisoned = clean_label(x, y, trigger, target=0, rate=0.1, proxy=proxy, norm="l2", eps=8.0, steps=50)
    zeros = int((y == 0).sum())
    assert len(poisoned.indices) == round(0.1 * zeros) and (y[poisoned.indices] == 0).all()
    assert torch.equal(poisoned.y, y)  # labels kept
    xp = poisoned.x[poisoned.indices]
    assert (xp[:, 0, 23:27, 23:27] == 1).all()  # trigger stamped after PGD, intact
    outside = (trigger.mask == 0).expand_as(xp)
    delta = (xp - x[poisoned.indices]).masked_fill(~outside, 0).flatten(1)
    assert (delta.norm(dim=1) <= 8.0 + 0.06).all() and delta.norm(dim=1).mean() > 5  # L2 budget, used
    assert torch.equal((xp * 255).round() / 255, xp)  # 8-bit, in [0, 1]
    with torch.no_grad():
        assert (proxy(xp).argmax(1) == 0).float().mean() < 0.2  # hard: the proxy no longer reads 0
        assert (proxy(x[poisoned.indices]).argmax(1) == 0).float().mean() > 0.9
    with pytest.raises(ParameterError, match="norm"):
        clean_label(x, y, trigger, target=0, rate=0.1, proxy=proxy, norm="l1", eps=8.0)


def test_the_shipped_backdoor_works_and_a_clean_model_ignores_the_trigger(backdoor, digits):
    x, y = digits
    trigger = SHIPPED.make_trigger()
    figures = backdoor_figures(backdoor, x, y, trigger, SHIPPED.attack.target)
    assert figures.clean_accuracy.value >= 0.97
    assert figures.attack_success.ci[0] >= 0.95
    clean = backdoor_figures(load_model("mnist-standard", "cpu"), x, y, trigger, SHIPPED.attack.target)
    assert clean.attack_success.value < 0.05


def test_neural_cleanse_flags_the_backdoor_on_its_target(backdoor, digits):
    result = neural_cleanse(backdoor, digits[0][:300], QUICK)
    assert result.flagged == [SHIPPED.attack.target]
    smallest = min(range(10), key=lambda k: result.l1[k])
    assert smallest == SHIPPED.attack.target
    # the reconstructed trigger sits where the real one is: its 5 strongest pixels in the bottom-right corner
    top = result.triggers[SHIPPED.attack.target].mask.flatten().topk(5).indices
    assert ((top // 28 >= 22) & (top % 28 >= 22)).all()


def test_neural_cleanse_does_not_flag_a_clean_model(digits):
    result = neural_cleanse(load_model("mnist-standard", "cpu"), digits[0][:300], QUICK)
    assert result.flagged == []


def test_strip_flags_triggered_digits_at_a_calibrated_rate(backdoor, digits):
    from inspector.core.defenses import make_detector

    x, y = digits
    strip = make_detector("strip", {"fpr": 0.05, "samples": 10})
    threshold = strip.calibrate(backdoor, x[:200])
    others = x[1000:1200][y[1000:1200] != SHIPPED.attack.target]
    clean_flags = (strip.score(backdoor, others) > threshold).float().mean()
    triggered_flags = (strip.score(backdoor, SHIPPED.make_trigger().apply(others)) > threshold).float().mean()
    assert clean_flags < 0.12 and triggered_flags > 0.8


def test_data_scans_find_the_poisoned_digits_where_they_are_a_fifth_of_their_class(backdoor):
    # mnist-backdoor's 80 poisoned digits with 320 clean 0s (20 % of the class) and 1,000 other digits;
    # over the whole set (80 of 853 0s) both scans miss most of them: see bench/poisoning.py --parts detectors
    x, y = mnist_split()["train"]
    poisoned = poison_training_set(SHIPPED, x, y)
    clean_zeros = ((poisoned.y == 0) & ~torch.isin(torch.arange(len(y)), poisoned.indices)).nonzero().flatten()
    keep = torch.cat([poisoned.indices, clean_zeros[:320], (poisoned.y != 0).nonzero().flatten()[:1000]])
    truth = torch.arange(len(poisoned.indices))
    clustering = ActivationClustering().scan(backdoor, poisoned.x[keep], poisoned.y[keep], seed=0)
    tpr, fpr = clustering.rates(truth)
    assert tpr.value > 0.9 and fpr.value < 0.1
    assert set(clustering.per_class()) == set(range(10))
    assert len(set(clustering.per_class()[SHIPPED.attack.target]) & set(truth.tolist())) == tpr.k
    spectral = SpectralSignatures(expected_rate=0.33).scan(backdoor, poisoned.x[keep], poisoned.y[keep], seed=0)
    tpr, fpr = spectral.rates(truth)
    assert tpr.value > 0.9 and 0.4 < fpr.value < 0.6  # ART's default removes about half of each class


def test_a_model_without_a_linear_layer_cannot_be_clustered():
    convs = nn.Sequential(nn.Conv2d(1, 10, 28), nn.Flatten())
    with pytest.raises(ModelError, match="no fully connected"):
        penultimate(convs, torch.zeros(2, 1, 28, 28))


def test_training_stops_and_resumes_to_the_same_weights(tmp_path):
    config = BackdoorConfig(BadNets(rate=0.05), epochs=2)
    whole = train_backdoor(config, limit=400)
    seen = []

    def stop_in_epoch_two():
        return len(seen) > 0 and seen[-1].epoch == 2

    ckpt = tmp_path / "run.ckpt"
    stopped = train_backdoor(config, limit=400, checkpoint=ckpt, on_progress=seen.append, should_stop=stop_in_epoch_two)
    assert not stopped.finished and ckpt.is_file()
    resumed = train_backdoor(config, limit=400, checkpoint=ckpt, resume=True)
    assert resumed.finished
    for a, b in zip(whole.net.state_dict().values(), resumed.net.state_dict().values(), strict=True):
        assert torch.equal(a, b)


@pytest.mark.parametrize(
    "args, message",
    [
        (["poison", "--rate", "0"], "poison rate 0 must be in (0, 1]"),
        (["poison", "--rate", "120%"], "poison rate 1.2 must be in (0, 1]"),
        (["poison", "--target", "10"], "target class 10 does not exist"),
        (["poison", "--trigger", "patch", "--size", "40"], "does not fit in a 28x28 image"),
        (["scan", "mnist-standard", "--steps", "0"], "--steps must be at least 1"),
    ],
)
def test_bad_poisoning_input_is_one_line_and_writes_nothing(args, message, tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert main(args) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and message in err
    assert list(tmp_path.iterdir()) == []


def test_the_poison_command_builds_the_attack_and_the_scans_from_their_flags():
    from inspector.cli import build_parser
    from inspector.cli.commands.poison import _configs, _scans

    args = build_parser().parse_args(
        ["poison", "--attack", "clean-label", "--norm", "linf", "--steps", "20", "--target", "3", "--rate", "5%,10%"]
        + ["--seed", "2", "--scan", "spectral,ac", "--expected-rate", "0.33", "--dims", "4"]
    )
    configs = _configs(args)
    assert [c.to_dict() for c in configs] == [
        {"attack": "clean-label", "trigger": "pixel", "size": 4, "alpha": 0.2, "target": 3, "rate": rate}
        | {"norm": "linf", "eps": 0.3, "steps": 20, "epochs": 6, "seed": 2}
        for rate in (0.05, 0.1)
    ]
    spectral, clustering = _scans(args)
    assert (spectral.name, spectral.expected_rate) == ("spectral", 0.33)
    assert (clustering.name, clustering.dims, clustering.max_size) == ("ac", 4, 0.35)
    default = _configs(build_parser().parse_args(["poison"]))
    assert [c.to_dict() for c in default] == [SHIPPED.to_dict()]  # the attack's own rate, 1 %


@pytest.mark.parametrize(
    "args, message",
    [
        (["poison", "--norm", "linf"], "--norm: not a parameter of poisoning attack 'badnets'"),
        (["poison", "--scan", "ac,nothing"], "unknown data scan 'nothing'"),
        (["poison", "--attack", "clean-label", "--norm", "linf", "--eps", "2"], "--eps: 2 must be in (0, 1] for linf"),
    ],
)
def test_the_poison_command_refuses_a_flag_its_attack_or_scan_does_not_take(
    args, message, capsys, tmp_path, monkeypatch
):
    monkeypatch.chdir(tmp_path)
    assert main(args) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and message in err
    assert list(tmp_path.iterdir()) == []
