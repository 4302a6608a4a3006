"""Chapter 4: the transformer in nanochat/gpt.py, followed one token at a time.

Narration: script/04-transformer.md. Render alone with
``uv run manim -pql scenes/04_transformer.py``.

The chapter walks a token up the model (embedding, norm, 20 blocks, output layer,
soft-capped logits, probabilities), opens one block (residual stream, attention,
rotary positions, heads, the ReLU² MLP), lists what nanochat leaves out, and ends
on the depth dial and the parameter pie.

Tokens are the shared ``TokenCell`` / ``TokenStrip`` / ``token_text`` pictures and
the dial is the shared ``DepthDial`` (scenes/mobjects.py); the pictures drawn only
here (vectors as coloured cells, the embedding table, the attention grid, one
block's diagram, the parameter pie) are defined below. Every animation is timed
from the narration with ``beat.until(...)``; steps that share one stretch of
narration split the time still left, so they always land on the next bookmark.
"""

from __future__ import annotations

import math

import numpy as np
from manim import (
    DOWN,
    LEFT,
    RIGHT,
    TAU,
    UP,
    AnimationGroup,
    AnnularSector,
    Arc,
    Arrow,
    Axes,
    Circle,
    Circumscribe,
    Create,
    DashedLine,
    DashedVMobject,
    DecimalNumber,
    Dot,
    FadeIn,
    FadeOut,
    GrowArrow,
    Indicate,
    LaggedStart,
    Line,
    Polygon,
    Rectangle,
    ReplacementTransform,
    Rotate,
    Square,
    Succession,
    Transform,
    TransformFromCopy,
    TransformMatchingShapes,
    ValueTracker,
    VGroup,
    VMobject,
    Wiggle,
    Write,
    always_redraw,
)
from mobjects import BlockStack, Counter, DepthDial, Labelled, TokenCell, TokenStrip, token_text
from style import (
    BACKGROUND,
    DIM,
    FAINT,
    GHOST,
    HIGHLIGHT,
    KEY,
    LABEL_SIZE,
    LAG,
    LOSS,
    MASKED,
    QUERY,
    QUICK,
    SMALL_SIZE,
    STEADY,
    STROKE,
    STRUCTURE,
    TEXT,
    THIN,
    TITLE_SIZE,
    TOKEN,
    TRAINED,
    VALUE,
    maths,
    mono,
    prose,
    setup_canvas,
)

from explainer.scene import NarratedScene

RNG = np.random.default_rng(4)

# ---- the example: a token, what could follow it, and made-up scores for the picture
SENTENCE = ["The", "sky", "is", "so", "blue"]
NEXT_TOKENS = ["is", "was", "and", ",", "at", "of", "blue"]
LOGITS = [22.0, 17.0, 11.0, 6.0, 4.0, -19.0, -3.0]
SOFTCAP = 15.0
# attention weights of the example sentence: row i = query i, causal (j <= i), rows sum to 1
WEIGHTS = [
    [1.0],
    [0.4, 0.6],
    [0.2, 0.5, 0.3],
    [0.1, 0.3, 0.2, 0.4],
    [0.05, 0.45, 0.1, 0.1, 0.3],
]
# d20 parameters by part (facts sheet, section 4): embedding, attention, MLP, output layer
PIE = [
    ("embeddings", 15, TOKEN),
    ("attention", 23, KEY),
    ("MLP", 47, HIGHLIGHT),
    ("output", 15, DIM),
]
Y_PATH = 0.4  # height of the token's path in the opening overview


def signed(value: float):
    """3b1b's value-to-colour idea: positive numbers blue, negative red."""
    return TOKEN if value >= 0 else LOSS


def random_vector(size: int) -> list[float]:
    return list(RNG.uniform(-1.0, 1.0, size))


def normalised(values: list[float]) -> list[float]:
    """What RMS norm does to a vector: divide by its root mean square."""
    rms = math.sqrt(sum(v * v for v in values) / len(values))
    return [0.75 * v / rms for v in values]


# --------------------------------------------------------------------------- pictures


class VectorCells(VGroup):
    """A vector drawn as a strip of cells, each coloured by sign and shaded by size.

    >>> len(VectorCells([0.5, -1.0, 0.2]).cells)
    3
    """

    def __init__(self, values: list[float], cell: float = 0.3, direction=DOWN):
        super().__init__()
        self.cells = VGroup(
            *[Square(cell, stroke_color=STRUCTURE, stroke_width=THIN) for _ in values]
        ).arrange(direction, buff=0)
        self.add(self.cells)
        self.paint(values)

    def paint(self, values: list[float]) -> VectorCells:
        """Recolour the cells for new values (chainable inside ``.animate``)."""
        for square, value in zip(self.cells, values, strict=True):
            square.set_fill(signed(value), opacity=0.15 + 0.75 * min(abs(value), 1.0))
        self.numbers = list(values)
        return self


class EmbeddingTable(VGroup):
    """The token-embedding table: a grid of coloured cells, one row per token id.

    >>> len(EmbeddingTable(rows=4, columns=3).rows)
    4
    """

    def __init__(self, rows: int = 10, columns: int = 6, cell: float = 0.24):
        super().__init__()
        self.rows = VGroup()
        for _ in range(rows):
            row = VGroup(
                *[
                    Square(cell, stroke_color=FAINT, stroke_width=THIN).set_fill(
                        signed(v), opacity=0.12 + 0.35 * abs(v)
                    )
                    for v in random_vector(columns)
                ]
            ).arrange(RIGHT, buff=0)
            self.rows.add(row)
        self.rows.arrange(DOWN, buff=0)
        self.add(self.rows)


