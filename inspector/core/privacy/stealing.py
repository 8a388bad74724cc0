"""Model stealing (extraction): query the victim through the oracle, train a copy, measure it per budget.

Methods:

- ``copycat`` (Correia-Silva, Berriel, Badue, de Souza and Oliveira-Santos 2018,
  "Copycat CNN", arXiv:1806.05476): random pool images, labelled with the
  victim's top-1 label (its hard label, even when scores are returned).
- ``knockoff-random`` (Orekondy, Schiele and Fritz 2019, "Knockoff Nets",
  arXiv:1812.02766): random pool images; the copy learns the victim's
  probabilities (soft cross-entropy) when they are returned, else its labels.
- ``knockoff-adaptive``: the same, the images chosen by the adaptive bandit of
  :mod:`inspector.core.privacy.sampling`, the copy trained online as they come.

With label-only output (``output="label"``) copycat and knockoff-random are the
same attack: the same images and the same hard labels.

The victim is reached only through a :class:`~inspector.core.concealment.oracle.QueryOracle`
(one budget slot, charged once per pool image) that counts the queries,
enforces the largest budget and, for ``output="label"``, returns the top-1
label only. Budgets are nested: the copy at 1,000 queries continues from the
copy at 250, with 750 more. After each budget the copy is trained (Adam, soft or
hard cross-entropy, random shifts of up to 2 pixels), measured on the 2,000
held-out digits (see :mod:`inspector.core.privacy.fidelity`) and, with an output
folder, saved as ``copy-<budget>.pt2``.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from functools import partial
from pathlib import Path

import torch

from inspector.core.concealment.oracle import OUTPUTS, QueryOracle
from inspector.core.models.classifier import Classifier
from inspector.core.models.loading import load_model
from inspector.core.models.zoo.mnist_cnn import MnistCNN
from inspector.core.privacy.copy_file import save_copy
from inspector.core.privacy.data import held_out, query_pool
from inspector.core.privacy.fidelity import agreement_and_accuracy, predictions, transfer_success
from inspector.core.privacy.run_folder import STATE, RunFolder, check_run_folder
from inspector.core.privacy.sampling import AdaptiveSampler, RandomSampler
from inspector.core.privacy.stealing_methods import STEALING_METHODS
from inspector.core.privacy.training import CopyLoss, train_copy
from inspector.core.util.bounds import MAX_EPOCHS, MAX_LIST, check_count, check_list_length, check_real, check_seed
from inspector.core.util.errors import ParameterError
from inspector.core.util.messages import one_line, show_path

DEFAULT_BUDGETS = (250, 1000, 2000, 5000)
#: Adaptive sampling: queries per round, after which the bandit and the copy are updated.
ROUND = 100
#: Adaptive sampling: the online update after each round trains on up to this many queried images.
ONLINE_IMAGES = 500


@dataclass
class StealConfig:
    """One extraction run.

    Attributes:
        victim: a built-in MNIST model name or a model file (28x28 grey, 10 classes).
        method: a name in :data:`~inspector.core.privacy.stealing_methods.STEALING_METHODS`.
        budgets: query budgets, each >= 1; the copy is measured at each, in increasing order.
        output: what the oracle returns: ``"probabilities"`` or ``"label"`` (top-1 only).
        pool: the query pool (see :func:`inspector.core.privacy.data.query_pool`).
        epochs: training epochs at each budget; None: :func:`epochs_for`.
        transfer_eps: Linf budget (in [0, 1] pixel units) of the PGD transfer attack; 0 skips it.
        transfer_images: how many correctly classified held-out digits the transfer is measured on.
        seed: seeds the sampling, the copy's initialisation and its training.
    """

    victim: str = "mnist-standard"
    method: str = "knockoff-random"
    budgets: list[int] = field(default_factory=lambda: list(DEFAULT_BUDGETS))
    output: str = "probabilities"
    pool: str = "members"
    epochs: int | None = None
    transfer_eps: float = 0.3
    transfer_images: int = 500
    seed: int = 0

    def check(self) -> None:
        """Raises ParameterError for an unknown method or output, more than MAX_LIST budgets, a budget
        outside 1..MAX_COUNT, epochs outside 1..MAX_EPOCHS, a seed outside 0..MAX_TRAIN_SEED (the training
        loops derive seeds of about seed x 10^7 from it), or other bad numbers."""
        STEALING_METHODS.make(self.method)
        if self.output not in OUTPUTS:
            raise ParameterError(f"unknown oracle output {self.output!r}: choose one of {', '.join(OUTPUTS)}")
        if not self.budgets:
            raise ParameterError("give at least one query budget")
        check_list_length(self.budgets, "the query budgets", maximum=MAX_LIST)
        if min(self.budgets) < 1:
            raise ParameterError(f"query budget {min(self.budgets)} must be at least 1")
        check_count(max(self.budgets), "a query budget")
        if self.epochs is not None:
            check_count(self.epochs, "the epochs", maximum=MAX_EPOCHS, param="epochs")
        check_real(self.transfer_eps, "the transfer eps", minimum=0, maximum=1)
        check_count(self.transfer_images, "the transfer images")
        check_seed(self.seed, "the seed", param="seed")

    def to_dict(self) -> dict:
        return asdict(self)


def parse_budgets(text: str) -> list[int]:
    """``"250, 1000,5_000"`` -> [250, 1000, 5000]. Raises ParameterError for anything but whole numbers."""
    try:
        return [int(t.strip().replace("_", "")) for t in text.split(",") if t.strip()]
    except ValueError:
        raise ParameterError(
            f"budgets {text!r}: give whole numbers of queries separated by commas, e.g. 250,1000,5000"
        ) from None


def epochs_for(queries: int) -> int:
    """Training epochs at a budget: about 6,000 training images in all, between 3 and 30 epochs."""
    return max(3, min(30, math.ceil(6000 / queries)))


@dataclass
class StealProgress:
    """What a run is doing. ``stage``: ``"querying"``, ``"training"`` or ``"measuring"``; ``budget_index``
    0-based among ``budgets``; ``queries`` made so far; ``epoch``/``epochs`` while training (else 0);
    ``rows``: the finished budgets' rows so far (see :class:`StealResult`)."""

    stage: str
    budget: int
    budget_index: int
    budgets: int
    queries: int
    epoch: int = 0
    epochs: int = 0
    rows: list[dict] = field(default_factory=list)


