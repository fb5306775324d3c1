"""The pages as people move between them in a real browser: the filters held, profiles linked,
downloads holding exactly the rows shown."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pandas as pd
import pytest
from PIL import Image
from playwright.sync_api import expect

from sharedservices import settings
from tests.e2e.conftest import MAP_FRAME, settled

ARTIFACTS = settings.PROJECT_ROOT / "tests" / "e2e" / "artifacts"


@pytest.fixture(params=[(1366, 768), (1920, 1080)], ids=lambda s: f"{s[0]}x{s[1]}")
def user(browser, request):
    """A person's browser of a common screen size that reaches only this machine; page errors kept."""
    width, height = request.param
    context = browser.new_context(viewport={"width": width, "height": height}, accept_downloads=True)
    context.route(re.compile(r"^(?!https?://(127\.0\.0\.1|localhost)[:/]).*"), lambda route: route.abort())
    page = context.new_page()
    page.errors = []
    page.on("pageerror", lambda error: page.errors.append(str(error)))
    page.on(
        "console",
        lambda message: (
            page.errors.append(message.text)
            if message.type == "error" and "Failed to load resource" not in message.text
            else None
        ),
    )
    page.size = (width, height)
    yield page
    context.close()


def _shot(page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"pages-{name}-{page.size[0]}x{page.size[1]}.png"))


def test_map_to_profile_to_partner_to_arrangements_with_the_filters_held(user, server):
    page = user
    page.goto(f"{server}/?region=East%20of%20England&council=E07000200&lat=52.1&lon=0.9&zoom=9")
    expect(page.get_by_role("heading", name="Babergh")).to_be_visible(timeout=30_000)
    # The map's first report of its place reruns the page once it has drawn; a click on a link
    # before that rerun is over is lost (the page stays on the map), so let the map draw first.
    page.frame_locator(MAP_FRAME).locator("path.council-E07000200").first.wait_for(state="attached", timeout=60_000)
    page.wait_for_timeout(1500)
    settled(page)
    page.get_by_role("link", name="Profile", exact=True).click()
    expect(page).to_have_url(re.compile(r"/council\?.*council=E07000200"), timeout=20_000)
    # The first profile drawn by a fresh server imports the charting libraries: allow for it.
    expect(page.get_by_role("heading", name="Babergh", level=1)).to_be_visible(timeout=60_000)
    assert "region=East+of+England" in page.url or "region=East%20of%20England" in page.url
    expect(page.get_by_text("Councils like this one share…")).to_be_visible()
    _shot(page, "profile")

    settled(page)  # a link clicked while the profile still draws its charts is lost
    page.get_by_role("link", name="Mid Suffolk", exact=True).first.click()
    expect(page.get_by_role("heading", name="Mid Suffolk", level=1)).to_be_visible(timeout=20_000)
    expect(page).to_have_url(re.compile(r"council=E07000203"), timeout=10_000)
    assert "East" in page.url

    page.get_by_role("link", name="Arrangements").first.click()
    expect(page.get_by_role("heading", name="Arrangements", level=1)).to_be_visible(timeout=20_000)
    expect(page).to_have_url(re.compile(r"region=East"), timeout=10_000)
    chosen = page.locator("[data-testid='stSidebar'] [data-testid='stMultiSelect']").first
    expect(chosen).to_contain_text("East of England")
    _shot(page, "arrangements")

    page.go_back()
    expect(page.get_by_role("heading", name="Mid Suffolk", level=1)).to_be_visible(timeout=20_000)
    page.get_by_role("link", name="Show on the map").click()
    expect(page.get_by_role("heading", name="Mid Suffolk")).to_be_visible(timeout=30_000)  # the map's panel
    page.frame_locator(MAP_FRAME).locator("path.council-E07000203.selected").wait_for(state="attached", timeout=30_000)
    expect(chosen).to_contain_text("East of England")
    _shot(page, "back-on-the-map")
    assert page.errors == []


def test_the_arrangements_downloads_hold_exactly_the_rows_shown(user, server):
    page = user
    page.goto(f"{server}/arrangements?region=Wales")
    counted = page.get_by_text(re.compile(r"arrangements? match the filters"))
    expect(counted).to_be_visible(timeout=30_000)
    rows = int(re.search(r"([\d,]+) arrangements? match", counted.inner_text()).group(1).replace(",", ""))
    with page.expect_download() as csv_file:
        page.get_by_role("button", name=re.compile(r"rows \(CSV\)")).click()
    table = pd.read_csv(csv_file.value.path(), encoding="utf-8-sig")
    with page.expect_download() as xlsx_file:
        page.get_by_role("button", name=re.compile(r"rows \(Excel")).click()
    assert xlsx_file.value.suggested_filename == "shared-services-wales-2023.xlsx"
    book = pd.read_excel(xlsx_file.value.path(), sheet_name=None)
    assert len(table) == rows == len(book["Arrangements"]) > 0
    assert list(book["Arrangements"]["Id"]) == list(table["Id"])
    assert set(book) == {"Arrangements", "Links", "About"}
    _shot(page, "downloads")
    assert page.errors == []


