"""PGD Linf eps 2/255, 10 steps of 0.5/255, on every ImageNet sample photo efficientnet-lite0 gets right.

The full figure behind tests/test_attacks_core.py::test_pgd_linf_fools_nearly_all_correct_photos,
which runs the first 16 of these photos (measured on the 2-core CI machine: 86 of the 87 photos fooled, all of the
first 16; the one that holds is the 80th). Prints the success rate with its Wilson 95 % interval,
the photos that hold, the largest perturbation in grey levels and the time.

    OMP_NUM_THREADS=1 PYTHONPATH=. python bench/pgd_photos.py [--batch 16]
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import torch

from inspector.core.attacks import make_attack
from inspector.core.evaluation.stats import wilson_interval
from inspector.core.io.image import load_tensor
from inspector.core.models.loading import load_model
from inspector.core.util.metrics import perturbation_norms

DATA = Path(__file__).resolve().parents[2] / "shared" / "data"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batch", type=int, default=16)
    args = parser.parse_args()
    torch.manual_seed(0)
    model = load_model("efficientnet-lite0", "cpu")
    wnids = [line.split("\t")[1] for line in (DATA / "imagenet_classes.tsv").read_text().splitlines()]
    files = sorted((DATA / "imagenet-sample").glob("*.JPEG"))
    x = torch.cat([load_tensor(f, model.input_size) for f in files])
    y = torch.tensor([wnids.index(f.name.split("_")[0]) for f in files])
    with torch.no_grad():
        ok = model(x).argmax(1) == y
    x, y, files = x[ok], y[ok], [f for f, keep in zip(files, ok, strict=True) if keep]
    attack = make_attack("pgd", {"eps": "2/255", "steps": 10, "step_size": "0.5/255"})
    start = time.perf_counter()
    results = [attack.run(model, x[i : i + args.batch], y[i : i + args.batch]) for i in range(0, len(y), args.batch)]
    seconds = time.perf_counter() - start
    success = torch.cat([r.success for r in results])
    x_adv = torch.cat([r.x_adv for r in results])
    hits = int(success.sum())
    low, high = wilson_interval(hits, len(y))
    print(
        f"PGD Linf 2/255, 10 steps: {hits}/{len(y)} photos fooled ({hits / len(y):.1%}, "
        f"95 % CI {low:.1%}-{high:.1%}); first 16: {int(success[:16].sum())}/16"
    )
    print("hold:", ", ".join(f"#{i} {files[i].name}" for i in (~success).nonzero().flatten().tolist()) or "none")
    print(
        f"largest perturbation {max(perturbation_norms(x, x_adv)['linf_grey']):.2f} grey levels; "
        f"{seconds:.1f} s ({seconds / len(y):.2f} s per photo)"
    )


if __name__ == "__main__":
    main()
