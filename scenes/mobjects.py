"""Reusable pictures: anything drawn in more than one place lives here.

Each mobject exposes its parts by name (``.blocks``, ``.nodes``, ``.label``)
rather than by index, and lists the labels it places inside shapes in
``.labelled`` as ``(label, shape)`` pairs, so the layout audit can check that
every label stays inside its box.

>>> stack = BlockStack(depth=4)
>>> len(stack.blocks)
4
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from functools import lru_cache

import numpy as np
from manim import (
    DOWN,
    LEFT,
    ORIGIN,
    RIGHT,
    UP,
    Animation,
    AnimationGroup,
    Arrow,
    Circle,
    DecimalNumber,
    Dot,
    FadeIn,
    LaggedStart,
    Line,
    Polygon,
    Rectangle,
    SurroundingRectangle,
    TransformFromCopy,
    ValueTracker,
    VGroup,
    VMobject,
)
from style import (
    DIM,
    FAINT,
    GHOST,
    HIGHLIGHT,
    KEY,
    LABEL_SIZE,
    MONEY,
    OPTIMIZER,
    SMALL_SIZE,
    STROKE,
    STRUCTURE,
    TEXT,
    THIN,
    TOKEN,
    TRAINED,
    maths,
    mono,
    prose,
)

__all__ = [
    "BlockStack",
    "BudgetTiers",
    "ChatBubble",
    "CommitGraph",
    "Counter",
    "DepthDial",
    "FileGrid",
    "GpuNode",
    "KVCache",
    "MIDTRAINING_MIX",
    "MixtureBar",
    "ModelStack",
    "PipelineBar",
    "PipelineDiagram",
    "PriceTag",
    "Clock",
    "ProgressBar",
    "RateBar",
    "SFT_MIX",
    "TokenCell",
    "TokenStrip",
    "token_text",
]


class Labelled(VGroup):
    """A group that declares which of its labels sit inside which shapes."""

    def __init__(self, *parts, **kwargs) -> None:
        super().__init__(*parts, **kwargs)
        self.labelled: list[tuple[VMobject, VMobject]] = []

    def fit_label(self, label: VMobject, shape: VMobject, pad: float = 0.15) -> VMobject:
        """Centre ``label`` in ``shape``, shrinking it only if it would touch the edges."""
        label.move_to(shape)
        room_w, room_h = shape.width - 2 * pad, shape.height - 2 * pad
        if label.width > room_w:
            label.scale_to_fit_width(room_w)
        if label.height > room_h:
            label.scale_to_fit_height(room_h)
        self.labelled.append((label, shape))
        return label


class ChatBubble(Labelled):
    """A chat message: a plain rectangle with the text inside, coloured by speaker.

    >>> ChatBubble("Why is the sky blue?", role="user").label.text
    'Whyistheskyblue?'
    """

    def __init__(self, text: str, role: str = "user", width: float = 4.6, size: float = LABEL_SIZE):
        colour = DIM if role == "user" else TOKEN
        label = prose(text, size=size)
        box = Rectangle(
            width=max(width, label.width + 0.5),
            height=label.height + 0.45,
            stroke_color=colour,
            stroke_width=STROKE,
        )
        super().__init__(box, label)
        self.box, self.label, self.role = box, label, role
        self.fit_label(label, box)


class FileGrid(VGroup):
    """Small document icons in a grid: a repository's files at a glance."""

    def __init__(self, count: int, columns: int = 11, size: float = 0.42, colour=STRUCTURE):
        files = VGroup()
        for _ in range(count):
            page = Rectangle(width=size * 0.78, height=size, stroke_color=colour, stroke_width=THIN)
            lines = (
                VGroup(
                    *[
                        Line(LEFT * size * 0.26, RIGHT * size * 0.26, stroke_width=1.2, color=FAINT)
                        for _ in range(3)
                    ]
                )
                .arrange(DOWN, buff=size * 0.16)
                .move_to(page)
            )
            files.add(VGroup(page, lines))
        files.arrange_in_grid(cols=columns, buff=size * 0.35)
        super().__init__(files)
        self.files = files

    def page_lines(self) -> VGroup:
        return VGroup(*[f[1] for f in self.files])


class Counter(VGroup):
    """A number that ticks to a value, with a unit label beside it.

    >>> float(Counter(561, unit="M parameters").value.get_value())
    0.0
    """

    def __init__(
        self,
        target: float,
        unit: str = "",
        places: int = 0,
        size: float = 56,
        colour=TEXT,
        prefix: str = "",
        group_with_commas: bool = True,
    ):
        value = DecimalNumber(
            0,
            num_decimal_places=places,
            font_size=size,
            color=colour,
            group_with_commas=group_with_commas,
        )
        parts = [value]
        self.prefix = None
        if prefix:
            self.prefix = prose(prefix, size=size * 0.8, color=colour)
            parts.insert(0, self.prefix)
        self.unit = prose(unit, size=size * 0.6, color=DIM) if unit else None
        if self.unit is not None:
            parts.append(self.unit)
        super().__init__(*parts)
        self.value, self.target = value, target
        self._layout()
        value.add_updater(lambda m: self._layout())

    def _layout(self) -> None:
        if self.prefix is not None:
            self.prefix.next_to(self.value, LEFT, buff=0.08)
        if self.unit is not None:
            self.unit.next_to(self.value, RIGHT, buff=0.18, aligned_edge=DOWN)

    def count(self):
        """The animation that ticks the number up to its target."""
        from manim import ChangeDecimalToValue

        return ChangeDecimalToValue(self.value, self.target)


