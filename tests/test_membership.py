"""Membership inference on real MNIST digits: the balanced evaluation, the loss attack on
mnist-standard with its CIs, LiRA on small reference models (cache, cancel, resume), the
label-only attack on a handful, mnist-dp, and bad input."""

from __future__ import annotations

import json

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from scipy.stats import spearmanr
from sklearn.metrics import roc_auc_score, roc_curve

from inspector.cli import main
from inspector.core.models.loading import load_model
from inspector.core.privacy.membership import MembershipConfig, metrics, run_membership
from inspector.core.privacy.membership.data import Digits, balanced_set, load_digits, same_writers
from inspector.core.privacy.membership.lira import lira_scores
from inspector.core.privacy.membership.loss_attack import loss_scores
from inspector.core.privacy.membership.reference import ReferenceModels, halves
from inspector.core.privacy.membership.scores import logit_confidence
from inspector.core.util.errors import ParameterError


@pytest.fixture(scope="module")
def loss_result():
    return run_membership(MembershipConfig(model="mnist-standard", attack="loss"))


def test_balanced_set_draws_random_members_and_every_non_member():
    s = balanced_set(2000, seed=0)
    members, others = s.index[s.is_member], s.index[~s.is_member]
    assert len(members) == len(others) == 2000 and len(set(s.index.tolist())) == 4000
    assert members.max() < 8000 and others.min() == 8000 and others.max() == 9999
    # random over the 8,000, so both writer populations are in it (about 5/8 from the first)
    assert 0.55 < (members < 5000).float().mean() < 0.70
    assert not torch.equal(balanced_set(2000, seed=1).index, s.index)
    matched = same_writers(s)
    assert (s.index[matched & s.is_member] >= 5000).all() and matched[~s.is_member].all()


def test_loss_attack_on_mnist_standard_has_confidence_intervals(loss_result):
    r = loss_result
    assert r.members == r.non_members == 2000
    # our AUC is sklearn's, and the ROC curve is sklearn's
    assert r.auc.value == pytest.approx(roc_auc_score(r.is_member, r.scores), abs=1e-9)
    fpr, tpr, _ = roc_curve(r.is_member, r.scores)
    assert np.interp(0.1, fpr, tpr) == pytest.approx(np.interp(0.1, r.fpr_curve, r.tpr_curve), abs=1e-3)
    assert r.auc.low <= r.auc.value <= r.auc.high and r.tpr.low <= r.tpr.value <= r.tpr.high
    # 4,000 records pin the AUC to a few hundredths; a well-generalising model is no open book
    assert r.auc.high - r.auc.low < 0.06
    assert r.auc.high < 0.6 and r.tpr.value < 0.05
    # the same-writers control is on fewer members, so wider
    w = r.same_writers_auc
    assert w.high - w.low > r.auc.high - r.auc.low
    # 0.1 % FPR is not measured with 2,000 non-members, and the result says so
    assert "tpr_at_0.001_fpr" not in r.to_json() and any("0.1% FPR" in u for u in r.unmeasurable)


def test_loss_scores_order_as_the_loss_without_its_ties(loss_result):
    digits = load_digits()
    x, y = digits.x[:500], digits.y[:500]
    model = load_model("mnist-distilled", "cpu")
    with torch.no_grad():
        ce = F.cross_entropy(model(x).double(), y, reduction="none")
    scores = loss_scores(model, x, y)
    assert (ce == 0).sum() >= 10  # its logits are ~100x larger: the loss underflows
    assert len(torch.unique(scores)) == 500  # the score keeps those digits apart
    kept = ce > 0
    assert spearmanr(scores[kept], ce[kept]).statistic < -0.999
    logits = torch.tensor([[40.0, 0.0], [30.0, 0.0], [0.0, 0.0]])
    assert logit_confidence(logits, torch.zeros(3, dtype=torch.long)).tolist() == pytest.approx([40.0, 30.0, 0.0])
    r = loss_result
    assert r.is_member[r.exposed].all() and (np.diff(r.risk[r.exposed]) <= 0).all()


def test_tpr_at_fpr_and_risk_on_known_scores():
    scores = np.r_[np.arange(100, 200), np.arange(0, 100)].astype(float)  # members 100..199 all above
    member = np.r_[np.ones(100, bool), np.zeros(100, bool)]
    assert metrics.auc(scores, member) == 1.0 and metrics.tpr_at_fpr(scores, member, 0.01) == 1.0
    assert metrics.tpr_at_fpr(-scores, member, 0.05) == 0.0
    assert metrics.risk(np.array([150.0, 50.0]), scores[~member]).tolist() == [1.0, 0.505]
    assert metrics.measurable(0.01, 2000) and not metrics.measurable(0.001, 2000)


