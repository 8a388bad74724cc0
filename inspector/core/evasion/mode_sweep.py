"""One black-box attack under every output mode: does concealing the scores stop it, or only slow it?

:func:`sweep_modes` runs a query attack (Square, HopSkipJump) on the same
images once per output mode (:data:`MODES`: full, rounded, top-1 score, noisy
probabilities, top-1 label only) and returns one :class:`ModeRow` per mode:
successes with their Wilson 95 % interval, the median queries and norms of the
successes, or the one-line reason the attack cannot run in that mode (a
score-based attack against a label-only oracle). The output modes follow ART's
output postprocessors; see :mod:`inspector.core.concealment.outputs`.
:func:`held_out_digits` gives shipped held-out MNIST digits to run it on.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass

import torch

from inspector.core.concealment import Concealment
from inspector.core.concealment.outputs import output_mode_from_spec
from inspector.core.evaluation.data import load_dataset
from inspector.core.evaluation.stats import wilson_interval
from inspector.core.models.classifier import Classifier
from inspector.core.util.errors import ParameterError
from inspector.core.util.metrics import perturbation_norms

#: The output modes compared, as specs: full, rounded to 2 decimals, top-1 score, noisy (sigma 0.01), label only.
MODES = ("probabilities", "rounded:decimals=2", "topk:k=1", "noisy:sigma=0.01", "label")


@dataclass
class ModeRow:
    """One attack under one output mode.

    Attributes:
        mode: the output mode's spec as given (``"topk:k=1"``); ``title`` its description.
        n: images attacked.
        success: images fooled (0 when it cannot run); ``low``, ``high`` the Wilson 95 % interval
            of ``success / n``, in [0, 1].
        queries: median queries of the successful images (NaN: none succeeded).
        l2, linf: median L2 and Linf norms of the successful perturbations, in [0, 1] pixel units (NaN: none).
        seconds: the run's compute time on this machine, in seconds.
        cannot_run: the one-line reason the attack refuses this mode, or None when it ran.
        cancelled: the run was cancelled part way (its figures cover what it finished).
    """

    mode: str
    title: str
    n: int
    success: int = 0
    low: float = 0.0
    high: float = 1.0
    queries: float = float("nan")
    l2: float = float("nan")
    linf: float = float("nan")
    seconds: float = 0.0
    cannot_run: str | None = None
    cancelled: bool = False

    @property
    def ran(self) -> bool:
        return self.cannot_run is None


def sweep_modes(
    attack,
    model: torch.nn.Module,
    x: torch.Tensor,
    y: torch.Tensor,
    modes=MODES,
    *,
    on_mode: Callable[[int, str], None] | None = None,
    on_step=None,
    should_stop: Callable[[], bool] | None = None,
) -> list[ModeRow]:
    """Run ``attack`` on ``x`` (N, C, H, W) in [0, 1] with true labels ``y`` (N,) once per output mode.

    Args:
        attack: a :class:`~inspector.core.attacks.query.QueryAttack` (Square, HopSkipJump).
        model: the classifier, (M, C, H, W) -> logits (M, K).
        modes: output-mode specs (default :data:`MODES`).
        on_mode: called with (index, spec) before each mode's run.
        on_step, should_stop: passed to each run (progress, cancel). Once ``should_stop()``
            is true the current run ends early (its row has ``cancelled``) and later modes are skipped.

    Returns:
        One :class:`ModeRow` per mode run or refused, in the order of ``modes``.

    Raises:
        ParameterError: a bad output-mode spec.
    """
    rows = []
    for index, spec in enumerate(modes):
        if should_stop is not None and should_stop():
            break
        output = output_mode_from_spec(spec)
        if on_mode is not None:
            on_mode(index, spec)
        start = time.perf_counter()
        try:
            result = attack.run(
                model,
                x,
                y,
                on_step=on_step,
                should_stop=should_stop,
                oracle=attack.oracle(model, x.shape[0], Concealment(output)),
            )
        except ParameterError as exc:  # a score-based attack under label-only refuses in one line
            rows.append(ModeRow(spec, output.describe(), len(x), cannot_run=str(exc)))
            continue
        rows.append(_row(spec, output.describe(), x, result, time.perf_counter() - start))
    return rows


def _row(spec: str, title: str, x: torch.Tensor, result, seconds: float) -> ModeRow:
    ok = result.success.cpu().tolist()
    norms = perturbation_norms(x.cpu(), result.x_adv.cpu())
    hits = sum(ok)
    low, high = wilson_interval(hits, len(ok))

    def median(values):
        kept = [v for v, s in zip(values, ok, strict=True) if s]
        return float(statistics.median(kept)) if kept else float("nan")

    return ModeRow(
        spec,
        title,
        len(ok),
        hits,
        low,
        high,
        median(result.oracle.queries),
        median(norms["l2"]),
        median(norms["linf"]),
        seconds,
        cancelled=result.cancelled,
    )


def held_out_digits(model: Classifier, n: int) -> tuple[torch.Tensor, torch.Tensor]:
    """The first ``n`` shipped held-out MNIST digits (test-set indices 8,000 on, which no shipped model
    trained on) that ``model`` classifies correctly: images (n, 1, H, W) in [0, 1] at the model's
    input size and labels (n,) long; fewer if the 2,000 hold fewer.

    Raises:
        ImageError: ``model`` does not take grey digits 0-9.
    """
    samples = load_dataset("mnist-heldout", model)
    x = torch.cat([s.load(model) for s in samples]).to(model.device)
    y = torch.tensor([s.label for s in samples], device=model.device)
    with torch.no_grad():
        ok = torch.cat([model(batch).argmax(1) for batch in x.split(500)]) == y
    keep = ok.nonzero().flatten()[:n]
    return x[keep], y[keep]
