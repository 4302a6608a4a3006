"""Chapter 3: the tokenizer: why bytes, why merge the most frequent pair, the walls the split
pattern puts between chunks, the 65,536 slots and what each costs, and how rustbpe trains.

Narration: script/03-tokenizer.md. Render alone with
``uv run manim -pql scenes/03_tokenizer.py``.

The merges shown are computed, not drawn by hand: ``bpe_merge`` below applies byte-pair
encoding to "that cat, that hat" exactly as rustbpe would (chunks from the split pattern,
most frequent adjacent pair first). The three merges are a+t (4 times), h+at (3) and
t+hat (2), each the unique most frequent pair at its step, and each shortens the text by
its count: 18 -> 14 -> 11 -> 9. ``leaderboard_steps`` replays rustbpe's heap on the same
sentence: after a+t, the entry for h+a still reads 3 although its true count is 0, and it
is only found out when it reaches the top.

Tokens are the shared ``TokenCell`` / ``TokenStrip``; ``NumberedStrip`` writes each token's
id beneath its cell. A merge moves each letter into the merged cell glyph by glyph (same
text, no scrambling); ids change by ``FadeTransform``; counts tick as ``DecimalNumber`` s.
"""

from __future__ import annotations

from collections import Counter as Tally

import numpy as np
from manim import (
    DOWN,
    LEFT,
    RIGHT,
    UP,
    Arrow,
    Brace,
    ChangeDecimalToValue,
    Create,
    FadeIn,
    FadeOut,
    FadeTransform,
    GrowFromEdge,
    Indicate,
    Integer,
    LaggedStart,
    Line,
    Rectangle,
    ReplacementTransform,
    SurroundingRectangle,
    TransformFromCopy,
    VGroup,
    Write,
)
from mobjects import Counter, FileGrid, ModelStack, TokenCell, TokenStrip
from style import (
    CONTENT_CENTRE,
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
    TOKEN,
    TRAINED,
    maths,
    mono,
    prose,
    setup_canvas,
)
from transitions import closing, opening

from explainer.scene import NarratedScene

SENTENCE = "that cat, that hat"
NEW_WORD = "what"  # new text the finished merge list encodes
CAFE = [("c", 99), ("a", 97), ("f", 102), ("C3", 195), ("A9", 169)]  # "café" in UTF-8
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
VOCAB, MERGES, WIDTH, D20_PARAMS = 65_536, 65_271, 1_280, 560_988_160
STRIP_Y = 1.9  # height of the token strip while it is being merged
WALLS_Y = 0.2  # ... and while the split pattern's walls drop between its chunks


def chunk(text: str) -> list[str]:
    """nanochat's split pattern, as much of it as the examples need: words with their
    leading space, runs of at most two digits, punctuation.

    >>> chunk("that cat, that hat")
    ['that', ' cat', ',', ' that', ' hat']
    >>> chunk("65536")
    ['65', '53', '6']
    """
    out: list[str] = []
    for ch in text:
        prev = out[-1] if out else ""
        if ch.isalpha() and prev and (prev[-1].isalpha() or prev == " "):
            out[-1] += ch
        elif ch.isdigit() and prev.isdigit() and len(prev) < 2:
            out[-1] += ch
        else:
            out.append(ch)
    return out


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


def chunk_of_each(tokens, text: str = SENTENCE) -> list[int]:
    """For each token of ``text``, the index of the split-pattern chunk it lies in."""
    bounds, start = [], 0
    for piece in chunk(text):
        bounds.append((start, start + len(piece)))
        start += len(piece)
    out, pos = [], 0
    for token, _ in tokens:
        out.append(next(i for i, (a, b) in enumerate(bounds) if a <= pos < b))
        pos += len(token)
    return out


def pair_counts(tokens, chunks: list[int] | None = None) -> Tally:
    """Adjacent pairs inside chunks (``chunks[i]`` is the chunk of token ``i``)."""
    chunks = chunk_of_each(tokens) if chunks is None else chunks
    tally = Tally()
    for i in range(len(tokens) - 1):
        if chunks[i] == chunks[i + 1]:
            tally[(tokens[i][0], tokens[i + 1][0])] += 1
    return tally


def all_merges(count: int = 3) -> list[tuple[tuple[str, str], int, int]]:
    """The first merges BPE learns from ``SENTENCE``: ((left, right), new id, count).

    >>> [(pair, new_id, n) for pair, new_id, n in all_merges()]
    [(('a', 't'), 256, 4), (('h', 'at'), 257, 3), (('t', 'hat'), 258, 2)]
    """
    tokens = [(ch, ord(ch)) for ch in SENTENCE]
    merges = []
    for new_id in range(256, 256 + count):
        (pair, best), *rest = pair_counts(tokens).most_common()
        assert all(n < best for _, n in rest), "the example must have no ties"
        merges.append((pair, new_id, best))
        tokens = bpe_merge(tokens, pair, new_id)
    return merges


def lengths() -> list[int]:
    """The sentence's length in tokens before and after each merge: each merge removes
    exactly as many tokens as its pair's count.

    >>> lengths()
    [18, 14, 11, 9]
    """
    tokens = [(ch, ord(ch)) for ch in SENTENCE]
    out = [len(tokens)]
    for pair, new_id, _ in all_merges():
        tokens = bpe_merge(tokens, pair, new_id)
        out.append(len(tokens))
    return out


def encoded() -> list[tuple[str, int]]:
    """``SENTENCE`` after all the merges: what the finished tokenizer hands the model.

    >>> [token_id for _, token_id in encoded()]
    [258, 32, 99, 256, 44, 32, 258, 32, 257]
    """
    tokens = [(ch, ord(ch)) for ch in SENTENCE]
    for pair, new_id, _ in all_merges():
        tokens = bpe_merge(tokens, pair, new_id)
    return tokens


