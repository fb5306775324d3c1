"""The map as people use it, on the screens they have: clicks, presentation, counts, keyboard.

Every click is a real mouse click (page.mouse) at the place a person would click; screenshots of
each end state are kept in tests/e2e/artifacts/ (ignored by git) to look at.
"""

from __future__ import annotations

import re

import pandas as pd
import pytest
from playwright.sync_api import expect

from sharedservices import settings
from tests.e2e.conftest import MAP_FRAME, map_box, settled

SIZES = [(1366, 768), (1440, 900), (1920, 1080)]
#: A council in every nation and in London: (code, name, its point where its links meet, WGS84).
COUNCILS = [
    ("E07000200", "Babergh", 52.06357, 0.91311),
    ("E09000033", "Westminster", 51.51217, -0.15462),
    ("W06000015", "Cardiff", 51.50462, -3.22593),
    ("S12000049", "Glasgow City", 55.85463, -4.22822),
    ("N09000003", "Belfast", 54.59271, -5.93038),
    ("E06000052", "Cornwall", 50.44969, -4.63892),
]
ARTIFACTS = settings.PROJECT_ROOT / "tests" / "e2e" / "artifacts"
#: Suffolk close up, where Babergh and Mid Suffolk's shared workforce is drawn.
SUFFOLK = "?lat=52.15&lon=0.95&zoom=9.25"
on_every_screen = pytest.mark.parametrize("sized_page", SIZES, indirect=True, ids=lambda s: f"{s[0]}x{s[1]}")
on_a_laptop = pytest.mark.parametrize("sized_page", [SIZES[0]], indirect=True, ids=lambda s: f"{s[0]}x{s[1]}")


@pytest.fixture
def sized_page(browser, request):
    """A page of the given viewport that may reach only this machine, with its page errors kept."""
    width, height = request.param
    context = browser.new_context(viewport={"width": width, "height": height})
    context.route(re.compile(r"^(?!https?://(127\.0\.0\.1|localhost)[:/]).*"), lambda route: route.abort())
    page = context.new_page()
    page.errors = []
    page.on("pageerror", lambda error: page.errors.append(str(error)))
    page.size = (width, height)
    yield page
    context.close()


def _ready(page):
    frame = page.frame_locator(MAP_FRAME)
    frame.locator("path.leaflet-interactive").first.wait_for(state="attached", timeout=30_000)
    page.wait_for_timeout(800)  # the map takes the window's height
    map_box(page)
    drawn = page.frame(url=re.compile("st_folium"))
    drawn.wait_for_function("() => typeof map_div !== 'undefined' && typeof map_div.eachLayer === 'function'")
    return drawn


def _shot(page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}-{page.size[0]}x{page.size[1]}.png"))


def _scrolled(page) -> float:
    return page.evaluate("() => document.querySelector('[data-testid=\"stMain\"]')?.scrollTop ?? window.scrollY")


def _click_at(page, frame, lat: float, lon: float) -> None:
    x, y = frame.evaluate(f"() => {{ const p = map_div.latLngToContainerPoint([{lat}, {lon}]); return [p.x, p.y]; }}")
    box = map_box(page)
    assert box["y"] + box["height"] <= page.size[1], "the map reaches below the window"
    page.mouse.click(box["x"] + x, box["y"] + y)


@on_every_screen
def test_a_click_at_a_councils_centre_selects_it_on_every_screen(sized_page, server):
    page = sized_page
    for code, name, lat, lon in COUNCILS:
        page.goto(f"{server}/?lat={lat}&lon={lon}&zoom=9.25")
        frame = _ready(page)
        before = _scrolled(page)
        _click_at(page, frame, lat, lon)
        expect(page.get_by_role("heading", name=name, exact=True)).to_be_visible(timeout=20_000)
        assert _scrolled(page) == before, "the page scrolled under the mouse"
        expect(page.frame_locator(MAP_FRAME).locator(f"path.council-{code}.selected")).to_have_count(1, timeout=20_000)
        expect(page.frame_locator(MAP_FRAME).locator(".leaflet-popup")).to_have_count(0)
    _shot(page, "selected-council")
    assert page.errors == []


