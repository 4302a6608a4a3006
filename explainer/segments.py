"""Beat segments: a chapter's video cut at its beats, so an edit re-renders only what changed.

A one-word edit to a beat changes that beat's narration length and nothing else on
screen: the beats before and after draw exactly the same frames, only shifted in
time. So a render keeps, per beat, the video it drew (one MP4 made by joining that
beat's partial movie files) under a key of everything those frames depend on:

* the **code that has run** up to and including the beat: the shared scene modules
  and the pipeline's own scene code, the chapter module with its scene methods cut
  out, and the source of each scene method that has been called so far (an edit to
  a method that runs later cannot change this beat);
* the **picture at the beat's start**: every mobject on screen and the camera frame
  (points, colours, stroke widths, z-order, images);
* the **beat's timing**: narration length and bookmark times, measured from the
  beat's start, and the pause after it.

On the next render a beat whose key is in the cache is not drawn: Manim runs it
with ``skip_animations`` (every animation jumps to its end state, so the scene's
state is the same as after drawing it), the clock is set to the cached segment's
exact frame count, and the cached MP4 stands in for the beat's partial movies when
Manim joins them (stream copy). Manim's clock advances by whole frames when it
draws, so a cached segment always ends on the frame a full render would.

Two finer and one coarser reuse sit on top (each below with its reasons): inside a
beat that is drawn, each play that did not change is taken from the last render
(:class:`BeatPlays`); and when a beat starts as it did last time with everything
after it unchanged, the rest of the chapter is the last render's segments, without
running the scene's code for it (:class:`ChainRecorder`).

Segments live in ``build/<quality>/segments/<chapter>/``: ``<key>.mp4`` and
``<key>.json`` (frames and the MP4's SHA-256; a play's also the picture it ended on,
a beat's the keys of its plays), both written under a temporary name and renamed,
the JSON last, and ``chain.json``; a segment whose file is missing or does not match
its checksum is a miss and is drawn again. After a chapter renders, segments it did
not use are deleted.
"""

from __future__ import annotations

import ast
import hashlib
import inspect
import json
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np


@dataclass(frozen=True)
class Segment:
    key: str
    path: Path
    frames: int
    end: str | None = None  # a play's picture when it ends (plays only)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


