"""Chapter 2: a tour of the repository, the speedrun pipeline, and the depth dial.

Narration: script/02-architecture.md. Render alone with
``uv run manim -pql scenes/02_architecture.py``.

The left half of the first beats is a folder tree that stays put while the right
half opens each folder in turn (rustbpe merges a shared ``TokenStrip`` pair by
pair); the speedrun then grows out of the tree's last entry, hands a checkpoint
from stage to stage, fills a report card and opens a terminal, then a browser.
The pretraining stage's ``--depth=20`` becomes the shared ``DepthDial`` (the
same dial chapter 4 turns), and the chapter ends on a question cut into tokens.

Local pictures: ``RepoTree``, ``FileCards``, ``Meter``, ``ReportCard``,
``ChatWindow``, the ``merge`` helper and the ``model_slab`` the dial regrows.
"""

from __future__ import annotations

import math

import numpy as np
from manim import (
    DOWN,
    LEFT,
    RIGHT,
    UP,
    AnimationGroup,
    Arrow,
    Create,
    DecimalNumber,
    FadeIn,
    FadeOut,
    GrowFromEdge,
    Indicate,
    LaggedStart,
    Line,
    Rectangle,
    ReplacementTransform,
    Square,
    TransformFromCopy,
    TransformMatchingShapes,
    ValueTracker,
    VGroup,
    Write,
    always_redraw,
    linear,
)
from mobjects import (
    ChatBubble,
    Counter,
    DepthDial,
    FileGrid,
    Labelled,
    PipelineDiagram,
    TokenStrip,
)
from style import (
    BODY_SIZE,
    DIM,
    FAINT,
    GHOST,
    HIGHLIGHT,
    LABEL_SIZE,
    LAG,
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
    maths,
    mono,
    setup_canvas,
)

from explainer.scene import NarratedScene

# ---- what the tour shows (all at nanochat commit 48abd7d)
FOLDERS = ["nanochat/", "scripts/", "tasks/", "rustbpe/", "speedrun.sh"]
FILE_COUNTS = [17, 11, 8, 4, 1]  # files in each entry (git ls-tree)
LINE_COUNTS = [3637, 2769, 887, 511, 131]  # .py/.sh/.md/.rs/.html/.toml lines per entry
TOTAL_LINES, TOTAL_FILES = 9817, 48
LIBRARY = [
    "gpt.py",
    "tokenizer.py",
    "engine.py",
    "dataloader.py",
    "muon.py",
    "adamw.py",
    "checkpoint_manager.py",
    "core_eval.py",
    "loss_eval.py",
    "report.py",
]
# which library cards light on each spoken role (model, tokenizer, engine, ...)
LIBRARY_MARKS = [
    ("m0", [0]),
    ("m1", [1]),
    ("m2", [2]),
    ("m3", [3]),
    ("m4", [4, 5]),
    ("m5", [6]),
    ("m6", [7, 8]),
    ("m7", [9]),
]
SCRIPTS = {
    "train": ["tok_train.py", "base_train.py", "mid_train.py", "chat_sft.py", "chat_rl.py"],
    "eval": ["tok_eval.py", "base_loss.py", "base_eval.py", "chat_eval.py"],
    "chat": ["chat_cli.py", "chat_web.py"],
}
TASKS = ["arc.py", "gsm8k.py", "mmlu.py", "humaneval.py", "smoltalk.py", "spellingbee.py"]
PACKAGES = [
    "torch",
    "tiktoken",
    "tokenizers",
    "datasets",
    "wandb",
    "fastapi",
    "uvicorn",
    "regex",
    "psutil",
    "setuptools",
    "files-to-prompt",
]
# a made-up word, merged pair by pair the way a BPE trainer would
MERGES = (["t", "o", "k", "e", "n", "s"], [0, 2, 2, 0, 0])
MERGE_CELLS = {"size": BODY_SIZE, "stroke": STROKE, "min_width": 0.6}  # its chips, large
STAGES = ["tokenizer", "pretraining", "midtraining", "SFT", "RL", "chat"]
VOCAB = 65536  # launch vocabulary: parameters = 2 * VOCAB * width + 12 * width^2 * depth
TOKENS_PER_PARAM = 20
KEYS = ("layers", "width", "heads", "tokens")  # the rows of the depth panel

# ---- layout of the tour: tree on the left, the opened folder on the right
TREE_CORNER = np.array([-6.55, 2.55, 0])
PANEL_LEFT = -2.75
PANEL_CENTRE = np.array([1.9, 0.0, 0])
TICKER_AT = np.array([0, -0.95, 0])  # where the speedrun shows the script it runs


# --------------------------------------------------------------------------- pictures