def test_a_chart_downloads_from_its_menu_as_data_and_image(user, server):
    """Each insights chart has one Download menu; its CSV holds the chart's rows under the filters
    and its SVG is the chart drawn."""
    page = user
    page.goto(f"{server}/insights?region=Wales")
    expect(page.get_by_role("heading", name="Arrangements by service")).to_be_visible(timeout=30_000)
    menus = page.get_by_test_id("stPopoverButton")
    expect(menus.first).to_be_visible(timeout=30_000)
    assert menus.count() >= 5
    expect(page.get_by_test_id("stVegaLiteChart")).to_have_count(menus.count(), timeout=30_000)  # one menu a chart
    assert page.get_by_role("button", name="Data (CSV)").count() == 0  # closed menus draw nothing
    menus.first.click()
    with page.expect_download() as csv_file:
        page.get_by_role("button", name="Data (CSV)").click()
    assert csv_file.value.suggested_filename == "shared-services-wales-2023-by-service.csv"
    table = pd.read_csv(csv_file.value.path(), encoding="utf-8-sig")
    assert len(table) > 0 and table.select_dtypes("number").sum().sum() > 0
    page.keyboard.press("Escape")
    menus.first.click()
    with page.expect_download() as svg_file:
        page.get_by_role("button", name="Chart (SVG)").click()
    drawing = Path(svg_file.value.path()).read_text(encoding="utf-8")
    assert drawing.lstrip().startswith("<svg") and "Arrangements by service" in drawing
    _shot(page, "insights-download-menu")
    assert page.errors == []


def test_every_page_is_readable_at_this_size(user, server):
    for path in ("/", "/arrangements", "/council?council=E07000200", "/insights", "/about"):
        user.goto(f"{server}{path}")
        expect(user.locator("h1").first).to_be_visible(timeout=30_000)
        user.wait_for_timeout(1500)
        top = user.locator("h1").first.bounding_box()
        assert top["y"] > 40  # below the page menu, not under it
        _shot(user, path.strip("/").split("?")[0] or "map")
    assert user.errors == []


def test_an_exported_map_draws_offline_from_a_file_with_its_popups(browser, tmp_path):
    from sharedservices import exports, filters
    from sharedservices.viewstate import Filters
    from sharedservices.workspace import load_workspace

    workspace = load_workspace("2023")
    chosen = Filters(regions=("East of England",))
    path = tmp_path / "map.html"
    path.write_bytes(exports.export_view("html", workspace, chosen, "Boundaries: ONS"))
    context = browser.new_context(viewport={"width": 1366, "height": 768})
    context.route("**/*", lambda route: route.continue_() if route.request.url.startswith("file:") else route.abort())
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(path.as_uri())
    page.locator("path.leaflet-interactive").first.wait_for(state="attached", timeout=30_000)
    page.wait_for_timeout(1500)
    drawn = page.evaluate("""() => { const ids = new Set();
        Object.values(window).forEach(v => { if (v && v.eachLayer && v.getCenter) v.eachLayer(l => {
            const p = l.feature && l.feature.properties; if (p && p.aid) ids.add(p.aid); }); });
        return [...ids]; }""")
    assert len(drawn) == len(filters.apply(workspace, chosen).drawn)
    councils = page.evaluate("""() => { let count = 0;
        Object.values(window).forEach(v => { if (v && v.eachLayer && v.getCenter) v.eachLayer(l => {
            if (l.feature && l.feature.properties && l.feature.properties.code) count++; }); });
        return count; }""")
    assert councils >= len(workspace.boundaries.councils) - 40, "the councils unpacked from the file are drawn"
    line = page.evaluate("""() => { let found = null;
        Object.values(window).forEach(v => { if (v && v.eachLayer && v.getCenter) v.eachLayer(l => {
            const p = l.feature && l.feature.properties; if (!found && p && p.aid) found = l; }); });
        found.fire('click', {latlng: found.getLatLngs().flat(2)[0]}); return found.feature.properties.aid; }""")
    popup = page.locator(".leaflet-popup-content")
    popup.wait_for(timeout=10_000)
    assert "Sources:" in popup.inner_text() and popup.locator("a[href^='http']").count() >= 1, line
    page.screenshot(path=str(ARTIFACTS / "pages-offline-export.png"))
    assert errors == []
    context.close()


