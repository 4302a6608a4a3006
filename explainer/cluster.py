"""Rendering chapters on Dask distributed: a ``LocalCluster`` here, or a scheduler elsewhere.

One chapter is one task (``render_task``), submitted with the futures API. The same
task runs on both: the local default starts a ``LocalCluster`` (processes, one thread
and one ``render`` resource each, ``--jobs`` of them); ``--scheduler tcp://HOST:8786``
(or ``scheduler`` in pyproject.toml, ``EXPLAINER_SCHEDULER``) connects to a running one.

No shared filesystem is assumed. A task carries its inputs as bytes with their SHA-256
(the chapter's script, the lexicon, its scene, the shared ``scenes/`` modules, the cached
audio of its beats, its beat segments, the parsed chapter and the settings); the worker
writes them into a fresh temporary project, renders it there in a child process
(``python -m explainer.chapter_render``, as before: Manim's global state stays per
chapter) and returns every output as bytes with its SHA-256 (the MP4, the narration WAV,
the captions, the Manim log, the beats it synthesised and the segments it drew), all in
the task's result. The client checks each checksum and writes each file under a
temporary name, renamed when complete, so a run stopped at any point leaves the last
good outputs.

Progress travels as Dask events (``log_event`` on the worker, ``subscribe_topic`` on the
client); a ``distributed.Event`` tells running tasks to stop their render on Ctrl-C.
"""

from __future__ import annotations

import hashlib
import logging
import os
import pickle
import queue
import shutil
import subprocess
import sys
import tempfile
import threading
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from .errors import UserError
from .manifest import ChapterRecord
from .project import Project
from .script import Chapter
from .segments import CHAIN
from .settings import Settings

RENDER = {"render": 1}  # every render takes the one "render" a worker offers
RETRIES = 2
CONNECT_SECONDS = 5


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def pack(root: Path, paths: list[Path]) -> dict[str, tuple[bytes, str]]:
    """Files under ``root`` as ``{relative path: (bytes, sha256)}``."""
    out = {}
    for path in paths:
        data = path.read_bytes()
        out[path.relative_to(root).as_posix()] = (data, sha256(data))
    return out


def write_atomic(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f"{path.stem}.{os.getpid()}.part{path.suffix}")
    try:
        tmp.write_bytes(data)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def unpack(root: Path, files: dict[str, tuple[bytes, str]], what: str) -> list[Path]:
    """Check every checksum first, then write the files under ``root``; sidecars (.json) last.

    The order matters for the audio cache: an entry counts once its JSON exists.
    """
    for name, (data, digest) in files.items():
        if sha256(data) != digest or name.startswith("/") or ".." in Path(name).parts:
            raise ValueError(f"{what}: {name} arrived damaged (checksum or path); not written")
    written = []
    for name in sorted(files, key=lambda n: (n.endswith(".json"), n)):
        path = root / name
        write_atomic(path, files[name][0])
        written.append(path)
    return written


# --------------------------------------------------------------------------- the job


def code_version() -> str:
    """The pipeline code a chapter's files depend on; a worker must run the same."""
    from . import fingerprint

    return fingerprint.source_hash(*fingerprint.CHAPTER_MODULES)


def audio_entries(project: Project, chapter: Chapter, voice) -> list[Path]:
    """The cache files (WAV and JSON) of the chapter's beats that are cached already."""
    from .narration import Narrator, cache_key

    narrator = Narrator(voice, project.audio_cache)
    out = []
    for beat in chapter.beats:
        key = cache_key(voice, beat.spoken, sorted(set(beat.bookmarks.values())))
        wav, meta = narrator.paths(key)
        if wav.is_file() and meta.is_file() and wav not in out:
            out += [wav, meta]
    return out


def segment_folder(root: Path, quality: str, key: str) -> Path:
    """Where a chapter's beat segments live (see segments.py)."""
    return root / "build" / quality / "segments" / key


