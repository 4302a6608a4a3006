"""Pacing check on a rendered chapter: frozen pictures while the voice talks, long silences.

Uses ffmpeg's ``freezedetect`` on the video and ``silencedetect`` on the narration,
and the beat start times in the manifest to say which beat each finding falls in.
"""

from __future__ import annotations

import re
from pathlib import Path

from . import media
from .manifest import ChapterRecord

MAX_FREEZE = 4.0  # seconds a picture may stand still while narration plays
MAX_SILENCE = 1.5  # seconds of quiet allowed inside a chapter
FREEZE_NOISE = 0.0005  # frame difference below which two frames count as the same


def _intervals(
    stderr: str, start_key: str, end_key: str, total: float
) -> list[tuple[float, float]]:
    starts = [float(x) for x in re.findall(rf"{start_key}[:=]\s*([\d.]+)", stderr)]
    ends = [float(x) for x in re.findall(rf"{end_key}[:=]\s*([\d.]+)", stderr)]
    ends += [total] * (len(starts) - len(ends))  # still frozen/silent at the end
    return list(zip(starts, ends, strict=False))


def freezes(video: Path, total: float, minimum: float = MAX_FREEZE) -> list[tuple[float, float]]:
    result = media.run(
        media.detect_args(video, "v", f"freezedetect=n={FREEZE_NOISE}:d={minimum}"),
        f"looking for frozen frames in {video.name}",
    )
    text = result.stderr.decode("utf-8", "replace")
    return _intervals(text, "freeze_start", "freeze_end", total)


def silences(video: Path, total: float, minimum: float = MAX_SILENCE) -> list[tuple[float, float]]:
    result = media.run(
        media.detect_args(video, "a", f"silencedetect=noise=-45dB:d={minimum}"),
        f"looking for silences in {video.name}",
    )
    text = result.stderr.decode("utf-8", "replace")
    return _intervals(text, "silence_start", "silence_end", total)


def overlap(a: tuple[float, float], b: tuple[float, float]) -> float:
    return max(0.0, min(a[1], b[1]) - max(a[0], b[0]))


def check_chapter(record: ChapterRecord, video: Path) -> list[str]:
    """Findings for one rendered chapter (its manifest record and its video file)."""
    total = record.duration
    beats = record.beats
    speaking = [(b.start, b.start + b.duration) for b in beats]
    out = []
    for start, end in freezes(video, total):
        talking = sum(overlap((start, end), span) for span in speaking)
        if talking > MAX_FREEZE:
            out.append(
                f"{record.key} beat '{record.beat_at(start)}' at {start:.1f} s: "
                f"picture still for {end - start:.1f} s while the voice talks "
                f"({talking:.1f} s of narration)"
            )
    if beats:
        inside = (beats[0].start, beats[-1].start + beats[-1].duration)
        for start, end in silences(video, total):
            quiet = overlap((start, end), inside)
            if quiet > MAX_SILENCE:
                out.append(
                    f"{record.key} beat '{record.beat_at(start)}' at {start:.1f} s: "
                    f"{quiet:.1f} s of silence inside the chapter"
                )
    return out
