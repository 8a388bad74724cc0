"""Model files in the formats people have; :mod:`.model_file` tells them apart and loads one."""

from inspector.core.models.formats.model_file import MODEL_SUFFIXES, NEEDS_TRUST, file_kind, load_model_file

__all__ = ["MODEL_SUFFIXES", "NEEDS_TRUST", "file_kind", "load_model_file"]
