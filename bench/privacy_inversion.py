"""MI-Face model inversion of each shipped MNIST model: is a robust model's reconstruction more recognisable?

For mnist-standard, mnist-pgd-at and mnist-distilled: one reconstruction per
class (MI-Face, lambda 0.1, at most 1,000 iterations, beta 100), the time, how
many of the 10 the model itself and each other shipped model classify as the
class (Wilson 95 % intervals: n = 10 is small), the mean SSIM to the class mean
of the held-out digits, and how many are closest in SSIM to their own class
mean. Writes the three grids stacked into one PNG.

    PYTHONPATH=. OMP_NUM_THREADS=1 python bench/privacy_inversion.py [--out runs/invert]
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import torch

from inspector.core.models.zoo.mnist_cnn import MNIST_MODELS
from inspector.core.privacy.inversion import MIFace
from inspector.core.privacy.inversion_run import InversionConfig, invert_model
from inspector.core.privacy.plots import inversion_grid


def _pct(r: dict) -> str:
    return f"{round(r['rate'] * r['n'])}/{r['n']} [{r['low']:.0%}, {r['high']:.0%}]"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", default="runs/invert")
    parser.add_argument("--max-iterations", type=int, default=1000)
    args = parser.parse_args()
    torch.set_num_threads(1)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    rows, results = [], {}
    for name in MNIST_MODELS:
        report = invert_model(InversionConfig(name, MIFace(max_iterations=args.max_iterations)))
        s = report.summary
        results[name] = report.to_dict()
        judges = "; ".join(f"{j} {_pct(r)}" for j, r in s["judges"].items())
        print(
            f"{name}: {report.seconds:.0f} s, iterations {min(r['iterations'] for r in report.rows)}-"
            f"{max(r['iterations'] for r in report.rows)}; itself {_pct(s['self'])}; {judges}; "
            f"closest to own class mean {_pct(s['closest_to_own_mean'])}; mean SSIM {s['ssim_mean']:.3f} "
            f"(grey start {s['ssim_grey_start']:.3f})"
        )
        rows.append((name, report.images, [f"p={r['probability']:.2f}" for r in report.rows]))
    inversion_grid(rows).save(out / "inversion-grids.png")
    (out / "inversion.json").write_text(json.dumps(results, indent=2))
    print(f"grids in {out / 'inversion-grids.png'}")


if __name__ == "__main__":
    main()
