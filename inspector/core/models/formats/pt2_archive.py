"""The zip archive of a ``.pt2`` file, looked into before torch reads it.

``torch.export.load`` unpickles some members of an archive (with
``weights_only=False``), loads AOTInductor shared libraries and falls back to
an older format that unpickles everything. :func:`check_archive` reads the
archive's directory and configs with :mod:`zipfile` and :mod:`json` only, and
refuses, naming the member, anything torch would unpickle or load as code:

- members outside the layout ``torch.export.save`` writes (AOTInductor
  libraries under ``data/aotinductor/``, legacy ``data/weights/model.pt`` and
  ``data/constants/model.pt`` pickles, custom- and opaque-object constants, a
  root ``version`` member that selects the legacy format, a second model);
- weights or constants whose config says ``use_pickle``;
- sample inputs that ``torch.load(weights_only=True)`` refuses (torch would
  retry them with ``weights_only=False``);
- an archive whose members, sizes or declared tensors exceed the bounds
  (a tensor declared larger than its payload is materialised by torch).

The program itself (the graph JSON) is checked by :mod:`inspector.core.models.formats.pt2_program`.
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass
from typing import Any

import torch

from inspector.core.io.untrusted import MAX_JSON_BYTES, parse_json
from inspector.core.util.errors import ModelError

#: The most members an archive may have (an honest one has a few per weight).
MAX_MEMBERS = 100_000
#: The most a member may expand when decompressed (torch.export.save stores members uncompressed).
MAX_RATIO = 100
#: Bytes that declared tensors may take beyond their payloads (torch materialises them: zeros, expanded views).
MAX_DECLARED_EXTRA = 256 * 2**20
#: The most dimensions a declared tensor may have.
MAX_DIMS = 16

MODEL = "model"
_FIXED = {"archive_format", "archive_version", "byteorder", ".data/version", ".data/serialization_id"}
_PROGRAM = f"models/{MODEL}.json"
_SAMPLE_INPUTS = f"data/sample_inputs/{MODEL}.pt"
_WEIGHTS_CONFIG = f"data/weights/{MODEL}_weights_config.json"
_CONSTANTS_CONFIG = f"data/constants/{MODEL}_constants_config.json"
_WEIGHT = re.compile(r"data/weights/weight_\d{1,9}")
_CONSTANT = re.compile(r"data/constants/tensor_\d{1,9}")
_EXTRA = re.compile(r"extra/[\w.-]{1,200}")
_LAYOUT_STRIDED = 7


@dataclass(frozen=True)
class Archive:
    """What :func:`check_archive` read: the program JSON (parsed) and the members' sizes."""

    root: str
    program: dict
    sizes: dict[str, int]


def check_archive(data: bytes, shown: str) -> Archive:
    """Check the ``.pt2`` archive ``data`` (the bytes of the file ``shown``) without unpickling anything.

    Raises:
        ModelError: not a zip archive, not the layout torch.export.save writes, a member that
            torch would unpickle or load as native code, or bounds exceeded (one line naming
            the member and what to do).
    """
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError) as exc:
        raise _not_pt2(shown, f"not a zip archive: {exc}") from None
    sizes = _check_members(infos, len(data), shown)
    root = infos[0].filename.split("/", 1)[0] + "/"
    names = {info.filename[len(root) :]: info for info in infos}
    for name in names:
        _check_member_name(name, shown)
    for required in ("archive_format", "archive_version", _PROGRAM, _SAMPLE_INPUTS, _WEIGHTS_CONFIG, _CONSTANTS_CONFIG):
        if required not in names:
            raise _not_pt2(shown, f"member {required} is missing")
    if _read(archive, root + "archive_format", shown).strip() != b"pt2":
        raise _not_pt2(shown, "archive_format is not pt2")
    version = _read(archive, root + "archive_version", shown).strip()
    if version != b"0":
        raise ModelError(
            f"{shown}: archive version {version.decode('ascii', 'replace')[:20]!r} is not the "
            "version 0 this torch reads; export the model again with this torch version"
        )
    payloads = {name: info.file_size for name, info in names.items()}
    declared = _check_payload_config(archive, root, _WEIGHTS_CONFIG, "data/weights/", payloads, shown)
    declared += _check_payload_config(archive, root, _CONSTANTS_CONFIG, "data/constants/", payloads, shown)
    stored = sum(size for name, size in payloads.items() if _WEIGHT.fullmatch(name) or _CONSTANT.fullmatch(name))
    if declared > stored + MAX_DECLARED_EXTRA:
        raise ModelError(
            f"{shown}: its weights and constants declare {declared / 2**30:.1f} GB of tensors for "
            f"{stored / 2**20:.1f} MB of data stored; refused (a tensor larger than its data is "
            "materialised when loaded)"
        )
    _check_sample_inputs(_read(archive, root + _SAMPLE_INPUTS, shown), shown)
    program = parse_json(_read(archive, root + _PROGRAM, shown), f"{shown}: member {_PROGRAM}", ModelError)
    if not isinstance(program, dict):
        raise _not_pt2(shown, f"member {_PROGRAM} is not a JSON object")
    return Archive(root, program, sizes)


