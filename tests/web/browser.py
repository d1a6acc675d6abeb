"""Playwright (sync) over Debian's Chromium for the studio's browser tests: the browser
is the system's (`executable_path`), never one Playwright downloads.

The tests skip, saying how to enable them, when Chromium or Playwright is missing
(`bin/test` installs Chromium from Debian's packages; CI runs bin/test). With
REELFORGE_SCREENSHOTS=DIR they also save each page at desktop and phone size into DIR
(docs/images/studio for docs/STUDIO.md).
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("REELFORGE_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}
ENABLE = (
    "the web studio's browser tests need Debian's Chromium and Playwright for Python: "
    "`sudo apt-get install -y chromium` and `pip install -e '.[dev]'` (bin/test installs "
    "both), or set REELFORGE_CHROMIUM to a Chromium binary"
)


def launch():
    """(playwright, browser); skips the calling tests when either is unavailable."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.skip(ENABLE)
    if not Path(CHROMIUM).exists():
        pytest.skip(ENABLE)
    playwright = sync_playwright().start()
    browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
    return playwright, browser


# Controls a person cannot name: no <label>, no aria-label (file inputs' own button
# included), listed by their name attribute.
UNLABELLED = """
[...document.querySelectorAll('input, select, textarea, button')]
  .filter(el => !el.closest('[hidden]') && el.type !== 'hidden')
  .filter(el => !(el.labels && el.labels.length) && !el.getAttribute('aria-label')
                && !(el.tagName === 'BUTTON' && el.textContent.trim()))
  .map(el => el.name || el.outerHTML.slice(0, 60))
"""


def screenshot(page, name: str) -> None:
    """Save the page at desktop and phone size when REELFORGE_SCREENSHOTS names a folder,
    and check that every control has a name and that, at both sizes, nothing is wider
    than the screen."""
    assert page.evaluate(UNLABELLED) == [], f"{name} has controls without a label"
    folder = os.environ.get("REELFORGE_SCREENSHOTS")
    for label, size in (("desktop", DESKTOP), ("phone", PHONE)):
        page.set_viewport_size(size)
        page.wait_for_timeout(150)  # one layout pass after the resize
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"{name} is {overflow}px wider than a {label} screen"
        if folder:
            Path(folder).mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(Path(folder) / f"{name}-{label}.png"), full_page=True)
    page.set_viewport_size(DESKTOP)
