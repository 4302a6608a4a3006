"""Chapter 5: base pretraining: the data, the objective, the horizon, the GPUs,
the two optimizers (Muon's Newton-Schulz squash computed for real), the schedule
and what is watched while it trains.

Tokens whose text does not matter (rows of 2,048, a batch of 256 rows) are drawn as
plain coloured squares (:class:`TokenSquare`); the one token shown with its text, the
``<|bos|>`` in front of a sample prompt, is the shared :class:`mobjects.TokenCell`.
Every run time comes from the beat tracker (``beat.until(mark)``, ``beat.until()``).

Narration: script/05-base-training.md. Render alone with
``uv run manim -pql scenes/05_base_training.py``.

Five Newton-Schulz iterations squash singular values from 0.09 .. 0.72 into 0.5 .. 1.5:

>>> first, *_, last = newton_schulz_history()[3]
>>> bool(first.min() < 0.1 and 0.5 < last.min() and last.max() < 1.5)
True
"""

from __future__ import annotations

import numpy as np
from manim import (
    DOWN,
    LEFT,
    ORIGIN,
    RIGHT,
    UP,
    AnimationGroup,
    Arrow,
    Axes,
    Brace,
    Create,
    CurvedArrow,
    DashedLine,
    Dot,
    FadeIn,
    FadeOut,
    GrowFromCenter,
    Indicate,
    LaggedStart,
    Line,
    MoveAlongPath,
    Polygon,
    Rectangle,
    ReplacementTransform,
    Square,
    Succession,
    TransformFromCopy,
    ValueTracker,
    VGroup,
    VMobject,
    Write,
    always_redraw,
    linear,
)
from mobjects import (
    BlockStack,
    Counter,
    FileGrid,
    GpuNode,
    Labelled,
    PipelineDiagram,
    ProgressBar,
    TokenCell,
)
from style import (
    DIM,
    FAINT,
    GHOST,
    HIGHLIGHT,
    LABEL_SIZE,
    LAG,
    LOSS,
    OPTIMIZER,
    QUICK,
    SLOW,
    SMALL_SIZE,
    STEADY,
    STROKE,
    STRUCTURE,
    TEXT,
    THIN,
    TITLE_SIZE,
    TOKEN,
    TRAINED,
    maths,
    mono,
    prose,
    setup_canvas,
)

from explainer.scene import NarratedScene

# ---------------------------------------------------------------- facts (48abd7d)
SHARDS = 240  # speedrun.sh: python -m nanochat.dataset -n 240
STEPS = 21_400  # 20 x 560,988,160 params / 524,288 tokens per step
WARMDOWN_START = STEPS - round(0.2 * STEPS)  # warmdown_ratio 0.2, final_lr_frac 0
EVAL_EVERY, CORE_EVERY = 250, 2_000
MOMENTUM_RAMP = 300  # Muon momentum 0.85 -> 0.95 over the first 300 steps
NS_COEFFS = (3.4445, -4.7750, 2.0315)  # nanochat/muon.py, quintic Newton-Schulz
NS_STEPS = 5

# ---------------------------------------------------------------- picture constants
DOC_LENGTHS = [8, 12, 5, 10, 14, 9]  # tokens per document (a <|bos|> is added to each)
ROW_CELLS = 16  # one drawn row stands for 2,048 tokens
STAGES = ["tokenizer", "pretraining", "midtraining", "SFT", "RL", "chat"]


def at_full_width(*counters: Counter) -> None:
    """Lay counters out at their final width, then reset them to zero (left edge fixed),
    so that neighbours arranged beside them never collide while they count up."""
    for counter in counters:
        counter.value.set_value(counter.target)
        counter.value.update()


def reset(*counters: Counter) -> None:
    for counter in counters:
        counter.value.set_value(0)
        counter.value.update()


# ---------------------------------------------------------------- chapter-local mobjects


class TokenSquare(Square):
    """One token with its text left out: a small square filled with its colour.

    The chapter draws thousands of tokens whose text does not matter (a row of 2,048,
    a batch of 256 rows); the shared ``TokenCell`` is for tokens whose text is shown.

    >>> TokenSquare(TOKEN).side_length
    0.34
    """

    def __init__(self, colour=TOKEN, opacity: float = 0.5, side: float = 0.34):
        super().__init__(
            side_length=side,
            stroke_color=colour,
            stroke_width=THIN,
            fill_color=colour,
            fill_opacity=opacity,
        )


class Heatmap(VGroup):
    """A matrix drawn as a grid of cells coloured by sign and size (3b1b's value_to_color).

    Positive entries are blue (``TOKEN``), negative red (``LOSS``); the brightest cell is
    the largest magnitude. ``recolour(values)`` returns the animations to a new matrix.

    >>> Heatmap(np.ones((2, 3))).cells.__len__()
    6
    """

    def __init__(self, values: np.ndarray, cell: float = 0.34, gap: float = 0.04):
        rows, cols = values.shape
        cells = VGroup(
            *[
                Square(side_length=cell, stroke_color=GHOST, stroke_width=1.0)
                for _ in range(rows * cols)
            ]
        ).arrange_in_grid(rows=rows, cols=cols, buff=gap)
        super().__init__(cells)
        self.cells, self.shape_rc = cells, (rows, cols)
        self._paint(values)

    @staticmethod
    def _colours(values: np.ndarray):
        flat = values.flatten()
        scale = max(float(np.abs(flat).max()), 1e-9)
        return [(TOKEN if v >= 0 else LOSS, 0.1 + 0.85 * abs(v) / scale) for v in flat]

    def _paint(self, values: np.ndarray) -> None:
        for square, (colour, opacity) in zip(self.cells, self._colours(values), strict=True):
            square.set_fill(colour, opacity=opacity)

    def recolour(self, values: np.ndarray) -> AnimationGroup:
        return AnimationGroup(
            *[
                square.animate.set_fill(colour, opacity=opacity)
                for square, (colour, opacity) in zip(self.cells, self._colours(values), strict=True)
            ]
        )