@dataclass
class StealResult:
    """The curve so far: one row per finished budget.

    Each row: ``budget``, ``queries`` (charged by the oracle), ``agreement`` and
    ``accuracy`` (rates with Wilson 95 % intervals on the 2,000 held-out digits),
    ``transfer`` and ``white_box`` (rates, or None when ``transfer_eps`` is 0),
    ``seconds`` (wall time of that budget) and ``model`` (the copy's file, or None).
    """

    config: StealConfig
    rows: list[dict]
    victim_accuracy: float
    finished: bool
    seconds: float
    out: str | None = None

    def to_dict(self) -> dict:
        return {
            "config": self.config.to_dict(),
            "victim_accuracy": self.victim_accuracy,
            "rows": self.rows,
            "finished": self.finished,
            "seconds": self.seconds,
            "out": self.out,
            "recipe": recipe(self.config),
        }


def recipe(config: StealConfig) -> str:
    """The command line that reproduces ``config``."""
    parts = [
        "inspector steal",
        f"--victim {config.victim}",
        f"--method {config.method}",
        f"--budget {','.join(str(b) for b in config.budgets)}",
        f"--pool {config.pool}",
        f"--seed {config.seed}",
        f"--transfer-eps {config.transfer_eps:g}",
    ]
    if config.output == "label":
        parts.append("--labels-only")
    if config.epochs is not None:
        parts.append(f"--epochs {config.epochs}")
    return " ".join(parts)


