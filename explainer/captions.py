"""Captions from the script's caption text, timed by the spoken words.

Segmentation is a small dynamic programme over each beat's words: every cue
fits two lines of 42 characters, lasts at most 7 s, reads at no more than 20
characters a second, and prefers to end at a sentence or clause boundary.
A cue appears when its first word is spoken and leaves shortly after its last
word ends, or chains exactly onto the next cue. The limits come from
``shared/standards.md``; :func:`problems` checks any cue list against them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta

import srt

MAX_LINE = 42
MAX_LINES = 2
MIN_DURATION = 5 / 6
MAX_DURATION = 7.0
MAX_CPS = 20.0
AIM_CPS = 17.0
MIN_GAP = 2 / 24  # two frames at 24 fps; a smaller gap is closed (chained)
GAP = 0.084  # the gap we leave: two frames rounded up to whole ms, so SRT/VTT keep it
MS = 0.0015  # SRT/VTT times are whole milliseconds: checks allow that rounding
LINGER = 0.45  # how long a cue stays after its last word when nothing follows soon

SENTENCE = re.compile(r"[.!?][\"'”’)\]]*$")
CLAUSE = re.compile(r"[,;:—–][\"'”’)\]]*$")
WEAK_END = {
    "a",
    "an",
    "the",
    "of",
    "to",
    "in",
    "on",
    "at",
    "by",
    "for",
    "with",
    "from",
    "and",
    "or",
    "but",
    "is",
    "are",
    "was",
    "its",
    "it's",
    "their",
    "his",
    "her",
    "our",
    "your",
    "my",
    "this",
    "that",
    "these",
    "those",
    "into",
    "onto",
    "than",
    "as",
    "per",
}
GOOD_START = {
    "and",
    "but",
    "or",
    "so",
    "because",
    "which",
    "that",
    "then",
    "while",
    "when",
    "where",
    "who",
    "with",
    "without",
    "into",
    "from",
    "for",
    "to",
    "in",
    "on",
    "at",
}


@dataclass(frozen=True)
class Word:
    text: str
    start: float
    end: float


@dataclass
class Cue:
    start: float
    end: float
    text: str  # lines joined with "\n"

    @property
    def flat(self) -> str:
        return " ".join(self.text.split("\n"))

    @property
    def chars(self) -> int:
        return len(self.flat)


class CaptionError(ValueError):
    """A run of words that cannot be captioned within the limits."""

    def __init__(self, words: list[Word], reason: str) -> None:
        self.words = words
        self.reason = reason
        text = " ".join(w.text for w in words)
        super().__init__(f"cannot caption '{_shorten(text)}' ({reason})")


def _shorten(text: str, limit: int = 70) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


# --------------------------------------------------------------------------- lines


def _break_cost(left: str, right: str) -> float:
    """How bad it is to end a line (or cue) after ``left`` and start the next with ``right``."""
    if SENTENCE.search(left):
        return 0.0
    if CLAUSE.search(left):
        return 1.0
    bare_left = left.lower().strip("\"'()“”")
    bare_right = right.lower().strip("\"'()“”")
    if bare_left in WEAK_END:
        return 9.0
    if bare_right in GOOD_START:
        return 3.0
    return 6.0


def wrap(words: list[str]) -> list[str] | None:
    """Best split of words into at most two lines of ``MAX_LINE`` chars, or ``None``."""
    text = " ".join(words)
    if len(text) <= MAX_LINE:
        return [text]
    best: tuple[float, list[str]] | None = None
    for cut in range(1, len(words)):
        top, bottom = " ".join(words[:cut]), " ".join(words[cut:])
        if len(top) > MAX_LINE or len(bottom) > MAX_LINE:
            continue
        cost = _break_cost(words[cut - 1], words[cut]) + abs(len(top) - len(bottom)) / 6.0
        if len(top) > len(bottom):
            cost += 0.5  # prefer a bottom-heavy pyramid
        if best is None or cost < best[0]:
            best = (cost, [top, bottom])
    return best[1] if best else None


# --------------------------------------------------------------------------- segmentation


def segment(words: list[Word], window_end: float) -> list[tuple[int, int]]:
    """Split one beat's words into cue spans ``[i, j)``.

    ``window_end`` is when the next beat's first word starts (or the chapter ends):
    the last cue may stay on screen until then.
    """
    n = len(words)
    if n == 0:
        return []
    inf = float("inf")
    best = [inf] * (n + 1)
    choice = [0] * (n + 1)
    best[n] = 0.0
    worst: tuple[int, int, str] | None = None
    for i in range(n - 1, -1, -1):
        for j in range(i + 1, n + 1):
            texts = [w.text for w in words[i:j]]
            chars = len(" ".join(texts))
            if chars > MAX_LINE * MAX_LINES:
                if j == i + 1:
                    worst = (i, j, f"{chars} characters do not fit two lines of {MAX_LINE}")
                break
            lines = wrap(texts)
            if lines is None:
                continue
            start = words[i].start
            speech_end = words[j - 1].end
            if speech_end - start > MAX_DURATION - 0.05:
                if j == i + 1:
                    worst = (i, j, "a single word lasts over 7 s")
                break
            available = (words[j].start if j < n else window_end) - start
            shown = min(available, MAX_DURATION)
            if shown < MIN_DURATION or chars / max(shown, 1e-6) > MAX_CPS:
                worst = worst or (i, j, "spoken too fast to read at 20 characters a second")
                continue
            cps = chars / shown
            cost = 2.0  # per cue: prefer fewer, fuller cues
            cost += 0.0 if j == n else _break_cost(words[j - 1].text, words[j].text) * 2
            if len(lines) == 2:
                cost += _break_cost(*_split_words(texts, lines))
            # one sentence per cue where possible: a sentence ending mid-cue costs extra
            cost += 2.5 * sum(1 for t in texts[:-1] if SENTENCE.search(t))
            cost += max(0.0, cps - AIM_CPS) * 1.5
            cost += 2.0 if chars < 18 and j < n else 0.0
            total = cost + best[j]
            if total < best[i]:
                best[i] = total
                choice[i] = j
    if best[0] == inf:
        i, j, reason = worst or (0, n, "no split meets the limits")
        raise CaptionError(words[i:j] if j > i else words, reason)
    spans = []
    i = 0
    while i < n:
        spans.append((i, choice[i]))
        i = choice[i]
    return spans


def _split_words(texts: list[str], lines: list[str]) -> tuple[str, str]:
    count = len(lines[0].split())
    return texts[count - 1], texts[count]


def build_cues(beats: list[list[Word]], end_of_video: float) -> list[Cue]:
    """Cues for a whole chapter: ``beats`` holds each beat's words in chapter time."""
    cues: list[Cue] = []
    for index, words in enumerate(beats):
        if not words:
            continue
        following = next((b[0].start for b in beats[index + 1 :] if b), end_of_video)
        for i, j in segment(words, following):
            lines = wrap([w.text for w in words[i:j]]) or [" ".join(w.text for w in words[i:j])]
            cues.append(Cue(words[i].start, words[j - 1].end, "\n".join(lines)))
    _set_display_times(cues, end_of_video)
    return cues


