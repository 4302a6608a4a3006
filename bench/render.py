"""Rendering benchmark: prints figures, asserts nothing. Takes several minutes.

    uv run python bench/render.py            # everything
    uv run python bench/render.py --no-high  # skip the 1080p60 render of chapter 1
    uv run python bench/render.py --chapters 4  # the multi-chapter rows on chapters 1-4 only
    uv run python bench/render.py --check-only  # only the check rows (all chapters)
    uv run python bench/render.py --chapter-only  # chapter 1: full render, one-word edits

Works on a scratch copy of the project (its own build/ and audio cache, the real
scripts and scenes), so the working tree's outputs are untouched. The --jobs
comparison needs at least two chapters: if the project has one, chapter 1 is
copied as a second chapter for that measurement.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def scratch_project(dest: Path, min_chapters: int = 1, max_chapters: int | None = None) -> Path:
    for name in ("script", "scenes"):
        shutil.copytree(ROOT / name, dest / name, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", dest / "pyproject.toml")
    chapters = sorted((dest / "script").glob("[0-9][0-9]-*.md"))
    for extra in chapters[max_chapters:] if max_chapters else []:
        extra.unlink()
        for scene in (dest / "scenes").glob(f"{extra.name[:2]}_*.py"):
            scene.unlink()
    chapters = chapters[:max_chapters] if max_chapters else chapters
    if len(chapters) < min_chapters:
        first_script, first_scene = chapters[0], next((dest / "scenes").glob("01_*.py"))
        shutil.copy(first_script, dest / "script" / "02-copy.md")
        shutil.copy(first_scene, dest / "scenes" / "02_copy.py")
    return dest


def run(root: Path, *args: str) -> float:
    env = dict(os.environ, EXPLAINER_ROOT=str(root))
    started = time.perf_counter()
    result = subprocess.run(
        [sys.executable, str(ROOT / "render.py"), "-q", *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
    )
    if result.returncode != 0:
        sys.exit(f"render.py {' '.join(args)} failed:\n{result.stderr}")
    return time.perf_counter() - started


def check_rows(tmp: Path) -> list[tuple[str, str]]:
    """``render.py check`` on every chapter: cold, unchanged, after a one-word script edit."""
    root = scratch_project(tmp / "check")
    count = len(list((root / "script").glob("[0-9][0-9]-*.md")))
    cold = run(root, "check")
    warm = min(run(root, "check") for _ in range(3))
    script = sorted((root / "script").glob("[0-9][0-9]-*.md"))[0]
    text = script.read_text()
    script.write_text(text.replace(" the ", " a ", 1))
    edited = run(root, "check")
    scene = sorted((root / "scenes").glob("[0-9][0-9]_*.py"))[0]
    scene.write_text(scene.read_text() + "\n# touched\n")
    one_scene = run(root, "check")
    return [
        (f"check, {count} chapters, nothing cached", f"{cold:.1f} s"),
        (f"check, {count} chapters, nothing changed (target <= 5 s)", f"{warm:.2f} s"),
        ("check after a one-word script edit", f"{edited:.2f} s"),
        ("check after a scene edit (one chapter dry-run)", f"{one_scene:.1f} s"),
    ]


def one_word_edit(beat: str) -> str:
    """The beat's text with one small word swapped for another."""
    for old, new in ((" the ", " a "), (" a ", " the "), (" every ", " each ")):
        if old in beat:
            return beat.replace(old, new, 1)
    sys.exit(f"no word to swap in: {beat[:60]!r}")


