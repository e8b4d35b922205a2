"""One way for the tests to open a page in Debian's chromium through playwright (the report's and
the backtest report's browser tests): the same executable, flags and error collection everywhere."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest

CHROMIUM = (
    os.environ.get("DETENTE_CHROMIUM")
    or shutil.which("chromium")
    or ("/usr/bin/chromium" if os.path.exists("/usr/bin/chromium") else None)
)
"""Debian's chromium (``DETENTE_CHROMIUM`` overrides), or None: the browser tests then skip."""


@contextmanager
def chromium_page(width: int = 1280, height: int = 800) -> Iterator[tuple[Any, list[str], list[str]]]:
    """``(page, errors, outside)`` in a headless chromium of ``width`` × ``height`` px: ``errors``
    collects console errors and uncaught page errors, ``outside`` every request that leaves the page's
    own ``file:``/``data:``/``blob:`` URLs. Skips the test without chromium or playwright."""
    if CHROMIUM is None:
        pytest.skip("Debian chromium not found (apt-get install chromium)")
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright (Python) is not installed")
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=["--no-sandbox"])
        try:
            page = browser.new_page(viewport={"width": width, "height": height})
            errors: list[str] = []
            outside: list[str] = []
            page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.on(
                "request",
                lambda r: None if r.url.startswith(("file:", "data:", "blob:")) else outside.append(r.url),
            )
            yield page, errors, outside
        finally:
            browser.close()
