"""``render.py check``: every script and scene agree, found in seconds without rendering.

Each scene's ``construct()`` runs as a Manim dry run (no frames, no files) in a
:class:`CheckMode`: a silent stand-in voice, and a record of which beats and
bookmarks the scene asks for. The record is then compared with the chapter's script.
``render.py audit`` runs the same dry run with the cached narration and the layout
audit registered on the mode.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from .errors import UserError, display
from .narration import Narrator
from .project import Project
from .scene import RunMode
from .script import Beat, Chapter, parse_chapter

MEDIA = Path("build") / "check"  # under the project: LaTeX and text compiled once, reused


@dataclass
class Usage:
    """What a scene did with its script during a dry run."""

    beats: list[tuple[str, str]] = field(default_factory=list)  # (beat or beat@mark, file:line)
    problems: list[str] = field(default_factory=list)


class CheckMode(RunMode):
    """A dry run that records what the scene uses and every mismatch, and carries on.

    Without a narrator the voice is a silent stand-in (durations from word counts);
    with one (the audit) beats last as long as in a render.
    """

    def __init__(self, chapter: Chapter, narrator: Narrator | None = None) -> None:
        super().__init__(chapter, narrator, add_sound=False)
        self.usage = Usage()

    def prepare(self, scene_cls):
        return self.chapter, self.narrator

    def problem(self, message: str) -> None:
        self.usage.problems.append(message)

    def unknown_beat(self, beat_id: str, message: str) -> Beat:
        self.problem(message)
        return Beat(beat_id, 0, "", "", [], {})  # empty: the scene's block still runs

    def used(self, name: str, where: str) -> None:
        self.usage.beats.append((name, where))


def dry_run(scene_cls, mode: RunMode, media: Path) -> None:
    """Run the scene's construct() in ``mode`` without rendering a frame."""
    from manim import tempconfig

    media.mkdir(parents=True, exist_ok=True)
    drop_broken_cache_files(media)
    options = {
        "dry_run": True,
        "write_to_movie": False,
        "save_last_frame": False,
        "disable_caching": True,
        "progress_bar": "none",
        "verbosity": "ERROR",
        "media_dir": str(media),
        "quality": "low_quality",
    }
    with tempconfig(options):
        scene_cls(mode=mode, skip_animations=True).render()


def drop_broken_cache_files(media: Path) -> None:
    """Delete empty SVGs that an interrupted or concurrent run left in the text/LaTeX caches.

    Manim trusts any cached file that exists; an empty one would fail every later check.
    """
    for folder in ("texts", "Tex"):
        for path in (media / folder).glob("*.svg"):
            try:
                if path.stat().st_size == 0:
                    path.unlink()
            except FileNotFoundError:
                pass


def compare(chapter: Chapter, scene_file: Path, usage: Usage) -> tuple[list[str], list[str]]:
    """Problems (fail) and warnings (report) from one chapter's dry run."""
    problems = list(usage.problems)
    warnings: list[str] = []
    script = display(chapter.path)
    order = {beat.id: index for index, beat in enumerate(chapter.beats)}
    first_use: dict[str, str] = {}
    last_index = -1
    last_id = ""
    marks_used: set[tuple[str, str]] = set()
    for name, where in usage.beats:
        if "@" in name:
            beat_id, mark = name.split("@", 1)
            marks_used.add((beat_id, mark))
            continue
        if name not in order:
            continue  # already reported by the scene as unknown
        if name in first_use:
            problems.append(f"{where}: beat '{name}' is used twice (first at {first_use[name]})")
            continue
        first_use[name] = where
        if order[name] < last_index:
            problems.append(
                f"{where}: beat '{name}' is used after '{last_id}' but comes before it in {script}; "
                "reorder the scene or the script"
            )
        last_index, last_id = order[name], name
    for beat in chapter.beats:
        if beat.id not in first_use:
            problems.append(
                f"{script}:{beat.line}: beat '{beat.id}' is never used by "
                f"{display(scene_file)}; animate it or delete it"
            )
            continue
        for mark in beat.bookmarks:
            if (beat.id, mark) not in marks_used:
                line = beat.bookmark_lines.get(mark, beat.line)
                warnings.append(
                    f"{script}:{line}: bookmark '{{@{mark}}}' in beat '{beat.id}' "
                    "is never used by the scene"
                )
    return problems, warnings


def run_scene(project: Project, chapter: Chapter, mode: RunMode) -> None:
    """Dry-run the chapter's scene in ``mode``; a scene that raises is one ``UserError``."""
    from .chapter_render import line_in, load_scene_class

    scene_file = project.scene_file(chapter)
    scene_cls = load_scene_class(scene_file)
    try:
        dry_run(scene_cls, mode, project.root / MEDIA)
    except UserError:
        raise
    except Exception as error:  # the scene itself raised during the dry run
        line = line_in(scene_file, error)
        raise UserError(f"{display(scene_file)}:{line}: {type(error).__name__}: {error}") from None


def check_project(project: Project, wanted: list[str] = ()) -> tuple[list[str], list[str], int]:
    """Problems and warnings in the chapters asked for (all by default), and how many."""
    problems: list[str] = []
    warnings: list[str] = []
    chapters: list[Chapter] = []
    try:
        files = project.select_files(list(wanted))
        lexicon = project.lexicon()
    except UserError as error:
        return [str(error)], [], 0
    for path in files:
        try:
            chapters.append(parse_chapter(path, lexicon))
        except UserError as error:
            problems.append(str(error))
    if not wanted:
        numbers = {path.name[:2] for path in files}
        for scene in sorted(project.scenes_dir.glob("[0-9][0-9]_*.py")):
            if scene.name[:2] not in numbers:
                problems.append(f"{display(scene)}: no script/{scene.name[:2]}-*.md for this scene")
    for chapter in chapters:
        mode = CheckMode(chapter)
        try:
            run_scene(project, chapter, mode)
        except UserError as error:
            problems.append(str(error))
            continue
        found, warned = compare(chapter, project.scene_file(chapter), mode.usage)
        problems += found
        warnings += warned
    return problems, warnings, len(files)


def audit_chapters(project: Project, chapters: list[Chapter], narrator: Narrator) -> list[str]:
    """Layout findings for each chapter, one line each (empty when the layout is clean).

    Beats last as long as their cached narration, so times match a render.
    """
    from . import audit

    lines: list[str] = []
    for chapter in chapters:
        mode = CheckMode(chapter, narrator)
        state = audit.register(mode)
        with audit.record_origins():
            run_scene(project, chapter, mode)
        lines += [finding.line(chapter.key) for finding in state.findings]
    return lines