class GpuNode(Labelled):
    """One server node: a frame holding ``count`` GPU chips, each labelled."""

    def __init__(self, count: int = 8, chip: str = "H100", colour=STRUCTURE):
        chips = VGroup()
        for _ in range(count):
            box = Rectangle(width=1.1, height=0.8, stroke_color=colour, stroke_width=STROKE)
            chips.add(box)
        chips.arrange_in_grid(rows=2, buff=0.22)
        frame = Rectangle(
            width=chips.width + 0.6,
            height=chips.height + 0.6,
            stroke_color=FAINT,
            stroke_width=STROKE,
        )
        frame.move_to(chips)
        labels = VGroup(*[mono(chip, size=SMALL_SIZE, color=DIM) for _ in range(count)])
        super().__init__(frame, chips, labels)
        for label, box in zip(labels, chips, strict=True):
            self.fit_label(label, box, pad=0.1)
        self.frame, self.chips, self.labels = frame, chips, labels


class Clock(VGroup):
    """A clock face whose hand can sweep through hours."""

    def __init__(self, radius: float = 0.9, colour=STRUCTURE):
        face = Circle(radius=radius, stroke_color=colour, stroke_width=STROKE)
        ticks = VGroup(
            *[
                Line(UP * radius * 0.82, UP * radius, stroke_width=THIN, color=DIM).rotate(
                    -i * np.pi / 6, about_point=[0, 0, 0]
                )
                for i in range(12)
            ]
        )
        hand = Line([0, 0, 0], UP * radius * 0.7, stroke_width=4, color=TEXT)
        super().__init__(face, ticks, hand, Dot(radius=0.05, color=TEXT))
        self.face, self.hand = face, hand


class PriceTag(Labelled):
    """A price tag: a pentagon with a hole and the amount inside."""

    def __init__(self, amount: str, colour=MONEY, size: float = LABEL_SIZE):
        label = prose(amount, size=size, color=colour)
        w, h = label.width + 0.7, label.height + 0.5
        shape = Polygon(
            [-w / 2, h / 2, 0],
            [w / 2 - 0.1, h / 2, 0],
            [w / 2 - 0.1, -h / 2, 0],
            [-w / 2, -h / 2, 0],
            [-w / 2 - 0.35, 0, 0],
            stroke_color=colour,
            stroke_width=STROKE,
        )
        hole = Circle(radius=0.06, stroke_color=colour, stroke_width=THIN).move_to(
            [-w / 2 - 0.1, 0, 0]
        )
        super().__init__(shape, hole, label)
        self.shape, self.label = shape, label
        label.move_to([0.05, 0, 0])
        self.labelled.append((label, shape))


class BlockStack(Labelled):
    """A transformer as a stack of ``depth`` blocks, bottom to top, with an optional label.

    The width of each block stands for the model's width.
    """

    def __init__(
        self,
        depth: int,
        width: float = 2.4,
        block_height: float = 0.12,
        gap: float = 0.05,
        colour=TOKEN,
        label: str | None = None,
    ):
        blocks = VGroup(
            *[
                Rectangle(
                    width=width,
                    height=block_height,
                    stroke_color=colour,
                    stroke_width=THIN,
                    fill_color=colour,
                    fill_opacity=0.25,
                )
                for _ in range(depth)
            ]
        ).arrange(UP, buff=gap)
        parts = [blocks]
        self.label = None
        if label:
            self.label = mono(label, size=LABEL_SIZE, color=TEXT).next_to(blocks, DOWN, buff=0.25)
            parts.append(self.label)
        super().__init__(*parts)
        self.blocks, self.layers = blocks, depth


class PipelineDiagram(Labelled):
    """The stages of nanochat left to right: boxes joined by arrows.

    ``optional`` stages get a dashed outline. ``light(i)`` returns the animation
    that marks stage ``i`` as active.
    """

    def __init__(
        self,
        stages: Sequence[str],
        optional: Sequence[str] = (),
        box_width: float = 2.0,
        box_height: float = 0.9,
        buff: float = 0.24,
    ):
        boxes = VGroup()
        labels = VGroup()
        for name in stages:
            box = Rectangle(
                width=box_width, height=box_height, stroke_color=FAINT, stroke_width=STROKE
            )
            if name in optional:
                box = _dashed(box)
            boxes.add(box)
            labels.add(prose(name, size=SMALL_SIZE, color=DIM))
        boxes.arrange(RIGHT, buff=buff)
        arrows = VGroup(
            *[
                Arrow(
                    a.get_right(),
                    b.get_left(),
                    buff=0.05,
                    stroke_width=2.5,
                    color=FAINT,
                    max_tip_length_to_length_ratio=0.35,
                )
                for a, b in zip(boxes[:-1], boxes[1:], strict=True)
            ]
        )
        super().__init__(boxes, arrows, labels)
        # one size for every label (the longest decides) and one baseline, like a line of type
        scale = min(1.0, *[(box_width - 0.2) / label.width for label in labels])
        for label, box, name in zip(labels, boxes, stages, strict=True):
            label.scale(scale).move_to(box)
            label.shift(UP * _baseline_lift(name, SMALL_SIZE, serif=True) * scale)
            self.labelled.append((label, box))
        self.boxes, self.arrows, self.labels, self.stages = boxes, arrows, labels, list(stages)

    def light(self, index: int, colour=HIGHLIGHT):
        from manim import AnimationGroup

        box, label = self.boxes[index], self.labels[index]
        return AnimationGroup(
            box.animate.set_stroke(colour, width=STROKE + 1).set_fill(colour, opacity=0.12),
            label.animate.set_color(TEXT),
        )

    def settle(self, index: int, colour=TRAINED):
        """Mark a stage as done (after it was lit)."""
        return self.boxes[index].animate.set_stroke(colour, width=STROKE).set_fill(colour, 0.08)


