"""The narration format: beats, bookmarks, caption vs spoken forms, comments, errors."""

from pathlib import Path

import pytest

from explainer.errors import UserError
from explainer.script import Lexicon, load_lexicon, parse_chapter


def chapter(tmp_path: Path, text: str, lexicon: Lexicon | None = None, name="01-test.md"):
    path = tmp_path / name
    path.write_text(text, "utf-8")
    return parse_chapter(path, lexicon)


def test_title_beats_and_text(tmp_path):
    c = chapter(tmp_path, "# Intro\n\n## first-beat\nHello there.\nSecond line.\n\n## next\nBye.\n")
    assert c.title == "Intro"
    assert [b.id for b in c.beats] == ["first-beat", "next"]
    assert c.beats[0].caption == "Hello there. Second line."
    assert c.beats[0].line == 3
    assert c.key == "01-test"


def test_inline_override_and_bookmark(tmp_path):
    c = chapter(tmp_path, "# T\n## b\nIt costs {$100|a hundred dollars} {@cost}today.\n")
    beat = c.beats[0]
    assert beat.caption == "It costs $100 today."
    assert beat.spoken == "It costs a hundred dollars today."
    words = {w.text: beat.spoken_words[w.first : w.last + 1] for w in beat.words}
    assert words["$100"] == ["a", "hundred", "dollars"]
    assert beat.spoken_words[beat.bookmarks["cost"]] == "today."


def test_override_split_at_last_bar_for_special_tokens(tmp_path):
    c = chapter(tmp_path, "# T\n## b\nEach starts with {<|bos|>|the B O S token}.\n")
    assert c.beats[0].caption == "Each starts with <|bos|>."
    assert c.beats[0].spoken == "Each starts with the B O S token."


def test_lexicon_whole_word_and_case_aware(tmp_path):
    lex = Lexicon({"d20": "d twenty", "GPT": "G P T", "nanochat": "nano chat"})
    c = chapter(
        tmp_path, "# T\n## b\nNanochat trains d20, not d200. GPTs and gpt differ; GPT.\n", lex
    )
    spoken = c.beats[0].spoken
    assert spoken.startswith("nano chat trains d twenty, not d200.")
    assert "GPTs" in spoken  # whole word only
    assert "and gpt differ" in spoken  # capitalised entry matches its exact case only
    assert spoken.endswith("G P T.")
    assert c.beats[0].caption == "Nanochat trains d20, not d200. GPTs and gpt differ; GPT."


def test_lexicon_symbols_at_word_edges(tmp_path):
    lex = Lexicon(
        {"$100": "a hundred dollars", "8×H100": "eight H one hundred", "ReLU²": "relu squared"}
    )
    c = chapter(tmp_path, "# T\n## b\nFor $100, on 8×H100: ReLU². Not $1000.\n", lex)
    assert c.beats[0].spoken == (
        "For a hundred dollars, on eight H one hundred: relu squared. Not $1000."
    )


def test_comments_neither_spoken_nor_captioned(tmp_path):
    text = "# T\n<!-- top -->\n## b\nOne <!-- inline --> two.\n<!--\nmulti\nline -->\nThree.\n"
    c = chapter(tmp_path, text)
    assert c.beats[0].caption == "One two. Three."
    assert c.beats[0].spoken == "One two. Three."


def test_backticks_dropped(tmp_path):
    c = chapter(tmp_path, "# T\n## b\nRun `speedrun.sh` now.\n")
    assert c.beats[0].caption == "Run speedrun.sh now."


@pytest.mark.parametrize(
    "text, line, fragment",
    [
        ("## b\nHi.\n", 1, "title"),
        ("# T\nHello\n## b\nHi.\n", 2, "before the first"),
        ("# T\n## b\nHi.\n## b\nAgain.\n", 4, "repeats line 2"),
        ("# T\n## b\n\n## c\nHi.\n", 2, "empty"),
        ("# T\n## Bad Id\nHi.\n", 2, "lower-case"),
        ("# T\n## b\nHi {oops}.\n", 3, "not markup"),
        ("# T\n## b\nHi {@x} and {@x}.\n", 3, "twice"),
        ("# T\n## b\nHi {unclosed.\n", 3, "unmatched"),
        ("# T\n## b\nHi <!-- never closed\n", 3, "never closed"),
        ("# T\n### deep\nHi.\n", 2, "headings"),
        ("# T\n## b\nHi {|spoken}.\n", 3, "both forms"),
    ],
)
def test_parse_errors_name_file_and_line(tmp_path, text, line, fragment):
    with pytest.raises(UserError) as error:
        chapter(tmp_path, text)
    message = str(error.value)
    assert f"01-test.md:{line}:" in message or (line == 1 and "01-test.md" in message)
    assert fragment in message


def test_windows_bom_and_crlf_are_accepted(tmp_path):
    # what Windows editors save: a UTF-8 byte-order mark and CRLF line ends
    text = "# Intro\r\n\r\n## first\r\nHello {@m}there.\r\nSecond line.\r\n## next\r\nBye.\r\n"
    path = tmp_path / "01-win.md"
    path.write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))
    c = parse_chapter(path)
    assert c.title == "Intro"
    assert [b.id for b in c.beats] == ["first", "next"]
    assert c.beats[0].caption == "Hello there. Second line."
    assert c.beats[0].bookmark_lines == {"m": 4} and c.beats[1].line == 6
    lexicon = tmp_path / "lexicon.md"
    lexicon.write_bytes(b"\xef\xbb\xbf- d20 -> d twenty\r\n- GPT -> G P T\r\n")
    assert load_lexicon(lexicon).entries == {"d20": "d twenty", "GPT": "G P T"}


def test_bookmark_inside_a_spoken_form_says_markup_cannot_nest(tmp_path):
    with pytest.raises(UserError) as error:
        chapter(tmp_path, "# T\n## b\nIt costs {$24|{@price}twenty four dollars} today.\n")
    message = str(error.value)
    assert "01-test.md:3: markup cannot nest: '{@price}' is inside '{$24|...}'" in message
    assert "put the bookmark just before the braces: {@price}{$24|...}" in message
    assert "unmatched" not in message and "\n" not in message


def test_not_utf8_names_the_line(tmp_path):
    path = tmp_path / "01-x.md"
    path.write_bytes("# T\n## b\nCaf\xe9 latin-1\n".encode("latin-1"))
    with pytest.raises(UserError, match=r"01-x.md:3: is not UTF-8"):
        parse_chapter(path)


def test_bad_file_name(tmp_path):
    with pytest.raises(UserError, match="NN-slug.md"):
        chapter(tmp_path, "# T\n## b\nHi.\n", name="intro.md")


def test_lexicon_file(tmp_path):
    path = tmp_path / "lexicon.md"
    path.write_text("# Lexicon\nSome prose.\n\n- d20 -> d twenty\n- `<|bos|>` → the B O S token\n")
    lex = load_lexicon(path)
    assert lex.entries == {"d20": "d twenty", "<|bos|>": "the B O S token"}
    path.write_text("- d20 -> d twenty\n- broken line\n")
    with pytest.raises(UserError, match=r"lexicon.md:2:"):
        load_lexicon(path)
    path.write_text("- d20 -> a\n- d20 -> b\n")
    with pytest.raises(UserError, match="twice"):
        load_lexicon(path)


def test_real_scripts_parse():
    from explainer.project import Project

    chapters = Project().chapters()
    assert chapters and chapters[0].key == "01-introduction"
    for c in chapters:
        assert 150 <= c.word_count <= 350, f"{c.key}: {c.word_count} spoken words"
