"""Our attacks against foolbox 3 (Rauber et al. 2017, arXiv:1707.04131) and the
Adversarial Robustness Toolbox (ART 1.20, Nicolae et al. 2018, arXiv:1807.01069)
on the same model, the same four photos and the same budget.

Budgeted attacks: success rate at the same budget at most 2 points below the
reference's (with four photos: ours fools every photo the reference fools,
less one only if it fools another). Budgets are small enough that neither
side fools every photo, so the comparison can fail. Ours is judged on the
8-bit image it exports, the reference on its own float output.
Minimal-norm attacks: median L2 at most 1.1 times the reference's.
Minimal-norm references optimise in float and their adversarials mostly stop
fooling the model once rounded to 8 bits, while ours are judged on the 8-bit
image they export; so the reference's perturbation is compared after the same
export rule: scaled by the smallest factor (1, 1.25, 1.5, 2, 3, 4, 6, 8) that
keeps it adversarial once rounded.
Needs foolbox and ART from the ``test`` extra (``pip install .[test]``); each test is
skipped when its library is missing.
"""

import numpy as np
import pytest
import torch
from conftest import exportable_l2

from inspector.core.attacks import make_attack
from inspector.core.util.metrics import perturbation_norms

pytestmark = pytest.mark.slow

EXTRA = "pip install '.[test]'"


def fooled(model, x_adv, y):
    """(N,) bool: the reference's own (float) adversarials that change the top-1 class."""
    with torch.no_grad():
        return model(torch.as_tensor(x_adv)).argmax(1) != y


def assert_success_not_below(ours, theirs):
    """Our success rate (from (N,) bool) at most 2 points below the reference's."""
    assert ours.float().mean() >= theirs.float().mean() - 0.02, (
        f"ours fooled {ours.tolist()}, the reference {theirs.tolist()}"
    )


@pytest.fixture(scope="module")
def four(correct_batch):
    x, y, _ = correct_batch
    return x[:4], y[:4]


@pytest.fixture(scope="module")
def fmodel(model):
    fb = pytest.importorskip("foolbox", reason=f"foolbox is not installed: {EXTRA}")
    return fb.PyTorchModel(model, bounds=(0, 1))


@pytest.fixture(scope="module")
def art_classifier(model):
    pytest.importorskip("art", reason=f"the Adversarial Robustness Toolbox is not installed: {EXTRA}")
    from art.estimators.classification import PyTorchClassifier

    return PyTorchClassifier(
        model,
        loss=torch.nn.CrossEntropyLoss(),
        input_shape=(model.channels, *model.input_size),
        nb_classes=model.num_classes,
        clip_values=(0.0, 1.0),
        device_type="cpu",
    )


def art_run(attack, x, y, seed=0):
    """Run an ART evasion attack on torch tensors (ART draws from numpy's global generator)."""
    np.random.seed(seed)
    return torch.from_numpy(attack.generate(x.numpy(), y.numpy()))


def test_fgsm_matches_foolbox_success_rate(model, four, fmodel):
    import foolbox as fb

    x, y = four
    ours = make_attack("fgsm", {"eps": "1/255"}).run(model, x, y)
    _, _, theirs = fb.attacks.FGSM(random_start=False)(fmodel, x, y, epsilons=1 / 255)
    assert not theirs.all()
    assert_success_not_below(ours.success, theirs)


def test_bim_matches_foolbox_success_rate(model, four, fmodel):
    import foolbox as fb

    x, y = four
    ours = make_attack("bim", {"eps": "1/255", "steps": 3, "step_size": "0.25/255"}).run(model, x, y)
    attack = fb.attacks.LinfBasicIterativeAttack(abs_stepsize=0.25 / 255, steps=3, random_start=False)
    _, _, theirs = attack(fmodel, x, y, epsilons=1 / 255)
    assert not theirs.all()
    assert_success_not_below(ours.success, theirs)


def test_pgd_matches_foolbox_success_rate(model, four, fmodel):
    import foolbox as fb

    x, y = four
    params = {"eps": "1/255", "steps": 2, "step_size": "0.5/255", "random_start": False}
    ours = make_attack("pgd", params).run(model, x, y)
    attack = fb.attacks.LinfPGD(abs_stepsize=0.5 / 255, steps=2, random_start=False)
    _, _, theirs = attack(fmodel, x, y, epsilons=1 / 255)
    assert not theirs.all()
    assert_success_not_below(ours.success, theirs)


