"""explainer/speed.py: faster copies and a parsed-SVG cache that give the same mobjects.

Each copy made with ``fast_deepcopy`` is compared with Manim's own deep copy of the same
mobject: the same classes, the same numbers, the same attributes, and the same sharing
(a reference inside the original points at the copy's own object, never back at the
original). The SVG cache is compared with a fresh parse.
"""

from __future__ import annotations

import copy

import numpy as np
import pytest

manim = pytest.importorskip("manim")

from manim import (  # noqa: E402
    RIGHT,
    Circle,
    DecimalNumber,
    MathTex,
    Square,
    Text,
    VGroup,
    tempconfig,
)
from manim.mobject.mobject import Mobject  # noqa: E402

from explainer import speed  # noqa: E402


def manim_copy(mob):
    """A copy by Manim's own ``__deepcopy__``, whatever is installed."""
    saved = Mobject.__deepcopy__
    Mobject.__deepcopy__ = speed._manim_deepcopy or saved
    try:
        return copy.deepcopy(mob)
    finally:
        Mobject.__deepcopy__ = saved


def fast_copy(mob):
    saved = Mobject.__deepcopy__
    Mobject.__deepcopy__ = speed.fast_deepcopy
    try:
        return copy.deepcopy(mob)
    finally:
        Mobject.__deepcopy__ = saved


def assert_same(a, b, original, seen=None, path="mob") -> None:
    """``a`` (fast copy) and ``b`` (Manim's copy) are equal values with the same shape of
    references, and neither shares a mutable object with ``original``'s mobjects."""
    seen = {} if seen is None else seen
    if id(a) in seen:
        assert seen[id(a)] is b, f"{path}: sharing differs"
        return
    seen[id(a)] = b
    assert type(a) is type(b), f"{path}: {type(a).__name__} vs {type(b).__name__}"
    if isinstance(a, Mobject):
        assert a is not original, f"{path}: the copy is the original"
        assert a.__dict__.keys() == b.__dict__.keys(), f"{path}: attributes differ"
        for key in a.__dict__:
            if key == "original_id":
                continue
            assert_same(a.__dict__[key], b.__dict__[key], original, seen, f"{path}.{key}")
    elif isinstance(a, np.ndarray):
        assert np.array_equal(a, b), f"{path}: arrays differ"
    elif isinstance(a, (list, tuple)):
        assert len(a) == len(b), f"{path}: lengths differ"
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            assert_same(x, y, original, seen, f"{path}[{i}]")
    elif isinstance(a, dict):
        assert a.keys() == b.keys(), f"{path}: keys differ"
        for key in a:
            assert_same(a[key], b[key], original, seen, f"{path}[{key!r}]")
    elif type(a).__name__ == "ManimColor":
        assert np.array_equal(a._internal_value, b._internal_value), f"{path}: colours differ"
    elif speed._shared(a):
        assert a == b or a is b, f"{path}: shared values differ"
    elif callable(a):
        assert a is b, f"{path}: functions are kept, not copied"
    else:
        assert a == b, f"{path}: {a!r} vs {b!r}"


def sample_mobjects(tmp_path):
    square = Square().set_fill("#ff0000", 0.5)
    square.note = {"twin": square, "label": "a square"}  # a reference back to itself
    circle = Circle().next_to(square, RIGHT)
    circle.add_updater(lambda m, dt: None)
    group = VGroup(square, circle)
    group.pair = [square, circle]  # references into its own family
    with tempconfig({"media_dir": str(tmp_path)}):
        text = Text("tokens", font_size=30)
        formula = MathTex(r"6 \cdot N \cdot D")
        number = DecimalNumber(3.9, num_decimal_places=1)
    return [square, circle, group, text, formula, number, VGroup(text, formula, group)]


def test_fast_copies_equal_manims_value_by_value_and_reference_by_reference(tmp_path):
    for mob in sample_mobjects(tmp_path):
        fast, slow = fast_copy(mob), manim_copy(mob)
        assert_same(fast, slow, mob)
        originals = {id(m) for m in mob.get_family()}
        assert not originals & {id(m) for m in fast.get_family()}
        for a, b in zip(mob.get_family(), fast.get_family(), strict=True):
            assert a.points is not b.points  # changing the copy never moves the original
    square = sample_mobjects(tmp_path)[0]
    twin = fast_copy(square)
    assert twin.note["twin"] is twin  # the self-reference points at the copy


def test_a_copy_can_be_changed_without_touching_the_original(tmp_path):
    text = sample_mobjects(tmp_path)[3]
    before = [m.points.copy() for m in text.get_family()]
    fill = text[0].get_fill_color()
    twin = fast_copy(text)
    twin.shift(RIGHT).set_color("#00ff00")
    assert all(np.array_equal(a, m.points) for a, m in zip(before, text.get_family(), strict=True))
    assert text[0].get_fill_color() == fill


def test_parsed_svgs_come_back_from_the_cache_unchanged(tmp_path):
    speed.install()
    folder = tmp_path / speed.SVG_CACHE
    with tempconfig({"media_dir": str(tmp_path)}):
        first = Text("segment cache", font_size=36)  # parsed: the cache was empty
        stored = sorted(folder.glob("*.pickle"))
        assert stored, "parsing a text stores its glyphs"
        second = Text("segment cache", font_size=36)  # read back
        assert sorted(folder.glob("*.pickle")) == stored
        assert len(first) == len(second)
        for a, b in zip(
            first.family_members_with_points(), second.family_members_with_points(), strict=True
        ):
            assert np.array_equal(a.points, b.points)
            assert np.array_equal(a.fill_rgbas, b.fill_rgbas)
        # a damaged entry is parsed again and replaced, not trusted
        stored[0].write_bytes(b"not a pickle")
        third = Text("segment cache", font_size=36)
        assert [m.points.tolist() for m in third.family_members_with_points()] == [
            m.points.tolist() for m in first.family_members_with_points()
        ]
        assert stored[0].read_bytes() != b"not a pickle"


