"""The watch page and `render.py serve` without a browser: pure helpers, files, HTTP.

A small build folder is made with ffmpeg in a second (no Manim): three 2 s chapters
and their 6 s join, with captions and a manifest. The browser tests (slow, with a
real render) are in ``test_browser.py``.
"""

from __future__ import annotations

import doctest
import http.client
import json
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from conftest import ROOT

from explainer import captions, manifest, media, page, serve
from explainer.errors import UserError

TITLES = ["Opening", "Middle & more", "Closing"]
CUES = [
    [(0.2, 1.0, "The first chapter starts,"), (1.0, 1.9, "and it ends here.")],
    [(0.1, 1.2, "Every text starts\nwith <|bos|>."), (1.3, 1.9, "Short beat.")],
    [(0.3, 1.8, "The last one.")],
]


def make_video(path: Path, seconds: float) -> None:
    media.run(
        [
            "ffmpeg",
            "-v",
            "error",
            "-y",
            "-f",
            "lavfi",
            "-i",
            f"testsrc=size=160x90:rate=15:duration={seconds}",
            "-f",
            "lavfi",
            "-i",
            f"sine=frequency=440:sample_rate=48000:duration={seconds}",
            "-c:v",
            "libx264",
            "-pix_fmt",
            "yuv420p",
            "-c:a",
            "aac",
            "-shortest",
            "-movflags",
            "+faststart",
            str(path),
        ],
        "making a test video",
    )


def make_build(root: Path) -> Path:
    """``root/build/low`` as a render leaves it, from ffmpeg's test picture."""
    build = root / "build" / "low"
    build.mkdir(parents=True)
    chapters, full_cues = [], []
    for number, (title, cues) in enumerate(zip(TITLES, CUES, strict=True), start=1):
        key = f"{number:02d}-{title.split()[0].lower()}"
        video = build / f"{key}.mp4"
        make_video(video, 2.0)
        own = [captions.Cue(*c) for c in cues]
        (build / f"{key}.srt").write_text(captions.to_srt(own))
        (build / f"{key}.vtt").write_text(captions.to_vtt(own))
        full_cues += captions.offset(own, 2.0 * (number - 1))
        chapters.append(
            manifest.ChapterRecord(
                key=key,
                number=number,
                title=title,
                quality="low",
                voice="espeak",
                voice_settings={},
                duration=2.0,
                frames=30,
                fps=15.0,
                loudness={},
                words=len(cues),
                beats=[manifest.BeatTime("first", 0.0, 1.0), manifest.BeatTime("second", 1.0, 1.0)],
                cues=len(cues),
                outputs={"video": video.name, "srt": f"{key}.srt", "vtt": f"{key}.vtt"},
                narration="",
            )
        )
    full = build / "nanochat-explained.mp4"
    make_video(full, 6.0)
    (build / "nanochat-explained.srt").write_text(captions.to_srt(full_cues))
    (build / "nanochat-explained.vtt").write_text(captions.to_vtt(full_cues))
    (build / "chapters.txt").write_text("0:00 Opening\n0:02 Middle & more\n0:04 Closing\n")
    full_record = manifest.FullRecord(
        outputs={"video": full.name},
        duration=6.0,
        loudness={},
        chapters=[
            {"key": c.key, "title": c.title, "start": 2.0 * i, "duration": 2.0}
            for i, c in enumerate(chapters)
        ],
        cues=len(full_cues),
    )
    manifest.update(build, chapters, full_record)
    return build


@pytest.fixture(scope="module")
def build(tmp_path_factory) -> Path:
    build = make_build(tmp_path_factory.mktemp("page"))
    page.write_pages(build)
    return build


