"""The threat-model panel: what the attacker gets from the target, and how the target conceals itself.

White-box, scores, top-k, label-only, or transfer from a chosen surrogate;
for the black-box ones, the concealment: a query throttle (simulated) and a
stateful detector of query attacks. Choosing a threat model the current
attack cannot run under switches to one that can (label-only: HopSkipJump).
After a run it shows the queries used, the attacker's simulated time, whether
and when the detector caught the attacker, and the model the attack was
computed on. "Compare output modes..." asks the workspace to run the current
black-box attack once per output mode (see :mod:`.mode_table`). Choices go into :class:`~inspector.gui.workspaces.evasion.state.EvasionState`.
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QCheckBox, QComboBox, QFormLayout, QGroupBox, QLabel, QLineEdit, QPushButton, QSpinBox

from inspector.core.attacks.threat_model import THREAT_MODELS
from inspector.core.models.loading import builtin_models
from inspector.gui.workspaces.evasion.compare_panel import comparable_models
from inspector.gui.workspaces.evasion.state import EvasionState

DETECTORS = {
    "": "off",
    "blacklight": "Blacklight (Li et al. 2022)",
    "similarity": "query similarity (Chen et al. 2019)",
}
DEFAULT_RATE = "1/s"
#: What the result line says before a run and after a new image or model clears the last one.
NO_RUN_TEXT = "no attack run yet"


class ThreatPanel(QGroupBox):
    """Writes ``state.threat``, ``top_k``, ``surrogate``, ``throttle`` and ``stateful_detector``;
    ``compare_modes_clicked`` when the user asks for the output-mode comparison."""

    compare_modes_clicked = Signal()

    def __init__(self, state: EvasionState, parent=None):
        super().__init__("Threat model", parent)
        self.state = state
        self.threat_combo = QComboBox()
        for threat in THREAT_MODELS.values():
            self.threat_combo.addItem(threat.title, threat.name)
        self.top_k = QSpinBox()
        self.top_k.setRange(1, 1000)
        self.top_k.setValue(state.top_k)
        self.surrogate_combo = QComboBox()
        self.throttle_box = QCheckBox("throttle queries")
        self.rate = QLineEdit(state.throttle or DEFAULT_RATE)
        self.rate.setToolTip(
            "queries per client: 1/s, 60/min, 1000/h, optionally :burst=N; the time is "
            "simulated, the attack does not wait"
        )
        self.detector_combo = QComboBox()
        for name, title in DETECTORS.items():
            self.detector_combo.addItem(title, name)
        self.held_out = QSpinBox()
        self.held_out.setRange(0, 200)
        self.held_out.setValue(state.held_out_digits)
        self.held_out.setToolTip(
            "Compare output modes also attacks this many shipped held-out MNIST digits "
            "(never trained on) that the model classifies correctly: digit models only"
        )
        self.compare_modes = QPushButton("Compare output modes\u2026")
        self.compare_modes.setToolTip(
            "run the black-box attack on this image once per output mode (full, rounded, "
            "top-1 score, noisy, label only) and show success, queries and norm"
        )
        self.compare_modes.clicked.connect(self.compare_modes_clicked)
        self.result = QLabel(NO_RUN_TEXT)
        self.result.setWordWrap(True)

        self.form = QFormLayout(self)
        self.form.addRow(self.threat_combo)
        self.form.addRow("top-k", self.top_k)
        self.form.addRow("surrogate", self.surrogate_combo)
        self.form.addRow(self.throttle_box, self.rate)
        self.form.addRow("stateful detector", self.detector_combo)
        self.form.addRow("+ held-out digits", self.held_out)
        self.form.addRow(self.compare_modes)
        self.form.addRow(self.result)

        self.show_state()
        self.threat_combo.currentIndexChanged.connect(self._on_threat)
        self.top_k.valueChanged.connect(lambda k: setattr(state, "top_k", k))
        self.held_out.valueChanged.connect(lambda n: setattr(state, "held_out_digits", n))
        self.surrogate_combo.currentIndexChanged.connect(
            lambda _i: setattr(state, "surrogate", self.surrogate_combo.currentData())
        )
        self.throttle_box.toggled.connect(self._sync_throttle)
        self.rate.editingFinished.connect(self._sync_throttle)
        self.detector_combo.currentIndexChanged.connect(
            lambda _i: setattr(state, "stateful_detector", self.detector_combo.currentData() or None)
        )
        state.events.attack.connect(self._show_rows)
        state.events.inspection.connect(self.show_result)
        self._show_rows()

    def show_state(self) -> None:
        """Show the state's choices (also when set from outside: an opened recipe)."""
        for widget in (self.threat_combo, self.top_k, self.throttle_box, self.rate, self.detector_combo):
            widget.blockSignals(True)
        self.threat_combo.setCurrentIndex(self.threat_combo.findData(self.state.threat))
        self.top_k.setValue(self.state.top_k)
        self.throttle_box.setChecked(self.state.throttle is not None)
        self.rate.setText(self.state.throttle or DEFAULT_RATE)
        self.detector_combo.setCurrentIndex(max(self.detector_combo.findData(self.state.stateful_detector or ""), 0))
        for widget in (self.threat_combo, self.top_k, self.throttle_box, self.rate, self.detector_combo):
            widget.blockSignals(False)
        self._show_rows()

    def set_model(self, model: str) -> None:
        """Offer the built-in models of ``model``'s task as surrogates (for a photo model: the other
        EfficientNet-Lites)."""
        names = comparable_models(model)
        self.surrogate_combo.blockSignals(True)
        self.surrogate_combo.clear()
        for name in names:
            self.surrogate_combo.addItem(name, name)
            self.surrogate_combo.setItemData(
                self.surrogate_combo.count() - 1, builtin_models()[name].description, 0x0003
            )  # Qt.ToolTipRole
        keep = self.surrogate_combo.findData(self.state.surrogate)
        self.surrogate_combo.setCurrentIndex(keep if keep >= 0 else 0)
        self.surrogate_combo.blockSignals(False)
        self.state.surrogate = self.surrogate_combo.currentData()
        self._show_rows()

    def _on_threat(self, _index: int) -> None:
        threat = THREAT_MODELS[self.threat_combo.currentData()]
        self.state.threat = threat.name
        if not threat.allows(self.state.attack):
            self.state.attack = threat.default_attack  # the attack panel follows the state
        self._show_rows()

    def _sync_throttle(self) -> None:
        self.state.throttle = (self.rate.text().strip() or DEFAULT_RATE) if self.throttle_box.isChecked() else None

    def _show_rows(self, *_args) -> None:
        threat = self.state.threat
        black_box = THREAT_MODELS[threat].queries_target
        self.form.setRowVisible(self.top_k, threat == "top-k")
        self.form.setRowVisible(self.surrogate_combo, threat == "transfer")
        self.form.setRowVisible(self.throttle_box, black_box)
        self.form.setRowVisible(self.detector_combo, black_box)
        self.form.setRowVisible(self.compare_modes, black_box)
        preview = self.state.preview
        self.form.setRowVisible(
            self.held_out,
            black_box and preview is not None and preview.shape[0] == 1 and len(preview.class_names) == 10,
        )
        if threat == "transfer" and self.surrogate_combo.count() == 0:
            self.result.setText(
                "no built-in surrogate takes this model's input: choose an MNIST model or EfficientNet-Lite0"
            )

    def show_result(self, inspection) -> None:
        """After a run: queries, simulated attacker time, detection, and the model attacked; cleared
        with the run (a new image or model), so that it never names a model no longer loaded."""
        if inspection is None:
            self.result.setText(NO_RUN_TEXT)
            return
        threat = inspection.threat_model()
        if threat["kind"] == "white-box":
            self.result.setText(f"computed on {threat['computed_on']} with its gradients: no queries")
        elif threat["kind"] == "black-box":
            self.result.setText(
                f"computed on {threat['computed_on']} through its answers only\n"
                + threat["summary"].replace("; ", "\n")
            )
        else:
            self.result.setText(threat["summary"])
