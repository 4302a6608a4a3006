"""Layout audit: what a viewer would wince at, found without rendering a pixel.

Each scene runs as a dry run (as in ``render.py check``); after every animation and
wait the audit looks at the text on screen and reports, with the beat, the scene
time and the scene line that created the mobject:

* text outside the frame minus a safe margin;
* two texts whose boxes overlap (unless the scene says ``self.allow_overlap(a, b)``);
* a label spilling out of the shape it labels (mobjects declare ``.labelled``);
* text too small (a capital under ~20 px at 1080p) or too dim (WCAG contrast < 4.5);
* more than ~12 words of prose on screen (titles and monospace code excluded).
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

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

    def add(self, key: tuple, finding: Finding) -> None:
        if key in self.seen:
            return
        self.seen.add(key)
        self.findings.append(finding)


class _Active:
    state: AuditState | None = None


ACTIVE = _Active()


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


def inspect(scene, beat: str) -> None:
    """Check what is on screen now; called after every play and wait in audit mode."""
    from manim import config
    from manim.utils.color import ManimColor

    state = ACTIVE.state
    if state is None:
        return
    now = float(scene.renderer.time)
    texts = visible_texts(scene.mobjects)
    half_w = config.frame_width / 2 - MARGIN
    half_h = config.frame_height / 2 - MARGIN
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
        if left < -half_w or right > half_w or bottom < -half_h or top > half_h:
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


def _allowed(pairs, a, b) -> bool:
    for x, y in pairs:
        fx, fy = x.get_family(), y.get_family()
        if (a in fx and b in fy) or (a in fy and b in fx):
            return True
    return False


# --------------------------------------------------------------------------- inside animations and beats


def inspect_inside(scene, beat: str, where: str) -> None:
    """Sample the screen inside the animations about to play (filled in below)."""


def beat_started(scene, beat: str, where: str) -> None:
    """A beat begins: frame-use and leftover bookkeeping (filled in below)."""


def beat_ended(scene, beat: str) -> None:
    """A beat ends: judge its frame use (filled in below)."""