def _dashed(box: Rectangle):
    from manim import DashedVMobject

    dashed = DashedVMobject(box, num_dashes=28)
    return dashed


class CommitGraph(VGroup):
    """A line of commits with one pinned: history before it solid, after it ghosted."""

    def __init__(self, before: int = 5, after: int = 5, spacing: float = 0.9, colour=HIGHLIGHT):
        dots = VGroup(*[Dot(radius=0.09) for _ in range(before + 1 + after)]).arrange(
            RIGHT, buff=spacing
        )
        line = Line(dots[0].get_center(), dots[-1].get_center(), stroke_width=3, color=FAINT)
        for i, dot in enumerate(dots):
            dot.set_color(STRUCTURE if i < before else GHOST if i > before else colour)
        pinned = dots[before]
        pinned.scale(1.8)
        super().__init__(line, dots)
        self.line, self.dots, self.pinned = line, dots, pinned
        self.later = VGroup(*dots[before + 1 :])


class ProgressBar(VGroup):
    """A thin bar that fills on its own while the scene plays: gentle motion during talk.

    Call ``start(seconds)`` and it fills over that many seconds of scene time, through
    every animation and wait, then stops.
    """

    def __init__(self, width: float = 4.0, colour=HIGHLIGHT):
        track = Line(LEFT * width / 2, RIGHT * width / 2, stroke_width=3, color=GHOST)
        fill = Line(LEFT * width / 2, LEFT * width / 2 + RIGHT * 1e-3, stroke_width=5, color=colour)
        super().__init__(track, fill)
        self.track, self.fill, self.elapsed, self.total = track, fill, 0.0, 1.0

    def start(self, seconds: float) -> ProgressBar:
        self.elapsed, self.total = 0.0, max(seconds, 1e-3)

        def grow(bar: VMobject, dt: float) -> None:
            self.elapsed = min(self.elapsed + dt, self.total)
            left = self.track.get_start()
            length = self.track.get_length() * self.elapsed / self.total
            bar.put_start_and_end_on(left, left + RIGHT * max(length, 1e-3))

        self.fill.add_updater(grow)
        return self


# --------------------------------------------------------------------------- tokens

SPACE_GLYPH = "\u2423"  # the open box that stands for a space inside a token


def token_text(text: str, size: float = SMALL_SIZE, color=TEXT, show_spaces: bool = False):
    """A token's text in monospace, drawn exactly as written (``<|bos|>``, ``####`` too).

    With ``show_spaces`` each space becomes a dim open box, as tokenizers show it.

    >>> token_text(" cat", show_spaces=True).text
    '␣cat'
    """
    if not show_spaces:
        return mono(text, size=size, color=color)
    shown = text.replace(" ", SPACE_GLYPH)
    label = mono(shown, size=size, color=color)
    for glyph, char in zip(label, shown.replace("\n", ""), strict=True):
        if char == SPACE_GLYPH:
            glyph.set_color(DIM)
    return label


@lru_cache(maxsize=512)
def _baseline_lift(text: str, size: float, serif: bool = False) -> float:
    """How far above its box's centre a label sits so that labels share one baseline.

    A bar glyph spans the font's full line height; the label goes where a whole line
    of type centred on the box would put it, so ``a``, ``y`` and ``T`` line up.
    """
    probe = (prose if serif else mono)(f"|{text}", size=size)
    bar, visible = probe.submobjects[0], probe.submobjects[1:]
    visible = [m for m in visible if m.width > 1e-6 or m.height > 1e-6]
    if not visible:
        return 0.0
    return float(VGroup(*visible).get_center()[1] - bar.get_center()[1])


class TokenCell(Labelled):
    """One token: its text in a box, outlined and faintly filled in the colour of its kind.

    ``special`` tokens (BOS, the chat markers) get a stronger tint and coloured text.
    The box is ``width`` wide if given, else the text plus padding (at least
    ``min_width``); its height follows the text size. Labels sit on a common
    baseline, so a row of cells reads like a line of text.

    >>> cell = TokenCell("sky")
    >>> cell.token, bool(cell.box.width > cell.label.width)
    ('sky', True)
    """

    def __init__(
        self,
        token: str,
        colour=TOKEN,
        *,
        size: float = SMALL_SIZE,
        special: bool = False,
        width: float | None = None,
        min_width: float = 0.5,
        height: float | None = None,
        pad: float = 0.12,
        fill: float = 0.15,
        stroke: float = THIN,
        text_colour=TEXT,
        show_spaces: bool = False,
    ):
        label = token_text(token, size, colour if special else text_colour, show_spaces)
        height = height if height is not None else 0.6 * size / SMALL_SIZE
        box = Rectangle(
            width=width if width is not None else max(label.width + 2 * pad, min_width),
            height=height,
            stroke_color=colour,
            stroke_width=stroke,
            fill_color=colour,
            fill_opacity=0.3 if special else fill,
        )
        super().__init__(box, label)
        self.box, self.label, self.token = box, label, token
        self.colour, self.special, self.fill = colour, special, 0.3 if special else fill
        self.fit_label(label, box, pad=0.05)
        if "\n" not in token and label.height < height - 0.1:
            label.shift(UP * _baseline_lift(token, size))

    def recolour(self, colour, fill: float | None = None):
        """The animation that repaints the cell (and a special token's text)."""
        paint = self.box.animate.set_stroke(colour).set_fill(
            colour, self.fill if fill is None else fill
        )
        if not self.special:
            return paint
        return AnimationGroup(paint, self.label.animate.set_color(colour))


