"""Train a shipped road-sign model (gtsrb-standard or gtsrb-pgd-at) from GTSRB's train.npz.

Prints progress per 40 batches and the validation scores after each epoch; resumable (run it
again after a stop: it continues from the last finished epoch and gives the same weights).
Writes resources/models/gtsrb-<method>.safetensors (float16); the work files stay in --work.

    nice python bench/train_gtsrb.py standard --epochs 15
    nice python bench/train_gtsrb.py pgd-at --epochs 24 --pgd-steps 3 --warmup 3
    nice python bench/train_gtsrb.py trades --epochs 24 --pgd-steps 3 --warmup 3
"""

from __future__ import annotations

import argparse
import shutil
import time
from pathlib import Path

from inspector.core.io.resources import resource_path
from inspector.core.training.road_signs import METHODS, train_road_sign_model

DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "gtsrb"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("method", choices=METHODS)
    parser.add_argument("--epochs", type=int, default=15)
    parser.add_argument("--pgd-steps", type=int, default=3)
    parser.add_argument("--warmup", type=float, default=2.0, help="epochs over which eps ramps up (pgd-at, trades)")
    parser.add_argument("--data", type=Path, default=DATA / "train.npz")
    parser.add_argument("--work", type=Path, default=Path("gtsrb-work"))
    args = parser.parse_args()
    start = time.perf_counter()

    def progress(p) -> None:
        if p.batch % 40 == 0 or p.batch == p.batches:
            print(
                f"{time.perf_counter() - start:7.0f} s  epoch {p.epoch}/{p.epochs}  batch {p.batch}/{p.batches}  "
                f"loss {p.loss:.3f}  train accuracy {p.accuracy:.3f}",
                flush=True,
            )

    path = train_road_sign_model(
        args.method,
        args.data,
        args.work,
        epochs=args.epochs,
        pgd_steps=args.pgd_steps,
        warmup=args.warmup,
        resume=True,
        on_progress=progress,
        on_score=lambda s: print("validation:", s, flush=True),
    )
    if path is not None:
        shutil.copyfile(path, resource_path("models", path.name))
        print(f"wrote {resource_path('models', path.name)} in {time.perf_counter() - start:.0f} s")


if __name__ == "__main__":
    main()
