"""What every physical attack shares: the interface and the registry (importable without torch).

A physical attack makes ONE pattern for many images: a sticker (printed colours that replace the
object's surface inside a mask), a patch (printed colours put anywhere in the scene) or a universal
perturbation (added to every image).
Its entry point::

    attack.run(model, x, y, *, target=None, mask=None, views=None, on_step=None, should_stop=None)
        -> PhysicalResult

``x`` (N, C, H, W) in [0, 1] are the images the pattern is made on (in the model's input frame),
``y`` their (N,) true labels, ``target`` one class index every image should read as (None:
untargeted), ``mask`` (1, H, W) of 0 and 1 where a sticker may go, ``views`` the
:class:`~inspector.core.physical.views.Views` to optimise over. Each iteration reports an
:class:`~inspector.core.attacks.base.Step` and checks ``should_stop()``; once it returns True the
run ends within one iteration and returns the best pattern found so far, with ``cancelled`` set.
Random numbers come only from generators seeded by the attack's ``seed``.

The :class:`~inspector.core.physical.result.PhysicalResult` remembers which images it was made
on, so that the evaluation (:mod:`inspector.core.physical.evaluate`) can refuse to count them.
"""

from __future__ import annotations

from inspector.core.util.params import Configurable, Registry


class PhysicalAttack(Configurable):
    """Base class of physical attacks, dataclasses registered in :data:`PHYSICAL_ATTACKS`.

    Class attributes: ``name`` (registry key), ``title``, ``paper``; ``needs_mask`` (a sticker
    takes one; a patch and a universal perturbation make their own shape); ``targeted`` (whether it takes a
    target); ``min_images`` (the fewest images it can be made on); ``printable`` (it makes colours
    to print, not a perturbation to add).
    """

    title = ""
    paper = ""
    needs_mask = True
    targeted = True
    min_images = 1
    printable = True

    def run(self, model, x, y, *, target=None, mask=None, views=None, on_step=None, should_stop=None):
        raise NotImplementedError


PHYSICAL_ATTACKS: Registry = Registry("physical attack")
register = PHYSICAL_ATTACKS.register
