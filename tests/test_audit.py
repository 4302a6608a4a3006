"""Each visual-quality detector fires on a broken example and stays quiet on a clean one."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT, write_chapter

from explainer import pacing, settings
from explainer.audit import contrast, record_origins, register
from explainer.chapter_render import load_scene_class
from explainer.check import CheckMode, audit_chapters, dry_run
from explainer.manifest import BeatTime, ChapterRecord, Manifest
from explainer.narration import Narrator
from explainer.project import Project
from explainer.scene import SceneHooks
from explainer.voices import make_voice

SCRIPT = """
# Audit
## only
A short beat for the layout audit to look at while the picture changes.
"""

FOUR_BEATS = """
# Audit
## one
The first beat shows a picture and lets it settle for a moment.
## two
The second beat replaces that picture with another one entirely.
## three
The third beat replaces it again with a third picture entirely.
## four
The fourth beat closes with a last picture that fills the frame.
"""

HEADER = """
from manim import (Text, Rectangle, Square, Circle, Dot, FadeIn, FadeOut, VGroup, LEFT, RIGHT,
    UP, DOWN, GREY_D, WHITE, Transform, ReplacementTransform, FadeTransform, Succession,
    TransformMatchingShapes, DecimalNumber, Write, Create, Indicate)
import sys
sys.path.insert(0, %r)
from mobjects import ChatBubble
"""

BIG = "Rectangle(width=10, height=5)"  # a picture that uses the frame


def audit(project, body: str, script: str = SCRIPT) -> str:
    """The audit's findings on a test chapter (a silent dry run, as in a check)."""
    write_chapter(project, "01-audit", script, body)
    scene = project / "scenes/01_test.py"
    scene.write_text(HEADER % str(ROOT / "scenes") + scene.read_text())
    mode = CheckMode(Project(project).chapters()[0])
    state = register(mode)
    with record_origins():
        dry_run(load_scene_class(scene), mode, project / "build/check")
    return "\n".join(f.line("01-audit") for f in state.findings)


def test_the_audit_is_a_hook_on_the_run_mode(project):
    # the scene calls its mode's hook points; the audit only sees scenes it registered on
    calls = []

    class Spy(SceneHooks):
        def beat_started(self, scene, beat_id, where):
            calls.append(("started", beat_id, where.split(":")[0]))

        def inspect_inside(self, scene, beat_id, where):
            calls.append(("inside", beat_id, len(scene.animations)))

        def inspect(self, scene, beat_id):
            calls.append(("after", beat_id))

        def beat_ended(self, scene, beat_id):
            calls.append(("ended", beat_id))

    write_chapter(
        project, "01-audit", SCRIPT, 'with self.beat("only"):\n    self.play(FadeIn(Square()))'
    )
    mode = CheckMode(Project(project).chapters()[0])
    mode.register(Spy())
    dry_run(load_scene_class(project / "scenes/01_test.py"), mode, project / "build/check")
    assert calls[0] == ("started", "only", "scenes/01_test.py")
    assert ("inside", "only", 1) in calls and ("after", "only") in calls
    assert calls[-1] == ("ended", "only")
    assert [name for name, _ in mode.usage.beats] == ["only"] and mode.usage.problems == []


def test_clean_layout_passes(project):
    found = audit(
        project,
        """
        with self.beat("only") as beat:
            a = Text("left", font_size=30).shift(LEFT * 4.5)
            b = Text("right", font_size=30).shift(RIGHT * 4.5)
            self.play(FadeIn(a), FadeIn(b), run_time=beat.remaining)
    """,
    )
    assert found == ""


# ---------------------------------------------------------------- inside animations


def test_cross_fade_is_a_double_exposure(project):
    found = audit(
        project,
        f"""
        with self.beat("only") as beat:
            old = {BIG}
            self.add(old)
            new = Circle(radius=3)
            self.play(FadeOut(old), FadeIn(new), run_time=2)
    """,
    )
    assert "double exposure: Rectangle fading out over Circle fading in" in found
    assert "scenes/01_test.py:" in found and "beat 'only'" in found
    # words swapped in place by a cross-fade are a double exposure too
    found = audit(
        project,
        """
        with self.beat("only"):
            a = Text("before", font_size=40)
            self.add(a)
            self.play(FadeOut(a), FadeIn(Text("after", font_size=40)))
    """,
    )
    assert "double exposure: 'before' fading out over 'after' fading in" in found


