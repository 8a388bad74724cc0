"""Neural Cleanse (Wang, Yao, Shan, Li, Viswanath, Zheng and Zhao 2019, "Neural
Cleanse: Identifying and Mitigating Backdoor Attacks in Neural Networks", IEEE S&P).

For each class t, reverse-engineer the smallest trigger that sends clean
images there:

    min_{m, p}  CE(f((1 - m) * x + m * p), t) + lambda_t * |m|_1

with the mask m = sigmoid(a) (H, W) and pattern p = sigmoid(b) (C, H, W)
optimised by Adam over batches of clean images. lambda_t starts at
``init_cost`` and adapts as in the paper: after ``patience`` steps at or
above the target success ``asr`` it is multiplied by 1.5, after ``patience``
steps below it divided by 1.5^1.5. The result per class is the smallest
mask L1 seen with success >= ``asr``.

A backdoor's target needs a much smaller trigger than the other classes.
Outlier test: with the L1 norms l_k, their median and MAD (median absolute
deviation, times 1.4826 for a normal distribution's consistency), the
anomaly index of class k is |l_k - median| / MAD; a class with l_k below the
median and an index above 2 is flagged (Wang et al., section IV-C).

All classes are optimised together, one batch of K x B stamped images per step,
so it works on any model the product loads whose logits have an input gradient.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import torch
import torch.nn.functional as F

from inspector.core.poisoning.model_scan import CleanseSettings
from inspector.core.poisoning.triggers import Trigger
from inspector.core.util.errors import ModelError, ParameterError

#: The MAD consistency constant for normally distributed values.
MAD_SCALE = 1.4826
#: The anomaly index above which a class is flagged (Wang et al. 2019).
THRESHOLD = 2.0


@dataclass
class CleanseResult:
    """Per class k: the reconstructed trigger, its mask's L1 norm, its success on the batch, anomaly index.

    ``flagged`` lists the classes whose index exceeds :data:`THRESHOLD` on the small side.
    """

    triggers: list[Trigger]
    l1: list[float]
    success: list[float]
    anomaly_index: list[float]
    flagged: list[int]
    seconds: float
    finished: bool = True
    class_names: list[str] = field(default_factory=list)

    def to_dict(self) -> dict:
        return {
            "classes": [
                {
                    "class": k,
                    "name": self.class_names[k] if self.class_names else str(k),
                    "mask_l1": round(self.l1[k], 3),
                    "attack_success": round(self.success[k], 4),
                    "anomaly_index": round(self.anomaly_index[k], 3),
                    "flagged": k in self.flagged,
                }
                for k in range(len(self.l1))
            ],
            "flagged": self.flagged,
            "threshold": THRESHOLD,
            "seconds": round(self.seconds, 1),
            "finished": self.finished,
        }


def anomaly_indices(l1: list[float]) -> tuple[list[float], list[int]]:
    """The MAD anomaly index of each norm, and the classes flagged (below the median, index > 2)."""
    values = torch.tensor(l1, dtype=torch.float64)
    median = values.median()
    mad = MAD_SCALE * (values - median).abs().median()
    index = ((values - median).abs() / mad) if mad > 0 else torch.zeros_like(values)
    flagged = [k for k in range(len(l1)) if values[k] < median and index[k] > THRESHOLD]
    return index.tolist(), flagged


def neural_cleanse(
    model: torch.nn.Module,
    x_clean: torch.Tensor,
    settings: CleanseSettings | None = None,
    *,
    classes: list[int] | None = None,
    on_progress: Callable[[int, int], None] | None = None,
    should_stop: Callable[[], bool] | None = None,
) -> CleanseResult:
    """Reconstruct a minimal trigger for every class of ``model`` and test them for an outlier.

    x_clean (N, C, H, W) in [0, 1]: clean images of the model's input shape (a few hundred suffice).
    ``on_progress(step, steps)`` after each step; ``should_stop()`` ends early (``finished`` False).

    Raises:
        ParameterError: a bad setting, or fewer than 2 clean images.
        ModelError: the model's logits have no gradient with respect to the input.
    """
    settings = settings or CleanseSettings()
    settings.check()
    if len(x_clean) < 2:
        raise ParameterError("Neural Cleanse needs clean images of the model's input: give at least 2")
    if getattr(model, "has_input_gradient", True) is False:
        raise ModelError(
            f"model {getattr(model, 'name', '')} has no input gradient: Neural Cleanse optimises "
            "a trigger by gradient descent and cannot scan it"
        )
    start = time.perf_counter()
    device = x_clean.device
    with torch.no_grad():
        num_classes = model(x_clean[:2]).shape[1]
    classes = list(range(num_classes)) if classes is None else classes
    k, (c, h, w) = len(classes), x_clean.shape[1:]
    gen = torch.Generator().manual_seed(settings.seed)
    mask_logit = (torch.rand(k, 1, h, w, generator=gen) * 0.2 - 2).to(device).requires_grad_()
    pattern_logit = (torch.rand(k, c, h, w, generator=gen) * 2 - 1).to(device).requires_grad_()
    optimizer = torch.optim.Adam([mask_logit, pattern_logit], lr=settings.lr, betas=(0.5, 0.9))
    cost = torch.full((k,), settings.init_cost, device=device)
    above, below = torch.zeros(k, dtype=torch.long), torch.zeros(k, dtype=torch.long)
    best_l1 = torch.full((k,), math.inf)
    best_success = torch.zeros(k)
    best_mask = torch.sigmoid(mask_logit.detach()).cpu()
    best_pattern = torch.sigmoid(pattern_logit.detach()).cpu()
    targets = torch.tensor(classes, device=device)
    finished = True
    for step in range(settings.steps):
        if should_stop is not None and should_stop():
            finished = False
            break
        xb = x_clean[torch.randint(len(x_clean), (settings.batch_size,), generator=gen).to(device)]
        mask, pattern = torch.sigmoid(mask_logit), torch.sigmoid(pattern_logit)
        stamped = (1 - mask[:, None]) * xb[None] + mask[:, None] * pattern[:, None]  # (K, B, C, H, W)
        logits = model(stamped.reshape(-1, c, h, w)).reshape(k, settings.batch_size, -1)
        ce = F.cross_entropy(
            logits.transpose(1, 2), targets[:, None].expand(k, settings.batch_size), reduction="none"
        ).mean(1)
        l1 = mask.sum((1, 2, 3))
        loss = (ce + cost * l1).sum()
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
        with torch.no_grad():
            success = (logits.argmax(2) == targets[:, None]).float().mean(1).cpu()
            l1 = l1.detach().cpu()
            reached = success >= settings.asr
            better = reached & (l1 < best_l1)
            best_l1[better], best_success[better] = l1[better], success[better]
            best_mask[better], best_pattern[better] = mask.detach().cpu()[better], pattern.detach().cpu()[better]
            above = torch.where(reached, above + 1, torch.zeros_like(above))
            below = torch.where(reached, torch.zeros_like(below), below + 1)
            raise_cost = (above >= settings.patience).to(device)
            lower_cost = (below >= settings.patience).to(device)
            cost = torch.where(raise_cost, cost * 1.5, torch.where(lower_cost, cost / 1.5**1.5, cost))
            above[raise_cost.cpu()] = 0
            below[lower_cost.cpu()] = 0
        if on_progress is not None:
            on_progress(step + 1, settings.steps)
    # a class never reached the target success: its trigger is the whole image, as large as it gets
    l1s = [float(v) if math.isfinite(v) else float(h * w) for v in best_l1.tolist()]
    index, flagged = anomaly_indices(l1s)
    triggers = [
        Trigger(
            "reconstructed",
            best_mask[i, 0],
            best_pattern[i],
            f"Neural Cleanse trigger for class {classes[i]}, mask L1 {l1s[i]:.1f}",
        )
        for i in range(k)
    ]
    names = list(getattr(model, "class_names", []) or [])
    return CleanseResult(
        triggers,
        l1s,
        best_success.tolist(),
        index,
        [classes[i] for i in flagged],
        time.perf_counter() - start,
        finished,
        [names[i] for i in classes] if names else [],
    )
