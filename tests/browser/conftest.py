"""The agent console in a real browser: Debian's Chromium driven by Playwright.

The stack fixture is the shared one (tests/conftest.py); the
browser is Debian's `chromium` package (Playwright's own browser downloads are not used).
"""

from __future__ import annotations

from pathlib import Path
from typing import Iterator

import pytest
from playwright.sync_api import sync_playwright

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    # `make test` installs Debian's chromium (stack/ensure_browser.sh); without it this fails.
    assert CHROMIUM.exists(), "Debian's chromium is missing: run stack/ensure_browser.sh"
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield launched
        finally:
            launched.close()


@pytest.fixture(autouse=True)
def no_earlier_handoffs(stack) -> None:
    """Other tests share the stack: start with an empty queue and nobody signed in."""
    stack.reset_handoffs()
