"""`render.py check` catches every script/scene mismatch, with file:line, without rendering."""

import os
import subprocess
import sys
import textwrap

import pytest
from conftest import ROOT, write_chapter

from explainer import cli
from explainer.check import check_project
from explainer.project import Project

SCRIPT = """
# Test
## alpha
First beat with a {@mark}bookmark.
## beta
Second beat.
"""


def run_check(root, wanted=()):
    problems, warnings, count = check_project(Project(root), list(wanted))
    return "\n".join(problems), "\n".join(warnings), count


def test_clean_project_passes(project):
    write_chapter(
        project,
        "01-test",
        SCRIPT,
        """
        with self.beat("alpha") as beat:
            beat.wait_until("mark")
            self.play(FadeIn(Square()), run_time=beat.remaining)
        with self.beat("beta"):
            self.play(Create(Circle()))
    """,
    )
    problems, warnings, count = run_check(project)
    assert (problems, warnings, count) == ("", "", 1)


@pytest.mark.parametrize(
    "body, expected",
    [
        (
            'with self.beat("alpha"): pass\nwith self.beat("gamma"): pass\nwith self.beat("beta"): pass',
            ["scenes/01_test.py:9: beat 'gamma' is not in"],
        ),
        (
            'with self.beat("alpha") as b:\n    b.wait_until("nomark")\nwith self.beat("beta"): pass',
            ["scenes/01_test.py:9: beat 'alpha' has no bookmark '{@nomark}'"],
        ),
        ('with self.beat("alpha"): pass', ["01-test.md:4: beat 'beta' is never used"]),
        (
            'with self.beat("beta"): pass\nwith self.beat("alpha"): pass',
            ["scenes/01_test.py:9: beat 'alpha' is used after 'beta'"],
        ),
        (
            'with self.beat("alpha"): pass\nwith self.beat("beta"): pass\nwith self.beat("beta"): pass',
            ["scenes/01_test.py:10: beat 'beta' is used twice (first at"],
        ),
        (
            'with self.beat("alpha"): pass\nraise ValueError("scene bug")',
            ["scenes/01_test.py:9: ValueError: scene bug"],
        ),
    ],
    ids=["unknown-beat", "unknown-bookmark", "unused-beat", "out-of-order", "twice", "raises"],
)
def test_each_mistake_is_reported_with_file_and_line(project, body, expected):
    write_chapter(project, "01-test", SCRIPT, body)
    problems, _, _ = run_check(project)
    for fragment in expected:
        assert fragment in problems, problems


def test_script_errors_are_reported(project):
    write_chapter(project, "01-test", "# T\n## a\nHi.\n## a\nAgain.\n", 'with self.beat("a"): pass')
    problems, _, _ = run_check(project)
    assert "01-test.md:4: beat id 'a' repeats line 2" in problems
    write_chapter(project, "01-test", "# T\n## a\n\n## b\nHi.\n", 'with self.beat("b"): pass')
    problems, _, _ = run_check(project)
    assert "01-test.md:2: beat 'a' is empty" in problems


def test_unused_bookmark_is_a_warning(project):
    write_chapter(
        project, "01-test", SCRIPT, 'with self.beat("alpha"): pass\nwith self.beat("beta"): pass'
    )
    problems, warnings, _ = run_check(project)
    assert problems == ""
    assert "bookmark '{@mark}' in beat 'alpha' is never used" in warnings


def test_missing_scene(project):
    (project / "script" / "02-lonely.md").write_text("# L\n## a\nHi.\n")
    problems, _, _ = run_check(project)
    assert "no scene for chapter 02" in problems


def test_check_command_on_one_real_chapter(real_project, monkeypatch, capsys):
    """The fast tier's look at a committed chapter: its script and scene agree."""
    monkeypatch.setenv("EXPLAINER_ROOT", str(real_project))
    assert cli.main(["check", "1"]) == 0, capsys.readouterr()
    assert "check ok: 1 chapters, 0 problems" in capsys.readouterr().out


