"""Pages generated from the code at build time: registry tables, schemas, an example result.json.

Directives (usable from MyST as ```{registry} attack```):

``registry KIND``
    A table of every entry of the registry whose ``kind`` is KIND (``attack``, ``defence``,
    ``detector``, ``output mode``, ``stateful detector``, ``poisoning attack``, ``data scan``,
    ``model scan``), then one table of parameters per entry.
``json-schema NAME``
    A JSON Schema held in a module attribute NAME (the model metadata's ``SCHEMA``): its
    properties as a table, then the whole schema.
``file-fields NAME``
    The fields a recipe or configuration read from a file may hold (``RECIPE_FIELDS``,
    ``CONFIG_FIELDS``), each with what it must be.
``example-result``
    The ``result.json`` that ``inspector attack`` writes, made now with the CLI on a
    shipped digit.

Every object is found without a hard-coded module where possible: first at the paths
given in ``CANDIDATES`` (the ones before and after the package restructure), then by
importing every module of ``inspector.core`` and looking for it. A registry is found by
its ``kind``. An object found nowhere, or twice, is a build error.

The checker at the end holds the hand-written pages to their references: a ``{py:...}``
role whose target names a module of this package (``inspector.core.x``), or a suffix
(``.EvaluationConfig``), and resolves to nothing is an error, so a page cannot keep
pointing at a module that moved.
"""

from __future__ import annotations

import contextlib
import importlib
import io
import json
import pkgutil
import re
import tempfile
from functools import cache
from pathlib import Path
from typing import Any

from docutils import nodes
from docutils.parsers.rst import directives
from sphinx.application import Sphinx
from sphinx.errors import ExtensionError
from sphinx.util import logging
from sphinx.util.docutils import SphinxDirective

logger = logging.getLogger(__name__)

ROOT = Path(__file__).resolve().parents[2]
TOP = "inspector.core"

#: Where to look first: "module:attribute", before and after the restructure of issue #22.
CANDIDATES = {
    "attack": ["inspector.core.attacks:ATTACKS", "inspector.core.evasion.attacks:ATTACKS"],
    "defence": ["inspector.core.defenses:DEFENSES", "inspector.core.evasion.defenses:DEFENSES"],
    "detector": ["inspector.core.defenses:DETECTORS", "inspector.core.evasion.defenses:DETECTORS"],
    "poisoning attack": ["inspector.core.poisoning.attacks:POISONING_ATTACKS"],
    "data scan": ["inspector.core.poisoning.scans:DATA_SCANS"],
    "model scan": ["inspector.core.poisoning.model_scan:MODEL_SCANS"],
    "SCHEMA": ["inspector.core.model_metadata:SCHEMA", "inspector.core.models.metadata:SCHEMA"],
    "RECIPE_FIELDS": ["inspector.core.run:RECIPE_FIELDS", "inspector.core.evasion.recipe:RECIPE_FIELDS"],
    "CONFIG_FIELDS": ["inspector.core.evaluation.config:CONFIG_FIELDS"],
}


# ---- finding objects ------------------------------------------------------------------------------


@cache
def core_modules() -> tuple:
    """Every module of ``inspector.core``, imported (importing registers every registry entry)."""
    package = importlib.import_module(TOP)
    found = [package]
    for info in pkgutil.walk_packages(package.__path__, TOP + "."):
        found.append(importlib.import_module(info.name))
    return tuple(found)


def _candidate(spec: str) -> Any:
    module, _, attribute = spec.partition(":")
    try:
        return getattr(importlib.import_module(module), attribute)
    except (ImportError, AttributeError):
        return None


def _unique(found: list, what: str) -> Any:
    distinct = list({id(obj): obj for obj in found}.values())
    if len(distinct) != 1:
        raise ExtensionError(f"inspector_docs: {what}: found {len(distinct)} in {TOP}, expected exactly one")
    return distinct[0]


def find_attribute(name: str) -> Any:
    """The module attribute ``name`` of ``inspector.core``: at a candidate path, else wherever it is defined."""
    for spec in CANDIDATES.get(name, []):
        value = _candidate(spec)
        if value is not None:
            return value
    return _unique([vars(m)[name] for m in core_modules() if name in vars(m)], f"attribute {name!r}")


