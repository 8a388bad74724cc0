"""C&W's fast defaults do not weaken it: on real MNIST digits they reach nearly the L2 of a search with ten
times their steps and more than twice their values of c (the paper preset itself, 9 x 10,000 steps at the
paper's learning rate, takes minutes per digit: see bench/attack_defaults.py --preset paper)."""

import torch

from inspector.core.attacks import make_attack
from inspector.core.util.metrics import perturbation_norms

#: The defaults' median L2 may be this much above the long search's (measured on 10 digits: 1.653 vs 1.625).
BOUND = 1.05


def test_cw_defaults_reach_the_l2_of_a_ten_times_longer_search(mnist_model, mnist_digits):
    x, y = mnist_digits[0][:6], mnist_digits[1][:6]
    fast = make_attack("cw", {})
    default = fast.run(mnist_model, x, y)
    long = make_attack("cw", {"binary_search_steps": 9, "steps": 1000}).run(mnist_model, x, y)
    assert default.success.all() and long.success.all()
    ours = torch.tensor(perturbation_norms(x, default.x_adv)["l2"]).median()
    reference = torch.tensor(perturbation_norms(x, long.x_adv)["l2"]).median()
    assert ours <= BOUND * reference, f"median L2 {ours:.3f} vs {reference:.3f} after the long search"
    assert default.gradient_evaluations <= fast.planned_cost(tuple(x.shape[1:]))[0] < long.gradient_evaluations
