"""Training the learned adversarial detector and measuring it (Metzen et al. 2017, arXiv:1702.04267).

- :mod:`.data`: the clean images it trains, calibrates and is tested on;
- :mod:`.train`: fitting it on clean images and one attack's adversarials;
- :mod:`.rates`: its true positive rate on the attack it saw and on others, with Wilson intervals;
- :mod:`.adaptive`: the attack that knows it (Carlini and Wagner 2017, arXiv:1705.07263);
- :mod:`.suite`: the attacks of the table; :mod:`.job`: one checked "train a detector" run, as the
  command line and the app start it.

The detector itself, as the tool's defences use it, is
:class:`~inspector.core.defenses.learned.LearnedDetector`.
"""