def find_registry(kind: str) -> dict:
    """The registry (a dict with a ``kind``) of entries of ``kind``: at a candidate path, else by search."""
    for spec in CANDIDATES.get(kind, []):
        value = _candidate(spec)
        if isinstance(value, dict) and getattr(value, "kind", None) == kind:
            return value
    found = [
        v for m in core_modules() for v in vars(m).values() if isinstance(v, dict) and getattr(v, "kind", None) == kind
    ]
    return _unique(found, f"registry of kind {kind!r}")


# ---- docutils helpers -----------------------------------------------------------------------------

Cell = "str | nodes.Node | list[nodes.Node]"


def _cell(value) -> nodes.entry:
    entry = nodes.entry()
    if isinstance(value, nodes.Node):
        value = [value]
    if isinstance(value, list):
        entry += nodes.paragraph("", "", *value)
    else:
        entry += nodes.paragraph("", str(value))
    return entry


def table(headers: list[str], rows: list[list], widths: list[int] | None = None, ids: str = "") -> nodes.table:
    """A docutils table; cells are text (never parsed as markup) or nodes."""
    widths = widths or [1] * len(headers)
    node = nodes.table(classes=["inspector-generated"])
    if ids:
        node["ids"].append(ids)
    group = nodes.tgroup(cols=len(headers))
    node += group
    for width in widths:
        group += nodes.colspec(colwidth=width)
    head = nodes.thead()
    row = nodes.row()
    for header in headers:
        row += _cell(header)
    head += row
    group += head
    body = nodes.tbody()
    for values in rows:
        row = nodes.row()
        for value in values:
            row += _cell(value)
        body += row
    group += body
    return node


def literal(text: str) -> nodes.literal:
    return nodes.literal(text, text)


# ---- registries -----------------------------------------------------------------------------------


