"""Evasion on one image: the API both faces drive.

:mod:`.recipe` (what to run), :mod:`.inspect` (run it: :func:`~.inspect.inspect`),
:mod:`.classify` (a model's prediction), :mod:`.defended` (defences and detectors around it),
:mod:`.calibration` (clean images for detectors), :mod:`.compare` (several models),
:mod:`.transfer` (surrogates), :mod:`.mode_sweep` (a query attack under every output mode),
:mod:`.cost` (what an attack will cost) and :mod:`.summary` (its one-line summary).

Nothing is imported here, so the command line reads :mod:`.summary` without torch.
"""
