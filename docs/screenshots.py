"""Make the documentation's screenshots of the desktop app, offscreen, as napari does.

    QT_QPA_PLATFORM=offscreen python docs/screenshots.py [--only NAME ...]

Each shot runs ``inspector gui IMAGE ... --screenshot FILE`` in a new process (with
``--run``, after the attack ends) and writes ``docs/_static/NAME.png``, reduced to a
256-colour palette to keep the repository small. Look at each one before committing it.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

from PIL import Image

ROOT = Path(__file__).resolve().parent.parent
STATIC = ROOT / "docs" / "_static"

#: The window's size in the shots: a laptop's screen.
SIZE = ["--window-size", "1366x768"]
#: name -> the arguments of `inspector gui`, run from the checkout.
SHOTS = {
    "app-start": ["resources/images/coffee.png", "--device", "cpu", *SIZE],
    "app-pgd": ["resources/images/coffee.png", "--attack", "pgd", "--eps", "2/255", "--device", "cpu", "--run", *SIZE],
    "app-presenter": [
        "resources/images/coffee.png",
        *("--defense", "jpeg:quality=75", "--defense", "median:size=3", "--defense", "bitdepth:bits=4"),
        *("--device", "cpu", "--run", "--presenter", "--window-size", "1280x720"),
    ],
    "app-black-box": [
        "resources/images/mnist-7.png",
        "--model",
        "mnist-standard",
        "--attack",
        "hopskipjump",
        "--output-mode",
        "label",
        "--throttle",
        "1/s",
        "--stateful-detector",
        "blacklight",
        "--device",
        "cpu",
        "--run",
        *SIZE,
    ],
}


def shoot(name: str, args: list[str]) -> Path:
    out = STATIC / f"{name}.png"
    env = dict(os.environ, QT_QPA_PLATFORM=os.environ.get("QT_QPA_PLATFORM", "offscreen"))
    command = [sys.executable, "-m", "inspector", "gui", *args, "--screenshot", str(out)]
    start = time.monotonic()
    subprocess.run(command, cwd=ROOT, env=env, check=True, timeout=600)
    with Image.open(out) as image:
        small = image.convert("RGB").quantize(colors=256, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE)
    small.save(out, optimize=True)
    print(
        f"{out.relative_to(ROOT)}: {small.width}x{small.height}, {out.stat().st_size // 1024} KB, "
        f"{time.monotonic() - start:.0f} s"
    )
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", nargs="+", choices=sorted(SHOTS), help="make only these shots")
    args = parser.parse_args()
    STATIC.mkdir(parents=True, exist_ok=True)
    for name in args.only or SHOTS:
        shoot(name, SHOTS[name])
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
