"""LiRA's reference models: the target's recipe trained on random halves of the 10,000 digits,
cached on disk.

Models come in pairs on complementary halves (model 2j on a random half, 2j+1 on the
rest), so every digit is in exactly half of an even number of models, as in Carlini et
al. 2022 (arXiv:2112.03570). Each finished model is kept as its logits on all 10,000
digits and the mask of the digits it trained on (``ref-NNN.safetensors``, 0.4 MB); the
weights are not needed afterwards. A model being trained checkpoints after each epoch,
so a cancelled or interrupted run keeps every finished model and resumes the one it was
on. The cache folder is keyed by the recipe, the seed and a digest of the digits.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import torch
from platformdirs import user_cache_path
from safetensors import SafetensorError
from safetensors.torch import load, save

from inspector.core.io.files import write_atomically
from inspector.core.io.out_folder import check_folder, check_member, read_member
from inspector.core.privacy.membership.attacks.lira import check_references
from inspector.core.privacy.membership.data import Digits
from inspector.core.privacy.membership.scores import logits_of
from inspector.core.training import TRAINING_METHODS, Progress, train_network
from inspector.core.util.errors import ExportError, ModelError, ParameterError
from inspector.core.util.messages import show_path

APP_NAME = "robustness-inspector"
#: The largest cached reference model read back, in bytes (one is about 0.4 MB).
MAX_REFERENCE_BYTES = 16 * 2**20


def default_cache() -> Path:
    """``<user cache folder>/robustness-inspector/membership`` (platformdirs)."""
    return user_cache_path(APP_NAME) / "membership"


def halves(count: int, n: int, seed: int) -> torch.Tensor:
    """(count, n) bool: which of the n digits reference model k trains on; pairs are complementary."""
    masks = torch.zeros(count, n, dtype=torch.bool)
    for pair in range(count // 2):
        order = torch.randperm(n, generator=torch.Generator().manual_seed(seed * 100_003 + pair))
        masks[2 * pair, order[: n // 2]] = True
        masks[2 * pair + 1] = ~masks[2 * pair]
    return masks


@dataclass
class ReferenceProgress:
    """Where the reference models stand: ``ready`` of ``count`` are done; ``model`` (1-based) is
    being trained, at ``training`` (None between models)."""

    ready: int
    count: int
    model: int
    training: Progress | None


class ReferenceModels:
    """The reference models of one recipe (``method`` of :mod:`inspector.core.training`) on ``digits``.

    Raises (constructor):
        ParameterError: an unknown method or a seed below 0.
    """

    def __init__(
        self,
        method: str,
        digits: Digits,
        *,
        seed: int = 0,
        cache: str | os.PathLike | None = None,
        epochs: int | None = None,
    ):
        if method not in TRAINING_METHODS:
            raise ParameterError(f"no training recipe {method!r} for reference models")
        if seed < 0:
            raise ParameterError(f"the seed must be 0 or more, not {seed}", param="seed")
        self.recipe = TRAINING_METHODS.make(method, {} if epochs is None else {"epochs": epochs})
        self.method, self.digits, self.seed = method, digits, seed
        self.epochs = self.recipe.epochs
        digest = hashlib.sha256(digits.x.numpy().tobytes() + digits.y.numpy().tobytes()).hexdigest()[:12]
        root = Path(cache) if cache is not None else default_cache()
        self.folder = root / f"{method}-{self.epochs}ep-seed{seed}-{digest}"

    def path(self, k: int) -> Path:
        return self.folder / f"ref-{k:03d}.safetensors"

    def ready(self, count: int) -> int:
        """How many of models 0..count-1 are in the cache.

        Raises:
            ExportError: a cached file or checkpoint is a symbolic link, a hard link or not a regular file.
        """
        return sum(self._cached(k) for k in range(count))

    def check(self, count: int) -> None:
        """Before any training: the cache folder can be written, and none of the files of models
        0..count-1 (cached outputs, checkpoints) is a symbolic link, a hard link or not a regular file.

        Raises:
            ExportError: it cannot, or one is.
        """
        names = [n for k in range(count) for n in (self.path(k).name, *self.recipe.checkpoint_names(f"ref-{k:03d}"))]
        check_folder(self.folder, names, option="--cache")

    def _cached(self, k: int) -> bool:
        return check_member(self.path(k)) is not None

    def train(
        self,
        count: int,
        *,
        on_progress: Callable[[ReferenceProgress], None] | None = None,
        should_stop: Callable[[], bool] | None = None,
    ) -> bool:
        """Train the models 0..count-1 missing from the cache; True when all are there.

        Stopping keeps the finished models and the epoch checkpoint of the one in progress.

        Raises:
            ParameterError: count not even in 2..MAX_REFERENCES.
            ExportError: the cache folder cannot be written.
            ModelError: a checkpoint cannot be read (delete the cache folder).
        """
        check_references(count)
        self.check(count)
        for k in range(count):
            if self._cached(k):
                continue
            if should_stop is not None and should_stop():
                return False
            ready = self.ready(count)

            def report(p: Progress | None, k=k, ready=ready) -> None:
                if on_progress is not None:
                    on_progress(ReferenceProgress(ready, count, k + 1, p))

            if not self.train_one(k, on_progress=report, should_stop=should_stop):
                return False
        if on_progress is not None:
            on_progress(ReferenceProgress(count, count, count, None))
        return True

    def train_one(
        self,
        k: int,
        *,
        on_progress: Callable[[Progress | None], None] | None = None,
        should_stop: Callable[[], bool] | None = None,
    ) -> bool:
        """Train reference model ``k`` (0-based) unless cached; True when it is in the cache.

        ``on_progress(None)`` at the start, then the training's :class:`Progress`. Raises as :meth:`train`.
        """
        if self._cached(k):
            return True
        if on_progress is not None:
            on_progress(None)
        mask = halves(k - k % 2 + 2, len(self.digits.y), self.seed)[k]
        trained = train_network(
            self.recipe,
            self.digits.x[mask],
            self.digits.y[mask],
            seed=self.seed * 1000 + k + 1,
            checkpoint_stem=self.folder / f"ref-{k:03d}",
            resume=True,
            on_progress=on_progress,
            should_stop=should_stop,
        )
        if not trained.finished:
            return False
        self._save(k, logits_of(trained.net, self.digits.x), mask)
        for c in trained.checkpoints:
            c.unlink(missing_ok=True)
        return True

    def outputs(self, count: int) -> tuple[torch.Tensor, torch.Tensor]:
        """The logits (count, 10000, 10) of models 0..count-1 on every digit and their masks (count, 10000).

        Raises:
            ParameterError: a model is missing from the cache (train first).
            ModelError: a cached file is unreadable or from another layout (delete the cache folder).
        """
        check_references(count)
        masks = halves(count, len(self.digits.y), self.seed)
        logits = []
        for k in range(count):
            if not self._cached(k):
                raise ParameterError(f"reference model {k} is not in {show_path(self.folder)}: train it first")
            data = read_member(self.path(k), ModelError, "reference model", MAX_REFERENCE_BYTES)
            try:
                saved = load(data)
                ok = torch.equal(saved["member"].bool(), masks[k])
                ok = ok and saved["logits"].shape == (len(self.digits.y), 10)
            except (SafetensorError, OSError, KeyError, RuntimeError, ValueError, TypeError):
                ok = False
            if not ok:
                raise ModelError(
                    f"{show_path(self.path(k))} is not a reference model of this layout; delete it to train it again"
                )
            logits.append(saved["logits"])
        return torch.stack(logits), masks

    def _save(self, k: int, logits: torch.Tensor, mask: torch.Tensor) -> None:
        path = self.path(k)
        check_member(path)
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise ExportError(f"cannot write to the cache {show_path(self.folder)}: {exc.strerror or exc}") from None
        data = save(
            {"logits": logits.contiguous(), "member": mask.to(torch.uint8)},
            metadata={"method": self.method, "epochs": str(self.epochs), "seed": str(self.seed)},
        )
        write_atomically(path, lambda fh: fh.write(data))