def show_value(value: Any, unit: str = "") -> str:
    """A parameter value as a user types it: ``4/255`` for whole grey levels in pixel units."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        if unit == "pixel" and value > 0 and abs(value * 255 - round(value * 255)) < 1e-9:
            return f"{round(value * 255)}/255"
        return f"{value:g}"
    if value is None:
        return "none"
    return str(value)


def show_range(spec) -> str:
    if spec.choices:
        return ", ".join(spec.choices)
    low, high = spec.minimum, spec.maximum
    above = getattr(spec, "above", None)
    if above is not None:
        return f"above {show_value(above)}" + (f", at most {show_value(high)}" if high is not None else "")
    if low is None and high is None:
        return ""
    if high is None:
        return f"at least {show_value(low)}"
    if low is None:
        return f"at most {show_value(high)}"
    return f"{show_value(low)} to {show_value(high)}"


def _adaptive(cls) -> str:
    """How an adaptive attack sees through a defence (see the Defense base class)."""
    way = "its gradient" if getattr(cls, "differentiable", False) else "BPDA"
    return f"{way} + EOT" if getattr(cls, "randomized", False) else way


#: Extra summary columns per kind: (header, how to read it off the class).
EXTRA_COLUMNS = {
    "attack": [
        ("threat model", lambda c: getattr(c, "threat_model", "")),
        ("kind", lambda c: "minimal norm" if getattr(c, "minimal", False) else "budgeted"),
    ],
    "defence": [("adaptive attack through it", _adaptive)],
}


def _params(cls) -> list:
    params = getattr(cls, "params", None)
    return list(params()) if callable(params) else []


class RegistryDirective(SphinxDirective):
    """``registry KIND``: the registry's entries, then each entry's parameters."""

    required_arguments = 1
    final_argument_whitespace = True
    option_spec = {"no-params": directives.flag}

    def run(self) -> list[nodes.Node]:
        kind = self.arguments[0].strip()
        registry = find_registry(kind)
        slug = kind.replace(" ", "-")
        if not all(isinstance(entry, type) for entry in registry.values()):
            # Entries that are records (built-in models, architectures), not configurable classes.
            rows = [
                [literal(name), getattr(entry, "description", ""), getattr(entry, "task", "")]
                for name, entry in registry.items()
            ]
            has_task = any(row[2] for row in rows)
            return [
                table(
                    ["name", "description", *(["task"] if has_task else [])],
                    [row if has_task else row[:2] for row in rows],
                    [2, 8, *([3] if has_task else [])],
                )
            ]
        extra = EXTRA_COLUMNS.get(kind, [])
        rows = []
        for name, cls in registry.items():
            reference = nodes.reference("", "", literal(name), refid=f"{slug}-{name}")
            rows.append(
                [
                    reference if "no-params" not in self.options else literal(name),
                    getattr(cls, "title", "") or name,
                    *[read(cls) for _, read in extra],
                    getattr(cls, "paper", ""),
                ]
            )
        out: list[nodes.Node] = [
            table(["name", "title", *[h for h, _ in extra], "source"], rows, [2, 3, *[2] * len(extra), 8])
        ]
        if "no-params" in self.options:
            return out
        for name, cls in registry.items():
            rubric = nodes.rubric("", "", literal(name), nodes.Text(f"  {getattr(cls, 'title', '')}"))
            rubric["ids"].append(f"{slug}-{name}")
            out.append(rubric)
            doc = (cls.__doc__ or "").strip().split("\n\n")[0]
            if doc:
                out.append(nodes.paragraph("", " ".join(doc.split())))
            specs = _params(cls)
            paper = getattr(cls, "PAPER", None) or {}
            headers = ["parameter", "type", "default", *(["paper preset"] if paper else []), "range", "meaning"]
            rows = [
                [
                    literal(s.name),
                    s.type.__name__,
                    show_value(s.default, s.unit),
                    *([show_value(paper[s.name], s.unit) if s.name in paper else ""] if paper else []),
                    show_range(s),
                    s.help,
                ]
                for s in specs
            ]
            if rows:
                out.append(table(headers, rows, [2, 1, 2, *([2] if paper else []), 2, 8]))
            else:
                out.append(nodes.paragraph("", "No parameters."))
        return out


class RegistryIndexDirective(SphinxDirective):
    """``registry-index``: every registry of the engine, with its kind, its entries and where it is defined."""

    def run(self) -> list[nodes.Node]:
        found: dict[int, tuple] = {}
        for module in core_modules():
            for attribute, value in vars(module).items():
                if (
                    isinstance(value, dict)
                    and isinstance(getattr(value, "kind", None), str)
                    and type(value).__name__ == "Registry"
                ):
                    path = f"{module.__name__}.{attribute}"
                    # Packages re-export their registry: show the shortest path it can be imported from.
                    if id(value) not in found or len(path) < len(found[id(value)][1]):
                        found[id(value)] = (value, path)
        rows = [
            [value.kind, ", ".join(value), literal(path)]
            for value, path in sorted(found.values(), key=lambda item: item[0].kind)
        ]
        return [table(["kind", "entries", "import from"], rows, [2, 8, 4])]


# ---- schemas and file fields ----------------------------------------------------------------------


def code_block(text: str, language: str = "json") -> nodes.literal_block:
    block = nodes.literal_block(text, text)
    block["language"] = language
    return block


class JsonSchemaDirective(SphinxDirective):
    """``json-schema NAME``: the properties of the JSON Schema held in attribute NAME, then all of it."""

    required_arguments = 1

    def run(self) -> list[nodes.Node]:
        schema = find_attribute(self.arguments[0].strip())
        rows = [[literal(key), prop.get("description", "")] for key, prop in schema.get("properties", {}).items()]
        intro = nodes.paragraph("", f"{schema.get('title', 'The schema')}: {schema.get('description', '')}.")
        return [intro, table(["key", "what it must be"], rows, [2, 8]), code_block(json.dumps(schema, indent=2))]


class FileFieldsDirective(SphinxDirective):
    """``file-fields NAME``: the checked fields of a file (a dict of name -> Field with a description)."""

    required_arguments = 1

    def run(self) -> list[nodes.Node]:
        fields = find_attribute(self.arguments[0].strip())
        rows = [[literal(name), field.description] for name, field in fields.items()]
        return [table(["field", "what it must be"], rows, [2, 8])]


@cache
def example_result(args: tuple[str, ...]) -> str:
    """``result.json`` as ``inspector attack ARGS --out-dir TMP`` writes it, made with the CLI in-process."""
    cli = importlib.import_module("inspector.cli")
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / "out"
        stdout, stderr = io.StringIO(), io.StringIO()
        with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr), contextlib.chdir(ROOT):
            code = cli.main(["attack", *args, "--out-dir", str(out)])
        if code != 0:
            raise ExtensionError(
                f"inspector_docs: inspector attack {' '.join(args)} exited {code}: {stderr.getvalue().strip()}"
            )
        return (out / "result.json").read_text(encoding="utf-8")


class ExampleResultDirective(SphinxDirective):
    """``example-result``, with the command's arguments as its content: the command, then its result.json."""

    has_content = True

    def run(self) -> list[nodes.Node]:
        args = tuple(" ".join(self.content).split())
        command = "inspector attack " + " ".join(args) + " --out-dir out/"
        return [code_block(command, "console"), code_block(example_result(args))]


