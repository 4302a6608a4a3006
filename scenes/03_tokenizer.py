"""Chapter 3: the tokenizer: bytes, byte-pair merges, the split pattern, the vocabulary,
and why training (rustbpe) and encoding (tiktoken) are two different tools.

Narration: script/03-tokenizer.md. Render alone with
``uv run manim -pql scenes/03_tokenizer.py``.

The merges shown are computed, not drawn by hand: ``bpe_merge`` below applies byte-pair
encoding to "that cat, that hat" exactly as rustbpe would (chunks from the split
pattern, most frequent adjacent pair first). The three merges are a+t (4 times),
h+at (3) and t+hat (2), each the unique most frequent pair at its step.

Tokens are the shared :class:`TokenCell` / :class:`TokenStrip` pictures with spaces
shown as open boxes; :class:`NumberedStrip` adds each token's id beneath its cell, and
:func:`chunk_strip` colours the split pattern's chunks by kind. Special tokens are
written as they are (``<|bos|>``). Every animation is timed by the beat tracker
(``beat.until(mark)``), never by waits tuned by ear.
"""

from __future__ import annotations

from collections import Counter as Tally

from manim import (
    DOWN,
    LEFT,
    RIGHT,
    UP,
    Arrow,
    ChangeDecimalToValue,
    Circle,
    Create,
    FadeIn,
    FadeOut,
    Indicate,
    Integer,
    LaggedStart,
    Line,
    Rectangle,
    ReplacementTransform,
    SurroundingRectangle,
    Transform,
    TransformFromCopy,
    VGroup,
    Write,
)
from mobjects import BlockStack, Counter, FileGrid, Labelled, TokenCell, TokenStrip
from style import (
    DIM,
    FAINT,
    HIGHLIGHT,
    LABEL_SIZE,
    LAG,
    LOSS,
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
    prose,
    setup_canvas,
)

from explainer.scene import NarratedScene

SENTENCE = "that cat, that hat"
SPLIT_EXAMPLE = "It's 2026: 65536 tokens!"
SPECIAL_TOKENS = [
    "<|bos|>",
    "<|user_start|>",
    "<|user_end|>",
    "<|assistant_start|>",
    "<|assistant_end|>",
    "<|python_start|>",
    "<|python_end|>",
    "<|output_start|>",
    "<|output_end|>",
]
STRIP_Y = 1.9  # height of the token strip in the merge beats


def chunk(text: str) -> list[str]:
    """nanochat's split pattern, as much of it as the examples here need: words with their
    leading space, the contraction 's, runs of at most two digits, punctuation, spaces.

    >>> chunk("It's 2026: 65536 tokens!")
    ['It', "'s", ' ', '20', '26', ':', ' ', '65', '53', '6', ' tokens', '!']
    """
    out: list[str] = []
    for ch in text:
        prev = out[-1] if out else ""
        if ch.isalpha() and prev and (prev[-1].isalpha() or prev in (" ", "'")):
            out[-1] += ch
        elif ch.isdigit() and prev.isdigit() and len(prev) < 2:
            out[-1] += ch
        else:
            out.append(ch)
    return out


SPLIT_CHUNKS = chunk(SPLIT_EXAMPLE)


def bpe_merge(tokens: list[tuple[str, int]], pair: tuple[str, str], new_id: int):
    """Replace every adjacent ``pair`` in ``tokens`` by one token ``new_id``.

    >>> bpe_merge([("a", 97), ("t", 116), ("a", 97)], ("a", "t"), 256)
    [('at', 256), ('a', 97)]
    """
    out, i = [], 0
    while i < len(tokens):
        if i + 1 < len(tokens) and (tokens[i][0], tokens[i + 1][0]) == pair:
            out.append((pair[0] + pair[1], new_id))
            i += 2
        else:
            out.append(tokens[i])
            i += 1
    return out


def pair_counts(tokens: list[tuple[str, int]], chunks: list[int]) -> Tally:
    """Adjacent pairs inside chunks (``chunks[i]`` is the chunk of token ``i``)."""
    tally = Tally()
    for i in range(len(tokens) - 1):
        if chunks[i] == chunks[i + 1]:
            tally[(tokens[i][0], tokens[i + 1][0])] += 1
    return tally


def chunk_of_each(tokens) -> list[int]:
    """For each token of ``SENTENCE``, the index of the split-pattern chunk it lies in."""
    bounds, start = [], 0
    for piece in chunk(SENTENCE):
        bounds.append((start, start + len(piece)))
        start += len(piece)
    out, pos = [], 0
    for text, _ in tokens:
        out.append(next(i for i, (a, b) in enumerate(bounds) if a <= pos < b))
        pos += len(text)
    return out


def all_merges(count: int = 3) -> list[tuple[tuple[str, str], int]]:
    """The first merges BPE learns from ``SENTENCE``: ((left, right), new id), in order.

    >>> all_merges()
    [(('a', 't'), 256), (('h', 'at'), 257), (('t', 'hat'), 258)]
    """
    tokens = [(ch, ord(ch)) for ch in SENTENCE]
    merges = []
    for new_id in range(256, 256 + count):
        tally = pair_counts(tokens, chunk_of_each(tokens))
        (pair, best), *rest = tally.most_common()
        assert all(n < best for _, n in rest), "the example must have no ties"
        merges.append((pair, new_id))
        tokens = bpe_merge(tokens, pair, new_id)
    return merges


