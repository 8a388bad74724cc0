"""The evaluation job: :func:`inspector.core.evaluation.evaluate` on a worker thread.

It reports the core's :class:`~inspector.core.evaluation.Progress` as it comes and,
after each batch, the result so far (a :class:`Partial`), summarised from the
records the core has flushed to the output folder, so the curve fills in live.
"""

from __future__ import annotations

import json
import tempfile
from dataclasses import dataclass, replace
from pathlib import Path

from inspector.core.evaluation import EvaluationConfig, EvaluationResult, Progress, default_batch_size, evaluate
from inspector.core.evaluation.records import RESULTS
from inspector.core.evaluation.result import summarize
from inspector.core.models.loading import load_model
from inspector.gui.jobs import Job


@dataclass
class Partial:
    """The result over the images finished so far, while the evaluation goes on."""

    result: EvaluationResult


def read_records(folder: Path) -> list[dict]:
    """The records flushed to ``folder`` so far (a line being written is left out)."""
    path = folder / RESULTS
    if not path.is_file():
        return []
    records = []
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            records.append(json.loads(line))
        except json.JSONDecodeError:
            break
    return records


def evaluate_job(job: Job, config: EvaluationConfig) -> EvaluationResult:
    """Run ``config`` (in a new temporary folder when it has none), reporting progress and partial results;
    the examples of a finished run get their maps (where the model looks) for the report."""
    if config.out is None:
        config = replace(config, out=tempfile.mkdtemp(prefix="inspector-evaluation-"))
    model = load_model(config.model, config.device, weights=config.weights, trust_code=config.trust_model_code)
    batch_size = config.batch_size or default_batch_size(model)

    def on_progress(progress: Progress) -> None:
        job.report(progress)
        if progress.stage.endswith(" done"):
            records = read_records(Path(config.out))
            # summarize takes the samples for their number only: the images finished so far
            job.report(
                Partial(
                    summarize(
                        config,
                        model,
                        [None] * progress.images_done,
                        records,
                        stopped=False,
                        examples=[],
                        versions={},
                        batch_size=batch_size,
                    )
                )
            )

    result = evaluate(config, model=model, on_progress=on_progress, should_stop=job.cancelled)
    if not result.stopped:
        from inspector.core.explain.examples import add_maps

        add_maps(result.examples, model)  # for the report: where the model looks on the examples
    return result
