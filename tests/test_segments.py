"""Beat segments: an edit re-renders only the beats it changed, and the result is exactly
what a render from scratch gives (decoded frames, narration and captions)."""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import sys
from pathlib import Path

import pytest
from conftest import write_chapter
from test_full import render as render_low

from explainer import media
from explainer.segments import CodeTrail, SegmentCache

slow = pytest.mark.slow

# three beats with what tends to break caching: a morph, an updater driven by a tracker,
# a camera move, and a picture that carries over from one beat to the next
HEADER_EXTRA = "from manim import ValueTracker, always_redraw, Dot, RIGHT, LEFT, UP\n"

BODY = """
with self.beat("one") as beat:
    square = Square()
    self.play(FadeIn(square), run_time=beat.time_until("turn"))
    self.play(square.animate.rotate(2.0).shift(LEFT * 2), run_time=beat.remaining)
with self.beat("two") as beat:
    x = ValueTracker(-2)
    dot = always_redraw(lambda: Dot().move_to(RIGHT * x.get_value() + UP))
    self.add(dot)
    self.play(x.animate.set_value(2), run_time=beat.time_until("half"))
    self.play(Transform(square, Circle()), run_time=beat.remaining)
with self.beat("three") as beat:
    self.play(self.camera.frame.animate.scale(0.7).move_to(square), run_time=beat.until("end"))
    self.play(square.animate.set_color("#ffcc00"), run_time=beat.remaining)
"""

SCRIPT = """
# Segments
## one
The first beat brings in a square {@turn}and turns it.
## two
The second beat moves a dot across the screen, {@half}then the square becomes a circle.
## three
The third beat moves the camera in {@end}and colours the {word} shape.
"""


def make(root: Path, word: str) -> Path:
    write_chapter(root, "01-segments", SCRIPT.replace("{word}", word), BODY)
    scene = root / "scenes/01_test.py"
    scene.write_text(HEADER_EXTRA + scene.read_text("utf-8"), "utf-8")
    return root


def render(root: Path, *, segments: bool = True):
    result = render_low(root, segments="on" if segments else "off", timeout=900)
    assert result.returncode == 0, result.stdout + result.stderr
    return result


def _files(root: Path, plays: bool) -> dict[str, tuple[int, str]]:
    folder = root / "build/low/segments/01-segments"
    found = {}
    for p in sorted(folder.glob("*.mp4")):
        meta = json.loads(p.with_suffix(".json").read_text())
        if ("end" in meta) == plays:
            found[p.name] = (p.stat().st_ino, hashlib.sha256(p.read_bytes()).hexdigest())
    return found


def segment_files(root: Path) -> dict[str, tuple[int, str]]:
    """Each beat segment's inode and content: a rewrite (always to a new file, renamed
    into place) changes the inode. (Not the mtime: on overlay filesystems a file's mtime
    can move by a few nanoseconds when its inode is read back from disk.)"""
    return _files(root, plays=False)


def play_files(root: Path) -> dict[str, tuple[int, str]]:
    """The same for the plays kept from beats that were drawn."""
    return _files(root, plays=True)


def pcm_hash(path: Path) -> str:
    samples, rate = media.read_wav(path)
    return hashlib.sha256(samples.tobytes()).hexdigest() + str(rate)


def assert_same_render(edited_root: Path, fresh_root: Path) -> None:
    """Decoded frames, captions, narration samples and beat times are the same."""
    edited, fresh = edited_root / "build/low", fresh_root / "build/low"
    a, b = (
        media.frame_checksums(edited / "01-segments.mp4"),
        media.frame_checksums(fresh / "01-segments.mp4"),
    )
    assert len(a) == len(b) and a == b
    for name in ("01-segments.srt", "01-segments.vtt"):
        assert (edited / name).read_bytes() == (fresh / name).read_bytes()
    narration = "work/01-segments/narration.wav"
    assert pcm_hash(edited / narration) == pcm_hash(fresh / narration)
    beats = [
        json.loads((root / "build/low/manifest.json").read_text())["chapters"][0]["beats"]
        for root in (edited_root, fresh_root)
    ]
    assert beats[0] == beats[1]


