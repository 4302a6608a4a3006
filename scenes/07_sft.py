"""Chapter 7: supervised fine-tuning.

From the midtrained checkpoint: a small hand-picked mixture (bars that merge
into one, then shrink against midtraining's), one conversation per row padded
to the longest (a batch of blank token cells), one row zoomed into the shared
:class:`~mobjects.TokenStrip` with real special tokens, the loss mask painted
green (trained on) and red (masked out), a learning rate cut to 2% that falls
to zero over one epoch, and the MID -> SFT report card.

Local pictures: :class:`Conversation` (a ``TokenStrip`` whose cells know their
kind), :class:`Batch` (rows of blank token cells) and :class:`ScoreChart`.

Narration: script/07-sft.md. Render alone with ``uv run manim -pql scenes/07_sft.py``.
"""

from __future__ import annotations

from collections.abc import Sequence

from manim import (
    DOWN,
    LEFT,
    RIGHT,
    UP,
    AnimationGroup,
    Arrow,
    Brace,
    Create,
    DashedLine,
    DashedVMobject,
    DecimalNumber,
    Dot,
    FadeIn,
    FadeOut,
    GrowFromCenter,
    GrowFromEdge,
    Indicate,
    LaggedStart,
    Line,
    MoveAlongPath,
    Rectangle,
    ReplacementTransform,
    Square,
    SurroundingRectangle,
    TransformFromCopy,
    VGroup,
    Write,
)
from manim.animation.numbers import ChangeDecimalToValue
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
    maths,
    mono,
    prose,
    setup_canvas,
)

from explainer.scene import NarratedScene

STAGES = ["tokenizer", "pretraining", "midtraining", "SFT", "RL", "chat"]

# the SFT mixture at 48abd7d (scripts/chat_sft.py), in thousands of rows
SOURCES = [
    ("ARC-Easy", 2.3, "2.3K"),
    ("ARC-Challenge", 1.1, "1.1K"),
    ("GSM8K", 7.5, "7.5K"),
    ("SmolTalk", 10.0, "10K"),
    ("identity", 1.0, "1K"),
    ("spelling", 0.6, "0.6K"),
]
MIXTURE_K = 22.4  # about 22,400 rows in all
MIDTRAINING_K = 848.0  # scripts/mid_train.py: about 848K rows
EPOCH_STEPS = 700  # 22,443 rows // 32 rows a step = 701 steps, one epoch

# the speedrun report card (README.md at 48abd7d): metric, MID, SFT
SCORES = [
    ("ARC-Challenge", 0.2875, 0.2807),
    ("ARC-Easy", 0.3561, 0.3876),
    ("GSM8K", 0.0250, 0.0455),
    ("HumanEval", 0.0671, 0.0854),
    ("MMLU", 0.3111, 0.3151),
    ("ChatCORE", 0.0730, 0.0884),
]
RL_GSM8K = 0.0758  # drawn only as a dashed, unlabelled ghost: chapter 8 tells the number

# one made-up conversation as nanochat renders it (nanochat/tokenizer.py), one line per
# part: (token, kind); the kind decides the loss mask. Padding cells are blank.
CONVERSATION = [
    [("<|bos|>", "bos"), ("<|user_start|>", "user"), ("What", "user"), ("is", "user"),
     ("3/5", "user"), ("?", "user"), ("<|user_end|>", "user")],
    [("<|assistant_start|>", "start"), ("<|python_start|>", "call"), ("3/5", "call"),
     ("<|python_end|>", "call")],
    [("<|output_start|>", "output"), ("0.6", "output"), ("<|output_end|>", "output")],
    [("It's", "reply"), ("0.6", "reply"), ("<|assistant_end|>", "reply"), ("", "pad"), ("", "pad")],
]  # fmt: skip
TRAINED_KINDS = {"call", "reply"}
# what the narration points at, in reading order: bookmark -> cells of CONVERSATION
PARTS = {"bos": [0], "user": range(1, 7), "reply": [7], "tool": range(8, 11),
         "output": range(11, 14)}  # fmt: skip
# the batch: real tokens per row (the first row is CONVERSATION, padding aside)
ROWS = [17, 19, 10, 14]


# ---------------------------------------------------------------- local mobjects