def task_inputs(
    project: Project, chapter: Chapter, voice, settings: Settings | None = None
) -> list[Path]:
    """Every project file a chapter's render reads: its script, scene code, cached beat
    audio and (when ``settings.segments``) its beat segments at that quality."""
    from .fingerprint import shared_scene_files

    paths = [chapter.path, project.script_dir / "lexicon.md", project.scene_file(chapter)]
    paths += sorted(shared_scene_files(project))
    paths += audio_entries(project, chapter, voice)
    if settings is not None and settings.segments:
        folder = segment_folder(project.root, settings.quality, chapter.key)
        if folder.is_dir():
            paths += sorted(p for p in folder.iterdir() if ".part" not in p.name)
    return [p for p in paths if p.is_file()]


def local_text_cache(project: Project) -> Path:
    """Where this machine keeps Manim's LaTeX, text and parsed-SVG caches, per chapter."""
    return project.root / "build" / ".manim-cache"


def make_job(
    project: Project, chapter: Chapter, settings: Settings, voice, run: str, local: bool = False
) -> dict[str, object]:
    return {
        "run": run,
        "key": chapter.key,
        "chapter": chapter,  # parsed once on the client; its files travel too
        "settings": settings,
        "code": code_version(),
        "inputs": pack(project.root, task_inputs(project, chapter, voice, settings)),
        # a LocalCluster's workers share this machine: Manim's LaTeX and text SVGs (keyed
        # by content) then outlive the run in the project, so an edit does not compile
        # the chapter's formulas again; a remote worker keeps them in its own folder
        "text_cache": str(local_text_cache(project)) if local else "",
    }


def task_outputs(root: Path, record: ChapterRecord, inputs: dict) -> list[Path]:
    """The files a finished render leaves in the worker's project that the client keeps."""
    build = root / "build" / record.quality
    named = [*record.outputs.values(), record.narration, f"logs/{record.key}.log"]
    paths = [Path(os.path.normpath(build / p)) for p in named]  # subtitles/ is ../../
    # what this render made that the client lacks: beats it synthesised, beats it drew
    for folder in (root / "audio" / "cache", segment_folder(root, record.quality, record.key)):
        if folder.is_dir():
            paths += [
                p
                for p in sorted(folder.rglob("*"))
                if p.is_file()
                and ".part" not in p.name
                # the chain is rewritten by every render (segments.ChainRecorder)
                and (p.name == CHAIN or p.relative_to(root).as_posix() not in inputs)
            ]
    return paths


def segments_kept(root: Path, record: ChapterRecord) -> list[str]:
    """The names of the segments the render used (the rest of its folder was pruned)."""
    folder = segment_folder(root, record.quality, record.key)
    return sorted(p.name for p in folder.iterdir()) if folder.is_dir() else []


def prune_segments(root: Path, record: ChapterRecord, kept: list[str]) -> None:
    """On the client: drop the chapter's segments its last render did not use."""
    folder = segment_folder(root, record.quality, record.key)
    if folder.is_dir():
        for path in folder.iterdir():
            if path.name not in kept:
                path.unlink(missing_ok=True)


# --------------------------------------------------------------------------- on a worker


def _die_with_parent() -> None:
    """In the child: end if the worker that started it dies (SIGKILL included; Linux)."""
    try:
        import ctypes
        import signal

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


