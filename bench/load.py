"""A room full of users: many sessions at once against one ``streamlit run`` on this machine.

Each simulated session speaks Streamlit's own websocket protocol (the ``BackMsg`` and
``ForwardMsg`` classes that ship in the streamlit package), so the server does all of its real
work: it runs the page, serialises every element and sends it. Every few seconds (2 to 5 s, at
random) a session changes the region or the service filter, clicks a council on the map (the
answer the map component would send) or moves to another page, and waits for the rerun to
finish. A few real browsers (headless Chromium, Playwright) do the same alongside, through the
page's own controls, and measure what a person waits.

Printed: errors (exceptions on a page, a run that never finished, a dropped connection), p50,
p95 and max seconds from a change to the finished rerun, the same for the browsers, and the
server's peak resident memory (VmHWM, MB). The last line is one JSON object.

Run: .venv/bin/python bench/load.py --sessions 20 --seconds 60
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import statistics
import sys
import time
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote, urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
warnings.simplefilter("ignore")

from serving import CHROMIUM, CHROMIUM_ARGS, serve  # noqa: E402
from streamlit.proto.BackMsg_pb2 import BackMsg  # noqa: E402
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg  # noqa: E402
from streamlit.proto.WidgetStates_pb2 import WidgetState  # noqa: E402
from websockets.asyncio.client import connect  # noqa: E402

REGIONS = ["Wales", "London", "North West", "Scotland", "East of England", "South East", "Yorkshire and The Humber"]
SERVICES = ["Revenues and benefits", "Shared management / chief executive", "Waste and street services", "Legal", "ICT"]
PAGES = ["map", "arrangements", "council", "insights", "about"]
#: How long a rerun may take before it counts as an error, seconds.
RUN_TIMEOUT_S = 60
EARLY = ForwardMsg.ScriptFinishedStatus.FINISHED_EARLY_FOR_RERUN


@dataclass
class Figures:
    """What every client measured: seconds per change, and the errors met."""

    waits: list[float] = field(default_factory=list)
    waits_by_page: dict[str, list[float]] = field(default_factory=dict)
    browser_waits: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    actions: dict[str, int] = field(default_factory=dict)


class ProtocolSession:
    """One user's session, over the websocket the browser would open."""

    def __init__(self, url: str, number: int, figures: Figures, points: dict[str, tuple[float, float]]):
        self.ws_url = url.replace("http://", "ws://") + "/_stcore/stream"
        self.number, self.figures, self.points = number, figures, points
        self.rng = random.Random(number)
        self.widgets: dict[str, str] = {}  # the user's key (or component key) -> widget id
        self.states: dict[str, WidgetState] = {}  # widget id -> the value this user set
        self.pages: dict[str, str] = {}  # url path -> page script hash
        self.page, self.query = "map", ""
        self.finished = asyncio.Event()
        self.failed: str | None = None

    async def run(self, until: float) -> None:
        try:
            async with connect(self.ws_url, subprotocols=["streamlit"], max_size=None, open_timeout=30) as socket:
                self.socket = socket
                listener = asyncio.create_task(self._listen())
                await self._rerun("open")
                while time.monotonic() < until and not listener.done():
                    await asyncio.sleep(self.rng.uniform(2, 5))
                    if time.monotonic() >= until:
                        break
                    await self._act()
                listener.cancel()
        except (TimeoutError, OSError) as problem:
            self.figures.errors.append(f"session {self.number}: could not connect ({problem})")

    async def _act(self) -> None:
        choices = ["region", "service", "page"] + (["click"] * 2 if self.page == "map" and self.points else [])
        action = self.rng.choice(choices)
        if action == "region":
            self._set_strings("f_regions", [self.rng.choice(REGIONS)] if self.rng.random() < 0.8 else [])
        elif action == "service":
            self._set_strings("f_services", [self.rng.choice(SERVICES)] if self.rng.random() < 0.6 else [])
        elif action == "click":
            lat, lon = self.points[self.rng.choice(list(self.points))]
            answer = {"last_clicked": {"lat": lat, "lng": lon}, "last_active_drawing": None, "zoom": None, "center": None}
            map_id = self.widgets.get("map")
            if map_id is None:
                return
            self.states[map_id] = WidgetState(id=map_id, json_value=json.dumps(answer))
        else:
            self.page = self.rng.choice([p for p in PAGES if p != self.page])
            if self.page == "council":
                self.query = urlencode({"council": self.rng.choice(list(self.points) or ["E07000200"])})
        self.figures.actions[action] = self.figures.actions.get(action, 0) + 1
        await self._rerun(action)

    def _set_strings(self, key: str, values: list[str]) -> None:
        widget = self.widgets.get(key)
        if widget:
            state = WidgetState(id=widget)
            state.string_array_value.data.extend(values)
            self.states[widget] = state

    async def _rerun(self, why: str) -> None:
        message = BackMsg()
        client = message.rerun_script
        client.query_string = self.query
        client.page_script_hash = self.pages.get("" if self.page == "map" else self.page, "")
        client.page_name = "" if self.page == "map" else self.page
        client.widget_states.widgets.extend(self.states.values())
        self.finished.clear()
        started = time.perf_counter()
        await self.socket.send(message.SerializeToString())
        try:
            await asyncio.wait_for(self.finished.wait(), RUN_TIMEOUT_S)
        except TimeoutError:
            self.figures.errors.append(f"session {self.number}: {why} did not finish within {RUN_TIMEOUT_S} s")
            return
        if why != "open":  # the first run of a session is its page load, measured by the browsers
            self.figures.waits.append(time.perf_counter() - started)
            self.figures.waits_by_page.setdefault(f"{why} on {self.page}", []).append(time.perf_counter() - started)
        if self.failed:
            self.figures.errors.append(f"session {self.number}: {why} on {self.page}: {self.failed}")
            self.failed = None
        # A click is a moment, not a state: the next change must not send it again.
        self.states.pop(self.widgets.get("map", ""), None)

    async def _listen(self) -> None:
        try:
            async for raw in self.socket:
                message = ForwardMsg()
                message.ParseFromString(raw)
                kind = message.WhichOneof("type")
                if kind == "delta" and message.delta.WhichOneof("type") == "new_element":
                    self._note_element(message.delta.new_element)
                elif kind == "navigation":
                    self.pages = {page.url_pathname: page.page_script_hash for page in message.navigation.app_pages}
                elif kind == "page_info_changed":
                    self.query = message.page_info_changed.query_string
                elif kind == "script_finished" and message.script_finished != EARLY:
                    self.finished.set()
        except Exception as problem:  # noqa: BLE001 - any end of the connection is this session's error
            self.figures.errors.append(f"session {self.number}: connection ended ({problem!r})")
            self.finished.set()

    def _note_element(self, element) -> None:
        kind = element.WhichOneof("type")
        if kind == "exception":
            self.failed = f"{element.exception.type}: {element.exception.message[:200]}"
            return
        widget = getattr(element, kind) if kind else None
        widget_id = getattr(widget, "id", "")
        if widget_id:
            key = "map" if kind == "component_instance" else widget_id.rsplit("-", 1)[-1]
            self.widgets[key] = widget_id
            # As the browser does: a value the server sets wins; otherwise the user's, else the default.
            if getattr(widget, "set_value", False) or widget_id not in self.states:
                state = shown_value(kind, widget)
                if state is not None:
                    self.states[widget_id] = state


