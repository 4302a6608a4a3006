"""Chapter 2: how the pieces fit: one model borrowed by every stage, a checkpoint handed
from stage to stage, one task file that teaches and grades, and the depth dial that sizes
the model and sets the budget.

Narration: script/02-architecture.md. Render alone with
``uv run manim -pql scenes/02_architecture.py``.

The model is the shared ``ModelStack`` throughout: a training script (a short code panel)
borrows it and its optimizers, it saves a checkpoint that rides a track of checkpoint
folders, it learns from and is graded on one GSM8K problem, and the shared ``DepthDial``
regrows it (layers, width, heads) while its parameters, tokens and compute tick beside it
and the three budgets snap onto the dial. Local pictures: ``CodePanel``, ``FilePage``,
``Folder``, ``HandKnob`` and ``sized_model``.
"""

from __future__ import annotations

import math

import numpy as np
from manim import (
    DOWN,
    LEFT,
    PI,
    RIGHT,
    UP,
    AnimationGroup,
    Arrow,
    Brace,
    ChangeDecimalToValue,
    Circle,
    Create,
    DashedLine,
    DecimalNumber,
    FadeIn,
    FadeOut,
    FadeTransform,
    GrowFromCenter,
    Indicate,
    LaggedStart,
    Line,
    Rectangle,
    ReplacementTransform,
    SurroundingRectangle,
    TransformFromCopy,
    ValueTracker,
    VGroup,
    Write,
    always_redraw,
    there_and_back,
)
from mobjects import DepthDial, Labelled, ModelStack, PriceTag, TokenCell
from style import (
    CONTENT_CENTRE,
    DIM,
    FAINT,
    HIGHLIGHT,
    LABEL_SIZE,
    LOSS,
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
    maths,
    mono,
    prose,
    setup_canvas,
)
from transitions import closing, opening

from explainer.scene import NarratedScene

# ---- what the chapter shows (all at nanochat commit 48abd7d)
TRAIN_SCRIPT = [  # base_train.py, simplified and written fresh: (indent, code)
    (0, "from nanochat.gpt import GPT"),
    (0, "model = GPT(depth=20)"),
    (0, "opt = model.setup_optimizers()"),
    (0, "for step in range(21_400):"),
    (1, "loss = model(x, y)"),
    (1, "loss.backward(); opt.step()"),
    (0, 'save_checkpoint(model, "base")'),
]
FOLDERS = ["base_checkpoints", "mid_checkpoints", "chatsft_checkpoints"]
HANDOFFS = [("mid_train.py", '"base"'), ("chat_sft.py", '"mid"')]  # script, checkpoint it loads
# tasks/gsm8k.py's example problem (a row of GSM8K's training split), its answer abridged
QUESTION = [
    "Weng earns $12 an hour for babysitting.",
    "Yesterday, she just did 50 minutes of",
    "babysitting. How much did she earn?",
]
ANSWER = [  # (text, calculator call, its result, text after)
    ("12/60 = $", "12/60", "0.2", "0.2 per minute."),
    ("0.2 x 50 = $", "0.2*50", "10", "10."),
]
FINAL = "#### 10"
VOCAB = 65536
TOKENS_PER_PARAM = 20  # Chinchilla (base_train.py:43)
TIERS = [(20, "$100"), (26, "$300"), (32, "$1,000")]
BY_HAND = [("data shards", (240, 450, 800)), ("rows per GPU", (32, 16, 8))]

# ---- layout
MODEL_RIGHT = np.array([3.3, CONTENT_CENTRE[1], 0])  # the model beside the code panel
DIAL_AT = np.array([-5.35, 0.35, 0])
STACK_AT = np.array([0.1, CONTENT_CENTRE[1], 0])  # the dial's model
READOUT_X = 2.75  # left edge of the readout column
MODEL_HOVER = 1.05  # height of the model above the checkpoint track
FOLDER_Y = -2.45
FOLDER_XS = (-4.6, 0.0, 4.6)


def sizes(depth: float) -> dict[str, float]:
    """What the depth sets at launch (base_train.py:89-92, 147-150; gpt.py parameter count).

    >>> s = sizes(20)
    >>> s["width"], s["heads"], round(s["params"] / 1e6), round(s["tokens"] / 1e9, 1)
    (1280, 10, 561, 11.2)
    >>> round(sizes(32)["params"]), round(sizes(26)["compute"] / 1e19, 1)
    (1879048192, 14.0)
    """
    width = 64 * depth
    params = 2 * VOCAB * width + 12 * width**2 * depth
    tokens = TOKENS_PER_PARAM * params
    return {
        "layers": depth,
        "width": width,
        "heads": math.ceil(width / 128 - 1e-9),
        "params": params,
        "tokens": tokens,
        "compute": 6 * params * tokens,
    }


def sized_model(depth: float, heads_shown: float = 0.0) -> VGroup:
    """The shared model at ``depth``: as many blocks as layers, as wide as 64 x depth, cut
    into its attention heads (lines drawn at ``heads_shown`` opacity)."""
    layers = max(1, round(depth))
    model = ModelStack(layers=layers, width=2.8 * depth / 20, label=None).move_to(STACK_AT)
    cuts = VGroup()
    if heads_shown > 0.01:
        blocks = model.blocks
        count = max(1, round(64 * depth / 128))
        step = blocks.width / count
        for h in range(1, count):
            x = blocks.get_left()[0] + h * step
            cuts.add(Line([x, blocks.get_bottom()[1], 0], [x, blocks.get_top()[1], 0]))
        cuts.set_stroke(HIGHLIGHT, 1.5, opacity=heads_shown)
    return VGroup(model, cuts)