def test_clean_scene_changes_are_not_double_exposures(project):
    for change in (
        "self.play(FadeOut(old)); self.play(FadeIn(new))",
        "self.play(Succession(FadeOut(old), FadeIn(new)), run_time=2)",
        "self.play(ReplacementTransform(old, new), run_time=2)",
        "self.play(FadeOut(old, shift=LEFT * 9), FadeIn(Dot().shift(RIGHT * 6)))",
        "self.play(FadeTransform(Text('one'), Text('two')))",
    ):
        found = audit(
            project,
            f"""
            with self.beat("only"):
                old, new = {BIG}, Circle(radius=3)
                self.add(old)
                {change}
        """,
        )
        assert "double exposure" not in found, change


def test_text_morphing_into_other_text_is_scrambled(project):
    for morph in (
        "Transform(Text('2,000 rows'), Text('256 rows'))",
        "ReplacementTransform(VGroup(Square(), Text('model')), Text('nanochat/'))",
        "DecimalNumber(3).animate.set_value(561)",
    ):
        found = audit(
            project,
            f"""
            with self.beat("only"):
                self.add({BIG})
                self.play({morph})
        """,
        )
        assert "scrambled morph" in found, morph
    for fine in (
        "FadeTransform(Text('2,000 rows'), Text('256 rows'))",
        "TransformMatchingShapes(Text('merge'), Text('emerge'))",
        "Transform(Text('same', color=WHITE), Text('same', color=GREY_D).shift(UP))",
        "ReplacementTransform(Square(), Circle())",
    ):
        found = audit(
            project,
            f"""
            with self.beat("only"):
                self.add({BIG})
                self.play({fine})
        """,
        )
        assert "scrambled morph" not in found, fine


# ---------------------------------------------------------------- beats


def test_small_picture_and_its_declared_exception(project):
    body = """
        with self.beat("only") as beat:
            self.play(FadeIn(Square(side_length=1.5).shift(LEFT * 3)), run_time=beat.remaining)
    """
    found = audit(project, body)
    assert "small picture: for" in found and "beat 'only'" in found
    assert "scenes/01_test.py:" in found
    declared = body.replace("as beat:", "as beat:\n            self.allow_small_picture('a dot')")
    assert "small picture" not in audit(project, declared)
    # a picture that fills the frame for most of the beat is fine, even if it starts small
    assert "small picture" not in audit(
        project,
        f"""
        with self.beat("only") as beat:
            self.play(FadeIn(Dot()), run_time=0.5)
            self.play(FadeIn({BIG}), run_time=beat.remaining)
    """,
    )


def test_leftover_mark_and_kept_chrome(project):
    body = f"""
        mark = Dot().to_corner(UP + LEFT, buff=0.6)
        bar = Rectangle(width=12, height=0.4).to_edge(UP, buff=0.4)
        KEEP
        picture = {BIG}
        for index, name in enumerate(["one", "two", "three", "four"]):
            with self.beat(name) as beat:
                if index == 0:
                    self.play(FadeIn(picture), FadeIn(mark), FadeIn(bar))
                else:
                    nxt = Circle(radius=2.5 + index * 0.1) if index % 2 else {BIG}
                    self.play(ReplacementTransform(picture, nxt), run_time=beat.remaining)
                    picture = nxt
    """
    found = audit(project, body.replace("KEEP", ""), FOUR_BEATS)
    assert "leftover: Dot has stayed on screen" in found
    assert "leftover: Rectangle" in found  # the bar, until it is declared
    assert "beat 'three'" in found
    kept = body.replace("KEEP", "self.keep(bar, mark)")
    assert "leftover" not in audit(project, kept, FOUR_BEATS)


def test_something_pointed_at_is_not_a_leftover(project):
    # axes that stay while curves change on them are in use, not left over
    body = """
        axes = Rectangle(width=10, height=5)
        curve = Circle(radius=1.5)
        for index, name in enumerate(["one", "two", "three", "four"]):
            with self.beat(name) as beat:
                if index == 0:
                    self.play(Create(axes), Create(curve))
                else:
                    nxt = Circle(radius=1.5 + index * 0.4)
                    self.play(ReplacementTransform(curve, nxt), run_time=beat.remaining)
                    curve = nxt
    """
    assert "leftover" not in audit(project, body, FOUR_BEATS)


def test_clipped_text(project):
    found = audit(
        project,
        """
        with self.beat("only"):
            self.play(FadeIn(Text("off the edge", font_size=30).to_edge(RIGHT, buff=0.05)))
    """,
    )
    assert "outside the frame: 'off the edge'" in found
    assert "scenes/01_test.py:" in found and "beat 'only'" in found


def test_overlapping_labels_and_allowed_overlap(project):
    found = audit(
        project,
        """
        with self.beat("only"):
            a, b = Text("first", font_size=30), Text("second", font_size=30)
            self.play(FadeIn(a), FadeIn(b))
    """,
    )
    assert "overlapping text: 'first' overlaps 'second'" in found
    found = audit(
        project,
        """
        with self.beat("only"):
            a, b = Text("first", font_size=30), Text("second", font_size=30)
            self.allow_overlap(a, b)
            self.play(FadeIn(a), FadeIn(b))
    """,
    )
    assert "overlapping text" not in found