def shown_value(kind: str, widget) -> WidgetState | None:
    """The value a widget shows, as the browser reports it back: the value the server set, else
    the widget's default. None for buttons and widgets this client never sets."""
    if kind not in ("radio", "selectbox", "multiselect", "text_input", "slider", "checkbox", "number_input"):
        return None
    state, chosen = WidgetState(id=widget.id), widget.set_value
    if kind in ("radio", "selectbox"):
        if chosen:
            state.string_value = widget.raw_value
        elif widget.HasField("default") and 0 <= widget.default < len(widget.options):
            state.string_value = widget.options[widget.default]
        else:
            return None  # nothing chosen (a selectbox with no index)
    elif kind == "multiselect":
        values = list(widget.raw_values) if chosen else [widget.options[i] for i in widget.default]
        state.string_array_value.data.extend(values)
    elif kind == "text_input":
        state.string_value = widget.value if chosen else widget.default
    elif kind == "slider":
        state.double_array_value.data.extend(widget.value if chosen else widget.default)
    elif kind == "checkbox":
        state.bool_value = widget.value if chosen else widget.default
    elif kind == "number_input":
        state.double_value = widget.value if chosen else widget.default
    return state


async def browser_user(url: str, number: int, figures: Figures, until: float, playwright, chromium) -> None:
    """A person in Chromium at 1366x768: picks a region in the sidebar, or clicks another page in
    the menu, every few seconds; the wait is from the click (or Enter) to the finished run."""
    rng = random.Random(1000 + number)
    context = await chromium.new_context(viewport={"width": 1366, "height": 768})
    page = await context.new_page()
    page.on("pageerror", lambda error: figures.errors.append(f"browser {number}: {error}"))
    idle = "() => !document.querySelector('[data-testid=\"stStatusWidget\"]')"
    await page.goto(url)
    await page.locator("h1").first.wait_for(timeout=120_000)
    await page.wait_for_function(idle, timeout=120_000)
    labels = {"map": "Map", "arrangements": "Arrangements", "insights": "Insights", "about": "About"}
    while time.monotonic() < until:
        await asyncio.sleep(rng.uniform(2, 5))
        if time.monotonic() >= until:
            break
        try:
            if rng.random() < 0.5:
                region = rng.choice(REGIONS)
                box = page.locator("[data-testid='stSidebar'] [data-testid='stMultiSelect'] input").first
                await box.click()
                await page.keyboard.press("Backspace")
                await page.keyboard.type(region)
                started = time.perf_counter()
                await page.keyboard.press("Enter")
                await page.keyboard.press("Escape")
                await page.wait_for_url(
                    lambda address, r=region: (
                        "region=" + quote(r).replace("%20", "+") in address or "region=" + quote(r) in address
                    ),
                    timeout=RUN_TIMEOUT_S * 1000,
                )
            else:
                name = rng.choice(list(labels))
                started = time.perf_counter()
                await page.get_by_role("link", name=labels[name], exact=True).first.click()
                await page.wait_for_url(lambda address, n=name: (f"/{n}" in address) or n == "map", timeout=RUN_TIMEOUT_S * 1000)
            await page.wait_for_timeout(50)
            await page.wait_for_function(idle, timeout=RUN_TIMEOUT_S * 1000)
            figures.browser_waits.append(time.perf_counter() - started)
        except Exception as problem:  # noqa: BLE001 - a person's stuck page is an error to count
            figures.errors.append(f"browser {number}: {type(problem).__name__}: {str(problem)[:200]}")
    await context.close()


