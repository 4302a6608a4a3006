"""The watch page: a player with captions, chapters and a live transcript, beside the video.

Every render leaves, in ``build/<quality>/``:

* ``index.html`` for the full video (when it has been assembled) and ``NN-slug.html``
  for each rendered chapter (its "chapters" are the chapter's beats: a review page);
* ``<video>.chapters.vtt``: the chapter cues of ``<track kind="chapters">``, from the
  measured durations (beats for a chapter page);
* ``assets/``: the page's stylesheet and script (package data in ``page_assets/``),
  the fonts the video uses (CMU Serif, JetBrains Mono, copied from the system so the
  page looks the same offline), and a poster per video (``assets/posters/``).

The page needs no network and no server: every link is relative, the transcript and
the chapter list are written into the HTML, and the cues are also embedded so the
script can rebuild the tracks where a browser refuses to read ``.vtt`` files from
``file://`` (Chromium does). ``render.py serve`` adds range requests and live reload.

Everything is derived from ``manifest.json`` (read only by :func:`read_manifest`) and
the SRT beside each video; files are rewritten only when their bytes change, so a
no-op render leaves the pages' mtimes alone.
"""

from __future__ import annotations

import html
import json
import os
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from string import Template

import numpy as np

from . import captions, media
from . import manifest as manifest_schema
from .assemble import TITLE
from .errors import UserError
from .settings import QUALITIES

ASSETS = Path(__file__).resolve().parent / "page_assets"
NANOCHAT_REPO = "https://github.com/karpathy/nanochat"
NANOCHAT_COMMIT = "48abd7d"  # the commit the video describes
NANOCHAT_DATE = "1 January 2026"
LEDE = (
    "How Andrej Karpathy\u2019s nanochat builds a small ChatGPT from scratch, in one "
    "readable repository: tokenizer, pretraining, midtraining, fine-tuning, "
    "reinforcement learning and inference."
)
PARAGRAPH_WORDS = 40  # a beat shorter than this joins the next one's paragraph
POSTER_CANDIDATES = 12  # settled frames considered for a poster (see poster_score)
# the fonts the video uses: (family, style), copied into assets/fonts when this machine has them
FONTS = (("CMU Serif", "Roman"), ("CMU Serif", "Italic"), ("JetBrains Mono", "Regular"))


# --------------------------------------------------------------------------- the manifest


@dataclass(frozen=True)
class BeatEntry:
    id: str
    start: float  # seconds into its chapter


@dataclass(frozen=True)
class ChapterEntry:
    key: str
    number: int
    title: str
    duration: float  # measured: frames / fps
    video: Path
    voice: str
    beats: tuple[BeatEntry, ...]


@dataclass(frozen=True)
class FullChapter:
    key: str
    title: str
    start: float
    duration: float


@dataclass(frozen=True)
class FullEntry:
    video: Path
    duration: float
    chapters: tuple[FullChapter, ...]


@dataclass(frozen=True)
class Manifest:
    build: Path
    quality: str
    chapters: tuple[ChapterEntry, ...]
    full: FullEntry | None


def read_manifest(build: Path) -> Manifest | None:
    """What ``build/<quality>/manifest.json`` says was rendered, or ``None`` before a render.

    Read through :mod:`explainer.manifest` (the one schema); only entries whose video
    still exists are kept.
    """
    if not (build / manifest_schema.NAME).exists():
        return None
    stored = manifest_schema.Manifest.load(build)
    chapters = tuple(
        ChapterEntry(
            key=c.key,
            number=c.number,
            title=c.title,
            duration=c.duration,
            video=stored.video(c),
            voice=c.voice,
            beats=tuple(BeatEntry(b.id, b.start) for b in c.beats),
        )
        for c in stored.chapters.values()
        if "video" in c.outputs
    )
    full = None
    if stored.full and "video" in stored.full.outputs:
        full = FullEntry(
            video=stored.path(stored.full.outputs["video"]),
            duration=stored.full.duration,
            chapters=tuple(
                FullChapter(c["key"], c["title"], float(c["start"]), float(c["duration"]))
                for c in stored.full.chapters
            ),
        )
    return Manifest(
        build=build,
        quality=stored.quality,
        chapters=tuple(c for c in chapters if c.video.exists()),
        full=full if full and full.video.exists() else None,
    )


