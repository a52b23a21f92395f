"""Pages in a real browser: Debian's Chromium driven by Playwright (no browser download).

CI installs the `chromium` package (.ci/run); elsewhere `make test` does when it can (root), or
set WECOM_DESK_CHROMIUM to a Chromium binary. A missing browser fails these tests, never skips
them: a page nobody looked at in a browser is not tested."""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any, AsyncIterator

import pytest

CANDIDATES = ("chromium", "chromium-browser", "google-chrome")


def chromium_path() -> str:
    path = os.environ.get("WECOM_DESK_CHROMIUM") or next(filter(None, map(shutil.which, CANDIDATES)), None)
    if not path:
        pytest.fail("no Chromium found: install Debian's `chromium` package or set WECOM_DESK_CHROMIUM")
    return path


def screenshot_dir() -> Path:
    """Where page tests save what the reader saw (README pictures come from here): the folder named
    by WECOM_DESK_SCREENSHOTS, default test-output/screenshots/, made when missing."""
    path = Path(os.environ.get("WECOM_DESK_SCREENSHOTS") or "test-output/screenshots")
    path.mkdir(parents=True, exist_ok=True)
    return path


@pytest.fixture
async def desktop() -> AsyncIterator[Any]:
    """A page in a laptop's window, 1280 px wide, where the sandbox is mostly used."""
    from playwright.async_api import async_playwright

    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=chromium_path(), args=["--no-sandbox"])
        context = await browser.new_context(viewport={"width": 1280, "height": 800}, locale="zh-CN")
        try:
            yield await context.new_page()
        finally:
            await context.close()
            await browser.close()


@pytest.fixture
async def phone() -> AsyncIterator[Any]:
    """A page as WeCom's built-in browser on a phone shows it: 375 px wide, touch, 2× pixels."""
    from playwright.async_api import async_playwright

    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=chromium_path(), args=["--no-sandbox"])
        context = await browser.new_context(viewport={"width": 375, "height": 740}, device_scale_factor=2,
                                            is_mobile=True, has_touch=True, locale="zh-CN")
        try:
            yield await context.new_page()
        finally:
            await context.close()
            await browser.close()
