"""Chapter 10: the d20 report card, the CORE ladder, the budgets, the takeaways, what
changed later, and the credits.

Narration: script/10-conclusion.md. Render alone with
``uv run manim -pql scenes/10_conclusion.py``.

Numbers: the launch report card of the d20 speedrun (README.md at 48abd7d) and the CORE
of the GPT-2 family (dev/estimate_gpt3_core.ipynb); see ../shared/nanochat-facts.md §10.
Everything in the "since-then" beat is dated after 48abd7d (§0, §3, §10 leaderboard).

Pictures: the report card (``ReportCard``, bars per stage MID/SFT/RL) and the CORE ladder
(``Ladder``) are this chapter's own; the $100/$300/$1,000 columns are the shared
``mobjects.BudgetTiers`` that chapter 1 also draws, grown here out of the ladder's d20 bar.
Every animation is timed from the narration with ``beat.until(mark)``.
"""

from __future__ import annotations

from collections.abc import Sequence

from manim import (
    DOWN,
    LEFT,
    ORIGIN,
    RIGHT,
    UP,
    ChangeDecimalToValue,
    Create,
    DashedLine,
    DecimalNumber,
    Dot,
    FadeIn,
    FadeOut,
    GrowFromEdge,
    Indicate,
    LaggedStart,
    Line,
    Rectangle,
    ReplacementTransform,
    SurroundingRectangle,
    VGroup,
    Write,
)
from mobjects import BudgetTiers, PipelineDiagram, PriceTag
from style import (
    BODY_SIZE,
    DIM,
    FAINT,
    HIGHLIGHT,
    LABEL_SIZE,
    LAG,
    LOSS,
    QUICK,
    SLOW,
    SMALL_SIZE,
    STEADY,
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

# ---- the launch report card of the d20 speedrun (README.md at 48abd7d)
CORE_D20 = 0.2219
STAGE_COLOURS = {"MID": DIM, "SFT": TOKEN, "RL": TRAINED}
REPORT = [
    ("ARC-Easy", {"MID": 0.3561, "SFT": 0.3876}),
    ("ARC-Challenge", {"MID": 0.2875, "SFT": 0.2807}),
    ("MMLU", {"MID": 0.3111, "SFT": 0.3151}),
    ("GSM8K", {"MID": 0.0250, "SFT": 0.0455, "RL": 0.0758}),
    ("HumanEval", {"MID": 0.0671, "SFT": 0.0854}),
    ("ChatCORE", {"MID": 0.0730, "SFT": 0.0884}),
]
CHANCE = 0.25  # four options: guessing scores 25% on ARC and MMLU
MULTIPLE_CHOICE = ("ARC-Easy", "ARC-Challenge", "MMLU")

# ---- CORE of the GPT-2 family (dev/estimate_gpt3_core.ipynb) and d20, in ladder order
LADDER = [
    ("Small", "124M", 0.1139),
    ("Medium", "355M", 0.1849),
    ("Large", "774M", 0.2146),
    ("d20", "561M", CORE_D20),
    ("XL", "1.5B", 0.2565),
]
D20_SLOT = 3

STAGES = ["tokenizer", "pretraining", "midtraining", "SFT", "RL", "chat"]
STAGE_FILES = ["tok_train.py", "base_train.py", "mid_train.py", "chat_sft.py", "chat_rl.py",
               "engine.py"]  # fmt: skip
STAGE_MARKS = ["tok", "pre", "mid", "sft", "rl", "chat"]

# ---- later changes, grouped by month (all after 48abd7d); (text, colour, removed?)
LATER = [
    ("jan", "2026-01", [("vocab 32,768", TOKEN, False), ("mid_train.py", LOSS, True)]),
    ("mar", "2026-03", [("ClimbMix data", TOKEN, False), ("GPT-2 in 1.65 h", TRAINED, False)]),
    ("jul", "2026-07", [("report.md", LOSS, True), ("chat_web.py", LOSS, True)]),
]

ENTRY_SIZE = LABEL_SIZE * 0.9  # the later changes on the timeline
TOOL_PITCH = 0.5  # baseline to baseline in the credits' list of tools

TOOLS = ["Manim Community", "manim-voiceover", "Piper TTS: en_US-joe-medium", "ffmpeg"]


class ReportCard(VGroup):
    """The chat benchmarks as horizontal bars, one row per benchmark, one bar per stage.

    Named parts: ``names`` (row labels), ``bars[row][stage]``, ``values`` (the last
    stage's score at the end of each row), ``axis`` (the shared zero line) and
    ``chance`` (a dashed line at 25% across the multiple-choice rows).

    >>> card = ReportCard()
    >>> sorted(card.bars[3])
    ['MID', 'RL', 'SFT']
    """

    def __init__(self, scale: float = 17.0, bar_height: float = 0.16, gap: float = 0.05):
        names, rows, values = VGroup(), VGroup(), VGroup()
        self.bars: list[dict[str, Rectangle]] = []
        for name, scores in REPORT:
            stage_bars = {
                stage: Rectangle(
                    width=score * scale,
                    height=bar_height,
                    stroke_width=0,
                    fill_color=STAGE_COLOURS[stage],
                    fill_opacity=0.85,
                )
                for stage, score in scores.items()
            }
            column = VGroup(*stage_bars.values()).arrange(DOWN, buff=gap, aligned_edge=LEFT)
            slot = Rectangle(width=0.01, height=3 * bar_height + 2 * gap, stroke_width=0)
            column.align_to(slot, UP).align_to(slot, LEFT)
            rows.add(VGroup(slot, column))
            self.bars.append(stage_bars)
            names.add(mono(name, size=SMALL_SIZE, color=TEXT))
        rows.arrange(DOWN, buff=0.24, aligned_edge=LEFT)
        for name, row in zip(names, rows, strict=True):
            name.next_to(row[0], LEFT, buff=0.3)
        for (name, scores), stage_bars in zip(REPORT, self.bars, strict=True):
            shown = [s for s in scores if s != "RL"]  # RL arrives later, with its own label
            bars = [stage_bars[s] for s in shown]
            values.add(self.value_label(name, scores[shown[-1]], shown[-1], bars))
        axis = Line(rows.get_corner(UP + LEFT), rows.get_corner(DOWN + LEFT), color=STRUCTURE)
        axis.shift(LEFT * 0.02)
        mc_rows = VGroup(*[row for (n, _), row in zip(REPORT, rows, strict=True)
                           if n in MULTIPLE_CHOICE])  # fmt: skip
        x = axis.get_x() + CHANCE * scale
        chance = DashedLine(
            [x, mc_rows.get_top()[1] + 0.1, 0], [x, mc_rows.get_bottom()[1] - 0.05, 0],
            color=LOSS, stroke_width=THIN, dash_length=0.08,
        )  # fmt: skip
        chance_label = prose("chance", size=SMALL_SIZE, color=LOSS).next_to(chance, UP, buff=0.1)
        super().__init__(axis, names, rows, values, chance, chance_label)
        self.axis, self.names, self.rows, self.values = axis, names, rows, values
        self.chance, self.chance_label, self.scale_factor = chance, chance_label, scale

    @staticmethod
    def value_label(name: str, score: float, stage: str, bars: Sequence[Rectangle]):
        """The score at the end of a row: a percentage, or ChatCORE's 0-1 number."""
        text = f"{score:.3f}" if name == "ChatCORE" else f"{100 * score:.1f}%"
        label = mono(text, size=SMALL_SIZE, color=STAGE_COLOURS[stage])
        right = max(b.get_right()[0] for b in bars)
        return label.move_to([right + 0.2 + label.width / 2, bars[-1].get_y(), 0])


class CoreScore(VGroup):
    """The CORE score: its name (``label``) and a number (``value``) that ticks to 0.2219."""

    def __init__(self, size: float = 72):
        value = DecimalNumber(0, num_decimal_places=4, font_size=size, color=TOKEN)
        label = prose("CORE", size=size * 0.8, color=TOKEN)
        label.next_to(value, LEFT, buff=0.35)
        super().__init__(label, value)
        self.label, self.value = label, value

    def count(self):
        return ChangeDecimalToValue(self.value, CORE_D20)


class Legend(VGroup):
    """Small coloured squares naming the stages: MID, SFT, RL."""

    def __init__(self):
        items = VGroup()
        for stage, colour in STAGE_COLOURS.items():
            square = Rectangle(width=0.22, height=0.22, stroke_width=0, fill_color=colour,
                               fill_opacity=0.85)  # fmt: skip
            items.add(VGroup(square, mono(stage, size=SMALL_SIZE, color=colour)).arrange(RIGHT))
        items.arrange(RIGHT, buff=0.45)
        super().__init__(items)
        self.items = items


class Ladder(VGroup):
    """Vertical CORE bars in order of score, each with its value above and its name below.

    ``columns[i]`` is ``VGroup(bar, value, name)``; ``line`` is a dashed level at d20.

    >>> ladder = Ladder(LADDER, highlight=D20_SLOT)
    >>> [float(round(c[0].height / 15, 4)) for c in ladder.columns]
    [0.1139, 0.1849, 0.2146, 0.2219, 0.2565]
    """

    def __init__(self, rows: Sequence, highlight: int, scale: float = 15.0, pitch: float = 1.75):
        columns = VGroup()
        for index, (name, size, score) in enumerate(rows):
            ours = index == highlight
            colour = TOKEN if ours else STRUCTURE
            bar = Rectangle(width=1.0, height=score * scale, stroke_color=colour,
                            stroke_width=THIN, fill_color=colour, fill_opacity=0.6 if ours else 0.3)  # fmt: skip
            bar.move_to([index * pitch, 0, 0], aligned_edge=DOWN)
            value = mono(f"{score:.4f}", size=SMALL_SIZE, color=TOKEN if ours else DIM)
            value.next_to(bar, UP, buff=0.22)
            caption = (mono if ours else prose)(
                name, size=SMALL_SIZE, color=TOKEN if ours else TEXT
            )
            tag = mono(size, size=SMALL_SIZE, color=DIM)
            label = VGroup(caption, tag).arrange(DOWN, buff=0.1).next_to(bar, DOWN, buff=0.2)
            columns.add(VGroup(bar, value, label))
        base = Line(LEFT * 0.7, RIGHT * ((len(rows) - 1) * pitch + 0.7), color=STRUCTURE)
        base.align_to(columns[0][0], DOWN)
        level = columns[highlight][0].get_top()[1]
        line = DashedLine([base.get_left()[0], level, 0], [base.get_right()[0], level, 0],
                          color=TOKEN, stroke_width=THIN, dash_length=0.1)  # fmt: skip
        super().__init__(base, columns, line)
        self.base, self.columns, self.line = base, columns, line


class StruckText(VGroup):
    """A monospace name with a line through it: a file that was deleted."""

    def __init__(self, text: str, colour=LOSS):
        label = mono(text, size=ENTRY_SIZE, color=colour)
        strike = Line(label.get_left() + LEFT * 0.05, label.get_right() + RIGHT * 0.05,
                      color=colour, stroke_width=2.5)  # fmt: skip
        super().__init__(label, strike)
        self.label, self.strike = label, strike


class Conclusion(NarratedScene):
    def construct(self):
        setup_canvas()
        self.read_the_report_card()
        self.climb_the_ladder()
        self.spend_more()
        self.sum_up_the_stages()
        self.look_at_later_changes()
        self.roll_the_credits()

    # ------------------------------------------------------------------ beats

    def read_the_report_card(self):
        with self.beat("report-card") as beat:
            title = prose("d20 report card", size=TITLE_SIZE, color=TEXT)
            self.play(Write(title), run_time=beat.until("core"))
            # CORE: one number, the mean of 22 centred task scores (one cell per task)
            core = CoreScore().move_to(UP * 0.6)
            tasks = VGroup(
                *[Rectangle(width=0.38, height=0.38, stroke_color=TOKEN, stroke_width=THIN)
                  for _ in range(22)]
            ).arrange(RIGHT, buff=0.12).next_to(core, DOWN, buff=0.7)  # fmt: skip
            beat.wait_until("core")
            self.play(
                title.animate.scale(LABEL_SIZE / TITLE_SIZE).to_corner(UP + LEFT, buff=0.7),
                FadeIn(core),
                FadeIn(tasks, shift=UP * 0.2),
                run_time=QUICK,
            )
            self.play(
                core.count(),
                LaggedStart(
                    *[t.animate.set_fill(TOKEN, opacity=0.5) for t in tasks], lag_ratio=LAG
                ),
                run_time=beat.until("chat"),
            )
            card = ReportCard().move_to(DOWN * 0.55 + RIGHT * 0.5)
            legend = Legend().next_to(card, UP, buff=0.35).align_to(card.names, LEFT)
            beat.wait_until("chat")
            quarter = beat.span("chat", "rl") / 4
            corner = core.copy().scale(0.7).to_corner(UP + RIGHT, buff=0.7)
            underline = Line(corner.get_corner(DOWN + LEFT), corner.get_corner(DOWN + RIGHT),
                             color=TOKEN, stroke_width=3).shift(DOWN * 0.15)  # fmt: skip
            self.play(
                ReplacementTransform(tasks, underline),
                core.animate.scale(0.7).to_corner(UP + RIGHT, buff=0.7),
                Create(card.axis),
                LaggedStart(*[FadeIn(n, shift=RIGHT * 0.2) for n in card.names], lag_ratio=LAG),
                run_time=quarter,
            )
            mids = [bars["MID"] for bars in card.bars]
            sfts = [bars["SFT"] for bars in card.bars]
            self.play(
                FadeIn(legend),
                LaggedStart(*[GrowFromEdge(b, LEFT) for b in mids], lag_ratio=LAG),
                run_time=quarter,
            )
            self.play(
                LaggedStart(*[GrowFromEdge(b, LEFT) for b in sfts], lag_ratio=LAG),
                LaggedStart(*[FadeIn(v, shift=RIGHT * 0.2) for v in card.values], lag_ratio=LAG),
                run_time=quarter,
            )
            self.play(
                Create(card.chance),
                FadeIn(card.chance_label),
                run_time=beat.until("rl"),
            )
            gsm = 3
            rl_bar = card.bars[gsm]["RL"]
            rl_value = mono("7.6%", size=SMALL_SIZE, color=TRAINED)
            rl_value.next_to(rl_bar, RIGHT, buff=0.2)
            focus = SurroundingRectangle(
                VGroup(card.names[gsm], card.rows[gsm], rl_value), color=HIGHLIGHT, buff=0.12
            )
            self.play(
                GrowFromEdge(rl_bar, LEFT),
                ReplacementTransform(card.values[gsm], rl_value),
                run_time=STEADY,
            )
            self.play(Create(focus), run_time=STEADY)
            self.play(Indicate(rl_value, color=TRAINED, scale_factor=1.15), run_time=beat.until())
            card.values.submobjects[gsm] = rl_value
            self.report, self.report_title = VGroup(card, legend, focus), title
            self.core, self.core_line = core, underline

    def climb_the_ladder(self):
        with self.beat("ladder") as beat:
            ladder = Ladder(LADDER, highlight=D20_SLOT).move_to(DOWN * 0.35)
            header = prose("CORE score", size=LABEL_SIZE, color=TEXT).to_corner(UP + LEFT, buff=0.7)
            gpt2 = [c for i, c in enumerate(ladder.columns) if i != D20_SLOT]
            d20 = ladder.columns[D20_SLOT]
            # before d20 arrives, the four GPT-2 bars stand evenly spaced: XL closes the gap
            pitch = ladder.columns[1][0].get_x() - ladder.columns[0][0].get_x()
            gpt2[-1].shift(LEFT * pitch)
            four = VGroup(*gpt2)
            shift = (ladder.base.get_center()[0] - four.get_center()[0]) * RIGHT
            four.shift(shift)
            # the CORE score waits above d20's slot, so it can drop straight onto its bar
            badge = VGroup(self.core, self.core_line)
            self.play(
                FadeOut(self.report, shift=DOWN * 0.3),
                ReplacementTransform(self.report_title, header),
                badge.animate.shift((d20[0].get_x() - self.core.value.get_x()) * RIGHT),
                Create(ladder.base),
                run_time=beat.until("gpt2"),
            )
            beat.wait_until("gpt2")
            self.play(
                LaggedStart(
                    *[
                        LaggedStart(
                            GrowFromEdge(c[0], DOWN), FadeIn(c[1]), FadeIn(c[2]), lag_ratio=0.3
                        )
                        for c in gpt2
                    ],
                    lag_ratio=0.3,
                ),
                run_time=beat.until("d20"),
            )
            beat.wait_until("d20")
            # the four GPT-2 bars slide apart: XL steps right to make room for d20
            self.play(
                VGroup(*gpt2[:-1]).animate.shift(-shift),
                gpt2[-1].animate.shift(RIGHT * pitch - shift),
                run_time=QUICK,
            )
            self.play(
                GrowFromEdge(d20[0], DOWN),
                FadeIn(d20[2], shift=UP * 0.2),
                ReplacementTransform(self.core.value, d20[1]),
                FadeOut(VGroup(self.core.label, self.core_line), shift=DOWN * 0.2),
                run_time=STEADY,
            )
            self.play(Create(ladder.line), run_time=beat.until("cost"))
            tag = PriceTag("$100").next_to(ladder.line, RIGHT, buff=0.3)
            self.play(FadeIn(tag, shift=LEFT * 0.2), run_time=QUICK)
            self.play(Indicate(d20[1], color=HIGHLIGHT), run_time=beat.until())  # d20's score
            self.ladder, self.ladder_header, self.ladder_tag = ladder, header, tag

    def spend_more(self):
        with self.beat("budgets") as beat:
            tiers = BudgetTiers().move_to(DOWN * 0.1)
            columns = tiers.columns
            beats_gpt2 = maths(r"\text{CORE} > \text{GPT-2 XL}", size=LABEL_SIZE, color=TRAINED)
            beats_gpt2.next_to(columns[1][0], UP, buff=0.3)
            script = mono("run1000.sh", size=SMALL_SIZE, color=HIGHLIGHT)
            script.next_to(columns[2][0], UP, buff=0.3)
            ladder, d20 = self.ladder, self.ladder.columns[D20_SLOT]
            others = VGroup(ladder.base, ladder.line, *[c for c in ladder.columns if c is not d20],
                            d20[1], d20[2], self.ladder_header)  # fmt: skip
            # the ladder's d20 bar becomes the d20 stack, its $100 tag the column's tag
            self.play(
                FadeOut(others, shift=DOWN * 0.3),
                ReplacementTransform(d20[0], columns[0][0].blocks),
                FadeIn(columns[0][0].label),
                ReplacementTransform(self.ladder_tag, columns[0][1]),
                FadeIn(columns[0][2]),
                run_time=beat.until("t300"),
            )
            for index, mark, until, note in (
                (1, "t300", "t1000", beats_gpt2),
                (2, "t1000", None, script),
            ):
                beat.wait_until(mark)
                appear, train = tiers.grow(index)
                self.play(appear, run_time=STEADY)
                self.play(train, Write(note), run_time=beat.until(until))  # the model "trains"
            self.tiers = VGroup(tiers, beats_gpt2, script)

    def sum_up_the_stages(self):
        with self.beat("takeaways") as beat:
            folder = mono("nanochat/", size=TITLE_SIZE * 0.8, color=TEXT).to_edge(UP, buff=0.9)
            pipeline = PipelineDiagram(STAGES, optional=["RL"]).scale(0.92).move_to(UP * 0.2)
            files = VGroup()
            for index, (name, box) in enumerate(zip(STAGE_FILES, pipeline.boxes, strict=True)):
                label = mono(name, size=SMALL_SIZE, color=TOKEN)
                side = DOWN if index % 2 == 0 else UP
                files.add(label.next_to(box, side, buff=0.3))
            self.play(
                FadeOut(self.tiers, shift=UP * 0.3),
                Write(folder),
                run_time=beat.until("repo"),
            )
            beat.wait_until("repo")
            self.play(
                LaggedStart(
                    *[FadeIn(m, shift=RIGHT * 0.2) for m in (*pipeline.boxes, *pipeline.arrows)],
                    lag_ratio=LAG,
                ),
                FadeIn(pipeline.labels),
                run_time=beat.until("tok"),
            )
            token = Dot(radius=0.11, color=HIGHLIGHT)
            token.move_to(pipeline.boxes[0].get_left() + LEFT * 0.3)
            self.add(token)
            for index, mark in enumerate(STAGE_MARKS):
                beat.wait_until(mark)
                self.play(
                    pipeline.light(index),
                    token.animate.move_to(pipeline.boxes[index].get_corner(UP + LEFT)),
                    FadeIn(files[index], shift=(UP if index % 2 == 0 else DOWN) * 0.2),
                    *([pipeline.settle(index - 1)] if index else []),
                    run_time=QUICK,
                )
            self.play(pipeline.settle(len(STAGES) - 1), FadeOut(token), run_time=beat.until())
            self.takeaways = VGroup(pipeline, files)
            self.folder = folder

    def look_at_later_changes(self):
        with self.beat("since-then") as beat:
            header = prose("Since then: after the pinned commit", size=LABEL_SIZE, color=TEXT)
            header.to_edge(UP, buff=0.8)
            line = Line(LEFT * 6.2, RIGHT * 6.2, color=FAINT).shift(DOWN * 0.6)
            pinned = Dot(radius=0.14, color=HIGHLIGHT).move_to(line.get_left() + RIGHT * 0.7)
            commit = mono("48abd7d", size=LABEL_SIZE, color=HIGHLIGHT).next_to(pinned, UP, buff=0.2)
            day = mono("2026-01-01", size=SMALL_SIZE, color=DIM).next_to(pinned, DOWN, buff=0.25)
            groups = VGroup()
            for index, (_, month, items) in enumerate(LATER):
                x = -2.3 + index * 3.5
                dot = Dot(radius=0.09, color=STRUCTURE).move_to([x, line.get_y(), 0])
                date = mono(month, size=SMALL_SIZE, color=DIM).next_to(dot, DOWN, buff=0.3)
                entries = VGroup(
                    *[
                        StruckText(text, colour)
                        if removed
                        else mono(text, size=ENTRY_SIZE, color=colour)
                        for text, colour, removed in items
                    ]
                ).arrange(DOWN, buff=0.35)
                entries.next_to(dot, UP, buff=0.45)
                groups.add(VGroup(dot, date, entries))
            self.play(
                FadeOut(self.takeaways, shift=DOWN * 0.3),
                ReplacementTransform(self.folder, header),
                Create(line),
                FadeIn(pinned, scale=0.5),
                FadeIn(commit),
                FadeIn(day),
                run_time=beat.until("jan"),
            )
            marker = Dot(radius=0.11, color=HIGHLIGHT).move_to(pinned)
            self.add(marker)
            for index, (mark, _, _) in enumerate(LATER):
                beat.wait_until(mark)
                until = LATER[index + 1][0] if index + 1 < len(LATER) else None
                dot, date, entries = groups[index]
                self.play(
                    marker.animate.move_to(dot),
                    FadeIn(dot),
                    FadeIn(date),
                    run_time=QUICK,
                )
                self.play(
                    LaggedStart(*[FadeIn(e, shift=UP * 0.2) for e in entries], lag_ratio=0.5),
                    run_time=STEADY,
                )
                self.play(
                    Indicate(entries, color=HIGHLIGHT, scale_factor=1.04),
                    run_time=beat.until(until),
                )
            self.later = VGroup(header, line, pinned, day, groups, marker)
            self.commit = commit

    def roll_the_credits(self):
        with self.beat("credits") as beat:
            name = prose("nanochat", size=TITLE_SIZE, color=TEXT)
            author = prose("by Andrej Karpathy", size=BODY_SIZE, color=TEXT)
            repo = mono("github.com/karpathy/nanochat", size=LABEL_SIZE, color=DIM)
            commit = mono("48abd7d", size=LABEL_SIZE, color=HIGHLIGHT)
            pin = VGroup(repo, commit).arrange(RIGHT, buff=0.35)
            made = prose("made with", size=SMALL_SIZE, color=DIM)
            tools = VGroup(*[mono(t, size=SMALL_SIZE, color=TOKEN) for t in TOOLS])
            for index, tool in enumerate(tools):  # even baselines (no first letter descends)
                tool.shift(DOWN * (index * TOOL_PITCH + tool[0].get_bottom()[1]))
            credits = VGroup(name, author, pin, made, tools).arrange(DOWN, buff=0.4)
            credits[3:].shift(DOWN * 0.3)
            credits.move_to(UP * 0.3)
            self.play(
                FadeOut(self.later, shift=DOWN * 0.3),
                self.commit.animate.move_to(ORIGIN).set_opacity(0.0),
                run_time=QUICK,
            )
            self.remove(self.commit)
            self.play(Write(name), run_time=STEADY)
            self.play(FadeIn(author, shift=UP * 0.2), run_time=beat.until("pin"))
            beat.wait_until("pin")
            self.play(FadeIn(repo), Write(commit), run_time=STEADY)
            self.play(Indicate(commit, color=HIGHLIGHT), run_time=beat.until("tools"))
            self.play(FadeIn(made), run_time=QUICK)
            self.play(
                LaggedStart(*[FadeIn(t, shift=UP * 0.2) for t in tools], lag_ratio=0.4),
                run_time=beat.until("end"),
            )
            beat.wait_until("end")
            self.play(
                FadeOut(VGroup(pin, made, tools), shift=DOWN * 0.2),
                VGroup(name, author).animate.move_to(UP * 0.2),
                run_time=SLOW,
            )
            self.play(VGroup(name, author).animate.scale(1.1), run_time=beat.until())
