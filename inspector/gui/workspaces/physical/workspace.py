"""The Physical workspace: make a sticker, patch or universal perturbation for the current model and
see whether it survives the camera.

Left: the setup panel (kind and parameters, the views' ranges, the folders to make it on and to
measure it on, the target, the mask, chosen or painted; Run / Cancel with progress and ETA) and the
defences to measure it under, adaptive or not (:mod:`.defence_panel`). Centre: 16 random views
of held-out images with the pattern, printed and photographed, each with what the model reads; the
success rate over all the held-out views with its 95 % interval, beside a random sticker's of the
same area on the same views; the before/after-defences table (:mod:`.defence_table`) when
defences are ticked; the pattern, and Export. It drives
:func:`~inspector.core.physical.job.prepare` and :meth:`~inspector.core.physical.job.Prepared.execute`
through :mod:`inspector.gui.workspaces.physical.jobs`. The defaults need no data for a road-sign
model: stop signs are rendered for it (:mod:`inspector.gui.workspaces.physical.demo`).
"""

from __future__ import annotations

import time

import numpy as np
import torch
from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QFileDialog,
    QFrame,
    QHBoxLayout,
    QLabel,
    QMenu,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from inspector.core.attacks.base import Step
from inspector.core.evaluation.data import load_dataset
from inspector.core.evasion.samples import is_road_sign_model
from inspector.core.models.formats.pickled import CodePickleError
from inspector.core.models.labels import resolve_class
from inspector.core.models.loading import load_model
from inspector.core.physical import PHYSICAL_ATTACKS
from inspector.core.physical.job import PhysicalJob
from inspector.core.physical.masks import mask_from_image, shape_mask
from inspector.core.physical.views import WIDER
from inspector.core.replay.physical import PhysicalSource
from inspector.core.util.errors import InspectorError, ParameterError
from inspector.core.util.messages import show_path
from inspector.gui.jobs import Job
from inspector.gui.workspace import Workspace
from inspector.gui.workspaces.physical.defence_panel import DefencePanel
from inspector.gui.workspaces.physical.defence_table import DefenceTable
from inspector.gui.workspaces.physical.demo import MAKE_SEEDS, ensure_demo_signs
from inspector.gui.workspaces.physical.jobs import physical_job
from inspector.gui.workspaces.physical.mask_painter import PaintDialog
from inspector.gui.workspaces.physical.setup_panel import SetupPanel
from inspector.gui.workspaces.physical.state import DEMO_FOLDER, DEMO_MAKE, Outcome, PhysicalState
from inspector.gui.workspaces.physical.view_grid import ViewGrid, pixmap

SIDE_WIDTH = 360
#: The target suggested for a road-sign model: class 1, speed limit (30 km/h), as in RP2's demo.
ROAD_SIGN_TARGET = 1
PATTERN_SIDE = 128
#: The widest the grid's title gets, pixels (about the grid's width).
GRID_WIDTH = 500


