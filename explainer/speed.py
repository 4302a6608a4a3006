"""Four changes to how Manim spends its time, with the same pictures as a result.

A render with beat segments runs the scene's own code for every beat, drawing only
the beats that changed; ``render.py check`` and ``audit`` run it without drawing at
all. Measured on chapter 3 (a dry run, 41 s), half that time was spent copying
mobjects and a fifth drawing frames nobody writes:

- :func:`fast_deepcopy` replaces ``Mobject.__deepcopy__``. Manim's copies every value
  in a mobject's ``__dict__`` through :func:`copy.deepcopy`, including the parsed
  SVG path each glyph of a text keeps (``path_obj``, dozens of objects per glyph,
  read once when the glyph is built and never changed) and every enum and colour
  through ``__reduce_ex__``. Here numbers, strings, enums and paths are kept as
  they are (immutable), numeric arrays and colours are copied directly, the parsed
  SVG path is shared, and everything else still goes through ``copy.deepcopy`` with
  the same memo, so shared references inside a copy stay shared exactly as before.
- :func:`skip_drawing_while_skipping` makes a renderer that is skipping animations
  (``skip_animations``: a dry run, or a beat whose segment is reused) stop drawing
  the static picture and frozen frames it would throw away: Manim's Cairo renderer
  draws them on every ``play`` even then, because ``update_frame`` ignores skipping
  by default.
- :func:`cached_generate_mobject` keeps what parsing an SVG gives (a text's glyphs,
  a formula's paths) in ``<media dir>/svg-mobjects/``, keyed by the file's bytes and
  the style it is parsed with, so a later run reads it back instead of parsing it
  again (Manim's own cache lives only as long as the process, and ``Text`` does not
  use it at all).

- :func:`start_without_copy`: while a scene skips, every animation jumps to its end
  (it is interpolated at alpha 1 only), so a plain transform (the ``.animate`` ones)
  whose end does not depend on where it started needs no copy of its start: it is
  read once, before the mobject changes. Only transforms whose path is a straight
  line, whose rate function ends at 1 and whose mobjects have no updaters are
  treated so; every other animation still copies.

``install()`` applies the first and the last two (once per process); ``NarratedScene.setup``
applies the second to its renderer, and turns the last off for a scene whose observers
sample animations midway (the layout audit). ``tests/test_speed.py`` checks copies against
Manim's own, value by value and reference by reference.
"""

from __future__ import annotations

import copy
import enum
import hashlib
import os
import pickle
from pathlib import Path, PurePath
from typing import Any

import numpy as np

_ATOMIC = (int, float, bool, str, bytes, complex, type(None), np.float64, np.int64, np.bool_)
_NUMERIC_KINDS = frozenset("biufc")
_installed = False
_jumping = False  # a skipping scene is beginning its animations (start_without_copy)


def _shared(value: Any) -> bool:
    """Values a deep copy may keep as they are: immutable, or never changed once built."""
    if isinstance(value, (enum.Enum, PurePath)):
        return True
    # svgelements objects: the path a glyph was parsed from, read only by generate_points
    return type(value).__module__.startswith("svgelements")


def _keep_alive(value: Any, memo: dict) -> None:
    # what copy.deepcopy does: originals stay referenced while the copy is made,
    # so an id in the memo can never be reused by another object
    try:
        memo[id(memo)].append(value)
    except KeyError:
        memo[id(memo)] = [value]


def _copy_value(value: Any, memo: dict) -> Any:
    kind = type(value)
    if kind in _ATOMIC:
        return value
    found = memo.get(id(value), memo)
    if found is not memo:
        return found
    if kind is np.ndarray and value.dtype.kind in _NUMERIC_KINDS:
        result = value.copy()
    elif kind is list:
        result = []
        memo[id(value)] = result
        _keep_alive(value, memo)
        result.extend([_copy_value(item, memo) for item in value])
        return result
    elif kind.__name__ == "ManimColor" and type(getattr(value, "__dict__", None)) is dict:
        result = kind.__new__(kind)
        memo[id(value)] = result
        _keep_alive(value, memo)
        result.__dict__.update({k: _copy_value(v, memo) for k, v in value.__dict__.items()})
        return result
    elif _shared(value):
        return value
    else:
        return copy.deepcopy(value, memo)
    memo[id(value)] = result
    _keep_alive(value, memo)
    return result


def fast_deepcopy(self, memo: dict):
    """``Mobject.__deepcopy__`` with the same result, without copying what never changes."""
    cls = self.__class__
    result = cls.__new__(cls)
    memo[id(self)] = result
    for key, value in self.__dict__.items():
        setattr(result, key, _copy_value(value, memo))
    result.original_id = str(id(self))
    return result


SVG_CACHE = "svg-mobjects"  # under Manim's media_dir
_SVG_CACHE_VERSION = 1


