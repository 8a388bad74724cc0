"""The one entry point of whole-dataset evaluation, :func:`evaluate`, for the CLI and the GUI.

    config = EvaluationConfig(data="mnist-heldout", model="mnist-standard", attacks=["pgd"], limit=100)
    result = evaluate(config, on_progress=print)
    print(result.to_dict()["robust"])

Images run in fixed batches (batch b is images b*B .. b*B+B-1), one attack run per batch and
unit, so a resumed evaluation attacks exactly the batches an uninterrupted one would and gives
the same numbers. Each run's records are flushed before the next starts.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

import torch

from inspector.core.attacks.base import StopCheck
from inspector.core.defenses import Pipeline, defense_from_spec
from inspector.core.evaluation.batches import BatchRun
from inspector.core.evaluation.certified_records import certify_images, smoothing_of, write_curve
from inspector.core.evaluation.config import EvaluationConfig, budgets, check_attacks
from inspector.core.evaluation.data import load_dataset
from inspector.core.evaluation.distributed import run_on_ray
from inspector.core.evaluation.plan import make_plan
from inspector.core.evaluation.records import RecordStore, check_folder_before, saved_config
from inspector.core.evaluation.result import EvaluationResult, summarize
from inspector.core.evaluation.versions import versions
from inspector.core.models.classifier import Classifier
from inspector.core.models.loading import load_model
from inspector.core.util.bounds import MAX_BATCH, MAX_COUNT, MAX_EOT_SAMPLES, check_count
from inspector.core.util.errors import ParameterError
from inspector.core.util.threads import intra_op_threads

#: Values per batch the default batch size aims at (a power of two, 1 to 128 images).
BATCH_VALUES = 4_000_000


@dataclass
class Progress:
    """Reported before each attack run and after each batch: ``images_done`` of ``images_total`` are
    finished, ``stage`` says what runs now (``"images 1-128: pgd eps 4/255"``) or what is done;
    ``within_batch`` is how many images' worth of the running batch is done (its attack runs done
    times its size over their number), so that a progress bar moves between batches."""

    images_done: int
    images_total: int
    stage: str
    within_batch: float = 0.0


def default_batch_size(model: Classifier) -> int:
    """A power of two from 1 to 128 images, about 4 million input values per batch (128 MNIST digits, 16 photos)."""
    pixels = model.channels * model.input_size[0] * model.input_size[1]
    return int(min(128, max(1, 2 ** math.floor(math.log2(max(1, BATCH_VALUES // pixels))))))


def evaluate(
    config: EvaluationConfig,
    *,
    model: Classifier | None = None,
    on_progress: Callable[[Progress], None] | None = None,
    should_stop: StopCheck | None = None,
) -> EvaluationResult:
    """Evaluate ``config``: clean and robust accuracy over the data set, with the sanity checks; with
    ``config.smoothing``, after the attacks, each image's randomized-smoothing certificate and the
    certified-accuracy curve (also written to the output folder once complete, ``certified.json``).

    ``model`` reuses a loaded classifier. The attacks run with ``config.threads`` CPU threads
    (default: the count recorded when resuming, else torch's current one), which the result's
    config and the manifest record. ``should_stop()`` is checked within each attack
    iteration; once it is True the attack run in progress is dropped (nothing half-done is
    recorded) and the result comes back with ``stopped`` set. An image that cannot be read,
    or on which an attack fails, gets an error record and the evaluation goes on.

    Raises:
        ParameterError: bad attacks, budgets, defences or smoothing settings; ``adaptive`` without defences; a batch size,
            limit, sanity subset or EOT count out of range (:func:`check_counts`);
            resuming a folder of another configuration, or one whose manifest or records are malformed.
        ImageError, ClassNameError: the data set is missing or its labels unknown to the model.
        ModelError, DeviceError, ExportError.
    """
    check_folder_before(config.out, config.resume)  # a bad --out fails before the model loads
    config = with_threads(config)
    assert config.threads is not None  # with_threads sets it
    with intra_op_threads(config.threads):
        return _evaluate(config, model, on_progress, should_stop)


def with_threads(config: EvaluationConfig) -> EvaluationConfig:
    """``config`` with its thread count set: as given, else the one recorded in ``out`` when
    resuming, else torch's current count."""
    saved = saved_config(config.out) if config.resume else None
    threads = config.threads or (saved or {}).get("threads") or torch.get_num_threads()
    return dataclasses.replace(config, threads=threads)


def check_counts(config: EvaluationConfig) -> None:
    """Raises ParameterError, naming the setting, for a batch size outside 1..MAX_BATCH, an EOT count
    outside 1..1000, or a limit or sanity subset outside 1..MAX_COUNT."""
    for name, value, maximum in (
        ("--batch-size", config.batch_size, MAX_BATCH),
        ("--limit", config.limit, MAX_COUNT),
        ("--sanity-images", config.sanity_images, MAX_COUNT),
        ("--eot-samples", config.eot_samples, MAX_EOT_SAMPLES),
    ):
        if value is not None:
            check_count(value, name, maximum=maximum)


def _evaluate(config: EvaluationConfig, model: Classifier | None, on_progress, should_stop) -> EvaluationResult:
    budgets(config)
    check_attacks(config)
    pipeline = Pipeline([defense_from_spec(s) for s in config.defenses])
    if config.adaptive and not pipeline.defenses:
        raise ParameterError("an adaptive evaluation needs at least one defence (e.g. --defense jpeg:quality=75)")
    check_counts(config)
    smoothing = None if config.smoothing is None else smoothing_of(config.smoothing)
    clf = (
        model
        if model is not None
        else load_model(config.model, config.device, weights=config.weights, trust_code=config.trust_model_code)
    )
    pixels = clf.channels * clf.input_size[0] * clf.input_size[1]
    plan = make_plan(config, pixels)
    for unit in plan:
        unit.build(config).check_model(clf)
    samples = load_dataset(config.data, clf, config.limit)
    batch_size = config.batch_size or default_batch_size(clf)
    # the batch size that runs, not the option: the random starts depend on the batches
    store = RecordStore(
        config.out,
        {
            "config": config.fingerprint() | {"batch_size": batch_size},
            "versions": versions(config, clf),
            "device": str(clf.device),
        },
        resume=config.resume,
        classes=len(clf.class_names),
    )
    run = BatchRun(config, clf, pipeline, store, should_stop)

    def report(done: int, stage: str, within_batch: float = 0.0) -> None:
        if on_progress is not None:
            on_progress(Progress(done, len(samples), stage, within_batch))

    def report_stage(done: int, images: str, size: int, stage: str, part: float) -> None:
        report(done, f"{images}: {stage}", part * size)

    try:
        if config.ray is not None:
            run_on_ray(run, samples, plan, batch_size, report)
        for start in range(0, len(samples), batch_size) if config.ray is None else ():
            batch = list(enumerate(samples[start : start + batch_size], start))
            images, size = f"images {start + 1}-{start + len(batch)}", len(batch)
            run.batch(batch, plan, partial(report_stage, start, images, size))
            if run.stopped:
                break
            report(start + len(batch), f"{images} done")
        if smoothing is not None and not run.stopped:
            run.stopped = certify_images(
                clf,
                samples,
                smoothing,
                store,
                should_stop,
                lambda i: report(len(samples), f"certifying image {i + 1} of {len(samples)} (randomized smoothing)"),
            )
    finally:
        store.close()
    if not run.stopped:
        run.fill_examples(samples, plan)
    result = summarize(
        config,
        clf,
        samples,
        store.records,
        stopped=run.stopped,
        examples=run.examples,
        versions=versions(config, clf),
        batch_size=batch_size,
    )
    if result.certified is not None and config.out is not None and not result.stopped:
        write_curve(config.out, result.certified)
    return result