def council_points(count: int = 40) -> dict[str, tuple[float, float]]:
    """A spread of district-level councils and a point inside each (lat, lon, WGS84)."""
    from sharedservices.vintages import load_vintage

    districts = load_vintage("2023").districts.sample(count, random_state=7)
    inside = districts.geometry.representative_point()
    return {str(code): (round(point.y, 5), round(point.x, 5)) for code, point in zip(districts["code"], inside)}


def peak_rss_mb(pid: int) -> float:
    """The process's peak resident memory so far (VmHWM in /proc), MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


async def drive(url: str, sessions: int, browsers: int, seconds: float, points) -> Figures:
    figures = Figures()
    until = time.monotonic() + seconds
    users = [ProtocolSession(url, number, figures, points).run(until) for number in range(sessions)]
    if browsers:
        from playwright.async_api import async_playwright

        async with async_playwright() as playwright:
            chromium = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            people = [browser_user(url, number, figures, until, playwright, chromium) for number in range(browsers)]
            await asyncio.gather(*users, *people)
            await chromium.close()
    else:
        await asyncio.gather(*users)
    return figures


async def warm_up(url: str, points) -> Figures:
    """The first visitor: one session opens every page once, so the room does not wait for the
    server's first imports and caches (measured by the page-ready benchmark instead)."""
    figures = Figures()
    first = ProtocolSession(url, 999, figures, points)
    async with connect(first.ws_url, subprotocols=["streamlit"], max_size=None, open_timeout=30) as socket:
        first.socket = socket
        listener = asyncio.create_task(first._listen())
        await first._rerun("open")
        for page in PAGES[1:] + PAGES[:1]:
            first.page = page
            first.query = urlencode({"council": next(iter(points))}) if page == "council" else ""
            await first._rerun("open")
        listener.cancel()
    return figures


def quantile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    return round(statistics.quantiles(values, n=100, method="inclusive")[int(q * 100) - 1] if len(values) > 1 else values[0], 3)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sessions", type=int, default=20, help="simulated sessions (websocket protocol)")
    parser.add_argument("--browsers", type=int, default=2, help="real Chromium users alongside")
    parser.add_argument("--seconds", type=float, default=60, help="how long the room stays busy")
    parser.add_argument("--url", help="an app already running (default: start `streamlit run app.py`)")
    args = parser.parse_args()

    points = council_points()
    server = None
    url = args.url
    if url is None:
        server, url = serve("app.py")
    try:
        warm = asyncio.run(warm_up(url, points))
        figures = asyncio.run(drive(url, args.sessions, args.browsers, args.seconds, points))
        figures.errors[:0] = warm.errors
        peak = round(peak_rss_mb(server.pid), 1) if server else float("nan")
    finally:
        if server:
            server.terminate()
            server.wait(timeout=30)
    for change, waits in sorted(figures.waits_by_page.items()):
        print(f"{change:>24}: {len(waits):4} changes, p50 {quantile(waits, 0.5)} s, p95 {quantile(waits, 0.95)} s")
    for error in figures.errors[:20]:
        print("error:", error)
    result = {
        "sessions": args.sessions,
        "browsers": args.browsers,
        "seconds": args.seconds,
        "changes": len(figures.waits),
        "actions": figures.actions,
        "errors": len(figures.errors),
        "p50_s": quantile(figures.waits, 0.50),
        "p95_s": quantile(figures.waits, 0.95),
        "max_s": round(max(figures.waits), 3) if figures.waits else None,
        "browser_changes": len(figures.browser_waits),
        "browser_p50_s": quantile(figures.browser_waits, 0.50),
        "browser_p95_s": quantile(figures.browser_waits, 0.95),
        "peak_rss_mb": peak,
    }
    print(
        f"{args.sessions} sessions and {args.browsers} browsers for {args.seconds:.0f} s: "
        f"{result['changes']} changes, {result['errors']} errors; change to finished rerun "
        f"p50 {result['p50_s']} s, p95 {result['p95_s']} s, max {result['max_s']} s; "
        f"browsers p50 {result['browser_p50_s']} s, p95 {result['browser_p95_s']} s; "
        f"server peak memory {peak} MB"
    )
    print(json.dumps(result))


if __name__ == "__main__":
    main()
