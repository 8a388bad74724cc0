"""Who is mistaken for whom: the source-class -> adversarial-class matrix of an evaluation.

For one setting, attack (or the per-image worst case) and budget, every image classified
correctly and attacked counts once in its source (true) class; each one the attack fooled
also counts in the cell (source, adversarial class), the class the model read it as. So a
row sums to the images of that class fooled, and the diagonal is empty. A phrase per source
class says it in words, with the model's class names::

    stop (30 attacked): read as speed limit 80 (40.0 %), yield (13.3 %), priority road (6.7 %)
    and 2 other classes (6.7 %); 33.3 % held

(percentages of the images of the source class attacked; "held" only where some did).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

#: Adversarial classes a phrase names before it sums up the rest.
TOP = 3


@dataclass(frozen=True)
class Mistaken:
    """The matrix of one setting, attack and budget, stored sparse.

    Attributes:
        setting: ``none``, ``defended`` or ``adaptive``.
        attack: an attack name or ``"worst case"``.
        eps: the budget, in [0, 1] pixel units of the threat model's norm.
        attacked: source class -> images of that class classified correctly and attacked.
        counts: (source class, adversarial class) -> images of the source class read as the other;
            never (c, c).
    """

    setting: str
    attack: str
    eps: float
    attacked: dict[int, int]
    counts: dict[tuple[int, int], int]

    def fooled(self, source: int) -> int:
        """The images of class ``source`` the attack fooled (the row's sum)."""
        return sum(n for (s, _), n in self.counts.items() if s == source)

    def read_as(self, source: int) -> list[tuple[int, int]]:
        """``(adversarial class, images)`` of class ``source``, most images first (ties: lower class first)."""
        return sorted(((a, n) for (s, a), n in self.counts.items() if s == source), key=lambda an: (-an[1], an[0]))

    def matrix(self, classes: int) -> np.ndarray:
        """(classes, classes) int64: row = source class, column = adversarial class, zero diagonal.

        Raises:
            ValueError: a class index is not below ``classes``.
        """
        out = np.zeros((classes, classes), dtype=np.int64)
        for (s, a), n in self.counts.items():
            if not (0 <= s < classes and 0 <= a < classes):
                raise ValueError(f"class {max(s, a)} is not below {classes}")
            out[s, a] = n
        return out

    def to_dict(self) -> dict:
        """JSON-ready: ``attacked`` as ``[[class, images], ...]``, ``counts`` as ``[[source, adversarial, images], ...]``."""
        return {
            "setting": self.setting,
            "attack": self.attack,
            "eps": self.eps,
            "attacked": [[c, n] for c, n in sorted(self.attacked.items())],
            "counts": [[s, a, n] for (s, a), n in sorted(self.counts.items())],
        }


def tally(setting: str, attack: str, eps: float, verdicts: dict) -> Mistaken:
    """The matrix from ``verdicts``, image -> (robust, correct, record) as
    :mod:`inspector.core.evaluation.result` builds them: the images classified correctly count
    in ``attacked``, and those not robust, in the cell (record's ``label``, record's ``pred``)."""
    attacked: Counter[int] = Counter()
    counts: Counter[tuple[int, int]] = Counter()
    for robust, correct, record in verdicts.values():
        if not correct or record is None:
            continue  # misclassified before the attack, or no attack at this budget (eps 0)
        attacked[record["label"]] += 1
        if not robust:
            counts[record["label"], record["pred"]] += 1
    return Mistaken(setting, attack, eps, dict(attacked), dict(counts))


def phrase(mistaken: Mistaken, source: int, class_names: Sequence[str], top: int = TOP) -> str:
    """One line on class ``source``: the ``top`` classes its images are read as, most first, with
    their share of the images attacked, the rest summed up, and the share that held (where some did).

    Raises:
        IndexError: a class index beyond ``class_names``.
    """
    n = mistaken.attacked.get(source, 0)
    name = class_names[source]
    if not n:
        return f"{name}: none attacked"
    read = mistaken.read_as(source)
    if not read:
        return f"{name} ({n} attacked): never fooled"
    named = [f"{class_names[a]} ({_pct(k, n)})" for a, k in read[:top]]
    rest = read[top:]
    if rest:
        others = sum(k for _, k in rest)
        named[-1] += f" and {len(rest)} other class{'es' if len(rest) > 1 else ''} ({_pct(others, n)})"
    held = n - mistaken.fooled(source)
    return f"{name} ({n} attacked): read as {', '.join(named)}" + (f"; {_pct(held, n)} held" if held else "")


def _pct(k: int, n: int) -> str:
    return f"{100 * k / n:.1f} %"