def test_nothing_is_drawn_while_skipping():
    class Renderer:
        skip_animations = True
        static_image = "old"

        def __init__(self):
            self.drawn = []

        def update_frame(self, scene, *args, **kwargs):
            self.drawn.append("frame")

        def save_static_frame_data(self, scene, static):
            self.drawn.append("static")
            return "image"

        def freeze_current_frame(self, duration):
            self.drawn.append("freeze")

    renderer = Renderer()
    speed.skip_drawing_while_skipping(renderer)
    renderer.update_frame(None)
    renderer.save_static_frame_data(None, [])
    renderer.freeze_current_frame(1.0)
    assert renderer.drawn == [] and renderer.static_image is None
    renderer.skip_animations = False
    renderer.update_frame(None)
    assert renderer.save_static_frame_data(None, []) == "image"
    renderer.freeze_current_frame(1.0)
    assert renderer.drawn == ["frame", "static", "freeze"]


def _final_state(skip: bool, tmp_path, counted: list):
    """Run a small scene skipping or drawing (tiny frames, nothing written); return the
    points and colours of everything on screen at the end, and count start copies."""
    from manim import (
        BLUE,
        DOWN,
        LEFT,
        RED,
        UP,
        Dot,
        FadeIn,
        FadeOut,
        ReplacementTransform,
        Scene,
        TransformFromCopy,
        VMobject,
        there_and_back,
    )

    speed.install()
    original = speed._manim_create_starting_mobject

    def counting(animation):
        counted.append(type(animation).__name__)
        return original(animation)

    class Moves(Scene):
        def construct(self):
            square, circle = Square(), Circle().shift(RIGHT)
            self.add(square, circle)
            self.play(square.animate.scale(2).set_fill(RED, 0.5).shift(UP))  # jumps cleanly
            self.play(square.animate(rate_func=there_and_back).set_fill(BLUE, 1))  # flashes
            self.play(circle.animate(path_arc=1.0).shift(LEFT * 2))  # an arc
            text = Text("ab")
            self.play(TransformFromCopy(circle, text))
            self.play(ReplacementTransform(text, Square().shift(DOWN)))
            self.play(circle.animate.set_stroke(RED, 6).rotate(0.3))
            # a fade out puts its mobject back to its start once removed: shown again, the
            # square must not come back faded (a fade copies nothing while skipping)
            self.play(FadeOut(square, shift=UP))
            self.play(FadeIn(square, shift=DOWN, scale=0.5))
            self.play(FadeIn(Dot(), Dot().shift(UP)))
            # a target already aligned with its mobject is read, not copied, while skipping
            small = Square(side_length=0.5).shift(LEFT * 3)
            self.add(small)
            self.play(ReplacementTransform(small, Square(side_length=0.8).shift(LEFT * 2)))

    manim_copy = Mobject.copy

    def copying(mob):
        counted.append("copy")
        return manim_copy(mob)

    speed._manim_create_starting_mobject = counting
    Mobject.copy = copying
    try:
        options = {"media_dir": str(tmp_path), "write_to_movie": False, "pixel_width": 64,
                   "pixel_height": 36, "frame_rate": 5}  # fmt: skip
        with tempconfig(options):
            scene = Moves()
            scene.renderer._original_skipping_status = skip  # as a reused beat's segment
            scene.render()
    finally:
        speed._manim_create_starting_mobject = original
        Mobject.copy = manim_copy
    family = [m for top in scene.mobjects for m in top.get_family() if isinstance(m, VMobject)]
    return [(type(m).__name__, m.points.copy(), m.get_fill_rgbas().copy(),
             m.get_stroke_rgbas().copy(), m.get_stroke_width()) for m in family]  # fmt: skip


def test_skipping_without_start_copies_ends_exactly_where_drawing_does(tmp_path):
    drawn_copies, skipped_copies = [], []
    drawn = _final_state(False, tmp_path / "drawn", drawn_copies)
    skipped = _final_state(True, tmp_path / "skipped", skipped_copies)
    assert len(drawn) == len(skipped)
    for (kind_a, *a), (kind_b, *b) in zip(drawn, skipped, strict=True):
        assert kind_a == kind_b
        for x, y in zip(a, b, strict=True):
            assert np.array_equal(x, y), kind_a  # bit for bit, not approximately
    # drawing copies every start; skipping copies only the flash, the arc and the
    # transform from a copy (whose ends depend on where they started)
    starts = [c for c in drawn_copies if c != "copy"]
    assert len(starts) == 8  # seven transforms and the fade out (fade ins copy their own way)
    assert sorted(c for c in skipped_copies if c != "copy") == [
        "TransformFromCopy",
        "_MethodAnimation",
        "_MethodAnimation",
    ], skipped_copies
    # and the fades and the aligned target copy nothing at all
    assert skipped_copies.count("copy") < drawn_copies.count("copy") - 8, (
        skipped_copies.count("copy"),
        drawn_copies.count("copy"),
    )
