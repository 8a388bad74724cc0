"""Hostile numbers on the command line: every count, seed and real a command takes is checked
before any work, and refused with exit 2 and exactly one stderr line naming the flag.

Most cases run in-process (``inspector.cli.main`` and capsys, fast); the ones where the old
code hung, allocated tens of GB or printed progress run in a subprocess (:func:`run_inspector`),
which measures peak memory and time. Each runs in an empty folder that must stay empty.
"""

from __future__ import annotations

import os
import select
from pathlib import Path

import pytest
from hostile import run_inspector

from inspector.cli import main
from inspector.core.io.resources import resource_path
from inspector.core.util.bounds import MAX_COUNT, MAX_MEMBERSHIP_SEED, MAX_TRAIN_SEED
from inspector.core.util.errors import ParameterError
from inspector.core.util.params import MAX_SEED

DIGIT = str(resource_path("images", "mnist-3.png"))
#: The subprocesses run in an empty folder: this checkout's code, not an installed copy.
THIS_CHECKOUT = {"PYTHONPATH": str(Path(__file__).resolve().parents[1])}
HUGE = str(2**70)
MANY_DIGITS = "9" * 5000  # beyond Python's int-to-text limit: must not become a traceback
TOO_MANY = str(MAX_COUNT + 1)

#: (command line, the flag its one error line names): refused by the parser, before any import of torch.
PARSER_CASES = [
    (["classify", DIGIT, "--top", "0"], "--top"),
    (["classify", DIGIT, "--top", "-1"], "--top"),
    (["classify", DIGIT, "--top", TOO_MANY], "--top"),
    (["classify", DIGIT, "--top", "2.5"], "--top"),
    (["attack", DIGIT, "--top", "nan"], "--top"),
    (["attack", DIGIT, "--eot-samples", "0"], "--eot-samples"),
    (["attack", DIGIT, "--eot-samples", "1001"], "--eot-samples"),
    (["train", "standard", "--epochs", "0"], "--epochs"),
    (["train", "standard", "--epochs", "1e9"], "--epochs"),
    (["train", "standard", "--seed", "-1"], "--seed"),
    (["train", "standard", "--seed", str(MAX_TRAIN_SEED + 1)], "--seed"),
    (["evaluate", "mnist-heldout", "--eot-samples", "0"], "--eot-samples"),
    (["evaluate", "mnist-heldout", "--batch-size", "0"], "--batch-size"),
    (["evaluate", "mnist-heldout", "--batch-size", "1000000"], "--batch-size"),
    (["evaluate", "mnist-heldout", "--limit", "0"], "--limit"),
    (["evaluate", "mnist-heldout", "--limit", "-1"], "--limit"),
    (["evaluate", "mnist-heldout", "--sanity-images", TOO_MANY], "--sanity-images"),
    (["poison", "--size", "0"], "--size"),
    (["poison", "--alpha", "nan"], "--alpha"),
    (["poison", "--alpha", "0"], "--alpha"),
    (["poison", "--alpha", "1.5"], "--alpha"),
    (["poison", "--target", "-1"], "--target"),
    (["poison", "--epochs", "0"], "--epochs"),
    (["poison", "--epochs", "1000000"], "--epochs"),
    (["poison", "--seed", HUGE], "--seed"),
    (["poison", "--eps", "inf"], "--eps"),
    (["poison", "--eps", "-1"], "--eps"),
    (["poison", "--expected-rate", "0"], "--expected-rate"),
    (["poison", "--expected-rate", "1"], "--expected-rate"),
    (["scan", "mnist-standard", "--limit", "0"], "--limit"),
    (["scan", "mnist-standard", "--limit", "-1"], "--limit"),
    (["scan", "mnist-standard", "--steps", "1000000000"], "--steps"),
    (["scan", "mnist-standard", "--steps", "0"], "--steps"),
    (["scan", "mnist-standard", "--steps", MANY_DIGITS], "--steps"),
    (["scan", "mnist-standard", "--batch-size", "0"], "--batch-size"),
    (["scan", "mnist-standard", "--batch-size", "1000000"], "--batch-size"),
    (["scan", "mnist-standard", "--seed", "-1"], "--seed"),
    (["scan", "mnist-standard", "--seed", str(MAX_SEED + 1)], "--seed"),
    (["steal", "--seed", HUGE], "--seed"),
    (["steal", "--seed", "-1"], "--seed"),
    (["steal", "--epochs", "0"], "--epochs"),
    (["steal", "--epochs", "1000000"], "--epochs"),
    (["steal", "--transfer-eps", "nan"], "--transfer-eps"),
    (["steal", "--transfer-eps", "2"], "--transfer-eps"),
    (["invert", "--max-iterations", "1e9"], "--max-iterations"),
    (["invert", "--max-iterations", "0"], "--max-iterations"),
    (["invert", "--patience", "1000000000"], "--patience"),
    (["invert", "--patience", "0"], "--patience"),
    (["invert", "--step-size", "nan"], "--step-size"),
    (["invert", "--step-size", "inf"], "--step-size"),
    (["invert", "--step-size", "0"], "--step-size"),
    (["invert", "--step-size", "-0.1"], "--step-size"),
    (["membership", "--references", "1e9"], "--references"),
    (["membership", "--members", "0"], "--members"),
    (["membership", "--queries", "0"], "--queries"),
    (["membership", "--queries", "1000000000"], "--queries"),
    (["membership", "--seed", "-1"], "--seed"),
    (["membership", "--seed", str(MAX_MEMBERSHIP_SEED + 1)], "--seed"),
    (["replay", "result.json", "--limit", "0"], "--limit"),
    (["replay", "result.json", "--limit", "-1"], "--limit"),
]