class TokenStrip(Labelled):
    """A token sequence laid out like text: cells left to right, wrapped into rows.

    ``tokens`` is a list of strings or :class:`TokenCell` s, or a list of such
    lists (one per line). A line wider than ``max_width`` wraps. Other keyword
    arguments go to every :class:`TokenCell`. Parts: ``.cells`` (reading order),
    ``.boxes``, ``.labels``, ``.rows``; ``strip[i]`` is not a cell, ``strip.cells[i]`` is.

    >>> strip = TokenStrip([["<|bos|>", "Hi"], ["there"]])
    >>> len(strip.cells), len(strip.rows), strip.tokens
    (3, 2, ['<|bos|>', 'Hi', 'there'])
    """

    def __init__(
        self,
        tokens: Sequence,
        colour=TOKEN,
        *,
        buff: float = 0.08,
        line_buff: float = 0.2,
        max_width: float | None = None,
        **cell_kwargs,
    ):
        lines = tokens if tokens and isinstance(tokens[0], (list, tuple)) else [tokens]
        rows = VGroup()
        for line in lines:
            row, used = VGroup(), 0.0
            for item in line:
                cell = (
                    item if isinstance(item, TokenCell) else TokenCell(item, colour, **cell_kwargs)
                )
                if max_width is not None and len(row) and used + buff + cell.width > max_width:
                    rows.add(row.arrange(RIGHT, buff=buff))
                    row, used = VGroup(), 0.0
                used += (buff if len(row) else 0.0) + cell.width
                row.add(cell)
            if len(row):
                rows.add(row.arrange(RIGHT, buff=buff))
        rows.arrange(DOWN, buff=line_buff, aligned_edge=LEFT)
        super().__init__(rows)
        self.rows = rows
        self.cells = VGroup(*[cell for row in rows for cell in row])
        self.boxes = VGroup(*[cell.box for cell in self.cells])
        self.labels = VGroup(*[cell.label for cell in self.cells])
        self.tokens = [cell.token for cell in self.cells]

    def pick(self, indices: Iterable[int]) -> VGroup:
        """The cells at ``indices``, as one group."""
        return VGroup(*[self.cells[i] for i in indices])

    def window(self, index: int, count: int = 2, colour=HIGHLIGHT) -> SurroundingRectangle:
        """A frame around ``count`` cells starting at ``index`` (e.g. a pair being merged)."""
        return SurroundingRectangle(
            self.pick(range(index, index + count)), color=colour, buff=0.08, stroke_width=STROKE
        )


# --------------------------------------------------------------------------- the depth dial


class DepthDial(VGroup):
    """The one setting that sizes the model: a dial whose pointer follows ``.setting``.

    Ticks every 4 layers from 0 to ``top``, numbered at ``numbers``; the pointer
    sweeps 240 degrees. Pass a ValueTracker to share it, or a number to start at.

    >>> dial = DepthDial(20)
    >>> float(dial.setting.get_value()), bool(dial.angle_for(0) > dial.angle_for(32))
    (20.0, True)
    """

    def __init__(
        self,
        depth: ValueTracker | float = 20,
        radius: float = 1.2,
        top: int = 32,
        numbers: Sequence[int] = (0, 16, 32),
    ):
        super().__init__()
        self.setting = depth if isinstance(depth, ValueTracker) else ValueTracker(depth)
        self.top, self.radius = top, radius
        self.face = Circle(radius=radius, stroke_color=STRUCTURE, stroke_width=STROKE)
        self.ticks, self.numbers = VGroup(), VGroup()
        for d in range(0, top + 1, 4):
            direction = self._direction(d)
            inner = 0.78 if d % 8 == 0 else 0.86
            self.ticks.add(
                Line(direction * radius * inner, direction * radius, stroke_width=THIN, color=DIM)
            )
            if d in numbers:
                label = maths(str(d), size=SMALL_SIZE, color=DIM)
                self.numbers.add(label.move_to(direction * radius * 1.3))
        self.pointer = Line(ORIGIN, RIGHT * radius * 0.7, stroke_width=5, color=HIGHLIGHT)
        self.pivot = Dot(radius=0.07, color=HIGHLIGHT)
        self.add(self.face, self.ticks, self.numbers, self.pointer, self.pivot)

        def follow(pointer: Line) -> None:
            centre = self.face.get_center()
            tip = centre + self._direction(self.setting.get_value()) * self.radius * 0.7
            pointer.put_start_and_end_on(centre, tip)

        self.pointer.add_updater(follow)
        follow(self.pointer)

    def angle_for(self, depth: float) -> float:
        """The pointer's angle (radians) at ``depth``: 210 degrees at 0, -30 at ``top``."""
        return math.radians(210 - 240 * depth / self.top)

    def _direction(self, depth: float) -> np.ndarray:
        angle = self.angle_for(depth)
        return np.array([math.cos(angle), math.sin(angle), 0.0])


# --------------------------------------------------------------------------- budgets

# the three speedrun budgets at 48abd7d: depth, price, wall time on one 8xH100 node
BUDGETS = [
    (20, "$100", r"\approx 4\,\text{h}"),
    (26, "$300", r"\approx 12\,\text{h}"),
    (32, "$1,000", r"\approx 42\,\text{h}"),
]