class PhysicalWorkspace(Workspace):
    """Signals ``run_finished`` (the :class:`Outcome`, finished or stopped)."""

    name = "physical"
    title = "Physical"
    opens = (PhysicalSource,)

    run_finished = Signal(object)

    def __init__(self, shell, state: PhysicalState | None = None, parent=None):
        super().__init__(shell, state, parent)
        self.state = state or PhysicalState()
        self._job: Job | None = None
        #: When this run's first step arrived, and at which step, for the ETA.
        self._first: tuple[float, int] | None = None
        self.setup = SetupPanel(self.state)
        self.setup.run_clicked.connect(self.run)
        self.setup.cancel_clicked.connect(self.cancel)
        self.setup.paint_clicked.connect(self.paint_mask)
        self.defences = DefencePanel(self.state)
        self.defence_table = DefenceTable()
        self.defence_caption = QLabel("")
        self.defence_caption.setWordWrap(True)
        self.defence_box = QWidget()
        table_column = QVBoxLayout(self.defence_box)
        table_column.setContentsMargins(0, 6, 0, 0)
        table_column.addWidget(self.defence_caption)
        table_column.addWidget(self.defence_table)
        self.defence_box.setVisible(False)
        self.grid = ViewGrid()
        self.summary = QLabel(
            "Press Run to make the pattern and see it under 16 random views of held-out images. For a "
            "road-sign model the default folders are rendered stop signs: 8 to make it on, 12 held out."
        )
        self.summary.setWordWrap(True)
        self.summary.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.summary.setStyleSheet("font-size: 11pt")
        self.summary.setAlignment(Qt.AlignmentFlag.AlignTop)
        self.pattern = QLabel()
        self.pattern.setFixedSize(PATTERN_SIDE, PATTERN_SIDE)
        self.pattern.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.pattern.setToolTip("the pattern as printed (its mask's outside is transparent in the PNG)")
        self.export_button = QPushButton("Export PNG\u2026")
        self.export_button.setToolTip("the pattern as an RGBA PNG in the model's input frame, alpha the mask")
        self.export_button.setEnabled(False)
        self.export_button.clicked.connect(self.export_dialog)
        self.pattern_box = QWidget()
        self.pattern_box.setVisible(False)
        side = QVBoxLayout(self.pattern_box)
        side.setContentsMargins(0, 0, 0, 0)
        side.addWidget(QLabel("the pattern, as printed"))
        side.addWidget(self.pattern)
        side.addWidget(self.export_button)
        side.addStretch(1)
        self.grid_title = QLabel("")
        self.grid_title.setWordWrap(True)
        self.grid_title.setMaximumWidth(GRID_WIDTH)
        views = QVBoxLayout()
        views.addWidget(self.grid_title)
        views.addWidget(self.grid)
        results = QHBoxLayout()
        results.addLayout(views)
        results.addWidget(self.pattern_box, 0, Qt.AlignmentFlag.AlignTop)
        results.addStretch(1)
        centre = QWidget()
        column = QVBoxLayout(centre)
        column.addLayout(results)
        column.addWidget(self.summary)
        column.addWidget(self.defence_box)
        column.addStretch(1)
        scroll = QScrollArea()  # the grid, the figures and the defences' table fit a 720-pixel-high window
        scroll.setWidget(centre)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        self.lay_out([self.setup, self.defences], scroll, SIDE_WIDTH, footer=self.setup.footer)
        self.state.events.outcome.connect(self._show_outcome)
        self.shell.session.events.model.connect(self._suit_model)
        self.shell.session.events.weights.connect(self._suit_model)
        self.shell.runner.busy_changed.connect(self._on_busy)
        self._suit_model()
        self._on_busy(self.shell.runner.busy())

    def fill_file_menu(self, menu: QMenu) -> None:
        action = QAction("Export physical &pattern PNG\u2026", menu)
        action.triggered.connect(self.export_dialog)
        menu.addAction(action)

    def _suit_model(self, *_args) -> None:
        """Offer the model's classes as targets; for a road-sign model, suggest speed limit (30)."""
        session = self.shell.session
        try:
            model = load_model(session.model, session.device, weights=session.weights, trust_code=session.trust_code)
        except InspectorError:
            return  # Run says why
        if not self.state.target_set:
            self.state.target = ROAD_SIGN_TARGET if is_road_sign_model(model.class_names) else None
        self.setup.set_classes(model.class_names, self.state.target)

    def open_source(self, source: PhysicalSource, confirm_code=lambda model: False) -> bool:
        """Set up a saved physical run (``inspector physical``'s result.json): its kind, parameters, views,
        folders, target, mask, views per image and model (with its weights), ready to run again (not
        run: it takes minutes). ``confirm_code(model)`` asks before a pickled model is loaded: a file
        never grants that. False (after one error line) while a run is going on, or for a model that
        does not load or a target it lacks."""
        if self.shell.runner.busy():
            self.shell.show_error("a job is running: cancel it before opening a physical run")
            return False
        job, session = source.job, self.shell.session
        model_name, trust = job.model or session.model, False
        try:
            try:
                model = load_model(model_name, session.device, weights=job.weights)
            except CodePickleError:
                if not confirm_code(model_name):
                    return False
                model, trust = load_model(model_name, session.device, weights=job.weights, trust_code=True), True
            target = None if job.target is None else resolve_class(job.target, model.class_names)
            self.state.use_defenses(job.defenses)  # the last check: it changes the state only if it passes
        except InspectorError as exc:
            self.shell.show_error(f"{show_path(source.path)}: {exc}")
            return False
        s = self.state
        s.kind, s.params, s.views = job.kind, dict(job.params), dict(job.views)
        s.images, s.held_out, s.mask = job.images, job.held_out or "", job.mask or ""
        s.views_per_image, s.target, s.target_set, s.outcome = job.views_per_image, target, True, None
        s.adaptive = job.adaptive
        self.setup.show_state()
        self.defences.show_state()
        # weights and trust first: the workspaces reload when the model changes
        session.weights, session.trust_code = job.weights, trust
        session.model = model_name
        self._suit_model()
        other = (
            f"; it measured on views {job.wider:g}\u00d7 as wide, the app on {WIDER:g}\u00d7"
            if job.wider != WIDER
            else ""
        )
        self.shell.show_status(f"opened {show_path(source.path)}: Run makes it again{other}", 0)
        return True

    def job_spec(self) -> PhysicalJob:
        """What Run runs, from the state and the session.

        Raises:
            ParameterError: a defence's parameter value is refused.
        """
        s, session = self.state, self.shell.session
        return PhysicalJob(
            kind=s.kind,
            images=s.images,
            held_out=s.held_out or None,
            model=session.model,
            params=dict(s.params),
            views=dict(s.views),
            target=None if s.target is None or not self.setup.target.isEnabled() else str(s.target),
            mask=s.mask or None if self.setup.mask.isEnabled() else None,
            views_per_image=s.views_per_image,
            device=session.device,
            weights=session.weights,
            trust_code=session.trust_code,
            defenses=s.defense_specs(),
            adaptive=s.adaptive,
        )

    def run(self) -> None:
        """Make and measure the pattern in a worker thread."""
        session = self.shell.session
        try:
            spec = self.job_spec()
        except InspectorError as exc:
            self.shell.show_error(str(exc))
            return
        job = Job(physical_job, spec)
        job.progress.connect(self._on_step)
        self._job = job
        if self.shell.runner.start(job, f"making a {self.state.kind} pattern for {session.model}\u2026", self._on_done):
            self._first = None
            self.setup.show_progress(0, 1, "checking the inputs and loading the images\u2026")

    def cancel(self) -> None:
        """Stop at the next step; the best pattern so far is shown, without a held-out figure."""
        if self._job is not None and self.shell.runner.job is self._job:
            self.shell.runner.cancel()

    def _on_step(self, step) -> None:
        if not isinstance(step, Step):
            return
        now = time.perf_counter()
        if self._first is None:
            self._first = (now, step.iteration)
        started, first = self._first
        eta = "ETA -"
        if step.iteration > first:
            left = round((step.total - step.iteration) * (now - started) / (step.iteration - first))
            eta = f"ETA {left // 60} min {left % 60:02d} s"
        text = f"step {step.iteration}/{step.total}, {float(step.success.float().mean()):.0%} of the images fooled; "
        if step.iteration == step.total:
            text = "measuring on the held-out views\u2026"
        else:
            text += eta
        self.setup.show_progress(step.iteration, step.total, text)

    def _on_done(self, outcome: Outcome) -> None:
        self.state.outcome = outcome
        cancelled = outcome.result.cancelled
        self.setup.show_progress(
            0 if cancelled else 1,
            1,
            f"stopped after {outcome.result.iterations} steps: the best pattern so far"
            if cancelled
            else f"done: {outcome.result.iterations} steps in {outcome.summary['seconds_to_make']:.0f} s",
        )
        self._on_busy(self.shell.runner.busy())
        self.run_finished.emit(outcome)

    def _show_outcome(self, outcome: Outcome | None) -> None:
        self.export_button.setEnabled(outcome is not None)
        self.pattern_box.setVisible(outcome is not None)
        rows = (outcome.summary.get("held_out") or {}).get("defences") if outcome is not None else None
        self.defence_box.setVisible(bool(rows))
        if rows:
            made = "made against them (adaptive)" if outcome.summary["recipe"]["adaptive"] else "made on the bare model"
            self.defence_caption.setText(
                f"Before and after the defences, on the same held-out views; the pattern {made}:"
            )
            self.defence_table.show_rows(rows)
        if outcome is None:
            self.grid.clear()
            self.grid_title.clear()
            self.pattern.clear()
            return
        self.grid.set_views(outcome.views, outcome.names, outcome.success)
        which = "held-out images" if outcome.held_out else "the images it was made on (no held-out folder)"
        self.grid_title.setText(
            f"16 of {which} with the perturbation, as the model reads them (green: fooled)"
            if outcome.result.additive
            else f"16 random views of {which} with the pattern, printed and photographed (green: read as wanted)"
        )
        self.pattern.setPixmap(pixmap(outcome.result.pattern * outcome.result.mask, PATTERN_SIDE))
        self.summary.setText(summary_text(outcome.summary))

    def _on_busy(self, busy: bool) -> None:
        running = busy and self._job is not None and self.shell.runner.job is self._job
        self.setup.set_running(running, can_run=not busy)

    # ---- mask ----------------------------------------------------------------------------------
    def mask_dialog(self) -> PaintDialog | None:
        """The painter on the first image of the folder to make the pattern on, with the current mask
        (the mask image, else the attack's shape); None (after one error) when that image cannot be read."""
        session = self.shell.session
        try:
            model = load_model(session.model, session.device, weights=session.weights, trust_code=session.trust_code)
            if self.state.images == DEMO_MAKE:
                ensure_demo_signs(DEMO_MAKE, MAKE_SEEDS)
            first = load_dataset(self.state.images, model, limit=1)[0].load(model)[0].cpu()
            mask = self._current_mask(model.input_size)
        except (InspectorError, OSError) as exc:
            self.shell.show_error(str(exc))
            return None
        image = (first.expand(3, -1, -1) * 255).round().to(torch.uint8).permute(1, 2, 0).numpy()
        return PaintDialog(image, mask, self)

    def _current_mask(self, size: tuple[int, int]) -> np.ndarray:
        """The mask a run would use now, (H, W) bool; empty where that is refused."""
        defaults = PHYSICAL_ATTACKS[self.state.kind]()
        area = self.state.params.get("area", defaults.area)
        shape = self.state.params.get("shape", getattr(defaults, "shape", "bars"))
        try:
            mask = mask_from_image(self.state.mask, size) if self.state.mask else shape_mask(shape, size, float(area))
        except ParameterError:
            return np.zeros(size, dtype=bool)
        return mask[0].numpy() > 0.5

    def accept_mask(self, dialog: PaintDialog) -> bool:
        """Save the painted mask next to the demo folders and make it the mask of the next run."""
        path = DEMO_FOLDER / "painted-mask.png"
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            dialog.save(str(path))
        except OSError as exc:
            self.shell.show_error(f"cannot write {path}: {exc}")
            return False
        self.setup.mask.setText(str(path))
        return True

    def paint_mask(self) -> None:
        dialog = self.mask_dialog()
        if dialog is not None and dialog.exec():
            self.accept_mask(dialog)

    # ---- export --------------------------------------------------------------------------------
    def export_png(self, path: str) -> bool:
        """Write the pattern as an RGBA PNG (alpha the mask, the model's input frame) to ``path``."""
        if self.state.outcome is None:
            self.shell.show_error("nothing to export yet: run first")
            return False
        try:
            self.state.outcome.result.rgba().save(path, format="PNG")
        except (OSError, ValueError) as exc:
            self.shell.show_error(f"cannot write {path}: {exc}")
            return False
        self.shell.show_status(f"saved {path}", 5000)
        return True

    def export_dialog(self) -> None:
        if self.state.outcome is None:
            self.shell.show_error("nothing to export yet: run first")
            return
        name = "perturbation.png" if self.state.outcome.result.additive else "sticker.png"
        path, _ = QFileDialog.getSaveFileName(
            self, "Export pattern", self.shell.settings.export_path(name), "PNG (*.png)"
        )
        if path:
            self.shell.settings.remember_export(path)
            self.export_png(path)


def summary_text(summary: dict) -> str:
    """The run in words: what it read as, its held-out success rate with its 95 % interval, and a
    random sticker's of the same area on the same views."""
    target = summary["target"]["name"] if summary["target"] else "any class but the true one"
    lines = [
        f"{PHYSICAL_ATTACKS[summary['kind']].title} \u2192 {target}: {summary['iterations']} steps on "
        f"{summary['images']} images, {_area(summary['mask_area'])}; {summary['train_success']:.0%} "
        "success while made (not a held-out figure)"
    ]
    held = summary.get("held_out")
    if held is None:
        lines.append("no held-out success rate: " + ("stopped early" if summary["cancelled"] else "no held-out folder"))
        return "\n".join(lines)
    for key, what in (("pattern", "Success"), ("random_sticker", "Random sticker, same area")):
        if key in held:
            r = held[key]
            lines.append(
                f"{what}: {r['rate']:.1%} [95 % CI {r['low']:.1%}, {r['high']:.1%}] of {r['views']} views "
                f"of {held['images']} held-out images"
            )
    return "\n".join(lines)


def _area(share: float) -> str:
    return "the whole image" if share == 1.0 else f"{share:.1%} of the image"