def test_tiny_text(project):
    found = audit(
        project,
        """
        with self.beat("only"):
            self.play(FadeIn(Text("tiny", font_size=30).scale(0.4)))
    """,
    )
    assert "text too small: 'tiny'" in found


def test_dim_text(project):
    found = audit(
        project,
        """
        with self.beat("only"):
            self.play(FadeIn(Text("dim", font_size=30, color=GREY_D)))
    """,
    )
    assert "text too dim: 'dim'" in found
    assert contrast((1, 1, 1), (0, 0, 0)) == pytest.approx(21.0)


def test_label_spilling_out_of_its_box(project):
    found = audit(
        project,
        """
        with self.beat("only"):
            bubble = ChatBubble("hello")
            bubble.label.shift(RIGHT * 4)
            self.play(FadeIn(bubble))
    """,
    )
    assert "label outside its box: 'hello'" in found


def test_wall_of_text(project):
    found = audit(
        project,
        """
        with self.beat("only"):
            words = VGroup(*[Text("one two three four", font_size=28) for _ in range(4)])
            self.play(FadeIn(words.arrange(DOWN)))
    """,
    )
    assert "too much prose: 16 words" in found


@pytest.mark.slow
def test_every_chapter_passes_the_layout_audit(real_project):
    project = Project(real_project)
    chosen = settings.load(project.pyproject)
    narrator = Narrator(make_voice(chosen), project.audio_cache)
    # in parallel processes, one per core, as render.py audit runs it
    assert audit_chapters(project, project.chapters(), narrator, chosen) == []


# ---------------------------------------------------------------- pacing

FREEZE_SCRIPT = """
# Freeze
## still
This narration keeps going for quite a while, long enough that a picture which never
moves at all becomes obvious to anyone watching the video closely.
"""


@pytest.mark.slow
def test_six_second_freeze_is_found_and_motion_is_not(tmp_path):
    root = tmp_path
    (root / "script").mkdir()
    write_chapter(
        root,
        "01-freeze",
        FREEZE_SCRIPT,
        """
        with self.beat("still") as beat:
            self.play(FadeIn(Square()), run_time=0.5)
            self.wait(6)
            self.play(Create(Circle()), run_time=beat.remaining)
    """,
    )
    env = dict(os.environ, EXPLAINER_ROOT=str(root), EXPLAINER_VOICE="espeak")
    run = [sys.executable, str(ROOT / "render.py"), "--quality", "low", "-q"]
    assert subprocess.run(run, cwd=ROOT, env=env, capture_output=True).returncode == 0
    built = Manifest.load(root / "build/low")
    entry = built.chapters["01-freeze"]
    found = pacing.check_chapter(entry, built.video(entry))
    assert len(found) == 1 and "picture still for" in found[0] and "beat 'still'" in found[0]

    scene = root / "scenes/01_test.py"
    scene.write_text(
        scene.read_text().replace(
            "self.wait(6)", "self.play(Square().animate.rotate(3), run_time=6)"
        )
    )
    assert subprocess.run(run, cwd=ROOT, env=env, capture_output=True).returncode == 0
    built = Manifest.load(root / "build/low")
    entry = built.chapters["01-freeze"]
    assert pacing.check_chapter(entry, built.video(entry)) == []
    result = subprocess.run(
        [sys.executable, str(ROOT / "render.py"), "sheet", "1", "--quality", "low"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    from PIL import Image

    from explainer.sheet import COLUMNS, THUMB, frame_times

    sheet = Image.open(root / "build/low/sheets/01-freeze.png")
    assert sheet.width == COLUMNS * (THUMB[0] + 4)
    assert len(frame_times(entry.duration)) >= 3


def test_long_silence_is_found(monkeypatch):
    entry = ChapterRecord(
        key="01-x",
        number=1,
        title="X",
        quality="low",
        voice="espeak",
        voice_settings={},
        duration=20.0,
        frames=300,
        fps=15.0,
        loudness={},
        words=20,
        beats=[BeatTime("a", 0.0, 5.0), BeatTime("b", 8.0, 5.0)],
        cues=4,
        outputs={"video": "01-x.mp4"},
        narration="work/01-x/narration.wav",
    )
    monkeypatch.setattr(pacing, "freezes", lambda video, total: [])
    monkeypatch.setattr(pacing, "silences", lambda video, total: [(5.2, 7.9), (13.2, 20.0)])
    found = pacing.check_chapter(entry, Path("unused.mp4"))
    assert found == ["01-x beat 'a' at 5.2 s: 2.7 s of silence inside the chapter"]
