"""`inspector evaluate` on the shipped held-out MNIST digits: tables, JSON, Ctrl-C and resume, bad input."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from inspector.cli import main

REPO = Path(__file__).resolve().parents[1]


def run_cli(capsys, *args):
    try:
        code = main(list(args))
    except SystemExit as exc:  # argparse's own errors
        code = exc.code
    out, err = capsys.readouterr()
    return code, out, err


def test_evaluate_prints_the_table_with_confidence_intervals(capsys):
    code, out, _ = run_cli(
        capsys,
        "evaluate",
        "mnist-heldout",
        "--model",
        "mnist-standard",
        "--attack",
        "fgsm",
        "--eps",
        "0,0.3",
        "--limit",
        "30",
        "--no-sanity",
        "--device",
        "cpu",
    )
    assert code == 0
    assert "clean accuracy (no defence)" in out and "fgsm" in out and "0.3" in out
    code, out, _ = run_cli(
        capsys,
        "evaluate",
        "mnist-heldout",
        "--model",
        "mnist-standard",
        "--attack",
        "fgsm",
        "--eps",
        "0,0.3",
        "--limit",
        "30",
        "--no-sanity",
        "--device",
        "cpu",
        "--json",
    )
    rows = json.loads(out)["robust"]
    assert [r["eps"] for r in rows] == [0.0, 0.3] and rows[1]["accuracy"] < rows[0]["accuracy"]
    assert all(r["ci"][0] <= r["accuracy"] <= r["ci"][1] for r in rows)


def test_bad_options_are_one_line_and_exit_2(capsys):
    for args in (
        ["--attack", "nope"],
        ["--eps", "2"],
        ["--adaptive"],
        ["--resume"],
        ["--param", "steps"],
        ["--limit", "0"],
        ["--batch-size", "0"],
        ["--norm", "l1"],
    ):
        code, _, err = run_cli(capsys, "evaluate", "mnist-heldout", "--model", "mnist-standard", *args)
        assert code == 2 and err.startswith("inspector: error: ") and err.count("\n") == 1, (args, err)
    code, _, err = run_cli(capsys, "evaluate", "no-such-folder", "--model", "mnist-standard")
    assert code == 2 and "no-such-folder" in err


def test_ctrl_c_stops_cleanly_and_resume_finishes(capsys, tmp_path):
    out = tmp_path / "run"
    args = [
        "evaluate",
        "mnist-heldout",
        "--model",
        "mnist-standard",
        "--attack",
        "pgd",
        "--steps",
        "40",
        "--eps",
        "0.3",
        "--batch-size",
        "4",
        "--limit",
        "60",
        "--no-sanity",
        "--device",
        "cpu",
        "--out",
        str(out),
    ]
    env = dict(os.environ, PYTHONPATH=str(REPO), OMP_NUM_THREADS="1")
    proc = subprocess.Popen(
        [sys.executable, "-m", "inspector", *args],
        cwd=REPO,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    results = out / "results.jsonl"
    deadline = time.time() + 120
    while time.time() < deadline and not (results.is_file() and results.read_text().count('"pgd"') >= 8):
        time.sleep(0.1)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    assert "--resume" in err
    lines = results.read_text().splitlines()
    assert all(json.loads(line) for line in lines) and len(lines) < 120  # stopped early, every line whole
    code, text, _ = run_cli(capsys, *args, "--resume", "--json")
    assert code == 0
    records = [json.loads(line) for line in results.read_text().splitlines()]
    keys = [(r["image"], r["attack"]) for r in records]
    assert len(keys) == len(set(keys)) == 120
    assert json.loads(text)["robust"][0]["n"] == 60
