"""The corruptions' names, in the paper's order, importable without torch (for ``inspector --help``);
:data:`~inspector.core.corruptions.registry.CORRUPTIONS` holds them, in this order."""

NAMES = (
    "gaussian-noise",
    "shot-noise",
    "impulse-noise",
    "defocus-blur",
    "glass-blur",
    "motion-blur",
    "zoom-blur",
    "snow",
    "frost",
    "fog",
    "brightness",
    "contrast",
    "elastic-transform",
    "pixelate",
    "jpeg-compression",
)
