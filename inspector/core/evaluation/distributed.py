"""Spreading an evaluation's batches over Ray workers (Moritz et al. 2018, arXiv:1712.05889).

The driver (this process) loads each batch's images and keeps the records; each Ray actor
loads the model once and runs whole batches, under the evaluation's recorded thread count.
Batches are the local run's (images b*B .. b*B+B-1) and an attack's random draws are seeded
per batch, i.e. by the images' positions, never by the worker, so the records are the local
run's whichever worker runs a batch and in whatever order they finish. Images travel as
tensors, so the data set need only be readable here; a model file must be readable at the
same path on every node, and every node needs the same package versions.
"""

from __future__ import annotations

import dataclasses
import logging
import socket
from collections import defaultdict
from collections.abc import Callable
from typing import Any

import torch

from inspector.core.defenses import Pipeline, defense_from_spec
from inspector.core.evaluation.batches import MAX_EXAMPLES, BatchRun
from inspector.core.evaluation.config import EvaluationConfig
from inspector.core.evaluation.data import Sample
from inspector.core.evaluation.plan import Unit, make_plan
from inspector.core.evaluation.records import RecordStore
from inspector.core.models.loading import load_model
from inspector.core.util.errors import ImageError, ModelError, ParameterError
from inspector.core.util.messages import one_line

#: Seconds between checks of ``should_stop`` while batches run.
POLL_S = 0.5
#: Seconds to wait for a cluster address to take a connection.
CONNECT_TIMEOUT_S = 5


def connect(address: str):
    """The ``ray`` module, connected: ``"local"`` starts Ray here unless it already runs; else ``address``.

    Raises:
        ParameterError: the cluster cannot be reached.
    """
    import ray  # imported here only: a 240 MB package few runs need

    if not ray.is_initialized():
        _check_reachable(address)
        try:
            ray.init(
                address=None if address == "local" else address,
                include_dashboard=False,
                log_to_driver=False,
                logging_level=logging.ERROR,
                configure_logging=True,
            )
        except (ConnectionError, RuntimeError, ValueError) as exc:
            raise ParameterError(f"cannot reach the Ray cluster at {address!r}: {one_line(exc)}") from None
    return ray


def _check_reachable(address: str) -> None:
    """Fail at once, not after Ray's minute of retries, when ``host:port`` takes no connection.

    Raises:
        ParameterError: the host is unknown or refuses the connection.
    """
    host, sep, port = address.removeprefix("ray://").rpartition(":")
    if not sep or not port.isdigit():
        return  # "local", "auto": Ray finds the instance itself
    try:
        socket.create_connection((host, int(port)), timeout=CONNECT_TIMEOUT_S).close()
    except OSError as exc:
        raise ParameterError(
            f"cannot reach the Ray cluster at {address}: {exc.strerror or one_line(exc)} "
            "(start it with `ray start --head`, see README)"
        ) from None


class Preloaded:
    """A picklable image loader: the tensor the driver loaded (``Sample.load`` on a worker)."""

    def __init__(self, x: torch.Tensor):
        self.x = x

    def __call__(self, _model) -> torch.Tensor:
        return self.x


class BatchWorker:
    """A Ray actor's state: the model, loaded once, and the evaluation's plan."""

    def __init__(self, config: EvaluationConfig):
        assert config.threads is not None  # run_on_ray hands on the count with_threads set
        torch.set_num_threads(config.threads)  # the recorded count: the bytes depend on it
        self.config = config
        self.model = load_model(config.model, config.device, weights=config.weights, trust_code=config.trust_model_code)
        self.pipeline = Pipeline([defense_from_spec(s) for s in config.defenses])
        pixels = self.model.channels * self.model.input_size[0] * self.model.input_size[1]
        self.plan = make_plan(config, pixels)

    def batch(self, batch: list[tuple[int, Sample]], done: list[dict]) -> tuple[list[dict], list]:
        """Run one batch as the local loop would; ``done``: its images' records so far.
        Returns the new records and the examples kept."""
        store = RecordStore(None, {})
        store.add(done)
        run = BatchRun(self.config, self.model, self.pipeline, store, None)
        run.batch(batch, self.plan, lambda stage, fraction: None)
        return store.records[len(done) :], run.examples


def run_on_ray(
    run: BatchRun, samples: list[Sample], plan: list[Unit], batch_size: int, report: Callable[[int, str], None]
) -> None:
    """Run the batches of ``run`` on Ray actors, one per ``threads`` CPUs of the cluster.

    Records are added to ``run.store`` as batches finish; the examples are the local run's (first
    batches first). Once ``run.should_stop()``, the batches still running are dropped and
    ``run.stopped`` is set.

    Raises:
        ParameterError: Ray is missing or unreachable.
        ModelError: a worker cannot load the model.
    """
    config = run.config
    assert config.ray is not None and config.threads is not None  # a Ray evaluation, its threads set (with_threads)
    ray = connect(config.ray)
    cpus = int(ray.cluster_resources().get("CPU", 1))
    actor = ray.remote(num_cpus=config.threads)(BatchWorker)
    by_image = defaultdict(list)
    for record in run.store.records:
        by_image[record["image"]].append(record)
    starts = [
        s
        for s in range(0, len(samples), batch_size)
        if run.pending(list(enumerate(samples[s : s + batch_size], s)), plan)
    ]
    workers = [
        actor.remote(dataclasses.replace(config, out=None, resume=False, ray=None))
        for _ in range(max(1, min(len(starts), cpus // config.threads)))
    ]
    running: dict[Any, tuple[int, Any, int]]  # Ray object ref -> (first image, actor, batch size)
    idle, running, examples, done = list(workers), {}, {}, len(samples) - len(starts) * batch_size
    queue = list(starts)
    try:
        while queue or running:
            while queue and idle:
                start = queue.pop(0)
                batch = list(enumerate(samples[start : start + batch_size], start))
                loaded = [(i, Sample(s.id, s.label, Preloaded(x.cpu()))) for i, s, x in run.load(batch)]
                if not loaded:
                    continue
                worker = idle.pop()
                ref = worker.batch.remote(loaded, [r for _, s in loaded for r in by_image[s.id]])
                running[ref] = (start, worker, len(batch))
            if not running:
                break
            ready, _ = ray.wait(list(running), num_returns=1, timeout=POLL_S)
            if run.should_stop is not None and run.should_stop():
                run.stopped = True
                return
            for ref in ready:
                start, worker, size = running.pop(ref)
                records, kept = _get(ray, ref)
                run.store.add(records)
                examples[start] = kept
                idle.append(worker)
                done += size
                report(max(0, min(done, len(samples))), f"images {start + 1}-{start + size} done on Ray")
    finally:
        for worker in workers:  # ends the batches still running too
            ray.kill(worker)
    run.examples = [e for start in sorted(examples) for e in examples[start]][:MAX_EXAMPLES]


def _get(ray, ref):
    try:
        return ray.get(ref)
    except ray.exceptions.RayError as exc:
        cause = getattr(exc, "cause", None)
        if isinstance(cause, (ModelError, ImageError, ParameterError)):
            raise type(cause)(str(cause)) from None
        raise ModelError(f"a Ray worker failed: {one_line(exc)}") from None
