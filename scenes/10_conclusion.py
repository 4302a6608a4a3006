"""Chapter 10: how good the model is, on one CORE axis among GPT-2's; the chat scores
against guessing; the one idea under every stage; what changed after the pinned commit;
an invitation to train your own.

Narration: script/10-conclusion.md. Render alone with
``uv run manim -pql scenes/10_conclusion.py``.

Numbers: the launch run's report card (README.md:41-61 at 48abd7d); GPT-2's CORE from
base_eval's --hf-path, first recorded in dev/estimate_gpt3_core.ipynb at 54e59c3
(2026-01-05). The "since then" beat is dated after 48abd7d and says so on screen.

Pictures: one CORE axis (``CoreAxis``) that first shows the whole scale, 0 = guessing to
1 = perfect, with the centring worked out against a raw-accuracy line, then zooms in to
where the models are; the models on it are the video's ``ModelStack``, shrunk to icons.
"""

from __future__ import annotations

import numpy as np
from manim import (
    DOWN,
    LEFT,
    RIGHT,
    UP,
    AnimationGroup,
    Brace,
    ChangeDecimalToValue,
    Circumscribe,
    Create,
    DashedLine,
    DecimalNumber,
    Dot,
    FadeIn,
    FadeOut,
    GrowFromCenter,
    GrowFromEdge,
    Indicate,
    Integer,
    LaggedStart,
    Line,
    MoveAlongPath,
    MoveToTarget,
    Rectangle,
    ReplacementTransform,
    UpdateFromFunc,
    ValueTracker,
    VGroup,
)
from mobjects import STAGES, ModelStack, PriceTag, TokenCell, TokenStrip
from style import (
    BODY_SIZE,
    CONTENT_CENTRE,
    DIM,
    FAINT,
    GHOST,
    HIGHLIGHT,
    LABEL_SIZE,
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
from transitions import closing, morph, opening

from explainer.scene import NarratedScene

# ---- scores: the launch run (README.md:41-61) and GPT-2 (base_eval --hf-path, 54e59c3)
CORE_D20 = 0.2219
GPT2 = [("124M", 0.1139), ("355M", 0.1849), ("774M", 0.2146), ("1.5B", 0.2565)]
MMLU, MMLU_CHANCE = 0.3151, 0.25
MMLU_Y, BAR_HEIGHT = -1.0, 1.1  # the benchmark track

# ---- the CORE axis
AXIS_Y = -1.0
AXIS_LEFT, AXIS_RIGHT = -6.0, 6.0
ZOOM = (0.1, 0.3)  # the stretch of the axis where the models are
RAW_Y = 1.3  # the raw-accuracy line above it, for the worked example
ICON_HEIGHT = 1.4  # a ModelStack of 20 layers, shrunk to stand on the axis
RAW_RIGHT = 4.0  # raw accuracy 100 % (the line ends short of the parked model)
PARKED = (5.6, 2.0)  # where the model waits while the scale is explained
ICON_SCALE = ICON_HEIGHT / ModelStack().height

# ---- the idea: the same prediction, on different text (token strips)
TEXTS = {
    "predict": (["The", " sky", " is"], " blue"),
    "web": (["Photo", "synthesis", " turns", " light", " into"], " sugar"),
    "chats": (["<|user_start|>", "Hi", "<|user_end|>", "<|assistant_start|>"], "Hello"),
    "own": (["<|assistant_start|>", "6", " times", " 7", " is"], " 42"),
}
STRIP_WIDTH = 4.0  # the token strips fit left of the model
IDEA_BAR = {"predict": 3, "web": 5, "chats": 7, "own": 8}  # bar.enter(n): the stage lit
IDEA_LOOK = {"predict": None, "web": "base", "chats": "sft", "own": "rl"}

STEP_SIZE = 26  # the two commands fit beside the model
TOOLS = ["Manim Community", "manim-voiceover", "Piper, ffmpeg"]  # credited on the last frame

# ---- the "since then" race (dev/LEADERBOARD.md at HEAD, all after the pin): hours of
# pretraining on 8xH100 to pass GPT-2's CORE, one bar per record and the cause of its drop;
# the mark is the narration's bookmark at which the bar grows (None: with the one before)
RACE = [
    (3.04, "d24", "d24"),  # run 1, 348fbb3, Jan 29: bigger model, fewer tokens per parameter
    (2.91, "d26 fp8", "fp8"),  # run 2, a67eba3: d26 in eight-bit floats
    (2.76, "batch", None),  # run 3, 2c062aa: total batch 1M tokens (was 0.5M)
    (2.02, "ClimbMix", "data"),  # run 4, 324e69c: the dataset
    (1.80, "agent 1", "auto"),  # run 5, 6ed7d1d: changes found by an AI agent
    (1.65, "agent 2", None),  # run 6, a825e63: its second round, 99 minutes
]
RACE_DATA = 3  # the record whose drop is the data's
RACE_LEFT, RACE_RIGHT, RACE_FLOOR = -5.6, 3.95, -2.6
RACE_HOUR = 1.2  # units per hour up the chart
RACE_FIRST, RACE_STEP, RACE_BAR = -4.8, 1.63, 0.8
RACE_TITLE_Y = 2.35
RACE_MODEL_AT, RACE_MODEL_SCALE = (5.65, -0.6, 0.0), 0.55


def race_y(hours: float) -> float:
    """Where ``hours`` sits up the race chart."""
    return RACE_FLOOR + hours * RACE_HOUR


class CoreAxis(VGroup):
    """A CORE number line whose visible range (``lo`` to ``hi``, ValueTrackers) can zoom.

    Ticks every 0.05 follow the range (those outside it vanish); ``point(v)`` is where the
    value ``v`` sits now; ``zoom(lo, hi)`` returns the animation that moves the range.

    >>> axis = CoreAxis()
    >>> [round(float(axis.point(v)[0]), 2) for v in (0, 0.5, 1)]
    [-6.0, 0.0, 6.0]
    """

    def __init__(self, left: float = AXIS_LEFT, right: float = AXIS_RIGHT, y: float = AXIS_Y):
        super().__init__()
        self.left, self.right, self.y = left, right, y
        self.lo, self.hi = ValueTracker(0.0), ValueTracker(1.0)
        self.line = Line([left, y, 0], [right, y, 0], color=STRUCTURE, stroke_width=STROKE)
        self.values = [round(0.05 * i, 2) for i in range(21)]
        self.ticks = VGroup(*[Line(UP * 0.1, DOWN * 0.1, stroke_width=THIN) for _ in self.values])
        self.numbers = VGroup()  # tick labels, added by the scene for the range it shows
        self.name = prose("CORE", size=BODY_SIZE, color=TOKEN)
        self.name.next_to(self.line, UP, buff=0.25).align_to(self.line, LEFT)
        self.add(self.line, self.ticks, self.numbers, self.name)
        self.ticks.add_updater(self._place)
        self._place(self.ticks)

    def x(self, value: float) -> float:
        lo, hi = self.lo.get_value(), self.hi.get_value()
        return self.left + (value - lo) / (hi - lo) * (self.right - self.left)

    def point(self, value: float) -> np.ndarray:
        return np.array([self.x(value), self.y, 0.0])

    def _place(self, ticks: VGroup) -> None:
        lo, hi = self.lo.get_value(), self.hi.get_value()
        for value, tick in zip(self.values, ticks, strict=True):
            major = abs(value * 10 - round(value * 10)) < 1e-6
            height = 0.3 if major else 0.16
            tick.put_start_and_end_on(
                self.point(value) + DOWN * height / 2, self.point(value) + UP * height / 2
            )
            inside = lo - 1e-6 <= value <= hi + 1e-6
            tick.set_stroke(STRUCTURE if major else FAINT, opacity=1.0 if inside else 0.0)

    def zoom(self, lo: float, hi: float) -> AnimationGroup:
        return AnimationGroup(self.lo.animate.set_value(lo), self.hi.animate.set_value(hi))

    def number(self, value: float, text: str | None = None) -> VGroup:
        """A tick label under ``value``, placed for the current range."""
        label = maths(text or f"{value:g}", size=LABEL_SIZE, color=DIM)
        return label.next_to(self.point(value), DOWN, buff=0.3)


def icon(layers: int = 20, stage: str | None = "rl") -> ModelStack:
    """The model as a small icon to stand on the axis; deeper models are taller and wider.
    Its label keeps a readable size.

    >>> bool(abs(icon().label.height - mono("d20", size=SMALL_SIZE).height) < 1e-6)
    True
    """
    grow = layers / 20
    model = ModelStack(layers, height=5.2 * grow, width=3.4 * grow, stage=stage, label=f"d{layers}")
    model.scale(ICON_SCALE)
    model.label.scale_to_fit_height(mono(f"d{layers}", size=SMALL_SIZE).height)
    model.label.next_to(model.embed, DOWN, buff=0.15)
    return model


def count_along(value: DecimalNumber, bar: Rectangle, target: float) -> AnimationGroup:
    """The number ticks to ``target`` while riding at the right end of the growing bar."""

    def ride(number: DecimalNumber) -> None:
        number.next_to(bar, RIGHT, buff=0.2).align_to(bar, DOWN)

    return AnimationGroup(ChangeDecimalToValue(value, target), UpdateFromFunc(value, ride))


def stand(model: ModelStack, axis: CoreAxis, value: float) -> ModelStack:
    """Put ``model`` on the axis above ``value`` (its label just clear of the line)."""
    return model.move_to(axis.point(value) + UP * 0.15, aligned_edge=DOWN)


class Conclusion(NarratedScene):
    def construct(self):
        setup_canvas()
        bar, model = opening(self, 10)
        axis, model, score = self.grade_on_core(bar, model)
        board = self.compare_with_gpt2(axis, model, score)
        rows = self.score_the_chat(axis, model, board)
        model, strip = self.find_the_one_idea(bar, model, rows)
        later, merged, pinned, home = self.look_after_the_pin(bar, model, strip)
        self.invite_you(bar, model, later, merged, pinned, home)

    # ------------------------------------------------------------------ beats

    def grade_on_core(self, bar, model: ModelStack) -> tuple[CoreAxis, ModelStack, VGroup]:
        """core: 0 = guessing, 1 = perfect; half right on four choices is a third; d20: 0.22."""
        with self.beat("core") as beat:
            self.play(bar.enter(10), model.pulse(), run_time=beat.until("core"))
            axis = CoreAxis()
            zero, one = axis.number(0), axis.number(1)
            parked = icon().move_to([*PARKED, 0])
            self.play(
                ReplacementTransform(model, parked),
                Create(axis.line),
                FadeIn(axis.ticks),
                FadeIn(axis.name),
                run_time=beat.until("scale"),
            )
            model = parked
            guess = prose("guessing", size=LABEL_SIZE, color=DIM).next_to(zero, DOWN, buff=0.15)
            perfect = prose("perfect", size=LABEL_SIZE, color=DIM).next_to(one, DOWN, buff=0.15)
            beat.wait_until("zero")
            self.play(FadeIn(zero), FadeIn(guess, shift=UP * 0.2), run_time=beat.until("one"))
            self.play(FadeIn(one), FadeIn(perfect, shift=UP * 0.2), run_time=beat.until("example"))
            # --- the worked example: raw accuracy above, centred score below
            raw = Line([AXIS_LEFT, RAW_Y, 0], [RAW_RIGHT, RAW_Y, 0], color=STRUCTURE)

            def raw_at(share: float) -> np.ndarray:
                return np.array([AXIS_LEFT + share * (RAW_RIGHT - AXIS_LEFT), RAW_Y, 0.0])

            raw_marks = VGroup()
            for share, text in ((0, "0\\%"), (0.25, "25\\%"), (0.5, "50\\%"), (1, "100\\%")):
                tick = Line(raw_at(share) + DOWN * 0.12, raw_at(share) + UP * 0.12, color=STRUCTURE)
                label = maths(text, size=LABEL_SIZE, color=DIM).next_to(tick, UP, buff=0.15)
                raw_marks.add(VGroup(tick, label))
            right = prose("accuracy", size=LABEL_SIZE, color=DIM)
            right.next_to(raw_at(0.75), UP, buff=0.3)
            fan = VGroup(
                DashedLine(raw_at(0.25), axis.point(0), color=FAINT, stroke_width=THIN),
                DashedLine(raw_at(1), axis.point(1), color=FAINT, stroke_width=THIN),
            )
            self.play(Create(raw), FadeIn(raw_marks), FadeIn(right), Create(fan), run_time=STEADY)
            path = Line(raw_at(0.5), axis.point(1 / 3))
            dot = Dot(raw_at(0.5), radius=0.11, color=HIGHLIGHT)
            sum_ = maths(
                r"\frac{0.50 - 0.25}{1 - 0.25} = 0.33", size=BODY_SIZE, color=TEXT
            ).move_to([2.0, (RAW_Y + AXIS_Y) / 2, 0])
            self.play(FadeIn(dot, scale=0.5), FadeIn(sum_), run_time=QUICK)
            self.play(MoveAlongPath(dot, path), run_time=beat.until("third"))
            third = axis.number(1 / 3, "0.33").set_color(HIGHLIGHT)
            self.play(FadeIn(third), Indicate(dot, color=HIGHLIGHT), run_time=beat.until("d20"))
            # --- zoom in to where the models are; ours steps onto its score
            self.play(
                FadeOut(VGroup(raw, raw_marks, right, fan, dot, sum_, third, one, perfect)),
                FadeOut(VGroup(zero, guess)),
                run_time=QUICK,
            )
            self.play(axis.zoom(*ZOOM), run_time=STEADY)
            numbers = VGroup(*[axis.number(v) for v in (0.1, 0.2, 0.3)])
            score = mono(f"{CORE_D20:.4f}", size=LABEL_SIZE, color=TOKEN)
            home = stand(icon(), axis, CORE_D20)
            score.next_to(home, UP, buff=0.2)
            self.play(
                FadeIn(numbers),
                model.animate.move_to(home),
                run_time=STEADY,
            )
            self.play(FadeIn(score, shift=DOWN * 0.2), run_time=beat.until())
        axis.numbers.add(*numbers)
        return axis, model, score

    def compare_with_gpt2(self, axis: CoreAxis, model: ModelStack, score) -> VGroup:
        """gpt2: GPT-2's four sizes on the same axis, where the numbers come from; d20 (561M)
        matches GPT-2 Large (774M) for about $100."""
        with self.beat("gpt2") as beat:
            dots, labels = VGroup(), VGroup()
            for size, value in GPT2:
                dot = Dot(axis.point(value), radius=0.1, color=TEXT)
                label = VGroup(
                    mono(size, size=SMALL_SIZE, color=TEXT),
                    mono(f"{value:.4f}", size=SMALL_SIZE, color=DIM),
                ).arrange(DOWN, buff=0.12)
                dots.add(dot)
                labels.add(label.next_to(dot, DOWN, buff=0.25))
            legend = prose("GPT-2, 2019", size=LABEL_SIZE, color=TEXT)
            legend.next_to(labels[0], DOWN, buff=0.35).align_to(labels[0], LEFT)
            # the tick numbers give way: the GPT-2 scores label the axis from here on
            self.play(FadeOut(axis.numbers), run_time=QUICK)
            self.play(
                LaggedStart(
                    *[
                        AnimationGroup(GrowFromCenter(d), FadeIn(lab, shift=UP * 0.15))
                        for d, lab in zip(dots, labels, strict=True)
                    ],
                    lag_ratio=0.3,
                ),
                FadeIn(legend),
                run_time=beat.until("how"),
            )
            how = mono("base_eval.py --hf-path openai-community/gpt2…", size=SMALL_SIZE, color=DIM)
            how.move_to([0, -2.85, 0])
            when = mono("first recorded 2026-01-05, commit 54e59c3", size=SMALL_SIZE, color=DIM)
            when.next_to(how, DOWN, buff=0.2)
            self.play(FadeIn(how, shift=UP * 0.15), run_time=beat.until("when"))
            self.play(FadeIn(when, shift=UP * 0.15), run_time=beat.until("large"))
            # --- d20 level with the larger GPT-2 Large
            large = VGroup(dots[2], labels[2])
            sizes = mono("561M", size=SMALL_SIZE, color=TOKEN).next_to(score, UP, buff=0.12)
            self.play(FadeIn(sizes, shift=DOWN * 0.1), run_time=QUICK)
            self.play(
                Indicate(large, color=HIGHLIGHT),
                Indicate(VGroup(score, sizes), color=HIGHLIGHT),
                run_time=beat.until("cost"),
            )
            tag = PriceTag("$100").next_to(sizes, UP, buff=0.15)
            self.play(FadeIn(tag, shift=DOWN * 0.2), run_time=QUICK)
            self.play(model.pulse(), run_time=beat.until("why"))
            # --- how a smaller model wins: the text it reads and the design it has
            why = VGroup(
                mono("FineWeb-Edu", size=SMALL_SIZE, color=TOKEN),
                maths("+", size=SMALL_SIZE, color=DIM),
                prose("newer design", size=SMALL_SIZE, color=DIM),
            ).arrange(RIGHT, buff=0.25)
            why.move_to(how).shift(DOWN * 0.2)
            self.play(FadeOut(VGroup(how, when), shift=DOWN * 0.15), run_time=QUICK)
            self.play(FadeIn(why[0], shift=UP * 0.15), run_time=QUICK)
            self.play(FadeIn(why[1:], shift=UP * 0.15), model.pulse(), run_time=beat.until())
        return VGroup(dots, labels, legend, why, VGroup(score, sizes, tag))

    def score_the_chat(self, axis: CoreAxis, model: ModelStack, board: VGroup) -> VGroup:
        """chat: MMLU, a four-choice quiz on school subjects: 31.5 % where guessing gets 25."""
        with self.beat("chat") as beat:
            left, right = -3.0, 6.2

            def at(share: float, y: float = MMLU_Y) -> np.ndarray:
                return np.array([left + share * (right - left), y, 0.0])

            track = Line(at(0), at(1), color=STRUCTURE)
            name = mono("MMLU", size=BODY_SIZE, color=TEXT).next_to(at(0), DOWN, 0.3)
            name.align_to(at(0), LEFT)
            what = prose("school subjects, four choices", size=LABEL_SIZE, color=DIM)
            what.next_to(name, RIGHT, buff=0.4).align_to(name, DOWN)
            bar = Rectangle(width=MMLU * (right - left), height=BAR_HEIGHT, stroke_width=0)
            bar.set_fill(TOKEN, 0.8).move_to(at(0), aligned_edge=LEFT + DOWN)
            value = DecimalNumber(0, num_decimal_places=1, unit=r"\%", font_size=BODY_SIZE)
            value.set_color(TOKEN).next_to(at(MMLU), RIGHT, buff=0.2).align_to(bar, DOWN)
            # guessing: a quarter of the four-choice answers
            chance = DashedLine(
                at(MMLU_CHANCE), at(MMLU_CHANCE) + UP * (BAR_HEIGHT + 0.35),
                color=DIM, stroke_width=STROKE, dash_length=0.08,
            )  # fmt: skip
            chance_label = prose("guessing: 25%", size=LABEL_SIZE, color=DIM)
            chance_label.next_to(chance, UP, buff=0.1)
            above = Rectangle(
                width=(MMLU - MMLU_CHANCE) * (right - left), height=BAR_HEIGHT, stroke_width=0
            ).set_fill(HIGHLIGHT, 0.9)
            above.move_to(at(MMLU_CHANCE), aligned_edge=LEFT + DOWN)
            corner = model.copy().scale(1.35).move_to([-5.3, -0.35, 0])
            # --- the axis gives way to one benchmark track; the model steps to the left
            self.play(
                FadeOut(VGroup(board, axis.ticks, axis.numbers, axis.name)),
                ReplacementTransform(axis.line, track),
                model.animate.move_to(corner).scale(1.35),
                run_time=beat.until("mmlu"),
            )
            # --- MMLU: what it asks, the score grows; then where guessing alone would land
            self.play(FadeIn(name), FadeIn(what, shift=LEFT * 0.15), run_time=QUICK)
            self.play(
                GrowFromEdge(bar, LEFT),
                count_along(value, bar, 100 * MMLU),
                run_time=beat.until("guess"),
            )
            self.play(Create(chance), FadeIn(chance_label), run_time=QUICK)
            self.play(FadeIn(above), run_time=QUICK)  # only the part past guessing is knowledge
            # what it knows: the 6.5 points past guessing
            gain = Brace(above, UP, color=HIGHLIGHT)
            gain_label = maths(r"+6.5", size=LABEL_SIZE, color=HIGHLIGHT).next_to(gain, UP, 0.1)
            chance_label.generate_target().next_to(chance, UP, 0.1).align_to(chance, RIGHT)
            chance_label.target.shift(LEFT * 0.15)
            self.play(
                MoveToTarget(chance_label),
                GrowFromCenter(gain),
                FadeIn(gain_label, shift=DOWN * 0.1),
                run_time=beat.until("kid") * 0.6,
            )
            self.play(above.animate.set_fill(opacity=0.35), run_time=beat.until("kid"))
            self.play(model.pulse(), run_time=beat.until())
        return VGroup(track, name, what, bar, value, chance, chance_label, above, gain, gain_label)

    def find_the_one_idea(self, bar, model: ModelStack, rows: VGroup):
        """idea: one loss all along, predict the next token; the text is what changes, and
        the bar replays with what each stage did to the model."""
        with self.beat("idea") as beat:
            home = ModelStack(stage="rl").move_to(CONTENT_CENTRE)
            self.play(FadeOut(rows), run_time=QUICK)
            self.play(ReplacementTransform(model, home), run_time=beat.until("predict"))
            model = home
            strip, out, arrows = None, None, None
            for mark in ("predict", "web", "chats", "own"):
                beat.wait_until(mark)
                following = {"predict": "web", "web": "chats", "chats": "own", "own": None}[mark]
                tokens, answer = TEXTS[mark]
                new_strip = TokenStrip(tokens, size=SMALL_SIZE, max_width=STRIP_WIDTH)
                new_strip.next_to(model.embed, LEFT, buff=0.6).align_to(model.embed, DOWN)
                new_out = TokenStrip([answer], size=SMALL_SIZE, colour=HIGHLIGHT)
                new_out.next_to(model.head, RIGHT, buff=0.6).align_to(model.head, UP)
                if mark == "own":  # its own answer, graded
                    new_out.cells[0].recolour(TRAINED)
                if strip is None:
                    arrows = VGroup(
                        Line(new_strip.get_right(), model.embed.get_left(), color=STRUCTURE),
                        Line(model.head.get_right(), new_out.get_left(), color=STRUCTURE),
                    )
                    caption = prose("next token", size=LABEL_SIZE, color=HIGHLIGHT)
                    caption.next_to(new_out, DOWN, buff=0.3).align_to(new_out, LEFT)
                    self.play(
                        bar.enter(IDEA_BAR[mark]),
                        model.learn(None),
                        FadeIn(new_strip, shift=RIGHT * 0.3),
                        Create(arrows[0]),
                        run_time=QUICK,
                    )
                    self.play(model.pulse(), run_time=STEADY)
                    self.play(
                        Create(arrows[1]),
                        FadeIn(new_out, shift=RIGHT * 0.3),
                        FadeIn(caption),
                        run_time=QUICK,
                    )
                    arrows.add(caption)
                else:
                    self.play(
                        bar.enter(IDEA_BAR[mark]),
                        morph(strip, new_strip),
                        FadeOut(out, shift=RIGHT * 0.3),
                        run_time=QUICK,
                    )
                    self.play(model.learn(IDEA_LOOK[mark]), run_time=STEADY)
                    self.play(FadeIn(new_out, shift=RIGHT * 0.3), run_time=QUICK)
                strip, out = new_strip, new_out
                self.play(model.pulse(), run_time=beat.until(following))
            self.play(bar.enter(10), run_time=QUICK)
        return model, VGroup(strip, out, arrows)

    def look_after_the_pin(self, bar, model: ModelStack, strip: VGroup):
        """since-then: after 48abd7d, one clock: hours of pretraining to pass GPT-2's CORE,
        one bar per leaderboard record, each drop labelled with its cause; the data's drop
        is the biggest. Then midtraining folds into fine-tuning on the bar."""
        with self.beat("since-then") as beat:
            home = (model.get_center(), model.height)
            after = mono("after 48abd7d", size=LABEL_SIZE, color=HIGHLIGHT)
            after.move_to([RACE_LEFT, RACE_TITLE_Y, 0], aligned_edge=LEFT)
            self.play(
                FadeOut(strip),
                model.animate.scale(RACE_MODEL_SCALE).move_to(RACE_MODEL_AT),
                run_time=QUICK,
            )
            # --- where the clock started: the README's $300 d26, about twelve hours in all
            d26 = icon(26).scale(2).move_to([-2.2, -0.6, 0])
            tag = PriceTag("$300").next_to(d26, LEFT, buff=0.6).shift(UP * 0.6)
            clock = Integer(0, font_size=BODY_SIZE, color=TEXT)
            unit = mono("h", size=BODY_SIZE, color=TEXT)
            hours = VGroup(maths(r"\sim", size=BODY_SIZE, color=TEXT), clock, unit)
            hours.arrange(RIGHT, buff=0.12).next_to(tag, DOWN, buff=0.5)
            unit.add_updater(lambda m: m.next_to(clock, RIGHT, buff=0.12))  # "12" is wider
            self.play(FadeIn(after, shift=DOWN * 0.2), d26.build(lag=0.05), run_time=STEADY)
            self.play(FadeIn(tag, shift=RIGHT * 0.2), FadeIn(hours), run_time=QUICK)
            self.play(  # it trains: the hours tick up to twelve
                ChangeDecimalToValue(clock, 12),
                d26.pulse(lag=0.02),
                run_time=beat.until("board"),
            )
            unit.clear_updaters()
            self.play(FadeOut(VGroup(d26, tag, hours), shift=DOWN * 0.2), run_time=QUICK)
            # --- the clock: an hours axis, GPT-2's line to pass written over it
            base = Line([RACE_LEFT, RACE_FLOOR, 0], [RACE_RIGHT, RACE_FLOOR, 0], color=STRUCTURE)
            ticks = VGroup()
            for hours_up in (1, 2, 3):
                y = race_y(hours_up)
                ticks.add(
                    VGroup(
                        DashedLine([RACE_LEFT, y, 0], [RACE_RIGHT, y, 0], color=GHOST),
                        maths(rf"{hours_up}\,\text{{h}}", size=SMALL_SIZE, color=DIM).next_to(
                            [RACE_LEFT, y, 0], LEFT, buff=0.15
                        ),
                    )
                )
            title = prose("hours to pass GPT-2 XL", size=LABEL_SIZE, color=TEXT)
            title.next_to(after, RIGHT, buff=0.5)
            self.play(Create(base), FadeIn(title, shift=LEFT * 0.2), run_time=QUICK)
            self.play(LaggedStart(*[FadeIn(t, shift=UP * 0.1) for t in ticks], lag_ratio=0.3))
            self.play(Indicate(title, color=HIGHLIGHT), run_time=beat.until("d24"))
            # --- one bar per record; each drop stays as a ghost labelled with its cause
            bars, labels, drops = VGroup(), VGroup(), VGroup()
            previous = None
            for index, (hours, cause, mark) in enumerate(RACE):
                x = RACE_FIRST + index * RACE_STEP
                column = Rectangle(
                    width=RACE_BAR, height=race_y(hours) - RACE_FLOOR, stroke_width=0
                ).set_fill(TOKEN, 0.75)
                column.move_to([x, RACE_FLOOR, 0], aligned_edge=DOWN)
                name = mono(cause, size=SMALL_SIZE, color=TEXT).next_to(column, DOWN, buff=0.2)
                grow = [GrowFromEdge(column, DOWN), FadeIn(name, shift=UP * 0.15)]
                if previous is not None:
                    gap = Rectangle(
                        width=RACE_BAR,
                        height=race_y(previous) - race_y(hours),
                        stroke_color=HIGHLIGHT,
                        stroke_width=THIN,
                    ).set_fill(HIGHLIGHT, 0.15)
                    gap.move_to(column.get_top(), aligned_edge=DOWN)
                    drops.add(gap)
                    grow.append(FadeIn(gap))
                if mark is not None:
                    beat.wait_until(mark)
                if index == 0:  # the sweeps first: tokens per parameter, 20 down to 8
                    ratio = VGroup(
                        mono("tokens / parameter", size=SMALL_SIZE, color=DIM),
                        DecimalNumber(20, num_decimal_places=0, font_size=BODY_SIZE, color=TOKEN),
                    ).arrange(DOWN, buff=0.15)
                    ratio.move_to([RACE_FIRST + 2.6 * RACE_STEP, race_y(3.4) - 0.2, 0])
                    self.play(FadeIn(ratio, shift=DOWN * 0.2), run_time=QUICK)
                    counting = min(2.5, beat.until("jan"))
                    self.play(ChangeDecimalToValue(ratio[1], 8), run_time=counting)
                    self.play(Circumscribe(ratio, color=HIGHLIGHT), run_time=beat.until("jan"))
                following = RACE[index + 1][2] if index + 1 < len(RACE) else None
                growing = min(2.0, beat.until(following)) if following else QUICK
                self.play(*grow, run_time=growing)
                if index == 0:  # the first record's height, read off the clock
                    three = maths(r"3\ \text{h}", size=LABEL_SIZE, color=TEXT)
                    self.play(
                        FadeIn(three.next_to(column, UP, buff=0.15)),
                        FadeOut(ratio, shift=UP * 0.2),
                        run_time=QUICK,
                    )
                if index == RACE_DATA and drops:  # the data's drop: the biggest
                    self.play(Indicate(drops[-1], color=HIGHLIGHT), run_time=STEADY)
                if following and beat.time_until(following) > 0.5:  # the cause, ringed
                    ringed = VGroup(column, name, *([gap] if previous is not None else []))
                    ring = min(3.0, beat.until(following))
                    self.play(Circumscribe(ringed, color=HIGHLIGHT), run_time=ring)
                if following:
                    beat.wait_until(following)
                bars.add(column)
                labels.add(name)
                previous = hours
            last = mono("99 min", size=LABEL_SIZE, color=HIGHLIGHT)
            last.next_to(VGroup(bars[-1], drops[-1]), UP, buff=0.15)
            self.play(FadeIn(last, shift=DOWN * 0.15), run_time=QUICK)
            # the agent's two records, ringed together while they are told
            agent = VGroup(bars[-2:], labels[-2:], drops[-2:], last)
            self.play(Circumscribe(agent, color=HIGHLIGHT), run_time=max(beat.until("tree"), QUICK))
            # --- the repository: midtraining folded into SFT
            mid = bar.boxes[STAGES.index("midtraining")]
            mid_label = bar.labels[STAGES.index("midtraining")]
            sft = bar.boxes[STAGES.index("SFT")]
            pinned = VGroup(mid.copy(), mid_label.copy())  # the bar as it was at 48abd7d
            beat.wait_until("tree")
            # every training row now opens at a document's start (43c29dd), as a chat's does
            chart = VGroup(after, base, ticks, title, bars, labels, drops, three, last)

            def cell(token: str) -> TokenCell:
                if token.startswith("<|"):
                    return TokenCell(token, HIGHLIGHT, special=True)
                return TokenCell(token, TOKEN)

            web = ("<|bos|>", "The", "sky", "looks", "blue", "because")
            chat = ("<|bos|>", "<|user_start|>", "Why", "is", "the", "sky", "blue", "?")
            rows = TokenStrip([[cell(w) for w in web], [cell(w) for w in chat]], line_buff=0.45)
            rows.move_to([(RACE_LEFT + RACE_RIGHT) / 2, race_y(1.6), 0])
            starts = VGroup(rows.cells[0], rows.cells[len(web)])
            self.play(FadeOut(chart), run_time=QUICK)
            self.play(
                LaggedStart(*[FadeIn(c, shift=RIGHT * 0.15) for c in rows.cells], lag_ratio=0.06),
                run_time=min(2.0, beat.until("fold") * 0.6),
            )
            self.play(
                *[Circumscribe(s, color=HIGHLIGHT) for s in starts],
                Circumscribe(VGroup(mid, mid_label), color=HIGHLIGHT),
                run_time=beat.until("fold"),
            )
            # both kinds of row go to fine-tuning; the midtraining stage folds into it
            self.play(
                rows.animate.scale(0.15).move_to(sft).set_opacity(0),
                mid.animate.move_to(sft).set_opacity(0),
                mid_label.animate.move_to(sft).set_opacity(0),
                run_time=STEADY,
            )
            self.remove(rows)
            self.play(FadeIn(chart), run_time=QUICK)
            self.play(model.pulse(), run_time=beat.until())
        later = VGroup(after, base, ticks, title, bars, labels, drops, three, last)
        return later, VGroup(mid, mid_label), pinned, home

    def invite_you(
        self, bar, model: ModelStack, later: VGroup, merged: VGroup, pinned: VGroup, home
    ):
        """invite: back to 48abd7d; check it out, run speedrun.sh, and the model is yours."""
        centre, height = home
        with self.beat("invite") as beat:
            self.play(
                FadeOut(later),
                model.animate.scale_to_fit_height(height).move_to(centre),
                *[ReplacementTransform(a, b) for a, b in zip(merged, pinned, strict=True)],
                run_time=beat.until("commit"),
            )
            credit = VGroup(
                mono("nanochat", size=BODY_SIZE, color=TEXT),
                prose("by Andrej Karpathy", size=LABEL_SIZE, color=TEXT),
            ).arrange(DOWN, buff=0.2, aligned_edge=LEFT)
            credit.next_to(model.blocks, RIGHT, buff=0.6).shift(UP * 1.3)
            steps = VGroup(
                mono("git checkout 48abd7d", size=STEP_SIZE, color=HIGHLIGHT),
                mono("bash speedrun.sh", size=STEP_SIZE, color=TEXT),
            ).arrange(DOWN, buff=0.3, aligned_edge=LEFT)
            steps.next_to(model.blocks, LEFT, buff=0.4)
            self.play(FadeIn(credit), run_time=QUICK)
            beat.wait_until("commit")
            self.play(
                FadeIn(steps[0], shift=RIGHT * 0.2), model.learn(None), run_time=beat.until("run")
            )
            self.play(FadeIn(steps[1], shift=RIGHT * 0.2), run_time=QUICK)
            self.play(model.learn("sft", lag=0.15), run_time=beat.until("thanks"))
            made = VGroup(
                prose("made with", size=SMALL_SIZE, color=DIM),
                *[mono(t, size=SMALL_SIZE, color=DIM) for t in TOOLS],
            ).arrange(DOWN, buff=0.12, aligned_edge=LEFT)
            made.next_to(model.blocks, RIGHT, buff=0.6).align_to(model.embed, DOWN)
            self.keep(credit, steps, made)
            self.play(FadeIn(made), closing(self, model, "sft"), run_time=beat.until())