class SpectrumBars(VGroup):
    """Singular values as bars on a baseline, with a dashed reference line at one.

    ``unit`` is the height of a bar of value 1. ``to(values)`` returns the animation that
    moves every bar to new values, keeping their bottoms on the baseline.
    """

    def __init__(self, values, unit: float = 2.2, bar: float = 0.45, pitch: float = 0.75):
        count = len(values)
        baseline = Line(LEFT * (count * pitch / 2 + 0.2), RIGHT * (count * pitch / 2 + 0.2))
        baseline.set_stroke(STRUCTURE, width=STROKE)
        bars = VGroup()
        for i, v in enumerate(values):
            rect = Rectangle(
                width=bar,
                height=max(v * unit, 1e-3),
                stroke_color=OPTIMIZER,
                stroke_width=THIN,
                fill_color=OPTIMIZER,
                fill_opacity=0.6,
            )
            rect.move_to(baseline.get_left() + RIGHT * (0.2 + pitch * (i + 0.5)), aligned_edge=DOWN)
            bars.add(rect)
        reference = DashedLine(
            baseline.get_left() + UP * unit, baseline.get_right() + UP * unit, dash_length=0.1
        ).set_stroke(HIGHLIGHT, width=THIN)
        super().__init__(baseline, reference, bars)
        self.baseline, self.reference, self.bars, self.unit = baseline, reference, bars, unit

    def to(self, values) -> AnimationGroup:
        floor = self.baseline.get_y()
        anims = []
        for rect, v in zip(self.bars, values, strict=True):
            target = rect.copy().stretch_to_fit_height(max(v * self.unit, 1e-3))
            target.move_to([rect.get_x(), floor, 0], aligned_edge=DOWN)
            anims.append(rect.animate.become(target))
        return AnimationGroup(*anims)


class ModelColumn(Labelled):
    """The model bottom to top: token embedding, the blocks, the output layer.

    Named parts: ``.embedding`` and ``.output`` (boxes), ``.stack`` (a BlockStack),
    ``.labels`` (inside their boxes).
    """

    def __init__(self, layers: int = 20, box_width: float = 3.6):
        embedding = Rectangle(width=box_width, height=0.6, stroke_color=STRUCTURE)
        output = Rectangle(width=box_width, height=0.6, stroke_color=STRUCTURE)
        stack = BlockStack(
            layers, width=box_width - 0.6, block_height=0.09, gap=0.035, colour=STRUCTURE
        )
        VGroup(embedding, stack, output).arrange(UP, buff=0.2)
        labels = VGroup(
            prose("token embedding", size=SMALL_SIZE, color=TEXT),
            prose("output layer", size=SMALL_SIZE, color=TEXT),
        )
        super().__init__(embedding, stack, output, labels)
        self.fit_label(labels[0], embedding)
        self.fit_label(labels[1], output)
        self.embedding, self.stack, self.output, self.labels = embedding, stack, output, labels


class BlockMatrices(Labelled):
    """The six weight matrices inside one transformer block, drawn to shape.

    q, k, v and o are square (width x width); the MLP's first matrix is four times
    taller, its second four times wider.
    """

    def __init__(self, side: float = 0.5, colour=OPTIMIZER):
        def matrix(w: float, h: float) -> Rectangle:
            return Rectangle(
                width=w,
                height=h,
                stroke_color=colour,
                stroke_width=STROKE,
                fill_color=colour,
                fill_opacity=0.35,
            )

        squares = VGroup(*[matrix(side, side) for _ in range(4)]).arrange_in_grid(
            rows=2, cols=2, buff=0.15
        )
        fc = matrix(side, 4 * side)
        proj = matrix(4 * side, side)
        VGroup(squares, fc, proj).arrange(RIGHT, buff=0.35)
        names = ["q", "k", "v", "o", "fc", "proj"]
        labels = VGroup(*[mono(n, size=SMALL_SIZE, color=TEXT) for n in names])
        super().__init__(squares, fc, proj, labels)
        for label, shape in zip(labels, [*squares, fc, proj], strict=True):
            self.fit_label(label, shape, pad=0.06)
        self.squares, self.fc, self.proj, self.labels = squares, fc, proj, labels


# ---------------------------------------------------------------- numbers computed for real


def newton_schulz_history(seed: int = 0, shape=(6, 10)):
    """A small random 'gradient', its momentum average, and Newton-Schulz run on it.

    Returns (noisy gradients, momentum matrix, list of iterates X_0..X_5, list of
    singular values of each iterate). X_0 is the momentum divided by its Frobenius
    norm; each step is X <- aX + (bA + cA^2)X with A = X X^T.
    """
    rng = np.random.default_rng(seed)
    signal = rng.standard_normal(shape)
    noisy = [signal + 1.6 * rng.standard_normal(shape) for _ in range(4)]
    momentum = np.mean(noisy, axis=0)
    a, b, c = NS_COEFFS
    x = momentum / np.linalg.norm(momentum)
    iterates, spectra = [x], [np.linalg.svd(x, compute_uv=False)]
    for _ in range(NS_STEPS):
        gram = x @ x.T
        x = a * x + (b * gram + c * gram @ gram) @ x
        iterates.append(x)
        spectra.append(np.linalg.svd(x, compute_uv=False))
    return noisy, momentum, iterates, spectra


def momentum_trace(seed: int = 3, steps: int = 48, beta: float = 0.85):
    """One entry of the gradient over training steps (noisy) and its momentum average."""
    rng = np.random.default_rng(seed)
    t = np.arange(steps)
    gradient = 0.8 * np.sin(t / 7.0) + 0.45 * rng.standard_normal(steps)
    average = np.zeros(steps)
    for i in range(steps):
        average[i] = (beta * average[i - 1] if i else 0.0) + (1 - beta) * gradient[i]
    return gradient, average