class SegmentCache:
    """The beat segments of one chapter at one quality (a folder)."""

    def __init__(self, folder: Path, base: str = "") -> None:
        self.folder = folder
        self.base = base  # what every key shares: code outside the chapter, quality
        self.used: set[str] = set()
        self.hits = 0
        self.misses = 0
        self.plays = True  # inside a drawn beat, reuse the plays that did not change
        self.play_hits = 0
        self.play_misses = 0
        self.frames: dict[str, int] = {}  # beat segments used by this render: key -> frames

    def key(self, *parts: object) -> str:
        digest = hashlib.sha256(self.base.encode())
        for part in parts:
            digest.update(b"\0")
            digest.update(json.dumps(part, sort_keys=True, default=str).encode())
        return digest.hexdigest()[:32]

    def lookup(self, key: str) -> Segment | None:
        """The cached segment for ``key``, or ``None`` (missing, or failing its checksum)."""
        meta_path = self.folder / f"{key}.json"
        video = self.folder / f"{key}.mp4"
        try:
            meta = json.loads(meta_path.read_text("utf-8"))
            if not video.exists() or video.stat().st_size != meta["size"]:
                return None
            if _sha256(video) != meta["sha256"]:
                return None
            segment = Segment(key, video, int(meta["frames"]), meta.get("end"))
            plays = [str(k) for k in meta.get("plays", [])]
        except (OSError, ValueError, KeyError, TypeError):
            return None
        self.used.add(key)
        self.used.update(plays)  # a reused beat keeps its plays for a later edit to it
        if segment.end is None:
            self.hits += 1
            self.frames[key] = segment.frames
        else:
            self.play_hits += 1
        return segment

    def store(
        self, key: str, parts: list[Path], frames: int, join, plays: list[str] = ()
    ) -> Segment:
        """Join ``parts`` (the beat's partial movies) into the segment for ``key``.

        ``join(parts, out)`` writes one MP4 (Manim's own stream-copy join). ``plays``:
        the keys of the beat's plays, kept as long as the beat is.
        """
        self.folder.mkdir(parents=True, exist_ok=True)
        video = self.folder / f"{key}.mp4"
        tmp = self.folder / f"{key}.part.mp4"
        join([str(p) for p in parts], tmp)
        os.replace(tmp, video)
        self._write_meta(key, video, {"frames": frames, "plays": list(plays)})
        self.misses += 1
        self.frames[key] = frames
        return Segment(key, video, frames)

    def store_play(self, key: str, movie: Path, frames: int, end: str) -> Segment:
        """Keep one play's partial movie (moved, not copied: Manim writes its partial
        movies afresh each render, so a link would be overwritten) for ``key``."""
        self.folder.mkdir(parents=True, exist_ok=True)
        video = self.folder / f"{key}.mp4"
        os.replace(movie, video)
        self._write_meta(key, video, {"frames": frames, "end": end})
        self.play_misses += 1
        return Segment(key, video, frames, end)

    def forget_chain(self) -> None:
        (self.folder / CHAIN).unlink(missing_ok=True)

    def forget(self, key: str) -> None:
        """Delete the entry for ``key`` (a play that did not end where it did before)."""
        for suffix in (".json", ".mp4"):
            (self.folder / f"{key}{suffix}").unlink(missing_ok=True)
        self.used.discard(key)

    def _write_meta(self, key: str, video: Path, meta: dict) -> None:
        # the JSON last, under a temporary name: an entry without it is a miss
        meta = {**meta, "size": video.stat().st_size, "sha256": _sha256(video)}
        meta_tmp = self.folder / f"{key}.json.part"
        meta_tmp.write_text(json.dumps(meta), "utf-8")
        os.replace(meta_tmp, self.folder / f"{key}.json")
        self.used.add(key)

    def prune(self) -> int:
        """Delete every segment (and leftover temporary file) this render did not use."""
        removed = 0
        if not self.folder.is_dir():
            return 0
        for path in self.folder.iterdir():
            key = path.name.split(".", 1)[0]
            if path.name == CHAIN:
                continue
            if key not in self.used or ".part" in path.name:
                path.unlink(missing_ok=True)
                removed += 1
        return removed


CHAIN = "chain.json"  # the last render's beats in order (see :class:`ChainRecorder`)


class ChainRecorder:
    """What a render did, beat by beat, for the next render's shortcut.

    The next render reaches some beat with the same key as this one did (the same code
    so far, the same picture, the same timing): if every later beat also has the
    narration it had here, every method that ran here is unchanged, and no play ran
    outside a beat from there on, then everything from that beat on is what this
    render drew, frame for frame: its segments are put in place in order without
    running the rest of the scene at all (a one-word edit in the first beat then costs
    that beat, not a skip-run of every beat after it).
    """

    def __init__(self) -> None:
        self.beats: list[dict] = []  # id, key, voice, where, frames
        self.ran: list[str] = []
        self.outside = 0  # plays outside any beat so far

    def beat(self, beat_id: str, key: str, voice: dict, where: str) -> None:
        self.beats.append(
            {"id": beat_id, "key": key, "voice": voice, "where": where, "outside": self.outside}
        )

    def write(self, cache: SegmentCache, trail: CodeTrail, frames: dict[str, int]) -> None:
        """Write the chain (the JSON under a temporary name, then renamed)."""
        ran = sorted(set(self.ran) | set(trail.ran))
        beats = []
        for beat in self.beats:
            if beat["key"] not in frames:
                return  # a beat without a segment (nothing drawn): no chain this time
            # plays outside beats after this beat started: the shortcut cannot skip them
            beats.append(
                {**beat, "frames": frames[beat["key"]], "outside": self.outside - beat["outside"]}
            )
        chain = {"methods": ran, "code": trail.digest(ran), "beats": beats}
        cache.folder.mkdir(parents=True, exist_ok=True)
        tmp = cache.folder / f"{CHAIN}.part"
        tmp.write_text(json.dumps(chain), "utf-8")
        os.replace(tmp, cache.folder / CHAIN)