def render_task(job: dict) -> dict:
    """Render one chapter on this worker from the job's bytes; the outputs come back as bytes.

    Idempotent: every attempt starts from an empty temporary project, so a retry (after
    a worker died, say) redoes the chapter from its inputs and returns the same files.
    A mistake in the chapter comes back as ``{"error": line}`` (no retry helps it); a
    render that dies unexplained raises, and Dask retries it.
    """
    from distributed import Event, get_worker

    worker = get_worker()
    key, run = job["key"], job["run"]

    def send(event: dict) -> None:
        worker.log_event(f"explainer-{run}", {"key": key, **event})

    if job["code"] != code_version():
        return {
            "error": f"{key}: worker {worker.address} runs other pipeline code than this "
            "checkout; update it (git pull, then setup.sh) and restart it"
        }
    stop = Event(f"explainer-{run}-stop")
    base = Path(worker.local_directory) / "explainer"
    base.mkdir(parents=True, exist_ok=True)
    root = Path(tempfile.mkdtemp(prefix=f"{key}-", dir=base))
    try:
        unpack(root, job["inputs"], key)
        settings: Settings = job["settings"]
        # Manim's LaTeX and text caches (keyed by content) outlive the attempt, per chapter
        media = root / "build" / settings.quality / "work" / key / "media"
        media.mkdir(parents=True)
        cache = Path(job["text_cache"]) if job.get("text_cache") else base / "manim"
        link_text_cache(media, cache / key)
        send({"event": "started", "worker": worker.address})
        child = {"root": root, "chapter": job["chapter"], "settings": settings}
        result = run_child(root, child, send, stop.is_set, _die_with_parent)
        if result.get("error") == STOPPED:
            return {"error": f"{key}: stopped"}
        log = root / "build" / settings.quality / "logs" / f"{key}.log"
        if "error" in result:
            result["files"] = pack(root, [log]) if log.is_file() else {}
            return result
        record = ChapterRecord.from_dict(result["record"])
        result["files"] = pack(root, task_outputs(root, record, job["inputs"]))
        if settings.segments:
            result["segments"] = segments_kept(root, record)
        return result
    finally:
        shutil.rmtree(root, ignore_errors=True)


STOPPED = "stopped"
TEXT_CACHES = ("Tex", "texts", "svg-mobjects")  # Manim's LaTeX and text SVGs; parsed SVGs


def link_text_cache(media: Path, kept: Path) -> None:
    """Point ``media``'s LaTeX, text and parsed-SVG caches at ``kept`` (they outlive a render).

    All are keyed by content, so sharing them between renders of a chapter is safe.
    """
    media.mkdir(parents=True, exist_ok=True)
    for name in TEXT_CACHES:
        target = kept / name
        target.mkdir(parents=True, exist_ok=True)
        link = media / name
        if link.is_symlink() and link.resolve() == target.resolve():
            continue
        if link.is_symlink() or link.is_file():
            link.unlink()
        elif link.is_dir():
            shutil.rmtree(link)  # a cache of its own from an older version: use the shared one
        link.symlink_to(target, target_is_directory=True)


