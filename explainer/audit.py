"""Layout audit: what a viewer would wince at, found without rendering a pixel.

Each scene runs as a dry run (as in ``render.py check``); the audit looks at the
screen after every animation and wait, and *inside* every animation (at 25, 50
and 75 %), and reports, with the beat, the scene time and the scene line:

* text outside the frame minus a safe margin (the camera's frame when it moves);
* two texts whose boxes overlap (unless the scene says ``self.allow_overlap(a, b)``);
* a label spilling out of the shape it labels (mobjects declare ``.labelled``);
* text too small (a capital under ~20 px at 1080p) or too dim (WCAG contrast < 4.5);
* more than ~12 words of prose on screen (titles and monospace code excluded);
* **double exposure**: something fading out and something fading in, both above
  20 % opacity at once, overlapping or each filling the frame (a cross-fade);
* **scrambled morph**: a ``Transform`` whose source and target hold different text
  (the glyphs' points scramble); ``FadeTransform`` and ``TransformMatching*`` pass;
* **small picture**: for most of a beat, what is visible spans under 60 % of the
  frame's width and height (``self.allow_small_picture(why)`` declares an exception);
* **leftover**: a mobject on screen unchanged, unanimated and with nothing changing
  next to it for more than two beats (``self.keep(mob)`` declares persistent ones,
  such as the pipeline bar).

The audit plugs into a dry run as a hook on the scene's run mode
(``state = audit.register(mode)``); the scene never imports it.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from .scene import RunMode, SceneHooks

MARGIN = 0.3  # frame units kept clear at every edge
MIN_CAP_PX = 20.0  # smallest capital height at 1080p
MIN_CONTRAST = 4.5  # WCAG AA for normal text
MAX_PROSE_WORDS = 12
TITLE_FONT_SIZE = 50  # prose at or above this is a title, not counted as prose
OVERLAP_TOLERANCE = 0.02  # frame units two boxes may touch by


@dataclass
class Finding:
    kind: str
    message: str
    where: str  # scene file:line that created the mobject
    beat: str
    time: float

    def line(self, chapter: str) -> str:
        return f"{self.where}: {chapter} beat '{self.beat}' at {self.time:.1f} s: {self.kind}: {self.message}"


@dataclass
class AuditState:
    findings: list[Finding] = field(default_factory=list)
    seen: set[tuple] = field(default_factory=set)
    # bookkeeping for the frame-use and leftover checks
    beat: _BeatRecord | None = None
    beat_index: int = -1
    tracks: dict[int, _Track] = field(default_factory=dict)
    touched: set[int] = field(default_factory=set)
    flagged: set[int] = field(default_factory=set)
    on_screen: dict[int, object] = field(default_factory=dict)

    def add(self, key: tuple, finding: Finding) -> None:
        if key in self.seen:
            return
        self.seen.add(key)
        self.findings.append(finding)


class Audit(SceneHooks):
    """The audit as a scene hook: each hook point calls the function of the same name."""

    def __init__(self, state: AuditState) -> None:
        self.state = state

    def beat_started(self, scene, beat_id: str, where: str) -> None:
        beat_started(scene, beat_id, where, self.state)

    def inspect_inside(self, scene, beat_id: str, where: str) -> None:
        inspect_inside(scene, beat_id, where, self.state)

    def inspect(self, scene, beat_id: str) -> None:
        inspect(scene, beat_id, self.state)

    def beat_ended(self, scene, beat_id: str) -> None:
        beat_ended(scene, beat_id, self.state)


def register(mode: RunMode) -> AuditState:
    """Audit every scene run in ``mode``; returns the state its findings collect in."""
    state = AuditState()
    mode.register(Audit(state))
    return state


# --------------------------------------------------------------------------- text


def text_classes() -> tuple[type, ...]:
    from manim import Code, DecimalNumber, MarkupText, MathTex, Paragraph, Tex, Text

    return (Text, MarkupText, Paragraph, MathTex, Tex, Code, DecimalNumber)


def _origin_recorder(cls: type):
    original = cls.__init__

    def init(self, *args, **kwargs):
        original(self, *args, **kwargs)
        if not hasattr(self, "_audit_origin"):
            self._audit_origin = _scene_caller()

    init._audit_original = original  # type: ignore[attr-defined]
    return init


def _scene_caller() -> str:
    frame = sys._getframe(2)
    fallback = "?"
    while frame is not None:
        path = Path(frame.f_code.co_filename)
        if path.parent.name == "scenes" and path.suffix == ".py":
            name = f"scenes/{path.name}:{frame.f_lineno}"
            if path.name[:2].isdigit():
                return name
            fallback = fallback if fallback != "?" else name
        frame = frame.f_back
    return fallback


class record_origins:
    """Within the block, every text mobject remembers the scene line that made it."""

    def __enter__(self):
        self.classes = text_classes()
        for cls in self.classes:
            if "__init__" in vars(cls):
                cls.__init__ = _origin_recorder(cls)
        return self

    def __exit__(self, *exc):
        for cls in self.classes:
            init = vars(cls).get("__init__")
            if init is not None and hasattr(init, "_audit_original"):
                cls.__init__ = init._audit_original


def visible_texts(mobjects) -> list:
    """Top-level text mobjects on screen (not their glyphs), skipping invisible ones."""
    kinds = text_classes()
    out = []

    def walk(mob) -> None:
        if isinstance(mob, kinds):
            if _opacity(mob) > 0.05 and mob.width > 1e-3:
                out.append(mob)
            return
        for sub in mob.submobjects:
            walk(sub)

    for mob in mobjects:
        walk(mob)
    return out


def _opacity(mob) -> float:
    values = [m.get_fill_opacity() for m in mob.family_members_with_points()]
    return max(values, default=0.0)


def _box(mob) -> tuple[float, float, float, float]:
    return mob.get_left()[0], mob.get_right()[0], mob.get_bottom()[1], mob.get_top()[1]


def _overlap(a, b) -> bool:
    l1, r1, b1, t1 = _box(a)
    l2, r2, b2, t2 = _box(b)
    return (
        min(r1, r2) - max(l1, l2) > OVERLAP_TOLERANCE
        and min(t1, t2) - max(b1, b2) > OVERLAP_TOLERANCE
    )


def _luminance(rgb) -> float:
    def channel(c: float) -> float:
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(float(c)) for c in rgb[:3])
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(fg, bg) -> float:
    """WCAG contrast ratio of two RGB colours (components 0..1)."""
    a, b = _luminance(fg), _luminance(bg)
    hi, lo = max(a, b), min(a, b)
    return (hi + 0.05) / (lo + 0.05)


_CAP_RATIO: dict[type, float] = {}


def cap_px(mob) -> float | None:
    """Height of a capital letter at 1080p for this text's current size."""
    from manim import DecimalNumber, MathTex, Tex, Text, config

    size = getattr(mob, "font_size", None)
    if not size:
        return None
    kind = MathTex if isinstance(mob, (MathTex, Tex, DecimalNumber)) else Text
    if kind not in _CAP_RATIO:
        probe = kind("H", font_size=48)
        _CAP_RATIO[kind] = probe.height / 48
    units = float(size) * _CAP_RATIO[kind]
    return units * 1080 / config.frame_height


