"""What each scene asks of its script, cached, so ``render.py check`` takes seconds.

What a scene asks for (beats and bookmarks, in order, with the scene line that asks)
depends on its code, not on the words of its script. So the record of a scene's dry
run (:mod:`explainer.check`) is cached in ``build/check-usage/`` keyed by the scene's
code fingerprint: its file, the shared ``scenes/`` modules, the pipeline modules a
dry run executes, the Manim versions. A script edit is compared against the cached
record without running Manim (this module never imports it); a changed scene is
dry-run again, several chapters at once in separate processes. A scene that raised
is never cached: it is dry-run every time.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass, field
from pathlib import Path

from . import fingerprint
from .errors import UserError, display
from .project import Project
from .script import Chapter, missing_mark_message, parse_chapter, unknown_beat_message

USAGE = Path("build") / "check-usage"  # what each scene asked for, by code fingerprint
# the pipeline modules a dry run executes: a change to one of them may change what a
# scene asks for, so it invalidates every cached record
DRY_RUN_MODULES = ("check.py", "errors.py", "narration.py", "scene.py", "script.py")


@dataclass
class Usage:
    """What a scene did with its script during a dry run."""

    beats: list[tuple[str, str]] = field(default_factory=list)  # (beat or beat@mark, file:line)
    problems: list[str] = field(default_factory=list)

    def to_json(self) -> str:
        return json.dumps({"beats": self.beats, "problems": self.problems}, indent=0)

    @classmethod
    def from_json(cls, text: str) -> Usage:
        data = json.loads(text)
        return cls([(name, where) for name, where in data["beats"]], list(data["problems"]))


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
            if beat_id in order:
                beat = chapter.beats[order[beat_id]]
                if mark not in beat.bookmarks:
                    problems.append(missing_mark_message(chapter, beat, mark, where))
            continue
        if name not in order:
            problems.append(unknown_beat_message(chapter, name, where))
            continue
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


def shared_fingerprint(project: Project) -> str:
    """What every scene's dry run shares: ``scenes/`` modules, pipeline modules, versions."""
    digest = hashlib.sha256()
    files = [*fingerprint.shared_scene_files(project)]
    files += [fingerprint.PACKAGE_DIR / name for name in DRY_RUN_MODULES]
    fingerprint._hash_files(files, digest)
    digest.update(json.dumps(fingerprint._versions(), sort_keys=True).encode())
    return digest.hexdigest()


def scene_fingerprint(project: Project, scene_file: Path, shared: str | None = None) -> str:
    """What a dry run's record depends on: the scene's code and what it runs, not its script."""
    digest = hashlib.sha256((shared or shared_fingerprint(project)).encode())
    fingerprint._hash_files([scene_file], digest)
    return digest.hexdigest()


def usage_path(project: Project, scene_file: Path) -> Path:
    return project.root / USAGE / f"{scene_file.stem}.json"


def cached_usage(project: Project, scene_file: Path, print_: str) -> Usage | None:
    """The record of the scene's last clean dry run, if its code is unchanged since."""
    try:
        data = json.loads(usage_path(project, scene_file).read_text("utf-8"))
        if data.get("fingerprint") != print_:
            return None
        return Usage.from_json(json.dumps(data["usage"]))
    except (OSError, ValueError, KeyError, TypeError):
        return None  # missing, torn or from an older version: dry-run again


def store_usage(project: Project, scene_file: Path, print_: str, usage: Usage) -> None:
    path = usage_path(project, scene_file)
    path.parent.mkdir(parents=True, exist_ok=True)
    data = {"fingerprint": print_, "usage": json.loads(usage.to_json())}
    tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    tmp.write_text(json.dumps(data), "utf-8")
    os.replace(tmp, path)


def dry_run_all(
    project: Project, chapters: list[Chapter], isolated: bool = False
) -> dict[str, tuple]:
    """Dry-run ``chapters`` (key -> (usage, error)), in parallel processes when several.

    ``isolated``: always in fresh processes, even one chapter (a long-lived caller such
    as ``watch`` would otherwise keep stale copies of the shared ``scenes/`` modules).
    """
    if not chapters:
        return {}
    from .check import dry_run_usage  # Manim: only when a scene must run

    if len(chapters) == 1 and not isolated:
        return {c.key: dry_run_usage(project.root, c) for c in chapters}
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    workers = min(len(chapters), os.cpu_count() or 1)
    # spawn: a fresh interpreter per worker, so Manim's global config is never shared
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(workers, mp_context=context) as pool:
        futures = {c.key: pool.submit(dry_run_usage, project.root, c) for c in chapters}
        return {key: future.result() for key, future in futures.items()}


@dataclass
class CheckResult:
    problems: list[str]
    warnings: list[str]
    count: int  # chapters looked at
    dry_runs: int = 0  # chapters whose scene ran (the others came from the cache)


def check_chapters(project: Project, wanted: list[str] = (), isolated: bool = False) -> CheckResult:
    """Check the chapters asked for (all by default), dry-running only changed scenes."""
    problems: list[str] = []
    warnings: list[str] = []
    chapters: list[Chapter] = []
    try:
        files = project.select_files(list(wanted))
        lexicon = project.lexicon()
    except UserError as error:
        return CheckResult([str(error)], [], 0)
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
    usages: dict[str, Usage] = {}
    prints: dict[str, str] = {}
    scenes: dict[str, Path] = {}
    stale: list[Chapter] = []
    shared = ""
    for chapter in chapters:
        try:
            scenes[chapter.key] = project.scene_file(chapter)
        except UserError as error:
            problems.append(str(error))
            continue
        shared = shared or shared_fingerprint(project)  # once per check
        prints[chapter.key] = scene_fingerprint(project, scenes[chapter.key], shared)
        usage = cached_usage(project, scenes[chapter.key], prints[chapter.key])
        if usage is None:
            stale.append(chapter)
        else:
            usages[chapter.key] = usage
    runs = dry_run_all(project, stale, isolated)
    failed = [c for c in stale if runs[c.key][1] is not None]
    if len(stale) > 1 and failed:
        # parallel dry runs share the LaTeX cache and may race on one formula (a torn
        # .dvi): a failure is confirmed by running it again alone
        for chapter in failed:
            runs.update(dry_run_all(project, [chapter], isolated))
    for key, (usage, error) in runs.items():
        if error is not None:
            problems.append(error)
            continue
        usages[key] = usage
        if not usage.problems:  # a problem's text may quote the script: not reusable
            store_usage(project, scenes[key], prints[key], usage)
    for chapter in chapters:
        if chapter.key in usages:
            found, warned = compare(chapter, scenes[chapter.key], usages[chapter.key])
            problems += found
            warnings += warned
    return CheckResult(problems, warnings, len(files), len(stale))


def check_project(project: Project, wanted: list[str] = ()) -> tuple[list[str], list[str], int]:
    """Problems and warnings in the chapters asked for (all by default), and how many."""
    result = check_chapters(project, wanted)
    return result.problems, result.warnings, result.count