def run_child(
    root: Path,
    payload: dict,
    on_event: Callable[[dict], None],
    should_stop: Callable[[], bool],
    preexec: Callable[[], None] | None = None,
) -> dict:
    """Run ``python -m explainer.chapter_render`` on ``payload`` in ``root``.

    Its progress events go to ``on_event``; returns {"record": ...} or {"error": line}.
    ``should_stop`` is asked every second: when it says so the render is
    killed and the result is ``{"error": STOPPED}``. The child never outlives this call.
    """
    proc = subprocess.Popen(
        [sys.executable, "-m", "explainer.chapter_render"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        cwd=root,
        preexec_fn=preexec,
    )
    try:
        assert proc.stdin is not None and proc.stdout is not None
        proc.stdin.write(pickle.dumps(payload))
        proc.stdin.close()
        lines: queue.Queue = queue.Queue()

        def read() -> None:
            for raw in proc.stdout:
                lines.put(raw)
            lines.put(None)

        threading.Thread(target=read, daemon=True).start()
        result: dict | None = None
        while True:
            try:
                raw = lines.get(timeout=1.0)
            except queue.Empty:
                if should_stop():
                    return {"error": STOPPED}
                continue
            if raw is None:
                break
            try:
                event = parse_event(raw)
            except ValueError:
                continue
            if event["event"] == "done":
                result = {"record": event["record"]}
            elif event["event"] == "error":
                result = {"error": event["message"]}
            else:
                on_event(event)
        code = proc.wait()
        if result is None:
            key = payload["chapter"].key
            raise RuntimeError(f"{key}: the render process ended with code {code} and no result")
        return result
    finally:
        if proc.poll() is None:  # stopped, interrupted or failed here: so is the render
            proc.kill()
            proc.wait()


def parse_event(raw: bytes) -> dict:
    """One JSON line of the render child's progress."""
    import json

    event = json.loads(raw)
    if not isinstance(event, dict) or "event" not in event:
        raise ValueError("not an event")
    return event


# --------------------------------------------------------------------------- on the client


def _quiet_worker_plugin():
    """A worker plugin: this machine's workers (and their renders) ignore Ctrl-C.

    Ctrl-C reaches every process of the terminal's group; the client alone handles it
    (it stops the renders and closes the cluster), so workers print no tracebacks.
    """
    import signal

    from distributed.diagnostics.plugin import WorkerPlugin

    class IgnoreInterrupt(WorkerPlugin):
        def setup(self, worker) -> None:
            try:
                signal.signal(signal.SIGINT, signal.SIG_IGN)  # inherited by the render child
            except ValueError:  # not the main thread: leave it
                pass

    return IgnoreInterrupt()


@contextmanager
def connect(scheduler: str, jobs: int, project: Project) -> Iterator:
    """A client on ``scheduler``, or on a LocalCluster of ``jobs`` workers (closed after)."""
    from distributed import Client, LocalCluster

    if scheduler:
        try:
            client = Client(scheduler, timeout=CONNECT_SECONDS, set_as_default=False)
        except (OSError, TimeoutError, ValueError) as error:
            reason = str(error).split("\n")[0][:120]
            raise UserError(
                f"no Dask scheduler answers at {scheduler} ({reason}); start one with "
                "'uv run dask scheduler' and workers with 'uv run dask worker "
                f"{scheduler} --nthreads 1 --resources render=1', or drop --scheduler "
                "to render on this machine"
            ) from None
        try:
            workers = client.scheduler_info(n_workers=-1)["workers"].values()
            if not any(w.get("resources", {}).get("render") for w in workers):
                raise UserError(
                    f"the Dask scheduler at {scheduler} has no worker offering 'render' "
                    f"({len(workers)} workers); start one with 'uv run dask worker "
                    f"{scheduler} --nthreads 1 --resources render=1'"
                )
            yield client
        finally:
            client.close()
        return
    cluster = LocalCluster(
        n_workers=jobs,
        threads_per_worker=1,
        processes=True,
        resources=RENDER,
        dashboard_address=None,
        memory_limit=0,  # the render runs in a child process the worker does not own
        silence_logs=logging.CRITICAL,
        local_directory=str(project.root / "build" / ".dask"),
    )
    try:
        client = Client(cluster, set_as_default=False)
        try:
            client.register_plugin(_quiet_worker_plugin(), name="explainer-ignore-interrupt")
            yield client
        finally:
            client.close()
    finally:
        cluster.close()


def run_chapters(
    project: Project,
    chapters: list[Chapter],
    settings: Settings,
    voice,
    jobs: int,
    scheduler: str,
    expected: dict[str, float],
    on_event: Callable[[str, dict], None],
    keep_going: bool,
    on_record: Callable[[ChapterRecord], None],
) -> list[str]:
    """Render ``chapters`` as Dask tasks, the longest (``expected`` seconds) first.

    Each finished chapter's files are checked and written, and its record goes to
    ``on_record``, as soon as it arrives, so an interrupted run keeps what finished.
    Returns the errors, one line each. One chapter on this machine (the writer's loop)
    is rendered here, without a cluster: :func:`run_here`.
    """
    if not scheduler and len(chapters) == 1:
        return run_here(project, chapters[0], settings, on_event, on_record)
    import dask
    from distributed import Event, as_completed

    run = uuid.uuid4().hex[:12]
    order = sorted(chapters, key=lambda c: -expected.get(c.key, 0.0))
    errors: list[str] = []
    started: set[str] = set()

    def on_topic(item) -> None:
        _, event = item
        if event.get("event") == "started":
            started.add(event["key"])
        on_event(event["key"], event)

    with connect(scheduler, jobs, project) as client:
        client.subscribe_topic(f"explainer-{run}", on_topic)
        stop = Event(f"explainer-{run}-stop", client=client)
        futures = {}
        for rank, chapter in enumerate(order):
            # a task carries its inputs (10-15 MiB: audio, segments) by design, so that a
            # retry on another worker has them; Dask would warn about every such graph
            with dask.config.set({"distributed.admin.large-graph-warning-threshold": "1GiB"}):
                future = client.submit(
                    render_task,
                    make_job(project, chapter, settings, voice, run, local=not scheduler),
                    key=f"render-{chapter.key}-{run}",
                    resources=RENDER,
                    retries=RETRIES,
                    priority=len(order) - rank,
                    pure=False,
                )
            futures[future] = chapter
        try:
            for future in as_completed(list(futures), loop=client.loop):
                chapter = futures[future]
                if future.cancelled():
                    continue
                try:
                    result = future.result()
                except Exception as error:  # died on every attempt, or the task failed
                    result = {"error": task_failure(chapter.key, error)}
                if "error" in result:
                    unpack(project.root, result.get("files", {}), chapter.key)
                    errors.append(result["error"])
                    on_event(chapter.key, {"event": "error", "message": result["error"]})
                    if not keep_going:  # as before: chapters already running finish
                        client.cancel(
                            [f for f, c in futures.items() if c.key not in started and not f.done()]
                        )
                    continue
                try:
                    unpack(project.root, result["files"], chapter.key)
                except ValueError as error:
                    errors.append(str(error))
                    on_event(chapter.key, {"event": "error", "message": str(error)})
                    continue
                record = ChapterRecord.from_dict(result["record"])
                if "segments" in result:
                    prune_segments(project.root, record, result["segments"])
                on_event(chapter.key, {"event": "done", "record": record})
                on_record(record)
        except BaseException:
            stop.set()  # running renders end within a second; pending ones never start
            client.cancel(list(futures), force=True)
            raise
        finally:
            client.unsubscribe_topic(f"explainer-{run}")
    return errors


def run_here(
    project: Project,
    chapter: Chapter,
    settings: Settings,
    on_event: Callable[[str, dict], None],
    on_record: Callable[[ChapterRecord], None],
) -> list[str]:
    """Render one chapter in a child process on this machine, straight into the project.

    What a one-chapter local run needs and no more: no cluster to start (5-6 s here),
    no inputs or outputs to copy. The child writes every output under a temporary
    name and renames it when complete, as on a worker, so a stopped run keeps the last
    good ones; it shares the LocalCluster workers' LaTeX and text caches.
    """
    key = chapter.key
    media = project.build_dir(settings.quality) / "work" / key / "media"
    link_text_cache(media, local_text_cache(project) / key)
    on_event(key, {"event": "started"})
    payload = {"root": project.root, "chapter": chapter, "settings": settings}
    try:
        result = run_child(project.root, payload, lambda event: on_event(key, event), lambda: False)
    except RuntimeError as error:
        result = {"error": f"{error} (details in build/{settings.quality}/logs/{key}.log)"}
    if "error" in result:
        on_event(key, {"event": "error", "message": result["error"]})
        return [result["error"]]
    record = ChapterRecord.from_dict(result["record"])
    on_event(key, {"event": "done", "record": record})
    on_record(record)
    return []


def task_failure(key: str, error: BaseException) -> str:
    from distributed import KilledWorker

    if isinstance(error, KilledWorker):
        return f"{key}: the workers rendering it died on every attempt; see their logs"
    text = str(error).split("\n")[0]
    return f"{key}: {type(error).__name__}: {text} (after {RETRIES + 1} attempts)"
