"""Parse the Markdown narration: chapters, beats, bookmarks, caption vs spoken text.

A chapter file ``script/NN-slug.md`` looks like this::

    # Introduction
    <!-- a comment: neither spoken nor captioned -->

    ## hook
    What does it take to build {@chat}your own ChatGPT for {$100|a hundred dollars}?

* ``# Title``: the chapter title (once, before the first beat).
* ``## beat-id``: starts a beat; ids are lower-case words joined by ``-``.
* ``{@mark}``: a bookmark on the word that follows it.
* ``{written|spoken}``: the caption shows *written*, the voice says *spoken*
  (split at the last ``|``, so ``{<|bos|>|the B O S token}`` works).
* Backticks are dropped (``speedrun.sh`` is captioned without them).
* ``<!-- ... -->`` comments may span lines.

The project-wide lexicon (``script/lexicon.md``) is a list of
``- written -> spoken`` lines applied to every chapter, whole-word; an entry
with a capital letter matches that exact case, an all-lower-case entry matches
any case.

Every beat keeps both forms of its text and a map from each caption word to
the spoken words that voice it, so timings measured on the spoken words can
place captions and bookmarks.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from .errors import at, display

CHAPTER_FILE = re.compile(r"^(?P<number>\d\d)-(?P<slug>[a-z0-9]+(?:-[a-z0-9]+)*)\.md$")
BEAT_ID = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
MARK_NAME = re.compile(r"^[a-z0-9]+(?:[-_][a-z0-9]+)*$")
INLINE = re.compile(r"\{([^{}]*)\}")
LEXICON_LINE = re.compile(r"^[-*]\s+(?P<written>.+?)\s+(?:->|→)\s+(?P<spoken>.+?)\s*$")
LEXICON_FILE = "lexicon.md"


@dataclass(frozen=True)
class CaptionWord:
    """One whitespace-separated word of caption text and the spoken words voicing it."""

    text: str
    first: int  # index of the first spoken word
    last: int  # index of the last spoken word (>= first)


@dataclass
class Beat:
    """A stretch of narration that a scene animates against."""

    id: str
    line: int  # line of the ``## id`` heading
    caption: str  # what the captions show, whitespace-normalised
    spoken: str  # what the voice says
    words: list[CaptionWord]  # caption words, in order
    bookmarks: dict[str, int]  # mark -> index of the spoken word it precedes
    bookmark_lines: dict[str, int] = field(default_factory=dict)

    @property
    def spoken_words(self) -> list[str]:
        return self.spoken.split()


@dataclass
class Chapter:
    number: int
    slug: str
    title: str
    path: Path
    beats: list[Beat]

    @property
    def key(self) -> str:
        """``01-introduction``: the stem used for every output of this chapter."""
        return f"{self.number:02d}-{self.slug}"

    def beat(self, beat_id: str) -> Beat:
        for beat in self.beats:
            if beat.id == beat_id:
                return beat
        raise KeyError(beat_id)

    @property
    def caption_text(self) -> str:
        return " ".join(beat.caption for beat in self.beats)

    @property
    def word_count(self) -> int:
        return sum(len(beat.spoken_words) for beat in self.beats)


# --------------------------------------------------------------------------- lexicon


@dataclass
class Lexicon:
    """Project-wide pronunciations: written form -> spoken form, whole-word."""

    entries: dict[str, str] = field(default_factory=dict)
    _pattern: re.Pattern[str] | None = None

    def __post_init__(self) -> None:
        self._compile()

    def _compile(self) -> None:
        if not self.entries:
            self._pattern = None
            return
        parts = []
        for written in sorted(self.entries, key=len, reverse=True):
            body = re.escape(written)
            if written[0].isalnum() or written[0] == "_":
                body = r"(?<!\w)" + body
            if written[-1].isalnum() or written[-1] == "_":
                body = body + r"(?!\w)"
            if written == written.lower():
                body = f"(?i:{body})"
            parts.append(body)
        self._pattern = re.compile("|".join(parts))

    def lookup(self, matched: str) -> str:
        if matched in self.entries:
            return self.entries[matched]
        return self.entries[matched.lower()]

    def split(self, text: str) -> list[tuple[str, str | None]]:
        """Split plain text into ``(written, spoken-or-None)`` runs."""
        if self._pattern is None:
            return [(text, None)]
        runs: list[tuple[str, str | None]] = []
        pos = 0
        for match in self._pattern.finditer(text):
            if match.start() > pos:
                runs.append((text[pos : match.start()], None))
            runs.append((match.group(0), self.lookup(match.group(0))))
            pos = match.end()
        if pos < len(text):
            runs.append((text[pos:], None))
        return runs


def load_lexicon(path: Path) -> Lexicon:
    """Read ``- written -> spoken`` lines; other lines are prose and ignored."""
    if not path.exists():
        return Lexicon()
    text = _read_text(path)
    entries: dict[str, str] = {}
    lines = _strip_comments(text, path).split("\n")
    for number, line in enumerate(lines, start=1):
        stripped = line.strip()
        if not stripped.startswith(("- ", "* ")):
            continue
        match = LEXICON_LINE.match(stripped)
        if not match:
            raise at(path, number, "expected '- written -> spoken' (e.g. '- d20 -> d twenty')")
        written = _unbacktick(match.group("written"))
        spoken = " ".join(match.group("spoken").split())
        if written in entries:
            raise at(path, number, f"'{written}' is listed twice; keep one entry")
        entries[written] = spoken
    return Lexicon(entries)


def _unbacktick(text: str) -> str:
    text = text.strip()
    if len(text) >= 2 and text[0] == "`" and text[-1] == "`":
        return text[1:-1]
    return text


# --------------------------------------------------------------------------- chapters


def _read_text(path: Path) -> str:
    """The file as text with ``\n`` line ends, whatever a Windows editor saved.

    A UTF-8 byte-order mark is dropped, and CRLF (or a lone CR) becomes LF.
    """
    data = path.read_bytes()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise at(path, line, "is not UTF-8; re-save the file as UTF-8") from None
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _strip_comments(text: str, path: Path) -> str:
    """Blank out ``<!-- -->`` comments, keeping line numbers."""
    out = []
    pos = 0
    while True:
        start = text.find("<!--", pos)
        if start < 0:
            out.append(text[pos:])
            break
        end = text.find("-->", start + 4)
        if end < 0:
            line = text.count("\n", 0, start) + 1
            raise at(path, line, "comment '<!--' is never closed with '-->'")
        out.append(text[pos:start])
        out.append("\n" * text.count("\n", start, end))
        pos = end + 3
    return "".join(out)


class _BeatBuilder:
    """Accumulates caption and spoken text with a char map between them."""

    def __init__(self, path: Path, lexicon: Lexicon) -> None:
        self.path = path
        self.lexicon = lexicon
        self.caption: list[str] = []
        self.spoken: list[str] = []
        # for each caption char: the spoken char range [start, end) voicing it
        self.span: list[tuple[int, int]] = []
        self.marks: dict[str, int] = {}  # mark -> spoken char offset
        self.mark_lines: dict[str, int] = {}

    def _space(self) -> None:
        if self.caption and self.caption[-1] != " ":
            self.caption.append(" ")
            self.span.append((len(self.spoken), len(self.spoken)))
        if self.spoken and self.spoken[-1] != " ":
            self.spoken.append(" ")

    def plain(self, text: str) -> None:
        for written, spoken in self.lexicon.split(text.replace("`", "")):
            if spoken is None:
                for char in written:
                    if char.isspace():
                        self._space()
                    else:
                        self.span.append((len(self.spoken), len(self.spoken) + 1))
                        self.caption.append(char)
                        self.spoken.append(char)
            else:
                self.override(written, spoken)

    def override(self, written: str, spoken: str) -> None:
        written = " ".join(written.split())
        spoken = " ".join(spoken.split())
        start = len(self.spoken)
        self.spoken.extend(spoken)
        end = len(self.spoken)
        for char in written:
            if char == " ":
                self._space_caption_only(start, end)
            else:
                self.caption.append(char)
                self.span.append((start, end))

    def _space_caption_only(self, start: int, end: int) -> None:
        self.caption.append(" ")
        self.span.append((start, end))

    def mark(self, name: str, line: int) -> None:
        if not MARK_NAME.match(name):
            raise at(
                self.path, line, f"bookmark '{{@{name}}}': use lower-case letters, digits, '-'"
            )
        if name in self.marks:
            raise at(self.path, line, f"bookmark '{name}' is used twice in this beat; rename one")
        self.marks[name] = len(self.spoken)
        self.mark_lines[name] = line

    def add_line(self, text: str, line: int) -> None:
        self._refuse_nesting(text, line)
        pos = 0
        for match in INLINE.finditer(text):
            self._plain_checked(text[pos : match.start()], line)
            body = match.group(1)
            if body.startswith("@"):
                self.mark(body[1:].strip(), line)
            elif "|" in body:
                written, spoken = body.rsplit("|", 1)
                if not written.strip() or not spoken.strip():
                    raise at(self.path, line, f"'{{{body}}}' needs both forms: {{written|spoken}}")
                self.override(written, spoken)
            else:
                raise at(
                    self.path,
                    line,
                    f"'{{{body}}}' is not markup: write {{@mark}} for a bookmark "
                    "or {written|spoken} for a pronunciation",
                )
            pos = match.end()
        self._plain_checked(text[pos:], line)
        self._space()

    def _refuse_nesting(self, text: str, line: int) -> None:
        """Markup inside markup (``{$24|{@price}twenty four}``) gets its own message."""
        depth, opened = 0, 0
        for pos, char in enumerate(text):
            if char == "{":
                if depth == 1:
                    inner = text[pos : text.find("}", pos) + 1 or len(text)]
                    outer = text[opened : text.find("|", opened) + 1 or opened + 1]
                    hint = (
                        f"put the bookmark just before the braces: {inner}{outer}...}}"
                        if inner.startswith("{@")
                        else "write each {...} separately"
                    )
                    raise at(
                        self.path,
                        line,
                        f"markup cannot nest: '{inner}' is inside '{outer}...}}'; {hint}",
                    )
                depth, opened = depth + 1, pos
            elif char == "}" and depth:
                depth -= 1

    def _plain_checked(self, text: str, line: int) -> None:
        if "{" in text or "}" in text:
            raise at(self.path, line, "unmatched '{' or '}' (markup must close on the same line)")
        self.plain(text)

    def build(self, beat_id: str, line: int) -> Beat:
        caption = "".join(self.caption).rstrip()
        spoken = "".join(self.spoken).rstrip()
        spoken_at = _word_index_by_char(spoken)
        words: list[CaptionWord] = []
        for match in re.finditer(r"\S+", caption):
            first_char = self.span[match.start()][0]
            last_char = self.span[match.end() - 1][1] - 1
            first = _next_word(spoken_at, first_char)
            last = _prev_word(spoken_at, last_char)
            n_words = len(spoken.split())
            first = min(first, max(n_words - 1, 0))
            words.append(CaptionWord(match.group(0), first, max(first, last)))
        marks = {name: _next_word(spoken_at, pos) for name, pos in self.marks.items()}
        return Beat(beat_id, line, caption, spoken, words, marks, dict(self.mark_lines))


def _word_index_by_char(text: str) -> list[int]:
    """For each char: index of its word, or -1 for whitespace."""
    index = [-1] * len(text)
    for number, match in enumerate(re.finditer(r"\S+", text)):
        for pos in range(match.start(), match.end()):
            index[pos] = number
    return index


def _next_word(index: list[int], pos: int) -> int:
    """Word at ``pos`` or the first one after it (``len(words)`` at the end)."""
    for value in index[max(pos, 0) :]:
        if value >= 0:
            return value
    return max(index, default=-1) + 1


def _prev_word(index: list[int], pos: int) -> int:
    for value in reversed(index[: max(pos, -1) + 1]):
        if value >= 0:
            return value
    return 0


def parse_chapter(path: Path, lexicon: Lexicon | None = None) -> Chapter:
    """Parse one ``NN-slug.md`` narration file."""
    lexicon = lexicon or Lexicon()
    name = CHAPTER_FILE.match(path.name)
    if not name:
        raise at(path, None, "chapter files are named NN-slug.md, e.g. 03-tokenizer.md")
    text = _strip_comments(_read_text(path), path)
    title: str | None = None
    beats: list[Beat] = []
    seen: dict[str, int] = {}
    current: tuple[str, int, _BeatBuilder] | None = None

    def finish() -> None:
        if current is None:
            return
        beat_id, line, builder = current
        beat = builder.build(beat_id, line)
        if not beat.spoken_words:
            raise at(path, line, f"beat '{beat_id}' is empty; add narration or delete the heading")
        beats.append(beat)

    for number, raw in enumerate(text.split("\n"), start=1):
        line = raw.strip()
        if not line:
            continue
        if line.startswith("#"):
            level = len(line) - len(line.lstrip("#"))
            heading = line[level:].strip()
            if level == 1:
                if title is not None:
                    raise at(path, number, "a second '# title'; a chapter has one title")
                if current is not None:
                    raise at(path, number, "the '# title' must come before the first beat")
                title = heading
                continue
            if level == 2:
                if title is None:
                    raise at(path, number, "add a '# Chapter title' line before the first beat")
                if not BEAT_ID.match(heading):
                    raise at(
                        path, number, f"beat id '{heading}': use lower-case words joined by '-'"
                    )
                if heading in seen:
                    raise at(
                        path, number, f"beat id '{heading}' repeats line {seen[heading]}; rename it"
                    )
                finish()
                seen[heading] = number
                current = (heading, number, _BeatBuilder(path, lexicon))
                continue
            raise at(path, number, "only '# title' and '## beat-id' headings are allowed")
        if current is None:
            raise at(path, number, "narration before the first '## beat-id' heading")
        current[2].add_line(line, number)
    finish()
    if title is None:
        raise at(path, None, "no '# Chapter title' line")
    if not beats:
        raise at(path, None, "no beats: add '## beat-id' headings with narration under them")
    return Chapter(int(name["number"]), name["slug"], title, path, beats)


def discover(script_dir: Path) -> list[Path]:
    """Chapter files in ``script_dir``, in chapter order."""
    files = sorted(p for p in script_dir.glob("*.md") if CHAPTER_FILE.match(p.name))
    numbers: dict[str, Path] = {}
    for path in files:
        number = path.name[:2]
        if number in numbers:
            raise at(path, None, f"chapter {number} also has {numbers[number].name}; renumber one")
        numbers[number] = path
    return files


def load_chapters(script_dir: Path) -> list[Chapter]:
    lexicon = load_lexicon(script_dir / LEXICON_FILE)
    return [parse_chapter(path, lexicon) for path in discover(script_dir)]


# messages about a scene asking for what its script lacks (a render raises them; a
# check writes them from its cached record of what the scene asked for)


def unknown_beat_message(chapter: Chapter, beat_id: str, where: str) -> str:
    return (
        f"{where}: beat '{beat_id}' is not in {display(chapter.path)}; "
        f"add a '## {beat_id}' section there or fix the id"
    )


def missing_mark_message(chapter: Chapter, beat: Beat, mark: str, where: str) -> str:
    return (
        f"{where}: beat '{beat.id}' has no bookmark '{{@{mark}}}'; add it to "
        f"{display(chapter.path)} near line {beat.line} or fix the name"
    )