def read_chain(cache: SegmentCache) -> dict | None:
    try:
        chain = json.loads((cache.folder / CHAIN).read_text("utf-8"))
        if not isinstance(chain.get("beats"), list):
            return None
        return chain
    except (OSError, ValueError, AttributeError):
        return None


def chain_tail(chain: dict, trail: CodeTrail, position: int, key: str, voice_of) -> list | None:
    """The last render's beats from ``position`` on, if this render would draw exactly them.

    ``key``: the key of this render's beat at ``position``; ``voice_of(beat_id)``: that
    beat's narration now (its ``voice`` signature), compared with the one it had.
    """
    beats = chain["beats"]
    if position >= len(beats) or beats[position]["key"] != key:
        return None
    tail = beats[position:]
    if any(b["voice"] != voice_of(b["id"]) for b in tail[1:]):
        return None
    if tail[0]["outside"]:
        return None  # plays outside beats ran after this beat: they must run again
    if chain.get("code") is None or trail.digest(chain["methods"]) != chain["code"]:
        return None
    return tail


# --------------------------------------------------------------------------- what a beat depends on


def picture_digest(scene) -> str:
    """A hash of everything on screen: each mobject's points, colours and widths, and the camera.

    Mobjects are walked in scene order (their drawing order), families depth first.
    """
    digest = hashlib.sha256()
    tops = list(scene.mobjects)
    frame = getattr(scene.camera, "frame", None)
    if frame is not None:
        tops.append(frame)

    def exact(value) -> bytes:
        # rounded: a beat that was skipped (animations jumped to their end) and one that
        # was drawn frame by frame end on the same picture up to float noise (1e-12),
        # which must not change the next beat's key; 1e-5 units is far below a pixel
        array = np.asarray(value)
        if array.dtype.kind == "f":
            array = np.round(array, 5) + 0.0  # + 0.0: -0.0 and 0.0 hash alike
        return np.ascontiguousarray(array).tobytes()

    for top in tops:
        for mob in top.get_family():
            digest.update(type(mob).__name__.encode())
            digest.update(exact(mob.points))
            for name in ("fill_rgbas", "stroke_rgbas", "background_stroke_rgbas", "pixel_array"):
                value = getattr(mob, name, None)
                if value is not None:
                    digest.update(name.encode())
                    digest.update(exact(value))
            for name in (
                "stroke_width",
                "background_stroke_width",
                "z_index",
                "joint_type",
                "cap_style",
                "sheen_factor",
                "shade_in_3d",
            ):
                value = getattr(mob, name, None)
                if isinstance(value, float | np.floating | np.ndarray):
                    digest.update(exact(value))
                else:
                    digest.update(repr(value).encode())
        digest.update(b"|")
    return digest.hexdigest()


def reusable(scene) -> bool:
    """Whether a play's frames follow from its start, its animations and its length.

    Not when time itself drives something: a scene updater, a wait until a condition,
    or a mobject updated by ``dt``. Skipped, such a play would update once by its whole
    run time where drawing steps frame by frame, so it is drawn (and not kept)."""
    if scene.updaters or getattr(scene, "stop_condition", None) is not None:
        return False
    return not any(m.has_time_based_updater() for m in scene.get_mobject_family_members())


def snap_clock(renderer) -> None:
    """Put Manim's clock on the frame it is at: a drawn play adds 1/fps per frame, a
    reused one its frames / fps at once, and the two sums can differ in the last bit,
    enough to change how many frames the next play takes when a bookmark falls exactly
    on a frame. Snapped after every play, both paths read the same clock."""
    set_clock(renderer, renderer.time, 0)