class BudgetTiers(VGroup):
    """What $100, $300 and $1,000 buy: a model (block stack) over its price and time.

    ``columns[i]`` is ``VGroup(stack, tag, hours)``; ``grow(i)`` returns the two
    animations that grow column ``i`` out of the one before it and then "train" it
    (its blocks fill from the bottom up).

    >>> tiers = BudgetTiers()
    >>> [c[0].layers for c in tiers.columns]
    [20, 26, 32]
    """

    def __init__(self, block_height: float = 0.085, gap: float = 0.035, spacing: float = 1.6):
        columns = VGroup()
        for depth, price, hours in BUDGETS:
            stack = BlockStack(
                depth,
                width=1.0 + depth * 0.05,
                block_height=block_height,
                gap=gap,
                label=f"d{depth}",
            )
            tag = PriceTag(price).next_to(stack, DOWN, buff=0.3)
            time = maths(hours, size=LABEL_SIZE, color=DIM).next_to(tag, DOWN, buff=0.22)
            columns.add(VGroup(stack, tag, time))
        columns.arrange(RIGHT, buff=spacing, aligned_edge=DOWN)
        super().__init__(columns)
        self.columns = columns

    def grow(self, index: int) -> tuple[Animation, Animation]:
        """Column ``index`` appears from a copy of the previous one, then its blocks fill."""
        column, before = self.columns[index], self.columns[index - 1]
        appear = AnimationGroup(
            TransformFromCopy(before[0], column[0]), FadeIn(column[1:], shift=UP * 0.2)
        )
        train = LaggedStart(
            *[b.animate.set_fill(opacity=0.7) for b in column[0].blocks], lag_ratio=0.2
        )
        return appear, train


# --------------------------------------------------------------------------- the model

# How the model looks after each stage of training: block fill colour and opacity (what it
# knows), block outline (how it behaves). One look per stage, used by every chapter.
MODEL_LOOKS = {
    None: (TOKEN, 0.06, FAINT),  # untrained: empty blocks
    "base": (TOKEN, 0.45, TOKEN),  # pretrained: full of knowledge about text
    "mid": (TOKEN, 0.45, TRAINED),  # midtrained: now speaks in the chat format
    "sft": (TOKEN, 0.5, TRAINED),  # fine-tuned: answers like an assistant
    "rl": (TOKEN, 0.5, HIGHLIGHT),  # reinforced: sharpened on problems it can check
}


class ModelStack(Labelled):
    """The model, the video's main character: ``layers`` transformer blocks stacked bottom
    to top between the embedding (below) and the output layer (above), with the residual
    stream running up through all of them.

    It is built once here and drawn the same way in every chapter; its look shows how far
    it has been trained (``stage``: None, "base", "mid", "sft" or "rl", see MODEL_LOOKS).
    Its default size fills about 70 % of the frame's height. Parts: ``.blocks``
    (bottom first), ``.embed``, ``.head``, ``.stream``, ``.label`` (or None).

    >>> model = ModelStack()
    >>> len(model.blocks), model.stage, bool(model.height > 5)
    (20, None, True)
    >>> float(ModelStack(stage="base").blocks[0].get_fill_opacity())
    0.45
    """

    def __init__(
        self,
        layers: int = 20,
        *,
        width: float = 3.4,
        height: float = 5.2,
        stage: str | None = None,
        label: str | None = "d20",
        io: bool = True,
    ) -> None:
        if stage not in MODEL_LOOKS:
            raise ValueError(f"stage must be one of {list(MODEL_LOOKS)}, not {stage!r}")
        slab = 0.28 if io else 0.0
        gap = min(0.06, height * 0.25 / max(layers, 1))
        inner = height - (2 * (slab + 0.18) if io else 0)
        block_height = max((inner - gap * (layers - 1)) / max(layers, 1), 0.02)
        blocks = VGroup(
            *[Rectangle(width=width, height=block_height, stroke_width=THIN) for _ in range(layers)]
        ).arrange(UP, buff=gap)
        parts = []
        self.embed = self.head = None
        if io:
            self.embed = Rectangle(
                width=width * 0.8, height=slab, stroke_color=STRUCTURE, stroke_width=THIN
            ).next_to(blocks, DOWN, buff=0.18)
            self.head = Rectangle(
                width=width * 0.8, height=slab, stroke_color=STRUCTURE, stroke_width=THIN
            ).next_to(blocks, UP, buff=0.18)
            self.embed.set_fill(STRUCTURE, 0.15)
            self.head.set_fill(STRUCTURE, 0.15)
        bottom = (self.embed or blocks).get_bottom()[1]
        top = (self.head or blocks).get_top()[1]
        stream = Line([0, bottom - 0.25, 0], [0, top + 0.25, 0], stroke_width=3, color=TOKEN)
        stream.set_z_index(-1)
        stream.set_stroke(opacity=0.6)
        parts = [stream, blocks] + ([self.embed, self.head] if io else [])
        self.label = None
        if label:
            self.label = mono(label, size=LABEL_SIZE, color=TEXT).next_to(
                self.embed or blocks, DOWN, buff=0.45
            )
            parts.append(self.label)
        super().__init__(*parts)
        self.blocks, self.stream, self.layers, self.stage = blocks, stream, layers, None
        self._paint(stage)

    def _paint(self, stage: str | None) -> None:
        colour, opacity, edge = MODEL_LOOKS[stage]
        for block in self.blocks:
            block.set_fill(colour, opacity).set_stroke(edge, width=THIN)
        self.stage = stage

    def build(self, lag: float = 0.12) -> Animation:
        """Grow the model from nothing: the stream, then the embedding, blocks bottom to
        top, and the output layer."""
        from manim import Create, GrowFromEdge

        steps = [Create(self.stream)]
        if self.embed is not None:
            steps.append(GrowFromEdge(self.embed, DOWN))
        steps += [GrowFromEdge(b, DOWN) for b in self.blocks]
        if self.head is not None:
            steps.append(GrowFromEdge(self.head, DOWN))
        if self.label is not None:
            steps.append(FadeIn(self.label))
        return LaggedStart(*steps, lag_ratio=lag)

    def learn(self, stage: str | None, lag: float = 0.08) -> Animation:
        """Training: a wave that repaints the blocks bottom to top in the look of ``stage``."""
        colour, opacity, edge = MODEL_LOOKS[stage]
        self.stage = stage
        return LaggedStart(
            *[b.animate.set_fill(colour, opacity).set_stroke(edge) for b in self.blocks],
            lag_ratio=lag,
        )

    def pulse(self, colour=HIGHLIGHT, lag: float = 0.12) -> Animation:
        """One forward pass: a flash that runs up the stack and leaves it as it was."""
        from manim import there_and_back

        flashes = []
        if self.embed is not None:
            flashes.append(self.embed.animate(rate_func=there_and_back).set_fill(colour, 0.8))
        flashes += [b.animate(rate_func=there_and_back).set_fill(colour, 0.85) for b in self.blocks]
        if self.head is not None:
            flashes.append(self.head.animate(rate_func=there_and_back).set_fill(colour, 0.8))
        return LaggedStart(*flashes, lag_ratio=lag)

    def bottom_port(self) -> np.ndarray:
        """Where tokens go in (below the embedding)."""
        return self.stream.get_start()

    def top_port(self) -> np.ndarray:
        """Where predictions come out (above the output layer)."""
        return self.stream.get_end()


