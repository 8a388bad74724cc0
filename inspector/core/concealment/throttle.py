"""Query throttling: a token bucket per client, on a simulated clock.

A client holds up to ``burst`` tokens and earns ``rate`` tokens per second;
each query spends one, and a query that finds no token waits until one is
earned (Turner 1986's token bucket, as API gateways apply it). The clock is
simulated, so a demo of an attacker slowed to 1 query per second still
finishes in seconds: the bucket tells how long the attacker *would* have
waited. The model's own compute time is not counted; the attacker is assumed
to send each query as soon as the bucket allows.

Rates read ``"1/s"``, ``"60/min"``, ``"1000/h"`` or a bare number (per
second), with an optional burst: ``"1/s:burst=10"`` (default burst 1).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field

from inspector.core.util.bounds import check_count
from inspector.core.util.errors import ParameterError

_UNITS = {
    "s": 1.0,
    "sec": 1.0,
    "second": 1.0,
    "min": 60.0,
    "minute": 60.0,
    "h": 3600.0,
    "hour": 3600.0,
    "d": 86400.0,
    "day": 86400.0,
}
_RATE = re.compile(r"^\s*([0-9]*\.?[0-9]+(?:e[-+]?[0-9]+)?)\s*(?:/\s*([a-z]+))?\s*$", re.IGNORECASE)


@dataclass
class TokenBucket:
    """Per-client token buckets on a simulated clock.

    Args:
        rate: tokens (queries) earned per second, > 0.
        burst: the most tokens a client holds, >= 1; a new client starts full.

    Attributes:
        clock: per client, the simulated time in seconds at which its last query was served.

    Raises:
        ParameterError: a rate <= 0 or a burst outside 1..MAX_COUNT.
    """

    rate: float
    burst: int = 1
    clock: dict = field(default_factory=dict)
    _tokens: dict = field(default_factory=dict, repr=False)

    def __post_init__(self):
        if not (self.rate > 0 and math.isfinite(self.rate)):
            raise ParameterError(f"throttle rate {self.rate!r} must be a positive number of queries per second")
        if self.burst < 1:
            raise ParameterError(f"throttle burst {self.burst!r} must be at least 1")
        check_count(self.burst, "the throttle burst")  # a count: at most MAX_COUNT queries at once

    def serve(self, client, n: int = 1) -> float:
        """Serve ``n`` queries of ``client`` sent back to back; returns the simulated time (s) the last is served.

        With t the client's clock and b its tokens, the queries that find a token go at
        once; the rest go one every 1/rate seconds: the last at t + max(0, n - b) / rate.
        """
        t = self.clock.get(client, 0.0)
        tokens = self._tokens.get(client, float(self.burst))
        wait = max(0.0, n - tokens) / self.rate
        t += wait
        self._tokens[client] = min(float(self.burst), tokens + wait * self.rate - n)
        self.clock[client] = t
        return t

    def describe(self) -> str:
        """``"1 query per second (burst 1)"``."""
        per, unit = (
            (self.rate, "second")
            if self.rate >= 1
            else (self.rate * 60, "minute")
            if self.rate * 60 >= 1
            else (self.rate * 3600, "hour")
        )
        return f"{per:g} {'query' if per == 1 else 'queries'} per {unit} (burst {self.burst})"

    def spec(self) -> str:
        return f"{self.rate:g}/s:burst={self.burst}"


def throttle_from_spec(text: str) -> TokenBucket:
    """Build a :class:`TokenBucket` from ``"RATE[/UNIT][:burst=N]"`` (``"1/s"``, ``"60/min:burst=20"``).

    Raises:
        ParameterError: the text is not of that form, or the rate or burst is out of range.
    """
    rate_text, colon, rest = str(text).partition(":")
    match = _RATE.match(rate_text)
    unit = (match.group(2) or "s").lower() if match else ""
    seconds = _UNITS.get(unit, _UNITS.get(unit[:-1])) if unit.endswith("s") and len(unit) > 1 else _UNITS.get(unit)
    if match is None or seconds is None:  # no match leaves no unit
        raise ParameterError(f"throttle {text!r}: expected a rate like 1/s, 60/min or 1000/h, optionally with :burst=N")
    burst = 1
    if colon:
        key, sep, value = rest.partition("=")
        if key.strip().lower() != "burst" or not sep or not value.strip().isdigit():
            raise ParameterError(f"throttle {text!r}: after ':' expected burst=N (a whole number), not {rest!r}")
        burst = int(value)
    return TokenBucket(float(match.group(1)) / seconds, burst)


def format_duration(seconds: float) -> str:
    """A duration for people: ``"42 s"``, ``"70 minutes"``, ``"5.2 hours"``, ``"3.1 days"``."""
    if seconds < 120:
        return f"{seconds:.0f} s"
    if seconds < 2 * 3600:
        return f"{seconds / 60:.0f} minutes"
    if seconds < 2 * 86400:
        return f"{seconds / 3600:.1f} hours"
    return f"{seconds / 86400:.1f} days"