class Conversation(TokenStrip):
    """A chat as tokens: the shared :class:`TokenStrip`, each cell also knowing its kind.

    ``lines`` holds ``(token, kind)`` pairs. Special tokens (``<|...|>``) are drawn
    as special cells; padding (kind ``"pad"``, empty token) as blank grey cells.
    ``.kinds`` runs parallel to ``.cells``.

    >>> chat = Conversation([[("<|bos|>", "bos"), ("Hi", "user")], [("", "pad")]])
    >>> chat.tokens, chat.kinds, chat.indices("user", "pad")
    (['<|bos|>', 'Hi', ''], ['bos', 'user', 'pad'], [1, 2])
    >>> chat.cells[0].special, chat.cells[1].special
    (True, False)
    """

    def __init__(self, lines: Sequence[Sequence[tuple[str, str]]], **strip_kwargs):
        cells = [[self._cell(token, kind) for token, kind in line] for line in lines]
        super().__init__(cells, **strip_kwargs)
        self.kinds = [kind for line in lines for _, kind in line]

    @staticmethod
    def _cell(token: str, kind: str) -> TokenCell:
        if kind == "pad":
            return TokenCell(token, FAINT, fill=0.35)
        return TokenCell(token, special=token.startswith("<|"))

    def indices(self, *kinds: str) -> list[int]:
        """Positions of the cells of the given kinds."""
        return [i for i, k in enumerate(self.kinds) if k in kinds]


class Batch(TokenStrip):
    """A batch of conversations, one per row, as blank token cells padded to the longest row.

    ``lengths`` gives each row's real tokens. Parts besides the strip's ``.rows``
    (every cell of a row, padding included): ``.real`` (all real cells),
    ``.pads`` (each row's padding) and ``.end`` (x of the rows' right edge).

    >>> batch = Batch([3, 5])
    >>> len(batch.real), [len(pad) for pad in batch.pads], len(batch.rows[0])
    (8, [2, 0], 5)
    """

    def __init__(self, lengths: Sequence[int], cell: float = 0.5, gap: float = 0.06):
        longest = max(lengths)
        lines = [
            [
                TokenCell("", TOKEN, width=cell, height=cell * 0.8, fill=0.3)
                if i < n
                else TokenCell("", FAINT, width=cell, height=cell * 0.8, fill=0.35)
                for i in range(longest)
            ]
            for n in lengths
        ]
        super().__init__(lines, buff=gap, line_buff=cell * 0.36)
        self.real = VGroup(*[c for row, n in zip(self.rows, lengths, strict=True) for c in row[:n]])
        self.pads = VGroup(*[VGroup(*row[n:]) for row, n in zip(self.rows, lengths, strict=True)])
        self.lengths = list(lengths)
        self.end = self.rows.get_right()[0]

    def real_cells(self, index: int) -> VGroup:
        """The real (not padding) cells of row ``index``."""
        return VGroup(*self.rows[index][: self.lengths[index]])

    def packed(self) -> VGroup:
        """A copy of the real cells packed end to end, wrapping across rows (no padding)."""
        columns = self.rows[0]
        cells = self.real.copy()
        for k, cell in enumerate(cells):
            row, column = divmod(k, len(columns))
            cell.move_to([columns[column].get_x(), self.rows[row].get_y(), 0])
        return cells