class KVCache(VGroup):
    """The model's memory at inference: for every token so far, one key and one value
    per layer, kept beside the block that made them.

    ``grow(count)`` returns the animation that appends ``count`` columns (tokens); each
    column has one cell per block, split into a key half (teal) and a value half (gold).

    >>> from mobjects import ModelStack
    >>> cache = KVCache(ModelStack(layers=4))
    >>> _ = cache.grow(3)
    >>> len(cache.columns), len(cache.columns[0])
    (3, 4)
    """

    def __init__(self, model: ModelStack, cell: float = 0.16, buff: float = 0.3) -> None:
        super().__init__()
        self.model, self.cell, self.buff = model, cell, buff
        self.columns = VGroup()
        self.add(self.columns)

    def _column(self, index: int) -> VGroup:
        from style import KEY, VALUE

        column = VGroup()
        x = self.model.blocks.get_right()[0] + self.buff + (index + 0.5) * (self.cell + 0.04)
        for block in self.model.blocks:
            h = block.height
            key = Rectangle(width=self.cell, height=h / 2, stroke_width=0)
            key.set_fill(KEY, 0.8).move_to([x, block.get_center()[1] + h / 4, 0])
            value = Rectangle(width=self.cell, height=h / 2, stroke_width=0)
            value.set_fill(VALUE, 0.8).move_to([x, block.get_center()[1] - h / 4, 0])
            column.add(VGroup(key, value))
        return column

    def grow(self, count: int = 1, lag: float = 0.05) -> Animation:
        """Append ``count`` token columns, each growing in layer by layer."""
        new = [self._column(len(self.columns) + i) for i in range(count)]
        for column in new:
            self.columns.add(column)
        return LaggedStart(
            *[FadeIn(cell, shift=LEFT * 0.1) for column in new for cell in column],
            lag_ratio=lag / max(count, 1),
        )


# --------------------------------------------------------------------------- the pipeline bar

STAGES = ("tokenizer", "pretraining", "midtraining", "SFT", "RL", "chat")
OPTIONAL_STAGES = ("RL",)
# the model as each chapter finds it (the stage it was last trained to); chapter 1 builds it
CHAPTER_MODEL = {
    2: None,
    3: None,
    4: None,
    5: None,
    6: "base",
    7: "mid",
    8: "sft",
    9: "rl",
    10: "rl",
}
# the bar at the *start* of each chapter: (active stage or None, how many stages are done)
CHAPTER_BAR = {
    1: (None, 0),
    2: (None, 0),
    3: (0, 0),
    4: (None, 1),
    5: (1, 1),
    6: (2, 2),
    7: (3, 3),
    8: (4, 4),
    9: (5, 5),
    10: (None, 6),
}