# --------------------------------------------------------------------------- pictures


def checkpoint_icon() -> VGroup:
    """A checkpoint at a glance: two small pages (weights and settings) side by side."""
    pages = VGroup()
    for colour in (TOKEN, TEXT):
        page = Rectangle(width=0.42, height=0.55, stroke_color=STRUCTURE, stroke_width=THIN)
        lines = VGroup(
            *[Line(LEFT * 0.12, RIGHT * 0.12, stroke_width=2, color=colour) for _ in range(3)]
        ).arrange(DOWN, buff=0.09)
        pages.add(VGroup(page, lines.move_to(page)))
    return pages.arrange(RIGHT, buff=0.12)


class CodePanel(Labelled):
    """A few lines of code under a file name, in a frame; ``point(i)`` moves a highlight
    onto line ``i`` (or several).

    >>> panel = CodePanel("run.py", [(0, "x = 1"), (1, "y = 2")])
    >>> len(panel.rows), panel.title.text
    (2, 'run.py')
    """

    def __init__(self, title: str, lines, size: float = SMALL_SIZE, pad: float = 0.35):
        rows = VGroup(*[mono(code, size=size) for _, code in lines])
        rows.arrange(DOWN, aligned_edge=LEFT, buff=0.24)
        indent = mono("    ", size=size).width or 4 * mono("x", size=size).width
        for row, (level, _) in zip(rows, lines, strict=True):
            row.shift(RIGHT * indent * level)
        title = mono(title, size=SMALL_SIZE, color=DIM)
        frame = Rectangle(
            width=rows.width + 2 * pad,
            height=rows.height + 2 * pad + 0.55,
            stroke_color=STRUCTURE,
            stroke_width=STROKE,
        )
        frame.move_to(rows).shift(UP * 0.275)
        tab = Rectangle(width=frame.width, height=0.55, stroke_width=0).align_to(frame, UP)
        rule = Line(tab.get_corner(DOWN + LEFT), tab.get_corner(DOWN + RIGHT))
        rule.set_stroke(FAINT, THIN)
        marker = Rectangle(width=frame.width - 0.16, height=0.42, stroke_width=0)
        marker.set_fill(HIGHLIGHT, 0.16).move_to(rows[0]).set_x(frame.get_x())
        marker.set_opacity(0)
        super().__init__(frame, rule, title, marker, rows)
        self.fit_label(title, tab, pad=0.08)
        self.frame, self.title, self.rows, self.marker = frame, title, rows, marker

    def point(self, *indices: int):
        """Move the highlight onto lines ``indices`` (one band around all of them)."""
        rows = VGroup(*[self.rows[i] for i in indices])
        return (
            self.marker.animate.set_fill(HIGHLIGHT, 0.16)
            .stretch_to_fit_height(rows.height + 0.2)
            .move_to([self.frame.get_x(), rows.get_y(), 0])
        )


class FilePage(Labelled):
    """A file on disk: a page with its contents drawn inside and its name beneath.

    ``lines`` are mono strings written on the page; without them the page is filled with
    rows of tiny numbers (weights), drawn as short strokes.
    """

    def __init__(self, name: str, lines=None, width: float = 2.2, height: float = 2.6):
        page = Rectangle(width=width, height=height, stroke_color=STRUCTURE, stroke_width=STROKE)
        if lines:
            body = VGroup(*[mono(text, size=SMALL_SIZE) for text in lines])
            body.arrange(DOWN, aligned_edge=LEFT, buff=0.2)
        else:
            rng = np.random.default_rng(7)
            body = VGroup()
            for row in range(9):
                for col in range(6):
                    length = 0.12 + 0.14 * rng.random()
                    dash = Line(LEFT * length / 2, RIGHT * length / 2, stroke_width=3)
                    dash.set_color(TOKEN if rng.random() > 0.4 else LOSS)
                    body.add(dash.move_to([col * 0.3, -row * 0.24, 0]))
        caption = mono(name, size=SMALL_SIZE, color=TEXT).next_to(page, DOWN, buff=0.2)
        super().__init__(page, body, caption)
        if lines:
            self.fit_label(body, page, pad=0.2)
        else:
            body.move_to(page)
        self.page, self.body, self.caption = page, body, caption


class Folder(Labelled):
    """A checkpoint folder: a box with a tab, its name and model tag inside."""

    def __init__(self, name: str, tag: str = "d20", width: float = 4.1, height: float = 1.9):
        box = Rectangle(width=width, height=height, stroke_color=STRUCTURE, stroke_width=STROKE)
        tab = Rectangle(width=width * 0.35, height=0.18, stroke_color=STRUCTURE)
        tab.set_stroke(width=STROKE).next_to(box, UP, buff=0).align_to(box, LEFT)
        label = VGroup(mono(name, size=SMALL_SIZE), mono(tag, size=SMALL_SIZE, color=DIM))
        label.arrange(DOWN, buff=0.1)
        super().__init__(box, tab, label)
        self.fit_label(label, box, pad=0.1)
        label.align_to(box, UP).shift(DOWN * 0.15)
        self.box, self.tab, self.label = box, tab, label
        self.slot = Rectangle(width=1.2, height=0.7, stroke_width=0).move_to(box)
        self.slot.align_to(box, DOWN).shift(UP * 0.1)  # where a checkpoint sits inside
        self.add(self.slot)