# --------------------------------------------------------------------------- what a page shows


@dataclass(frozen=True)
class Section:
    """One entry of a page's chapter list: a chapter of the full video, or a beat."""

    title: str
    start: float
    end: float
    breaks: tuple[float, ...] = ()  # where a paragraph may start (beat starts)
    mono: bool = False  # a beat id, shown as code


@dataclass(frozen=True)
class Page:
    stem: str  # the HTML file's name without .html
    video: Path
    title: str
    kicker: str
    lede: str
    duration: float
    sections: tuple[Section, ...]
    sections_name: str  # "Chapters" or "Beats"
    cues: tuple[captions.Cue, ...]
    quality: str
    voice: str


def clock(seconds: float) -> str:
    """``m:ss`` (or ``h:mm:ss``), rounded down like a player's clock.

    >>> clock(0), clock(61.9), clock(3725)
    ('0:00', '1:01', '1:02:05')
    """
    whole = int(seconds + 1e-6)
    hours, rest = divmod(whole, 3600)
    if hours:
        return f"{hours}:{rest // 60:02d}:{rest % 60:02d}"
    return f"{rest // 60}:{rest % 60:02d}"


def iso_duration(seconds: float) -> str:
    """A ``<time datetime>`` duration: ``PT15M48S``.

    >>> iso_duration(948.4), iso_duration(14.667)
    ('PT15M48S', 'PT14S')
    """
    minutes, secs = divmod(int(seconds + 1e-6), 60)
    return f"PT{minutes}M{secs}S" if minutes else f"PT{secs}S"


def beat_sections(beats: tuple[BeatEntry, ...], duration: float) -> tuple[Section, ...]:
    """A chapter's beats as contiguous sections: each lasts until the next one starts.

    >>> [(s.title, s.start, s.end) for s in beat_sections(
    ...     (BeatEntry("hook", 0.0), BeatEntry("repo", 4.5)), 9.0)]
    [('hook', 0.0, 4.5), ('repo', 4.5, 9.0)]
    """
    starts = [0.0] + [b.start for b in beats[1:]]
    ends = starts[1:] + [duration]
    return tuple(
        Section(b.id, s, e, breaks=(s,), mono=True)
        for b, s, e in zip(beats, starts, ends, strict=True)
    )


def chapters_vtt(sections: tuple[Section, ...]) -> str:
    """The WebVTT file of ``<track kind="chapters">``: one cue per section."""
    return captions.to_vtt([captions.Cue(s.start, s.end, s.title) for s in sections])


def grouped(
    cues: tuple[captions.Cue, ...], sections: tuple[Section, ...]
) -> list[list[list[captions.Cue]]]:
    """Cues per section, in paragraphs: a paragraph ends where a beat starts, unless it
    holds fewer than ``PARAGRAPH_WORDS`` words (short beats join the next one)."""
    out: list[list[list[captions.Cue]]] = [[] for _ in sections]
    for cue in cues:
        index = 0
        for i, section in enumerate(sections):
            if section.start <= cue.start + 1e-3:
                index = i
        paragraphs = out[index]
        section = sections[index]
        new_beat = any(
            paragraphs and paragraphs[-1][-1].start < b <= cue.start + 1e-3 for b in section.breaks
        )
        words = sum(len(c.flat.split()) for c in paragraphs[-1]) if paragraphs else 0
        if not paragraphs or (new_beat and words >= PARAGRAPH_WORDS):
            paragraphs.append([])
        paragraphs[-1].append(cue)
    return out


