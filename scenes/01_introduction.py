"""Chapter 1: what nanochat is, what it costs, what comes out, and the pinned commit.

Narration: script/01-introduction.md. Render alone with
``uv run manim -pql scenes/01_introduction.py``.
"""

from __future__ import annotations

from manim import (
    DOWN,
    LEFT,
    ORIGIN,
    RIGHT,
    UP,
    Arrow,
    Create,
    FadeIn,
    FadeOut,
    GrowFromEdge,
    Indicate,
    LaggedStart,
    Line,
    ReplacementTransform,
    Rotate,
    VGroup,
    Write,
)
from mobjects import (
    BlockStack,
    BudgetTiers,
    ChatBubble,
    Clock,
    CommitGraph,
    Counter,
    FileGrid,
    GpuNode,
    PipelineDiagram,
    ProgressBar,
)
from style import (
    DIM,
    FAINT,
    HIGHLIGHT,
    LABEL_SIZE,
    LAG,
    MONEY,
    QUICK,
    SMALL_SIZE,
    STEADY,
    TEXT,
    TITLE_SIZE,
    TOKEN,
    TRAINED,
    maths,
    mono,
    prose,
    setup_canvas,
)

from explainer.scene import NarratedScene

STAGES = ["tokenizer", "pretraining", "midtraining", "SFT", "RL", "chat"]


