"""Typed errors with messages a user can act on.

Every error the core raises for bad input derives from :class:`InspectorError`;
the GUI shows its message in a dialog and the CLI prints it on one line.
What the core fixed up in the input and a user should know is an
:class:`InputWarning` (a Python warning), which the CLI prints as one note line.
"""

#: The exit status of a command that ends on bad input (an :class:`InspectorError`).
EXIT_ERROR = 2
#: The exit status of a command or of the app stopped by Ctrl-C (128 + SIGINT, as a shell reports it).
EXIT_STOPPED = 130


class InspectorError(Exception):
    """Base class of all errors caused by the user's input or environment."""


class ImageError(InspectorError):
    """An image file is missing, unreadable, truncated, too large or not an image."""


class ModelError(InspectorError):
    """A model spec names no built-in model, or a model file cannot be loaded."""


class DeviceError(InspectorError):
    """The requested compute device does not exist or is unavailable."""


class ParameterError(InspectorError):
    """A parameter is unknown, malformed or out of range.

    ``param``, when set, is the parameter's field name (``"epochs"``), for the CLI and the
    GUI to name it in their own words (``--epochs``, "Epochs"); ``detail`` is then the
    message without the part that names it.
    """

    def __init__(self, message: str, *, param: str | None = None, detail: str | None = None):
        super().__init__(message)
        self.param = param
        self.detail = detail if detail is not None else message


class ClassNameError(InspectorError):
    """A class given by index or name does not match the model's classes."""


class RecipeError(InspectorError):
    """A file given as a recipe is missing, unreadable, or not a recipe, a result.json or an evaluation."""


class ExportError(InspectorError):
    """Results could not be written to the chosen location."""


class InputWarning(UserWarning):
    """The input was usable after a fix the user should know of (one line, naming the file)."""