def _svg_key(mob) -> str | None:
    """What an SVG's parsed glyphs depend on, as a file name; None if it cannot be read."""
    import manim

    try:
        data = Path(mob.get_file_path()).read_bytes()
    except (OSError, ValueError):
        return None
    owner = _generate_owner()
    below = type(mob).__mro__[: type(mob).__mro__.index(owner)]
    if any(name in vars(cls) for cls in below for name in _PARSING_METHODS):
        return None  # a class that parses SVGs its own way: parse it every time
    seed = repr(
        (
            _SVG_CACHE_VERSION,
            manim.__version__,
            sorted((k, str(v)) for k, v in mob.svg_default.items()),
            sorted((k, str(v)) for k, v in mob.path_string_config.items()),
        )
    ).encode()
    return hashlib.sha256(seed + b"\0" + data).hexdigest()


def _generate_owner():
    from manim.mobject.svg.svg_mobject import SVGMobject

    return SVGMobject


_generate_mobject = None  # Manim's own, once install() has replaced it
_manim_deepcopy = None
_manim_create_starting_mobject = None
_manim_begin_animations = None
_manim_transform_begin = None
# what SVGMobject.generate_mobject calls: a subclass that overrides one is not cached
_PARSING_METHODS = (
    "get_file_path", "modify_xml_tree", "generate_config_style_dict", "get_mobjects_from",
    "get_mob_from_shape_element", "handle_transform", "apply_style_to_mobject",
    "path_to_mobject", "line_to_mobject", "rect_to_mobject", "ellipse_to_mobject",
    "polygon_to_mobject", "polyline_to_mobject", "text_to_mobject",
)  # fmt: skip


def cached_generate_mobject(self):
    """``SVGMobject.generate_mobject``, read from the disk cache when it was done before."""
    from manim import config

    key = _svg_key(self)
    if key is None:
        return _generate_mobject(self)
    folder = Path(config.media_dir) / SVG_CACHE
    path = folder / f"{key}.pickle"
    try:
        with open(path, "rb") as handle:
            submobjects, id_to_vgroup = pickle.load(handle)
    except (OSError, EOFError, pickle.UnpicklingError, AttributeError, ValueError, TypeError):
        pass  # not there yet, or unreadable: parse it (and write it again)
    else:
        self.add(*submobjects)
        self.id_to_vgroup_dict = id_to_vgroup
        return self
    _generate_mobject(self)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        tmp = folder / f"{key}.{os.getpid()}.part"
        with open(tmp, "wb") as handle:
            pickle.dump((self.submobjects, self.id_to_vgroup_dict), handle, protocol=5)
        os.replace(tmp, path)  # readers never see half a file
    except (OSError, pickle.PicklingError, TypeError, AttributeError):
        pass  # a cache that cannot be written costs time, not correctness
    return self


def _aligned(a, b) -> bool:
    """Whether ``a.align_data(b)`` would change neither: the same family shape, the same
    number of points and of colours in each member (what Manim's alignment equalises)."""
    from manim.mobject.mobject import Mobject
    from manim.mobject.types.vectorized_mobject import VMobject

    if len(a.points) != len(b.points) or len(a.submobjects) != len(b.submobjects):
        return False
    if isinstance(a, VMobject) and isinstance(b, VMobject):
        for attr in ("fill_rgbas", "stroke_rgbas", "background_stroke_rgbas"):
            if len(getattr(a, attr)) != len(getattr(b, attr)):
                return False
    elif type(a).align_points is not Mobject.align_points or type(b).align_points is not (
        Mobject.align_points
    ):
        return False  # images, point clouds: aligned their own way
    return all(_aligned(x, y) for x, y in zip(a.submobjects, b.submobjects, strict=True))


def _fades_cleanly(animation) -> bool:
    """Whether ``animation`` is a plain FadeIn or FadeOut that leaves its mobject exactly
    as it found it: FadeIn ends on the mobject as it was (its target), FadeOut removes it
    and then, in ``clean_up_from_scene``, puts it back to its start (``interpolate(0)``)."""
    from manim.animation.fading import FadeIn, FadeOut
    from manim.utils.bezier import interpolate

    kind = type(animation)
    return (
        kind in (FadeIn, FadeOut)
        and animation.path_func is interpolate
        and animation.rate_func(1.0) == 1.0
        and (kind is FadeIn or animation.rate_func(0.0) == 0.0)
        and not any(m.updaters for m in animation.mobject.get_family())
    )


def _hold(alpha: float) -> None:
    """A jumping fade's ``interpolate``: its mobject stays as it is at every alpha."""