@slow
def test_one_word_edit_redraws_one_beat_and_matches_a_fresh_render(tmp_path):
    edited_root = make(tmp_path / "edited", "yellow")
    render(edited_root)
    first = segment_files(edited_root)
    assert len(first) == 3
    # every play of every beat: two plays and the closing wait each
    first_plays = play_files(edited_root)
    assert len(first_plays) == 9

    # one word in beat three, after its bookmark: that beat's narration changes length,
    # nothing else; its first play (the camera move, up to the bookmark) runs as before
    make(edited_root, "bright yellow")
    render(edited_root)
    second = segment_files(edited_root)
    assert len(second) == 3, "unused segments are pruned"
    kept = set(first) & set(second)
    assert len(kept) == 2, "beats one and two are reused"
    assert all(first[name] == second[name] for name in kept), "reused segments are not rewritten"
    second_plays = play_files(edited_root)
    kept_plays = set(first_plays) & set(second_plays)
    assert len(kept_plays) == 7, "beats one and two's plays, beat three's camera move"
    assert len(second_plays) == 9, "the changed play's old movie is pruned"
    assert all(first_plays[name] == second_plays[name] for name in kept_plays)

    # the edited script rendered from nothing, without segments, elsewhere; with the same
    # narration (the audio cache: espeak's timings vary by a millisecond between runs)
    fresh_root = make(tmp_path / "fresh", "bright yellow")
    shutil.copytree(edited_root / "audio", fresh_root / "audio")
    render(fresh_root, segments=False)
    assert not (fresh_root / "build/low/segments").exists()

    assert_same_render(edited_root, fresh_root)


@slow
def test_an_edit_to_the_first_beat_takes_the_rest_as_last_rendered(tmp_path):
    """Beat two then starts as it did, with every later beat's narration and code as
    they were: the rest of the chapter is the last render's segments, in order, and the
    scene's code for beats two and three does not run at all."""
    first_beat = SCRIPT.replace("brings in a square", "brings in a {first} square")

    def make_first(root: Path, first: str) -> Path:
        text = first_beat.replace("{first}", first).replace("{word}", "yellow")
        write_chapter(root, "01-segments", text, BODY)
        scene = root / "scenes/01_test.py"
        scene.write_text(HEADER_EXTRA + scene.read_text("utf-8"), "utf-8")
        return root

    edited_root = make_first(tmp_path / "edited", "small")
    render(edited_root)
    before = segment_files(edited_root)
    make_first(edited_root, "very small")
    render(edited_root)
    log = (edited_root / "build/low/logs/01-segments.log").read_text()
    assert "segments from two on: as last rendered" in log
    assert "segment three" not in log, "beat three's code did not run"
    after = segment_files(edited_root)
    assert len(set(before) & set(after)) == 2 and len(after) == 3

    fresh_root = make_first(tmp_path / "fresh", "very small")
    shutil.copytree(edited_root / "audio", fresh_root / "audio")
    render(fresh_root, segments=False)
    assert_same_render(edited_root, fresh_root)

    # a later beat's narration changed too: no shortcut past it
    make_first(edited_root, "small")
    text = (edited_root / "script/01-segments.md").read_text()
    (edited_root / "script/01-segments.md").write_text(text.replace("yellow", "bright yellow"))
    render(edited_root)
    log = (edited_root / "build/low/logs/01-segments.log").read_text()
    assert "as last rendered" not in log and "segment three: drawn" in log


STALE_BODY = """
with self.beat("one") as beat:
    square = Square()
    self.add(square)
    # where the square goes depends on the narration's length; when it starts and how
    # long it runs do not: the play's key cannot tell, its end picture can
    self.play(square.animate.shift(RIGHT * round(beat.duration, 2)), run_time=0.5)
    self.play(square.animate.set_color("#ffcc00"), run_time=beat.remaining)
"""

STALE_SCRIPT = """
# Segments
## one
A square moves to the {word} and turns yellow.
"""


@slow
def test_a_reused_play_that_ends_elsewhere_is_drawn_again(tmp_path):
    def make_stale(root: Path, word: str) -> Path:
        write_chapter(root, "01-segments", STALE_SCRIPT.replace("{word}", word), STALE_BODY)
        scene = root / "scenes/01_test.py"
        scene.write_text(HEADER_EXTRA + scene.read_text("utf-8"), "utf-8")
        return root

    edited_root = make_stale(tmp_path / "edited", "right")
    render(edited_root)
    make_stale(edited_root, "right of the screen")
    render(edited_root)
    log = (edited_root / "build/low/logs/01-segments.log").read_text()
    assert "ended elsewhere than when it was drawn: rendering again" in log
    stale = re.search(r"play ([0-9a-f]{32}) at scenes/01_test.py:\d+ ended elsewhere", log)[1]
    assert not list((edited_root / "build/low/segments/01-segments").glob(f"{stale}.*"))

    fresh_root = make_stale(tmp_path / "fresh", "right of the screen")
    shutil.copytree(edited_root / "audio", fresh_root / "audio")
    render(fresh_root, segments=False)
    a, b = (
        media.frame_checksums(root / "build/low/01-segments.mp4")
        for root in (edited_root, fresh_root)
    )
    assert len(a) == len(b) and a == b


