"""The engine: never imports Qt, the CLI or the GUI.

One package per kind of thing: :mod:`.models` (classifiers, loading, formats, zoo),
:mod:`.evasion` (one image: recipe, inspect, compare, transfer), :mod:`.attacks`,
:mod:`.defenses`, :mod:`.concealment` (output modes, throttle, stateful detectors, the query
oracle), :mod:`.evaluation`, :mod:`.privacy`, :mod:`.poisoning`, :mod:`.training`,
:mod:`.replay`, :mod:`.io` (files in and out) and :mod:`.util` (errors, messages, parameters, bounds).
"""
