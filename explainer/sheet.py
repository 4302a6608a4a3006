"""Contact sheets: a grid of labelled frames so a reviewer sees a chapter at a glance."""

from __future__ import annotations

import math
from pathlib import Path

from . import media
from .errors import UserError, display
from .manifest import ChapterRecord

THUMB = (384, 216)
COLUMNS = 6
MAX_FRAMES = 36


def frame_times(duration: float, step: float | None = None) -> list[float]:
    """One frame every few seconds (at least every 2.5 s, at most ``MAX_FRAMES`` in all)."""
    step = step or max(2.5, duration / MAX_FRAMES)
    count = max(1, int(duration // step))
    return [round(step * (i + 0.5), 3) for i in range(count)]


def grab(video: Path, t: float):
    from PIL import Image

    result = media.run(media.frame_args(video, t, THUMB), f"reading a frame of {video.name}")
    if len(result.stdout) != THUMB[0] * THUMB[1] * 3:
        raise UserError(
            f"{display(video)}: cannot read a frame at {t:.1f} s; render the chapter again"
        )
    return Image.frombytes("RGB", THUMB, result.stdout)


def contact_sheet(record: ChapterRecord, video: Path, out: Path) -> Path:
    """A PNG grid of ``video``'s frames, each labelled with its time and beat."""
    from PIL import Image, ImageDraw, ImageFont

    times = frame_times(record.duration)
    rows = math.ceil(len(times) / COLUMNS)
    label_h = 26
    sheet = Image.new("RGB", (COLUMNS * (THUMB[0] + 4), rows * (THUMB[1] + label_h + 4)), "#222222")
    try:
        font = ImageFont.truetype(
            "/usr/share/fonts/truetype/jetbrains-mono/JetBrainsMono-Regular.ttf", 16
        )
    except OSError:
        font = ImageFont.load_default()
    draw = ImageDraw.Draw(sheet)
    for index, t in enumerate(times):
        x = (index % COLUMNS) * (THUMB[0] + 4)
        y = (index // COLUMNS) * (THUMB[1] + label_h + 4)
        sheet.paste(grab(video, t), (x, y + label_h))
        minutes, seconds = divmod(t, 60)
        draw.text(
            (x + 6, y + 4),
            f"{int(minutes)}:{seconds:04.1f}  {record.beat_at(t)}",
            fill="#F0AC5F",
            font=font,
        )
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(out.stem + ".part.png")
    sheet.save(tmp)
    tmp.replace(out)
    return out
