"""A journalist's journey in a real browser: click Suffolk, see Norfolk, filter, share the link."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.e2e.conftest import MAP_FRAME, map_box


def _map(page):
    frame = page.frame_locator(MAP_FRAME)
    frame.locator("path.leaflet-interactive").first.wait_for(state="attached", timeout=30_000)
    return frame


def _click_council_area(page, places: list[tuple[float, float]]) -> None:
    """Click the first of several places (WGS84 degrees) where a council's area, not a link or
    another council's node, is on top."""
    frame = page.frame(url=re.compile("st_folium"))
    for lat, lon in places:
        point, on_area = frame.evaluate(
            f"""() => {{
                const p = map_div.latLngToContainerPoint([{lat}, {lon}]);
                const top = document.elementFromPoint(p.x, p.y);
                return [[p.x, p.y], !!top && top.getAttribute('fill') !== 'none' && top.tagName === 'path'
                                  && !top.classList.contains('council-node')];
            }}"""
        )
        if on_area:
            box = map_box(page)
            page.mouse.click(box["x"] + point[0], box["y"] + point[1])
            return
    raise AssertionError("every place tried is covered by a link")


def _counts(page) -> str:
    line = page.get_by_text(re.compile(r"a year stated savings"))
    line.wait_for()
    return line.inner_text()


def test_click_suffolk_see_norfolk_filter_and_share(page, server):
    page.goto(f"{server}/?lat=52.15&lon=0.95&zoom=9")  # Suffolk close up: the whole table, its areas clear of lines
    _map(page)
    everything = _counts(page)

    mid_suffolk = [(52.2 + dy, 1.0 + dx) for dy in (0, 0.04, -0.04, 0.08, -0.08) for dx in (0, 0.05, -0.05, 0.1, -0.1)]
    _click_council_area(page, mid_suffolk)
    expect(page.get_by_role("heading", name="Mid Suffolk")).to_be_visible(timeout=20_000)
    page.get_by_role("button", name="Select Suffolk County Council").click()
    expect(page.get_by_role("heading", name="Suffolk", exact=True)).to_be_visible(timeout=20_000)
    frame = _map(page)
    expect(frame.locator("path.council-E10000029.selected")).to_have_count(1, timeout=20_000)
    expect(frame.locator("path.council-E10000020.partner")).to_have_count(1)  # Norfolk

    # Mark a council's shape: if the filter redrew the whole map, the mark would be gone.
    page.frame(url=re.compile("st_folium")).evaluate(
        "() => { document.querySelector('path.leaflet-interactive').dataset.mark = 'kept'; }"
    )
    page.get_by_text("Only partners that are not neighbours").click()
    expect(page.get_by_text(re.compile(r"a year stated savings"))).not_to_have_text(everything, timeout=20_000)
    filtered = _counts(page)
    expect(frame.locator("path[data-mark='kept']")).to_have_count(1)  # only the links layer was replaced
    expect(page).to_have_url(re.compile(r"non_neighbours=1"), timeout=20_000)
    shared = page.url
    assert "council=E10000029" in shared

    page.goto(shared)
    _map(page)
    expect(page.get_by_role("heading", name="Suffolk", exact=True)).to_be_visible(timeout=20_000)
    assert _counts(page) == filtered
    expect(page.get_by_label("Only partners that are not neighbours")).to_be_checked()
    assert page.outside_requests == []


def test_a_new_boundary_year_redraws_the_base_map(page, server):
    page.goto(server)
    frame = _map(page)
    page.frame(url=re.compile("st_folium")).evaluate(
        "() => { document.querySelector('path.leaflet-interactive').dataset.mark = 'kept'; }"
    )
    page.get_by_text("2013", exact=True).click()
    expect(page).to_have_url(re.compile(r"vintage=2013"), timeout=20_000)
    expect(frame.locator("path[data-mark='kept']")).to_have_count(0, timeout=20_000)
    assert page.outside_requests == []


def test_a_link_to_a_region_moves_the_map_there_and_settles(page, server):
    page.goto(f"{server}/?region=Wales")
    _map(page)
    expect(page).to_have_url(re.compile(r"lat=52\.\d+&lon=-3\.\d+&zoom=\d"), timeout=20_000)
    settled = page.url
    page.wait_for_timeout(3000)
    assert page.url == settled  # no back-and-forth between the map and the page


def test_the_map_draws_with_no_network_beyond_this_machine(page, server):
    page.goto(server)
    frame = _map(page)
    assert frame.locator("path.leaflet-interactive").count() > 300
    assert page.outside_requests == []
