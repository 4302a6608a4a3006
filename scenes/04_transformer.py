"""Chapter 4: inside the model, following one thread: the residual stream as a running sum.

Narration: script/04-transformer.md. Render alone with
``uv run manim -pql scenes/04_transformer.py``.

The model is the shared ``ModelStack``. A token's embedding climbs it; the camera zooms
into one block, which opens (the block's own outline stretches) into what it holds: the
stream up the middle, an attention branch and an MLP branch that each add their result
back. The attention box opens into one query scoring three keys, a softmax and a blend
of values; the causal mask; rotary angles and QK norm. The MLP box opens into one small
network per token and ReLU². Back in the block, the output matrices start at zero, so
the untrained stack is embedding, norm and output layer; the softcap is plotted at the
top with where its ideas came from, and the model goes back home.

Pictures drawn only here (a vector as a row of cells, the embedding table, the opened
block, a key on its dial) are defined below. Every animation is timed
from the narration (``beat.until``); steps that share one stretch split its time.
"""

from __future__ import annotations

import math

import numpy as np
from manim import (
    DOWN,
    LEFT,
    ORIGIN,
    RIGHT,
    UP,
    AnimationGroup,
    Arc,
    Arrow,
    Axes,
    Brace,
    ChangeDecimalToValue,
    Circle,
    Circumscribe,
    Create,
    DashedLine,
    DecimalNumber,
    Dot,
    FadeIn,
    FadeOut,
    FadeTransform,
    GrowArrow,
    GrowFromCenter,
    Indicate,
    Integer,
    LaggedStart,
    Line,
    Mobject,
    MoveToTarget,
    Rectangle,
    ReplacementTransform,
    Square,
    Succession,
    Transform,
    TransformFromCopy,
    ValueTracker,
    VGroup,
    VMobject,
    Write,
    always_redraw,
    config,
    there_and_back,
)
from mobjects import Counter, Labelled, ModelStack, TokenCell, TokenStrip, token_text
from style import (
    BACKGROUND,
    CONTENT_CENTRE,
    DIM,
    FAINT,
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
    TOKEN,
    TRAINED,
    VALUE,
    maths,
    mono,
    prose,
    setup_canvas,
)
from transitions import closing, focus, opening

from explainer.scene import NarratedScene

RNG = np.random.default_rng(4)
CENTRE = np.array(CONTENT_CENTRE)
BLOCK = 9  # the block the camera opens

# ---- the attention example: "bites" looks back at "the dog bites"; the numbers are made up
SENTENCE = ["the", "dog", "bites", "the", "man"]
TARGETS = ["dog", "bites", "the", "man", "."]  # what each position learns to predict
QUERY_AT = 2
SCORES = [0.5, 2.5, 1.0]
WEIGHTS = [math.exp(s) / sum(math.exp(t) for t in SCORES) for s in SCORES]  # 0.10 0.74 0.16
VALUES = [(0.3, 1.9), (2.2, 0.5), (-0.5, 2.1)]
HEADS = 10  # d20: 1,280 wide = 10 heads of 128 (base_train.py:92; gpt.py:56)
DECK_STEP = np.array([-0.09, -0.035, 0])  # how far each head's frame sits behind the last
VALUE_SCALE = 1.35  # how large the value arrows are drawn  # 2-D stand-ins for the three values
# ---- rotary: each key's own direction (degrees) and length (share of its dial's radius)
KEY_ANGLES = [115, 20, 62, 115, -38]
KEY_LENGTHS = [0.7, 0.95, 0.5, 0.7, 0.8]
THETA = 28  # degrees turned per position (one pair of dimensions)
# ---- the softcap
SOFTCAP = 15.0
RAW_SCORES = [-31, -22, -14, -8, -3, 2, 5, 9, 16, 23, 30]


def signed(value: float):
    """3b1b's value-to-colour idea: positive numbers blue, negative red."""
    return TOKEN if value >= 0 else LOSS


def random_values(size: int) -> list[float]:
    return list(RNG.uniform(-1.0, 1.0, size))


def rms_normalised(values: list[float]) -> list[float]:
    """What RMS norm does: divide by the root-mean-square (drawn a little dimmer)."""
    rms = math.sqrt(sum(v * v for v in values) / len(values))
    return [0.8 * v / rms for v in values]


def capped(x: float) -> float:
    return SOFTCAP * math.tanh(x / SOFTCAP)


def polar(degrees: float, length: float = 1.0) -> np.ndarray:
    angle = math.radians(degrees)
    return length * np.array([math.cos(angle), math.sin(angle), 0.0])


# --------------------------------------------------------------------------- pictures


class Vector(VGroup):
    """A vector as a row of cells, each coloured by sign and shaded by size.

    >>> v = Vector([0.5, -1.0, 0.0])
    >>> len(v.cells), [round(float(c.get_fill_opacity()), 2) for c in v.cells]
    (3, [0.5, 0.9, 0.0])
    """

    def __init__(self, values: list[float], width: float = 0.34, height: float = 0.34):
        super().__init__()
        self.cells = VGroup(
            *[
                Rectangle(width=width, height=height, stroke_color=STRUCTURE, stroke_width=THIN)
                for _ in values
            ]
        ).arrange(RIGHT, buff=0)
        self.add(self.cells)
        self.paint(values)

    def paint(self, values: list[float]) -> Vector:
        """Recolour the cells for new values (chainable inside ``.animate``)."""
        for cell, value in zip(self.cells, values, strict=True):
            opacity = 0.0 if value == 0 else 0.1 + 0.8 * min(abs(value), 1.0)
            cell.set_fill(signed(value), opacity=opacity)
        self.values = list(values)
        return self


class EmbeddingTable(VGroup):
    """The token-embedding table: one row of learned numbers per token id.

    >>> len(EmbeddingTable(rows=4, columns=3).rows)
    4
    """

    def __init__(self, rows: int = 12, columns: int = 8, cell: float = 0.3):
        super().__init__()
        self.rows = VGroup()
        for _ in range(rows):
            row = VGroup(
                *[
                    Square(cell, stroke_color=FAINT, stroke_width=THIN).set_fill(
                        signed(v), opacity=0.12 + 0.4 * abs(v)
                    )
                    for v in random_values(columns)
                ]
            ).arrange(RIGHT, buff=0)
            self.rows.add(row)
        self.rows.arrange(DOWN, buff=0)
        self.add(self.rows)


class OutMatrix(VGroup):
    """A sublayer's last matrix, drawn as a small grid of coloured cells; ``.zeros`` holds
    a "0" per cell for the moment it is shown to start at zero (``place_zeros`` puts them
    on the cells wherever the matrix is now).

    >>> m = OutMatrix().shift(RIGHT)
    >>> len(m.cells), bool(abs(m.place_zeros()[4].get_x() - m.get_x()) < 1e-6)
    (9, True)
    """

    def __init__(self, cell: float = 0.34, size: int = 3):
        super().__init__()
        self.cells = VGroup(
            *[
                Square(cell, stroke_color=STRUCTURE, stroke_width=THIN).set_fill(
                    signed(v), opacity=0.15 + 0.5 * abs(v)
                )
                for v in random_values(size * size)
            ]
        ).arrange_in_grid(rows=size, cols=size, buff=0)
        backing = Square(cell * size, stroke_width=0).set_fill(BACKGROUND, 1)
        backing.move_to(self.cells)
        self.zeros = VGroup(*[maths("0", size=SMALL_SIZE, color=TEXT) for _ in self.cells])
        self.add(backing, self.cells)

    def place_zeros(self) -> VGroup:
        for zero, cell in zip(self.zeros, self.cells, strict=True):
            zero.move_to(cell)
        return self.zeros