def set_clock(renderer, start: float, frames: int) -> None:
    """Set Manim's clock ``frames`` frames after ``start``, on a whole frame: where a
    reused segment or play leaves it, as drawing it would have (see :func:`snap_clock`)."""
    from manim import config

    fps = config.frame_rate
    renderer.time = round(start * fps + frames) / fps


def stand_in(writer, index: int, movie: Path, what: str, replacing: bool = False) -> None:
    """Put ``movie`` in Manim's list of partial movies at play ``index`` (and in its
    current section's), where a skipped play left ``None`` (or, ``replacing``, where a
    drawn play's own movie was): replacing, not appending, keeps Manim's play index ->
    file alignment."""
    files = writer.partial_movie_files
    section = writer.sections[-1].partial_movie_files
    if index >= len(files) or (files[index] is not None) != replacing:
        raise RuntimeError(f"{what}: no play at {index} to stand in for")
    at = index - (len(files) - len(section))
    if at < 0:  # a section began after this play: Manim sections inside a beat
        raise RuntimeError(f"{what}: a Manim section began inside a beat; not supported")
    files[index] = str(movie)
    section[at] = str(movie)


class StalePlay(Exception):
    """A reused play ended on another picture than it did when drawn (see :class:`BeatPlays`)."""

    def __init__(self, key: str, where: str) -> None:
        super().__init__(f"play {key} at {where} ended elsewhere than when it was drawn")
        self.key = key


def animation_signature(animations) -> list:
    """What kind of animations a play runs: classes, rate functions, run times, lags."""

    def one(animation) -> list:
        rate = getattr(animation, "rate_func", None)
        return [
            type(animation).__qualname__,
            getattr(rate, "__qualname__", repr(rate)),
            round(float(getattr(animation, "run_time", 0.0)), 6),
            round(float(getattr(animation, "lag_ratio", 0.0)), 6),
            type(getattr(animation, "mobject", None)).__qualname__,
            [one(sub) for sub in getattr(animation, "animations", ())],
        ]

    return [one(animation) for animation in animations]


class BeatPlays:
    """The plays of one beat being drawn, each reused when it did not change.

    A one-word edit changes where the beat's later bookmarks fall: the waits between
    them change length, but most plays run as before, only later. While a beat whose
    segment missed is drawn, each ``play`` is looked up under a key of the code that has
    run, the picture when it starts, its place (its index in the beat and the line that
    calls it), what it runs (:func:`animation_signature`) and its run time. A hit is not
    drawn: the play runs skipped (every animation jumps to its end), the clock is set to
    the cached movie's exact frame count, and the movie stands in for the play's own.
    A drawn play's partial movie is kept under its key, with the picture it ended on.

    What the key cannot see is an animation whose path depends on the beat's timing
    but whose start does not (a target computed from a bookmark time): so a reused play
    must also end on the picture it ended on when drawn, or :class:`StalePlay` is raised
    and the chapter is rendered again without reusing plays.
    """

    def __init__(self, cache: SegmentCache, scene, beat_id: str, base: list) -> None:
        self.cache = cache
        self.scene = scene
        self.beat_id = beat_id
        self.base = base  # the frame size and rate
        self.index = 0
        self.pending: tuple | None = None
        self.drawn: list[tuple[str, int, int, str]] = []  # key, file index, frames, end
        self.keys: list[str] = []  # every play of the beat that has a movie of its own

    def before(self) -> None:
        """Called with the play's animations compiled and nothing drawn yet."""
        scene = self.scene
        renderer = scene.renderer
        self.pending = None
        if renderer.skip_animations or not reusable(scene):
            return
        key = self.cache.key(
            "play",
            scene._trail.digest(),
            picture_digest(scene),
            self.beat_id,
            self.index,
            scene._play_where,
            animation_signature(scene.animations),
            round(float(scene.duration), 6),
            self.base,
        )
        hit = self.cache.lookup(key)
        if hit is not None and hit.end is None:
            hit = None  # a beat's segment under a play's key: cannot happen; draw it
        files = renderer.file_writer.partial_movie_files
        self.pending = (key, hit, renderer.time, len(files))
        if hit is not None:
            renderer.skip_animations = True

    def after(self) -> None:
        """Called when the play has ended: put a reused movie in place, or note a drawn one."""
        self.index += 1
        if self.pending is None:
            return
        key, hit, start, index = self.pending
        self.pending = None
        scene = self.scene
        renderer = scene.renderer
        writer = renderer.file_writer
        if hit is not None:
            renderer.skip_animations = False
            set_clock(renderer, start, hit.frames)
            stand_in(writer, index, hit.path, f"play {key}")
            if picture_digest(scene) != hit.end:
                self.cache.forget(key)
                raise StalePlay(key, scene._play_where)
            self.keys.append(key)
            return
        from manim import config

        frames = round((renderer.time - start) * config.frame_rate)
        self.drawn.append((key, index, frames, picture_digest(scene)))

    def store(self) -> None:
        """Keep the drawn plays' movies (their encoding jobs joined) and point Manim at them."""
        writer = self.scene.renderer.file_writer
        files = writer.partial_movie_files
        for key, index, frames, end in self.drawn:
            movie = files[index] if index < len(files) else None
            if movie is None or not Path(movie).exists() or frames <= 0:
                continue
            kept = self.cache.store_play(key, Path(movie), frames, end)
            self.keys.append(key)
            stand_in(writer, index, kept.path, f"play {key}", replacing=True)
        self.drawn = []


