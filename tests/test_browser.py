"""The watch page in a real browser: Debian's headless Chromium, driven by selenium.

One small three-chapter video is rendered for the module (espeak, 480p15; the
project of ``test_full.py``, with a special token and an ampersand in its second
chapter's narration), served by ``render.py serve``'s server, and opened in one
shared browser. Screenshots at desktop and phone width go to ``build/screenshots/``.
"""

from __future__ import annotations

import base64
import http.client
import os
import threading
import time
from pathlib import Path

import pytest
from browser import chromium, describe, missing, run_axe
from conftest import ROOT
from selenium.common.exceptions import TimeoutException
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import WebDriverWait
from test_full import make_project, render

from explainer import captions, media, serve

pytestmark = pytest.mark.slow

SCREENSHOTS = ROOT / "build" / "screenshots"
DESKTOP = (1440, 1000)
PHONE = (390, 844)


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    """The rendered project's ``build/low``."""
    why = missing()
    if why:
        pytest.fail(why)
    root = make_project(tmp_path_factory.mktemp("watch"))
    middle = root / "script" / "02-middle.md"
    middle.write_text(
        middle.read_text().replace(
            "so that captions, chapters and loudness can all be measured.",
            "so that captions & chapters start with {<|bos|>|the B O S token}.",
        )
    )
    result = render(root, "--jobs", "2")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "wrote               page: " in result.stdout
    return root / "build" / "low"


