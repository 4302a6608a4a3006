"""Join rendered chapters into one upload-ready video with captions and chapters.

* video: the chapters' H.264 streams joined by stream copy (no re-encode);
* audio: the chapters' narration tracks (each already at the target loudness, the
  same audio as in the chapter files) joined, measured, and normalised again only
  if the whole is off target; AAC-LC 48 kHz stereo;
* a soft English subtitle track (``mov_text``), container chapter markers titled
  with the chapter titles, title metadata, ``moov`` at the front;
* ``subtitles/<name>.srt`` / ``.vtt`` and ``chapters.txt`` (YouTube's list), with
  every offset taken from each chapter's *measured* duration;
* optionally a second MP4 with the captions burned into the picture.

The pure functions (offsets, chapter metadata, the YouTube list) return data and
are unit-tested; :func:`assemble` wires them to ffmpeg.
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from . import captions, media
from .errors import UserError
from .manifest import FullRecord
from .project import VIDEO_NAME, Project

TITLE = "nanochat explained"


@dataclass(frozen=True)
class Part:
    """One chapter as it enters the assembly."""

    key: str
    title: str
    duration: float  # measured: frames / fps
    video: Path
    narration: Path  # the chapter's full-length normalised narration WAV
    srt: Path


def starts(parts: list[Part]) -> list[float]:
    """Start time of each part in the joined video."""
    out, t = [], 0.0
    for part in parts:
        out.append(t)
        t += part.duration
    return out


def merged_cues(parts: list[Part]) -> list[captions.Cue]:
    """All chapters' cues, offset by measured chapter starts, clipped to their chapter."""
    cues: list[captions.Cue] = []
    for part, start in zip(parts, starts(parts), strict=True):
        for cue in captions.parse_srt(part.srt.read_text("utf-8")):
            end = min(cue.end, part.duration)
            cues.append(captions.Cue(cue.start + start, end + start, cue.text))
    # at a chapter boundary the next cue can start a few ms after the last one ends:
    # open a two-frame gap where the cue stays long enough, else chain them exactly
    for before, after in zip(cues, cues[1:], strict=False):
        gap = after.start - before.end
        if 0 < gap < captions.GAP:
            shortened = after.start - captions.GAP
            if shortened - before.start >= captions.MIN_DURATION:
                before.end = shortened
            else:
                before.end = after.start
    return cues


def ffmetadata(parts: list[Part], title: str = TITLE) -> str:
    """An ffmpeg metadata file: the title and one titled chapter per part (milliseconds)."""
    lines = [";FFMETADATA1", f"title={_escape(title)}"]
    for part, start in zip(parts, starts(parts), strict=True):
        lines += [
            "[CHAPTER]",
            "TIMEBASE=1/1000",
            f"START={int(round(start * 1000))}",
            f"END={int(round((start + part.duration) * 1000))}",
            f"title={_escape(part.title)}",
        ]
    return "\n".join(lines) + "\n"


def _escape(value: str) -> str:
    for char in "\\=;#\n":
        value = value.replace(char, "\\" + char)
    return value


def youtube_chapters(parts: list[Part]) -> str:
    """``0:00 Introduction`` lines for a video description."""
    if len(parts) < 3:
        raise UserError("a YouTube chapter list needs at least three chapters")
    lines = []
    for part, start in zip(parts, starts(parts), strict=True):
        if part.duration < 10:
            raise UserError(
                f"chapter {part.key} lasts {part.duration:.1f} s; YouTube needs >= 10 s"
            )
        whole = int(start)
        hours, rest = divmod(whole, 3600)
        stamp = (
            f"{hours}:{rest // 60:02d}:{rest % 60:02d}"
            if hours
            else f"{rest // 60}:{rest % 60:02d}"
        )
        lines.append(f"{stamp} {part.title}")
    return "\n".join(lines) + "\n"