def _prose_words(mob) -> int:
    from manim import MarkupText, Paragraph, Text

    if not isinstance(mob, (Text, MarkupText, Paragraph)):
        return 0
    font = getattr(mob, "font", "") or ""
    if "Mono" in font or "Code" in font:
        return 0
    if (getattr(mob, "font_size", 0) or 0) >= TITLE_FONT_SIZE:
        return 0
    return len(getattr(mob, "original_text", getattr(mob, "text", "")).split())


# --------------------------------------------------------------------------- the audit


def inspect(scene, beat: str, state: AuditState) -> None:
    """Check what is on screen now; called after every play and wait in audit mode."""
    from manim import config
    from manim.utils.color import ManimColor

    now = float(scene.renderer.time)
    texts = visible_texts(scene.mobjects)
    frame_l, frame_r, frame_b, frame_t = frame_box(scene)
    zoom = _zoom(scene)
    camera_moved = _camera_moved(scene)
    background = ManimColor(config.background_color).to_rgb()
    allowed = getattr(scene, "_allowed_overlaps", [])

    def origin(mob) -> str:
        return getattr(mob, "_audit_origin", "?")

    def label(mob) -> str:
        text = getattr(mob, "original_text", None) or getattr(mob, "tex_string", None)
        if text is None and hasattr(mob, "get_value"):
            text = str(mob.get_value())
        text = " ".join(str(text or type(mob).__name__).split())
        return f"'{text[:30]}'"

    for mob in texts:
        left, right, bottom, top = _box(mob)
        margin = MARGIN / zoom
        out_of_view = right < frame_l or left > frame_r or top < frame_b or bottom > frame_t
        if camera_moved and out_of_view:
            continue  # the camera looks elsewhere; this text is simply not in view
        if (
            left < frame_l + margin
            or right > frame_r - margin
            or bottom < frame_b + margin
            or top > frame_t - margin
        ):
            state.add(
                ("frame", id(mob)),
                Finding(
                    "outside the frame",
                    f"{label(mob)} reaches within {MARGIN} of the edge",
                    origin(mob),
                    beat,
                    now,
                ),
            )
        px = cap_px(mob)
        px = None if px is None else px * zoom
        if px is not None and px < MIN_CAP_PX - 0.5:
            state.add(
                ("small", id(mob)),
                Finding(
                    "text too small",
                    f"{label(mob)}: capitals {px:.0f} px tall at 1080p (< {MIN_CAP_PX:.0f})",
                    origin(mob),
                    beat,
                    now,
                ),
            )
        colour = mob.get_fill_color()
        rgb = np.array(ManimColor(colour).to_rgb())
        alpha = min(_opacity(mob), 1.0)
        seen = rgb * alpha + np.array(background) * (1 - alpha)
        ratio = contrast(seen, background)
        if ratio < MIN_CONTRAST:
            state.add(
                ("dim", id(mob)),
                Finding(
                    "text too dim",
                    f"{label(mob)}: contrast {ratio:.1f} with the background (< {MIN_CONTRAST})",
                    origin(mob),
                    beat,
                    now,
                ),
            )
    for i, a in enumerate(texts):
        for b in texts[i + 1 :]:
            if not _overlap(a, b) or _allowed(allowed, a, b):
                continue
            state.add(
                ("overlap", id(a), id(b)),
                Finding(
                    "overlapping text",
                    f"{label(a)} overlaps {label(b)} ({origin(b)})",
                    origin(a),
                    beat,
                    now,
                ),
            )
    on_screen = {id(m) for top in scene.mobjects for m in top.get_family()}
    for top in scene.mobjects:
        for holder in top.get_family():
            for text, shape in getattr(holder, "labelled", []):
                if id(text) not in on_screen or id(shape) not in on_screen:
                    continue
                if _opacity(text) <= 0.05:
                    continue
                l1, r1, b1, t1 = _box(text)
                l2, r2, b2, t2 = _box(shape)
                tol = OVERLAP_TOLERANCE
                if l1 < l2 - tol or r1 > r2 + tol or b1 < b2 - tol or t1 > t2 + tol:
                    state.add(
                        ("spill", id(text)),
                        Finding(
                            "label outside its box",
                            f"{label(text)} spills out of its {type(shape).__name__}",
                            origin(text),
                            beat,
                            now,
                        ),
                    )
    words = sum(_prose_words(m) for m in texts)
    if words > MAX_PROSE_WORDS:
        state.add(
            ("words", beat, words // 5),
            Finding(
                "too much prose",
                f"{words} words of prose on screen (> {MAX_PROSE_WORDS})",
                origin(texts[0]),
                beat,
                now,
            ),
        )
    _after_step(scene, state, beat)


def _allowed(pairs, a, b) -> bool:
    for x, y in pairs:
        fx, fy = x.get_family(), y.get_family()
        if (a in fx and b in fy) or (a in fy and b in fx):
            return True
    return False


# --------------------------------------------------------------------------- the frame


def frame_box(scene) -> tuple[float, float, float, float]:
    """(left, right, bottom, top) of what the camera shows now (it may zoom and pan)."""
    from manim import config

    frame = getattr(scene.camera, "frame", None)
    if frame is None:
        w, h = config.frame_width, config.frame_height
        return -w / 2, w / 2, -h / 2, h / 2
    cx, cy = float(frame.get_center()[0]), float(frame.get_center()[1])
    w, h = float(frame.width), float(frame.height)
    return cx - w / 2, cx + w / 2, cy - h / 2, cy + h / 2


def _zoom(scene) -> float:
    """How many times larger things look than at the default frame (1 unless zoomed)."""
    from manim import config

    frame = getattr(scene.camera, "frame", None)
    return 1.0 if frame is None else config.frame_height / float(frame.height)


def _camera_moved(scene) -> bool:
    """Has the camera zoomed or panned away from the default frame?"""
    from manim import config

    left, right, _, top = frame_box(scene)
    return (
        abs(left + config.frame_width / 2) > 1e-3
        or abs(top - config.frame_height / 2) > 1e-3
        or abs(right - left - config.frame_width) > 1e-3
    )


def _persistent_ids(scene) -> set[int]:
    return {id(m) for mob in getattr(scene, "_persistent", []) for m in mob.get_family()}


def _seen_opacity(mob) -> float:
    """How opaque a mobject's own points are drawn (fill or stroke, whichever shows more).

    Only drawn things count: a ValueTracker keeps its value in its points but is never seen.
    """
    from manim import ImageMobject, VMobject

    if isinstance(mob, ImageMobject):
        return float(getattr(mob, "opacity", 1.0) or 0.0)
    if not isinstance(mob, VMobject) or not mob.has_points():
        return 0.0
    fill = mob.get_fill_opacity()
    stroke = mob.get_stroke_opacity() if (mob.get_stroke_width() or 0) > 0 else 0.0
    return float(max(fill, stroke))


def _family_opacity(mob) -> float:
    return max((_seen_opacity(m) for m in mob.get_family() if m.has_points()), default=0.0)


def _shows(member, background) -> bool:
    """Does this piece stand out from the background (opaque and not near-black)?"""
    from manim.utils.color import ManimColor

    alpha = _seen_opacity(member)
    if alpha <= 0.05:
        return False
    try:
        colour = (
            member.get_fill_color()
            if member.get_fill_opacity() >= alpha
            else member.get_stroke_color()
        )
        rgb = np.array(ManimColor(colour).to_rgb())
    except Exception:  # noqa: BLE001 - an image or odd mobject: count it as visible
        return True
    seen = rgb * alpha + np.array(background) * (1 - alpha)
    return contrast(seen, background) >= MIN_PICTURE_CONTRAST


def picture_box(scene, skip: set[int] | None = None):
    """Bounding box (left, right, bottom, top) of everything visible, or None.

    Near-invisible pieces (transparent, or as dark as the background) and ``skip``
    (persistent chrome such as the pipeline bar) do not count.
    """
    from manim import config
    from manim.utils.color import ManimColor

    background = ManimColor(config.background_color).to_rgb()
    skip = skip or set()
    lo, hi = None, None
    for top in scene.mobjects:
        for member in top.get_family():
            if id(member) in skip or not member.has_points():
                continue
            if not _shows(member, background):
                continue
            points = member.points
            a, b = points.min(axis=0), points.max(axis=0)
            lo = a if lo is None else np.minimum(lo, a)
            hi = b if hi is None else np.maximum(hi, b)
    if lo is None:
        return None
    return float(lo[0]), float(hi[0]), float(lo[1]), float(hi[1])


def coverage(box, frame) -> tuple[float, float]:
    """Fractions of the frame's width and height that ``box`` spans (clipped to the frame)."""
    if box is None:
        return 0.0, 0.0
    l1, r1, b1, t1 = box
    l2, r2, b2, t2 = frame
    w = max(0.0, min(r1, r2) - max(l1, l2)) / (r2 - l2)
    h = max(0.0, min(t1, t2) - max(b1, b2)) / (t2 - b2)
    return w, h


# --------------------------------------------------------------------------- inside animations

SAMPLES = (0.25, 0.5, 0.75)  # where inside each animation the audit looks
EXPOSURE_OPACITY = 0.2  # both scenes above this at once is a double exposure
MIN_FRAME_USE = 0.6  # the main picture spans at least this share of the width or height
SMALL_PICTURE_SHARE = 0.5  # ... for at least this share of each beat's time
LEFTOVER_BEATS = 2  # untouched for more than this many beats after the picture moved on
MIN_PICTURE_CONTRAST = 1.5  # fainter than this (e.g. GREY_E grid lines) is not "picture"
NEAR = 0.3  # a change this close to a mobject refreshes it (something is pointing at it)


def _leaves(animation, out: list) -> list:
    """The leaf animations of a (nested) group, skipping matched-shape transforms."""
    from manim import AnimationGroup
    from manim.animation.transform_matching_parts import TransformMatchingAbstractBase

    if isinstance(animation, TransformMatchingAbstractBase):
        return out  # fades only unmatched pieces, by design
    if isinstance(animation, AnimationGroup):
        for sub in animation.animations:
            _leaves(sub, out)
        return out
    out.append(animation)
    return out


def _text_of(mob) -> str | None:
    from manim import DecimalNumber, MathTex, SingleStringMathTex, Tex

    if isinstance(mob, DecimalNumber):
        return f"{mob.get_value():.6g}"
    if isinstance(mob, (MathTex, Tex, SingleStringMathTex)):
        return " ".join(getattr(mob, "tex_string", "").split())
    source = getattr(mob, "source", None) or getattr(mob, "original_text", None)
    if source is None:
        source = getattr(mob, "text", None)
    return None if source is None else "".join(str(source).split())


def texts_in(mob) -> list[str]:
    """The strings of every text mobject inside ``mob`` (numbers by value), sorted."""
    kinds = text_classes()
    found: list[str] = []

    def walk(m) -> None:
        if isinstance(m, kinds):
            text = _text_of(m)
            if text:
                found.append(text)
            return
        for sub in m.submobjects:
            walk(sub)

    walk(mob)
    return sorted(found)


def _morph_ends(animation):
    """(source, target) of a point-morphing Transform, or None for fades and matched morphs."""
    from manim import FadeTransform, Transform
    from manim.animation.fading import _Fade

    if not isinstance(animation, Transform) or isinstance(animation, (FadeTransform, _Fade)):
        return None
    source = getattr(animation, "starting_mobject", None)
    target = getattr(animation, "target_copy", None) or getattr(animation, "target_mobject", None)
    if source is None or target is None:
        return None
    if type(animation).__name__ == "TransformFromCopy":
        source, target = target, source
    return source, target


def _direction(animation) -> str | None:
    """'in' when the animation brings its mobject into view, 'out' when it takes it away."""
    if animation.is_introducer() and not animation.is_remover():
        return "in"
    if animation.is_remover() and not animation.is_introducer():
        return "out"
    ends = _morph_ends(animation)
    start, target = None, None
    if ends is not None:
        start, target = ends
    elif hasattr(animation, "starting_mobject") and hasattr(animation, "target_copy"):
        start, target = animation.starting_mobject, animation.target_copy
    if start is None or target is None:
        return None
    before, after = _family_opacity(start), _family_opacity(target)
    if before >= 0.5 and after <= 0.05:
        return "out"
    if before <= 0.05 and after >= 0.5:
        return "in"
    return None


def _visibility(animation, direction: str) -> float:
    """How visible the animation's mobject is at its current point (0..1)."""
    alpha = getattr(animation, "_audit_alpha", 0.0)
    try:
        progress = float(animation.rate_func(min(max(alpha, 0.0), 1.0)))
    except Exception:  # noqa: BLE001
        progress = alpha
    shown = progress if direction == "in" else 1 - progress
    return min(shown, _family_opacity(animation.mobject))


def _mob_box(mob):
    members = [m for m in mob.get_family() if m.has_points() and _seen_opacity(m) > 0.05]
    if not members:
        return None
    points = np.vstack([m.points for m in members])
    lo, hi = points.min(axis=0), points.max(axis=0)
    return float(lo[0]), float(hi[0]), float(lo[1]), float(hi[1])


def _boxes_meet(a, b, tol: float = OVERLAP_TOLERANCE) -> bool:
    return min(a[1], b[1]) - max(a[0], b[0]) > tol and min(a[3], b[3]) - max(a[2], b[2]) > tol


def _union(boxes):
    boxes = [b for b in boxes if b is not None]
    if not boxes:
        return None
    return (
        min(b[0] for b in boxes),
        max(b[1] for b in boxes),
        min(b[2] for b in boxes),
        max(b[3] for b in boxes),
    )


def _describe(mob) -> str:
    texts = texts_in(mob)
    if texts:
        shown = " ".join(texts)
        return f"'{shown[:24]}'"
    return type(mob).__name__


class _record_alpha:
    """While active, every animation remembers the alpha it was last interpolated at."""

    def __enter__(self):
        from manim import Animation

        original = Animation.interpolate

        def interpolate(animation, alpha: float) -> None:
            animation._audit_alpha = alpha
            original(animation, alpha)

        self.original = original
        Animation.interpolate = interpolate
        return self

    def __exit__(self, *exc):
        from manim import Animation

        Animation.interpolate = self.original


def inspect_inside(scene, beat: str, where: str, state: AuditState) -> None:
    """Look inside the animations about to play: text morphs, and the screen at 25/50/75 %.

    Called before ``play_internal`` runs the animations to their end. Sampling moves
    the scene through ``update_to_time`` as a render would, so the final state is the
    same as without the audit.
    """
    now = float(scene.renderer.time)
    leaves: list = []
    for animation in scene.animations:
        _leaves(animation, leaves)
    for animation in leaves:
        ends = _morph_ends(animation)
        if ends is None:
            continue
        before, after = texts_in(ends[0]), texts_in(ends[1])
        if before and after and before != after:
            state.add(
                ("morph", where, tuple(before), tuple(after)),
                Finding(
                    "scrambled morph",
                    f"{type(animation).__name__} turns text {_describe(ends[0])} into "
                    f"different text {_describe(ends[1])}; use FadeTransform (words) or a "
                    "DecimalNumber driven by a ValueTracker (numbers)",
                    where,
                    beat,
                    now,
                ),
            )
    moving = [(a, _direction(a)) for a in leaves]
    moving = [(a, d) for a, d in moving if d is not None]
    touched = {id(m) for a in leaves for m in a.mobject.get_family()}
    state.touched |= touched
    if not (any(d == "in" for _, d in moving) and any(d == "out" for _, d in moving)):
        return
    duration = scene.duration if scene.duration else scene.get_run_time(scene.animations)
    frame = frame_box(scene)
    with _record_alpha():
        for fraction in SAMPLES:
            scene.update_to_time(fraction * duration)
            shown = {"in": [], "out": []}
            for animation, direction in moving:
                if _visibility(animation, direction) > EXPOSURE_OPACITY:
                    shown[direction].append(animation.mobject)
            if not shown["in"] or not shown["out"]:
                continue
            outs = [(m, _mob_box(m)) for m in shown["out"]]
            ins = [(m, _mob_box(m)) for m in shown["in"]]
            clash = next(
                (
                    (a, b)
                    for a, box_a in outs
                    for b, box_b in ins
                    if box_a is not None and box_b is not None and _boxes_meet(box_a, box_b)
                ),
                None,
            )
            old_w, old_h = coverage(_union([b for _, b in outs]), frame)
            new_w, new_h = coverage(_union([b for _, b in ins]), frame)
            whole = max(old_w, old_h) >= MIN_FRAME_USE and max(new_w, new_h) >= MIN_FRAME_USE
            if clash is None and not whole:
                continue
            detail = (
                f"{_describe(clash[0])} fading out over {_describe(clash[1])} fading in"
                if clash is not None
                else "the old picture fades out while the new one fades in, both filling the frame"
            )
            state.add(
                ("exposure", where, now),
                Finding(
                    "double exposure",
                    f"{detail} (both above {EXPOSURE_OPACITY:.0%} at {fraction:.0%} of the "
                    "animation); transform the old picture into the new one, or let the old "
                    "one go before the new one comes",
                    where,
                    beat,
                    now + fraction * duration,
                ),
            )
            break


# --------------------------------------------------------------------------- beats: frame use, leftovers


@dataclass
class _Track:
    signature: tuple
    box: tuple | None
    beat_index: int  # the beat in which it last changed, moved, or was pointed at
    origin: str


@dataclass
class _BeatRecord:
    id: str
    where: str
    start: float
    last_time: float
    small_time: float = 0.0
    worst: tuple[float, float] = (1.0, 1.0)


def _signature(mob) -> tuple:
    """A cheap fingerprint of how a mobject looks: its points, colours and opacities."""
    from manim import VMobject

    total, spread, alpha, colours = 0.0, 0.0, 0.0, 0
    for member in mob.get_family():
        if not isinstance(member, VMobject) or not member.has_points():
            continue
        points = member.points
        total += float(points.sum())
        spread += float(np.abs(points).sum())
        alpha += _seen_opacity(member)
        colours += (
            hash(str(member.get_fill_color())) % 100003
            + hash(str(member.get_stroke_color())) % 100003
        )
    return round(total, 3), round(spread, 3), round(alpha, 3), colours


def _origin_of(mob) -> str:
    for member in mob.get_family():
        origin = getattr(member, "_audit_origin", None)
        if origin:
            return origin
    return "?"


def beat_started(scene, beat: str, where: str, state: AuditState) -> None:
    """A beat begins: start measuring how much of the frame its picture uses."""
    now = float(scene.renderer.time)
    state.beat_index += 1
    state.beat = _BeatRecord(beat, where, now, now)


def _track_screen(scene, state: AuditState) -> None:
    """Update which top-level mobjects changed (or were touched, or had something change
    next to them) since the last look."""
    skip = _persistent_ids(scene)
    current: dict[int, tuple] = {}
    for top in scene.mobjects:
        if id(top) in skip or _family_opacity(top) <= 0.05:
            continue
        current[id(top)] = (top, _signature(top), _mob_box(top))
    changed_boxes = []
    for key, (top, signature, box) in current.items():
        track = state.tracks.get(key)
        touched = any(id(m) in state.touched for m in top.get_family())
        if track is None or track.signature != signature or touched:
            changed_boxes.append(box)
    for key, (top, signature, box) in current.items():
        track = state.tracks.get(key)
        touched = any(id(m) in state.touched for m in top.get_family())
        fresh = track is None or track.signature != signature or touched
        if not fresh and box is not None:
            grown = (box[0] - NEAR, box[1] + NEAR, box[2] - NEAR, box[3] + NEAR)
            fresh = any(
                other is not None and other != box and _boxes_meet(grown, other, 0.0)
                for other in changed_boxes
            )
        if fresh:
            state.tracks[key] = _Track(signature, box, state.beat_index, _origin_of(top))
        else:
            track.signature = signature
    for key in list(state.tracks):
        if key not in current:
            del state.tracks[key]
            state.flagged.discard(key)
    state.touched = set()
    state.on_screen = {key: value[0] for key, value in current.items()}


def _after_step(scene, state: AuditState, beat: str) -> None:
    """Frame use of the picture held since the last look, weighted by how long it was held."""
    record = state.beat
    now = float(scene.renderer.time)
    _track_screen(scene, state)
    if record is None or record.id != beat:
        return
    held = now - record.last_time
    record.last_time = now
    if held <= 0:
        return
    use = coverage(picture_box(scene, _persistent_ids(scene)), frame_box(scene))
    if max(use) < MIN_FRAME_USE:
        record.small_time += held
        if max(use) < max(record.worst):
            record.worst = use


def beat_ended(scene, beat: str, state: AuditState) -> None:
    """A beat ends: judge its frame use, and report leftovers from earlier beats."""
    record = state.beat
    if record is not None and record.id == beat:
        length = max(record.last_time - record.start, 1e-6)
        declared = getattr(scene, "_sparse_beats", {}).get(beat)
        if record.small_time / length > SMALL_PICTURE_SHARE and declared is None:
            w, h = record.worst
            state.add(
                ("frame-use", beat),
                Finding(
                    "small picture",
                    f"for {record.small_time:.1f} of {length:.1f} s the picture spans only "
                    f"{w:.0%} of the frame's width and {h:.0%} of its height (< "
                    f"{MIN_FRAME_USE:.0%}); scale the main object up and centre it, or declare "
                    "self.allow_small_picture('why') in this beat",
                    record.where,
                    beat,
                    record.start,
                ),
            )
    for key, track in state.tracks.items():
        if key in state.flagged or state.beat_index - track.beat_index < LEFTOVER_BEATS:
            continue
        mob = state.on_screen.get(key)
        if mob is None:
            continue
        state.flagged.add(key)
        state.add(
            ("leftover", key),
            Finding(
                "leftover",
                f"{_describe(mob)} has stayed on screen unchanged and untouched since an "
                f"earlier beat, through {state.beat_index - track.beat_index} more; remove it "
                "when its picture moves on, or declare it with self.keep(...)",
                track.origin,
                beat,
                float(scene.renderer.time),
            ),
        )