# ---- docstrings: plain-text bars are not substitutions ------------------------------------------------

_INLINE_LITERAL = re.compile(r"(``.+?``)")


def _escape_bars(text: str) -> str:
    """``|f|`` and ``||w||_2`` in prose are absolute values and norms, not reStructuredText substitutions."""
    parts = _INLINE_LITERAL.split(text)
    return "".join(part if part.startswith("``") else part.replace("|", "\\|") for part in parts)


def escape_bars(app: Sphinx, what: str, name: str, obj, options, lines: list[str]) -> None:
    """Escape ``|`` in the docstrings' prose, leaving literal blocks, line blocks and grid tables alone.

    The engine's docstrings write math as plain text (``|l_k - median| / MAD``), which
    reStructuredText reads as a substitution reference and fails on.
    """
    literal_indent = None
    for index, line in enumerate(lines):
        stripped = line.lstrip()
        indent = len(line) - len(stripped)
        if literal_indent is not None:
            if not stripped or indent > literal_indent:
                continue
            literal_indent = None
        if stripped.startswith(("| ", "+-", "+=")) or stripped == "|" or "|" not in line:
            pass
        else:
            lines[index] = _escape_bars(line)
        if stripped.endswith("::"):
            literal_indent = indent


def no_inline_types(app: Sphinx, what: str, name: str, obj, options, lines: list[str]) -> None:
    """Keep napoleon from reading the prose before the first colon of an attribute's docstring as its type.

    Google style allows ``int: the count`` as an attribute docstring; the engine writes sentences
    (``The largest count (iterations, steps): the attacks' bound``), whose words napoleon would
    turn into type cross-references. A leading colon gives napoleon an empty type, which it drops
    with the colon, and leaves the sentence as it is. Runs before napoleon.
    """
    if what not in ("attribute", "data", "property"):
        return
    first = next((i for i, line in enumerate(lines) if line.strip()), None)
    if first is not None and ":" in lines[first]:
        before = lines[first].split(":", 1)[0]
        if " " in before.strip():  # a sentence, not a type such as "int" or "list[str]"
            lines[first] = ":" + lines[first].lstrip()


# ---- hand-written pages keep their references -------------------------------------------------------


def check_references(app: Sphinx, env, node, contnode):
    """Warn (an error under -W) when a hand-written page's Python reference into the package resolves to
    nothing: a moved or renamed module, class or function. Generated API pages are not checked
    (their docstrings name objects by short names, which may be plain text)."""
    if node.get("refdomain") != "py":
        return None
    target = node.get("reftarget", "")
    if not (target.startswith("inspector.") or node.get("refspecific") or target.startswith(".")):
        return None
    if env.docname.startswith("reference/api/"):
        return None
    logger.warning(
        f"inspector_docs: reference to {target!r} resolves to nothing in the API reference (moved or renamed?)",
        location=node,
        type="inspector",
        subtype="reference",
    )
    return None


