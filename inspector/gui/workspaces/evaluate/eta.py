"""The time left of a running evaluation, from the images finished so far (plain Python, no Qt)."""

from __future__ import annotations

import time
from collections.abc import Callable


class Eta:
    """Estimates the seconds left from the rate since the first report.

    The first report's count is the starting point, so images a resumed run had
    already finished do not make the rate look faster than it is.
    """

    def __init__(self, clock: Callable[[], float] = time.monotonic):
        self._clock = clock
        self._start: tuple[float, int] | None = None

    def update(self, done: int, total: int) -> float | None:
        """Seconds left after ``done`` of ``total`` images, or None until one image is done this run."""
        now = self._clock()
        if self._start is None:
            self._start = (now, done)
            return None
        started, first = self._start
        if done <= first or now <= started:
            return None
        return (total - done) * (now - started) / (done - first)


def format_seconds(seconds: float) -> str:
    """``"42 s"``, ``"3 min 5 s"``, ``"1 h 12 min"``."""
    seconds = round(seconds)
    if seconds < 60:
        return f"{seconds} s"
    minutes, seconds = divmod(seconds, 60)
    if minutes < 60:
        return f"{minutes} min {seconds} s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes} min"
