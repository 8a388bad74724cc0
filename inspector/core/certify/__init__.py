"""Certified L2 robustness by randomized smoothing (Cohen, Rosenfeld and Kolter 2019, "Certified
Adversarial Robustness via Randomized Smoothing", arXiv:1902.02918): the settings
(:class:`~inspector.core.certify.settings.Smoothing`) and PREDICT and CERTIFY for one image
(:mod:`~inspector.core.certify.smoothed`). Over a data set, the certified-accuracy curve
(:mod:`~inspector.core.evaluation.certified`), its plot and HTML report live with the evaluation,
which certifies its images with them (``inspector evaluate --certify``).
The base classifiers trained for it are ``mnist-smooth-0.25`` and ``mnist-smooth-0.50``
(``inspector train smooth``).

Importing this package or :mod:`~inspector.core.certify.settings` loads neither torch nor scipy
(the command line checks the settings with them)."""