class AttentionGrid(VGroup):
    """Who attends to whom: row i is query i, column j is key j.

    Cells on or below the diagonal are shaded by attention weight; cells above it
    (the future) are in ``.future``. ``.query_marks`` and ``.key_marks`` are small
    squares in the query and key colours along the left and top edges.

    >>> len(AttentionGrid([[1.0], [0.5, 0.5]]).future)
    1
    """

    def __init__(self, weights: list[list[float]], cell: float = 0.6):
        super().__init__()
        n = len(weights)
        self.rows, self.future, self.past = VGroup(), VGroup(), VGroup()
        for i in range(n):
            row = VGroup()
            for j in range(n):
                square = Square(cell, stroke_color=FAINT, stroke_width=THIN)
                square.move_to(RIGHT * j * cell + DOWN * i * cell)
                if j <= i:
                    square.set_fill(HIGHLIGHT, opacity=0.1 + 0.85 * weights[i][j])
                    self.past.add(square)
                else:
                    self.future.add(square)
                row.add(square)
            self.rows.add(row)
        mark = cell * 0.45
        self.query_marks = VGroup(
            *[
                Square(mark, stroke_color=QUERY, stroke_width=THIN)
                .set_fill(QUERY, 0.6)
                .next_to(row, LEFT, buff=0.15)
                for row in self.rows
            ]
        )
        self.key_marks = VGroup(
            *[
                Square(mark, stroke_color=KEY, stroke_width=THIN)
                .set_fill(KEY, 0.6)
                .next_to(square, UP, buff=0.15)
                for square in self.rows[0]
            ]
        )
        self.add(self.rows, self.query_marks, self.key_marks)


class BlockDiagram(Labelled):
    """One pre-norm transformer block on the residual stream, left to right.

    ``.stream`` is the residual stream (an arrow); each of ``.branches`` leaves it,
    passes a ``norm`` box and a sublayer box (``.attention``, ``.mlp``) and comes back
    down through its output arrow (``.outputs``) into an add node (``.adds``).
    ``.paths`` are the routes a copy of the vector travels along each branch.

    Its ``+`` signs are LaTeX; ``tempconfig`` keeps Manim's notes on writing them quiet.

    >>> from manim import tempconfig
    >>> with tempconfig({"verbosity": "WARNING"}):
    ...     diagram = BlockDiagram()
    >>> len(diagram.outputs), len(diagram.paths)
    (2, 2)
    """

    def __init__(self, stream_y: float = -1.0, branch_y: float = 1.0, half_width: float = 5.6):
        super().__init__()
        radius = 0.22
        self.stream = Arrow(
            LEFT * half_width + UP * stream_y,
            RIGHT * half_width + UP * stream_y,
            buff=0,
            stroke_width=6,
            color=TOKEN,
            max_tip_length_to_length_ratio=0.03,
        )
        self.add(self.stream)
        self.branches, self.norms, self.boxes, self.outputs = VGroup(), VGroup(), VGroup(), VGroup()
        self.adds, self.paths, self.waypoints = VGroup(), [], []
        for start, end, name, box_width in ((-4.6, -0.4, "attention", 2.0), (0.6, 4.8, "MLP", 1.6)):
            corners = [
                [start, stream_y, 0],
                [start, branch_y, 0],
                [end, branch_y, 0],
                [end, stream_y + radius, 0],
            ]
            route = VMobject(stroke_color=STRUCTURE, stroke_width=STROKE)
            route.set_points_as_corners(corners[:3])
            output = Arrow(
                corners[2],
                corners[3],
                buff=0,
                stroke_width=STROKE + 1,
                color=STRUCTURE,
                max_tip_length_to_length_ratio=0.2,
            )
            points = [*corners[:3], [end, stream_y, 0]]
            path = VMobject().set_points_as_corners(points)
            norm_box = self._box(1.1, [start + 1.0, branch_y, 0])
            sub_box = self._box(box_width, [end - 0.4 - box_width / 2, branch_y, 0])
            add = VGroup(
                Circle(radius=radius, stroke_color=STRUCTURE, stroke_width=STROKE).set_fill(
                    BACKGROUND, 1
                ),
                maths("+", size=LABEL_SIZE, color=TEXT),
            ).move_to([end, stream_y, 0])
            norm_label = prose("norm", size=SMALL_SIZE, color=DIM)
            sub_label = prose(name, size=LABEL_SIZE, color=TEXT)
            self.add(route, output, norm_box, sub_box, add, norm_label, sub_label)
            self.fit_label(norm_label, norm_box)
            self.fit_label(sub_label, sub_box)
            self.branches.add(route)
            self.outputs.add(output)
            self.norms.add(VGroup(norm_box, norm_label))
            self.boxes.add(VGroup(sub_box, sub_label))
            self.adds.add(add)
            self.paths.append(path)
            self.waypoints.append([np.array(p, dtype=float) for p in points])
        self.attention, self.mlp = self.boxes

    @staticmethod
    def _box(box_width: float, centre) -> Rectangle:
        box = Rectangle(width=box_width, height=0.7, stroke_color=STRUCTURE, stroke_width=STROKE)
        return box.set_fill(BACKGROUND, 1).move_to(centre)


class ParamPie(Labelled):
    """A pie of where the parameters live, clockwise from the top.

    ``.sectors``, ``.percents`` (inside each sector) and ``.names`` (outside).

    >>> from manim import tempconfig
    >>> with tempconfig({"verbosity": "WARNING"}):
    ...     pie = ParamPie([("a", 25, TOKEN), ("b", 75, KEY)])
    >>> len(pie.sectors), [round(s.angle * 180 / math.pi) for s in pie.sectors]
    (2, [90, 270])
    """

    def __init__(self, parts, radius: float = 1.45):
        super().__init__()
        self.sectors, self.percents, self.names = VGroup(), VGroup(), VGroup()
        start = 90.0
        for name, percent, colour in parts:
            sweep = 360.0 * percent / 100
            sector = AnnularSector(
                inner_radius=0,
                outer_radius=radius,
                angle=math.radians(sweep),
                start_angle=math.radians(start - sweep),
                fill_opacity=0.55,
                color=colour,
                stroke_width=THIN,
            ).set_stroke(BACKGROUND, width=STROKE)
            middle = math.radians(start - sweep / 2)
            direction = np.array([math.cos(middle), math.sin(middle), 0.0])
            label = maths(rf"{percent}\%", size=LABEL_SIZE, color=TEXT).move_to(
                direction * radius * 0.62
            )
            name_label = prose(name, size=SMALL_SIZE, color=TEXT)
            name_label.next_to(direction * radius * 1.12, direction, buff=0.12)
            self.sectors.add(sector)
            self.percents.add(label)
            self.names.add(name_label)
            self.labelled.append((label, sector))
            start -= sweep
        self.add(self.sectors, self.percents, self.names)