class HandKnob(VGroup):
    """A small knob turned by hand: three notches for d20, d26 and d32 with the value each
    needs, and a pointer that starts on the first.

    >>> knob = HandKnob("rows", (32, 16, 8))
    >>> len(knob.values), knob.values[0].text
    (3, '32')
    """

    def __init__(self, name: str, values, radius: float = 0.5):
        face = Rectangle(width=2 * radius, height=2 * radius, stroke_width=0)
        ring = Circle(radius=radius, stroke_color=STRUCTURE, stroke_width=STROKE)
        self.angles = [PI * 0.75, PI * 0.5, PI * 0.25]
        marks = VGroup()
        labels = VGroup()
        for angle, value in zip(self.angles, values, strict=True):
            direction = np.array([math.cos(angle), math.sin(angle), 0])
            marks.add(Line(direction * radius * 0.8, direction * radius, color=DIM))
            labels.add(mono(str(value), size=SMALL_SIZE).move_to(direction * (radius + 0.3)))
        self.radius = radius
        pointer = Line(np.zeros(3), self._tip(0), stroke_width=5, color=TEXT)
        name_label = maths(rf"\text{{{name}}}", size=SMALL_SIZE + 4, color=DIM)
        name_label.next_to(ring, DOWN, buff=0.2)
        super().__init__(face, ring, marks, labels, pointer, name_label)
        self.ring, self.values, self.pointer, self.name = ring, labels, pointer, name_label

    def _tip(self, notch: int):
        angle = self.angles[notch]
        return np.array([math.cos(angle), math.sin(angle), 0]) * self.radius * 0.75

    def turn(self, notch: int):
        """Turn the pointer to notch ``notch`` and highlight that value."""
        from manim import Rotate

        centre = self.ring.get_center()
        current = self.pointer.get_end() - centre
        angle = self.angles[notch] - math.atan2(current[1], current[0])
        return AnimationGroup(
            Rotate(self.pointer, angle=angle, about_point=centre),
            *[
                label.animate.set_color(HIGHLIGHT if i == notch else DIM)
                for i, label in enumerate(self.values)
            ],
        )


class PassStrip(VGroup):
    """One optimizer step of 524,288 tokens, cut into the passes that fill it: with fewer
    rows per GPU each pass holds less, so more passes run one after another.

    >>> strip = PassStrip()
    >>> len(strip.cells), len(strip.labels)
    (1, 1)
    >>> _ = strip.split(4)
    >>> len(strip.labels), float(strip.labels[0].get_fill_opacity())
    (4, 0.0)
    """

    def __init__(self, width: float = 3.9, height: float = 0.4):
        self.size = (width, height)
        self.cells, self.labels = self._parts(1)
        super().__init__(self.cells, self.labels)

    def _parts(self, passes: int) -> tuple[VGroup, VGroup]:
        width, height = self.size
        cells = VGroup(
            *[
                Rectangle(
                    width=width / passes,
                    height=height,
                    stroke_color=STRUCTURE,
                    stroke_width=STROKE,
                    fill_color=HIGHLIGHT,
                    fill_opacity=0.0,
                )
                for _ in range(passes)
            ]
        ).arrange(RIGHT, buff=0)
        if hasattr(self, "cells"):
            cells.move_to(self.cells)
        names = ["1 pass"] if passes == 1 else [str(i + 1) for i in range(passes)]
        labels = VGroup(
            *[mono(n, size=SMALL_SIZE).move_to(c) for n, c in zip(names, cells, strict=True)]
        )
        return cells, labels

    def split(self, passes: int):
        """Redraw the step as ``passes`` empty passes: the cell walls slide into place, then
        the new numbers come in (the old ones are gone first; the new ones wait, unseen,
        in the strip until then)."""
        from manim import FadeOut, Succession, Transform

        target, labels = self._parts(passes)
        old_labels = self.labels
        self.remove(old_labels)  # it fades out on its own, not as part of the strip
        labels.set_opacity(0)
        self.add(labels)
        self.labels = labels
        return Succession(
            AnimationGroup(Transform(self.cells, target), FadeOut(old_labels)),
            labels.animate.set_opacity(1),
        )

    def run(self):
        """The passes fill the step one after another: parallel work made sequential."""
        from manim import Succession

        return Succession(*[cell.animate.set_fill(opacity=0.45) for cell in self.cells])


# --------------------------------------------------------------------------- the chapter


