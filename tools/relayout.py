"""One-off migration aid: rewrite a branch cut before the restructure (issue 22) to the new layout.

    python tools/relayout.py FILE...        rewrites the imports and module paths in place

It maps the old flat ``inspector.core`` modules, ``run.py`` (name by name), the root-level
command files, options, arguments and progress, and the GUI's workspace packages to their new
places, in dotted (``inspector.core.errors``) and path (``inspector/core/zoo/``) form. Run it on the
files of a branch before merging that branch into one with the new layout; a file new on the
branch still has to be moved by hand (``git mv``). Run it once per file. Delete this file once the
branches cut before the restructure are merged.
"""

import re, sys

CORE = {
 "architectures": "models.architectures", "classifier": "models.classifier", "models": "models.loading",
 "model_metadata": "models.metadata", "probe": "models.probe", "cost_bound": "models.cost_bound",
 "formats": "models.formats", "zoo": "models.zoo", "labels": "models.labels",
 "errors": "util.errors", "messages": "util.messages", "params": "util.params", "bounds": "util.bounds",
 "threads": "util.threads", "device": "util.device", "metrics": "util.metrics",
 "image": "io.image", "files": "io.files", "out_folder": "io.out_folder", "untrusted": "io.untrusted",
 "file_fields": "io.file_fields", "resources": "io.resources", "datasets": "io.datasets",
 "figure": "io.figure", "visualize": "io.visualize",
 "compare": "evasion.compare", "cost": "evasion.cost", "mode_sweep": "evasion.mode_sweep",
 "summary": "evasion.summary", "transfer": "evasion.transfer", "oracle": "concealment.oracle",
 "op_cost": "models.op_cost",
}
RUN = {}
for mod, names in {"recipe": "Recipe RECIPE_FIELDS MAX_SURROGATES",
                   "classify": "Classification predict classification classify",
                   "defended": "DefendedPrediction defenses_from_recipe defended_predictions detect",
                   "calibration": "benign_stream calibration_images",
                   "inspect": "Inspection inspect _inspect concealment_from_recipe"}.items():
    for n in names.split():
        RUN[n] = "inspector.core.evasion." + mod

def run_import(m):
    indent, body = m.group(1), m.group(2)
    names = [n.strip() for n in body.replace("(", "").replace(")", "").replace("\\\n", " ").replace("\n", " ").split(",") if n.strip()]
    groups = {}
    for n in names:
        groups.setdefault(RUN[n.split(" as ")[0].strip()], []).append(n)
    return "\n".join(f"{indent}from {mod} import {', '.join(ns)}" for mod, ns in sorted(groups.items()))

def dotted(m):
    first, rest = m.group(1), m.group(2) or ""
    if first == "run":
        attr = rest[1:].split(".")[0] if rest else ""
        return (RUN.get(attr, "inspector.core.evasion.inspect")) + rest
    if first == "models" and rest.split(".")[1:2] and rest.split(".")[1] in NEW_MODELS:
        return m.group(0)                      # already the new layout
    if first in CORE:
        return "inspector.core." + CORE[first] + rest
    return m.group(0)

PATHS = {"run.py": "evasion/inspect.py", "models.py": "models/loading.py", "model_metadata.py": "models/metadata.py",
         "transfer": "evasion/transfer.py", "transfer/": "evasion/transfer.py"}
def slashed(m):
    first = m.group(1)
    if first in PATHS:
        return "inspector/core/" + PATHS[first]
    stem = first.removesuffix(".py").rstrip("/")
    if stem in CORE and stem not in ("models",):
        return "inspector/core/" + CORE[stem].replace(".", "/") + first[len(stem):]
    return m.group(0)

#: Names that moved to another module than the rest of theirs.
MOVED_NAMES = {"untrusted": {"MAX_COUNT": "inspector.core.util.bounds"},
               "models": {"Classifier": "inspector.core.models.classifier", "ModelInfo": "inspector.core.models.classifier"}}


def moved_names(m):
    indent, old, body = m.group(1), m.group(2), m.group(3)
    names = [n.strip() for n in body.replace("(", "").replace(")", "").replace("\n", " ").split(",") if n.strip()]
    groups = {}
    for n in names:
        groups.setdefault(MOVED_NAMES[old].get(n.split(" as ")[0].strip(), "inspector.core." + CORE[old]), []).append(n)
    return "\n".join(f"{indent}from {mod} import {', '.join(ns)}" for mod, ns in sorted(groups.items()))


