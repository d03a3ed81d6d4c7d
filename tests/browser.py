"""Real headless Chromium (Debian's, never a downloaded build) for the browser tests.

``chromium_browser`` is one browser for the whole test session (starting Chromium costs seconds);
tests open their own contexts, which are as isolated as separate browsers. It uses Playwright's
*async* API on pytest-asyncio's session loop: the sync API keeps an event loop marked as running
in the main thread for as long as the browser lives, which would break every async test that runs
after it. Browser tests therefore run on the session loop too (``BROWSER_TESTS`` marks), and the
live server they talk to runs on that same loop.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import pytest
import pytest_asyncio

from bot.app import App

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
# What a browser test module puts in its ``pytestmark``.
BROWSER_TESTS = [pytest.mark.browser, pytest.mark.asyncio(loop_scope="session")]


@pytest_asyncio.fixture(scope="session", loop_scope="session")
async def chromium_browser() -> AsyncIterator[object]:
    """Debian's Chromium driven by Playwright; the tests that need it skip when it is absent."""
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is not installed (apt-get install chromium)")
    from playwright.async_api import async_playwright

    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            await browser.close()


@asynccontextmanager
async def live_server(app: App) -> AsyncIterator[tuple[object, str]]:
    """The real `quantriet serve` service (web channel, outbox sender, reminders) for ``app`` on
    127.0.0.1 with a free port: yields (service, base URL)."""
    from bot import serve
    from bot.channels import web

    service = serve.build(app, (web,))
    async with serve.running(service, "127.0.0.1", 0) as port:
        yield service, f"http://127.0.0.1:{port}"