# ---- the package layout and its import contracts, read from the source tree ----------------------------


def _docstring_line(path: Path) -> str:
    """The first sentence of a module's docstring, read without importing it (the GUI needs Qt)."""
    import ast

    try:
        doc = ast.get_docstring(ast.parse(path.read_text(encoding="utf-8"))) or ""
    except (OSError, SyntaxError, UnicodeDecodeError):
        return ""
    first = " ".join(doc.strip().split("\n\n")[0].split())
    return first


def _tree(folder: Path, depth: int) -> nodes.bullet_list | None:
    """Packages (folders with ``__init__.py``) and, where ``depth`` allows, their modules."""
    items = nodes.bullet_list()
    children = sorted(p for p in folder.iterdir() if not p.name.startswith(("_", ".")))
    packages = [p for p in children if p.is_dir() and (p / "__init__.py").exists()]
    modules = [p for p in children if p.suffix == ".py"] if depth > 0 else []
    for path in packages + modules:
        is_package = path.is_dir()
        name = path.name + ("/" if is_package else "")
        line = _docstring_line(path / "__init__.py" if is_package else path)
        paragraph = nodes.paragraph("", "", literal(name), nodes.Text(f"  {line}" if line else ""))
        item = nodes.list_item("", paragraph)
        if is_package and depth > 1:
            sub = _tree(path, depth - 1)
            if sub is not None:
                item += sub
        items += item
    return items if len(items) else None


class PackageTreeDirective(SphinxDirective):
    """``package-tree FOLDER``: the packages under FOLDER (relative to the checkout), each with the first
    line of its docstring, to ``:depth:`` levels (1: packages only; 2: and their modules and sub-packages)."""

    required_arguments = 1
    option_spec = {"depth": directives.positive_int}

    def run(self) -> list[nodes.Node]:
        folder = ROOT / self.arguments[0].strip().strip("/")
        if not folder.is_dir():
            raise self.error(f"package-tree: no folder {folder}")
        self.env.note_dependency(str(folder / "__init__.py"))
        tree = _tree(folder, self.options.get("depth", 1))
        return [tree] if tree is not None else []


class ImportContractsDirective(SphinxDirective):
    """``import-contracts``: the import-linter contracts of pyproject.toml, as CI checks them."""

    def run(self) -> list[nodes.Node]:
        import tomllib

        pyproject = ROOT / "pyproject.toml"
        self.env.note_dependency(str(pyproject))
        config = tomllib.loads(pyproject.read_text(encoding="utf-8")).get("tool", {}).get("importlinter", {})
        rows = []
        for contract in config.get("contracts", []):
            parts = []
            for key in ("source_modules", "modules", "layers", "ancestors", "containers"):
                if contract.get(key):
                    parts.append(f"{key.replace('_', ' ')}: {', '.join(contract[key])}")
            if contract.get("forbidden_modules"):
                parts.append(f"may not import: {', '.join(contract['forbidden_modules'])}")
            rows.append([contract.get("name", ""), literal(contract.get("type", "")), "; ".join(parts)])
        return [table(["contract", "type", "modules"], rows, [4, 2, 8])]


def setup(app: Sphinx) -> dict:
    app.add_directive("registry", RegistryDirective)
    app.add_directive("registry-index", RegistryIndexDirective)
    app.add_directive("json-schema", JsonSchemaDirective)
    app.add_directive("file-fields", FileFieldsDirective)
    app.add_directive("example-result", ExampleResultDirective)
    app.add_directive("package-tree", PackageTreeDirective)
    app.add_directive("import-contracts", ImportContractsDirective)
    app.connect("autodoc-process-docstring", no_inline_types, priority=400)  # before napoleon
    # After napoleon (priority 500) has turned Google-style sections into reStructuredText.
    app.connect("autodoc-process-docstring", escape_bars, priority=600)
    # After the Python domain has tried (and failed): priority above the default 500.
    app.connect("missing-reference", check_references, priority=900)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
