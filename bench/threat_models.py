"""Black-box threat models: output modes, throttled time, stateful detection, transfer from a replica.

Sections (``--section``, repeatable; default all):
  modes      Square (Linf eps 0.3, 1,000 queries) and HopSkipJump (L2, 1,000 queries) on held-out
             MNIST digits against mnist-standard, in each output mode: success rate (Wilson 95 % CI),
             median queries of the successes, median L2 (and Linf); with the simulated time at
             1 query per second and 10 per minute.
  detection  the same attacks watched by each stateful detector (query similarity, Chen et al.
             2019; Blacklight, Li et al. 2022): queries until the first detection, detections per
             adversarial example; the benign false-positive rate on a stream of 1,000 held-out
             digits (similarity calibrated on 1,000 others at fpr 0.001) and on the 100 sample photos.
  transfer   MI-FGSM and M-DI²-FGSM (Linf, 10 steps) on surrogates, tested on the target: photos
             (EfficientNet-Lite1, Lite2, their ensemble -> the built-in Lite0, eps 8/255) and
             digits (mnist-pgd-at, mnist-distilled, their ensemble, and a copy of mnist-standard stolen
             with 2,000 Knockoff queries where the stealing attacks exist -> mnist-standard, eps 0.2,
             the logit-margin loss: the distilled model's cross-entropy gradient underflows).
  stealing   model extraction (Knockoff Nets, random queries from the member pool; Orekondy et al.
             2019) from mnist-standard per output mode, throttled to 1 query/s and watched by
             Blacklight (and similarity, with full probabilities): queries, agreement with the
             victim on the 2,000 held-out digits, detections; where the stealing attacks exist
             (inspector.core.privacy.stealing, branch steal), else it says so.

    PYTHONPATH=. OMP_NUM_THREADS=1 nice -n 10 python bench/threat_models.py [--section modes] [--digits 20]
        [--photos 24] [--data ../shared/data]

Digits: the attacked ones are the first --digits of held-out digits 1,000-1,999 that mnist-standard
classifies correctly; digits 0-999 of the held-out set calibrate the similarity detector.
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

import torch

from inspector.core.attacks import make_attack
from inspector.core.concealment import Concealment, format_duration, stateful_detector_from_spec
from inspector.core.concealment.throttle import throttle_from_spec
from inspector.core.evaluation.stats import wilson_interval
from inspector.core.evasion.mode_sweep import MODES, sweep_modes
from inspector.core.evasion.transfer import as_surrogate
from inspector.core.io.datasets.mnist import mnist_split
from inspector.core.io.image import load_tensor
from inspector.core.models.loading import load_model

ATTACKS = {"square": {"eps": 0.3, "max_queries": 1000}, "hopskipjump": {"max_queries": 1000}}
DETECTORS = ["similarity", "blacklight"]
RATES = ["1/s", "10/min"]


def pct(hits: int, n: int) -> str:
    low, high = wilson_interval(hits, n)
    return f"{100 * hits / n:.1f} % [{100 * low:.1f}, {100 * high:.1f}]" if n else "-"


def median(values) -> float:
    return statistics.median(values) if values else float("nan")


def digits(data: Path, model, n: int):
    x, y = mnist_split(data / "mnist")["held_out"]
    with torch.no_grad():
        ok = (model(x[1000:]).argmax(1) == y[1000:]).nonzero().flatten()[:n] + 1000
    return x[:1000], x[1000:], x[ok], y[ok]


def modes(model, x, y) -> None:
    print(f"\n## Output modes: {len(x)} held-out digits, mnist-standard, the time is the attack's on this CPU\n")
    print(
        "| attack | output mode | success [95 % CI] | median queries (successes) | median L2 | median Linf "
        "| at 1 query/s | at 10 queries/min | run time |"
    )
    print("|---|---|---|---|---|---|---|---|---|")
    for name, params in ATTACKS.items():
        for row in sweep_modes(make_attack(name, params), model, x, y, MODES):
            if not row.ran:
                print(f"| {name} | {row.mode} | cannot run: {row.cannot_run} | | | | | | |", flush=True)
                continue
            q = row.queries
            times = [
                format_duration(max(0.0, q - 1) / throttle_from_spec(r).rate) if row.success else "-" for r in RATES
            ]
            print(
                f"| {name} | {row.mode} | {pct(row.success, row.n)} | {q:,.0f} | {row.l2:.2f} | "
                f"{row.linf * 255:.0f}/255 | {times[0]} | {times[1]} | {row.seconds:.0f} s |",
                flush=True,
            )


def detection(model, calibration, stream, x, y, photos) -> None:
    print(f"\n## Stateful detection: {len(x)} held-out digits, mnist-standard, observe-only (the attack goes on)\n")
    print(
        "| detector | attack | output mode | caught | queries to first detection (median, max) | "
        "detections per adversarial example (median) | queries per example (median) |"
    )
    print("|---|---|---|---|---|---|---|")
    for spec in DETECTORS:
        for name, params in ATTACKS.items():
            mode = "probabilities" if name == "square" else "label"
            concealment = Concealment.from_specs(mode, detector=spec)
            concealment.calibrate(calibration)
            attack = make_attack(name, params)
            result = attack.run(model, x, y, oracle=attack.oracle(model, len(x), concealment))
            first = [f for f in result.oracle.first_detection if f is not None]
            print(
                f"| {spec} | {name} | {mode} | {pct(len(first), len(x))} | {median(first):.0f}, "
                f"{max(first) if first else '-'} | {median(result.oracle.detections):.0f} | "
                f"{median(result.oracle.queries):.0f} |"
            )
    print("\nBenign false-positive rate (one client sending the images in order):\n")
    print("| detector | benign stream | flagged [95 % CI] |")
    print("|---|---|---|")
    for spec in DETECTORS:
        detector = stateful_detector_from_spec(spec)
        detector.calibrate(calibration)
        flags = detector.observe(stream, torch.zeros(len(stream), dtype=torch.long))
        print(f"| {spec} | {len(stream)} held-out digits | {int(flags.sum())} = {pct(int(flags.sum()), len(stream))} |")
    blacklight = stateful_detector_from_spec("blacklight")
    flags = blacklight.observe(photos, torch.zeros(len(photos), dtype=torch.long))
    print(
        f"| blacklight | {len(photos)} ImageNet sample photos | {int(flags.sum())} = "
        f"{pct(int(flags.sum()), len(photos))} |"
    )
    print(f"| similarity | {len(photos)} photos | not measurable: calibrating fpr 0.001 takes 999 images |")


def transfer(data: Path, n_photos: int, digits_xy, kinds=("photos", "digits")) -> None:
    print("\n## Transfer from a replica (no query to the target)\n")
    print("| target | surrogate | attack | eps | target fooled [95 % CI] | surrogate fooled | run time |")
    print("|---|---|---|---|---|---|---|")
    target = load_model("efficientnet-lite0", "cpu")
    wnids = [line.split("\t")[1] for line in (data / "imagenet_classes.tsv").read_text().splitlines()]
    files = sorted((data / "imagenet-sample").glob("*.JPEG"))[:n_photos]
    x = torch.cat([load_tensor(f, target.input_size) for f in files])
    y = torch.tensor([wnids.index(f.name.split("_")[0]) for f in files])
    with torch.no_grad():
        ok = target(x).argmax(1) == y
    lite = {n: load_model(f"efficientnet-{n}", "cpu") for n in ("lite1", "lite2")}
    xd, yd = digits_xy
    replicas = {n: load_model(n, "cpu") for n in ("mnist-pgd-at", "mnist-distilled")}
    if "digits" in kinds:
        replicas.update(stolen_copy())
    cases = [
        ("photos", target, x[ok], y[ok], 8 / 255, "ce", lite),
        ("digits", load_model("mnist-standard", "cpu"), xd, yd, 0.2, "margin", replicas),
    ]
    for kind, tgt, xs, ys, eps, loss, surrogates in cases:
        if kind not in kinds:
            continue
        choices = [[n] for n in surrogates] + [list(surrogates)[:2]]
        for names in choices:
            surrogate = as_surrogate([surrogates[n] for n in names], tgt)
            for attack in ("mifgsm", "dimifgsm"):
                start = time.perf_counter()
                params = {"eps": eps, "steps": 10, "step_size": eps / 10, "loss": loss}
                result = make_attack(attack, params).run(surrogate, xs, ys)
                with torch.no_grad():
                    fooled = int((tgt(result.x_adv).argmax(1) != ys).sum())
                print(
                    f"| {tgt.name} | {' + '.join(names)} | {attack} ({loss}) | {eps * 255:.0f}/255 | {pct(fooled, len(ys))} | "
                    f"{pct(int(result.success.sum()), len(ys))} | {time.perf_counter() - start:.0f} s |",
                    flush=True,
                )


def stolen_copy(budget: int = 2000) -> dict:
    """``{"stolen copy": model}``: mnist-standard stolen with Knockoff Nets (random, probabilities,
    ``budget`` queries) into a temporary folder; empty where the stealing attacks are missing."""
    try:
        from inspector.core.privacy import stealing as extraction
    except ImportError:
        return {}
    import tempfile

    folder = Path(tempfile.mkdtemp()) / "steal"
    extraction.steal(
        extraction.StealConfig(victim="mnist-standard", method="knockoff-random", budgets=[budget], transfer_eps=0),
        out=folder,
    )
    return {f"copy stolen with {budget:,} queries": load_model(str(folder / f"copy-{budget}.pt2"), "cpu")}


def stealing(calibration, budget: int) -> None:
    print(f"\n## Model stealing per output mode: Knockoff Nets (random) from mnist-standard, {budget:,} queries\n")
    try:
        from inspector.core.privacy import stealing as extraction
    except ImportError:
        print("not available on this branch: the stealing attacks (branch steal) are not merged yet")
        return
    print(
        "| output mode | detector | queries | agreement with the victim [95 % CI] | copy's accuracy | "
        "first detection | detections | at 1 query/s | run time |"
    )
    print("|---|---|---|---|---|---|---|---|---|")
    plain = extraction.QueryOracle
    for mode, detector in [(m, "blacklight") for m in MODES] + [("probabilities", "similarity")]:
        concealment = Concealment.from_specs(mode, throttle="1/s", detector=detector)
        concealment.calibrate(calibration)
        seen = []

        class Watched(plain):  # the stealing attack's oracle, under this concealment
            watch_concealment, watch_seen = concealment, seen  # this iteration's, bound when the class is made

            def __init__(self, *args, **kwargs):
                super().__init__(*args, concealment=self.watch_concealment, **kwargs)
                self.watch_seen.append(self)

        extraction.QueryOracle = Watched
        try:
            start = time.perf_counter()
            result = extraction.steal(
                extraction.StealConfig(
                    victim="mnist-standard",
                    method="knockoff-random",
                    budgets=[budget],
                    output="label" if mode == "label" else "probabilities",
                    transfer_eps=0,
                )
            )
        finally:
            extraction.QueryOracle = plain
        row, report = result.rows[-1], seen[0].report()
        first = report.first_detection[0]
        print(
            f"| {mode} | {detector} | {row['queries']:,} | {_rate(row['agreement'])} | {_rate(row['accuracy'])} | "
            f"{'-' if first is None else f'{first:,}'} | {report.detections[0]:,} | "
            f"{format_duration(report.attacker_time_s[0])} | {time.perf_counter() - start:.0f} s |",
            flush=True,
        )


def _rate(value: dict) -> str:
    """A rate of the stealing rows (``{"rate", "low", "high", "n"}``) with its Wilson interval."""
    return f"{100 * value['rate']:.1f} % [{100 * value['low']:.1f}, {100 * value['high']:.1f}]"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--section", action="append", choices=["modes", "detection", "transfer", "stealing"])
    parser.add_argument("--digits", type=int, default=20)
    parser.add_argument("--photos", type=int, default=24, help="sample photos for transfer (those Lite0 gets right)")
    parser.add_argument("--steal-budget", type=int, default=1000, help="queries of each stealing run")
    parser.add_argument(
        "--transfer-on",
        action="append",
        choices=["photos", "digits"],
        help="transfer section: photos, digits or both (default)",
    )
    parser.add_argument("--data", default=str(Path(__file__).resolve().parents[2] / "shared" / "data"))
    args = parser.parse_args()
    sections = args.section or ["modes", "detection", "transfer", "stealing"]
    torch.manual_seed(0)
    data = Path(args.data)
    model = load_model("mnist-standard", "cpu")
    calibration, stream, x, y = digits(data, model, args.digits)
    begin = time.perf_counter()
    if "modes" in sections:
        modes(model, x, y)
    if "detection" in sections:
        photos = torch.cat([load_tensor(f, (224, 224)) for f in sorted((data / "imagenet-sample").glob("*.JPEG"))])
        detection(model, calibration, stream, x, y, photos)
    if "transfer" in sections:
        transfer(data, args.photos, (x, y), args.transfer_on or ("photos", "digits"))
    if "stealing" in sections:
        stealing(calibration, args.steal_budget)
    print(f"\ntotal {time.perf_counter() - begin:.0f} s")


if __name__ == "__main__":
    main()
