"""A real Streamlit server and Debian's Chromium, with no network beyond this machine."""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from urllib.parse import urlparse

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

from sharedservices import settings

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


MAP_FRAME = "iframe[title='streamlit_folium.st_folium']"


def settled(page) -> None:
    """Wait until Streamlit has finished the run in progress: a click or a key meanwhile is lost."""
    page.wait_for_function("() => !document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=60_000)
    page.wait_for_timeout(300)


def map_box(page) -> dict:
    """The map frame's box in page pixels, once there is one map and its box has stayed the same
    for half a second: a new boundary year's map replaces the last one after it is drawn."""
    last = None
    for _ in range(60):
        settled(page)
        frames = page.locator(MAP_FRAME)
        try:
            box = frames.bounding_box(timeout=5_000) if frames.count() == 1 else None
        except PlaywrightTimeoutError:  # replaced between the count and the box
            box = None
        if box is not None and box == last:
            return box
        last = box
        page.wait_for_timeout(500)
    raise AssertionError(f"the map frame did not keep still: last box {last}")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextlib.contextmanager
def _serving():
    """The app served as `make run` serves it (`python -m sharedservices serve`) on a free local
    port, until the block ends; its URL."""
    port = _free_port()
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "sharedservices",
            "serve",
            "--server.port",
            str(port),
            "--server.address",
            "127.0.0.1",
            "--server.headless",
            "true",
        ],
        cwd=settings.PROJECT_ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env={**os.environ, "PYTHONPATH": str(settings.PROJECT_ROOT)},
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if urllib.request.urlopen(f"{url}/_stcore/health", timeout=2).status == 200:
                break
        except OSError:
            time.sleep(0.3)
    else:
        process.kill()
        pytest.fail("the Streamlit server did not start within 60 s")
    try:
        yield url
    finally:
        process.terminate()
        process.wait(timeout=20)


@pytest.fixture(scope="session")
def server():
    """The app served for the whole session; its URL."""
    with _serving() as url:
        yield url


@pytest.fixture
def fresh_server():
    """The app on a server started for this test alone: nothing but what it loads at start is in
    its memory yet (a first request meets cold caches); its URL."""
    with _serving() as url:
        yield url


@pytest.fixture(scope="session")
def browser():
    """Headless Debian Chromium driven by Playwright."""
    if not os.path.exists(CHROMIUM):
        pytest.skip("Debian's chromium is not installed (make test installs it when run as root: apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser):
    """A page that may reach only 127.0.0.1; every other request is refused and recorded."""
    context = browser.new_context(viewport={"width": 1500, "height": 1000})
    outside: list[str] = []

    def only_local(route):
        host = urlparse(route.request.url).hostname
        if host in ("127.0.0.1", "localhost") or route.request.url.startswith(("data:", "blob:", "about:")):
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    context.route("**/*", only_local)
    page = context.new_page()
    page.outside_requests = outside
    yield page
    context.close()