def test_a_council_saved_map_opens_painted_on_the_council(browser, tmp_path):
    """A saved map of one council opens fitted to it and its partners, and is painted there: the
    selected council shows in its highlight colour at its own point (an animated first zoom once
    left the lower half of the window unpainted)."""
    from sharedservices import exports
    from sharedservices.viewstate import Filters
    from sharedservices.workspace import load_workspace

    workspace = load_workspace("2023")
    path = tmp_path / "babergh.html"
    path.write_bytes(exports.export_view("html", workspace, Filters(), "Boundaries: ONS", "E07000200"))
    context = browser.new_context(viewport={"width": 1366, "height": 768})
    context.route("**/*", lambda route: route.continue_() if route.request.url.startswith("file:") else route.abort())
    page = context.new_page()
    page.goto(path.as_uri())
    page.locator("path.council-E07000200.selected").wait_for(state="attached", timeout=30_000)
    page.wait_for_timeout(1500)
    babergh = workspace.boundaries.councils.set_index("code").loc["E07000200"]
    x, y = page.evaluate(
        """([lat, lon]) => { const map = Object.values(window).find(v => v && v.latLngToContainerPoint && v.getCenter);
        const p = map.latLngToContainerPoint([lat, lon]); return [Math.round(p.x), Math.round(p.y)]; }""",
        [float(babergh["lat"]), float(babergh["lon"])],
    )
    assert 100 < x < 1266 and 100 < y < 668, "the map opens on the council"
    picture = Image.open(io.BytesIO(page.screenshot()))
    red, green, blue = picture.getpixel((x + 30, y + 30))[:3]  # inside Babergh, clear of its point and name
    assert red > 200 and 150 < green < 210 and blue < 120, f"Babergh is not painted in its highlight colour: {(red, green, blue)}"
    page.screenshot(path=str(ARTIFACTS / "pages-offline-export-council.png"))
    context.close()


def test_a_profile_map_names_every_partner_clear_of_each_other_and_the_controls(user, server):
    page = user
    page.goto(f"{server}/council?council=E07000081")  # Gloucester: seven partners close together
    frame = page.frame_locator(MAP_FRAME)
    frame.locator(".council-label.strong").first.wait_for(state="attached", timeout=60_000)
    page.wait_for_timeout(1500)
    boxes = page.frame(url=lambda u: "st_folium" in u).evaluate(
        """() => { const box = e => { const r = e.getBoundingClientRect(); return [r.left, r.top, r.right, r.bottom]; };
        return {names: [...document.querySelectorAll('.council-label.strong')].map(l => [l.textContent, l.style.visibility, box(l)]),
                plain: [...document.querySelectorAll('.council-label:not(.strong)')].filter(l => l.style.visibility !== 'hidden').map(box),
                controls: [...document.querySelectorAll('.leaflet-control')].map(box)}; }"""
    )
    names = boxes["names"]
    assert len(names) == 8 and all(shown == "visible" for _, shown, _ in names), names
    apart = lambda a, b: a[2] <= b[0] or b[2] <= a[0] or a[3] <= b[1] or b[3] <= a[1]  # noqa: E731
    for first, (name, _, box) in enumerate(names):
        assert all(apart(box, other) for _, _, other in names[first + 1 :]), name
        assert all(apart(box, control) for control in boxes["controls"]), name
    assert all(apart(box, control) for box in boxes["plain"] for control in boxes["controls"])
    assert page.errors == []


def test_bold_names_side_by_side_keep_a_space_between_them(user, server):
    """Babergh's partners Mid Suffolk, Suffolk and East Suffolk once stood flush on one line at
    1920x1080 and read as one name ("Mid Suffolk Suffolk East Suffolk")."""
    page = user
    page.goto(f"{server}/council?council=E07000200")
    page.frame_locator(MAP_FRAME).locator(".council-label.strong").first.wait_for(state="attached", timeout=60_000)
    page.wait_for_timeout(1500)
    names = page.frame(url=lambda u: "st_folium" in u).evaluate(
        """() => [...document.querySelectorAll('.council-label.strong')].filter(l => l.style.visibility !== 'hidden')
            .map(l => { const r = l.getBoundingClientRect(); return [l.textContent, r.left, r.top, r.right, r.bottom]; })"""
    )
    assert len(names) >= 5, names
    for first, (name, left, top, right, bottom) in enumerate(names):
        for other, o_left, o_top, o_right, o_bottom in names[first + 1 :]:
            same_line = top < o_bottom and o_top < bottom
            gap = max(o_left - right, left - o_right)
            assert not same_line or gap >= 4, (name, other, gap)
    assert page.errors == []


