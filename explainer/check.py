"""``render.py check``: every script and scene agree, found in seconds without rendering.

Each scene's ``construct()`` runs as a Manim dry run (no frames, no files) in a
:class:`CheckMode`: a silent stand-in voice, and a record of which beats and
bookmarks the scene asks for, and where. The record is then compared with the
chapter's script.

The record is cached by :mod:`explainer.usage`, which runs a dry run here only for
scenes whose code changed (``render.py check`` on unchanged scenes never imports
Manim).

``render.py audit`` runs the same dry run with the cached narration and the layout
audit registered on the mode.
"""

from __future__ import annotations

import os
from pathlib import Path

from .errors import UserError, display
from .narration import Narrator
from .project import Project
from .scene import RunMode
from .script import Beat, Chapter
from .usage import Usage, check_chapters, check_project, compare  # noqa: F401 (re-exported)

MEDIA = Path("build") / "check"  # under the project: LaTeX and text compiled once, reused


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
        # recorded by ``used`` like any beat; ``compare`` finds it missing from the script
        return Beat(beat_id, 0, "", "", [], {})  # empty: the scene's block still runs

    def used(self, name: str, where: str) -> None:
        self.usage.beats.append((name, where))

    def missing_mark(self, chapter: Chapter, beat: Beat, mark: str, where: str) -> None:
        # recorded as asked for; ``compare`` finds it missing from the script
        self.used(f"{beat.id}@{mark}", where)


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


def dry_run_usage(root: Path, chapter: Chapter) -> tuple[Usage | None, str | None]:
    """One chapter's dry run: (its record, None), or (None, the one-line error)."""
    project = Project(root)
    mode = CheckMode(chapter)
    try:
        run_scene(project, chapter, mode)
    except UserError as error:
        return None, str(error)
    return mode.usage, None


def audit_one(root: Path, chapter: Chapter, narrator: Narrator) -> list[str]:
    """One chapter's layout findings (a ``UserError`` if its scene fails)."""
    from . import audit

    mode = CheckMode(chapter, narrator)
    state = audit.register(mode)
    with audit.record_origins():
        run_scene(Project(root), chapter, mode)
    return [finding.line(chapter.key) for finding in state.findings]


def _audit_in_worker(root: Path, chapter: Chapter, settings) -> tuple[list[str], str | None]:
    """:func:`audit_one` in a pool process, with its own narrator: (findings, error)."""
    from .voices import make_voice

    narrator = Narrator(make_voice(settings), Project(root).audio_cache)
    try:
        return audit_one(root, chapter, narrator), None
    except UserError as error:
        return [], str(error)


def audit_chapters(
    project: Project, chapters: list[Chapter], narrator: Narrator, settings=None
) -> list[str]:
    """Layout findings for each chapter, one line each (empty when the layout is clean).

    Beats last as long as their cached narration, so times match a render. With
    ``settings`` (the voice to build a narrator from) and several chapters, chapters
    are audited in parallel processes, one per core; a chapter that fails there is
    audited again alone before its error counts (two processes can race on one
    LaTeX formula in the shared media folder).
    """
    if settings is None or len(chapters) < 2 or (os.cpu_count() or 1) < 2:
        lines: list[str] = []
        for chapter in chapters:
            lines += audit_one(project.root, chapter, narrator)
        return lines
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    # spawn: a fresh interpreter per worker, so Manim's global config is never shared
    context = multiprocessing.get_context("spawn")
    workers = min(len(chapters), os.cpu_count() or 1)
    with ProcessPoolExecutor(workers, mp_context=context) as pool:
        futures = [pool.submit(_audit_in_worker, project.root, c, settings) for c in chapters]
        results = [future.result() for future in futures]
    lines = []
    for chapter, (found, error) in zip(chapters, results, strict=True):
        lines += audit_one(project.root, chapter, narrator) if error else found
    return lines