class Introduction(NarratedScene):
    def construct(self):
        setup_canvas()
        self.ask_the_question()
        self.show_one_repo()
        self.run_the_speedrun()
        self.meet_the_model()
        self.walk_the_stages()
        self.compare_tiers()
        self.pin_the_commit()

    # ------------------------------------------------------------------ beats

    def ask_the_question(self):
        with self.beat("hook") as beat:
            title = prose("nanochat", size=TITLE_SIZE).to_edge(UP, buff=0.8)
            question = ChatBubble("Why is the sky blue?", role="user").shift(UP * 0.6 + LEFT * 1.2)
            answer = ChatBubble("Sunlight scatters off the air...", role="assistant", width=5.4)
            answer.next_to(question, DOWN, buff=0.35).shift(RIGHT * 2.0)
            self.play(Write(title), FadeIn(question, shift=UP * 0.3), run_time=beat.until("whole"))
            self.play(FadeIn(answer.box), Write(answer.label), run_time=STEADY)
            beat.wait_until("whole")
            chat = VGroup(question, answer)
            self.play(
                FadeOut(title), chat.animate.scale(0.8).to_edge(RIGHT, buff=0.6), run_time=STEADY
            )
            beat.wait_until("text")
            pages = FileGrid(24, columns=4, size=0.36, colour=TOKEN).to_edge(LEFT, buff=0.7)
            self.play(
                LaggedStart(*[FadeIn(p, shift=RIGHT * 0.2) for p in pages.files], lag_ratio=LAG),
                run_time=beat.until("answer"),
            )
            model = BlockStack(6, width=1.4, label="model").shift(LEFT * 1.2)
            arrows = VGroup(
                Arrow(pages.get_right(), model.get_left(), buff=0.3, color=FAINT),
                Arrow(model.get_right(), chat.get_left(), buff=0.3, color=FAINT),
            )
            self.play(Create(arrows[0]), GrowFromEdge(model, DOWN), run_time=STEADY)
            self.play(Create(arrows[1]), Indicate(answer, color=TOKEN), run_time=STEADY)
            self.hook = VGroup(pages, arrows, chat)
            self.hook_model = model

    def show_one_repo(self):
        with self.beat("one-repo") as beat:
            folder = mono("nanochat/", size=TITLE_SIZE * 0.8).to_edge(UP, buff=0.9)
            self.play(
                FadeOut(self.hook, shift=DOWN * 0.3),
                ReplacementTransform(self.hook_model, folder),
                run_time=beat.until("repo"),
            )
            files = FileGrid(48, columns=12).next_to(folder, DOWN, buff=0.5)
            self.play(
                LaggedStart(*[FadeIn(f, scale=0.6) for f in files.files], lag_ratio=LAG),
                run_time=beat.span("repo", "lines"),
            )
            lines = Counter(9817, unit="lines of code", size=52).next_to(files, DOWN, buff=0.5)
            self.play(FadeIn(lines), run_time=QUICK)
            self.play(
                lines.count(), files.page_lines().animate.set_color(TOKEN), run_time=beat.until()
            )
            self.repo = VGroup(folder, files, lines)

    def run_the_speedrun(self):
        with self.beat("speedrun") as beat:
            script = mono("speedrun.sh", size=LABEL_SIZE * 1.3, color=HIGHLIGHT)
            script.to_edge(UP, buff=0.8)
            folder, rest = self.repo[0], self.repo[1:]
            bar = ProgressBar(width=5.0).next_to(script, DOWN, buff=0.3)
            self.play(
                ReplacementTransform(folder, script),
                FadeOut(rest, shift=DOWN * 0.3),
                FadeIn(bar),
                run_time=QUICK,
            )
            bar.start(beat.remaining)
            # the pipeline as a pictogram here: its labels come with the "stages" beat
            diagram = PipelineDiagram(STAGES, optional=["RL"])
            pipeline = VGroup(diagram.boxes, diagram.arrows).scale(0.55).set_color(DIM)
            pipeline.next_to(bar, DOWN, buff=0.6)
            pairs = zip(diagram.boxes, [*diagram.arrows, None], strict=True)
            steps = [m for pair in pairs for m in pair if m is not None]
            self.play(
                LaggedStart(*[FadeIn(b, shift=RIGHT * 0.2) for b in steps], lag_ratio=0.3),
                run_time=beat.until("node"),
            )
            self.play(FadeOut(pipeline, shift=UP * 0.2), run_time=QUICK)
            node = GpuNode(8).shift(LEFT * 2.6 + DOWN * 0.3)
            self.play(
                FadeIn(node.frame),
                LaggedStart(*[Create(c) for c in node.chips], lag_ratio=LAG),
                FadeIn(node.labels),
                run_time=STEADY,
            )
            self.play(
                LaggedStart(
                    *[c.animate.set_fill(TOKEN, opacity=0.35) for c in node.chips], lag_ratio=0.15
                ),
                run_time=beat.until("clock"),
            )
            clock = Clock().shift(RIGHT * 2.2 + UP * 0.5)
            hours = Counter(4, unit="hours", size=40).next_to(clock, DOWN, buff=0.4)
            self.play(FadeIn(clock), FadeIn(hours), run_time=QUICK)
            self.play(
                Rotate(clock.hand, angle=-8 * 3.14159265, about_point=clock.face.get_center()),
                hours.count(),
                run_time=beat.until("price"),
            )
            cost = maths(r"\$24/\text{h} \times 4\,\text{h} \approx \$100", color=MONEY)
            cost.next_to(VGroup(node, clock), DOWN, buff=0.6)
            self.play(Write(cost), run_time=beat.until())
            bar.fill.clear_updaters()
            self.speedrun = VGroup(script, bar, node, clock, hours, cost)

    def meet_the_model(self):
        with self.beat("model") as beat:
            stack = BlockStack(20, width=2.6, label="d20").shift(LEFT * 2.8 + DOWN * 0.2)
            self.play(FadeOut(self.speedrun, shift=UP * 0.5), run_time=QUICK)
            self.play(
                Write(stack.label),
                LaggedStart(*[FadeIn(b, shift=DOWN * 0.4) for b in stack.blocks], lag_ratio=0.3),
                run_time=beat.until("params"),
            )
            params = Counter(561, unit="M parameters", size=56).shift(RIGHT * 2.2 + UP * 1.2)
            self.play(FadeIn(params), run_time=QUICK)
            self.play(params.count(), run_time=beat.until("kid"))
            scale = Line(LEFT * 2.2, RIGHT * 2.2, color=FAINT).shift(RIGHT * 2.2 + DOWN * 0.8)
            ends = VGroup(
                prose("kindergarten", size=SMALL_SIZE, color=DIM).next_to(scale.get_left(), DOWN),
                prose("expert", size=SMALL_SIZE, color=DIM).next_to(scale.get_right(), DOWN),
            )
            marker = maths(r"\blacktriangledown", size=36, color=HIGHLIGHT)
            marker.next_to(scale.get_right(), UP, buff=0.05)
            self.play(Create(scale), FadeIn(ends), FadeIn(marker), run_time=QUICK)
            self.play(
                marker.animate.next_to(scale.get_left(), UP, buff=0.05), run_time=beat.until()
            )
            self.model = VGroup(stack, params, scale, ends, marker)

    def walk_the_stages(self):
        with self.beat("stages") as beat:
            pipeline = PipelineDiagram(STAGES, optional=["RL"]).move_to(ORIGIN)
            stack, rest = self.model[0], self.model[1:]
            self.play(
                FadeOut(rest, shift=RIGHT * 0.3),
                ReplacementTransform(stack, pipeline.boxes[1]),
                FadeIn(
                    VGroup(pipeline.boxes[0], pipeline.boxes[2:], pipeline.arrows, pipeline.labels)
                ),
                run_time=beat.until("tok"),
            )
            token = maths(r"\bullet", size=60, color=TOKEN).next_to(pipeline.boxes[0], UP, buff=0.2)
            self.add(token)
            marks = ["tok", "pre", "mid", "sft", "rl", "chat"]
            for index, mark in enumerate(marks):
                beat.wait_until(mark)
                self.play(
                    pipeline.light(index),
                    token.animate.next_to(pipeline.boxes[index], UP, buff=0.2),
                    *([pipeline.settle(index - 1)] if index else []),
                    run_time=QUICK,
                )
            self.play(pipeline.settle(len(marks) - 1), run_time=beat.until())
            self.remove(token)
            self.pipeline = pipeline

    def compare_tiers(self):
        with self.beat("tiers") as beat:
            tiers = BudgetTiers().move_to(ORIGIN)
            columns = tiers.columns
            self.play(
                FadeOut(
                    VGroup(
                        self.pipeline.boxes[0],
                        self.pipeline.boxes[2:],
                        self.pipeline.arrows,
                        self.pipeline.labels,
                    ),
                    shift=UP * 0.3,
                ),
                ReplacementTransform(self.pipeline.boxes[1], columns[0][0]),
                FadeIn(columns[0][1:]),
                run_time=beat.until("t300"),
            )
            for index, mark, until in ((1, "t300", "t1000"), (2, "t1000", None)):
                beat.wait_until(mark)
                appear, train = tiers.grow(index)
                self.play(appear, run_time=STEADY)
                self.play(train, run_time=beat.until(until))  # the bigger model "trains"
            self.tiers = columns

    def pin_the_commit(self):
        with self.beat("pinned") as beat:
            graph = CommitGraph().shift(UP * 0.3)
            self.play(FadeOut(self.tiers), Create(graph.line), run_time=QUICK)
            self.play(
                LaggedStart(*[FadeIn(d, scale=0.5) for d in graph.dots], lag_ratio=LAG),
                run_time=beat.until("commit"),
            )
            label = mono("48abd7d", size=LABEL_SIZE * 1.4, color=HIGHLIGHT).next_to(
                graph.pinned, UP
            )
            date = prose("1 January 2026", size=LABEL_SIZE, color=TEXT).next_to(graph.pinned, DOWN)
            later = prose("later changes: end of video", size=SMALL_SIZE, color=DIM)
            later.next_to(graph.later, DOWN, buff=0.9).align_to(graph.dots[-1], RIGHT)
            self.play(
                Write(label), FadeIn(date), Indicate(graph.pinned, color=HIGHLIGHT), run_time=STEADY
            )
            self.play(
                FadeIn(later),
                graph.later.animate.set_color(FAINT),
                run_time=beat.until("tour"),
            )
            folder = mono("nanochat/", size=TITLE_SIZE * 0.8, color=TRAINED).shift(DOWN * 1.8)
            self.play(
                FadeOut(VGroup(graph, date, later)),
                label.animate.to_edge(UP, buff=0.8),
                FadeIn(folder, shift=UP * 0.3),
                run_time=STEADY,
            )
            self.play(folder.animate.scale(1.4).move_to(ORIGIN), run_time=beat.until())
