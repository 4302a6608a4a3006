"""The base scene every chapter builds on: narration by beat id, timing from the voice.

A chapter scene never holds narration. It names beats of its script and times
its animations from them::

    class Introduction(NarratedScene):
        def construct(self):
            with self.beat("hook") as beat:
                self.play(Write(title), run_time=beat.time_until("chat"))
                beat.wait_until("chat")
                self.play(FadeIn(bubble))

The scene finds its script from its own file name (``scenes/01_intro.py`` reads
``script/01-*.md``), voices each beat through the cached narrator, and when the
``with`` block ends waits for the narration to finish plus a short pause.

Three modes, chosen by the environment the scene runs in:

* plain Manim CLI (``manim -pql scenes/01_intro.py``): narration is added with
  ``add_sound`` so the preview has sound;
* ``render.py``: no ``add_sound``; the pipeline builds the narration track from
  the recorded beat start times (``self.beat_log``);
* ``render.py check``: a dry run with a silent stand-in voice that records which
  beats and bookmarks the scene uses.
"""

from __future__ import annotations

import inspect
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from manim import MovingCameraScene, config
from manim_voiceover import VoiceoverScene
from manim_voiceover.tracker import VoiceoverTracker

from . import settings as settings_module
from .errors import UserError
from .narration import BeatAudio, Narrator
from .script import Beat, Chapter, discover, load_lexicon, parse_chapter
from .voices import make_voice

BEAT_GAP = 0.35  # seconds of quiet between one beat's last word and the next beat
CHECK_WORDS_PER_SECOND = 2.7  # the silent stand-in voice's pace


# --------------------------------------------------------------------------- check mode


@dataclass
class Usage:
    """What a scene did with its script during a dry run."""

    beats: list[tuple[str, str]] = field(default_factory=list)  # (beat id, scene file:line)
    problems: list[str] = field(default_factory=list)
    voiced: bool = False  # use the real (cached) narration, so times match a render


class _CheckState:
    active: Usage | None = None


CHECK = _CheckState()
# set by render.py's worker: called as progress(beat_index, beat_count, beat_id)
PROGRESS: Callable[[int, int, str], None] | None = None


def _caller() -> str:
    """``file:line`` of the scene code that called into this module."""
    here = Path(__file__).resolve()
    frame = sys._getframe(1)
    while frame is not None:
        path = Path(frame.f_code.co_filename)
        if path.resolve() != here and "contextlib" not in path.name and path.suffix == ".py":
            if "site-packages" not in str(path):
                return f"{_rel(path)}:{frame.f_lineno}"
        frame = frame.f_back
    return "?"


