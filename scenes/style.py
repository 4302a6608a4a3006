"""The look of the whole video, in one place: palette by meaning, fonts, sizes, pacing.

Scenes use these names, never colour literals or font names. The palette is
Manim's named colours with one meaning each (see ../shared/style-guide.md):

>>> from style import TOKEN, prose
>>> bool(prose("tokens", color=TOKEN).height > 0)
True
"""

from __future__ import annotations

from xml.sax.saxutils import escape

from manim import (
    BLACK,
    BLUE_C,
    GOLD_C,
    GREEN_C,
    GREY_A,
    GREY_B,
    GREY_C,
    GREY_D,
    GREY_E,
    PURPLE_C,
    RED_C,
    TEAL_C,
    YELLOW_C,
    MarkupText,
    MathTex,
    Text,
    config,
)

# ---- palette: one meaning per colour, used everywhere by name
BACKGROUND = BLACK
TOKEN = BLUE_C  # tokens, data, text flowing through the pipeline
KEY = TEAL_C  # attention keys
QUERY = YELLOW_C  # attention queries
HIGHLIGHT = YELLOW_C  # "look here", the active thing
VALUE = GOLD_C  # attention values; also money and cost
MONEY = GOLD_C
LOSS = RED_C  # loss, masked out, errors
MASKED = RED_C
TRAINED = GREEN_C  # trained on, correct, done
OPTIMIZER = PURPLE_C
TEXT = GREY_A  # prose and labels (#DDDDDD)
STRUCTURE = GREY_B  # outlines of boxes, arrows
DIM = GREY_C  # secondary labels
FAINT = GREY_D  # inactive structure
GHOST = GREY_E  # barely-there backgrounds, grid lines

# ---- fonts: serif prose, LaTeX for maths, monospace for files, tokens and code
PROSE_FONT = "CMU Serif"
MONO_FONT = "JetBrains Mono"

# ---- sizes (Manim font_size); at most three on screen at once
TITLE_SIZE = 56
BODY_SIZE = 40
LABEL_SIZE = 30
SMALL_SIZE = 24  # the smallest allowed: a capital is about 20 px tall at 1080p

# ---- layout
SAFE_MARGIN = 0.5  # keep everything this far inside the frame edges
# the pipeline bar is docked along the top edge; pictures live below it
CONTENT_TOP = 2.95  # nothing of a picture above this line (the bar sits above it)
CONTENT_BOTTOM = -3.6
CONTENT_CENTRE = (0.0, (CONTENT_TOP + CONTENT_BOTTOM) / 2, 0.0)
STROKE = 2.5
THIN = 1.5

# ---- pacing (seconds): named so scenes never tune waits by ear
QUICK = 0.5
STEADY = 1.0
SLOW = 1.8
LAG = 0.1  # LaggedStart lag_ratio for groups


def setup_canvas() -> None:
    """Black background for every chapter."""
    config.background_color = BACKGROUND


def prose(text: str, size: float = BODY_SIZE, color=TEXT, **kwargs) -> Text:
    """Serif prose: a caption for the picture, never more than ~12 words."""
    return Text(text, font=PROSE_FONT, font_size=size, color=color, **kwargs)


class Mono(MarkupText):
    """Monospace text with every ligature off, one glyph per character.

    JetBrains Mono joins ``<|``, ``|>``, ``->``, ``==`` and ``####`` through its
    contextual alternates, which Manim's ``disable_ligatures`` leaves on (and then
    ``Text`` refuses the string). Pango's font features turn them off, so special
    tokens are written as they are: ``mono("<|bos|>")``. ``.text`` is the string
    without spaces, as for ``Text``; ``.source`` is the string as given.

    >>> len(mono("<|bos|>")), mono("a b").text
    (7, 'ab')
    """

    def __init__(self, text: str, font_size: float, color, **kwargs) -> None:
        markup = f'<span font_features="calt=0, liga=0">{escape(text)}</span>'
        super().__init__(
            markup,
            font=MONO_FONT,
            font_size=font_size,
            color=color,
            disable_ligatures=True,
            **kwargs,
        )
        self.source = text
        self.text = "".join(text.split())


def mono(text: str, size: float = LABEL_SIZE, color=TEXT, **kwargs) -> Mono:
    """Monospace for file names, tokens and code; every character drawn as itself."""
    return Mono(text, font_size=size, color=color, **kwargs)


def maths(tex: str, size: float = BODY_SIZE, color=TEXT, **kwargs) -> MathTex:
    """LaTeX for anything mathematical."""
    return MathTex(tex, font_size=size, color=color, **kwargs)


def safe_width() -> float:
    return config.frame_width - 2 * SAFE_MARGIN


def safe_height() -> float:
    return config.frame_height - 2 * SAFE_MARGIN


def content_height() -> float:
    """The height pictures may use below the docked pipeline bar."""
    return CONTENT_TOP - CONTENT_BOTTOM
