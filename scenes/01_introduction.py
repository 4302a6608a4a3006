"""Chapter 1: what it takes to build a ChatGPT, answered in compute; where nanochat comes
from; the six stages and what each does to the model; the pinned commit.

Narration: script/01-introduction.md. Render alone with
``uv run manim -pql scenes/01_introduction.py``.

Chapter 1 is where the video's two recurring pictures are born: the model
(``ModelStack().build()``) and the pipeline bar, built in the middle of the frame while
the stages are named, then docked. It ends on the boundary frame every later chapter
starts from: the bar docked, the untrained model in the middle.

The compute is one picture that transforms: a rectangle N parameters wide and D tokens
tall, six sheets deep (FLOPs = 6 N D), is poured into a bar as tall as the node's peak
rate, whose length is then the time; real utilisation and the other stages stretch it,
and the hour ticks become dollars.
"""

from __future__ import annotations

import numpy as np
from manim import (
    DOWN,
    LEFT,
    RIGHT,
    UP,
    AnimationGroup,
    ChangeDecimalToValue,
    Create,
    DecimalNumber,
    FadeIn,
    FadeOut,
    GrowFromCenter,
    Indicate,
    LaggedStart,
    Line,
    MathTex,
    Mobject,
    Rectangle,
    ReplacementTransform,
    SurroundingRectangle,
    ValueTracker,
    VGroup,
    linear,
    rush_from,
)
from mobjects import ChatBubble, Counter, ModelStack, PipelineBar, PriceTag, TokenCell, TokenStrip
from style import (
    BODY_SIZE,
    CONTENT_CENTRE,
    DIM,
    FAINT,
    HIGHLIGHT,
    LABEL_SIZE,
    LAG,
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
from transitions import closing, morph

from explainer.scene import NarratedScene

# ---- the arithmetic (sources in the script's comment)
PARAMS_M = 561  # d20, millions of parameters (speedrun.sh:76)
TOKENS_B = 11.2  # 20 tokens per parameter (speedrun.sh:77)
FLOPS_E19 = 3.8  # 6 * 561e6 * 11.2e9 = 3.77e19
PEAK_HOURS = 1.3  # 3.77e19 / (8 * 989e12) s
REAL_HOURS = 2.7  # at about half the peak (run1000.sh:38)
TOTAL_HOURS = 3.85  # the launch run: 3h51m (README.md:61)
DOLLARS_PER_HOUR = 24  # README.md:15

# ---- the layout of the compute picture
WORK_LEFT, WORK_BOTTOM = -3.7, -2.45  # the N x D rectangle's lower-left corner
WORK_WIDTH, WORK_HEIGHT = 5.4, 4.3
SHEET_STEP = np.array([0.16, 0.13, 0.0])  # each of the six sheets sits behind the last
SIDE = np.array([5.5, -0.3, 0.0])  # where the model stands beside the arithmetic
SIDE_SCALE = 0.6
AXIS_LEFT, AXIS_Y, HOUR = -5.0, -2.35, 2.0  # the time axis: x of 0 h, its height, units per hour
ROWS, ROW_HEIGHT, ROW_GAP = 8, 0.36, 0.05  # one row per GPU

# ---- the bar in the middle (chapter 1 builds it there, then docks it)
BAR_Y = 2.1
LINEAGE_ZOOM = 2.0  # nanoGPT's one stage, drawn large before the others join it
MIDDLE_MODEL_TOP, MIDDLE_MODEL_BOTTOM = 1.35, -3.55
STAGE_WORDS = [  # what each stage lets the model do with the question, beside it
    "pieces it can read",
    "continues the page",
    "takes its turn",
    "learns from replies only",
    "right answers likelier",
    "you ask",
]
STAGE_MARKS = ["tok", "pre", "mid", "sft", "rl", "chat"]
QUESTION = ["Why", " is", " the", " sky", " blue", "?"]  # speedrun.sh:114's example prompt
PAGE = ["Why is grass green?", "Why do cats purr?"]  # a page of questions, continued
ANSWER = ["Air", " scatters", " blue", " light", " most", "."]  # the hook's reply, as tokens
MATHS = ["5", " pens", " at", " $2", " each", "?"]
TRIES = [("$10", True), ("$12", False), ("$10", True)]  # sampled answers, checked


class GpuTime(VGroup):
    """The work laid out in time: one row per GPU, as long as the hours it takes.

    ``hours`` and ``efficiency`` are ValueTrackers: the rows stretch with the hours and
    their fill fades with the efficiency, so the area (the work) can stay the same while
    the time grows. ``extra`` is a second, paler segment after the rows (other stages).

    >>> gpu = GpuTime()
    >>> len(gpu.rows), float(gpu.hours.get_value())
    (8, 0.0)
    """

    def __init__(self, left: float = AXIS_LEFT, bottom: float = AXIS_Y + 0.25, unit: float = HOUR):
        super().__init__()
        self.left, self.bottom, self.unit = left, bottom, unit
        self.hours, self.efficiency, self.more = ValueTracker(0), ValueTracker(1), ValueTracker(0)
        self.rows = VGroup(
            *[
                Rectangle(width=1e-3, height=ROW_HEIGHT, stroke_color=TOKEN, stroke_width=THIN)
                for _ in range(ROWS)
            ]
        )
        self.extra = Rectangle(
            width=1e-3,
            height=ROWS * ROW_HEIGHT + (ROWS - 1) * ROW_GAP,
            stroke_color=STRUCTURE,
            stroke_width=THIN,
        ).set_fill(FAINT, 0.5)
        self.add(self.rows, self.extra)
        self.rows.add_updater(self._stretch_rows)
        self.extra.add_updater(self._stretch_extra)
        self._stretch_rows(self.rows)
        self._stretch_extra(self.extra)

    def _stretch_rows(self, rows: VGroup) -> None:
        width = max(self.hours.get_value() * self.unit, 1e-3)
        for index, row in enumerate(rows):
            row.stretch_to_fit_width(width)
            row.move_to(
                [self.left, self.bottom + index * (ROW_HEIGHT + ROW_GAP), 0],
                aligned_edge=LEFT + DOWN,
            )
            row.set_fill(TOKEN, 0.7 * self.efficiency.get_value())

    def _stretch_extra(self, extra: Rectangle) -> None:
        width = max(self.more.get_value() * self.unit, 1e-3)
        extra.stretch_to_fit_width(width)
        start = self.left + self.hours.get_value() * self.unit
        extra.move_to([start, self.bottom, 0], aligned_edge=LEFT + DOWN)
        extra.set_stroke(opacity=1.0 if self.more.get_value() > 0.01 else 0.0)
        extra.set_fill(opacity=0.5 if self.more.get_value() > 0.01 else 0.0)

    def end(self) -> np.ndarray:
        """The right end of everything drawn so far, at mid height."""
        x = self.left + (self.hours.get_value() + self.more.get_value()) * self.unit
        return np.array([x, self.rows.get_center()[1], 0.0])

    def freeze(self) -> GpuTime:
        self.rows.clear_updaters()
        self.extra.clear_updaters()
        return self


class Introduction(NarratedScene):
    def construct(self):
        setup_canvas()
        model, chat = self.build_the_model()
        work = self.multiply_it_out(model, chat)
        spent = self.spend_the_hours(model, work)
        bar, name = self.trace_the_lineage(model, spent)
        self.walk_the_stages(bar, model, name)
        self.pin_the_commit(bar, model)

    # ------------------------------------------------------------------ beats

    def build_the_model(self) -> tuple[ModelStack, VGroup]:
        """hook: a question in a chat window, and the model behind it grows from nothing."""
        with self.beat("hook") as beat:
            model = ModelStack().move_to(CONTENT_CENTRE)
            # the chat either side of the model, clear of it (the reply used to overlap it)
            question = ChatBubble("Why is the sky blue?", role="user", width=1)
            question.next_to(model, LEFT, buff=0.45).shift(UP * 1.4)
            self.play(FadeIn(question, shift=UP * 0.3), run_time=beat.until("model"))
            self.play(model.build(), run_time=beat.until("answer"))
            reply = ChatBubble("Air scatters blue\nlight most.", role="assistant", width=1)
            reply.next_to(model, RIGHT, buff=0.45).shift(DOWN * 1.2)
            self.play(
                model.pulse(),
                AnimationGroup(FadeIn(reply, shift=UP * 0.3), lag_ratio=0.6),
                run_time=beat.until(),
            )
        return model, VGroup(question, reply)

    def multiply_it_out(self, model: ModelStack, chat: VGroup) -> VGroup:
        """compute: N parameters wide, D tokens tall, six sheets deep: 3.8e19 FLOPs."""
        with self.beat("compute") as beat:
            # the chat window goes; the model steps aside for the arithmetic
            self.play(
                FadeOut(chat, shift=DOWN * 0.3),
                model.animate.scale(SIDE_SCALE).move_to(SIDE),
                run_time=beat.until("params"),
            )
            corner = np.array([WORK_LEFT, WORK_BOTTOM, 0.0])
            base = Line(corner, corner + RIGHT * WORK_WIDTH, color=TEXT, stroke_width=STROKE)
            side = Line(corner, corner + UP * WORK_HEIGHT, color=TOKEN, stroke_width=STROKE)
            params = Counter(PARAMS_M, unit="M parameters", size=BODY_SIZE)
            params.next_to(base, DOWN, buff=0.3)
            n = maths("N", color=TEXT).next_to(params, LEFT, buff=0.3)
            tokens = Counter(TOKENS_B, unit="B tokens", places=1, size=BODY_SIZE, colour=TOKEN)
            tokens.next_to(side, LEFT, buff=0.3).shift(UP * 0.6)
            d = maths("D", color=TOKEN).next_to(tokens, UP, buff=0.25).align_to(tokens, RIGHT)
            # --- N: the model's weights along the bottom edge
            self.play(
                Indicate(model.blocks, color=HIGHLIGHT, scale_factor=1.05),
                Create(base),
                FadeIn(n),
                FadeIn(params),
                run_time=QUICK,
            )
            self.play(params.count(), run_time=beat.until("tokens"))
            # --- D: the tokens stand up along the left edge, twenty for every parameter
            self.play(Create(side), FadeIn(d), FadeIn(tokens), run_time=QUICK)
            self.play(tokens.count(), run_time=beat.until("twenty"))
            face = Rectangle(
                width=WORK_WIDTH, height=WORK_HEIGHT, stroke_color=STRUCTURE, stroke_width=STROKE
            ).move_to(corner, aligned_edge=LEFT + DOWN)
            ratio = maths(r"D = 20 \times N", color=TOKEN).move_to(face)
            self.play(FadeIn(ratio, shift=UP * 0.2), Create(face), run_time=beat.until("six"))
            # --- six operations for every (parameter, token) pair: six sheets of work
            self.play(FadeOut(ratio), face.animate.set_fill(TOKEN, 0.12), run_time=QUICK)
            cost = VGroup(
                *[MathTex(t, font_size=BODY_SIZE * 1.6, color=TEXT) for t in "2+4=6"]
            ).arrange(RIGHT, buff=0.45)
            cost[0].set_color(TOKEN)
            cost[2].set_color(OPTIMIZER)
            cost.move_to(face).shift(UP * 0.4)
            forward = prose("forward", size=LABEL_SIZE, color=TOKEN).next_to(
                cost[0], DOWN, buff=0.3
            )
            backward = prose("backward", size=LABEL_SIZE, color=OPTIMIZER)
            backward.next_to(cost[2], DOWN, buff=0.3)
            per_pair = prose("per parameter, per token", size=LABEL_SIZE, color=DIM)
            per_pair.next_to(cost, UP, buff=0.4)
            self.play(FadeIn(per_pair), run_time=beat.until("forward"))
            # the sheets start hidden behind the face and fan out, one per operation
            sheets = VGroup()
            for index in range(1, 6):
                colour = TOKEN if index < 2 else OPTIMIZER
                sheet = face.copy().set_stroke(colour, width=THIN).set_fill(colour, 0.08)
                sheets.add(sheet.set_z_index(-index))
            self.add(sheets)
            self.play(
                FadeIn(cost[0]),
                FadeIn(forward),
                sheets[0].animate.shift(SHEET_STEP),
                face.animate.set_stroke(TOKEN),
                run_time=beat.until("backward"),
            )
            self.play(
                FadeIn(cost[1:]),
                FadeIn(backward),
                LaggedStart(
                    *[s.animate.shift(SHEET_STEP * i) for i, s in enumerate(sheets[1:], start=2)],
                    lag_ratio=0.3,
                ),
                run_time=beat.until("flops"),
            )
            # --- the volume: 6 N D
            total = VGroup(
                maths(r"6 \cdot N \cdot D \approx"),
                DecimalNumber(0, num_decimal_places=1, font_size=BODY_SIZE, color=MONEY),
                maths(r"\times 10^{19}\ \text{FLOPs}", color=MONEY),
            ).arrange(RIGHT, buff=0.2)
            total.next_to(VGroup(face, sheets), UP, buff=0.35).align_to(face, LEFT)
            self.play(
                FadeOut(VGroup(cost, forward, backward, per_pair)),
                FadeIn(total),
                face.animate.set_fill(TOKEN, 0.3),
                run_time=QUICK,
            )
            self.play(
                ChangeDecimalToValue(total[1], FLOPS_E19),
                LaggedStart(*[s.animate.set_fill(opacity=0.25) for s in sheets], lag_ratio=0.2),
                run_time=beat.until(),
            )
        return VGroup(face, sheets, base, side, n, params, d, tokens, total)

    def spend_the_hours(self, model: ModelStack, work: VGroup) -> VGroup:
        """hours: the same work poured into the node's peak rate; its length is the time."""
        face, sheets, base, side, n, params, d, tokens, total = work
        with self.beat("hours") as beat:
            gpu = GpuTime()
            axis = Line(
                [AXIS_LEFT, AXIS_Y, 0], [AXIS_LEFT + 4.3 * HOUR, AXIS_Y, 0], color=STRUCTURE
            )
            ticks, hours = VGroup(), VGroup()
            for h in range(5):
                x = AXIS_LEFT + h * HOUR
                ticks.add(Line([x, AXIS_Y - 0.1, 0], [x, AXIS_Y + 0.1, 0], color=STRUCTURE))
                hours.add(maths(rf"{h}\,\text{{h}}", size=LABEL_SIZE, color=DIM))
                hours[-1].next_to(ticks[-1], DOWN, buff=0.15)
            rate = maths(
                r"8 \times \text{H100} \approx 8 \times 10^{15}\ \text{FLOPs/s}", size=LABEL_SIZE
            )
            rate.next_to([AXIS_LEFT, gpu.bottom + ROWS * (ROW_HEIGHT + ROW_GAP), 0], UP, buff=0.2)
            rate.align_to([AXIS_LEFT, 0, 0], LEFT)
            # --- the node's peak rate is the height; the work pours in, and its length is time
            gpu.hours.set_value(PEAK_HOURS)
            gpu.update()
            poured = gpu.rows.copy().clear_updaters()
            self.play(FadeOut(VGroup(base, side, n, params, d, tokens)), run_time=QUICK)
            beat.wait_until("node")
            self.play(
                ReplacementTransform(VGroup(face, sheets), poured),
                Create(axis),
                FadeIn(ticks),
                FadeIn(hours),
                FadeIn(rate),
                total.animate.to_edge(UP, buff=0.5).align_to([AXIS_LEFT, 0, 0], LEFT),
                run_time=beat.until("peak"),
            )
            self.remove(poured)
            self.add(gpu)
            readout = VGroup(
                DecimalNumber(0, num_decimal_places=1, font_size=BODY_SIZE, color=TEXT),
                maths(r"\text{h}", color=TEXT),
            ).arrange(RIGHT, buff=0.1)

            def follow(group: VGroup) -> None:
                group[0].set_value(gpu.hours.get_value() + gpu.more.get_value())
                group[1].next_to(group[0], RIGHT, buff=0.1)
                group.next_to(gpu.end(), RIGHT, buff=0.25)

            follow(readout)
            readout.add_updater(follow)
            self.play(FadeIn(readout, shift=LEFT * 0.2), run_time=QUICK)
            self.play(
                Indicate(rate, color=HIGHLIGHT, scale_factor=1.05), run_time=beat.until("half")
            )
            # --- real GPUs: half the rate, twice the time, the same area
            self.play(
                gpu.hours.animate.set_value(REAL_HOURS),
                gpu.efficiency.animate.set_value(0.5),
                run_time=beat.until("rest"),
            )
            stages = prose("other stages", size=SMALL_SIZE, color=DIM)
            self.play(
                gpu.more.animate.set_value(TOTAL_HOURS - REAL_HOURS),
                run_time=beat.until("price"),
                rate_func=linear,
            )
            stages.move_to(gpu.extra)
            self.play(FadeIn(stages), run_time=QUICK)
            # --- the hours become dollars
            dollars = VGroup()
            for h in range(1, 5):
                label = maths(rf"\${h * DOLLARS_PER_HOUR}", size=LABEL_SIZE, color=MONEY)
                dollars.add(label.next_to(hours[h], DOWN, buff=0.12))
            readout.clear_updaters()
            gpu.freeze()
            tag = PriceTag("$100", size=BODY_SIZE).next_to(gpu.extra, UP, buff=0.3)
            self.play(
                LaggedStart(*[FadeIn(x, shift=DOWN * 0.15) for x in dollars], lag_ratio=0.3),
                run_time=STEADY,
            )
            self.play(FadeIn(tag, shift=LEFT * 0.2), run_time=beat.until("kid"))
            self.play(model.pulse(), run_time=beat.until())
        return VGroup(gpu, axis, ticks, hours, dollars, rate, total, readout, stages, tag)

    def trace_the_lineage(self, model: ModelStack, spent: VGroup) -> tuple[PipelineBar, Mobject]:
        """lineage: nanoGPT's one stage, made fast by modded-nanogpt; nanochat adds the rest."""
        with self.beat("lineage") as beat:
            bar = PipelineBar(docked=False).move_to([0, BAR_Y, 0])
            self.play(
                FadeOut(spent),
                model.animate.scale_to_fit_height(MIDDLE_MODEL_TOP - MIDDLE_MODEL_BOTTOM).move_to(
                    [0, MIDDLE_MODEL_TOP, 0], aligned_edge=UP
                ),
                run_time=beat.until("nanogpt"),
            )
            # --- nanoGPT: one stage, drawn large first
            first = VGroup(bar.boxes[1], bar.labels[1]).copy().scale(LINEAGE_ZOOM)
            first.move_to([0, BAR_Y, 0])
            first[0].set_stroke(HIGHLIGHT).set_fill(HIGHLIGHT, 0.18)
            first[1].set_color(TEXT)
            caption = mono("nanoGPT", size=BODY_SIZE, color=TEXT).next_to(first, UP, buff=0.3)
            self.play(
                GrowFromCenter(first[0]),
                FadeIn(first[1]),
                FadeIn(caption, shift=DOWN * 0.2),
                run_time=STEADY,
            )
            self.play(Indicate(first[1], color=HIGHLIGHT), run_time=beat.until("modded"))
            # --- modded-nanogpt: the same stage, raced for speed
            modded = mono("modded-nanogpt", size=BODY_SIZE, color=TEXT).move_to(caption)
            streaks = VGroup(
                *[
                    Line(
                        first.get_left() + LEFT * 0.8 + UP * dy,
                        first.get_right() + RIGHT * 0.8 + UP * dy,
                        color=HIGHLIGHT,
                        stroke_width=4,
                    )
                    for dy in (-0.3, 0.0, 0.3)
                ]
            ).set_z_index(11)
            # the race's clock: minutes to reach a fixed GPT-2 loss, 45 down to under two
            clock = DecimalNumber(45, num_decimal_places=0, font_size=BODY_SIZE, color=HIGHLIGHT)
            clock_unit = mono("min", size=LABEL_SIZE, color=DIM)
            goal = mono("to GPT-2's loss", size=SMALL_SIZE, color=DIM)
            readout = VGroup(VGroup(clock, clock_unit).arrange(RIGHT, buff=0.2), goal)
            readout.arrange(DOWN, buff=0.15, aligned_edge=RIGHT)
            readout.next_to(first, LEFT, buff=1.1)
            clock.add_updater(lambda c: c.next_to(clock_unit, LEFT, buff=0.2))
            self.play(morph(caption, modded), FadeIn(readout, shift=UP * 0.15), run_time=QUICK)
            self.play(
                LaggedStart(*[Create(s) for s in streaks], lag_ratio=0.25),
                ChangeDecimalToValue(clock, 2, rate_func=rush_from),
                run_time=beat.until("nanochat") * 0.7,
            )
            clock.clear_updaters()
            self.play(FadeOut(streaks, shift=RIGHT * 0.6), run_time=beat.until("nanochat"))
            # the race's winners, like Muon, go into nanochat's pretraining
            muon = mono("Muon", size=LABEL_SIZE, color=HIGHLIGHT).move_to(readout)
            # --- nanochat: the stage takes its place, and every other stage comes around it
            name = mono("nanochat", size=BODY_SIZE, color=TEXT).next_to(bar.boxes, UP, buff=0.45)
            others = [i for i in range(len(bar.boxes)) if i != 1]
            bar.boxes[1].set_stroke(FAINT).set_fill(FAINT, 0)
            bar.labels[1].set_color(DIM)
            self.play(
                morph(modded, name),
                FadeOut(readout),
                ReplacementTransform(first[0], bar.boxes[1]),
                ReplacementTransform(first[1], bar.labels[1]),
                run_time=QUICK,
            )
            self.play(FadeIn(muon, shift=UP * 0.15), run_time=QUICK)
            self.play(
                muon.animate.scale(0.6).move_to(bar.boxes[1]).set_opacity(0),
                Indicate(bar.boxes[1], color=HIGHLIGHT),
                run_time=QUICK + 0.5,
            )
            self.remove(muon)
            self.play(
                LaggedStart(
                    *[GrowFromCenter(bar.boxes[i]) for i in others],
                    *[Create(a) for a in bar.arrows],
                    lag_ratio=LAG,
                ),
                LaggedStart(*[FadeIn(bar.labels[i]) for i in others], lag_ratio=LAG),
                run_time=STEADY,
            )
            # the pieces become the one bar the rest of the video keeps
            self.remove(*bar.get_family())
            self.add(bar)
            self.keep(bar)
            self.play(Indicate(name, color=HIGHLIGHT, scale_factor=1.05), run_time=beat.until())
        return bar, name

    def walk_the_stages(self, bar: PipelineBar, model: ModelStack, name: Mobject) -> None:
        """stages: one question followed through the stages. Each stage lights on the bar,
        the model changes as that stage would, and what it can now do with the question
        shows beside it: pieces; a continued page; a turn taken; only the reply learned
        from; maths answers kept when they score; then a chat."""
        with self.beat("stages") as beat:
            self.play(FadeOut(name, shift=UP * 0.2), run_time=QUICK)
            # the question as the model reads it: its pieces, and (from midtraining) the
            # chat markers around them, rows laid out now so nothing moves later
            marker = dict(colour=HIGHLIGHT, special=True, size=SMALL_SIZE)
            prompt = TokenStrip(
                [
                    [TokenCell("<|user_start|>", **marker)],
                    [TokenCell(t, size=SMALL_SIZE) for t in QUESTION],
                    [TokenCell("<|user_end|>", **marker)],
                    [TokenCell("<|assistant_start|>", **marker)],
                ],
                line_buff=0.14,
            )
            prompt.next_to(model.blocks, LEFT, buff=0.6).align_to(model.blocks, UP).shift(DOWN)
            words, pieces = prompt.rows[1], VGroup(prompt.rows[0], *prompt.rows[2:])
            asked = prompt.copy()  # the question as it comes back when you chat
            example = prose("example", size=SMALL_SIZE, color=DIM)
            slot = model.blocks.get_right() + RIGHT * 0.6  # the left edge of what it says
            said = None

            def say(index: int) -> Mobject:
                text = prose(STAGE_WORDS[index], size=LABEL_SIZE, color=TEXT)
                return text.move_to(slot + UP * 1.4, aligned_edge=LEFT)

            def light(index: int) -> list:
                moves = [
                    bar.boxes[index].animate.set_stroke(HIGHLIGHT).set_fill(HIGHLIGHT, 0.18),
                    bar.labels[index].animate.set_color(TEXT),
                ]
                if index:
                    moves.append(
                        bar.boxes[index - 1].animate.set_stroke(TRAINED).set_fill(TRAINED, 0.12)
                    )
                return moves

            def step(index: int, *extra, leaving: tuple = ()) -> None:
                """Light stage ``index``, swap the words beside the model, play ``extra``;
                the old words and ``leaving`` go first (no double exposure)."""
                nonlocal said
                beat.wait_until(STAGE_MARKS[index])
                going = [*leaving] + ([FadeOut(said, shift=UP * 0.2)] if said is not None else [])
                if going:
                    self.play(*going, run_time=QUICK * 0.6)
                words_now = say(index)
                self.play(*light(index), FadeIn(words_now, shift=UP * 0.2), *extra, run_time=QUICK)
                said = words_now

            def settle(index: int, change) -> None:
                following = STAGE_MARKS[index + 1] if index + 1 < len(STAGE_MARKS) else None
                self.play(change, run_time=beat.until(following))

            # --- the tokenizer: the question becomes pieces the model can read
            step(
                0,
                model.embed.animate.set_fill(TOKEN, 0.6),
                model.head.animate.set_fill(TOKEN, 0.6),
            )
            settle(0, LaggedStart(*[FadeIn(c, shift=DOWN * 0.15) for c in words], lag_ratio=0.15))
            # --- pretraining: knowledge, but it only continues the page
            page = VGroup(*[mono(line, size=SMALL_SIZE, color=DIM) for line in PAGE])
            page.arrange(DOWN, buff=0.12, aligned_edge=LEFT)
            card = SurroundingRectangle(page, buff=0.22, color=FAINT, stroke_width=THIN)
            reply_page = VGroup(card, page).move_to(slot, aligned_edge=LEFT)
            example.next_to(reply_page, DOWN, buff=0.2).align_to(reply_page, LEFT)
            step(1, FadeIn(reply_page, shift=RIGHT * 0.2), FadeIn(example))
            settle(1, model.learn("base"))
            # --- midtraining: conversations, so it takes its turn and answers
            # the reply ends with <|assistant_end|>: fine-tuning learns it too (how to stop)
            answer = TokenStrip(
                [TokenCell(t, size=SMALL_SIZE) for t in ANSWER]
                + [TokenCell("<|assistant_end|>", **marker)],
                max_width=4.3,
            )
            answer.move_to(slot, aligned_edge=LEFT)
            step(
                2,
                LaggedStart(*[FadeIn(c, shift=UP * 0.15) for c in answer.cells], lag_ratio=0.15),
                LaggedStart(*[FadeIn(p) for p in pieces], lag_ratio=0.2),
                leaving=(FadeOut(reply_page, shift=DOWN * 0.2), FadeOut(example)),
            )
            settle(2, model.learn("mid"))
            # --- fine-tuning: only the assistant's reply is learned from
            step(
                3,
                *[c.recolour(DIM, 0.05) for c in prompt.cells],
                *[c.recolour(TRAINED, 0.25) for c in answer.cells],
            )
            settle(3, model.learn("sft"))
            # --- RL: maths, answered several times and checked; right answers are made
            # likelier (they grow), wrong ones less likely (they shrink), none is dropped
            problem = TokenStrip(MATHS, size=SMALL_SIZE)
            problem.move_to(words, aligned_edge=LEFT)  # in the question's place
            tries = VGroup(*[TokenCell(text, size=SMALL_SIZE) for text, _ in TRIES])
            tries.arrange(RIGHT, buff=0.2)
            tries.move_to(slot, aligned_edge=LEFT)  # where the reply was
            step(4, FadeIn(problem, shift=RIGHT * 0.2), leaving=(FadeOut(prompt), FadeOut(answer)))
            self.play(LaggedStart(*[FadeIn(t) for t in tries], lag_ratio=0.3), run_time=QUICK)
            self.play(
                *[
                    t.box.animate.set_stroke(TRAINED if right else LOSS)
                    for t, (_, right) in zip(tries, TRIES, strict=True)
                ],
                run_time=QUICK,
            )
            self.play(
                *[
                    t.animate.scale(1.12) if right else t.animate.scale(0.8).fade(0.35)
                    for t, (_, right) in zip(tries, TRIES, strict=True)
                ],
                run_time=QUICK,
            )
            settle(4, model.learn("rl"))
            # --- chat: the question asked, the model runs, the reply comes back
            for cell in answer.cells:  # as it was before fine-tuning lit it
                cell.box.set_stroke(cell.colour).set_fill(cell.colour, cell.fill)
                if cell.special:
                    cell.label.set_color(cell.colour)
            step(
                5,
                FadeIn(asked),
                FadeIn(answer),
                leaving=(FadeOut(VGroup(problem, tries), shift=DOWN * 0.2),),
            )
            settle(5, model.pulse())
            self.play(
                bar.boxes[-1].animate.set_stroke(TRAINED).set_fill(TRAINED, 0.12),
                FadeOut(VGroup(said, asked, answer)),
                run_time=QUICK,
            )

    def pin_the_commit(self, bar: PipelineBar, model: ModelStack) -> None:
        """pinned: commit 48abd7d; the model empties, the bar docks: the boundary frame."""
        with self.beat("pinned") as beat:
            commit = mono("48abd7d", size=BODY_SIZE, color=HIGHLIGHT)
            date = mono("2026-01-01", size=LABEL_SIZE, color=DIM)
            pin = VGroup(commit, date).arrange(DOWN, buff=0.2)
            pin.next_to(model.blocks, RIGHT, buff=0.6)
            self.play(FadeIn(pin, shift=LEFT * 0.2), run_time=beat.until("empty"))
            # every stage back to grey, the weights back to empty
            self.play(bar.enter(1), model.learn(None), run_time=STEADY)
            self.play(bar.dock(), closing(self, model, None), run_time=beat.until())
            bar.pin(self)
