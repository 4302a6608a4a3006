"""Chapter 8: reinforcement learning on GSM8K, as the same loss as SFT on the model's own answers.

Narration: script/08-rl.md. Render alone with ``uv run manim -pql scenes/08_rl.py``.

The picture follows one question of one RL step of ``scripts/chat_rl.py`` (at 48abd7d):
the SFT model (``ModelStack``, parked on the left) answers GSM8K's own example question
16 times; a fixed rule grades each answer by the number after ``####``; the group's mean
reward is subtracted; each answer's tokens then enter chapter 7's loss with their
advantage as weight. The 16 answers (4 right) are invented for the picture.

>>> group = AnswerGroup(ANSWERS)
>>> len(group.strips), sum(group.rewards)
(16, 4)
>>> round(1 - 0.95**16, 2)
0.56
"""

from __future__ import annotations

import random

from manim import (
    DOWN,
    LEFT,
    RIGHT,
    UP,
    Arrow,
    Axes,
    ChangeDecimalToValue,
    Circumscribe,
    Create,
    CurvedArrow,
    DashedLine,
    DecimalNumber,
    Dot,
    FadeIn,
    FadeOut,
    FadeTransform,
    GrowArrow,
    Indicate,
    Integer,
    LaggedStart,
    Line,
    MathTex,
    Square,
    SurroundingRectangle,
    TransformMatchingTex,
    ValueTracker,
    VGroup,
    Write,
    there_and_back,
)
from mobjects import Counter, Labelled, TokenCell, TokenStrip
from style import (
    CONTENT_CENTRE,
    CONTENT_TOP,
    DIM,
    FAINT,
    HIGHLIGHT,
    LABEL_SIZE,
    LAG,
    LOSS,
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
from transitions import closing, morph, opening

from explainer.scene import NarratedScene

# ---- the example: GSM8K's own example question (tasks/gsm8k.py:7-12), key 10
QUESTION = "Weng earns $12 an hour.\nHow much for 50 minutes?"  # abridged
KEY = "10"
# 16 sampled answers: (working, final number); 4 are right (made up for the picture)
ANSWERS = [
    ("12×50", "600"),
    ("0.2×50", "10"),
    ("50/12", "4"),
    ("12+50", "62"),
    ("12/60", "0.2"),
    ("60/12", "5"),
    ("50×0.2", "10"),
    ("50-12", "38"),
    ("12×5", "60"),
    ("50/60×12", "10"),
    ("12×2", "24"),
    ("12/2", "6"),
    ("12×50", "600"),
    ("50/6", "8"),
    ("600/60", "10"),
    ("12×1", "12"),
]
# what the four right answers become when "all 16 were wrong"
ALL_WRONG = {1: "12", 6: "5", 9: "60", 14: "600"}
P_RIGHT = 0.05  # per try, for the "why 16" curve
SFT_SCORE, RL_SCORE = 4.55, 7.58  # GSM8K %, the launch run (README.md:56)
TEST_QUESTIONS, SFT_RIGHT, RL_RIGHT = 1319, 60, 100

MODEL_SCALE = 0.62
MODEL_HOME = (-5.6, CONTENT_CENTRE[1], 0.0)  # the model parks on the left
PANEL_X = 1.05  # centre of the area right of the model


# --------------------------------------------------------------------------- pictures


def question_card(size: float = SMALL_SIZE) -> Labelled:
    """The GSM8K question in a grey box, as the model reads it (a user's message)."""
    from manim import Rectangle

    text = mono(QUESTION, size=size)

    box = Rectangle(
        width=text.width + 0.5, height=text.height + 0.4, stroke_color=DIM, stroke_width=STROKE
    )
    card = Labelled(box, text)
    card.fit_label(text, box)
    card.box, card.text = box, text
    return card


def answer_strip(working: str, number: str, **kwargs) -> TokenStrip:
    """One sampled answer, shortened to its working, the ``####`` marker and the number."""
    cells = [
        TokenCell(working, TOKEN, width=kwargs.pop("work_width", None), pad=0.06),
        TokenCell("####", TOKEN, pad=0.06),
        TokenCell(number, TOKEN, width=kwargs.pop("number_width", None), pad=0.06),
    ]
    return TokenStrip(cells, buff=0.06, **kwargs)


class AnswerGroup(VGroup):
    """The 16 answers to one question in two columns of eight, each with a number tag that
    shows its reward and then its advantage (``tags[i]`` is a DecimalNumber).

    ``strips[i].cells[2]`` is answer ``i``'s final number.
    """

    def __init__(self, answers=ANSWERS, columns: int = 2):
        work = max(TokenCell(w, pad=0.06).width for w, _ in answers)
        number = max(TokenCell(n, pad=0.06).width for _, n in answers)
        strips = VGroup(
            *[answer_strip(w, n, work_width=work, number_width=number) for w, n in answers]
        )
        rows = len(answers) // columns
        strips.arrange_in_grid(rows=rows, cols=columns, buff=(1.45, 0.07), flow_order="dr")
        tags = VGroup()
        for strip in strips:
            tag = DecimalNumber(0, num_decimal_places=2, include_sign=True, font_size=LABEL_SIZE)
            tag.next_to(strip, RIGHT, buff=0.2)
            tags.add(tag)
        super().__init__(strips, tags)
        self.strips, self.tags = strips, tags
        self.rewards = [1 if n == KEY else 0 for _, n in answers]
        self.numbers = VGroup(*[s.cells[2] for s in strips])

    def right(self) -> list[int]:
        return [i for i, r in enumerate(self.rewards) if r]


def paint_tag(tag: DecimalNumber) -> None:
    """Colour a tag by its sign: green above zero, red below, grey at zero."""
    value = tag.get_value()
    tag.set_color(TRAINED if value > 1e-6 else LOSS if value < -1e-6 else DIM)


def odds_plot() -> tuple[Axes, VGroup, VGroup]:
    """P(at least one right answer in n tries) at 5 % per try, n = 1..16."""
    axes = Axes(
        x_range=[0, 16, 4],
        y_range=[0, 0.6, 0.2],
        x_length=8.2,
        y_length=4.6,
        axis_config={"color": STRUCTURE, "stroke_width": THIN, "include_tip": False},
    )
    numbers = VGroup()
    for n in (1, 4, 8, 12, 16):
        numbers.add(maths(str(n), size=SMALL_SIZE, color=DIM).next_to(axes.c2p(n, 0), DOWN))
    for p in (0.2, 0.4, 0.6):
        numbers.add(
            maths(rf"{int(p * 100)}\%", size=SMALL_SIZE, color=DIM).next_to(axes.c2p(0, p), LEFT)
        )
    x_name = prose("tries", size=SMALL_SIZE, color=DIM)
    x_name.next_to(axes.x_axis, DOWN, buff=0.6)
    y_name = maths(r"P(\geq 1 \text{ right})", size=SMALL_SIZE, color=DIM)
    y_name.next_to(axes.c2p(0, 0.6), UP, buff=0.25).align_to(axes, LEFT)
    dots = VGroup(
        *[
            Dot(axes.c2p(n, 1 - (1 - P_RIGHT) ** n), radius=0.07, color=HIGHLIGHT)
            for n in range(1, 17)
        ]
    )
    return axes, VGroup(numbers, x_name, y_name), dots


def loss_row(tokens, kinds, colour_of) -> TokenStrip:
    """A row of token cells (a list of lines), each cell coloured by its kind."""
    lines = [
        [
            TokenCell(t, colour_of(k), special=t.startswith("<|"), fill=0.35)
            for t, k in zip(line, kind_line, strict=True)
        ]
        for line, kind_line in zip(tokens, kinds, strict=True)
    ]
    strip = TokenStrip(lines, buff=0.06, line_buff=0.12)
    strip.kinds = [k for line in kinds for k in line]
    return strip


# one SFT row (a person's answer) and two of the model's own answers, for the loss picture
SFT_TOKENS = [["question", "12/60=0.2", "0.2×50=10", "####", "10"]]
SFT_KINDS = [["masked", "trained", "trained", "trained", "trained"]]
RIGHT_TOKENS = [
    ["<|python_start|>", "12/60", "<|python_end|>"],
    ["<|output_start|>", "0.2", "<|output_end|>"],
    ["×50=10", "####", "10"],
]
RIGHT_KINDS = [["trained"] * 3, ["tool"] * 3, ["trained"] * 3]
WRONG_TOKENS = [["12×50=600", "####", "600"]]
WRONG_KINDS = [["trained"] * 3]


def formula(*parts: str, size: float = LABEL_SIZE, color=TEXT) -> MathTex:
    """A formula in named parts (``formula[i]``), so terms can be lit, struck or matched."""
    return MathTex(*parts, font_size=size, color=color)


def weight_tag(value: float) -> VGroup:
    """``×`` and a weight, as a DecimalNumber so it can change value without scrambling."""
    times = maths(r"\times", size=LABEL_SIZE)
    number = DecimalNumber(
        value, num_decimal_places=2, include_sign=value < 0, font_size=LABEL_SIZE
    )
    group = VGroup(times, number).arrange(RIGHT, buff=0.12)
    group.number = number
    return group


def question_grid(cols: int = 50, cell: float = 0.16, gap: float = 0.045) -> VGroup:
    """The 1,319 GSM8K test questions as small squares, in rows of ``cols``."""
    squares = VGroup(
        *[
            Square(cell, stroke_width=0.8, stroke_color=FAINT, fill_color=FAINT, fill_opacity=0.35)
            for _ in range(TEST_QUESTIONS)
        ]
    )
    squares.arrange_in_grid(cols=cols, buff=gap, flow_order="rd")
    return squares


# --------------------------------------------------------------------------- the scene


class ReinforcementLearning(NarratedScene):
    def construct(self):
        setup_canvas()
        bar, model = opening(self, 8)
        card = self.grade_one_answer(bar, model)
        group = self.sample_a_group(model, card)
        plot = self.subtract_the_mean(group, card)
        equation = self.reuse_the_sft_loss(model, plot)
        method = self.strip_the_textbook(model, equation)
        grid = self.count_the_gain(model, method)
        self.hand_over(model, grid)

    def rewrite(self, old: MathTex, new: MathTex, **kwargs) -> None:
        """``old`` becomes ``new``, matching parts sliding into place (TransformMatchingTex).

        The matched pieces travel in groups of their own, which the scene adds to the screen
        to animate them; once the transform is done they are taken off again, so nothing of
        ``old`` is left behind.
        """
        before = list(self.mobjects)
        self.play(TransformMatchingTex(old, new), **kwargs)
        self.remove(*[m for m in self.mobjects if m not in before and m is not new])

    # ------------------------------------------------------------------ hook

    def grade_one_answer(self, bar, model):
        """A fixed rule, not a model, grades an answer: the number after #### against the key."""
        with self.beat("hook") as beat:
            card = question_card(LABEL_SIZE).move_to([PANEL_X, 2.15, 0])
            human = TokenStrip(["12/60=0.2", "0.2×50=10", "####", "10"], TRAINED, size=LABEL_SIZE)
            human.next_to(card, DOWN, buff=0.55)
            by = prose("SFT answer", size=SMALL_SIZE, color=DIM)
            by.next_to(human, DOWN, buff=0.2)
            self.play(
                bar.enter(8),
                model.animate.scale(MODEL_SCALE).move_to(MODEL_HOME),
                FadeIn(card, shift=LEFT * 0.3),
                run_time=QUICK * 2,
            )
            self.play(
                LaggedStart(*[FadeIn(c, shift=RIGHT * 0.2) for c in human.cells], lag_ratio=LAG),
                FadeIn(by),
                run_time=beat.until("own"),
            )
            # the model writes its own answer instead
            own = TokenStrip(["50/60×12", "=10", "####", "10"], TOKEN, size=LABEL_SIZE)
            own.next_to(card, DOWN, buff=0.55)
            source = Arrow(model.top_port(), own.get_left(), buff=0.15, color=FAINT, stroke_width=3)
            self.play(FadeOut(VGroup(human, by), shift=RIGHT * 0.4), run_time=QUICK)
            self.play(
                Create(source),
                model.pulse(),
                LaggedStart(*[FadeIn(c, shift=RIGHT * 0.2) for c in own.cells], lag_ratio=0.3),
                run_time=beat.until("gsm"),
            )
            # GSM8K: the question comes with an answer key
            name = mono("GSM8K", size=LABEL_SIZE, color=HIGHLIGHT).next_to(card, LEFT, buff=0.35)
            key = TokenStrip(["####", KEY], TRAINED, size=LABEL_SIZE)
            key.next_to(own, DOWN, buff=1.1).align_to(own, RIGHT)
            key_name = prose("answer key", size=SMALL_SIZE, color=DIM).next_to(key, LEFT, buff=0.3)
            self.play(FadeIn(name, shift=DOWN * 0.2), run_time=QUICK)
            self.play(FadeIn(key, shift=UP * 0.2), FadeIn(key_name), run_time=beat.until("hash"))
            ring = SurroundingRectangle(own.pick([2, 3]), color=HIGHLIGHT, buff=0.08)
            self.play(Create(ring), run_time=beat.until("rule"))
            # the rule: compare the two numbers
            check = maths(r"=", size=LABEL_SIZE * 1.4, color=HIGHLIGHT).rotate(1.5708)
            check.move_to((own.cells[3].get_bottom() + key.cells[1].get_top()) / 2)
            self.play(
                Indicate(own.cells[3], color=HIGHLIGHT),
                Indicate(key.cells[1], color=HIGHLIGHT),
                FadeIn(check, scale=0.5),
                run_time=beat.until("reward"),
            )
            reward = maths(r"\text{reward} = 1", size=LABEL_SIZE * 1.3, color=TRAINED)
            reward.next_to(key, DOWN, buff=0.6).align_to(key, RIGHT)
            self.play(
                Write(reward), own.cells[3].recolour(TRAINED), run_time=beat.until("optional")
            )
            # optional: the speedrun's RL line is commented out (the bar's RL box is dashed)
            line = mono("# torchrun -m scripts.chat_rl", size=SMALL_SIZE, color=DIM)
            line.next_to(reward, DOWN, buff=0.45).align_to(card, LEFT)
            self.play(FadeIn(line, shift=UP * 0.2), Circumscribe(bar.boxes[4], color=HIGHLIGHT))
            self.play(Indicate(line[0], color=HIGHLIGHT, scale_factor=1.6), run_time=beat.until())
            self.play(
                FadeOut(VGroup(own, source, key, key_name, ring, check, reward, line, name)),
                run_time=QUICK,
            )
        return card

    # ------------------------------------------------------------------ sample

    def sample_a_group(self, model, card):
        """Sixteen answers to one question, sampled at temperature 1; sixteen questions a step."""
        with self.beat("sample") as beat:
            group = AnswerGroup()
            top = CONTENT_TOP - 0.05
            small = card.copy().scale(SMALL_SIZE / LABEL_SIZE)
            group.move_to([PANEL_X, 0, 0])
            small.move_to([0, top - small.height / 2, 0]).align_to(group, LEFT)
            group.align_to([0, small.get_bottom()[1] - 0.2, 0], UP)
            self.play(morph(card, small), run_time=beat.until("sixteen"))
            card = small
            self.play(
                model.pulse(),
                LaggedStart(*[FadeIn(s, shift=RIGHT * 0.5) for s in group.strips], lag_ratio=0.15),
                run_time=beat.until("temp"),
            )
            # temperature 1: the final numbers vary
            temp = maths(r"T = 1", size=LABEL_SIZE * 1.2, color=HIGHLIGHT)
            temp.next_to(card, RIGHT, buff=0.6)
            self.play(
                FadeIn(temp, shift=LEFT * 0.2),
                LaggedStart(
                    *[Indicate(n, color=HIGHLIGHT, scale_factor=1.15) for n in group.numbers],
                    lag_ratio=0.08,
                ),
                run_time=beat.until("batch"),
            )
            # sixteen questions a step: each answer becomes a square, the step a 16 x 16 block
            block = VGroup(
                *[
                    VGroup(
                        *[
                            Square(0.22, stroke_width=THIN, stroke_color=TOKEN).set_fill(
                                TOKEN, 0.35
                            )
                            for _ in range(16)
                        ]
                    ).arrange(DOWN, buff=0.06)
                    for _ in range(16)
                ]
            ).arrange(RIGHT, buff=0.06)
            block.move_to([PANEL_X, group.get_center()[1], 0])
            times = maths(r"16 \times 16 = 256", size=LABEL_SIZE * 1.2)
            times.next_to(block, RIGHT, buff=0.4)
            self.play(
                *[FadeTransform(s, q) for s, q in zip(group.strips, block[0], strict=True)],
                FadeOut(temp),
                run_time=QUICK * 2,
            )
            self.play(
                LaggedStart(*[FadeIn(col, shift=RIGHT * 0.2) for col in block[1:]], lag_ratio=0.1),
                Write(times),
                run_time=beat.until(),
            )
        return card, block, times, group

    # ------------------------------------------------------------------ grade

    def subtract_the_mean(self, sampled, card):
        """Reward minus the group's mean; an all-wrong group teaches nothing; why 16 tries."""
        card, block, times, old = sampled
        with self.beat("grade") as beat:
            group = AnswerGroup().move_to(old)
            self.play(FadeOut(VGroup(block[1:], times)), run_time=QUICK)
            self.play(
                *[FadeTransform(q, s) for q, s in zip(block[0], group.strips, strict=True)],
                run_time=beat.until("grade"),
            )
            # the rule grades each answer; its tag shows the reward
            for tag in group.tags:
                tag.add_updater(paint_tag)
            right = group.right()
            self.play(
                *[
                    group.numbers[i].recolour(TRAINED if i in right else LOSS, 0.4)
                    for i in range(16)
                ],
                *[FadeIn(t) for t in group.tags],
                *[
                    ChangeDecimalToValue(t, r)
                    for t, r in zip(group.tags, group.rewards, strict=True)
                ],
                run_time=beat.until("mean"),
            )
            mean = DecimalNumber(0.25, num_decimal_places=2, font_size=LABEL_SIZE * 1.2)
            mean_name = maths(r"\text{mean} =", size=LABEL_SIZE * 1.2)
            mean_row = VGroup(mean_name, mean).arrange(RIGHT, buff=0.15)
            mean_row.next_to(card, RIGHT, buff=0.5)
            fraction = maths(r"= \tfrac{4}{16}", size=LABEL_SIZE * 1.2, color=DIM)
            fraction.next_to(mean_row, RIGHT, buff=0.15)
            self.play(
                LaggedStart(
                    *[Indicate(group.strips[i], color=TRAINED, scale_factor=1.05) for i in right],
                    lag_ratio=0.2,
                ),
                FadeIn(mean_row, shift=DOWN * 0.2),
                FadeIn(fraction),
                run_time=beat.until("adv"),
            )
            # every tag drops by the mean: 1 -> +0.75, 0 -> -0.25
            self.play(FadeOut(fraction), run_time=QUICK)
            self.play(
                *[
                    ChangeDecimalToValue(t, r - 0.25)
                    for t, r in zip(group.tags, group.rewards, strict=True)
                ],
                Indicate(mean_row, color=HIGHLIGHT, scale_factor=1.1),
                run_time=beat.until("zero"),
            )
            # an all-wrong group: the mean is 0 and so is every advantage
            olds = [group.numbers[i].label for i in right]
            news = [mono(ALL_WRONG[i], size=SMALL_SIZE) for i in right]
            for i, old, new in zip(right, olds, news, strict=True):
                new.move_to(old).set_opacity(0)
                group.numbers[i].add(new)
            self.play(
                *[old.animate.set_opacity(0) for old in olds],
                *[group.numbers[i].recolour(LOSS, 0.4) for i in right],
                run_time=QUICK,
            )
            self.play(*[new.animate.set_opacity(1) for new in news], run_time=QUICK)
            for i, old, new in zip(right, olds, news, strict=True):
                group.numbers[i].remove(old)
                group.numbers[i].label = new
            self.play(
                ChangeDecimalToValue(mean, 0),
                *[ChangeDecimalToValue(t, 0) for t in group.tags],
                run_time=beat.until("odds"),
            )
            # why 16: the chance that a group holds at least one right answer
            axes, labels, dots = odds_plot()
            plot = VGroup(axes, labels, dots)
            plot.move_to([PANEL_X + 0.3, CONTENT_CENTRE[1] - 0.1, 0])
            for tag in group.tags:
                tag.clear_updaters()
            self.play(FadeOut(VGroup(group.tags, mean_row, card)), run_time=QUICK)
            self.play(
                *[FadeTransform(s, d) for s, d in zip(group.strips, dots, strict=True)],
                Create(axes),
                FadeIn(labels),
                run_time=STEADY,
            )
            curve = axes.plot(
                lambda n: 1 - (1 - P_RIGHT) ** n, x_range=[1, 16], color=HIGHLIGHT, stroke_width=3
            )
            one = self._point_label(axes, 1, r"5\%")
            self.play(Create(curve), run_time=QUICK * 2)
            self.play(FadeIn(one[0]), Write(one[1]), Indicate(dots[0]), run_time=beat.until("many"))
            many = self._point_label(axes, 16, r"56\%")
            self.play(
                FadeIn(many[0]), Write(many[1]), Indicate(dots[-1], scale_factor=1.6),
                run_time=beat.until(),
            )  # fmt: skip
        return VGroup(axes, labels, dots, curve, one, many)

    @staticmethod
    def _point_label(axes, n: int, text: str) -> VGroup:
        p = 1 - (1 - P_RIGHT) ** n
        guide = DashedLine(axes.c2p(n, 0), axes.c2p(n, p), color=FAINT, stroke_width=2)
        label = maths(text, size=LABEL_SIZE * 1.2, color=HIGHLIGHT)
        label.next_to(axes.c2p(n, p), RIGHT if n < 8 else UP, buff=0.25)
        return VGroup(guide, label)

    # ------------------------------------------------------------------ update

    def reuse_the_sft_loss(self, model, plot):
        """SFT's loss with each answer's tokens weighted by its advantage."""
        with self.beat("update") as beat:
            colour_of = {"masked": MASKED, "trained": TRAINED, "tool": TRAINED}.get
            sft = loss_row(SFT_TOKENS, SFT_KINDS, colour_of)
            right = loss_row(RIGHT_TOKENS, RIGHT_KINDS, colour_of)
            wrong = loss_row(WRONG_TOKENS, WRONG_KINDS, colour_of)
            rows = VGroup(sft, right, wrong).arrange(DOWN, buff=0.45, aligned_edge=LEFT)
            left = -3.95
            rows.move_to([0, 0.35, 0]).align_to([left, 0, 0], LEFT)
            weights = VGroup(weight_tag(1), weight_tag(0.75), weight_tag(-0.25))
            edge = max(r.get_right()[0] for r in rows) + 0.35
            for tag, row in zip(weights, rows, strict=True):
                tag.move_to([0, row.get_center()[1], 0]).align_to([edge, 0, 0], LEFT)
                tag.number.add_updater(paint_tag)
            equation = formula(
                r"\text{loss} = -\sum_t", r"w", r"\cdot", r"\log p_t", size=LABEL_SIZE * 1.3
            )
            equation.next_to(rows, DOWN, buff=0.5).align_to([left, 0, 0], LEFT)
            # SFT: a person's answer, green, weight 1
            self.play(FadeOut(plot, shift=DOWN * 0.3), run_time=QUICK)
            self.play(
                LaggedStart(*[FadeIn(c, shift=UP * 0.2) for c in sft.cells], lag_ratio=LAG),
                FadeIn(weights[0]),
                Write(equation),
                run_time=beat.until("same"),
            )
            # RL: the model's own answers take the person's place, same loss
            self.play(
                model.pulse(),
                LaggedStart(
                    *[FadeIn(c, shift=RIGHT * 0.3) for c in [*right.cells, *wrong.cells]],
                    lag_ratio=0.05,
                ),
                run_time=beat.until("weight"),
            )
            w_is_a = maths(r"w = r - \text{mean}", size=LABEL_SIZE * 1.1, color=HIGHLIGHT)
            w_is_a.next_to(equation, RIGHT, buff=0.7)
            self.play(
                FadeIn(weights[1], shift=LEFT * 0.2),
                FadeIn(weights[2], shift=LEFT * 0.2),
                Write(w_is_a),
                Indicate(equation[1], color=HIGHLIGHT),
                run_time=beat.until("up"),
            )
            # the step: right answers up, wrong ones down
            up = Arrow(DOWN * 0.5, UP * 0.5, color=TRAINED, buff=0).next_to(weights[1], RIGHT)
            down = Arrow(UP * 0.5, DOWN * 0.5, color=LOSS, buff=0).next_to(weights[2], RIGHT)
            self.play(
                GrowArrow(up),
                right.animate(rate_func=there_and_back).shift(UP * 0.12),
                model.pulse(TRAINED),
                run_time=beat.until("down"),
            )
            self.play(
                GrowArrow(down),
                wrong.animate(rate_func=there_and_back).shift(DOWN * 0.12),
                run_time=beat.until("tool"),
            )
            # the calculator's output: forced in, not written by the model, so masked
            tool = right.pick(i for i, k in enumerate(right.kinds) if k == "tool")
            self.play(
                LaggedStart(*[c.recolour(MASKED, 0.35) for c in tool], lag_ratio=0.2),
                Circumscribe(tool, color=MASKED),
                run_time=beat.until(),
            )
            for tag in weights:
                tag.number.clear_updaters()
            self.play(
                FadeOut(VGroup(rows, weights, up, down, w_is_a), shift=UP * 0.3), run_time=QUICK
            )
        return equation

    # ------------------------------------------------------------------ method

    def strip_the_textbook(self, model, equation):
        """The textbook objective, its extra terms struck out one by one: what is left."""
        with self.beat("method") as beat:
            size = LABEL_SIZE * 1.45
            ours = formula(
                r"\text{loss} = -\sum_t", r"(r - \text{mean})", r"\cdot", r"\log p_t", size=size
            )
            full = formula(
                r"\text{loss} = -\sum_t",
                r"\rho_t",
                r"\cdot",
                r"(r - \text{mean})",
                r"/\sigma",
                r"\cdot",
                r"\log p_t",
                r"+ \beta\,\mathrm{KL}",
                size=size,
            )
            for eq in (ours, full):
                eq.move_to([PANEL_X + 0.2, 0.9, 0])
            self.rewrite(equation, ours, run_time=beat.until("full"))
            self.rewrite(ours, full, run_time=STEADY)
            # one short note under each extra term
            notes = VGroup()
            for part, text in (
                (7, "drift penalty"),
                (1, "old-sample correction"),
                (4, "reward spread"),
            ):
                note = prose(text, size=SMALL_SIZE, color=DIM)
                if part == 4:  # what the division would do to a group with 1 right of 16
                    scale = maths(
                        r"1 \text{ of } 16 \text{ right: } \times 4", size=SMALL_SIZE, color=DIM
                    )
                    note = VGroup(note, scale).arrange(DOWN, buff=0.12)
                note.next_to(full[part], DOWN, buff=0.55 + 0.5 * (part == 4))
                pointer = Line(
                    full[part].get_bottom() + DOWN * 0.08, note.get_top() + UP * 0.08,
                    color=FAINT, stroke_width=THIN,
                )  # fmt: skip
                notes.add(VGroup(pointer, note))
            beat.wait_until("kl")
            for index, (part, mark, until) in enumerate(
                ((7, "kl", "ratio"), (1, "ratio", "sigma"), (4, "sigma", "strike"))
            ):
                beat.wait_until(mark)
                self.play(
                    full[part].animate.set_color(HIGHLIGHT),
                    FadeIn(notes[index], shift=UP * 0.15),
                    run_time=QUICK * 2,
                )
                # the term is traced round, then its note pulses, while its reason is
                # spoken (one thin trace over 5 s read as a frozen picture at 480p)
                span = beat.until(until)
                self.play(
                    Circumscribe(full[part], color=HIGHLIGHT, stroke_width=STROKE),
                    run_time=span * 0.5,
                )
                self.play(
                    Indicate(notes[index][1], color=HIGHLIGHT, scale_factor=1.08),
                    run_time=span * 0.5,
                )
            # strike them out
            strikes = VGroup(
                *[
                    Line(
                        full[p].get_corner(DOWN + LEFT),
                        full[p].get_corner(UP + RIGHT),
                        color=LOSS,
                        stroke_width=5,
                    )  # fmt: skip
                    for p in (7, 1, 4)
                ]
            )
            self.play(
                LaggedStart(*[Create(s) for s in strikes], lag_ratio=0.3),
                *[full[p].animate.set_color(DIM) for p in (7, 1, 4)],
                run_time=beat.until("fresh"),
            )
            # the ratio is nearly 1: the answers come (almost) from the current weights
            nearly = maths(r"\rho_t \approx 1", size=LABEL_SIZE * 1.2, color=HIGHLIGHT)
            topk = mono("sampling: top-k 50", size=SMALL_SIZE, color=DIM)
            aside = VGroup(nearly, topk).arrange(DOWN, buff=0.2)
            aside.next_to(notes, DOWN, buff=0.6).align_to(notes[1], LEFT)
            self.play(FadeIn(aside, shift=UP * 0.2), Indicate(full[1]), run_time=beat.until("loop"))
            # what is left: REINFORCE, and its loop
            left = formula(
                r"\text{loss} = -\sum_t", r"(r - \text{mean})", r"\cdot", r"\log p_t", size=size
            )
            left.move_to(full)
            self.play(FadeOut(VGroup(strikes, notes, aside)), run_time=QUICK)
            self.rewrite(full, left, run_time=QUICK * 2)
            steps = VGroup(
                *[
                    prose(s, size=LABEL_SIZE, color=TEXT)
                    for s in ("sample", "grade", "subtract the mean", "step")
                ]
            ).arrange(RIGHT, buff=0.75)
            steps.next_to(left, DOWN, buff=1.0).set_x(PANEL_X + 0.2)
            arrows = VGroup(
                *[
                    Arrow(a.get_right(), b.get_left(), buff=0.12, color=FAINT, stroke_width=3)
                    for a, b in zip(steps[:-1], steps[1:], strict=True)
                ]
            )
            again = CurvedArrow(
                steps[-1].get_bottom() + DOWN * 0.15, steps[0].get_bottom() + DOWN * 0.15,
                angle=-1.2, color=FAINT,
            )  # fmt: skip
            name = mono("REINFORCE", size=LABEL_SIZE, color=HIGHLIGHT).next_to(left, UP, buff=0.5)
            self.play(
                FadeIn(name, shift=DOWN * 0.2),
                LaggedStart(
                    *[
                        FadeIn(m, shift=RIGHT * 0.2)
                        for pair in zip(steps, [*arrows, again], strict=True)
                        for m in pair
                    ],
                    lag_ratio=0.25,
                ),
                run_time=beat.until(),
            )
            self.play(Indicate(steps[-1], color=HIGHLIGHT), model.pulse(), run_time=QUICK)
        return VGroup(left, name, steps, arrows, again)

    # ------------------------------------------------------------------ results

    def count_the_gain(self, model, method):
        """467 steps; the launch run's GSM8K score, as questions answered right."""
        with self.beat("results") as beat:
            self.play(FadeOut(method, shift=UP * 0.3), run_time=QUICK)
            steps = Counter(467, unit="steps", size=LABEL_SIZE * 1.3)
            steps.next_to(model, UP, buff=0.25)
            steps.set_x(model.get_x())
            self.play(FadeIn(steps), run_time=QUICK)
            self.play(steps.count(), model.learn("rl"), run_time=beat.until("score"))
            # the launch run: 1,319 test questions, answered greedily
            grid = question_grid()
            grid.move_to([PANEL_X + 0.2, CONTENT_CENTRE[1] - 0.45, 0])
            order = list(range(TEST_QUESTIONS))
            random.Random(8).shuffle(order)
            percent = ValueTracker(SFT_SCORE)
            score = DecimalNumber(SFT_SCORE, num_decimal_places=2, font_size=LABEL_SIZE * 1.4)
            score.add_updater(lambda m: m.set_value(percent.get_value()))
            sign = maths(r"\%", size=LABEL_SIZE * 1.4)
            count = Integer(SFT_RIGHT, font_size=LABEL_SIZE * 1.4, color=TRAINED)
            count.add_updater(
                lambda m: m.set_value(
                    round(
                        SFT_RIGHT
                        + (RL_RIGHT - SFT_RIGHT)
                        * (percent.get_value() - SFT_SCORE)
                        / (RL_SCORE - SFT_SCORE)
                    )
                )
            )
            of = maths(r"\text{of } 1{,}319 \text{ right}", size=LABEL_SIZE * 1.2, color=DIM)
            head = VGroup(score, sign, count, of)
            score.next_to(grid, UP, buff=0.35).align_to(grid, LEFT)

            def lay(m):
                sign.next_to(score, RIGHT, buff=0.08)
                count.next_to(sign, RIGHT, buff=0.7)
                of.next_to(count, RIGHT, buff=0.18)

            lay(head)
            score.add_updater(lambda m: lay(head))
            run = prose("launch run, greedy answers", size=SMALL_SIZE, color=DIM)
            run.align_to(grid, RIGHT).set_y(score.get_y())
            self.play(
                FadeIn(grid),
                FadeIn(head),
                FadeIn(run),
                run_time=STEADY,
            )
            self.play(
                LaggedStart(
                    *[
                        grid[i].animate.set_fill(TRAINED, 0.9).set_stroke(TRAINED)
                        for i in order[:SFT_RIGHT]
                    ],
                    lag_ratio=0.05,
                ),
                run_time=beat.until("count"),
            )
            self.play(
                percent.animate.set_value(RL_SCORE),
                LaggedStart(
                    *[
                        grid[i].animate.set_fill(HIGHLIGHT, 0.9).set_stroke(HIGHLIGHT)
                        for i in order[SFT_RIGHT:RL_RIGHT]
                    ],
                    lag_ratio=0.1,
                ),
                run_time=beat.until(),
            )
            score.clear_updaters()
            count.clear_updaters()
        return VGroup(grid, head, run, steps)

    # ------------------------------------------------------------------ handover

    def hand_over(self, model, grid):
        with self.beat("handover") as beat:
            self.play(closing(self, model, "rl"), run_time=beat.until("next"))
            self.play(model.pulse(), run_time=beat.until())
