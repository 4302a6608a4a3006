"""The command line: sub-commands, one-line mistakes, settings read once, progress output."""

from __future__ import annotations

import io

import pytest
from conftest import write_chapter

from explainer import cli
from explainer.chapter_render import chapter_cues
from explainer.errors import UserError
from explainer.narration import BeatAudio
from explainer.project import Project

SCRIPT = "# {title}\n## only\nA short beat.\n"
BODY = 'with self.beat("only"): pass'


@pytest.fixture
def three(project, monkeypatch):
    """A three-chapter project that render.py runs on."""
    for number, name in enumerate(("one", "two", "three"), start=1):
        write_chapter(project, f"0{number}-{name}", SCRIPT.format(title=name), BODY)
    monkeypatch.setenv("EXPLAINER_ROOT", str(project))
    monkeypatch.setenv("EXPLAINER_VOICE", "espeak")
    return project


def one_line(capsys) -> str:
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1, err
    return err


@pytest.mark.parametrize("value", ["0", "-3", "two"])
def test_jobs_below_one_or_not_a_number_is_one_line(three, capsys, value):
    assert cli.main(["--jobs", value, "--quality", "low"]) == 2
    err = one_line(capsys)
    assert err.startswith("error: render.py render: argument --jobs/-j: ")
    assert "1 or more" in err or "not a whole number" in err
    assert not (three / "build").exists()


@pytest.mark.parametrize(
    "value, fragment",
    [
        ("fast", "EXPLAINER_VOICE_RATE: setting 'voice_rate' = 'fast' is not a valid float"),
        ("9", "EXPLAINER_VOICE_RATE: voice_rate 9.0 is out of range (0.5 to 2.0)"),
    ],
)
@pytest.mark.parametrize("command", [["check"], ["audit"], [], ["voices"]])
def test_a_bad_setting_is_reported_once(three, capsys, monkeypatch, value, fragment, command):
    monkeypatch.setenv("EXPLAINER_VOICE_RATE", value)
    assert cli.main(command) == 2
    assert one_line(capsys) == f"error: {fragment}"


def test_subcommands_and_the_default_command(capsys):
    with pytest.raises(SystemExit) as done:
        cli.main(["--help"])
    assert done.value.code == 0
    out = capsys.readouterr().out
    for name in ("render", "check", "audit", "sheet", "subtitles", "voices", "serve", "watch"):
        assert name in out
    assert cli.parser().command_names == (
        "render",
        "check",
        "audit",
        "sheet",
        "subtitles",
        "voices",
        "serve",
        "watch",
    )
    args = cli.parser().parse_args(["render", "3", "tokenizer", "-j", "2"])
    assert (args.run, args.chapters, args.jobs) == (cli.cmd_render, ["3", "tokenizer"], 2)
    args = cli.parser().parse_args(["check", "3"])
    assert (args.run, args.chapters) == (cli.cmd_check, ["3"])
    assert cli.main(["check", "--bogus"]) == 2
    assert "unrecognized arguments: --bogus" in one_line(capsys)


def test_progress_is_plain_lines_in_a_log(capsys):
    from rich.console import Console

    log = Console(file=io.StringIO(), force_terminal=False)
    progress = cli.Progress(False, ["01-one", "02-two"], console=log)
    progress.update("01-one", "rendering beat 1/2 (only)", 0.5)
    progress.update("02-two", "done: 3.0 s of video in 4 s", 1.0, always=True)
    progress.close()
    lines = capsys.readouterr().err.splitlines()
    assert len(lines) == 2 and "\x1b" not in "".join(lines)
    assert "[01-one]  50% rendering beat 1/2 (only)  (ETA" in lines[0]
    assert "[02-two] 100% done" in lines[1]
    quiet = cli.Progress(True, ["01-one"], console=log)
    quiet.update("01-one", "rendering", 0.5)
    quiet.update("01-one", "done", 1.0, always=True)
    quiet.close()
    assert capsys.readouterr().err.count("\n") == 1  # only the result


def test_progress_draws_bars_on_a_terminal(capsys):
    from rich.console import Console

    screen = io.StringIO()
    terminal = Console(file=screen, force_terminal=True, width=120)
    progress = cli.Progress(False, ["01-one", "02-two"], console=terminal)
    progress.update("01-one", "rendering beat 1/2 (only)", 0.5)
    progress.update("02-two", "done", 1.0, always=True)
    progress.bars.refresh()
    drawn = screen.getvalue()
    progress.close()
    assert "01-one" in drawn and "all chapters" in drawn and "━" in drawn
    assert "[02-two] done" in drawn  # a result line above the bars
    assert capsys.readouterr().err == ""


def test_uncaptionable_sentence_names_the_script_from_the_project_root(project, monkeypatch):
    # a message names script/NN-slug.md:LINE wherever the command runs
    monkeypatch.chdir(project.parent)
    write_chapter(project, "01-test", "# T\n\n## one\nA " + "x" * 90 + " word.\n", BODY)
    chapter = Project(project).chapters()[0]
    beat = chapter.beats[0]
    words = [(i * 0.2, i * 0.2 + 0.15) for i in range(len(beat.spoken_words))]
    voiced = {"one": BeatAudio(beat, project / "unused.wav", 1.0, words)}
    with pytest.raises(UserError) as error:
        chapter_cues(chapter, voiced, {"one": 0.0}, 2.0)
    assert str(error.value).startswith("script/01-test.md:3: beat 'one': cannot caption 'x")
    assert str(error.value).endswith("split that sentence or shorten it")
