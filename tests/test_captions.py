"""Caption segmentation against every limit in shared/standards.md, and the file formats."""

import random

import pytest

from explainer import captions
from explainer.captions import Cue, Word, build_cues, problems, to_srt, to_vtt


def timed(text: str, start: float = 0.0, wps: float = 2.6, pause: float = 0.25) -> list[Word]:
    """Words at ``wps`` words/s, with a pause after sentence and clause ends."""
    out, t = [], start
    for token in text.split():
        d = 0.12 + 0.055 * len(token)
        out.append(Word(token, t, t + d))
        t += max(d, 1 / wps) + (pause if token[-1] in ".,;:?!" else 0.03)
    return out


PARAGRAPH = (
    "Andrej Karpathy's nanochat does all of it in one small, readable repository. "
    "It is about eight thousand lines of code, with very few dependencies. "
    "A single script runs the whole pipeline on one node of eight GPUs, and it takes "
    "about four hours from raw text on the internet to a model that answers you, which "
    "at twenty four dollars an hour is about a hundred dollars in all."
)


def test_cues_meet_every_limit_and_keep_the_text():
    beats = [timed(PARAGRAPH), timed("Second beat. Short.", start=40.0)]
    cues = build_cues(beats, end_of_video=50.0)
    assert problems(cues, 50.0) == []
    joined = " ".join(c.flat for c in cues)
    assert joined == PARAGRAPH + " Second beat. Short."
    for cue in cues:
        assert all(len(line) <= 42 for line in cue.text.split("\n"))
        assert cue.text.count("\n") <= 1


def test_cue_starts_on_its_first_word():
    words = timed(PARAGRAPH, start=3.0)
    cues = build_cues([words], 60.0)
    starts = {w.start for w in words}
    for cue in cues:
        assert cue.start in starts


def test_cues_never_cross_beats():
    a, b = timed("One two three four."), timed("Five six seven eight.", start=3.0)
    cues = build_cues([a, b], 10.0)
    assert [c.flat for c in cues] == ["One two three four.", "Five six seven eight."]


def test_prefers_sentence_boundaries():
    words = timed("This is one sentence here. And this is another one that follows it closely.")
    cues = build_cues([words], 30.0)
    assert cues[0].flat.endswith("here.")


def test_short_lone_word_is_held_long_enough():
    cues = build_cues([[Word("Hi.", 0.0, 0.2)]], 5.0)
    assert cues[0].end - cues[0].start >= 5 / 6
    assert problems(cues, 5.0) == []


def test_last_cue_never_outlasts_the_video():
    cues = build_cues([[Word("End.", 0.0, 0.3)]], 0.9)
    assert cues[-1].end <= 0.9


def test_random_paragraphs_always_meet_limits():
    rng = random.Random(7)
    vocab = PARAGRAPH.replace(",", "").replace(".", "").split()
    for _ in range(40):
        n = rng.randint(5, 70)
        tokens = [rng.choice(vocab) + rng.choice(["", "", "", ",", "."]) for _ in range(n)]
        words = timed(" ".join(tokens), wps=rng.uniform(2.0, 3.2))
        cues = build_cues([words], words[-1].end + 2)
        assert problems(cues, words[-1].end + 2) == []
        assert " ".join(c.flat for c in cues) == " ".join(tokens)


def test_impossible_text_is_reported():
    fast = [
        Word("Supercalifragilisticexpialidocious-and-more", 0.0, 0.05),
        Word("x" * 50, 0.06, 0.1),
    ]
    with pytest.raises(captions.CaptionError):
        build_cues([fast], 0.2)


def test_problems_detects_each_violation():
    bad = [
        Cue(0.0, 0.5, "too short"),
        Cue(0.4, 8.0, "overlaps and too long"),
        Cue(8.03, 9.0, "x" * 43),
        Cue(9.0, 9.9, "a b c d e f g h i j k l m n o p q r s t u v w x y z"),
        Cue(10.0, 11.0, "one\ntwo\nthree"),
    ]
    found = " ".join(problems(bad, 10.5))
    for fragment in (
        "< 5/6 s",
        "> 7 s",
        "overlaps",
        "gap",
        "43 characters",
        "characters/s",
        "3 lines",
        "after the video",
    ):
        assert fragment in found


def test_srt_and_vtt_format():
    cues = [Cue(1.0, 2.5, "Hello\nworld"), Cue(3661.25, 3662.0, "later")]
    srt = to_srt(cues)
    assert srt.startswith("1\n00:00:01,000 --> 00:00:02,500\nHello\nworld\n")
    assert "01:01:01,250 --> 01:01:02,000" in srt
    vtt = to_vtt(cues)
    assert vtt.startswith("WEBVTT\n\n00:00:01.000 --> 00:00:02.500\n")
    assert [c.text for c in captions.parse_srt(srt)] == ["Hello\nworld", "later"]


def test_vtt_escapes_what_webvtt_reads_as_markup():
    # a bare <|bos|> is a WebVTT tag: browsers would draw "starts with  & ends"
    vtt = to_vtt([Cue(0.0, 1.5, "starts with <|bos|> & ends")])
    assert vtt.endswith("\nstarts with &lt;|bos|&gt; &amp; ends\n")
    assert "<|bos|>" in to_srt([Cue(0.0, 1.5, "starts with <|bos|>")])  # SRT keeps it as written


def test_closing_a_small_gap_never_stretches_a_cue_past_seven_seconds():
    # the first cue's words end 6.95 s in; the next starts 7.0 s in: chaining would
    # show it for 7.0+ s, so it must end early enough to leave a real gap instead
    cues = [
        Cue(0.0, 6.95, "a long sentence spoken slowly, with pauses"),
        Cue(7.02, 8.5, "and the next one"),
    ]
    captions._set_display_times(cues, end_of_video=10.0)
    assert cues[0].end - cues[0].start <= captions.MAX_DURATION
    assert problems(cues, 10.0) == []
