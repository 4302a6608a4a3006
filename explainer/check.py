"""``render.py check``: every script and scene agree, found in seconds without rendering.

Each scene's ``construct()`` runs as a Manim dry run (no frames, no files) with a
silent stand-in voice that records which beats and bookmarks it asks for. The
record is then compared with the chapter's script.
"""

from __future__ import annotations

from pathlib import Path

from .errors import UserError
from .project import Project
from .scene import CHECK, Usage
from .script import Chapter, discover, load_lexicon, parse_chapter


def dry_run(scene_cls, audit_state=None, voiced: bool = False) -> Usage:
    """Run the scene's construct() without rendering; return what it used.

    With ``audit_state``, the layout audit inspects the screen after every animation.
    """
    from manim import tempconfig

    from . import audit

    usage = Usage(voiced=voiced)
    # a lasting media dir, so LaTeX and text compiled once are reused by later checks
    media = scene_cls.project_root() / "build" / "check"
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
        CHECK.active = usage
        audit.ACTIVE.state = audit_state
        try:
            with audit.record_origins():
                scene = scene_cls(skip_animations=True)
                scene.render()
        finally:
            CHECK.active = None
            audit.ACTIVE.state = None
    return usage


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
    script = chapter.path.name
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
                f"script/{script}:{beat.line}: beat '{beat.id}' is never used by "
                f"scenes/{scene_file.name}; animate it or delete it"
            )
            continue
        for mark in beat.bookmarks:
            if (beat.id, mark) not in marks_used:
                line = beat.bookmark_lines.get(mark, beat.line)
                warnings.append(
                    f"script/{script}:{line}: bookmark '{{@{mark}}}' in beat '{beat.id}' "
                    "is never used by the scene"
                )
    return problems, warnings


def check_project(project: Project) -> tuple[list[str], list[str], int]:
    """All problems and warnings in the project, and how many chapters were checked."""
    from .chapter_render import load_scene_class

    problems: list[str] = []
    warnings: list[str] = []
    chapters: list[Chapter] = []
    try:
        lexicon = load_lexicon(project.script_dir / "lexicon.md")
        files = discover(project.script_dir)
    except UserError as error:
        return [str(error)], [], 0
    for path in files:
        try:
            chapters.append(parse_chapter(path, lexicon))
        except UserError as error:
            problems.append(str(error))
    numbers = {c.number for c in chapters}
    for scene in sorted(project.scenes_dir.glob("[0-9][0-9]_*.py")):
        if int(scene.name[:2]) not in numbers and not any(
            p.name.startswith(scene.name[:2]) for p in files
        ):
            problems.append(f"scenes/{scene.name}: no script/{scene.name[:2]}-*.md for this scene")
    for chapter in chapters:
        try:
            scene_file = project.scene_file(chapter)
            scene_cls = load_scene_class(scene_file)
            usage = dry_run(scene_cls)
        except UserError as error:
            problems.append(str(error))
            continue
        except Exception as error:  # the scene itself raised during the dry run
            from .chapter_render import _line_in

            line = _line_in(scene_file, error)
            problems.append(f"scenes/{scene_file.name}:{line}: {type(error).__name__}: {error}")
            continue
        found, warned = compare(chapter, scene_file, usage)
        problems += found
        warnings += warned
    return problems, warnings, len(chapters)


def audit_chapters(project: Project, chapters: list[Chapter]) -> list[str]:
    """Layout findings for each chapter, one line each (empty when the layout is clean)."""
    from . import audit
    from .chapter_render import load_scene_class

    lines: list[str] = []
    for chapter in chapters:
        state = audit.AuditState()
        dry_run(load_scene_class(project.scene_file(chapter)), state, voiced=True)
        lines += [finding.line(chapter.key) for finding in state.findings]
    return lines
