"""Rendering on Dask: a real scheduler and two workers on 127.0.0.1, against a local render.

Each worker runs in its own empty temporary folder: everything a chapter needs travels
in its task, and everything it makes comes back in its result.
"""

import os
import signal
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

import pytest
from conftest import ROOT, write_chapter
from test_full import BODY, render, script

from explainer import cluster, media
from explainer.manifest import Manifest

slow = pytest.mark.slow  # renders real video


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def two_chapters(root: Path) -> Path:
    (root / "script").mkdir(parents=True, exist_ok=True)
    write_chapter(root, "01-opening", script("Opening", "first"), BODY)
    write_chapter(root, "02-middle", script("Middle", "second"), BODY)
    return root


@contextmanager
def loopback_cluster(tmp: Path, workers: int = 2):
    """``dask scheduler`` and ``workers`` ``dask worker`` processes, each in an empty folder."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("EXPLAINER_")}
    port = free_port()
    address = f"tcp://127.0.0.1:{port}"
    procs: dict[str, subprocess.Popen] = {}
    dask = [sys.executable, "-m", "dask"]
    try:
        home = tmp / "scheduler"
        home.mkdir(parents=True)
        procs["scheduler"] = subprocess.Popen(
            [*dask, "scheduler", "--host", "127.0.0.1", "--port", str(port), "--no-dashboard"],
            cwd=home,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        for n in range(workers):
            home = tmp / f"worker{n}"
            home.mkdir(parents=True)
            worker_port = free_port()
            procs[f"tcp://127.0.0.1:{worker_port}"] = subprocess.Popen(
                [
                    *dask,
                    "worker",
                    address,
                    "--host",
                    "127.0.0.1",
                    "--worker-port",
                    str(worker_port),
                    "--nthreads",
                    "1",
                    "--resources",
                    "render=1",
                    "--no-dashboard",
                    "--local-directory",
                    str(home),
                ],
                cwd=home,
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                start_new_session=True,
            )
        from distributed import Client

        with Client(address, timeout=120) as client:
            client.wait_for_workers(workers, timeout=300)
        yield address, procs
    finally:
        for proc in procs.values():
            try:
                os.killpg(proc.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
        for proc in procs.values():
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()


def assert_same_render(local: Path, remote: Path) -> None:
    """Captions byte-identical, narration identical, durations equal, frames equal."""
    a, b = Manifest.load(local / "build/low"), Manifest.load(remote / "build/low")
    assert sorted(a.chapters) == sorted(b.chapters) == ["01-opening", "02-middle"]
    for key in a.chapters:
        ra, rb = a.chapters[key], b.chapters[key]
        assert (ra.duration, ra.frames, ra.beats) == (rb.duration, rb.frames, rb.beats)
        for suffix in (".srt", ".vtt"):
            for folder in ("subtitles", "build/low"):
                name = f"{folder}/{key}{suffix}"
                assert (local / name).read_bytes() == (remote / name).read_bytes(), name
        assert a.path(ra.narration).read_bytes() == b.path(rb.narration).read_bytes()
        assert media.frame_checksums(a.video(ra)) == media.frame_checksums(b.video(rb))
    leftovers = [p for p in remote.rglob("*") if ".part" in p.name]
    assert leftovers == []


def cache_entries(root: Path) -> list[str]:
    return sorted(p.name for p in (root / "audio/cache").rglob("*") if p.is_file())


@pytest.fixture(scope="module")
def local_render(tmp_path_factory) -> Path:
    root = two_chapters(tmp_path_factory.mktemp("local"))
    result = render(root, "1", "2", "--jobs", "2", timeout=2400)
    assert result.returncode == 0, result.stderr
    return root


@slow
def test_scheduler_render_matches_local_and_fills_the_audio_cache(local_render, tmp_path):
    remote = two_chapters(tmp_path / "remote")
    with loopback_cluster(tmp_path / "cluster") as (address, _):
        result = render(remote, "1", "2", "--scheduler", address, timeout=2400)
        assert result.returncode == 0, result.stderr
    assert_same_render(local_render, remote)
    # the beats voiced on the workers came back: the client's cache is the local one's
    assert cache_entries(remote) == cache_entries(local_render)
    # the workers' folders hold no project files once the tasks are done
    for n in (0, 1):
        assert not list((tmp_path / "cluster" / f"worker{n}").rglob("*.mp4"))
    # nothing to render: no cluster, no Dask imported
    started = time.monotonic()
    check = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys; from explainer.cli import main; rc = main(['1', '2', '--quality', "
            "'low', '--scheduler', 'tcp://127.0.0.1:9']); "
            "print('distributed' in sys.modules); sys.exit(rc)",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env=dict(os.environ, EXPLAINER_ROOT=str(remote), EXPLAINER_VOICE="espeak"),
    )
    elapsed = time.monotonic() - started
    assert check.returncode == 0, check.stderr
    assert check.stdout.splitlines()[0] == "False"
    assert check.stderr.count("unchanged:") == 2
    print(f"no-op run: {elapsed:.2f} s")


@slow
def test_worker_killed_mid_render_is_retried_on_the_other(local_render, tmp_path):
    remote = two_chapters(tmp_path / "remote")
    with loopback_cluster(tmp_path / "cluster") as (address, procs):
        env = dict(os.environ, EXPLAINER_ROOT=str(remote), EXPLAINER_VOICE="espeak")
        proc = subprocess.Popen(
            [sys.executable, str(ROOT / "render.py"), "--quality", "low", "1", "2"]
            + ["--scheduler", address],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
            start_new_session=True,
        )
        # the chapter rendering its first beat (its worker named in 'starting on ...')
        where: dict[str, str] = {}
        victim = None
        lines = []
        for line in proc.stderr:
            lines.append(line)
            if "starting on tcp://" in line:
                key = line.split("[")[1].split("]")[0]
                where[key] = line.rsplit("starting on ", 1)[1].split()[0]
            if "rendering beat 1/" in line:
                key = line.split("[")[1].split("]")[0]
                victim = where.get(key)
                if victim:
                    break
        assert victim in procs, "".join(lines)
        os.killpg(procs[victim].pid, signal.SIGKILL)
        out, err = proc.communicate(timeout=2400)
        assert proc.returncode == 0, "".join(lines) + err
    assert_same_render(local_render, remote)


def test_a_scheduler_that_does_not_answer_is_one_line(tmp_path, monkeypatch, capsys):
    import distributed  # noqa: F401  (imported before timing: slow on a busy machine)

    from explainer import cli

    two_chapters(tmp_path)
    monkeypatch.setenv("EXPLAINER_ROOT", str(tmp_path))
    monkeypatch.setenv("EXPLAINER_VOICE", "espeak")
    address = f"tcp://127.0.0.1:{free_port()}"  # nothing listens there
    started = time.monotonic()
    assert cli.main(["1", "--quality", "low", "-q", "--scheduler", address]) == 2
    elapsed = time.monotonic() - started
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1, err
    assert err.startswith(f"error: no Dask scheduler answers at {address}")
    assert "dask scheduler" in err and "dask worker" in err
    assert elapsed < cluster.CONNECT_SECONDS + 10
    assert not (tmp_path / "build/low/01-opening.mp4").exists()


def test_scheduler_setting_from_pyproject_and_environment(tmp_path, monkeypatch):
    from explainer import settings

    pyproject = tmp_path / "pyproject.toml"
    pyproject.write_text('[tool.explainer]\nscheduler = "tcp://render-1:8786"\n')
    monkeypatch.delenv("EXPLAINER_SCHEDULER", raising=False)
    assert settings.load(pyproject).scheduler == "tcp://render-1:8786"
    monkeypatch.setenv("EXPLAINER_SCHEDULER", "tcp://render-2:8786")
    assert settings.load(pyproject).scheduler == "tcp://render-2:8786"
    over = settings.load(pyproject).with_overrides(scheduler="tcp://render-3:8786")
    assert over.scheduler == "tcp://render-3:8786"


def test_damaged_transfer_is_refused_and_nothing_written(tmp_path):
    files = cluster.pack(ROOT, [ROOT / "pyproject.toml"])
    data, digest = files["pyproject.toml"]
    with pytest.raises(ValueError, match="arrived damaged"):
        cluster.unpack(tmp_path, {"pyproject.toml": (data + b"x", digest)}, "test")
    with pytest.raises(ValueError, match="arrived damaged"):
        cluster.unpack(tmp_path, {"../escape.txt": (data, digest)}, "test")
    assert list(tmp_path.iterdir()) == []
    written = cluster.unpack(tmp_path, {"a/b.json": (data, digest), "a/b.wav": (data, digest)}, "t")
    assert [p.name for p in written] == ["b.wav", "b.json"]  # the sidecar last
    assert (tmp_path / "a/b.json").read_bytes() == data


def test_task_inputs_carry_script_lexicon_scenes_and_cached_audio(tmp_path):
    from explainer.project import Project
    from explainer.settings import Settings
    from explainer.voices import make_voice

    root = two_chapters(tmp_path)
    (root / "script/lexicon.md").write_text("- d20 -> d twenty\n")
    (root / "scenes/style.py").write_text("BLUE = 1\n")
    project = Project(root)
    chapter = project.chapters()[0]
    voice = make_voice(Settings(voice="espeak"))
    names = [p.relative_to(root).as_posix() for p in cluster.task_inputs(project, chapter, voice)]
    assert names == [
        "script/01-opening.md",
        "script/lexicon.md",
        "scenes/01_test.py",
        "scenes/style.py",
    ]
