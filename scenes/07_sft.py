"""Chapter 7: supervised fine-tuning, one conversation per row, trained on the answers.

Narration: script/07-sft.md. Render alone with ``uv run manim -pql scenes/07_sft.py``.

The story in pictures: midtraining's bar of 850,000 conversations beside SFT's sliver of
22,443, and Karpathy's reason in the speedrun script; one midtraining row (2,048 tokens
cut from a stream, starting mid-conversation) cut at its conversation boundaries into
rows of their own, each starting at <|bos|> and padded, as at chat time; one row opened
into its tokens and painted by the loss mask (green trained, red not); the SFT mixture
drawn out of midtraining's with ribbons (the shared ``MixtureBar``); the learning rates
as shares of pretraining's, and SFT's straight fall to zero over one pass; the launch
run's report card in questions, with guessing and noise; the model settles as "sft".

Chapter-local pictures: ``Conversation`` (a ``TokenStrip`` whose cells know their kind),
``blank_row`` (a row of empty token cells coloured by role), ``ribbon`` and ``ScoreRow``.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from manim import (
    DOWN,
    LEFT,
    RIGHT,
    UP,
    AnimationGroup,
    Arrow,
    Brace,
    Create,
    Cross,
    DashedLine,
    DashedVMobject,
    Dot,
    FadeIn,
    FadeOut,
    FadeTransform,
    GrowFromEdge,
    Indicate,
    LaggedStart,
    Line,
    MoveAlongPath,
    Polygon,
    Rectangle,
    ReplacementTransform,
    Square,
    Succession,
    SurroundingRectangle,
    VGroup,
    Write,
)
from mobjects import (
    MIDTRAINING_MIX,
    SFT_MIX,
    Counter,
    MixtureBar,
    ModelStack,
    RateBar,
    TokenCell,
    TokenStrip,
)
from style import (
    CONTENT_CENTRE,
    CONTENT_TOP,
    DIM,
    FAINT,
    HIGHLIGHT,
    KEY,
    LABEL_SIZE,
    MASKED,
    QUICK,
    SMALL_SIZE,
    STEADY,
    STROKE,
    STRUCTURE,
    TEXT,
    THIN,
    TOKEN,
    TRAINED,
    maths,
    mono,
    prose,
    setup_canvas,
)
from transitions import closing, opening

from explainer.scene import NarratedScene

CY = CONTENT_CENTRE[1]
ROLE = {"bos": STRUCTURE, "user": DIM, "assistant": TOKEN, "pad": FAINT}
FILL = {"bos": 0.6, "user": 0.25, "assistant": 0.45, "pad": 0.12}

# Karpathy's comment on the SFT step (speedrun.sh:107), broken into lines
REASON = ["# Supervised Finetuning", "# (domain adaptation to", "#  each sequence all by",
          "#  itself per row)"]  # fmt: skip
ROWS_MID = 849_315  # midtraining's mixture, conversations (mid_train.py:98-106)
ROWS_SFT = 22_443  # SFT's (chat_sft.py:84-92)

# three conversations as roles, one token each; a midtraining row holds the end of A,
# all of B and the start of C (2,048 tokens drawn as 24 cells)
A = ["bos"] + ["user"] * 3 + ["assistant"] * 7
B = ["bos"] + ["user"] * 3 + ["assistant"] * 6
C = ["bos"] + ["user"] * 4 + ["assistant"] * 7
A_TAIL, C_HEAD = 5, 9  # tokens of A and C inside the midtraining row

# one made-up conversation as nanochat renders it (nanochat/tokenizer.py:294-337), one
# line per part: (token, kind); the kind decides the loss mask
CONVERSATION = [
    [("<|bos|>", "bos"), ("<|user_start|>", "user"), ("What", "user"), ("is", "user"),
     ("3/5", "user"), ("?", "user"), ("<|user_end|>", "user")],
    [("<|assistant_start|>", "start"), ("<|python_start|>", "call"), ("3/5", "call"),
     ("<|python_end|>", "call")],
    [("<|output_start|>", "output"), ("0.6", "output"), ("<|output_end|>", "output")],
    [("It's", "reply"), ("0.6", "reply"), ("<|assistant_end|>", "end")],
]  # fmt: skip
TRAINED_KINDS = {"call", "reply", "end"}

# the launch run's report card (README.md:51-59), MID -> SFT, with the test sets' sizes
# (chat_eval.py:165-168) and chance (chat_eval.py:211-214): name, mid, sft, questions
SCORES = [
    ("ARC-Easy", 0.3561, 0.3876, 2376),
    ("ARC-Challenge", 0.2875, 0.2807, 1172),
    ("GSM8K", 0.0250, 0.0455, 1319),
]
CHANCE = 0.25
AXIS_TOP = 0.5  # the score axis runs from 0 to 50 %


# ---------------------------------------------------------------- local pictures


class Conversation(TokenStrip):
    """A chat as tokens: the shared :class:`TokenStrip`, each cell also knowing its kind.

    ``lines`` holds ``(token, kind)`` pairs; special tokens (``<|...|>``) are drawn as
    special cells. ``.kinds`` runs parallel to ``.cells``.

    >>> chat = Conversation([[("<|bos|>", "bos"), ("Hi", "user")]])
    >>> chat.tokens, chat.kinds, chat.indices("user")
    (['<|bos|>', 'Hi'], ['bos', 'user'], [1])
    """

    def __init__(self, lines: Sequence[Sequence[tuple[str, str]]], **strip_kwargs):
        cells = [
            [TokenCell(token, TEXT, special=token.startswith("<|")) for token, _ in line]
            for line in lines
        ]
        super().__init__(cells, **strip_kwargs)
        self.kinds = [kind for line in lines for _, kind in line]

    def indices(self, *kinds: str) -> list[int]:
        """Positions of the cells of the given kinds."""
        return [i for i, k in enumerate(self.kinds) if k in kinds]


def blank_cell(kind: str, size: float = 0.5) -> TokenCell:
    """An empty token cell coloured by its role (bos, user, assistant or pad).

    >>> blank_cell("bos").token
    ''
    """
    return TokenCell("", ROLE[kind], width=size, height=size, fill=FILL[kind])


def blank_row(kinds: Sequence[str], size: float = 0.5, gap: float = 0.04) -> VGroup:
    """A row of empty token cells, one per role in ``kinds``.

    >>> len(blank_row(["bos", "user", "assistant"]))
    3
    """
    return VGroup(*[blank_cell(k, size) for k in kinds]).arrange(RIGHT, buff=gap)


def ribbon(source: Rectangle, top: float, height: float, target: Rectangle, colour) -> Polygon:
    """A band from a slice of ``source`` (from ``top``, ``height`` tall) to all of ``target``.

    >>> band = ribbon(Rectangle(), 1.0, 0.1, Rectangle().shift(RIGHT * 3), TOKEN)
    >>> len(band.get_vertices())
    4
    """
    x0, x1 = source.get_right()[0], target.get_left()[0]
    return Polygon(
        [x0, top, 0],
        [x1, target.get_top()[1], 0],
        [x1, target.get_bottom()[1], 0],
        [x0, top - height, 0],
        stroke_width=0,
        fill_color=colour,
        fill_opacity=0.3,
    )


class ScoreRow(VGroup):
    """One benchmark of the report card on a 0-50 % axis: the midtrained score as a grey
    bar, the change after SFT as a green (up) or red (down) piece, and the counts of
    questions right below it.

    >>> row = ScoreRow("GSM8K", 0.025, 0.0455, 1319)
    >>> row.counts[0].text, row.counts[-1].text
    ('33', 'of1,319')
    """

    def __init__(self, name: str, before: float, after: float, questions: int, width=8.0):
        self.scale_x = width / AXIS_TOP
        track = Line(ORIGIN_X, ORIGIN_X + RIGHT * width, stroke_width=THIN, color=FAINT)
        label = mono(name, size=LABEL_SIZE, color=TEXT).next_to(track, LEFT, buff=0.4)
        bar = Rectangle(width=before * self.scale_x, height=0.5, stroke_width=0,
                        fill_color=DIM, fill_opacity=0.7)  # fmt: skip
        bar.move_to(ORIGIN_X, aligned_edge=LEFT)
        low, high = sorted((before, after))
        change = Rectangle(width=max((high - low) * self.scale_x, 0.03), height=0.5,
                           stroke_width=0, fill_color=TRAINED if after > before else MASKED,
                           fill_opacity=0.9)  # fmt: skip
        change.move_to(ORIGIN_X + RIGHT * low * self.scale_x, aligned_edge=LEFT)
        right_before, right_after = round(before * questions), round(after * questions)
        counts = VGroup(
            mono(f"{right_before:,}", size=SMALL_SIZE, color=DIM),
            maths(r"\to", size=SMALL_SIZE, color=DIM),
            mono(f"{right_after:,}", size=SMALL_SIZE, color=TRAINED if after > before else MASKED),
            mono(f"of {questions:,}", size=SMALL_SIZE, color=DIM),
        ).arrange(RIGHT, buff=0.18)
        counts.next_to(bar, DOWN, buff=0.18).align_to(bar, LEFT)
        super().__init__(track, label, bar, change, counts)
        self.track, self.label, self.bar, self.change, self.counts = (
            track,
            label,
            bar,
            change,
            counts,
        )
        self.before, self.after, self.questions = before, after, questions

    def x_of(self, share: float) -> float:
        return self.track.get_left()[0] + share * self.scale_x


ORIGIN_X = np.array([0.0, 0.0, 0.0])


# ---------------------------------------------------------------- the scene


class SupervisedFineTuning(NarratedScene):
    def construct(self):
        setup_canvas()
        bar, model = opening(self, 7)
        hook = self.ask_what_is_left(bar, model)
        rows, row_b = self.give_each_conversation_a_row(model, hook)
        strip, legend = self.paint_the_mask(rows, row_b)
        mixture = self.draw_the_mixture(strip, legend)
        rates = self.lower_the_learning_rate(mixture)
        card = self.read_the_report_card(rates)
        self.hand_over_to_rl(model, card)

    # ------------------------------------------------------------------ beats

    def ask_what_is_left(self, bar, model) -> VGroup:
        with self.beat("hook") as beat:
            self.play(
                bar.enter(7), model.animate.scale(0.6).move_to([-5.65, CY, 0]), run_time=STEADY
            )
            # midtraining's mixture, then SFT's, to the same scale
            mid = MixtureBar(MIDTRAINING_MIX, labels=False, height=4.8, width=1.2)
            mid.move_to([-2.5, CY, 0])
            sft = MixtureBar(SFT_MIX, labels=False, height=4.8 * ROWS_SFT / ROWS_MID, width=1.2)
            sft.move_to(mid.outline.get_bottom() + RIGHT * 1.9, aligned_edge=DOWN)
            names = VGroup(prose("midtraining", size=LABEL_SIZE), mono("SFT", size=LABEL_SIZE))
            for name, part in zip(names, (mid, sft), strict=True):
                name.next_to(mid.outline, DOWN, buff=0.25).set_x(part.get_x())
            mid_count = Counter(ROWS_MID, size=36).next_to(mid.outline, UP, buff=0.2)
            sft_count = Counter(ROWS_SFT, size=36).next_to(sft.outline, UP, buff=0.2)
            self.play(FadeIn(mid.outline), FadeIn(names[0]), FadeIn(mid_count), run_time=QUICK)
            self.play(
                LaggedStart(*[GrowFromEdge(s, UP) for s in mid.segments.values()], lag_ratio=0.3),
                mid_count.count(),
                run_time=beat.until("left"),
            )
            self.play(FadeIn(sft), FadeIn(names[1]), FadeIn(sft_count), run_time=QUICK)
            self.play(sft_count.count(), run_time=beat.until("note"))
            # the reason, in the speedrun script
            note = VGroup(*[mono(line, size=LABEL_SIZE, color=DIM) for line in REASON])
            note.arrange(DOWN, buff=0.22, aligned_edge=LEFT)
            script = mono("speedrun.sh", size=SMALL_SIZE, color=TEXT)
            panel = VGroup(script, note).arrange(DOWN, buff=0.35, aligned_edge=LEFT)
            panel.move_to([3.45, CY + 0.3, 0])
            self.play(
                FadeIn(script),
                LaggedStart(*[Write(line) for line in note], lag_ratio=0.4),
                run_time=beat.until("quote"),
            )
            reason = VGroup(note[2][-5:], note[3][1:-1])  # "all by" / "itself per row"
            self.play(reason.animate.set_color(HIGHLIGHT), run_time=QUICK)
            self.play(Indicate(reason, color=HIGHLIGHT, scale_factor=1.05), run_time=beat.until())
            return VGroup(mid, sft, names, mid_count, sft_count, panel)

    def give_each_conversation_a_row(self, model, hook) -> tuple[VGroup, VGroup]:
        with self.beat("rows") as beat:
            self.play(FadeOut(VGroup(model, hook), shift=LEFT * 0.3), run_time=QUICK)
            # one midtraining row: the end of A, all of B, the start of C
            kinds = A[-A_TAIL:] + B + C[:C_HEAD]
            long_row = blank_row(kinds).move_to([0, CY + 0.3, 0])  # moves up later
            track = SurroundingRectangle(long_row, color=DIM, buff=0.08, stroke_width=THIN)
            brace = Brace(track, UP, buff=0.08, color=DIM)
            width = mono("2,048 tokens", size=SMALL_SIZE, color=DIM).next_to(brace, UP, buff=0.08)
            self.play(
                Create(track),
                LaggedStart(*[FadeIn(c, shift=RIGHT * 0.1) for c in long_row], lag_ratio=0.05),
                FadeIn(brace),
                FadeIn(width),
                run_time=beat.until("tail"),
            )
            a_tail = long_row[:A_TAIL]
            b_part = long_row[A_TAIL : A_TAIL + len(B)]
            c_head = long_row[A_TAIL + len(B) :]
            frame = SurroundingRectangle(a_tail, color=HIGHLIGHT, buff=0.06)
            self.play(
                Create(frame), Indicate(a_tail, color=HIGHLIGHT), run_time=beat.until("several")
            )
            letters = VGroup(
                *[
                    mono(name, size=LABEL_SIZE, color=TEXT).next_to(part, DOWN, buff=0.2)
                    for name, part in zip("ABC", (a_tail, b_part, c_head), strict=True)
                ]
            )
            self.play(FadeOut(frame), LaggedStart(*[FadeIn(x) for x in letters], lag_ratio=0.3),
                      run_time=beat.until("chat"))  # fmt: skip
            # at chat time: one conversation, from <|bos|> on; the long row makes room
            self.play(
                VGroup(long_row, track, brace, width, letters).animate.shift(
                    UP * (1.75 - long_row.get_y())
                ),
                run_time=QUICK,
            )
            chat = blank_row(["bos"] + ["user"] * 3 + ["assistant"] * 5)
            chat.move_to([-6.45, 0.35, 0], aligned_edge=LEFT)
            bos_tag = mono("<|bos|>", size=SMALL_SIZE, color=TEXT)
            bos_tag.next_to(chat[0], DOWN, buff=0.15).align_to(chat, LEFT)
            chat_name = prose("chat time", size=LABEL_SIZE, color=TEXT)
            chat_name.next_to(chat, RIGHT, buff=0.4)
            self.play(
                LaggedStart(*[FadeIn(c, shift=RIGHT * 0.1) for c in chat], lag_ratio=0.1),
                FadeIn(chat_name),
                run_time=STEADY,
            )
            self.play(
                FadeIn(bos_tag, shift=UP * 0.1), Indicate(chat[0]), run_time=beat.until("cut")
            )
            # cut at the conversation boundaries
            cuts = VGroup(
                *[
                    DashedLine(
                        [x, track.get_top()[1] + 0.15, 0],
                        [x, track.get_bottom()[1] - 0.15, 0],
                        color=HIGHLIGHT,
                        stroke_width=STROKE,
                    )
                    for x in ((a_tail[-1].get_right()[0] + b_part[0].get_left()[0]) / 2,
                              (b_part[-1].get_right()[0] + c_head[0].get_left()[0]) / 2)
                ]
            )  # fmt: skip
            self.play(FadeOut(letters), run_time=QUICK)
            self.play(Create(cuts), run_time=beat.until("own"))
            # each conversation slides into a row of its own, whole, starting at <|bos|>
            size = len(C)
            rows = VGroup(
                *[blank_row(kinds + ["pad"] * (size - len(kinds))) for kinds in (A, B, C)]
            )
            rows.arrange(DOWN, buff=0.22).move_to([-6.45, -1.55, 0], aligned_edge=LEFT)
            moves = [
                *[c.animate.move_to(rows[0][len(A) - A_TAIL + i]) for i, c in enumerate(a_tail)],
                *[c.animate.move_to(rows[1][i]) for i, c in enumerate(b_part)],
                *[c.animate.move_to(rows[2][i]) for i, c in enumerate(c_head)],
            ]
            self.play(*moves, FadeOut(cuts), bos_tag.animate.set_opacity(0), run_time=STEADY)
            # the parts midtraining had put in other rows come back
            missing = [*rows[0][: len(A) - A_TAIL], *rows[2][C_HEAD : len(C)]]
            self.play(
                LaggedStart(*[FadeIn(c, scale=0.6) for c in missing], lag_ratio=0.08),
                run_time=beat.until("pad"),
            )
            pads = [
                c for row, kinds in zip(rows, (A, B, C), strict=True) for c in row[len(kinds) :]
            ]
            # padding fills the short rows out: a batch is a rectangle
            batch = SurroundingRectangle(rows, color=HIGHLIGHT, buff=0.12)
            self.play(
                LaggedStart(*[FadeIn(c, scale=0.6) for c in pads], lag_ratio=0.2),
                Create(batch),
                run_time=beat.until("same"),
            )
            # what is on screen now: the cells moved from the long row stand in the new rows
            final = VGroup(
                VGroup(*[*rows[0][: len(A) - A_TAIL], *a_tail, *rows[0][len(A) :]]),
                VGroup(*b_part, *rows[1][len(B) :]),
                VGroup(*c_head, *rows[2][C_HEAD:]),
            )
            # every row now starts like a chat
            bos_column = VGroup(chat[0], *[row[0] for row in final])
            starts = SurroundingRectangle(bos_column, color=HIGHLIGHT, buff=0.08)
            self.play(
                ReplacementTransform(batch, starts),  # the batch's frame closes on the <|bos|>s
                Indicate(bos_column, color=HIGHLIGHT),
                run_time=beat.until(),
            )
            self.remove(bos_tag)
            return VGroup(final[0], final[2], track, brace, width, chat, chat_name, starts), final[
                1
            ]

    def paint_the_mask(self, others, row_b) -> tuple[Conversation, VGroup]:
        with self.beat("mask") as beat:
            self.play(FadeOut(others), run_time=QUICK)
            strip = Conversation(CONVERSATION, line_buff=0.28).move_to([0, 1.05, 0])
            # the row's cells open into the conversation's tokens
            self.play(
                ReplacementTransform(VGroup(*[c.box for c in row_b]), strip.boxes),
                *[FadeOut(c.label) for c in row_b],
                run_time=beat.until("green") * 0.6,
            )
            self.remove(strip.boxes)
            self.add(strip)
            self.play(
                LaggedStart(*[FadeIn(label) for label in strip.labels], lag_ratio=0.05),
                run_time=max(beat.until("green"), QUICK),
            )
            green = [strip.cells[i] for i in strip.indices(*TRAINED_KINDS)]
            red = [c for i, c in enumerate(strip.cells) if strip.kinds[i] not in TRAINED_KINDS]
            legend = VGroup(
                *[
                    VGroup(
                        Square(0.36, stroke_color=colour, fill_color=colour, fill_opacity=0.5),
                        prose(text, size=LABEL_SIZE, color=TEXT),
                    ).arrange(RIGHT, buff=0.25)
                    for colour, text in ((TRAINED, "trained"), (MASKED, "not trained"))
                ]
            ).arrange(DOWN, buff=0.3, aligned_edge=LEFT)
            legend.move_to([-5.0, -2.6, 0], aligned_edge=LEFT)
            end = green[-1]
            self.play(
                FadeIn(legend[0], shift=RIGHT * 0.2),
                LaggedStart(*[c.recolour(TRAINED, 0.45) for c in green[:-1]], lag_ratio=0.15),
                run_time=beat.until("stop"),
            )
            stop = prose("stop", size=LABEL_SIZE, color=TRAINED)
            stop.next_to(end, DOWN, buff=0.8)
            arrow = Arrow(stop.get_top(), end.get_bottom(), buff=0.1, color=TRAINED)
            self.play(end.recolour(TRAINED, 0.45), run_time=QUICK)
            self.play(FadeIn(stop), Create(arrow), run_time=beat.until("red"))
            self.play(
                FadeIn(legend[1], shift=RIGHT * 0.2),
                LaggedStart(*[c.recolour(MASKED, 0.45) for c in red], lag_ratio=0.08),
                run_time=beat.until("weight"),
            )
            # what the colours mean for the loss: each prediction's weight
            weights = VGroup(
                *[
                    mono(text, size=LABEL_SIZE, color=colour).next_to(entry, RIGHT, buff=0.5)
                    for entry, text, colour in ((legend[0], "weight 1", TRAINED),
                                                (legend[1], "weight 0", MASKED))
                ]
            )  # fmt: skip
            weights[0].align_to(weights[1], LEFT)  # one column
            self.play(
                LaggedStart(*[FadeIn(w, shift=RIGHT * 0.2) for w in weights], lag_ratio=0.4),
                run_time=QUICK,
            )
            # the loss counts the green predictions; the red ones drop out of it
            self.play(
                Succession(
                    LaggedStart(*[Indicate(c, color=TRAINED, scale_factor=1.15) for c in green],
                                lag_ratio=0.1),
                    LaggedStart(*[Indicate(c, color=MASKED, scale_factor=0.85) for c in red],
                                lag_ratio=0.05),
                ),
                run_time=beat.until("why"),
            )  # fmt: skip
            # midtraining trained every token; SFT only what the model will write
            mode = prose("midtraining", size=LABEL_SIZE, color=DIM).move_to([3.6, -2.3, 0])
            self.play(
                FadeIn(mode),
                LaggedStart(*[c.recolour(TRAINED, 0.45) for c in red], lag_ratio=0.04),
                run_time=beat.until("now"),
            )
            sft = mono("SFT", size=LABEL_SIZE, color=TEXT).move_to(mode)
            self.play(
                FadeTransform(mode, sft),
                LaggedStart(*[c.recolour(MASKED, 0.45) for c in red], lag_ratio=0.04),
                run_time=STEADY,
            )
            self.play(
                LaggedStart(*[Indicate(c, color=TRAINED, scale_factor=1.0) for c in green],
                            lag_ratio=0.15),
                run_time=beat.until(),
            )  # fmt: skip
            return strip, VGroup(legend, weights, stop, arrow, sft)

    def draw_the_mixture(self, strip, legend) -> VGroup:
        with self.beat("mixture") as beat:
            self.play(FadeOut(VGroup(strip, legend), shift=UP * 0.3), run_time=QUICK)
            mid = MixtureBar(MIDTRAINING_MIX, labels=False, height=5.0, width=1.1)
            mid.move_to([-5.5, CY, 0])
            sft = MixtureBar(SFT_MIX, height=5.0, width=1.1)
            sft.shift(RIGHT * (-1.6 - sft.outline.get_x()) + UP * (CY - sft.outline.get_y()))
            files = VGroup(
                mono("mid_train.py", size=SMALL_SIZE, color=DIM).next_to(mid.outline, DOWN, buff=0.2),
                mono("chat_sft.py", size=SMALL_SIZE, color=DIM).next_to(sft.outline, DOWN, buff=0.2),
            )  # fmt: skip
            # each SFT part drawn out of a sliver of the same part of midtraining
            bands = {}
            for key in sft.keys:
                source = mid.segments[key]
                share = sft.parts[key][3] / ROWS_MID * mid.outline.height
                band = ribbon(source, source.get_top()[1], share, sft.segments[key],
                              sft.parts[key][4])  # fmt: skip
                bands[key] = DashedVMobject(band, num_dashes=40) if key == "choice" else band
            self.play(FadeIn(mid), FadeIn(files[0]), run_time=QUICK)
            self.play(
                Create(sft.outline),
                FadeIn(files[1]),
                LaggedStart(
                    *[AnimationGroup(FadeIn(bands[k]), sft.grow(k)) for k in sft.keys],
                    lag_ratio=0.3,
                ),
                run_time=beat.until("seen"),
            )
            # the same rows as midtraining's, and more of the same kind
            ticks = VGroup()
            for key in sft.keys:
                mark = r"\checkmark" if key != "choice" else r"\approx"
                tick = maths(mark, size=LABEL_SIZE * 1.2, color=TRAINED if key != "choice" else KEY)
                ticks.add(tick.next_to(sft.labels[key], RIGHT, buff=0.3))
            seen = [k for k in sft.keys if k != "choice"]
            self.play(
                LaggedStart(*[FadeIn(ticks[sft.keys.index(k)], scale=1.4) for k in seen],
                            lag_ratio=0.25),
                *[bands[k].animate.set_fill(opacity=0.55) for k in seen],
                run_time=beat.until("arc"),
            )  # fmt: skip
            choice = sft.keys.index("choice")
            self.play(FadeIn(ticks[choice], scale=1.4), Indicate(sft.part("choice"), color=KEY),
                      run_time=beat.until("shape"))  # fmt: skip
            self.play(
                Indicate(sft.outline, color=HIGHLIGHT, scale_factor=1.03),
                run_time=beat.until(),
            )
            return VGroup(mid, sft, files, *bands.values(), ticks)

    def lower_the_learning_rate(self, mixture) -> VGroup:
        with self.beat("gentle") as beat:
            self.play(FadeOut(mixture, shift=UP * 0.3), run_time=QUICK)
            names = ("midtraining", "SFT", "RL")
            bars = VGroup(*[RateBar(name, 100 if name != "RL" else 5, width=6.5) for name in names])
            bars.arrange(DOWN, buff=0.3)
            for rate in bars:  # one column of tracks
                rate.shift(RIGHT * (-2.4 - rate.track.get_left()[0]))
            bars.shift(UP * (CONTENT_TOP - 0.35 - bars.get_top()[1]))
            mid_rate, sft_rate, rl_rate = bars
            self.play(FadeIn(sft_rate), run_time=beat.until("two"))
            self.play(sft_rate.to(2), run_time=beat.until("others"))
            self.play(
                LaggedStart(FadeIn(mid_rate, shift=DOWN * 0.2), FadeIn(rl_rate, shift=UP * 0.2),
                            lag_ratio=0.5),
                run_time=beat.until("decay"),
            )  # fmt: skip
            # SFT's schedule, enlarged: from 2 % in a straight line to zero
            origin = np.array([-4.4, -3.05, 0.0])
            top = origin + UP * 2.2
            end = origin + RIGHT * 9.2
            axes = VGroup(
                Line(origin, top, color=STRUCTURE, stroke_width=STROKE),
                Line(origin, end, color=STRUCTURE, stroke_width=STROKE),
            )
            two = maths(r"2\%", size=LABEL_SIZE).next_to(top, LEFT, buff=0.2)
            schedule = Line(top, end, color=sft_rate.fill.get_fill_color(), stroke_width=5)
            dot = Dot(top, radius=0.1, color=HIGHLIGHT)
            steps = Counter(701, unit="steps", size=36).next_to(end, UP + LEFT, buff=0.25)
            self.play(Create(axes), FadeIn(two), run_time=QUICK)
            self.play(Create(schedule), FadeIn(dot), FadeIn(steps), run_time=beat.until("pass"))
            self.play(MoveAlongPath(dot, schedule), steps.count(), run_time=beat.until("why"))
            # what a big step would do: the midtraining rate on SFT's few rows
            ghost = sft_rate.track.copy().set_stroke(width=0).set_fill(MASKED, 0.35)
            cross = Cross(ghost, stroke_color=MASKED, stroke_width=5)
            self.play(GrowFromEdge(ghost, LEFT), run_time=QUICK)
            self.play(Create(cross), Indicate(sft_rate.fill, color=TRAINED), run_time=beat.until())
            return VGroup(bars, axes, two, schedule, dot, steps, ghost, cross)

    def read_the_report_card(self, rates) -> VGroup:
        with self.beat("report-card") as beat:
            self.play(FadeOut(rates, shift=UP * 0.3), run_time=QUICK)
            rows = VGroup(*[ScoreRow(*score) for score in SCORES])
            rows.arrange(DOWN, buff=0.65)
            for row in rows:  # one axis for all: the tracks start at the same x
                row.shift(RIGHT * (-2.0 - row.track.get_left()[0]))
            rows.shift(UP * (CY - 0.1 - rows.get_center()[1]))
            easy, challenge, gsm = rows
            title = prose("launch run", size=LABEL_SIZE, color=DIM)
            title.move_to([easy.label.get_left()[0], CONTENT_TOP - 0.3, 0], aligned_edge=LEFT)
            self.play(
                FadeIn(title),
                LaggedStart(*[AnimationGroup(FadeIn(r.label), Create(r.track),
                                             GrowFromEdge(r.bar, LEFT)) for r in rows],
                            lag_ratio=0.3),
                run_time=beat.until("easy"),
            )  # fmt: skip
            self.play(self.change(easy), run_time=beat.until("chance"))
            # guessing one of four letters scores 25 %
            x = easy.x_of(CHANCE)
            chance = DashedLine([x, easy.get_top()[1] + 0.2, 0], [x, challenge.bar.get_bottom()[1] - 0.1, 0],
                                color=HIGHLIGHT, stroke_width=STROKE)  # fmt: skip
            guess = prose("guessing", size=LABEL_SIZE, color=HIGHLIGHT).next_to(
                chance, UP, buff=0.1
            )
            self.play(Create(chance), FadeIn(guess), run_time=beat.until("gsm"))
            self.play(self.change(gsm), run_time=beat.until("challenge"))
            self.play(self.change(challenge), run_time=beat.until("noise"))
            # one standard error on 1,172 questions: about 1.3 points either way
            error = (challenge.before * (1 - challenge.before) / challenge.questions) ** 0.5
            band = Rectangle(width=2 * error * challenge.scale_x, height=0.8, stroke_width=0,
                             fill_color=HIGHLIGHT, fill_opacity=0.25)  # fmt: skip
            band.move_to([challenge.x_of(challenge.before), challenge.bar.get_y(), 0])
            noise = prose("noise", size=LABEL_SIZE, color=HIGHLIGHT)
            noise.next_to(band, RIGHT, buff=0.25).shift(UP * 0.1)
            self.play(FadeIn(band, scale=0.5), FadeIn(noise), run_time=QUICK)
            self.play(Indicate(challenge.change, color=HIGHLIGHT), run_time=beat.until())
            return VGroup(rows, title, chance, guess, band, noise)

    def hand_over_to_rl(self, model, card):
        with self.beat("handover") as beat:
            self.play(FadeOut(card, shift=UP * 0.3), run_time=QUICK)
            # the model, and a row shaped like a chat going in
            model.scale_to_fit_height(ModelStack().height).move_to([-3.2, CY, 0])
            row = blank_row(["bos"] + ["user"] * 3 + ["assistant"] * 6)
            row.move_to([3.2, CY, 0])
            self.play(FadeIn(model, shift=RIGHT * 0.3), FadeIn(row), run_time=QUICK)
            self.play(
                row.animate.scale(0.25).move_to(model.bottom_port()).set_opacity(0),
                model.learn("sft"),
                run_time=beat.until("rl"),
            )
            self.remove(row)
            self.play(closing(self, model, "sft"), run_time=beat.until())

    # ------------------------------------------------------------------ helpers

    @staticmethod
    def change(row: ScoreRow) -> AnimationGroup:
        """A score moves from before to after: the change grows and its counts appear."""
        grow = GrowFromEdge(row.change, LEFT if row.after > row.before else RIGHT)
        return AnimationGroup(grow, LaggedStart(*[FadeIn(c) for c in row.counts], lag_ratio=0.3))


__all__ = ["SupervisedFineTuning"]
