"""The model card of a hardened model: recipe, data, and before/after accuracy with 95 % intervals."""

from __future__ import annotations

from inspector.core.training.hardening.scores import Accuracy


def model_card(
    *,
    name: str,
    source: str,
    architecture: str,
    method: str,
    paper: str,
    settings: dict[str, str],
    data: str,
    eps: float,
    before: list[Accuracy],
    after: list[Accuracy],
    epoch_lines: list[str],
    seconds: float,
    notes: list[str],
) -> str:
    """Markdown text of the card of ``name``; ``before`` and ``after`` score the same budgets in order."""
    rows = "\n".join(
        f"| {_budget(b.budget)} | {f'PGD-{b.steps}' if b.budget else 'none'} | {_cell(b)} | {_cell(a)} |"
        for b, a in zip(before, after, strict=True)
    )
    recipe = ", ".join(f"{k} {v}" for k, v in settings.items())
    lines = [
        f"# {name}",
        "",
        f"`{source}` hardened by {method} ({paper}): adversarial fine-tuning from its weights.",
        "",
        "## Recipe",
        "",
        f"- {recipe}",
        f"- threat model: Linf eps {_budget(eps)} on pixels in [0, 1]; Adam, batches of 100",
        f"- time to train: {seconds:.0f} s",
        "",
        "## Data",
        "",
        f"- {data}",
        "",
        "## Accuracy on the validation split, before and after",
        "",
        "Robust accuracy: PGD with a random start, step budget/4; 95 % Wilson intervals.",
        "",
        "| Linf budget | attack | before | after |",
        "|---|---|---|---|",
        rows,
        "",
        "## Per epoch (validation)",
        "",
        *epoch_lines,
    ]
    if notes:
        lines += ["", "## Notes", "", *(f"- {n}" for n in notes)]
    lines += [
        "",
        "## Use",
        "",
        f"`inspector attack --model {architecture} --weights {name}.safetensors IMAGE` (the sidecar "
        f"`{name}.safetensors.inspector.json` gives its input size, normalisation and classes).",
        "",
    ]
    return "\n".join(lines)


def _budget(eps: float) -> str:
    if eps == 0:
        return "0 (clean)"
    scaled = eps * 255
    return f"{round(scaled)}/255" if abs(scaled - round(scaled)) < 1e-6 and eps < 0.1 else f"{eps:g}"


def _cell(a: Accuracy) -> str:
    low, high = a.interval
    return f"{a.rate:.1%} [{low:.1%}, {high:.1%}]"
