"""``build/<quality>/manifest.json``: what the renders at one quality wrote, as typed records.

One :class:`ChapterRecord` per rendered chapter (title, measured duration, voice,
loudness, beat starts, input fingerprint, output files) and one :class:`FullRecord`
for the joined video. Every path is stored relative to the build folder, so a
moved or copied project keeps working; :meth:`Manifest.path` turns one back into a
real path.

Renders merge their records with :func:`update`, which holds a lock file while it
reads the manifest again, merges and writes it under a temporary name: two renders
of different chapters running at once in one project both keep their records. The
merge drops chapters whose script is gone and chapters whose video is missing.
"""

from __future__ import annotations

import fcntl
import json
import os
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path

from .media import write_text_atomic

VERSION = 2  # 1: untyped, absolute paths (read as no manifest: every chapter renders again)
NAME = "manifest.json"
QUALITY_ORDER = ("low", "medium", "high", "4k")


@dataclass(frozen=True)
class BeatTime:
    """Where a beat starts in its chapter's video, and how long its narration lasts."""

    id: str
    start: float
    duration: float


@dataclass
class ChapterRecord:
    """One rendered chapter."""

    key: str  # 01-introduction
    number: int
    title: str
    quality: str
    voice: str
    voice_settings: dict
    duration: float  # measured: frames / fps
    frames: int
    fps: float
    loudness: dict[str, float]  # the narration track: integrated, true_peak, range, threshold, gain
    words: int
    beats: list[BeatTime]
    cues: int
    outputs: dict[str, str]  # video, srt, vtt, srt_beside_video, vtt_beside_video
    narration: str  # the chapter's normalised narration WAV, which the full video joins
    synthesised: int = 0  # beats voiced afresh for this render
    seconds: float = 0.0  # wall time of the render
    fingerprint: str = ""  # of its inputs (fingerprint.py); set by the command line

    @classmethod
    def from_dict(cls, data: dict) -> ChapterRecord:
        values = _known(cls, data)
        values["beats"] = [BeatTime(**beat) for beat in data["beats"]]
        return cls(**values)

    def to_dict(self) -> dict:
        return asdict(self)

    def beat_at(self, t: float) -> str:
        """Id of the beat playing at ``t`` seconds (the first beat before it starts)."""
        current = self.beats[0].id if self.beats else "?"
        for beat in self.beats:
            if beat.start <= t + 1e-6:
                current = beat.id
        return current


@dataclass
class FullRecord:
    """The joined video of every chapter."""

    outputs: dict[str, str]
    duration: float
    loudness: dict[str, float]
    chapters: list[dict]  # key, title, start, duration
    cues: int
    fingerprint: str = ""
    seconds: float = 0.0

    @classmethod
    def from_dict(cls, data: dict) -> FullRecord:
        return cls(**_known(cls, data))

    def to_dict(self) -> dict:
        return asdict(self)


def _known(cls, data: dict) -> dict:
    names = {f.name for f in fields(cls)}
    return {k: v for k, v in data.items() if k in names}


@dataclass
class Manifest:
    """Every record at one quality, and where its build folder is."""

    build: Path
    quality: str
    chapters: dict[str, ChapterRecord] = field(default_factory=dict)
    full: FullRecord | None = None

    # ---- paths

    def path(self, relative: str) -> Path:
        """A stored path as a real one (an absolute path stays as it is)."""
        return self.build / relative

    def relative(self, path: Path) -> str:
        return os.path.relpath(path, self.build)

    def video(self, record: ChapterRecord) -> Path:
        return self.path(record.outputs["video"])

    def complete(self, record: ChapterRecord | FullRecord | None) -> bool:
        """Whether the record lists outputs and all of them exist."""
        return bool(record and record.outputs) and all(
            self.path(p).exists() for p in record.outputs.values()
        )

    def rendered(self, keys: Iterable[str]) -> dict[str, ChapterRecord]:
        """The records among ``keys`` whose video exists."""
        return {
            k: self.chapters[k]
            for k in keys
            if k in self.chapters and self.video(self.chapters[k]).is_file()
        }

    def files(self) -> list[str]:
        out = [p for key in sorted(self.chapters) for p in self.chapters[key].outputs.values()]
        return out + (list(self.full.outputs.values()) if self.full else [])

    # ---- reading and writing

    @classmethod
    def load(cls, build: Path, quality: str | None = None) -> Manifest:
        """The manifest in ``build``; an empty one when it is missing, unreadable or older."""
        quality = quality or build.name
        try:
            data = json.loads((build / NAME).read_text("utf-8"))
            if data.get("version") != VERSION:
                return cls(build, quality)
            chapters = [ChapterRecord.from_dict(c) for c in data.get("chapters", [])]
            full = FullRecord.from_dict(data["full"]) if data.get("full") else None
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            return cls(build, quality)
        return cls(build, quality, {c.key: c for c in chapters}, full)

    def to_dict(self) -> dict:
        ordered = sorted(self.chapters.values(), key=lambda c: c.number)
        return {
            "version": VERSION,
            "quality": self.quality,
            "chapters": [c.to_dict() for c in ordered],
            "full": self.full.to_dict() if self.full else None,
            "files": self.files(),
        }

    def save(self) -> Path:
        """Write atomically (a temporary name, then a rename); see :func:`update` for merging."""
        path = self.build / NAME
        write_text_atomic(path, json.dumps(self.to_dict(), indent=2) + "\n")
        return path


@contextmanager
def locked(build: Path) -> Iterator[None]:
    """Hold ``build/manifest.lock`` (an advisory lock; other renders wait for it)."""
    build.mkdir(parents=True, exist_ok=True)
    with open(build / "manifest.lock", "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def update(
    build: Path,
    chapters: Iterable[ChapterRecord] = (),
    full: FullRecord | None = None,
    *,
    known: Iterable[str] | None = None,
) -> Manifest:
    """Merge records into the manifest on disk, under the lock, and save it.

    ``known``: the keys of the chapters the project has now; others are dropped.
    """
    with locked(build):
        manifest = Manifest.load(build)
        for record in chapters:
            manifest.chapters[record.key] = record
        if full is not None:
            manifest.full = full
        keep = set(known) if known is not None else set(manifest.chapters)
        manifest.chapters = {
            key: record
            for key, record in manifest.chapters.items()
            if key in keep and manifest.path(record.outputs.get("video", "")).is_file()
        }
        manifest.save()
    return manifest


def latest(root_build: Path, keys: list[str], quality: str | None) -> Manifest:
    """The manifest of the first quality (``quality``, else low to 4k) with any of ``keys``."""
    order = [quality] if quality else list(QUALITY_ORDER)
    for name in order:
        manifest = Manifest.load(root_build / name, name)
        if manifest.rendered(keys):
            return manifest
    return Manifest(root_build / order[0], order[0])
