"""Chapter 9: inference. The Engine prefills the prompt into a KV cache, decodes one token
per step, copies the cache into N rows, samples with temperature and top-k, runs the
calculator tool, and streams tokens to the chat CLI and the web UI.

Tokens are the shared :class:`TokenCell` / :class:`TokenStrip` pictures (special tokens
written as they are, ``<|python_start|>``); this module adds the pictures only this
chapter draws: a position's KV cache (:class:`KVColumn`), an application window
(:class:`Window`) and a text revealed token by token (:class:`Streamed`). Every
animation is timed by the beat tracker (``beat.until(mark)``).

Narration: script/09-inference.md. Render alone with
``uv run manim -pql scenes/09_inference.py``.
"""

from __future__ import annotations

import numpy as np
from manim import (
    DOWN,
    LEFT,
    RIGHT,
    UP,
    AnimationGroup,
    Arrow,
    Brace,
    Create,
    DashedLine,
    DecimalNumber,
    FadeIn,
    FadeOut,
    Indicate,
    LaggedStart,
    Line,
    Rectangle,
    ReplacementTransform,
    ShowPassingFlash,
    Succession,
    TransformFromCopy,
    ValueTracker,
    VGroup,
    Write,
)
from mobjects import (
    BlockStack,
    ChatBubble,
    Counter,
    Labelled,
    PipelineDiagram,
    TokenCell,
    TokenStrip,
    token_text,
)
from style import (
    DIM,
    FAINT,
    HIGHLIGHT,
    KEY,
    LABEL_SIZE,
    LAG,
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

from explainer.scene import NarratedScene

# ---- the conversation the chapter follows
PROMPT = ["Why", "is", "the", "sky", "blue", "?"]
REPLY = ["Air", "scat", "ters", "blue"]  # what the Engine decodes, one token per step
ROWS = [  # N = 4 samples from one prompt: each row decodes its own continuation
    ["Air", "scat", "ters", "blue"],
    ["The", "sky", "looks", "blue"],
    ["Sun", "light", "is", "white"],
    ["Because", "air", "scat", "ters"],
]
STAGES = ["tokenizer", "pretraining", "midtraining", "SFT", "RL", "chat"]

# ---- the prefill/decode picture: one column per position, tokens on top,
# the model (20 layers seen edge-on) in the middle, the KV cache below
COLUMNS = len(PROMPT) + len(REPLY)
PITCH = 1.1  # column spacing
CELL = 1.0  # token and cache cell width
FIRST_X = -4.55  # centre of column 0
LABEL_X = -5.9  # the left-hand labels (d20, K, V)
TOKENS_Y = 2.75
BAND_Y = 1.35
KEYS_Y = -0.05
VALUES_Y = -0.75
CACHE_ROW_H = 0.6
CACHE_INFO_Y = -1.6
BAND_FILL = 0.12
KIB_PER_TOKEN = 100  # d20: 20 layers x (K, V) x 1280 x 2 bytes = 102,400 B

# ---- a next-token distribution after "<|assistant_start|>" (made up, but shaped like a
# real one): 50 candidate logits, then the other 65,486 tokens of the vocabulary
VOCAB = 65_536
TOP_LOGITS = np.array([2.9, 2.5, 2.2, 1.7, 1.4, *np.linspace(1.2, -0.8, 45)])
TAIL_LOGIT = -7.5
TAIL_COUNT = VOCAB - len(TOP_LOGITS)
CHART_TOKENS = ["The", "Air", "Sun", "Because", "It"]  # ranks 1-5
RANK_50_TOKEN = "Yes"
BAR_FULL = 7.6  # bar length of probability 1
BAR_X = -3.0
CHART_TOP_Y = 1.7
CHART_HEADER_Y = 3.0  # the formula and the T and k readouts
CHART_PITCH = 0.6

# ---- the calculator tool, as the Engine sees it
CALL = ["<|python_start|>", "12", "/", "60", "<|python_end|>"]
RESULT = ["<|output_start|>", "0", ".", "2", "<|output_end|>"]
ENDING = ["It", "is", "0", ".", "2", "<|assistant_end|>"]

# ---- the chat interfaces
QUESTION = "Why is the sky blue?"
ANSWER_TOKENS = ["Air", " scat", "ters", " blue", " light", "\nmore", " than", " red", "."]


def probabilities(temperature: float, tail_weight: float) -> tuple[np.ndarray, float]:
    """Softmax of logits / T over the top 50 and the tail (scaled by ``tail_weight``).

    Low temperature sharpens the distribution, high flattens it; top-k (``tail_weight``
    0) leaves only the top 50:

    >>> top, tail = probabilities(1.0, 1.0)
    >>> round(float(top.sum() + tail), 6)
    1.0
    >>> bool(probabilities(0.5, 1.0)[0][0] > top[0] > probabilities(1.6, 1.0)[0][0])
    True
    >>> probabilities(0.6, 0.0)[1]
    0.0
    """
    t = max(temperature, 1e-3)
    scaled = TOP_LOGITS / t
    peak = scaled.max()
    top = np.exp(scaled - peak)
    tail = tail_weight * TAIL_COUNT * np.exp(TAIL_LOGIT / t - peak)
    total = top.sum() + tail
    return top / total, float(tail / total)


def tool_strip(tokens: list[str], colour=TOKEN, special_colour=None) -> TokenStrip:
    """A token strip whose chat markers (``<|...|>``) are special tokens.

    >>> [cell.special for cell in tool_strip(CALL).cells]
    [True, False, False, False, True]
    """
    marker = special_colour if special_colour is not None else colour
    return TokenStrip(
        [TokenCell(t, marker, special=True) if t.startswith("<|") else t for t in tokens],
        colour,
    )


# --------------------------------------------------------------------------- mobjects


class KVColumn(VGroup):
    """The KV cache at one position: its key cell over its value cell (all 20 layers).

    >>> column = KVColumn()
    >>> bool(column.key.get_y() > column.value.get_y()), round(float(column.key.width), 3)
    (True, 1.0)
    """

    def __init__(self, cell_width: float = CELL, cell_height: float = CACHE_ROW_H):
        def cell(colour):
            return Rectangle(
                width=cell_width,
                height=cell_height,
                stroke_color=colour,
                stroke_width=STROKE,
                fill_color=colour,
                fill_opacity=0.45,
            )

        key, value = cell(KEY), cell(VALUE)
        value.next_to(key, DOWN, buff=CACHE_ROW_H * 0.17)
        super().__init__(key, value)
        self.key, self.value = key, value


class Window(Labelled):
    """An application window: a frame with a title bar naming the program."""

    def __init__(self, title: str, frame_width: float, frame_height: float, colour=STRUCTURE):
        frame = Rectangle(width=frame_width, height=frame_height, stroke_color=colour)
        frame.set_stroke(width=STROKE)
        bar = Rectangle(width=frame_width, height=0.55, stroke_color=colour, stroke_width=THIN)
        bar.set_fill(FAINT, opacity=0.5).align_to(frame, UP)
        label = mono(title, size=SMALL_SIZE, color=TEXT)
        super().__init__(frame, bar, label)
        self.frame, self.bar, self.label = frame, bar, label
        self.fit_label(label, bar, pad=0.08)

    def inside_top(self) -> np.ndarray:
        """The point just under the title bar, on the left: where content starts."""
        return self.bar.get_corner(DOWN + LEFT) + RIGHT * 0.3 + DOWN * 0.3


class Streamed(VGroup):
    """A text revealed token by token: ``reveal(i)`` shows the glyphs of token ``i``.

    >>> [len(chunk) for chunk in Streamed(mono("Air scatters"), ["Air", " scat", "ters"]).chunks]
    [3, 4, 4]
    """

    def __init__(self, text_mob, tokens: list[str]):
        super().__init__(text_mob)
        self.text_mob = text_mob
        glyphs = list(text_mob.submobjects)
        # some fonts give spaces and line breaks a (blank) glyph of their own, some don't
        with_blanks = len(glyphs) == len("".join(tokens))
        self.chunks: list[VGroup] = []
        start = 0
        for token in tokens:
            count = len(token) if with_blanks else len("".join(token.split()))
            self.chunks.append(VGroup(*glyphs[start : start + count]))
            start += count
        text_mob.set_opacity(0)

    def reveal(self, index: int):
        return self.chunks[index].animate.set_opacity(1)


# --------------------------------------------------------------------------- the scene


class Inference(NarratedScene):
    def construct(self):
        setup_canvas()
        self.ask_how_it_answers()
        self.prefill_the_prompt()
        self.decode_step_by_step()
        self.copy_into_rows()
        self.shape_the_distribution()
        self.take_the_argmax()
        self.run_the_calculator()
        self.stream_to_the_user()
        self.hand_over()

    # ------------------------------------------------------------------ helpers

    @staticmethod
    def column_x(index: int) -> float:
        return FIRST_X + index * PITCH

    def token_at(self, index: int, token: str, colour=TOKEN) -> TokenCell:
        cell = TokenCell(token, colour, width=CELL)
        return cell.move_to([self.column_x(index), TOKENS_Y, 0])

    def flash_down(self, index: int, to_y: float, colour=HIGHLIGHT):
        """A flash running down column ``index`` from its token to ``to_y``."""
        x = self.column_x(index)
        line = Line([x, TOKENS_Y - 0.32, 0], [x, to_y, 0], stroke_width=8, color=colour)
        return ShowPassingFlash(line, time_width=0.5)

    def glow(self, indices) -> VGroup:
        """Highlights over the model band at the given columns: the positions being computed."""
        return VGroup(
            *[
                Rectangle(
                    width=CELL,
                    height=self.band.height + 0.1,
                    stroke_width=0,
                    fill_color=HIGHLIGHT,
                    fill_opacity=0.45,
                ).move_to([self.column_x(i), BAND_Y, 0])
                for i in indices
            ]
        )

    def predict(self, index: int, token: str) -> tuple[TokenCell, AnimationGroup]:
        """The model, reading position ``index``, produces the token for ``index + 1``."""
        cell = self.token_at(index + 1, token, colour=HIGHLIGHT)
        arrow = Arrow(
            [self.column_x(index) + 0.2, self.band.get_top()[1], 0],
            cell.get_bottom() + DOWN * 0.02,
            buff=0.05,
            stroke_width=4,
            color=HIGHLIGHT,
            max_tip_length_to_length_ratio=0.3,
        )
        return cell, AnimationGroup(
            ShowPassingFlash(arrow, time_width=1.0), FadeIn(cell, shift=UP * 0.2)
        )

    def settle(self, group, parts) -> None:
        """After transforming into ``parts`` one by one, put the whole ``group`` on screen."""
        self.remove(*parts)
        self.add(group)

    # ------------------------------------------------------------------ beats

    def ask_how_it_answers(self):
        with self.beat("hook") as beat:
            bubble = ChatBubble(QUESTION, role="user").move_to(UP * 0.8)
            self.play(FadeIn(bubble, shift=UP * 0.3), run_time=beat.until("answer"))
            # the question becomes its tokens, one per column of the picture
            prompt = TokenStrip(PROMPT, width=CELL, buff=PITCH - CELL)
            prompt.move_to([self.column_x(0), TOKENS_Y, 0], aligned_edge=LEFT)
            prompt.shift(LEFT * CELL / 2)
            band_width = COLUMNS * PITCH + 0.1
            self.band = BlockStack(
                20, width=band_width, block_height=0.025, gap=0.015, colour=TOKEN
            ).move_to([FIRST_X + (COLUMNS - 1) * PITCH / 2, BAND_Y, 0])
            self.band.blocks.set_fill(opacity=BAND_FILL)
            self.band_label = mono("d20", size=LABEL_SIZE).move_to([LABEL_X, BAND_Y, 0])
            self.play(
                ReplacementTransform(bubble.box, prompt.boxes),
                ReplacementTransform(bubble.label, prompt.labels),
                LaggedStart(
                    *[FadeIn(b, shift=DOWN * 0.1) for b in self.band.blocks], lag_ratio=LAG
                ),
                Write(self.band_label),
                run_time=beat.until("read"),
            )
            self.settle(prompt, [*prompt.boxes, *prompt.labels])
            self.tokens = list(prompt.cells)
            band_bottom = self.band.get_bottom()[1]
            reading = self.glow(range(len(PROMPT)))
            self.play(
                LaggedStart(
                    *[self.flash_down(i, band_bottom) for i in range(len(PROMPT))], lag_ratio=LAG
                ),
                FadeIn(reading),
                run_time=beat.until("predict"),
            )
            # predict, append, repeat: the naive loop re-reads everything each time
            first, grow = self.predict(len(PROMPT) - 1, REPLY[0])
            self.play(grow, run_time=STEADY)
            self.play(first.recolour(TOKEN), FadeOut(reading), run_time=QUICK)
            reading = self.glow(range(len(PROMPT) + 1))
            self.play(
                LaggedStart(
                    *[self.flash_down(i, band_bottom) for i in range(len(PROMPT) + 1)],
                    lag_ratio=LAG,
                ),
                FadeIn(reading),
                run_time=beat.until() / 2,
            )
            second, grow = self.predict(len(PROMPT), REPLY[1])
            self.play(grow, FadeOut(reading), run_time=beat.until())
            self.hook_extra = VGroup(first, second)

    def prefill_the_prompt(self):
        with self.beat("prefill") as beat:
            self.engine_tag = mono("engine.py", size=LABEL_SIZE, color=DIM)
            self.engine_tag.move_to([4.6, CACHE_INFO_Y, 0])
            self.play(
                FadeOut(self.hook_extra, shift=UP * 0.3),
                FadeIn(self.engine_tag, shift=LEFT * 0.3),
                run_time=beat.until("prefill"),
            )
            bottom = VALUES_Y - CACHE_ROW_H / 2
            reading = self.glow(range(len(PROMPT)))
            self.play(
                *[self.flash_down(i, bottom) for i in range(len(PROMPT))],
                FadeIn(reading),
                run_time=STEADY,
            )
            self.play(
                *[self.flash_down(i, bottom) for i in range(len(PROMPT))],
                run_time=beat.until("cache"),
            )
            self.cache: list[KVColumn] = []
            columns = VGroup()
            for i in range(len(PROMPT)):
                column = KVColumn().move_to([self.column_x(i), (KEYS_Y + VALUES_Y) / 2, 0])
                columns.add(column)
                self.cache.append(column)
            self.kv_labels = VGroup(
                mono("K", size=LABEL_SIZE, color=KEY).move_to([LABEL_X, KEYS_Y, 0]),
                mono("V", size=LABEL_SIZE, color=VALUE).move_to([LABEL_X, VALUES_Y, 0]),
            )
            self.cache_title = prose("KV cache", size=LABEL_SIZE)
            self.cache_title.move_to([FIRST_X, CACHE_INFO_Y, 0], aligned_edge=LEFT)
            self.cache_title.align_to([FIRST_X - CELL / 2, 0, 0], LEFT)
            self.play(
                *[FadeIn(c, scale=0.6) for c in columns],
                FadeIn(self.kv_labels),
                Write(self.cache_title),
                FadeOut(reading),
                run_time=STEADY,
            )
            cell, grow = self.predict(len(PROMPT) - 1, REPLY[0])
            self.play(grow, run_time=beat.until() * 0.6)
            self.play(cell.recolour(TOKEN), run_time=beat.until())
            self.tokens.append(cell)

    def decode_step(self, beat, index: int, mark: str | None = None, extra=()) -> None:
        """Feed token ``index`` alone: it reads the cache, adds its K and V, predicts the next.

        The step fills the time until ``mark`` (or the end of the beat) is spoken.
        """
        step = beat.until(mark)
        x = self.column_x(index)
        band_bottom = self.band.get_bottom()[1]
        reading = self.glow([index])
        self.play(
            self.flash_down(index, band_bottom),
            FadeIn(reading),
            Indicate(self.tokens[index], color=HIGHLIGHT, scale_factor=1.08),
            run_time=step * 0.3,
        )
        reads = VGroup(
            *[
                Line(
                    [x, band_bottom, 0],
                    column.key.get_top(),
                    stroke_width=2.5,
                    color=QUERY,
                    stroke_opacity=0.8,
                )
                for column in self.cache
            ]
        )
        column = KVColumn().move_to([x, (KEYS_Y + VALUES_Y) / 2, 0])
        self.play(
            LaggedStart(*[Create(r) for r in reads], lag_ratio=LAG),
            FadeIn(column, scale=0.6),
            *extra,
            run_time=step * 0.35,
        )
        self.cache.append(column)
        anims = [FadeOut(reads), FadeOut(reading)]
        if index + 1 == COLUMNS:
            self.play(*anims, run_time=beat.until(mark))
            return
        cell, grow = self.predict(index, REPLY[index + 1 - len(PROMPT)])
        self.tokens.append(cell)
        self.play(*anims, grow, run_time=step * 0.25)
        self.play(cell.recolour(TOKEN), run_time=beat.until(mark))

    def decode_step_by_step(self):
        with self.beat("decode") as beat:
            newest = len(PROMPT)
            self.play(
                Indicate(self.tokens[newest], color=HIGHLIGHT),
                run_time=beat.until("step"),
            )
            self.decode_step(beat, newest, "grow")
            self.decode_step(beat, newest + 1, "size")
            counter = Counter(KIB_PER_TOKEN * len(self.cache), unit="KiB", size=44)
            counter.next_to(self.cache_title, RIGHT, buff=0.5)
            counter.value.align_to(self.cache_title, DOWN)
            pieces = [
                ("20", "layers"),
                (r"\times", None),
                ("2", "K, V"),
                (r"\times", None),
                ("1280", "width"),
                (r"\times", None),
                (r"2\,\text{B}", "bf16"),
                ("=", None),
                (r"100\,\text{KiB}", None),
            ]
            equation = VGroup(*[maths(tex, size=LABEL_SIZE * 1.3) for tex, _ in pieces])
            equation.arrange(RIGHT, buff=0.3)
            equation[-1].set_color(HIGHLIGHT)
            equation.next_to(self.cache_title, DOWN, buff=0.4, aligned_edge=LEFT)
            notes = VGroup(
                *[
                    prose(note, size=SMALL_SIZE, color=DIM).next_to(part, DOWN, buff=0.12)
                    for part, (_, note) in zip(equation, pieces, strict=True)
                    if note
                ]
            )
            self.play(FadeIn(counter), run_time=QUICK)
            self.play(counter.count(), Write(equation), FadeIn(notes), run_time=STEADY)
            counter.target = KIB_PER_TOKEN * (len(self.cache) + 1)
            self.decode_step(beat, newest + 2, extra=[counter.count()])
            self.cache_info = VGroup(counter, equation, notes)

    def copy_into_rows(self):
        with self.beat("samples") as beat:
            prompt_cache = VGroup(*self.cache[: len(PROMPT)])
            later = VGroup(*self.cache[len(PROMPT) :], *self.tokens[len(PROMPT) :])
            prompt_cells = VGroup(*self.tokens[: len(PROMPT)])
            source_at = np.array([-5.15, 0.25, 0])
            label = prose("prompt", size=LABEL_SIZE).move_to(source_at + UP * 0.75)
            self.play(
                FadeOut(
                    VGroup(
                        later,
                        self.band,
                        self.band_label,
                        self.kv_labels,
                        self.cache_title,
                        self.cache_info,
                        self.engine_tag,
                    ),
                    shift=DOWN * 0.3,
                ),
                prompt_cache.animate.scale(0.35).move_to(source_at),
                ReplacementTransform(prompt_cells, label),
                run_time=beat.until("copy"),
            )
            rows_y = [2.2 - 1.3 * r for r in range(len(ROWS))]
            copies = VGroup(*[prompt_cache.copy().move_to([-1.9, y, 0]) for y in rows_y])
            arrows = VGroup(
                *[
                    Arrow(
                        prompt_cache.get_right(),
                        copy.get_left(),
                        buff=0.12,
                        stroke_width=3,
                        color=STRUCTURE,
                        max_tip_length_to_length_ratio=0.15,
                    )
                    for copy in copies
                ]
            )
            self.play(
                LaggedStart(
                    *[
                        AnimationGroup(Create(a), TransformFromCopy(prompt_cache, c))
                        for a, c in zip(arrows, copies, strict=True)
                    ],
                    lag_ratio=0.3,
                ),
                run_time=beat.until("rows"),
            )
            rows = []
            for tokens, copy in zip(ROWS, copies, strict=True):
                row = TokenStrip(tokens, height=0.5)
                row.next_to(copy, RIGHT, buff=0.35)
                rows.append(row)
            steps = len(ROWS[0])
            for step in range(steps):
                self.play(
                    *[FadeIn(row.cells[step], shift=LEFT * 0.2) for row in rows],
                    run_time=beat.until() / (steps - step),
                )
            self.samples = VGroup(label, prompt_cache, copies, arrows)
            self.sample_rows = rows

    def build_chart(self):
        """Rows of (rank, token, bar, percent) for ranks 1-5, 50 and the other 65,486."""
        ranks = [*[str(r) for r in range(1, 6)], "", "50", "51+"]
        tokens = [*CHART_TOKENS, "", RANK_50_TOKEN, "others"]
        chart = VGroup()
        for i, (rank, token) in enumerate(zip(ranks, tokens, strict=True)):
            y = CHART_TOP_Y - i * CHART_PITCH
            tail = rank == "51+"
            if rank == "":
                dots = maths(r"\vdots", size=LABEL_SIZE, color=DIM).move_to([-5.35, y, 0])
                chart.add(VGroup(dots))
                continue
            rank_mob = mono(rank, size=LABEL_SIZE, color=DIM)
            rank_mob.move_to([-5.6, y, 0]).align_to([-5.2, 0, 0], RIGHT)
            token_mob = token_text(token, size=LABEL_SIZE, color=DIM if tail else TOKEN)
            token_mob.move_to([-4.9, y, 0]).align_to([-5.0, 0, 0], LEFT)
            bar = Rectangle(
                width=1e-3,
                height=0.34,
                stroke_width=0,
                fill_color=DIM if tail else TOKEN,
                fill_opacity=0.85,
            ).move_to([BAR_X, y, 0], aligned_edge=LEFT)
            percent = DecimalNumber(
                0, num_decimal_places=1, unit=r"\%", font_size=LABEL_SIZE, color=TEXT
            )
            chart.add(VGroup(rank_mob, token_mob, bar, percent))
        return chart

    def shape_the_distribution(self):
        with self.beat("sampling") as beat:
            temperature, tail_weight, reveal = ValueTracker(1.0), ValueTracker(1.0), ValueTracker(0)
            chart = self.build_chart()
            rows = [r for r in chart if len(r) == 4]
            shown = [0, 1, 2, 3, 4, 49]  # which of the top 50 the rows show

            def update_rows(_mob=None):
                top, tail = probabilities(temperature.get_value(), tail_weight.get_value())
                values = [*[top[i] for i in shown], tail]
                for row, p in zip(rows, values, strict=True):
                    bar, percent = row[2], row[3]
                    length = max(p * BAR_FULL * reveal.get_value(), 1e-3)
                    bar.stretch_to_fit_width(length, about_edge=LEFT)
                    percent.set_value(100 * p * reveal.get_value())
                    percent.next_to(bar, RIGHT, buff=0.15)

            update_rows()
            # the first token of each sampled row is one of the likely candidates
            firsts = [row.cells[0].label for row in self.sample_rows]
            targets = [rows[CHART_TOKENS.index(r[0])][1] for r in ROWS]
            others = VGroup(
                *[row.cells[0].box for row in self.sample_rows],
                *[c for row in self.sample_rows for c in row.cells[1:]],
                self.samples,
            )
            formula = maths(r"p = \mathrm{softmax}(z\,/\,T)", size=LABEL_SIZE * 1.2)
            formula.move_to([-2.4, CHART_HEADER_Y, 0])
            # one score per token of the vocabulary
            vocab_size = f"{VOCAB:,}".replace(",", "{,}")
            vocab = maths(rf"z \in \mathbb{{R}}^{{{vocab_size}}}", size=LABEL_SIZE * 1.1, color=DIM)
            vocab.next_to(formula, DOWN, buff=0.25, aligned_edge=LEFT)
            self.play(
                FadeOut(others, shift=DOWN * 0.3),
                *[ReplacementTransform(a, b) for a, b in zip(firsts, targets, strict=True)],
                run_time=beat.until("logits"),
            )
            rest = VGroup(*[m for row in chart for m in row if m not in targets])
            self.play(FadeIn(rest), Write(formula), FadeIn(vocab), run_time=QUICK)
            self.add(chart)
            chart.add_updater(update_rows)
            self.play(reveal.animate.set_value(1), run_time=beat.until("temp"))
            t_label = maths("T =", size=LABEL_SIZE * 1.2)
            t_value = DecimalNumber(1.0, num_decimal_places=1, font_size=LABEL_SIZE * 1.2)
            t_value.add_updater(lambda m: m.set_value(temperature.get_value()))
            t_readout = VGroup(t_label, t_value)
            t_label.move_to([1.9, CHART_HEADER_Y, 0])
            t_value.add_updater(lambda m: m.next_to(t_label, RIGHT, buff=0.15))
            t_readout.set_color(HIGHLIGHT)
            self.play(FadeIn(t_readout), run_time=QUICK)
            self.play(temperature.animate.set_value(0.5), run_time=beat.until("flat"))
            self.play(temperature.animate.set_value(1.6), run_time=beat.until("topk"))
            cut_y = CHART_TOP_Y - 6.5 * CHART_PITCH
            cut = DashedLine([-6.2, cut_y, 0], [5.0, cut_y, 0], color=MASKED, stroke_width=3)
            k_readout = maths("k = 50", size=LABEL_SIZE * 1.2, color=MASKED)
            k_readout.move_to([4.4, CHART_HEADER_Y, 0])
            self.play(Create(cut), FadeIn(k_readout), run_time=QUICK)
            self.play(
                tail_weight.animate.set_value(0),
                rows[-1][0].animate.set_color(MASKED),
                rows[-1][1].animate.set_color(MASKED),
                run_time=beat.until("defaults"),
            )
            cli = mono("chat_cli.py", size=SMALL_SIZE, color=DIM)
            cli.next_to(VGroup(t_readout, k_readout), DOWN, buff=0.3)
            self.play(FadeIn(cli, shift=DOWN * 0.2), run_time=QUICK)
            self.play(temperature.animate.set_value(0.6), run_time=beat.until())
            self.chart = VGroup(chart, cut)
            self.vocab = vocab
            self.chart_parts = (temperature, rows, formula, t_readout, k_readout, cli)

    def take_the_argmax(self):
        with self.beat("greedy") as beat:
            temperature, rows, formula, t_readout, k_readout, cli = self.chart_parts
            self.play(temperature.animate.set_value(0), run_time=beat.duration * 0.45)
            argmax = maths(r"\arg\max_i\, z_i", size=LABEL_SIZE * 1.2, color=HIGHLIGHT)
            argmax.move_to(formula)
            winner = rows[0]
            self.play(
                ReplacementTransform(formula, argmax),
                FadeOut(self.vocab, shift=DOWN * 0.2),
                winner[1].animate.set_color(HIGHLIGHT),
                winner[2].animate.set_fill(HIGHLIGHT),
                run_time=STEADY,
            )
            self.play(
                Indicate(winner[2], color=HIGHLIGHT, scale_factor=1.05),
                run_time=beat.until(),
            )
            self.chart[0].clear_updaters()
            self.greedy = VGroup(self.chart, argmax, t_readout, k_readout, cli)

    def run_the_calculator(self):
        with self.beat("tool-use") as beat:
            rows_y = [2.35, -0.4, -1.85]
            call = tool_strip(CALL)
            result = tool_strip(RESULT, HIGHLIGHT)  # forced: fed in, never sampled
            ending = tool_strip(ENDING, special_colour=TRAINED)
            for row, y in zip((call, result, ending), rows_y, strict=True):
                row.move_to([0, y, 0]).align_to([-4.6, 0, 0], LEFT)
            names = VGroup(
                *[
                    prose(name, size=SMALL_SIZE, color=colour).move_to([-5.75, y, 0])
                    for name, colour, y in zip(
                        ("sampled", "forced", "sampled"),
                        (TOKEN, HIGHLIGHT, TOKEN),
                        rows_y,
                        strict=True,
                    )
                ]
            )
            state_name = mono("state:", size=SMALL_SIZE, color=DIM).move_to([-5.75, 3.25, 0])

            def state(word: str, colour=HIGHLIGHT):
                return mono(word, size=SMALL_SIZE, color=colour).next_to(state_name, RIGHT, 0.2)

            current = state("sampling", TOKEN)
            self.play(
                FadeOut(self.greedy, shift=DOWN * 0.3),
                FadeIn(VGroup(state_name, current, names[0])),
                run_time=beat.until("start"),
            )
            collecting = state("collecting")
            self.play(
                FadeIn(call.cells[0], shift=LEFT * 0.2),
                ReplacementTransform(current, collecting),
                run_time=QUICK,
            )
            expr = call.cells[1:4]
            collected = Brace(expr, DOWN, buff=0.08, color=HIGHLIGHT)
            self.play(
                LaggedStart(*[FadeIn(c, shift=LEFT * 0.2) for c in expr], lag_ratio=0.5),
                run_time=beat.until("end") * 0.7,
            )
            self.play(FadeIn(collected, shift=UP * 0.1), run_time=beat.until("end"))
            box = Rectangle(width=3.2, height=1.2, stroke_color=STRUCTURE, stroke_width=STROKE)
            box.move_to([2.5, 0.98, 0])
            title = prose("calculator", size=SMALL_SIZE, color=DIM)
            title.move_to(box.get_top() + DOWN * 0.28)
            sum_text = maths(r"{{12/60}} = {{0.2}}", size=LABEL_SIZE * 1.2)
            sum_text.move_to(box.get_center() + DOWN * 0.18)
            calculating = state("calculating")
            self.play(
                FadeIn(call.cells[4], shift=LEFT * 0.2),
                ReplacementTransform(collecting, calculating),
                Create(box),
                FadeIn(title),
                run_time=QUICK,
            )
            self.play(
                TransformFromCopy(VGroup(*[c.label for c in expr]), sum_text[0]),
                run_time=STEADY,
            )
            self.play(Write(sum_text[1:]), run_time=beat.until("forced"))
            forcing = state("forcing")
            self.play(
                ReplacementTransform(calculating, forcing),
                FadeIn(names[1]),
                FadeIn(result.cells[0], shift=LEFT * 0.2),
                run_time=QUICK,
            )
            self.play(
                TransformFromCopy(sum_text[2], VGroup(*[c.label for c in result.cells[1:4]])),
                *[FadeIn(c.box) for c in result.cells[1:4]],
                run_time=STEADY,
            )
            self.remove(*[c.label for c in result.cells[1:4]])
            self.add(result.cells[1:4])
            self.play(FadeIn(result.cells[4], shift=LEFT * 0.2), run_time=beat.until("stop"))
            sampling = state("sampling", TOKEN)
            self.play(
                FadeIn(names[2]),
                LaggedStart(*[FadeIn(c, shift=LEFT * 0.2) for c in ending.cells], lag_ratio=0.3),
                ReplacementTransform(forcing, sampling),
                run_time=STEADY,
            )
            done = state("done", TRAINED)
            self.play(
                Indicate(ending.cells[-1], color=TRAINED, scale_factor=1.05),
                ReplacementTransform(sampling, done),
                run_time=beat.until(),
            )
            self.tool = VGroup(
                call, result, ending, names, state_name, done, box, title, sum_text, collected
            )

    def stream_to_the_user(self):
        with self.beat("interfaces") as beat:
            terminal = Window("chat_cli.py", 6.3, 3.9).move_to([-3.4, -0.4, 0])
            command = mono("$ python -m scripts.chat_cli", size=SMALL_SIZE, color=DIM)
            command.move_to(terminal.inside_top(), aligned_edge=UP + LEFT)
            user_line = mono("User: " + QUESTION, size=SMALL_SIZE)
            user_line.next_to(command, DOWN, buff=0.35, aligned_edge=LEFT)
            who = mono("Assistant:", size=SMALL_SIZE, color=TOKEN)
            who.next_to(user_line, DOWN, buff=0.3, aligned_edge=LEFT)
            reply = mono("".join(ANSWER_TOKENS), size=SMALL_SIZE, color=TOKEN)
            reply.next_to(who, DOWN, buff=0.2, aligned_edge=LEFT)
            reply_stream = Streamed(reply, ANSWER_TOKENS)
            self.play(
                FadeOut(self.tool, shift=DOWN * 0.3),
                FadeIn(terminal, shift=UP * 0.2),
                run_time=beat.until("web") * 0.35,
            )
            self.play(
                LaggedStart(Write(command), Write(user_line), FadeIn(who), lag_ratio=0.4),
                run_time=beat.until("web"),
            )
            self.add(reply_stream)
            browser = Window("ui.html", 6.3, 3.9).move_to([3.4, -0.4, 0])
            server = Labelled()
            server_box = Rectangle(
                width=2.6, height=0.6, stroke_color=STRUCTURE, stroke_width=STROKE
            )
            server_label = mono("chat_web.py", size=SMALL_SIZE)
            server.add(server_box, server_label)
            server.fit_label(server_label, server_box, pad=0.08)
            server.next_to(browser, UP, buff=0.7)
            pipe = Arrow(
                server.get_bottom(),
                browser.get_top(),
                buff=0.05,
                stroke_width=3,
                color=STRUCTURE,
                max_tip_length_to_length_ratio=0.3,
            )
            question = ChatBubble(QUESTION, role="user", width=3.6, size=SMALL_SIZE)
            question.move_to(browser.inside_top(), aligned_edge=UP + LEFT)
            question.align_to(browser.frame.get_right() + LEFT * 0.3, RIGHT)
            answer = ChatBubble(
                "".join(ANSWER_TOKENS), role="assistant", width=3.6, size=SMALL_SIZE
            )
            answer.next_to(question, DOWN, buff=0.35).align_to(browser.inside_top(), LEFT)
            answer_stream = Streamed(answer.label, ANSWER_TOKENS)
            self.play(FadeIn(server, shift=DOWN * 0.2), run_time=QUICK)
            self.play(Create(pipe), FadeIn(browser, shift=UP * 0.2), run_time=STEADY)
            self.play(
                FadeIn(question, shift=LEFT * 0.2),
                Create(answer.box),
                run_time=beat.until("stream"),
            )
            self.add(answer_stream)
            steps = []
            for i in range(len(ANSWER_TOKENS)):
                flash = pipe.copy().set_stroke(TOKEN, width=6)
                steps.append(
                    AnimationGroup(
                        ShowPassingFlash(flash, time_width=0.6),
                        reply_stream.reveal(i),
                        answer_stream.reveal(i),
                    )
                )
            self.play(Succession(*steps), run_time=beat.until())
            self.windows = VGroup(
                terminal,
                command,
                user_line,
                who,
                reply_stream,
                server,
                pipe,
                browser,
                question,
                answer,
            )

    def hand_over(self):
        with self.beat("handover") as beat:
            pipeline = PipelineDiagram(STAGES, optional=["RL"]).scale(0.85).shift(UP * 1.9)
            chat = pipeline.boxes[-1]
            # both windows shrink into the pipeline's last stage: chatting is where it ends
            self.play(
                FadeOut(self.windows, target_position=chat, scale=0.15),
                FadeIn(pipeline, shift=UP * 0.2),
                run_time=STEADY,
            )
            self.play(
                LaggedStart(*[pipeline.settle(i) for i in range(len(STAGES))], lag_ratio=0.3),
                *[label.animate.set_color(TEXT) for label in pipeline.labels],
                run_time=beat.until("report"),
            )
            # every training stage writes its section of the report card (inference does not)
            page = Rectangle(width=3.6, height=3.0, stroke_color=STRUCTURE, stroke_width=STROKE)
            page.move_to(DOWN * 1.2)
            heading = mono("report.md", size=LABEL_SIZE).move_to(page.get_top() + DOWN * 0.4)
            bars = VGroup(
                *[
                    Rectangle(
                        width=w, height=0.2, stroke_width=0, fill_color=TRAINED, fill_opacity=0.7
                    )
                    for w in (2.4, 1.5, 2.0, 0.7, 1.2)
                ]
            ).arrange(DOWN, buff=0.22, aligned_edge=LEFT)
            bars.next_to(heading, DOWN, buff=0.35).align_to(page.get_left() + RIGHT * 0.4, LEFT)
            feeds = VGroup()
            for i, box in enumerate(pipeline.boxes[:-1]):
                start, end = box.get_bottom(), page.get_top() + RIGHT * (i - 2) * 0.6
                length = float(np.linalg.norm(end - start))
                feeds.add(
                    Arrow(
                        start,
                        end,
                        buff=0.1,
                        stroke_width=2.5,
                        color=FAINT,
                        max_tip_length_to_length_ratio=0.18 / length,  # same tip on every arrow
                    )
                )
            self.play(
                Create(page),
                FadeIn(heading, shift=DOWN * 0.2),
                LaggedStart(*[Create(f) for f in feeds], lag_ratio=0.2),
                run_time=beat.until() * 0.55,
            )
            self.play(
                LaggedStart(*[FadeIn(b, shift=RIGHT * 0.3) for b in bars], lag_ratio=0.3),
                run_time=beat.until(),
            )