@pytest.mark.slow
def test_check_command_on_the_real_project(real_project):
    """Every committed chapter's script and scene agree (its speed is measured in bench/)."""
    result = subprocess.run(
        [sys.executable, str(ROOT / "render.py"), "check"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env=dict(os.environ, EXPLAINER_ROOT=str(real_project)),
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "check ok: 10 chapters" in result.stdout or "check ok" in result.stdout


def test_check_takes_chapter_arguments(project, capsys, monkeypatch):
    write_chapter(project, "01-test", SCRIPT, 'with self.beat("alpha"): pass')
    write_chapter(
        project, "02-more", "# M\n## gamma\nThird beat.\n", 'with self.beat("gamma"): pass'
    )
    problems, _, count = run_check(project, ["2"])
    assert (problems, count) == ("", 1)  # chapter 1's unused beat is not looked at
    problems, _, count = run_check(project, ["test", "more"])
    assert count == 2 and "beat 'beta' is never used" in problems
    monkeypatch.setenv("EXPLAINER_ROOT", str(project))
    assert cli.main(["check", "9"]) == 1
    assert "chapter '9' is unknown; choose from 1 (test), 2 (more)" in capsys.readouterr().out


def test_messages_name_project_files_from_the_project_root(project, monkeypatch):
    # wherever the command runs, a message names script/NN-slug.md:LINE and scenes/NN_x.py:LINE
    monkeypatch.chdir(project.parent)
    write_chapter(
        project, "01-test", "# T\n## alpha\nOne {oops}.\n", 'with self.beat("alpha"): pass'
    )
    problems, _, _ = run_check(project)
    assert problems.startswith("script/01-test.md:3: '{oops}' is not markup"), problems
    write_chapter(project, "01-test", SCRIPT, 'with self.beat("alpha"): pass')
    problems, _, _ = run_check(project)
    assert "script/01-test.md:4: beat 'beta' is never used by scenes/01_test.py" in problems


def test_empty_cached_svgs_are_dropped_before_a_check(tmp_path):
    from explainer.check import drop_broken_cache_files

    texts = tmp_path / "texts"
    texts.mkdir()
    (texts / "broken.svg").write_bytes(b"")
    (texts / "good.svg").write_text("<svg/>")
    drop_broken_cache_files(tmp_path)
    assert sorted(p.name for p in texts.iterdir()) == ["good.svg"]


def test_unchanged_scenes_are_not_dry_run_again(project):
    """The second check reads each scene's record from the cache; a script edit is
    compared with that record without running Manim; a scene edit runs it again."""
    from explainer.usage import check_chapters

    body = """
        with self.beat("alpha") as beat:
            beat.wait_until("mark")
        with self.beat("beta"):
            self.play(Create(Circle()))
    """
    write_chapter(project, "01-test", SCRIPT, body)
    first = check_chapters(Project(project))
    assert (first.problems, first.warnings, first.dry_runs) == ([], [], 1)
    again = check_chapters(Project(project))
    assert (again.problems, again.warnings, again.dry_runs) == ([], [], 0)
    again = check_chapters(Project(project), isolated=True)  # as watch runs it
    assert (again.problems, again.warnings, again.dry_runs) == ([], [], 0)

    # script edits: a word (still clean), a bookmark gone, a beat renamed, a new beat
    script = project / "script" / "01-test.md"
    script.write_text(SCRIPT.replace("First beat", "The first beat").lstrip())
    assert check_chapters(Project(project)).problems == []
    script.write_text(SCRIPT.replace("{@mark}", "").lstrip())
    result = check_chapters(Project(project))
    assert result.dry_runs == 0
    assert result.problems == [
        "scenes/01_test.py:9: beat 'alpha' has no bookmark '{@mark}'; add it to "
        "script/01-test.md near line 2 or fix the name"
    ]
    script.write_text(SCRIPT.replace("## beta", "## gamma").lstrip())
    result = check_chapters(Project(project))
    assert result.dry_runs == 0
    assert "scenes/01_test.py:10: beat 'beta' is not in script/01-test.md" in result.problems[0]
    assert "script/01-test.md:4: beat 'gamma' is never used" in result.problems[1]
    script.write_text(SCRIPT.lstrip() + "## delta\nMore.\n")
    result = check_chapters(Project(project))
    assert result.dry_runs == 0 and "beat 'delta' is never used" in result.problems[0]

    # a scene edit (or a shared scenes/ module) is dry-run again
    script.write_text(SCRIPT.lstrip())
    write_chapter(project, "01-test", SCRIPT, body.replace('"beta"', '"alpha"'))
    result = check_chapters(Project(project))
    assert result.dry_runs == 1 and "beat 'alpha' is used twice" in result.problems[0]
    write_chapter(project, "01-test", SCRIPT, body)
    assert check_chapters(Project(project)).dry_runs == 1
    (project / "scenes" / "style.py").write_text("RED = 1\n")
    assert check_chapters(Project(project)).dry_runs == 1
    assert check_chapters(Project(project)).dry_runs == 0

    # a torn record is dry-run again; a scene that raises is never cached
    record = next((project / "build" / "check-usage").glob("*.json"))
    record.write_text("{")
    assert check_chapters(Project(project)).dry_runs == 1
    write_chapter(
        project, "01-test", SCRIPT, textwrap.dedent(body) + 'raise ValueError("scene bug")\n'
    )
    for _ in range(2):
        result = check_chapters(Project(project))
        assert result.dry_runs == 1 and "ValueError: scene bug" in result.problems[0]


@pytest.mark.slow  # three fresh interpreters import Manim: a minute on a busy machine
def test_changed_scenes_are_dry_run_in_parallel(project):
    from explainer.usage import check_chapters

    for number in range(1, 4):
        write_chapter(
            project,
            f"0{number}-c{number}",
            f"# C\n## b{number}\nHi.\n",
            f'with self.beat("b{number}"): pass',
        )
    result = check_chapters(Project(project))
    assert (result.problems, result.count, result.dry_runs) == ([], 3, 3)
    (project / "scenes" / "02_test.py").write_text(
        (project / "scenes" / "02_test.py").read_text() + "        raise ValueError('two')\n"
    )
    result = check_chapters(Project(project))
    assert result.dry_runs == 1 and result.problems == ["scenes/02_test.py:9: ValueError: two"]