def _check_members(infos: list[zipfile.ZipInfo], file_size: int, shown: str) -> dict[str, int]:
    if not infos:
        raise _not_pt2(shown, "the zip archive is empty")
    if len(infos) > MAX_MEMBERS:
        raise ModelError(f"{shown}: {len(infos)} members in the archive, over the {MAX_MEMBERS} allowed")
    root = infos[0].filename.split("/", 1)[0] + "/"
    seen: set[str] = set()
    total = 0
    for info in infos:
        name = info.filename
        if not name.startswith(root) or len(name) <= len(root):
            raise _not_pt2(shown, f"member {name[:80]!r} is not under the archive's folder {root}")
        folded = name.casefold()  # torch looks members up ignoring case
        if folded in seen:
            raise ModelError(f"{shown}: member {name[:80]!r} appears twice in the archive; refused")
        seen.add(folded)
        if info.flag_bits & 0x1:
            raise ModelError(f"{shown}: member {name[:80]!r} is encrypted; refused")
        if info.file_size > max(info.compress_size, 1) * MAX_RATIO:
            raise ModelError(
                f"{shown}: member {name[:80]!r} expands {info.file_size} bytes from "
                f"{info.compress_size} (a zip bomb?); refused"
            )
        total += info.file_size
    if total > MAX_RATIO * max(file_size, 2**20):
        raise ModelError(f"{shown}: its members hold {total} bytes, far more than the file's {file_size}; refused")
    return {info.filename: info.file_size for info in infos}


def _check_member_name(name: str, shown: str) -> None:
    """Refuse a member torch.export.save does not write: what torch would unpickle or load as code is named."""
    if (
        name in _FIXED
        or name in (_PROGRAM, _SAMPLE_INPUTS, _WEIGHTS_CONFIG, _CONSTANTS_CONFIG)
        or _WEIGHT.fullmatch(name)
        or _CONSTANT.fullmatch(name)
        or _EXTRA.fullmatch(name)
    ):
        return
    if name.startswith("data/aotinductor/"):
        why = "an AOTInductor compiled library, which torch loads as native code"
    elif name.startswith(("data/constants/custom_obj_", "data/constants/opaque_obj_")):
        why = "a pickled custom or opaque object constant, which torch unpickles (runs code from the file)"
    elif name.endswith(".pt") and name.startswith(("data/weights/", "data/constants/")):
        why = "a legacy pickled weights or constants file, which torch unpickles (runs code from the file)"
    elif name == "version" or name.startswith("models/"):
        why = "the legacy pickled format or a second program, which torch unpickles"
    else:
        why = "not a member torch.export.save writes"
    raise ModelError(f"{shown}: member {name[:80]!r} is {why}; refused (save the model again with torch.export.save)")


def _check_payload_config(
    archive: zipfile.ZipFile, root: str, config_name: str, folder: str, payloads: dict[str, int], shown: str
) -> int:
    """Check a weights or constants config; the bytes its tensors declare.

    Raises:
        ModelError: not the config torch writes, a payload to unpickle, or a tensor its data cannot hold.
    """
    where = f"{shown}: member {config_name}"
    config = parse_json(_read(archive, root + config_name, shown), where, ModelError)
    entries = config.get("config") if isinstance(config, dict) else None
    if not isinstance(entries, dict):
        raise _not_pt2(shown, f"member {config_name} has no config object")
    declared = 0
    for fqn, meta in entries.items():
        entry = f"{where}: {str(fqn)[:80]!r}"
        if not isinstance(meta, dict):
            raise ModelError(f"{entry} is not a payload description; refused")
        if meta.get("use_pickle") is not False:
            raise ModelError(
                f"{entry} is marked use_pickle: torch would unpickle it (runs code from the file); refused"
            )
        path_name = meta.get("path_name")
        member = folder + path_name if isinstance(path_name, str) else None
        if member is None or not (_WEIGHT.fullmatch(member) or _CONSTANT.fullmatch(member)) or member not in payloads:
            raise ModelError(
                f"{entry} names payload {str(path_name)[:80]!r}, which is no tensor member of the archive; refused"
            )
        declared += _check_tensor_meta(meta.get("tensor_meta"), payloads[member], entry)
    return declared


