"""The model-randomisation sanity check (Adebayo et al. 2018) of each explanation method on the shipped
models: Spearman's rank correlation of |map| before and after re-initialising the top two layers, on each
shipped sample image of the model, towards the class it is read as, and whether the method is flagged
(at or above the threshold of :mod:`inspector.core.explain.sanity`).

    OMP_NUM_THREADS=1 PYTHONPATH=. python bench/explain_sanity.py [--models mnist-standard,gtsrb-standard]
        [--methods saliency,smoothgrad,integrated-gradients,grad-cam,occlusion,occlusion:fill=0.5]
"""

from __future__ import annotations

import argparse

from inspector.core.defenses.spec import parse_spec
from inspector.core.evasion.samples import samples_for
from inspector.core.explain import EXPLANATION_METHODS
from inspector.core.explain.sanity import FLAG_AT, model_randomisation
from inspector.core.io.image import load_tensor
from inspector.core.models.loading import load_model

METHODS = "saliency,smoothgrad,integrated-gradients,grad-cam,occlusion,occlusion:fill=0.5"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", default="mnist-standard,mnist-pgd-at,gtsrb-standard,gtsrb-pgd-at")
    parser.add_argument("--methods", default=METHODS)
    args = parser.parse_args()
    print(f"rank correlation of |map| before and after; flagged at >= {FLAG_AT}")
    print(f"{'model':16} {'method':22} {'images':>6} {'min':>6} {'median':>6} {'max':>6} {'flagged':>8}")
    for spec in args.models.split(","):
        model = load_model(spec, "cpu")
        images = samples_for(model.class_names, model.channels)
        xs = [load_tensor(p, model.input_size, model.channels, model.resize) for p in images]
        for method_spec in args.methods.split(","):
            name, params = parse_spec(method_spec, "explanation method")
            method = EXPLANATION_METHODS.make(name, params)
            checks = [model_randomisation(model, method, x, int(model(x).argmax())) for x in xs]
            values = sorted(c.rank_correlation for c in checks)
            flagged = sum(c.flagged for c in checks)
            print(
                f"{spec:16} {method_spec:22} {len(values):6d} {values[0]:6.2f} {values[len(values) // 2]:6.2f} "
                f"{values[-1]:6.2f} {flagged:5d}/{len(values)}"
            )


if __name__ == "__main__":
    main()
