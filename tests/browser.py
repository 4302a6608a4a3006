"""A real headless Chromium (Debian's ``chromium`` + ``chromium-driver``) driven by selenium.

Nothing is downloaded: the driver is ``/usr/bin/chromedriver`` (Selenium Manager is
skipped when a Service names the driver, and told to stay offline besides), and the
browser gets the flags that keep it off the network.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
AXE = Path(__file__).resolve().parent / "axe" / "node_modules" / "axe-core" / "axe.min.js"
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
    "--mute-audio",
    "--hide-scrollbars",
)


def missing() -> str | None:
    """Why a browser test cannot run here (``None`` when it can)."""
    for path, package in ((CHROMIUM, "chromium"), (CHROMEDRIVER, "chromium-driver")):
        if not path.exists():
            return f"{path} is missing; run ./setup.sh (Debian package {package})"
    if not AXE.exists():
        return f"{AXE} is missing; run ./setup.sh (npm ci --prefix tests/axe)"
    return None


def chromium(width: int = 1400, height: int = 1000):
    """A fresh headless Chromium with its own throw-away profile; ``.quit()`` it."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    os.environ["SE_OFFLINE"] = "true"  # Selenium Manager, if ever reached, may not download
    os.environ["SE_AVOID_STATS"] = "true"
    profile = tempfile.mkdtemp(prefix="chromium-profile-")
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in (*FLAGS, f"--user-data-dir={profile}", f"--window-size={width},{height}"):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=options)
    quit_driver = driver.quit

    def quit_and_clean() -> None:
        try:
            quit_driver()
        finally:
            shutil.rmtree(profile, ignore_errors=True)

    driver.quit = quit_and_clean
    return driver


def run_axe(driver) -> list[dict]:
    """axe-core's violations on the current page (WCAG 2.x A/AA and best practices)."""
    driver.execute_script(AXE.read_text("utf-8"))
    result = driver.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "axe.run(document, {resultTypes: ['violations']})"
        ".then(r => done(r.violations), e => done([{id: 'axe-error', help: String(e), nodes: []}]));"
    )
    return result


def describe(violations: list[dict]) -> str:
    lines = []
    for v in violations:
        targets = [", ".join(n.get("target", [])) for n in v.get("nodes", [])][:3]
        lines.append(f"{v['id']}: {v.get('help', '')} at {targets}")
    return "\n".join(lines)