@slow
def test_an_edit_to_a_later_method_keeps_the_beats_before_it(tmp_path):
    root = tmp_path / "methods"
    write_chapter(
        root, "01-segments", SCRIPT.replace("{word}", "yellow"), "self.first()\nself.rest()"
    )
    scene = root / "scenes/01_test.py"
    methods = """
    def first(self):
        with self.beat("one") as beat:
            self.square = Square()
            self.play(FadeIn(self.square), run_time=beat.time_until("turn"))
            self.play(self.square.animate.rotate(2.0), run_time=beat.remaining)

    def rest(self):
        with self.beat("two") as beat:
            self.play(Transform(self.square, Circle()), run_time=beat.until("half"))
        with self.beat("three") as beat:
            self.play(self.square.animate.shift(UP), run_time=beat.until("end"))
"""
    scene.write_text(HEADER_EXTRA + scene.read_text("utf-8") + methods, "utf-8")
    render(root)
    first = segment_files(root)
    scene.write_text(scene.read_text("utf-8").replace("shift(UP)", "shift(RIGHT)"), "utf-8")
    render(root)
    second = segment_files(root)
    assert len(set(first) & set(second)) == 1, "beat one (method first) is reused, rest redrawn"


def test_a_corrupt_or_half_written_segment_is_a_miss(tmp_path):
    cache = SegmentCache(tmp_path / "seg", base="x")
    source = tmp_path / "part.mp4"
    source.write_bytes(b"frames" * 100)
    key = cache.key("beat", 1)
    cache.store(key, [source], 12, lambda parts, out: shutil.copy(parts[0], out))
    assert cache.lookup(key).frames == 12
    (tmp_path / "seg" / f"{key}.mp4").write_bytes(b"frames" * 99 + b"xxxxxx")  # same size
    assert cache.lookup(key) is None
    (tmp_path / "seg" / f"{key}.mp4").unlink()
    assert cache.lookup(key) is None
    # a segment killed before its checksum file was written is never used, and is pruned
    (tmp_path / "seg" / "abc.part.mp4").write_bytes(b"half")
    (tmp_path / "seg" / "def.mp4").write_bytes(b"no checksum")
    assert cache.lookup("def") is None
    fresh = SegmentCache(tmp_path / "seg", base="x")
    assert fresh.prune() >= 2
    assert not list((tmp_path / "seg").glob("*.mp4"))


def test_code_trail_counts_only_methods_that_ran(tmp_path):
    from manim import Scene

    module = tmp_path / "trail_scene.py"
    module.write_text(
        "from manim import Scene\n"
        "HELPER = 1\n"
        "class Demo(Scene):\n"
        "    def construct(self):\n"
        "        self.a()\n"
        "    def a(self):\n"
        "        return 1\n"
        "    def b(self):\n"
        "        return 2\n",
        "utf-8",
    )
    sys.path.insert(0, str(tmp_path))
    try:
        import trail_scene
    finally:
        sys.path.remove(str(tmp_path))
    scene = trail_scene.Demo.__new__(trail_scene.Demo)
    trail = CodeTrail(scene)
    trail.watch(scene)
    before = trail.digest()
    scene.construct()
    assert list(trail.ran) == ["Demo.construct", "Demo.a"]
    after = trail.digest()
    assert before != after
    assert "def b" not in trail.skeleton and "HELPER = 1" in trail.skeleton
    assert isinstance(scene, Scene)


def test_plays_driven_by_time_are_never_reused():
    """A skipped play updates once by its whole run time where drawing steps frame by
    frame: with a scene updater or a mobject updated by dt, plays are drawn, not kept."""
    from manim import Dot, Scene

    from explainer.segments import reusable

    scene = Scene()
    dot = Dot()
    scene.add(dot)
    assert reusable(scene)
    dot.add_updater(lambda m, dt: m.shift([dt, 0, 0]))
    assert not reusable(scene)
    dot.clear_updaters()
    scene.add_updater(lambda dt: None)
    assert not reusable(scene)


@slow
def test_the_chain_from_the_first_beat_still_writes_the_movie(tmp_path):
    """Nothing changed in the beats (the chapter renders again because its video is
    gone): the whole chapter comes from the chain, before any play, and Manim still
    joins the movie."""
    root = make(tmp_path / "again", "yellow")
    render(root)
    video = root / "build/low/01-segments.mp4"
    before = media.frame_checksums(video)
    video.unlink()
    shutil.rmtree(root / "build/low/work/01-segments/media")
    render(root)
    log = (root / "build/low/logs/01-segments.log").read_text()
    assert "segments from one on: as last rendered" in log
    assert media.frame_checksums(video) == before
