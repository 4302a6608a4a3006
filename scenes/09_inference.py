"""Chapter 9: inference: the KV cache, prefill and decode, sampling, tools, a streamed reply.

Narration: script/09-inference.md. Render alone with ``uv run manim -pql scenes/09_inference.py``.

The model (``ModelStack``) stands on the left all chapter; its ``KVCache`` grows beside
its blocks. The work without a cache is a staircase of token passes (step ``s`` re-runs
``P + s`` tokens) that collapses to its first row and its diagonal:

>>> naive_passes(500, 256), cached_passes(500, 256)
(160640, 756)
>>> round(kv_bytes_per_token() / 1024)
100

Sampling uses one probability chart whose bars follow a temperature and a top-k cut
(the scores are made up; the vocabulary is nanochat's 65,536 tokens):

>>> [round(p, 2) for p in next_token_probs(1.0, top_k=True)][:2]
[0.58, 0.11]
>>> round(next_token_probs(0.0, top_k=True)[0], 2)
1.0
"""

from __future__ import annotations

import math

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
    DashedLine,
    DecimalNumber,
    FadeIn,
    FadeOut,
    FadeTransform,
    Indicate,
    Integer,
    LaggedStart,
    Line,
    Rectangle,
    Restore,
    Square,
    Succession,
    SurroundingRectangle,
    ValueTracker,
    VGroup,
    Write,
    config,
)
from mobjects import KVCache, Labelled, TokenCell, TokenStrip, token_text
from style import (
    CONTENT_CENTRE,
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
from transitions import closing, focus, opening, unfocus

from explainer.scene import NarratedScene

# ---- the model and its cache (d20 at 48abd7d)
LAYERS, HEADS, HEAD_DIM, BYTES = 20, 10, 128, 2  # bf16
CONTEXT = 2048
VOCAB = 65_536
PROMPT, REPLY = 500, 256  # the worked example for the cost of generating


def naive_passes(prompt: int, reply: int) -> int:
    """Token positions run through the model when every step re-runs the whole sequence."""
    return sum(prompt + s for s in range(reply))


def cached_passes(prompt: int, reply: int) -> int:
    """With a KV cache: one prefill of the prompt, then one token per step."""
    return prompt + reply


def kv_bytes_per_token() -> int:
    return LAYERS * 2 * HEADS * HEAD_DIM * BYTES


# ---- next-token scores after "The capital of France is" (made up for the picture)
NAMED = [(" Paris", 5.0), (" a", 3.3), (" the", 3.1), (" located", 2.4), (" one", 2.0)]
MIDDLE = [0.8 - 2.3 * i / 44 for i in range(45)]  # ranks 6 to 50
TAIL_SCORE, TAIL_COUNT = -7.6, VOCAB - 50  # the other 65,486 tokens
TEMPERATURES = [(0.0, "evals"), (0.6, "CLI"), (0.8, "web"), (1.0, "RL")]


def next_token_probs(temperature: float, top_k: bool) -> list[float]:
    """Probabilities of the named tokens, then ranks 6-50 together, then the tail together."""
    t = max(temperature, 0.02)  # temperature 0 is the argmax: the limit of a tiny temperature
    top = max(s for _, s in NAMED)
    named = [math.exp((s - top) / t) for _, s in NAMED]
    middle = sum(math.exp((s - top) / t) for s in MIDDLE)
    tail = 0.0 if top_k else TAIL_COUNT * math.exp((TAIL_SCORE - top) / t)
    total = sum(named) + middle + tail
    return [p / total for p in named] + [middle / total, tail / total]


# ---- the reply that streams into the web chat (GSM8K's example, tasks/gsm8k.py:7-12)
QUESTION = "Weng earns $12 an hour.\nHow much for 50 minutes?"  # abridged
# (token, kind): "sampled" by the model, "forced" in by the Engine after the calculator
REPLY_TOKENS = [
    ("Weng", "sampled"),
    (" earns", "sampled"),
    (" 12/60", "sampled"),
    (" =", "sampled"),
    (" $", "sampled"),
    ("<|python_start|>", "sampled"),
    ("12/60", "sampled"),
    ("<|python_end|>", "sampled"),
    ("<|output_start|>", "forced"),
    ("0.2", "forced"),
    ("<|output_end|>", "forced"),
    ("0.2", "sampled"),
    (" a", "sampled"),
    (" minute,", "sampled"),
    (" so", "sampled"),
    (" 0.2", "sampled"),
    (" ×", "sampled"),
    (" 50", "sampled"),
    (" =", "sampled"),
    (" $10.", "sampled"),
    ("\n", "sampled"),
    ("####", "sampled"),
    (" 10", "sampled"),
]
CALL = (5, 6, 7)  # <|python_start|> 12/60 <|python_end|>
FORCED = (8, 9, 10)

MODEL_SCALE = 0.85
MODEL_HOME = (-5.05, CONTENT_CENTRE[1], 0.0)
RIGHT_X = 1.55  # centre of the area right of the model


# --------------------------------------------------------------------------- pictures


class Staircase(VGroup):
    """The work of generating without a cache: row ``s`` is one step, one square per token
    position the model runs (the prompt's ``prompt`` tokens plus ``s`` generated ones).

    ``kept()`` are the squares a KV cache still computes: the first row and the newest
    token of every later row (the diagonal).

    >>> stairs = Staircase(prompt=3, steps=4)
    >>> [len(r) for r in stairs.rows], len(stairs.kept())
    ([3, 4, 5, 6], 6)
    """

    def __init__(self, prompt: int = 6, steps: int = 8, cell: float = 0.4, gap: float = 0.07):
        rows = VGroup()
        for s in range(steps):
            row = VGroup(
                *[
                    Square(cell, stroke_width=THIN, stroke_color=TOKEN).set_fill(TOKEN, 0.45)
                    for _ in range(prompt + s)
                ]
            ).arrange(RIGHT, buff=gap)
            rows.add(row)
        rows.arrange(DOWN, buff=gap, aligned_edge=LEFT)
        super().__init__(rows)
        self.rows, self.prompt = rows, prompt

    def kept(self) -> VGroup:
        return VGroup(*self.rows[0], *[row[-1] for row in self.rows[1:]])

    def recomputed(self) -> VGroup:
        return VGroup(*[sq for row in self.rows[1:] for sq in row[:-1]])


class ChatWindow(Labelled):
    """The web chat: a window with a title bar, the user's message on the right, and a reply
    area where tokens stream in, line by line (``reply(tokens)`` lays them out).
    """

    def __init__(self, width: float = 9.6, height: float = 6.2, title: str = "chat_web.py -i rl"):
        frame = Rectangle(width=width, height=height, stroke_color=STRUCTURE, stroke_width=STROKE)
        bar = Rectangle(width=width, height=0.5, stroke_width=0).set_fill(STRUCTURE, 0.18)
        bar.align_to(frame, UP)
        name = mono(title, size=SMALL_SIZE, color=DIM).move_to(bar)
        text = mono(QUESTION, size=SMALL_SIZE)
        bubble = Rectangle(
            width=text.width + 0.45,
            height=text.height + 0.35,
            stroke_color=DIM,
            stroke_width=STROKE,
        )
        bubble.next_to(bar, DOWN, buff=0.3).align_to(frame, RIGHT).shift(LEFT * 0.3)
        super().__init__(frame, bar, name, bubble, text)
        self.fit_label(text, bubble)
        self.labelled.append((name, bar))
        self.frame, self.bar, self.name, self.bubble, self.text = frame, bar, name, bubble, text

    def reply_origin(self):
        return self.bubble.get_bottom()[1] - 0.45, self.frame.get_left()[0] + 0.35

    def reply(self, tokens, colours, size: float = SMALL_SIZE) -> VGroup:
        """Each token as its own group of glyphs, wrapped into lines inside the window.

        A line is one monospace text (so glyphs share a baseline); its glyphs are split back
        into tokens. Whitespace-only tokens (a newline) get an empty group.
        """
        width = self.frame.width - 0.7
        char = mono("0" * 10, size=size).width / 10
        per_line = int(width / char)
        lines, line = [], []
        used = 0
        for index, token in enumerate(tokens):
            if token == "\n":
                lines.append(line)
                line, used = [(index, token)], 0
                continue
            if used + len(token) > per_line and line:
                lines.append(line)
                line, used = [], 0
                token = token.lstrip()
            line.append((index, token))
            used += len(token)
        lines.append(line)
        groups = [VGroup() for _ in tokens]
        top, left = self.reply_origin()
        rows = VGroup()
        for number, line in enumerate(lines):
            text = "".join(t for _, t in line if t != "\n")
            if not text.strip():
                continue
            shown = mono(text, size=size)
            shown.move_to([0, top - number * 0.5, 0]).align_to([left, 0, 0], LEFT)
            at = 0
            for index, token in line:
                count = len("".join(token.split()))
                glyphs = shown.submobjects[at : at + count]
                at += count
                groups[index].add(*glyphs)
                for glyph in glyphs:
                    glyph.set_color(colours[index])
            rows.add(shown)
        self.reply_rows = rows
        return VGroup(*groups)


def bar_chart(labels, groups: int = 2, pitch: float = 0.58) -> VGroup:
    """Horizontal probability bars: a label, a bar and a percentage per row (``rows[i]``).

    Bars start at x = 0; the last ``groups`` rows stand for many tokens and are labelled
    in words, the others are single tokens, spaces shown as tokenizers show them.
    """
    rows = VGroup()
    for i, text in enumerate(labels):
        if i < len(labels) - groups:
            label = token_text(text, size=SMALL_SIZE, show_spaces=True)
        else:
            label = mono(text, size=SMALL_SIZE, color=DIM)
        label.move_to([0, -i * pitch, 0]).align_to([-0.25, 0, 0], RIGHT)
        bar = Rectangle(width=1e-3, height=0.36, stroke_width=0).set_fill(TOKEN, 0.85)
        bar.move_to([0, -i * pitch, 0]).align_to([0, 0, 0], LEFT)
        percent = DecimalNumber(0, num_decimal_places=1, font_size=SMALL_SIZE, color=DIM)
        unit = maths(r"\%", size=SMALL_SIZE, color=DIM)
        rows.add(VGroup(label, bar, percent, unit))
    return rows


# --------------------------------------------------------------------------- the scene


class Inference(NarratedScene):
    def construct(self):
        setup_canvas()
        bar, model = opening(self, 9)
        strip = self.generate_one_token_at_a_time(bar, model)
        cache = self.collapse_the_staircase(model, strip)
        self.attend_with_one_query(cache)
        cache = self.weigh_the_cache(model, cache)
        deck = self.prefill_then_decode(model, cache)
        chart = self.choose_the_next_token(model, deck)
        window = self.run_the_calculator(model, chart)
        self.stream_the_reply(model, window)
        self.hand_over(model)

    # ------------------------------------------------------------------ hook

    def generate_one_token_at_a_time(self, bar, model):
        """Run the model, pick a token, append it, run again."""
        with self.beat("hook") as beat:
            words = ["<|assistant_start|>", "Weng", " earns", " 12/60"]
            strip = TokenStrip([words[0]], size=LABEL_SIZE)
            strip.move_to([RIGHT_X, 0.2, 0]).align_to([-2.6, 0, 0], LEFT)
            question = mono(QUESTION, size=SMALL_SIZE, color=DIM)
            question.next_to(strip, UP, buff=0.3).align_to(strip, LEFT)
            self.play(
                bar.enter(9),
                model.animate.scale(MODEL_SCALE).move_to(MODEL_HOME),
                FadeIn(question),
                FadeIn(strip, shift=RIGHT * 0.2),
                run_time=beat.until("loop"),
            )
            cells = list(strip.cells)
            for word in words[1:]:
                feed = Arrow(
                    strip.get_left() + LEFT * 0.1,
                    model.bottom_port(),
                    buff=0.1,
                    color=FAINT,
                    stroke_width=3,
                )
                cell = TokenCell(word, TOKEN, size=LABEL_SIZE)
                cell.move_to(model.top_port())
                target = cell.copy().next_to(cells[-1], RIGHT, buff=0.08)
                self.play(
                    Create(feed), model.pulse(lag=0.04), run_time=beat.until() / 6 + QUICK * 0.5
                )
                self.play(
                    FadeIn(cell, scale=0.5),
                    FadeOut(feed),
                    run_time=QUICK * 0.6,
                )
                self.play(cell.animate.move_to(target), run_time=QUICK)
                cells.append(cell)
            self.play(
                Indicate(VGroup(*cells), color=HIGHLIGHT, scale_factor=1.03),
                run_time=beat.until(),
            )
        return VGroup(question, *cells)

    # ------------------------------------------------------------------ naive

    def collapse_the_staircase(self, model, strip):
        """Without a cache every step re-runs everything; with one, only the newest token."""
        with self.beat("naive") as beat:
            stairs = Staircase()
            stairs.move_to([RIGHT_X + 0.2, 0.6, 0])
            step_label = prose("one row per step", size=SMALL_SIZE, color=DIM)
            step_label.next_to(stairs, UP, buff=0.25).align_to(stairs, LEFT)
            total = Integer(0, font_size=LABEL_SIZE * 1.5, color=TEXT, group_with_commas=True)
            unit = prose("token passes", size=LABEL_SIZE, color=DIM)
            sums = maths(r"500 + 501 + \dots + 755 =", size=LABEL_SIZE * 1.2, color=DIM)

            def lay(_m):
                sums.move_to([RIGHT_X, -2.75, 0])
                total.next_to(sums, RIGHT, buff=0.2)
                unit.next_to(total, RIGHT, buff=0.2, aligned_edge=DOWN)
                counter_x = VGroup(sums, total, unit).get_center()[0]
                for part in (sums, total, unit):
                    part.shift(RIGHT * (RIGHT_X - counter_x))

            passes = ValueTracker(0)

            def count(_m):
                total.set_value(round(passes.get_value()))
                lay(_m)

            count(None)
            total.add_updater(count)
            self.play(FadeOut(strip, shift=UP * 0.3), run_time=QUICK)
            self.play(
                FadeIn(step_label),
                LaggedStart(
                    *[
                        AnimationGroup(
                            LaggedStart(*[FadeIn(sq, scale=0.6) for sq in row], lag_ratio=0.05),
                            model.pulse(lag=0.02),
                        )
                        for row in stairs.rows
                    ],
                    lag_ratio=0.35,
                ),
                run_time=beat.until("cost"),
            )
            self.play(FadeIn(sums), FadeIn(unit), FadeIn(total), run_time=QUICK)
            self.play(
                passes.animate.set_value(naive_passes(PROMPT, REPLY)),
                run_time=beat.until("back"),
            )
            # nothing looks forward: each step recomputes, unchanged, what the last one did
            self.play(
                LaggedStart(
                    *[
                        Indicate(VGroup(*row[:-1]), color=KEY, scale_factor=1.04)
                        for row in stairs.rows[1:]
                    ],
                    lag_ratio=0.3,
                ),
                run_time=beat.until("cache"),
            )
            # with a cache: only the first row and the newest token of each step are computed
            self.play(
                stairs.recomputed().animate.set_fill(opacity=0.04).set_stroke(opacity=0.25),
                FadeOut(sums),
                run_time=beat.until("diag"),
            )
            new_sums = maths(r"500 + 256 =", size=LABEL_SIZE * 1.2, color=DIM)

            def lay_new(_m):
                new_sums.move_to([RIGHT_X, -2.75, 0])
                total.next_to(new_sums, RIGHT, buff=0.2)
                unit.next_to(total, RIGHT, buff=0.2, aligned_edge=DOWN)
                counter_x = VGroup(new_sums, total, unit).get_center()[0]
                for part in (new_sums, total, unit):
                    part.shift(RIGHT * (RIGHT_X - counter_x))

            def count_new(_m):
                total.set_value(round(passes.get_value()))
                lay_new(_m)

            total.clear_updaters()
            total.add_updater(count_new)
            self.play(
                FadeIn(new_sums),
                passes.animate.set_value(cached_passes(PROMPT, REPLY)),
                LaggedStart(
                    *[Indicate(sq, color=HIGHLIGHT, scale_factor=1.2) for sq in stairs.kept()],
                    lag_ratio=0.1,
                ),
                run_time=STEADY * 1.5,
            )
            # the kept work lands in the cache, one column per token, beside the blocks
            cache = KVCache(model)
            kept = stairs.kept()
            cache.grow(len(kept))
            self.play(
                FadeOut(VGroup(stairs.recomputed(), step_label)),
                *[FadeTransform(sq, col) for sq, col in zip(kept, cache.columns, strict=True)],
                run_time=beat.until(),
            )
            self.remove(*cache.columns)
            self.add(cache)
            total.clear_updaters()
            self.play(FadeOut(VGroup(new_sums, total, unit)), run_time=QUICK)
        return cache

    # ------------------------------------------------------------------ keys

    def attend_with_one_query(self, cache):
        """The newest query reads every cached key and value, then is dropped."""
        with self.beat("keys") as beat:
            layer = 10
            row = VGroup(*[column[layer] for column in cache.columns])
            frame = VGroup(row.copy(), row[-1].copy().shift(RIGHT * 1.2))
            self.play(focus(self, frame, margin=1.35), run_time=beat.until("query"))
            zoom = self.camera.frame.width / config.frame_width
            query = Square(cache.cell * 1.1, stroke_width=0).set_fill(QUERY, 0.9)
            query.next_to(row[-1], RIGHT, buff=0.5)
            q_name = mono("query", size=SMALL_SIZE, color=QUERY).scale(zoom)
            q_name.next_to(query, UP, buff=0.12 * zoom * 3)
            kv_name = VGroup(
                mono("keys", size=SMALL_SIZE, color=KEY).scale(zoom),
                mono("values", size=SMALL_SIZE, color=VALUE).scale(zoom),
            )
            kv_name[0].next_to(row, UP, buff=0.3 * zoom * 3).align_to(row, LEFT)
            kv_name[1].next_to(row, DOWN, buff=0.3 * zoom * 3).align_to(row, LEFT)
            links = VGroup(
                *[
                    Line(
                        query.get_left(),
                        cell[0].get_top(),
                        stroke_width=1.5,
                        color=QUERY,
                    ).set_stroke(opacity=0.7)
                    for cell in row
                ]
            )
            # one layer's row stands out; the other layers dim so its labels read clearly
            others = VGroup(
                *[cell for column in cache.columns for i, cell in enumerate(column) if i != layer]
            )
            others.save_state()
            self.play(
                others.animate.set_opacity(0.18),
                FadeIn(query, scale=0.5),
                FadeIn(q_name),
                FadeIn(kv_name),
                run_time=QUICK,
            )
            self.play(
                LaggedStart(*[Create(link) for link in links], lag_ratio=0.08),
                LaggedStart(*[Indicate(cell[0], color=KEY) for cell in row], lag_ratio=0.08),
                run_time=beat.span("query", "old") * 0.5,
            )
            self.play(
                LaggedStart(*[Indicate(cell[1], color=VALUE) for cell in row], lag_ratio=0.08),
                run_time=beat.until("old"),
            )
            # the query is spent: it goes; the next token brings its own
            self.play(
                FadeOut(VGroup(query, links), shift=DOWN * 0.3 * zoom * 3),
                run_time=QUICK,
            )
            grow = cache.grow(1)
            new_query = query.copy().next_to(cache.columns[-1][layer], RIGHT, buff=0.5)
            self.play(
                grow,
                FadeIn(new_query, scale=0.5),
                q_name.animate.next_to(new_query, UP, buff=0.12 * zoom * 3),
                run_time=beat.until(),
            )
            self.play(
                unfocus(self),
                Restore(others),
                FadeOut(VGroup(new_query, q_name, kv_name)),
                run_time=QUICK * 2,
            )

    # ------------------------------------------------------------------ size

    def weigh_the_cache(self, model, cache):
        """100 KiB per token; a full context of 2,048 tokens: 200 MiB."""
        with self.beat("size") as beat:
            per_token = maths(
                r"20 \times 2 \times 10 \times 128 \times 2\,\text{B} = 100\,\text{KiB}",
                size=LABEL_SIZE * 1.1,
            )
            per_token.move_to([RIGHT_X, -2.35, 0])
            self.play(cache.grow(4), model.pulse(lag=0.03), run_time=beat.until("kib") * 0.5)
            layers = Brace(cache.columns, RIGHT, color=DIM)
            layers_name = prose("20 layers", size=SMALL_SIZE, color=DIM)
            layers_name.next_to(layers, RIGHT, buff=0.15)
            self.play(FadeIn(layers), FadeIn(layers_name), run_time=beat.until("kib"))
            self.play(Write(per_token), run_time=beat.until("full") * 0.6)
            self.play(
                LaggedStart(
                    *[Indicate(c, color=HIGHLIGHT, scale_factor=1.05) for c in cache.columns[-5:]],
                    lag_ratio=0.15,
                ),
                run_time=beat.until("full"),
            )
            tokens = ValueTracker(len(cache.columns))
            count = Integer(len(cache.columns), font_size=LABEL_SIZE * 1.3)
            mib = DecimalNumber(0, num_decimal_places=1, font_size=LABEL_SIZE * 1.3, color=VALUE)
            words = VGroup(
                count,
                maths(r"\text{tokens}", size=LABEL_SIZE, color=DIM),
                maths(r"\rightarrow", size=LABEL_SIZE * 1.3),
                mib,
                maths(r"\text{MiB per reply}", size=LABEL_SIZE, color=DIM),
            )

            def lay(group):
                count.set_value(round(tokens.get_value()))
                mib.set_value(round(tokens.get_value()) * 100 / 1024)
                group.arrange(RIGHT, buff=0.2).move_to([RIGHT_X, -3.15, 0])

            lay(words)
            words.add_updater(lay)
            self.play(FadeIn(words), run_time=QUICK)
            self.play(
                tokens.animate.set_value(CONTEXT),
                cache.columns.animate.set_opacity(0.95),
                run_time=beat.until(),
            )
            words.clear_updaters()
            self.play(FadeOut(VGroup(per_token, layers, layers_name, words)), run_time=QUICK)
        return cache

    # ------------------------------------------------------------------ batch

    def prefill_then_decode(self, model, cache):
        """Prefill the prompt in one pass; decode one token a step; copy the cache into rows."""
        with self.beat("batch") as beat:
            self.play(FadeOut(cache.columns, shift=RIGHT * 0.3), run_time=QUICK)
            cache = KVCache(model)
            prompt = TokenStrip(["<|bos|>", "question", "<|assistant_start|>"], size=SMALL_SIZE)
            prompt.move_to([RIGHT_X, -3.15, 0])
            phase = prose("prefill: whole prompt, one pass", size=SMALL_SIZE, color=HIGHLIGHT)
            phase.move_to([RIGHT_X, 2.55, 0])
            self.play(FadeIn(prompt, shift=UP * 0.2), FadeIn(phase), run_time=QUICK)
            self.play(model.pulse(lag=0.03), cache.grow(8, lag=0.0), run_time=beat.until("decode"))
            decode = prose("decode: one token per step", size=SMALL_SIZE, color=HIGHLIGHT)
            decode.move_to(phase)
            self.play(FadeTransform(phase, decode), run_time=QUICK)
            for _ in range(3):
                self.play(model.pulse(lag=0.02), cache.grow(1), run_time=beat.until("rows") / 3)
            # several replies: copy the prompt's cache into each row, then decode them together
            rows = VGroup()
            for k in range(1, 8):
                prompt_cache = cache.columns[:8]
                layer = Rectangle(width=prompt_cache.width, height=prompt_cache.height)
                layer.set_stroke(KEY, THIN, opacity=0.7).set_fill(VALUE, 0.12)
                layer.move_to(prompt_cache).shift(RIGHT * 0.09 * k + UP * 0.07 * k)
                layer.set_z_index(-k)
                rows.add(layer)
            eight = prose("8 rows share one prefill", size=SMALL_SIZE, color=HIGHLIGHT)
            eight.move_to(phase)
            self.play(FadeOut(cache.columns[8:]), FadeTransform(decode, eight), run_time=QUICK)
            self.play(
                LaggedStart(
                    *[FadeIn(r, shift=RIGHT * 0.1 + UP * 0.1) for r in rows], lag_ratio=0.15
                ),
                run_time=beat.until("rl"),
            )
            rl = maths(
                r"\text{RL: } 16 \text{ answers} = 2 \times 8 \text{ rows}", size=LABEL_SIZE * 1.1
            )
            rl.next_to(eight, DOWN, buff=0.3)
            self.play(
                Write(rl), Indicate(rows, color=HIGHLIGHT, scale_factor=1.02), run_time=beat.until()
            )
            deck = VGroup(cache, rows, prompt, eight, rl)
        return deck

    # ------------------------------------------------------------------ sampling

    def choose_the_next_token(self, model, deck):
        """Scores to probabilities; temperature sharpens or flattens; top-k cuts the tail."""
        with self.beat("sampling") as beat:
            self.play(FadeOut(deck, shift=RIGHT * 0.3), run_time=QUICK)
            labels = [t for t, _ in NAMED] + ["ranks 6-50", "ranks 51-65,536"]
            chart = bar_chart(labels)
            chart.shift(RIGHT * 0.4 + UP * (1.9 - chart[0].get_y()))
            context = mono("The capital of France is ...", size=SMALL_SIZE, color=DIM)
            context.next_to(chart, UP, buff=0.4).align_to(chart, LEFT)
            temperature = ValueTracker(1.0)
            cut = ValueTracker(0.0)  # 0: no top-k, 1: top-k 50
            reveal = ValueTracker(0.0)
            scale = 5.0
            zero_x = chart[0][1].get_left()[0]

            def update(rows):
                probs = next_token_probs(temperature.get_value(), top_k=False)
                cut_probs = next_token_probs(temperature.get_value(), top_k=True)
                c = cut.get_value()
                for row, p, q in zip(rows, probs, cut_probs, strict=True):
                    value = ((1 - c) * p + c * q) * reveal.get_value()
                    label, bar, percent, unit = row
                    bar.stretch_to_fit_width(max(value * scale, 1e-3))
                    bar.align_to([zero_x, 0, 0], LEFT)
                    percent.set_value(100 * value)
                    percent.next_to(bar, RIGHT, buff=0.15)
                    unit.next_to(percent, RIGHT, buff=0.05)

            update(chart)
            formula = maths(r"p = \mathrm{softmax}(z / T)", size=LABEL_SIZE * 1.2)
            formula.move_to([-1.9, -2.75, 0])
            self.play(
                FadeIn(context),
                LaggedStart(*[FadeIn(r[0]) for r in chart], lag_ratio=LAG),
                run_time=QUICK * 2,
            )
            chart.add_updater(update)
            self.add(chart)
            self.play(reveal.animate.set_value(1.0), Write(formula), run_time=beat.until("temp"))
            # the temperature dial: where each user of the Engine sets it
            slider = Line(LEFT * 2.6, RIGHT * 2.6, color=STRUCTURE, stroke_width=3)
            slider.move_to([3.5, -2.75, 0])

            def t_x(t):
                return slider.get_left()[0] + slider.width * t / 1.6

            ticks = VGroup()
            for t, _who in TEMPERATURES:
                tick = Line(UP * 0.12, DOWN * 0.12, color=DIM, stroke_width=2).move_to(
                    [t_x(t), slider.get_y(), 0]
                )
                ticks.add(tick)
            knob = (
                Square(0.22, stroke_width=0)
                .set_fill(HIGHLIGHT, 1)
                .move_to([t_x(1.0), slider.get_y(), 0])
            )
            knob.add_updater(lambda m: m.move_to([t_x(temperature.get_value()), slider.get_y(), 0]))
            t_value = DecimalNumber(
                1.0, num_decimal_places=1, font_size=LABEL_SIZE, color=HIGHLIGHT
            )
            t_name = maths("T =", size=LABEL_SIZE, color=HIGHLIGHT)

            def lay_t(_m):
                t_value.set_value(temperature.get_value())
                t_name.next_to(knob, UP, buff=0.15).shift(LEFT * 0.35)
                t_value.next_to(t_name, RIGHT, buff=0.1)

            who = VGroup(
                *[
                    prose(name, size=SMALL_SIZE, color=DIM).next_to(tick, DOWN, buff=0.12)
                    for (t, name), tick in zip(TEMPERATURES, ticks, strict=True)
                ]
            )
            lay_t(None)
            t_value.add_updater(lay_t)
            self.play(
                Create(slider),
                FadeIn(ticks),
                FadeIn(knob),
                FadeIn(t_name),
                FadeIn(t_value),
                run_time=beat.until("low"),
            )
            self.play(temperature.animate.set_value(0.6), run_time=beat.until("high"))
            self.play(temperature.animate.set_value(1.5), run_time=beat.until("who"))
            # who uses which temperature
            self.play(
                LaggedStart(*[FadeIn(w, shift=UP * 0.1) for w in who], lag_ratio=0.2),
                temperature.animate.set_value(1.0),
                run_time=beat.until("topk"),
            )
            # top-k: everything below rank 50 is cut
            line = DashedLine(LEFT * 3.6, RIGHT * 3.6, color=MASKED, stroke_width=3)
            line.move_to([0, (chart[5].get_y() + chart[6].get_y()) / 2, 0]).align_to(
                [chart[0][0].get_left()[0], 0, 0], LEFT
            )
            k_name = maths("k = 50", size=LABEL_SIZE, color=MASKED)
            k_name.next_to(line.get_right(), UP + LEFT, buff=0.08)
            self.play(Create(line), FadeIn(k_name), run_time=QUICK)
            self.play(
                cut.animate.set_value(1.0),
                temperature.animate.set_value(1.0),
                chart[6][0].animate.set_color(MASKED),
                run_time=beat.until("greedy"),
            )
            self.play(
                temperature.animate.set_value(0.0), Indicate(who[0]), run_time=beat.until() * 0.6
            )
            top = SurroundingRectangle(chart[0], color=HIGHLIGHT, buff=0.08)
            self.play(Create(top), run_time=beat.until())
            chart.clear_updaters()
            knob.clear_updaters()
            t_value.clear_updaters()
        return VGroup(
            chart, context, formula, slider, ticks, knob, t_name, t_value, line, k_name, who, top
        )

    # ------------------------------------------------------------------ tool use

    def run_the_calculator(self, model, chart):
        """The Engine's tool state machine: collect, evaluate, force the result in (mask 0)."""
        with self.beat("tool-use") as beat:
            self.play(FadeOut(chart, shift=DOWN * 0.3), run_time=QUICK)
            window = ChatWindow().move_to([RIGHT_X, CONTENT_CENTRE[1] + 0.05, 0])
            tokens = [t for t, _ in REPLY_TOKENS]
            colours = [TOKEN if k == "sampled" else MASKED for _, k in REPLY_TOKENS]
            reply = window.reply(tokens, colours)
            state_name = mono("Engine:", size=SMALL_SIZE, color=DIM)
            state_name.move_to(window.frame.get_corner(DOWN + LEFT) + RIGHT * 1.0 + UP * 0.4)

            def state(word, colour=HIGHLIGHT):
                return mono(word, size=SMALL_SIZE, color=colour).next_to(
                    state_name, RIGHT, buff=0.2
                )

            current = state("sampling", TOKEN)
            self.play(FadeIn(window), FadeIn(state_name), FadeIn(current), run_time=QUICK)
            self.play(
                LaggedStart(*[FadeIn(reply[i]) for i in range(CALL[0])], lag_ratio=0.6),
                model.pulse(lag=0.03),
                run_time=beat.until("start"),
            )
            nxt = state("collecting")
            self.play(FadeIn(reply[CALL[0]]), FadeTransform(current, nxt), run_time=QUICK)
            current = nxt
            collected = SurroundingRectangle(reply[CALL[1]], color=HIGHLIGHT, buff=0.06)
            self.play(FadeIn(reply[CALL[1]]), Create(collected), run_time=beat.until("end"))
            nxt = state("calculating")
            calc = maths(r"12/60 = 0.2", size=LABEL_SIZE, color=TEXT)
            calc_box = SurroundingRectangle(calc, color=STRUCTURE, buff=0.2)
            calculator = VGroup(calc_box, calc).next_to(state_name, RIGHT, buff=3.0)
            self.play(FadeIn(reply[CALL[2]]), FadeTransform(current, nxt), run_time=QUICK)
            current = nxt
            self.play(Create(calc_box), Write(calc), run_time=beat.until("forced"))
            nxt = state("forcing", MASKED)
            self.play(
                FadeTransform(current, nxt),
                LaggedStart(*[FadeIn(reply[i], shift=UP * 0.1) for i in FORCED], lag_ratio=0.4),
                run_time=beat.until("mask"),
            )
            current = nxt
            mask = mono("mask 0", size=SMALL_SIZE, color=MASKED)
            forced = VGroup(*[reply[i] for i in FORCED])
            mask.next_to(forced, DOWN, buff=0.25).align_to(forced, LEFT)
            self.play(
                Circumscribe(forced, color=MASKED),
                FadeIn(mask, shift=UP * 0.1),
                run_time=beat.until(),
            )
        return window, reply, state_name, current, VGroup(collected, calculator, mask)

    # ------------------------------------------------------------------ stream

    def stream_the_reply(self, model, parts):
        """The rest of the reply streams in, token by token, until <|assistant_end|>."""
        window, reply, state_name, current, extras = parts
        with self.beat("stream") as beat:
            nxt = mono("sampling", size=SMALL_SIZE, color=TOKEN).move_to(current, aligned_edge=LEFT)
            self.play(FadeOut(extras), FadeTransform(current, nxt), run_time=QUICK)
            current = nxt
            rest = [i for i in range(FORCED[-1] + 1, len(REPLY_TOKENS)) if len(reply[i])]
            self.play(
                Succession(*[FadeIn(reply[i], run_time=0.2) for i in rest]),
                model.pulse(lag=0.02),
                run_time=beat.until("done"),
            )
            done = mono("done: <|assistant_end|>", size=SMALL_SIZE, color=TRAINED)
            done.move_to(current, aligned_edge=LEFT)
            self.play(FadeTransform(current, done), run_time=beat.until())

    # ------------------------------------------------------------------ handover

    def hand_over(self, model):
        with self.beat("handover") as beat:
            self.play(closing(self, model, "rl"), run_time=beat.until("report"))
            self.play(model.pulse(), run_time=beat.until())
