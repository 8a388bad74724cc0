"""Running the `inspector` command on hostile input in a subprocess, measuring what it cost.

Used by the tests of untrusted files: each builds a real hostile file in a temporary folder,
runs the command on it with :func:`run_inspector`, and asserts on the :class:`Outcome`:
exit status 2, exactly one line on stderr, peak memory and wall time within the bound.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

#: What loading a hostile model or sidecar under 1 MB may cost before its one-line refusal.
MAX_PEAK_MB = 2048
MAX_SECONDS = 60

#: The checkout under test: a subprocess run from another folder imports this one, not an installed copy.
CHECKOUT = str(Path(__file__).resolve().parents[1])

#: ``python -c`` code that runs ``python -m inspector`` and, as it exits, writes its own peak resident set
#: (VmHWM, in kB) to the file named by its first argument. wait4's ru_maxrss would also count the memory of
#: the pytest process it was forked from (its high-water mark survives the exec), so a test run after heavy
#: in-process tests would see a false peak.
_MEASURED = """
import atexit, runpy, sys
peak_file = sys.argv.pop(1)
def report():
    with open("/proc/self/status") as status:
        kb = next(line.split()[1] for line in status if line.startswith("VmHWM:"))
    with open(peak_file, "w") as out:
        out.write(kb)
atexit.register(report)
runpy.run_module("inspector", run_name="__main__", alter_sys=True)
"""


@dataclass
class Outcome:
    """How a run of the command ended: exit status, output, peak resident memory (MB) and wall time (s)."""

    code: int
    stdout: str
    stderr: str
    peak_mb: float | None  #: None: run in this process (:func:`run_main`), memory not measured
    seconds: float

    @property
    def stderr_lines(self) -> list[str]:
        return [line for line in self.stderr.splitlines() if line.strip()]

    def assert_refused(self, *phrases: str) -> None:
        """Exit 2, one stderr line holding every phrase, within the memory and time bounds."""
        assert self.code == 2, (self.code, self.stderr[-2000:])
        assert len(self.stderr_lines) == 1, self.stderr[-2000:]
        for phrase in phrases:
            assert phrase in self.stderr, (phrase, self.stderr)
        self.assert_bounded()

    def assert_bounded(self) -> None:
        assert self.peak_mb is None or self.peak_mb < MAX_PEAK_MB, f"peak {self.peak_mb:.0f} MB"
        assert self.seconds < MAX_SECONDS, f"{self.seconds:.1f} s"


def run_inspector(
    *args: str, timeout: float = MAX_SECONDS * 2, cwd=None, env: dict | None = None, stdin=subprocess.DEVNULL
) -> Outcome:
    """``python -m inspector ARGS`` in a subprocess (stdin, stdout and stderr not terminals), measured.

    The peak is the process's own largest resident set (VmHWM, reported as it exits); a process killed
    by a signal reports none, and wait4's figure (which may include the forking process's) stands in.
    A run past ``timeout`` is killed and fails the test.
    """
    environment = {
        **os.environ,
        "OMP_NUM_THREADS": "1",
        "QT_QPA_PLATFORM": "offscreen",
        "PYTHONPATH": os.pathsep.join(filter(None, [CHECKOUT, os.environ.get("PYTHONPATH")])),
        **(env or {}),
    }
    fd, peak_file = tempfile.mkstemp(prefix="inspector-peak-")
    os.close(fd)
    start = time.monotonic()
    proc = subprocess.Popen(
        [sys.executable, "-c", _MEASURED, peak_file, *args],
        stdin=stdin,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=cwd,
        env=environment,
    )
    out: dict[str, bytes] = {}
    readers = [
        threading.Thread(target=lambda n=n, f=f: out.__setitem__(n, f.read()), daemon=True)
        for n, f in (("stdout", proc.stdout), ("stderr", proc.stderr))
    ]
    for reader in readers:
        reader.start()
    while True:
        pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
        if pid:
            break
        if time.monotonic() - start > timeout:
            proc.kill()
            os.wait4(proc.pid, 0)
            proc.returncode = -9
            proc.stdout.close()
            proc.stderr.close()
            raise AssertionError(f"inspector {' '.join(args)} still ran after {timeout} s")
        time.sleep(0.05)
    seconds = time.monotonic() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    for reader in readers:
        reader.join(10)
    proc.stdout.close()
    proc.stderr.close()
    reported = Path(peak_file).read_text().strip()
    os.unlink(peak_file)
    peak_kb = int(reported) if reported else usage.ru_maxrss
    return Outcome(
        proc.returncode,
        out.get("stdout", b"").decode("utf-8", "replace"),
        out.get("stderr", b"").decode("utf-8", "replace"),
        peak_kb / 1024,
        seconds,
    )


def run_main(capsys, *args: str) -> Outcome:
    """``inspector ARGS`` in this process (``inspector.cli.main``, the output read with pytest's ``capsys``):
    the same command without the 3 s of a new interpreter, for the cases of a kind whose memory and time
    one :func:`run_inspector` already measures. Its wall time is kept; its memory is not measured."""
    from inspector.cli import main

    capsys.readouterr()
    start = time.monotonic()
    try:
        code = main(list(args))
    except SystemExit as exc:  # the parser's refusal
        code = exc.code
    seconds = time.monotonic() - start
    out, err = capsys.readouterr()
    return Outcome(code, out, err, None, seconds)