def transform_begin(animation) -> None:
    """``Transform.begin``, without the copies a skipping scene does not need.

    While a scene skips (:func:`begin_animations`): a clean fade (:func:`_fades_cleanly`)
    copies nothing and holds its mobject as it is, which is where drawing it would leave
    it; a transform that jumps cleanly (:func:`_jumps_cleanly`) to a target already
    aligned with its mobject (:func:`_aligned`) reads the target itself instead of a copy
    (the copy only protects the target from ``align_data``, which would change nothing).
    """
    from manim.animation.animation import Animation

    if _jumping and _fades_cleanly(animation):
        animation.target_mobject = animation.target_copy = animation.mobject
        animation.starting_mobject = animation.mobject
        animation.interpolate = _hold
        if animation.suspend_mobject_updating:
            animation.mobject.suspend_updating()
        return
    if _jumping and _jumps_cleanly(animation):
        target = animation.create_target()
        if _aligned(animation.mobject, target):
            animation.target_mobject = animation.target_copy = target
            Animation.begin(animation)
            return
    _manim_transform_begin(animation)


def _jumps_cleanly(animation) -> bool:
    """Whether interpolating ``animation`` at alpha 1, twice, from its mobject as it is
    gives exactly what it gives from a copy of it (see :func:`start_without_copy`):
    at 1 a straight path gives the target's numbers whatever the start (0 x start +
    target), even after ``.animate``'s ``finish`` has applied its methods to the mobject;
    a rate function ending at 0 (a flash there and back) needs the untouched start."""
    from manim.animation.animation import Animation
    from manim.animation.transform import Transform
    from manim.utils.bezier import interpolate

    kind = type(animation)
    return (
        isinstance(animation, Transform)
        and kind.interpolate is Animation.interpolate
        and kind.interpolate_mobject is Animation.interpolate_mobject
        and kind.interpolate_submobject is Transform.interpolate_submobject
        and kind.create_starting_mobject is start_without_copy
        and kind.clean_up_from_scene
        in (Animation.clean_up_from_scene, Transform.clean_up_from_scene)
        and animation.path_func is interpolate
        and animation.rate_func(1.0) == 1.0
        and not any(m.updaters for m in animation.mobject.get_family())
    )


def start_without_copy(animation):
    """``Animation.create_starting_mobject``, without the copy while a scene skips."""
    if _jumping and _jumps_cleanly(animation):
        return animation.mobject
    return _manim_create_starting_mobject(animation)


def copy_starts_always(scene) -> None:
    """Turn :func:`start_without_copy` off for ``scene``: an observer that plays its
    animations to points between their ends while skipping (the layout audit samples
    them at a quarter, a half...) needs a start that does not move."""
    scene._copies_starts = True


def begin_animations(scene) -> None:
    """``Scene.begin_animations``, telling :func:`start_without_copy` if it skips."""
    global _jumping
    _jumping = bool(scene.renderer.skip_animations) and not getattr(scene, "_copies_starts", False)
    try:
        _manim_begin_animations(scene)
    finally:
        _jumping = False


def install() -> None:
    """Use :func:`fast_deepcopy`, :func:`cached_generate_mobject` and
    :func:`start_without_copy` in this process."""
    global _installed, _generate_mobject, _manim_deepcopy
    global _manim_create_starting_mobject, _manim_begin_animations, _manim_transform_begin
    if _installed:
        return
    from manim.animation.animation import Animation
    from manim.animation.transform import Transform
    from manim.mobject.mobject import Mobject
    from manim.scene.scene import Scene

    _manim_deepcopy = Mobject.__deepcopy__
    Mobject.__deepcopy__ = fast_deepcopy
    owner = _generate_owner()
    _generate_mobject = owner.generate_mobject
    owner.generate_mobject = cached_generate_mobject
    _manim_create_starting_mobject = Animation.create_starting_mobject
    Animation.create_starting_mobject = start_without_copy
    _manim_begin_animations = Scene.begin_animations
    Scene.begin_animations = begin_animations
    _manim_transform_begin = Transform.begin
    Transform.begin = transform_begin
    _installed = True


def skip_drawing_while_skipping(renderer) -> None:
    """Make a Cairo renderer draw nothing while it skips animations (nothing is written then)."""
    if getattr(renderer, "_draws_only_when_writing", False):
        return
    update_frame = renderer.update_frame
    save_static = renderer.save_static_frame_data
    freeze = renderer.freeze_current_frame

    def update_frame_when_writing(scene, *args, **kwargs):
        if renderer.skip_animations:
            return None
        return update_frame(scene, *args, **kwargs)

    def save_static_when_writing(scene, static_mobjects):
        if renderer.skip_animations:
            renderer.static_image = None
            return None
        return save_static(scene, static_mobjects)

    def freeze_when_writing(duration):
        if renderer.skip_animations:
            return None
        return freeze(duration)

    renderer.update_frame = update_frame_when_writing
    renderer.save_static_frame_data = save_static_when_writing
    renderer.freeze_current_frame = freeze_when_writing
    renderer._draws_only_when_writing = True