class ScoreChart(VGroup):
    """Before/after bars for a report card: one row per metric, two number columns.

    Parts: ``.names``, ``.bars`` (drawn at the "before" value), ``.marks`` (a tick
    where the before value was), ``.deltas`` (the change: green up, red down),
    ``.before`` and ``.after`` (number columns), ``.headers`` (column titles).
    ``grow()`` draws the before values; ``carry(i)`` and ``change(i)`` move row
    ``i`` to its after value.

    The numbers are LaTeX, so keep Manim's "Writing ... .tex" notes out of the example:

    >>> import logging; logging.getLogger("manim").setLevel(logging.WARNING)
    >>> chart = ScoreChart([("MMLU", 0.31, 0.32)])
    >>> len(chart.bars), chart.after[0].get_value()
    (1, 0.31)
    """

    def __init__(self, scores, scale: float = 17.0, row_gap: float = 0.68, left: float = -3.2):
        names, bars, marks, deltas = VGroup(), VGroup(), VGroup(), VGroup()
        before_col, after_col = VGroup(), VGroup()
        self.scores, self.scale = scores, scale
        for i, (name, before, after) in enumerate(scores):
            y = -i * row_gap
            label = mono(name, size=SMALL_SIZE, color=TEXT)
            label.move_to([left - 0.2, y, 0], aligned_edge=RIGHT)
            bar = Rectangle(
                width=before * scale,
                height=0.36,
                stroke_width=0,
                fill_color=DIM,
                fill_opacity=0.6,
            ).move_to([left, y, 0], aligned_edge=LEFT)
            mark = Line(UP * 0.24, DOWN * 0.24, stroke_width=THIN, color=TEXT)
            mark.move_to([left + before * scale, y, 0])
            low, high = sorted((before, after))
            delta = Rectangle(
                width=(high - low) * scale,
                height=0.36,
                stroke_width=0,
                fill_color=TRAINED if after > before else MASKED,
                fill_opacity=0.85 if after > before else 0.5,
            ).move_to([left + low * scale, y, 0], aligned_edge=LEFT)
            first = DecimalNumber(0, num_decimal_places=4, font_size=LABEL_SIZE, color=DIM)
            first.move_to([4.0, y, 0], aligned_edge=LEFT)
            second = DecimalNumber(before, num_decimal_places=4, font_size=LABEL_SIZE, color=TEXT)
            second.move_to([5.25, y, 0], aligned_edge=LEFT)
            names.add(label)
            bars.add(bar)
            marks.add(mark)
            deltas.add(delta)
            before_col.add(first)
            after_col.add(second)
        headers = VGroup(
            mono("mid", size=SMALL_SIZE, color=DIM).next_to(before_col, UP, buff=0.35),
            mono("SFT", size=SMALL_SIZE, color=TOKEN).next_to(after_col, UP, buff=0.35),
        )
        super().__init__(names, bars, deltas, marks, before_col, after_col, headers)
        self.names, self.bars, self.marks, self.deltas = names, bars, marks, deltas
        self.before, self.after, self.headers = before_col, after_col, headers

    def row(self, index: int) -> VGroup:
        return VGroup(
            self.names[index],
            self.bars[index],
            self.deltas[index],
            self.marks[index],
            self.before[index],
            self.after[index],
        )

    def grow(self) -> list:
        return [
            *[GrowFromEdge(bar, LEFT) for bar in self.bars],
            *[
                ChangeDecimalToValue(value, before)
                for value, (_, before, _) in zip(self.before, self.scores, strict=True)
            ],
        ]

    def carry(self, index: int):
        """The before value slides over into the after column."""
        return TransformFromCopy(self.before[index], self.after[index])

    def change(self, index: int) -> list:
        _, before, after = self.scores[index]
        return [
            self.bars[index]
            .animate.stretch_to_fit_width(after * self.scale, about_edge=LEFT)
            .set_fill(TOKEN, opacity=0.6),
            GrowFromEdge(self.deltas[index], LEFT if after > before else RIGHT),
            FadeIn(self.marks[index]),
            ChangeDecimalToValue(self.after[index], after),
        ]


# ---------------------------------------------------------------- the scene


