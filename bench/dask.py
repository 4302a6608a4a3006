"""Dask benchmark: 2 local workers vs 1 on four chapters at low. Prints figures, asserts nothing.

    uv run python bench/dask.py               # the first four chapters, once each way
    uv run python bench/dask.py --repeat 2    # best of two runs each way
    uv run python bench/dask.py --chapters 2  # fewer chapters (quicker, less telling)
    uv run python bench/dask.py --source DIR  # another project's chapters (a small test one)

Works on a scratch copy of the project (bench/render.py's), so the working tree's
outputs are untouched. Both runs render the same chapters with ``--force`` after
``render.py subtitles`` has filled the audio cache, so they time frames, not voices.
The machine's load average is printed before and after: on a shared machine the ratio
says as much about the neighbours as about the pipeline.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from render import ROOT, run, scratch_project  # noqa: E402  (bench/render.py)


def copy_project(source: Path, dest: Path, chapters: int) -> Path:
    """Chapters 1-``chapters`` of the project at ``source`` (its settings, else ours)."""
    for name in ("script", "scenes"):
        shutil.copytree(source / name, dest / name, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(
        source / "pyproject.toml"
        if (source / "pyproject.toml").exists()
        else ROOT / "pyproject.toml",
        dest / "pyproject.toml",
    )
    for extra in sorted((dest / "script").glob("[0-9][0-9]-*.md"))[chapters:]:
        extra.unlink()
        for scene in (dest / "scenes").glob(f"{extra.name[:2]}_*.py"):
            scene.unlink()
    return dest


def load() -> str:
    one, five, _ = os.getloadavg()
    return f"load average {one:.1f} (1 min), {five:.1f} (5 min) on {os.cpu_count()} cores"


def voice_all(root: Path) -> float:
    """Fill the scratch project's audio cache (every beat voiced), drawing no frame."""
    from explainer import settings as settings_module
    from explainer.narration import Narrator
    from explainer.project import Project
    from explainer.voices import make_voice

    started = time.perf_counter()
    project = Project(root)
    voice = make_voice(settings_module.load(root / "pyproject.toml"))
    narrator = Narrator(voice, project.audio_cache)
    for chapter in project.chapters():
        narrator.speak_all(chapter.beats)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--chapters", type=int, default=4, metavar="N")
    parser.add_argument("--repeat", type=int, default=1, metavar="R")
    parser.add_argument("--source", type=Path, help="the project to copy (default: this one)")
    args = parser.parse_args()

    print(f"before: {load()}", flush=True)
    with tempfile.TemporaryDirectory() as tmp:
        if args.source:
            root = copy_project(args.source, Path(tmp) / "p", args.chapters)
        else:
            root = scratch_project(Path(tmp) / "p", min_chapters=2, max_chapters=args.chapters)
        keys = [p.name[:2] for p in sorted((root / "script").glob("[0-9][0-9]-*.md"))]
        warm = voice_all(root)
        print(f"warm-up (voices only, no frames): {warm:.1f} s", flush=True)
        times: dict[int, list[float]] = {1: [], 2: []}
        for _ in range(args.repeat):
            for jobs in (1, 2):
                seconds = run(root, *keys, "--quality", "low", "--force", "--jobs", str(jobs))
                times[jobs].append(seconds)
                print(f"--jobs {jobs}: {seconds:.1f} s ({load()})", flush=True)
        started = time.perf_counter()
        noop = run(root, *keys, "--quality", "low")
        noop = min(noop, time.perf_counter() - started)
    one, two = min(times[1]), min(times[2])
    print()
    print(
        f"{len(keys)} chapters at low, LocalCluster 1 worker vs 2: "
        f"{one:.1f} s vs {two:.1f} s: {one / two:.2f}x speed-up"
    )
    print(f"no-op run (nothing to render, no cluster started): {noop:.2f} s")
    print(f"after: {load()}")


if __name__ == "__main__":
    main()