def _check_tensor_meta(meta: Any, payload_bytes: int, entry: str) -> int:
    """The bytes the tensor ``meta`` declares; it must be a strided view its payload holds.

    Raises:
        ModelError: a malformed meta, or a view reaching past its payload.
    """
    from torch._export.serde.serialize import _SERIALIZE_TO_TORCH_DTYPE

    if not isinstance(meta, dict):
        raise ModelError(f"{entry} has no tensor_meta; refused")
    sizes, strides = _ints(meta.get("sizes"), entry, "sizes"), _ints(meta.get("strides"), entry, "strides")
    offset = _ints([meta.get("storage_offset")], entry, "storage_offset")[0]
    dtype = _SERIALIZE_TO_TORCH_DTYPE.get(meta.get("dtype")) if isinstance(meta.get("dtype"), int) else None
    if dtype is None:
        raise ModelError(f"{entry}: unknown dtype {meta.get('dtype')!r}; refused")
    if meta.get("layout") != _LAYOUT_STRIDED:
        raise ModelError(f"{entry}: layout {meta.get('layout')!r} is not a strided tensor; refused")
    device = meta.get("device")
    if not isinstance(device, dict) or device.get("type") not in ("cpu", "cuda"):
        raise ModelError(f"{entry}: device {device!r} is neither cpu nor cuda; refused")
    if len(sizes) != len(strides) or len(sizes) > MAX_DIMS:
        raise ModelError(f"{entry}: {len(sizes)} sizes for {len(strides)} strides; refused")
    element = torch.empty((), dtype=dtype).element_size()
    numel = 1
    for size in sizes:
        numel *= size
    extent = (
        0 if numel == 0 else offset + 1 + sum((size - 1) * stride for size, stride in zip(sizes, strides, strict=True))
    )
    if payload_bytes and extent * element > payload_bytes:
        raise ModelError(
            f"{entry}: declares a {'x'.join(map(str, sizes))} tensor that reaches past its "
            f"{payload_bytes}-byte payload; refused"
        )
    return numel * element


def _ints(values: Any, entry: str, key: str) -> list[int]:
    """The plain non-negative integers of a serialized size list (``{"as_int": n}`` items)."""
    if not isinstance(values, list):
        raise ModelError(f"{entry}: {key} is not a list; refused")
    out = []
    for value in values:
        n = value.get("as_int") if isinstance(value, dict) and len(value) == 1 else None
        if type(n) is not int or not 0 <= n < 2**62:
            raise ModelError(f"{entry}: {key} holds {str(value)[:60]}, not a plain non-negative integer; refused")
        out.append(n)
    return out


def _check_sample_inputs(data: bytes, shown: str) -> None:
    """The sample inputs must load with ``weights_only=True`` (torch falls back to unpickling them otherwise).

    Raises:
        ModelError: they need more than weights-only loading, or their own zip is a bomb.
    """
    where = f"{shown}: member {_SAMPLE_INPUTS}"
    if data:
        try:
            inner = zipfile.ZipFile(io.BytesIO(data)).infolist()
        except (zipfile.BadZipFile, OSError, ValueError, EOFError):
            inner = None  # the legacy (non-zip) torch.save format: weights_only reads it
        if inner is not None:
            _check_members(inner, len(data), where)
        try:
            value = torch.load(io.BytesIO(data), map_location="cpu", weights_only=True)
        except Exception:  # weights_only refuses objects, or the bytes are no torch.save data
            raise ModelError(
                f"{where} does not load with torch.load(weights_only=True): torch would unpickle "
                "it (runs code from the file); refused"
            ) from None
        if not isinstance(value, (tuple, dict)):
            raise _not_pt2(shown, f"member {_SAMPLE_INPUTS} holds a {type(value).__name__}, not inputs")


def _read(archive: zipfile.ZipFile, name: str, shown: str) -> bytes:
    try:
        info = archive.getinfo(name)
        if info.file_size > MAX_JSON_BYTES:
            raise ModelError(f"{shown}: member {name} holds {info.file_size} bytes, over the {MAX_JSON_BYTES} allowed")
        return archive.read(info)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, EOFError, NotImplementedError) as exc:
        raise _not_pt2(shown, f"member {name} cannot be read: {exc}") from None


def _not_pt2(shown: str, why: str) -> ModelError:
    return ModelError(
        f"{shown}: not a torch.export program ({why}); save one with "
        "torch.export.save(torch.export.export(model, (x,)), 'model.pt2')"
    )