#: Numbers given as text to the core (attack parameters, lists, ranges that depend on other flags):
#: refused by its checks, still before any work.
CORE_CASES = [
    (["attack", DIGIT, "--model", "mnist-standard", "--steps", "1000000000"], "steps"),
    (["attack", DIGIT, "--model", "mnist-standard", "--seed", HUGE], "seed"),
    (["attack", DIGIT, "--model", "mnist-standard", "--eps", "nan"], "eps"),
    (["attack", DIGIT, "--model", "mnist-standard", "--step-size", "inf"], "step_size"),
    (
        ["attack", DIGIT, "--model", "mnist-standard", "--attack", "square", "--param", "max_queries=1000000000"],
        "max_queries",
    ),
    (
        ["attack", DIGIT, "--model", "mnist-standard", "--attack", "square", "--throttle", "1/s:burst=1" + "0" * 400],
        "burst",
    ),
    (["evaluate", "mnist-heldout", "--model", "mnist-standard", "--steps", "1000000000"], "steps"),
    (["evaluate", "mnist-heldout", "--model", "mnist-standard", "--seed", HUGE], "seed"),
    (["evaluate", "mnist-heldout", "--model", "mnist-standard", "--eps", "nan"], "eps"),
    (["evaluate", "mnist-heldout", "--model", "mnist-standard", "--eps", ",".join(["0.1"] * 101)], "--eps"),
    (["poison", "--target", "10"], "target class 10"),
    (["poison", "--rate", "0"], "--rate"),
    (["poison", "--rate", "nan"], "--rate"),
    (["poison", "--rate", ",".join(["1%"] * 101)], "--rate"),
    (["poison", "--attack", "clean-label", "--norm", "linf", "--eps", "2"], "--eps"),
    (["steal", "--budget", "0"], "budget"),
    (["steal", "--budget", "1000000000"], "budget"),
    (["steal", "--budget", "nan"], "budgets"),
    (["steal", "--budget", ",".join(["5"] * 101)], "budgets"),
    (["membership", "--references", "3", "--attack", "lira-offline"], "--references"),
    (["membership", "--references", "0", "--attack", "lira-offline"], "--references"),
    (["membership", "--members", "2001"], "--members"),
]


def _outcome(capsys, argv: list[str]) -> tuple[int, list[str]]:
    """Run ``inspector ARGV`` in-process: the exit status and the non-empty stderr lines."""
    try:
        code = main(argv)
    except SystemExit as exc:  # the parser's refusal
        code = exc.code
    _, err = capsys.readouterr()
    return code, [line for line in err.splitlines() if line.strip()]