class BlockInside(Labelled):
    """What one block holds, drawn inside its opened outline.

    The residual stream runs up the middle (the model's own stream, not part of this
    group). The attention branch loops out to the left, the MLP branch to the right: a
    copy leaves the stream, passes a ``norm`` box and its sublayer (``.boxes``), then the
    sublayer's output matrix (``.outs``), and comes back into an add node (``.adds``)
    higher up. ``.routes[i]`` are the corners a copy travels; ``.stops[i]`` where it pauses.

    >>> from manim import tempconfig
    >>> with tempconfig({"verbosity": "WARNING"}):
    ...     inside = BlockInside()
    >>> len(inside.boxes), len(inside.routes[0]), inside.labels[1].text
    (2, 5, 'MLP')
    """

    ROWS = ((-2.05, -0.55), (0.35, 1.85))  # (leave, return) heights of each branch
    REACH = 5.0  # how far each branch reaches out from the stream

    def __init__(self, centre=CENTRE):
        super().__init__()
        cx, cy = float(centre[0]), float(centre[1])
        radius = 0.25
        self.legs, self.returns, self.norms, self.boxes = VGroup(), VGroup(), VGroup(), VGroup()
        self.outs, self.adds, self.labels = VGroup(), VGroup(), VGroup()
        self.routes, self.stops = [], []
        for side, name, (low, high) in ((-1, "attention", self.ROWS[0]), (1, "MLP", self.ROWS[1])):
            y0, y1 = cy + low, cy + high
            edge = cx + side * self.REACH
            leg = VMobject(stroke_color=STRUCTURE, stroke_width=STROKE)
            leg.set_points_as_corners([[cx, y0, 0], [edge, y0, 0], [edge, y1, 0]])
            back = Arrow(
                [edge, y1, 0],
                [cx + side * radius, y1, 0],
                buff=0,
                stroke_width=STROKE,
                color=STRUCTURE,
                max_tip_length_to_length_ratio=0.05,
            )
            norm_box = self._box(1.1, 0.6, [cx + side * 1.75, y0, 0])
            sub_box = self._box(1.95, 0.75, [cx + side * 3.7, y0, 0])
            out = OutMatrix().move_to([cx + side * 2.55, y1, 0])
            add = VGroup(
                Circle(radius=radius, stroke_color=STRUCTURE, stroke_width=STROKE).set_fill(
                    BACKGROUND, 1
                ),
                maths("+", size=LABEL_SIZE, color=TEXT),
            ).move_to([cx, y1, 0])
            norm_label = prose("norm", size=SMALL_SIZE, color=DIM)
            sub_label = prose(name, size=LABEL_SIZE, color=TEXT)
            self.add(leg, back, norm_box, sub_box, out, add, norm_label, sub_label)
            self.fit_label(norm_label, norm_box)
            self.fit_label(sub_label, sub_box)
            self.legs.add(leg)
            self.returns.add(back)
            self.norms.add(VGroup(norm_box, norm_label))
            self.boxes.add(sub_box)
            self.labels.add(sub_label)
            self.outs.add(out)
            self.adds.add(add)
            self.routes.append(
                [np.array(p, dtype=float) for p in ([cx, y0, 0], [edge, y0, 0], [edge, y1, 0])]
            )
            self.routes[-1] += [out.get_center(), add.get_center()]
            self.stops.append((norm_box.get_center(), sub_box.get_center()))

    @staticmethod
    def _box(width: float, height: float, centre) -> Rectangle:
        box = Rectangle(width=width, height=height, stroke_color=STRUCTURE, stroke_width=STROKE)
        return box.set_fill(BACKGROUND, 1).move_to(centre)

    def parts_except(self, index: int | None) -> VGroup:
        """Everything but sublayer ``index``'s box and label (the one about to open)."""
        keep = set()
        if index is not None:
            keep = {id(self.boxes[index]), id(self.labels[index])}
        return VGroup(*[m for m in self.submobjects if id(m) not in keep])


def key_arrow(centre, degrees: float, length: float, colour=KEY, width: float = 4) -> Arrow:
    return Arrow(
        centre,
        centre + polar(degrees, max(length, 0.05)),
        buff=0,
        color=colour,
        stroke_width=width,
        max_tip_length_to_length_ratio=0.3,
        max_stroke_width_to_length_ratio=20,
    )


def flash(mob: VMobject):
    """Its outline lights up and settles back: "look at this, it has (or has not) changed"."""
    width = mob.get_stroke_width()
    return mob.animate(rate_func=there_and_back).set_stroke(HIGHLIGHT, width=width * 3)


def score_bar(height: float, x: float, baseline: float, colour=HIGHLIGHT) -> Rectangle:
    bar = Rectangle(width=0.42, height=max(height, 0.02), stroke_width=THIN)
    bar.set_stroke(colour).set_fill(colour, opacity=0.55)
    return bar.move_to([x, baseline, 0], aligned_edge=DOWN)


def dot_row(count: int, x: float, y: float, width: float, colour, radius=0.07) -> VGroup:
    """A layer of a small network: ``count`` dots spread over ``width``, centred on (x, y)."""
    dots = VGroup(*[Dot(radius=radius, color=colour) for _ in range(count)])
    dots.arrange(RIGHT, buff=(width - count * 2 * radius) / max(count - 1, 1))
    return dots.move_to([x, y, 0])


def wires(a: VGroup, b: VGroup) -> VGroup:
    """Every dot of layer ``a`` joined to every dot of layer ``b`` (drawn behind the dots)."""
    lines = VGroup(*[Line(p, q, stroke_width=1, color=FAINT) for p in a for q in b])
    return lines.set_z_index(-1)


def zero_matrix(cell: float = 0.3) -> VGroup:
    """An output matrix at step zero: a grid of zeros."""
    matrix = OutMatrix(cell=cell)
    matrix.cells.set_fill(opacity=0)
    return VGroup(matrix, matrix.place_zeros())


def small_plot(function, colour, width: float = 1.5) -> VGroup:
    """A thumbnail of a curve on two bare axes (for the credits)."""
    axes = Axes(
        x_range=[-2, 2, 1],
        y_range=[-1.2, 2.2, 1],
        x_length=width,
        y_length=width * 0.85,
        tips=False,
        axis_config={"color": STRUCTURE, "stroke_width": THIN, "include_ticks": False},
    )
    return VGroup(axes, axes.plot(function, x_range=[-2, 2], color=colour, stroke_width=4))


# --------------------------------------------------------------------------- the scene


