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

Segments live in ``build/<quality>/segments/<chapter>/``: ``<key>.mp4`` and
``<key>.json`` (frames and the MP4's SHA-256), both written under a temporary name
and renamed, the JSON last; a segment whose file is missing or does not match its
checksum is a miss and is drawn again. After a chapter renders, segments it did
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
            segment = Segment(key, video, int(meta["frames"]))
        except (OSError, ValueError, KeyError, TypeError):
            return None
        self.used.add(key)
        self.hits += 1
        return segment

    def store(self, key: str, parts: list[Path], frames: int, join) -> Segment:
        """Join ``parts`` (the beat's partial movies) into the segment for ``key``.

        ``join(parts, out)`` writes one MP4 (Manim's own stream-copy join).
        """
        self.folder.mkdir(parents=True, exist_ok=True)
        video = self.folder / f"{key}.mp4"
        tmp = self.folder / f"{key}.part.mp4"
        join([str(p) for p in parts], tmp)
        os.replace(tmp, video)
        meta = {"frames": frames, "size": video.stat().st_size, "sha256": _sha256(video)}
        meta_tmp = self.folder / f"{key}.json.part"
        meta_tmp.write_text(json.dumps(meta), "utf-8")
        os.replace(meta_tmp, self.folder / f"{key}.json")
        self.used.add(key)
        self.misses += 1
        return Segment(key, video, frames)

    def prune(self) -> int:
        """Delete every segment (and leftover temporary file) this render did not use."""
        removed = 0
        if not self.folder.is_dir():
            return 0
        for path in self.folder.iterdir():
            key = path.name.split(".", 1)[0]
            if key not in self.used or ".part" in path.name:
                path.unlink(missing_ok=True)
                removed += 1
        return removed


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

    def digest(self) -> str:
        digest = hashlib.sha256(self.skeleton.encode())
        for name in sorted(self.ran):
            digest.update(b"\0")
            digest.update(name.encode())
            digest.update(self.methods[name].encode())
        return digest.hexdigest()