@on_a_laptop
def test_a_click_on_a_line_away_from_its_ends_opens_that_arrangement(sized_page, server):
    page = sized_page
    page.goto(f"{server}/{SUFFOLK}")
    frame = _ready(page)
    # A point in the middle third of the line where its stroke (not a gap of its dashes) is on top,
    # as a person clicks the line they see.
    lat, lon = frame.evaluate("""() => {
        let line = null;
        map_div.eachLayer(layer => {
            const p = layer.feature && layer.feature.properties;
            if (!line && p && p.aid && p.tip.startsWith('Babergh and Mid Suffolk') && layer.getLatLngs) line = layer;
        });
        const points = line.getLatLngs().flat(2).map(ll => map_div.latLngToContainerPoint(ll));
        for (let step = 0; step <= 60; step++) {
            const t = 1 / 3 + step / 180, at = t * (points.length - 1), i = Math.floor(at), f = at - i;
            const x = points[i].x + f * (points[i + 1].x - points[i].x), y = points[i].y + f * (points[i + 1].y - points[i].y);
            if (document.elementFromPoint(x, y) === line._path) {
                const ll = map_div.containerPointToLatLng([x, y]);
                return [ll.lat, ll.lng];
            }
        }
        return null;
    }""")
    _click_at(page, frame, lat, lon)
    popup = page.frame_locator(MAP_FRAME).locator(".leaflet-popup-content")
    expect(popup).to_contain_text("Babergh and Mid Suffolk", timeout=10_000)
    expect(popup).to_contain_text("Last checked")
    page.wait_for_timeout(1500)
    expect(page.get_by_role("heading", name="Click a council")).to_be_visible()  # no council was selected
    _shot(page, "line-popup")
    assert page.errors == []


@on_every_screen
def test_presentation_steps_through_every_view_by_keyboard_and_exits(sized_page, server):
    page = sized_page
    views = (settings.DATA_DIR / "views.csv").read_text().count("\n") - 1
    for leave in ("keyboard", "button"):
        page.goto(f"{server}/?present=1")
        _ready(page)
        titles = []
        for number in range(views):
            title = page.locator(".slide-title")
            expect(title).to_contain_text(f"{number + 1} of {views}", timeout=20_000)
            map_box(page)  # a new year's map replaces the last: wait for the one that stays
            page.frame_locator(MAP_FRAME).locator("path.leaflet-interactive").first.wait_for(state="attached", timeout=30_000)
            box = map_box(page)
            assert box["y"] < 0.25 * page.size[1] and box["y"] + box["height"] <= page.size[1], "the slide's map does not fit"
            titles.append(title.inner_text())
            if leave == "keyboard":
                _shot(page, f"slide-{number + 1}")
            if number == 1:  # the map has the focus: the keys still step the slides
                page.frame_locator(MAP_FRAME).locator(".leaflet-container").click(position={"x": 5, "y": 300})
                page.wait_for_timeout(1500)  # a click on a council reruns the page; a key pressed meanwhile is lost
            # A drawn map answers once (its view), which reruns the page: press, as a presenter
            # would, once the slide is still.
            page.wait_for_timeout(500)
            settled(page)
            page.keyboard.press("ArrowRight")
        expect(page.locator(".slide-title")).to_contain_text(f"1 of {views}", timeout=20_000)
        assert len(set(titles)) == views
        map_box(page)  # the first view's year replaces the last one's map
        page.frame_locator(MAP_FRAME).locator("path.leaflet-interactive").first.wait_for(state="attached", timeout=30_000)
        page.wait_for_timeout(1000)  # the slide has settled
        settled(page)
        if leave == "keyboard":
            page.keyboard.press("Escape")
        else:
            page.get_by_role("button", name=re.compile("^Exit")).click()
        expect(page.get_by_role("heading", name="Shared Services Map")).to_be_visible(timeout=20_000)
        expect(page).not_to_have_url(re.compile(r"present=1"), timeout=10_000)
        assert page.locator("[data-testid='stException']").count() == 0
    assert page.errors == []


@on_a_laptop
@pytest.mark.parametrize("query", ["", "q=Anglia%20Revenues&non_neighbours=1", "vintage=2013"])
def test_the_counts_line_is_what_is_drawn_plus_what_the_page_says_is_not(sized_page, server, query):
    page = sized_page
    page.goto(f"{server}/?{query}")
    frame = _ready(page)
    line = page.get_by_text(re.compile(r"on the map ·")).inner_text()
    counted = int(line.split()[0].replace(",", ""))
    drawn = frame.evaluate("""() => {
        const names = new Set();
        map_div.eachLayer(layer => { const p = layer.feature && layer.feature.properties;
                                     if (p && p.aid) names.add(p.aid); });
        return names.size;
    }""")
    assert drawn == counted
    note = page.get_by_text(re.compile(r"^Not drawn:"))
    undrawn = int(re.search(r"(\d+) arrangements? (is|are|has|have)", note.inner_text()).group(1)) if note.count() else 0
    shipped = len(pd.read_csv(settings.ARRANGEMENTS_CSV))
    expected = {"": shipped, "vintage=2013": shipped, "q=Anglia%20Revenues&non_neighbours=1": 1}[query]
    assert counted + undrawn == expected
    assert page.errors == []