class RepoTree(VGroup):
    """A folder tree: ``.root`` on top and ``.entries`` hanging off one trunk.

    ``select(i)`` returns the animation that highlights entry ``i`` and dims the
    others (``select(None)`` shows them all plainly again).

    >>> tree = RepoTree("repo/", ["src/", "run.sh"])
    >>> len(tree.entries), len(tree.branches)
    (2, 3)
    """

    def __init__(self, root: str, entries: list[str], size=LABEL_SIZE, spacing=0.85, indent=0.6):
        root_label = mono(root, size=size)
        labels = VGroup(*[mono(name, size=size) for name in entries])
        for i, label in enumerate(labels):
            label.move_to(root_label.get_left(), aligned_edge=LEFT)
            label.shift(RIGHT * indent + DOWN * (i + 1) * spacing)
        trunk_x = root_label.get_left()[0] + indent * 0.35
        trunk = Line(
            [trunk_x, root_label.get_bottom()[1] - 0.12, 0],
            [trunk_x, labels[-1].get_y(), 0],
            stroke_width=THIN,
            color=FAINT,
        )
        stubs = VGroup(
            *[
                Line([trunk_x, e.get_y(), 0], [e.get_left()[0] - 0.12, e.get_y(), 0]).set_stroke(
                    FAINT, THIN
                )
                for e in labels
            ]
        )
        super().__init__(root_label, trunk, stubs, labels)
        self.root, self.entries = root_label, labels
        self.branches = VGroup(trunk, *stubs)

    def select(self, index: int | None):
        return AnimationGroup(
            *[
                e.animate.set_color(TEXT if index is None else HIGHLIGHT if i == index else DIM)
                for i, e in enumerate(self.entries)
            ]
        )


class FileCards(Labelled):
    """Named files as cards in a grid (row by row), each name inside its card.

    ``.items[i]`` is card ``i`` (box and name), ``.boxes`` and ``.labels`` their parts;
    ``light(i)`` and ``settle(i)`` return the animations that mark a card as the one
    being talked about, then as visited.

    >>> FileCards(["a.py", "b.py", "c.py"], columns=2).labels[2].text
    'c.py'
    """

    def __init__(
        self,
        names: list[str],
        columns: int = 2,
        card_width: float = 4.5,
        card_height: float = 0.55,
        buff: tuple[float, float] = (0.3, 0.2),
        colour=STRUCTURE,
    ):
        items = VGroup()
        for name in names:
            box = Rectangle(
                width=card_width, height=card_height, stroke_color=colour, stroke_width=THIN
            )
            items.add(VGroup(box, mono(name, size=SMALL_SIZE)))
        super().__init__(items)
        for box, label in items:
            self.fit_label(label, box, pad=0.08)
        items.arrange_in_grid(cols=columns, buff=buff)
        self.items = items
        self.boxes = VGroup(*[item[0] for item in items])
        self.labels = VGroup(*[item[1] for item in items])

    def light(self, index: int, colour=HIGHLIGHT):
        return self.boxes[index].animate.set_stroke(colour, width=STROKE).set_fill(colour, 0.12)

    def settle(self, index: int, colour=STRUCTURE):
        return self.boxes[index].animate.set_stroke(colour, width=THIN).set_fill(colour, 0.05)


def merge(strip: TokenStrip, index: int, **cell_kwargs) -> tuple[TokenStrip, list]:
    """Join cells ``index`` and ``index + 1``: the merged strip and the animations into it.

    The pair's boxes close into one and its letters slide together, glyph by glyph;
    the other cells move aside. After playing them the scene swaps the new strip in
    whole (the animations leave its parts loose on the scene).

    >>> merge(TokenStrip(["t", "o", "k"]), 0)[0].tokens
    ['to', 'k']
    """
    tokens = list(strip.tokens)
    tokens[index : index + 2] = [tokens[index] + tokens[index + 1]]
    new = TokenStrip(tokens, **cell_kwargs).move_to(strip)
    old, cells = strip.cells, new.cells
    anims = [ReplacementTransform(old[j], cells[j]) for j in range(index)]
    left, right, joined = old[index], old[index + 1], cells[index]
    anims += [
        ReplacementTransform(left.box, joined.box),
        FadeOut(right.box, target_position=joined.box),
        ReplacementTransform(VGroup(*left.label, *right.label), joined.label),
    ]
    anims += [ReplacementTransform(old[j], cells[j - 1]) for j in range(index + 2, len(old))]
    return new, anims


