"""The minimal-norm attacks JSMA (L0) and L-BFGS (L2) on real data: held-out MNIST digits
with the shipped mnist-standard model, and photos with the pretrained ImageNet model.

Each test attacks inputs the model gets right and checks success with the norm
the attack is meant to keep small, read on the exported 8-bit image.
"""

import pytest
import torch

from inspector.core.attacks import ATTACKS, make_attack
from inspector.core.attacks.jsma import select_pair
from inspector.core.util.metrics import perturbation_norms


@pytest.fixture(scope="module")
def digits(mnist_digits):
    """The first 12 held-out digits the model classifies correctly."""
    x, y = mnist_digits
    return x[:12], y[:12]


def test_both_are_minimal_norm_attacks():
    assert ATTACKS["jsma"].minimal and ATTACKS["lbfgs"].minimal
    jsma = make_attack("jsma", {})
    assert (jsma.theta, jsma.gamma, jsma.output) == (1.0, 0.145, "probabilities")


def test_pair_search_is_exact_on_real_gradients(mnist_model, digits):
    x, y = digits
    xa = x[:4].clone().requires_grad_(True)
    logits = mnist_model(xa)
    target = (y[:4] + 1) % 10
    (alpha,) = torch.autograd.grad(logits.gather(1, target[:, None]).sum(), xa, retain_graph=True)
    (total,) = torch.autograd.grad(logits.sum(), xa)
    alpha, beta = alpha.flatten(1), (total - alpha).flatten(1)
    generator = torch.Generator().manual_seed(0)
    for a, b in zip(alpha, beta, strict=True):
        domain = torch.rand(784, generator=generator) < 0.8
        for sign in (1.0, -1.0):
            pa, pb = a[:, None] + a[None, :], b[:, None] + b[None, :]
            valid = (sign * pa > 0) & (sign * pb < 0) & domain[:, None] & domain[None, :]
            valid.fill_diagonal_(False)
            best = (-pa * pb).masked_fill(~valid, float("-inf")).max()
            p, q = select_pair(a, b, domain, sign > 0, 1000)
            assert p != q and domain[p] and domain[q] and valid[p, q]
            assert torch.isclose(-pa[p, q] * pb[p, q], best)


def test_jsma_reaches_the_target_changing_few_pixels(mnist_model, digits):
    x, y = digits
    target = (y + 1) % 10
    steps = []
    result = make_attack("jsma", {"output": "probabilities"}).run(
        mnist_model, x, y, target=target, on_step=steps.append
    )
    norms = perturbation_norms(x, result.x_adv)
    l0 = torch.tensor(norms["l0"])
    assert result.success.float().mean() >= 0.9
    assert torch.equal(result.logits.argmax(1)[result.success], target[result.success])
    # the budget: at most gamma = 14.5 % of the 784 pixels, two per iteration
    assert l0.max() <= int(0.145 * 784 / 2) * 2
    assert l0[result.success].float().median() <= 0.1 * 784
    delta = result.x_adv - x
    assert (delta >= 0).all()  # theta = +1 only raises pixels ...
    assert torch.allclose(result.x_adv[delta > 0], torch.ones(1))  # ... to white
    # one gradient per iteration: the probabilities sum to 1, so beta is minus alpha
    assert len(steps) == result.iterations and result.gradient_evaluations == result.iterations
    assert steps[-1].success.sum() == result.success.sum()


def test_jsma_untargeted_and_decreasing(mnist_model, digits):
    x, y = digits[0][:6], digits[1][:6]
    result = make_attack("jsma", {"theta": -1, "gamma": 0.2}).run(mnist_model, x, y)
    assert result.success.float().mean() >= 0.8
    assert ((result.x_adv - x) <= 0).all()
    l0 = torch.tensor(perturbation_norms(x, result.x_adv)["l0"])
    assert l0.max() <= 0.2 * 784


def test_jsma_on_a_photo_changes_a_hundred_values(model, correct_batch):
    # 224 x 224 x 3 = 150,528 features: the pair search stays exact through its pruning;
    # each iteration costs two gradients of the photo, so the budget is kept to 75 iterations
    x, y = correct_batch[0][:1], correct_batch[1][:1]
    result = make_attack("jsma", {"gamma": 0.001, "output": "probabilities"}).run(model, x, y)
    assert result.success.all()
    assert perturbation_norms(x, result.x_adv)["l0"][0] <= 0.001 * x.numel()  # 150 values


def test_lbfgs_untargeted_finds_small_l2(mnist_model, digits):
    x, y = digits[0][:4], digits[1][:4]
    steps = []
    result = make_attack("lbfgs", {"search_steps": 6, "steps": 50}).run(mnist_model, x, y, on_step=steps.append)
    l2 = torch.tensor(perturbation_norms(x, result.x_adv)["l2"])
    assert result.success.all() and result.loss == "log-odds"
    assert len(steps) == 6 and result.iterations == 6
    # well under PGD's Linf 0.3 ball's corner (0.3 * 28 = 8.4) and the digits' own norm
    assert l2.max() < 3.0
    assert (l2 < x.flatten(1).norm(dim=1) / 2).all()
    assert ((result.x_adv >= 0) & (result.x_adv <= 1)).all()


def test_lbfgs_search_over_c_shrinks_the_perturbation(mnist_model, digits):
    x, y = digits[0][4:7], digits[1][4:7]
    target = (y + 3) % 10
    one = make_attack("lbfgs", {"search_steps": 1, "steps": 50}).run(mnist_model, x, y, target=target)
    more = make_attack("lbfgs", {"search_steps": 6, "steps": 50}).run(mnist_model, x, y, target=target)
    assert one.success.all() and more.success.all()
    l2_one = torch.tensor(perturbation_norms(x, one.x_adv)["l2"])
    l2_more = torch.tensor(perturbation_norms(x, more.x_adv)["l2"])
    assert (l2_more <= l2_one + 1e-6).all() and (l2_more < 0.8 * l2_one).any()


def test_lbfgs_on_a_photo(model, correct_batch):
    x, y = correct_batch[0][:1], correct_batch[1][:1]
    result = make_attack("lbfgs", {"search_steps": 4, "steps": 20}).run(model, x, y)
    assert result.success.all()
    # below a 1-grey-level Linf step over the whole photo (sqrt(150528) / 255 = 1.52)
    assert perturbation_norms(x, result.x_adv)["l2"][0] < 1.52


@pytest.mark.parametrize("name, params", [("jsma", {}), ("lbfgs", {"steps": 10})])
def test_cancel_keeps_the_work_done(mnist_model, digits, name, params):
    x, y = digits[0][:3], digits[1][:3]
    steps = []
    result = make_attack(name, params).run(mnist_model, x, y, on_step=steps.append, should_stop=lambda: len(steps) >= 2)
    assert result.cancelled and result.iterations == 2 and len(steps) == 2
    assert ((result.x_adv - x).abs() > 0.5 / 255).flatten(1).sum(1).max() <= (4 if name == "jsma" else 784)