@pytest.mark.parametrize("argv, flag", PARSER_CASES, ids=lambda v: " ".join(v)[:60] if isinstance(v, list) else v)
def test_the_parser_refuses_a_bad_number_in_one_line(argv, flag, capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    code, lines = _outcome(capsys, argv)
    assert code == 2 and len(lines) == 1, lines
    assert lines[0].startswith(f"inspector: error: {flag} must be "), lines[0]
    assert len(lines[0]) < 300
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("argv, phrase", CORE_CASES, ids=lambda v: " ".join(v)[:60] if isinstance(v, list) else v)
def test_the_core_refuses_a_bad_number_before_any_work(argv, phrase, capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    code, lines = _outcome(capsys, argv)
    assert code == 2 and len(lines) == 1, lines
    assert lines[0].startswith("inspector: error: ") and phrase in lines[0], lines[0]
    assert list(tmp_path.iterdir()) == []


def test_core_entry_points_check_their_counts_before_allocating():
    """The GUI and scripts call the core directly: the same bounds hold there, before any allocation
    (MI-Face used to allocate its patience window up front: 40 GB for 10^9)."""
    import torch

    from inspector.core.evaluation import EvaluationConfig, evaluate
    from inspector.core.poisoning.attacks.badnets import BadNets
    from inspector.core.poisoning.neural_cleanse import CleanseSettings, neural_cleanse
    from inspector.core.poisoning.train import BackdoorConfig
    from inspector.core.privacy.inversion import MIFace
    from inspector.core.privacy.membership import MembershipConfig
    from inspector.core.privacy.stealing import StealConfig
    from inspector.core.training import train

    net = torch.nn.Sequential(torch.nn.Flatten(), torch.nn.Linear(784, 10))
    x = torch.rand(4, 1, 28, 28)
    cases = [
        (lambda: neural_cleanse(net, x, CleanseSettings(steps=10**9)), "steps"),
        (lambda: neural_cleanse(net, x, CleanseSettings(batch_size=10**9)), "batch_size"),
        (lambda: neural_cleanse(net, x, CleanseSettings(seed=2**70)), "seed"),
        (lambda: MIFace(patience=10**9).run(net, torch.arange(10), (1, 28, 28)), "patience"),
        (lambda: MIFace(max_iterations=10**9).run(net, torch.arange(10), (1, 28, 28)), "max iterations"),
        (lambda: MIFace(step_size=float("nan")).run(net, torch.arange(10), (1, 28, 28)), "step size"),
        (lambda: StealConfig(seed=2**70).check(), "the seed"),
        (lambda: StealConfig(budgets=[10**12]).check(), "budget"),
        (lambda: StealConfig(transfer_eps=float("nan")).check(), "transfer eps"),
        (lambda: MembershipConfig(seed=2**40).check(), "the seed"),
        (lambda: MembershipConfig(attack="label-only", queries=10**9).check(), "parameter 'queries'"),
        (lambda: BackdoorConfig(epochs=10**9).check(), "the epochs"),
        (lambda: BackdoorConfig(seed=2**70).check(), "the seed"),
        (lambda: BackdoorConfig(BadNets(alpha=float("nan"), trigger="blend")).check(), "alpha"),
        (lambda: train("standard", epochs=10**9), "parameter 'epochs'"),
        (lambda: train("standard", seed=2**70), "the seed"),
        (
            lambda: evaluate(EvaluationConfig(data="mnist-heldout", model="mnist-standard", batch_size=10**9)),
            "--batch-size",
        ),
        (lambda: evaluate(EvaluationConfig(data="mnist-heldout", model="mnist-standard", limit=0)), "--limit"),
    ]
    for call, phrase in cases:
        with pytest.raises(ParameterError, match=phrase):
            call()


@pytest.mark.parametrize(
    "argv, flag",
    [
        (["scan", "mnist-standard", "--steps", "1000000000"], "--steps"),
        (["invert", "--max-iterations", "1000000000"], "--max-iterations"),
        (["invert", "--patience", "1000000000"], "--patience"),
    ],
)
def test_huge_counts_end_in_one_line_within_the_bounds(argv, flag, tmp_path):
    """Once near-endless (scan) or a 40 GB allocation (invert): measured in a subprocess."""
    run_inspector(*argv, cwd=tmp_path, env=THIS_CHECKOUT).assert_refused(flag)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("extra", [["--quit-after"], ["--screenshot", "s.png"]], ids=["run", "run+screenshot"])
def test_a_scripted_gui_run_with_a_bad_target_exits_2(extra, tmp_path):
    """It printed its line and then hung; now the window closes, the app exits 2, nothing is saved."""
    outcome = run_inspector(
        "gui",
        DIGIT,
        "--model",
        "mnist-standard",
        "--run",
        "--target",
        "5000",
        *extra,
        cwd=tmp_path,
        env=THIS_CHECKOUT | {"XDG_CONFIG_HOME": str(tmp_path / "config")},
    )
    outcome.assert_refused("class index 5000")
    assert not (tmp_path / "s.png").exists()


def test_a_scripted_gui_run_with_a_bad_attack_parameter_exits_2(tmp_path):
    outcome = run_inspector(
        "gui",
        DIGIT,
        "--model",
        "mnist-standard",
        "--run",
        "--steps",
        "1000000000",
        "--screenshot",
        "s.png",
        cwd=tmp_path,
        env=THIS_CHECKOUT | {"XDG_CONFIG_HOME": str(tmp_path / "config")},
    )
    outcome.assert_refused("steps", "100000")
    assert not (tmp_path / "s.png").exists()


def test_no_progress_lines_when_stderr_is_not_a_terminal(tmp_path):
    """Neural Cleanse reports each 10th step on a terminal; off one, a success leaves stderr empty."""
    outcome = run_inspector(
        "scan", "mnist-standard", "--steps", "10", "--limit", "20", "--json", cwd=tmp_path, env=THIS_CHECKOUT
    )
    assert outcome.code == 0, outcome.stderr
    assert outcome.stderr == ""
    assert '"classes"' in outcome.stdout


def test_progress_lines_on_a_terminal():
    from inspector.cli.progress import ProgressLine

    main_fd, terminal_fd = os.openpty()
    with os.fdopen(terminal_fd, "w") as terminal:
        line = ProgressLine(terminal, width=20)
        line.show("step 1/2")
        line.show("step 2/2")
        line.end()
        line.end()  # once only
        terminal.flush()
        written = b""
        while select.select([main_fd], [], [], 1)[0]:
            written += os.read(main_fd, 1000)
    os.close(main_fd)
    written = written.decode()
    assert written.replace("\r\n", "\n") == f"\r{'step 1/2':20s}\r{'step 2/2':20s}\n"
    with open(os.devnull, "w") as devnull:
        off = ProgressLine(devnull)
        off.show("x")
    assert not off.enabled and not off.shown
