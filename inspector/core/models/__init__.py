"""Classifiers and where they come from: the :class:`~.classifier.Classifier` every attack runs on,
loading one by spec (:mod:`.loading`), the built-in models (:mod:`.zoo`), the architectures that take
the user's weights (:mod:`.architectures`), model files in every format (:mod:`.formats`), their
metadata (:mod:`.metadata`), the load-time checks (:mod:`.probe`, :mod:`.cost_bound`) and class
names (:mod:`.labels`).

Nothing is imported here: ``inspector.core.models.labels`` loads without torch's model machinery.
"""