def _set_display_times(cues: list[Cue], end_of_video: float) -> None:
    for index, cue in enumerate(cues):
        limit = cues[index + 1].start if index + 1 < len(cues) else end_of_video
        wanted = max(cue.end + LINGER, cue.start + MIN_DURATION, cue.start + cue.chars / AIM_CPS)
        end = min(wanted, cue.start + MAX_DURATION, limit)
        if limit - end < GAP and index + 1 < len(cues):
            if limit - cue.start <= MAX_DURATION:
                end = limit  # chain exactly rather than leave a flicker-sized gap
            else:
                end = limit - GAP  # chaining would show it past 7 s: leave a visible gap
        cue.end = max(end, cue.start)


def offset(cues: list[Cue], seconds: float) -> list[Cue]:
    return [Cue(c.start + seconds, c.end + seconds, c.text) for c in cues]


# --------------------------------------------------------------------------- checks


def problems(cues: list[Cue], end_of_video: float | None = None) -> list[str]:
    """Every way ``cues`` break the caption standards (empty when they meet them)."""
    out = []
    for index, cue in enumerate(cues):
        name = f"cue {index + 1} ({_fmt(cue.start)})"
        lines = cue.text.split("\n")
        if len(lines) > MAX_LINES:
            out.append(f"{name}: {len(lines)} lines")
        for line in lines:
            if len(line) > MAX_LINE:
                out.append(f"{name}: line of {len(line)} characters")
        duration = cue.end - cue.start
        if duration < MIN_DURATION - 1e-6:
            out.append(f"{name}: shown {duration:.2f} s (< 5/6 s)")
        if duration > MAX_DURATION + 1e-6:
            out.append(f"{name}: shown {duration:.2f} s (> 7 s)")
        if duration > 0 and cue.chars / duration > MAX_CPS + 1e-6:
            out.append(f"{name}: {cue.chars / duration:.1f} characters/s (> 20)")
        if index + 1 < len(cues):
            gap = cues[index + 1].start - cue.end
            if gap < -1e-6:
                out.append(f"{name}: overlaps the next cue")
            elif MS < gap < MIN_GAP - MS:
                out.append(f"{name}: gap {gap * 1000:.0f} ms (neither chained nor >= 2 frames)")
        if end_of_video is not None and cue.end > end_of_video + 1e-3:
            out.append(f"{name}: ends after the video")
    return out


# --------------------------------------------------------------------------- formats


def _fmt(seconds: float, sep: str = ",") -> str:
    millis = int(round(seconds * 1000))
    hours, millis = divmod(millis, 3_600_000)
    minutes, millis = divmod(millis, 60_000)
    secs, millis = divmod(millis, 1000)
    return f"{hours:02d}:{minutes:02d}:{secs:02d}{sep}{millis:03d}"


def _ms(seconds: float) -> timedelta:
    return timedelta(milliseconds=round(seconds * 1000))  # srt would truncate; we round


def to_srt(cues: list[Cue]) -> str:
    subtitles = [srt.Subtitle(i, _ms(c.start), _ms(c.end), c.text) for i, c in enumerate(cues, 1)]
    return srt.compose(subtitles)


def vtt_escape(text: str) -> str:
    """WebVTT cue text: ``&``, ``<`` and ``>`` as entities (a bare ``<|bos|>`` is read as a tag
    and vanishes from the picture)."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def to_vtt(cues: list[Cue]) -> str:
    blocks = [f"{_fmt(c.start, '.')} --> {_fmt(c.end, '.')}\n{vtt_escape(c.text)}\n" for c in cues]
    return "WEBVTT\n\n" + "\n".join(blocks)


def parse_srt(text: str) -> list[Cue]:
    """Read SRT back (used by tests and by assembly)."""
    return [Cue(s.start.total_seconds(), s.end.total_seconds(), s.content) for s in srt.parse(text)]
