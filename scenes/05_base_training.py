"""Chapter 5: base pretraining. The model trains: it starts empty (chapters 1-4) and
ends as the base model, its blocks filling as the story of one training run unfolds.

Beats: the objective (one row, every next token at once, loss 11.09 at step zero), the
packing (one buffer of 32 rows plus one token), the GPUs (11.2B tokens in 21,400 steps of
8 x 32 x 2,048 = 524,288; reduce-scatter, update a share,
all-gather; gradient accumulation on one GPU), Muon (a lopsided gradient's singular
values squeezed into a band), the schedule (flat, then down to zero) and what is
watched while it trains (bits per byte, CORE, a sample).

The numbers on screen are computed here. Muon's worked example, singular values 8 and 1
through nanochat's normalise-then-five-quintic-steps:

>>> [round(float(s), 2) for s in newton_schulz_values((8, 1))[1]]
[0.99, 0.12]
>>> [round(float(s), 2) for s in newton_schulz_values((8, 1))[-1]]
[0.71, 0.69]
>>> round(LOSS_AT_START, 2), 560_988_160 * 20 // TOKENS_PER_STEP
(11.09, 21400)

Narration: script/05-base-training.md. Render alone with
``uv run manim -pql scenes/05_base_training.py``.
"""

from __future__ import annotations

import math