def _rel(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


# --------------------------------------------------------------------------- tracker


class BeatTracker(VoiceoverTracker):
    """Timing of one beat, measured from the moment the beat starts.

    Attributes a scene uses: ``duration`` (seconds of narration),
    ``time_until(mark)``, ``wait_until(mark)``, ``span(a, b)``, ``remaining`` and
    ``until(mark)`` (a run time that lands an animation on a bookmark).
    """

    def __init__(self, scene: NarratedScene, beat: Beat, audio: BeatAudio | None, where: str):
        self.scene = scene
        self.beat = beat
        self.where = where
        self.start_t = float(scene.renderer.time)
        if audio is None:  # silent stand-in (check mode)
            self.duration = max(len(beat.spoken_words) / CHECK_WORDS_PER_SECOND, 0.5)
            step = self.duration / max(len(beat.spoken_words), 1)
            marks = {m: min(i * step, self.duration) for m, i in beat.bookmarks.items()}
        else:
            self.duration = audio.duration
            marks = {m: audio.mark_time(m) for m in beat.bookmarks}
        self.end_t = self.start_t + self.duration
        self.bookmark_times = {m: self.start_t + float(t) for m, t in marks.items()}
        self.data = {"input_text": beat.spoken}

    def _mark(self, mark: str) -> float | None:
        if mark in self.bookmark_times:
            if CHECK.active is not None:
                CHECK.active.beats.append((f"{self.beat.id}@{mark}", _caller()))
            return self.bookmark_times[mark]
        message = (
            f"{_caller()}: beat '{self.beat.id}' has no bookmark '{{@{mark}}}'; add it to "
            f"{_rel(self.scene.chapter.path)} near line {self.beat.line} or fix the name"
        )
        if CHECK.active is not None:
            CHECK.active.problems.append(message)
            return None
        raise UserError(message)

    @property
    def now(self) -> float:
        return float(self.scene.renderer.time)

    def time_until(self, mark: str) -> float:
        """Seconds from now until ``mark`` is spoken (0 if already past)."""
        at = self._mark(mark)
        return 0.0 if at is None else max(at - self.now, 0.0)

    def wait_until(self, mark: str) -> None:
        """Hold until ``mark`` is spoken."""
        self.scene.safe_wait(self.time_until(mark))

    def span(self, start: str | None = None, end: str | None = None) -> float:
        """Seconds from bookmark ``start`` (or now) to bookmark ``end`` (or the beat's end)."""
        a = self.now if start is None else self._mark(start)
        b = self.end_t if end is None else self._mark(end)
        if a is None or b is None:
            return 1.0
        return max(b - a, 1 / config.frame_rate)

    @property
    def remaining(self) -> float:
        return max(self.end_t - self.now, 0.0)

    def until(self, mark: str | None = None) -> float:
        """A run time for ``play`` that ends as ``mark`` (or the beat's end) is spoken.

        Never less than one frame, which Manim needs even when the moment has passed.
        """
        left = self.remaining if mark is None else self.time_until(mark)
        return max(left, 1 / config.frame_rate)

    def time_until_bookmark(
        self, mark: str, buff: float = 0.0, limit: float | None = None
    ) -> float:
        result = self.time_until(mark) + buff
        return result if limit is None else min(limit, result)


# --------------------------------------------------------------------------- scene


class NarratedScene(VoiceoverScene, MovingCameraScene):
    """A chapter: loads its script in ``setup()`` and narrates by beat id.

    It is a ``MovingCameraScene``: ``self.camera.frame.animate`` zooms and pans.
    """

    chapter_number: int | None = None  # default: from the file name, e.g. 03_tokenizer.py -> 3
    beat_gap: float = BEAT_GAP

    # ---- locating the chapter

    @classmethod
    def scene_file(cls) -> Path:
        return Path(inspect.getfile(cls)).resolve()

    @classmethod
    def project_root(cls) -> Path:
        return cls.scene_file().parent.parent

    @classmethod
    def script_path(cls) -> Path:
        number = cls.chapter_number
        if number is None:
            prefix = cls.scene_file().name[:2]
            if not prefix.isdigit():
                raise UserError(
                    f"{_rel(cls.scene_file())}: name the scene file NN_name.py "
                    "or set chapter_number on the scene class"
                )
            number = int(prefix)
        for path in discover(cls.project_root() / "script"):
            if int(path.name[:2]) == number:
                return path
        raise UserError(
            f"{_rel(cls.scene_file())}: no script/{number:02d}-*.md for this scene; create it"
        )

    @classmethod
    def load_chapter(cls) -> Chapter:
        script = cls.script_path()
        return parse_chapter(script, load_lexicon(script.parent / "lexicon.md"))

    # ---- manim hooks

    def setup(self) -> None:
        super().setup()
        self.chapter = self.load_chapter()
        self.settings = settings_module.load(self.project_root() / "pyproject.toml")
        self.checking = CHECK.active is not None
        self.builds_own_track = os.environ.get("EXPLAINER_PIPELINE") == "1"
        self.narrator: Narrator | None = None
        if not self.checking or CHECK.active.voiced:
            self.narrator = Narrator(
                make_voice(self.settings), self.project_root() / "audio" / "cache"
            )
        # Manim's partial-movie cache advances its clock by unrounded run times when it
        # skips an animation; rendering every frame keeps beat times frame-exact.
        config.disable_caching = True
        self.current_tracker = None
        self.beat_log: list[dict[str, object]] = []
        self._beat_index = 0
        self._beat_id = "(before the first beat)"
        self._allowed_overlaps: list[tuple] = []
        self._persistent: list = []  # mobjects meant to stay on screen (the audit's leftovers skip them)
        self._sparse_beats: dict[str, str] = {}  # beat id -> why its picture may be small
        self._play_where = "?"

    def allow_overlap(self, a, b) -> None:
        """Declare that texts ``a`` and ``b`` overlap on purpose (the layout audit skips them)."""
        self._allowed_overlaps.append((a, b))

    def keep(self, *mobjects) -> None:
        """Declare mobjects that stay on screen on purpose across beats (e.g. the pipeline bar).

        The audit's leftover and frame-use checks ignore them.
        """
        self._persistent.extend(mobjects)

    def allow_small_picture(self, why: str) -> None:
        """Declare that the current beat's picture may use less than 60 % of the frame."""
        self._sparse_beats[self._beat_id] = why

    def play(self, *args, **kwargs) -> None:
        self._play_where = _caller()
        super().play(*args, **kwargs)
        from . import audit

        if audit.ACTIVE.state is not None:
            audit.inspect(self, self._beat_id)

    def add_mobjects_from_animations(self, animations) -> None:
        """Add what an animation moves but the screen lacks, leaf by leaf.

        Manim adds an ``AnimationGroup``'s wrapper ``Group`` as a new top-level mobject,
        which splits every parent of the animated parts out of the scene (animating the
        blocks of a ``ModelStack`` would leave the stack itself off screen and stop its
        updaters). Adding only the leaves that are missing keeps parents whole.
        """
        from manim import AnimationGroup

        on_screen = {id(m) for m in self.get_mobject_family_members()}

        def visit(animation) -> None:
            if animation.is_introducer():
                return
            if isinstance(animation, AnimationGroup):
                for sub in animation.animations:
                    visit(sub)
                return
            mob = animation.mobject
            if mob is not None and id(mob) not in on_screen:
                self.add(mob)
                on_screen.update(id(m) for m in mob.get_family())

        for animation in animations:
            visit(animation)

    def play_internal(self, skip_rendering: bool = False) -> None:
        # The audit samples the screen inside each animation (cross-fades, morphs), not
        # only after it; a render never takes this branch.
        from . import audit

        if audit.ACTIVE.state is not None and self.animations:
            audit.inspect_inside(self, self._beat_id, self._play_where)
        super().play_internal(skip_rendering)

    @contextmanager
    def beat(self, beat_id: str) -> Iterator[BeatTracker]:
        """Narrate beat ``beat_id`` of this chapter's script while the block animates."""
        where = _caller()
        try:
            beat = self.chapter.beat(beat_id)
        except KeyError:
            message = (
                f"{where}: beat '{beat_id}' is not in {_rel(self.chapter.path)}; "
                "add a '## " + beat_id + "' section there or fix the id"
            )
            if CHECK.active is None:
                raise UserError(message) from None
            CHECK.active.problems.append(message)
            beat = Beat(beat_id, 0, beat_id, beat_id, [], {})
        if CHECK.active is not None:
            CHECK.active.beats.append((beat_id, where))
        if PROGRESS is not None:
            PROGRESS(self._beat_index, len(self.chapter.beats), beat_id)
        self._beat_index += 1
        self._beat_id = beat_id
        from . import audit

        if audit.ACTIVE.state is not None:
            audit.beat_started(self, beat_id, where)
        audio = self.narrator.speak(beat) if self.narrator and beat.words else None
        tracker = BeatTracker(self, beat, audio, where)
        self.current_tracker = tracker
        if audio is not None and not self.builds_own_track:
            self.add_sound(str(audio.path))
        self.beat_log.append(
            {
                "id": beat_id,
                "start": tracker.start_t,
                "duration": tracker.duration,
                "audio": str(audio.path) if audio else None,
            }
        )
        try:
            yield tracker
        except UserError:
            raise
        except Exception as error:
            raise UserError(
                f"{where}: chapter {self.chapter.key}, beat '{beat_id}' failed: "
                f"{type(error).__name__}: {error}"
            ) from error
        self.safe_wait(tracker.remaining + self.beat_gap)
        self.current_tracker = None
        if audit.ACTIVE.state is not None:
            audit.beat_ended(self, beat_id)