class CodeTrail:
    """Which of a scene's own methods have run, and the source each had.

    :meth:`watch` wraps every method defined by the scene's classes in the chapter's
    module (on the instance) so that calling it records it; :meth:`digest` hashes the
    chapter module without those methods plus the sources of the ones that have run.
    """

    def __init__(self, scene) -> None:
        self.module_file = Path(inspect.getfile(type(scene))).resolve()
        self.source = self.module_file.read_text("utf-8")
        self.classes = [
            cls
            for cls in type(scene).__mro__
            if getattr(cls, "__module__", None) == type(scene).__module__
        ]
        self.methods: dict[str, str] = {}  # name -> source of the method's def
        self.ran: dict[str, None] = {}  # ordered set of method names that have been called
        self.skeleton = self._skeleton()

    def _skeleton(self) -> str:
        """The module's text with the scene classes' method definitions blanked out."""
        names = {cls.__name__ for cls in self.classes}
        lines = self.source.splitlines()
        tree = ast.parse(self.source)
        for node in tree.body:
            if not (isinstance(node, ast.ClassDef) and node.name in names):
                continue
            for item in node.body:
                # plain methods only: a decorated one (static, class, property) is not
                # recorded when it runs, so it stays in the skeleton and counts always
                if isinstance(item, ast.FunctionDef) and not item.decorator_list:
                    first = item.lineno - 1
                    text = "\n".join(lines[first : item.end_lineno])
                    self.methods[f"{node.name}.{item.name}"] = text
                    for i in range(first, item.end_lineno):
                        lines[i] = ""
        return "\n".join(lines)

    def watch(self, scene) -> None:
        for cls in reversed(self.classes):
            for name, value in vars(cls).items():
                if not inspect.isfunction(value) or f"{cls.__name__}.{name}" not in self.methods:
                    continue
                if name.startswith("__"):
                    continue
                bound = getattr(scene, name)
                setattr(scene, name, self._recording(f"{cls.__name__}.{name}", bound))

    def _recording(self, qualname: str, bound):
        def call(*args, **kwargs):
            self.ran.setdefault(qualname, None)
            return bound(*args, **kwargs)

        call.__wrapped__ = bound
        return call

    def digest(self, names=None) -> str | None:
        """The skeleton and the sources of the methods that have run (or of ``names``,
        as they are now: ``None`` if one of them is gone)."""
        names = self.ran if names is None else names
        if any(name not in self.methods for name in names):
            return None
        digest = hashlib.sha256(self.skeleton.encode())
        for name in sorted(names):
            digest.update(b"\0")
            digest.update(name.encode())
            digest.update(self.methods[name].encode())
        return digest.hexdigest()