class BaseTraining(NarratedScene):
    def construct(self):
        setup_canvas()
        self.show_the_data()
        self.pack_the_rows()
        self.predict_the_next_token()
        self.count_the_horizon()
        self.spread_over_gpus()
        self.split_the_optimizers()
        self.squash_with_muon()
        self.draw_the_schedule()
        self.watch_it_train()

    # ------------------------------------------------------------------ helpers

    def adopt(self, *mobs) -> VGroup:
        """Make each group one top-level mobject of the scene.

        Pieces shown one by one (a LaggedStart of FadeIns) sit on the scene on their
        own; a later transform or fade of their group would leave them behind. This
        detaches the pieces and puts each group back whole.
        """
        for mob in mobs:
            self.remove(*mob.get_family())
        self.add(*mobs)
        return VGroup(*mobs)

    # ------------------------------------------------------------------ beats

    def show_the_data(self):
        with self.beat("data") as beat:
            title = prose("Base pretraining", size=TITLE_SIZE).to_edge(UP, buff=0.8)
            pages = FileGrid(18, columns=6, size=0.75, colour=TOKEN).shift(DOWN * 0.3)
            self.play(Write(title), run_time=STEADY)
            self.play(
                LaggedStart(*[FadeIn(p, shift=UP * 0.2) for p in pages.files], lag_ratio=LAG),
                run_time=beat.until("pages"),
            )
            name = prose("FineWeb-Edu", size=LABEL_SIZE * 1.3).to_edge(UP, buff=0.7)
            self.play(ReplacementTransform(title, name), run_time=QUICK)
            self.play(
                LaggedStart(
                    *[lines.animate.set_color(TOKEN) for lines in pages.page_lines()],
                    lag_ratio=LAG,
                ),
                run_time=beat.until("shards"),
            )
            # one shard: a parquet table, one row per document
            case = Rectangle(width=1.5, height=1.9, stroke_color=TOKEN, stroke_width=STROKE)
            case.set_fill(TOKEN, opacity=0.2)
            table = VGroup(
                *[Line(LEFT * 0.55, RIGHT * 0.55, stroke_width=THIN, color=TOKEN) for _ in range(9)]
            ).arrange(DOWN, buff=0.16)
            shard = VGroup(case, table.move_to(case)).shift(UP * 0.2)
            file_name = mono("shard_00000.parquet", size=SMALL_SIZE, color=TEXT)
            file_name.next_to(shard, DOWN, buff=0.3)
            size = maths(r"\approx 250\text{M characters}", size=LABEL_SIZE, color=DIM)
            size.next_to(file_name, DOWN, buff=0.2)
            self.adopt(pages)
            self.play(ReplacementTransform(pages, shard), run_time=STEADY)
            self.play(FadeIn(file_name), Write(size), run_time=beat.until("download"))
            grid = VGroup(
                *[
                    Square(side_length=0.22, stroke_color=TOKEN, stroke_width=1.0)
                    for _ in range(SHARDS)
                ]
            ).arrange_in_grid(rows=12, cols=20, buff=0.08)
            grid.move_to(LEFT * 1.6 + DOWN * 0.4)
            count = Counter(SHARDS, unit="shards", size=52, colour=TOKEN)
            count.move_to(RIGHT * 4.3 + DOWN * 0.4)
            first = grid[0].copy().set_fill(TOKEN, opacity=0.6)
            self.play(
                ReplacementTransform(shard, first),
                FadeOut(VGroup(file_name, size)),
                FadeIn(count),
                run_time=QUICK,
            )
            self.play(
                LaggedStart(
                    *[FadeIn(s.set_fill(TOKEN, opacity=0.6), scale=0.5) for s in grid[1:]],
                    lag_ratio=0.03,
                ),
                count.count(),
                run_time=beat.until(),
            )
            self.shards = VGroup(first, self.adopt(*grid[1:]))
            self.data_name, self.data_count = name, count

    def pack_the_rows(self):
        with self.beat("packing") as beat:
            pitch = 0.4
            # the documents, first as plain lines of text, left-aligned in a column
            lines = VGroup(
                *[
                    Line(ORIGIN, RIGHT * (n * pitch - 0.06), stroke_width=6, color=DIM)
                    for n in DOC_LENGTHS
                ]
            ).arrange(DOWN, buff=0.42, aligned_edge=LEFT)
            lines.move_to(LEFT * 2.4 + DOWN * 0.2).align_to(LEFT * 5.4, LEFT)
            source = self.shards[0]
            self.play(
                FadeOut(VGroup(self.shards[1:], self.data_name, self.data_count)),
                source.animate.scale(2.0).next_to(lines, UP, buff=0.5).align_to(lines, LEFT),
                run_time=QUICK,
            )
            self.play(
                LaggedStart(*[TransformFromCopy(source, ln) for ln in lines], lag_ratio=0.2),
                run_time=STEADY,
            )
            # tokenised on the fly: each line becomes a strip of token cells
            docs = VGroup()
            for index, (n, ln) in enumerate(zip(DOC_LENGTHS, lines, strict=True)):
                opacity = 0.55 if index % 2 == 0 else 0.2
                strip = VGroup(*[TokenSquare(TOKEN, opacity) for _ in range(n)])
                strip.arrange(RIGHT, buff=pitch - 0.34).move_to(ln).align_to(ln, LEFT)
                docs.add(strip)
            self.play(
                LaggedStart(
                    *[
                        ReplacementTransform(ln, strip)
                        for ln, strip in zip(lines, docs, strict=True)
                    ],
                    lag_ratio=0.2,
                ),
                FadeOut(source),
                run_time=beat.until("bos"),
            )
            # every document gets a <|bos|> token in front
            bos = VGroup()
            for strip in docs:
                cell = TokenSquare(HIGHLIGHT, 0.8).next_to(strip, LEFT, buff=pitch - 0.34)
                cell.shift(RIGHT * pitch)
                bos.add(cell)
            bos_label = mono("<|bos|>", size=SMALL_SIZE, color=HIGHLIGHT)
            bos_label.next_to(bos[0], UP, buff=0.15).shift(RIGHT * 0.3)
            self.play(
                *[strip.animate.shift(RIGHT * pitch) for strip in docs],
                LaggedStart(*[GrowFromCenter(c) for c in bos], lag_ratio=0.15),
                FadeIn(bos_label, shift=DOWN * 0.2),
                run_time=STEADY,
            )
            self.play(
                LaggedStart(*[Indicate(c, color=HIGHLIGHT) for c in bos], lag_ratio=0.2),
                run_time=beat.until("rows"),
            )
            # one stream, cut into rows of 2,048 tokens: rows start mid-document. Each row's
            # last target is the first token of the next row: 2,048 + 1 tokens per row.
            stream = VGroup()
            for cell, strip in zip(bos, docs, strict=True):
                stream.add(cell, *strip)
            slots = VGroup(*[Square(side_length=0.34) for _ in range(len(stream))])
            slots.arrange_in_grid(cols=ROW_CELLS, buff=pitch - 0.34).move_to(DOWN * 0.5)
            brace = Brace(slots[:ROW_CELLS], UP, buff=0.15, color=DIM)
            width_label = maths(r"2{,}048 \text{ tokens}", size=LABEL_SIZE).next_to(brace, UP)
            self.play(
                FadeOut(bos_label),
                LaggedStart(
                    *[c.animate.move_to(s) for c, s in zip(stream, slots, strict=True)],
                    lag_ratio=0.02,
                ),
                run_time=SLOW,
            )
            self.play(FadeIn(brace), Write(width_label), run_time=QUICK)
            extra = stream[ROW_CELLS]
            plus_one = maths("+1", size=LABEL_SIZE, color=HIGHLIGHT)
            plus_one.next_to(extra, LEFT, buff=0.2)
            self.play(
                FadeIn(plus_one, shift=RIGHT * 0.2),
                extra.animate.set_stroke(HIGHLIGHT, width=STROKE),
                Indicate(extra, color=HIGHLIGHT),
                run_time=beat.until(),
            )
            self.adopt(*stream)
            self.stream, self.row_brace, self.plus_one = (
                stream,
                VGroup(brace, width_label),
                plus_one,
            )

    def predict_the_next_token(self):
        with self.beat("objective") as beat:
            pitch = 0.4
            inputs = VGroup(*self.stream[:ROW_CELLS])
            extra = self.stream[ROW_CELLS]  # the +1: the first token of the next row
            others = VGroup(*self.stream[ROW_CELLS + 1 :])
            in_label = prose("input", size=SMALL_SIZE, color=DIM)
            tg_label = prose("target", size=SMALL_SIZE, color=DIM)
            goal = UP * 2.3 + LEFT * 0.2
            extra_target = goal + inputs[-1].get_center() - inputs.get_center() + RIGHT * pitch
            in_label.next_to(inputs.copy().move_to(goal), LEFT, buff=0.35)
            self.play(
                FadeOut(VGroup(others, self.row_brace)),
                inputs.animate.move_to(goal),
                extra.animate.move_to(extra_target),
                self.plus_one.animate.next_to(extra_target, UP, buff=0.3),
                FadeIn(in_label),
                run_time=STEADY,
            )
            k = 5
            hop = CurvedArrow(
                inputs[k].get_top() + UP * 0.05,
                inputs[k + 1].get_top() + UP * 0.05,
                angle=-2.2,
                color=HIGHLIGHT,
                stroke_width=STROKE,
            )
            self.play(Create(hop), Indicate(inputs[k + 1], color=HIGHLIGHT), run_time=QUICK)
            self.play(
                hop.animate.shift(RIGHT * pitch * 3),
                Indicate(inputs[k + 4], color=HIGHLIGHT),
                run_time=beat.until("shift"),
            )
            # targets: the same tokens shifted one place to the left
            sources = [*inputs[1:], extra]
            targets = VGroup(*[c.copy() for c in sources])
            for i, t in enumerate(targets):
                t.move_to(inputs[i].get_center() + DOWN * 0.8)
            tg_label.next_to(targets, LEFT, buff=0.35).align_to(in_label, RIGHT)
            self.play(
                FadeOut(hop),
                LaggedStart(
                    *[TransformFromCopy(s, t) for s, t in zip(sources, targets, strict=True)],
                    lag_ratio=0.05,
                ),
                FadeIn(tg_label),
                run_time=beat.until("loss"),
            )
            # cross-entropy at one position: the model's probabilities over candidates
            probs = [0.12, 0.3, 0.08, 0.18, 0.1, 0.06, 0.1, 0.06]
            true = 3
            bar_group = VGroup()
            for i, p in enumerate(probs):
                colour = TRAINED if i == true else DIM
                bar = Rectangle(
                    width=0.4,
                    height=p * 5,
                    stroke_color=colour,
                    stroke_width=THIN,
                    fill_color=colour,
                    fill_opacity=0.6,
                )
                bar_group.add(bar)
            bar_group.arrange(RIGHT, buff=0.14, aligned_edge=DOWN)
            bar_group.move_to(LEFT * 2.6 + DOWN * 1.6, aligned_edge=DOWN).shift(DOWN * 0.9)
            floor = Line(
                bar_group.get_corner(DOWN + LEFT) + LEFT * 0.15,
                bar_group.get_corner(DOWN + RIGHT) + RIGHT * 0.15,
                color=STRUCTURE,
                stroke_width=STROKE,
            )
            pointer = Arrow(
                targets[k].get_bottom(),
                bar_group.get_top() + UP * 0.1,
                buff=0.1,
                color=FAINT,
                stroke_width=STROKE,
            )
            loss = maths(r"\text{loss} = -\log p(\text{true token})", size=LABEL_SIZE, color=LOSS)
            loss.move_to(RIGHT * 2.9 + DOWN * 1.2)
            self.play(
                Indicate(targets[k], color=TRAINED),
                Create(pointer),
                Create(floor),
                LaggedStart(*[GrowFromCenter(b) for b in bar_group], lag_ratio=LAG),
                run_time=STEADY,
            )
            self.play(Write(loss), run_time=STEADY)
            # as the model learns, the true token's bar grows and the surprise shrinks
            better = [0.06, 0.12, 0.04, 0.55, 0.06, 0.03, 0.09, 0.05]
            self.play(
                *[
                    b.animate.stretch_to_fit_height(p * 5, about_edge=DOWN)
                    for b, p in zip(bar_group, better, strict=True)
                ],
                run_time=beat.until("bpb"),
            )
            bpb = maths(
                r"\text{bits per byte} = \frac{\sum \text{loss}}{\ln 2 \cdot \text{bytes}}",
                size=LABEL_SIZE,
                color=LOSS,
            ).move_to(loss)
            self.play(ReplacementTransform(loss, bpb), run_time=STEADY)
            self.play(Indicate(bpb, color=LOSS, scale_factor=1.05), run_time=beat.until())
            self.objective = VGroup(
                targets, tg_label, in_label, self.plus_one, pointer, floor, bar_group, bpb
            )
            self.inputs = VGroup(*inputs, extra)

    def count_the_horizon(self):
        with self.beat("horizon") as beat:
            strip = VGroup(*[TokenSquare(TOKEN, 0.15, side=0.26) for _ in range(20)])
            strip.arrange(RIGHT, buff=0.06).move_to(UP * 2.4 + RIGHT * 1.0)
            param = Dot(radius=0.16, color=OPTIMIZER).next_to(strip, LEFT, buff=1.0)
            link = Arrow(param.get_right(), strip.get_left(), buff=0.15, color=FAINT)
            param_label = maths(r"1 \text{ parameter}", size=LABEL_SIZE, color=DIM)
            param_label.next_to(param, DOWN, buff=0.25)
            strip_label = maths(r"20 \text{ tokens}", size=LABEL_SIZE, color=DIM)
            strip_label.next_to(strip, DOWN, buff=0.25)
            self.adopt(self.objective, self.inputs)
            self.play(
                FadeOut(self.objective),
                ReplacementTransform(self.inputs, strip),
                run_time=beat.until("rule"),
            )
            self.play(
                GrowFromCenter(param),
                Create(link),
                FadeIn(param_label),
                FadeIn(strip_label),
                run_time=QUICK,
            )
            self.play(
                LaggedStart(
                    *[c.animate.set_fill(TOKEN, opacity=0.7) for c in strip], lag_ratio=0.15
                ),
                run_time=beat.until("tokens"),
            )
            params = Counter(561, unit="M parameters", size=48)
            times = maths(r"\times\, 20 \;=", size=48)
            tokens = Counter(11.2, unit="billion tokens", places=1, size=48, colour=TOKEN)
            at_full_width(params, tokens)
            row = VGroup(params, times, tokens).arrange(RIGHT, buff=0.4).move_to(UP * 0.5)
            reset(params, tokens)
            self.play(FadeIn(row), run_time=QUICK)
            self.play(params.count(), tokens.count(), run_time=beat.until("steps"))
            steps = Counter(STEPS, unit="steps", size=48, colour=HIGHLIGHT)
            per_step = maths(r"\times\; 524{,}288 \text{ tokens}", size=48)
            at_full_width(steps)
            line = VGroup(steps, per_step).arrange(RIGHT, buff=0.4).move_to(DOWN * 1.1)
            reset(steps)
            bar = ProgressBar(width=6.0).next_to(line, DOWN, buff=0.5)
            self.play(FadeIn(line), FadeIn(bar), run_time=QUICK)
            bar.start(beat.until())
            self.play(steps.count(), run_time=beat.until(), rate_func=linear)
            bar.fill.clear_updaters()
            self.horizon = VGroup(param, link, param_label, strip, strip_label, row, steps, bar)
            self.per_step = per_step

    def spread_over_gpus(self):
        with self.beat("gpus") as beat:
            batch = VGroup(
                *[TokenSquare(TOKEN, 0.5, side=0.14) for _ in range(256)]
            ).arrange_in_grid(rows=16, cols=16, buff=0.04)
            batch.move_to(LEFT * 4.4 + DOWN * 0.5)
            groups = VGroup(*[VGroup(*batch[32 * g : 32 * g + 32]) for g in range(8)])
            batch_label = maths(r"256 \text{ rows} \times 2{,}048", size=LABEL_SIZE)
            batch_label.next_to(batch, UP, buff=0.35)
            node = GpuNode(8).scale(1.2).move_to(RIGHT * 2.4 + DOWN * 0.5)
            for label, chip in zip(node.labels, node.chips, strict=True):
                label.next_to(chip.get_top(), DOWN, buff=0.07)
            self.adopt(self.horizon, self.per_step)
            self.play(
                FadeOut(self.horizon),
                ReplacementTransform(self.per_step, batch_label),
                LaggedStart(*[FadeIn(c, scale=0.5) for c in batch], lag_ratio=0.004),
                FadeIn(node.frame),
                LaggedStart(*[Create(c) for c in node.chips], lag_ratio=LAG),
                FadeIn(node.labels),
                run_time=STEADY,
            )
            self.adopt(*groups)
            # eight GPUs, 32 rows each, in one pass
            home = [c.get_center() for c in batch]  # where each row waits in the batch
            slots = []
            for chip in node.chips:
                slot = VGroup(*[Square(side_length=0.08) for _ in range(32)])
                slot.arrange_in_grid(rows=4, cols=8, buff=0.02)
                slot.move_to(chip.get_bottom() + UP * 0.27)
                slots.append(slot)
            tag = mono("compiled · bf16", size=SMALL_SIZE, color=DIM)
            tag.next_to(node, DOWN, buff=0.25)
            self.play(
                LaggedStart(
                    *[
                        AnimationGroup(
                            *[
                                c.animate.scale(0.08 / 0.14).move_to(s)
                                for c, s in zip(group, slot, strict=True)
                            ]
                        )
                        for group, slot in zip(groups, slots, strict=True)
                    ],
                    lag_ratio=0.15,
                ),
                run_time=STEADY,
            )
            self.play(
                FadeIn(tag, shift=UP * 0.2),
                LaggedStart(
                    *[c.animate.set_fill(TOKEN, opacity=0.15) for c in node.chips],
                    lag_ratio=LAG,
                ),
                run_time=beat.until("sync"),
            )
            # gradients averaged across the GPUs inside the optimizers
            centre = node.frame.get_center()
            grads = VGroup(
                *[
                    Square(side_length=0.22, stroke_width=0)
                    .set_fill(OPTIMIZER, opacity=0.9)
                    .move_to(slot)
                    for slot in slots
                ]
            )
            self.play(FadeIn(grads, scale=0.5), run_time=QUICK)
            self.play(
                *[g.animate.move_to(centre) for g in grads], run_time=beat.until("accumulate") / 2
            )
            self.play(
                *[g.animate.move_to(slot) for g, slot in zip(grads, slots, strict=True)],
                run_time=beat.until("accumulate"),
            )
            # fewer GPUs: several passes, gradients added up before the update
            accumulator = VGroup(
                *[
                    Rectangle(width=0.9, height=0.3, stroke_color=OPTIMIZER, stroke_width=THIN)
                    for _ in range(4)
                ]
            ).arrange(RIGHT, buff=0.06)
            accumulator.next_to(node, UP, buff=0.35)
            sum_label = maths(r"\sum \text{gradients}", size=LABEL_SIZE, color=OPTIMIZER)
            sum_label.next_to(accumulator, LEFT, buff=0.3)
            idle = VGroup(*node.chips[2:])
            self.play(
                FadeOut(grads),
                FadeOut(VGroup(*node.labels[2:])),
                idle.animate.set_stroke(GHOST).set_fill(opacity=0),
                *[
                    c.animate.scale(0.14 / 0.08).move_to(home[i])
                    for g in range(2, 8)
                    for i, c in zip(range(32 * g, 32 * g + 32), groups[g], strict=True)
                ],
                FadeIn(accumulator),
                FadeIn(sum_label),
                run_time=STEADY,
            )
            per_pass = beat.until() / 4
            filled = VGroup()
            for p in range(4):
                if p:
                    self.play(
                        *[
                            c.animate.scale(0.08 / 0.14).move_to(s)
                            for g, slot in zip((2 * p, 2 * p + 1), slots[:2], strict=True)
                            for c, s in zip(groups[g], slot, strict=True)
                        ],
                        run_time=per_pass * 0.4,
                    )
                segment = accumulator[p].copy().set_fill(OPTIMIZER, opacity=0.7)
                twin = segment.copy()
                self.play(
                    ReplacementTransform(groups[2 * p], segment),
                    ReplacementTransform(groups[2 * p + 1], twin),
                    run_time=per_pass * 0.6,
                )
                filled.add(segment, twin)
            self.gpus = VGroup(
                node.frame, node.labels, tag, accumulator, filled, sum_label, batch_label
            )
            self.chips = node.chips

    def split_the_optimizers(self):
        with self.beat("optimizers") as beat:
            model = ModelColumn().move_to(LEFT * 2.2 + DOWN * 0.1)
            self.adopt(self.gpus, self.chips)
            self.play(
                FadeOut(self.gpus),
                ReplacementTransform(self.chips, model.stack.blocks),
                FadeIn(model.embedding, shift=UP * 0.2),
                FadeIn(model.output, shift=DOWN * 0.2),
                FadeIn(model.labels),
                run_time=beat.until("adamw"),
            )
            adam_labels = VGroup(
                *[
                    prose("AdamW", size=LABEL_SIZE, color=TOKEN).next_to(box, LEFT, buff=0.35)
                    for box in (model.embedding, model.output)
                ]
            )
            self.play(
                *[
                    box.animate.set_stroke(TOKEN, width=STROKE).set_fill(TOKEN, opacity=0.2)
                    for box in (model.embedding, model.output)
                ],
                FadeIn(adam_labels, shift=RIGHT * 0.2),
                run_time=STEADY,
            )
            self.play(
                Indicate(adam_labels, color=TOKEN, scale_factor=1.1), run_time=beat.until("muon")
            )
            muon_label = prose("Muon", size=LABEL_SIZE, color=OPTIMIZER)
            muon_label.move_to(model.stack).align_to(adam_labels, RIGHT)
            self.play(
                LaggedStart(
                    *[
                        b.animate.set_stroke(OPTIMIZER).set_fill(OPTIMIZER, opacity=0.5)
                        for b in model.stack.blocks
                    ],
                    lag_ratio=0.08,
                ),
                FadeIn(muon_label, shift=LEFT * 0.2),
                run_time=STEADY,
            )
            matrices = BlockMatrices().move_to(RIGHT * 3.2 + DOWN * 0.1)
            one_block = model.stack.blocks[10]
            cone = VGroup(
                Line(one_block.get_right(), matrices.get_corner(UP + LEFT) + LEFT * 0.3),
                Line(one_block.get_right(), matrices.get_corner(DOWN + LEFT) + LEFT * 0.3),
            ).set_stroke(FAINT, width=THIN)
            self.play(
                one_block.animate.set_stroke(HIGHLIGHT, width=STROKE),
                Create(cone),
                TransformFromCopy(one_block, VGroup(*matrices.submobjects[:3])),
                run_time=STEADY,
            )
            self.play(Write(matrices.labels), run_time=beat.until())
            self.model, self.matrices = VGroup(model, adam_labels, muon_label, cone), matrices

    def squash_with_muon(self):
        with self.beat("muon") as beat:
            noisy, momentum, iterates, spectra = newton_schulz_history()
            heat = Heatmap(noisy[0]).move_to(LEFT * 3.5 + UP * 0.3)
            caption = prose("gradient", size=LABEL_SIZE, color=DIM)
            caption.next_to(heat, UP, buff=0.3)
            leftovers = VGroup(self.matrices.squares, self.matrices.proj, self.matrices.labels)
            self.adopt(self.model, leftovers, self.matrices.fc)
            # each step's gradient is noisy: the picture jumps from step to step
            jag, smooth = momentum_trace()
            xs = np.linspace(0.7, 5.7, len(jag))
            zero = Line([xs[0], 0.3, 0], [xs[-1], 0.3, 0]).set_stroke(FAINT, width=THIN)

            def trace(values, colour, width):
                points = [[x, 0.3 + 0.55 * v, 0] for x, v in zip(xs, values, strict=True)]
                return VMobject().set_points_as_corners(points).set_stroke(colour, width=width)

            noisy_line, smooth_line = trace(jag, DIM, 2.5), trace(smooth, OPTIMIZER, 5)
            g_name = maths("G", size=LABEL_SIZE, color=DIM)
            g_name.next_to(noisy_line.get_end(), RIGHT, buff=0.2)
            m_name = maths("M", size=LABEL_SIZE, color=OPTIMIZER)
            m_name.next_to(smooth_line.get_end(), RIGHT, buff=0.2)
            if abs(m_name.get_y() - g_name.get_y()) < 0.45:
                m_name.shift(DOWN * 0.45)
            self.play(
                FadeOut(self.model),
                FadeOut(leftovers),
                ReplacementTransform(self.matrices.fc, heat),
                FadeIn(caption),
                run_time=QUICK,
            )
            self.play(
                Create(zero),
                Create(noisy_line),
                FadeIn(g_name),
                Succession(*[heat.recolour(g) for g in noisy[1:]]),
                run_time=beat.until("momentum"),
                rate_func=linear,
            )
            # momentum: a running average of past gradients settles the noise
            average = maths(r"M \leftarrow \beta M + (1-\beta)\,G", size=LABEL_SIZE + 4)
            average.move_to(UP * 2.7 + RIGHT * 2.6)
            smoothed = prose("momentum", size=LABEL_SIZE, color=DIM).move_to(caption)
            self.play(
                Write(average),
                ReplacementTransform(caption, smoothed),
                noisy_line.animate.set_stroke(opacity=0.5),
                Create(smooth_line),
                FadeIn(m_name),
                heat.recolour(momentum),
                run_time=beat.until("ns"),
            )
            momentum_picture = VGroup(zero, noisy_line, smooth_line, g_name, m_name)
            # Newton-Schulz: the update's singular values squashed towards one
            rule = maths(
                r"X \leftarrow aX + b\,(XX^{\top})X + c\,(XX^{\top})^{2}X",
                size=LABEL_SIZE + 4,
            ).move_to(UP * 2.7 + RIGHT * 2.6)
            coeffs = maths(
                r"(a, b, c) = (3.4445,\ -4.7750,\ 2.0315)", size=SMALL_SIZE + 2, color=DIM
            ).next_to(rule, DOWN, buff=0.2)
            bars = SpectrumBars(spectra[0]).move_to(RIGHT * 3.2 + DOWN * 0.6)
            bars.shift(UP * (-1.9 - bars.baseline.get_y()))
            one = maths("1", size=LABEL_SIZE, color=HIGHLIGHT).next_to(
                bars.reference, LEFT, buff=0.25
            )
            bars_label = prose("singular values", size=SMALL_SIZE, color=DIM)
            bars_label.next_to(bars.baseline, DOWN, buff=0.2)
            counter = mono("iteration 0/5", size=SMALL_SIZE, color=DIM)
            counter.next_to(heat, DOWN, buff=0.35)
            update = prose("update", size=LABEL_SIZE, color=DIM).move_to(smoothed)
            self.play(
                FadeOut(momentum_picture),
                ReplacementTransform(smoothed, update),
                ReplacementTransform(average, rule),
                FadeIn(coeffs),
                heat.recolour(iterates[0]),
                Create(bars.baseline),
                LaggedStart(*[GrowFromCenter(b) for b in bars.bars], lag_ratio=LAG),
                FadeIn(bars_label),
                FadeIn(counter),
                run_time=STEADY,
            )
            self.play(Create(bars.reference), FadeIn(one), run_time=beat.until("squash"))
            # the squash runs through the rest of the beat, leaving a sixth for the last look
            step_time = beat.until() / (NS_STEPS + 1)
            for k in range(1, NS_STEPS + 1):
                label = mono(f"iteration {k}/5", size=SMALL_SIZE, color=TEXT).move_to(counter)
                self.play(
                    bars.to(spectra[k]),
                    heat.recolour(iterates[k]),
                    ReplacementTransform(counter, label),
                    run_time=step_time,
                )
                counter = label
            self.play(
                LaggedStart(
                    *[Indicate(b, color=HIGHLIGHT, scale_factor=1.05) for b in bars.bars],
                    lag_ratio=0.15,
                ),
                Indicate(bars.reference, color=HIGHLIGHT),
                run_time=beat.until(),
            )
            self.muon = VGroup(heat, update, rule, coeffs, bars, one, bars_label, counter)
            self.adopt(self.muon)

    def draw_the_schedule(self):
        with self.beat("schedule") as beat:
            axes = Axes(
                x_range=[0, STEPS, CORE_EVERY],
                y_range=[0, 1.2, 0.5],
                x_length=6.4,
                y_length=3.2,
                tips=False,
                axis_config={"color": STRUCTURE, "stroke_width": STROKE, "include_ticks": False},
            ).move_to(LEFT * 2.7 + UP * 0.2)
            y_name = prose("learning rate", size=SMALL_SIZE, color=DIM)
            y_name.next_to(axes.y_axis, UP, buff=0.2).align_to(axes.y_axis, LEFT)
            x_name = prose("step", size=SMALL_SIZE, color=DIM).next_to(axes.x_axis, RIGHT)
            x_ticks = VGroup(
                maths("0", size=SMALL_SIZE, color=DIM).next_to(axes.c2p(0, 0), DOWN),
                maths(r"21{,}400", size=SMALL_SIZE, color=DIM).next_to(axes.c2p(STEPS, 0), DOWN),
            )
            flat = Line(axes.c2p(0, 1), axes.c2p(WARMDOWN_START, 1), color=HIGHLIGHT)
            drop = Line(axes.c2p(WARMDOWN_START, 1), axes.c2p(STEPS, 0), color=HIGHLIGHT)
            for part in (flat, drop):
                part.set_stroke(width=4)
            dot = Dot(axes.c2p(0, 1), radius=0.08, color=HIGHLIGHT)
            self.play(FadeOut(self.muon), run_time=QUICK)
            self.play(
                Create(axes),
                FadeIn(y_name),
                FadeIn(x_name),
                FadeIn(x_ticks),
                run_time=QUICK,
            )
            self.add(dot)
            self.play(
                Create(flat),
                MoveAlongPath(dot, flat),
                run_time=beat.until("warmdown"),
                rate_func=linear,
            )
            zone = Rectangle(
                width=axes.c2p(STEPS, 0)[0] - axes.c2p(WARMDOWN_START, 0)[0],
                height=axes.c2p(0, 1.1)[1] - axes.c2p(0, 0)[1],
                stroke_width=0,
                fill_color=HIGHLIGHT,
                fill_opacity=0.12,
            ).move_to(axes.c2p(WARMDOWN_START, 0), aligned_edge=DOWN + LEFT)
            last = maths(r"\text{last } 20\%", size=SMALL_SIZE, color=HIGHLIGHT)
            last.next_to(zone, UP, buff=0.1)
            self.play(FadeIn(zone), FadeIn(last), run_time=QUICK)
            self.play(
                Create(drop),
                MoveAlongPath(dot, drop),
                run_time=beat.until("momentum"),
                rate_func=linear,
            )
            # Muon's momentum ramp over the first 300 steps (zoomed in)
            inset = Axes(
                x_range=[0, 1_000, 100],
                y_range=[0.8, 1.0, 0.05],
                x_length=3.0,
                y_length=2.4,
                tips=False,
                axis_config={"color": STRUCTURE, "stroke_width": STROKE, "include_ticks": False},
            ).move_to(RIGHT * 4.5 + UP * 0.2)
            progress = ValueTracker(1.0)

            def momentum_at(step: float) -> float:
                return 0.85 + 0.10 * min(step / MOMENTUM_RAMP, 1.0)

            def ramp_so_far() -> VGroup:
                end = progress.get_value()
                xs = [x for x in (0.0, MOMENTUM_RAMP) if x < end] + [end]
                top = [inset.c2p(x, momentum_at(x)) for x in xs]
                line = VMobject().set_points_as_corners(top).set_stroke(OPTIMIZER, width=4)
                area = Polygon(inset.c2p(0, 0.8), *top, inset.c2p(end, 0.8))
                area.set_stroke(width=0).set_fill(OPTIMIZER, opacity=0.25)
                return VGroup(area, line, Dot(top[-1], radius=0.08, color=OPTIMIZER))

            ramp = always_redraw(ramp_so_far)
            inset_labels = VGroup(
                maths("0.85", size=SMALL_SIZE, color=DIM).next_to(inset.c2p(0, 0.85), LEFT),
                maths("0.95", size=SMALL_SIZE, color=DIM).next_to(inset.c2p(0, 0.95), LEFT),
                maths("300", size=SMALL_SIZE, color=DIM).next_to(
                    inset.c2p(MOMENTUM_RAMP, 0.8), DOWN
                ),
                prose("momentum", size=SMALL_SIZE, color=OPTIMIZER).next_to(
                    inset.c2p(500, 1.0), UP, buff=0.2
                ),
            )
            guide = DashedLine(
                inset.c2p(MOMENTUM_RAMP, 0.8), inset.c2p(MOMENTUM_RAMP, 0.95), dash_length=0.08
            ).set_stroke(FAINT, width=THIN)
            self.play(Create(inset), FadeIn(inset_labels), run_time=QUICK)
            self.add(ramp)
            self.play(
                progress.animate.set_value(MOMENTUM_RAMP),
                Create(guide),
                run_time=beat.until() * 0.6,
                rate_func=linear,
            )
            self.play(
                progress.animate.set_value(1_000),
                Indicate(inset_labels[1], color=OPTIMIZER),
                run_time=beat.until(),
                rate_func=linear,
            )
            ramp.clear_updaters()
            self.schedule = dict(
                axes=axes,
                y_name=y_name,
                lr=VGroup(flat, drop, dot, zone),
                last=last,
                x_bits=VGroup(x_name, x_ticks),
                inset=VGroup(inset, ramp, inset_labels, guide),
            )

    def watch_it_train(self):
        with self.beat("watching") as beat:
            parts = self.schedule
            axes = parts["axes"]
            y_name = prose("validation bits per byte", size=SMALL_SIZE, color=LOSS)
            y_name.move_to(parts["y_name"]).align_to(parts["y_name"], LEFT)

            def bpb(step: float) -> float:
                # a falling shape for the picture only; no real values are claimed
                decay = 0.2 + 0.85 * np.exp(-step / 1800) + 0.12 * np.exp(-step / 9000)
                return decay - 0.05 * max(0.0, (step - WARMDOWN_START) / (STEPS - WARMDOWN_START))

            evals = list(range(0, STEPS, EVAL_EVERY)) + [STEPS]
            points = [axes.c2p(s, bpb(s)) for s in evals]
            curve = VMobject().set_points_smoothly(points).set_stroke(LOSS, width=3)
            dots = VGroup(*[Dot(p, radius=0.035, color=LOSS) for p in points])
            self.adopt(parts["lr"], parts["inset"])
            self.play(
                FadeOut(parts["lr"]),
                FadeOut(parts["last"]),
                FadeOut(parts["inset"]),
                ReplacementTransform(parts["y_name"], y_name),
                run_time=QUICK,
            )
            self.play(
                Create(curve),
                LaggedStart(*[FadeIn(d, scale=0.5) for d in dots], lag_ratio=0.05),
                run_time=beat.until("core"),
                rate_func=linear,
            )
            # CORE every 2,000 steps and at the end
            marks = [*range(CORE_EVERY, STEPS, CORE_EVERY), STEPS]
            ticks = VGroup(
                *[
                    Line(
                        axes.c2p(s, 0), axes.c2p(s, 0) + UP * 0.25, color=HIGHLIGHT, stroke_width=3
                    )
                    for s in marks
                ]
            )
            core_name = prose("CORE", size=LABEL_SIZE, color=HIGHLIGHT)
            core = Counter(0.2219, places=4, size=56, colour=HIGHLIGHT)
            readout = (
                VGroup(core_name, core).arrange(DOWN, buff=0.25).move_to(RIGHT * 4.4 + UP * 1.2)
            )
            self.play(
                LaggedStart(*[Create(t) for t in ticks], lag_ratio=0.2),
                FadeIn(readout),
                run_time=STEADY,
            )
            self.play(core.count(), run_time=beat.until("samples"))
            # sample completions from fixed prompts; the base model just continues the text
            # (nanochat puts <|bos|> in front of each prompt)
            start = TokenCell("<|bos|>", HIGHLIGHT, special=True, size=LABEL_SIZE)
            prompt = mono("The capital of France is", size=LABEL_SIZE, color=TEXT)
            prompt.next_to(start, RIGHT, buff=0.25)
            VGroup(start, prompt).move_to(DOWN * 2.75).align_to(axes, LEFT)
            more = VGroup(*[TokenSquare(TOKEN, 0.0, side=0.3) for _ in range(6)])
            more.arrange(RIGHT, buff=0.08).next_to(prompt, RIGHT, buff=0.3)
            self.play(FadeIn(start, scale=0.8), Write(prompt), run_time=beat.until("next"))
            self.play(
                LaggedStart(
                    *[
                        Succession(FadeIn(c, scale=0.5), c.animate.set_fill(TOKEN, opacity=0.6))
                        for c in more
                    ],
                    lag_ratio=0.4,
                ),
                run_time=beat.until("handover"),
            )
            # hand over: pretraining done, midtraining next
            pipeline = PipelineDiagram(STAGES, optional=["RL"]).scale(0.9).move_to(ORIGIN)
            frame = VGroup(axes.x_axis, axes.y_axis)
            rest_of_it = VGroup(
                parts["x_bits"], y_name, curve, dots, ticks, readout, start, prompt, more
            )
            self.adopt(frame, rest_of_it)
            self.play(
                FadeOut(rest_of_it),
                ReplacementTransform(frame, pipeline.boxes[1]),
                FadeIn(
                    VGroup(pipeline.boxes[0], pipeline.boxes[2:], pipeline.arrows, pipeline.labels)
                ),
                run_time=STEADY,
            )
            self.play(
                pipeline.settle(1),
                pipeline.labels[1].animate.set_color(TEXT),
                pipeline.light(2),
                run_time=beat.until(),
            )