def full_page(manifest: Manifest) -> Page | None:
    """The page of the assembled video, or ``None`` before the first assembly."""
    full = manifest.full
    if full is None:
        return None
    entries = {c.key: c for c in manifest.chapters}
    sections = []
    for chapter, after in zip(full.chapters, [*full.chapters[1:], None], strict=True):
        end = after.start if after else full.duration
        entry = entries.get(chapter.key)
        breaks: tuple[float, ...] = ()
        # beat starts only where the chapter's last render is the one in the full video
        if entry and abs(entry.duration - chapter.duration) < 0.01:
            breaks = tuple(chapter.start + b.start for b in entry.beats)
        sections.append(Section(chapter.title, chapter.start, end, breaks))
    voices = sorted({c.voice for c in manifest.chapters if c.voice})
    return Page(
        stem="index",
        video=full.video,
        title=TITLE,
        kicker="A narrated explainer",
        lede=LEDE,
        duration=full.duration,
        sections=tuple(sections),
        sections_name="Chapters",
        cues=tuple(_cues(full.video)),
        quality=manifest.quality,
        voice=", ".join(voices),
    )


def chapter_page(manifest: Manifest, chapter: ChapterEntry) -> Page:
    """A chapter's own page: its beats are the chapter list (for review)."""
    return Page(
        stem=chapter.key,
        video=chapter.video,
        title=f"{chapter.number}. {chapter.title}",
        kicker=f"{TITLE} \u00b7 chapter {chapter.number} \u00b7 review page",
        lede="",
        duration=chapter.duration,
        sections=beat_sections(chapter.beats, chapter.duration),
        sections_name="Beats",
        cues=tuple(_cues(chapter.video)),
        quality=manifest.quality,
        voice=chapter.voice,
    )


def _cues(video: Path) -> list[captions.Cue]:
    srt = video.with_suffix(".srt")
    try:
        return captions.parse_srt(srt.read_text("utf-8"))
    except FileNotFoundError:
        raise UserError(f"{srt}: missing; render {video.stem} again") from None


# --------------------------------------------------------------------------- HTML


def _attr(value: object) -> str:
    return html.escape(str(value), quote=True)


APOSTROPHE = re.compile(r"(?<=[A-Za-z])&#x27;(?=[A-Za-z])")  # html.escape's form of '
SPECIAL_TOKEN = re.compile(r"&lt;\|[A-Za-z0-9_]+\|&gt;|#{2,}")  # <|bos|>, ####


def prose(text: str) -> str:
    """Caption text as HTML: escaped, apostrophes typeset, special tokens set as code
    (as the video draws them).

    >>> prose("it doesn't start with <|bos|> & end")
    'it doesn’t start with <code>&lt;|bos|&gt;</code> &amp; end'
    >>> prose("the number after ####")
    'the number after <code>####</code>'
    """
    text = APOSTROPHE.sub("\u2019", _attr(text))
    return SPECIAL_TOKEN.sub(lambda m: f"<code>{m.group(0)}</code>", text)


def _t(seconds: float) -> str:
    return f"{seconds:.3f}"


def quality_label(quality: str) -> str:
    """``480p15`` for ``low``."""
    if quality not in QUALITIES:
        return quality
    _, _, height, fps = QUALITIES[quality]
    return f"{height}p{fps}"


def _size(path: Path) -> str:
    size = path.stat().st_size
    for unit in ("bytes", "KB", "MB", "GB"):
        if size < 1000 or unit == "GB":
            return f"{size:.0f} {unit}" if unit in ("bytes", "KB") else f"{size:.1f} {unit}"
        size /= 1000
    return ""


def _chapter_list(page: Page) -> str:
    items = []
    for number, s in enumerate(page.sections, start=1):
        title = f"<code>{_attr(s.title)}</code>" if s.mono else _attr(s.title)
        items.append(
            f'<li><a class="section" href="#t={_t(s.start)}" data-start="{_t(s.start)}" '
            f'data-end="{_t(s.end)}"><span class="section-number">{number}</span>'
            f'<span class="section-title">{title}</span>'
            f'<time class="section-time" datetime="{iso_duration(s.start)}">{clock(s.start)}</time>'
            "</a></li>"
        )
    return "\n".join(items)