def leaderboard_steps() -> list[tuple[str, tuple[str, str], int]]:
    """rustbpe's merge loop on ``SENTENCE`` (lib.rs:193-253): a max-heap of pair counts,
    ties to the smaller pair, new pairs pushed after each merge, a popped entry checked
    against the true count ("stale" entries are dropped or re-pushed).

    >>> leaderboard_steps()[:4]
    [('merge', ('a', 't'), 4), ('stale', ('h', 'a'), 3), ('merge', ('h', 'at'), 3), ('stale', ('t', 'h'), 2)]
    """
    import heapq

    tokens = [(ch, ord(ch)) for ch in SENTENCE]
    key_of: dict[str, int] = {}

    def token_id(text: str) -> int:
        return ord(text) if len(text) == 1 else key_of[text]

    true = pair_counts(tokens)
    heap = [(-n, (token_id(a), token_id(b)), (a, b)) for (a, b), n in true.items()]
    heapq.heapify(heap)
    steps, new_id = [], 256
    while heap and new_id < 259:
        neg, _, pair = heapq.heappop(heap)
        current = pair_counts(tokens)[pair]
        if -neg != current:
            steps.append(("stale", pair, -neg))
            if current > 0:
                heapq.heappush(heap, (-current, (token_id(pair[0]), token_id(pair[1])), pair))
            continue
        steps.append(("merge", pair, current))
        key_of[pair[0] + pair[1]] = new_id
        before = pair_counts(tokens)
        tokens = bpe_merge(tokens, pair, new_id)
        after = pair_counts(tokens)
        for (a, b), n in after.items():
            if n > before.get((a, b), 0):  # a pair the merge created: pushed fresh
                heapq.heappush(heap, (-n, (token_id(a), token_id(b)), (a, b)))
        new_id += 1
    return steps


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


class Leaderboard(VGroup):
    """Pair counts as a ranked list, biggest on top: each row is the pair (two small token
    cells), a bar as long as its count and the count itself.

    ``rows`` are kept in display order; ``row_for(pair)`` finds one; ``arrange_rows()``
    returns the animation that slides every row to its rank.

    >>> board = Leaderboard([(("a", "t"), 4), (("h", "a"), 3)])
    >>> [row.pair for row in board.rows], int(board.rows[0].count.get_value())
    ([('a', 't'), ('h', 'a')], 4)
    """

    UNIT = 0.75  # bar length per count
    ROW = 0.78  # row spacing

    def __init__(self, entries, size: float = 34, start: float | None = None):
        super().__init__()
        self.size = size
        self.rows = VGroup()
        for pair, count in entries:
            self.rows.add(self.make_row(pair, count if start is None else start))
        self.add(self.rows)
        self._place_all()

    def make_row(self, pair, count: float) -> VGroup:
        cells = TokenStrip(list(pair), size=self.size, show_spaces=True, buff=0.06, height=0.6)
        bar = Rectangle(width=max(self.UNIT * count, 1e-3), height=0.36, stroke_width=0)
        bar.set_fill(TOKEN, 0.8)
        number = Integer(count, font_size=self.size + 4, color=TEXT)
        row = VGroup(cells, bar, number)
        row.pair, row.cells, row.bar, row.count = tuple(pair), cells, bar, number
        number.add_updater(lambda m, b=bar: m.next_to(b, RIGHT, buff=0.18))
        return row

    def _slot(self, index: int) -> np.ndarray:
        return np.array([0.0, -index * self.ROW, 0.0])

    def _place(self, row, index: int, origin) -> None:
        row.cells.move_to(origin + self._slot(index), aligned_edge=RIGHT)
        row.bar.move_to(row.cells.get_right() + RIGHT * 0.25, aligned_edge=LEFT)

    def _place_all(self) -> None:
        origin = self.get_center() * 0 if not hasattr(self, "origin") else self.origin
        self.origin = origin
        for index, row in enumerate(self.rows):
            self._place(row, index, origin)

    def move_board(self, point) -> Leaderboard:
        shift = np.array(point) - self.origin
        self.shift(shift)
        self.origin = np.array(point, dtype=float)
        return self

    def row_for(self, pair):
        return next(row for row in self.rows if row.pair == tuple(pair))

    def target_of(self, row, index: int):
        """Where ``row`` goes at rank ``index`` (a copy placed there)."""
        ghost = VGroup(row.cells.copy(), row.bar.copy())
        ghost[0].move_to(self.origin + self._slot(index), aligned_edge=RIGHT)
        ghost[1].move_to(ghost[0].get_right() + RIGHT * 0.25, aligned_edge=LEFT)
        return ghost

    def arrange_rows(self):
        moves = []
        for index, row in enumerate(self.rows):
            ghost = self.target_of(row, index)
            moves.append(row.cells.animate.move_to(ghost[0]))
            moves.append(row.bar.animate.move_to(ghost[1]))
        return moves

    def set_count(self, row, count: float):
        """The animations that change ``row``'s count and bar to ``count``."""
        return [
            ChangeDecimalToValue(row.count, count),
            row.bar.animate.stretch_to_fit_width(max(self.UNIT * count, 1e-3), about_edge=LEFT),
        ]


class MergeList(VGroup):
    """The learned merges, one rule a line: ``a + t → 256``; ``rows[i]`` is merge ``i``."""

    def __init__(self, merges, size: float = LABEL_SIZE):
        header = prose("merges, in order", size=SMALL_SIZE, color=DIM)
        rows = VGroup()
        for (left, right), new_id, _ in merges:
            rule = mono(f"{left} + {right} \u2192 {new_id}", size=size, color=TEXT)
            rule[-3:].set_color(HIGHLIGHT)
            rows.add(rule)
        rows.arrange(DOWN, aligned_edge=LEFT, buff=0.3)
        super().__init__(header, rows)
        header.next_to(rows, UP, buff=0.35, aligned_edge=LEFT)
        self.header, self.rows = header, rows


class Page(VGroup):
    """A page of text drawn as grey lines, ten to a page; ``cover(fraction)`` returns a
    highlight over the first ``fraction`` of its text, line by line."""

    def __init__(self, lines: int = 10, width: float = 9.0, gap: float = 0.34):
        rng = np.random.default_rng(3)
        rows = VGroup()
        for i in range(lines):
            length = width * (0.55 + 0.4 * rng.random()) if i % 4 == 3 else width
            row = Line(LEFT * width / 2, LEFT * width / 2 + RIGHT * length, stroke_width=7)
            row.set_stroke(FAINT)
            rows.add(row.shift(DOWN * i * gap))
        super().__init__(rows)
        self.rows, self.gap, self.line_width = rows, gap, width

    def cover(self, fraction: float) -> VGroup:
        total = sum(r.get_length() for r in self.rows)
        left = total * fraction
        marks = VGroup()
        for row in self.rows:
            if left <= 0:
                break
            length = min(left, row.get_length())
            mark = Rectangle(width=length, height=self.gap * 0.8, stroke_width=0)
            mark.set_fill(HIGHLIGHT, 0.25).move_to(row.get_start(), aligned_edge=LEFT)
            marks.add(mark)
            left -= length
        return marks


# --------------------------------------------------------------------------- the chapter