class Transformer(NarratedScene):
    def construct(self):
        setup_canvas()
        bar, model = opening(self, 4)
        vector = self.embed_a_token(bar, model)
        inside, sums = self.open_a_block(bar, model, vector)
        view = self.score_keys(model, inside, sums, vector)
        training = self.mask_the_future(view)
        rotary = self.rotate_by_position(view, training)
        mlp = self.widen_per_token(model, inside, view["saved"], rotary)
        shares = self.start_at_zero(model, inside, vector, mlp)
        self.cap_the_scores(model, shares)
        # the credits go, then the model settles where chapter 5 finds it
        self.play(closing(self, model, None))

    # ------------------------------------------------------------------ camera

    def zoom_into(self, bar, target: Mobject, *also, run_time: float) -> float:
        """The camera zooms onto ``target`` (with ``also`` playing alongside), keeping every
        line's weight; then the zoomed view becomes the normal frame: what it shows is
        scaled up by the zoom and the camera reset, so nothing moves on screen. Returns
        the zoom factor.
        """
        frame = self.camera.frame
        shown = [m for m in self.mobjects if m is not bar and m is not frame]
        weights = [
            (m, m.get_stroke_width())
            for mob in shown
            for m in mob.get_family()
            if isinstance(m, VMobject)
        ]

        def hold(_):
            scale = frame.width / config.frame_width
            for member, width in weights:
                member.set_stroke(width=width * scale, family=False)

        holder = Mobject().add_updater(hold)
        self.add(holder)
        self.play(focus(self, target), *also, run_time=run_time)
        self.remove(holder)
        for member, width in weights:
            member.set_stroke(width=width, family=False)
        zoom = config.frame_width / frame.width
        centre = frame.get_center().copy()
        for mob in shown:
            mob.scale(zoom, about_point=centre).shift(-centre)
        frame.set(width=config.frame_width).move_to(ORIGIN)
        bar.update()
        return zoom

    # ------------------------------------------------------------------ the way in

    def embed_a_token(self, bar, model: ModelStack) -> Vector:
        with self.beat("token") as beat:
            table = EmbeddingTable().move_to([-2.3, CENTRE[1] + 0.2, 0])
            size = maths(r"65{,}536 \times 1{,}280", size=SMALL_SIZE, color=DIM)
            size.next_to(table, DOWN, buff=0.3)
            chip = TokenCell("dog", size=LABEL_SIZE, min_width=1.1, stroke=STROKE)
            chip.move_to([-5.6, table.rows[7].get_y(), 0])
            self.play(
                bar.enter(4),
                model.animate.shift(RIGHT * 3.4),
                FadeIn(table, shift=LEFT * 0.3),
                FadeIn(size),
                FadeIn(chip, shift=RIGHT * 0.3),
                run_time=beat.until("row"),
            )
            # ---- the id picks one row: the token's learned numbers
            row = table.rows[7]
            pick = Rectangle(
                width=row.width + 0.1, height=row.height + 0.1, color=HIGHLIGHT, stroke_width=STROKE
            ).move_to(row)
            pointer = Arrow(
                chip.get_right(), row.get_left(), buff=0.12, color=HIGHLIGHT, stroke_width=STROKE
            )
            id_label = mono("id", size=SMALL_SIZE, color=HIGHLIGHT).next_to(pointer, UP, buff=0.1)
            self.play(
                GrowArrow(pointer), FadeIn(id_label), Create(pick), run_time=beat.until("row") + 1.0
            )
            vector = Vector(random_values(8), width=model.embed.width / 8, height=0.3)
            vector.move_to(model.embed).set_z_index(3)
            width = maths(r"1{,}280", size=SMALL_SIZE, color=DIM).next_to(vector, RIGHT, buff=0.35)
            self.play(
                TransformFromCopy(row, vector.cells),
                FadeIn(width, shift=LEFT * 0.2),
                run_time=beat.until("norm"),
            )
            # ---- rescaled to a typical size of one
            rule = maths(r"x \,/\, \mathrm{rms}(x)", size=SMALL_SIZE, color=TEXT)
            rule.next_to(vector, LEFT, buff=0.35)
            values = rms_normalised(vector.values)
            self.play(
                FadeIn(rule, shift=RIGHT * 0.2),
                vector.animate.paint(values),
                run_time=beat.until("up"),
            )
            vector.values = values
            # ---- and it climbs the stack
            block = model.blocks[BLOCK]
            vector.generate_target()
            vector.target.stretch_to_fit_height(0.14)
            vector.target.move_to([block.get_x(), block.get_bottom()[1] - 0.02, 0])
            self.play(
                FadeOut(VGroup(table, size, chip, pick, pointer, id_label, width, rule)),
                MoveToTarget(vector),
                LaggedStart(
                    *[
                        b.animate(rate_func=there_and_back).set_fill(TOKEN, 0.5)
                        for b in model.blocks[:BLOCK]
                    ],
                    lag_ratio=0.2,
                ),
                run_time=beat.until(),
            )
        return vector

    def open_a_block(self, bar, model: ModelStack, vector: Vector):
        with self.beat("block") as beat:
            block = model.blocks[BLOCK]
            self.zoom_into(
                bar, block, model.label.animate.set_opacity(0), run_time=beat.until("copy")
            )
            # ---- the block's own outline stretches open; its neighbours make room
            outline = block.copy().stretch_to_fit_height(6.35).move_to(CENTRE)
            outline.set_stroke(STRUCTURE, width=STROKE).set_fill(opacity=0)
            away = []
            for index, other in enumerate(model.blocks):
                if index != BLOCK:
                    direction = UP if index > BLOCK else DOWN
                    away.append(other.animate.shift(direction * 6).set_opacity(0))
            for slab in (model.embed, model.head):
                away.append(slab.animate.set_opacity(0))
            inside = BlockInside()
            vector.generate_target()
            vector.target.stretch_to_fit_width(2.72).stretch_to_fit_height(0.34)
            vector.target.move_to(CENTRE + DOWN * 2.7)
            self.play(
                Transform(block, outline),
                *away,
                model.stream.animate.set_stroke(width=6, opacity=0.9),
                MoveToTarget(vector),
                run_time=beat.until("copy") + 1.0,
            )
            self.play(
                LaggedStart(
                    Create(inside.legs),
                    FadeIn(VGroup(inside.norms, inside.boxes, inside.labels)),
                    FadeIn(VGroup(inside.outs, inside.returns, inside.adds)),
                    lag_ratio=0.3,
                ),
                run_time=beat.until("attn"),
            )
            # ---- one copy through each branch, added back: a running sum
            sums = VGroup(
                maths(r"x \leftarrow x + \mathrm{attn}(\mathrm{norm}(x))", size=LABEL_SIZE),
                maths(r"x \leftarrow x + \mathrm{mlp}(\mathrm{norm}(x))", size=LABEL_SIZE),
            ).arrange(DOWN, buff=0.35, aligned_edge=LEFT)
            sums.move_to(CENTRE + np.array([-2.9, 2.35, 0]))
            copy = self.send_copy(inside, vector, 0, beat.until("add"))
            self.merge_copy(beat, inside, vector, copy, 0, sums[0], until="mlp")
            copy = self.send_copy(inside, vector, 1, beat.until("sum") * 0.75)
            self.merge_copy(beat, inside, vector, copy, 1, sums[1], until="sum")
            label = prose("residual stream", size=SMALL_SIZE, color=DIM)
            label.next_to(CENTRE + DOWN * 1.3, RIGHT, buff=0.35)
            self.play(
                vector.animate.move_to(CENTRE + UP * 2.6),
                FadeIn(label, shift=UP * 0.2),
                LaggedStart(
                    *[Circumscribe(add[0], shape=Circle, color=HIGHLIGHT) for add in inside.adds],
                    lag_ratio=0.4,
                ),
                run_time=beat.until(),
            )
        return inside, VGroup(sums, label)

    def send_copy(self, inside, vector: Vector, index: int, total: float) -> Vector:
        """A copy of the vector leaves the stream along branch ``index``: it is normalised
        in the norm box, changed by the sublayer, and carried round to the output matrix."""
        route, (norm_at, sub_at) = inside.routes[index], inside.stops[index]
        copy = vector.copy().scale(0.55).set_z_index(4)
        normed, changed = rms_normalised(vector.values), random_values(len(vector.values))
        steps = [
            (lambda: copy.animate.move_to(route[0]), 0.15),
            (lambda: copy.animate.move_to(norm_at).paint(normed), 0.2),
            (lambda: copy.animate.move_to(sub_at).paint(changed), 0.25),
            (lambda: copy.animate.move_to(route[1]), 0.1),
            (lambda: copy.animate.move_to(route[2]), 0.1),
            (lambda: copy.animate.move_to(route[3]), 0.2),
        ]
        for animation, part in steps:
            self.play(animation(), run_time=total * part)
        copy.values = changed
        return copy

    def merge_copy(self, beat, inside, vector: Vector, copy: Vector, index, equation, until):
        """The copy comes back into the add node and joins the vector: x plus what it made."""
        add = inside.adds[index]
        mixed = [
            max(-1.0, min(1.0, a + 0.6 * b))
            for a, b in zip(vector.values, copy.values, strict=True)
        ]
        self.play(
            copy.animate.move_to(add),
            vector.animate.move_to(add.get_center() + DOWN * 0.55),
            Write(equation),
            run_time=beat.until(until) * 0.6,
        )
        self.play(
            FadeOut(copy, target_position=vector, scale=1.5),
            vector.animate.move_to(add.get_center() + UP * 0.55).paint(mixed),
            Circumscribe(add[0], shape=Circle, color=HIGHLIGHT),
            run_time=beat.until(until),
        )
        vector.values = mixed

    def open_sublayer(self, model, inside, index: int, *leaving, run_time: float):
        """Sublayer ``index``'s box grows into a frame filling the opened block; the rest of
        the block (its outline and the stream too) steps back. Returns what ``close_sublayer``
        needs to put the box back."""
        box, label = inside.boxes[index], inside.labels[index]
        saved = (box.copy(), label.copy())
        frame = model.blocks[BLOCK].copy().set_stroke(STRUCTURE, width=STROKE)
        corner = frame.get_corner(UP + LEFT) + np.array([0.3, -0.3, 0])
        self.play(
            FadeOut(VGroup(inside.parts_except(index), *leaving)),
            model.stream.animate.set_stroke(opacity=0),
            run_time=run_time * 0.4,
        )
        self.play(
            model.blocks[BLOCK].animate.set_stroke(opacity=0),
            box.animate.become(frame).set_fill(BACKGROUND, 0),
            label.animate.move_to(corner, aligned_edge=UP + LEFT),
            run_time=run_time * 0.6,
        )
        self.add(VGroup(box, label))  # the open frame and its heading: one picture
        return saved

    def close_sublayer(self, model, inside, index: int, saved, content, *back, run_time: float):
        """What the frame shows goes; the frame shrinks back into its box while the rest of
        the block (and ``back``) returns around it."""
        box, label = inside.boxes[index], inside.labels[index]
        self.play(FadeOut(content), run_time=run_time * 0.4)
        self.play(
            box.animate.become(saved[0]),
            label.animate.move_to(saved[1]),
            FadeIn(VGroup(inside.parts_except(index), *back)),
            model.blocks[BLOCK].animate.set_stroke(opacity=1),
            model.stream.animate.set_stroke(opacity=0.9),
            run_time=run_time * 0.6,
        )

    # ------------------------------------------------------------------ attention

    def score_keys(self, model, inside, sums, vector) -> dict:
        with self.beat("attention") as beat:
            saved = self.open_sublayer(model, inside, 0, sums, vector, run_time=STEADY)
            strip = TokenStrip(SENTENCE, buff=0.45, size=LABEL_SIZE, min_width=1.1, stroke=STROKE)
            strip.move_to(CENTRE + np.array([-1.55, 1.9, 0]))
            chips = strip.cells
            self.play(FadeIn(strip, shift=DOWN * 0.2, lag_ratio=LAG), run_time=beat.until("qkv"))
            # ---- every token makes a query, a key and a value
            squares = VGroup()
            for chip in chips:
                trio = Labelled()
                for name, colour in (("q", QUERY), ("k", KEY), ("v", VALUE)):
                    square = Square(0.42, stroke_color=colour, stroke_width=THIN)
                    square.set_fill(colour, 0.6)
                    trio.add(VGroup(square, maths(name, size=SMALL_SIZE, color=TEXT)))
                trio.arrange(RIGHT, buff=0.06).next_to(chip, DOWN, buff=0.4)
                for cell in trio:
                    trio.fit_label(cell[1], cell[0], pad=0.05)
                squares.add(trio)
            self.play(
                LaggedStart(
                    *[
                        TransformFromCopy(chip.box, trio)
                        for chip, trio in zip(chips, squares, strict=True)
                    ],
                    lag_ratio=0.15,
                ),
                run_time=beat.until("dots"),
            )
            # ---- the query of "bites" meets each key so far: one score each
            baseline = CENTRE[1] - 2.55
            query = squares[QUERY_AT][0][0].copy().set_z_index(5)
            bars, numbers = VGroup(), VGroup()
            for index, score in enumerate(SCORES):
                x = squares[index][1].get_x()
                bars.add(score_bar(score * 0.55, x, baseline))
                number = DecimalNumber(score, num_decimal_places=2, font_size=SMALL_SIZE)
                numbers.add(number.set_color(TEXT).next_to([x, baseline, 0], DOWN, buff=0.15))
            axis = Line(
                [squares[0].get_left()[0], baseline, 0],
                [squares[QUERY_AT].get_right()[0], baseline, 0],
                color=FAINT,
                stroke_width=THIN,
            )
            caption = prose("scores", size=SMALL_SIZE, color=DIM)
            caption.next_to(axis, RIGHT, buff=0.4).align_to(numbers, DOWN)
            self.play(Create(axis), FadeIn(caption), run_time=QUICK)
            each = beat.until("softmax") / len(SCORES)
            for index in range(len(SCORES)):
                key = squares[index][1]
                self.play(
                    query.animate.next_to(key, DOWN, buff=0.06),
                    TransformFromCopy(key[0], bars[index]),
                    FadeIn(numbers[index], shift=UP * 0.1),
                    run_time=each,
                )
            # ---- a softmax turns scores into weights that add up to one
            weights = VGroup(
                *[
                    score_bar(w * 2.1, bar.get_x(), baseline)
                    for w, bar in zip(WEIGHTS, bars, strict=True)
                ]
            )
            caption_w = prose("weights", size=SMALL_SIZE, color=DIM).move_to(caption, LEFT)
            self.play(
                Transform(bars, weights),
                *[ChangeDecimalToValue(n, w) for n, w in zip(numbers, WEIGHTS, strict=True)],
                FadeTransform(caption, caption_w),
                FadeOut(query, target_position=squares[QUERY_AT][0]),
                run_time=beat.until("blend"),
            )
            # ---- the output: the weighted average of the values (arrows, tip to tail)
            origin = CENTRE + np.array([1.75, -2.75, 0])
            full = VGroup(
                *[
                    Arrow(origin, origin + VALUE_SCALE * np.array([*v, 0]), buff=0, color=VALUE)
                    for v in VALUES
                ]
            )
            names = VGroup(
                *[
                    token_text(SENTENCE[i], SMALL_SIZE, VALUE).next_to(
                        full[i].get_end(), full[i].get_unit_vector(), buff=0.1
                    )
                    for i in range(len(VALUES))
                ]
            )
            self.play(
                LaggedStart(
                    *[TransformFromCopy(squares[i][2][0], full[i]) for i in range(len(VALUES))],
                    lag_ratio=0.25,
                ),
                FadeIn(names),
                run_time=beat.span("blend", "mix") * 0.45,
            )
            tip, parts = origin.copy(), VGroup()
            for w, v in zip(WEIGHTS, VALUES, strict=True):
                step = VALUE_SCALE * w * np.array([*v, 0])
                parts.add(
                    Arrow(
                        tip,
                        tip + step,
                        buff=0,
                        color=VALUE,
                        stroke_width=6,
                        max_tip_length_to_length_ratio=0.4,
                    )
                )
                tip = tip + step
            self.play(
                full.animate.set_stroke(opacity=0.35).set_fill(opacity=0.35),
                *[TransformFromCopy(full[i], parts[i]) for i in range(len(VALUES))],
                run_time=beat.until("mix"),
            )
            blend = Arrow(origin, tip, buff=0, color=HIGHLIGHT, stroke_width=7)
            out_label = prose("output", size=SMALL_SIZE, color=HIGHLIGHT)
            out_label.next_to(blend.get_end(), UP + LEFT, buff=0.1)
            self.play(GrowArrow(blend), FadeIn(out_label), run_time=beat.until("heads"))
            # ---- ten such attentions side by side: the frame becomes the front of a deck
            heads = self.stack_heads(inside.boxes[0], inside.labels[0], beat.until("join"))
            # ---- the ten 128-wide outputs are joined back into one 1,280-wide vector
            joined = maths(r"10 \times 128 = 1{,}280", size=LABEL_SIZE, color=TEXT)
            joined.next_to(heads[1], RIGHT, buff=0.6)  # on the counter's line, clear of the words
            # ---- then one output matrix mixes the joined heads (the matrix `zero` zeroes)
            mixer = OutMatrix(cell=0.24).next_to(joined, RIGHT, buff=0.75).align_to(joined, UP)
            into = Arrow(
                joined.get_right(),
                np.array([mixer.get_left()[0], joined.get_y(), 0]),
                buff=0.12,
                color=DIM,
                stroke_width=STROKE,
            )
            self.play(FadeIn(joined, shift=UP * 0.15), run_time=QUICK)
            self.play(GrowArrow(into), FadeIn(mixer, shift=LEFT * 0.15), run_time=QUICK)
            self.play(Circumscribe(mixer, color=HIGHLIGHT), run_time=beat.until())
            heads.add(joined, into, mixer)
        return {
            "saved": saved,
            "chips": chips,
            "squares": squares,
            "done": VGroup(
                bars, numbers, axis, caption_w, full, names, parts, blend, out_label, heads
            ),
        }

    def stack_heads(self, frame, title, run_time: float) -> VGroup:
        """Nine more attention frames fan out behind the open one while a counter ticks to
        ten heads. Returns the deck and the counter (they leave with the attention picture)."""
        deck = VGroup()
        for k in range(1, HEADS):
            # each card behind shows only its left and bottom edges (the rest is hidden)
            card = VMobject(stroke_color=STRUCTURE, stroke_width=STROKE)
            card.set_points_as_corners(
                [
                    frame.get_corner(UP + LEFT),
                    frame.get_corner(DOWN + LEFT),
                    frame.get_corner(DOWN + RIGHT),
                ]
            )
            deck.add(card.set_stroke(opacity=1 - 0.07 * k))
        count = Counter(HEADS, unit="heads of 128", size=40)
        count.value.set_value(1)
        count.next_to(title, RIGHT, buff=0.6).align_to(title, DOWN)
        self.play(FadeIn(count, shift=LEFT * 0.2), run_time=QUICK)
        self.add(deck)
        self.play(
            LaggedStart(
                *[card.animate.shift(k * DECK_STEP) for k, card in enumerate(deck, start=1)],
                lag_ratio=0.12,
            ),
            count.count(),
            run_time=max(run_time - QUICK, 0.5),
        )
        return VGroup(deck, count)

    def mask_the_future(self, view: dict) -> VGroup:
        with self.beat("mask") as beat:
            chips, squares = view["chips"], view["squares"]
            later = VGroup(*[squares[i][1] for i in range(QUERY_AT + 1, len(SENTENCE))])
            self.play(FadeOut(view["done"]), run_time=QUICK)
            self.play(
                Indicate(later, color=MASKED, scale_factor=1.15), run_time=beat.until("train")
            )
            # ---- in training every position predicts the token after it, all at once
            targets, arrows = VGroup(), VGroup()
            for chip, trio, word in zip(chips, squares, TARGETS, strict=True):
                target = TokenCell(word, TRAINED, size=LABEL_SIZE, min_width=1.1, stroke=STROKE)
                target.move_to([chip.get_x(), CENTRE[1] - 2.2, 0])
                targets.add(target)
                arrows.add(
                    Arrow(
                        trio.get_bottom(),
                        target.get_top(),
                        buff=0.12,
                        color=TRAINED,
                        stroke_width=STROKE,
                    )
                )
            self.play(
                AnimationGroup(*[GrowArrow(a) for a in arrows]),
                AnimationGroup(*[FadeIn(t, shift=DOWN * 0.2) for t in targets]),
                run_time=beat.until("peek") * 0.6,
            )
            self.play(
                Indicate(VGroup(targets, arrows), color=TRAINED, scale_factor=1.05),
                run_time=beat.until("peek"),
            )
            # ---- if "bites" could see the next word, it would copy the answer
            query = squares[QUERY_AT][0][0].copy().set_z_index(5)
            answer = targets[QUERY_AT]
            self.play(
                query.animate.next_to(squares[QUERY_AT + 1][1], DOWN, buff=0.06),
                run_time=beat.until("peek") + 1.0,
            )
            seen = chips[QUERY_AT + 1].label.copy().set_color(MASKED)
            self.play(
                chips[QUERY_AT + 1].recolour(MASKED, 0.3),
                answer.recolour(MASKED, 0.3),
                run_time=QUICK,
            )
            self.play(FadeOut(seen, target_position=answer.label), run_time=beat.until("hide"))
            # ---- so the future is masked
            future = VGroup(*chips[QUERY_AT + 1 :], *squares[QUERY_AT + 1 :])
            cover = Rectangle(
                width=future.width + 0.3,
                height=future.height + 0.3,
                stroke_color=MASKED,
                stroke_width=STROKE,
            ).set_fill(MASKED, 0.3)
            cover.move_to(future)
            self.play(
                FadeIn(cover),
                FadeOut(query, target_position=squares[QUERY_AT][0]),
                chips[QUERY_AT + 1].recolour(TOKEN),
                answer.recolour(TRAINED),
                run_time=beat.until(),
            )
        return VGroup(targets, arrows, cover)

    # ------------------------------------------------------------------ rotary

    def rotate_by_position(self, view: dict, training) -> VGroup:
        with self.beat("rotary") as beat:
            chips, squares = view["chips"], view["squares"]
            self.play(
                FadeOut(training),
                FadeOut(VGroup(*[VGroup(t[0], t[2]) for t in squares])),
                run_time=QUICK,
            )
            # ---- each key as an arrow on a dial under its token; all keys on one big dial:
            # what attention sees
            rotary = ValueTracker(0.0)  # 0: no positions, 1: rotary on
            unit = ValueTracker(0.0)  # 0: raw lengths, 1: QK norm
            slots = [ValueTracker(float(i)) for i in range(len(SENTENCE))]

            def angle(i: int) -> float:
                return KEY_ANGLES[i] + rotary.get_value() * THETA * slots[i].get_value()

            def length(i: int) -> float:
                return KEY_LENGTHS[i] + (1 - KEY_LENGTHS[i]) * unit.get_value()

            radius, big_radius = 0.55, 1.5
            dials = VGroup()
            for chip in chips:
                face = Circle(radius=radius, stroke_color=FAINT, stroke_width=THIN)
                dials.add(face.move_to([chip.get_x(), CENTRE[1] + 0.35, 0]))
            small = VGroup(
                *[
                    always_redraw(
                        lambda i=i: key_arrow(dials[i].get_center(), angle(i), radius * length(i))
                    )
                    for i in range(len(SENTENCE))
                ]
            )
            big_centre = CENTRE + np.array([3.75, -1.3, 0])
            big = Circle(radius=big_radius, stroke_color=DIM, stroke_width=THIN).move_to(big_centre)
            together = VGroup(
                *[
                    always_redraw(
                        lambda i=i: key_arrow(big_centre, angle(i), big_radius * length(i), width=5)
                    )
                    for i in range(len(SENTENCE))
                ]
            )
            numbers = VGroup()
            for i, face in enumerate(dials):
                numbers.add(Integer(i, font_size=SMALL_SIZE, color=DIM).next_to(face, DOWN, 0.15))
            keys = VGroup(*[t[1] for t in squares])
            self.play(
                ReplacementTransform(keys, dials),
                FadeIn(numbers),
                run_time=beat.until("swap") * 0.5,
            )
            self.play(
                LaggedStart(*[GrowArrow(a) for a in small], lag_ratio=0.1),
                Create(big),
                *[TransformFromCopy(small[i], together[i]) for i in range(len(SENTENCE))],
                run_time=beat.until("swap"),
            )
            self.add(small, together)
            # ---- without positions, swapping two words changes nothing attention sees
            dog, man = 1, 4

            def swap(run_time: float):
                a, b = VGroup(chips[dog], dials[dog]), VGroup(chips[man], dials[man])
                shift = b.get_x() - a.get_x()
                self.play(
                    a.animate(path_arc=-0.9).shift(RIGHT * shift),
                    b.animate(path_arc=-0.9).shift(LEFT * shift),
                    slots[dog].animate.set_value(slots[man].get_value()),
                    slots[man].animate.set_value(slots[dog].get_value()),
                    run_time=run_time,
                )

            swap(beat.until("swap") + 1.6)
            self.play(flash(big), run_time=beat.until("rotate"))
            # ---- rotary: each key turns by an angle that grows with its position
            marks = VGroup(
                *[
                    always_redraw(
                        lambda i=i: Arc(
                            radius=0.22,
                            start_angle=math.radians(KEY_ANGLES[i]),
                            angle=math.radians(
                                rotary.get_value() * THETA * slots[i].get_value() + 0.01
                            ),
                            arc_center=dials[i].get_center(),
                            color=HIGHLIGHT,
                            stroke_width=STROKE,
                        )
                    )
                    for i in range(len(SENTENCE))
                ]
            )
            self.add(marks)
            self.play(
                rotary.animate.set_value(1.0),
                numbers.animate.set_color(HIGHLIGHT),
                run_time=beat.until("slide") * 0.45,
            )
            swap(beat.until("slide") * 0.75)
            self.play(flash(big), run_time=beat.until("slide"))
            # ---- slide the whole sentence along: every angle turns together
            gap = always_redraw(
                lambda: Arc(
                    radius=0.65,
                    start_angle=math.radians(angle(dog)),
                    angle=math.radians(angle(QUERY_AT) - angle(dog)),
                    arc_center=big_centre,
                    color=HIGHLIGHT,
                    stroke_width=STROKE,
                )
            )
            self.play(Create(gap), run_time=QUICK)
            self.play(
                *[s.animate.increment_value(3) for s in slots],
                *[ChangeDecimalToValue(n, n.get_value() + 3) for n in numbers],
                run_time=beat.until("qknorm"),
            )
            # ---- QK norm: every query and key gets the same length
            self.play(unit.animate.set_value(1.0), run_time=beat.until("bound"))
            self.play(flash(big), run_time=beat.until())
            for mob in (*small, *together, *marks, gap):
                mob.clear_updaters()
        return VGroup(chips, dials, small, together, big, numbers, marks, gap)

    # ------------------------------------------------------------------ the MLP

    def widen_per_token(self, model, inside, saved_attention, rotary):
        with self.beat("mlp") as beat:
            self.close_sublayer(
                model, inside, 0, saved_attention, rotary, run_time=beat.until("alone")
            )
            saved = self.open_sublayer(model, inside, 1, run_time=STEADY)
            # ---- one small network per token, nothing crossing between them
            pitch = 2.15
            xs = [CENTRE[0] + (i - 2) * pitch for i in range(len(SENTENCE))]
            chips = VGroup(
                *[
                    TokenCell(w, size=LABEL_SIZE, min_width=1.1, stroke=STROKE).move_to(
                        [x, CENTRE[1] + 2.0, 0]
                    )
                    for w, x in zip(SENTENCE, xs, strict=True)
                ]
            )
            walls = VGroup(
                *[
                    DashedLine(
                        [x + pitch / 2, CENTRE[1] + 2.4, 0],
                        [x + pitch / 2, CENTRE[1] - 2.9, 0],
                        color=FAINT,
                        stroke_width=THIN,
                    )
                    for x in xs[:-1]
                ]
            )
            inputs = [dot_row(3, x, CENTRE[1] + 1.1, 0.8, TOKEN) for x in xs]
            hidden = [dot_row(10, x, CENTRE[1] - 0.6, 1.75, STRUCTURE) for x in xs]
            widen = [wires(a, b) for a, b in zip(inputs, hidden, strict=True)]
            self.play(
                LaggedStart(*[FadeIn(c, shift=DOWN * 0.2) for c in chips], lag_ratio=LAG),
                LaggedStart(*[FadeIn(row) for row in inputs], lag_ratio=LAG),
                Create(walls),
                run_time=beat.until("wide"),
            )
            # ---- widen to four times as many numbers
            self.play(
                *[Create(w) for w in widen],
                *[
                    LaggedStart(*[FadeIn(d, scale=0.5) for d in row], lag_ratio=LAG)
                    for row in hidden
                ],
                run_time=beat.until("act"),
            )
            # ---- ReLU²: negatives become zero, the rest are squared
            signs = [1, -1, 1, 1, -1, -1, 1, -1, 1, -1]
            lit = [
                dot.animate.set_color(HIGHLIGHT).scale(1.5)
                if sign > 0
                else dot.animate.set_color(FAINT).scale(0.7)
                for row in hidden
                for dot, sign in zip(row, signs, strict=True)
            ]
            self.play(*lit, run_time=beat.span("act", "back") * 0.3)
            others = [i for i in range(len(SENTENCE)) if i != QUERY_AT]
            self.play(
                FadeOut(
                    VGroup(
                        walls,
                        *[VGroup(chips[i], inputs[i], hidden[i], widen[i]) for i in others],
                    )
                ),
                run_time=QUICK,
            )
            # "bites" and a plot of ReLU² take the frame; its network grows to full size
            net = VGroup(chips[QUERY_AT], inputs[QUERY_AT], hidden[QUERY_AT], widen[QUERY_AT])
            x = CENTRE[0] - 2.9
            chip = chips[QUERY_AT].copy().move_to([x, CENTRE[1] + 2.15, 0])
            top = dot_row(3, x, CENTRE[1] + 1.1, 1.4, TOKEN, radius=0.1)
            middle = dot_row(10, x, CENTRE[1] - 0.7, 3.6, STRUCTURE, radius=0.1)
            for dot, sign in zip(middle, signs, strict=True):
                if sign > 0:
                    dot.set_color(HIGHLIGHT).scale(1.5)
                else:
                    dot.set_color(FAINT).scale(0.7)
            large = VGroup(chip, top, middle, wires(top, middle))
            axes = Axes(
                x_range=[-2, 2, 1],
                y_range=[-0.5, 4, 1],
                x_length=4.2,
                y_length=4.0,
                tips=False,
                axis_config={"color": STRUCTURE, "stroke_width": THIN},
            ).move_to(CENTRE + np.array([2.9, -0.4, 0]))
            relu2 = axes.plot(lambda x: max(x, 0) ** 2, x_range=[-2, 2], color=HIGHLIGHT)
            relu2.set_stroke(width=6)
            relu = DashedLine(axes.c2p(0, 0), axes.c2p(2, 2), color=DIM, stroke_width=3)
            name = maths(r"\mathrm{ReLU}^2", size=LABEL_SIZE, color=HIGHLIGHT)
            name.next_to(axes.c2p(1.35, 3.6), LEFT, buff=0.2)
            plain = maths(r"\mathrm{ReLU}", size=SMALL_SIZE, color=DIM)
            plain.next_to(axes.c2p(2, 2), DOWN, buff=0.2)
            # where ReLU² comes from: Primer's search for cheaper-to-train transformers
            primer = prose("Primer, 2021", size=SMALL_SIZE, color=DIM)
            primer.next_to(name, DOWN, buff=0.12, aligned_edge=RIGHT)
            self.play(
                ReplacementTransform(net, large), Create(axes), run_time=beat.until("back") * 0.35
            )
            self.play(
                Create(relu2),
                Write(name),
                FadeIn(primer, shift=UP * 0.1),
                Create(relu),
                FadeIn(plain),
                run_time=beat.until("back"),
            )
            # ---- and narrow back to the stream's width
            outputs = dot_row(3, x, CENTRE[1] - 2.5, 1.4, TOKEN, radius=0.1)
            narrow = wires(middle, outputs)
            sizes = VGroup(
                *[
                    maths(text, size=SMALL_SIZE, color=DIM).next_to(row, RIGHT, buff=0.3)
                    for text, row in (
                        (r"1{,}280", top),
                        (r"5{,}120", middle),
                        (r"1{,}280", outputs),
                    )
                ]
            )
            self.play(
                Create(narrow),
                LaggedStart(*[FadeIn(d, scale=0.5) for d in outputs], lag_ratio=0.2),
                FadeIn(sizes),
                run_time=beat.until(),
            )
        return (
            VGroup(large, narrow, outputs, sizes, axes, relu2, relu, name, plain, primer),
            saved,
        )

    # ------------------------------------------------------------------ step zero

    def start_at_zero(self, model, inside, vector: Vector, mlp) -> VGroup:
        with self.beat("zero") as beat:
            content, saved = mlp
            self.close_sublayer(
                model, inside, 1, saved, content, vector, run_time=beat.until("zero")
            )
            # ---- the last matrix of every attention and every MLP starts at zero
            self.play(
                *[out.cells.animate.set_fill(opacity=0) for out in inside.outs],
                *[FadeIn(out.place_zeros()) for out in inside.outs],
                *[back.animate.set_color(FAINT) for back in inside.returns],
                run_time=beat.until("zero") + 1.5,
            )
            vector.generate_target()
            vector.target.move_to(CENTRE + DOWN * 2.7)
            self.play(
                *[Circumscribe(out, color=HIGHLIGHT) for out in inside.outs],
                MoveToTarget(vector),
                run_time=beat.until("nothing"),
            )
            # ---- a copy goes round each branch and comes back as nothing
            nothing = [0.0] * len(vector.values)
            trips = []
            for route in inside.routes:
                copy = vector.copy().scale(0.55).set_z_index(4)
                stops = [copy.copy().move_to(route[0])]
                for index, point in enumerate(route[1:], start=1):
                    stop = stops[-1].copy().move_to(point)
                    trips_paint = index == 3
                    stops.append(stop.paint(nothing) if trips_paint else stop)
                trips.append((copy, stops))
            self.play(
                *[Succession(*[Transform(c, s) for s in stops]) for c, stops in trips],
                run_time=beat.until("shortcut") * 0.7,
            )
            self.play(
                *[FadeOut(c, target_position=inside.adds[i]) for i, (c, _) in enumerate(trips)],
                vector.animate.move_to(CENTRE + UP * 2.6),
                run_time=beat.until("shortcut"),
            )
            # ---- the block closes, the camera pulls back: embedding, norm, output layer
            zeros = VGroup(*[out.zeros for out in inside.outs])
            self.play(FadeOut(VGroup(inside, zeros, vector)), run_time=QUICK)
            home = ModelStack().move_to(CENTRE)
            home.label.set_opacity(0)
            self.play(Transform(model, home), run_time=beat.until("shortcut") + 1.2)
            names = VGroup(
                prose("embedding", size=SMALL_SIZE, color=TEXT).next_to(model.embed, RIGHT, 0.4),
                prose("output layer", size=SMALL_SIZE, color=TEXT).next_to(model.head, RIGHT, 0.4),
                prose("norm", size=SMALL_SIZE, color=DIM).next_to(model.head, LEFT, 0.4),
            )
            self.play(
                *[b.animate.set_stroke(opacity=0.15).set_fill(opacity=0) for b in model.blocks],
                model.stream.animate.set_stroke(HIGHLIGHT, width=6, opacity=1),
                FadeIn(names, shift=LEFT * 0.2),
                run_time=beat.until("grow"),
            )
            # ---- training grows each block's share from nothing
            shares = VGroup(
                *[
                    Rectangle(width=0.02, height=block.height * 0.7, stroke_width=0)
                    .set_fill(HIGHLIGHT, 0.8)
                    .next_to(block, RIGHT, buff=0.15)
                    for block in model.blocks
                ]
            )
            grown = shares.copy()
            for share, length in zip(grown, RNG.uniform(0.3, 1.6, len(grown)), strict=True):
                share.stretch_to_fit_width(length).align_to(shares[0], LEFT)
            self.add(shares)
            self.play(
                *[b.animate.set_stroke(opacity=1).set_fill(opacity=0.06) for b in model.blocks],
                model.stream.animate.set_stroke(TOKEN, width=3, opacity=0.6),
                FadeOut(names),
                Transform(shares, grown),
                run_time=beat.until(),
            )
        return shares

    # ------------------------------------------------------------------ the top

    def cap_the_scores(self, model, shares) -> VGroup:
        with self.beat("softcap") as beat:
            axes = Axes(
                x_range=[-40, 40, 10],
                y_range=[-35, 35, 15],
                x_length=7.6,
                y_length=6.0,
                tips=False,
                axis_config={"color": STRUCTURE, "stroke_width": THIN},
            ).move_to(CENTRE + RIGHT * 2.2)
            self.play(
                FadeOut(shares),
                model.animate.scale(0.85).move_to(CENTRE + LEFT * 4.6),
                run_time=QUICK + 0.3,
            )
            # ---- the output layer scores every token: raw scores sit on the line y = x
            identity = DashedLine(axes.c2p(-35, -35), axes.c2p(35, 35), color=DIM, stroke_width=3)
            dots = VGroup(*[Dot(axes.c2p(x, x), radius=0.08, color=TOKEN) for x in RAW_SCORES])
            self.play(
                Create(axes),
                Create(identity),
                LaggedStart(
                    *[FadeIn(d, target_position=model.head, scale=0.5) for d in dots],
                    lag_ratio=0.08,
                ),
                run_time=beat.until("bend"),
            )
            # ---- each score is bent into the range from -15 to 15
            curve = axes.plot(capped, x_range=[-40, 40], color=HIGHLIGHT, stroke_width=6)
            limits = VGroup(
                *[
                    DashedLine(axes.c2p(-40, s), axes.c2p(40, s), color=LOSS, stroke_width=2)
                    for s in (SOFTCAP, -SOFTCAP)
                ]
            )
            limit_labels = VGroup(
                maths("15", size=SMALL_SIZE, color=LOSS).next_to(limits[0], LEFT, buff=0.15),
                maths("-15", size=SMALL_SIZE, color=LOSS).next_to(limits[1], LEFT, buff=0.15),
            )
            formula = maths(r"15\,\tanh(x/15)", size=LABEL_SIZE, color=HIGHLIGHT)
            formula.move_to(axes.c2p(-22, 27))
            self.play(Create(curve), Write(formula), run_time=beat.until("bend") + 1.5)
            self.play(
                *[
                    d.animate.move_to(axes.c2p(x, capped(x)))
                    for d, x in zip(dots, RAW_SCORES, strict=True)
                ],
                Create(limits),
                FadeIn(limit_labels),
                run_time=beat.until("small"),
            )
            # ---- small scores pass; thirty becomes 14.5
            small = RAW_SCORES.index(5)
            note_small = maths(r"5 \to 4.8", size=SMALL_SIZE, color=TEXT)
            note_small.move_to(axes.c2p(13, -5))
            self.play(
                Indicate(dots[small], color=HIGHLIGHT, scale_factor=2),
                FadeIn(note_small),
                run_time=beat.until("big"),
            )
            big = RAW_SCORES.index(30)
            note_big = maths(r"30 \to 14.5", size=SMALL_SIZE, color=TEXT)
            note_big.next_to(dots[big], DOWN, buff=0.25)
            ghost = Dot(axes.c2p(30, 30), radius=0.08, color=DIM)
            drop = DashedLine(ghost.get_center(), dots[big].get_center(), color=DIM)
            self.play(
                FadeIn(ghost),
                Create(drop),
                Indicate(dots[big], color=HIGHLIGHT, scale_factor=2),
                FadeIn(note_big),
                run_time=beat.until("why"),
            )
            # ---- however hard training pushes, a score stays under the cap
            push = ValueTracker(30.0)
            runaway = always_redraw(
                lambda: Dot(axes.c2p(push.get_value(), push.get_value()), radius=0.09, color=LOSS)
            )
            held = always_redraw(
                lambda: Dot(
                    axes.c2p(push.get_value(), capped(push.get_value())),
                    radius=0.09,
                    color=HIGHLIGHT,
                )
            )
            self.remove(dots[big], ghost)
            self.add(runaway, held)
            self.play(push.animate.set_value(38.0), run_time=beat.until("stop"))
            runaway.clear_updaters()
            held.clear_updaters()
            # ---- near the cap, pushing earns nothing: the held score is ringed against the line
            self.play(
                Circumscribe(VGroup(held, limits[0]), color=HIGHLIGHT),
                runaway.animate.set_opacity(0.3),
                run_time=beat.until("credit"),
            )
            # ---- where these ideas came from: the modded-nanogpt speedrun
            thumbs = VGroup(
                small_plot(lambda x: math.tanh(x) * 1.1, HIGHLIGHT, width=1.75),
                small_plot(lambda x: max(x, 0) ** 2 / 2, HIGHLIGHT, width=1.75),
                VGroup(
                    Circle(radius=0.68, stroke_color=DIM, stroke_width=THIN),
                    *[key_arrow(ORIGIN, a, 0.68, width=5) for a in (20, 100, 200, 300)],
                ),
                zero_matrix(cell=0.44),
            ).arrange(DOWN, buff=0.22)
            thumbs.move_to(CENTRE + LEFT * 0.4)
            places = [model.head, model.blocks[15], model.blocks[10], model.blocks[4]]
            links = VGroup(
                *[
                    DashedLine(
                        place.get_right() + RIGHT * 0.1,
                        thumb.get_left() + LEFT * 0.1,
                        color=FAINT,
                        stroke_width=THIN,
                    )
                    for place, thumb in zip(places, thumbs, strict=True)
                ]
            )
            brace = Brace(thumbs, RIGHT, color=DIM)
            credit = mono("modded-nanogpt", size=LABEL_SIZE, color=TEXT)
            credit.next_to(brace, RIGHT, buff=0.3)
            self.play(
                FadeOut(
                    VGroup(
                        identity,
                        dots,
                        limits,
                        limit_labels,
                        formula,
                        note_small,
                        note_big,
                        drop,
                        runaway,
                        held,
                    )
                ),
                run_time=QUICK,
            )
            self.play(ReplacementTransform(VGroup(axes, curve), thumbs[0]), run_time=QUICK + 0.2)
            self.play(
                LaggedStart(*[FadeIn(t, shift=LEFT * 0.3) for t in thumbs[1:]], lag_ratio=0.3),
                LaggedStart(*[Create(link) for link in links], lag_ratio=0.3),
                run_time=beat.until() * 0.5,
            )
            self.play(GrowFromCenter(brace), Write(credit), run_time=beat.until())
        return VGroup(thumbs, links, brace, credit)