def _transcript(page: Page) -> str:
    out = []
    first = True
    for number, (section, paragraphs) in enumerate(
        zip(page.sections, grouped(page.cues, page.sections), strict=True), start=1
    ):
        title = f"<code>{_attr(section.title)}</code>" if section.mono else _attr(section.title)
        out.append(
            f'<section class="transcript-section" aria-labelledby="tx-{number}">'
            f'<h3 id="tx-{number}"><span class="section-number">{number}</span> {title} '
            f'<time class="section-time" datetime="{iso_duration(section.start)}">'
            f"{clock(section.start)}</time></h3>"
        )
        for paragraph in paragraphs:
            spans = []
            for cue in paragraph:
                tab = "0" if first else "-1"
                first = False
                spans.append(
                    f'<a class="cue" href="#t={_t(cue.start)}" data-start="{_t(cue.start)}" '
                    f'data-end="{_t(cue.end)}" tabindex="{tab}">{prose(cue.flat)}</a>'
                )
            out.append("<p>" + " ".join(spans) + "</p>")
        out.append("</section>")
    return "\n".join(out)


def _downloads(page: Page, build: Path) -> str:
    video = page.video
    kinds = [
        (video, "Video (MP4)", quality_label(page.quality)),
        (video.with_suffix(".srt"), "Captions (SRT)", ""),
        (video.with_suffix(".vtt"), "Captions (WebVTT)", ""),
        (build / "chapters.txt" if page.stem == "index" else None, "Chapter list", "for YouTube"),
        (_chapters_vtt_path(page), f"{page.sections_name} (WebVTT)", ""),
    ]
    items = []
    for path, what, detail in kinds:
        if path is None or not path.exists():
            continue
        rel = os.path.relpath(path, build)
        note = ", ".join(x for x in (detail, _size(path)) if x)
        items.append(
            f'<li><a href="{_attr(rel)}" download>{what}</a> <span class="detail">{note}</span></li>'
        )
    return "\n".join(items)


def _chapters_vtt_path(page: Page) -> Path:
    return page.video.with_name(page.video.stem + ".chapters.vtt")


def _facts(page: Page) -> str:
    facts = [
        ("Length", f'<time datetime="{iso_duration(page.duration)}">{clock(page.duration)}</time>'),
        (page.sections_name, str(len(page.sections))),
        (
            "nanochat",
            f'commit <a href="{NANOCHAT_REPO}/tree/{NANOCHAT_COMMIT}"><code>{NANOCHAT_COMMIT}'
            f"</code></a>, {NANOCHAT_DATE}",
        ),
    ]
    if page.voice:
        facts.append(("Voice", _attr(page.voice)))
    facts.append(("Picture", quality_label(page.quality)))
    return "\n".join(f"<div><dt>{k}</dt><dd>{v}</dd></div>" for k, v in facts)


def _nav(page: Page, pages: list[Page]) -> str:
    """Previous / whole video / next links on a chapter page."""
    if page.stem == "index":
        return ""
    chapters = [p for p in pages if p.stem != "index"]
    index = next(i for i, p in enumerate(chapters) if p.stem == page.stem)
    links = []
    if index > 0:
        prev = chapters[index - 1]
        links.append(f'<a href="{prev.stem}.html" rel="prev">\u2190 {_attr(prev.title)}</a>')
    if any(p.stem == "index" for p in pages):
        links.append('<a href="index.html">Whole video</a>')
    if index + 1 < len(chapters):
        nxt = chapters[index + 1]
        links.append(f'<a href="{nxt.stem}.html" rel="next">{_attr(nxt.title)} \u2192</a>')
    if not links:
        return ""
    return '<nav class="pages" aria-label="Chapter pages">' + "".join(links) + "</nav>"