@pytest.fixture(scope="module")
def server(built):
    server = serve.BuildServer(built, 0, quiet=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def driver():
    if missing():
        pytest.fail(missing())
    driver = chromium(*DESKTOP)
    driver.set_script_timeout(30)
    yield driver
    driver.quit()


def js(driver, script: str, *args):
    return driver.execute_script(script, *args)


def wait(driver, condition: str, timeout: float = 15.0):
    """Wait until a JavaScript expression is truthy; returns its value."""
    return WebDriverWait(driver, timeout, poll_frequency=0.05).until(
        lambda d: d.execute_script(f"return {condition}")
    )


def open_page(driver, url: str) -> None:
    """Load a page and wait for its video's metadata and both tracks' cues."""
    driver.set_window_size(*DESKTOP)
    driver.get(url)
    try:
        wait(driver, "document.getElementById('video').readyState >= 1")
    except TimeoutException:
        state = js(
            driver,
            "const v = document.getElementById('video'); return {ready: v.readyState, "
            "network: v.networkState, error: v.error && v.error.code, src: v.currentSrc}",
        )
        pytest.fail(f"{url}: no video metadata in 15 s: {state}; console: {errors(driver)}")
    wait(
        driver,
        "Array.from(document.getElementById('video').textTracks)"
        ".filter(t => t.cues && t.cues.length).length === 2",
    )


@pytest.fixture
def index(driver, server):
    """The full video's page, freshly loaded and paused at 0."""
    open_page(driver, server.url)
    driver.get_log("browser")  # start each test with an empty console
    return driver


def srt_cues(built: Path, stem: str = "nanochat-explained") -> list[captions.Cue]:
    return captions.parse_srt((built / f"{stem}.srt").read_text("utf-8"))


def chapter_starts(built: Path) -> list[float]:
    vtt = (built / "nanochat-explained.chapters.vtt").read_text()
    return [_seconds(line.split(" --> ")[0]) for line in vtt.splitlines() if " --> " in line]


def _seconds(stamp: str) -> float:
    hours, minutes, seconds = stamp.split(":")
    return int(hours) * 3600 + int(minutes) * 60 + float(seconds)


def current(driver, selector: str) -> list[str]:
    return js(
        driver,
        "return Array.from(document.querySelectorAll(arguments[0]))"
        ".filter(e => e.hasAttribute('aria-current')).map(e => e.dataset.start)",
        selector,
    )


def set_time(driver, seconds: float) -> None:
    js(driver, "document.getElementById('video').currentTime = arguments[0]", seconds)
    wait(driver, "!document.getElementById('video').seeking")


def viewport(driver, width: int, height: int) -> None:
    """Exactly this viewport (a window size also counts the browser's own frame)."""
    driver.execute_cdp_cmd(
        "Emulation.setDeviceMetricsOverride",
        {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": width < 600},
    )
    time.sleep(0.3)


def errors(driver) -> list[dict]:
    return [e for e in driver.get_log("browser") if e["level"] in ("SEVERE", "WARNING")]


# --------------------------------------------------------------------------- the tests


def test_video_metadata_matches_the_mp4(index, built):
    duration = js(index, "return document.getElementById('video').duration")
    probed = float(media.probe(built / "nanochat-explained.mp4")["format"]["duration"])
    assert abs(duration - probed) < 0.05
    video = index.find_element(By.ID, "video")
    assert video.get_attribute("preload") == "metadata" and video.get_attribute("autoplay") is None
    assert js(index, "return document.getElementById('video').paused") is True
    poster = js(index, "return document.getElementById('video').poster")
    assert poster.endswith("assets/posters/nanochat-explained.jpg")


def test_tracks_hold_the_srt_cues_and_one_chapter_cue_per_chapter(index, built):
    tracks = js(
        index,
        """return Array.from(document.getElementById('video').textTracks).map(t => ({
            kind: t.kind, label: t.label, language: t.language, mode: t.mode,
            cues: Array.from(t.cues).map(c => ({
                start: c.startTime, end: c.endTime,
                shown: c.getCueAsHTML().textContent}))}))""",
    )
    kinds = {t["kind"]: t for t in tracks}
    assert set(kinds) == {"captions", "chapters"}
    track = kinds["captions"]
    assert (track["label"], track["language"], track["mode"]) == ("English", "en", "showing")
    expected = srt_cues(built)
    assert len(track["cues"]) == len(expected)
    for cue, want in zip(track["cues"], expected, strict=True):
        assert cue["shown"] == want.text  # what the picture shows, <|bos|> and & included
        assert abs(cue["start"] - want.start) < 0.002 and abs(cue["end"] - want.end) < 0.002
    assert any("<|bos|>" in c["shown"] for c in track["cues"])
    chapters = kinds["chapters"]["cues"]
    assert [c["shown"] for c in chapters] == ["Opening", "Middle", "Closing"]
    assert [round(c["start"], 3) for c in chapters] == chapter_starts(built)


def test_clicking_the_third_chapter_seeks_and_highlights_it(index, built):
    start = chapter_starts(built)[2]
    links = index.find_elements(By.CSS_SELECTOR, "a.section")
    assert [link.text.split("\n")[1] for link in links] == ["Opening", "Middle", "Closing"]
    links[2].click()
    wait(index, "!document.getElementById('video').seeking")
    assert abs(js(index, "return document.getElementById('video').currentTime") - start) <= 0.1
    assert current(index, "a.section") == [f"{start:.3f}"]
    assert links[2].get_attribute("aria-current") == "true"
    assert links[0].get_attribute("aria-current") is None


def test_setting_the_time_highlights_the_cue_that_covers_it(index, built):
    cues = srt_cues(built)
    for cue in (cues[1], cues[len(cues) // 2], cues[-1]):
        set_time(index, (cue.start + cue.end) / 2)
        wait(
            index, f"document.querySelector('a.cue[data-start=\"{cue.start:.3f}\"][aria-current]')"
        )
        assert current(index, "a.cue") == [f"{cue.start:.3f}"]
        # kept in view: the highlighted cue lies inside the transcript's scrolling box
        inside = js(
            index,
            """const box = document.getElementById('transcript-body').getBoundingClientRect();
               const cue = document.querySelector('a.cue[aria-current]').getBoundingClientRect();
               return cue.top >= box.top - 1 && cue.bottom <= box.bottom + 1;""",
        )
        if not inside:  # a smooth scroll may still be under way
            wait(
                index,
                """(() => { const box = document.getElementById('transcript-body')
                   .getBoundingClientRect(); const cue = document.querySelector(
                   'a.cue[aria-current]').getBoundingClientRect();
                   return cue.top >= box.top - 1 && cue.bottom <= box.bottom + 1; })()""",
                5,
            )


def test_clicking_a_cue_seeks_to_its_start(index, built):
    cues = srt_cues(built)
    target = cues[6]
    link = index.find_element(By.CSS_SELECTOR, f'a.cue[data-start="{target.start:.3f}"]')
    assert link.text == target.text.replace("\n", " ")
    js(index, "arguments[0].scrollIntoView({block: 'center'})", link)
    link.click()
    wait(index, "!document.getElementById('video').seeking")
    now = js(index, "return document.getElementById('video').currentTime")
    assert abs(now - target.start) <= 0.1
    assert link.get_attribute("aria-current") == "time"


def test_transcript_reads_as_prose(index, built):
    paragraphs = js(
        index,
        "return Array.from(document.querySelectorAll('.transcript-section')).map(s => "
        "({title: s.querySelector('h3').textContent, paragraphs: Array.from("
        "s.querySelectorAll('p')).map(p => p.textContent)}))",
    )
    assert [s["title"].split()[1] for s in paragraphs] == ["Opening", "Middle", "Closing"]
    first = " ".join(paragraphs[0]["paragraphs"])
    assert first.startswith("This is the first chapter of a small test video, made to check")
    assert "\n" not in first and "  " not in first
    assert "captions & chapters start with <|bos|>." in " ".join(paragraphs[1]["paragraphs"])


def test_keyboard_space_arrows_and_the_transcript(index):
    body = index.find_element(By.TAG_NAME, "body")
    set_time(index, 10.0)
    body.send_keys(Keys.ARROW_RIGHT)
    assert abs(js(index, "return document.getElementById('video').currentTime") - 15.0) < 0.05
    body.send_keys(Keys.ARROW_LEFT)
    body.send_keys(Keys.ARROW_LEFT)
    assert abs(js(index, "return document.getElementById('video').currentTime") - 5.0) < 0.05
    body.send_keys(Keys.SPACE)
    wait(index, "!document.getElementById('video').paused")
    body.send_keys(Keys.SPACE)
    wait(index, "document.getElementById('video').paused")
    assert js(index, "return window.scrollY") == 0  # Space played, it did not scroll
    body.send_keys("c")
    assert js(index, "return document.getElementById('video').textTracks[0].mode") == "hidden"
    body.send_keys("c")
    assert js(index, "return document.getElementById('video').textTracks[0].mode") == "showing"
    # the transcript is one tab stop; arrows move between cues, Enter plays from one
    cue = index.find_element(By.CSS_SELECTOR, 'a.cue[tabindex="0"]')
    js(index, "arguments[0].focus()", cue)
    ActionChains(index).send_keys(Keys.ARROW_DOWN, Keys.ARROW_DOWN).perform()
    focused = index.switch_to.active_element
    assert focused.get_attribute("class") == "cue" and focused.get_attribute("tabindex") == "0"
    start = float(focused.get_attribute("data-start"))
    ActionChains(index).send_keys(Keys.ENTER).perform()
    wait(index, "!document.getElementById('video').seeking")
    assert abs(js(index, "return document.getElementById('video').currentTime") - start) <= 0.1
    assert index.find_elements(By.CSS_SELECTOR, 'a.cue[tabindex="0"]') == [focused]


def test_tab_reaches_every_control_with_a_visible_focus(index):
    controls = js(
        index,
        """return Array.from(document.querySelectorAll(
             'a[href], button, summary, video, [tabindex]'))
           .filter(e => e.tabIndex >= 0 && e.getClientRects().length)
           .map((e, i) => { e.dataset.probe = i; return e.outerHTML.slice(0, 60); })""",
    )
    js(index, "document.activeElement.blur(); window.scrollTo(0, 0)")
    reached, unseen_focus = [], []
    for _ in range(3 * len(controls)):
        ActionChains(index).send_keys(Keys.TAB).perform()
        element = js(
            index,
            """const e = document.activeElement;
               if (!e || !e.dataset || e.dataset.probe === undefined) return null;
               const s = getComputedStyle(e);
               return {probe: Number(e.dataset.probe), tag: e.tagName,
                       outline: s.outlineStyle, width: parseFloat(s.outlineWidth)};""",
        )
        if element is None:
            if reached:
                break  # past the last control: out of the page
            continue
        if element["probe"] not in reached:
            reached.append(element["probe"])
            # a <video>'s own controls draw their focus inside it
            if element["tag"] != "VIDEO" and (element["outline"] == "none" or element["width"] < 2):
                unseen_focus.append(controls[element["probe"]])
    assert [c for i, c in enumerate(controls) if i not in reached] == []
    assert reached == sorted(reached)  # in reading order
    assert unseen_focus == []


def test_no_console_errors(driver, server):
    for url in (server.url, server.url + "02-middle.html"):
        open_page(driver, url)
        links = driver.find_elements(By.CSS_SELECTOR, "a.section")
        links[-1].click()
        js(driver, "document.getElementById('video').play()")
        time.sleep(0.6)
        js(driver, "document.getElementById('video').pause()")
        assert errors(driver) == [], url


def test_served_video_answers_range_requests_with_206(server, built):
    port = server.server_address[1]
    size = (built / "nanochat-explained.mp4").stat().st_size
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    connection.request("GET", "/nanochat-explained.mp4", headers={"Range": "bytes=1000-"})
    response = connection.getresponse()
    response.read()
    assert response.status == 206
    assert response.getheader("Content-Range") == f"bytes 1000-{size - 1}/{size}"
    for target in ("/../manifest.json", "/%2e%2e/low/manifest.json"):
        connection.request("GET", target)
        response = connection.getresponse()
        response.read()
        assert response.status == 403, target
    connection.close()


def test_no_accessibility_violations_at_desktop_and_phone_width(index, server):
    set_time(index, 20.0)  # a highlighted chapter and cue are part of what is checked
    violations = run_axe(index)
    assert violations == [], describe(violations)
    index.set_window_size(*PHONE)
    violations = run_axe(index)
    assert violations == [], describe(violations)
    open_page(index, server.url + "01-opening.html")
    violations = run_axe(index)
    assert violations == [], describe(violations)


def test_phone_width_has_no_sideways_scrolling(index):
    index.set_window_size(*PHONE)
    time.sleep(0.3)
    assert js(index, "return document.documentElement.scrollWidth <= window.innerWidth")
    width = js(index, "return document.getElementById('video').getBoundingClientRect().width")
    assert width >= js(index, "return window.innerWidth") * 0.85


def test_screenshots_at_desktop_and_phone_width(index, capsys):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    set_time(index, 20.0)
    wait(index, "document.getElementById('video').readyState >= 3")  # no spinner
    for (width, height), name in ((DESKTOP, "page-desktop.png"), (PHONE, "page-phone.png")):
        viewport(index, width, height)
        time.sleep(0.5)
        # the whole page, laid out for this viewport (vh units keep its height)
        shot = index.execute_cdp_cmd(
            "Page.captureScreenshot", {"format": "png", "captureBeyondViewport": True}
        )
        (SCREENSHOTS / name).write_bytes(base64.b64decode(shot["data"]))
    index.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})
    for name in ("page-desktop.png", "page-phone.png"):
        assert (SCREENSHOTS / name).stat().st_size > 10_000
    with capsys.disabled():
        print(
            f"\n  screenshots: {SCREENSHOTS / 'page-desktop.png'}, {SCREENSHOTS / 'page-phone.png'}"
        )


def test_page_reloads_when_a_render_finishes_and_keeps_its_place(index, built):
    set_time(index, 21.5)
    js(index, "window.beforeReload = true")
    wait(index, "true")
    time.sleep(0.6)  # the page has its first build event
    later = time.time() + 10
    os.utime(built / "manifest.json", (later, later))
    wait(index, "window.beforeReload === undefined", timeout=10)
    wait(index, "document.getElementById('video').readyState >= 1")
    wait(index, "Math.abs(document.getElementById('video').currentTime - 21.5) < 0.1", 5)
    assert js(index, "return document.getElementById('video').paused") is True  # never autoplays


def test_opened_from_file_the_tracks_still_work(driver, built):
    """Chromium will not read .vtt files on file://: the page rebuilds the tracks."""
    driver.get((built / "index.html").as_uri())
    wait(driver, "document.getElementById('video').readyState >= 1")
    wait(
        driver,
        "Array.from(document.getElementById('video').textTracks)"
        ".filter(t => t.cues && t.cues.length).length === 2",
    )
    counts = js(
        driver,
        "return Object.fromEntries(Array.from(document.getElementById('video').textTracks)"
        ".map(t => [t.kind, [t.cues.length, t.mode]]))",
    )
    assert counts == {"captions": [len(srt_cues(built)), "showing"], "chapters": [3, "hidden"]}
    driver.find_elements(By.CSS_SELECTOR, "a.section")[1].click()
    assert current(driver, "a.section") == [f"{chapter_starts(built)[1]:.3f}"]


def test_moving_between_pages_never_stalls(driver, server):
    """A page left for another (and kept for "back") must not hold its live-reload
    connection: browsers open at most six per server, and the seventh page would hang."""
    for name in ["", "01-opening.html", "02-middle.html", "03-closing.html"] * 3:
        open_page(driver, server.url + name)


def test_chapter_page_lists_its_beats(driver, server, built):
    open_page(driver, server.url + "01-opening.html")
    beats = js(
        driver,
        "return Array.from(document.getElementById('video').textTracks)"
        ".find(t => t.kind === 'chapters').cues.length",
    )
    assert beats == 2
    assert js(driver, "return document.getElementById('video').duration") == pytest.approx(
        float(media.probe(built / "01-opening.mp4")["format"]["duration"]), abs=0.05
    )
    assert len(srt_cues(built, "01-opening")) == len(driver.find_elements(By.CSS_SELECTOR, "a.cue"))