def steal(
    config: StealConfig,
    *,
    victim: Classifier | None = None,
    out: str | Path | None = None,
    resume: bool = False,
    on_progress: Callable[[StealProgress], None] | None = None,
    should_stop: Callable[[], bool] | None = None,
) -> StealResult:
    """Run ``config``: steal a copy of the victim at each budget and measure it.

    With ``out``, each finished budget leaves ``copy-<budget>.pt2`` (+ sidecar),
    ``steal.json`` and ``curve.png`` there, and the queries paid for are kept, so a
    run stopped by ``should_stop`` or interrupted continues with ``resume``
    (skipping finished budgets, never asking the victim again for an answer it gave).

    Raises:
        ParameterError: see :meth:`StealConfig.check`; a budget larger than the pool; a victim
            that is not a 10-class 28x28 grey model; ``out`` holding another run, or a run without ``resume``.
        ModelError: unknown victim. ImageError: unreadable or empty pool. ExportError: ``out`` not writable.
    """
    config.check()
    if out is not None:
        check_run_folder(out, config.budgets, resume)  # a bad --out fails before the victim loads
    start = time.perf_counter()
    victim = victim if victim is not None else load_model(config.victim, "cpu")
    if tuple(victim.input_size) != (28, 28) or victim.channels != 1 or len(victim.class_names) != 10:
        raise ParameterError(
            f"{config.victim}: model stealing here needs a 10-class model of 28x28 grey digits (an MNIST model)"
        )
    pool = query_pool(config.pool)
    budgets = sorted(set(config.budgets))
    if budgets[-1] > len(pool):
        raise ParameterError(f"query budget {budgets[-1]} exceeds the {len(pool)} images of the pool {config.pool!r}")
    folder = RunFolder(out, config.to_dict(), resume) if out is not None else None
    x_test, y_test = held_out()
    victim_pred = predictions(victim, x_test)
    victim_accuracy = float((victim_pred == y_test).float().mean())
    correct = (victim_pred == y_test).nonzero().flatten()[: config.transfer_images]

    torch.manual_seed(config.seed)
    net = MnistCNN()
    oracle = QueryOracle(victim, 1, budget=budgets[-1], output=config.output)
    method = STEALING_METHODS.make(config.method)
    adaptive = method.adaptive
    sampler = (
        AdaptiveSampler(pool, use_certainty=config.output == "probabilities", seed=config.seed)
        if adaptive
        else RandomSampler(len(pool), config.seed)
    )
    indices = torch.zeros(0, dtype=torch.long)
    answers = torch.zeros(0, dtype=torch.long) if config.output == "label" else torch.zeros(0, 10)
    rows: list[dict] = []
    if folder is not None and folder.has_state():
        state = folder.load_state()
        indices, answers, rows = state["indices"], state["answers"], state["rows"]
        _restore(folder.path / STATE, state, net, sampler, len(pool), budgets[-1], config.output)
        oracle.queries[0] = len(indices)
    loss = CopyLoss(hard=method.hard_labels)

    def save_state() -> None:
        if folder is not None:
            folder.save_state(
                {
                    "indices": indices,
                    "answers": answers,
                    "rows": rows,
                    "copy": net.state_dict(),
                    "sampler": sampler.state_dict(),
                }
            )

    def result(finished: bool) -> StealResult:
        return StealResult(
            config,
            list(rows),
            victim_accuracy,
            finished,
            time.perf_counter() - start,
            None if folder is None else str(folder.path),
        )

    def report(budget: int, number: int, stage: str, epoch: int = 0, epochs: int = 0) -> None:
        if on_progress is not None:
            on_progress(
                StealProgress(stage, budget, number, len(budgets), int(oracle.queries[0]), epoch, epochs, list(rows))
            )

    done = {row["budget"] for row in rows}
    for number, budget in enumerate(budgets):
        if budget in done:
            continue
        t0 = time.perf_counter()
        progress = partial(report, budget, number)
        while len(indices) < budget:
            if should_stop is not None and should_stop():
                save_state()
                return result(False)
            progress("querying")
            n = min(ROUND if adaptive else budget, budget - len(indices))
            new, actions = sampler.take(n) if isinstance(sampler, AdaptiveSampler) else (sampler.take(n), None)
            out_new = oracle(pool[new], torch.zeros(len(new), dtype=torch.long))
            indices, answers = torch.cat([indices, new]), torch.cat([answers, out_new])
            if isinstance(sampler, AdaptiveSampler) and actions is not None:
                targets = torch.nn.functional.one_hot(out_new, 10).float() if config.output == "label" else out_new
                sampler.update(actions, sampler.rewards(targets, _logits(net, pool[new])))
                recent = torch.randperm(len(indices), generator=torch.Generator().manual_seed(len(indices)))
                recent = recent[:ONLINE_IMAGES]
                train_copy(
                    net, pool[indices[recent]], answers[recent], loss, epochs=1, seed=config.seed * 7919 + len(indices)
                )
        save_state()
        epochs = config.epochs or epochs_for(budget)
        progress("training", 0, epochs)
        finished = train_copy(
            net,
            pool[indices],
            answers,
            loss,
            epochs=epochs,
            seed=config.seed + budget,
            on_epoch=partial(progress, "training", epochs=epochs),
            should_stop=should_stop,
        )
        if not finished:  # the state saved above holds the copy as it was before this training
            return result(False)
        progress("measuring")
        copy_pred = predictions(net, x_test)
        row = {
            "budget": budget,
            "queries": int(oracle.queries[0]),
            **agreement_and_accuracy(copy_pred, victim_pred, y_test),
        }
        if config.transfer_eps > 0:
            row |= transfer_success(
                net, victim, x_test[correct], y_test[correct], eps=config.transfer_eps, seed=config.seed
            )
        else:
            row |= {"transfer": None, "white_box": None}
        row["model"] = None
        if folder is not None:
            model = folder.path / f"copy-{budget}.pt2"
            save_copy(
                net,
                model,
                class_names=list(victim.class_names),
                task=f"stolen copy of {config.victim} ({config.method}, {budget} "
                f"{'label' if config.output == 'label' else 'probability'} queries)",
            )
            row["model"] = model.name
        row["seconds"] = time.perf_counter() - t0
        rows.append(row)
        save_state()
        if folder is not None:
            folder.write_result(result(False).to_dict())
    final = result(True)
    if folder is not None:
        folder.write_result(final.to_dict())
    return final


