"""`render.py watch`: a save is checked and rendered; saves during a run queue one more."""

import shutil
import threading
import time

import pytest
from conftest import write_chapter

from explainer.manifest import Manifest
from explainer.project import Project
from explainer.watch import Watcher, relevant, watch

SCRIPT = """
# Watch test
## first
A small square {@box}appears.
## second
Then it turns into a circle.
"""

BODY = """
with self.beat("first") as beat:
    square = Square()
    self.play(FadeIn(square), run_time=beat.until("box"))
with self.beat("second") as beat:
    self.play(Transform(square, Circle()), run_time=beat.until())
"""


def wait_for(condition, timeout: float) -> bool:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if condition():
            return True
        time.sleep(0.1)
    return condition()


def test_relevant_files():
    assert relevant("/p/script/01-x.md") and relevant("/p/scenes/mobjects.py")
    assert not relevant("/p/script/.01-x.md.swp") and not relevant("/p/script/01-x.md~")
    assert not relevant("/p/scenes/__pycache__/style.cpython-311.pyc")
    assert not relevant("/p/scenes/notes.txt")


class Counting(Watcher):
    """A run that takes a while and records what it saw; saves land during the first."""

    def __init__(self, project, during_first):
        super().__init__(Project(project), [], "low", say=lambda line: None)
        self.during_first = during_first
        self.started = threading.Event()

    def run(self) -> bool:
        self.runs += 1
        self.started.set()
        if self.runs == 1:
            self.during_first()
            time.sleep(1.5)  # still busy when the saves arrive
        return True


def test_saves_during_a_run_queue_exactly_one_more(project):
    write_chapter(project, "01-test", SCRIPT, BODY)
    script = project / "script" / "01-test.md"

    def save_three_times():
        for word in ("one", "two", "three"):
            script.write_text(SCRIPT.replace("small", word).lstrip())
            time.sleep(0.2)

    watcher = Counting(project, save_three_times)
    stop = threading.Event()
    lines: list[str] = []
    thread = threading.Thread(
        target=watch,
        args=(Project(project), [], "low"),
        kwargs={"say": lines.append, "stop": stop, "watcher": watcher},
    )
    thread.start()
    try:
        assert wait_for(lambda: watcher.runs == 2, 30), lines
        time.sleep(2)  # and no third run
        assert watcher.runs == 2, lines
        assert sum("changed: script/01-test.md" in line for line in lines) == 1, lines
    finally:
        stop.set()
        thread.join(10)
    assert not thread.is_alive() and lines[-1] == "watch stopped"


def test_a_failed_check_is_one_line_per_problem_and_nothing_is_rendered(project):
    write_chapter(project, "01-test", SCRIPT, BODY.replace('"second"', '"third"'))
    lines: list[str] = []
    watcher = Watcher(Project(project), [], "low", say=lines.append)
    watcher.isolated = False  # dry run in this process: no second Manim import
    rendered = []
    watcher.render = rendered.append
    assert watcher.run() is False and rendered == []
    assert lines[0].startswith("error: scenes/01_test.py:11: beat 'third' is not in"), lines
    assert lines[-1] == "check failed: 2 problems; not rendered"


@pytest.mark.slow
def test_watch_renders_a_save_in_a_copy_of_a_project(project, tmp_path, monkeypatch):
    """Edit a script in a temporary project while watching: the new words reach the captions."""
    write_chapter(project, "01-test", SCRIPT, BODY)
    copy = tmp_path / "copy"
    shutil.copytree(project, copy)
    monkeypatch.setenv("EXPLAINER_VOICE", "espeak")
    lines: list[str] = []
    stop = threading.Event()
    thread = threading.Thread(
        target=watch,
        args=(Project(copy), [], "low"),
        kwargs={"say": lines.append, "stop": stop},
    )
    thread.start()
    srt = copy / "build" / "low" / "01-test.srt"
    try:
        assert wait_for(lambda: any(line.startswith("rendered 01-test") for line in lines), 600), (
            lines
        )
        first = Manifest.load(copy / "build" / "low").chapters["01-test"]
        assert "small square" in srt.read_text()
        script = copy / "script" / "01-test.md"
        script.write_text(SCRIPT.replace("small", "purple").lstrip())
        assert wait_for(lambda: sum(line.startswith("rendered") for line in lines) == 2, 600), lines
        assert "purple square" in srt.read_text() and "small" not in srt.read_text()
        after = Manifest.load(copy / "build" / "low")
        assert after.chapters["01-test"].fingerprint != first.fingerprint
        assert (copy / "build" / "low" / "01-test.html").is_file()  # the page, as a render
        # a scene mistake: one line with file:line, the last good video stays
        video = after.video(after.chapters["01-test"])
        stamp = video.stat().st_mtime
        scene = copy / "scenes" / "01_test.py"
        scene.write_text(scene.read_text().replace('"second"', '"third"'))
        assert wait_for(lambda: any("check failed" in line for line in lines), 600), lines
        assert any("scenes/01_test.py:" in line and "'third'" in line for line in lines), lines
        assert video.stat().st_mtime == stamp
    finally:
        stop.set()
        thread.join(60)
    assert lines[-1] == "watch stopped"