@on_a_laptop
def test_a_click_is_reported_at_once_and_only_once(sized_page, server):
    """streamlit-folium reports the map 250 ms after its last event; the map reports a click as
    soon as the click's handlers have run, in the same words, so the later report sends nothing."""
    page = sized_page
    page.goto(f"{server}/{SUFFOLK}")
    frame = _ready(page)
    page.wait_for_timeout(1500)
    settled(page)
    reported = frame.evaluate("""async () => {
        map_div.fire("click", {latlng: L.latLng(52.06357, 0.91311)});
        await new Promise(done => setTimeout(done, 0));
        await new Promise(done => setTimeout(done, 0));
        const data = window.__GLOBAL_DATA__.previous_data;
        return data && data.last_clicked && [data.last_clicked.lat, data.last_clicked.lng];
    }""")
    assert reported == [52.06357, 0.91311], "the click waited for streamlit-folium's debounce"
    expect(page.get_by_role("heading", name="Babergh", exact=True)).to_be_visible(timeout=20_000)
    page.wait_for_timeout(1500)
    settled(page)
    # Count what the page sends to the server (its socket is open already: count at the socket).
    page.evaluate("""() => { window.sentToServer = 0; const send = WebSocket.prototype.send;
        WebSocket.prototype.send = function (message) { window.sentToServer += 1; return send.call(this, message); }; }""")
    _click_at(page, _ready(page), 52.23994, 1.04408)  # Mid Suffolk, by the real mouse
    expect(page.get_by_role("heading", name="Mid Suffolk", exact=True)).to_be_visible(timeout=20_000)
    page.wait_for_timeout(1000)  # well past the debounce
    sent = page.evaluate("window.sentToServer")
    assert sent == 1, f"one click sent {sent} messages to the server"
    assert page.errors == []


@on_a_laptop
def test_a_map_nobody_touched_reports_once_after_it_is_drawn(sized_page, server):
    """While it is drawn the map moves and gains layers, and each time it reports where it is;
    until a person touches it only the last of those reports is sent, so the page reruns once."""
    page = sized_page
    # Count, at the page's socket, the messages that carry the map's report (its bounds).
    page.add_init_script("""
        window.mapReports = 0;
        const sendToServer = WebSocket.prototype.send;
        WebSocket.prototype.send = function (message) {
            const text = typeof message === "string" ? message : new TextDecoder().decode(message);
            if (text.includes('"bounds"')) { window.mapReports += 1; }
            return sendToServer.call(this, message);
        };
    """)
    page.goto(f"{server}/{SUFFOLK}")
    _ready(page)
    page.wait_for_timeout(3000)  # long past the settling pause
    settled(page)
    reports = page.evaluate("window.mapReports")
    assert reports == 1, f"the untouched map reported {reports} times"
    assert page.errors == []


@on_a_laptop
def test_a_year_first_opened_on_a_fresh_server_draws_its_map_once(sized_page, fresh_server):
    """The first request for a boundary year shows a spinner while it loads; the map must keep its
    place on the page, or the browser throws the drawn map away and loads it again."""
    page = sized_page
    loads: list[str] = []
    page.on("framenavigated", lambda frame: loads.append(frame.url) if "st_folium" in frame.url else None)
    page.goto(f"{fresh_server}/?vintage=2013")
    _ready(page)
    page.wait_for_timeout(3000)  # the drawn map answers, which reruns the page
    settled(page)
    assert len(loads) == 1, f"the map was loaded {len(loads)} times"
    assert page.errors == []