@pytest.fixture(scope="module")
def server(build):
    server = serve.BuildServer(build, 0, quiet=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.stop()


def get(server, target: str, method: str = "GET", **headers: str):
    """A raw request: the target goes out exactly as written (no ``..`` folding)."""
    connection = http.client.HTTPConnection("127.0.0.1", server.server_address[1], timeout=10)
    connection.putrequest(method, target, skip_accept_encoding=True)
    for name, value in headers.items():
        connection.putheader(name.replace("_", "-"), value)
    connection.endheaders()
    response = connection.getresponse()
    body = response.read()
    connection.close()
    return response, body


# --------------------------------------------------------------------------- pure helpers


def test_doctests():
    for module in (page, serve):
        assert doctest.testmod(module).failed == 0, module.__name__


def test_clock_and_durations():
    assert [page.clock(t) for t in (0, 59.99, 61, 3599, 3600)] == [
        "0:00",
        "0:59",
        "1:01",
        "59:59",
        "1:00:00",
    ]
    assert page.iso_duration(948.4) == "PT15M48S"
    assert page.quality_label("high") == "1080p60"


def test_beats_become_contiguous_sections_and_a_chapters_vtt():
    beats = (page.BeatEntry("hook", 0.02), page.BeatEntry("repo", 4.5), page.BeatEntry("end", 8))
    sections = page.beat_sections(beats, 10.0)
    assert [(s.start, s.end) for s in sections] == [(0.0, 4.5), (4.5, 8.0), (8.0, 10.0)]
    vtt = page.chapters_vtt(sections)
    assert vtt.startswith("WEBVTT\n\n00:00:00.000 --> 00:00:04.500\nhook\n")
    assert vtt.count("-->") == 3


def test_transcript_paragraphs_follow_beats_but_never_leave_a_short_one():
    long = " ".join(["word"] * 30)
    cues = (
        captions.Cue(0.1, 2.0, long),
        captions.Cue(2.0, 4.0, long),  # beat 1 ends here with 60 words
        captions.Cue(5.1, 6.0, "A short beat."),  # beat 2: 3 words, joins beat 3
        captions.Cue(7.1, 8.0, "Its neighbour."),
        captions.Cue(10.1, 11.0, "The next chapter."),
    )
    sections = (
        page.Section("One", 0.0, 10.0, breaks=(0.0, 5.0, 7.0)),
        page.Section("Two", 10.0, 12.0, breaks=(10.0,)),
    )
    groups = page.grouped(cues, sections)
    texts = [[[c.text for c in p] for p in paragraphs] for paragraphs in groups]
    assert texts == [
        [[long, long], ["A short beat.", "Its neighbour."]],
        [["The next chapter."]],
    ]


def test_a_coloured_picture_makes_a_better_poster_than_grey_text():
    grey = bytes([200, 200, 200] * 100 + [0, 0, 0] * 900)  # 10 % light grey
    blue = bytes([88, 196, 221] * 100 + [0, 0, 0] * 900)  # 10 % BLUE_C
    assert page.poster_score(10_000, blue) > page.poster_score(15_000, grey)
    assert page.poster_score(10_000, grey) == 10_000


def test_range_header_parsing():
    assert serve.parse_range(None, 100) is None
    assert serve.parse_range("bytes=10-19", 100) == (10, 19)
    assert serve.parse_range("bytes=90-", 100) == (90, 99)
    assert serve.parse_range("bytes=-30", 100) == (70, 99)
    assert serve.parse_range("bytes=-300", 100) == (0, 99)
    assert serve.parse_range("bytes=50-10", 100) is None  # malformed: ignored (200)
    assert serve.parse_range("bytes=0-1,4-5", 100) is None  # several: whole file
    with pytest.raises(ValueError):
        serve.parse_range("bytes=100-", 100)
    with pytest.raises(ValueError):
        serve.parse_range("bytes=-0", 100)


def test_paths_never_leave_the_build_folder(tmp_path):
    root = tmp_path / "build"
    (root / "assets").mkdir(parents=True)
    (root / "index.html").write_text("page")
    (tmp_path / "secret.txt").write_text("secret")
    (root / "assets" / "leak.txt").symlink_to(tmp_path / "secret.txt")
    assert serve.resolve(root, "/") == (root / "index.html").resolve()
    assert serve.resolve(root, "/index.html?x=1#y") == (root / "index.html").resolve()
    for target in (
        "/../secret.txt",
        "/%2e%2e/secret.txt",
        "/%2E%2E/secret.txt",
        "/assets/..%2f..%2fsecret.txt",
        "/assets/%2e%2e/%2e%2e/secret.txt",
        "/.hidden",
        "/..%5csecret.txt",
    ):
        with pytest.raises(serve.Refused):
            serve.resolve(root, target)
    assert serve.resolve(root, "/assets/leak.txt") is None  # a symlink out is not there
    assert serve.resolve(root, "/missing.html") is None


# --------------------------------------------------------------------------- the files


def test_pages_and_their_files(build):
    for name in (
        "index.html",
        "01-opening.html",
        "02-middle.html",
        "03-closing.html",
        "nanochat-explained.chapters.vtt",
        "01-opening.chapters.vtt",
        "assets/player.css",
        "assets/player.js",
        "assets/fonts.css",
        "assets/posters/nanochat-explained.jpg",
        "assets/posters/02-middle.jpg",
    ):
        assert (build / name).is_file(), name
    chapters = (build / "nanochat-explained.chapters.vtt").read_text()
    assert chapters.count("-->") == 3 and "Middle &amp; more" in chapters
    assert "00:00:02.000 --> 00:00:04.000" in chapters
    beats = (build / "01-opening.chapters.vtt").read_text()
    assert "00:00:01.000 --> 00:00:02.000\nsecond" in beats
    info = media.probe(build / "assets/posters/nanochat-explained.jpg")
    assert info["streams"][0]["width"] == 160


def test_index_html_is_self_contained_and_accessible_by_construction(build):
    text = (build / "index.html").read_text()
    assert '<html lang="en">' in text
    video = re.search(r"<video[^>]*>", text).group(0)
    assert 'controls preload="metadata"' in video and "autoplay" not in text
    assert 'poster="assets/posters/nanochat-explained.jpg"' in video
    assert (
        '<track kind="captions" srclang="en" label="English" src="nanochat-explained.vtt" default>'
        in text
    )
    assert 'kind="chapters"' in text and 'src="nanochat-explained.chapters.vtt"' in text
    # every URL is relative, but for the link to nanochat's commit
    urls = re.findall(r'(?:href|src|poster)="([^"]+)"', text)
    outside = [u for u in urls if re.match(r"[a-z]+:", u) and not u.startswith("data:")]
    assert outside == ["https://github.com/karpathy/nanochat/tree/48abd7d"]
    for url in urls:
        if not re.match(r"[a-z]+:|#", url):
            assert (build / url).exists(), url
    # the transcript: one heading per chapter, cues as links in prose, text escaped
    assert text.count('<section class="transcript-section"') == 3
    assert "with <code>&lt;|bos|&gt;</code>." in text and "Every text starts with" in text
    assert text.count('class="cue"') == 5 and text.count('tabindex="0"') == 1
    for link in ("nanochat-explained.mp4", "nanochat-explained.srt", "chapters.txt"):
        assert f'href="{link}" download' in text
    assert "0:06" in text and "48abd7d" in text


def test_chapter_pages_list_beats_and_link_each_other(build):
    text = (build / "02-middle.html").read_text()
    assert "<h1>2. Middle &amp; more</h1>" in text
    assert '<a href="01-opening.html" rel="prev">' in text
    assert '<a href="index.html">Whole video</a>' in text
    assert '<a href="03-closing.html" rel="next">' in text
    assert text.count('class="section"') == 2 and "<code>second</code>" in text
    assert "chapters.txt" not in text


def test_pages_are_rewritten_only_when_they_change(build):
    before = {p.name: p.stat().st_mtime_ns for p in build.rglob("*") if p.is_file()}
    assert page.write_pages(build) == []
    after = {p.name: p.stat().st_mtime_ns for p in build.rglob("*") if p.is_file()}
    assert after == before


def test_no_manifest_no_pages(tmp_path):
    assert page.write_pages(tmp_path) == []


# --------------------------------------------------------------------------- the server


def test_server_answers_ranges_with_206(server, build):
    data = (build / "nanochat-explained.mp4").read_bytes()
    response, body = get(server, "/nanochat-explained.mp4", Range="bytes=100-1099")
    assert response.status == 206
    assert response.getheader("Content-Range") == f"bytes 100-1099/{len(data)}"
    assert response.getheader("Content-Type") == "video/mp4"
    assert body == data[100:1100]
    response, body = get(server, "/nanochat-explained.mp4", Range="bytes=-64")
    assert response.status == 206 and body == data[-64:]
    response, body = get(server, "/nanochat-explained.mp4", Range=f"bytes={len(data)}-")
    assert response.status == 416 and response.getheader("Content-Range") == f"bytes */{len(data)}"
    response, body = get(server, "/nanochat-explained.mp4")
    assert response.status == 200 and body == data
    assert response.getheader("Accept-Ranges") == "bytes"
    response, body = get(server, "/nanochat-explained.mp4", method="HEAD")
    assert response.status == 200 and body == b""
    assert response.getheader("Content-Length") == str(len(data))


def test_server_types_and_index(server):
    response, body = get(server, "/")
    assert response.status == 200 and b"<video" in body
    assert response.getheader("Content-Type") == "text/html; charset=utf-8"
    response, _ = get(server, "/nanochat-explained.vtt")
    assert response.getheader("Content-Type") == "text/vtt; charset=utf-8"
    response, _ = get(server, "/nope.html")
    assert response.status == 404


def test_server_refuses_paths_outside_the_build(server, build):
    (build.parent / "outside.txt").write_text("not for you")
    for target in ("/../outside.txt", "/%2e%2e/outside.txt", "/assets/%2E%2E/%2e%2e/outside.txt"):
        response, body = get(server, target)
        assert response.status == 403, target
        assert b"not for you" not in body


def test_server_reports_a_finished_render(server, build):
    response, body = get(server, "/__version")
    first = json.loads(body)["version"]
    assert first == serve.build_version(build)
    connection = socket.create_connection(("127.0.0.1", server.server_address[1]), timeout=10)
    connection.sendall(b"GET /__events HTTP/1.1\r\nHost: x\r\n\r\n")
    stream = connection.makefile("rb")
    events = []

    def read_events() -> None:
        for raw in stream:
            line = raw.decode().strip()
            if line.startswith("data: "):
                events.append(line[6:])
                if len(events) == 2:
                    return

    reader = threading.Thread(target=read_events, daemon=True)
    reader.start()
    deadline = time.time() + 5
    while not events and time.time() < deadline:
        time.sleep(0.05)
    assert events == [first]
    later = time.time() + 5
    os.utime(build / "manifest.json", (later, later))  # a render finishing
    reader.join(timeout=5)
    connection.close()
    assert len(events) == 2 and events[1] != first


# --------------------------------------------------------------------------- the command


def run_serve(root: Path, *args: str, timeout: float = 30) -> subprocess.CompletedProcess:
    env = dict(os.environ, EXPLAINER_ROOT=str(root))
    return subprocess.run(
        [sys.executable, str(ROOT / "render.py"), "serve", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env=env,
        timeout=timeout,
    )


def test_serve_without_a_build_says_what_to_run(tmp_path):
    (tmp_path / "pyproject.toml").write_text("")
    result = run_serve(tmp_path, "--quality", "medium")
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1
    assert "has no render yet; run 'uv run render.py --quality medium'" in result.stderr


def test_serve_on_a_busy_port_is_one_line(tmp_path):
    (tmp_path / "build" / "low").mkdir(parents=True)
    (tmp_path / "build" / "low" / "index.html").write_text("<!doctype html>")
    busy = socket.socket()
    busy.bind(("127.0.0.1", 0))
    busy.listen()
    port = busy.getsockname()[1]
    try:
        result = run_serve(tmp_path, "--quality", "low", "--port", str(port))
    finally:
        busy.close()
    assert result.returncode == 2
    assert result.stderr.strip() == (
        f"error: port {port} is in use; stop what uses it or choose another "
        f"(render.py serve --port {port + 1})"
    )


def test_serve_command_serves_and_stops_when_told(build):
    env = dict(os.environ, EXPLAINER_ROOT=str(build.parent.parent))
    proc = subprocess.Popen(
        [sys.executable, str(ROOT / "render.py"), "serve", "--port", "0"],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        first = proc.stdout.readline()
        match = re.match(r"serving \S+/build/low at http://127\.0\.0\.1:(\d+)/ ", first)
        assert match, first
        port = int(match.group(1))
        listed = []
        for line in proc.stdout:
            if line.startswith("pages reload"):
                break
            listed.append(line.strip().rsplit("/", 1)[1])
        assert listed == ["", "01-opening.html", "02-middle.html", "03-closing.html"]
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        connection.request("GET", "/03-closing.html")
        assert connection.getresponse().status == 200
        connection.close()
    finally:
        proc.send_signal(signal.SIGTERM)  # what `kill` sends; Ctrl-C is the same path
        out, err = proc.communicate(timeout=10)
    assert proc.returncode == 0, err
    assert "stopped" in out


def test_choose_build_prefers_the_configured_quality_then_the_newest(tmp_path):
    from explainer.project import Project

    project = Project(tmp_path)
    assert serve.choose_build(project, None, "high")[0] == "high"  # nothing rendered
    for quality, stamp in (("low", 100), ("medium", 200)):
        path = project.build_dir(quality) / "manifest.json"
        path.parent.mkdir(parents=True)
        path.write_text("{}")
        os.utime(path, (stamp, stamp))
    assert serve.choose_build(project, None, "high")[0] == "medium"
    assert serve.choose_build(project, None, "low")[0] == "low"
    assert serve.choose_build(project, "high", "low")[0] == "high"
    with pytest.raises(UserError, match="quality 'ultra' is unknown"):
        serve.choose_build(project, "ultra", "low")
