"""``render.py watch``: check and re-render on every save, the writer's live preview.

Watches ``script/`` (the chapters and the lexicon) and ``scenes/`` with ``watchfiles``.
On each save it runs ``check`` on the watched chapters (unchanged scenes come from the
check cache, so this takes a second), then, if the check is clean, a normal
``render.py render`` of those chapters at preview quality (``low`` by default): only
chapters whose inputs changed are rendered, and the manifest and watch pages are
updated as by any render, so ``render.py serve`` reloads the page. It prints one
line per result: a chapter rendered, nothing changed, or an error with its file:line
(the last good video stays).

Saves during a render are not lost and do not start a second render: ``watchfiles``
keeps collecting changes while a run is busy, and all of them start one more run
when it ends. Ctrl-C stops the render in progress (its worker leaves the last good
outputs, as any interrupted render) and exits cleanly.

The watch process never imports Manim: a changed scene's dry run and the renders
run in fresh processes, so an edit to a shared ``scenes/`` module is always seen.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterable
from pathlib import Path

from .errors import UserError, display
from .manifest import Manifest
from .project import Project

RENDER_PY = Path(__file__).resolve().parent.parent / "render.py"


def relevant(path: str) -> bool:
    """A file whose change matters: a script (``.md``) or scene (``.py``), not an editor's temp."""
    name = Path(path).name
    if name.startswith((".", "#")) or name.endswith("~") or "__pycache__" in path:
        return False
    return name.endswith((".md", ".py"))


def render_command(project: Project, chapters: list[str], quality: str) -> list[str]:
    # explicit chapters: the chapters are rendered, the full video is not assembled
    return [sys.executable, str(RENDER_PY), "render", *chapters, "--quality", quality, "-q"]


class Watcher:
    """One check-and-render run per batch of saves; ``say`` gets one line per result."""

    def __init__(
        self,
        project: Project,
        chapters: list[str],
        quality: str,
        say: Callable[[str], None] = print,
    ) -> None:
        self.project = project
        self.wanted = list(chapters)
        self.quality = quality
        self.say = say
        self.runs = 0
        self.isolated = True  # dry runs in fresh processes (see the module's docstring)

    def chapters(self) -> list[str]:
        """The chapters to render: those asked for, or every chapter (by number)."""
        if self.wanted:
            return self.wanted
        return [str(int(path.name[:2])) for path in self.project.chapter_files()]

    def run(self) -> bool:
        """Check, then render what changed; False when the check or the render failed."""
        from .usage import check_chapters

        self.runs += 1
        try:
            chapters = self.chapters()
        except UserError as error:
            self.say(f"error: {error}")
            return False
        result = check_chapters(self.project, self.wanted, isolated=self.isolated)
        if result.problems:
            for problem in result.problems:
                self.say(f"error: {problem}")
            self.say(f"check failed: {len(result.problems)} problems; not rendered")
            return False
        return self.render(chapters)

    def render(self, chapters: list[str]) -> bool:
        build = self.project.build_dir(self.quality)
        before = Manifest.load(build, self.quality).chapters
        env = dict(os.environ, EXPLAINER_ROOT=str(self.project.root))
        proc = subprocess.Popen(
            render_command(self.project, chapters, self.quality),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
        )
        try:
            stdout, stderr = proc.communicate()
        except KeyboardInterrupt:
            # Ctrl-C reached the render too (same process group); let it stop its
            # workers and keep the last good outputs rather than killing it mid-way
            proc.send_signal(signal.SIGINT)
            try:
                proc.wait(timeout=60)
            except subprocess.TimeoutExpired:
                proc.kill()
            raise
        after = Manifest.load(build, self.quality)
        changed = [
            record
            for key, record in sorted(after.chapters.items())
            if key not in before or before[key].to_dict() != record.to_dict()
        ]
        for record in changed:
            self.say(
                f"rendered {record.key}: {record.duration:.1f} s of video in "
                f"{record.seconds:.1f} s -> {display(after.video(record))}"
            )
        errors = [line for line in stderr.splitlines() if line.startswith("error:")]
        for line in errors:
            self.say(line)
        if proc.returncode != 0 and not errors:
            last = (stderr.strip() or stdout.strip() or "no output").splitlines()[-1]
            self.say(f"error: render exited with {proc.returncode}: {last}")
        if proc.returncode == 0 and not changed:
            self.say("no change to render")
        return proc.returncode == 0


def watch(
    project: Project,
    chapters: list[str],
    quality: str,
    say: Callable[[str], None] = print,
    stop: threading.Event | None = None,
    changes: Iterable | None = None,
    watcher: Watcher | None = None,
) -> int:
    """Run once, then once per batch of saves until Ctrl-C (or ``stop``). Returns 0.

    ``changes``: batches of ``(change, path)`` (an empty batch: no change) to act on
    instead of watching the disk.
    """
    watcher = watcher or Watcher(project, chapters, quality, say)
    folders = [project.script_dir, project.scenes_dir]
    if changes is None:
        from watchfiles import watch as watch_files

        # the first (empty) batch comes once the watcher is running, so saves made
        # during the first run are caught too
        changes = watch_files(
            *folders,
            watch_filter=lambda change, path: relevant(path),
            stop_event=stop,
            debounce=300,
            rust_timeout=500,
            yield_on_timeout=True,
            raise_interrupt=True,
        )
    say(f"watching {', '.join(display(f) for f in folders)} ({quality} quality; Ctrl-C stops)")
    ran = False
    try:
        for batch in changes:
            if batch:
                paths = sorted({display(Path(path)) for _, path in batch})
                more = f" and {len(paths) - 3} more" if len(paths) > 3 else ""
                say(f"{time.strftime('%H:%M:%S')} changed: {', '.join(paths[:3])}{more}")
            if batch or not ran:
                try:
                    watcher.run()
                except Exception as error:  # a pipeline bug: say it, keep watching
                    say(f"error: watch: {type(error).__name__}: {error}")
                ran = True
            if stop is not None and stop.is_set():
                break
    except KeyboardInterrupt:
        pass
    say("watch stopped")
    return 0