def rewrite(text):
    text = re.sub(r"^([ \t]*)from inspector\.core\.(untrusted|models) import (\([^)]*\)|[^\n]*)", moved_names, text,
                  flags=re.M)
    text = re.sub(r"^([ \t]*)from inspector\.core\.run import (\([^)]*\)|[^\n]*)", run_import, text, flags=re.M)
    text = re.sub(r"from inspector\.core import (\w+)",
                  lambda m: f"from inspector.core.{CORE[m.group(1)].rsplit('.', 1)[0]} import {CORE[m.group(1)].rsplit('.', 1)[1]}"
                  if m.group(1) in CORE else m.group(0), text)
    text = re.sub(r"inspector\.core\.(\w+)((?:\.\w+)*)", dotted, text)
    text = re.sub(r"inspector/core/(\w+(?:\.py|/)?)", slashed, text)
    return faces(text)

NEW_MODELS = {"loading", "classifier", "architectures", "metadata", "probe", "cost_bound", "formats", "zoo", "labels"}

#: Names of the old root-level modules of the command line, and where each went.
FACES = {
    "inspector.options": {"attack_params": "inspector.attack_flags", "add_attack_options": "inspector.attack_flags",
                          "_param_pair": "inspector.attack_flags", "*": "inspector.cli.options"},
    "inspector.arguments": {"*": "inspector.cli.arguments"},
    "inspector.progress": {"*": "inspector.cli.progress"},
    "inspector.evaluate_command": {"*": "inspector.cli.commands.evaluate"},
    "inspector.membership_command": {"*": "inspector.cli.commands.membership"},
    "inspector.replay_command": {"*": "inspector.cli.commands.replay"},
    "inspector.poison_command": {"add_scan_arguments": "inspector.cli.commands.scan", "cmd_scan": "inspector.cli.commands.scan",
                                 "*": "inspector.cli.commands.poison"},
    "inspector.privacy_command": {"add_invert_arguments": "inspector.cli.commands.invert",
                                  "cmd_invert": "inspector.cli.commands.invert",
                                  "check_invert_outputs": "inspector.cli.commands.invert",
                                  "*": "inspector.cli.commands.steal"},
}
#: Functions renamed by the move (a command module's are ``add_arguments`` and ``run``).
RENAMED = {"add_evaluate_arguments": "add_arguments", "cmd_evaluate": "run", "add_membership_arguments": "add_arguments",
           "cmd_membership": "run", "add_replay_arguments": "add_arguments", "cmd_replay": "run",
           "add_poison_arguments": "add_arguments", "cmd_poison": "run", "add_scan_arguments": "add_arguments",
           "cmd_scan": "run", "add_steal_arguments": "add_arguments", "cmd_steal": "run",
           "add_invert_arguments": "add_arguments", "cmd_invert": "run"}
FACE_PATHS = {"inspector/cli.py": "inspector/cli/__init__.py", "inspector/options.py": "inspector/cli/options.py",
              "inspector/arguments.py": "inspector/cli/arguments.py", "inspector/progress.py": "inspector/cli/progress.py",
              "inspector/evaluate_command.py": "inspector/cli/commands/evaluate.py",
              "inspector/membership_command.py": "inspector/cli/commands/membership.py",
              "inspector/replay_command.py": "inspector/cli/commands/replay.py",
              "inspector/poison_command.py": "inspector/cli/commands/poison.py",
              "inspector/privacy_command.py": "inspector/cli/commands/steal.py",
              "inspector/gui/workspaces.py": "inspector/gui/workspace_tabs.py"}


def face_import(m):
    indent, module, body = m.group(1), m.group(2), m.group(3)
    names = [n.strip() for n in body.replace("(", "").replace(")", "").replace("\n", " ").split(",") if n.strip()]
    groups = {}
    for n in names:
        base = n.split(" as ")[0].strip()
        target = FACES[module].get(base, FACES[module]["*"])
        new = RENAMED.get(base, base)
        groups.setdefault(target, []).append(new + (f" as {n.split(' as ')[1]}" if " as " in n
                                                     else (f" as {base}" if new != base else "")))
    return "\n".join(f"{indent}from {mod} import {', '.join(ns)}" for mod, ns in sorted(groups.items()))


def faces(text):
    modules = "|".join(re.escape(k) for k in FACES)
    text = re.sub(rf"^([ \t]*)from ({modules}) import (\([^)]*\)|[^\n]*)", face_import, text, flags=re.M)
    text = re.sub(rf"\b({modules})\b", lambda m: FACES[m.group(1)]["*"], text)
    for old, new in FACE_PATHS.items():
        text = text.replace(old, new)
    text = re.sub(r"inspector\.gui\.workspaces\b(?!\.\w)", "inspector.gui.workspace_tabs", text)
    text = re.sub(r"inspector\.gui\.(evasion|evaluate|privacy|training_time)\b", r"inspector.gui.workspaces.\1", text)
    text = re.sub(r"inspector/gui/(evasion|evaluate|privacy|training_time)\b", r"inspector/gui/workspaces/\1", text)
    return text


if __name__ == "__main__":
    for f in sys.argv[1:]:
        t = open(f, encoding="utf-8").read()
        n = rewrite(t)
        if n != t:
            open(f, "w", encoding="utf-8").write(n)
            print(f)
