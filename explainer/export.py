"""``render.py subtitles``: captions and chapter list after a narration edit, without frames.

Beat timings come from the voice (synthesising only changed beats); where the video
matters (when each beat starts, how long a chapter is) the last render's manifest is
used, shifted by how much each edited beat's narration grew or shrank.
"""

from __future__ import annotations

import json
from pathlib import Path

from . import captions, media
from .assemble import Part, merged_cues, youtube_chapters
from .errors import UserError
from .narration import Narrator
from .project import VIDEO_NAME, Project
from .settings import Settings
from .voices import make_voice


def shifted_starts(old: list[dict], new_durations: dict[str, float]) -> dict[str, float]:
    """New beat starts: each beat moves by the change in duration of the beats before it."""
    out, shift = {}, 0.0
    for beat in old:
        out[beat["id"]] = beat["start"] + shift
        shift += new_durations[beat["id"]] - beat["duration"]
    return out


def export(project: Project, settings: Settings) -> list[Path]:
    manifest_path = project.build_dir(settings.quality) / "manifest.json"
    if not manifest_path.exists():
        raise UserError(
            f"{manifest_path}: no render at quality '{settings.quality}' yet; run "
            f"'render.py --quality {settings.quality}' once, then 'render.py subtitles'"
        )
    manifest = json.loads(manifest_path.read_text("utf-8"))
    rendered = {c["key"]: c for c in manifest["chapters"]}
    narrator = Narrator(make_voice(settings), project.audio_cache)
    written: list[Path] = []
    parts: list[Part] = []
    work = project.build_dir(settings.quality) / "work" / "_subtitles"
    work.mkdir(parents=True, exist_ok=True)
    for chapter in project.chapters():
        entry = rendered.get(chapter.key)
        if entry is None:
            continue
        audio = {beat.id: narrator.speak(beat) for beat in chapter.beats}
        known = {b["id"] for b in entry["beats"]}
        for beat in chapter.beats:
            if beat.id not in known:
                raise UserError(
                    f"{chapter.path.name}:{beat.line}: beat '{beat.id}' is new since the last "
                    f"render; run 'render.py {chapter.number}' to place it"
                )
        durations = {bid: a.duration for bid, a in audio.items()}
        for old in entry["beats"]:
            durations.setdefault(old["id"], old["duration"])
        new_starts = shifted_starts(entry["beats"], durations)
        length = entry["duration"] + sum(durations[b["id"]] - b["duration"] for b in entry["beats"])
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
            raise UserError(f"{chapter.path.name}: captions break the standards: {problems[0]}")
        for suffix, text in ((".srt", captions.to_srt(cues)), (".vtt", captions.to_vtt(cues))):
            path = project.subtitles_dir / f"{chapter.key}{suffix}"
            media.write_text_atomic(path, text)
            written.append(path)
        srt = work / f"{chapter.key}.srt"
        srt.write_text(captions.to_srt(cues), "utf-8")
        parts.append(Part(chapter.key, chapter.title, length, Path(), Path(), srt))
    if not parts:
        raise UserError(f"{manifest_path}: lists no chapters; render first")
    if len(parts) == len(project.chapters()):
        cues = merged_cues(parts)
        for suffix, text in ((".srt", captions.to_srt(cues)), (".vtt", captions.to_vtt(cues))):
            path = project.subtitles_dir / f"{VIDEO_NAME}{suffix}"
            media.write_text_atomic(path, text)
            written.append(path)
        if len(parts) >= 3:
            path = project.build_dir(settings.quality) / "chapters.txt"
            media.write_text_atomic(path, youtube_chapters(parts))
            written.append(path)
    return written
