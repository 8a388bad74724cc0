"""The Evasion workspace (:mod:`.workspace`): adversarial examples for one image, with defences and model comparison.

Its view state (:mod:`.state`) imports no Qt, so this package's ``__init__`` imports nothing.
"""