def encoded() -> list[tuple[str, int]]:
    """``SENTENCE`` after all the merges: what the finished tokenizer hands the model.

    >>> [token_id for _, token_id in encoded()]
    [258, 32, 99, 256, 44, 32, 258, 32, 257]
    """
    tokens = [(ch, ord(ch)) for ch in SENTENCE]
    for pair, new_id in all_merges():
        tokens = bpe_merge(tokens, pair, new_id)
    return tokens


# --------------------------------------------------------------------------- pictures


class NumberedStrip(TokenStrip):
    """The shared token strip with each token's id written beneath its cell.

    ``tokens`` are ``(text, id)`` pairs; ``pairs`` keeps them, ``tokens`` the texts.
    ``ids[i]`` is the id under ``cells[i]``: dim for the 256 bytes, highlighted for the
    ids that merges minted. Spaces show as open boxes.

    >>> strip = NumberedStrip([("h", 104), ("at", 256)])
    >>> strip.tokens, strip.ids[1].text
    (['h', 'at'], '256')
    """

    def __init__(self, tokens, size: float = 36, **cell_kwargs):
        self.pairs = list(tokens)
        cell_kwargs = {"min_width": 0.66, "height": 0.8, "pad": 0.17, **cell_kwargs}
        super().__init__(
            [text for text, _ in self.pairs],
            TOKEN,
            buff=0.06,
            size=size,
            show_spaces=True,
            **cell_kwargs,
        )
        self.ids = VGroup(
            *[
                mono(
                    str(token_id), size=SMALL_SIZE, color=HIGHLIGHT if token_id >= 256 else DIM
                ).next_to(cell.box, DOWN, buff=0.16)
                for cell, (_, token_id) in zip(self.cells, self.pairs, strict=True)
            ]
        )
        self.add(self.ids)

    def cells_with(self, token_id: int) -> list[TokenCell]:
        """The cells holding token ``token_id``."""
        return [c for c, (_, t) in zip(self.cells, self.pairs, strict=True) if t == token_id]


def chunk_strip(chunks, size: float = 32) -> TokenStrip:
    """Text cut into chunks: one cell per chunk, coloured by kind (word, number, other).

    >>> chunk_strip(["It", "'s", "20"]).tokens
    ['It', "'s", '20']
    """
    cells = []
    for piece in chunks:
        stripped = piece.strip()
        colour = HIGHLIGHT if stripped.isdigit() else TOKEN if stripped.isalpha() else STRUCTURE
        cells.append(TokenCell(piece, colour, size=size, height=0.75, pad=0.15, show_spaces=True))
    return TokenStrip(cells, buff=0.14)


class ByteGrid(VGroup):
    """All 256 byte values as a 16 x 16 grid of squares; ``square(b)`` is byte ``b``."""

    def __init__(self, side: float = 0.15, buff: float = 0.025, colour=FAINT):
        cells = VGroup(
            *[
                Rectangle(width=side, height=side, stroke_color=colour, stroke_width=1)
                for _ in range(256)
            ]
        ).arrange_in_grid(rows=16, cols=16, buff=buff)
        super().__init__(cells)
        self.cells = cells

    def square(self, byte: int) -> Rectangle:
        return self.cells[byte]


class MergeList(VGroup):
    """The learned merges, one rule a line: ``a + t → 256``.

    ``rows[i]`` is merge ``i``; ``more`` is the ellipsis that says the list goes on.
    """

    def __init__(self, merges, size: float = LABEL_SIZE):
        header = mono("merges", size=size, color=DIM)
        rows = VGroup()
        for (left, right), new_id in merges:
            rule = mono(f"{left} + {right} \u2192 {new_id}", size=size, color=TEXT)
            rule[-3:].set_color(HIGHLIGHT)
            rows.add(rule)
        rows.arrange(DOWN, aligned_edge=LEFT, buff=0.3)
        more = maths(r"\vdots", size=size, color=DIM)
        super().__init__(header, rows, more)
        header.next_to(rows, UP, buff=0.35, aligned_edge=LEFT)
        more.next_to(rows, DOWN, buff=0.2).align_to(rows, LEFT).shift(RIGHT * 0.2)
        self.header, self.rows, self.more = header, rows, more