import numpy as np
from manim import (
    DOWN,
    LEFT,
    ORIGIN,
    RIGHT,
    UP,
    AddTextLetterByLetter,
    Annulus,
    Arrow,
    Axes,
    Brace,
    ChangeDecimalToValue,
    Create,
    CurvedArrow,
    DashedVMobject,
    DecimalNumber,
    Dot,
    Ellipse,
    FadeIn,
    FadeOut,
    FadeTransform,
    GrowArrow,
    GrowFromCenter,
    GrowFromEdge,
    Indicate,
    Integer,
    LaggedStart,
    Line,
    MathTex,
    Rectangle,
    ReplacementTransform,
    Square,
    SurroundingRectangle,
    Transform,
    TransformFromCopy,
    ValueTracker,
    VGroup,
    VMobject,
    Write,
    always_redraw,
    interpolate_color,
    linear,
    there_and_back,
)
from mobjects import MODEL_LOOKS, Counter, ModelStack, TokenCell, TokenStrip
from style import (
    CONTENT_BOTTOM,
    CONTENT_CENTRE,
    CONTENT_TOP,
    DIM,
    FAINT,
    HIGHLIGHT,
    LABEL_SIZE,
    LAG,
    LOSS,
    OPTIMIZER,
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
from transitions import closing, opening

from explainer.scene import NarratedScene

# ---------------------------------------------------------------- facts (48abd7d)
VOCAB = 65_536  # tokenizer vocabulary, 2**16
LOSS_AT_START = math.log(VOCAB)  # every token equally likely: ln 65,536 nats
GPUS, ROWS_PER_GPU, ROW = 8, 32, 2_048  # speedrun.sh:86, base_train.py:45, :39
TOKENS_PER_STEP = GPUS * ROWS_PER_GPU * ROW  # 524,288 (base_train.py:46)
PARAMS = 560_988_160  # d20 (base_train.py:134)
STEPS = PARAMS * 20 // TOKENS_PER_STEP  # 21,400 (base_train.py:149-150)
WARMDOWN_START = STEPS - round(0.2 * STEPS)  # 17,120 (base_train.py:53, 186)
EVAL_EVERY, CORE_EVERY = 250, 2_000  # base_train.py:57, 59
CORE_LAUNCH = 0.2219  # full base_eval CORE, launch run (README.md:53)
NS_COEFFS = (3.4445, -4.7750, 2.0315)  # muon.py:21
NS_STEPS = 5

# ---------------------------------------------------------------- the chapter's examples
SENTENCE = ["<|bos|>", "The", "sun", "is", "a", "star", "made", "of", "hot", "gas"]
FOCUS = 4  # the position scored in the loss example: after "a" comes "star"
DOC_LENGTHS = [10, 22, 14, 21, 14]  # tokens per document, <|bos|> included: 4 x 20 + 1
GRID_ROWS, GRID_COLS = 4, 20  # the drawn buffer: 4 rows stand for 32, 20 cells for 2,048
PROMPT = "The capital of France is"  # base_train.py:259
EXAMPLE_REPLY = " Paris, the largest city in France."  # an example, shown as one
GRADIENT = (8.0, 1.0)  # the worked Muon example: a 2-D gradient's singular values
GRADIENT_ANGLE = 25 * math.pi / 180  # its long axis, tilted (Newton-Schulz keeps it)


def newton_schulz_values(sigmas) -> list[np.ndarray]:
    """Singular values through Muon's orthogonalisation: as given, divided by the
    Frobenius norm (muon.py:27), then after each of the five quintic steps (muon.py:29-32).

    On singular values the matrix iteration X <- aX + b(XX^T)X + c(XX^T)^2 X is the
    polynomial s -> a s + b s^3 + c s^5, applied to each one.
    """
    a, b, c = NS_COEFFS
    s = np.asarray(sigmas, dtype=float)
    values = [s, s / np.linalg.norm(s)]
    for _ in range(NS_STEPS):
        x = values[-1]
        values.append(a * x + b * x**3 + c * x**5)
    return values


def valley_path(updates: int = 64, seed: int = 7) -> list[tuple[float, float]]:
    """(step, x) of a ball in the valley f(x) = x^2 under noisy gradient steps whose size
    follows nanochat's schedule: full until step 17,120, then linearly to zero.

    >>> path = valley_path()
    >>> abs(path[-1][1]) < 0.1 < max(abs(x) for _, x in path[:50])
    True
    """
    rng = np.random.default_rng(seed)
    x, out = 2.6, [(0.0, 2.6)]
    for step in np.linspace(0, STEPS, updates + 1)[1:]:
        x -= lr_multiplier(step) * (1.75 * x + rng.standard_normal())
        x = float(np.clip(x, -3.3, 3.3))
        out.append((float(step), x))
    return out


def lr_multiplier(step: float) -> float:
    """nanochat's schedule (base_train.py:181-190): no warmup, flat, then linear to zero.

    >>> lr_multiplier(0), lr_multiplier(WARMDOWN_START), lr_multiplier(STEPS)
    (1.0, 1.0, 0.0)
    """
    if step <= WARMDOWN_START:
        return 1.0
    return (STEPS - step) / (STEPS - WARMDOWN_START)


def bits_per_byte_shape(step: float) -> float:
    """A falling curve for the picture only (its axis has no numbers): no values claimed."""
    late = 0.08 * max(0.0, (step - WARMDOWN_START) / (STEPS - WARMDOWN_START))
    return 0.18 + 0.7 * math.exp(-step / 1500) + 0.22 * math.exp(-step / 9000) - late


# ---------------------------------------------------------------- the model as it trains


def look(fraction: float) -> tuple:
    """The model's look after ``fraction`` of pretraining: from untrained to "base"."""
    colour, start, start_edge = MODEL_LOOKS[None]
    _, end, end_edge = MODEL_LOOKS["base"]
    return (
        colour,
        start + (end - start) * fraction,
        interpolate_color(start_edge, end_edge, fraction),
    )


def train_to(model: ModelStack, fraction: float, blocks=None, lag: float = 0.03):
    """The animation that fills ``model``'s blocks to ``fraction`` of pretraining."""
    colour, opacity, edge = look(fraction)
    chosen = model.blocks if blocks is None else blocks
    return LaggedStart(
        *[b.animate.set_fill(colour, opacity).set_stroke(edge) for b in chosen], lag_ratio=lag
    )


def paint(model: ModelStack, fraction: float) -> ModelStack:
    colour, opacity, edge = look(fraction)
    for block in model.blocks:
        block.set_fill(colour, opacity).set_stroke(edge, width=THIN)
    return model


def resized(model: ModelStack, height: float, at, label: bool = False) -> ModelStack:
    """A copy of ``model`` at ``height`` (its blocks and ports), placed at ``at``; its
    "d20" label hidden unless ``label`` (scaled down, it would be too small to read)."""
    target = model.copy()
    target.scale(height / VGroup(target.stream, target.blocks).height)
    target.move_to(at)
    if target.label is not None:
        target.label.set_opacity(1 if label else 0)
    return target


# ---------------------------------------------------------------- chapter-local pictures


def plain_axes(x_range, y_range, x_length: float, y_length: float) -> Axes:
    """Axes without ticks or tips: the chapter's plots label only what matters."""
    return Axes(
        x_range=x_range,
        y_range=y_range,
        x_length=x_length,
        y_length=y_length,
        tips=False,
        axis_config={"color": STRUCTURE, "stroke_width": STROKE, "include_ticks": False},
    )


def at_full_width(*counters: Counter) -> None:
    """Lay counters out at their final width, so neighbours arranged beside them never
    collide while they count; ``reset`` then puts them back to zero."""
    for counter in counters:
        counter.value.set_value(counter.target)
        counter.value.update()


def reset(*counters: Counter) -> None:
    for counter in counters:
        counter.value.set_value(0)
        counter.value.update()


def token_square(colour=TOKEN, opacity: float = 0.45, side: float = 0.4) -> Square:
    """One token whose text does not matter: a square filled with its colour."""
    return Square(
        side_length=side,
        stroke_color=colour,
        stroke_width=THIN,
        fill_color=colour,
        fill_opacity=opacity,
    )


def overlay(part, opacity: float) -> Rectangle:
    """A gradient drawn on a part of the model: a purple film over it."""
    film = Rectangle(width=part.width, height=max(part.height, 0.02), stroke_width=0)
    return film.set_fill(OPTIMIZER, opacity).move_to(part)


def slices(box, count: int = GPUS) -> list:
    """``box`` (the embedding or output layer) cut into ``count`` vertical slices."""
    width = box.width / count
    left = box.get_left()[0]
    return [
        Rectangle(width=width, height=box.height, stroke_width=0).move_to(
            [left + width * (i + 0.5), box.get_y(), 0]
        )
        for i in range(count)
    ]


def ellipse(sigmas, unit: float, centre, angle: float = GRADIENT_ANGLE) -> Ellipse:
    """The unit circle as the matrix maps it: an ellipse with semi-axes ``sigmas``."""
    shape = Ellipse(width=2 * sigmas[0] * unit, height=2 * max(sigmas[1], 1e-3) * unit)
    shape.set_stroke(OPTIMIZER, width=4).set_fill(OPTIMIZER, 0.25)
    return shape.rotate(angle).move_to(centre)


class BaseTraining(NarratedScene):
    def construct(self):
        setup_canvas()
        bar, model = opening(self, 5)
        sentence = self.predict_the_next_token(bar, model)
        buffer = self.pack_the_rows(model, sentence)
        model = self.spread_over_gpus(model, buffer)
        model, muon = self.orthogonalise_with_muon(model)
        schedule = self.draw_the_schedule(model, muon)
        self.watch_it_train(model, schedule)

    def gather(self, *groups) -> None:
        """Put each group on screen as one mobject (its parts, shown one by one, had been
        added loose), so that its updaters run and it fades or moves as a whole."""
        for group in groups:
            self.remove(*group.get_family())
            self.add(group)

    # ------------------------------------------------------------------ objective

    def predict_the_next_token(self, bar, model):
        with self.beat("objective") as beat:
            centre = np.array(CONTENT_CENTRE)
            small = resized(model, 3.6, centre + UP * 0.05)
            self.play(bar.enter(5), Transform(model, small), run_time=beat.until("row"))
            # ---- a row of text goes in below; the guesses come out above
            # every word cell as wide as the widest word; <|bos|> as wide as it needs
            width = max(TokenCell(t).width for t in SENTENCE[1:]) + 0.05
            cells = [
                TokenCell(t, HIGHLIGHT, special=True)
                if t.startswith("<|")
                else TokenCell(t, TOKEN, width=width)
                for t in SENTENCE
            ]
            inputs = TokenStrip(cells[:-1], buff=0.1)
            inputs.move_to([0.45, CONTENT_BOTTOM + 0.55, 0])
            in_name = prose("input", size=SMALL_SIZE, color=DIM)
            in_name.next_to(inputs, LEFT, buff=0.3)
            feed = VGroup(
                *[
                    Line(c.get_top(), model.bottom_port(), stroke_width=THIN, color=FAINT)
                    for c in inputs.cells
                ]
            )
            self.play(
                LaggedStart(*[FadeIn(c, shift=UP * 0.2) for c in inputs.cells], lag_ratio=LAG),
                FadeIn(in_name),
                run_time=STEADY,
            )
            self.play(Create(feed), model.pulse(), run_time=beat.until("shift"))
            # ---- the answers: the same row, one step ahead
            pitch = inputs.cells[1].get_x() - inputs.cells[0].get_x()
            top_y = CONTENT_TOP - 0.45
            answers = VGroup(*[c.copy() for c in inputs.cells[1:]], cells[-1])
            for i, cell in enumerate(answers):
                cell.move_to([inputs.cells[i].get_x(), top_y, 0])
            out_name = prose("target", size=SMALL_SIZE, color=DIM)
            out_name.next_to(answers, LEFT, buff=0.3).align_to(in_name, RIGHT)
            fan = VGroup(
                *[
                    Line(model.top_port(), c.get_bottom(), stroke_width=THIN, color=FAINT)
                    for c in answers
                ]
            )
            self.play(
                LaggedStart(
                    *[
                        TransformFromCopy(inputs.cells[i + 1], answers[i])
                        for i in range(len(answers) - 1)
                    ],
                    lag_ratio=LAG,
                ),
                FadeIn(answers[-1], shift=LEFT * pitch),
                FadeIn(out_name),
                run_time=SLOW,
            )
            self.play(Create(fan), model.pulse(), run_time=beat.until("loss") * 0.6)
            # every guess at once: one pass lights all the answers together
            everyone = VGroup(
                *[SurroundingRectangle(c, color=HIGHLIGHT, buff=0.08) for c in answers]
            )
            self.play(
                LaggedStart(*[Create(box) for box in everyone], lag_ratio=0.1),
                model.pulse(),
                run_time=beat.until("loss"),
            )
            # ---- the loss at one position: minus the log of the true token's probability
            chosen = answers[FOCUS]
            others = VGroup(*[c for i, c in enumerate(answers) if i != FOCUS])
            bars = VGroup(*[Rectangle(width=0.15, height=0.42) for _ in range(24)])
            bars.arrange(RIGHT, buff=0.06, aligned_edge=DOWN)
            bars.move_to([-4.0, -1.85, 0], aligned_edge=DOWN)
            star = 15
            for i, b in enumerate(bars):
                colour = HIGHLIGHT if i == star else DIM
                b.set_stroke(width=0).set_fill(colour, 0.85 if i == star else 0.5)
            floor = Line(
                bars.get_corner(DOWN + LEFT) + LEFT * 0.1,
                bars.get_corner(DOWN + RIGHT) + RIGHT * 0.1,
            ).set_stroke(STRUCTURE, THIN)
            bars_name = prose("probability of each token", size=SMALL_SIZE, color=DIM)
            bars_name.next_to(floor, DOWN, buff=0.15)
            star_name = chosen.label.copy().set_color(HIGHLIGHT)
            star_name.next_to(bars[star], UP, buff=0.12)
            formula = maths(r"\text{loss} = -\ln p(\texttt{star})", size=LABEL_SIZE + 6)
            formula.move_to([4.1, 0.75, 0])
            self.play(FadeOut(VGroup(everyone, feed, fan, others, out_name)), run_time=QUICK)
            self.play(
                Create(floor),
                LaggedStart(*[GrowFromEdge(b, DOWN) for b in bars], lag_ratio=0.03),
                FadeIn(bars_name),
                chosen.animate.set_stroke(HIGHLIGHT, width=STROKE),
                run_time=STEADY,
            )
            self.gather(bars)
            self.play(
                TransformFromCopy(chosen.label, star_name),
                Write(formula),
                run_time=beat.until("zero"),
            )
            # ---- step zero: all 65,536 equally likely, so the loss is ln 65,536 = 11.09
            chance = maths(
                r"p(\texttt{star}) = \tfrac{1}{65{,}536}", size=LABEL_SIZE + 4, color=DIM
            )
            chance.move_to([4.1, -0.25, 0])
            p = ValueTracker(1 / VOCAB)
            loss = DecimalNumber(
                LOSS_AT_START, num_decimal_places=2, font_size=LABEL_SIZE + 14, color=LOSS
            )
            loss.add_updater(lambda m: m.set_value(-math.log(p.get_value())))
            readout = VGroup(maths(r"\text{loss} =", size=LABEL_SIZE + 10, color=LOSS), loss)
            readout.arrange(RIGHT, buff=0.2).move_to([4.1, -1.35, 0])
            self.play(FadeIn(chance, shift=DOWN * 0.2), run_time=QUICK)
            self.play(FadeIn(readout, shift=DOWN * 0.2), run_time=STEADY)
            # as it trains, the true token's share grows and the surprise shrinks
            base = bars[0].height

            def heights(m: VGroup) -> None:
                share = (p.get_value() - 1 / VOCAB) / 0.6
                for i, b in enumerate(m):
                    h = base + 2.4 * share if i == star else base * (1 - 0.8 * share)
                    b.stretch_to_fit_height(max(h, 0.02), about_edge=DOWN)
                star_name.next_to(m[star], UP, buff=0.12)

            bars.add_updater(heights)
            self.play(FadeOut(chance), run_time=QUICK)
            self.play(p.animate.set_value(0.6), run_time=beat.until())
            bars.clear_updaters()
            loss.clear_updaters()
            loose = VGroup(bars, floor, bars_name, star_name, formula, readout)
            self.play(FadeOut(loose), FadeOut(in_name), run_time=QUICK)
            return VGroup(*inputs.cells), chosen

    # ------------------------------------------------------------------ packing

    def pack_the_rows(self, model, sentence):
        cells, chosen = sentence
        with self.beat("packing") as beat:
            # ---- documents: the example sentence is the first; four more web pages follow
            side, pitch = 0.45, 0.5
            words = VGroup(*[c.label for c in cells])
            self.play(
                Transform(model, resized(model, 2.3, [-5.85, -0.35, 0])),
                FadeOut(chosen),
                FadeOut(words),
                run_time=QUICK,
            )
            pages = VGroup(
                *[
                    Line(ORIGIN, RIGHT * (n * pitch * 0.8), stroke_width=8, color=DIM)
                    for n in DOC_LENGTHS
                ]
            ).arrange(DOWN, buff=0.5, aligned_edge=LEFT)
            pages.move_to([0.6, -0.35, 0])
            name = prose("FineWeb-Edu", size=LABEL_SIZE, color=TEXT)
            name.next_to(pages, UP, buff=0.45).align_to(pages, LEFT)
            self.play(
                ReplacementTransform(VGroup(*[c.box for c in cells]), pages[0]),
                LaggedStart(*[GrowFromEdge(p, LEFT) for p in pages[1:]], lag_ratio=0.2),
                FadeIn(name, shift=DOWN * 0.2),
                run_time=beat.until("bos"),
            )
            # ---- each page becomes tokens with <|bos|> in front
            docs = VGroup()
            for index, (n, page) in enumerate(zip(DOC_LENGTHS, pages, strict=True)):
                shade = 0.55 if index % 2 == 0 else 0.25  # neighbours told apart by shade
                strip = VGroup(
                    token_square(HIGHLIGHT, 0.8, side),
                    *[token_square(TOKEN, shade, side) for _ in range(n - 1)],
                )
                strip.arrange(RIGHT, buff=pitch - side).scale(0.8)
                strip.move_to(page).align_to(page, LEFT)
                docs.add(strip)
            bos_name = mono("<|bos|>", size=SMALL_SIZE, color=HIGHLIGHT)
            bos_name.next_to(docs, LEFT, buff=0.35)
            marks = VGroup(
                *[
                    Arrow(
                        bos_name.get_right(),
                        d[0].get_left(),
                        buff=0.08,
                        stroke_width=THIN,
                        color=HIGHLIGHT,
                        max_tip_length_to_length_ratio=0.15,
                    )
                    for d in docs
                ]
            )
            self.play(
                LaggedStart(
                    *[ReplacementTransform(p, d) for p, d in zip(pages, docs, strict=True)],
                    lag_ratio=0.15,
                ),
                run_time=STEADY,
            )
            self.play(
                FadeIn(bos_name),
                LaggedStart(*[Create(m) for m in marks], lag_ratio=0.1),
                run_time=beat.until("buffer"),
            )
            # ---- end to end into one buffer: 4 rows stand for 32, 20 cells for 2,048
            slots = VGroup(*[Square(side_length=side) for _ in range(GRID_ROWS * GRID_COLS + 1)])
            slots[:-1].arrange_in_grid(rows=GRID_ROWS, cols=GRID_COLS, buff=pitch - side)
            slots[:-1].move_to([0.55, -0.25, 0])
            slots[-1].next_to(slots[-2], RIGHT, buff=pitch - side)
            stream = VGroup(*[cell for doc in docs for cell in doc])
            sizes = MathTex(r"32 \times 2{,}048", r"\;+\;1", font_size=LABEL_SIZE + 4, color=TEXT)
            sizes.next_to(slots[:-1], DOWN, buff=0.45)
            brace = Brace(slots[:GRID_COLS], UP, buff=0.12, color=DIM)
            row_name = maths(r"2{,}048", size=LABEL_SIZE, color=DIM).next_to(brace, UP, buff=0.1)
            self.play(
                FadeOut(VGroup(bos_name, marks, name)),
                LaggedStart(
                    *[
                        c.animate.scale(side / c.width).move_to(s)
                        for c, s in zip(stream, slots, strict=True)
                    ],
                    lag_ratio=0.012,
                ),
                run_time=SLOW,
            )
            self.play(FadeIn(brace), FadeIn(row_name), Write(sizes[0]), run_time=beat.until("rows"))
            # ---- documents cross row edges: each piece of a broken document outlined
            starts = np.cumsum([0, *DOC_LENGTHS])
            pieces = VGroup()
            for first, end in zip(starts[:-1], starts[1:], strict=True):
                rows = {}
                for i in range(first, min(end, GRID_ROWS * GRID_COLS)):
                    rows.setdefault(i // GRID_COLS, []).append(stream[i])
                if len(rows) > 1:
                    for row in rows.values():
                        pieces.add(
                            SurroundingRectangle(
                                VGroup(*row), buff=0.04, color=TEXT, stroke_width=3
                            )
                        )
            self.play(
                LaggedStart(*[Create(piece) for piece in pieces], lag_ratio=0.25),
                run_time=beat.until("plusone"),
            )
            # ---- the one extra token: the answer to the very last input
            last, extra = stream[-2], stream[-1]
            hop = CurvedArrow(last.get_top() + UP * 0.05, extra.get_top() + UP * 0.05, angle=-2.0)
            hop.set_color(HIGHLIGHT)
            self.play(FadeOut(pieces), run_time=QUICK * 0.6)
            self.play(
                Write(sizes[1].set_color(HIGHLIGHT)),
                extra.animate.set_stroke(HIGHLIGHT, width=4),
                Create(hop),
                run_time=STEADY,
            )
            self.play(Indicate(extra, color=HIGHLIGHT, scale_factor=1.3), run_time=beat.until())
            return VGroup(stream, sizes, brace, row_name, hop)

    # ------------------------------------------------------------------ gpus

    def spread_over_gpus(self, model, buffer):
        with self.beat("gpus") as beat:
            xs = [-5.6 + 1.6 * k for k in range(GPUS)]
            frames = VGroup(
                *[
                    Rectangle(
                        width=1.42, height=4.55, stroke_color=STRUCTURE, stroke_width=STROKE
                    ).move_to([x, -0.75, 0])
                    for x in xs
                ]
            )
            names = VGroup(*[mono(f"GPU {k}", size=SMALL_SIZE, color=DIM) for k in range(GPUS)])
            for name, frame in zip(names, frames, strict=True):
                name.next_to(frame, DOWN, buff=0.12)
            copies = [
                paint(ModelStack(width=1.0, height=2.8, label=None), 0.0).move_to([x, -0.35, 0])
                for x in xs
            ]
            self.play(FadeOut(buffer), run_time=QUICK)
            self.play(
                ReplacementTransform(model, copies[0]),
                LaggedStart(*[TransformFromCopy(copies[0], c) for c in copies[1:]], lag_ratio=0.1),
                LaggedStart(*[Create(f) for f in frames], lag_ratio=0.05),
                FadeIn(names),
                run_time=beat.until("product"),
            )
            model = copies[0]
            # ---- 32 rows each: 8 x 32 x 2,048 = 524,288 tokens a step
            stripes = VGroup()
            for frame in frames:
                stripe = VGroup(*[token_square(TOKEN, 0.5, 0.1) for _ in range(32)])
                stripe.arrange_in_grid(rows=4, cols=8, buff=0.025)
                stripes.add(stripe.move_to([frame.get_x(), frame.get_bottom()[1] + 0.42, 0]))
            product = maths(r"8 \times 32 \times 2{,}048 \;=", size=LABEL_SIZE + 8)
            per_step = Counter(
                TOKENS_PER_STEP, unit="tokens a step", size=LABEL_SIZE + 10, colour=TOKEN
            )
            equation = VGroup(product, per_step)
            at_full_width(per_step)
            equation.arrange(RIGHT, buff=0.25).move_to([0, CONTENT_TOP - 0.3, 0])
            reset(per_step)
            self.play(
                LaggedStart(*[FadeIn(s, shift=DOWN * 0.3) for s in stripes], lag_ratio=0.08),
                FadeIn(product),
                FadeIn(per_step),
                run_time=QUICK,
            )
            self.play(per_step.count(), run_time=beat.until("steps"))
            steps = maths(r"11.2\text{B} \div 524{,}288 \;=", size=LABEL_SIZE + 8)
            step_count = Counter(STEPS, unit="steps", size=LABEL_SIZE + 10, colour=HIGHLIGHT)
            at_full_width(step_count)
            line = VGroup(steps, step_count).arrange(RIGHT, buff=0.25).move_to(equation)
            reset(step_count)
            self.play(FadeTransform(equation, line[0]), FadeIn(step_count), run_time=QUICK)
            self.play(step_count.count(), run_time=beat.until("grads"))
            # ---- each GPU: its own rows through its copy; a gradient for every weight
            rng = np.random.default_rng(5)
            parts = [[*c.blocks, *slices(c.embed), *slices(c.head)] for c in copies]
            owner = [i % GPUS for i in range(len(copies[0].blocks))] + list(range(GPUS)) * 2
            films = [
                VGroup(*[overlay(p, rng.uniform(0.25, 0.85)) for p in gpu_parts])
                for gpu_parts in parts
            ]
            self.play(
                *[
                    s.animate.scale(0.6).move_to(c.bottom_port()).set_opacity(0)
                    for s, c in zip(stripes, copies, strict=True)
                ],
                run_time=QUICK,
            )
            self.remove(stripes)
            self.play(
                *[c.pulse(lag=0.05) for c in copies],
                LaggedStart(*[FadeIn(f) for f in films], lag_ratio=0.05),
                FadeOut(VGroup(line[0], step_count)),
                run_time=beat.until("scatter"),
            )
            # ---- reduce-scatter: each share of the gradient goes to the GPU that owns it
            # (blocks k, k+8, k+16 and slice k of the two tables), where it is averaged
            moving, staying = [], []
            for g in range(GPUS):
                for i, film in enumerate(films[g]):
                    k = owner[i]
                    if k == g:
                        staying.append(film)
                    else:
                        moving.append(film.animate.move_to(parts[k][i]).set_opacity(0))
            span = beat.until("gather")
            scatter = mono("reduce_scatter", size=LABEL_SIZE, color=OPTIMIZER)
            scatter.move_to([0, CONTENT_TOP - 0.3, 0])
            self.play(*moving, FadeIn(scatter), run_time=span * 0.45)
            self.play(*[f.animate.set_fill(OPTIMIZER, 0.9) for f in staying], run_time=span * 0.15)
            # each GPU updates only its share of the weights (outlined: updated)
            owned = [
                [b for i, b in enumerate(copies[g].blocks) if owner[i] == g] for g in range(GPUS)
            ]
            colour, opacity, _ = look(0.08)
            self.play(
                *[f.animate.set_opacity(0) for f in staying],
                *[
                    b.animate.set_fill(colour, opacity).set_stroke(HIGHLIGHT, width=STROKE)
                    for share in owned
                    for b in share
                ],
                run_time=span * 0.4,
            )
            self.remove(*[f for film in films for f in film])
            # ---- all-gather: every GPU sends its updated share to all the others
            gather = mono("all_gather", size=LABEL_SIZE, color=HIGHLIGHT).move_to(scatter)
            flyers, landings = [], []
            for g in range(GPUS):
                for i, block in enumerate(copies[g].blocks):
                    if owner[i] != g:
                        flyer = copies[owner[i]].blocks[i].copy()
                        flyers.append(flyer)
                        landings.append((flyer, block))
            self.play(
                FadeTransform(scatter, gather),
                *[flyer.animate(path_arc=-0.5).move_to(block) for flyer, block in landings],
                run_time=beat.until("memory") * 0.8,
            )
            for flyer, block in landings:
                block.match_style(flyer)
            self.remove(*flyers)
            self.play(*[train_to(c, 0.08, lag=0.0) for c in copies], run_time=beat.until("memory"))
            # ---- why share: each GPU keeps optimizer memory for only its eighth
            memory_name = prose("optimizer memory per GPU", size=LABEL_SIZE, color=OPTIMIZER)
            memory_name.move_to([0, CONTENT_TOP - 0.3, 0])
            full, eighths = VGroup(), VGroup()
            for k, frame in enumerate(frames):
                box = Rectangle(width=1.2, height=0.4).move_to(
                    [frame.get_x(), frame.get_bottom()[1] + 0.42, 0]
                )
                full.add(box.set_stroke(OPTIMIZER, THIN).set_fill(OPTIMIZER, 0.6))
                share = Rectangle(width=box.width / GPUS, height=box.height)
                share.set_stroke(OPTIMIZER, THIN).set_fill(OPTIMIZER, 0.9)
                eighths.add(share.move_to(box.get_left() + RIGHT * box.width * (k + 0.5) / GPUS))
            outlines = VGroup(*[DashedVMobject(b.copy().set_fill(opacity=0)) for b in full])
            self.play(FadeOut(gather), run_time=QUICK * 0.6)
            self.play(
                FadeIn(memory_name),
                LaggedStart(*[GrowFromEdge(b, LEFT) for b in full], lag_ratio=0.05),
                run_time=QUICK,
            )
            self.add(outlines)
            self.play(
                *[ReplacementTransform(b, e) for b, e in zip(full, eighths, strict=True)],
                run_time=beat.until("accumulate"),
            )
            # ---- one GPU: eight passes, gradients summed (each loss / 8), then one update
            queue = VGroup()
            for _ in range(GPUS):
                stripe = VGroup(*[token_square(TOKEN, 0.5, 0.17) for _ in range(32)])
                queue.add(stripe.arrange_in_grid(rows=4, cols=8, buff=0.035))
            queue.arrange_in_grid(rows=2, cols=4, buff=(0.45, 0.5)).move_to([2.1, -0.75, 0])
            tally = VGroup(*[Rectangle(width=0.9, height=0.36) for _ in range(GPUS)])
            tally.arrange(UP, buff=0.06).move_to([-3.55, -0.75, 0])
            for t in tally:
                t.set_stroke(OPTIMIZER, THIN)
            tally_name = maths(r"\textstyle\sum \text{gradients}", size=LABEL_SIZE, color=OPTIMIZER)
            tally_name.next_to(tally, UP, buff=0.2)
            passes = Integer(0, font_size=LABEL_SIZE + 8, color=TEXT)
            count = VGroup(
                maths(r"\text{pass}", size=LABEL_SIZE + 8),
                passes,
                maths(r"/\;8", size=LABEL_SIZE + 8),
            ).arrange(RIGHT, buff=0.15)
            count.next_to(queue, UP, buff=0.5)
            self.play(
                FadeOut(
                    VGroup(memory_name, outlines, eighths, *frames[1:], *copies[1:], *names[1:])
                ),
                run_time=QUICK * 0.8,
            )
            self.play(
                LaggedStart(*[FadeIn(q, shift=LEFT * 0.3) for q in queue], lag_ratio=0.05),
                Create(tally),
                FadeIn(tally_name),
                FadeIn(count),
                run_time=QUICK,
            )
            per_pass = beat.until() / GPUS
            for k in range(GPUS):
                stripe = queue[k]
                film = tally[k].copy().set_fill(OPTIMIZER, 0.7)
                self.play(
                    stripe.animate.scale(0.35).move_to(model.bottom_port()).set_opacity(0),
                    FadeIn(film, shift=UP * 0.1),
                    ChangeDecimalToValue(passes, k + 1),
                    model.pulse(lag=0.02),
                    run_time=per_pass,
                )
                self.remove(stripe)
                tally.add(film)
            return model, VGroup(frames[0], names[0], tally, tally_name, count)

    # ------------------------------------------------------------------ muon

    def orthogonalise_with_muon(self, found):
        model, remains = found
        with self.beat("muon") as beat:
            big = paint(ModelStack(), 0.08).move_to([-1.7, CONTENT_CENTRE[1], 0])
            self.play(
                FadeOut(remains),
                ReplacementTransform(model, big),
                run_time=QUICK,
            )
            model = big
            # ---- Muon for the matrices in the blocks; AdamW for the two vocabulary tables
            muon_brace = Brace(model.blocks, RIGHT, buff=0.15, color=OPTIMIZER)
            muon_name = prose("Muon", size=LABEL_SIZE + 4, color=OPTIMIZER)
            credit = prose("Keller Jordan, modded-nanogpt", size=SMALL_SIZE, color=DIM)
            muon_label = VGroup(muon_name, credit).arrange(DOWN, aligned_edge=LEFT, buff=0.12)
            muon_label.next_to(muon_brace, RIGHT, buff=0.15)
            self.play(
                GrowFromCenter(muon_brace),
                LaggedStart(
                    *[
                        b.animate(rate_func=there_and_back).set_stroke(OPTIMIZER, width=STROKE)
                        for b in model.blocks
                    ],
                    lag_ratio=0.05,
                ),
                FadeIn(muon_label, shift=LEFT * 0.2),
                run_time=beat.until("adamw"),
            )
            tables = VGroup(model.embed, model.head)
            adam_names = VGroup()
            adam_marks = VGroup()
            for table in tables:
                mark = Line(table.get_right() + RIGHT * 0.15, table.get_right() + RIGHT * 0.55)
                mark.set_stroke(TOKEN, STROKE)
                name = prose("AdamW", size=LABEL_SIZE, color=TOKEN).next_to(mark, RIGHT, buff=0.1)
                adam_marks.add(mark)
                adam_names.add(name)
            self.play(
                *[t.animate.set_stroke(TOKEN, width=STROKE) for t in tables],
                LaggedStart(*[Create(m) for m in adam_marks], lag_ratio=0.2),
                FadeIn(adam_names, shift=LEFT * 0.2),
                run_time=STEADY,
            )
            # ---- why not Muon there: a table, one row per token, read by the token's id
            words = ("the", "sun", "is", "a", "star")
            rows = VGroup(
                *[
                    Rectangle(width=2.0, height=0.3, stroke_width=THIN)
                    .set_stroke(TOKEN, opacity=0.7)
                    .set_fill(TOKEN, 0.0)
                    for _ in words
                ]
            ).arrange(DOWN, buff=0.07)
            keys = VGroup(
                *[
                    mono(w, size=SMALL_SIZE, color=DIM).next_to(r, LEFT, buff=0.18)
                    for w, r in zip(words, rows, strict=True)
                ]
            )
            table = VGroup(keys, rows).move_to([4.5, CONTENT_BOTTOM + 1.35, 0])
            self.play(FadeIn(table, shift=UP * 0.2), run_time=QUICK)
            look_up = beat.until("lopsided") / len(words)
            for i, (key, row) in enumerate(zip(keys, rows, strict=True)):
                # the row read last dims as the next one lights
                dims = (
                    [rows[i - 1].animate.set_fill(TOKEN, 0.12), keys[i - 1].animate.set_color(DIM)]
                    if i
                    else []
                )
                self.play(
                    row.animate.set_fill(TOKEN, 0.75),
                    key.animate.set_color(TOKEN),
                    *dims,
                    run_time=look_up,
                )
            # ---- a block's gradient, as what it does to a circle of directions
            values = newton_schulz_values(GRADIENT)
            centre = np.array([3.55, -0.45, 0])
            unit = 1.55
            raw_unit = 2.55 / GRADIENT[0]  # the raw gradient drawn to fit
            shape = ellipse(values[0], raw_unit, centre)
            long_axis = np.array([math.cos(GRADIENT_ANGLE), math.sin(GRADIENT_ANGLE), 0])
            short_axis = np.array([-math.sin(GRADIENT_ANGLE), math.cos(GRADIENT_ANGLE), 0])
            s1, s2 = ValueTracker(values[0][0]), ValueTracker(values[0][1])
            scale = ValueTracker(raw_unit)

            def axes_arrows() -> VGroup:
                u = scale.get_value()
                return VGroup(
                    Arrow(
                        centre,
                        centre + long_axis * s1.get_value() * u,
                        buff=0,
                        stroke_width=4,
                        color=TEXT,
                        max_tip_length_to_length_ratio=0.12,
                    ),
                    Arrow(
                        centre,
                        centre + short_axis * max(s2.get_value() * u, 0.12),
                        buff=0,
                        stroke_width=4,
                        color=TEXT,
                        max_tip_length_to_length_ratio=0.5,
                    ),
                )

            arrows = always_redraw(axes_arrows)
            n1 = DecimalNumber(values[0][0], num_decimal_places=2, font_size=LABEL_SIZE + 4)
            n2 = DecimalNumber(values[0][1], num_decimal_places=2, font_size=LABEL_SIZE + 4)
            n1.add_updater(lambda m: m.set_value(s1.get_value()))
            n2.add_updater(lambda m: m.set_value(s2.get_value()))
            names_ = VGroup(
                maths(r"\sigma_1 =", size=LABEL_SIZE + 4),
                n1,
                maths(r"\sigma_2 =", size=LABEL_SIZE + 4),
                n2,
            )
            names_.arrange(RIGHT, buff=0.15)
            names_[2].shift(RIGHT * 0.4)
            names_[3].shift(RIGHT * 0.4)
            names_.move_to([centre[0], CONTENT_TOP - 0.3, 0])
            sv_name = prose("singular values", size=SMALL_SIZE, color=DIM)
            sv_name.next_to(names_, DOWN, buff=0.15)
            chosen = model.blocks[10]
            # the model and its labels make room on the left
            side = VGroup(model, muon_brace, muon_name, adam_marks, adam_names)
            aside = side.copy().scale(0.9)
            aside.shift(RIGHT * (-4.7 - aside[0].get_x()))
            self.play(FadeOut(credit), FadeOut(table), Transform(side, aside), run_time=QUICK)
            self.play(
                chosen.animate.set_stroke(HIGHLIGHT, width=STROKE),
                TransformFromCopy(chosen, shape),
                run_time=STEADY,
            )
            self.add(arrows)
            self.play(FadeIn(names_), FadeIn(sv_name), run_time=beat.until("ns"))
            # ---- divide by its size, then five Newton-Schulz steps
            circle = DashedVMobject(
                Ellipse(width=2 * unit, height=2 * unit).move_to(centre), num_dashes=48
            ).set_stroke(DIM, THIN)
            band = Annulus(inner_radius=0.5 * unit, outer_radius=1.5 * unit, stroke_width=0)
            band.set_fill(HIGHLIGHT, 0.07).move_to(centre)
            band_name = maths(r"0.5 \ldots 1.5", size=SMALL_SIZE + 2, color=HIGHLIGHT)
            band_name.move_to(centre + np.array([-1.5, -1.5, 0]) * unit * 0.72)
            iteration = Integer(0, font_size=LABEL_SIZE + 4, color=TEXT)
            step_name = maths(r"\text{step}", size=LABEL_SIZE + 4, color=DIM)
            of_five = maths(r"/\,5", size=LABEL_SIZE + 4, color=DIM)
            counter = VGroup(step_name, iteration, of_five).arrange(RIGHT, buff=0.15)
            counter.move_to([centre[0] - 2.6, CONTENT_BOTTOM + 0.45, 0])
            span = beat.until("even")
            self.play(
                FadeOut(sv_name),
                FadeIn(band),
                Create(circle),
                FadeIn(band_name),
                shape.animate.become(ellipse(values[1], unit, centre)),
                s1.animate.set_value(values[1][0]),
                s2.animate.set_value(values[1][1]),
                scale.animate.set_value(unit),
                run_time=span * 0.25,
            )
            self.play(FadeIn(counter), run_time=QUICK * 0.5)
            step_time = (beat.until("even")) / NS_STEPS
            for k in range(1, NS_STEPS + 1):
                self.play(
                    shape.animate.become(ellipse(values[k + 1], unit, centre)),
                    s1.animate.set_value(values[k + 1][0]),
                    s2.animate.set_value(values[k + 1][1]),
                    ChangeDecimalToValue(iteration, k),
                    run_time=step_time,
                )
            # ---- every direction now moves at a similar pace
            self.play(
                Indicate(names_, color=HIGHLIGHT, scale_factor=1.05),
                shape.animate.set_stroke(HIGHLIGHT),
                train_to(model, 0.16),
                run_time=beat.until(),
            )
            arrows.clear_updaters()
            n1.clear_updaters()
            n2.clear_updaters()
            picture = VGroup(shape, arrows, names_, circle, band, band_name, counter)
            labels = VGroup(muon_brace, muon_name, adam_marks, adam_names)
            return model, VGroup(picture, labels, tables)

    # ------------------------------------------------------------------ schedule

    def draw_the_schedule(self, model, muon):
        picture, labels, tables = muon
        with self.beat("schedule") as beat:
            home = resized(model, 5.3, [-5.0, CONTENT_CENTRE[1], 0], label=True)
            home.blocks[10].set_stroke(look(0.16)[2])
            for t in (home.embed, home.head):
                t.set_stroke(STRUCTURE, width=THIN)
            axes = plain_axes(
                x_range=[0, STEPS, 2_000], y_range=[0, 1.15, 0.5], x_length=8.6, y_length=2.0
            )
            axes.move_to([1.7, 1.35, 0])
            lr_name = prose("learning rate", size=SMALL_SIZE, color=HIGHLIGHT)
            lr_name.next_to(axes.y_axis, UP, buff=0.15).align_to(axes.y_axis, LEFT)
            ticks = VGroup(
                maths("0", size=SMALL_SIZE, color=DIM).next_to(axes.c2p(0, 0), DOWN, buff=0.12),
                maths(r"17{,}120", size=SMALL_SIZE, color=DIM).next_to(
                    axes.c2p(WARMDOWN_START, 0), DOWN, buff=0.12
                ),
                maths(r"21{,}400", size=SMALL_SIZE, color=DIM).next_to(
                    axes.c2p(STEPS, 0), DOWN, buff=0.12
                ),
            )
            ticks[1].shift(LEFT * 0.25)
            step = ValueTracker(0)

            def drawn() -> VGroup:
                s = step.get_value()
                xs = [0.0, *[x for x in (WARMDOWN_START,) if x < s], s]
                line = (
                    VMobject()
                    .set_points_as_corners([axes.c2p(x, lr_multiplier(x)) for x in xs])
                    .set_stroke(HIGHLIGHT, 4)
                )
                return VGroup(
                    line, Dot(axes.c2p(s, lr_multiplier(s)), radius=0.08, color=HIGHLIGHT)
                )

            lr_line = always_redraw(drawn)
            # ---- the valley: f(x) = x^2 drawn wide below, a ball taking the steps
            mid, spread, depth_ = np.array([1.7, -3.05, 0]), 1.15, 0.16

            def at(x: float) -> np.ndarray:
                return mid + np.array([spread * x, depth_ * x * x, 0])

            valley = VMobject().set_points_smoothly([at(x) for x in np.linspace(-3.6, 3.6, 40)])
            valley.set_stroke(STRUCTURE, STROKE)
            path = valley_path()
            path_steps = [s for s, _ in path]

            def ball_at() -> Dot:
                s = step.get_value()
                x = float(np.interp(s, path_steps, [x for _, x in path]))
                return Dot(at(x) + UP * 0.13, radius=0.13, color=HIGHLIGHT)

            ball = always_redraw(ball_at)
            valley_name = prose("loss", size=SMALL_SIZE, color=LOSS).next_to(at(-3.6), UP, buff=0.1)
            self.play(
                FadeOut(VGroup(picture, labels)),
                Transform(model, home),
                run_time=QUICK,
            )
            self.play(
                Create(axes),
                FadeIn(lr_name),
                FadeIn(ticks),
                Create(valley),
                FadeIn(valley_name),
                run_time=QUICK,
            )
            self.add(lr_line, ball)
            self.play(
                step.animate.set_value(WARMDOWN_START),
                run_time=beat.until("warmdown"),
                rate_func=linear,
            )
            zone = (
                Rectangle(
                    width=axes.c2p(STEPS, 0)[0] - axes.c2p(WARMDOWN_START, 0)[0],
                    height=axes.c2p(0, 1.1)[1] - axes.c2p(0, 0)[1],
                )
                .set_stroke(width=0)
                .set_fill(HIGHLIGHT, 0.12)
            )
            zone.move_to(axes.c2p(WARMDOWN_START, 0), aligned_edge=DOWN + LEFT)
            last = maths(r"\text{last } 20\%", size=SMALL_SIZE, color=HIGHLIGHT)
            last.next_to(zone, UP, buff=0.08)
            self.play(FadeIn(zone), FadeIn(last), run_time=QUICK)
            self.play(step.animate.set_value(STEPS), run_time=beat.until(), rate_func=linear)
            lr_line.clear_updaters()
            ball.clear_updaters()
            return dict(
                axes=axes,
                lr=VGroup(lr_line, zone),
                last=last,
                lr_name=lr_name,
                ticks=ticks,
                valley=VGroup(valley, ball, valley_name),
            )

    # ------------------------------------------------------------------ watching

    def watch_it_train(self, model, parts):
        axes = parts["axes"]
        with self.beat("watching") as beat:
            # ---- validation bits per byte every 250 steps, the model filling as it trains
            bpb_name = prose("bits/byte", size=SMALL_SIZE, color=LOSS)
            bpb_name.move_to(parts["lr_name"], aligned_edge=LEFT)
            step = ValueTracker(0)
            top = bits_per_byte_shape(0)

            def curve() -> VGroup:
                s = max(step.get_value(), 1.0)
                evals = [e for e in range(0, STEPS + 1, EVAL_EVERY) if e <= s]
                points = [axes.c2p(e, bits_per_byte_shape(e) / top) for e in evals]
                points.append(axes.c2p(s, bits_per_byte_shape(s) / top))
                line = VMobject().set_points_as_corners(points).set_stroke(LOSS, 3)
                dots = VGroup(*[Dot(p, radius=0.03, color=LOSS) for p in points[:-1]])
                return VGroup(line, dots)

            bpb = always_redraw(curve)
            counter_name = maths(r"\text{step}", size=LABEL_SIZE, color=DIM)
            counter = Integer(0, font_size=LABEL_SIZE + 4, color=TEXT, group_with_commas=True)
            counter.add_updater(lambda m: m.set_value(int(step.get_value())))
            clock = VGroup(counter_name, counter).arrange(RIGHT, buff=0.15)
            clock.move_to([5.4, CONTENT_TOP - 0.25, 0])
            start_fill = 0.16

            def fill(m: ModelStack) -> None:
                colour, opacity, edge = look(
                    start_fill + (1 - start_fill) * step.get_value() / STEPS
                )
                for b in m.blocks:
                    b.set_fill(colour, opacity)

            self.play(
                FadeOut(parts["valley"]),
                parts["lr"][0].animate.set_stroke(opacity=0.3),
                parts["lr"][1].animate.set_fill(opacity=0.05),
                FadeOut(parts["last"]),
                FadeTransform(parts["lr_name"], bpb_name),
                FadeIn(clock),
                run_time=QUICK,
            )
            self.add(bpb)
            model.add_updater(fill)
            self.play(
                step.animate.set_value(CORE_EVERY * 3),
                run_time=beat.until("core"),
                rate_func=linear,
            )
            # ---- CORE: 22 tasks, zero for guessing, one for perfect; a quick estimate
            # (500 examples per task) every 2,000 steps
            core_ticks = VGroup(
                *[
                    Line(axes.c2p(s, 0), axes.c2p(s, 0) + UP * 0.22).set_stroke(TRAINED, 4)
                    for s in [*range(CORE_EVERY, STEPS, CORE_EVERY), STEPS]
                ]
            )
            scale_line = Line([-2.3, -0.75, 0], [6.0, -0.75, 0]).set_stroke(STRUCTURE, STROKE)
            ends = VGroup(
                maths("0", size=LABEL_SIZE, color=DIM).next_to(scale_line.get_start(), DOWN, 0.15),
                maths("1", size=LABEL_SIZE, color=DIM).next_to(scale_line.get_end(), DOWN, 0.15),
            )
            end_names = VGroup(
                prose("guessing", size=SMALL_SIZE, color=DIM).next_to(ends[0], RIGHT, buff=0.15),
                prose("perfect", size=SMALL_SIZE, color=DIM).next_to(ends[1], LEFT, buff=0.15),
            )
            core_name = prose("CORE", size=LABEL_SIZE, color=TRAINED)
            core_name.next_to(scale_line.get_start(), UP, buff=0.15).align_to(scale_line, LEFT)
            quick = prose("500 examples per task", size=SMALL_SIZE, color=DIM)
            quick.next_to(core_name, RIGHT, buff=0.4)
            self.play(
                Create(scale_line),
                FadeIn(ends),
                FadeIn(core_name),
                FadeIn(quick),
                LaggedStart(*[Create(t) for t in core_ticks[:3]], lag_ratio=0.2),
                run_time=STEADY,
            )
            later = core_ticks[3:]
            for t in later:
                t.set_stroke(opacity=0)
            marks = [*range(CORE_EVERY * 4, STEPS, CORE_EVERY), STEPS]

            def reveal(group: VGroup) -> None:
                for t, s in zip(group, marks, strict=True):
                    t.set_stroke(opacity=1 if step.get_value() >= s else 0)

            later.add_updater(reveal)
            self.add(later)
            # the run goes on at one pace through the next two sentences
            to_guess, to_final = beat.until("guess"), beat.until("final")
            midway = step.get_value() + (STEPS - step.get_value()) * to_guess / to_final
            self.play(step.animate.set_value(midway), run_time=to_guess, rate_func=linear)
            self.play(FadeOut(quick), run_time=QUICK * 0.6)
            self.play(
                FadeIn(end_names),
                step.animate.set_value(STEPS),
                run_time=beat.until("final"),
                rate_func=linear,
            )
            later.clear_updaters()
            model.clear_updaters()
            # ---- the end of the launch run: the full CORE evaluation, 0.2219
            where = scale_line.point_from_proportion(CORE_LAUNCH)
            pin = Line(where + DOWN * 0.15, where + UP * 0.15).set_stroke(TRAINED, 6)
            score = Counter(CORE_LAUNCH, places=4, size=LABEL_SIZE + 14, colour=TRAINED)
            score.next_to(pin, UP, buff=0.1).align_to(pin, LEFT)
            launch = prose("launch run", size=SMALL_SIZE, color=DIM)
            launch.next_to(score, RIGHT, buff=0.3)
            self.play(
                model.learn("base"),
                GrowFromCenter(pin),
                FadeIn(score),
                FadeIn(launch),
                run_time=QUICK,
            )
            self.play(score.count(), run_time=beat.until("gpt2"))
            # ---- a yardstick: the $300 model slightly beats GPT-2 (README.md:69); the repo
            # gives no GPT-2 value, so the arrow says "a little higher", not where
            start = where + DOWN * 0.5
            higher = Arrow(
                start,
                start + RIGHT * 1.2,
                buff=0,
                stroke_width=STROKE,
                color=TEXT,
                max_tip_length_to_length_ratio=0.2,
            )
            yardstick = maths(r"\$300\text{ model} > \text{GPT-2}", size=LABEL_SIZE, color=TEXT)
            yardstick.next_to(higher, RIGHT, buff=0.15)
            self.play(FadeOut(VGroup(end_names, bpb_name)), run_time=QUICK * 0.6)
            self.play(
                GrowArrow(higher),
                FadeIn(yardstick, shift=RIGHT * 0.2),
                run_time=beat.until("sample"),
            )
            # ---- a sample: a fixed prompt, continued greedily (the continuation: an example)
            bos = TokenCell("<|bos|>", HIGHLIGHT, special=True)
            prompt = mono(PROMPT, size=SMALL_SIZE + 2, color=TEXT)
            prompt_line = VGroup(bos, prompt).arrange(RIGHT, buff=0.2)
            prompt_line.move_to([-2.3, -2.2, 0], aligned_edge=LEFT)
            reply = mono(EXAMPLE_REPLY.strip(), size=SMALL_SIZE + 2, color=TOKEN)
            reply.next_to(prompt_line, DOWN, buff=0.28).align_to(prompt, LEFT)
            example = prose("(example)", size=SMALL_SIZE, color=DIM)
            example.next_to(reply, LEFT, buff=0.2).align_to(bos, RIGHT)
            self.play(
                FadeOut(VGroup(higher, yardstick)),
                FadeIn(bos),
                AddTextLetterByLetter(prompt),
                run_time=beat.until("answer"),
            )
            self.play(
                AddTextLetterByLetter(reply), FadeIn(example), run_time=beat.until("handover")
            )
            # ---- hand over: the base model, home in the middle
            self.play(closing(self, model, "base"), run_time=beat.until())