class PipelineBar(Labelled):
    """nanochat's six stages as one bar docked at the top of the frame, built once.

    Between chapters only its highlight moves: a chapter starts with the bar as the
    previous chapter left it (``PipelineBar.entering(n)``) and ``enter(n)`` moves the
    highlight to its own stage. Done stages are green, the active one yellow. Declare it
    with ``scene.keep(bar)`` so the audit knows it stays on purpose; ``pin(scene)`` keeps
    it in place when the camera zooms or pans.

    >>> bar = PipelineBar.entering(6)
    >>> bar.active, bar.done
    (1, 1)
    >>> _ = bar.enter(6)
    >>> bar.active, bar.done
    (2, 2)
    """

    BOX_WIDTH, BOX_HEIGHT, BUFF, TOP_BUFF = 1.85, 0.5, 0.26, 0.32

    def __init__(self, active: int | None = None, done: int = 0, docked: bool = True) -> None:
        boxes, labels = VGroup(), VGroup()
        for name in STAGES:
            box = Rectangle(width=self.BOX_WIDTH, height=self.BOX_HEIGHT, stroke_width=STROKE)
            boxes.add(_dashed(box) if name in OPTIONAL_STAGES else box)
            labels.add(prose(name, size=SMALL_SIZE, color=DIM))
        boxes.arrange(RIGHT, buff=self.BUFF)
        arrows = VGroup(
            *[
                Line(a.get_right(), b.get_left(), buff=0.05, stroke_width=2, color=FAINT)
                for a, b in zip(boxes[:-1], boxes[1:], strict=True)
            ]
        )
        from manim import BLACK, config

        # a black band behind the bar: what passes under it (a zoom, a tall picture) is hidden
        backing = Rectangle(
            width=config.frame_width, height=self.BOX_HEIGHT + 2 * self.TOP_BUFF, stroke_width=0
        ).set_fill(BLACK, 1)
        backing.move_to(boxes)
        super().__init__(backing, boxes, arrows, labels)
        self.backing = backing
        self.set_z_index(10)
        scale = min(1.0, *[(self.BOX_WIDTH - 0.24) / label.width for label in labels])
        for label, box, name in zip(labels, boxes, STAGES, strict=True):
            label.scale(scale).move_to(box)
            label.shift(UP * _baseline_lift(name, SMALL_SIZE, serif=True) * scale)
            self.labelled.append((label, box))
        self.boxes, self.arrows, self.labels = boxes, arrows, labels
        self.active, self.done = active, done
        for index in range(len(STAGES)):
            self._style(index)
        if docked:
            self.dock_now()

    @classmethod
    def entering(cls, chapter: int) -> PipelineBar:
        """The bar as chapter ``chapter`` finds it: how the chapter before left it."""
        active, done = CHAPTER_BAR[max(chapter - 1, 1)]
        return cls(active, done)

    def _look(self, index: int):
        if index == self.active:
            return HIGHLIGHT, 0.18, TEXT
        if index < self.done:
            return TRAINED, 0.12, TEXT
        return FAINT, 0.0, DIM

    def _style(self, index: int) -> None:
        colour, fill, text = self._look(index)
        self.boxes[index].set_stroke(colour).set_fill(colour, fill)
        self.labels[index].set_color(text)

    def enter(self, chapter: int) -> Animation:
        """Move the highlight to chapter ``chapter``'s stage (the chapter's first move)."""
        self.active, self.done = CHAPTER_BAR[chapter]
        steps = []
        for index in range(len(STAGES)):
            colour, fill, text = self._look(index)
            steps.append(self.boxes[index].animate.set_stroke(colour).set_fill(colour, fill))
            steps.append(self.labels[index].animate.set_color(text))
        return AnimationGroup(*steps)

    def dock_now(self) -> PipelineBar:
        """Place it along the top edge at its docked size (no animation)."""
        from manim import config

        natural = len(STAGES) * self.BOX_WIDTH + (len(STAGES) - 1) * self.BUFF
        self.scale(min(natural, config.frame_width - 1.2) / self.boxes.width)
        top = config.frame_height / 2 - self.TOP_BUFF
        self.shift(UP * (top - self.boxes.get_top()[1]) + LEFT * self.boxes.get_center()[0])
        return self

    def dock(self) -> Animation:
        """Animate from wherever it is (e.g. big in the middle, chapter 1) to the top edge."""
        target = self.copy().clear_updaters().dock_now()
        return self.animate.scale_to_fit_width(target.width).move_to(target.get_center())

    def pin(self, scene) -> PipelineBar:
        """Keep the bar at the top of whatever the camera shows (zooms and pans), at the
        same apparent size and line weight."""
        from manim import config

        frame = scene.camera.frame
        ratio = self.width / config.frame_width
        offset = (self.get_center() - frame.get_center()) / config.frame_width
        strokes = [(m, m.get_stroke_width()) for m in self.family_members_with_points()]

        def follow(bar: PipelineBar) -> None:
            scale = frame.width / config.frame_width
            bar.scale_to_fit_width(ratio * config.frame_width * scale)
            bar.move_to(frame.get_center() + offset * config.frame_width * scale)
            for member, width in strokes:
                member.set_stroke(width=width * scale, family=False)

        self.add_updater(follow)
        # its updater moves it only when the camera moves: NarratedScene redraws the bar
        # alone each frame instead of everything added after it (see scene.py)
        self.pinned_to_camera = True
        return self


# --------------------------------------------------------------------------- chapters 6 and 7: mixtures

# The two chat-stage mixtures at 48abd7d, in conversations (rows of the mixture, not tokens),
# in the same order so the parts line up between the two bars. Each part is
# (key, the skill it teaches, its size as shown, conversations, colour).
# scripts/mid_train.py:98-106 (GSM8K train is 7,473; the identity file is used twice).
MIDTRAINING_MIX = (
    ("chat", "turn-taking", "460K", 460_000, TOKEN),
    ("spelling", "spelling", "280K", 280_000, OPTIMIZER),
    ("choice", "multiple-choice", "100K", 99_842, KEY),
    ("maths", "calculator", "7.5K", 7_473, MONEY),
    ("identity", "identity", "2 × 1K", 2_000, HIGHLIGHT),
)
# scripts/chat_sft.py:84-92 (ARC-Easy 2,251 + ARC-Challenge 1,119 train questions).
SFT_MIX = (
    ("chat", "turn-taking", "10K", 10_000, TOKEN),
    ("spelling", "spelling", "0.6K", 600, OPTIMIZER),
    ("choice", "multiple-choice", "3.4K", 3_370, KEY),
    ("maths", "calculator", "7.5K", 7_473, MONEY),
    ("identity", "identity", "1K", 1_000, HIGHLIGHT),
)