def _join_narration(parts: list[Part], out: Path) -> None:
    tracks = []
    for part in parts:
        samples, rate = media.read_wav(part.narration)
        samples = media.resample(samples, rate)
        want = int(round(part.duration * media.AUDIO_RATE))
        samples = np.pad(samples, (0, max(0, want - len(samples))))[:want]
        tracks.append(samples)
    media.write_wav(out, np.concatenate(tracks), media.AUDIO_RATE)


def assemble(
    project: Project,
    quality: str,
    parts: list[Part],
    loudness: float,
    true_peak: float,
    burn: bool = False,
) -> FullRecord:
    """Write the full video, its captions and chapter list; returns its manifest record."""
    build = project.build_dir(quality)
    work = build / "work" / "_assembly"
    work.mkdir(parents=True, exist_ok=True)
    if not parts:
        raise UserError("nothing to assemble: render at least one chapter")

    (work / "concat.txt").write_text(
        media.concat_list([(p.video, p.duration) for p in parts]), "utf-8"
    )
    video_only = work / "video.mp4"
    media.run(media.concat_args(work / "concat.txt", video_only), "joining chapter videos")

    raw = work / "narration.raw.wav"
    _join_narration(parts, raw)
    loud = media.normalise_wav(raw, work / "narration.wav", loudness, true_peak)

    cues = merged_cues(parts)
    total = sum(p.duration for p in parts)
    problems = captions.problems(cues, total)
    if problems:
        raise UserError(f"merged captions break the standards: {problems[0]}")
    srt_text, vtt_text = captions.to_srt(cues), captions.to_vtt(cues)
    srt_work = work / "captions.srt"
    srt_work.write_text(srt_text, "utf-8")
    (work / "metadata.txt").write_text(ffmetadata(parts), "utf-8")

    out = build / f"{VIDEO_NAME}.mp4"
    tmp = build / f"{VIDEO_NAME}.part.mp4"
    args = media.mux_args(
        video_only, work / "narration.wav", tmp, subtitles=srt_work, metadata=work / "metadata.txt"
    )
    media.run(args, "muxing the full video")
    lengths = media.stream_durations(tmp)
    fps = media.video_frames(parts[0].video)[1]
    if abs(lengths.get("audio", 0) - lengths.get("video", 0)) > 1 / fps + 1e-3:
        raise RuntimeError(f"full video: audio {lengths} differ by more than a frame")

    written: dict[str, Path] = {"video": out}
    chapters_txt = build / "chapters.txt"
    outputs = {
        project.subtitles_dir / f"{VIDEO_NAME}.srt": srt_text,
        project.subtitles_dir / f"{VIDEO_NAME}.vtt": vtt_text,
        build / f"{VIDEO_NAME}.srt": srt_text,
        build / f"{VIDEO_NAME}.vtt": vtt_text,
        chapters_txt: youtube_chapters(parts) if len(parts) >= 3 else "",
    }
    if burn:
        burned_tmp = build / f"{VIDEO_NAME}.captioned.part.mp4"
        media.run(media.burn_args(tmp, srt_work, burned_tmp), "burning captions into the picture")
        os.replace(burned_tmp, build / f"{VIDEO_NAME}.captioned.mp4")
        written["video_captioned"] = build / f"{VIDEO_NAME}.captioned.mp4"
    else:  # a captioned copy from an earlier run would no longer match
        (build / f"{VIDEO_NAME}.captioned.mp4").unlink(missing_ok=True)
    os.replace(tmp, out)
    project.subtitles_dir.mkdir(parents=True, exist_ok=True)
    for path, text in outputs.items():
        if path == chapters_txt and not text:
            path.unlink(missing_ok=True)
            continue
        media.write_text_atomic(path, text)
        written[path.name] = path
    shutil.rmtree(work / "tmp", ignore_errors=True)
    return FullRecord(
        outputs={kind: os.path.relpath(path, build) for kind, path in written.items()},
        duration=total,
        loudness=loud,
        chapters=[
            {"key": p.key, "title": p.title, "start": round(s, 3), "duration": round(p.duration, 3)}
            for p, s in zip(parts, starts(parts), strict=True)
        ],
        cues=len(cues),
    )