class Architecture(NarratedScene):
    def construct(self):
        setup_canvas()
        bar, model = opening(self, 2)
        model, panel, optimizers = self.borrow_the_model(bar, model)
        model = self.hand_over_checkpoints(model, panel, optimizers)
        model = self.follow_one_problem(model)
        dial, stack, readouts = self.turn_the_dial(model)
        tags = self.land_on_budgets(dial, stack, readouts)
        stack = self.set_the_rest_by_hand(stack, readouts)
        model = self.hand_over_to_tokenizer(bar, dial, stack, tags)
        self.play(closing(self, model, None))

    # ------------------------------------------------------------------ one model, borrowed

    def borrow_the_model(self, bar, model):
        with self.beat("library") as beat:
            # six stages, six copies of the model? No: one, written once and shared
            label = model.label
            model.remove(label)
            copies = VGroup(*[model.copy() for _ in bar.boxes])
            self.remove(model)
            self.add(copies)
            self.play(
                bar.enter(2),
                FadeOut(label),
                *[
                    copy.animate.scale(0.36).move_to([box.get_x(), 0.2, 0])
                    for copy, box in zip(copies, bar.boxes, strict=True)
                ],
                run_time=STEADY,
            )
            self.play(
                LaggedStart(*[c.pulse(lag=0.04) for c in copies], lag_ratio=0.1),
                run_time=max(beat.until("once"), QUICK),
            )
            home = model.copy().scale(0.9).move_to(MODEL_RIGHT)
            self.play(
                *[copy.animate.become(home) for copy in copies],
                run_time=beat.until("model"),
            )
            self.remove(copies)
            model = home
            self.add(model)
            tag = mono("nanochat/gpt.py", size=LABEL_SIZE, color=TOKEN)
            tag.next_to(model.head, UP, buff=0.25)
            self.play(
                Write(tag),
                LaggedStart(
                    *[
                        b.animate(rate_func=there_and_back).set_fill(TOKEN, 0.5)
                        for b in model.blocks
                    ],
                    lag_ratio=0.05,
                ),
                run_time=beat.until("script"),
            )
            panel = CodePanel("scripts/base_train.py", TRAIN_SCRIPT)
            panel.move_to([-3.45, CONTENT_CENTRE[1] + 0.2, 0])
            self.play(FadeIn(panel, shift=RIGHT * 0.4), run_time=STEADY)
            pull = Arrow(
                panel.rows[1].get_right() + RIGHT * 0.2,
                model.blocks.get_left() + LEFT * 0.1 + UP * 0.4,
                buff=0.1,
                color=TOKEN,
                stroke_width=4,
            )
            self.play(panel.point(0, 1), Create(pull), run_time=beat.until("opt"))
            # the model hands out its optimizers: Muon for the block matrices, AdamW for
            # the input and output tables
            muon = Brace(model.blocks, RIGHT, color=OPTIMIZER, buff=0.25)
            muon_label = mono("Muon", size=SMALL_SIZE, color=OPTIMIZER)
            muon_label.next_to(muon, RIGHT, buff=0.12)
            adam = VGroup(
                *[
                    Line(
                        slab.get_right() + RIGHT * 0.2,
                        slab.get_right() + RIGHT * 0.5,
                        stroke_width=6,
                        color=OPTIMIZER,
                    )
                    for slab in (model.embed, model.head)
                ]
            )
            adam_label = mono("AdamW", size=SMALL_SIZE, color=OPTIMIZER)
            adam_label.next_to(adam[0], RIGHT, buff=0.12)
            optimizers = VGroup(muon, muon_label, adam, adam_label)
            self.play(
                panel.point(2),
                FadeOut(pull),
                GrowFromCenter(muon),
                FadeIn(muon_label, shift=LEFT * 0.2),
                LaggedStart(*[Create(a) for a in adam], lag_ratio=0.3),
                FadeIn(adam_label, shift=LEFT * 0.2),
                run_time=beat.until("loop"),
            )
            # the loop: predict (a pass up the stack), the loss at the top, a step
            self.play(panel.point(3, 4, 5), run_time=QUICK)
            rounds = 2
            each = max(beat.remaining / rounds, QUICK * 3)
            for _ in range(rounds):
                self.play(model.pulse(lag=0.05), run_time=each * 0.45)
                self.play(
                    model.head.animate(rate_func=there_and_back).set_fill(LOSS, 0.8),
                    run_time=each * 0.2,
                )
                self.play(
                    Indicate(VGroup(muon, adam), color=OPTIMIZER, scale_factor=1.05),
                    run_time=each * 0.35,
                )
            return model, panel, VGroup(optimizers, tag)

    # ------------------------------------------------------------------ a checkpoint, handed on

    def hand_over_checkpoints(self, model, panel, optimizers):
        with self.beat("checkpoint") as beat:
            self.play(panel.point(6), run_time=beat.until("save"))
            weights = FilePage("model_021400.pt").move_to([-4.6, CONTENT_CENTRE[1] + 0.3, 0])
            meta = FilePage("meta_021400.json", ["depth: 20", "width: 1280", "heads: 10"])
            meta.move_to([-1.0, CONTENT_CENTRE[1] + 0.3, 0])
            self.play(FadeOut(panel, shift=LEFT * 0.5), FadeOut(optimizers), run_time=QUICK)
            self.play(
                TransformFromCopy(model.blocks, weights.page),
                FadeIn(weights.caption),
                run_time=beat.until("weights"),
            )
            self.play(
                LaggedStart(*[Create(d) for d in weights.body], lag_ratio=0.01),
                run_time=beat.until("shape"),
            )
            self.play(
                TransformFromCopy(model.blocks, meta.page),
                FadeIn(meta.caption),
                run_time=QUICK,
            )
            self.play(Write(meta.body), run_time=beat.until("mid"))
            # the track: checkpoint folders, left to right, joined by the scripts that load
            # one and write the next
            folders = VGroup(*[Folder(name) for name in FOLDERS])
            for folder, x in zip(folders, FOLDER_XS, strict=True):
                folder.move_to([x, FOLDER_Y, 0])
            arcs = VGroup(
                *[
                    Arrow(
                        a.box.get_top() + RIGHT * 0.9,
                        b.box.get_top() + LEFT * 0.9,
                        path_arc=-PI / 2.2,
                        buff=0.1,
                        color=STRUCTURE,
                        stroke_width=3,
                    )
                    for a, b in zip(folders[:-1], folders[1:], strict=True)
                ]
            )
            scripts = VGroup(
                *[
                    mono(name, size=SMALL_SIZE).move_to([arc.get_x(), arc.get_top()[1] + 0.3, 0])
                    for arc, (name, _) in zip(arcs, HANDOFFS, strict=True)
                ]
            )
            first = mono("base_train.py", size=SMALL_SIZE)
            first.move_to([FOLDER_XS[0] - 0.55, scripts[0].get_y(), 0])
            into = Arrow(
                first.get_bottom(),
                folders[0].tab.get_top() + RIGHT * 0.2,
                buff=0.1,
                color=STRUCTURE,
            )
            icon = checkpoint_icon().move_to(folders[0].slot)
            label = model.label
            model.remove(label)
            self.play(
                FadeOut(VGroup(weights.body, weights.caption, meta.body, meta.caption, label)),
                run_time=QUICK,
            )
            self.play(
                ReplacementTransform(VGroup(weights.page, meta.page), icon),
                model.animate.scale(0.45).move_to([FOLDER_XS[0], MODEL_HOVER, 0]),
                LaggedStart(*[FadeIn(f, shift=UP * 0.2) for f in folders], lag_ratio=0.2),
                FadeIn(first),
                Create(into),
                run_time=STEADY,
            )
            stored = VGroup(icon)
            for index, ((_script, source), mark, until) in enumerate(
                zip(HANDOFFS, ("mid", "next"), ("next", "speedrun"), strict=True)
            ):
                beat.wait_until(mark)
                loads = mono(f"load_model({source})", size=SMALL_SIZE, color=TOKEN)
                spot = np.array([arcs[index].get_x(), MODEL_HOVER, 0])
                loads.next_to(spot, RIGHT, buff=0.95)
                carried = stored[-1].copy()
                self.play(
                    model.animate.move_to(spot),
                    Create(arcs[index]),
                    FadeIn(scripts[index]),
                    FadeIn(loads, shift=DOWN * 0.2),
                    run_time=QUICK,
                )
                self.play(
                    carried.animate.move_to(model.embed).scale(0.3).set_opacity(0),
                    run_time=QUICK,
                )
                self.remove(carried)
                span = beat.until(until)
                self.play(model.pulse(lag=0.05), run_time=max(span - 2 * QUICK, QUICK))
                saved = stored[-1].copy().move_to(folders[index + 1].slot)
                self.play(
                    TransformFromCopy(model.blocks, saved),
                    FadeOut(loads),
                    run_time=QUICK,
                )
                stored.add(saved)
            # speedrun.sh sets all this up and runs it, with RL left commented out
            runner = mono("speedrun.sh", size=40, color=HIGHLIGHT).move_to([0, 1.9, 0])
            installs = VGroup(
                mono("uv sync --extra gpu", size=SMALL_SIZE),
                mono("rustup, then maturin builds rustbpe", size=SMALL_SIZE),
            ).arrange(DOWN, buff=0.22, aligned_edge=LEFT)
            installs.next_to(runner, DOWN, buff=0.3)
            self.play(FadeOut(model, shift=UP * 0.3), run_time=QUICK)
            self.play(FadeIn(runner, shift=DOWN * 0.2), run_time=QUICK)
            self.play(
                LaggedStart(*[FadeIn(line, shift=RIGHT * 0.2) for line in installs], lag_ratio=0.5),
                run_time=beat.until("order"),
            )
            order = [first, *scripts]
            cursor = SurroundingRectangle(first, color=HIGHLIGHT, buff=0.1)
            self.play(Create(cursor), run_time=QUICK)
            step = max(beat.time_until("rl") / 2 - 0.05, QUICK)
            for script in order[1:]:
                self.play(
                    cursor.animate.become(SurroundingRectangle(script, color=HIGHLIGHT, buff=0.1)),
                    run_time=step,
                )
            ghost = mono("# chat_rl.py", size=SMALL_SIZE, color=DIM)
            ghost.move_to([FOLDER_XS[2] + 0.4, scripts[0].get_y() + 0.8, 0])
            skip = DashedLine(
                folders[2].tab.get_top() + UP * 0.05,
                ghost.get_bottom() + DOWN * 0.1,
                color=FAINT,
            )
            self.play(
                cursor.animate.become(SurroundingRectangle(ghost, color=FAINT, buff=0.1)),
                FadeIn(ghost),
                Create(skip),
                run_time=beat.until(),
            )
            track = VGroup(
                folders, arcs, scripts, first, into, stored, runner, installs, cursor, ghost, skip
            )
            self.track = track
            model = ModelStack(label=None).scale(0.75).move_to([4.6, CONTENT_CENTRE[1], 0])
            return model

    # ------------------------------------------------------------------ one task: lesson, reward, exam

    def follow_one_problem(self, model):
        with self.beat("task") as beat:
            self.play(FadeOut(self.track, shift=DOWN * 0.3), run_time=QUICK)
            self.play(FadeIn(model, shift=LEFT * 0.3), run_time=QUICK)
            self.play(model.pulse(lag=0.05), run_time=beat.until("problem"))
            card = self.problem_card().move_to([-2.6, 0.6, 0])
            self.play(FadeIn(card, shift=RIGHT * 0.3), run_time=beat.until("conv"))
            chat = self.problem_chat().move_to(card).align_to(card, LEFT)
            self.play(
                FadeTransform(card.answer, chat.answer),
                FadeTransform(card.question, chat.question),
                FadeTransform(card.head, chat.head),
                run_time=STEADY,
            )
            self.play(Indicate(chat.calls, color=HIGHLIGHT), run_time=beat.until("train"))
            # lessons: midtraining and fine-tuning learn from the chat
            for name in ("midtraining", "SFT"):
                lesson = chat.copy()
                stage = prose(name, size=SMALL_SIZE, color=TRAINED)
                stage.next_to(model, UP, buff=0.15)
                self.play(FadeIn(stage, shift=DOWN * 0.2), run_time=QUICK / 2)
                self.play(
                    lesson.animate.scale(0.12).move_to(model.bottom_port()).set_opacity(0),
                    run_time=QUICK,
                )
                self.remove(lesson)
                self.play(
                    model.pulse(lag=0.05),
                    FadeOut(stage),
                    run_time=max(beat.time_until("grade") / 2 - QUICK, QUICK),
                )
            beat.wait_until("grade")
            # the grader: the number after #### in the model's answer against the reference
            answers = VGroup(
                mono("... #### 10", size=LABEL_SIZE), mono("... #### 12", size=LABEL_SIZE)
            ).arrange(DOWN, buff=0.35, aligned_edge=LEFT)
            answers.move_to([-1.6, -2.5, 0])
            reference = chat.final
            first = answers[0]
            self.play(
                TransformFromCopy(model.head, first),
                reference.animate.set_color(HIGHLIGHT),
                run_time=QUICK,
            )
            same = Line(reference.get_bottom(), first.get_top(), color=HIGHLIGHT, stroke_width=2)
            self.play(Create(same), first[-2:].animate.set_color(HIGHLIGHT), run_time=QUICK)
            marks = VGroup(maths(r"\checkmark\ 1", color=TRAINED), maths(r"\times\ 0", color=LOSS))
            for mark, answer in zip(marks, answers, strict=True):
                mark.next_to(answer, RIGHT, buff=0.5)
            self.play(FadeIn(marks[0], shift=LEFT * 0.2), run_time=beat.until("reward"))
            reward = prose("reward", size=LABEL_SIZE, color=TRAINED)
            reward.next_to(marks, RIGHT, buff=0.5)
            self.play(
                FadeOut(same),
                TransformFromCopy(model.head, answers[1]),
                run_time=QUICK,
            )
            self.play(
                FadeIn(marks[1], shift=LEFT * 0.2),
                answers[1][-2:].animate.set_color(LOSS),
                FadeIn(reward),
                run_time=beat.until("exam"),
            )
            # the exam: unseen test problems, each graded the same way
            tests = VGroup(
                *[TokenCell("test", DIM, size=LABEL_SIZE, min_width=1.2) for _ in range(6)]
            )
            tests.arrange(RIGHT, buff=0.25).move_to([-2.4, 0.2, 0])
            grades = VGroup(
                *[
                    Rectangle(width=0.9, height=0.26, stroke_width=0).set_fill(
                        TRAINED if ok else LOSS, 0.8
                    )
                    for ok in (True, False, False, True, False, False)
                ]
            )
            for grade, cell in zip(grades, tests, strict=True):
                grade.next_to(cell, DOWN, buff=0.2)
            evaluator = mono("chat_eval: GSM8K test", size=LABEL_SIZE, color=TEXT)
            evaluator.next_to(tests, UP, buff=0.45)
            self.play(
                FadeOut(chat, shift=UP * 0.3),
                FadeOut(VGroup(answers, marks, reward), shift=DOWN * 0.3),
                run_time=QUICK,
            )
            self.play(
                FadeIn(evaluator),
                LaggedStart(*[FadeIn(t, shift=DOWN * 0.2) for t in tests], lag_ratio=0.1),
                run_time=QUICK,
            )
            self.play(
                LaggedStart(*[GrowFromCenter(g) for g in grades], lag_ratio=0.2),
                model.pulse(lag=0.05),
                run_time=beat.until(),
            )
            self.exam = VGroup(tests, grades, evaluator)
            return model

    def problem_card(self) -> VGroup:
        """tasks/gsm8k.py's example: the question and its answer with calculator marks."""
        head = mono("GSM8K, train split", size=SMALL_SIZE, color=DIM)
        question = VGroup(*[mono(line, size=SMALL_SIZE) for line in QUESTION])
        question.arrange(DOWN, aligned_edge=LEFT, buff=0.14)
        answer = VGroup(
            *[
                mono(f"{before}<<{call}={result}>>{after}", size=SMALL_SIZE)
                for before, call, result, after in ANSWER
            ],
            mono(FINAL, size=SMALL_SIZE),
        ).arrange(DOWN, aligned_edge=LEFT, buff=0.14)
        card = VGroup(head, question, answer).arrange(DOWN, aligned_edge=LEFT, buff=0.35)
        card.head, card.question, card.answer = head, question, answer
        return card

    def problem_chat(self) -> VGroup:
        """The same problem as a conversation: the calculator calls become tool tokens."""
        head = mono("tasks/gsm8k.py -> conversation", size=SMALL_SIZE, color=DIM)
        user = VGroup(*[mono(line, size=SMALL_SIZE) for line in QUESTION])
        user.arrange(DOWN, aligned_edge=LEFT, buff=0.14)
        who = prose("user", size=SMALL_SIZE, color=DIM)
        question = VGroup(who, user).arrange(RIGHT, buff=0.3, aligned_edge=UP)
        rows, calls = VGroup(), VGroup()
        for before, call, result, _after in ANSWER:
            cells = [
                mono(before.rstrip(" $"), size=SMALL_SIZE),
                TokenCell(call, TOKEN, special=True, size=SMALL_SIZE),
                TokenCell(result, STRUCTURE, size=SMALL_SIZE),
            ]
            row = VGroup(*cells).arrange(RIGHT, buff=0.15)
            calls.add(VGroup(cells[1], cells[2]))
            rows.add(row)
        final = mono(FINAL, size=SMALL_SIZE)
        rows.add(final)
        rows.arrange(DOWN, aligned_edge=LEFT, buff=0.16)
        me = prose("assistant", size=SMALL_SIZE, color=TOKEN)
        answer = VGroup(me, rows).arrange(RIGHT, buff=0.3, aligned_edge=UP)
        answer.align_to(question, LEFT)
        chat = VGroup(head, question, answer).arrange(DOWN, aligned_edge=LEFT, buff=0.35)
        chat.head, chat.question, chat.answer, chat.calls, chat.final = (
            head,
            question,
            answer,
            calls,
            final,
        )
        return chat

    # ------------------------------------------------------------------ the depth dial

    def turn_the_dial(self, model):
        with self.beat("dial") as beat:
            depth = ValueTracker(20)
            heads = ValueTracker(0)
            dial = DepthDial(depth, radius=1.1, numbers=(0, 16)).move_to(DIAL_AT)
            reading = VGroup(
                maths("d =", size=44, color=HIGHLIGHT),
                DecimalNumber(20, num_decimal_places=0, font_size=44, color=HIGHLIGHT),
            )
            reading.arrange(RIGHT, buff=0.15).next_to(dial, DOWN, buff=0.55)
            reading[1].add_updater(lambda m: m.set_value(round(depth.get_value())))
            start = sized_model(20)[0]
            self.play(
                FadeOut(self.exam, shift=LEFT * 0.3),
                ReplacementTransform(model, start),
                run_time=STEADY,
            )
            self.play(FadeIn(dial), FadeIn(reading), run_time=beat.until("depth"))
            self.remove(start)
            stack = always_redraw(lambda: sized_model(depth.get_value(), heads.get_value()))
            self.add(stack)
            readouts = self.readouts(depth)
            rows = readouts.rows
            self.play(
                FadeIn(rows[0], shift=LEFT * 0.2),
                Indicate(dial.pointer, color=HIGHLIGHT),
                run_time=beat.until("width"),
            )
            self.play(FadeIn(rows[1], shift=LEFT * 0.2), run_time=beat.until("heads"))
            self.play(
                FadeIn(rows[2], shift=LEFT * 0.2),
                heads.animate.set_value(1),
                run_time=beat.until("params"),
            )
            self.play(FadeIn(rows[3], shift=LEFT * 0.2), run_time=QUICK)
            self.play(readouts.tick(3), run_time=beat.until("tokens"))
            self.play(FadeIn(rows[4], shift=LEFT * 0.2), run_time=QUICK)
            self.play(readouts.tick(4), run_time=beat.until("compute"))
            self.play(FadeIn(rows[5], shift=LEFT * 0.2), run_time=QUICK)
            self.play(readouts.tick(5), run_time=beat.until())
            readouts.follow(depth)
            stack.heads_shown = heads  # (never name an attribute 'depth' on a mobject)
            self.dial_parts = VGroup(dial, reading)
            return dial, stack, readouts

    def readouts(self, depth: ValueTracker) -> VGroup:
        """Six rows beside the model, each a name and a number that follows the dial."""
        s = sizes(20)
        specs = [
            ("layers", s["layers"], 0, None),
            ("width", s["width"], 0, None),
            ("heads", s["heads"], 0, None),
            ("parameters", s["params"] / 1e6, 0, "M"),
            ("tokens", s["tokens"] / 1e9, 1, "B"),
            ("compute", s["compute"] / 1e19, 1, r"\times 10^{19}"),
        ]
        rows = VGroup()
        for name, target, places, unit in specs:
            label = maths(rf"\text{{{name}}}", size=34, color=DIM)
            value = DecimalNumber(
                0 if unit else target,
                num_decimal_places=places,
                font_size=42,
                color=TOKEN,
                unit=unit,
                unit_buff_per_font_unit=0.003,
            )
            rows.add(VGroup(label, value))
        labels = VGroup(*[row[0] for row in rows]).arrange(DOWN, aligned_edge=LEFT, buff=0.5)
        labels.move_to([READOUT_X, CONTENT_CENTRE[1], 0], aligned_edge=LEFT)
        value_x = READOUT_X + 1.95
        for row in rows:
            row[1].move_to([value_x, row[0].get_y(), 0], aligned_edge=LEFT)
        targets = [target for _, target, _, _ in specs]
        readouts = VGroup(rows)
        readouts.rows = rows

        def tick(index: int):
            return ChangeDecimalToValue(rows[index][1], targets[index])

        def follow(tracker: ValueTracker) -> None:
            keys = ["layers", "width", "heads", "params", "tokens", "compute"]
            scale = [1, 1, 1, 1e6, 1e9, 1e19]
            for row, key, unit in zip(rows, keys, scale, strict=True):

                def update(m, key=key, unit=unit, label=row[0]):
                    d = tracker.get_value()
                    value = sizes(round(d) if key in ("layers", "width", "heads") else d)[key]
                    m.set_value(value / unit)
                    m.move_to([value_x, label.get_y(), 0], aligned_edge=LEFT)

                row[1].add_updater(update)

        readouts.tick, readouts.follow = tick, follow
        return readouts

    def land_on_budgets(self, dial, stack, readouts):
        with self.beat("tiers") as beat:
            depth = dial.setting
            tags = VGroup()
            for d, price in TIERS:
                tag = PriceTag(price, size=SMALL_SIZE)
                direction = dial._direction(d)
                tag.move_to(dial.face.get_center() + direction * 2.3)
                tags.add(tag)
            self.play(FadeIn(tags[0], shift=LEFT * 0.2), run_time=QUICK)
            for index, (mark, until) in enumerate((("d26", "p300"), ("d32", "p1000")), start=1):
                beat.wait_until(mark)
                d = TIERS[index][0]
                self.play(depth.animate.set_value(d), run_time=beat.until(until))
                self.play(
                    FadeIn(tags[index], shift=LEFT * 0.2),
                    Indicate(readouts.rows[3][1]),
                    run_time=QUICK,
                )
            beat.wait_until("one")
            self.play(
                LaggedStart(*[Indicate(t, color=MONEY) for t in tags], lag_ratio=0.3),
                run_time=beat.until(),
            )
            return tags

    def set_the_rest_by_hand(self, stack, readouts):
        with self.beat("by-hand") as beat:
            rows = readouts.rows
            for row in rows:
                row[1].clear_updaters()
            stack.clear_updaters()  # it holds still at d32 while the hand-set parts are shown
            fixed = VGroup(
                VGroup(
                    maths(r"\text{tokens per step}", size=LABEL_SIZE, color=DIM),
                    maths("524{,}288", size=36, color=TEXT),
                ),
                VGroup(
                    maths(r"\text{window}", size=LABEL_SIZE, color=DIM),
                    maths("2{,}048", size=36, color=TEXT),
                ),
            )
            fixed.arrange(DOWN, aligned_edge=LEFT, buff=0.45)
            fixed.move_to([READOUT_X, 1.6, 0], aligned_edge=LEFT)
            for row in fixed:
                row[1].move_to([READOUT_X + 2.35, row[0].get_y(), 0], aligned_edge=LEFT)
            self.play(FadeOut(rows, shift=RIGHT * 0.3), run_time=QUICK)
            self.play(
                LaggedStart(*[FadeIn(r, shift=LEFT * 0.2) for r in fixed], lag_ratio=0.4),
                run_time=beat.until("lr"),
            )
            # the two AdamW learning rates (input and output tables) shrink with the width
            model = stack[0]
            scale = maths(
                r"\text{lr} \times \sqrt{768 / \text{width}}", size=LABEL_SIZE, color=OPTIMIZER
            )
            scale.next_to(fixed, DOWN, buff=0.55).align_to(fixed, LEFT)
            self.play(
                model.embed.animate.set_fill(OPTIMIZER, 0.6),
                model.head.animate.set_fill(OPTIMIZER, 0.6),
                Write(scale),
                run_time=beat.until("shards"),
            )
            knobs = VGroup(*[HandKnob(name, values, radius=0.62) for name, values in BY_HAND])
            knobs.arrange(RIGHT, buff=0.5).move_to([READOUT_X + 1.7, -2.05, 0])
            self.play(FadeIn(knobs[0], shift=UP * 0.2), run_time=QUICK)
            self.play(knobs[0].turn(2), run_time=beat.until("batch"))
            # fewer rows per pass means more passes per step: the step itself never changes
            step = PassStrip(width=3.9).move_to([READOUT_X + 1.95, -0.42, 0])
            self.play(
                FadeIn(knobs[1], shift=UP * 0.2), FadeIn(step, shift=UP * 0.2), run_time=QUICK
            )
            self.play(step.run(), run_time=QUICK)  # d20: 32 rows on each of 8 GPUs, one pass
            share = beat.until() / 2
            for notch, passes in ((1, 2), (2, 4)):
                self.play(knobs[1].turn(notch), step.split(passes), run_time=share * 0.35)
                self.play(step.run(), run_time=share * 0.65)
            self.by_hand = VGroup(fixed, scale, knobs, step)
            return stack

    # ------------------------------------------------------------------ back to d20, and on

    def hand_over_to_tokenizer(self, bar, dial, stack, tags):
        with self.beat("next") as beat:
            depth = dial.setting
            model = stack[0]
            self.play(
                model.embed.animate.set_fill(STRUCTURE, 0.15),
                model.head.animate.set_fill(STRUCTURE, 0.15),
                run_time=QUICK,
            )
            heads = stack.heads_shown
            self.remove(stack)
            stack = always_redraw(lambda: sized_model(depth.get_value(), heads.get_value()))
            stack.heads_shown = heads
            self.add(stack)
            self.play(
                FadeOut(self.by_hand, shift=RIGHT * 0.3),
                depth.animate.set_value(20),
                stack.heads_shown.animate.set_value(0),
                FadeOut(tags[1:]),
                run_time=beat.until("text"),
            )
            still = sized_model(20)[0]
            self.remove(stack)
            self.add(still)
            question = mono("Why is the sky blue?", size=SMALL_SIZE, color=TEXT)
            question.move_to([4.5, still.embed.get_y(), 0])
            block = Line(
                question.get_left() + LEFT * 0.2, still.embed.get_right() + RIGHT * 0.2, color=FAINT
            )
            no = maths(r"\times", size=60, color=LOSS).move_to(block)
            self.play(Write(question), run_time=QUICK)
            self.play(Create(block), FadeIn(no, scale=1.5), run_time=beat.until("tok"))
            self.play(
                Indicate(bar.boxes[0], color=HIGHLIGHT),
                FadeOut(VGroup(tags[0], self.dial_parts, block, no)),
                question.animate.set_color(TOKEN),
                run_time=beat.until(),
            )
            return still