class PairHeap(Labelled):
    """A max-heap of pair counts drawn as a binary tree: ``nodes[0]`` is the top.

    The circles stay put; the counts move between them. ``slots[i]`` is the count now in
    ``nodes[i]`` (``None`` when empty); ``swap`` and ``move`` return the animations.

    >>> PairHeap([9, 7, 6]).slots[0].text
    '9'
    """

    def __init__(self, counts, radius: float = 0.34, level_gap: float = 1.0, spread: float = 3.2):
        nodes, labels, edges = VGroup(), VGroup(), VGroup()
        for index, count in enumerate(counts):
            level = (index + 1).bit_length() - 1
            slot = index - (2**level - 1)
            width = spread / 2 ** (level - 1) if level else 0
            x = -spread + width / 2 + slot * width if level else 0
            node = Circle(radius=radius, stroke_color=TOKEN, stroke_width=STROKE)
            node.set_fill(TOKEN, opacity=0.12).move_to([x, -level * level_gap, 0])
            nodes.add(node)
            labels.add(mono(str(count), size=LABEL_SIZE, color=TEXT))
        for index in range(1, len(counts)):
            parent = nodes[(index - 1) // 2]
            edges.add(Line(parent.get_bottom(), nodes[index].get_top(), color=FAINT))
        super().__init__(edges, nodes, labels)
        for label, node in zip(labels, nodes, strict=True):
            self.fit_label(label, node, pad=0.12)
        self.nodes, self.labels, self.edges = nodes, labels, edges
        self.slots: list = list(labels)

    def _declare(self) -> None:
        self.labelled = [
            (label, node)
            for label, node in zip(self.slots, self.nodes, strict=True)
            if label is not None
        ]

    def take(self, index: int):
        """Lift the count out of node ``index`` (it leaves the heap's family)."""
        label = self.slots[index]
        self.labels.remove(label)
        self.slots[index] = None
        self._declare()
        return label

    def refresh(self, index: int, label) -> None:
        """Put a new count ``label`` in node ``index``; the old one leaves the family."""
        if self.slots[index] in self.labels:
            self.labels.remove(self.slots[index])
        if label not in self.labels:
            self.labels.add(label)
        self.slots[index] = label
        self._declare()

    def move(self, source: int, target: int):
        label = self.slots[source]
        self.slots[source], self.slots[target] = None, label
        self._declare()
        return label.animate.move_to(self.nodes[target])

    def swap(self, a: int, b: int):
        first, second = self.slots[a], self.slots[b]
        self.slots[a], self.slots[b] = second, first
        self._declare()
        return [first.animate.move_to(self.nodes[b]), second.animate.move_to(self.nodes[a])]

    def drop_last(self):
        """Remove the last node and its edge from the tree; returns them for a fade."""
        node, edge = self.nodes[-1], self.edges[-1]
        self.nodes.remove(node)
        self.edges.remove(edge)
        self.slots.pop()
        self._declare()
        return VGroup(node, edge)


class ToolBox(Labelled):
    """A tool in the pipeline: a box with its name inside and its job written beneath."""

    def __init__(self, name: str, job: str, colour=STRUCTURE, width: float = 2.8):
        label = mono(name, size=LABEL_SIZE, color=TEXT)
        box = Rectangle(width=width, height=1.0, stroke_color=colour, stroke_width=STROKE)
        job_label = prose(job, size=LABEL_SIZE, color=colour)
        super().__init__(box, label, job_label)
        self.fit_label(label, box)
        job_label.next_to(box, DOWN, buff=0.25)
        self.box, self.label, self.job = box, label, job_label


# --------------------------------------------------------------------------- the chapter


class Tokenizer(NarratedScene):
    def construct(self):
        setup_canvas()
        self.ask_for_numbers()
        self.show_bytes()
        self.count_pairs()
        self.merge_first_pair()
        self.keep_merging()
        self.split_with_the_pattern()
        self.train_on_text()
        self.count_the_vocabulary()
        self.train_in_rust()
        self.encode_with_tiktoken()
        self.hand_over()

    # ------------------------------------------------------------------ beats

    def ask_for_numbers(self):
        with self.beat("numbers") as t:
            title = prose("The tokenizer", size=TITLE_SIZE).to_edge(UP, buff=0.8)
            model = BlockStack(8, width=2.6, label="model").shift(DOWN * 1.5)
            self.play(
                Write(title),
                LaggedStart(*[FadeIn(b, shift=UP * 0.2) for b in model.blocks], lag_ratio=LAG),
                FadeIn(model.label),
                run_time=t.until("text"),
            )
            self.gather(model)
            text = mono(SENTENCE, size=40, color=TEXT).move_to(UP * STRIP_Y)
            arrow = Arrow(UP * 1.1, model.blocks.get_top(), color=FAINT, buff=0.15)
            cross = maths(r"\times", size=60, color=LOSS).move_to(arrow)
            self.play(FadeOut(title, shift=UP * 0.3), Write(text), run_time=STEADY)
            self.play(Create(arrow), FadeIn(cross, scale=1.5), run_time=t.until("ids"))
            strip = NumberedStrip([(ch, ord(ch)) for ch in SENTENCE]).move_to(UP * STRIP_Y)
            glyphs = iter(text)
            moves = [
                FadeIn(label) if ch == " " else ReplacementTransform(next(glyphs), label)
                for ch, label in zip(SENTENCE, strip.labels, strict=True)
            ]
            self.detach(text)
            self.play(
                *moves,
                LaggedStart(*[Create(b) for b in strip.boxes], lag_ratio=LAG / 2),
                LaggedStart(*[FadeIn(n, shift=DOWN * 0.15) for n in strip.ids], lag_ratio=LAG),
                FadeOut(cross),
                arrow.animate.set_color(TOKEN),
                run_time=STEADY,
            )
            self.gather(strip)
            self.feed(strip, model, t.until(), into=model.blocks.get_top())
            self.strip, self.model, self.arrow = strip, model, arrow

    def show_bytes(self):
        with self.beat("bytes") as t:
            strip = self.strip
            self.play(
                FadeOut(VGroup(self.model, self.arrow), shift=DOWN * 0.4), run_time=t.until("utf")
            )
            self.play(
                LaggedStart(*[Indicate(n, color=HIGHLIGHT) for n in strip.ids], lag_ratio=LAG),
                run_time=t.until("grid"),
            )
            grid = ByteGrid(side=0.16).move_to(DOWN * 1.5 + LEFT * 1.8)
            ends = VGroup(
                mono("0", size=SMALL_SIZE, color=DIM).next_to(grid.square(0), LEFT, buff=0.2),
                mono("255", size=SMALL_SIZE, color=DIM).next_to(grid.square(255), RIGHT, buff=0.2),
            )
            caption = prose("256 byte values", size=LABEL_SIZE, color=TEXT)
            caption.next_to(grid, RIGHT, buff=1.0).shift(UP * 0.6)
            self.play(
                LaggedStart(*[FadeIn(c) for c in grid.cells], lag_ratio=0.01),
                FadeIn(ends),
                Write(caption),
                run_time=QUICK,
            )
            self.gather(grid)
            # every byte of the sentence finds its square among the 256
            copies = [number.copy() for number in strip.ids]
            targets = [grid.square(ord(ch)) for ch in SENTENCE]
            self.play(
                LaggedStart(
                    *[
                        c.animate.move_to(sq).scale(0.3).set_opacity(0)
                        for c, sq in zip(copies, targets, strict=True)
                    ],
                    lag_ratio=LAG,
                ),
                LaggedStart(
                    *[sq.animate.set_fill(TOKEN, opacity=0.9) for sq in targets], lag_ratio=LAG
                ),
                run_time=t.until("long"),
            )
            self.remove(*copies)
            counter = Counter(len(SENTENCE), unit="tokens", size=48).move_to(UP * 0.35)
            self.play(
                FadeOut(VGroup(grid, ends, caption), shift=DOWN * 0.3),
                FadeIn(counter),
                run_time=QUICK,
            )
            self.play(
                counter.count(),
                LaggedStart(
                    *[Indicate(c, color=HIGHLIGHT, scale_factor=1.1) for c in strip.boxes],
                    lag_ratio=LAG,
                ),
                run_time=t.until(),
            )
            self.counter = counter

    def count_pairs(self):
        with self.beat("count-pairs") as t:
            strip = self.strip
            chunks = chunk_of_each(strip.pairs)
            top3 = [pair for pair, _ in pair_counts(strip.pairs, chunks).most_common(3)]
            rows = VGroup()
            for pair in top3:
                label = TokenStrip(list(pair), size=LABEL_SIZE, show_spaces=True, buff=0.05)
                bar = Rectangle(
                    width=1e-3, height=0.32, stroke_width=0, fill_color=TOKEN, fill_opacity=0.8
                )
                count = Integer(0, font_size=LABEL_SIZE + 6, color=TEXT)
                bar.next_to(label, RIGHT, buff=0.35)
                count.next_to(bar, RIGHT, buff=0.2)
                rows.add(VGroup(label, bar, count))
            rows.arrange(DOWN, aligned_edge=LEFT, buff=0.35).move_to(DOWN * 1.6 + LEFT * 3.6)
            for row in rows:
                row[2].add_updater(lambda m, b=row[1]: m.next_to(b, RIGHT, buff=0.2))
            self.play(FadeIn(rows, shift=UP * 0.2), run_time=t.until("sweep"))
            window = strip.window(0)
            self.play(Create(window), run_time=QUICK)
            seen = Tally()
            steps = len(strip.pairs) - 1
            step_time = t.until("top") / steps
            for i in range(steps):
                pair = (strip.pairs[i][0], strip.pairs[i + 1][0])
                anims = [Transform(window, strip.window(i))]
                if chunks[i] == chunks[i + 1] and pair in top3:
                    seen[pair] += 1
                    bar, count = rows[top3.index(pair)][1:]
                    anims += [
                        bar.animate.stretch_to_fit_width(0.55 * seen[pair], about_edge=LEFT),
                        ChangeDecimalToValue(count, seen[pair]),
                    ]
                self.play(*anims, run_time=step_time)
            for row in rows:
                row[2].clear_updaters()
            marks = self.pair_marks(top3[0])
            frame = SurroundingRectangle(rows[0], color=HIGHLIGHT, buff=0.12)
            self.play(
                ReplacementTransform(window, marks[0]),
                LaggedStart(*[Create(m) for m in marks[1:]], lag_ratio=0.3),
                Create(frame),
                run_time=QUICK,
            )
            self.gather(marks)
            self.play(
                LaggedStart(*[Indicate(m, color=HIGHLIGHT) for m in marks], lag_ratio=0.2),
                run_time=t.until(),
            )
            self.rows, self.marks, self.frame = rows, marks, frame

    def merge_first_pair(self):
        with self.beat("merge") as t:
            merges = all_merges()
            self.merge_list = MergeList(merges).move_to(DOWN * 1.5 + RIGHT * 3.2)
            rule, best = self.merge_list.rows[0], merges[0][0]
            source = VGroup(self.rows[0], self.frame)
            self.detach(source)
            self.play(
                FadeIn(self.merge_list.header),
                ReplacementTransform(source, rule),
                FadeOut(VGroup(*self.rows[1:]), shift=DOWN * 0.2),
                run_time=t.until("merge"),
            )
            new = self.merge(best, 256)
            self.play(
                LaggedStart(*[Indicate(c, color=HIGHLIGHT) for c in new.cells_with(256)]),
                run_time=t.until("shrink"),
            )
            self.play(
                ChangeDecimalToValue(self.counter.value, len(new.pairs)),
                Indicate(self.counter, color=HIGHLIGHT),
                run_time=t.until(),
            )

    def keep_merging(self):
        with self.beat("repeat") as t:
            strip = self.strip
            window = strip.window(0)
            steps = len(strip.pairs) - 1
            self.play(Create(window), run_time=QUICK)
            step_time = t.until("hat") / steps
            for i in range(1, steps):
                self.play(Transform(window, strip.window(i)), run_time=step_time)
            self.play(FadeOut(window), run_time=t.until("hat"))
            for index, mark in ((1, "hat"), (2, "that")):
                pair, new_id = all_merges()[index]
                t.wait_until(mark)
                marks = self.pair_marks(pair)
                self.play(
                    LaggedStart(*[Create(m) for m in marks], lag_ratio=0.3),
                    FadeIn(self.merge_list.rows[index], shift=DOWN * 0.2),
                    run_time=QUICK,
                )
                self.gather(marks)
                self.marks = marks
                new = self.merge(pair, new_id, counted=True)
            t.wait_until("list")
            box = SurroundingRectangle(
                VGroup(self.merge_list.rows, self.merge_list.more), color=HIGHLIGHT, buff=0.2
            )
            self.play(FadeIn(self.merge_list.more), Create(box), run_time=QUICK)
            self.gather(self.merge_list)
            self.play(
                LaggedStart(
                    *[Indicate(r, color=HIGHLIGHT, scale_factor=1) for r in self.merge_list.rows],
                    lag_ratio=0.3,
                ),
                run_time=t.until(),
            )
            self.list_box = box
            assert new is self.strip

    def split_with_the_pattern(self):
        with self.beat("regex") as t:
            text = mono(SPLIT_EXAMPLE, size=32, color=TEXT).move_to(UP * 1.6)
            old = VGroup(self.strip, self.counter, self.merge_list, self.list_box)
            self.play(FadeOut(old, shift=UP * 0.4), run_time=QUICK)
            self.play(Write(text), run_time=t.until("chunks"))
            row = chunk_strip(SPLIT_CHUNKS).move_to(UP * 1.6)
            glyphs = iter(text)
            moves = [
                FadeIn(glyph) if ch == " " else ReplacementTransform(next(glyphs), glyph)
                for piece, label in zip(SPLIT_CHUNKS, row.labels, strict=True)
                for ch, glyph in zip(piece, label, strict=True)
            ]
            self.detach(text)
            self.play(*moves, run_time=STEADY)
            self.play(
                LaggedStart(*[Create(b) for b in row.boxes], lag_ratio=LAG),
                run_time=t.until("border"),
            )
            self.gather(row)
            # a pair that would straddle two chunks: the "s" of " tokens" and the "!"
            last = len(SPLIT_CHUNKS) - 1
            straddle = SurroundingRectangle(
                VGroup(row.labels[last - 1][-1], row.labels[last]),
                color=HIGHLIGHT,
                buff=0.14,
                stroke_width=STROKE + 1,
            )
            no = maths(r"\times", size=72, color=LOSS).next_to(straddle, DOWN, buff=0.1)
            self.play(Create(straddle), run_time=QUICK)
            self.play(straddle.animate.set_color(LOSS), FadeIn(no, scale=1.5), run_time=QUICK)
            self.play(
                LaggedStart(
                    *[Indicate(b, color=TEXT, scale_factor=1.05) for b in row.boxes], lag_ratio=LAG
                ),
                run_time=t.until("digits"),
            )
            gpt4 = chunk_strip(["655", "36"])
            ours = chunk_strip(["65", "53", "6"])
            names = VGroup(
                mono("nanochat", size=LABEL_SIZE, color=TEXT),
                mono("GPT-4", size=LABEL_SIZE, color=DIM),
            ).arrange(DOWN, aligned_edge=RIGHT, buff=0.75)
            names.move_to(LEFT * 3.0 + DOWN * 0.9)
            ours.next_to(names[0], RIGHT, buff=0.5)
            gpt4.next_to(names[1], RIGHT, buff=0.5)
            digits = slice(7, 10)
            self.play(
                FadeOut(VGroup(straddle, no)),
                FadeIn(names),
                FadeIn(gpt4, shift=DOWN * 0.2),
                TransformFromCopy(VGroup(*row.boxes[digits]), ours.boxes),
                TransformFromCopy(VGroup(*row.labels[digits]), ours.labels),
                run_time=STEADY,
            )
            self.gather(ours)
            self.play(
                Indicate(ours, color=HIGHLIGHT, scale_factor=1.05),
                run_time=t.until("why"),
            )
            limits = VGroup(
                maths(r"\le 110", size=LABEL_SIZE + 10, color=HIGHLIGHT),
                maths(r"\le 1{,}110", size=LABEL_SIZE + 10, color=DIM),
            )
            limits[1].next_to(gpt4, RIGHT, buff=1.0)
            limits[0].next_to(ours, RIGHT, buff=1.0).align_to(limits[1], LEFT)
            note = prose("number tokens", size=LABEL_SIZE, color=DIM)
            note.next_to(limits, DOWN, buff=0.4, aligned_edge=LEFT)
            self.play(FadeIn(limits, shift=LEFT * 0.2), FadeIn(note), run_time=STEADY)
            self.play(Indicate(limits[0], color=HIGHLIGHT), run_time=t.until())
            self.split = VGroup(row, names, gpt4, ours, limits, note)

    def train_on_text(self):
        with self.beat("vocab") as t:
            shards = FileGrid(8, columns=4, size=0.5, colour=TOKEN).move_to(UP * 2.3 + LEFT * 4.4)
            chars = Counter(2_000_000_000, unit="characters", size=44)
            chars.next_to(shards, RIGHT, buff=0.8)
            self.play(FadeOut(self.split, shift=UP * 0.4), run_time=QUICK)
            self.play(
                LaggedStart(*[FadeIn(f, shift=DOWN * 0.2) for f in shards.files], lag_ratio=LAG),
                run_time=t.until("chars"),
            )
            self.gather(shards)
            self.play(FadeIn(chars), run_time=QUICK)
            self.play(chars.count(), run_time=t.until("merges"))
            track = Rectangle(width=8.0, height=0.7, stroke_color=TOKEN, stroke_width=STROKE)
            track.move_to(UP * 0.7)
            fill = Rectangle(width=1e-3, height=0.7, stroke_width=0, fill_color=TOKEN)
            fill.set_fill(opacity=0.35).align_to(track, LEFT).set_y(track.get_y())
            merges = Counter(65_271, unit="merges", size=44).next_to(track, DOWN, buff=0.4)
            self.play(Create(track), FadeIn(fill), FadeIn(merges), run_time=QUICK)
            self.play(
                merges.count(),
                fill.animate.stretch_to_fit_width(8.0, about_edge=LEFT),
                run_time=t.until(),
            )
            self.vocab = VGroup(shards, chars, track, fill, merges)

    def count_the_vocabulary(self):
        with self.beat("specials") as t:
            shards, chars, track, fill, merges = self.vocab
            grid = ByteGrid(side=0.035, buff=0.008, colour=TOKEN)
            grid.cells.set_fill(TOKEN, opacity=0.5)
            grid.next_to(track, LEFT, buff=0.15)
            specials = VGroup(
                *[
                    Rectangle(
                        width=0.12,
                        height=0.7,
                        stroke_color=HIGHLIGHT,
                        stroke_width=THIN,
                        fill_color=HIGHLIGHT,
                        fill_opacity=0.4,
                    )
                    for _ in SPECIAL_TOKENS
                ]
            ).arrange(RIGHT, buff=0.04)
            specials.next_to(track, RIGHT, buff=0.15)
            counts = VGroup(
                maths("256", size=LABEL_SIZE + 4, color=TOKEN).next_to(grid, DOWN, buff=0.4),
                maths("9", size=LABEL_SIZE + 4, color=HIGHLIGHT).next_to(specials, DOWN, 0.4),
            )
            counts.align_to(merges, DOWN)
            names = TokenStrip(
                [SPECIAL_TOKENS[i : i + 3] for i in range(0, 9, 3)],
                HIGHLIGHT,
                special=True,
                buff=0.25,
                line_buff=0.22,
            ).move_to(DOWN * 1.95)
            self.play(
                FadeOut(shards, shift=LEFT * 0.3),
                FadeIn(grid, shift=RIGHT * 0.3),
                FadeIn(counts[0]),
                run_time=t.until("specials"),
            )
            self.play(
                LaggedStart(*[FadeIn(s, shift=DOWN * 0.2) for s in specials], lag_ratio=LAG),
                FadeIn(counts[1]),
                run_time=STEADY,
            )
            self.gather(specials)
            self.play(
                LaggedStart(
                    *[
                        FadeIn(c, target_position=s.get_center(), scale=0.4)
                        for s, c in zip(specials, names.cells, strict=True)
                    ],
                    lag_ratio=0.15,
                ),
                run_time=t.until("total"),
            )
            self.gather(names)
            total = maths(
                r"256 + 65{,}271 + 9 = 65{,}536 = 2^{16}", size=LABEL_SIZE + 12, color=TEXT
            ).move_to(UP * 2.2)
            self.play(ReplacementTransform(chars, total), run_time=STEADY)
            self.play(
                Indicate(total, color=HIGHLIGHT, scale_factor=1.05),
                run_time=t.until("ratio"),
            )
            ratio = maths(
                r"\approx 4.8\ \text{characters per token}", size=LABEL_SIZE + 8, color=TEXT
            ).move_to(names)
            self.play(ReplacementTransform(names, ratio), run_time=STEADY)
            self.play(
                LaggedStart(
                    *[Indicate(m, color=HIGHLIGHT) for m in (grid, fill, specials)], lag_ratio=0.4
                ),
                run_time=t.until(),
            )
            self.vocab = VGroup(grid, track, fill, specials, counts, merges, total, ratio)

    def train_in_rust(self):
        with self.beat("rustbpe") as t:
            name = mono("rustbpe", size=LABEL_SIZE + 6, color=TEXT).move_to(UP * 2.7 + LEFT * 4.6)
            self.play(FadeOut(self.vocab, shift=UP * 0.4), Write(name), run_time=STEADY)
            lanes = VGroup(
                *[Line(LEFT * 1.6, RIGHT * 1.6, color=FAINT, stroke_width=THIN) for _ in range(4)]
            ).arrange(DOWN, buff=0.75)
            lanes.move_to(LEFT * 4.6 + DOWN * 0.2)
            cores = VGroup(
                *[
                    mono(f"core {i + 1}", size=SMALL_SIZE, color=DIM).next_to(lane, UP, buff=0.1)
                    for i, lane in enumerate(lanes)
                ]
            )
            cores.align_to(lanes, LEFT)
            self.play(FadeIn(lanes), FadeIn(cores), run_time=t.until("parallel"))
            chunks = VGroup()
            for lane in lanes:
                for k in range(4):
                    square = Rectangle(
                        width=0.22,
                        height=0.22,
                        stroke_color=TOKEN,
                        fill_color=TOKEN,
                        fill_opacity=0.6,
                    )
                    square.move_to(lane.get_start() + RIGHT * (0.3 + 0.4 * k))
                    chunks.add(square)
            heap = PairHeap([9, 7, 6, 5, 2, 4, 1], radius=0.42, level_gap=1.2, spread=3.4)
            heap.move_to(RIGHT * 1.0 + DOWN * 0.2)
            self.play(FadeIn(chunks, shift=RIGHT * 0.3), run_time=QUICK)
            self.play(
                LaggedStart(
                    *[
                        c.animate.move_to(lane_end).scale(0.5)
                        for c, lane_end in zip(
                            chunks,
                            [lane.get_end() for lane in lanes for _ in range(4)],
                            strict=True,
                        )
                    ],
                    lag_ratio=0.05,
                ),
                run_time=t.until("heap"),
            )
            to_heap = t.until("lazy")  # the heap's story is told in shares of this span
            self.play(
                LaggedStart(*[Create(e) for e in heap.edges], lag_ratio=0.05),
                LaggedStart(*[FadeIn(n) for n in heap.nodes], lag_ratio=0.05),
                FadeIn(heap.labels),
                chunks.animate.move_to(heap.nodes[0]).scale(0.2).set_opacity(0),
                run_time=to_heap * 0.3,
            )
            self.remove(chunks)
            self.gather(heap)
            out = MergeList(all_merges(), size=SMALL_SIZE).move_to(RIGHT * 5.2 + UP * 1.9)
            # the top pair is merged: its count leaves the heap and becomes a rule
            top = heap.take(0)
            self.play(
                heap.nodes[0].animate.set_stroke(HIGHLIGHT).set_fill(HIGHLIGHT, opacity=0.3),
                top.animate.set_color(HIGHLIGHT),
                FadeIn(out.header),
                run_time=to_heap * 0.15,
            )
            self.play(
                ReplacementTransform(top, out.rows[0]),
                heap.nodes[0].animate.set_stroke(TOKEN).set_fill(TOKEN, opacity=0.12),
                run_time=to_heap * 0.2,
            )
            # the last count fills the hole at the top and sinks below bigger children
            self.play(heap.move(6, 0), FadeOut(heap.drop_last()), run_time=to_heap * 0.1)
            self.play(*heap.swap(0, 1), run_time=to_heap * 0.1)
            self.play(*heap.swap(1, 3), run_time=t.until("lazy"))
            # lazy update: the new top's count is stale; refresh it only now, and it sinks
            stale = heap.slots[0]
            self.play(
                heap.nodes[0].animate.set_stroke(LOSS),
                stale.animate.set_color(LOSS),
                run_time=QUICK,
            )
            fresh = mono("3", size=LABEL_SIZE, color=TEXT).move_to(stale)
            self.play(ReplacementTransform(stale, fresh), run_time=QUICK)
            heap.refresh(0, fresh)
            self.gather(heap)
            self.play(*heap.swap(0, 2), heap.nodes[0].animate.set_stroke(TOKEN), run_time=QUICK)
            self.play(
                heap.nodes[0].animate.set_stroke(HIGHLIGHT).set_fill(HIGHLIGHT, opacity=0.3),
                Indicate(heap.slots[0], color=HIGHLIGHT),
                run_time=t.until(),
            )
            self.gather(heap)
            self.rust = VGroup(name, lanes, cores, heap)
            self.rust_out = VGroup(out.header, out.rows[0])

    def encode_with_tiktoken(self):
        with self.beat("tiktoken") as t:
            rust = ToolBox("rustbpe", "train", colour=TRAINED).move_to(LEFT * 4.4 + UP * 1.6)
            tik = ToolBox("tiktoken", "encode", colour=TOKEN).move_to(RIGHT * 4.4 + UP * 1.6)
            merges = MergeList(all_merges(), size=SMALL_SIZE).move_to(UP * 1.5)
            arrows = VGroup(
                Arrow(rust.box.get_right(), merges.get_left(), color=FAINT, buff=0.3),
                Arrow(merges.get_right(), tik.box.get_left(), color=FAINT, buff=0.3),
            )
            self.play(
                ReplacementTransform(self.rust, rust),
                ReplacementTransform(self.rust_out, VGroup(merges.header, merges.rows[0])),
                FadeIn(VGroup(merges.rows[1:], merges.more)),
                Create(arrows[0]),
                run_time=t.until("export"),
            )
            self.gather(merges)
            self.play(Create(arrows[1]), FadeIn(tik), run_time=STEADY)
            text = mono(SENTENCE, size=36, color=TEXT).move_to(DOWN * 0.4 + RIGHT * 1.0)
            self.play(FadeIn(text, shift=UP * 0.2), run_time=t.until("encode"))
            strip = NumberedStrip(encoded()).move_to(DOWN * 1.7)
            self.play(
                text.animate.move_to(tik.box).scale(0.2).set_opacity(0),
                Indicate(tik.box, color=TOKEN),
                run_time=STEADY,
            )
            self.remove(text)
            self.play(
                LaggedStart(
                    *[
                        FadeIn(VGroup(cell, number), shift=DOWN * 0.4)
                        for cell, number in zip(strip.cells, strip.ids, strict=True)
                    ],
                    lag_ratio=LAG,
                ),
                run_time=t.until("gap"),
            )
            self.gather(strip)
            attempt = rust.job.copy()
            no = maths(r"\times", size=60, color=LOSS)
            self.play(
                attempt.animate.next_to(tik.job, DOWN, buff=0.3),
                run_time=STEADY,
            )
            no.move_to(attempt)
            self.allow_overlap(attempt, no)  # the cross strikes the word out
            self.play(FadeIn(no, scale=1.5), attempt.animate.set_color(LOSS), run_time=QUICK)
            self.play(
                FadeOut(VGroup(attempt, no)),
                Indicate(rust.box, color=TRAINED),
                run_time=t.until(),
            )
            self.tools = VGroup(rust, tik, merges, arrows)
            self.final_strip = strip

    def hand_over(self):
        with self.beat("handover") as t:
            strip = self.final_strip
            self.play(
                FadeOut(self.tools, shift=UP * 0.4),
                strip.animate.move_to(UP * 1.6),
                run_time=t.until("model"),
            )
            model = BlockStack(10, width=2.6, label="transformer").shift(DOWN * 1.6)
            self.play(
                LaggedStart(*[FadeIn(b, shift=UP * 0.2) for b in model.blocks], lag_ratio=LAG),
                FadeIn(model.label),
                run_time=STEADY,
            )
            self.gather(model)
            self.feed(strip, model, t.until(), into=model.blocks.get_top())

    # ------------------------------------------------------------------ helpers

    def merge(self, pair, new_id: int, counted: bool = False) -> NumberedStrip:
        """Merge ``pair`` everywhere in the current strip into token ``new_id``.

        The strip shrinks in place: untouched tokens slide, each merged pair fuses into one
        cell that flashes, then settles into the token colour (and, if ``counted``, the
        token counter drops to the new length at the same time).
        """
        old = self.strip
        new = NumberedStrip(bpe_merge(old.pairs, pair, new_id)).move_to(UP * STRIP_Y)
        anims, i, j = [], 0, 0
        while i < len(old.pairs):
            if i + 1 < len(old.pairs) and (old.pairs[i][0], old.pairs[i + 1][0]) == pair:
                a, b = old.cells[i], old.cells[i + 1]
                anims += [
                    ReplacementTransform(VGroup(a.box, b.box), new.cells[j].box),
                    ReplacementTransform(VGroup(a.label, b.label), new.cells[j].label),
                    ReplacementTransform(VGroup(old.ids[i], old.ids[i + 1]), new.ids[j]),
                ]
                new.cells[j].box.set_fill(HIGHLIGHT, opacity=0.4)
                i += 2
            else:
                anims += [
                    ReplacementTransform(old.cells[i], new.cells[j]),
                    ReplacementTransform(old.ids[i], new.ids[j]),
                ]
                i += 1
            j += 1
        self.detach(old)
        self.play(*anims, FadeOut(self.marks), run_time=STEADY)
        self.gather(new)
        settle = [c.recolour(TOKEN) for c in new.cells_with(new_id)]
        if counted:
            settle.append(ChangeDecimalToValue(self.counter.value, len(new.pairs)))
        self.play(*settle, run_time=QUICK)
        self.strip = new
        return new

    def pair_marks(self, pair) -> VGroup:
        """Frames around every place where ``pair`` occurs (inside one chunk) in the strip."""
        strip = self.strip
        chunks = chunk_of_each(strip.pairs)
        return VGroup(
            *[
                strip.window(i)
                for i in range(len(strip.pairs) - 1)
                if (strip.pairs[i][0], strip.pairs[i + 1][0]) == pair and chunks[i] == chunks[i + 1]
            ]
        )

    def feed(self, strip: NumberedStrip, model: BlockStack, run_time: float, into) -> None:
        """Copies of the strip's ids stream into the model, whose blocks light up."""
        flow = [n.copy() for n in strip.ids]
        self.play(
            LaggedStart(
                *[n.animate.move_to(into).scale(0.4).set_opacity(0) for n in flow], lag_ratio=LAG
            ),
            LaggedStart(
                *[b.animate.set_fill(TOKEN, opacity=0.6) for b in model.blocks], lag_ratio=LAG
            ),
            run_time=run_time,
        )
        self.remove(*flow)

    def detach(self, *mobjects) -> None:
        """Take ``mobjects`` (and their parts) off the screen wherever they sit, so that
        transforming them leaves no ghost copies inside the groups that held them."""
        self.remove(*[m for mob in mobjects for m in mob.get_family()])

    def gather(self, whole) -> None:
        """Animations leave the parts of ``whole`` loose on screen; put it back as one group
        (each part drawn once, its label-in-box pairs visible to the layout audit)."""
        self.detach(whole)
        self.add(whole)