def test_a_profile_map_opens_fitted_to_the_council_and_its_partners(user, server):
    """Essex and its 39 partners fill the profile's map at every size: all inside it, spread over
    at least half its width or height (the map was once fitted for a fixed 640x360 and opened
    zoomed far out on a wide screen)."""
    from sharedservices import filters, profiles
    from sharedservices.viewstate import Filters
    from sharedservices.workspace import load_workspace

    workspace = load_workspace("2023")
    partners = profiles.partners_table(workspace, filters.apply(workspace, Filters()), "E10000012")
    west, south, east, north = workspace.boundaries.councils.set_index("code").loc[["E10000012", *partners["code"]]].total_bounds
    page = user
    page.goto(f"{server}/council?council=E10000012")
    page.frame_locator(MAP_FRAME).locator(".council-label.strong").first.wait_for(state="attached", timeout=60_000)
    page.wait_for_timeout(1000)
    size, corners = page.frame(url=lambda u: "st_folium" in u).evaluate(
        """([south, west, north, east]) => { const box = map_div.getSize();
        const a = map_div.latLngToContainerPoint([south, west]), b = map_div.latLngToContainerPoint([north, east]);
        return [[box.x, box.y], [a.x, b.y, b.x, a.y]]; }""",
        [float(south), float(west), float(north), float(east)],
    )
    (width, height), (left, top, right, bottom) = size, corners
    assert left >= -1 and top >= -1 and right <= width + 1 and bottom <= height + 1, (size, corners)
    assert right - left >= width / 2 or bottom - top >= height / 2, (size, corners)
    assert page.errors == []


def test_the_finder_on_another_page_opens_the_profile_with_the_filters_kept(user, server):
    page = user
    page.goto(f"{server}/arrangements?region=East%20of%20England")
    expect(page.get_by_role("heading", name="Arrangements", level=1)).to_be_visible(timeout=60_000)
    settled(page)
    finder = page.locator("[data-testid='stSidebar'] [data-testid='stSelectbox'] input").first
    finder.click()
    page.keyboard.type("Babergh (dis")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/council\?.*council=E07000200"), timeout=30_000)
    expect(page.get_by_role("heading", name="Babergh", level=1)).to_be_visible(timeout=60_000)
    settled(page)
    assert "region=East" in page.url
    expect(page.get_by_test_id("stException")).to_have_count(0)
    page.get_by_role("link", name="Map", exact=True).first.click()
    page.frame_locator(MAP_FRAME).locator("path.council-E07000200.selected").wait_for(state="attached", timeout=60_000)
    expect(page.get_by_role("heading", name="Babergh", level=3)).to_be_visible(timeout=30_000)  # the map panel
    expect(page.get_by_test_id("stException")).to_have_count(0)
    assert "region=East" in page.url
    _shot(page, "found-from-arrangements")
    assert page.errors == []


def _pick(page, label: str, option: str) -> None:
    """Choose an option of a sidebar multiselect by typing it, as a person does."""
    box = page.locator("[data-testid='stSidebar'] [data-testid='stMultiSelect']").filter(has_text=label).locator("input")
    box.click()
    page.keyboard.type(option)
    page.keyboard.press("Enter")
    page.keyboard.press("Escape")
    settled(page)


def test_a_journalist_filters_shares_the_link_and_downloads_exactly_those_rows(user, browser, server):
    page = user
    page.goto(f"{server}/arrangements")
    counted = page.get_by_text(re.compile(r"arrangements? match the filters"))
    expect(counted).to_be_visible(timeout=60_000)
    settled(page)
    _pick(page, "Region or nation", "North West")
    _pick(page, "Service", "Revenues and benefits")
    expect(page).to_have_url(re.compile(r"region=North.*service=revenues_benefits"), timeout=20_000)
    rows = int(re.search(r"([\d,]+) arrangements? match", counted.inner_text()).group(1).replace(",", ""))
    assert 0 < rows < 100
    link = page.url
    _shot(page, "journalist-filtered")

    fresh = browser.new_context(viewport={"width": page.size[0], "height": page.size[1]}, accept_downloads=True)
    fresh.route(re.compile(r"^(?!https?://(127\.0\.0\.1|localhost)[:/]).*"), lambda route: route.abort())
    other = fresh.new_page()
    other.goto(link)
    shared = other.get_by_text(re.compile(r"arrangements? match the filters"))
    expect(shared).to_be_visible(timeout=60_000)
    assert int(re.search(r"([\d,]+) arrangements? match", shared.inner_text()).group(1).replace(",", "")) == rows
    with other.expect_download() as csv_file:
        other.get_by_role("button", name=re.compile(r"rows \(CSV\)")).click()
    table = pd.read_csv(csv_file.value.path(), encoding="utf-8-sig")
    with other.expect_download() as xlsx_file:
        other.get_by_role("button", name=re.compile(r"rows \(Excel")).click()
    book = pd.read_excel(xlsx_file.value.path(), sheet_name=None)
    assert len(table) == len(book["Arrangements"]) == rows
    assert list(book["Arrangements"]["Id"]) == list(table["Id"])
    assert table["Services"].str.contains("Revenues and benefits").all()
    fresh.close()
    assert page.errors == []
