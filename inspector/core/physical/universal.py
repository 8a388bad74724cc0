"""The universal-perturbation loop (see :mod:`inspector.core.physical.uap` for the attack, its
parameters and its paper)."""

from __future__ import annotations

import torch

from inspector.core.attacks.base import Step
from inspector.core.attacks.norms import project
from inspector.core.physical.result import OFFSET, PhysicalResult, fingerprints
from inspector.core.util.errors import ParameterError

#: Classes DeepFool considers at each step: the model's top ones on the clean image.
CANDIDATES = 10


def make_universal(attack, model, x, y, *, target=None, on_step=None, should_stop=None):
    """Run the UAP ``attack`` (its parameters) as :meth:`PhysicalAttack.run` describes.

    Raises:
        ParameterError: a target (it is untargeted), or fewer than ``attack.min_images`` images.
    """
    if target is not None:
        raise ParameterError("uap is untargeted: it changes each image's class, not to one target")
    if x.shape[0] < attack.min_images:
        raise ParameterError(f"uap needs at least {attack.min_images} images to make one perturbation for all")
    x = (x.detach() * 255).round() / 255
    with torch.no_grad():
        clean = model(x).argmax(1)
    generator = torch.Generator().manual_seed(attack.seed)
    v = torch.zeros_like(x[:1])
    best, best_rate, passes, cancelled = v, 0.0, 0, False
    for p in range(attack.passes):
        for i in torch.randperm(x.shape[0], generator=generator).tolist():
            if should_stop is not None and should_stop():
                cancelled = True
                break
            xi = (x[i : i + 1] + v).clamp(0.0, 1.0)
            with torch.no_grad():
                fooled = bool(model(xi).argmax(1) != clean[i])
            if not fooled:
                change = _deepfool(model, xi, clean[i], attack.norm, attack.deepfool_steps, attack.overshoot)
                v = project(v + change, attack.norm, attack.eps)
        with torch.no_grad():
            logits = model(_quantised(attack, x, v))
            success = logits.argmax(1) != clean
        rate = float(success.float().mean())
        if rate >= best_rate:
            best, best_rate = v, rate
        if cancelled:
            break
        passes = p + 1
        if on_step is not None:
            loss = -logits.log_softmax(1).gather(1, clean.view(-1, 1))[:, 0]
            on_step(Step(passes, attack.passes, loss, logits.softmax(1), _quantised(attack, x, v), success))
        if rate >= attack.fooling_goal:
            break
    return PhysicalResult(
        pattern=_pattern(attack, best),
        mask=torch.ones(1, *x.shape[-2:]).to(x),
        additive=True,
        made_on=fingerprints(x),
        iterations=passes,
        cancelled=cancelled,
        train_success=best_rate,
    )


def _pattern(attack, v: torch.Tensor) -> torch.Tensor:
    """v as 8-bit levels about :data:`OFFSET`, within eps (Linf) after the rounding."""
    levels = (v[0] * 255).round()
    if attack.norm == "linf":
        bound = float(torch.floor(torch.tensor(attack.eps * 255 + 1e-4)))
        levels = levels.clamp(-bound, bound)
    return ((levels + 128).clamp(0, 255)) / 255


def _quantised(attack, x: torch.Tensor, v: torch.Tensor) -> torch.Tensor:
    """The images with v as it will be saved."""
    return (x + (_pattern(attack, v) - OFFSET)).clamp(0.0, 1.0)


def _deepfool(model, x: torch.Tensor, label: torch.Tensor, norm: str, steps: int, overshoot: float) -> torch.Tensor:
    """DeepFool's change (1, C, H, W) that moves ``x`` (1, C, H, W) off class ``label``, in ``norm``:
    each step linearises the logit differences to the top :data:`CANDIDATES` classes and crosses the
    nearest boundary; the sum of steps, times 1 + ``overshoot``, is returned (zero if none helps)."""
    with torch.no_grad():
        logits = model(x)[0]
    candidates = logits.topk(min(CANDIDATES, logits.numel())).indices
    candidates = candidates[candidates != label]
    total = torch.zeros_like(x)
    for _ in range(steps):
        point = (x + (1 + overshoot) * total).clamp(0.0, 1.0).requires_grad_(True)
        logits = model(point)[0]
        if logits.argmax() != label:
            break
        differences = logits[candidates] - logits[label]
        grads = torch.stack(
            [torch.autograd.grad(d, point, retain_graph=True)[0][0] for d in differences]
        )  # (K, C, H, W)
        flat = grads.flatten(1)
        size = flat.norm(dim=1) if norm == "l2" else flat.abs().sum(dim=1)
        distance = differences.detach().abs() / size.clamp(min=1e-12)
        k = int(distance.argmin())
        if norm == "l2":
            step = (distance[k] + 1e-4) * grads[k] / size[k].clamp(min=1e-12)
        else:
            step = (distance[k] + 1e-4) * grads[k].sign()
        total = total + step.unsqueeze(0)
    return (1 + overshoot) * total
