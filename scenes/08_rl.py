"""Chapter 8: reinforcement learning on GSM8K, one step of it, what it leaves out, what it buys.

Narration: script/08-rl.md. Render alone with ``uv run manim -pql scenes/08_rl.py``.

The picture follows one RL step of ``scripts/chat_rl.py`` (at 48abd7d): 16 questions
times 16 sampled answers, a 0/1 reward per answer (does the number after ``####``
match?), advantage = reward minus the group's mean, then a gradient step that pushes
every sampled token of an answer up or down by its advantage, with the prompt and the
calculator's output (``<|output_start|>`` ... ``<|output_end|>``) masked out.
The answers and their numbers are invented for the picture (4 of 16 right).

Tokens are the shared :class:`mobjects.TokenCell` / :class:`mobjects.TokenStrip`,
written as they are (``<|python_start|>``, ``####``); an answer that calls the
calculator wraps onto two rows, the tool's output starting the second:

>>> strip = answer_strip(RIGHT_TOKENS)
>>> len(strip.rows), strip.tokens[TOOL_OUTPUT[0]]
(2, '<|output_start|>')

Chapter-local pictures: :class:`RolloutGrid` (the 16 x 16 answers of one step),
:class:`StruckBox` (a part of PPO/GRPO that nanochat leaves out) and ``bar``.
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
    Circumscribe,
    Create,
    CurvedArrow,
    DashedLine,
    FadeIn,
    FadeOut,
    FadeTransform,
    Indicate,
    LaggedStart,
    Line,
    MathTex,
    Rectangle,
    ReplacementTransform,
    Square,
    Succession,
    TransformFromCopy,
    TransformMatchingShapes,
    TransformMatchingTex,
    VGroup,
    Write,
)
from mobjects import (
    BlockStack,
    Counter,
    Labelled,
    PipelineDiagram,
    ProgressBar,
    TokenCell,
    TokenStrip,
)
from style import (
    BODY_SIZE,
    DIM,
    FAINT,
    HIGHLIGHT,
    LABEL_SIZE,
    LAG,
    LOSS,
    MASKED,
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

# ---- the example step (invented numbers; 4 of the 16 answers are right, mean 0.25)
ANSWERS = [29, 31, 29, 36, 22, 43, 29, 19, 36, 5, 30, 29, 84, 41, 27, 36]
REFERENCE = 29
REWARDS = [1 if a == REFERENCE else 0 for a in ANSWERS]
MEAN = sum(REWARDS) / len(REWARDS)
# a right answer that calls the calculator; positions 3-5 are the tool's forced output
RIGHT_TOKENS = [
    "<|python_start|>",
    "3*12",
    "<|python_end|>",
    "<|output_start|>",
    "36",
    "<|output_end|>",
    "-7",
    "=",
    "29",
    "####",
    "29",
]
TOOL_OUTPUT = (3, 4, 5)
WRONG_TOKENS = ["12+12", "+7", "=", "31", "####", "31"]
STAGES = ["tokenizer", "pretraining", "midtraining", "SFT", "RL", "chat"]
SFT_SCORE, RL_SCORE = 4.55, 7.58  # GSM8K accuracy (%), launch report card


def maths_parts(*parts: str, size: float = LABEL_SIZE, color=TEXT) -> MathTex:
    """``maths`` for a formula in named parts, so its pieces can be lit or matched."""
    return MathTex(*parts, font_size=size, color=color)


# --------------------------------------------------------------------------- pictures


def answer_cell(token: str, index: int | None = None) -> TokenCell:
    """One token of a sampled answer: special tokens tinted, the tool's output dimmed.

    ``index`` is the token's place in :data:`RIGHT_TOKENS` (None for other answers).
    """
    if index is not None and index in TOOL_OUTPUT:
        return TokenCell(token, DIM, special=token.startswith("<|"), fill=0.12)
    return TokenCell(token, TOKEN, special=token.startswith("<|"))


def answer_strip(tokens: Sequence[str], prompt: bool = False, **kwargs) -> TokenStrip:
    """An answer as token cells, after a grey ``question`` cell if ``prompt``.

    The answer that calls the calculator breaks before the tool's output, so the
    model's call and the calculator's reply each start a row.
    """
    cells = [
        answer_cell(tok, i if tokens == RIGHT_TOKENS else None) for i, tok in enumerate(tokens)
    ]
    head = [TokenCell("question", STRUCTURE)] if prompt else []
    if tokens == RIGHT_TOKENS:
        lines = [head + cells[: TOOL_OUTPUT[0]], cells[TOOL_OUTPUT[0] :]]
        return TokenStrip(lines, **kwargs)
    return TokenStrip(head + cells, **kwargs)


def unfold(card: TokenCell, strip: TokenStrip) -> AnimationGroup:
    """A card with an answer's final number becomes the last token of the whole answer.

    A copy of ``card`` moves onto the strip's last cell while the tokens before it
    fade in from left to right (a morph between texts of different lengths would smear).
    """
    *before, last = strip.cells
    return AnimationGroup(
        TransformFromCopy(card, last),
        LaggedStart(*[FadeIn(cell, shift=RIGHT * 0.2) for cell in before], lag_ratio=LAG),
    )


class RolloutGrid(VGroup):
    """One RL step at a glance: a question cell, then one cell per sampled answer, per row.

    >>> grid = RolloutGrid(rows=2, samples=3)
    >>> len(grid.questions), len(grid.rows[0])
    (2, 3)
    """

    def __init__(self, rows: int = 16, samples: int = 16, cell: float = 0.24, gap: float = 0.05):
        lines, questions, answer_rows = VGroup(), VGroup(), VGroup()
        for _ in range(rows):
            question = Square(
                cell, stroke_color=TEXT, stroke_width=THIN, fill_color=TEXT, fill_opacity=0.35
            )
            answers = VGroup(
                *[
                    Square(
                        cell,
                        stroke_color=TOKEN,
                        stroke_width=THIN,
                        fill_color=TOKEN,
                        fill_opacity=0.35,
                    )
                    for _ in range(samples)
                ]
            ).arrange(RIGHT, buff=gap)
            line = VGroup(question, answers).arrange(RIGHT, buff=gap * 5)
            lines.add(line)
            questions.add(question)
            answer_rows.add(answers)
        lines.arrange(DOWN, buff=gap)
        super().__init__(lines)
        self.lines, self.questions, self.rows = lines, questions, answer_rows


class StruckBox(Labelled):
    """A named part of an algorithm in a box, with a red diagonal strike that can grow across it.

    ``strike_out()`` returns the animation that draws the strike from left to right.
    """

    def __init__(self, label, box_width: float = 3.0, box_height: float = 0.7):
        box = Rectangle(
            width=box_width, height=box_height, stroke_color=STRUCTURE, stroke_width=STROKE
        )
        corner = box.get_corner(DOWN + LEFT) + (UP + RIGHT) * 0.1
        strike = Line(corner, corner + RIGHT * 1e-3, stroke_width=4, color=LOSS)
        strike.set_stroke(opacity=0)  # a stub until it is drawn
        super().__init__(box, label, strike)
        self.fit_label(label, box)
        self.box, self.label, self.strike = box, label, strike

    def reinstate(self, new_label) -> None:
        """After the strike has faded out: ``new_label`` (placed in the box) becomes the label.

        The strike leaves the group too, so fading the group out later cannot bring it back
        (``FadeOut`` restores what it faded once it is done).
        """
        self.remove(self.label, self.strike)
        self.add(new_label)
        self.label = new_label

    def strike_out(self):
        start = self.strike.get_start()
        end = self.box.get_corner(UP + RIGHT) + (DOWN + LEFT) * 0.1
        return self.strike.animate.put_start_and_end_on(start, end).set_stroke(opacity=1)


def bar(x: float, bottom: float, top: float, colour, bar_width: float = 0.34) -> Rectangle:
    """A filled bar between two heights (a flat sliver when they are equal)."""
    rect = Rectangle(
        width=bar_width,
        height=max(abs(top - bottom), 0.04),
        stroke_width=0,
        fill_color=colour,
        fill_opacity=0.85,
    )
    return rect.move_to([x, (top + bottom) / 2, 0])


# --------------------------------------------------------------------------- the scene


class ReinforcementLearning(NarratedScene):
    def construct(self):
        setup_canvas()
        self.ask_the_question()
        self.sample_the_answers()
        self.grade_the_answers()
        self.compare_with_the_group()
        self.take_the_step()
        self.strip_down_grpo()
        self.explain_why_it_works()
        self.show_the_results()
        self.hand_over()

    # ------------------------------------------------------------------ beats

    def ask_the_question(self):
        with self.beat("hook") as beat:
            model = BlockStack(8, width=1.5, block_height=0.14, gap=0.06, label="SFT")
            model.move_to(LEFT * 4.6 + UP * 0.2)
            # two of its own answers, graded, and the grade fed back
            cards, marks = VGroup(), VGroup()
            for number, right in ((REFERENCE, True), (31, False)):
                cards.add(TokenStrip(["####", str(number)], size=LABEL_SIZE))
                mark = r"\checkmark" if right else r"\times"
                marks.add(maths(mark, size=LABEL_SIZE * 1.6, color=TRAINED if right else LOSS))
            cards.arrange(DOWN, buff=0.5).move_to(LEFT * 1.2 + UP * 0.1)
            for mark, card in zip(marks, cards, strict=True):
                mark.next_to(card, RIGHT, buff=0.3)
            outs = VGroup(
                *[
                    Arrow(model.blocks.get_right(), c.get_left(), buff=0.25, color=FAINT)
                    for c in cards
                ]
            )
            back = CurvedArrow(
                cards[0].get_top() + UP * 0.15,
                model.blocks.get_top() + UP * 0.15,
                angle=1.0,
                color=HIGHLIGHT,
            )
            self.play(
                LaggedStart(*[FadeIn(b, shift=UP * 0.2) for b in model.blocks], lag_ratio=LAG),
                FadeIn(model.label),
                run_time=QUICK,
            )
            self.play(
                LaggedStart(Create(outs[0]), Create(outs[1]), lag_ratio=0.3),
                LaggedStart(*[FadeIn(c, shift=RIGHT * 0.3) for c in cards], lag_ratio=0.3),
                run_time=QUICK,
            )
            self.play(
                LaggedStart(*[Write(m) for m in marks], lag_ratio=0.5),
                Create(back),
                run_time=beat.until("gsm"),
            )
            # the question the whole chapter works on
            name = mono("GSM8K", size=LABEL_SIZE, color=HIGHLIGHT)
            question = prose("3 trays of 12 buns, 7 sold.\nHow many left?", size=LABEL_SIZE)
            q_box = Rectangle(
                width=question.width + 0.6, height=question.height + 0.5, stroke_color=TEXT
            )
            q_card = Labelled(q_box, question)
            q_card.fit_label(question, q_box)
            q_card.move_to(RIGHT * 2.4 + UP * 1.3)
            name.next_to(q_box, UP, buff=0.2)
            beat.wait_until("gsm")
            self.play(
                FadeOut(VGroup(cards, marks, back, outs), shift=RIGHT * 0.3),
                FadeIn(name, shift=DOWN * 0.2),
                Create(q_box),
                run_time=QUICK,
            )
            self.play(Write(question), run_time=beat.until("optional"))
            # the speedrun: SFT runs, RL is commented out
            title = mono("speedrun.sh", size=SMALL_SIZE, color=DIM)
            sft_line = mono("torchrun chat_sft", size=SMALL_SIZE, color=TRAINED)
            rl_line = mono("# torchrun chat_rl", size=SMALL_SIZE, color=DIM)
            code = VGroup(title, sft_line, rl_line).arrange(DOWN, aligned_edge=LEFT, buff=0.2)
            code.move_to(RIGHT * 2.4 + DOWN * 1.4)
            link = Arrow(sft_line.get_left(), model.blocks.get_right(), buff=0.25, color=TRAINED)
            self.play(FadeIn(title), Write(sft_line), Create(link), run_time=STEADY)
            self.play(FadeIn(rl_line, shift=RIGHT * 0.2), run_time=QUICK)
            self.play(
                Indicate(rl_line, color=HIGHLIGHT, scale_factor=1.05),
                run_time=beat.until(),
            )
            self.model, self.q_card, self.q_name = model, q_card, name
            self.hook_rest = VGroup(code, link)

    def sample_the_answers(self):
        with self.beat("sample") as beat:
            grid = RolloutGrid().move_to(LEFT * 1.2 + DOWN * 0.05)
            model = self.model
            self.play(
                FadeOut(self.hook_rest),
                FadeOut(self.q_name),
                model.animate.scale(0.75).move_to(LEFT * 5.6 + DOWN * 0.05),
                run_time=beat.until("rows"),
            )
            # each question card becomes one row's question cell
            beat.wait_until("rows")
            self.play(
                FadeTransform(self.q_card, grid.questions[0]),
                LaggedStart(
                    *[FadeIn(q, shift=RIGHT * 0.2) for q in grid.questions[1:]], lag_ratio=LAG
                ),
                run_time=min(beat.until("grid"), SLOW),
            )
            feed = Arrow(model.blocks.get_right(), grid.get_left(), buff=0.2, color=FAINT)
            side = Brace(grid, RIGHT, color=DIM)
            side_label = maths("16", size=LABEL_SIZE).next_to(side, RIGHT, buff=0.15)
            self.play(
                Create(feed),
                FadeIn(side),
                FadeIn(side_label),
                run_time=beat.until("grid"),
            )
            beat.wait_until("grid")
            top = Brace(grid.rows[0], UP, color=DIM)
            top_label = maths("16", size=LABEL_SIZE).next_to(top, UP, buff=0.1)
            product = maths(r"16 \times 16 = 256", size=LABEL_SIZE * 1.2)
            product.next_to(side_label, RIGHT, buff=0.7)
            self.play(
                LaggedStart(
                    *[
                        LaggedStart(*[FadeIn(c, scale=0.5) for c in row], lag_ratio=0.3)
                        for row in grid.rows
                    ],
                    lag_ratio=0.15,
                ),
                FadeIn(top),
                FadeIn(top_label),
                run_time=beat.until("total"),
            )
            beat.wait_until("total")
            self.play(
                Write(product),
                LaggedStart(
                    *[row.animate.set_fill(opacity=0.6) for row in grid.rows], lag_ratio=LAG
                ),
                run_time=beat.until("temp"),
            )
            # zoom on the first question: its 16 cells become 16 answers
            beat.wait_until("temp")
            cards = TokenStrip([str(a) for a in ANSWERS], width=0.54, height=0.54, buff=0.05)
            cards.move_to(UP * 2.2 + LEFT * 0.5)
            q_card = self._question_card().move_to(UP * 3.1).align_to(cards, LEFT)
            temp = maths(r"T = 1", size=LABEL_SIZE, color=HIGHLIGHT).next_to(
                q_card, RIGHT, buff=0.8
            )
            self.play(
                ReplacementTransform(grid.rows[0], cards.boxes),
                FadeTransform(grid.questions[0], q_card),
                FadeOut(
                    VGroup(grid.lines[1:], side, side_label, top, top_label, product, feed, model)
                ),
                FadeIn(temp),
                run_time=STEADY,
            )
            self.play(
                LaggedStart(*[Write(label) for label in cards.labels], lag_ratio=0.2),
                run_time=beat.until("tool"),
            )
            # answer 1, token by token: it calls the calculator, which writes back 36
            strip = answer_strip(RIGHT_TOKENS).move_to(DOWN * 1.0).align_to(cards, LEFT)
            tool = strip.pick(TOOL_OUTPUT)
            brace = Brace(tool, DOWN, color=DIM)
            brace_label = prose("calculator", size=SMALL_SIZE, color=DIM).next_to(brace, DOWN, 0.1)
            beat.wait_until("tool")
            self.play(
                unfold(cards.cells[0], strip),
                cards.boxes[0].animate.set_stroke(HIGHLIGHT, width=STROKE),
                run_time=STEADY,
            )
            self.play(
                Indicate(strip.pick([0, 1, 2]), color=HIGHLIGHT, scale_factor=1.1),
                FadeIn(brace),
                FadeIn(brace_label),
                run_time=beat.until(),
            )
            self.cards, self.q_card, self.temp = cards, q_card, temp
            self.strip, self.tool_note = strip, VGroup(brace, brace_label)

    def _question_card(self) -> Labelled:
        question = prose("3 trays of 12 buns, 7 sold. How many left?", size=SMALL_SIZE)
        box = Rectangle(
            width=question.width + 0.5, height=question.height + 0.35, stroke_color=TEXT
        )
        card = Labelled(box, question)
        card.fit_label(question, box)
        return card

    def grade_the_answers(self):
        with self.beat("reward") as beat:
            reference = maths(rf"\text{{reference}} = {REFERENCE}", size=LABEL_SIZE, color=TRAINED)
            reference.next_to(self.q_card, RIGHT, buff=0.8)
            self.play(
                ReplacementTransform(self.temp, reference),
                self.cards.boxes[0].animate.set_stroke(TOKEN, width=THIN),
                run_time=beat.until("hash"),
            )
            beat.wait_until("hash")
            final = self.strip.pick([9, 10])
            self.play(
                final.animate.set_color(HIGHLIGHT),
                Circumscribe(final, color=HIGHLIGHT),
                run_time=beat.until("score"),
            )
            # each answer's number against the reference: 1 or 0
            digits = VGroup()
            for reward, cell in zip(REWARDS, self.cards.cells, strict=True):
                digit = maths(str(reward), size=LABEL_SIZE, color=TRAINED if reward else DIM)
                digits.add(digit.next_to(cell, DOWN, buff=0.25))
            label = maths("r", size=LABEL_SIZE, color=TEXT).next_to(digits, LEFT, buff=0.4)
            beat.wait_until("score")
            self.play(
                LaggedStart(
                    *[
                        cell.animate.set_color(TRAINED if r else DIM)
                        for r, cell in zip(REWARDS, self.cards.cells, strict=True)
                    ],
                    lag_ratio=LAG,
                ),
                LaggedStart(*[FadeIn(d, shift=DOWN * 0.2) for d in digits], lag_ratio=LAG),
                FadeIn(label),
                run_time=beat.until(),
            )
            self.digits, self.r_label, self.reference = digits, label, reference

    def compare_with_the_group(self):
        with self.beat("advantage") as beat:
            base, unit = -0.6, 1.4
            xs = [cell.get_center()[0] for cell in self.cards.boxes]
            left, right = self.cards.get_left()[0], self.cards.get_right()[0]
            axis = Line([left, base, 0], [right, base, 0], stroke_width=THIN, color=STRUCTURE)
            rewards = VGroup(
                *[
                    bar(x, base, base + r * unit, TRAINED if r else DIM)
                    for x, r in zip(xs, REWARDS, strict=True)
                ]
            )
            mean_y = base + MEAN * unit
            mean_line = DashedLine([left, mean_y, 0], [right, mean_y, 0], color=HIGHLIGHT)
            mean_label = maths(rf"\bar r = {MEAN:.2f}", size=LABEL_SIZE, color=HIGHLIGHT)
            mean_label.next_to(mean_line, RIGHT, buff=0.25)
            self.play(
                FadeOut(VGroup(self.strip, self.tool_note), shift=DOWN * 0.3),
                Create(axis),
                LaggedStart(
                    *[TransformFromCopy(d, b) for d, b in zip(self.digits, rewards, strict=True)],
                    lag_ratio=LAG,
                ),
                run_time=beat.until("mean"),
            )
            beat.wait_until("mean")
            self.play(Create(mean_line), Write(mean_label), run_time=beat.until("adv"))
            # subtract the mean: the axis rises to the mean line, bars hang above or below it
            advantages = VGroup(
                *[
                    bar(x, mean_y, base + r * unit, TRAINED if r else LOSS)
                    for x, r in zip(xs, REWARDS, strict=True)
                ]
            )
            plus = maths(rf"A = +{1 - MEAN:.2f}", size=LABEL_SIZE, color=TRAINED)
            minus = maths(rf"A = -{MEAN:.2f}", size=LABEL_SIZE, color=LOSS)
            plus.next_to([right, base + unit, 0], RIGHT, buff=0.25)
            minus.next_to([right, base - 0.3, 0], RIGHT, buff=0.25)
            beat.wait_until("adv")
            self.play(
                ReplacementTransform(rewards, advantages),
                axis.animate.set_y(mean_y).set_color(HIGHLIGHT),
                FadeOut(mean_line),
                run_time=SLOW,
            )
            self.play(
                Write(plus),
                Write(minus),
                LaggedStart(
                    *[
                        Indicate(b, color=TRAINED if r else LOSS, scale_factor=1.25)
                        for b, r in zip(advantages, REWARDS, strict=True)
                    ],
                    lag_ratio=0.25,
                ),
                run_time=beat.until(),
            )
            self.advantage_view = VGroup(
                self.q_card,
                self.reference,
                self.cards,
                self.digits,
                self.r_label,
                axis,
                advantages,
                mean_label,
            )
            self.plus, self.minus = plus, minus

    def take_the_step(self):
        with self.beat("update") as beat:
            # the right answer (two rows: its call, then the calculator's reply) over a wrong one;
            # cell 0 is the question, cell i + 1 is token i of the answer
            right = answer_strip(RIGHT_TOKENS, prompt=True, line_buff=0.85)
            wrong = answer_strip(WRONG_TOKENS, prompt=True)
            wrong.next_to(right, DOWN, buff=1.0).align_to(right, LEFT)
            plus_at = self.plus.copy().next_to(right.rows[0], LEFT, buff=0.4)
            minus_at = self.minus.copy().next_to(wrong, LEFT, buff=0.4).align_to(plus_at, RIGHT)
            VGroup(right, wrong, plus_at, minus_at).move_to(DOWN * 0.5)
            card_right, card_wrong = self.cards.cells[0], self.cards.cells[1]
            self.play(
                unfold(card_right, right),
                unfold(card_wrong, wrong),
                ReplacementTransform(self.plus, plus_at),
                ReplacementTransform(self.minus, minus_at),
                FadeOut(self.advantage_view),
                run_time=beat.until("up"),
            )
            ups = VGroup(
                *[
                    Arrow(
                        c.get_top(),
                        c.get_top() + UP * 0.7,
                        buff=0.08,
                        color=TRAINED,
                        stroke_width=5,
                        max_tip_length_to_length_ratio=0.4,
                    )
                    for c in right.cells[1:]
                ]
            )
            downs = VGroup(
                *[
                    Arrow(
                        c.get_bottom(),
                        c.get_bottom() + DOWN * 0.45,
                        buff=0.08,
                        color=LOSS,
                        stroke_width=5,
                        max_tip_length_to_length_ratio=0.6,
                    )
                    for c in wrong.cells[1:]
                ]
            )
            beat.wait_until("up")
            self.play(
                LaggedStart(*[Create(a) for a in ups], lag_ratio=LAG),
                run_time=beat.until("down"),
            )
            beat.wait_until("down")
            self.play(
                LaggedStart(*[Create(a) for a in downs], lag_ratio=LAG),
                run_time=beat.until("mask"),
            )
            # what the model did not choose is not trained: the prompt, the tool's output
            masked = VGroup(
                right.cells[0], wrong.cells[0], *[right.cells[i + 1] for i in TOOL_OUTPUT]
            )
            tool_arrows = VGroup(*[ups[i] for i in TOOL_OUTPUT])
            beat.wait_until("mask")
            self.play(
                LaggedStart(
                    *[
                        m.box.animate.set_stroke(MASKED).set_fill(MASKED, opacity=0.25)
                        for m in masked
                    ],
                    lag_ratio=LAG,
                ),
                *[m.label.animate.set_color(DIM) for m in masked],
                FadeOut(tool_arrows, shift=DOWN * 0.3),
                run_time=beat.until("norm"),
            )
            formula = maths_parts(
                r"\sum_t", "A", r"\,\log p(x_t)", r"\;/\;", "N", size=LABEL_SIZE * 1.4
            )
            formula.to_edge(UP, buff=0.6)
            valid = VGroup(
                *[right.cells[i + 1] for i in range(len(RIGHT_TOKENS)) if i not in TOOL_OUTPUT],
                *wrong.cells[1:],
            )
            beat.wait_until("norm")
            self.play(Write(formula), run_time=STEADY)
            self.play(
                LaggedStart(
                    *[Indicate(v, color=HIGHLIGHT, scale_factor=1) for v in valid], lag_ratio=0.15
                ),
                Indicate(formula[4], color=HIGHLIGHT, scale_factor=1.4),
                run_time=beat.until(),
            )
            self.formula = formula
            self.step_view = VGroup(right, wrong, ups[:3], ups[6:], downs, plus_at, minus_at)

    def strip_down_grpo(self):
        with self.beat("left-out") as beat:
            name = mono('"GRPO"', size=LABEL_SIZE * 1.3, color=HIGHLIGHT).to_edge(UP, buff=0.6)
            self.play(
                FadeOut(self.step_view, shift=DOWN * 0.3),
                self.formula.animate.scale(1.1).move_to(UP * 0.1),
                FadeIn(name, shift=DOWN * 0.2),
                run_time=beat.until("kl"),
            )
            boxes = {
                "reference": StruckBox(prose("reference model", size=LABEL_SIZE)),
                "kl": StruckBox(prose("KL penalty", size=LABEL_SIZE)),
                "clip": StruckBox(prose("ratio + clip", size=LABEL_SIZE)),
                "critic": StruckBox(prose("critic", size=LABEL_SIZE)),
                "std": StruckBox(maths(r"\div\,\mathrm{std}", size=LABEL_SIZE)),
            }
            top = VGroup(boxes["reference"], boxes["kl"], boxes["clip"]).arrange(RIGHT, buff=0.4)
            top.move_to(UP * 1.75)
            bottom = VGroup(boxes["critic"], boxes["std"]).arrange(RIGHT, buff=0.4)
            bottom.move_to(DOWN * 1.65)
            for mark, keys, until in (
                ("kl", ["reference", "kl"], "clip"),
                ("clip", ["clip"], "critic"),
                ("critic", ["critic"], "std"),
                ("std", ["std"], "left"),
            ):
                beat.wait_until(mark)
                group = VGroup(*[boxes[k] for k in keys])
                self.play(FadeIn(group, shift=DOWN * 0.2), run_time=QUICK)
                self.play(
                    *[boxes[k].strike_out() for k in keys],
                    *[boxes[k].box.animate.set_stroke(FAINT) for k in keys],
                    *[boxes[k].label.animate.set_color(DIM) for k in keys],
                    run_time=beat.until(until),
                )
            # what is left: REINFORCE with the group mean as baseline
            reinforce = mono("REINFORCE", size=LABEL_SIZE * 1.3, color=TRAINED).move_to(name)
            expanded = maths_parts(
                r"\sum_t", r"(r - \bar r)", r"\,\log p(x_t)", r"\;/\;", "N", size=LABEL_SIZE * 1.54
            ).move_to(self.formula)
            beat.wait_until("left")
            self.play(TransformMatchingShapes(name, reinforce), run_time=STEADY)
            self.play(
                TransformMatchingTex(self.formula, expanded),
                run_time=beat.until(),
            )
            self.boxes, self.reinforce, self.formula = boxes, reinforce, expanded

    def explain_why_it_works(self):
        with self.beat("why-it-works") as beat:
            boxes = self.boxes
            clip, critic = boxes["clip"], boxes["critic"]
            gone = VGroup(boxes["reference"], boxes["kl"], boxes["std"])
            self.play(
                FadeOut(gone, shift=DOWN * 0.2),
                critic.animate.move_to(boxes["reference"]),
                run_time=beat.until("fresh"),
            )
            # on-policy: each batch comes from the current weights and is used once
            thetas = VGroup(*[maths(rf"\theta_{{{k}}}", size=BODY_SIZE) for k in (1, 2, 3)])
            batches = VGroup(*[RolloutGrid(rows=4, samples=4, cell=0.14, gap=0.04) for _ in (1, 2)])
            VGroup(thetas[0], batches[0], thetas[1], batches[1], thetas[2]).arrange(
                RIGHT, buff=1.0
            ).move_to(DOWN * 1.9)
            into = [Arrow(thetas[i].get_right(), batches[i].get_left(), buff=0.15) for i in (0, 1)]
            out = [
                Arrow(batches[i].get_right(), thetas[i + 1].get_left(), buff=0.15) for i in (0, 1)
            ]
            for arrow in (*into, *out):
                arrow.set_color(FAINT)
            beat.wait_until("fresh")
            # weights -> a fresh batch -> one step -> new weights; each batch used once, then spent
            chain = [FadeIn(thetas[0], shift=UP * 0.2)]
            for i in (0, 1):
                chain.append(
                    AnimationGroup(Create(into[i]), TransformFromCopy(thetas[i], batches[i]))
                )
                chain.append(
                    AnimationGroup(
                        Create(out[i]),
                        FadeIn(thetas[i + 1], shift=RIGHT * 0.2),
                        batches[i].animate.set_opacity(0.2),
                    )
                )
            self.play(Succession(*chain), run_time=max(beat.until("ratio"), SLOW))
            # so the PPO ratio is always 1: nothing to clip
            ratio = maths(
                r"\pi_{\text{new}} / \pi_{\text{old}} = 1", size=LABEL_SIZE, color=TRAINED
            )
            clip.fit_label(ratio, clip.box)
            beat.wait_until("ratio")
            self.play(
                ReplacementTransform(clip.label, ratio),
                FadeOut(clip.strike),
                clip.box.animate.set_stroke(TRAINED),
                run_time=beat.until("baseline"),
            )
            clip.reinstate(ratio)
            # the group mean stands where a critic would
            mean = maths(r"\bar r = \text{group mean}", size=LABEL_SIZE, color=HIGHLIGHT)
            critic.fit_label(mean, critic.box)
            link = Arrow(
                critic.box.get_bottom(),
                self.formula[1].get_top(),
                buff=0.3,
                color=HIGHLIGHT,
                stroke_width=4,
            )
            beat.wait_until("baseline")
            self.play(
                ReplacementTransform(critic.label, mean),
                FadeOut(critic.strike),
                critic.box.animate.set_stroke(HIGHLIGHT),
                Create(link),
                run_time=STEADY,
            )
            critic.reinstate(mean)
            self.play(
                Indicate(self.formula[1], color=HIGHLIGHT, scale_factor=1.15),
                run_time=beat.until(),
            )
            self.why_view = VGroup(
                self.reinforce, self.formula, link, clip, critic, thetas, batches, *into, *out
            )

    def show_the_results(self):
        with self.beat("results") as beat:
            division = maths(r"7{,}473 \div 16", size=LABEL_SIZE * 1.3).move_to(
                LEFT * 3.4 + UP * 1.5
            )
            steps = Counter(467, unit="steps", size=64).move_to(LEFT * 3.4 + UP * 0.1)
            bar_track = ProgressBar(width=4.0, colour=TRAINED).move_to(LEFT * 3.4 + DOWN * 1.0)
            self.play(FadeOut(self.why_view, shift=UP * 0.3), run_time=beat.until("steps"))
            beat.wait_until("steps")
            bar_track.start(beat.span("steps", "score"))
            self.play(Write(division), FadeIn(steps), FadeIn(bar_track), run_time=QUICK)
            self.play(steps.count(), run_time=beat.until("score"))
            bar_track.fill.clear_updaters()
            # GSM8K accuracy, SFT vs RL
            scale, floor = 0.42, -1.9
            axis = Line(RIGHT * 1.2 + UP * floor, RIGHT * 5.8 + UP * floor, color=STRUCTURE)
            names = VGroup(
                mono("SFT", size=LABEL_SIZE, color=DIM).move_to([2.5, floor - 0.4, 0]),
                mono("RL", size=LABEL_SIZE, color=TRAINED).move_to([4.5, floor - 0.4, 0]),
            )
            bars = VGroup(
                bar(2.5, floor, floor + SFT_SCORE * scale, DIM, bar_width=1.2),
                bar(4.5, floor, floor + RL_SCORE * scale, TRAINED, bar_width=1.2),
            )
            stubs = VGroup(
                bar(2.5, floor, floor, DIM, bar_width=1.2),
                bar(4.5, floor, floor, TRAINED, bar_width=1.2),
            )
            scores = VGroup(
                Counter(SFT_SCORE, unit="%", places=2, size=44),
                Counter(RL_SCORE, unit="%", places=2, size=44, colour=TRAINED),
            )
            for score, stub in zip(scores, stubs, strict=True):  # each score rides its bar up
                score.add_updater(lambda m, s=stub: m.next_to(s, UP, buff=0.25))
            title = mono("GSM8K", size=LABEL_SIZE, color=HIGHLIGHT)
            title.move_to([3.5, floor + RL_SCORE * scale + 1.2, 0])
            beat.wait_until("score")
            self.play(
                Create(axis),
                FadeIn(names),
                FadeIn(stubs),
                FadeIn(scores),
                FadeIn(title, shift=DOWN * 0.2),
                run_time=QUICK,
            )
            self.play(
                ReplacementTransform(stubs, bars), *[s.count() for s in scores], run_time=SLOW
            )
            for score, column in zip(scores, bars, strict=True):
                score.clear_updaters(recursive=False).next_to(column, UP, buff=0.25)
            self.play(
                Circumscribe(VGroup(bars[1], scores[1]), color=TRAINED),
                run_time=beat.until(),
            )
            self.results = VGroup(division, steps, bar_track, axis, names, scores, title)
            self.rl_bar = bars[1]
            self.sft_bar = bars[0]

    def hand_over(self):
        with self.beat("handover") as beat:
            pipeline = PipelineDiagram(STAGES, optional=["RL"])
            pipeline.move_to(UP * 0.2)
            rl = STAGES.index("RL")
            # the RL bar becomes the (now done) RL stage of the pipeline
            done = Rectangle(
                width=pipeline.boxes[rl].width,
                height=pipeline.boxes[rl].height,
                stroke_width=0,
                fill_color=TRAINED,
                fill_opacity=0.15,
            ).move_to(pipeline.boxes[rl])
            self.play(FadeOut(VGroup(self.results, self.sft_bar), shift=UP * 0.3), run_time=QUICK)
            self.play(
                ReplacementTransform(self.rl_bar, done),
                FadeIn(VGroup(pipeline.boxes, pipeline.arrows, pipeline.labels)),
                run_time=STEADY,
            )
            self.play(
                LaggedStart(*[pipeline.settle(i) for i in range(rl + 1)], lag_ratio=0.2),
                run_time=beat.until("next"),
            )
            token = maths(r"\bullet", size=60, color=TOKEN).next_to(pipeline.boxes[rl], UP, 0.2)
            beat.wait_until("next")
            self.play(FadeIn(token, shift=DOWN * 0.2), run_time=QUICK)
            self.play(
                pipeline.light(rl + 1),
                token.animate.next_to(pipeline.boxes[rl + 1], UP, buff=0.2),
                run_time=beat.until(),
            )