def _data(page: Page) -> str:
    """The cues again, for the script's track fallback (``file://`` in Chromium)."""
    data = {
        "cues": [[round(c.start, 3), round(c.end, 3), c.text] for c in page.cues],
        "sections": [[round(s.start, 3), round(s.end, 3), s.title] for s in page.sections],
    }
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def render_html(page: Page, build: Path, pages: list[Page]) -> str:
    """The page's HTML (links relative to ``build``)."""
    template = Template((ASSETS / "page.html").read_text("utf-8"))
    rel = os.path.relpath
    return template.substitute(
        title=_attr(page.title),
        page_title=_attr(page.title if page.stem == "index" else f"{page.title} \u00b7 {TITLE}"),
        description=_attr(page.lede or f"{page.title}: {TITLE}"),
        kicker=_attr(page.kicker),
        lede=f'<p class="lede">{_attr(page.lede)}</p>' if page.lede else "",
        nav=_nav(page, pages),
        video=_attr(rel(page.video, build)),
        poster=_attr(f"assets/posters/{page.video.stem}.jpg"),
        captions=_attr(rel(page.video.with_suffix(".vtt"), build)),
        chapters_vtt=_attr(rel(_chapters_vtt_path(page), build)),
        sections_name=page.sections_name,
        sections_label=page.sections_name.lower(),
        facts=_facts(page),
        chapter_list=_chapter_list(page),
        transcript=_transcript(page),
        downloads=_downloads(page, build),
        data=_data(page),
    )


# --------------------------------------------------------------------------- files


def _write_if_changed(path: Path, data: bytes) -> bool:
    try:
        if path.read_bytes() == data:
            return False
    except FileNotFoundError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".part")
    tmp.write_bytes(data)
    os.replace(tmp, path)
    return True


def find_font(pattern: str, family: str) -> Path | None:
    """The font file fontconfig picks for ``pattern``, if it really is ``family``."""
    if not shutil.which("fc-match"):
        return None
    try:
        out = subprocess.run(
            ["fc-match", "--format=%{family}\n%{file}", pattern], capture_output=True, text=True
        ).stdout
    except OSError:
        return None
    families, _, file = out.partition("\n")
    if family not in families.split(",") or not file:
        return None
    return Path(file)


def font_css(fonts: list[tuple[str, str, str]]) -> str:
    """``@font-face`` rules for the copied fonts: (file name, CSS family, style)."""
    rules = [
        "@font-face {\n"
        f'  font-family: "{family}";\n'
        f"  font-style: {style};\n"
        "  font-weight: 400;\n"
        "  font-display: swap;\n"
        f'  src: local("{family}"), url("fonts/{name}") format("truetype");\n'
        "}\n"
        for name, family, style in fonts
    ]
    return "/* fonts the video uses, copied from this machine by render.py */\n" + "".join(rules)


def install_assets(build: Path) -> None:
    """Stylesheet, script and fonts into ``build/assets`` (only what changed)."""
    assets = build / "assets"
    for name in ("player.css", "player.js"):
        _write_if_changed(assets / name, (ASSETS / name).read_bytes())
    found = []
    for family, style in FONTS:
        source = find_font(f"{family}:style={style}", family)
        if source is None:
            continue
        name = f"{family}-{style}".lower().replace(" ", "-") + source.suffix.lower()
        target = assets / "fonts" / name
        if not target.exists() or target.stat().st_size != source.stat().st_size:
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, target)
        found.append((name, family, "italic" if style == "Italic" else "normal"))
    _write_if_changed(assets / "fonts.css", font_css(found).encode())


THUMB = (160, 90)  # the size at which a candidate's colour is measured


