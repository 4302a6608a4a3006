"""The base scene every chapter builds on: narration by beat id, timing from the voice.

A chapter scene never holds narration. It names beats of its script and times
its animations from them::

    class Introduction(NarratedScene):
        def construct(self):
            with self.beat("hook") as beat:
                self.play(Write(title), run_time=beat.time_until("chat"))
                beat.wait_until("chat")
                self.play(FadeIn(bubble))

When the ``with`` block ends the scene waits for the narration to finish plus a
short pause.

How a scene runs is one :class:`RunMode` object handed to it
(``SceneClass(mode=...)``); the scene asks it for its chapter and narrator, tells it
what it uses and what goes wrong, and calls its hook points, which observers
(:class:`SceneHooks`: the layout audit, the pipeline's progress) register on:

* ``RunMode()``, plain Manim (``manim -pql scenes/01_intro.py``) and the null
  object: finds ``script/01-*.md`` from the scene's file name, reads the settings,
  voices beats through the cached narrator, adds them with ``add_sound`` so the
  preview has sound, raises on a script mistake, and has no hooks;
* ``RunMode(chapter, narrator, add_sound=False)``, ``render.py``: the chapter and
  narrator come from the pipeline, already parsed and voiced; the pipeline builds the
  narration track from the recorded beat starts (``self.beat_log``);
* ``check.CheckMode``, ``render.py check`` and ``audit``: a dry run that records
  which beats and bookmarks the scene uses and what is missing, with a silent
  stand-in voice (``check``) or the cached narration (``audit``).
"""

from __future__ import annotations

import inspect
import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from manim import MovingCameraScene, config
from manim_voiceover import VoiceoverScene
from manim_voiceover.tracker import VoiceoverTracker

from . import settings as settings_module
from . import speed
from .errors import UserError, display
from .narration import BeatAudio, Narrator
from .script import (
    Beat,
    Chapter,
    discover,
    load_lexicon,
    missing_mark_message,
    parse_chapter,
    unknown_beat_message,
)
from .segments import (
    BeatPlays,
    ChainRecorder,
    CodeTrail,
    SegmentCache,
    StalePlay,
    chain_tail,
    picture_digest,
    read_chain,
    set_clock,
    snap_clock,
    stand_in,
)
from .voices import make_voice


def _steady_numbers() -> None:
    """Make ``DecimalNumber.set_value`` cheap when the digits shown do not change.

    Manim rebuilds a number's glyphs (deep copies of cached glyph mobjects) on every
    ``set_value``; a counter driven by an updater calls it every frame, digits changed
    or not. In chapter 2 that was a quarter of the render time. A call that would show
    the same string now only stores the new value (``get_value`` returns it).
    """
    from manim import DecimalNumber

    original = DecimalNumber.set_value
    if getattr(original, "steady", False):
        return

    def set_value(self, number):
        if self.submobjects and self._get_num_string(number) == self._get_num_string(self.number):
            self.number = number
            return self
        return original(self, number)

    set_value.steady = True
    set_value.__doc__ = original.__doc__
    DecimalNumber.set_value = set_value


_steady_numbers()

BEAT_GAP = 0.35  # seconds of quiet between one beat's last word and the next beat
SILENT_WORDS_PER_SECOND = 2.7  # the silent stand-in voice's pace (check mode)


def _caller() -> str:
    """``file:line`` of the scene code that called into this module."""
    here = Path(__file__).resolve()
    frame = sys._getframe(1)
    while frame is not None:
        path = Path(frame.f_code.co_filename)
        if path.resolve() != here and "contextlib" not in path.name and path.suffix == ".py":
            if "site-packages" not in str(path):
                return f"{display(path)}:{frame.f_lineno}"
        frame = frame.f_back
    return "?"


# --------------------------------------------------------------------------- run modes


