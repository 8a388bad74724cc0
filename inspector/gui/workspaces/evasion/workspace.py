"""The Evasion workspace: attack one image and see original, perturbation and adversarial.

Left: the image, attack, defence and compare panels, with Run and Cancel below them
always in view. Centre (:class:`ResultsView`): the three image panes, the verdict line,
the probability bars, the defences table and the live loss plot; presenter mode hides
the left column. Results that no longer match the inputs (a choice changed after the
run) are marked stale until the next run, which clears them as it starts. Keys: Ctrl+R
runs; in presenter mode Space runs too and the arrows step through the sample images.
It drives
:func:`inspector.core.evasion.inspect.inspect` through :mod:`inspector.gui.workspaces.evasion.jobs`
and renders the :class:`EvasionState` it keeps.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QAction, QKeySequence, QShortcut
from PySide6.QtWidgets import QBoxLayout, QFileDialog, QMenu, QMessageBox

from inspector.core.attacks import ATTACKS
from inspector.core.evasion.recipe import Recipe
from inspector.core.evasion.samples import is_shipped_sample, road_sign_images, samples_for
from inspector.core.evasion.summary import summary_parts
from inspector.core.io.image import IMAGE_SUFFIXES
from inspector.core.io.resources import default_image, sample_images
from inspector.core.models.labels import resolve_class
from inspector.core.replay import AttackSource
from inspector.core.util.errors import InspectorError
from inspector.gui.jobs import Job
from inspector.gui.workspace import Workspace
from inspector.gui.workspaces.evasion import export
from inspector.gui.workspaces.evasion.attack_panel import AttackPanel
from inspector.gui.workspaces.evasion.compare_panel import ComparePanel
from inspector.gui.workspaces.evasion.corruption_panel import CorruptionPanel
from inspector.gui.workspaces.evasion.defence_rows import defence_rows
from inspector.gui.workspaces.evasion.defense_panel import DefensePanel
from inspector.gui.workspaces.evasion.image_panel import ImagePanel
from inspector.gui.workspaces.evasion.jobs import (
    AttackOutcome,
    Frame,
    ModeStage,
    ModeSweep,
    Progress,
    Stage,
    Stamped,
    attack_job,
    mode_sweep_job,
    preview_job,
    stamp_job,
)
from inspector.gui.workspaces.evasion.maps_job import Maps, maps_job
from inspector.gui.workspaces.evasion.mode_table import ModeTable
from inspector.gui.workspaces.evasion.probability_entries import attack_entries, comparison_entries
from inspector.gui.workspaces.evasion.results_view import ResultsView
from inspector.gui.workspaces.evasion.state import EvasionState, Preview
from inspector.gui.workspaces.evasion.threat_panel import ThreatPanel
from inspector.gui.workspaces.evasion.trigger_panel import TriggerPanel, stamp_entries
from inspector.gui.workspaces.evasion.verdict import percent, verdict_line

SIDE_WIDTH = 330
SUMMARY_SEPARATOR = "  \u00b7  "


class EvasionWorkspace(Workspace):
    """Signals, emitted once the job has ended: ``preview_ready`` (an original is shown),
    ``attack_finished`` (the Inspection) and ``modes_compared`` (the
    :class:`~inspector.gui.workspaces.evasion.jobs.ModeSweep`)."""

    name = "evasion"
    title = "Evasion"
    opens = (AttackSource,)

    preview_ready = Signal()
    attack_finished = Signal(object)
    modes_compared = Signal(object)
    stamped = Signal(object)

    def __init__(self, shell, state: EvasionState | None = None, parent=None):
        super().__init__(shell, state, parent)
        self.state = state or EvasionState()
        self._attack_job: Job | None = None
        self._running: str | None = None  # what runs, for the verdict line
        self._run_inputs: tuple | None = None  # state.inputs() when the shown result's run started
        self._adversarial: tuple | None = None  # the last attack's adversarial pane: (pixels, caption)
        self._maps: Maps | None = None  # the last maps made, of one attack by one method
        self._maps_job: Job | None = None
        self.presenter = False
        self._build()
        self._add_keys()
        self.shell.runner.busy_changed.connect(self._on_busy)
        self.shell.session.events.model.connect(self._on_session_changed)
        self.shell.session.events.device.connect(self._on_session_changed)
        self.state.events.preview.connect(self._show_preview)
        self.state.events.all.connect(self._show_results)  # any change: the results may be stale now
        self.attack_panel.form.changed.connect(self._show_results)  # parameters change in place
        self.defense_panel.changed.connect(self._show_results)
        self.defense_panel.train_detector_clicked.connect(self.train_detector)
        self.compare_panel.set_model(self.shell.session.model)
        self.threat_panel.set_model(self.shell.session.model)
        self.load(self.state.image, suit=self.state.image == str(default_image()))

    # ---- layout -------------------------------------------------------------------------------
    def _build(self) -> None:
        self.image_panel = ImagePanel(self.state)
        self.image_panel.image_chosen.connect(self.open_image)
        self.image_panel.open_requested.connect(self.choose_image)
        self.corruption_panel = CorruptionPanel()
        self.state.events.preview.connect(self.corruption_panel.set_preview)
        self.shell.runner.busy_changed.connect(self.corruption_panel.set_busy)
        self.attack_panel = AttackPanel(self.state)
        self.attack_panel.run_clicked.connect(self.run_attack)
        self.attack_panel.cancel_clicked.connect(self.shell.runner.cancel)
        self.threat_panel = ThreatPanel(self.state)
        self.threat_panel.compare_modes_clicked.connect(self.compare_modes)
        self.mode_table: ModeTable | None = None
        self.defense_panel = DefensePanel(self.state)
        self.compare_panel = ComparePanel(self.state)
        self.trigger_panel = TriggerPanel()
        self.trigger_panel.stamp_clicked.connect(self.stamp_trigger)
        self.results = ResultsView()
        self.panes = self.results.panes
        self.probabilities = self.results.probabilities
        self.defence_table = self.results.defence_table
        self.live_plot = self.results.live_plot
        self.explain_bar = self.results.explain_bar
        self.explain_bar.changed.connect(self.show_maps)
        self.lay_out(
            [
                self.image_panel,
                self.threat_panel,
                self.attack_panel,
                self.defense_panel,
                self.corruption_panel,
                self.compare_panel,
                self.trigger_panel,
            ],
            self.results,
            SIDE_WIDTH,
            footer=self.attack_panel.actions,
        )

    def _add_keys(self) -> None:
        """Ctrl+R runs; in presenter mode (only: elsewhere they belong to the controls) Space runs and
        Left and Right step through the sample images."""
        QShortcut(QKeySequence("Ctrl+R"), self, self.run_from_key)
        self._presenter_keys = [
            QShortcut(QKeySequence(Qt.Key.Key_Space), self, self.run_from_key),
            QShortcut(QKeySequence(Qt.Key.Key_Left), self, lambda: self.step_image(-1)),
            QShortcut(QKeySequence(Qt.Key.Key_Right), self, lambda: self.step_image(1)),
        ]
        for key in self._presenter_keys:
            key.setEnabled(False)

    def run_from_key(self) -> None:
        """Run, when the tab is shown and nothing runs (a key pressed twice does not queue a run)."""
        if self.isVisible() and not self.shell.runner.busy():
            self.run_attack()

    def step_image(self, offset: int) -> None:
        """Open the sample image ``offset`` places after the current one in the gallery (wrapping round)."""
        if self.isVisible() and not self.shell.runner.busy():
            path = self.image_panel.step(self.state.image, offset)
            if path is not None:
                self.open_image(path)

    def set_presenter(self, on: bool) -> None:
        """Presenter mode hides the left column; Run, Cancel and the progress bar stay, in a row under the results."""
        self.presenter = on
        actions = self.attack_panel.actions
        if on:
            self.results.layout().addWidget(actions)
        else:
            self.side_column.layout().addWidget(actions)
        actions.layout().setDirection(QBoxLayout.Direction.LeftToRight if on else QBoxLayout.Direction.TopToBottom)
        actions.show()  # a widget given a new parent is hidden
        self.side_column.setVisible(not on)
        self.results.set_presenter(on)
        if not on:
            self.results.show_outcome(self.state.inspection is not None and bool(self.state.inspection.defended))
        for key in self._presenter_keys:
            key.setEnabled(on)
        self._show_results()

    def fill_file_menu(self, menu: QMenu) -> None:
        def add(target, text, slot, shortcut=None):
            action = QAction(text, target)
            if shortcut is not None:
                action.setShortcut(shortcut)
            action.triggered.connect(slot)
            target.addAction(action)

        add(menu, "&Open image\u2026", self.choose_image, QKeySequence.StandardKey.Open)
        recent = menu.addMenu("&Recent images")
        for path in self.shell.settings.recent:
            add(recent, path, lambda checked=False, p=path: self.open_image(p))
        recent.setEnabled(bool(self.shell.settings.recent))
        samples = menu.addMenu("&Sample images")
        for path in [*sample_images(), *road_sign_images()]:
            add(samples, path.name, lambda checked=False, p=str(path): self.open_image(p))
        menu.addSeparator()
        add(menu, "Export &adversarial\u2026", lambda: self.export_dialog("adversarial"), QKeySequence.StandardKey.Save)
        add(menu, "Export &perturbation\u2026", lambda: self.export_dialog("perturbation"))
        add(menu, "Export &figure for slides\u2026", lambda: self.export_dialog("figure"))
        add(menu, "Export &recipe (JSON)\u2026", lambda: self.export_dialog("recipe"))

    def set_text_scale(self, scale: float) -> None:
        self.results.set_text_scale(scale)

    # ---- loading ------------------------------------------------------------------------------
    def open_file(self, path: str) -> None:
        self.open_image(path)

    def model_changed(self) -> None:
        """The model's metadata changed on disk: load the image again with it."""
        self.load(self.state.image)

    def open_image(self, path: str) -> None:
        """Load and classify an image file; on failure, show why and keep the current one."""
        self.load(str(path))

    def load(
        self,
        image: str,
        model: str | None = None,
        device: str | None = ...,
        *,
        weights: str | None = None,
        trust_code: bool = False,
        then_run: Recipe | None = None,
        suit: bool = False,
    ) -> None:
        """Load ``image`` with ``model`` (and ``weights``, ``trust_code``) on ``device`` (default: the
        session's) in a worker; the state and the session change only when that succeeds, and then
        ``then_run`` runs, if given. With ``suit`` (a model change, or the default photo at start), a
        shipped sample made for another kind of model is replaced by the first that suits this one."""
        session = self.shell.session
        weights, trust = (session.weights, session.trust_code) if model is None else (weights, trust_code)
        model = session.model if model is None else model
        device = session.device if device is ... else device
        job = Job(preview_job, image, model, device, weights, trust)
        self.shell.runner.start(
            job,
            f"loading {Path(image).name} on {model}\u2026",
            lambda preview: self._on_preview(image, preview, then_run, suit),
        )

    def open_source(self, source: AttackSource, confirm_code=lambda model: False) -> bool:
        """Replay a saved run (its result.json, an exported recipe, or a bare recipe): show its choices,
        load its model and image, and run it as recorded (thread count included), which gives the
        adversarial ``inspector replay`` gives. ``confirm_code(model)`` asks before a recipe loads a
        pickled model: a file's ``trust_model_code`` is never trust, only a reason to ask. False (and
        one error line) for choices the panels refuse."""
        try:
            self.state.use_recipe(source.recipe)
            self.attack_panel.show_form()  # the panels' editors hold the values the recipe replaced
            self.defense_panel.show_state()
            self.threat_panel.show_state()
        except InspectorError as exc:
            self.shell.show_error(str(exc))
            return False
        recipe = source.recipe
        if "trust_model_code" in source.ignored:  # the file asks; the person decides, now
            if not confirm_code(recipe.model):
                return False
            recipe.trust_model_code = True
        self.load(
            recipe.image,
            recipe.model,
            recipe.device,
            weights=recipe.weights,
            trust_code=recipe.trust_model_code,
            then_run=recipe,
        )
        return True

    def _on_preview(self, image: str, preview: Preview, then_run: Recipe | None = None, suit: bool = False) -> None:
        first_load = self.state.preview is None
        self.state.image = image
        self.state.inspection = self.state.comparison = None
        self.state.preview = preview
        suited = samples_for(preview.class_names, preview.shape[0])
        self.image_panel.set_samples(suited)
        unsuited = is_shipped_sample(image) and Path(image).resolve() not in {p.resolve() for p in suited}
        if suit and suited and unsuited:
            self.load(str(suited[0]), then_run=then_run)  # another kind of model's sample: show one of this one's
            return
        if not first_load:
            self.shell.settings.add_recent(image)
        session = self.shell.session
        # weights and trust first: the workspaces reload when the model or device changes
        session.weights, session.trust_code = preview.weights, preview.trust_code
        session.model, session.device = preview.model, preview.device
        self.preview_ready.emit()
        if then_run is not None:
            self.run_attack(then_run)

    def _on_session_changed(self, *_args) -> None:
        """The model or device changed in the main window: classify the image again with it."""
        preview = self.state.preview
        session = self.shell.session
        current = (session.model, session.device, session.weights, session.trust_code)
        if preview is not None and preview.choice() != current:
            self._show_results()  # stale until the image has loaded with it
            self.load(self.state.image, suit=True)

    def _show_preview(self, preview: Preview) -> None:
        self._on_busy(self.shell.runner.busy())
        self.compare_panel.set_model(preview.model)
        self.threat_panel.set_model(preview.model)
        pending_target = self.state.target
        self.attack_panel.class_picker.set_classes(preview.class_names)
        top = preview.classification.top_k[0]
        self.panes.set_image(0, preview.pixels, f"{top['name']} ({top['probability']:.0%})")
        self.panes.clear_attack()
        self._adversarial = None
        self.explain_bar.show_sanity("")
        self.live_plot.reset()
        self.attack_panel.reset_progress()
        self._show_results()
        self.shell.set_summary(f"device {preview.device_name}{SUMMARY_SEPARATOR}model {preview.model}")
        if isinstance(pending_target, str):
            self._resolve_target(pending_target)
        else:
            self.attack_panel.class_picker.set_target(pending_target)

    def _resolve_target(self, spec: str) -> None:
        try:
            self.state.target = resolve_class(spec, self.state.preview.class_names)
        except InspectorError as exc:
            self.state.target = None
            self.shell.show_error(str(exc))
        self.attack_panel.class_picker.set_target(self.state.target)

    # ---- attacks ------------------------------------------------------------------------------
    def run_attack(self, recipe: Recipe | None = None) -> None:
        """Start the chosen attack (or ``recipe``, a replay, without comparison) on the current image
        in a worker thread."""
        preview = self.state.preview
        if preview is None:
            return
        if recipe is None and self.state.threat == "transfer" and not self.state.surrogate:
            self.shell.show_error("a transfer attack needs a surrogate: choose one in the Threat model panel")
            return
        compare = [] if recipe is not None else list(self.state.compare)
        recipe = recipe or self.state.recipe(
            preview.model, preview.device, weights=preview.weights, trust_code=preview.trust_code
        )
        job = Job(attack_job, recipe, preview.classification.label, compare, self.state.compare_direct)
        job.progress.connect(self._on_report)
        self._attack_job = job
        running = f"running {ATTACKS[recipe.attack].title}\u2026"
        if self.shell.runner.start(job, running, self._on_attack_done):
            self._running, self._run_inputs = running, self.state.inputs()
            self.shell.set_summary(f"device {preview.device_name}{SUMMARY_SEPARATOR}model {preview.model}")
            self.state.comparison = None
            self.state.inspection = None  # the previous verdict goes at once
            self._adversarial = None
            self.show_maps()  # the original without a map until the new adversarial has its own
            self.panes.clear_attack()
            self._show_results()
            self.results.show_progress()
            self.live_plot.reset()
            self.live_plot.set_subject(recipe.surrogates[0] if recipe.surrogates else "")  # what the curves are of
            self.attack_panel.start_progress()

    def train_detector(self) -> None:
        """Open the "Train detector…" dialog for the loaded model; a detector it saves is checked in the panel."""
        if self.state.preview is None:
            self.shell.show_error("load an image and a model first: the detector learns that model's adversarials")
            return
        from inspector.gui.workspaces.evasion.detector_dialog import (
            TrainDetectorDialog,
        )  # on first use: keeps start-up short

        dialog = TrainDetectorDialog(self.shell.runner, self.state.preview, self)
        dialog.trained.connect(self.defense_panel.use_detector)
        self.detector_dialog = dialog
        dialog.show()

    def compare_modes(self) -> None:
        """Run the current black-box attack on the current image once per output mode in a worker
        (progress and Cancel in the attack panel), then show the table (:class:`ModeTable`)."""
        preview = self.state.preview
        if preview is None:
            return
        cls = ATTACKS[self.state.attack]
        if cls.threat_model == "white-box":
            self.shell.show_error(
                f"{cls.title} needs gradients: choose a black-box attack (Square or HopSkipJump) "
                "to compare output modes"
            )
            return
        recipe = self.state.recipe(
            preview.model, preview.device, weights=preview.weights, trust_code=preview.trust_code
        )
        held_out = self.state.held_out_digits if self.threat_panel.held_out.isVisibleTo(self.threat_panel) else 0
        job = Job(mode_sweep_job, recipe, preview.classification.label, held_out)
        job.progress.connect(self._on_report)
        self._attack_job = job
        if self.shell.runner.start(job, f"comparing output modes with {cls.title}\u2026", self._on_modes_done):
            self.live_plot.reset()
            self.attack_panel.start_progress()

    def _on_modes_done(self, sweep: ModeSweep) -> None:
        self.attack_panel.finish_progress()
        if self.mode_table is None:
            self.mode_table = ModeTable(self)
        self.mode_table.show_sweep(sweep)
        self.modes_compared.emit(sweep)

    def _on_report(self, report) -> None:
        if isinstance(report, Progress):
            if self.attack_panel.show_iteration(report.iteration, report.total):
                self.live_plot.reset(report.total)
            self.live_plot.add(report.iteration, report.loss, report.true_probability)
        elif isinstance(report, Frame):
            self._show_frame(report)
        elif isinstance(report, ModeStage):  # an output-mode comparison starts its next mode
            self.shell.show_status(f"output mode {report.index + 1} of {report.total}: {report.title}\u2026", 0)
            self.live_plot.reset()
            self.attack_panel.start_progress()
        elif isinstance(report, Stage):  # a model comparison starts its next attack
            self.shell.show_status(f"attacking {report.model}\u2026", 0)
            self.live_plot.reset()
            self.live_plot.set_subject(report.model)
            self.attack_panel.start_progress()

    def _show_frame(self, frame: Frame) -> None:
        self.panes.set_image(1, frame.perturbation)
        self.panes.set_image(2, frame.adversarial)
        self.panes.set_scale(frame.scale)
        self.live_plot.redraw()

    def _on_attack_done(self, outcome: AttackOutcome) -> None:
        inspection = outcome.inspection
        self._running = None
        self.state.comparison = outcome.comparison
        self.state.inspection = inspection
        self._show_frame(outcome.frame)
        top = inspection.adversarial.top_k[0]
        self._adversarial = (outcome.frame.adversarial, f"{top['name']} ({top['probability']:.0%})")
        self.panes.set_image(2, *self._adversarial)
        self.attack_panel.finish_progress(inspection.attack.cancelled)
        self.results.show_outcome(bool(inspection.defended))
        summary = inspection.to_dict()
        parts = summary_parts(summary)
        if outcome.certificate is not None:  # beside the attack's L2 (verdict, Linf, L2 come first)
            parts.insert(3, outcome.certificate)
        self.shell.set_summary(SUMMARY_SEPARATOR.join([*parts, f"device {summary['model']['device']}"]))
        self.attack_finished.emit(inspection)
        self.show_maps()

    # ---- where the model looks ----------------------------------------------------------------
    def show_maps(self) -> None:
        """With the toggle on and an attack shown, overlay the maps of the chosen method on the original
        and adversarial panes (made in a worker the first time, then kept); else show the plain images."""
        inspection, method = self.state.inspection, self.explain_bar.method_name()
        if not self.explain_bar.on() or inspection is None or self._adversarial is None:
            self._show_plain_images()
            return
        maps = self._maps
        if maps is not None and maps.inspection is inspection and maps.method == method:
            self._overlay(maps)
            return
        self._show_plain_images()
        job = Job(maps_job, inspection, method)
        if self.shell.runner.start(job, "explaining the original and the adversarial…", self._on_maps):
            self._maps_job = job
            self.explain_bar.show_sanity("explaining…")

    def _on_maps(self, maps: Maps) -> None:
        self._maps = maps
        self.show_maps()  # shown if still asked for: the toggle, the method and the attack may have changed

    def _overlay(self, maps: Maps) -> None:
        original, adversarial = maps.inspection.original.top_k[0], maps.inspection.adversarial.top_k[0]
        title = f"original map: {maps.original_class} ({original['probability']:.0%})"
        self.panes.set_image(0, maps.original, title=title)
        title = f"adversarial map: {maps.adversarial_class} ({adversarial['probability']:.0%})"
        self.panes.set_image(2, maps.adversarial, title=title)
        self.explain_bar.show_sanity(maps.sanity, maps.flagged)

    def _show_plain_images(self) -> None:
        preview = self.state.preview
        if preview is not None:
            top = preview.classification.top_k[0]
            self.panes.set_image(0, preview.pixels, f"{top['name']} ({top['probability']:.0%})")
        if self._adversarial is not None:
            self.panes.set_image(2, *self._adversarial)
        self.explain_bar.show_sanity("")

    # ---- backdoor trigger ---------------------------------------------------------------------
    def stamp_trigger(self, kind: str) -> None:
        """Stamp the ``kind`` trigger on the current image; the panes and bars show before and after."""
        preview = self.state.preview
        if preview is None:
            return
        job = Job(stamp_job, self.state.image, *preview.choice()[:2], preview.weights, preview.trust_code, kind)
        self.shell.runner.start(job, f"stamping the {kind} trigger…", self._on_stamped)

    def _on_stamped(self, result: Stamped) -> None:
        self._adversarial = None  # the panes show the trigger now, not the attack
        self.show_maps()
        top = result.stamped.top_k[0]
        self.panes.set_image(1, result.trigger, result.description, title="trigger")
        self.panes.set_image(2, result.triggered, f"{top['name']} ({top['probability']:.0%})", title="triggered")
        self.panes.set_scale(None)
        self.probabilities.set_entries(stamp_entries(result.clean, result.stamped), 2)
        self.stamped.emit(result)

    def results_stale(self) -> bool:
        """Whether the shown result no longer matches the inputs: a choice changed since its run began,
        or the model or device changed (the image loads again with it)."""
        if self.state.inspection is None:
            return False
        session = self.shell.session
        current = (session.model, session.device, session.weights, session.trust_code)
        return self.state.inputs() != self._run_inputs or self.state.preview.choice() != current

    def _show_results(self, *_args) -> None:
        """The bars, the defences table and the verdict line of the current state (stale ones marked)."""
        preview = self.state.preview
        if preview is None:
            return
        inspection, comparison = self.state.inspection, self.state.comparison
        if comparison is not None:
            self.probabilities.set_entries(*comparison_entries(comparison))
        else:
            self.probabilities.set_entries(attack_entries(preview.classification, inspection), 2)
        mode = None
        if inspection is not None and inspection.defended:
            mode = "adaptive attack" if inspection.recipe.adaptive else "non-adaptive attack"
        members = [self.shell.session.model, *self.state.ensemble] if self.state.ensemble else None
        rows = defence_rows(
            preview.classification, self._chosen_defences(), inspection, members, self.state.ensemble_rule
        )
        self.defence_table.show_rows(rows, mode)
        stale = self.results_stale()
        self.results.set_stale(stale)
        self.results.fit_bottom()
        if inspection is not None:
            line = verdict_line(inspection)
            if stale:
                self.results.set_verdict(f"stale, the inputs changed (run again): {line}", "stale")
            else:
                self.results.set_verdict(line, "fooled" if inspection.success else "holds")
        elif self._running is not None:
            self.results.set_verdict(self._running, "idle")
        else:
            top = preview.classification.top_k[0]
            key = "Space" if self.presenter else "Ctrl+R"
            self.results.set_verdict(f"{top['name']} {percent(top['probability'])}: {key} runs the attack", "idle")

    def _chosen_defences(self) -> list[str]:
        """The chosen defences' specs, in the order they apply; none while a value is invalid."""
        inputs = self.state.inputs()
        return [] if inputs is None else inputs[0].defenses

    def _on_busy(self, busy: bool) -> None:
        attacking = busy and self.shell.runner.job is self._attack_job
        if not busy and self._running is not None:  # failed: nothing replaces the cleared result
            self._running = None
            self._show_results()
        if not busy and self._maps_job is not None and self._maps_job.ended():
            failed, self._maps_job = self._maps_job.error is not None, None
            if failed:  # its one line is shown; the toggle goes off, as nothing is overlaid
                self.explain_bar.toggle.setChecked(False)
        self.attack_panel.set_running(attacking, can_run=not busy and self.state.preview is not None)
        if not busy:
            self.attack_panel.stop_progress()

    # ---- files --------------------------------------------------------------------------------
    def choose_image(self) -> None:
        patterns = " ".join(f"*{s}" for s in IMAGE_SUFFIXES)
        path, _ = QFileDialog.getOpenFileName(
            self, "Open image", str(Path(self.state.image).parent), f"Images ({patterns});;All files (*)"
        )
        if path:
            self.open_image(path)

    def export_to(self, kind: str, path: str) -> bool:
        """Write ``kind`` (adversarial, perturbation, figure, recipe) of the last attack to ``path``."""
        writers = {
            "adversarial": export.export_adversarial,
            "perturbation": export.export_perturbation,
            "figure": export.export_figure,
            "recipe": lambda inspection, path: export.export_recipe(inspection, path, self.state.comparison),
        }
        try:
            writers[kind](self.state.inspection, path)
        except InspectorError as exc:
            self.shell.show_error(str(exc))
            return False
        self.shell.show_status(f"saved {path}", 5000)
        return True

    def export_dialog(self, kind: str) -> None:
        if self.state.inspection is None:
            self.shell.show_error("nothing to export yet: run an attack first")
            return
        stem = Path(self.state.image).stem
        filters = {
            "recipe": "JSON (*.json)",
            "adversarial": "PNG, lossless (*.png);;JPEG, may undo the attack (*.jpg *.jpeg)",
        }
        suffix = ".json" if kind == "recipe" else ".png"
        path, _ = QFileDialog.getSaveFileName(
            self,
            f"Export {kind}",
            self.shell.settings.export_path(f"{stem}-{kind}{suffix}"),
            filters.get(kind, "PNG (*.png)"),
        )
        if not path:
            return
        self.shell.settings.remember_export(path)
        if kind == "adversarial" and export.is_lossy(path):
            answer = QMessageBox.warning(
                self,
                self.window().windowTitle(),
                export.JPEG_WARNING + "\n\nSave as JPEG anyway?",
                QMessageBox.StandardButton.Save | QMessageBox.StandardButton.Cancel,
            )
            if answer != QMessageBox.StandardButton.Save:
                return
        self.export_to(kind, path)