def poster_times(page: Page, count: int = POSTER_CANDIDATES) -> list[float]:
    """Candidate poster times: the moment before each beat ends, when its animations
    have finished and the picture holds still (evenly spread frames when the beats are
    not known), at most ``count`` of them, evenly chosen.

    >>> p = Page("x", Path("x.mp4"), "", "", "", 30.0, (Section("a", 0, 10, (0.0, 4.0)),
    ...     Section("b", 10, 30, (10.0,))), "", (), "low", "")
    >>> poster_times(p)
    [3.8, 9.8, 29.8]
    >>> poster_times(p, 2)
    [3.8, 29.8]
    """
    starts = sorted({b for s in page.sections for b in s.breaks})
    ends = [b - 0.2 for b in starts[1:]] + [page.duration - 0.2] if starts else []
    ends = [round(t, 3) for t in ends if t > 0.5]
    if not ends:
        ends = [page.duration * (0.1 + 0.8 * i / max(count - 1, 1)) for i in range(count)]
    if len(ends) <= count:
        return ends
    picks = sorted({round(i * (len(ends) - 1) / (count - 1)) for i in range(count)})
    return [ends[i] for i in picks]


def poster_score(jpeg_bytes: int, rgb: bytes) -> float:
    """How good a poster a frame makes: detail (its JPEG size) weighted by colour (the
    share of clearly coloured pixels), so a picture beats a page of grey text."""
    pixels = np.frombuffer(rgb, dtype=np.uint8).reshape(-1, 3).astype(np.int16)
    if not len(pixels):
        return 0.0
    spread = pixels.max(axis=1) - pixels.min(axis=1)
    coloured = float(np.mean((spread > 40) & (pixels.max(axis=1) > 70)))
    return jpeg_bytes * (1.0 + 10.0 * coloured)


def write_poster(page: Page, out: Path) -> bool:
    """The poster: of the settled frames at the ends of beats, the best scored
    (:func:`poster_score`). Kept while the video is older than it."""
    video = page.video
    if out.exists() and out.stat().st_mtime_ns >= video.stat().st_mtime_ns:
        return False
    work = out.parent / f".{out.stem}.frames"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    try:
        times = poster_times(page)
        media.run(
            media.frames_args(video, times, work, THUMB),
            f"taking a poster frame of {video.name}",
        )
        scored = []
        for index in range(len(times)):
            jpeg, rgb = work / f"{index}.jpg", work / f"{index}.rgb"
            if jpeg.exists() and rgb.exists() and jpeg.stat().st_size:
                scored.append((poster_score(jpeg.stat().st_size, rgb.read_bytes()), jpeg))
        if not scored:
            raise UserError(f"{video}: ffmpeg gave no frame for a poster; render it again")
        out.parent.mkdir(parents=True, exist_ok=True)
        os.replace(max(scored, key=lambda item: item[0])[1], out)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return True


def write_pages(build: Path) -> list[Path]:
    """Write every page the build folder's manifest allows; returns the pages that changed."""
    manifest = read_manifest(build)
    if manifest is None:
        return []
    pages = [chapter_page(manifest, c) for c in sorted(manifest.chapters, key=lambda c: c.number)]
    full = full_page(manifest)
    if full:
        pages.append(full)
    if not pages:
        return []
    install_assets(build)
    written = []
    for page in pages:
        _write_if_changed(_chapters_vtt_path(page), chapters_vtt(page.sections).encode())
        write_poster(page, build / "assets" / "posters" / f"{page.video.stem}.jpg")
        path = build / f"{page.stem}.html"
        if _write_if_changed(path, render_html(page, build, pages).encode()):
            written.append(path)
    return written


PAGE_NAME = re.compile(r"^(index|\d\d-[a-z0-9-]+)\.html$")


def pages_in(build: Path) -> list[Path]:
    """The pages a build folder holds: ``index.html`` first, then chapters in order."""
    found = sorted(p for p in build.glob("*.html") if PAGE_NAME.match(p.name))
    return sorted(found, key=lambda p: (p.name != "index.html", p.name))