class SupervisedFineTuning(NarratedScene):
    def construct(self):
        setup_canvas()
        self.start_from_midtraining()
        self.show_mixture()
        self.one_conversation_per_row()
        self.zoom_into_a_row()
        self.colour_the_mask()
        self.lower_the_learning_rate()
        self.read_the_report_card()
        self.hand_over_to_rl()

    # ------------------------------------------------------------------ beats

    def start_from_midtraining(self):
        with self.beat("hook") as beat:
            pipeline = PipelineDiagram(STAGES, optional=["RL"]).to_edge(UP, buff=0.9)
            for box in pipeline.boxes[:3]:
                box.set_stroke(TRAINED).set_fill(TRAINED, opacity=0.08)
            self.play(
                LaggedStart(
                    *[FadeIn(VGroup(box, label), shift=RIGHT * 0.2)
                      for box, label in zip(pipeline.boxes, pipeline.labels, strict=True)],
                    lag_ratio=0.2,
                ),
                FadeIn(pipeline.arrows),
                run_time=beat.until("sft"),
            )  # fmt: skip
            self.play(pipeline.light(3), run_time=STEADY)
            self.play(Indicate(pipeline.labels[3], color=HIGHLIGHT), run_time=beat.until("start"))
            stack = BlockStack(20, width=2.2, block_height=0.08, gap=0.035, label="mid")
            stack.move_to(LEFT * 3.6 + DOWN * 1.0)
            self.play(
                TransformFromCopy(pipeline.boxes[2], stack.blocks),
                FadeIn(stack.label, shift=DOWN * 0.2),
                run_time=STEADY,
            )
            # the "polish": a highlight sweeps up the stack
            self.play(
                LaggedStart(
                    *[Indicate(b, color=HIGHLIGHT, scale_factor=1.0) for b in stack.blocks],
                    lag_ratio=0.15,
                ),
                run_time=beat.until("answers"),
            )
            question = ChatBubble("What is 3/5?", role="user", width=3.4)
            answer = ChatBubble("It's 0.6.", role="assistant", width=3.4)
            question.move_to(RIGHT * 2.4 + DOWN * 0.3)
            answer.next_to(question, DOWN, buff=0.35).shift(RIGHT * 1.0)
            self.play(FadeIn(question, shift=UP * 0.2), run_time=QUICK)
            self.play(FadeIn(answer, shift=UP * 0.2), run_time=QUICK)
            arrow = Arrow(
                answer.get_left(), stack.blocks.get_right() + DOWN * 0.4, buff=0.25, color=TRAINED
            )
            self.play(
                question.box.animate.set_stroke(MASKED),
                answer.box.animate.set_stroke(TRAINED),
                Create(arrow),
                run_time=STEADY,
            )
            self.play(
                Indicate(answer.label, color=TRAINED),
                LaggedStart(
                    *[b.animate.set_fill(TRAINED, 0.35) for b in stack.blocks], lag_ratio=LAG
                ),
                run_time=beat.until(),
            )
            self.hook = VGroup(pipeline, stack, question, answer, arrow)

    def show_mixture(self):
        with self.beat("mixture") as beat:
            rows = VGroup()
            for i, (name, thousands, count) in enumerate(SOURCES):
                y = 1.9 - i * 0.62
                label = mono(name, size=SMALL_SIZE, color=DIM).move_to(
                    [-2.3, y, 0], aligned_edge=RIGHT
                )
                bar = Rectangle(
                    width=thousands * 0.6,
                    height=0.4,
                    stroke_color=TOKEN,
                    stroke_width=THIN,
                    fill_color=TOKEN,
                    fill_opacity=0.6 if i % 2 == 0 else 0.35,
                ).move_to([-2.0, y, 0], aligned_edge=LEFT)
                amount = mono(count, size=SMALL_SIZE, color=TEXT).next_to(bar, RIGHT, buff=0.2)
                rows.add(VGroup(label, bar, amount))
            names = VGroup(*[r[0] for r in rows])
            bars = VGroup(*[r[1] for r in rows])
            amounts = VGroup(*[r[2] for r in rows])
            self.play(FadeOut(self.hook, shift=UP * 0.4), run_time=QUICK)
            self.play(
                LaggedStart(*[FadeIn(n, shift=RIGHT * 0.2) for n in names], lag_ratio=0.2),
                run_time=beat.until("arc"),
            )
            groups = (("arc", "gsm", [0, 1]), ("gsm", "smol", [2]), ("smol", "extra", [3]),
                      ("extra", "total", [4, 5]))  # fmt: skip
            for mark, until, members in groups:
                beat.wait_until(mark)
                self.play(
                    LaggedStart(
                        *[
                            LaggedStart(
                                GrowFromEdge(bars[m], LEFT),
                                names[m].animate.set_color(TEXT),
                                FadeIn(amounts[m]),
                                lag_ratio=0.3,
                            )
                            for m in members
                        ],
                        lag_ratio=0.4,
                    ),
                    run_time=beat.span(mark, until),
                )
            # the six bars slide end to end into one mixture
            per_k = 0.44
            left = -MIXTURE_K * per_k / 2
            targets = []
            x = left
            for bar, (_, thousands, _) in zip(bars, SOURCES, strict=True):
                width = thousands * per_k
                targets.append(
                    bar.animate.stretch_to_fit_width(width).move_to([x, 0.9, 0], aligned_edge=LEFT)
                )
                x += width
            total = Counter(22000, prefix="≈", unit="conversations", size=44)
            total.move_to([0, -0.2, 0])
            self.play(
                FadeOut(names, shift=LEFT * 0.3),
                FadeOut(amounts, shift=RIGHT * 0.3),
                *targets,
                run_time=STEADY,
            )
            self.play(FadeIn(total), run_time=QUICK)
            self.play(total.count(), run_time=beat.until("mid"))
            # midtraining's mixture, at the same scale: the SFT bar shrinks to a sliver
            full = 11.0
            sliver = full * MIXTURE_K / MIDTRAINING_K
            mid_bar = Rectangle(
                width=full, height=0.4, stroke_color=FAINT, stroke_width=THIN, fill_color=FAINT,
                fill_opacity=0.5,
            ).move_to([-5.5, -1.0, 0], aligned_edge=LEFT)  # fmt: skip
            mid_count = Counter(850000, prefix="≈", unit="in midtraining", size=44)
            mid_count.next_to(mid_bar, DOWN, buff=0.3).align_to(mid_bar, LEFT)
            self.play(
                bars.animate.stretch_to_fit_width(sliver).move_to(
                    [-5.5, 0.9, 0], aligned_edge=LEFT
                ),
                total.animate.move_to([-5.5 + sliver + 0.3, 0.9, 0], aligned_edge=LEFT),
                FadeIn(mid_count),
                run_time=STEADY,
            )
            self.play(
                GrowFromEdge(mid_bar, LEFT),
                mid_count.count(),
                run_time=beat.until(),
            )
            self.mixture_bar = bars
            self.mixture_rest = VGroup(total, mid_bar, mid_count)

    def one_conversation_per_row(self):
        with self.beat("rows") as beat:
            batch = Batch(ROWS).move_to(UP * 0.4)
            for index in range(len(ROWS)):  # tell neighbouring conversations apart
                for cell in batch.real_cells(index):
                    cell.box.set_fill(opacity=0.55 if index % 2 == 0 else 0.2)
            # first as midtraining had it: conversations packed end to end across rows
            packed = batch.packed()
            self.play(FadeOut(self.mixture_rest, shift=DOWN * 0.3), run_time=QUICK)
            self.play(
                ReplacementTransform(self.mixture_bar, packed),
                run_time=max(beat.until("rows"), QUICK),
            )
            # then unpacked: each conversation slides to a row of its own
            self.play(
                LaggedStart(
                    *[ReplacementTransform(p, c) for p, c in zip(packed, batch.real, strict=True)],
                    lag_ratio=0.02,
                ),
                run_time=beat.until("pad"),
            )
            end = DashedLine(
                [batch.end + 0.1, batch.get_top()[1] + 0.3, 0],
                [batch.end + 0.1, batch.get_bottom()[1] - 0.3, 0],
                color=HIGHLIGHT,
                stroke_width=STROKE,
            )
            note = prose("longest row", size=SMALL_SIZE, color=HIGHLIGHT).next_to(
                end, UP, buff=0.15
            )
            self.play(Create(end), FadeIn(note), run_time=QUICK)
            self.play(
                LaggedStart(
                    *[FadeIn(p, scale=0.5) for pad in batch.pads for p in pad], lag_ratio=0.15
                ),
                run_time=max(beat.until(), QUICK),
            )
            self.batch = batch
            self.batch_end = VGroup(end, note)

    def zoom_into_a_row(self):
        with self.beat("one-row") as beat:
            strip = Conversation(CONVERSATION, line_buff=0.25).move_to(UP * 1.3)
            first = self.batch.rows[0]
            self.play(
                FadeOut(VGroup(*self.batch.rows[1:]), shift=DOWN * 0.5),
                FadeOut(self.batch_end),
                *[cell.box.animate.set_stroke(HIGHLIGHT) for cell in first],
                run_time=QUICK,
            )
            # the row's blank cells grow into the conversation's tokens, one per cell
            self.remove(*first)  # the boxes alone go on (a transform replaces them in place)
            self.add(*[cell.box for cell in first])
            self.play(
                *[
                    ReplacementTransform(c.box, s.box)
                    for c, s in zip(first, strip.cells, strict=True)
                ],
                run_time=max(beat.until("bos"), QUICK),
            )
            # a frame walks the parts as the voice names them, writing their tokens
            frame, marks = None, list(PARTS)
            for n, mark in enumerate(marks):
                beat.wait_until(mark)
                cells = strip.pick(PARTS[mark])
                target = SurroundingRectangle(cells, color=HIGHLIGHT, buff=0.08)
                following = marks[n + 1] if n + 1 < len(marks) else None
                self.play(
                    Create(target) if frame is None else ReplacementTransform(frame, target),
                    LaggedStart(*[Write(cell.label) for cell in cells], lag_ratio=0.2),
                    run_time=min(beat.span(mark, following), SLOW) if following else QUICK,
                )
                frame = target
            rest = strip.pick(range(max(PARTS["output"]) + 1, len(strip.cells)))
            target = SurroundingRectangle(rest, color=HIGHLIGHT, buff=0.08)
            self.play(ReplacementTransform(frame, target), run_time=QUICK)
            self.play(
                LaggedStart(*[FadeIn(cell.label) for cell in rest if cell.token], lag_ratio=0.2),
                run_time=max(beat.until(), QUICK),
            )
            self.strip, self.frame = strip, target

    def colour_the_mask(self):
        with self.beat("mask") as beat:
            strip = self.strip
            legend = VGroup(
                *[
                    VGroup(
                        Square(0.35, stroke_color=colour, fill_color=colour, fill_opacity=0.5),
                        prose(text, size=SMALL_SIZE, color=TEXT),
                    ).arrange(RIGHT, buff=0.2)
                    for colour, text in ((TRAINED, "trained on"), (MASKED, "masked out"))
                ]
            ).arrange(DOWN, buff=0.35, aligned_edge=LEFT)
            legend.next_to(strip, DOWN, buff=0.7).align_to(strip, LEFT)
            trained = strip.pick(strip.indices(*TRAINED_KINDS))
            masked = strip.pick(i for i, k in enumerate(strip.kinds) if k not in TRAINED_KINDS)
            self.play(
                FadeOut(self.frame),
                Indicate(strip.cells, color=TEXT, scale_factor=1.0),
                run_time=max(beat.until("green"), QUICK),
            )
            self.play(
                FadeIn(legend[0], shift=LEFT * 0.2),
                LaggedStart(*[cell.recolour(TRAINED, 0.45) for cell in trained], lag_ratio=0.2),
                run_time=beat.until("red"),
            )
            self.play(
                FadeIn(legend[1], shift=LEFT * 0.2),
                LaggedStart(*[cell.recolour(MASKED, 0.45) for cell in masked], lag_ratio=0.1),
                run_time=beat.until("why"),
            )
            # only the green tokens feed the loss; the red ones fade back
            loss = maths(r"\text{loss}", size=LABEL_SIZE * 1.4)
            box = Rectangle(
                width=loss.width + 0.7, height=loss.height + 0.45, stroke_color=STRUCTURE,
                stroke_width=STROKE,
            )  # fmt: skip
            holder = Labelled(box, loss)
            holder.fit_label(loss, box)
            holder.next_to(strip, DOWN, buff=0.8).align_to(strip, RIGHT).shift(LEFT * 1.5)
            self.play(
                FadeIn(holder),
                *[cell.box.animate.set_fill(opacity=0.12) for cell in masked],
                run_time=QUICK,
            )
            sparks = [cell.box.copy() for cell in trained]
            self.play(
                LaggedStart(
                    *[s.animate.scale(0.3).move_to(box).set_opacity(0) for s in sparks],
                    lag_ratio=0.15,
                ),
                run_time=max(beat.until(), QUICK),
            )
            self.remove(*sparks)
            self.mask_extras = VGroup(legend, holder)

    def lower_the_learning_rate(self):
        with self.beat("gentle") as beat:
            base = -1.4
            full = 3.4
            pre = Rectangle(
                width=0.8, height=full, stroke_color=OPTIMIZER, stroke_width=THIN,
                fill_color=OPTIMIZER, fill_opacity=0.5,
            ).move_to([-5.0, base, 0], aligned_edge=DOWN)  # fmt: skip
            sft = pre.copy().move_to([-3.4, base, 0], aligned_edge=DOWN)
            names = VGroup(
                prose("pretraining", size=SMALL_SIZE, color=TEXT).next_to(pre, DOWN, buff=0.2),
                mono("SFT", size=SMALL_SIZE, color=TEXT).next_to(sft, DOWN, buff=0.2),
            )
            names[1].align_to(names[0], UP)
            hundred = maths(r"100\%", size=LABEL_SIZE).next_to(pre, UP, buff=0.15)
            share = DecimalNumber(100, num_decimal_places=0, unit=r"\%", font_size=LABEL_SIZE)
            share.add_updater(lambda m: m.next_to(sft, UP, buff=0.15))
            # the plot of the SFT schedule, zoomed in: its top is 2%
            origin = [-1.6, base, 0]
            x_axis = Line(origin, [5.4, base, 0], color=STRUCTURE, stroke_width=STROKE)
            y_axis = Line(origin, [-1.6, base + full, 0], color=STRUCTURE, stroke_width=STROKE)
            top = maths(r"2\%", size=LABEL_SIZE).next_to(y_axis.get_end(), LEFT, buff=0.15)
            zero = mono("0", size=SMALL_SIZE, color=DIM).next_to(origin, DOWN + LEFT, buff=0.1)
            rate = prose("learning rate", size=SMALL_SIZE, color=DIM)
            rate.next_to(y_axis.get_end(), UP, buff=0.2).align_to(y_axis, LEFT)
            schedule = Line([-1.6, base + full, 0], [5.2, base, 0], color=OPTIMIZER, stroke_width=4)
            dot = Dot(schedule.get_start(), radius=0.09, color=HIGHLIGHT)
            # one epoch spans the whole x-axis; the dot is the current step
            brace = Brace(x_axis, DOWN, color=DIM, buff=0.15)
            epoch = VGroup(
                prose("one epoch", size=LABEL_SIZE, color=TEXT),
                Counter(EPOCH_STEPS, prefix="≈", unit="steps", size=40),
            ).arrange(RIGHT, buff=0.5)
            epoch.next_to(brace, DOWN, buff=0.15)
            steps = epoch[1]
            self.play(
                FadeOut(VGroup(self.strip, self.mask_extras), shift=UP * 0.3),
                GrowFromEdge(pre, DOWN),
                GrowFromEdge(sft, DOWN),
                FadeIn(names),
                run_time=max(beat.until("lr"), QUICK),
            )
            self.play(FadeIn(hundred), FadeIn(share), run_time=QUICK)
            self.play(
                sft.animate.stretch_to_fit_height(full * 0.02, about_edge=DOWN),
                ChangeDecimalToValue(share, 2),
                run_time=max(beat.until("decay"), QUICK),
            )
            share.clear_updaters()
            zoom = VGroup(
                DashedLine(sft.get_corner(UP + RIGHT), y_axis.get_end(), color=FAINT),
                DashedLine(sft.get_corner(DOWN + RIGHT), y_axis.get_start(), color=FAINT),
            )
            self.play(
                Create(zoom),
                Create(x_axis),
                Create(y_axis),
                FadeIn(top),
                FadeIn(rate),
                FadeIn(zero),
                run_time=QUICK,
            )
            self.play(Create(schedule), FadeIn(dot), run_time=max(beat.until("epoch"), QUICK))
            self.play(GrowFromCenter(brace), FadeIn(epoch), run_time=QUICK)
            self.play(
                MoveAlongPath(dot, schedule),
                steps.count(),
                run_time=max(beat.until(), QUICK),
            )
            self.gentle = VGroup(
                pre, sft, names, hundred, share, zoom, x_axis, y_axis, top, rate, zero, schedule,
                dot, brace, epoch,
            )  # fmt: skip

    def read_the_report_card(self):
        with self.beat("report-card") as beat:
            chart = ScoreChart(SCORES).move_to(DOWN * 0.3, coor_mask=[0, 1, 0])
            self.play(FadeOut(self.gentle, shift=DOWN * 0.3), run_time=QUICK)
            self.play(
                LaggedStart(*[FadeIn(n, shift=RIGHT * 0.2) for n in chart.names], lag_ratio=0.15),
                FadeIn(chart.before),
                FadeIn(chart.headers[0]),
                run_time=max(beat.until("card"), QUICK),
            )
            self.play(*chart.grow(), run_time=beat.until("easy"))
            self.play(FadeIn(chart.headers[1]), run_time=QUICK)
            frame = None
            # the narrated rows change one by one; the other two follow ARC-Challenge
            steps = (("easy", "gsm", [1]), ("gsm", "dip", [2]), ("dip", "core", [0, 3, 4]))
            for mark, until, rows in steps:
                beat.wait_until(mark)
                target = SurroundingRectangle(chart.row(rows[0]), color=HIGHLIGHT, buff=0.1)
                self.play(
                    Create(target) if frame is None else ReplacementTransform(frame, target),
                    *[chart.carry(i) for i in rows],
                    run_time=QUICK,
                )
                frame = target
                self.play(
                    LaggedStart(*[AnimationGroup(*chart.change(i)) for i in rows], lag_ratio=0.5),
                    run_time=max(beat.until(until) - QUICK, QUICK),
                )
            beat.wait_until("core")
            target = SurroundingRectangle(chart.row(5), color=HIGHLIGHT, buff=0.1)
            self.play(ReplacementTransform(frame, target), chart.carry(5), run_time=QUICK)
            self.play(*chart.change(5), run_time=beat.until() / 2)
            numbers = VGroup(chart.before[5], chart.after[5])
            focus = SurroundingRectangle(numbers, color=HIGHLIGHT, buff=0.12)
            self.play(ReplacementTransform(target, focus), run_time=QUICK)
            self.play(Indicate(numbers, color=HIGHLIGHT), run_time=beat.until())
            self.chart, self.chart_extras = chart, VGroup(chart.headers, focus)

    def hand_over_to_rl(self):
        with self.beat("handover") as beat:
            chart = self.chart
            index = 2  # GSM8K: the task reinforcement learning trains on
            others = VGroup(*[chart.row(i) for i in range(len(SCORES)) if i != index])
            pipeline = PipelineDiagram(STAGES, optional=["RL"]).to_edge(UP, buff=0.9)
            for box in pipeline.boxes[:3]:
                box.set_stroke(TRAINED).set_fill(TRAINED, opacity=0.08)
            pipeline.boxes[3].set_stroke(HIGHLIGHT, width=STROKE + 1).set_fill(HIGHLIGHT, 0.12)
            pipeline.labels[3].set_color(TEXT)
            row = chart.row(index)
            shift = UP * (-0.9 - row.get_center()[1])
            # the column titles keep their height above the numbers
            above = chart.headers.get_center()[1] - chart.after[0].get_center()[1]
            lift = UP * (-0.9 + above - chart.headers.get_center()[1])
            self.play(
                FadeOut(others, shift=DOWN * 0.3),
                FadeOut(self.chart_extras[1]),
                row.animate.shift(shift),
                chart.headers.animate.shift(lift),
                FadeIn(pipeline, shift=DOWN * 0.2),
                run_time=STEADY,
            )  # fmt: skip
            # zoom the bar so the small numbers read as lengths
            bar, delta, mark = chart.bars[index], chart.deltas[index], chart.marks[index]
            graphic = VGroup(bar, delta, mark)
            self.play(
                graphic.animate.stretch(3.0, 0, about_point=bar.get_left()),
                pipeline.settle(3),
                run_time=max(beat.until("rl"), QUICK),
            )
            ghost_width = (RL_GSM8K - SCORES[index][2]) * chart.scale * 3.0
            ghost = DashedVMobject(
                Rectangle(width=ghost_width, height=bar.height, stroke_color=TRAINED, stroke_width=STROKE),
                num_dashes=18,
            ).next_to(delta, RIGHT, buff=0)  # fmt: skip
            unknown = mono("?", size=LABEL_SIZE, color=TRAINED).next_to(ghost, RIGHT, buff=0.2)
            self.play(pipeline.light(4), run_time=QUICK)
            self.play(Create(ghost), FadeIn(unknown), run_time=STEADY)
            self.play(
                Indicate(VGroup(pipeline.boxes[4], pipeline.labels[4]), color=HIGHLIGHT),
                Indicate(unknown, color=HIGHLIGHT),
                run_time=beat.until(),
            )