class Meter(VGroup):
    """A small upright gauge for "this stage was scored": ``.frame`` and a ``.level``."""

    def __init__(self, colour=TRAINED, width=0.34, height=0.6):
        frame = Rectangle(width=width, height=height, stroke_color=STRUCTURE, stroke_width=THIN)
        level = Rectangle(
            width=width - 0.08,
            height=height * 0.6,
            stroke_width=0,
            fill_color=colour,
            fill_opacity=0.8,
        )
        level.align_to(frame, DOWN).shift(UP * 0.04)
        super().__init__(frame, level)
        self.frame, self.level = frame, level

    def fill(self):
        """The animation that raises the level from empty."""
        return GrowFromEdge(self.level, DOWN)


class ReportCard(Labelled):
    """A report page: a title inside the top of a frame, and empty ``.slots`` for rows."""

    def __init__(self, title: str = "report.md", rows: int = 4, width=3.4, height=2.0):
        frame = Rectangle(width=width, height=height, stroke_color=STRUCTURE, stroke_width=STROKE)
        head = Rectangle(width=width, height=0.6, stroke_width=0).align_to(frame, UP)
        label = mono(title, size=SMALL_SIZE)
        slots = VGroup(
            *[Line(LEFT * (width / 2 - 0.35), RIGHT * (width / 2 - 0.35)) for _ in range(rows)]
        )
        slots.set_stroke(GHOST, 6).arrange(DOWN, buff=0.26).next_to(head, DOWN, buff=0.15)
        super().__init__(frame, head, label, slots)
        self.fit_label(label, head, pad=0.1)
        self.frame, self.label, self.slots = frame, label, slots


class ChatWindow(Labelled):
    """A window to talk to the model in: a frame, a title bar naming the script, a message.

    ``kind`` "cli" shows the question as a terminal prompt, "web" as a chat bubble.

    >>> ChatWindow("chat_web.py", "Hi", kind="web").title.text
    'chat_web.py'
    """

    def __init__(self, script: str, question: str, kind: str = "cli", width=4.9, height=1.6):
        frame = Rectangle(width=width, height=height, stroke_color=STRUCTURE, stroke_width=STROKE)
        bar = Rectangle(width=width, height=0.45, stroke_width=0).align_to(frame, UP)
        rule = Line(bar.get_corner(DOWN + LEFT), bar.get_corner(DOWN + RIGHT))
        rule.set_stroke(FAINT, THIN)
        title = mono(script, size=SMALL_SIZE, color=DIM)
        body = Rectangle(width=width, height=height - bar.height, stroke_width=0)
        body.align_to(frame, DOWN)
        if kind == "cli":
            message = mono(f"> {question}", size=SMALL_SIZE, color=TEXT)
        else:
            message = ChatBubble(question, role="user", width=0, size=SMALL_SIZE)
        super().__init__(frame, bar, rule, title, message)
        self.fit_label(title, bar, pad=0.08)
        self.fit_label(message, body, pad=0.15)
        if kind == "web":  # the user's message sits on the right, as in a chat page
            message.align_to(body, RIGHT).shift(LEFT * 0.2)
        self.frame, self.bar, self.rule = frame, bar, rule
        self.title, self.message = title, message


def model_sizes(depth: float) -> dict[str, float]:
    """What the depth dial sets at launch (scripts/base_train.py at 48abd7d)."""
    layers = max(2, 2 * round(depth / 2))  # odd depths do not split into 128-wide heads here
    width = 64 * layers
    params = 2 * VOCAB * width + 12 * width**2 * layers
    return {
        "layers": layers,
        "width": width,
        "heads": math.ceil(width / 128),
        "tokens": TOKENS_PER_PARAM * params / 1e9,
    }


def model_slab(depth: float, heads_shown: float, centre) -> VGroup:
    """The model as ``layers`` blocks, as wide as its width, split into its heads."""
    sizes = model_sizes(depth)
    width = sizes["width"] / 1280 * 1.9
    blocks = VGroup(
        *[
            Rectangle(
                width=width,
                height=0.08,
                stroke_color=TOKEN,
                stroke_width=1.2,
                fill_color=TOKEN,
                fill_opacity=0.3,
            )
            for _ in range(sizes["layers"])
        ]
    ).arrange(UP, buff=0.035)
    blocks.move_to(centre, aligned_edge=DOWN)
    cuts = VGroup()
    if heads_shown > 0.01:
        step = width / sizes["heads"]
        for h in range(1, sizes["heads"]):
            x = blocks.get_left()[0] + h * step
            cuts.add(Line([x, blocks.get_bottom()[1], 0], [x, blocks.get_top()[1], 0]))
        cuts.set_stroke(HIGHLIGHT, 1.5, opacity=heads_shown)
    return VGroup(blocks, cuts)


# --------------------------------------------------------------------------- the chapter