class Tokenizer(NarratedScene):
    def construct(self):
        setup_canvas()
        bar, model = opening(self, 3)
        text = self.ask_for_numbers(bar, model)
        strip = self.start_from_bytes(model, text)
        self.weigh_the_window()
        strip, board, counter = self.count_pairs(strip)
        strip, rules = self.merge_first_pair(strip, board, counter)
        strip = self.keep_merging(strip, rules, counter)
        strip = self.build_walls(strip)
        self.cut_numbers(strip)
        vocab = self.fill_the_vocabulary()
        self.use_special_tokens(vocab)
        self.price_the_slots()
        self.train_in_rust()
        model = self.hand_over(strip)
        self.play(closing(self, model, None))

    # ------------------------------------------------------------------ text -> numbers

    def ask_for_numbers(self, bar, model):
        with self.beat("numbers") as beat:
            label = model.label
            model.remove(label)
            text = mono(SENTENCE, size=44, color=TEXT).move_to([-1.6, STRIP_Y, 0])
            # the sentence is written while the model steps aside: one picture from the start
            self.play(
                bar.enter(3),
                FadeOut(label),
                model.animate.scale(0.62).move_to([4.6, CONTENT_CENTRE[1] - 0.4, 0]),
                Write(text),
                run_time=beat.until("text"),
            )
            path = Arrow(
                text.get_bottom() + DOWN * 0.2,
                model.bottom_port() + LEFT * 0.3,
                path_arc=0.9,
                color=FAINT,
                stroke_width=4,
            )
            no = maths(r"\times", size=72, color=LOSS).move_to(path.point_from_proportion(0.5))
            self.play(Create(path), FadeIn(no, scale=1.5), run_time=beat.until("ids"))
            marks = VGroup(
                *[
                    mono("?", size=LABEL_SIZE, color=HIGHLIGHT).next_to(glyph, DOWN, buff=0.35)
                    for glyph in text
                ]
            )
            self.play(
                LaggedStart(*[FadeIn(m, shift=DOWN * 0.2) for m in marks], lag_ratio=LAG),
                run_time=beat.until(),
            )
            self.leaving = VGroup(path, no)
            text.marks = marks
            return text

    def start_from_bytes(self, model, text):
        with self.beat("bytes") as beat:
            self.play(
                FadeOut(VGroup(model, self.leaving), shift=RIGHT * 0.4), run_time=beat.until("utf")
            )
            strip = NumberedStrip([(ch, ord(ch)) for ch in SENTENCE]).move_to(UP * STRIP_Y)
            glyphs = iter(text)
            moves = []
            for ch, cell in zip(SENTENCE, strip.cells, strict=True):
                if ch == " ":
                    moves.append(FadeIn(cell.label))
                else:
                    moves.append(ReplacementTransform(next(glyphs), cell.label))
            marks = list(text.marks)
            self.remove(*text.get_family())
            spaces = [i for i, ch in enumerate(SENTENCE) if ch == " "]
            visible_ids = [n for i, n in enumerate(strip.ids) if i not in spaces]
            self.play(
                *moves,
                LaggedStart(*[Create(c.box) for c in strip.cells], lag_ratio=LAG / 2),
                *[FadeTransform(m, n) for m, n in zip(marks, visible_ids, strict=True)],
                *[FadeIn(strip.ids[i]) for i in spaces],
                run_time=STEADY,
            )
            self.remove(*[m for mob in (strip,) for m in mob.get_family()])
            self.add(strip)
            self.play(
                LaggedStart(*[Indicate(n, color=HIGHLIGHT) for n in strip.ids], lag_ratio=LAG),
                run_time=beat.until("accent"),
            )
            # an accented letter is two bytes: "café" in UTF-8
            cafe = NumberedStrip(CAFE).move_to([-3.6, -1.85, 0])
            word = mono("café", size=44, color=TEXT).next_to(cafe, UP, buff=0.7)
            brace = Brace(VGroup(cafe.cells[3], cafe.cells[4]), UP, buff=0.08, color=HIGHLIGHT)
            self.play(Write(word), run_time=QUICK)
            # each letter settles over its byte; the accented one spans two
            spots = [*cafe.cells[:3], VGroup(cafe.cells[3], cafe.cells[4])]
            self.play(
                *[
                    glyph.animate.next_to(spot, UP, buff=0.55 if i == 3 else 0.25)
                    for i, (glyph, spot) in enumerate(zip(word, spots, strict=True))
                ],
                LaggedStart(*[FadeIn(c, shift=DOWN * 0.3) for c in cafe.cells], lag_ratio=0.15),
                FadeIn(cafe.ids, shift=DOWN * 0.2),
                run_time=STEADY,
            )
            self.play(
                GrowFromEdge(brace, DOWN),
                word[-1].animate.set_color(HIGHLIGHT),
                run_time=beat.until("any"),
            )
            # every byte there is: 256 squares, and both texts light up their own
            grid = ByteGrid(side=0.16).move_to([3.9, -1.3, 0])
            ends = VGroup(
                mono("0", size=SMALL_SIZE, color=DIM).next_to(grid.square(0), LEFT, buff=0.2),
                mono("255", size=SMALL_SIZE, color=DIM).next_to(grid.square(255), RIGHT, buff=0.2),
            )
            self.play(
                LaggedStart(*[FadeIn(c) for c in grid.cells], lag_ratio=0.004),
                FadeIn(ends),
                run_time=QUICK,
            )
            used = [token_id for _, token_id in strip.pairs + cafe.pairs]
            copies = [n.copy() for n in [*strip.ids, *cafe.ids]]
            self.play(
                LaggedStart(
                    *[
                        c.animate.move_to(grid.square(b)).scale(0.3).set_opacity(0)
                        for c, b in zip(copies, used, strict=True)
                    ],
                    lag_ratio=LAG / 2,
                ),
                LaggedStart(
                    *[grid.square(b).animate.set_fill(TOKEN, 0.9) for b in used], lag_ratio=LAG / 2
                ),
                run_time=beat.until(),
            )
            self.remove(*copies)
            self.bytes_side = VGroup(word, cafe, brace, grid, ends)
            return strip

    def weigh_the_window(self):
        with self.beat("window") as beat:
            self.play(FadeOut(self.bytes_side, shift=DOWN * 0.3), run_time=QUICK)
            page = Page().move_to([0, -1.65, 0])
            self.play(
                LaggedStart(*[Create(r) for r in page.rows], lag_ratio=LAG),
                run_time=beat.until("window"),
            )
            window = mono("window: 2,048 tokens", size=LABEL_SIZE, color=HIGHLIGHT)
            window.move_to([-2.4, 0.45, 0])
            chars = Counter(2048, unit="characters", size=44).move_to([3.0, 0.45, 0])
            few = page.cover(1 / 4.8)
            self.play(FadeIn(window, shift=DOWN * 0.2), run_time=beat.until("bytes"))
            self.play(FadeIn(chars), run_time=QUICK)
            self.play(
                LaggedStart(*[GrowFromEdge(m, LEFT) for m in few], lag_ratio=0.5),
                chars.count(),
                run_time=beat.until("tokens"),
            )
            many = page.cover(1.0)
            self.play(
                *[ReplacementTransform(a, b) for a, b in zip(few, many[: len(few)], strict=True)],
                LaggedStart(*[GrowFromEdge(m, LEFT) for m in many[len(few) :]], lag_ratio=0.3),
                ChangeDecimalToValue(chars.value, 9830),
                run_time=beat.until(),
            )
            self.window = VGroup(page, many, chars, window)

    # ------------------------------------------------------------------ byte-pair encoding

    def count_pairs(self, strip):
        with self.beat("count-pairs") as beat:
            counter = Counter(len(SENTENCE), unit="tokens", size=44).move_to([0, 0.35, 0])
            counter.value.set_value(len(SENTENCE))
            self.play(FadeOut(self.window, shift=DOWN * 0.3), run_time=QUICK)
            first = [(pair, n) for pair, n in pair_counts(strip.pairs).most_common(3)]
            board = Leaderboard(first, start=0).move_board([-3.2, -1.45, 0])
            self.play(FadeIn(counter), FadeIn(board, shift=UP * 0.2), run_time=beat.until("sweep"))
            window = strip.window(0)
            self.play(Create(window), run_time=QUICK)
            chunks = chunk_of_each(strip.pairs)
            seen = Tally()
            steps = len(strip.pairs) - 1
            step_time = max(beat.time_until("top") / steps, 1 / 15)
            for i in range(steps):
                pair = (strip.pairs[i][0], strip.pairs[i + 1][0])
                anims = [window.animate.become(strip.window(i))]
                if chunks[i] == chunks[i + 1] and pair in [p for p, _ in first]:
                    seen[pair] += 1
                    anims += board.set_count(board.row_for(pair), seen[pair])
                self.play(*anims, run_time=step_time)
            top = board.rows[0]
            frame = SurroundingRectangle(top, color=HIGHLIGHT, buff=0.12)
            marks = self.pair_marks(strip, ("a", "t"))
            self.play(
                ReplacementTransform(window, marks[0]),
                LaggedStart(*[Create(m) for m in marks[1:]], lag_ratio=0.3),
                Create(frame),
                run_time=beat.until(),
            )
            self.marks, self.frame = marks, frame
            return strip, board, counter

    def merge_first_pair(self, strip, board, counter):
        with self.beat("merge") as beat:
            rules = MergeList(all_merges()).move_to([3.4, -1.5, 0])
            top = board.rows[0]
            self.play(
                FadeIn(rules.header),
                FadeTransform(VGroup(top.cells.copy(), self.frame), rules.rows[0]),
                run_time=beat.until("merge"),
            )
            strip = self.merge(strip, ("a", "t"), 256)
            self.play(
                LaggedStart(*[Indicate(c, color=HIGHLIGHT) for c in strip.cells_with(256)]),
                run_time=beat.until("shrink"),
            )
            saved = mono("\u22124", size=44, color=HIGHLIGHT).next_to(counter, RIGHT, buff=0.5)
            self.play(
                ChangeDecimalToValue(counter.value, lengths()[1]),
                FadeTransform(top.count.copy(), saved),
                run_time=beat.until("why"),
            )
            self.play(
                Indicate(top.count, color=HIGHLIGHT, scale_factor=1.3),
                Indicate(saved, color=HIGHLIGHT, scale_factor=1.3),
                run_time=beat.until(),
            )
            self.saved = saved
            self.board = board
            return strip, rules

    def keep_merging(self, strip, rules, counter):
        with self.beat("repeat") as beat:
            self.play(FadeOut(self.board, shift=LEFT * 0.3), FadeOut(self.saved), run_time=QUICK)
            for index, (mark, until) in ((1, ("hat", "that")), (2, ("that", "nine"))):
                pair, new_id, count = all_merges()[index]
                beat.wait_until(mark)
                marks = self.pair_marks(strip, pair)
                self.play(
                    LaggedStart(*[Create(m) for m in marks], lag_ratio=0.3),
                    FadeIn(rules.rows[index], shift=DOWN * 0.2),
                    run_time=QUICK,
                )
                self.marks = marks
                strip = self.merge(strip, pair, new_id)
                saved = mono(f"\u2212{count}", size=44, color=HIGHLIGHT)
                saved.next_to(counter, RIGHT, buff=0.5)
                self.play(
                    ChangeDecimalToValue(counter.value, lengths()[index + 1]),
                    FadeIn(saved, shift=LEFT * 0.2),
                    run_time=QUICK,
                )
                self.play(FadeOut(saved), run_time=max(beat.time_until(until) - 0.05, 1 / 15))
            beat.wait_until("nine")
            self.play(
                Indicate(counter, color=HIGHLIGHT, scale_factor=1.15), run_time=beat.until("list")
            )
            box = SurroundingRectangle(rules.rows, color=HIGHLIGHT, buff=0.2)
            self.play(Create(box), FadeOut(counter), run_time=beat.until("replay"))
            # new text: the rules replay in order on a word the sentence never had
            word = [(ch, ord(ch)) for ch in NEW_WORD]
            fresh = NumberedStrip(word).move_to([-3.4, -1.5, 0])
            name = mono("tiktoken", size=LABEL_SIZE, color=TOKEN).next_to(fresh, UP, buff=0.4)
            self.play(FadeIn(fresh, shift=UP * 0.2), FadeIn(name), run_time=QUICK)
            for (pair, new_id, _), rule in zip(all_merges(), rules.rows, strict=True):
                tokens = [t for t, _ in fresh.pairs]
                if not any(tuple(tokens[i : i + 2]) == pair for i in range(len(tokens) - 1)):
                    self.play(Indicate(rule, color=DIM, scale_factor=1.0), run_time=QUICK / 2)
                    continue
                self.play(Indicate(rule, color=HIGHLIGHT, scale_factor=1.05), run_time=QUICK / 2)
                fresh = self.merge_strip(fresh, pair, new_id, at=fresh.get_center(), pace=0.6)
            self.play(Indicate(fresh, color=TOKEN), run_time=beat.until())
            self.after_list = VGroup(rules, box, fresh, name)
            return strip

    def merge(self, strip, pair, new_id: int):
        """Merge ``pair`` everywhere in the sentence strip; the frames around it go."""
        marks = self.marks
        new = self.merge_strip(strip, pair, new_id, at=UP * STRIP_Y, extra=[FadeOut(marks)])
        return new

    def merge_strip(self, old, pair, new_id: int, at, extra=(), pace: float = 1.0):
        """``old`` with every ``pair`` fused into one cell ``new_id``: letters slide into
        the merged cell glyph by glyph, boxes close up, ids cross-fade to the new id."""
        new = NumberedStrip(bpe_merge(old.pairs, pair, new_id)).move_to(at)
        anims, i, j = list(extra), 0, 0
        while i < len(old.pairs):
            cell = new.cells[j]
            if i + 1 < len(old.pairs) and (old.pairs[i][0], old.pairs[i + 1][0]) == pair:
                a, b = old.cells[i], old.cells[i + 1]
                glyphs = [*a.label, *b.label]
                anims += [
                    ReplacementTransform(VGroup(a.box, b.box), cell.box),
                    *[ReplacementTransform(g, t) for g, t in zip(glyphs, cell.label, strict=True)],
                    FadeTransform(VGroup(old.ids[i], old.ids[i + 1]), new.ids[j]),
                ]
                cell.box.set_fill(HIGHLIGHT, opacity=0.4)
                i += 2
            else:
                anims += [
                    ReplacementTransform(old.cells[i], cell),
                    ReplacementTransform(old.ids[i], new.ids[j]),
                ]
                i += 1
            j += 1
        self.remove(*old.get_family())
        self.play(*anims, run_time=STEADY * pace)
        self.remove(*new.get_family())
        self.add(new)
        self.play(*[c.recolour(TOKEN) for c in new.cells_with(new_id)], run_time=QUICK * pace)
        return new

    def pair_marks(self, strip, pair) -> VGroup:
        """Frames around every place where ``pair`` occurs (inside one chunk) in the strip."""
        chunks = chunk_of_each(strip.pairs)
        return VGroup(
            *[
                strip.window(i)
                for i in range(len(strip.pairs) - 1)
                if (strip.pairs[i][0], strip.pairs[i + 1][0]) == pair and chunks[i] == chunks[i + 1]
            ]
        )

    # ------------------------------------------------------------------ the split pattern

    def build_walls(self, strip):
        with self.beat("walls") as beat:
            self.play(FadeOut(self.after_list, shift=DOWN * 0.3), run_time=QUICK)
            # open a gap at every chunk boundary, then drop a wall into it
            chunks = chunk_of_each(strip.pairs)
            gap = 0.45
            shifted = strip.copy()
            offset = 0.0
            for i, cell in enumerate(shifted.cells):
                if i and chunks[i] != chunks[i - 1]:
                    offset += gap
                cell.shift(RIGHT * offset)
                shifted.ids[i].shift(RIGHT * offset)
            shifted.scale(1.25).move_to([0, WALLS_Y, 0])
            walls = VGroup()
            for i in range(1, len(strip.pairs)):
                if chunks[i] != chunks[i - 1]:
                    x = (shifted.cells[i - 1].get_right()[0] + shifted.cells[i].get_left()[0]) / 2
                    walls.add(
                        Line(
                            [x, WALLS_Y + 1.1, 0], [x, WALLS_Y - 0.9, 0], stroke_width=6
                        ).set_color(HIGHLIGHT)
                    )
            self.play(
                *[
                    ReplacementTransform(a, b)
                    for a, b in zip(strip.cells, shifted.cells, strict=True)
                ],
                *[ReplacementTransform(a, b) for a, b in zip(strip.ids, shifted.ids, strict=True)],
                run_time=beat.until("chunks"),
            )
            self.remove(*strip.get_family())
            strip = shifted
            self.add(strip)
            names = VGroup(
                *[
                    prose(kind, size=SMALL_SIZE, color=DIM)
                    for kind in ("word", "word", "punctuation", "word", "word")
                ]
            )
            groups = self.chunk_groups(strip)
            for name, group in zip(names, groups, strict=True):
                name.next_to(group, DOWN, buff=0.85)
            self.play(
                LaggedStart(*[FadeIn(n, shift=UP * 0.2) for n in names], lag_ratio=0.2),
                run_time=beat.until("walls"),
            )
            self.play(
                LaggedStart(*[GrowFromEdge(w, UP) for w in walls], lag_ratio=0.2),
                run_time=beat.until("glue"),
            )
            # "that" then a space: a pair that would cross a wall, so it can never merge
            crossing = [
                i
                for i in range(len(strip.pairs) - 1)
                if strip.pairs[i][0] == "that" and strip.pairs[i + 1][0] == " "
            ]
            frames = VGroup(*[strip.window(i, colour=LOSS) for i in crossing])
            crosses = VGroup(
                *[maths(r"\times", size=60, color=LOSS).next_to(f, UP, buff=0.1) for f in frames]
            )
            self.play(LaggedStart(*[Create(f) for f in frames], lag_ratio=0.3), run_time=QUICK)
            self.play(
                LaggedStart(*[FadeIn(c, scale=1.5) for c in crosses], lag_ratio=0.3),
                run_time=beat.until(),
            )
            self.walls = VGroup(walls, names, frames, crosses)
            return strip

    @staticmethod
    def chunk_groups(strip) -> list[VGroup]:
        chunks = chunk_of_each(strip.pairs)
        groups: list[VGroup] = []
        for i, cell in enumerate(strip.cells):
            if not groups or chunks[i] != chunks[i - 1]:
                groups.append(VGroup())
            groups[-1].add(cell)
        return groups

    def cut_numbers(self, strip):
        with self.beat("digits") as beat:
            self.play(FadeOut(VGroup(self.walls, strip), shift=UP * 0.3), run_time=QUICK)
            number = mono("65536", size=56, color=TEXT).move_to([0, 1.9, 0])
            ours = self.digit_row(["65", "53", "6"], HIGHLIGHT)
            theirs = self.digit_row(["655", "36"], DIM)
            rows = VGroup(ours, theirs).arrange(DOWN, buff=0.5)
            names = VGroup(
                mono("nanochat", size=LABEL_SIZE, color=TEXT),
                mono("GPT-4", size=LABEL_SIZE, color=DIM),
            )
            for name, row in zip(names, rows, strict=True):
                name.next_to(row, LEFT, buff=0.6)
            table = VGroup(names, rows).move_to([-3.4, 0.1, 0])
            self.play(Write(number), run_time=QUICK)
            for row, name, until in ((ours, names[0], None), (theirs, names[1], "count")):
                glyphs = [g for label in row.labels for g in label]
                self.play(
                    *[TransformFromCopy(a, b) for a, b in zip(number, glyphs, strict=True)],
                    FadeIn(row.boxes),
                    FadeIn(name),
                    run_time=QUICK if until is None else beat.until(until),
                )
            limits = VGroup(
                maths(r"10 + 100 = 110", size=40, color=HIGHLIGHT),
                maths(r"10 + 100 + 1{,}000 = 1{,}110", size=40, color=DIM),
            )
            for limit, row in zip(limits, rows, strict=True):
                limit.set_y(row.get_y())
            limits.align_to([0.4, 0, 0], LEFT)
            caption = prose("digit tokens, at most", size=LABEL_SIZE, color=DIM)
            caption.next_to(limits, DOWN, buff=0.4).align_to(limits, LEFT)
            self.play(
                FadeIn(caption),
                LaggedStart(*[Write(x) for x in limits], lag_ratio=0.5),
                run_time=beat.until("guess"),
            )
            note = VGroup(
                mono(
                    "# nanochat/tokenizer.py, Karpathy's note (paraphrased):",
                    size=SMALL_SIZE,
                    color=DIM,
                ),
                mono(
                    "# a guess, so as not to waste tokens on numbers;", size=SMALL_SIZE, color=TEXT
                ),
                mono("# not validated yet", size=SMALL_SIZE, color=TEXT),
            ).arrange(DOWN, aligned_edge=LEFT, buff=0.15)
            note.move_to([0, -2.35, 0])
            # write the note quickly, then light up its key line while the voice finishes
            self.play(Write(note), run_time=beat.until() * 0.5)
            self.play(note[1:].animate.set_color(HIGHLIGHT), run_time=beat.until())
            self.numbers = VGroup(number, table, limits, caption, note)

    @staticmethod
    def digit_row(pieces, colour) -> TokenStrip:
        cells = [TokenCell(p, colour, size=48, height=0.95, pad=0.22) for p in pieces]
        return TokenStrip(cells, buff=0.14)

    # ------------------------------------------------------------------ the vocabulary

    def fill_the_vocabulary(self):
        with self.beat("vocab") as beat:
            self.play(FadeOut(self.numbers, shift=UP * 0.3), run_time=QUICK)
            shards = FileGrid(8, columns=8, size=0.95, colour=TOKEN).move_to([0, 1.3, 0])
            chars = Counter(2_000_000_000, unit="characters", size=56)
            chars.next_to(shards, DOWN, buff=0.7)
            self.play(
                LaggedStart(*[FadeIn(f, shift=DOWN * 0.2) for f in shards.files], lag_ratio=LAG),
                FadeIn(chars),
                run_time=QUICK,
            )
            self.play(chars.count(), run_time=beat.until("bar"))
            # one bar of 65,536 slots, drawn to scale: bytes and specials are slivers
            width = 12.4
            track = Rectangle(width=width, height=0.7, stroke_color=TOKEN, stroke_width=STROKE)
            track.move_to([0, 0.55, 0])
            total = Counter(VOCAB, unit="tokens", size=40).next_to(track, UP, buff=0.3)
            self.play(
                FadeOut(shards, shift=UP * 0.2), FadeOut(chars, shift=UP * 0.2), run_time=QUICK
            )
            self.play(Create(track), FadeIn(total), run_time=QUICK)
            self.play(total.count(), run_time=beat.until("bytes"))
            unit = width / VOCAB
            left = track.get_left()[0]
            sliver_bytes = Rectangle(width=256 * unit, height=0.7, stroke_width=0)
            sliver_bytes.set_fill(TOKEN, 1).move_to([left + 128 * unit, 0.55, 0])
            sliver_special = Rectangle(width=9 * unit, height=0.7, stroke_width=0)
            sliver_special.set_fill(HIGHLIGHT, 1).move_to([left + (VOCAB - 4.5) * unit, 0.55, 0])
            # zoom: the first 256 slots (a 16 x 16 grid) and the last 9
            grid = ByteGrid(side=0.09, buff=0.014, colour=TOKEN)
            grid.cells.set_fill(TOKEN, 0.6)
            grid.move_to([-4.9, -1.75, 0])
            zoom_b = VGroup(
                Line(sliver_bytes.get_corner(DOWN + LEFT), grid.get_corner(UP + LEFT)),
                Line(sliver_bytes.get_corner(DOWN + RIGHT), grid.get_corner(UP + RIGHT)),
            ).set_stroke(FAINT, THIN)
            bytes_label = VGroup(
                prose("256 bytes", size=LABEL_SIZE, color=TEXT),
                mono("0 - 255", size=SMALL_SIZE, color=DIM),
            ).arrange(DOWN, buff=0.15)
            bytes_label.next_to(grid, RIGHT, buff=0.35)
            self.play(
                FadeIn(sliver_bytes),
                Create(zoom_b),
                FadeIn(grid, scale=0.5),
                FadeIn(bytes_label),
                run_time=beat.until("specials"),
            )
            slots = VGroup(
                *[
                    Rectangle(
                        width=0.22, height=0.7, stroke_color=HIGHLIGHT, stroke_width=THIN
                    ).set_fill(HIGHLIGHT, 0.4)
                    for _ in SPECIAL_TOKENS
                ]
            ).arrange(RIGHT, buff=0.05)
            slots.move_to([5.1, -1.75, 0])
            zoom_s = VGroup(
                Line(sliver_special.get_corner(DOWN + LEFT), slots.get_corner(UP + LEFT)),
                Line(sliver_special.get_corner(DOWN + RIGHT), slots.get_corner(UP + RIGHT)),
            ).set_stroke(FAINT, THIN)
            special_label = VGroup(
                prose("9 special", size=LABEL_SIZE, color=TEXT),
                mono("65,527 - 65,535", size=SMALL_SIZE, color=DIM),
            ).arrange(DOWN, buff=0.15)
            special_label.next_to(slots, DOWN, buff=0.35)
            self.play(
                FadeIn(sliver_special),
                Create(zoom_s),
                FadeIn(slots, scale=0.5),
                FadeIn(special_label),
                run_time=beat.until("merges"),
            )
            fill = Rectangle(width=1e-3, height=0.7, stroke_width=0).set_fill(TOKEN, 0.35)
            fill.move_to(sliver_bytes.get_right(), aligned_edge=LEFT)
            merges = Counter(MERGES, unit="merges", size=48).move_to([0.4, -0.75, 0])
            merge_ids = mono("256 - 65,526", size=SMALL_SIZE, color=DIM).next_to(
                merges, DOWN, buff=0.2
            )
            self.play(FadeIn(merges), FadeIn(merge_ids), run_time=QUICK)
            self.play(
                merges.count(),
                fill.animate.stretch_to_fit_width(
                    sliver_special.get_left()[0] - sliver_bytes.get_right()[0], about_edge=LEFT
                ),
                run_time=beat.until(),
            )
            vocab = VGroup(
                track,
                total,
                sliver_bytes,
                sliver_special,
                grid,
                zoom_b,
                bytes_label,
                zoom_s,
                special_label,
                fill,
                merges,
                merge_ids,
            )
            vocab.slots = slots
            return vocab

    def use_special_tokens(self, vocab):
        with self.beat("specials") as beat:
            slots = vocab.slots
            rows = self.special_chat()
            self.play(FadeOut(vocab, shift=UP * 0.3), run_time=QUICK)
            order = [rows.bos, *rows.chat, *rows.tool]
            self.play(
                *[ReplacementTransform(s, c.box) for s, c in zip(slots, order, strict=True)],
                run_time=beat.until("bos"),
            )
            self.add(rows.plain)
            self.play(FadeIn(rows.bos.label), FadeIn(rows.plain[0]), run_time=beat.until("chat"))
            self.play(
                LaggedStart(*[FadeIn(c.label) for c in rows.chat], lag_ratio=0.2),
                FadeIn(rows.plain[1:3]),
                run_time=beat.until("tool"),
            )
            self.play(
                LaggedStart(*[FadeIn(c.label) for c in rows.tool], lag_ratio=0.2),
                FadeIn(rows.plain[3:]),
                run_time=beat.until("safe"),
            )
            typed = TokenCell("<|bos|>", TOKEN, size=SMALL_SIZE)
            typed.next_to(rows, DOWN, buff=0.6).align_to(rows, LEFT)
            caption = prose("typed by a user: plain text", size=SMALL_SIZE, color=DIM)
            caption.next_to(typed, RIGHT, buff=0.4)
            self.play(FadeIn(typed, shift=UP * 0.2), FadeIn(caption), run_time=beat.until())
            self.specials = VGroup(rows, typed, caption)

    def special_chat(self) -> VGroup:
        """A short chat with a calculator call, written with its special tokens."""

        def special(name: str) -> TokenCell:
            return TokenCell(name, HIGHLIGHT, special=True, size=SMALL_SIZE)

        def text(words: str) -> TokenCell:
            return TokenCell(words, TOKEN, size=SMALL_SIZE)

        bos = special("<|bos|>")
        user = [special("<|user_start|>"), text("What is 12/60?"), special("<|user_end|>")]
        call = [
            special("<|assistant_start|>"),
            special("<|python_start|>"),
            text("12/60"),
            special("<|python_end|>"),
        ]
        result = [special("<|output_start|>"), text("0.2"), special("<|output_end|>")]
        tail = [text("0.2"), special("<|assistant_end|>")]
        lines = [[bos], user, call, [*result, *tail]]
        rows = TokenStrip(lines, line_buff=0.35, buff=0.12)
        rows.scale_to_fit_width(11.5).move_to([0, 0.5, 0])
        rows.bos = bos
        rows.chat = [user[0], user[2], call[0], tail[1]]
        rows.tool = [call[1], call[3], result[0], result[2]]
        rows.plain = VGroup(user[1], call[2], result[1], tail[0])
        return rows

    def price_the_slots(self):
        with self.beat("price") as beat:
            self.play(FadeOut(self.specials, shift=UP * 0.3), run_time=QUICK)
            model = ModelStack(label=None).scale(0.72).move_to([-5.1, CONTENT_CENTRE[1], 0])
            tables = VGroup()
            for slab, name in ((model.head, "output table"), (model.embed, "input table")):
                table = Rectangle(
                    width=8.6, height=1.1, stroke_color=STRUCTURE, stroke_width=STROKE
                )
                table.set_fill(TOKEN, 0.08)
                table.move_to([1.9, slab.get_y(), 0])
                row = Rectangle(width=8.6, height=0.13, stroke_width=0).set_fill(HIGHLIGHT, 0.9)
                row.move_to(table.get_center() + UP * 0.2)
                link = Line(slab.get_right(), table.get_left(), color=FAINT, stroke_width=THIN)
                label = prose(name, size=SMALL_SIZE, color=DIM)
                label.next_to(table, UP if slab is model.head else DOWN, buff=0.12).align_to(
                    table, LEFT
                )
                size = mono("65,536 rows x 1,280", size=SMALL_SIZE, color=DIM)
                size.next_to(table, UP if slab is model.head else DOWN, buff=0.12).align_to(
                    table, RIGHT
                )
                tables.add(VGroup(table, row, link, label, size))
            self.play(FadeIn(model, shift=RIGHT * 0.3), run_time=QUICK)
            bottom, top = tables[1], tables[0]
            self.play(
                Create(bottom[2]),
                FadeIn(bottom[0]),
                FadeIn(bottom[3]),
                FadeIn(bottom[4]),
                run_time=beat.until("rows"),
            )
            numbers = mono("1,280 numbers", size=SMALL_SIZE, color=HIGHLIGHT)
            numbers.move_to(bottom[0]).shift(DOWN * 0.2)
            self.play(GrowFromEdge(bottom[1], LEFT), FadeIn(numbers), run_time=beat.until("out"))
            self.play(
                Create(top[2]),
                FadeIn(top[0]),
                FadeIn(top[3]),
                FadeIn(top[4]),
                TransformFromCopy(bottom[1], top[1]),
                run_time=beat.until("total"),
            )
            sum_ = maths(r"2 \times 65{,}536 \times 1{,}280 =", size=40, color=TEXT)
            params = Counter(168, unit="M parameters", size=44)
            line = VGroup(sum_, params).arrange(RIGHT, buff=0.3)
            line.move_to([1.9, CONTENT_CENTRE[1] + 0.35, 0])
            self.play(Write(sum_), FadeIn(params), run_time=QUICK)
            self.play(params.count(), run_time=beat.until("share"))
            share = Rectangle(width=8.6, height=0.28, stroke_color=STRUCTURE, stroke_width=THIN)
            share.next_to(line, DOWN, buff=0.3).set_x(1.9)
            part = Rectangle(width=8.6 * 167_772_160 / D20_PARAMS, height=0.28, stroke_width=0)
            part.set_fill(HIGHLIGHT, 0.8).move_to(share, aligned_edge=LEFT)
            tag = mono("30% of d20", size=SMALL_SIZE, color=HIGHLIGHT).next_to(
                part, RIGHT, buff=0.2
            )
            self.play(
                Create(share), GrowFromEdge(part, LEFT), FadeIn(tag), run_time=beat.until("trade")
            )
            # more tokens: shorter text, but every token adds a row to both tables
            self.play(
                *[t[0].animate.stretch(1.06, 1).set_fill(HIGHLIGHT, 0.18) for t in tables],
                run_time=beat.until(),
            )
            self.price = VGroup(model, tables, numbers, line, share, part, tag)

    # ------------------------------------------------------------------ rustbpe

    def train_in_rust(self):
        with self.beat("rustbpe") as beat:
            self.play(FadeOut(self.price, shift=UP * 0.3), run_time=QUICK)
            name = mono("rustbpe", size=40, color=TEXT).move_to([0, 2.35, 0])
            lanes = VGroup(
                *[Line(LEFT * 4.6, RIGHT * 4.6, color=FAINT, stroke_width=STROKE) for _ in range(4)]
            ).arrange(DOWN, buff=0.95)
            lanes.move_to([0.6, -0.55, 0])
            cores = VGroup(
                *[
                    mono(f"core {i + 1}", size=SMALL_SIZE, color=DIM).next_to(lane, LEFT, buff=0.3)
                    for i, lane in enumerate(lanes)
                ]
            )
            rounds = mono("65,271 x  find the top pair", size=SMALL_SIZE + 4, color=HIGHLIGHT)
            rounds.next_to(name, DOWN, buff=0.3)
            self.play(Write(name), run_time=beat.until("rounds"))
            self.play(FadeIn(rounds, shift=UP * 0.2), run_time=QUICK)
            self.play(FadeIn(lanes), FadeIn(cores), run_time=beat.until("cores"))
            chunks = VGroup()
            for lane in lanes:
                for k in range(5):
                    square = Rectangle(width=0.3, height=0.3, stroke_color=TOKEN)
                    square.set_fill(TOKEN, 0.6).move_to(lane.get_start() + RIGHT * (0.3 + 0.55 * k))
                    chunks.add(square)
            self.play(FadeIn(chunks, shift=RIGHT * 0.3), run_time=QUICK)
            ends = [lane.get_end() for lane in lanes for _ in range(5)]
            self.play(
                LaggedStart(
                    *[c.animate.move_to(e).scale(0.5) for c, e in zip(chunks, ends, strict=True)],
                    lag_ratio=0.04,
                ),
                run_time=beat.until("loop"),
            )
            # one core runs the merge loop, reading a leaderboard of pair counts
            steps = leaderboard_steps()
            start = [
                (pair, n) for pair, n in pair_counts([(c, ord(c)) for c in SENTENCE]).most_common(4)
            ]
            board = Leaderboard(start).move_board([-1.6, 1.2, 0])
            one = cores[0]
            self.play(
                FadeOut(VGroup(lanes, cores[1:], rounds), shift=DOWN * 0.2),
                chunks.animate.move_to(lanes[0].get_end()).scale(0.4).set_opacity(0),
                name.animate.move_to([-4.3, 2.35, 0]),
                one.animate.move_to([-0.6, 2.35, 0]).set_color(TEXT),
                run_time=QUICK,
            )
            self.remove(chunks)
            self.play(FadeIn(board, shift=LEFT * 0.2), run_time=beat.until("board"))
            span = beat.until("stale")
            # merge the top pair (a, t): it leaves the board; new pairs join with fresh counts
            top = board.rows[0]
            rule = mono("a + t \u2192 256", size=40, color=TRAINED).move_to([4.3, 1.0, 0])
            self.play(
                FadeTransform(VGroup(top.cells, top.bar, top.count), rule), run_time=span * 0.35
            )
            board.rows.remove(top)
            fresh = [board.make_row(("h", "at"), 3), board.make_row(("c", "at"), 1)]
            for row in fresh:
                board.rows.add(row)
            # the stale h+a entry keeps its old 3 and stays ahead of h+at
            order = sorted(board.rows, key=lambda r: (-r.count.get_value(), r.pair != ("h", "a")))
            board.rows.remove(*order)
            board.rows.add(*order)
            for row in fresh:
                ghost = board.target_of(row, list(board.rows).index(row))
                row.cells.move_to(ghost[0])
                row.bar.move_to(ghost[1])
            self.play(
                *board.arrange_rows(),
                *[FadeIn(VGroup(r.cells, r.bar, r.count), shift=LEFT * 0.3) for r in fresh],
                run_time=span * 0.6,
            )
            stale = board.row_for(("h", "a"))
            frame = SurroundingRectangle(stale, color=LOSS, buff=0.1)
            self.play(Create(frame), run_time=QUICK)
            self.play(
                *board.set_count(stale, 0), stale.count.animate.set_color(LOSS), run_time=QUICK
            )
            board.rows.remove(stale)
            self.play(FadeOut(VGroup(stale, frame)), *board.arrange_rows(), run_time=QUICK)
            top = board.rows[0]
            rule2 = mono("h + at \u2192 257", size=40, color=TRAINED).next_to(rule, DOWN, buff=0.45)
            rule2.align_to(rule, LEFT)
            self.play(
                FadeTransform(VGroup(top.cells, top.bar, top.count), rule2), run_time=beat.until()
            )
            assert steps[0][0] == "merge" and steps[1] == ("stale", ("h", "a"), 3)
            self.rust = VGroup(name, one, board, rule, rule2)

    def hand_over(self, strip):
        with self.beat("handover") as beat:
            self.play(FadeOut(self.rust, shift=UP * 0.3), run_time=QUICK)
            final = NumberedStrip(encoded()).move_to(UP * STRIP_Y)
            model = ModelStack(label=None).scale(0.55).move_to([0, -1.6, 0])
            self.play(
                LaggedStart(
                    *[
                        FadeIn(VGroup(c, n), shift=DOWN * 0.2)
                        for c, n in zip(final.cells, final.ids, strict=True)
                    ],
                    lag_ratio=LAG,
                ),
                run_time=beat.until("nine"),
            )
            self.play(
                Indicate(final.ids, color=HIGHLIGHT),
                FadeIn(model, shift=UP * 0.3),
                run_time=beat.until("model"),
            )
            flow = [n.copy() for n in final.ids]
            self.play(
                LaggedStart(
                    *[
                        n.animate.move_to(model.bottom_port()).scale(0.4).set_opacity(0)
                        for n in flow
                    ],
                    lag_ratio=LAG,
                ),
                model.pulse(),
                run_time=beat.until(),
            )
            self.remove(*flow)
            return model
