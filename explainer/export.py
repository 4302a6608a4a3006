"""``render.py subtitles``: captions and chapter list after a narration edit, without frames.

Beat timings come from the voice (synthesising only changed beats); where the video
matters (when each beat starts, how long a chapter is) the last render's manifest is
used, shifted by how much each edited beat's narration grew or shrank.
"""

from __future__ import annotations

from pathlib import Path

from . import captions, media
from .assemble import Part, merged_cues, youtube_chapters
from .errors import UserError, display
from .manifest import BeatTime, Manifest
from .narration import Narrator
from .project import VIDEO_NAME, Project
from .settings import Settings
from .voices import make_voice


def shifted_starts(old: list[BeatTime], new_durations: dict[str, float]) -> dict[str, float]:
    """New beat starts: each beat moves by the change in duration of the beats before it."""
    out, shift = {}, 0.0
    for beat in old:
        out[beat.id] = beat.start + shift
        shift += new_durations[beat.id] - beat.duration
    return out


def export(project: Project, settings: Settings) -> list[Path]:
    build = project.build_dir(settings.quality)
    rendered = Manifest.load(build, settings.quality).chapters
    if not rendered:
        raise UserError(
            f"{display(build / 'manifest.json')}: no render at quality '{settings.quality}' "
            f"yet; run 'render.py --quality {settings.quality}' once, then 'render.py subtitles'"
        )
    narrator = Narrator(make_voice(settings), project.audio_cache)
    written: list[Path] = []
    parts: list[Part] = []
    work = build / "work" / "_subtitles"
    work.mkdir(parents=True, exist_ok=True)
    chapters = project.chapters()
    for chapter in chapters:
        entry = rendered.get(chapter.key)
        if entry is None:
            continue
        audio = {beat.id: narrator.speak(beat) for beat in chapter.beats}
        known = {b.id for b in entry.beats}
        for beat in chapter.beats:
            if beat.id not in known:
                raise UserError(
                    f"{display(chapter.path)}:{beat.line}: beat '{beat.id}' is new since the "
                    f"last render; run 'render.py {chapter.number}' to place it"
                )
        durations = {bid: a.duration for bid, a in audio.items()}
        for old in entry.beats:
            durations.setdefault(old.id, old.duration)
        new_starts = shifted_starts(entry.beats, durations)
        length = entry.duration + sum(durations[b.id] - b.duration for b in entry.beats)
        per_beat = [
            [
                captions.Word(t, new_starts[b.id] + s, new_starts[b.id] + e)
                for t, s, e in audio[b.id].caption_words()
            ]
            for b in chapter.beats
        ]
        cues = captions.build_cues(per_beat, length)
        problems = captions.problems(cues, length)
        if problems:
            raise UserError(f"{display(chapter.path)}: captions break the standards: {problems[0]}")
        for suffix, text in ((".srt", captions.to_srt(cues)), (".vtt", captions.to_vtt(cues))):
            path = project.subtitles_dir / f"{chapter.key}{suffix}"
            media.write_text_atomic(path, text)
            written.append(path)
        srt = work / f"{chapter.key}.srt"
        srt.write_text(captions.to_srt(cues), "utf-8")
        parts.append(Part(chapter.key, chapter.title, length, Path(), Path(), srt))
    if not parts:
        raise UserError(
            f"{display(build / 'manifest.json')}: lists none of the chapters; render first"
        )
    if len(parts) == len(chapters):
        cues = merged_cues(parts)
        for suffix, text in ((".srt", captions.to_srt(cues)), (".vtt", captions.to_vtt(cues))):
            path = project.subtitles_dir / f"{VIDEO_NAME}{suffix}"
            media.write_text_atomic(path, text)
            written.append(path)
        if len(parts) >= 3:
            path = build / "chapters.txt"
            media.write_text_atomic(path, youtube_chapters(parts))
            written.append(path)
    return written