class Architecture(NarratedScene):
    def construct(self):
        setup_canvas()
        self.draw_the_map()
        self.open_the_library()
        self.open_the_scripts()
        self.open_tasks_and_rustbpe()
        self.weigh_the_repo()
        self.start_the_speedrun()
        self.hand_over_checkpoints()
        self.turn_the_depth_dial()
        self.hand_over_to_tokenizer()

    # ------------------------------------------------------------------ the tour

    def draw_the_map(self):
        with self.beat("map") as beat:
            # chapter 1 ends on this folder name, large and centred
            folder = mono("nanochat/", size=TITLE_SIZE * 0.8, color=TRAINED).scale(1.4)
            self.add(folder)
            tree = RepoTree("nanochat/", FOLDERS).move_to(TREE_CORNER, aligned_edge=UP + LEFT)
            self.play(
                ReplacementTransform(folder, tree.root),
                run_time=max(beat.until("folders"), QUICK),
            )
            rows = VGroup()
            for entry, count in zip(tree.entries, FILE_COUNTS, strict=True):
                row = FileGrid(count, columns=count, size=0.3)
                rows.add(row.move_to([PANEL_LEFT, entry.get_y(), 0], aligned_edge=LEFT))
            self.play(
                Create(tree.branches[:5]),
                LaggedStart(*[Write(e) for e in tree.entries[:4]], lag_ratio=0.3),
                LaggedStart(
                    *[FadeIn(f, shift=RIGHT * 0.2) for row in rows[:4] for f in row.files],
                    lag_ratio=0.04,
                ),
                run_time=beat.until("script"),
            )
            self.play(
                Create(tree.branches[5]),
                Write(tree.entries[4]),
                FadeIn(rows[4], shift=RIGHT * 0.2),
                run_time=QUICK,
            )
            self.play(
                tree.entries[4].animate.set_color(HIGHLIGHT),
                rows[4].files[0][0].animate.set_stroke(HIGHLIGHT),
                run_time=QUICK,
            )
            # a gentle sweep down the folders while the voice finishes
            self.play(
                tree.entries[4].animate.set_color(TEXT),
                rows[4].files[0][0].animate.set_stroke(STRUCTURE),
                LaggedStart(
                    *[row.page_lines().animate.set_color(TOKEN) for row in rows], lag_ratio=0.3
                ),
                run_time=beat.until(),
            )
            self.tree, self.rows = tree, rows

    def open_the_library(self):
        with self.beat("library") as beat:
            tree, rows = self.tree, self.rows
            cards = FileCards(LIBRARY, columns=2).move_to(PANEL_CENTRE)
            icons = rows[0].files
            beat.wait_until("lib")
            self.play(
                tree.select(0),
                FadeOut(rows[1:], shift=DOWN * 0.3),
                *[ReplacementTransform(icons[i], cards.items[i]) for i in range(len(LIBRARY))],
                FadeOut(icons[len(LIBRARY) :]),
                run_time=beat.until("m0"),
            )
            self.remove(*cards.items)
            self.add(cards)
            lit: list[int] = []
            for mark, indices in LIBRARY_MARKS:
                beat.wait_until(mark)
                self.play(
                    *[cards.light(i) for i in indices],
                    *[cards.settle(i) for i in lit],
                    run_time=QUICK,
                )
                lit = indices
            self.play(*[cards.settle(i) for i in lit], run_time=beat.until())
            self.library = cards

    def open_the_scripts(self):
        with self.beat("scripts") as beat:
            tree, cards = self.tree, self.library
            bar = Labelled()
            box = Rectangle(width=9.2, height=0.55, stroke_color=TOKEN, stroke_width=STROKE)
            bar.add(box, mono("nanochat", size=SMALL_SIZE, color=TOKEN))
            bar.fit_label(bar[1], box)
            bar.move_to([PANEL_CENTRE[0], -2.3, 0])
            columns = VGroup(
                *[
                    FileCards(names, columns=1, card_width=2.8, buff=(0, 0.15))
                    for names in SCRIPTS.values()
                ]
            )
            columns.arrange(RIGHT, buff=0.4, aligned_edge=UP)
            columns.move_to([PANEL_CENTRE[0], 0, 0]).align_to([0, 2.3, 0], UP)
            self.play(
                tree.select(1),
                ReplacementTransform(cards, bar),
                run_time=max(beat.until("scripts"), QUICK),
            )
            self.play(
                LaggedStart(
                    *[FadeIn(item, shift=DOWN * 0.2) for col in columns for item in col.items],
                    lag_ratio=LAG,
                ),
                run_time=beat.until("train"),
            )
            for index, (mark, until) in enumerate(
                (("train", "eval"), ("eval", "chat"), ("chat", "imports"))
            ):
                beat.wait_until(mark)
                column = columns[index]
                self.play(
                    LaggedStart(
                        *[column.light(i) for i in range(len(column.items))], lag_ratio=0.15
                    ),
                    *(
                        []
                        if index == 0
                        else [
                            columns[index - 1].settle(i)
                            for i in range(len(columns[index - 1].items))
                        ]
                    ),
                    run_time=min(beat.span(mark, until), STEADY),
                )
            beat.wait_until("imports")
            arrows = VGroup(
                *[
                    Arrow(
                        col.get_bottom(),
                        [col.get_x(), bar.get_top()[1], 0],
                        buff=0.12,
                        color=STRUCTURE,
                        stroke_width=3,
                        max_tip_length_to_length_ratio=0.15,
                    )
                    for col in columns
                ]
            )
            last = columns[-1]
            self.play(
                *[last.settle(i) for i in range(len(last.items))],
                LaggedStart(*[Create(a) for a in arrows], lag_ratio=0.2),
                run_time=STEADY,
            )
            self.play(Indicate(bar, color=TOKEN, scale_factor=1.05), run_time=beat.until())
            self.scripts = VGroup(columns, arrows, bar)

    def open_tasks_and_rustbpe(self):
        with self.beat("tasks") as beat:
            tree = self.tree
            cards = FileCards(TASKS, columns=3, card_width=3.0, buff=(0.18, 0.2))
            cards.move_to([PANEL_CENTRE[0], 0, 0]).align_to([0, 2.1, 0], UP)
            beat.wait_until("tasks")
            self.play(
                tree.select(2),
                FadeOut(self.scripts, shift=DOWN * 0.3),
                LaggedStart(*[FadeIn(c, shift=DOWN * 0.2) for c in cards.items], lag_ratio=0.2),
                run_time=max(beat.until("bench"), QUICK),
            )
            # science, maths, exams, code, chats: each card lights as the voice lists them
            step = beat.until("conv") / len(TASKS)
            for i in range(len(TASKS)):
                self.play(cards.light(i), *([cards.settle(i - 1)] if i else []), run_time=step)
            question = ChatBubble("What is 12 × 5?", role="user", width=3.6)
            answer = ChatBubble("12 × 5 = 60", role="assistant", width=3.6)
            chat = VGroup(question, answer).arrange(DOWN, buff=0.25, aligned_edge=LEFT)
            answer.shift(RIGHT * 1.2)
            chat.next_to(cards, DOWN, buff=0.5)
            gsm8k = cards.items[1]
            self.play(
                cards.settle(len(TASKS) - 1),
                cards.light(1),
                TransformFromCopy(gsm8k[0], question.box),
                FadeIn(question.label),
                run_time=QUICK,
            )
            self.play(FadeIn(answer, shift=UP * 0.2), run_time=min(beat.until("rust"), STEADY))
            beat.wait_until("rust")
            strip = TokenStrip(MERGES[0], **MERGE_CELLS).move_to(PANEL_CENTRE)
            self.play(
                tree.select(3),
                FadeOut(VGroup(cards, chat), shift=DOWN * 0.3),
                LaggedStart(*[FadeIn(c, shift=UP * 0.2) for c in strip.cells], lag_ratio=LAG),
                run_time=max(beat.until("merge"), QUICK),
            )
            self.add(strip)
            merges = MERGES[1]
            step = beat.until() / len(merges)
            for index in merges:
                strip, anims = merge(strip, index, **MERGE_CELLS)
                self.play(*anims, run_time=step)
                self.swap_in(strip)
            self.strip = strip

    def swap_in(self, group: VGroup) -> None:
        """Replace the loose parts an animation left on screen with ``group`` whole."""
        parts = set(group.get_family())
        self.remove(*[m for m in self.mobjects if m in parts])
        self.add(group)

    def weigh_the_repo(self):
        with self.beat("small") as beat:
            tree = self.tree
            longest = max(LINE_COUNTS)
            bars = VGroup()
            numbers = VGroup()
            for entry, lines in zip(tree.entries, LINE_COUNTS, strict=True):
                bar = Rectangle(
                    width=max(5.4 * lines / longest, 0.06),
                    height=0.32,
                    stroke_width=0,
                    fill_color=TOKEN,
                    fill_opacity=0.7,
                )
                bar.move_to([PANEL_LEFT, entry.get_y(), 0], aligned_edge=LEFT)
                bars.add(bar)
                numbers.add(mono(f"{lines:,}", size=SMALL_SIZE, color=DIM).next_to(bar, RIGHT))
            total = Counter(TOTAL_LINES, unit=f"lines in {TOTAL_FILES} files", size=52)
            total.move_to([PANEL_CENTRE[0], -2.2, 0])
            self.play(
                tree.select(None),
                FadeOut(self.strip, shift=DOWN * 0.3),
                run_time=max(beat.until("lines"), QUICK),
            )
            self.play(
                LaggedStart(*[GrowFromEdge(b, LEFT) for b in bars], lag_ratio=0.2),
                LaggedStart(*[FadeIn(n) for n in numbers], lag_ratio=0.2),
                FadeIn(total),
                run_time=STEADY,
            )
            self.play(total.count(), run_time=beat.until("deps"))
            packages = FileCards(
                PACKAGES, columns=3, card_width=3.0, card_height=0.5, buff=(0.2, 0.15)
            )
            packages.move_to([PANEL_CENTRE[0], 0, 0]).align_to([0, 2.3, 0], UP)
            self.play(
                FadeOut(VGroup(bars, numbers), shift=LEFT * 0.3),
                LaggedStart(*[FadeIn(c, scale=0.8) for c in packages.items], lag_ratio=LAG),
                total.animate.shift(DOWN * 0.2),
                run_time=max(beat.until("uv"), QUICK),
            )
            command = mono("uv sync", size=LABEL_SIZE, color=HIGHLIGHT)
            command.next_to(packages, DOWN, buff=0.45)
            self.play(Write(command), run_time=QUICK)
            self.play(
                LaggedStart(
                    *[packages.light(i, colour=TRAINED) for i in range(len(PACKAGES))],
                    lag_ratio=0.15,
                ),
                run_time=beat.until(),
            )
            self.weight = VGroup(packages, command, total)

    # ------------------------------------------------------------------ the speedrun

    def start_the_speedrun(self):
        with self.beat("speedrun") as beat:
            tree = self.tree
            script = tree.entries[4]
            title = mono("speedrun.sh", size=LABEL_SIZE * 1.3, color=HIGHLIGHT).to_edge(
                UP, buff=0.7
            )
            pipeline = PipelineDiagram(STAGES, optional=["RL"], box_width=1.9, buff=0.32)
            pipeline.move_to([0, 1.0, 0])
            pipeline.arrows.set_color(STRUCTURE)
            meters = VGroup(*[Meter() for _ in STAGES[:-1]])
            for meter, box in zip(meters, pipeline.boxes, strict=False):
                meter.next_to(box, DOWN, buff=0.45)
            links = VGroup(
                *[
                    Line(box.get_bottom(), meter.get_top(), stroke_width=THIN, color=FAINT)
                    for box, meter in zip(pipeline.boxes, meters, strict=False)
                ]
            )
            self.play(
                ReplacementTransform(script, title),
                FadeOut(
                    VGroup(tree.root, tree.branches, tree.entries[:4], self.rows[4], self.weight),
                    shift=LEFT * 0.3,
                ),
                run_time=STEADY,
            )
            pairs = zip(pipeline.boxes, pipeline.labels, [*pipeline.arrows, None], strict=True)
            self.play(
                LaggedStart(
                    *[
                        AnimationGroup(
                            FadeIn(VGroup(box, label), shift=RIGHT * 0.2),
                            *([FadeIn(arrow)] if arrow else []),
                        )
                        for box, label, arrow in pairs
                    ],
                    lag_ratio=0.3,
                ),
                LaggedStart(
                    *[FadeIn(VGroup(ln, m.frame)) for ln, m in zip(links, meters, strict=True)],
                    lag_ratio=0.3,
                ),
                run_time=beat.until("tok"),
            )
            self.add(pipeline)
            self.pipeline, self.meters, self.links, self.title = pipeline, meters, links, title
            # what speedrun.sh is running right now, under the pipeline
            self.ticker = mono("scripts/tok_train.py", size=LABEL_SIZE, color=TEXT)
            self.ticker.move_to(TICKER_AT)
            self.play(pipeline.light(0), FadeIn(self.ticker, shift=UP * 0.2), run_time=QUICK)
            self.run_stage(beat, 0, None, "tok_eval.py", "base")
            self.run_stage(beat, 1, "base_train.py", "base_eval.py", "save")
            checkpoint = Square(0.32, stroke_color=TOKEN, fill_color=TOKEN, fill_opacity=0.6)
            checkpoint.next_to(pipeline.boxes[1], UP, buff=0.15)
            self.play(
                pipeline.settle(1), FadeIn(checkpoint, scale=0.4, shift=UP * 0.2), run_time=QUICK
            )
            self.play(
                checkpoint.animate.next_to(pipeline.boxes[2], UP, buff=0.15),
                Indicate(pipeline.arrows[1], color=TOKEN),
                run_time=beat.until(),
            )
            self.checkpoint = checkpoint

    def run_stage(self, beat, index: int, train: str | None, evaluate: str, until: str):
        """Stage ``index`` lights and trains, then its evaluation fills its meter, until ``until``.

        With ``train`` None the stage is already lit and its training script already shown.
        """
        pipeline = self.pipeline
        if train is not None:
            self.play(
                pipeline.light(index),
                *([pipeline.settle(index - 1)] if index else []),
                self.show_running(train),
                *(
                    [self.checkpoint.animate.next_to(pipeline.boxes[index], UP, buff=0.15)]
                    if index > 2
                    else []
                ),
                run_time=QUICK,
            )
        self.play(
            pipeline.boxes[index].animate.set_fill(HIGHLIGHT, 0.3),
            run_time=max(beat.time_until(until) / 2, QUICK),
        )
        self.play(self.show_running(evaluate), run_time=QUICK)
        self.play(self.meters[index].fill(), run_time=max(beat.until(until), QUICK))

    def show_running(self, name: str, prefix: str = "", colour=TEXT):
        """The animation that turns the ticker into ``scripts/name``."""
        new = mono(f"{prefix}scripts/{name}", size=LABEL_SIZE, color=colour).move_to(TICKER_AT)
        old, self.ticker = self.ticker, new
        return TransformMatchingShapes(old, new)

    def hand_over_checkpoints(self):
        with self.beat("handoff") as beat:
            pipeline, meters, checkpoint = self.pipeline, self.meters, self.checkpoint
            beat.wait_until("mid")
            self.run_stage(beat, 2, "mid_train.py", "chat_eval.py", "sft")
            self.run_stage(beat, 3, "chat_sft.py", "chat_eval.py", "rl")
            # RL is optional and commented out in speedrun.sh: a ghost visit, no score
            ghost = checkpoint.copy().set_opacity(0.25)
            self.play(
                pipeline.settle(3),
                ghost.animate.next_to(pipeline.boxes[4], UP, buff=0.15),
                Indicate(pipeline.boxes[4], color=DIM),
                self.show_running("chat_rl.py", prefix="# ", colour=DIM),
                run_time=STEADY,
            )
            self.play(
                FadeOut(ghost),
                meters[4].frame.animate.set_stroke(FAINT),
                run_time=beat.until("report"),
            )
            card = ReportCard(height=1.6).move_to([-2.2, -2.15, 0])
            scored = [0, 1, 2, 3]
            filled = card.slots.copy().set_stroke(TRAINED, 6)
            self.play(
                FadeIn(VGroup(card.frame, card.slots)),
                ReplacementTransform(self.ticker, card.label),
                run_time=QUICK,
            )
            self.remove(card.label)
            self.add(card)
            self.play(
                LaggedStart(
                    *[
                        ReplacementTransform(meters[i].level.copy(), filled[row])
                        for row, i in enumerate(scored)
                    ],
                    lag_ratio=0.25,
                ),
                run_time=min(beat.until("chat"), STEADY * 1.5),
            )
            beat.wait_until("chat")
            self.report = VGroup(card, filled)
            self.window = self.open_chat(beat, card)

    def open_chat(self, beat, card: VGroup) -> ChatWindow:
        """The finished model answers in a terminal, then in a browser."""
        pipeline = self.pipeline
        question = "Why is the sky blue?"
        terminal = ChatWindow("scripts/chat_cli.py", question, kind="cli")
        browser = ChatWindow("scripts/chat_web.py", question, kind="web")
        for window in (terminal, browser):
            window.move_to([0, card.get_y(), 0]).align_to(pipeline.boxes[5], RIGHT)
        self.play(
            pipeline.light(5),
            self.checkpoint.animate.next_to(pipeline.boxes[5], UP, buff=0.15),
            FadeIn(VGroup(terminal.frame, terminal.rule, terminal.title), shift=UP * 0.2),
            run_time=QUICK,
        )
        self.play(Write(terminal.message), run_time=max(beat.until("web"), QUICK))
        self.play(
            TransformMatchingShapes(terminal.title, browser.title),
            ReplacementTransform(terminal.message, browser.message),
            ReplacementTransform(terminal.frame, browser.frame),
            ReplacementTransform(terminal.rule, browser.rule),
            run_time=QUICK,
        )
        self.swap_in(browser)
        self.play(Indicate(browser.message, color=TOKEN, scale_factor=1.05), run_time=beat.until())
        return browser

    # ------------------------------------------------------------------ the depth dial

    def turn_the_depth_dial(self):
        with self.beat("depth") as beat:
            pipeline = self.pipeline
            flag = mono("depth=20", size=LABEL_SIZE, color=HIGHLIGHT)
            flag.next_to(pipeline.boxes[1], UP, buff=0.3)
            self.play(
                FadeOut(
                    VGroup(
                        self.report,
                        self.window,
                        self.links,
                        self.checkpoint,
                        *[m.frame for m in self.meters],
                        *[m.level for m in self.meters[:4]],
                    ),
                    shift=DOWN * 0.3,
                ),
                Indicate(pipeline.boxes[1], color=HIGHLIGHT),
                FadeIn(flag, shift=DOWN * 0.2),
                run_time=max(beat.until("dial"), QUICK),
            )
            dial = DepthDial(20).move_to([-4.6, 0.6, 0])
            readout = VGroup(
                maths("d =", size=TITLE_SIZE, color=HIGHLIGHT),
                DecimalNumber(20, num_decimal_places=0, font_size=TITLE_SIZE, color=HIGHLIGHT),
            )
            readout.arrange(RIGHT, buff=0.2).next_to(dial, DOWN, buff=0.4)
            heads_shown = ValueTracker(0)
            slab = always_redraw(
                lambda: model_slab(
                    dial.setting.get_value(), heads_shown.get_value(), [-1.35, -1.75, 0]
                )
            )
            self.play(
                FadeOut(VGroup(pipeline, self.title), shift=UP * 0.3),
                ReplacementTransform(flag, readout),
                FadeIn(dial),
                FadeIn(slab, shift=UP * 0.3),
                run_time=STEADY,
            )
            rows = self.depth_rows()
            self.play(FadeIn(rows[0], shift=LEFT * 0.2), run_time=beat.until("width"))
            self.play(FadeIn(rows[1], shift=LEFT * 0.2), run_time=beat.until("heads"))
            self.play(
                FadeIn(rows[2], shift=LEFT * 0.2),
                heads_shown.animate.set_value(1),
                run_time=beat.until("train"),
            )
            self.play(FadeIn(rows[3], shift=LEFT * 0.2), run_time=beat.until("grow"))
            # from here on the readout and the four values follow the dial
            readout[1].add_updater(
                lambda m: m.set_value(model_sizes(dial.setting.get_value())["layers"])
            )
            for key, value in zip(KEYS, rows.values, strict=True):
                value.add_updater(
                    lambda m, key=key: m.set_value(
                        model_sizes(dial.setting.get_value())[key]
                    ).move_to([6.5, m.get_y(), 0], aligned_edge=RIGHT)
                )
            self.play(
                dial.setting.animate(rate_func=linear).set_value(32),
                Indicate(rows.values, color=HIGHLIGHT, scale_factor=1.05),
                run_time=beat.until(),
            )
            for value in [readout[1], *rows.values]:
                value.clear_updaters()
            self.dial = VGroup(dial, readout, rows)
            self.slab = slab

    def depth_rows(self) -> VGroup:
        """layers, width, heads and training tokens, each ticking with the dial."""
        formulas = VGroup(
            maths(r"\text{layers} = d"),
            maths(r"\text{width} = 64\,d"),
            maths(r"\text{heads} = \text{width} / 128"),
            maths(r"\text{tokens} = 20 \times \text{params}"),
        ).arrange(DOWN, buff=0.55, aligned_edge=LEFT)
        formulas.move_to([0.9, 0.1, 0], aligned_edge=LEFT)
        values = VGroup()
        for key, formula in zip(KEYS, formulas, strict=True):
            places = 1 if key == "tokens" else 0
            value = DecimalNumber(
                model_sizes(20)[key],
                num_decimal_places=places,
                font_size=40,
                color=TOKEN,
                unit=r"\text{B}" if key == "tokens" else None,
            )
            value.move_to([6.5, formula.get_y(), 0], aligned_edge=RIGHT)
            values.add(value)
        rows = VGroup(*[VGroup(f, v) for f, v in zip(formulas, values, strict=True)])
        rows.formulas, rows.values = formulas, values
        return rows

    def hand_over_to_tokenizer(self):
        with self.beat("next") as beat:
            dial, slab = self.dial, self.slab
            slab.clear_updaters()
            self.play(
                FadeOut(dial, shift=LEFT * 0.3),
                slab.animate.shift(RIGHT * 4.5),
                run_time=max(beat.until("text"), QUICK),
            )
            sentence = mono("Why is the sky blue?", size=LABEL_SIZE, color=TEXT)
            sentence.move_to([-3.0, slab.get_y(), 0])
            self.play(Write(sentence), run_time=beat.until("tokens"))
            pieces = ["Why", " is", " the", " sky", " blue", "?"]
            strip = TokenStrip(pieces, size=LABEL_SIZE, show_spaces=True).move_to(sentence)
            self.play(ReplacementTransform(sentence, strip), run_time=STEADY)
            feed = Arrow(strip.get_right(), slab.get_left(), buff=0.2, color=STRUCTURE)
            self.play(
                Create(feed),
                LaggedStart(
                    *[cell.recolour(TOKEN, fill=0.45) for cell in strip.cells],
                    lag_ratio=0.2,
                ),
                run_time=beat.until(),
            )
