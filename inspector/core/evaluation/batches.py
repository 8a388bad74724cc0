"""One evaluation's work over its fixed batches: :class:`BatchRun`, used by the local loop and by Ray workers."""

from __future__ import annotations

from collections.abc import Callable

import torch

from inspector.core.attacks.base import StopCheck
from inspector.core.defenses import DefendedClassifier, Pipeline
from inspector.core.evaluation.config import EvaluationConfig, budgets
from inspector.core.evaluation.data import Sample
from inspector.core.evaluation.plan import Unit
from inspector.core.evaluation.records import RecordStore
from inspector.core.evaluation.result import Example
from inspector.core.evaluation.targets import choose_targets
from inspector.core.models.classifier import Classifier
from inspector.core.util.errors import InspectorError
from inspector.core.util.messages import one_line
from inspector.core.util.metrics import top_k
from inspector.core.util.units import budget_text

MAX_EXAMPLES = 4
#: What an attack may raise on one image (a model failing on it, a numerical error); recorded, not fatal.
IMAGE_FAILURES = (InspectorError, RuntimeError, ValueError, FloatingPointError)


class BatchRun:
    """The state of one evaluation while it runs over the batches."""

    def __init__(
        self,
        config: EvaluationConfig,
        model: Classifier,
        pipeline: Pipeline,
        store: RecordStore,
        should_stop: StopCheck | None,
    ):
        self.config, self.model, self.pipeline, self.store = config, model, pipeline, store
        self.should_stop = should_stop
        self.stopped = False
        self.examples: list[Example] = []
        self.settings = ["none"] + (["defended"] if pipeline.defenses else [])
        self.largest_eps = budgets(config)[-1]

    def batch(self, batch: list[tuple[int, Sample]], plan: list[Unit], report: Callable[[str, float], None]) -> None:
        """Load the batch, record the clean predictions, then every unit not yet recorded
        (``report(stage, fraction)`` is told each unit before it runs, with the fraction of the
        plan's units done, in [0, 1))."""
        if not self.pending(batch, plan):
            return
        clean_keys = [("clean", None, s, "main") for s in self.settings]
        loaded = self.load(batch)
        if not loaded:
            return
        index = [i for i, _, _ in loaded]
        ids = [s.id for _, s, _ in loaded]
        x = torch.cat([t for _, _, t in loaded]).to(self.model.device)
        y = torch.tensor([s.label for _, s, _ in loaded], device=self.model.device)
        clean = {s: self._predict(x, s) for s in self.settings}
        aims = self._targets(x, y, index)
        self.store.add(
            [
                self._record(ids[j], index[j], int(y[j]), key, clean[key[2]][j], clean[key[2]][j])
                for key in clean_keys
                for j in range(len(ids))
                if not self.store.done(ids[j], key)
            ]
        )
        for done, unit in enumerate(plan):
            rows = [j for j in range(len(ids)) if unit.limit is None or index[j] < unit.limit]
            unit_keys = [(unit.attack, unit.eps, s, unit.variant) for s in self._unit_settings(unit)]
            if all(self.store.done(ids[j], k) for j in rows for k in unit_keys):
                continue
            report(
                unit.attack
                + ("" if unit.eps is None else f" eps {budget_text(unit.eps, self.config.norm)}")
                + ("" if unit.variant == "main" else f" ({unit.variant})"),
                done / len(plan),
            )
            self._unit(
                unit,
                x[rows],
                y[rows],
                [ids[j] for j in rows],
                [index[j] for j in rows],
                {s: c[rows] for s, c in clean.items()},
                None if aims is None else aims[rows],
            )
            if self.stopped:
                return

    def pending(self, batch: list[tuple[int, Sample]], plan: list[Unit]) -> bool:
        """Whether some image of the batch lacks a record."""
        keys: list[tuple[str, float | None, str, str]] = [("clean", None, s, "main") for s in self.settings]
        keys += [(u.attack, u.eps, s, u.variant) for u in plan for s in self._unit_settings(u)]
        return not all(self.store.done(s.id, k) for _, s in batch for k in keys)

    def load(self, batch: list[tuple[int, Sample]]) -> list[tuple[int, Sample, torch.Tensor]]:
        """The batch's images that load, with their tensors; an error record for each that does not."""
        loaded = []
        for i, sample in batch:
            if sample.id in self.store.failed:
                continue
            try:
                loaded.append((i, sample, sample.load(self.model)))
            except InspectorError as exc:
                self.store.add(
                    [
                        {
                            "image": sample.id,
                            "index": i,
                            "label": sample.label,
                            "attack": "load",
                            "eps": None,
                            "setting": "none",
                            "variant": "main",
                            "error": one_line(exc),
                        }
                    ]
                )
        return loaded

    def _unit_settings(self, unit: Unit) -> list[str]:
        if unit.variant != "main":
            return ["none"]
        return self.settings + (["adaptive"] if self.config.adaptive else [])

    def _targets(self, x: torch.Tensor, y: torch.Tensor, index: list[int]) -> torch.Tensor | None:
        """(N,) the target classes of a targeted evaluation (chosen on the bare model), else None."""
        return None if self.config.target is None else choose_targets(self.config.target, self.model, x, y, index)

    def _predict(self, x: torch.Tensor, setting: str) -> torch.Tensor:
        with torch.no_grad():
            return self.model(self.pipeline.apply(x) if setting != "none" else x).argmax(1)

    def _unit(self, unit: Unit, x, y, ids, index, clean, aims) -> None:
        settings = self._unit_settings(unit)
        targets = [("bare", [s for s in settings if s != "adaptive"])]
        if "adaptive" in settings:
            targets.append(("adaptive", ["adaptive"]))
        for target, judged in targets:
            attacked = (
                self.model
                if target == "bare"
                else DefendedClassifier(self.model, self.pipeline, eot_samples=self.config.eot_samples, seed=index[0])
            )
            x_adv, errors, broken_by = self._attack(unit, attacked, x, y, aims)
            if self.stopped:
                return
            records = []
            for s in judged:
                pred = self._predict(x_adv, "none" if s == "none" else "defended")
                clean_s = clean["none" if s == "none" else "defended"]
                for j, image in enumerate(ids):
                    key = (unit.attack, unit.eps, s, unit.variant)
                    if self.store.done(image, key):
                        continue
                    if errors[j]:
                        records.append(
                            {
                                "image": image,
                                "index": index[j],
                                "label": int(y[j]),
                                "attack": unit.attack,
                                "eps": unit.eps,
                                "setting": s,
                                "variant": unit.variant,
                                "error": errors[j],
                            }
                        )
                        continue
                    record = self._record(image, index[j], int(y[j]), key, clean_s[j], pred[j], x[j], x_adv[j])
                    if aims is not None:
                        record["target"] = int(aims[j])
                    if broken_by[j] and s != "defended":  # the member that fooled the model it attacked
                        record["member"] = broken_by[j]
                    records.append(record)
            self.store.add(records)
            self._keep_examples(unit, x, x_adv, y, ids, self._predict(x_adv, "none"), target)

    def _attack(self, unit: Unit, attacked, x, y, aims=None) -> tuple[torch.Tensor, list[str], list[str]]:
        """The adversarials of the batch (aimed at the classes ``aims``, or untargeted where None), each
        image's error (``""``: none) and, for an ensemble, the member that fooled it (``""``: none, or not
        an ensemble); if the batch fails, image by image, recording each failure."""
        attack = unit.build(self.config)
        try:
            result = attack.run(attacked, x, y, target=aims, should_stop=self.should_stop)
            self.stopped = result.cancelled
            return result.x_adv.detach(), [""] * len(y), result.broken_by or [""] * len(y)
        except IMAGE_FAILURES:
            pass
        x_adv, errors, broken_by = x.clone(), [], []
        for j in range(len(y)):
            try:
                target = None if aims is None else aims[j : j + 1]
                result = attack.run(attacked, x[j : j + 1], y[j : j + 1], target=target, should_stop=self.should_stop)
                self.stopped = self.stopped or result.cancelled
                x_adv[j] = result.x_adv[0].detach()
                errors.append("")
                broken_by.append((result.broken_by or [""])[0])
            except IMAGE_FAILURES as exc:
                errors.append(f"{type(exc).__name__}: {one_line(exc)}")
                broken_by.append("")
        return x_adv, errors, broken_by

    def _record(self, image, index, label, key, clean_pred, pred, x=None, x_adv=None) -> dict:
        attack, eps, setting, variant = key
        record = {
            "image": image,
            "index": index,
            "label": label,
            "attack": attack,
            "eps": eps,
            "setting": setting,
            "variant": variant,
            "correct": int(clean_pred) == label,
            "pred": int(pred),
        }
        if x is not None:
            delta = (x_adv - x).flatten()
            record["linf"] = float(delta.abs().max())
            record["l2"] = float(delta.norm())
        return record

    def fill_examples(self, samples: list[Sample], plan: list[Unit]) -> None:
        """Make the examples again for images a resumed run recorded as fooled but did not attack now.

        The attack runs on those few images alone, so an image that a batch run fooled may hold
        now; only those fooled again are kept.
        """
        by_id = {s.id: (i, s) for i, s in enumerate(samples)}
        for unit in plan:
            if len(self.examples) >= MAX_EXAMPLES or unit.variant != "main" or unit.eps not in (None, self.largest_eps):
                continue
            shown = {e.image for e in self.examples}
            fooled = list(
                dict.fromkeys(
                    r["image"]
                    for r in self.store.records
                    if (r["attack"], r["eps"], r["setting"], r["variant"]) == (unit.attack, unit.eps, "none", "main")
                    and not r.get("error")
                    and r["correct"]
                    and r["pred"] != r["label"]
                    and r["image"] not in shown
                    and r["image"] in by_id
                )
            )[: MAX_EXAMPLES - len(self.examples)]
            if not fooled:
                continue
            loaded = self.load([by_id[image] for image in fooled])
            if not loaded:
                continue
            x = torch.cat([t for _, _, t in loaded]).to(self.model.device)
            y = torch.tensor([s.label for _, s, _ in loaded], device=self.model.device)
            x_adv, errors, _ = self._attack(unit, self.model, x, y, self._targets(x, y, [i for i, _, _ in loaded]))
            if not self.stopped and not any(errors):
                self._keep_examples(
                    unit, x, x_adv, y, [s.id for _, s, _ in loaded], self._predict(x_adv, "none"), "bare"
                )

    def _keep_examples(self, unit, x, x_adv, y, ids, pred, target) -> None:
        if (
            unit.variant != "main"
            or target != "bare"
            or len(self.examples) >= MAX_EXAMPLES
            or unit.eps not in (None, self.largest_eps)
        ):
            return
        with torch.no_grad():
            p_clean, p_adv = self.model(x).softmax(1).cpu(), self.model(x_adv).softmax(1).cpu()
        names = self.model.class_names
        for j in range(len(ids)):
            if (
                len(self.examples) < MAX_EXAMPLES
                and p_clean[j].argmax() == y[j]
                and pred[j] != y[j]
                and all(e.image != ids[j] for e in self.examples)
            ):
                self.examples.append(
                    Example(
                        ids[j],
                        unit.attack,
                        unit.eps,
                        x[j : j + 1].cpu(),
                        x_adv[j : j + 1].cpu(),
                        int(y[j]),
                        top_k(p_clean[j], names, 1)[0],
                        top_k(p_adv[j], names, 1)[0],
                    )
                )
