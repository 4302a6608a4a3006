"""How one picture becomes the next, without double exposures or scrambled text.

The rules (see ``scenes/README.md``): the current main object *becomes* the next one,
or the camera moves to it; when a fade cannot be avoided, the old picture is gone
before the new one appears; text never morphs into different text.

>>> from manim import Square, Circle, Text
>>> type(morph(Square(), Circle())).__name__
'ReplacementTransform'
>>> type(morph(Text("one"), Text("two"))).__name__
'FadeTransform'
>>> type(swap(Square(), Circle())).__name__
'Succession'

Every chapter starts from the frame the one before it ended on: the pipeline bar
docked at the top and the model in the middle, trained as far as the story has come
(``opening``); it ends by coming back to that frame (``closing``), so the cut between
two chapter files is invisible.
"""

from __future__ import annotations

from manim import (
    ORIGIN,
    Animation,
    FadeIn,
    FadeOut,
    FadeTransform,
    Mobject,
    ReplacementTransform,
    Succession,
    config,
)

__all__ = ["clear", "closing", "focus", "morph", "opening", "swap", "unfocus"]


def _texts(mob: Mobject) -> list[str]:
    from manim import DecimalNumber, MarkupText, MathTex, Tex, Text

    found: list[str] = []

    def walk(m: Mobject) -> None:
        if isinstance(m, DecimalNumber):
            found.append(f"{m.get_value():.6g}")
        elif isinstance(m, (MathTex, Tex)):
            found.append(" ".join(m.tex_string.split()))
        elif isinstance(m, (Text, MarkupText)):
            found.append("".join(str(getattr(m, "source", m.text)).split()))
        else:
            for sub in m.submobjects:
                walk(sub)

    walk(mob)
    return sorted(found)


def morph(old: Mobject, new: Mobject, **kwargs) -> Animation:
    """``old`` becomes ``new``: its points flow into the new shape.

    Shapes, and text whose words stay the same, use ``ReplacementTransform``; text that
    changes uses ``FadeTransform`` (each shape slides and stretches into the other's place
    while cross-fading), so no glyph is ever scrambled.
    """
    if _texts(old) != _texts(new) and (_texts(old) or _texts(new)):
        return FadeTransform(old, new, **kwargs)
    return ReplacementTransform(old, new, **kwargs)


def swap(old: Mobject, new: Mobject, shift=ORIGIN, **kwargs) -> Animation:
    """A clean cut when nothing can become anything: ``old`` fades out *completely*,
    then ``new`` fades in (never both at once)."""
    return Succession(FadeOut(old, shift=shift), FadeIn(new, shift=shift), **kwargs)


def clear(scene, *keep: Mobject, **kwargs) -> Animation:
    """Fade out everything on screen except ``keep`` and the scene's persistent mobjects."""
    kept = {id(m) for mob in keep for m in mob.get_family()}
    kept |= {id(m) for mob in getattr(scene, "_persistent", []) for m in mob.get_family()}
    going = [m for m in scene.mobjects if id(m) not in kept and m is not scene.camera.frame]
    return FadeOut(*going, **kwargs)


def focus(scene, mob: Mobject, margin: float = 1.25) -> Animation:
    """Move the camera to frame ``mob`` (zoom in on a block, pan to the next area)."""
    frame = scene.camera.frame
    ratio = config.frame_width / config.frame_height
    width = max(mob.width, mob.height * ratio) * margin
    return frame.animate.set(width=width).move_to(mob)


def unfocus(scene) -> Animation:
    """Move the camera back to the whole frame."""
    return scene.camera.frame.animate.set(width=config.frame_width).move_to(ORIGIN)


def opening(scene, chapter: int):
    """Put the chapter's first frame on screen: ``(bar, model)``.

    The bar is as the previous chapter left it (move its highlight with
    ``bar.enter(chapter)``), kept and pinned to the camera; the model (``None`` in
    chapter 1, which builds it) stands in the middle below the bar, in the stage the
    story has reached.
    """
    from mobjects import CHAPTER_MODEL, ModelStack, PipelineBar
    from style import CONTENT_CENTRE

    bar = PipelineBar.entering(chapter)
    scene.add(bar)
    scene.keep(bar)
    bar.pin(scene)
    model = None
    if chapter in CHAPTER_MODEL:
        model = ModelStack(stage=CHAPTER_MODEL[chapter]).move_to(CONTENT_CENTRE)
        scene.add(model)
    return bar, model


def closing(scene, model, stage: str | None = None, **kwargs) -> Animation:
    """Return to the boundary frame: everything but the bar fades out, then ``model``
    (which may have been moved, scaled or reshaped) settles in the middle at its
    standard size, in the look of ``stage``.
    """
    from manim import AnimationGroup
    from mobjects import ModelStack
    from style import CONTENT_CENTRE

    home = ModelStack(stage=stage).move_to(CONTENT_CENTRE)
    kept = {id(m) for m in model.get_family()}
    kept |= {id(m) for mob in getattr(scene, "_persistent", []) for m in mob.get_family()}
    if any(id(m) not in kept and m is not scene.camera.frame for m in scene.mobjects):
        # the rest goes first, then the model moves: it never slides across fading pictures
        return Succession(clear(scene, model), morph(model, home), **kwargs)
    return AnimationGroup(morph(model, home), **kwargs)