def manifest(root: Path, quality: str) -> dict:
    return json.loads((root / "build" / quality / "manifest.json").read_text())


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--no-high", action="store_true")
    parser.add_argument(
        "--chapters",
        type=int,
        default=None,
        metavar="N",
        help="use only the first N chapters for the --jobs, whole-video and assembly rows",
    )
    parser.add_argument("--check-only", action="store_true", help="only the check rows")
    parser.add_argument(
        "--chapter-only", action="store_true", help="only the chapter 1 rows (render, edits)"
    )
    args = parser.parse_args()
    cores = os.cpu_count() or 1
    print(f"machine: {cores} cores, Python {sys.version.split()[0]}")
    print(f"load average before: {os.getloadavg()[0]:.1f}")
    rows: list[tuple[str, str]] = []
    with tempfile.TemporaryDirectory() as tmp:
        if not args.chapter_only:
            rows += check_rows(Path(tmp))
        if args.check_only:
            report(rows)
            return
        root = scratch_project(Path(tmp) / "one")
        run(root, "1", "--quality", "low")  # warm the audio and LaTeX caches
        script = sorted((root / "script").glob("01-*.md"))[0]
        text = script.read_text()
        for quality in ("low",) + (() if args.no_high else ("high",)):
            # --force draws every beat again: the chapter's full render
            full_render = run(root, "1", "--quality", quality, "--force")
            video = manifest(root, quality)["chapters"][0]["duration"]
            rows.append(
                (
                    f"chapter 1 at {quality}",
                    f"{full_render / video:.2f} s wall per s of video "
                    f"({full_render:.1f} s for {video:.1f} s)",
                )
            )
            if quality == "low":
                noop = run(root, "1", "--quality", "low")
                rows.append(("no-op re-render", f"{noop:.2f} s"))
            # one word in the last beat: only that beat is drawn again (beat segments)
            last = text.rindex("\n## ")
            edited_text = text[:last] + one_word_edit(text[last:])
            script.write_text(edited_text)
            edit = run(root, "1", "--quality", quality)
            script.write_text(text)
            rows.append(
                (
                    f"one-word edit, chapter 1 at {quality} (target <= 0.25x)",
                    f"{edit:.1f} s = {edit / full_render:.2f}x its full render "
                    f"({full_render:.1f} s)",
                )
            )
            # and one word in the first beat: every later beat's picture is unchanged too
            first = text.index("\n## ")
            second = text.index("\n## ", first + 1)
            edited_text = text[:first] + one_word_edit(text[first:second]) + text[second:]
            if quality == "low":
                # from the original rendered again (the last-beat edit pruned its last
                # beat's segment), so that this too is one word changed since a render
                run(root, "1", "--quality", quality)
                script.write_text(edited_text)
                edit = run(root, "1", "--quality", quality)
                script.write_text(text)
                rows.append(
                    (
                        f"one-word edit in chapter 1's first beat at {quality}",
                        f"{edit:.1f} s = {edit / full_render:.2f}x its full render",
                    )
                )
        if args.chapter_only:
            report(rows)
            return

        many = scratch_project(Path(tmp) / "many", min_chapters=2, max_chapters=args.chapters)
        run(many, "--quality", "low")  # warm caches, assemble once
        keys = [p.name[:2] for p in sorted((many / "script").glob("[0-9][0-9]-*.md"))]
        # chapter rendering only (naming the chapters skips the one-process assembly)
        serial = run(many, *keys, "--quality", "low", "--force", "--jobs", "1")
        parallel = run(many, *keys, "--quality", "low", "--force", "--jobs", str(cores))
        rows.append(
            (
                f"all chapters, --jobs 1 vs {cores}",
                f"{serial:.1f} s vs {parallel:.1f} s: {serial / parallel:.2f}x speed-up",
            )
        )
        # the editor's loop on the whole video: change one word, re-run everything
        script = sorted((many / "script").glob("[0-9][0-9]-*.md"))[-1]
        text = script.read_text()
        script.write_text(text.replace(" the ", " a ", 1))
        whole_edit = run(many, "--quality", "low", "--jobs", str(cores))
        script.write_text(text)
        rows.append(
            (
                f"one-word edit, whole video ({len(keys)} chapters)",
                f"{whole_edit:.1f} s = {whole_edit / parallel:.2f}x rendering them all "
                f"with --jobs {cores} ({parallel:.1f} s)",
            )
        )
        data = manifest(many, "low")
        minutes = data["full"]["duration"] / 60
        rows.append(
            (
                "assembly (join, mux, captions, loudness)",
                f"{data['full']['seconds'] / minutes:.1f} s per minute of video",
            )
        )
    report(rows)
    print("\nTTS real-time factors and cache hits: uv run python bench/tts.py")


def report(rows: list[tuple[str, str]]) -> None:
    print()
    width = max(len(name) for name, _ in rows)
    for name, value in rows:
        print(f"{name:<{width}}  {value}")
    print(f"load average after: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