def test_lira_on_small_reference_models_caches_and_resumes(tmp_path):
    digits = load_digits()
    small = Digits(digits.x[:300], digits.y[:300])
    refs = ReferenceModels("standard", small, cache=tmp_path, epochs=12)
    calls = []
    stop_after_first = lambda: refs.ready(4) >= 1  # noqa: E731
    assert not refs.train(4, on_progress=calls.append, should_stop=stop_after_first)
    assert refs.ready(4) == 1
    models_trained = []
    assert refs.train(4, on_progress=lambda p: models_trained.append(p.model) if p.training is None else None)
    assert sorted(set(models_trained[:-1])) == [2, 3, 4] and refs.ready(4) == 4
    logits, masks = refs.outputs(4)
    assert logits.shape == (4, 300, 10) and torch.equal(masks, halves(4, 300, 0))
    assert (masks.sum(0) == 2).all() and (masks[0] ^ masks[1]).all()
    # model 0 plays the target; the pair 2, 3 are its references: each digit is IN in one of them
    phi = torch.stack([logit_confidence(out, small.y) for out in logits])
    member = masks[0].numpy()
    for online in (True, False):
        scores = lira_scores(phi[0], phi[2:], masks[2:], online=online).numpy()
        est = metrics.bootstrap(scores, member, metrics.auc, rounds=200)
        assert est.low > 0.5, (online, est)  # 150 digits per model, 12 epochs: it overfits
    with pytest.raises(ValueError):
        lira_scores(phi[0], phi[2:3], masks[2:3], online=True)


def test_label_only_runs_on_a_handful():
    r = run_membership(MembershipConfig(model="mnist-standard", attack="label-only", members=6, queries=200))
    assert r.members == r.non_members == 6 and r.tpr is None
    assert (r.scores >= 0).all() and (r.scores > 0).sum() >= 10 and r.scores.max() < 10
    assert any("1% FPR" in u for u in r.unmeasurable)


def test_mnist_dp_loads_and_classifies():
    model = load_model("mnist-dp", "cpu")
    split = load_digits()
    x, y = split.x[8000:8500], split.y[8000:8500]
    with torch.no_grad():
        accuracy = (model(x).argmax(1) == y).float().mean().item()
    assert accuracy > 0.75  # 84.2 % on the 2,000 held-out digits: DP costs accuracy


def test_cli_writes_json_and_figures(tmp_path, capsys):
    out = tmp_path / "run"
    assert main(["membership", "--model", "mnist-dp", "--members", "200", "--out", str(out)]) == 0
    saved = json.loads((out / "membership.json").read_text())
    assert saved["config"]["model"] == "mnist-dp" and saved["members"] == 200
    assert saved["tpr_at_0.01_fpr"] is None and len(saved["most_exposed"]) == 16
    assert (out / "roc.png").stat().st_size > 1000 and (out / "exposed.png").stat().st_size > 1000
    assert "AUC" in capsys.readouterr().out


@pytest.mark.parametrize(
    "args, words",
    [
        (["--model", "efficientnet-lite0"], "training set is known"),
        (["--model", "nope"], "training set is known"),
        (["--attack", "shadow"], "unknown membership attack"),
        (["--attack", "lira-online", "--references", "3"], "even number"),
        (["--attack", "lira-offline", "--references", "0"], "even number"),
        (["--members", "0"], "--members"),
        (["--members", "5000"], "--members"),
        (["--attack", "label-only", "--queries", "0"], "--queries"),
        (["--references", "many"], "--references must be a whole number"),
        (["--data", "/nonexistent"], "no t10k-images"),
    ],
)
def test_bad_input_is_one_line_and_writes_nothing(tmp_path, capsys, args, words):
    out = tmp_path / "out"
    try:
        code = main(["membership", *args, "--out", str(out)])
    except SystemExit as exc:  # argument errors leave through argparse
        code = exc.code
    err = capsys.readouterr().err
    assert code == 2 and words in err, err
    assert len(err.strip().splitlines()) == 1 and list(tmp_path.iterdir()) == []


def test_config_check_raises_parameter_error():
    with pytest.raises(ParameterError):
        MembershipConfig(attack="lira-online", references=1).check()