class MixtureBar(VGroup):
    """A training mixture as one upright bar: each part's height is its share of the
    conversations, and a label beside it names the skill it teaches and its size.

    ``parts`` are ``(key, skill, amount, conversations, colour)`` (see ``MIDTRAINING_MIX``);
    parts too thin to see get ``min_part`` of height. Named parts: ``.outline``,
    ``.segments[key]``, ``.labels[key]`` (skill and amount on one line), ``.leaders[key]``
    (a line from the part to its label). ``grow(key)`` draws one part and its label;
    ``labels=False`` draws the bar alone.

    >>> bar = MixtureBar(MIDTRAINING_MIX)
    >>> bar.keys
    ['chat', 'spelling', 'choice', 'maths', 'identity']
    >>> round(float(bar.segments["chat"].height / bar.segments["spelling"].height), 2)
    1.64
    >>> tops = [bar.labels[k].get_y() for k in bar.keys]
    >>> all(a > b for a, b in zip(tops, tops[1:]))  # labels keep the parts' order, no overlap
    True
    """

    def __init__(
        self,
        parts: Sequence[tuple],
        height: float = 5.6,
        width: float = 0.8,
        labels: bool = True,
        min_part: float = 0.04,
        reach: float = 0.8,
        label_gap: float = 0.14,
    ) -> None:
        super().__init__()
        total = sum(part[3] for part in parts)
        self.keys = [part[0] for part in parts]
        self.parts = {part[0]: part for part in parts}
        self.total = total
        self.outline = Rectangle(
            width=width, height=height, stroke_color=STRUCTURE, stroke_width=THIN
        )
        self.segments: dict[str, Rectangle] = {}
        top = height / 2
        for key, _, _, count, colour in parts:
            h = max(height * count / total, min_part)
            segment = Rectangle(
                width=width, height=h, stroke_color=colour, stroke_width=1.0,
                fill_color=colour, fill_opacity=0.75,
            )  # fmt: skip
            segment.move_to([0, top - h / 2, 0])
            top -= h
            self.segments[key] = segment
        self.add(self.outline, *self.segments.values())
        self.labels: dict[str, VGroup] = {}
        self.leaders: dict[str, Line] = {}
        if not labels:
            return
        for key, skill, amount, _, colour in parts:
            name = prose(skill, size=LABEL_SIZE, color=TEXT)
            size = mono(amount, size=SMALL_SIZE, color=colour)
            self.labels[key] = VGroup(name, size).arrange(RIGHT, buff=0.25, aligned_edge=DOWN)
        # labels at their parts' heights, pushed apart (top to bottom) so none overlap
        step = max(label.height for label in self.labels.values()) + label_gap
        ys = [self.segments[k].get_y() for k in self.keys]
        for i in range(1, len(ys)):
            ys[i] = min(ys[i], ys[i - 1] - step)
        floor = -height / 2 - step  # at most one label's step below the bar
        if ys[-1] < floor:
            ys[-1] = floor
            for i in range(len(ys) - 2, -1, -1):
                ys[i] = max(ys[i], ys[i + 1] + step)
        x = width / 2 + reach
        for key, y in zip(self.keys, ys, strict=True):
            label = self.labels[key]
            label.move_to([x + label.width / 2, y, 0])
            start = [width / 2 + 0.06, self.segments[key].get_y(), 0]
            self.leaders[key] = Line(start, [x - 0.1, y, 0], stroke_width=THIN, color=DIM)
        self.add(*self.leaders.values(), *self.labels.values())

    def part(self, key: str) -> VGroup:
        """One part: its segment, and its leader and label if it has them."""
        extras = [self.leaders[key], self.labels[key]] if key in self.labels else []
        return VGroup(self.segments[key], *extras)

    def grow(self, key: str) -> Animation:
        """Draw one part: the segment grows down from its top, then its label comes in."""
        from manim import Create, GrowFromEdge, Succession

        steps = [GrowFromEdge(self.segments[key], UP)]
        if key in self.labels:
            steps.append(
                AnimationGroup(
                    Create(self.leaders[key]), FadeIn(self.labels[key], shift=LEFT * 0.2)
                )
            )
        return Succession(*steps)


class RateBar(VGroup):
    """A learning rate as a share of pretraining's: a named track, filled to ``percent``,
    with the number at its end. ``to(percent)`` moves the fill and the number together.

    >>> bar = RateBar("SFT", 100)
    >>> _ = bar.to(2)  # the fill's target: 2 % of the track
    >>> round(float(bar.fill.target.width / bar.track.width), 2)
    0.02
    """

    def __init__(self, name: str, percent: float, width: float = 6.0, colour=None) -> None:
        colour = colour or OPTIMIZER
        track = Rectangle(width=width, height=0.42, stroke_color=FAINT, stroke_width=THIN)
        fill = Rectangle(
            width=max(width * percent / 100, 0.02), height=0.42, stroke_width=0,
            fill_color=colour, fill_opacity=0.8,
        ).align_to(track, LEFT)  # fmt: skip
        label = prose(name, size=LABEL_SIZE, color=TEXT).next_to(track, LEFT, buff=0.35)
        value = DecimalNumber(percent, num_decimal_places=0, unit=r"\%", font_size=LABEL_SIZE)
        value.set_color(TEXT).next_to(track, RIGHT, buff=0.3)
        super().__init__(track, fill, label, value)
        self.track, self.fill, self.label, self.value = track, fill, label, value
        self.width_full, self.percent = width, percent

    def to(self, percent: float) -> Animation:
        """The fill and the number move to ``percent`` together (digits never scramble)."""
        from manim import ChangeDecimalToValue

        self.percent = percent
        width = max(self.width_full * percent / 100, 0.02)
        left = self.track.get_left()
        target = self.fill.copy().stretch_to_fit_width(width).move_to(left, aligned_edge=LEFT)
        self.fill.target = target
        return AnimationGroup(
            self.fill.animate.become(target), ChangeDecimalToValue(self.value, percent)
        )
