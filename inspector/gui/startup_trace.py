"""Start-up timestamps for ``bench/startup.py``.

With ``INSPECTOR_TRACE_STARTUP`` set, :func:`trace_startup` prints
``startup EVENT TIME`` on stderr, TIME being ``time.time()``; otherwise nothing.
"""

from __future__ import annotations

import os
import sys
import time

TRACE_STARTUP = "INSPECTOR_TRACE_STARTUP"


def trace_startup(event: str) -> None:
    if os.environ.get(TRACE_STARTUP):
        print(f"startup {event} {time.time():.4f}", file=sys.stderr, flush=True)
