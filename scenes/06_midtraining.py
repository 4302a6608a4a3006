"""Chapter 6: midtraining teaches the base model conversations, tools and multiple choice.

Narration: script/06-midtraining.md. Render alone with
``uv run manim -pql scenes/06_midtraining.py``.

Tokens are the shared ``TokenCell`` / ``TokenStrip`` (special tokens written as
themselves, ``<|bos|>``). Chapter-local pictures: ``Waffle`` (a mixture drawn to
scale, one square per 2,000 rows), ``Calculator`` (the chat tool) and
``PackedRows`` (conversations packed end to end into fixed-length rows).
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
    FadeIn,
    FadeOut,
    GrowFromCenter,
    Indicate,
    LaggedStart,
    Rectangle,
    ReplacementTransform,
    Restore,
    Square,
    Succession,
    TransformFromCopy,
    VGroup,
    Write,
)
from mobjects import (
    BlockStack,
    ChatBubble,
    Counter,
    Labelled,
    PipelineDiagram,
    TokenCell,
    TokenStrip,
)
from style import (
    DIM,
    FAINT,
    HIGHLIGHT,
    KEY,
    LABEL_SIZE,
    LAG,
    MASKED,
    OPTIMIZER,
    QUICK,
    SLOW,
    SMALL_SIZE,
    STEADY,
    STROKE,
    STRUCTURE,
    TEXT,
    THIN,
    TOKEN,
    TRAINED,
    VALUE,
    Mono,
    maths,
    mono,
    setup_canvas,
)

from explainer.scene import NarratedScene

# what each colour means in this chapter (all from the shared palette)
USER = DIM  # the user's side of a conversation
ASSISTANT = TOKEN  # the assistant's side (what the model writes)
TOOL = VALUE  # tokens the calculator supplies
BOS = STRUCTURE

# the midtraining mixture at 48abd7d (scripts/mid_train.py), in rows; one square = 2,000 rows
ROWS_PER_SQUARE = 2000
MIXTURE = [
    ("smol", "SmolTalk", "460K", 230, TOKEN),
    ("spell", "spelling", "280K", 140, OPTIMIZER),
    ("mmlu", "MMLU", "100K", 50, KEY),
    ("gsm", "GSM8K", "8K", 4, VALUE),
    ("identity", "identity", "2K", 1, HIGHLIGHT),
]

# a GSM8K solution line with its calculator annotation (tasks/gsm8k.py)
ANNOTATED = "12/60 = $<<12/60=0.2>>0.2 per minute"
# a multiple-choice prompt as tasks/common.py render_mc lays it out (letter after the option)
QUESTION = "Which gas do plants absorb?"
OPTIONS = [("oxygen", "A"), ("carbon dioxide", "B"), ("nitrogen", "C"), ("helium", "D")]


def glyphs(text_mob: Mono, piece: str, occurrence: int = 0) -> VGroup:
    """The glyphs of ``piece`` in a mono text (one glyph per character; spaces draw none).

    >>> line = mono(ANNOTATED)
    >>> len(glyphs(line, "<<12/60=0.2>>")), len(glyphs(line, "0.2 per"))
    (13, 6)
    """
    drawn, wanted = text_mob.text, "".join(piece.split())
    start = -1
    for _ in range(occurrence + 1):
        start = drawn.index(wanted, start + 1)
    return VGroup(*text_mob.submobjects[start : start + len(wanted)])


def lines_of(text_mob: Mono) -> list[VGroup]:
    r"""A multi-line mono text's glyphs, one group per line.

    >>> [len(line) for line in lines_of(mono("a b\nc"))]
    [2, 1]
    """
    groups, start = [], 0
    for line in text_mob.source.split("\n"):
        count = len("".join(line.split()))
        groups.append(VGroup(*text_mob.submobjects[start : start + count]))
        start += count
    return groups


def sit_on(text_mob: Mono, baseline: float) -> Mono:
    """Put a one-line mono text on a baseline (its first glyph must not descend).

    >>> round(float(sit_on(mono("MMLU"), 1.0)[0].get_bottom()[1]), 3)
    1.0
    """
    return text_mob.shift(UP * (baseline - text_mob[0].get_bottom()[1]))


def cells(tokens: Sequence[str], colour) -> list[TokenCell]:
    """Token cells in one colour; ``<|...|>`` tokens are drawn as special tokens.

    >>> [c.special for c in cells(["<|bos|>", "Hi"], BOS)]
    [True, False]
    """
    return [TokenCell(t, colour, special=t.startswith("<|")) for t in tokens]


class Waffle(VGroup):
    """A mixture drawn to scale: a grid of equal squares, each standing for the same
    number of rows, filled run by run in reading order.

    >>> len(Waffle(columns=5, rows=2).cells)
    10
    """

    def __init__(self, columns: int = 25, rows: int = 17, size: float = 0.2, gap: float = 0.06):
        cells = VGroup(
            *[
                Square(side_length=size, stroke_color=FAINT, stroke_width=1.0, fill_opacity=0.0)
                for _ in range(columns * rows)
            ]
        ).arrange_in_grid(rows=rows, cols=columns, buff=gap)
        super().__init__(cells)
        self.cells = cells

    def run(self, start: int, count: int) -> VGroup:
        return VGroup(*self.cells[start : start + count])


class Calculator(Labelled):
    """The chat tool: a framed box named "calculator" with room for its keys below."""

    def __init__(self, box_w: float = 3.0, box_h: float = 2.0):
        frame_box = Rectangle(width=box_w, height=box_h, stroke_color=TOOL, stroke_width=STROKE)
        label = mono("calculator", size=SMALL_SIZE, color=TOOL)
        label.next_to(frame_box.get_top(), DOWN, buff=0.2)
        super().__init__(frame_box, label)
        self.frame_box, self.label = frame_box, label
        self.labelled.append((label, frame_box))


class PackedRows(VGroup):
    """Conversations packed end to end into fixed-length rows (one row = one training row).

    Each conversation is a BOS sliver then alternating user and assistant turns;
    a turn that does not fit continues at the start of the next row.
    ``.tracks`` are the empty rows, ``.pieces`` the coloured segments and
    ``.kinds`` their roles ("bos", "user" or "assistant").
    """

    COLOURS = {"bos": BOS, "user": USER, "assistant": ASSISTANT}

    def __init__(
        self,
        rows: int = 6,
        row_w: float = 11.0,
        row_h: float = 0.34,
        gap: float = 0.16,
        seed: int = 6,
    ):
        rng = np.random.default_rng(seed)
        tracks = VGroup(
            *[
                Rectangle(width=row_w, height=row_h, stroke_color=DIM, stroke_width=THIN)
                for _ in range(rows)
            ]
        ).arrange(DOWN, buff=gap)
        segments: list[tuple[str, float]] = []
        while sum(length for _, length in segments) < rows * row_w:
            segments.append(("bos", 0.08))
            for _ in range(rng.integers(1, 3)):
                segments.append(("user", float(rng.uniform(0.4, 1.6))))
                segments.append(("assistant", float(rng.uniform(0.8, 2.8))))
        pieces, kinds = VGroup(), []
        row, x = 0, 0.0
        for kind, length in segments:
            while length > 1e-6 and row < rows:
                take = min(length, row_w - x)
                left = tracks[row].get_left() + RIGHT * x
                piece = Rectangle(
                    width=max(take - 0.02, 0.02),
                    height=row_h * 0.7,
                    stroke_width=0,
                    fill_color=self.COLOURS[kind],
                    fill_opacity=0.75,
                )
                piece.move_to(left + RIGHT * (take / 2))
                pieces.add(piece)
                kinds.append(kind)
                x += take
                length -= take
                if x >= row_w - 1e-6:
                    row, x = row + 1, 0.0
        super().__init__(tracks, pieces)
        self.tracks, self.pieces, self.kinds = tracks, pieces, kinds

    def of_kind(self, *wanted: str) -> VGroup:
        return VGroup(*[p for p, k in zip(self.pieces, self.kinds, strict=True) if k in wanted])


def sky_conversation() -> TokenStrip:
    """The chapter's example conversation, rendered in the chat format.

    >>> sky_conversation().tokens[:3]
    ['<|bos|>', '<|user_start|>', 'Why']
    """
    return TokenStrip(
        [
            cells(["<|bos|>"], BOS),
            cells(["<|user_start|>", "Why", "is", "the", "sky", "blue", "?", "<|user_end|>"], USER),
            cells(
                ["<|assistant_start|>", "Sun", "light", "scatters", ".", "<|assistant_end|>"],
                ASSISTANT,
            ),
        ]
    )


# --------------------------------------------------------------------------- the scene


class Midtraining(NarratedScene):
    def construct(self):
        setup_canvas()
        self.let_the_base_model_ramble()
        self.name_the_second_stage()
        self.draw_the_chat_format()
        self.fill_the_mixture()
        self.turn_sums_into_tool_calls()
        self.run_the_calculator()
        self.lay_out_multiple_choice()
        self.reuse_the_machinery()
        self.hand_over_to_sft()

    # ------------------------------------------------------------------ beats

    def let_the_base_model_ramble(self):
        with self.beat("rambling") as beat:
            model = BlockStack(6, width=1.3, label="base").to_edge(LEFT, buff=0.9).shift(UP * 0.8)
            question = cells(["Why", "is", "the", "sky", "blue", "?"], USER)
            ramble = cells(
                ["Why", "is", "grass", "green", "?", "Why", "do", "cats", "purr", "?", "Why"],
                ASSISTANT,
            )
            strip = TokenStrip([[*question, *ramble]], max_width=9.4)
            strip.next_to(model, RIGHT, buff=0.7).align_to(model, UP)
            question_cells = VGroup(*strip.cells[: len(question)])
            ramble_cells = VGroup(*strip.cells[len(question) :])
            self.play(
                LaggedStart(*[FadeIn(b, shift=DOWN * 0.3) for b in model.blocks], lag_ratio=LAG),
                FadeIn(model.label),
                LaggedStart(*[FadeIn(c, shift=RIGHT * 0.2) for c in question_cells], lag_ratio=0.2),
                run_time=beat.until("ramble"),
            )
            self.play(
                LaggedStart(
                    *[TransformFromCopy(model.blocks[-1], cell) for cell in ramble_cells],
                    lag_ratio=0.35,
                ),
                run_time=beat.until("never"),
            )
            chat = self._chat_icon()
            chat.move_to(DOWN * 1.9 + LEFT * 3.6)
            cross = Cross(chat, stroke_color=MASKED, stroke_width=6)
            self.play(FadeIn(chat, shift=UP * 0.2), run_time=QUICK)
            self.play(Create(cross), Indicate(ramble_cells, color=MASKED), run_time=beat.until())
            self.ramble = VGroup(model, strip)
            self.icons = [chat]
            self.crosses = [cross]

    def name_the_second_stage(self):
        with self.beat("second-stage") as beat:
            tool = self._tool_icon().move_to(DOWN * 1.9)
            choice = self._choice_icon().move_to(DOWN * 1.9 + RIGHT * 3.6)
            beat.wait_until("gaps")
            for icon in (tool, choice):
                cross = Cross(icon, stroke_color=MASKED, stroke_width=6)
                self.play(FadeIn(icon, shift=UP * 0.2), run_time=QUICK)
                self.play(Create(cross), run_time=QUICK)
                self.icons.append(icon)
                self.crosses.append(cross)
            pipeline = PipelineDiagram(["pretraining", "midtraining", "SFT"]).to_edge(UP, buff=0.9)
            self.play(
                FadeOut(self.ramble, shift=UP * 0.3),
                FadeIn(pipeline),
                VGroup(*self.icons, *self.crosses).animate.shift(UP * 1.3),
                run_time=beat.until("mid"),
            )
            self.play(pipeline.light(0), run_time=QUICK)
            self.play(pipeline.settle(0), pipeline.light(1), run_time=QUICK)
            checks = [
                maths(r"\checkmark", size=56, color=TRAINED).next_to(icon, DOWN, buff=0.25)
                for icon in self.icons
            ]
            self.play(
                LaggedStart(
                    *[
                        ReplacementTransform(cross, check)
                        for cross, check in zip(self.crosses, checks, strict=True)
                    ],
                    lag_ratio=0.3,
                ),
                run_time=beat.until(),
            )
            self.stage = VGroup(pipeline, *self.icons, *checks)
            self.pipeline = pipeline

    def draw_the_chat_format(self):
        with self.beat("format") as beat:
            strip = sky_conversation().move_to(UP * 0.9)
            bos = strip.rows[0][0]
            user_start, *question, user_end = strip.rows[1]
            assistant_start, *reply, assistant_end = strip.rows[2]
            asked = ChatBubble("Why is the sky blue?", role="user").move_to(UP * 1.4 + LEFT * 2.2)
            said = ChatBubble("Sunlight scatters.", role="assistant").move_to(RIGHT * 2.2)
            self.play(
                FadeOut(self.stage, shift=UP * 0.3),
                FadeIn(asked, shift=UP * 0.2),
                FadeIn(said, shift=UP * 0.2),
                run_time=QUICK,
            )
            # the conversation becomes tokens: each bubble's words break into cells
            self.play(
                ReplacementTransform(asked.label, VGroup(*question)),
                ReplacementTransform(said.label, VGroup(*reply)),
                FadeOut(asked.box),
                FadeOut(said.box),
                run_time=beat.until("bos"),
            )
            self.play(GrowFromCenter(bos), run_time=QUICK)
            self.play(Indicate(bos, color=HIGHLIGHT), run_time=beat.until("user"))
            # the markers appear in reading order, as the voice names them
            for start_cell, words, end_cell, until in (
                (user_start, question, user_end, "assistant"),
                (assistant_start, reply, assistant_end, "special"),
            ):
                self.play(
                    Succession(
                        GrowFromCenter(start_cell, run_time=1),
                        Indicate(VGroup(*words), color=HIGHLIGHT, scale_factor=1.08, run_time=1.5),
                        GrowFromCenter(end_cell, run_time=1),
                    ),
                    run_time=beat.until(until),
                )
            # the vocabulary: ordinary tokens, then nine slots kept for special tokens
            ordinary = VGroup(
                *[Square(0.22, stroke_color=FAINT, stroke_width=THIN) for _ in range(22)]
            ).arrange(RIGHT, buff=0.06)
            dots = maths(r"\cdots", size=LABEL_SIZE, color=DIM)
            reserved = VGroup(
                *[Square(0.22, stroke_color=HIGHLIGHT, stroke_width=THIN) for _ in range(9)]
            ).arrange(RIGHT, buff=0.06)
            vocab = VGroup(ordinary, dots, reserved).arrange(RIGHT, buff=0.2)
            vocab.next_to(strip, DOWN, buff=0.9)
            size_label = mono("65,536 tokens", size=SMALL_SIZE, color=DIM)
            size_label.next_to(ordinary, DOWN, buff=0.2)
            nine = mono("9 special", size=SMALL_SIZE, color=HIGHLIGHT)
            nine.next_to(reserved, DOWN, buff=0.2)
            self.play(
                LaggedStart(*[FadeIn(s) for s in ordinary], lag_ratio=LAG),
                FadeIn(dots),
                FadeIn(size_label),
                LaggedStart(*[Create(s) for s in reserved], lag_ratio=LAG),
                FadeIn(nine),
                run_time=STEADY,
            )
            specials = [bos, user_start, user_end, assistant_start, assistant_end]
            self.play(
                LaggedStart(
                    *[
                        TransformFromCopy(cell.box, slot)
                        for cell, slot in zip(specials, reserved, strict=False)
                    ],
                    lag_ratio=0.25,
                ),
                *[slot.animate.set_fill(HIGHLIGHT, opacity=0.4) for slot in reserved[:5]],
                run_time=beat.until(),
            )
            self.format = VGroup(strip, vocab, size_label, nine)
            self.sky = strip

    def fill_the_mixture(self):
        with self.beat("mixture") as beat:
            waffle = Waffle().to_edge(LEFT, buff=0.9).shift(DOWN * 0.15)
            total = Counter(850000, unit="rows", size=40).next_to(waffle, UP, buff=0.3)
            total.align_to(waffle, LEFT)
            key_square = Square(0.2, stroke_color=TEXT, stroke_width=1.0)
            key_text = mono("= 2,000 rows", size=SMALL_SIZE, color=DIM)
            key = VGroup(key_square, key_text).arrange(RIGHT, buff=0.15)
            key.next_to(waffle, DOWN, buff=0.3).align_to(waffle, LEFT)
            self.play(
                FadeOut(self.format, shift=UP * 0.3),
                LaggedStart(*[FadeIn(c) for c in waffle.cells], lag_ratio=0.005),
                run_time=beat.until("total"),
            )
            self.play(FadeIn(total), FadeIn(key), run_time=QUICK)
            self.play(total.count(), run_time=beat.until("smol"))
            legend_rows = VGroup()
            left = waffle.get_right()[0] + 0.9
            top = waffle.get_top()[1] - 0.5
            for index, (_, name, count, _, colour) in enumerate(MIXTURE):
                baseline = top - index * 0.75
                label = sit_on(mono(name, size=LABEL_SIZE, color=TEXT), baseline)
                amount = sit_on(mono(count, size=LABEL_SIZE, color=colour), baseline)
                swatch = Square(0.3, stroke_color=colour, fill_color=colour, fill_opacity=0.8)
                swatch.move_to([left + 0.15, baseline + 0.1, 0])
                label.next_to(swatch, RIGHT, buff=0.3, coor_mask=RIGHT)
                amount.set_x(left + 4.3 - amount.width / 2)
                legend_rows.add(VGroup(swatch, label, amount))
            start = 0
            marks = [m for m, *_ in MIXTURE]
            for index, (mark, _, _, squares, colour) in enumerate(MIXTURE):
                beat.wait_until(mark)
                run = waffle.run(start, squares)
                start += squares
                fill = LaggedStart(
                    *[c.animate.set_fill(colour, opacity=0.8).set_stroke(colour) for c in run],
                    lag_ratio=min(0.5, 4 / max(squares, 1)),
                    run_time=3,
                )
                self.play(
                    Succession(
                        AnimationGroup(FadeIn(legend_rows[index], shift=LEFT * 0.2), fill),
                        Indicate(run, color=colour, scale_factor=1.15, run_time=2),
                    ),
                    run_time=beat.until(marks[index + 1] if index + 1 < len(marks) else None),
                )
            gsm = waffle.run(230 + 140 + 50, 4)
            self.mixture = VGroup(waffle, total, key, legend_rows)
            self.gsm_squares = gsm

    def turn_sums_into_tool_calls(self):
        with self.beat("tool-call") as beat:
            line = mono(ANNOTATED, size=LABEL_SIZE, color=TEXT).to_edge(UP, buff=1.4)
            line.to_edge(LEFT, buff=0.9)
            others = VGroup(*[m for m in self.mixture if m is not None])
            self.play(
                FadeOut(others, shift=DOWN * 0.3),
                ReplacementTransform(self.gsm_squares.copy(), line),
                run_time=beat.until("note"),
            )
            note = glyphs(line, "<<12/60=0.2>>")
            self.play(note.animate.set_color(HIGHLIGHT), run_time=QUICK)
            self.play(Indicate(note, color=HIGHLIGHT), run_time=beat.until("call"))
            call_strip = TokenStrip(
                [
                    cells(["<|python_start|>", "12", "/", "60", "<|python_end|>"], ASSISTANT),
                    cells(["<|output_start|>", "0", ".", "2", "<|output_end|>"], TOOL),
                ],
                line_buff=0.5,
            )
            call_strip.next_to(line, DOWN, buff=0.9).align_to(line, LEFT)
            call, output = call_strip.rows
            expression = glyphs(line, "12/60", occurrence=1)
            result = glyphs(line, "0.2", occurrence=0)
            self.play(
                TransformFromCopy(expression, VGroup(*call[1:4])),
                run_time=STEADY,
            )
            self.play(
                GrowFromCenter(call[0]),
                GrowFromCenter(call[4]),
                run_time=beat.until("output"),
            )
            self.play(TransformFromCopy(result, VGroup(*output[1:4])), run_time=STEADY)
            self.play(
                GrowFromCenter(output[0]),
                GrowFromCenter(output[4]),
                run_time=beat.until(),
            )
            self.annotation = line
            self.call, self.output = call, output

    def run_the_calculator(self):
        with self.beat("calculator") as beat:
            call, output = self.call, self.output
            calc = Calculator().to_edge(RIGHT, buff=0.9).match_y(VGroup(call, output))
            into = Arrow(call.get_right(), calc.get_left(), buff=0.2, color=STRUCTURE)
            # at chat time only the call is written by the model: the output leaves
            self.play(
                FadeOut(output, shift=DOWN * 0.2),
                LaggedStart(*[Indicate(c, color=HIGHLIGHT) for c in call], lag_ratio=0.3),
                run_time=beat.until("tool"),
            )
            self.play(FadeIn(calc), Create(into), run_time=QUICK)
            expression = VGroup(*call[1:4]).copy()
            self.play(
                expression.animate.scale(0.4).move_to(calc.frame_box).set_opacity(0),
                run_time=QUICK,
            )
            self.remove(expression)
            output.save_state()
            output.scale(0.3).move_to(calc)
            out = Arrow(calc.get_left(), output.saved_state.get_right(), buff=0.2, color=TOOL)
            out.shift(DOWN * 0.35)
            self.play(Create(out), Restore(output), run_time=beat.until("reject"))
            # not Python: an import goes in, nothing comes back
            bad = TokenStrip(
                [cells(["<|python_start|>", "import", "os", "<|python_end|>"], ASSISTANT)]
            )
            bad.next_to(output, DOWN, buff=0.9).align_to(output, LEFT)
            refuse = Arrow(
                bad.get_right(), calc.get_bottom() + LEFT * 0.4, buff=0.2, color=STRUCTURE
            )
            cross = Cross(
                Square(0.45).move_to(refuse.get_center()), stroke_color=MASKED, stroke_width=6
            )
            self.play(
                Succession(
                    AnimationGroup(FadeIn(bad, shift=RIGHT * 0.3), Create(refuse)),
                    Create(cross),
                    LaggedStart(*[c.recolour(MASKED) for c in bad.cells], lag_ratio=0.2),
                ),
                run_time=beat.until("limits"),
            )
            # just a calculator: its keys, and counting letters
            keys = maths(r"+\;\;-\;\;\times\;\;\div\;\;(\;)", size=LABEL_SIZE, color=TEXT)
            count = mono(".count", size=SMALL_SIZE, color=TEXT)
            VGroup(keys, count).arrange(DOWN, buff=0.2).next_to(calc.label, DOWN, buff=0.25)
            calc.add(keys, count)
            calc.labelled.extend([(keys, calc.frame_box), (count, calc.frame_box)])
            self.play(Write(keys), run_time=STEADY)
            self.play(FadeIn(count, shift=UP * 0.1), run_time=QUICK)
            self.play(
                LaggedStart(*[Indicate(k, color=TOOL) for k in [*keys[0], count]], lag_ratio=0.3),
                run_time=beat.until(),
            )
            self.tool_scene = VGroup(
                self.annotation, call, output, calc, into, out, bad, refuse, cross
            )

    def lay_out_multiple_choice(self):
        with self.beat("choice") as beat:
            source = "\n".join([QUESTION, *[f"- {text}={letter}" for text, letter in OPTIONS]])
            prompt = mono(source, size=LABEL_SIZE, color=TEXT)
            lines = lines_of(prompt)
            option_lines = lines[1:]
            answer = TokenStrip(
                [
                    [
                        *cells(["<|assistant_start|>"], ASSISTANT),
                        TokenCell("B", KEY),
                        *cells(["<|assistant_end|>"], ASSISTANT),
                    ]
                ]
            )
            answer.next_to(prompt, DOWN, buff=0.6).align_to(prompt, LEFT)
            # the letter in the question and the answer's letter: one token, not " B"
            letter = {"size": LABEL_SIZE, "min_width": 0.75}
            same = TokenCell("B", KEY, **letter)
            target = TokenCell("B", KEY, **letter)
            equal = maths(r"=", size=LABEL_SIZE * 1.4, color=TRAINED)
            spaced = TokenCell(" B", DIM, show_spaces=True, **letter)
            target_2 = TokenCell("B", KEY, **letter)
            differ = maths(r"\neq", size=LABEL_SIZE * 1.4, color=MASKED)
            left = VGroup(same, equal, target).arrange(RIGHT, buff=0.3)
            right = VGroup(spaced, differ, target_2).arrange(RIGHT, buff=0.3)
            compare = VGroup(left, right).arrange(RIGHT, buff=1.4)
            compare.next_to(answer, DOWN, buff=0.7).align_to(prompt, LEFT)
            # centre the whole layout in the frame
            VGroup(prompt, answer, compare).center()
            self.play(FadeOut(self.tool_scene, shift=UP * 0.3), run_time=QUICK)
            self.play(
                LaggedStart(*[FadeIn(line, shift=UP * 0.2) for line in lines], lag_ratio=0.2),
                run_time=beat.until("options"),
            )
            self.remove(*lines)
            self.add(prompt)  # from here on the prompt is one text again
            letters = [glyphs(prompt, f"={letter}") for _, letter in OPTIONS]
            self.play(
                LaggedStart(*[g.animate.set_color(KEY) for g in letters], lag_ratio=0.3),
                run_time=STEADY,
            )
            self.play(
                LaggedStart(*[Indicate(g, color=KEY) for g in letters], lag_ratio=0.3),
                run_time=beat.until("answer"),
            )
            b_glyph = letters[1][-1]
            self.play(FadeIn(answer.cells[0]), FadeIn(answer.cells[2]), run_time=QUICK)
            self.play(TransformFromCopy(b_glyph, answer.cells[1]), run_time=STEADY)
            # the binding: each letter sits right after its option
            self.play(
                LaggedStart(
                    *[
                        Indicate(VGroup(*line[1:]), color=KEY, scale_factor=1.05)
                        for line in option_lines
                    ],
                    lag_ratio=0.4,
                ),
                run_time=beat.until("same"),
            )
            self.play(
                TransformFromCopy(b_glyph, same),
                TransformFromCopy(answer.cells[1], target),
                FadeIn(equal),
                run_time=STEADY,
            )
            self.play(FadeIn(right, shift=LEFT * 0.2), run_time=STEADY)
            self.play(Indicate(VGroup(same, target), color=TRAINED), run_time=beat.until())
            self.choice = VGroup(prompt, answer, compare)

    def reuse_the_machinery(self):
        with self.beat("machinery") as beat:
            rows = PackedRows().move_to(DOWN * 0.85)
            brace = Brace(rows.tracks[0], UP, buff=0.1, color=DIM)
            width_label = mono("2,048 tokens", size=SMALL_SIZE, color=DIM).next_to(
                brace, UP, buff=0.1
            )
            tags = VGroup(
                TokenCell("base weights", TOKEN, size=LABEL_SIZE, pad=0.2),
                TokenCell("Muon + AdamW", OPTIMIZER, size=LABEL_SIZE, pad=0.2),
                TokenCell("same LR", TEXT, size=LABEL_SIZE, pad=0.2),
            ).arrange(RIGHT, buff=0.5)
            tags.to_edge(UP, buff=0.8)
            batch = Counter(524288, unit="tokens / step", size=40)
            batch.next_to(tags, DOWN, buff=0.35)
            # the pretraining picture comes back first: empty rows waiting for tokens
            self.play(FadeOut(self.choice, shift=UP * 0.3), run_time=QUICK)
            self.play(
                LaggedStart(*[Create(t) for t in rows.tracks], lag_ratio=0.2),
                FadeIn(brace),
                FadeIn(width_label),
                run_time=beat.until("same"),
            )
            self.play(
                LaggedStart(*[FadeIn(t, shift=DOWN * 0.2) for t in tags], lag_ratio=0.4),
                run_time=beat.until("batch"),
            )
            self.play(FadeIn(batch), run_time=QUICK)
            self.play(batch.count(), run_time=beat.until("pack"))
            self.play(
                LaggedStart(*[FadeIn(p, shift=RIGHT * 0.15) for p in rows.pieces], lag_ratio=0.08),
                run_time=beat.until("every"),
            )
            self.play(
                LaggedStart(
                    *[p.animate.set_fill(TRAINED, opacity=0.8) for p in rows.pieces],
                    lag_ratio=0.04,
                ),
                run_time=beat.until(),
            )
            self.machinery = VGroup(tags, batch, brace, width_label)
            self.rows = rows

    def hand_over_to_sft(self):
        with self.beat("handover") as beat:
            pipeline = PipelineDiagram(["pretraining", "midtraining", "SFT"]).to_edge(UP, buff=0.9)
            strip = sky_conversation().next_to(pipeline, DOWN, buff=0.9)
            for cell in strip.cells:
                cell.box.set_stroke(TRAINED).set_fill(TRAINED)
                if cell.special:
                    cell.label.set_color(TRAINED)
            pipeline.boxes[0].set_stroke(TRAINED).set_fill(TRAINED, opacity=0.08)
            self.play(FadeOut(self.machinery, shift=UP * 0.3), run_time=QUICK)
            # one pass over the data: the packed rows pour into the midtraining stage
            self.play(
                FadeIn(VGroup(pipeline.boxes, pipeline.arrows, pipeline.labels)),
                pipeline.light(1),
                self.rows.animate.scale(0.12).move_to(pipeline.boxes[1]).set_opacity(0),
                run_time=STEADY,
            )
            self.remove(self.rows)
            self.play(pipeline.settle(1), run_time=QUICK)
            self.play(
                LaggedStart(*[FadeIn(c, shift=DOWN * 0.2) for c in strip.cells], lag_ratio=0.1),
                run_time=beat.until("sft"),
            )
            bos = strip.rows[0]
            user_side = VGroup(*strip.rows[1], strip.rows[2][0])
            self.play(pipeline.light(2), run_time=QUICK)
            self.play(
                LaggedStart(
                    *[c.recolour(MASKED) for c in [*bos, *user_side]],
                    lag_ratio=0.1,
                ),
                run_time=SLOW,
            )
            trained = VGroup(*strip.rows[2][1:])
            self.play(Indicate(trained, color=TRAINED, scale_factor=1.05), run_time=beat.until())

    # ------------------------------------------------------------------ icons

    @staticmethod
    def _chat_icon() -> VGroup:
        asked = Rectangle(width=1.3, height=0.38, stroke_color=USER, stroke_width=STROKE)
        said = Rectangle(width=1.3, height=0.38, stroke_color=ASSISTANT, stroke_width=STROKE)
        said.next_to(asked, DOWN, buff=0.15).shift(RIGHT * 0.4)
        return VGroup(asked, said)

    @staticmethod
    def _tool_icon() -> VGroup:
        box = Rectangle(width=1.5, height=0.95, stroke_color=TOOL, stroke_width=STROKE)
        sum_text = mono("12/60", size=SMALL_SIZE, color=TOOL).move_to(box)
        return VGroup(box, sum_text)

    @staticmethod
    def _choice_icon() -> VGroup:
        cells = VGroup(
            *[TokenCell(letter, KEY, size=SMALL_SIZE, pad=0.14) for letter in "ABCD"]
        ).arrange_in_grid(rows=2, cols=2, buff=0.1)
        return cells


__all__ = ["Midtraining"]