@on_a_laptop
def test_map_shapes_are_out_of_the_tab_order_and_tooltips_do_not_stick(sized_page, server):
    page = sized_page
    page.goto(f"{server}/{SUFFOLK}")
    frame = _ready(page)
    focusable = frame.evaluate(
        "() => [...document.querySelectorAll('path, .leaflet-marker-icon')].filter(e => e.tabIndex >= 0).length"
    )
    assert focusable == 0
    box = map_box(page)
    x, y = frame.evaluate("() => { const p = map_div.latLngToContainerPoint([52.06357, 0.80]); return [p.x, p.y]; }")
    page.mouse.move(box["x"] + x, box["y"] + y)
    expect(page.frame_locator(MAP_FRAME).locator(".leaflet-tooltip")).to_have_count(1, timeout=5_000)
    page.mouse.move(box["x"] + box["width"] + 40, box["y"] + 40)  # off the map
    expect(page.frame_locator(MAP_FRAME).locator(".leaflet-tooltip")).to_have_count(0, timeout=5_000)
    labels = frame.evaluate(
        "() => [...document.querySelectorAll('.council-label')].filter(l => l.style.visibility === 'visible').map(l => l.textContent)"
    )
    assert "Babergh" in labels and "Mid Suffolk" in labels
    assert page.errors == []


def _names_shown(page, address: str) -> tuple[list[str], list[str], list[str]]:
    """The page at ``address`` once its map has settled: the map's visible names, the bold ones
    among them, and the pairs drawn over each other."""
    page.goto(address)
    _ready(page)
    page.wait_for_timeout(1500)
    settled(page)
    return page.frame(url=lambda u: "st_folium" in u).evaluate(
        """() => {
          const shown = [...document.querySelectorAll('.council-label')].filter(l => l.style.visibility === 'visible');
          const boxes = shown.map(l => [l.textContent, l.getBoundingClientRect()]);
          const pairs = [];
          boxes.forEach(([a, p], i) => boxes.slice(i + 1).forEach(([b, q]) => {
            if (p.left < q.right && q.left < p.right && p.top < q.bottom && q.top < p.bottom) { pairs.push(a + ' / ' + b); }
          }));
          return [shown.map(l => l.textContent), shown.filter(l => l.classList.contains('strong')).map(l => l.textContent), pairs];
        }"""
    )


@on_a_laptop
def test_names_on_the_map_never_overlap(sized_page, server):
    """Wokingham selected: its partners' names are bold across the South East, and a district's
    name that would fall on one of them (Rother under East Sussex) stays hidden."""
    page = sized_page
    shown, _, overlaps = _names_shown(page, f"{server}/?council=E06000041")
    assert len(shown) > 5, "the view shows its partners' names"
    assert overlaps == [], f"names drawn over each other: {overlaps}"
    assert page.errors == []


@on_every_screen
def test_a_selected_districts_partners_inside_its_county_are_named(sized_page, server):
    """Babergh's profile: Suffolk County Council is one of its partners and its name would sit
    at the county's middle, over Mid Suffolk; the districts Babergh works with are named first,
    and a name whose place below its point is taken (Ipswich under Babergh, Suffolk under Mid
    Suffolk) moves above it or beside it rather than vanish, none over another."""
    page = sized_page
    _, named, overlaps = _names_shown(page, f"{server}/council?council=E07000200")
    assert {"Babergh", "Mid Suffolk", "East Suffolk", "West Suffolk", "Ipswich", "Suffolk"} <= set(named), named
    assert overlaps == [], f"names drawn over each other: {overlaps}"
    assert page.errors == []


@on_a_laptop
def test_names_do_not_each_take_a_compositing_layer(sized_page, server):
    """Every council's name is placed by a flat translate: a 3D one gives each of the ~360 names
    its own compositing layer, which the browser rebuilds on every frame of a filter change
    (a zoom's animation still lifts them for its quarter of a second)."""
    page = sized_page
    page.goto(f"{server}/")
    frame = _ready(page)
    frame.wait_for_function("() => document.querySelectorAll('.council-label-anchor').length > 300")
    placed = frame.evaluate("() => [...document.querySelectorAll('.council-label-anchor')].map(a => a.style.transform)")
    assert all(p.startswith("translate(") for p in placed), [p for p in placed if not p.startswith("translate(")][:3]
    cdp = page.context.new_cdp_session(page)
    cdp.send("LayerTree.enable")
    layers: list[int] = []
    cdp.on("LayerTree.layerTreeDidChange", lambda event: layers.append(len(event.get("layers") or [])))
    page.get_by_text("Only partners that are not neighbours").click()
    page.wait_for_timeout(1500)
    assert layers and max(layers) < 60, f"compositing layers: {layers[-3:]}"
    assert page.errors == []