class SceneHooks:
    """An observer of a running scene, added with :meth:`RunMode.register`.

    Every method does nothing here; a hook overrides the ones it needs. The layout
    audit implements four, the pipeline its progress (``beat_started``) and its narration
    track (``beat_timed``).
    """

    def beat_started(self, scene: NarratedScene, beat_id: str, where: str) -> None:
        """A beat begins (``where``: the scene line of its ``with self.beat(...)``)."""

    def beat_timed(self, scene: NarratedScene, entry: dict) -> None:
        """A beat's start and narration are known (``entry`` as in ``scene.beat_log``)."""

    def inspect_inside(self, scene: NarratedScene, beat_id: str, where: str) -> None:
        """Animations are about to play (``scene.animations``) from scene line ``where``."""

    def inspect(self, scene: NarratedScene, beat_id: str) -> None:
        """A ``play`` or ``wait`` has finished."""

    def beat_ended(self, scene: NarratedScene, beat_id: str) -> None:
        """A beat's narration and pause are over."""


class RunMode:
    """How a :class:`NarratedScene` runs; this class is plain Manim, the null object.

    ``chapter`` and ``narrator`` are what the pipeline hands over; when they are
    missing (plain ``manim``), :meth:`prepare` reads the scene's script and the
    project's settings itself. ``add_sound``: whether beats are added with Manim's
    ``add_sound`` (plain Manim) or left to the pipeline's own narration track.
    ``segments``: a :class:`~explainer.segments.SegmentCache`; beats found in it are
    not drawn again (a render only).
    """

    def __init__(
        self,
        chapter: Chapter | None = None,
        narrator: Narrator | None = None,
        *,
        add_sound: bool = True,
        segments: SegmentCache | None = None,
    ) -> None:
        self.chapter = chapter
        self.narrator = narrator
        self.add_sound = add_sound
        self.segments = segments  # the pipeline's beat segment cache (see segments.py)
        self.hooks: list[SceneHooks] = []

    def register(self, hooks: SceneHooks) -> None:
        """Add an observer; the scene's hook points call it from now on."""
        self.hooks.append(hooks)

    def prepare(self, scene_cls: type[NarratedScene]) -> tuple[Chapter, Narrator | None]:
        """The scene's chapter and narrator (``None``: a silent stand-in voice)."""
        if self.chapter is None:
            self.chapter = scene_cls.load_chapter()
        if self.narrator is None:
            root = scene_cls.project_root()
            settings = settings_module.load(root / "pyproject.toml")
            self.narrator = Narrator(make_voice(settings), root / "audio" / "cache")
        return self.chapter, self.narrator

    def problem(self, message: str) -> None:
        """A scene/script mismatch (unknown bookmark): one line, fatal except in a check."""
        raise UserError(message)

    def unknown_beat(self, beat_id: str, message: str) -> Beat:
        """The scene asks for a beat its script lacks; a check goes on with a stand-in."""
        raise UserError(message)

    def used(self, name: str, where: str) -> None:
        """The scene used beat ``name`` (or ``beat@mark``) at ``where``; a check records it."""

    def missing_mark(self, chapter: Chapter, beat: Beat, mark: str, where: str) -> None:
        """The scene asks for a bookmark its beat lacks: a :meth:`problem`."""
        self.problem(missing_mark_message(chapter, beat, mark, where))

    # ---- hook points, called by the scene; each calls every registered hook

    def beat_started(self, scene: NarratedScene, beat_id: str, where: str) -> None:
        for hooks in self.hooks:
            hooks.beat_started(scene, beat_id, where)

    def beat_timed(self, scene: NarratedScene, entry: dict) -> None:
        for hooks in self.hooks:
            hooks.beat_timed(scene, entry)

    def inspect_inside(self, scene: NarratedScene, beat_id: str, where: str) -> None:
        for hooks in self.hooks:
            hooks.inspect_inside(scene, beat_id, where)

    def inspect(self, scene: NarratedScene, beat_id: str) -> None:
        for hooks in self.hooks:
            hooks.inspect(scene, beat_id)

    def beat_ended(self, scene: NarratedScene, beat_id: str) -> None:
        for hooks in self.hooks:
            hooks.beat_ended(scene, beat_id)


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
        if audio is None:  # silent stand-in (a check without narration)
            self.duration = max(len(beat.spoken_words) / SILENT_WORDS_PER_SECOND, 0.5)
            step = self.duration / max(len(beat.spoken_words), 1)
            marks = {m: min(i * step, self.duration) for m, i in beat.bookmarks.items()}
        else:
            self.duration = audio.duration
            marks = {m: audio.mark_time(m) for m in beat.bookmarks}
        self.end_t = self.start_t + self.duration
        self.bookmark_times = {m: self.start_t + float(t) for m, t in marks.items()}
        self.data = {"input_text": beat.spoken}

    def _mark(self, mark: str) -> float | None:
        """Scene time of ``mark``; ``None`` when the beat lacks it (a check carries on)."""
        mode = self.scene.mode
        if mark in self.bookmark_times:
            mode.used(f"{self.beat.id}@{mark}", _caller())
            return self.bookmark_times[mark]
        mode.missing_mark(self.scene.chapter, self.beat, mark, _caller())
        return None

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
    """A chapter: narrates its script by beat id, run as its :class:`RunMode` says.

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
                    f"{display(cls.scene_file())}: name the scene file NN_name.py "
                    "or set chapter_number on the scene class"
                )
            number = int(prefix)
        for path in discover(cls.project_root() / "script"):
            if int(path.name[:2]) == number:
                return path
        raise UserError(
            f"{display(cls.scene_file())}: no script/{number:02d}-*.md for this scene; create it"
        )

    @classmethod
    def load_chapter(cls) -> Chapter:
        script = cls.script_path()
        return parse_chapter(script, load_lexicon(script.parent / "lexicon.md"))

    # ---- manim hooks

    def __init__(self, mode: RunMode | None = None, **kwargs) -> None:
        self.mode = mode or RunMode()
        super().__init__(**kwargs)

    def setup(self) -> None:
        super().setup()
        speed.install()  # the same copies as Manim's, without copying what never changes
        speed.skip_drawing_while_skipping(self.renderer)  # nothing drawn that is not written
        if any(type(h).inspect_inside is not SceneHooks.inspect_inside for h in self.mode.hooks):
            speed.copy_starts_always(self)  # an observer plays animations to points between ends
        self.chapter, self.narrator = self.mode.prepare(type(self))
        # Manim's partial-movie cache advances its clock by unrounded run times when it
        # skips an animation; rendering every frame keeps beat times frame-exact.
        config.disable_caching = True
        self.current_tracker = None
        self.beat_log: list[dict[str, object]] = []
        self._beat_id = "(before the first beat)"
        self._allowed_overlaps: list[tuple] = []
        self._persistent: list = []  # mobjects meant to stay on screen (the audit's leftovers skip them)
        self._sparse_beats: dict[str, str] = {}  # beat id -> why its picture may be small
        self._play_where = "?"
        self._trail = None
        self._plays: BeatPlays | None = None  # a drawn beat's plays, each looked up (segments.py)
        self._chain: ChainRecorder | None = None
        self._last_chain: dict | None = None
        self._position = 0  # beats started so far
        if self.mode.segments is not None:
            self._trail = CodeTrail(self)
            self._trail.watch(self)
            self._chain = ChainRecorder()
            self._last_chain = read_chain(self.mode.segments)
            self.mode.segments.forget_chain()  # written again when this render ends well

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
        if self._chain is not None and self.current_tracker is None:
            self._chain.outside += 1  # a play outside any beat (see ChainRecorder)
        super().play(*args, **kwargs)  # ``wait`` plays a Wait, so it passes here too
        if self._plays is not None:
            self._plays.after()
        snap_clock(self.renderer)
        self.mode.inspect(self, self._beat_id)

    def compile_animation_data(self, *args, **kwargs):
        result = super().compile_animation_data(*args, **kwargs)
        if self._plays is not None:  # the play is known and nothing is drawn yet
            self._plays.before()
        return result

    def get_moving_mobjects(self, *animations):
        """What Manim redraws every frame; the rest is drawn once per ``play``.

        Manim counts every mobject with an updater as moving, and with it every mobject
        after it in the scene. A mobject pinned to the camera (``pinned_to_camera``: the
        pipeline bar, which follows zooms) would make nearly the whole picture move on
        every frame of every chapter. It is taken out of that count and added back on
        its own: it is still redrawn each frame, on top as its z-index says, but the
        picture behind it is drawn once. (When the camera itself moves,
        ``MovingCameraScene`` redraws everything anyway.)
        """
        pinned = [m for m in self.mobjects if getattr(m, "pinned_to_camera", False)]
        kept = [(m, m.updaters) for m in pinned]
        for mob in pinned:
            mob.updaters = []
        try:
            moving = super().get_moving_mobjects(*animations)
        finally:
            for mob, updaters in kept:
                mob.updaters = updaters
        listed = {id(m) for m in moving}
        return moving + [m for m in pinned if id(m) not in listed]

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
        # the audit samples the screen inside each animation (cross-fades, morphs), not
        # only after it; without hooks (a render) this costs one empty loop
        if self.animations:
            self.mode.inspect_inside(self, self._beat_id, self._play_where)
        super().play_internal(skip_rendering)

    @contextmanager
    def beat(self, beat_id: str) -> Iterator[BeatTracker]:
        """Narrate beat ``beat_id`` of this chapter's script while the block animates."""
        where = _caller()
        if self.current_tracker is not None:  # two beats' narration would overlap
            raise UserError(
                f"{where}: beat '{beat_id}' starts inside beat "
                f"'{self.current_tracker.beat.id}'; end that beat's `with` block first"
            )
        try:
            beat = self.chapter.beat(beat_id)
        except KeyError:
            beat = self.mode.unknown_beat(
                beat_id, unknown_beat_message(self.chapter, beat_id, where)
            )
        tracker, audio = self._start_beat(beat, beat_id, where)
        self.current_tracker = tracker
        segment = self._segment_start(tracker, audio)
        try:
            yield tracker
        except (UserError, StalePlay):
            raise
        except Exception as error:
            raise UserError(
                f"{where}: chapter {self.chapter.key}, beat '{beat_id}' failed: "
                f"{type(error).__name__}: {error}"
            ) from error
        self.safe_wait(tracker.remaining + self.beat_gap)
        self._segment_end(tracker, segment)
        self.current_tracker = None
        self.mode.beat_ended(self, beat_id)

    def _start_beat(self, beat: Beat, beat_id: str, where: str):
        """Voice beat ``beat`` from now: the hooks told, its tracker made, its entry
        logged. Returns the tracker and the audio (``None`` for a silent beat)."""
        self.mode.used(beat_id, where)
        self._beat_id = beat_id
        self.mode.beat_started(self, beat_id, where)
        audio = self.narrator.speak(beat) if self.narrator and beat.words else None
        tracker = BeatTracker(self, beat, audio, where)
        if audio is not None and self.mode.add_sound:
            self.add_sound(str(audio.path))
        self.beat_log.append(
            {
                "id": beat_id,
                "start": tracker.start_t,
                "duration": tracker.duration,
                "audio": str(audio.path) if audio else None,
            }
        )
        self.mode.beat_timed(self, dict(self.beat_log[-1]))
        return tracker, audio

    # ---- beat segments (render only): see segments.py

    def _segment_start(self, tracker: BeatTracker, audio: BeatAudio | None):
        """Look the beat up in the segment cache; on a hit, stop drawing until it ends."""
        cache = self.mode.segments
        if cache is None:
            return None
        writer = self.renderer.file_writer
        timing = {
            "duration": round(tracker.duration, 6),
            "marks": {m: round(t - tracker.start_t, 6) for m, t in tracker.bookmark_times.items()},
            "gap": self.beat_gap,
            "voiced": audio is not None,
        }
        frame = (config.pixel_width, config.pixel_height, config.frame_rate)
        key = cache.key(self._trail.digest(), picture_digest(self), timing, frame)
        position, self._position = self._position, self._position + 1
        self._chain.beat(tracker.beat.id, key, self._voice(tracker.beat, audio), tracker.where)
        if self._last_chain is not None:
            tail = chain_tail(self._last_chain, self._trail, position, key, self._voice_now)
            if tail is not None:
                self._take_chain(tail, tracker)  # ends the scene if every segment is there
        cached = cache.lookup(key)
        if cached is not None:
            self.renderer._original_skipping_status = True
        elif cache.plays:
            self._plays = BeatPlays(cache, self, tracker.beat.id, list(frame))
        print(  # into the chapter's log (render.py keeps stdout for its own events)
            f"segment {tracker.beat.id}: {'reused' if cached else 'drawn'} {key}",
            file=sys.stderr,
        )
        return key, cached, len(writer.partial_movie_files)

    def _voice(self, beat: Beat, audio: BeatAudio | None) -> dict:
        """What a beat's narration gives its timing: the audio, its length, its marks."""
        if audio is None:
            voice = {"audio": None, "words": len(beat.spoken_words), "marks": beat.bookmarks}
        else:
            marks = {m: audio.mark_time(m) for m in beat.bookmarks}
            # the file's name (content-addressed), not its path: a Dask worker's differs
            voice = {"audio": audio.path.name, "duration": audio.duration, "marks": marks}
        voice["gap"] = self.beat_gap
        return json.loads(json.dumps(voice, default=str))  # as the chain file reads back

    def _voice_now(self, beat_id: str) -> dict | None:
        try:
            beat = self.chapter.beat(beat_id)
        except KeyError:
            return None
        if not self.narrator or not beat.words:
            return self._voice(beat, None)
        if not self.narrator.ready(beat):
            return None  # still being voiced, so edited: it cannot be as last rendered
        return self._voice(beat, self.narrator.speak(beat))

    def _take_chain(self, tail: list[dict], tracker: BeatTracker) -> None:
        """Put the last render's segments from this beat on in place and end the scene.

        Returns (and the scene runs on as usual) if one of them is missing or damaged.
        """
        from manim.utils.exceptions import EndSceneEarlyException

        cache = self.mode.segments
        found = [cache.lookup(entry["key"]) for entry in tail]
        if any(s is None or s.frames != e["frames"] for s, e in zip(found, tail, strict=True)):
            return
        writer = self.renderer.file_writer
        start = tracker.start_t
        for index, (entry, segment) in enumerate(zip(tail, found, strict=True)):
            beat_id, where = entry["id"], entry["where"]
            if index:  # the first is the beat already started; the rest start here
                later, _ = self._start_beat(self.chapter.beat(beat_id), beat_id, where)
                start = later.start_t
                self._chain.beat(beat_id, entry["key"], entry["voice"], where)
            writer.partial_movie_files.append(str(segment.path))
            writer.sections[-1].partial_movie_files.append(str(segment.path))
            set_clock(self.renderer, start, segment.frames)
            self.mode.beat_ended(self, beat_id)
        print(f"segments from {tail[0]['id']} on: as last rendered", file=sys.stderr)
        self._chain.ran = list(self._last_chain["methods"])
        self.current_tracker = None
        # Manim joins the partial movies only if it counted a play (the chain may be
        # taken at the first beat, before any)
        self.renderer.num_plays += len(tail)
        raise EndSceneEarlyException()

    def tear_down(self) -> None:
        super().tear_down()
        if self._chain is not None:  # the construct ended (or was ended) without an error
            self._chain.write(self.mode.segments, self._trail, self.mode.segments.frames)

    def _segment_end(self, tracker: BeatTracker, segment) -> None:
        """Put a cached segment in place of the beat's plays, or store the one just drawn."""
        if segment is None:
            return
        key, cached, first = segment
        writer = self.renderer.file_writer
        fps = config.frame_rate
        if cached is not None:
            self.renderer._original_skipping_status = False
            self.renderer.skip_animations = False
            # the clock where a drawn beat would have left it: whole frames
            set_clock(self.renderer, tracker.start_t, cached.frames)
            # the beat's skipped plays left placeholders; the first one takes the segment
            stand_in(writer, first, cached.path, f"beat segment {key}")
            return
        writer.join_all_encode_jobs()  # the beat's partial movies are complete on disk
        plays: list[str] = []
        if self._plays is not None:
            self._plays.store()
            plays, self._plays = self._plays.keys, None
        parts = [Path(f) for f in writer.partial_movie_files[first:] if f is not None]
        frames = round((self.renderer.time - tracker.start_t) * fps)
        if parts:
            self.mode.segments.store(key, parts, frames, writer.combine_files, plays)