def test_mifgsm_matches_art_success_rate(model, four, art_classifier):
    from art.attacks.evasion import MomentumIterativeMethod

    x, y = four
    ours = make_attack("mifgsm", {"eps": "1/255", "steps": 2, "step_size": "0.5/255", "decay": 1.0}).run(model, x, y)
    attack = MomentumIterativeMethod(
        art_classifier, eps=1 / 255, eps_step=0.5 / 255, decay=1.0, max_iter=2, verbose=False
    )
    theirs = fooled(model, art_run(attack, x, y), y)
    assert not theirs.all()
    assert_success_not_below(ours.success, theirs)


@pytest.mark.parametrize("loss, loss_type", [("ce", "cross_entropy"), ("dlr", "difference_logits_ratio")])
def test_apgd_matches_art_success_rate(model, four, art_classifier, loss, loss_type):
    from art.attacks.evasion import AutoProjectedGradientDescent

    x, y = four
    ours = make_attack("apgd", {"eps": "1/255", "steps": 2, "loss": loss}).run(model, x, y)
    # the paper's first step size 2 eps, one run from a random start
    attack = AutoProjectedGradientDescent(
        art_classifier, eps=1 / 255, eps_step=2 / 255, max_iter=2, nb_random_init=1, loss_type=loss_type, verbose=False
    )
    theirs = fooled(model, art_run(attack, x, y), y)
    assert not theirs.all()
    assert_success_not_below(ours.success, theirs)


def test_square_linf_matches_art_success_rate(model, four, art_classifier):
    from art.attacks.evasion import SquareAttack

    x, y = four
    # Same budget in the paper's count of new points queried: ART queries the stripe
    # start, then one candidate per iteration (it re-evaluates known points too, which
    # the paper's implementation caches), so max_iter = max_queries - 1.
    attack = SquareAttack(
        art_classifier, norm=np.inf, eps=16 / 255, max_iter=49, p_init=0.05, nb_restarts=1, verbose=False
    )
    # A random search: whether a hard photo falls within 50 queries is luck. One seed each side (ART takes
    # about 30 s a seed here, ours 5 s): with seed 0 both fool the same 3 of the 4 photos; pooled over seeds
    # 0-2 ours fooled 9 of 12, ART 8 (bench/attacks_vs_reference.py has the figure at 100 queries).
    ours = make_attack("square", {"eps": "16/255", "max_queries": 50, "p_init": 0.05, "seed": 0}).run(model, x, y)
    theirs = fooled(model, art_run(attack, x, y, seed=0), y)
    assert not theirs.all()
    assert_success_not_below(ours.success, theirs)


def test_deepfool_median_l2_within_10_percent_of_foolbox(model, four, fmodel):
    import foolbox as fb

    x, y = four
    ours = make_attack("deepfool", {"candidates": 4, "steps": 50}).run(model, x, y)
    attack = fb.attacks.L2DeepFoolAttack(steps=50, candidates=4, overshoot=0.02)
    _, theirs, success = attack(fmodel, x, y, epsilons=None)
    assert ours.success.all() and success.all()
    ours_l2 = torch.tensor(perturbation_norms(x, ours.x_adv)["l2"]).median()
    theirs_l2 = exportable_l2(model, x, theirs, y).median()
    assert ours_l2 <= 1.1 * theirs_l2


def test_cw_median_l2_within_10_percent_of_foolbox(model, four, fmodel):
    import foolbox as fb

    x, y = four
    params = {
        "binary_search_steps": 2,
        "steps": 10,
        "learning_rate": 0.01,
        "initial_const": 1.0,
        "confidence": 0.0,
        "abort_early": False,
    }
    ours = make_attack("cw", params).run(model, x, y)
    attack = fb.attacks.L2CarliniWagnerAttack(
        binary_search_steps=2, steps=10, stepsize=0.01, initial_const=1.0, confidence=0.0, abort_early=False
    )
    _, theirs, success = attack(fmodel, x, y, epsilons=None)
    assert ours.success.all() and success.all()
    ours_l2 = torch.tensor(perturbation_norms(x, ours.x_adv)["l2"]).median()
    theirs_l2 = exportable_l2(model, x, theirs, y).median()
    assert ours_l2 <= 1.1 * theirs_l2