def _restore(path: Path, state: dict, net: torch.nn.Module, sampler, pool_size: int, budget: int, output: str) -> None:
    """Load the copy and the sampler from a saved ``state`` after checking that the queries in it are
    ones this run could have made: distinct pool indices, at most ``budget``, the answers of the
    oracle's kind, and (random sampling) exactly the seeded order's first ones.

    Raises:
        ParameterError: the state does not fit this run.
    """

    def bad(why: str) -> ParameterError:
        return ParameterError(f"{show_path(path)}: not a state of this run ({why}); delete it to start afresh")

    indices, answers = state["indices"], state["answers"]
    if not isinstance(indices, torch.Tensor) or indices.dtype != torch.long or indices.dim() != 1:
        raise bad("the query indices are not a list of whole numbers")
    n = len(indices)
    if (
        n > budget
        or (n and (int(indices.min()) < 0 or int(indices.max()) >= pool_size))
        or len(torch.unique(indices)) != n
    ):
        raise bad(f"the query indices must be distinct, in the pool of {pool_size}, at most {budget}")
    shape = (n,) if output == "label" else (n, 10)
    if (
        not isinstance(answers, torch.Tensor)
        or tuple(answers.shape) != shape
        or answers.dtype != (torch.long if output == "label" else torch.float32)
    ):
        raise bad(f"the answers must be {'labels' if output == 'label' else 'probabilities'}, one per query")
    if not isinstance(state["copy"], dict) or not isinstance(state["sampler"], dict):
        raise bad("no copy or sampler")
    try:
        net.load_state_dict(state["copy"])
        sampler.load_state_dict(state["sampler"])
    except Exception as exc:  # key, shape and type errors have no common base
        raise bad(one_line(exc)) from None
    if isinstance(sampler, RandomSampler):
        if sampler.taken != n or not torch.equal(sampler.order[:n], indices):
            raise bad("its queries are not the seeded order's")
    elif not _adaptive_fits(sampler, indices, pool_size):
        raise bad("its sampler does not match its queries")


def _adaptive_fits(sampler: AdaptiveSampler, indices: torch.Tensor, pool_size: int) -> bool:
    used, k = sampler.used, int(sampler.clusters.max()) + 1
    tensors = (used, sampler.preferences, sampler.stats, sampler.recent)
    if not all(isinstance(t, torch.Tensor) for t in tensors):
        return False
    return (
        used.dtype == torch.bool
        and tuple(used.shape) == (pool_size,)
        and int(used.sum()) == len(indices)
        and bool(used[indices].all())
        and sampler.preferences.dtype == torch.float64
        and tuple(sampler.preferences.shape) == (k,)
        and tuple(sampler.stats.shape) == (3, 3)
        and sampler.recent.dim() == 2
        and sampler.recent.shape[0] <= pool_size
        and sampler.recent.shape[1] in (0, 10)
        and all(bool(torch.isfinite(t.double()).all()) for t in tensors[1:])
        and math.isfinite(sampler.mean_reward)
    )


def _logits(net: torch.nn.Module, x: torch.Tensor) -> torch.Tensor:
    net.eval()
    with torch.no_grad():
        return net(x)
