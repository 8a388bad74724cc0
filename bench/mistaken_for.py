"""Who is mistaken for whom on the road-sign model: the phrase for stop signs under PGD at Linf 8/255.

Images: a balanced subset of GTSRB's test.npz (the first --per-class images of each of the 43
classes), written as PNG files named by class index into a temporary folder and evaluated with
``inspector evaluate``'s engine (PGD, 20 steps of 2/255, no sanity checks). Prints the clean and
robust accuracy, the phrase of the stop signs and of the --top classes most often fooled;
--report also writes the HTML report.

    OMP_NUM_THREADS=1 PYTHONPATH=. python bench/mistaken_for.py [--per-class 20] [--model gtsrb-standard]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import numpy as np
from PIL import Image

from inspector.core.evaluation import EvaluationConfig, evaluate
from inspector.core.evaluation.mistaken import phrase
from inspector.core.evaluation.report import write_report
from inspector.core.evaluation.report_mistaken import shown

DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "gtsrb" / "test.npz"


def write_balanced(folder: Path, per_class: int) -> int:
    """The first ``per_class`` test images of each class as ``<class>_<n>.png``; returns how many."""
    with np.load(DATA) as data:
        images, labels = data["images"], data["labels"]
    count = 0
    for c in range(43):
        for n, i in enumerate(np.flatnonzero(labels == c)[:per_class]):
            Image.fromarray(images[i]).save(folder / f"{c}_{n:03d}.png")
            count += 1
    return count


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--per-class", type=int, default=20)
    parser.add_argument("--model", default="gtsrb-standard")
    parser.add_argument("--source", default="stop", help="the class whose phrase to print")
    parser.add_argument("--top", type=int, default=5)
    parser.add_argument("--target", choices=("random", "least-likely"))
    parser.add_argument("--report", help="also write the HTML report here")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        n = write_balanced(Path(tmp), args.per_class)
        config = EvaluationConfig(
            data=tmp,
            model=args.model,
            attacks=["pgd"],
            eps=["8/255"],
            params={"steps": 20, "step_size": "2/255"},
            target=args.target,
            sanity=False,
            device="cpu",
        )
        start = time.perf_counter()
        result = evaluate(config)
        seconds = time.perf_counter() - start
        if args.report:
            write_report(result, args.report)
    robust = result.robust[-1]
    print(
        f"{args.model}, {n} GTSRB test images ({args.per_class} per class), PGD Linf 8/255 20x2/255: "
        f"clean {result.clean['none']['accuracy']:.1%}, robust {robust['accuracy']:.1%} ({seconds:.0f} s)"
    )
    m = shown(result)[0]
    print(phrase(m, result.class_names.index(args.source), result.class_names))
    most = sorted((c for c in m.attacked if m.fooled(c)), key=lambda c: (-m.fooled(c), c))[: args.top]
    print(f"\nthe {len(most)} classes most often fooled:")
    for c in most:
        print(" ", phrase(m, c, result.class_names))
    for row in result.targets:
        if row["target"] == result.class_names.index(args.source):
            print(f"\naimed at {args.source}: {row['reached']} of {row['n']} reached ({row['rate']:.1%})")


if __name__ == "__main__":
    main()
