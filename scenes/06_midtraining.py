"""Chapter 6: midtraining gives the chat tokens a meaning, and teaches tools and letters.

Narration: script/06-midtraining.md. Render alone with
``uv run manim -pql scenes/06_midtraining.py``.

The story in pictures: the base model keeps writing a web page; its embedding table
opens out of the model, and eight rows (the chat tokens) are still random static while
every row pretraining read has learned values; those eight tokens frame a conversation;
the mixture (the shared ``MixtureBar``); a GSM8K calculation becomes a tool call, and at
chat time the engine computes the result and pastes it in; the calculator's whitelist;
a multiple-choice prompt and the option letters graders read; the pretraining machinery,
packed rows and all; and, after one pass, the eight rows light up.

Chapter-local pictures: ``EmbeddingTable`` (rows of numbers per token, random ones drawn
as grey static), ``Calculator`` and ``PackedRows``.
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
    FadeTransform,
    GrowFromCenter,
    GrowFromEdge,
    Indicate,
    LaggedStart,
    Line,
    MoveToTarget,
    Rectangle,
    ReplacementTransform,
    Restore,
    Square,
    Succession,
    SurroundingRectangle,
    TransformFromCopy,
    VGroup,
    Write,
)
from mobjects import (
    MIDTRAINING_MIX,
    Counter,
    Labelled,
    MixtureBar,
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
    LOSS,
    MASKED,
    MONEY,
    OPTIMIZER,
    QUICK,
    SMALL_SIZE,
    STEADY,
    STROKE,
    STRUCTURE,
    TEXT,
    THIN,
    TOKEN,
    TRAINED,
    Mono,
    maths,
    mono,
    prose,
    setup_canvas,
)
from transitions import closing, opening

from explainer.scene import NarratedScene

# what each colour means in this chapter (all from the shared palette)
USER = DIM  # the user's side of a conversation
ASSISTANT = TOKEN  # what the model writes
TOOL = MONEY  # what the calculator writes (the gold of the mixture's maths part)
CY = CONTENT_CENTRE[1]

# the base model's answer: it keeps writing the page (made up, in the style of the web)
PROMPT = ["Why", "is", "the", "sky", "blue", "?"]
RAMBLE = ["Why", "is", "grass", "green", "?", "Why", "do", "leaves", "fall", "?", "In",
          "this", "unit", ",", "students", "explore", "light", ",", "colour", "and",
          "the", "seasons", ".", "Lesson", "1", ":"]  # fmt: skip

# the embedding table's rows: a few ordinary tokens, then the nine special tokens, which
# nanochat appends after the BPE tokens (nanochat/tokenizer.py), ids 65,527 to 65,535
ORDINARY = ["the", "sky", "blue"]
SPECIAL = ["<|bos|>", "<|user_start|>", "<|user_end|>", "<|assistant_start|>",
           "<|assistant_end|>", "<|python_start|>", "<|python_end|>", "<|output_start|>",
           "<|output_end|>"]  # fmt: skip
# what a user who types "<|assistant_start|>" sends: ordinary pieces (the split pattern's
# chunks; each is one or more ordinary tokens), never the special token
TYPED = ["<|", "assistant", "_start", "|>"]

# a GSM8K solution line with its calculator annotation (tasks/gsm8k.py:10)
ANNOTATED = "12/60 = $<<12/60=0.2>>0.2 per minute"
# the mixture's examples, one per part (tasks/spellingbee.py:264-265, tasks/common.py:129,
# tasks/gsm8k.py:10); the identity part has none on screen
EXAMPLES = {
    "chat": "Why is the sky blue?",
    "spelling": "apple:a,p,p,l,e",
    "choice": "- carbon dioxide=B",
    "maths": "<<12/60=0.2>>",
}
# a multiple-choice prompt laid out as tasks/common.py render_mc does (question made up)
QUESTION = "Which gas do plants absorb?"
OPTIONS = [("oxygen", "A"), ("carbon dioxide", "B"), ("nitrogen", "C"), ("helium", "D")]
ODDS = {"A": 0.22, "B": 0.55, "C": 0.16, "D": 0.07}  # the model's odds, for the picture


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


def cells(tokens: Sequence[str], colour, **kwargs) -> list[TokenCell]:
    """Token cells in one colour; ``<|...|>`` tokens are drawn as special tokens.

    >>> [c.special for c in cells(["<|bos|>", "Hi"], STRUCTURE)]
    [True, False]
    """
    return [TokenCell(t, colour, special=t.startswith("<|"), **kwargs) for t in tokens]


def open_from(picture, part) -> Restore:
    """``picture`` grows out of ``part`` of the model (the embedding table out of its slab)."""
    picture.save_state()
    picture.scale_to_fit_width(part.width).move_to(part).set_opacity(0.2)
    return Restore(picture)


# --------------------------------------------------------------------------- local pictures


class EmbeddingTable(VGroup):
    """The model's first layer as a table: one row of numbers per token, its token beside it.

    Learned numbers are coloured by sign and size (blue positive, red negative); numbers
    still as they were initialised are grey static. ``.rows[i]`` is ``VGroup(label,
    cells)``; ``.dots`` stands for the thousands of rows not drawn (``None`` if
    ``ordinary`` is empty). ``learn(rows)`` paints rows with learned values;
    ``flicker(rows)`` makes random rows shimmer while the scene plays.

    >>> table = EmbeddingTable(["the"], ["<|bos|>", "<|user_start|>"])
    >>> len(table.rows), len(table.rows[0][1]), table.special
    (3, 12, [1, 2])
    """

    def __init__(
        self,
        ordinary: Sequence[str],
        special: Sequence[str],
        columns: int = 12,
        cell: float = 0.3,
        pitch: float = 0.44,
        seed: int = 6,
    ):
        super().__init__()
        self.rng = np.random.default_rng(seed)
        self.rows = VGroup()
        names = list(ordinary) + list(special)
        y = 0.0
        self.dots = None
        for index, name in enumerate(names):
            if index == len(ordinary) and ordinary:
                self.dots = maths(r"\vdots", size=LABEL_SIZE, color=DIM).move_to([-0.6, y, 0])
                y -= pitch * 1.2
            label = mono(name, size=SMALL_SIZE, color=HIGHLIGHT if name in special else TEXT)
            label.move_to([-0.25, y, 0], aligned_edge=RIGHT)
            squares = VGroup(*[Square(cell, stroke_width=0) for _ in range(columns)])
            squares.arrange(RIGHT, buff=0.04).move_to([0.0, y, 0], aligned_edge=LEFT)
            self.rows.add(VGroup(label, squares))
            y -= pitch
        self.special = [i for i, name in enumerate(names) if name in special]
        self.names = names
        self.add(self.rows)
        if self.dots is not None:
            self.add(self.dots)
        for row in self.rows:
            self._static(row[1])
        self.random: list[int] = []
        self.add_updater(self._shimmer)
        self._clock = 0.0

    def cells_of(self, indices: Sequence[int]) -> VGroup:
        return VGroup(*[self.rows[i][1] for i in indices])

    def _static(self, squares: VGroup) -> None:
        for square in squares:
            square.set_fill(STRUCTURE, float(self.rng.uniform(0.1, 0.55)))

    def _shimmer(self, table: EmbeddingTable, dt: float) -> None:
        self._clock += dt
        if self._clock >= 0.25:
            self._clock = 0.0
            for i in self.random:
                self._static(self.rows[i][1])

    def flicker(self, indices: Sequence[int]) -> None:
        """Rows still random shimmer like static while the scene plays (none: ``[]``)."""
        self.random = list(indices)

    def learn(self, indices: Sequence[int], lag: float = 0.03, now: bool = False):
        """Rows take learned values: each number blue or red by sign, brighter by size.

        Returns the animation, or with ``now`` paints them at once (and returns None).
        """
        self.random = [i for i in self.random if i not in set(indices)]
        steps = []
        for i in indices:
            for square in self.rows[i][1]:
                value = float(self.rng.normal())
                colour, opacity = (TOKEN if value > 0 else LOSS), min(0.2 + 0.4 * abs(value), 0.95)
                if now:
                    square.set_fill(colour, opacity)
                else:
                    steps.append(square.animate.set_fill(colour, opacity))
        return None if now else LaggedStart(*steps, lag_ratio=lag)


class Calculator(Labelled):
    """The chat tool: a frame named "calculator", with a window for what it computes."""

    def __init__(self, box_w: float = 3.6, box_h: float = 2.2):
        frame_box = Rectangle(width=box_w, height=box_h, stroke_color=TOOL, stroke_width=STROKE)
        label = mono("calculator", size=SMALL_SIZE, color=TOOL)
        label.next_to(frame_box.get_corner(UP + LEFT), DOWN + RIGHT, buff=0.2)
        super().__init__(frame_box, label)
        self.frame_box, self.label = frame_box, label
        self.labelled.append((label, frame_box))


class PackedRows(VGroup):
    """Conversations packed end to end into fixed-length rows (one row = one training row).

    Each conversation is a <|bos|> sliver then alternating user and assistant turns;
    a turn that does not fit continues at the start of the next row, so a row can begin
    mid-conversation. ``.tracks`` are the rows, ``.pieces`` the coloured segments and
    ``.kinds`` their roles ("bos", "user" or "assistant"); ``.row_starts[i]`` is the
    piece that opens row ``i``.

    >>> rows = PackedRows(rows=3)
    >>> len(rows.tracks), rows.kinds[0], len(rows.row_starts)
    (3, 'bos', 3)
    """

    COLOURS = {"bos": STRUCTURE, "user": USER, "assistant": ASSISTANT}

    def __init__(
        self,
        rows: int = 4,
        row_w: float = 9.4,
        row_h: float = 0.42,
        gap: float = 0.3,
        seed: int = 4,
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
            segments.append(("bos", 0.1))
            for _ in range(rng.integers(1, 3)):
                segments.append(("user", float(rng.uniform(0.5, 1.6))))
                segments.append(("assistant", float(rng.uniform(1.0, 3.2))))
        pieces, kinds, starts = VGroup(), [], []
        row, x = 0, 0.0
        for kind, length in segments:
            while length > 1e-6 and row < rows:
                take = min(length, row_w - x)
                left = tracks[row].get_left() + RIGHT * x
                piece = Rectangle(
                    width=max(take - 0.03, 0.03),
                    height=row_h * 0.72,
                    stroke_width=1.5,
                    stroke_color=self.COLOURS[kind],
                    fill_color=self.COLOURS[kind],
                    fill_opacity=0.7,
                )
                piece.move_to(left + RIGHT * (take / 2))
                if x == 0.0:
                    starts.append(piece)
                pieces.add(piece)
                kinds.append(kind)
                x += take
                length -= take
                if x >= row_w - 1e-6:
                    row, x = row + 1, 0.0
        super().__init__(tracks, pieces)
        self.tracks, self.pieces, self.kinds, self.row_starts = tracks, pieces, kinds, starts

    def mid_start(self) -> Rectangle:
        """The first piece that opens a row in the middle of a conversation."""
        kinds = dict(zip(map(id, self.pieces), self.kinds, strict=True))
        return next(p for p in self.row_starts[1:] if kinds[id(p)] != "bos")


# --------------------------------------------------------------------------- the scene


class Midtraining(NarratedScene):
    def construct(self):
        setup_canvas()
        bar, model = opening(self, 6)
        page = self.let_the_base_model_ramble(bar, model)
        table = self.open_the_embedding_table(model, page)
        conversation = self.frame_a_conversation(table)
        mixture, example = self.fill_the_mixture(model, table, conversation)
        stream, calculator = self.turn_sums_into_tool_calls(model, mixture, example)
        page = self.open_the_calculator(model, stream, calculator)
        choice = self.lay_out_multiple_choice(page)
        rows, machinery = self.reuse_the_machinery(model, choice)
        self.hand_over_to_sft(model, rows, machinery)

    # ------------------------------------------------------------------ beats

    def let_the_base_model_ramble(self, bar, model) -> TokenStrip:
        with self.beat("rambling") as beat:
            # the page the model writes: the question, then whatever a web page says next
            strip = TokenStrip(
                [*cells(PROMPT, USER), *cells(RAMBLE, ASSISTANT)], max_width=8.6, line_buff=0.28
            )
            strip.move_to([2.05, CONTENT_TOP - 0.35 - strip.height / 2, 0])
            asked, written = strip.cells[: len(PROMPT)], strip.cells[len(PROMPT) :]
            self.play(
                bar.enter(6), model.animate.scale(0.8).move_to([-4.7, CY, 0]), run_time=STEADY
            )
            self.play(
                LaggedStart(*[FadeIn(c, shift=RIGHT * 0.2) for c in asked], lag_ratio=0.15),
                model.pulse(),
                run_time=beat.until("ramble"),
            )
            # token after token, and it never stops to let anyone answer
            share = len(written) / 3
            for part, mark in enumerate(("dialogue", "format", None)):
                chunk = written[round(part * share) : round((part + 1) * share)]
                self.play(
                    LaggedStart(*[FadeIn(c, scale=0.8) for c in chunk], lag_ratio=0.6),
                    model.pulse(),
                    run_time=beat.until(mark),
                )
            return strip

    def open_the_embedding_table(self, model, page) -> EmbeddingTable:
        with self.beat("embedding") as beat:
            table = EmbeddingTable(ORDINARY, SPECIAL).move_to([0.3, CY + 0.05, 0])
            bos, eight = table.special[0], table.special[1:]
            brace = Brace(table.rows, RIGHT, buff=0.3, color=DIM)
            count = VGroup(mono("65,536", size=SMALL_SIZE), prose("rows", size=LABEL_SIZE))
            count.arrange(DOWN, buff=0.12).next_to(brace, RIGHT, buff=0.2)
            # the page goes; the model's first layer, its embedding, opens into the table
            self.play(FadeOut(page, shift=RIGHT * 0.3), run_time=QUICK)
            model.generate_target()
            model.target.scale(0.7).move_to([-5.75, CY, 0])
            model.target.embed.set_fill(HIGHLIGHT, 0.5)
            self.play(MoveToTarget(model), run_time=QUICK)
            table.flicker(range(len(table.rows)))
            self.play(
                open_from(table, model.embed), run_time=max(beat.until("trained") - STEADY, QUICK)
            )
            self.play(GrowFromCenter(brace), FadeIn(count), run_time=STEADY)
            # pretraining tuned every row it read; <|bos|> opens every document
            self.play(table.learn(range(len(ORDINARY))), run_time=beat.until("bos"))
            self.play(
                table.learn([bos]),
                Indicate(table.rows[bos][0], color=TOKEN),
                run_time=beat.until("eight"),
            )
            # the other eight never came: the brace moves onto them
            never = VGroup(prose("never", size=LABEL_SIZE), prose("seen", size=LABEL_SIZE))
            brace_eight = Brace(table.cells_of(eight), RIGHT, buff=0.3, color=HIGHLIGHT)
            never.arrange(DOWN, buff=0.12).next_to(brace_eight, RIGHT, buff=0.2)
            self.play(
                ReplacementTransform(brace, brace_eight),
                FadeTransform(count, never),
                run_time=beat.until("typed"),
            )
            # typed text: "<|assistant_start|>" arrives as ordinary pieces, never the token
            row = table.rows[table.special[3]]
            typed = TokenStrip(cells(TYPED, USER, pad=0.08))
            typed.move_to([0, table.dots.get_y(), 0]).align_to(table.rows[0][1], LEFT)
            copy = row[0].copy().set_color(USER)
            self.play(copy.animate.move_to(typed), run_time=STEADY)
            self.play(FadeTransform(copy, typed), run_time=STEADY)
            self.play(
                Indicate(row[0], color=MASKED),
                Indicate(typed, color=USER, scale_factor=1.05),
                run_time=beat.until("random"),
            )
            still = prose("random", size=LABEL_SIZE, color=HIGHLIGHT)
            still.next_to(brace_eight, RIGHT, buff=0.2)
            self.play(FadeOut(typed, shift=UP * 0.2), FadeTransform(never, still), run_time=QUICK)
            self.play(
                Indicate(table.cells_of(eight), color=HIGHLIGHT, scale_factor=1.03),
                run_time=beat.until(),
            )
            self.play(FadeOut(VGroup(brace_eight, still)), run_time=QUICK)
            return table

    def frame_a_conversation(self, table) -> TokenStrip:
        with self.beat("format") as beat:
            # the ordinary rows make room; the nine special rows move up
            specials = VGroup(*[table.rows[i] for i in table.special])
            self.play(
                *[r.animate.set_opacity(0) for r in table.rows[: len(ORDINARY)]],
                table.dots.animate.set_opacity(0),
                run_time=QUICK,
            )
            lift = CONTENT_TOP - 0.2 - specials.get_top()[1]
            self.play(specials.animate.shift(UP * lift), run_time=QUICK)
            rows = {name: table.rows[i] for i, name in enumerate(table.names)}
            lines = [
                [*cells(["<|bos|>"], STRUCTURE), *cells(["<|user_start|>"], USER),
                 *cells(["Why", "is", "the", "sky", "blue", "?"], USER)],
                [*cells(["<|user_end|>"], USER),
                 *cells(["<|assistant_start|>", "Light", "scatters", "."], ASSISTANT)],
                cells(["<|assistant_end|>"], ASSISTANT),
            ]  # fmt: skip
            strip = TokenStrip(lines, line_buff=0.2)
            strip.align_to(specials, LEFT).shift(LEFT * 0.4)
            strip.shift(UP * (specials.get_bottom()[1] - 0.35 - strip.get_top()[1]))
            by_token = {cell.token: cell for cell in reversed(strip.cells)}

            def from_row(name: str):
                """The token's name leaves its row and becomes a cell of the conversation."""
                cell = by_token[name]
                return AnimationGroup(
                    TransformFromCopy(rows[name][0], cell.label), GrowFromCenter(cell.box)
                )

            words = [c for c in strip.cells if not c.special]
            user_words, reply_words = words[:6], words[6:]
            self.play(from_row("<|bos|>"), run_time=beat.until("user"))
            self.play(
                Succession(
                    from_row("<|user_start|>"),
                    LaggedStart(*[FadeIn(c) for c in user_words], lag_ratio=0.2),
                    from_row("<|user_end|>"),
                ),
                run_time=beat.until("reply"),
            )
            self.play(
                Succession(
                    from_row("<|assistant_start|>"),
                    LaggedStart(*[FadeIn(c) for c in reply_words], lag_ratio=0.2),
                ),
                run_time=beat.until("stop"),
            )
            self.play(from_row("<|assistant_end|>"), run_time=beat.until("tools"))
            tools = [rows[name] for name in SPECIAL[5:]]
            self.play(
                LaggedStart(*[Indicate(r, color=TOOL, scale_factor=1.04) for r in tools],
                            lag_ratio=0.25),
                run_time=beat.until("mid"),
            )  # fmt: skip
            eight = [rows[name][1] for name in SPECIAL[1:]]
            self.play(
                LaggedStart(*[Indicate(r, color=HIGHLIGHT, scale_factor=1.04) for r in eight],
                            lag_ratio=0.15),
                run_time=beat.until(),
            )  # fmt: skip
            return strip

    def fill_the_mixture(self, model, table, conversation) -> tuple[VGroup, Mono]:
        with self.beat("mixture") as beat:
            table.flicker([])
            self.play(FadeOut(VGroup(model, table, conversation), shift=LEFT * 0.3), run_time=QUICK)
            model.embed.set_fill(STRUCTURE, 0.15)  # as ModelStack draws it
            mixture = MixtureBar(MIDTRAINING_MIX, height=4.35, width=1.1).scale(1.15)
            mixture.shift(LEFT * (5.6 + mixture.outline.get_left()[0]))
            mixture.shift(UP * (-0.35 - mixture.outline.get_y()))
            column = max(label.get_right()[0] for label in mixture.labels.values()) + 0.7
            total = Counter(850_000, unit="conversations", size=40)
            total.next_to(mixture.outline, UP, buff=0.25).align_to(mixture.outline, LEFT)
            examples = {}
            for key, text in EXAMPLES.items():
                example = mono(text, size=LABEL_SIZE, color=mixture.parts[key][4])
                examples[key] = example.move_to(
                    [column, mixture.labels[key].get_y(), 0], aligned_edge=LEFT
                )
            self.play(Create(mixture.outline), FadeIn(total), run_time=QUICK)
            self.play(total.count(), run_time=beat.until("smol"))
            steps = [("chat", "spell"), ("spelling", "rest"), ("choice", "gsm"),
                     ("maths", "identity"), ("identity", None)]  # fmt: skip
            for key, until in steps:
                parts = [mixture.grow(key)]
                if key in examples:
                    parts.append(Write(examples[key]))
                self.play(Succession(*parts), run_time=beat.until(until))
            return VGroup(mixture, total, *examples.values()), examples["maths"]

    def turn_sums_into_tool_calls(self, model, mixture, example):
        with self.beat("tool-call") as beat:
            rest = VGroup(*[m for m in mixture if m is not example])
            self.play(FadeOut(rest, shift=LEFT * 0.3), run_time=QUICK)
            # the annotation sits inside a GSM8K solution line
            line = mono(ANNOTATED, size=LABEL_SIZE * 1.2, color=TEXT)
            line.move_to([0, CONTENT_TOP - 0.45, 0])
            note = glyphs(line, "<<12/60=0.2>>")
            note.set_color(TOOL)
            self.play(example.animate.scale_to_fit_width(note.width).move_to(note), run_time=QUICK)
            self.play(FadeIn(VGroup(*[g for g in line if g not in set(note)])), run_time=QUICK)
            self.remove(example)
            self.add(line)
            self.play(Indicate(note, color=HIGHLIGHT), run_time=beat.until("call"))
            # the annotation becomes a call and its result
            call = TokenStrip(cells(["<|python_start|>", "12/60", "<|python_end|>"], ASSISTANT))
            output = TokenStrip(cells(["<|output_start|>", "0.2", "<|output_end|>"], TOOL))
            stream = VGroup(call, output).arrange(DOWN, buff=0.35, aligned_edge=LEFT)
            stream.move_to([-1.3, 0.9, 0])
            self.play(
                TransformFromCopy(glyphs(line, "12/60", occurrence=1), call.cells[1]),
                GrowFromCenter(call.cells[0]),
                GrowFromCenter(call.cells[2]),
                run_time=beat.until("output"),
            )
            in_data = prose("in the data", size=LABEL_SIZE, color=DIM)
            in_data.next_to(output, RIGHT, buff=0.5)
            self.play(
                TransformFromCopy(glyphs(line, "0.2", occurrence=0), output.cells[1]),
                GrowFromCenter(output.cells[0]),
                GrowFromCenter(output.cells[2]),
                FadeIn(in_data, shift=LEFT * 0.2),
                run_time=beat.until("chat"),
            )
            # at chat time the model writes the call; the result's slot waits, empty
            self.play(FadeOut(VGroup(line, in_data), shift=UP * 0.3), run_time=QUICK)
            call.generate_target().move_to([-3.3, 1.6, 0], aligned_edge=LEFT)
            output.generate_target().move_to([-3.3, 0.2, 0], aligned_edge=LEFT)
            output.target.labels.set_opacity(0)
            self.play(
                FadeIn(model, shift=RIGHT * 0.3),
                MoveToTarget(call),
                MoveToTarget(output),
                run_time=QUICK,
            )
            self.play(
                model.pulse(),
                LaggedStart(
                    *[Indicate(c, color=HIGHLIGHT, scale_factor=1.0) for c in call.cells],
                    lag_ratio=0.3,
                ),
                run_time=beat.until("engine"),
            )
            # the engine hands the expression to the calculator and pastes the result in
            calculator = Calculator(box_w=3.0, box_h=2.0).move_to([4.9, -2.2, 0])
            into = Arrow(call.get_right(), calculator.get_top(), buff=0.15, color=STRUCTURE)
            window = mono("12/60", size=LABEL_SIZE, color=TEXT)
            window.move_to(calculator.frame_box).shift(DOWN * 0.2)
            self.play(FadeIn(calculator), Create(into), run_time=QUICK)
            self.play(TransformFromCopy(call.cells[1].label, window), run_time=QUICK)
            answer = mono("0.2", size=LABEL_SIZE, color=TEXT).move_to(window)
            self.play(FadeTransform(window, answer), run_time=beat.until("paste"))
            corner = calculator.frame_box.get_corner(UP + LEFT) + RIGHT * 0.3
            back = Arrow(corner, output.cells[1].get_bottom(), buff=0.15, color=TOOL)
            result = output.cells[1].label
            others = VGroup(output.cells[0].label, output.cells[2].label)
            self.play(
                Create(back),
                answer.animate.scale_to_fit_height(result.height).move_to(result),
                others.animate.set_opacity(1),
                run_time=beat.until("why"),
            )
            self.remove(answer)
            result.set_opacity(1)
            more = TokenStrip(cells(["per", "minute"], ASSISTANT))
            more.next_to(output, DOWN, buff=0.4, aligned_edge=LEFT)
            self.play(
                model.pulse(),
                LaggedStart(*[FadeIn(c, shift=RIGHT * 0.2) for c in more.cells], lag_ratio=0.4),
                run_time=STEADY,
            )
            self.play(Indicate(calculator, color=TOOL, scale_factor=1.05), run_time=beat.until())
            return VGroup(call, output, more, into, back), calculator

    def open_the_calculator(self, model, stream, calculator) -> VGroup:
        with self.beat("calculator") as beat:
            # the calculator comes to the middle and opens: what it runs, what it accepts
            self.play(FadeOut(VGroup(model, stream), shift=LEFT * 0.3), run_time=QUICK)
            big = Calculator(box_w=11.0, box_h=5.6).move_to([0, CY, 0])
            self.play(ReplacementTransform(calculator, big), run_time=QUICK)
            code = mono('eval("12/60")', size=LABEL_SIZE * 1.2, color=TEXT)
            gives = mono("0.2", size=LABEL_SIZE * 1.2, color=TOOL)
            first = VGroup(code, maths(r"\to", color=DIM), gives).arrange(RIGHT, buff=0.35)
            first.next_to(big.label, DOWN, buff=0.45).align_to(big.label, LEFT).shift(RIGHT * 0.4)
            bare = prose("built-ins removed", size=LABEL_SIZE, color=DIM)
            bare.next_to(first, RIGHT, buff=0.8)
            self.play(Write(code), run_time=QUICK)
            self.play(FadeIn(first[1:]), FadeIn(bare), run_time=beat.until("allow"))
            accepted = [("0-9  + - * / . ( )", None), ("'strawberry'.count('r')", "3")]
            lines = VGroup()
            for text, result in accepted:
                parts = [
                    mono(text, size=LABEL_SIZE, color=TEXT),
                    maths(r"\checkmark", size=LABEL_SIZE * 1.3, color=TRAINED),
                ]
                if result is not None:
                    parts += [maths(r"\to", color=DIM), mono(result, size=LABEL_SIZE, color=TOOL)]
                lines.add(VGroup(*parts).arrange(RIGHT, buff=0.35))
            lines.arrange(DOWN, buff=0.4, aligned_edge=LEFT)
            lines.next_to(first, DOWN, buff=0.55, aligned_edge=LEFT)
            self.play(
                LaggedStart(*[FadeIn(line, shift=RIGHT * 0.2) for line in lines], lag_ratio=0.5),
                run_time=beat.until("reject"),
            )
            bad = mono("__import__('os')", size=LABEL_SIZE, color=TEXT)
            cross = Cross(Square(0.36), stroke_color=MASKED, stroke_width=6)
            nothing = prose("no answer", size=LABEL_SIZE, color=MASKED)
            refused = VGroup(bad, cross, nothing).arrange(RIGHT, buff=0.4)
            refused.next_to(lines, DOWN, buff=0.45, aligned_edge=LEFT)
            self.play(FadeIn(bad, shift=RIGHT * 0.2), run_time=QUICK)
            self.play(Create(cross), FadeIn(nothing), run_time=QUICK)
            self.play(Indicate(VGroup(bad, cross), color=MASKED), run_time=beat.until())
            return VGroup(big, first, bare, lines, refused)

    def lay_out_multiple_choice(self, calculator_page) -> VGroup:
        with self.beat("choice") as beat:
            self.play(FadeOut(calculator_page, shift=UP * 0.3), run_time=QUICK)
            source = "\n".join([QUESTION, *[f"- {text}={letter}" for text, letter in OPTIONS]])
            prompt = mono(source, size=LABEL_SIZE, color=TEXT)
            prompt.move_to([-6.3, CONTENT_TOP - 0.3, 0], aligned_edge=UP + LEFT)
            lines = lines_of(prompt)
            self.play(
                LaggedStart(*[FadeIn(line, shift=UP * 0.2) for line in lines], lag_ratio=0.2),
                run_time=QUICK,
            )
            self.remove(*lines)
            self.add(prompt)
            letters = [glyphs(prompt, f"={letter}") for _, letter in OPTIONS]
            self.play(
                LaggedStart(*[g[1].animate.set_color(KEY) for g in letters], lag_ratio=0.3),
                run_time=beat.until("nospace"),
            )
            self.play(
                LaggedStart(*[Indicate(g, color=KEY) for g in letters], lag_ratio=0.2),
                run_time=beat.until("tokens"),
            )
            # "B" and " B": two different tokens
            size = {"size": LABEL_SIZE, "min_width": 0.8}
            same = TokenCell("B", KEY, **size)
            spaced = TokenCell(" B", DIM, show_spaces=True, **size)
            differ = maths(r"\neq", size=LABEL_SIZE * 1.4, color=MASKED)
            compare = VGroup(same, differ, spaced).arrange(RIGHT, buff=0.35).move_to([3.9, 2.0, 0])
            self.play(TransformFromCopy(letters[1][1], same), run_time=QUICK)
            self.play(FadeIn(differ), FadeIn(spaced, shift=LEFT * 0.2), run_time=beat.until("same"))
            # the reply repeats the prompt's letter token
            reply = TokenStrip(
                [*cells(["<|assistant_start|>"], ASSISTANT), TokenCell("B", KEY),
                 *cells(["<|assistant_end|>"], ASSISTANT)]
            )  # fmt: skip
            reply.next_to(prompt, DOWN, buff=0.7, aligned_edge=LEFT)
            self.play(FadeIn(reply.cells[0]), FadeIn(reply.cells[2]), run_time=QUICK)
            self.play(TransformFromCopy(same, reply.cells[1]), run_time=beat.until("reply"))
            self.play(Indicate(reply.cells[1], color=KEY), run_time=beat.until("odds"))
            # the graders read the model's odds for the option letters, nothing else
            vocab = VGroup(
                *[Rectangle(width=0.08, height=0.2 + 0.9 * abs(np.sin(i * 1.7)), stroke_width=0,
                            fill_color=FAINT, fill_opacity=0.8) for i in range(36)]
            ).arrange(RIGHT, buff=0.05, aligned_edge=DOWN)  # fmt: skip
            vocab.move_to([-3.4, -2.3, 0])
            picks = [vocab[i] for i in (7, 15, 23, 31)]
            bars = VGroup()
            for name, pick in zip(ODDS, picks, strict=True):
                pick.set_fill(KEY, 0.9)
                bar = Rectangle(width=ODDS[name] * 6, height=0.36, stroke_width=0,
                                fill_color=KEY, fill_opacity=0.8)  # fmt: skip
                bars.add(VGroup(mono(name, size=LABEL_SIZE, color=TEXT), bar).arrange(RIGHT))
            bars.arrange(DOWN, buff=0.16, aligned_edge=LEFT).move_to([1.5, -2.55, 0])
            for row in bars[1:]:  # the bars start on one line
                row[1].align_to(bars[0][1], LEFT)
            every = prose("all tokens", size=LABEL_SIZE, color=TEXT)
            every.next_to(vocab, DOWN, buff=0.15)
            four = prose("option letters", size=LABEL_SIZE, color=KEY)
            four.next_to(bars, RIGHT, buff=0.4).align_to(bars, UP)
            self.play(
                LaggedStart(*[GrowFromEdge(v, DOWN) for v in vocab], lag_ratio=0.02),
                FadeIn(every),
                run_time=QUICK,
            )
            self.play(
                *[TransformFromCopy(pick, row[1]) for pick, row in zip(picks, bars, strict=True)],
                *[FadeIn(row[0]) for row in bars],
                FadeIn(four),
                vocab.animate.set_opacity(0.3),
                run_time=STEADY,
            )
            win = SurroundingRectangle(bars[1], color=TRAINED, buff=0.1)
            self.play(Create(win), run_time=QUICK)
            self.play(Indicate(bars[1], color=TRAINED), run_time=beat.until())
            return VGroup(prompt, compare, reply, vocab, every, bars, four, win)

    def reuse_the_machinery(self, model, choice) -> tuple[PackedRows, VGroup]:
        with self.beat("machinery") as beat:
            self.play(FadeOut(choice, shift=UP * 0.3), run_time=QUICK)
            rate = RateBar("learning rate", 0, width=5.0).move_to([1.6, CONTENT_TOP - 0.45, 0])
            optimizers = mono("Muon + AdamW", size=LABEL_SIZE, color=OPTIMIZER)
            optimizers.next_to(rate, DOWN, buff=0.35).align_to(rate.label, LEFT)
            self.play(FadeIn(model, shift=RIGHT * 0.3), FadeIn(optimizers), run_time=QUICK)
            self.play(FadeIn(rate), run_time=beat.until("lr"))
            self.play(rate.to(100), run_time=beat.until("pack"))
            rows = PackedRows().move_to([1.6, CY - 0.9, 0])
            brace = Brace(rows.tracks[0], UP, buff=0.1, color=DIM)
            width = mono("2,048 tokens", size=SMALL_SIZE, color=DIM).next_to(brace, UP, buff=0.1)
            self.play(
                LaggedStart(*[Create(t) for t in rows.tracks], lag_ratio=0.2),
                FadeIn(brace),
                FadeIn(width),
                run_time=QUICK,
            )
            self.play(
                LaggedStart(*[FadeIn(p, shift=RIGHT * 0.15) for p in rows.pieces], lag_ratio=0.08),
                run_time=beat.until("cut"),
            )
            # a row that opens in the middle of a conversation
            opener = rows.mid_start()
            frame = SurroundingRectangle(opener, color=HIGHLIGHT, buff=0.08)
            self.play(
                Create(frame), Indicate(opener, color=HIGHLIGHT), run_time=beat.until("every")
            )
            self.play(
                FadeOut(frame),
                LaggedStart(
                    *[p.animate.set_stroke(TRAINED, width=3) for p in rows.pieces], lag_ratio=0.03
                ),
                model.pulse(colour=TRAINED),
                run_time=beat.until("write"),
            )
            # every position is a target, the chat tokens too: a tick at each turn's edge,
            # where a special token sits, and the model learns to write them
            ticks = VGroup()
            previous = None
            for piece, kind in zip(rows.pieces, rows.kinds, strict=True):
                if kind != previous:
                    ticks.add(
                        Line(piece.get_corner(DOWN + LEFT), piece.get_corner(UP + LEFT))
                        .scale(1.5)
                        .set_stroke(HIGHLIGHT, width=5)
                    )
                previous = kind
            self.play(
                LaggedStart(*[Create(t) for t in ticks], lag_ratio=0.08),
                model.pulse(colour=TRAINED),
                run_time=beat.until(),
            )
            return rows, VGroup(rate, optimizers, brace, width, ticks)

    def hand_over_to_sft(self, model, rows, machinery):
        with self.beat("handover") as beat:
            # one pass: the rows pour into the model, and the eight rows gain a meaning
            self.play(FadeOut(machinery, shift=UP * 0.3), run_time=QUICK)
            self.play(
                rows.animate.scale(0.1).move_to(model.bottom_port()).set_opacity(0),
                model.pulse(colour=TRAINED),
                run_time=QUICK,
            )
            self.remove(rows)
            table = EmbeddingTable([], SPECIAL).move_to([1.4, CY, 0])
            table.learn([0], now=True)  # <|bos|> learned in pretraining
            table.flicker(range(1, len(SPECIAL)))
            self.play(open_from(table, model.embed), run_time=beat.until("rows"))
            self.play(table.learn(range(1, len(SPECIAL)), lag=0.01), run_time=beat.until("speaks"))
            self.play(model.learn("mid"), run_time=beat.until("sft"))
            self.play(closing(self, model, "mid"), run_time=beat.until())


__all__ = ["Midtraining"]