def qkv_column(side: float, buff: float) -> VGroup:
    """One token's query, key and value: three filled squares, top to bottom."""
    return VGroup(
        *[
            Square(side, stroke_color=colour, stroke_width=THIN).set_fill(colour, 0.6)
            for colour in (QUERY, KEY, VALUE)
        ]
    ).arrange(DOWN, buff=buff)


def logit_bar(value: float, x: float, baseline: float, unit: float, colour=None) -> Rectangle:
    """A bar of height ``value * unit`` standing on (or hanging from) the baseline."""
    height = max(abs(value) * unit, 0.02)
    bar = Rectangle(width=0.42, height=height, stroke_width=THIN)
    bar.set_stroke(colour or signed(value)).set_fill(colour or signed(value), opacity=0.55)
    edge = DOWN if value >= 0 else UP
    return bar.move_to([x, baseline, 0], aligned_edge=edge)


# --------------------------------------------------------------------------- the scene


class Transformer(NarratedScene):
    def construct(self):
        setup_canvas()
        self.follow_a_token()
        self.read_the_logits()
        self.open_a_block()
        self.show_attention()
        self.rotate_by_position()
        self.split_into_heads()
        self.widen_the_mlp()
        self.list_what_is_missing()
        self.turn_the_depth_dial()

    # ------------------------------------------------------------------ beats

    def follow_a_token(self):
        with self.beat("token-path") as beat:
            chip = TokenCell("sky", size=LABEL_SIZE, min_width=0.8, stroke=STROKE)
            table = EmbeddingTable()
            slot = VectorCells(random_vector(6))  # where the vector will sit
            blocks = VGroup(
                *[
                    Rectangle(
                        width=0.09,
                        height=2.4,
                        stroke_color=TOKEN,
                        stroke_width=THIN,
                        fill_color=TOKEN,
                        fill_opacity=0.12,
                    )
                    for _ in range(20)
                ]
            ).arrange(RIGHT, buff=0.09)
            out = Polygon(
                [-0.5, -0.5, 0],
                [0.5, -1.2, 0],
                [0.5, 1.2, 0],
                [-0.5, 0.5, 0],
                stroke_color=STRUCTURE,
                stroke_width=STROKE,
            )
            gap = VectorCells(random_vector(6))  # room for the vector between blocks and out
            VGroup(chip, table, slot, blocks, gap, out).arrange(RIGHT, buff=0.75).move_to(
                UP * Y_PATH
            )
            labels = VGroup(
                maths(r"65{,}536 \times 1{,}280", size=SMALL_SIZE, color=DIM).next_to(
                    table, DOWN, buff=0.45
                ),
                prose("20 blocks", size=SMALL_SIZE, color=DIM).next_to(blocks, DOWN, buff=0.45),
                prose("output", size=SMALL_SIZE, color=DIM).next_to(out, DOWN, buff=0.45),
            )
            labels.align_to(labels[0], DOWN)
            title = prose("The transformer", size=TITLE_SIZE).to_edge(UP, buff=0.8)
            self.play(
                Write(title),
                FadeIn(chip, shift=RIGHT * 0.3),
                LaggedStart(
                    FadeIn(table),
                    LaggedStart(*[FadeIn(b, shift=UP * 0.2) for b in blocks], lag_ratio=LAG),
                    Create(out),
                    lag_ratio=0.4,
                ),
                run_time=beat.until("id"),
            )
            row = table.rows[6]
            pick = Rectangle(
                width=row.width + 0.08,
                height=row.height + 0.08,
                stroke_color=HIGHLIGHT,
                stroke_width=STROKE,
            ).move_to(row)
            pointer = Arrow(
                chip.get_right(), row.get_left(), buff=0.12, color=HIGHLIGHT, stroke_width=STROKE
            )
            id_label = mono("id", size=SMALL_SIZE, color=HIGHLIGHT).next_to(pointer, UP, buff=0.1)
            self.play(
                FadeOut(title, shift=UP * 0.3),
                Create(pointer),
                FadeIn(id_label),
                Create(pick),
                FadeIn(labels[0]),
                run_time=beat.span("id", "embed"),
            )
            vector = row.copy()
            width_label = maths(r"1{,}280", size=SMALL_SIZE, color=DIM).next_to(
                slot, DOWN, buff=0.45
            )
            width_label.align_to(labels[0], DOWN)
            self.play(
                ReplacementTransform(vector, slot),
                FadeIn(width_label),
                run_time=beat.span("embed", "norm"),
            )
            vector = slot
            norm = maths(r"\mathrm{norm}", size=SMALL_SIZE, color=TEXT).next_to(
                vector, UP, buff=0.3
            )
            self.play(
                FadeIn(norm, shift=DOWN * 0.2),
                vector.animate.paint(normalised(vector.numbers)),
                run_time=beat.span("norm", "blocks"),
            )
            vector.set_z_index(2)
            self.play(
                FadeIn(labels[1]),
                vector.animate.move_to(gap).paint(normalised(random_vector(6))),
                LaggedStart(
                    *[b.animate.set_fill(TOKEN, opacity=0.5) for b in blocks], lag_ratio=0.15
                ),
                run_time=beat.until(),
            )
            self.left_side = VGroup(
                chip, table, pick, pointer, id_label, labels[0], width_label, norm
            )
            self.blocks, self.out, self.vector = blocks, out, vector
            self.path_labels = labels[1:]

    def read_the_logits(self):
        with self.beat("top") as beat:
            model = VGroup(self.blocks, self.vector, self.out)
            self.play(
                FadeOut(self.left_side, shift=LEFT * 0.5),
                FadeOut(self.path_labels),
                model.animate.to_edge(LEFT, buff=0.7),
                run_time=STEADY,
            )
            norm = maths(r"\mathrm{norm}", size=SMALL_SIZE, color=TEXT).next_to(
                self.vector, UP, buff=0.3
            )
            self.play(
                FadeIn(norm, shift=DOWN * 0.2),
                self.vector.animate.paint(normalised(self.vector.numbers)),
                run_time=beat.until("logits"),
            )
            baseline, unit = -0.2, 0.085
            xs = [self.out.get_right()[0] + 1.0 + 0.88 * i for i in range(len(LOGITS))]
            flat = VGroup(*[logit_bar(0.0, x, baseline, unit) for x in xs])
            bars = VGroup(
                *[logit_bar(v, x, baseline, unit) for v, x in zip(LOGITS, xs, strict=True)]
            )
            axis = Line([xs[0] - 0.45, baseline, 0], [xs[-1] + 0.45, baseline, 0], color=FAINT)
            names = VGroup(*[token_text(t, SMALL_SIZE, TOKEN) for t in NEXT_TOKENS])
            for name, x in zip(names, xs, strict=True):
                name.move_to([x, baseline - 2.1, 0])
            names.align_to(names[0], UP)
            self.play(
                FadeOut(self.vector, target_position=self.out, scale=0.3),
                FadeOut(norm),
                self.out.animate.set_fill(STRUCTURE, opacity=0.25),
                run_time=QUICK,
            )
            self.play(
                Create(axis),
                ReplacementTransform(flat, bars),
                LaggedStart(*[FadeIn(n, shift=UP * 0.2) for n in names], lag_ratio=LAG),
                run_time=beat.until("cap"),
            )
            limit = SOFTCAP * unit
            caps = VGroup(
                *[
                    DashedLine(
                        [xs[0] - 0.45, baseline + s * limit, 0],
                        [xs[-1] + 0.45, baseline + s * limit, 0],
                        color=LOSS,
                    )
                    for s in (1, -1)
                ]
            )
            cap_labels = VGroup(
                maths("15", size=SMALL_SIZE, color=LOSS).next_to(caps[0], LEFT, buff=0.15),
                maths("-15", size=SMALL_SIZE, color=LOSS).next_to(caps[1], LEFT, buff=0.15),
            )
            formula = maths(r"15 \tanh(z / 15)", size=LABEL_SIZE, color=TEXT)
            formula.next_to(caps[0], UP, buff=0.5).align_to(caps[0], RIGHT)
            capped = [SOFTCAP * math.tanh(v / SOFTCAP) for v in LOGITS]
            squashed = VGroup(
                *[logit_bar(v, x, baseline, unit) for v, x in zip(capped, xs, strict=True)]
            )
            self.play(Create(caps), FadeIn(cap_labels), Write(formula), run_time=STEADY)
            self.play(Transform(bars, squashed), run_time=beat.until("probs"))
            peak = max(capped)
            weights = [math.exp(v - peak) for v in capped]
            probs = [w / sum(weights) for w in weights]
            best = probs.index(max(probs))
            prob_bars = VGroup(
                *[
                    logit_bar(p / unit * 2.6, x, baseline, unit, HIGHLIGHT if i == best else TOKEN)
                    for i, (p, x) in enumerate(zip(probs, xs, strict=True))
                ]
            )
            softmax = maths(r"\mathrm{softmax}", size=LABEL_SIZE, color=TEXT).move_to(formula)
            self.play(
                FadeOut(caps),
                FadeOut(cap_labels),
                ReplacementTransform(formula, softmax),
                Transform(bars, prob_bars),
                names.animate.next_to(axis, DOWN, buff=0.25),
                run_time=STEADY,
            )
            self.play(
                Indicate(names[best], color=HIGHLIGHT),
                Indicate(bars[best], color=HIGHLIGHT),
                run_time=beat.until(),
            )
            self.chart = VGroup(bars, axis, names, softmax)

    def open_a_block(self):
        with self.beat("residual") as beat:
            diagram = BlockDiagram()
            frame = DashedVMobject(
                Rectangle(width=10.4, height=3.5, stroke_color=FAINT, stroke_width=THIN),
                num_dashes=60,
            ).move_to(UP * 0.0)
            chosen = self.blocks[9]
            others = VGroup(*[b for b in self.blocks if b is not chosen])
            self.play(
                FadeOut(self.chart, shift=RIGHT * 0.5),
                FadeOut(self.out),
                FadeOut(others),
                ReplacementTransform(chosen, frame),
                run_time=STEADY,
            )
            vector = VectorCells(random_vector(6), cell=0.2).move_to(diagram.paths[0].get_start())
            vector.set_z_index(3)
            stream_label = prose("residual stream", size=SMALL_SIZE, color=DIM)
            stream_label.next_to(diagram.stream, DOWN, buff=0.95).shift(LEFT * 2.2)
            rest = VGroup(*[m for m in diagram if m is not diagram.stream])
            self.play(
                GrowArrow(diagram.stream),
                FadeIn(vector),
                FadeIn(stream_label),
                LaggedStart(*[FadeIn(m) for m in rest], lag_ratio=LAG),
                run_time=beat.until("attn"),
            )
            equations = VGroup(
                maths(r"x \leftarrow x + \mathrm{attn}(\mathrm{norm}(x))", size=LABEL_SIZE),
                maths(r"x \leftarrow x + \mathrm{mlp}(\mathrm{norm}(x))", size=LABEL_SIZE),
            ).arrange(DOWN, buff=0.3, aligned_edge=LEFT)
            equations.to_edge(UP, buff=0.6)
            self.residual_vector = vector
            exits = [diagram.paths[1].get_start(), diagram.stream.get_end() + LEFT * 0.5]
            for index, (start, end) in enumerate((("attn", "mlp"), ("mlp", None))):
                beat.wait_until(start)
                self.travel(beat, end, diagram, index, equations[index], exits[index])
            self.diagram, self.frame, self.stream_label = diagram, frame, stream_label
            self.equations = equations

    def travel(self, beat, end, diagram: BlockDiagram, index: int, equation, exit_point):
        """A copy of the vector goes up branch ``index``, through its norm and sublayer,
        and is added back; then the stream carries the vector on to ``exit_point``.

        The steps share the time left until bookmark ``end`` (or the beat's end).
        """
        vector = self.residual_vector
        copy = vector.copy().set_z_index(3)
        corners = diagram.waypoints[index]
        norm_box, sub_box = diagram.norms[index][0], diagram.boxes[index][0]
        changed = random_vector(6)
        mixed = [a + 0.5 * b for a, b in zip(vector.numbers, changed, strict=True)]
        steps = [
            lambda: [
                Write(equation),
                copy.animate.move_to(corners[1]).scale(0.8),
                Indicate(diagram.branches[index], color=HIGHLIGHT),
            ],
            lambda: [copy.animate.move_to(norm_box).paint(normalised(copy.numbers))],
            lambda: [copy.animate.move_to(sub_box).paint(changed)],
            lambda: [copy.animate.move_to(corners[2])],
            lambda: [copy.animate.move_to(diagram.adds[index])],
            lambda: [
                FadeOut(copy, target_position=vector),
                vector.animate.paint(mixed),
                Circumscribe(diagram.adds[index][0], shape=Circle, color=HIGHLIGHT),
            ],
            lambda: [vector.animate.move_to(exit_point)],
        ]
        for done, step in enumerate(steps):
            self.play(*step(), run_time=beat.until(end) / (len(steps) - done))
        vector.numbers = mixed

    def show_attention(self):
        with self.beat("attention") as beat:
            sentence = TokenStrip(
                SENTENCE, buff=0.35, size=LABEL_SIZE, min_width=0.8, stroke=STROKE
            )
            sentence.to_edge(LEFT, buff=1.2).shift(UP * 2.0)
            chips = sentence.cells
            self.play(
                FadeOut(self.diagram),
                FadeOut(
                    VGroup(self.frame, self.stream_label, self.equations, self.residual_vector)
                ),
                run_time=QUICK,
            )
            self.play(
                LaggedStart(*[FadeIn(c, shift=DOWN * 0.3) for c in chips], lag_ratio=0.2),
                run_time=beat.until("qkv"),
            )
            columns = VGroup()
            for chip in chips:
                columns.add(qkv_column(0.42, 0.16).next_to(chip, DOWN, buff=0.35))
            row_names = VGroup(
                *[
                    maths(name, size=LABEL_SIZE, color=colour).next_to(square, LEFT, buff=0.35)
                    for name, colour, square in zip(
                        "qkv", (QUERY, KEY, VALUE), columns[0], strict=True
                    )
                ]
            )
            self.play(
                LaggedStart(
                    *[
                        LaggedStart(
                            *[TransformFromCopy(chip.box, s) for s in column], lag_ratio=0.3
                        )
                        for chip, column in zip(chips, columns, strict=True)
                    ],
                    lag_ratio=0.2,
                ),
                FadeIn(row_names),
                run_time=beat.until("match"),
            )
            last = len(SENTENCE) - 1
            probe = columns[last][0].copy().set_z_index(3)
            weight_cells = VGroup(
                *[
                    Square(0.42, stroke_color=FAINT, stroke_width=THIN)
                    .set_fill(HIGHLIGHT, 0.1 + 0.85 * w)
                    .next_to(column, DOWN, buff=0.5)
                    for w, column in zip(WEIGHTS[last], columns, strict=True)
                ]
            )
            self.play(
                Succession(
                    *[
                        AnimationGroup(
                            probe.animate.next_to(column[1], LEFT, buff=0.04),
                            FadeIn(cell, shift=DOWN * 0.2),
                        )
                        for column, cell in zip(columns, weight_cells, strict=True)
                    ]
                ),
                run_time=beat.until("mix"),
            )
            output = Square(0.42, stroke_color=VALUE, stroke_width=STROKE).set_fill(VALUE, 0.8)
            output.next_to(weight_cells[last], DOWN, buff=0.55)
            carried = VGroup(
                *[
                    column[2].copy().set_fill(VALUE, 0.1 + 0.85 * w)
                    for w, column in zip(WEIGHTS[last], columns, strict=True)
                ]
            )
            self.play(
                FadeOut(probe),
                LaggedStart(*[c.animate.move_to(output) for c in carried], lag_ratio=0.15),
                run_time=0.65 * beat.until("mask"),
            )
            self.remove(*carried)
            self.add(output)
            self.play(Indicate(output, color=VALUE), run_time=beat.until("mask"))
            grid = AttentionGrid(WEIGHTS, cell=0.7).move_to(RIGHT * 4.1 + UP * 0.3)
            row_labels = VGroup(
                *[
                    token_text(t, SMALL_SIZE, TEXT).next_to(mark, LEFT, buff=0.2)
                    for t, mark in zip(SENTENCE, grid.query_marks, strict=True)
                ]
            )
            earlier_rows = VGroup(*grid.rows[:last])
            self.play(
                FadeIn(grid.query_marks),
                FadeIn(grid.key_marks),
                FadeIn(row_labels),
                TransformFromCopy(weight_cells, VGroup(*grid.rows[last])),
                LaggedStart(*[FadeIn(r, shift=DOWN * 0.1) for r in earlier_rows], lag_ratio=0.2),
                run_time=beat.until() / 2,
            )
            self.play(
                LaggedStart(
                    *[s.animate.set_fill(MASKED, opacity=0.55) for s in grid.future], lag_ratio=0.08
                ),
                run_time=beat.until(),
            )
            self.chips, self.columns, self.row_names = chips, columns, row_names
            self.attention_rest = VGroup(weight_cells, output, grid, row_labels)

    def rotate_by_position(self):
        with self.beat("rotary") as beat:
            dials = VGroup()
            keys = VGroup()
            lengths = [0.3, 0.46, 0.36, 0.42, 0.26]
            for column, length in zip(self.columns, lengths, strict=True):
                face = Circle(radius=0.5, stroke_color=DIM, stroke_width=THIN)
                face.move_to([column.get_x(), -0.1, 0])
                key = Arrow(
                    face.get_center(),
                    face.get_center() + RIGHT * length,
                    buff=0,
                    color=KEY,
                    stroke_width=4,
                    max_tip_length_to_length_ratio=0.35,
                )
                dials.add(face)
                keys.add(key)
            positions = VGroup(
                *[
                    maths(str(i), size=SMALL_SIZE, color=DIM).next_to(face, DOWN, buff=0.15)
                    for i, face in enumerate(dials)
                ]
            )
            self.play(
                FadeOut(self.attention_rest),
                FadeOut(VGroup(*[VGroup(c[0], c[2]) for c in self.columns])),
                FadeOut(self.row_names),
                ReplacementTransform(VGroup(*[c[1] for c in self.columns]), keys),
                FadeIn(dials),
                FadeIn(positions),
                run_time=beat.until("rotate"),
            )
            theta = TAU / 9
            turns = VGroup(
                *[
                    Arc(
                        radius=0.24,
                        angle=i * theta,
                        arc_center=face.get_center(),
                        color=HIGHLIGHT,
                        stroke_width=STROKE,
                    )
                    for i, face in enumerate(dials)
                    if i > 0
                ]
            )
            self.play(
                LaggedStart(
                    *[
                        AnimationGroup(
                            Rotate(keys[i], angle=i * theta, about_point=dials[i].get_center()),
                            Create(turns[i - 1]),
                            positions[i].animate.set_color(HIGHLIGHT),
                        )
                        for i in range(1, len(dials))
                    ],
                    lag_ratio=0.35,
                ),
                run_time=beat.until("distance"),
            )
            # one query at position 4 and one key at position 1, on a bigger circle
            centre = RIGHT * 4.0 + UP * 0.2
            radius = 1.6
            shift = ValueTracker(0.0)  # extra positions added to both tokens
            grow = ValueTracker(0.0)  # 0: raw lengths, 1: normalised to the circle

            def arrow_at(position: float, raw: float, colour) -> Arrow:
                length = raw + (radius - raw) * grow.get_value()
                angle = (position + shift.get_value()) * theta
                tip = centre + length * np.array([math.cos(angle), math.sin(angle), 0.0])
                return Arrow(
                    centre,
                    tip,
                    buff=0,
                    color=colour,
                    stroke_width=5,
                    max_tip_length_to_length_ratio=0.12,
                )

            circle = Circle(radius=radius, stroke_color=FAINT, stroke_width=THIN).move_to(centre)
            query = always_redraw(lambda: arrow_at(4, 1.95, QUERY))
            key = always_redraw(lambda: arrow_at(1, 0.95, KEY))
            gap = always_redraw(
                lambda: Arc(
                    radius=0.55,
                    start_angle=(1 + shift.get_value()) * theta,
                    angle=3 * theta,
                    arc_center=centre,
                    color=HIGHLIGHT,
                    stroke_width=STROKE,
                )
            )
            gap_label = maths(r"3\theta", size=LABEL_SIZE, color=HIGHLIGHT)

            def place_gap_label(label) -> None:
                middle = (2.5 + shift.get_value()) * theta
                label.move_to(centre + 0.95 * np.array([math.cos(middle), math.sin(middle), 0]))

            gap_label.add_updater(place_gap_label)
            place_gap_label(gap_label)
            self.play(
                Create(circle),
                FadeIn(query),
                FadeIn(key),
                Create(gap),
                FadeIn(gap_label),
                Indicate(VGroup(dials[1], dials[4]), color=HIGHLIGHT),
                run_time=STEADY,
            )
            self.play(shift.animate.set_value(2.0), run_time=beat.until("qknorm"))
            self.play(
                grow.animate.set_value(1.0),
                *[
                    k.animate.scale(0.42 / k.get_length(), about_point=face.get_center())
                    for k, face in zip(keys, dials, strict=True)
                ],
                run_time=beat.until(),
            )
            gap_label.clear_updaters()
            for mob in (query, key, gap):
                mob.clear_updaters()
            self.rotary = VGroup(dials, keys, turns, positions, circle, query, key, gap, gap_label)

    def split_into_heads(self):
        with self.beat("heads") as beat:
            segments = VGroup(
                *[
                    Rectangle(
                        width=1.0, height=0.55, stroke_color=TOKEN, stroke_width=STROKE
                    ).set_fill(TOKEN, 0.2)
                    for _ in range(10)
                ]
            ).arrange(RIGHT, buff=0)
            segments.move_to(UP * 1.0)
            whole = maths(r"1{,}280", size=LABEL_SIZE, color=TEXT).next_to(segments, UP, buff=0.3)
            blue = self.chips[-1]
            self.play(
                FadeOut(self.rotary),
                FadeOut(VGroup(*self.chips[:-1])),
                ReplacementTransform(blue, segments),
                FadeIn(whole),
                run_time=STEADY,
            )
            split = segments.copy().arrange(RIGHT, buff=0.16).move_to(segments)
            kv = VGroup()
            for box in split:
                kv.add(qkv_column(0.38, 0.14).next_to(box, DOWN, buff=0.35))
            self.play(Transform(segments, split), run_time=QUICK)
            sizes = VGroup(*[maths("128", size=SMALL_SIZE, color=TEXT) for _ in segments])
            heads = Labelled(segments, sizes)  # each "128" sits inside its head
            for label, box in zip(sizes, segments, strict=True):
                heads.fit_label(label, box)
            self.remove(segments)
            self.add(heads)
            self.play(
                FadeIn(sizes),
                LaggedStart(*[FadeIn(c, shift=DOWN * 0.2) for c in kv], lag_ratio=LAG),
                run_time=beat.until("shared"),
            )
            shared_note = prose("shared keys and values", size=SMALL_SIZE, color=DIM)
            shared_note.next_to(kv, DOWN, buff=0.6)
            pairs = [(kv[i], kv[i + 1]) for i in range(0, 10, 2)]
            merges = []
            for a, b in pairs:
                middle = (a.get_center() + b.get_center()) / 2
                for row in (1, 2):
                    merges.append(a[row].animate.move_to([middle[0], a[row].get_y(), 0]))
                    merges.append(b[row].animate.move_to([middle[0], b[row].get_y(), 0]))
            self.play(*merges, FadeIn(shared_note), run_time=beat.until("own"))
            plain_note = prose("multi-head attention", size=SMALL_SIZE, color=TEXT)
            plain_note.move_to(shared_note)
            returns = []
            for column, box in zip(kv, split, strict=True):
                for row in (1, 2):
                    returns.append(column[row].animate.set_x(box.get_x()))
            self.play(*returns, TransformMatchingShapes(shared_note, plain_note), run_time=STEADY)
            self.play(
                LaggedStart(*[Wiggle(c) for c in kv], lag_ratio=LAG),
                run_time=beat.until(),
            )
            self.heads = VGroup(heads, whole)
            self.heads_rest = VGroup(kv, plain_note)

    def widen_the_mlp(self):
        with self.beat("mlp") as beat:

            def column(count: int, x: float, colour) -> VGroup:
                dots = VGroup(*[Dot(radius=0.09, color=colour) for _ in range(count)])
                return dots.arrange(DOWN, buff=0.18).move_to([x, -0.1, 0])

            inputs = column(3, -5.2, TOKEN)
            hidden = column(12, -3.4, STRUCTURE)
            outputs = column(3, -1.6, TOKEN)
            first = VGroup(
                *[Line(a, b, stroke_width=1, color=FAINT) for a in inputs for b in hidden]
            )
            second = VGroup(
                *[Line(a, b, stroke_width=1, color=FAINT) for a in hidden for b in outputs]
            )
            first.set_z_index(-1)
            second.set_z_index(-1)
            sizes = VGroup(
                *[
                    maths(text, size=SMALL_SIZE, color=DIM).move_to([x, -2.65, 0])
                    for text, x in ((r"1{,}280", -5.2), (r"5{,}120", -3.4), (r"1{,}280", -1.6))
                ]
            )
            self.play(
                FadeOut(self.heads_rest),
                ReplacementTransform(self.heads, inputs),
                FadeIn(sizes[0]),
                run_time=beat.until("wide"),
            )
            self.play(
                Create(first),
                LaggedStart(*[FadeIn(d, scale=0.5) for d in hidden], lag_ratio=LAG),
                FadeIn(sizes[1]),
                run_time=beat.until("act"),
            )
            signs = [1, -1, 1, 1, -1, -1, 1, -1, 1, -1, 1, 1]
            act_label = maths(r"\mathrm{ReLU}^2", size=LABEL_SIZE, color=HIGHLIGHT)
            act_label.next_to(hidden, UP, buff=0.3)
            self.play(
                Write(act_label),
                *[
                    d.animate.set_color(HIGHLIGHT).scale(1.4)
                    if s > 0
                    else d.animate.set_color(GHOST)
                    for d, s in zip(hidden, signs, strict=True)
                ],
                run_time=beat.until("back"),
            )
            axes = Axes(
                x_range=[-2, 2, 1],
                y_range=[-1, 4, 1],
                x_length=4.4,
                y_length=4.0,
                tips=False,
                axis_config={"color": STRUCTURE, "stroke_width": THIN},
            ).move_to(RIGHT * 3.5 + DOWN * 0.2)
            self.play(
                Create(second),
                LaggedStart(*[FadeIn(d, scale=0.5) for d in outputs], lag_ratio=0.2),
                FadeIn(sizes[2]),
                Create(axes),
                run_time=beat.until("plot"),
            )
            relu2 = axes.plot(
                lambda x: max(x, 0) ** 2, x_range=[-2, 2], color=HIGHLIGHT, stroke_width=5
            )
            relu2.make_smooth()
            relu2_label = maths(r"\mathrm{ReLU}^2", size=LABEL_SIZE, color=HIGHLIGHT)
            relu2_label.next_to(axes.c2p(1.9, 3.6), LEFT, buff=0.25)
            self.play(
                Create(relu2),
                TransformFromCopy(act_label, relu2_label),
                run_time=beat.until("compare"),
            )
            relu = axes.plot(lambda x: max(x, 0.0), x_range=[-2, 2], color=TEXT, stroke_width=3)
            gelu = DashedVMobject(
                axes.plot(
                    lambda x: (
                        0.5 * x * (1 + math.tanh(math.sqrt(2 / math.pi) * (x + 0.044715 * x**3)))
                    ),
                    x_range=[-2, 2],
                    color=DIM,
                    stroke_width=3,
                ),
                num_dashes=40,
            )
            relu_label = maths(r"\mathrm{ReLU}", size=SMALL_SIZE, color=TEXT)
            relu_label.next_to(axes.c2p(2, 2), RIGHT, buff=0.15)
            gelu_label = maths(r"\mathrm{GELU}", size=SMALL_SIZE, color=DIM)
            gelu_label.next_to(axes.c2p(-1.2, -0.2), DOWN, buff=0.2)
            self.play(
                Create(relu),
                Create(gelu),
                FadeIn(relu_label),
                FadeIn(gelu_label),
                run_time=beat.until(),
            )
            self.mlp_picture = VGroup(
                inputs,
                hidden,
                outputs,
                first,
                second,
                sizes,
                act_label,
                axes,
                relu2,
                relu2_label,
                relu,
                gelu,
                relu_label,
                gelu_label,
            )

    def list_what_is_missing(self):
        with self.beat("missing") as beat:
            diagram, vector = self.diagram, self.residual_vector
            diagram.shift(DOWN * 0.7)
            vector.move_to(diagram.stream.get_start() + RIGHT * 0.4)
            self.play(
                FadeOut(self.mlp_picture),
                FadeIn(diagram),
                FadeIn(vector),
                run_time=beat.until("gain"),
            )
            items = [
                (r"x / \mathrm{rms}(x)", r"\cdot\, \gamma"),
                (r"W x", r"+\, b"),
                (r"\mathrm{tok}[i]", r"+\, \mathrm{pos}[t]"),
            ]
            rows = VGroup()
            for kept, struck in items:
                rows.add(VGroup(maths(kept), maths(struck, color=DIM)).arrange(RIGHT, buff=0.15))
            untied = VGroup(
                maths(r"W_{\mathrm{in}}"), maths("="), maths(r"W_{\mathrm{out}}")
            ).arrange(RIGHT, buff=0.2)
            rows.add(untied)
            rows.arrange_in_grid(rows=2, cols=2, buff=(1.6, 0.45))
            rows.to_edge(UP, buff=0.6)
            focus = [diagram.norms, None, None, None]
            marks = ["gain", "bias", "pos", "untied"]
            for index, mark in enumerate(marks[:3]):
                beat.wait_until(mark)
                row = rows[index]
                strike = Line(
                    row[1].get_left() + LEFT * 0.05,
                    row[1].get_right() + RIGHT * 0.05,
                    color=MASKED,
                    stroke_width=5,
                )
                extra = (
                    [Circumscribe(n[0], color=HIGHLIGHT) for n in focus[index]]
                    if focus[index]
                    else []
                )
                self.play(
                    FadeIn(row, shift=DOWN * 0.2), *extra, run_time=beat.until(marks[index + 1]) / 2
                )
                self.play(Create(strike), run_time=beat.until(marks[index + 1]))
                row.add(strike)
            beat.wait_until("untied")
            not_equal = maths(r"\neq", color=MASKED).move_to(untied[1])
            self.play(FadeIn(untied, shift=DOWN * 0.2), run_time=STEADY)
            self.play(
                ReplacementTransform(untied[1], not_equal),
                run_time=beat.until("zero"),
            )
            zeros = VGroup(
                *[
                    maths(r"\times 0", size=LABEL_SIZE, color=HIGHLIGHT).next_to(
                        out, RIGHT, buff=0.15
                    )
                    for out in diagram.outputs
                ]
            )
            self.play(
                *[out.animate.set_color(GHOST) for out in diagram.outputs],
                FadeIn(zeros, shift=LEFT * 0.2),
                run_time=beat.until("identity"),
            )
            ghosts = [
                vector.copy().set_opacity(0.3).move_to(points[0]) for points in diagram.waypoints
            ]
            self.play(
                vector.animate.move_to(diagram.stream.get_end() + LEFT * 0.5),
                *[
                    Succession(*[g.animate.move_to(p) for p in points[1:]])
                    for g, points in zip(ghosts, diagram.waypoints, strict=True)
                ],
                run_time=beat.until(),
            )
            self.remove(*ghosts)
            self.missing = VGroup(rows, not_equal, zeros, diagram, vector)

    def turn_the_depth_dial(self):
        with self.beat("depth-dial") as beat:
            depth = ValueTracker(4)
            dial = DepthDial(depth).move_to(LEFT * 4.6 + UP * 0.5)
            readout = VGroup(maths(r"\text{depth} ="), DecimalNumber(4, num_decimal_places=0))
            readout[1].add_updater(lambda m: m.set_value(round(depth.get_value())))
            readout.arrange(RIGHT, buff=0.15).next_to(dial, DOWN, buff=0.45)
            readout[1].add_updater(lambda m: m.next_to(readout[0], RIGHT, buff=0.15))
            stack_anchor = np.array([-1.3, -2.0, 0.0])

            def stack() -> BlockStack:
                d = max(round(depth.get_value()), 1)
                blocks = BlockStack(d, width=0.11 * d, block_height=0.09, gap=0.035)
                return blocks.move_to(stack_anchor, aligned_edge=DOWN)

            tower = always_redraw(stack)
            self.play(
                FadeOut(self.missing),
                FadeIn(dial),
                FadeIn(readout),
                FadeIn(tower),
                run_time=STEADY,
            )
            self.play(depth.animate.set_value(12), run_time=beat.until("width"))
            width_line = VGroup(
                maths(r"\text{width} = 64 \times \text{depth} ="),
                DecimalNumber(64 * 12, num_decimal_places=0),
            ).arrange(RIGHT, buff=0.15)
            heads_line = VGroup(
                maths(r"\text{heads} = \text{width} / 128 ="),
                DecimalNumber(6, num_decimal_places=0),
            ).arrange(RIGHT, buff=0.15)
            lines = VGroup(width_line, heads_line).arrange(DOWN, buff=0.5, aligned_edge=LEFT)
            lines.to_edge(UP, buff=0.7).set_x(3.3)
            width_line[1].add_updater(
                lambda m: m.set_value(64 * round(depth.get_value())).next_to(
                    width_line[0], RIGHT, buff=0.15
                )
            )
            heads_line[1].add_updater(
                lambda m: m.set_value(math.ceil(64 * round(depth.get_value()) / 128)).next_to(
                    heads_line[0], RIGHT, buff=0.15
                )
            )
            self.play(
                Write(width_line[0]),
                FadeIn(width_line[1]),
                depth.animate.set_value(14),
                run_time=beat.until("heads"),
            )
            self.play(
                Write(heads_line[0]),
                FadeIn(heads_line[1]),
                depth.animate.set_value(16),
                run_time=beat.until("d20"),
            )
            self.play(depth.animate.set_value(20), run_time=beat.until("params"))
            params = Counter(561, unit="M parameters", size=48).next_to(lines, DOWN, buff=0.45)
            params.align_to(lines, LEFT)
            self.play(FadeIn(params), run_time=QUICK)
            self.play(params.count(), run_time=beat.until("pie"))
            for mob in (width_line[1], heads_line[1], readout[1]):
                mob.clear_updaters()
            pie = ParamPie(PIE, radius=1.3)
            pie.shift(RIGHT * 3.4 + UP * (params.get_bottom()[1] - 0.75 - pie.get_top()[1]))
            self.play(
                LaggedStart(*[FadeIn(s, scale=0.8) for s in pie.sectors], lag_ratio=0.25),
                LaggedStart(*[FadeIn(p) for p in pie.percents], lag_ratio=0.25),
                LaggedStart(*[FadeIn(n) for n in pie.names], lag_ratio=0.25),
                run_time=beat.until("next") / 2,
            )
            mlp = VGroup(pie.sectors[2], pie.percents[2])
            self.play(
                mlp.animate.shift(0.2 * (pie.percents[2].get_center() - pie.sectors.get_center())),
                Indicate(pie.names[2], color=HIGHLIGHT),
                run_time=beat.until("next"),
            )
            tower.clear_updaters()
            fixed = BlockStack(20, width=0.11 * 20, block_height=0.09, gap=0.035)
            fixed.move_to(stack_anchor, aligned_edge=DOWN)
            self.remove(tower)
            self.add(fixed)
            pretraining = prose("pretraining", size=LABEL_SIZE, color=TRAINED)
            pretraining.next_to(fixed, DOWN, buff=0.3)
            self.play(
                FadeIn(pretraining, shift=UP * 0.2),
                LaggedStart(
                    *[b.animate.set_color(TRAINED).set_fill(TRAINED, 0.5) for b in fixed.blocks],
                    lag_ratio=0.15,
                ),
                run_time=beat.until(),
            )
