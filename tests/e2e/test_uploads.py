"""Your own data in a real browser: a messy table uploaded, a suggestion accepted and its
arrangements drawn; a boundary file of a year that is not built in drawn as councils; and a
second browser meanwhile still seeing the shipped data."""

from __future__ import annotations

import re
import zipfile

import geopandas as gpd
import pandas as pd
import pytest
from playwright.sync_api import expect

from sharedservices import settings
from tests.conftest import LAD_2023, write_zip_bomb
from tests.e2e.conftest import MAP_FRAME, settled

ARTIFACTS = settings.PROJECT_ROOT / "tests" / "e2e" / "artifacts"
MESSY = (
    "id,name,services,councils,status,source\n"
    "m1,Kent waste,Waste and street services,TUNBRIDGE WELLS BOROUGH; Sevenoaks District,operational,https://example.org/a\n"
    "m2,Tyneside legal,legal,Newcastle; Gateshead,operational,https://example.org/b\n"
    "m3,Somewhere ICT,ict,Zzzz Council; Torfaen County Borough,operational,https://example.org/c\n"
    'm4,"<img src=x onerror=alert(1)>",ict,Cotswold District; Forest of Dean District,operational,javascript:alert(1)\n'
    "m5,Kent planning,planning,Maidstone; Swale Borugh,operational,https://example.org/e\n"
)


@pytest.fixture(params=[(1366, 768), (1920, 1080)], ids=lambda size: f"{size[0]}x{size[1]}")
def person(browser, request):
    width, height = request.param
    context = browser.new_context(viewport={"width": width, "height": height}, accept_downloads=True)
    context.route(re.compile(r"^(?!https?://(127\.0\.0\.1|localhost)[:/]).*"), lambda route: route.abort())
    page = context.new_page()
    page.errors, page.dialogs = [], []
    page.on("pageerror", lambda error: page.errors.append(str(error)))
    page.on("dialog", lambda dialog: (page.dialogs.append(dialog.message), dialog.dismiss()))
    yield page
    context.close()


def _counts(page) -> str:
    line = page.get_by_text(re.compile(r"arrangements? on the map ·")).first
    expect(line).to_be_visible(timeout=60_000)
    return line.inner_text()


def _shot(page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    size = page.viewport_size
    page.screenshot(path=str(ARTIFACTS / f"uploads-{name}-{size['width']}x{size['height']}.png"), full_page=True)


def test_a_messy_table_is_uploaded_a_suggestion_accepted_and_drawn(person, browser, server, tmp_path):
    table = tmp_path / "our partnerships.csv"
    table.write_text(MESSY, encoding="utf-8")
    person.goto(f"{server}/data")
    expect(person.get_by_role("heading", name="Your data")).to_be_visible(timeout=60_000)
    person.locator("input[type=file]").first.set_input_files(str(table))
    expect(person.get_by_text("council names need you")).to_be_visible(timeout=60_000)
    expect(person.get_by_text(re.compile(r"1 arrangement\s+loaded"))).to_be_visible()  # m4: a javascript: source is refused
    person.get_by_role("button", name="Accept").first.click()  # Newcastle: the first suggestion
    expect(person.get_by_text(re.compile(r"2 arrangements\s+loaded"))).to_be_visible(timeout=60_000)
    settled(person)
    person.get_by_role("button", name="Accept").first.click()  # "Swale Borugh": Swale
    expect(person.get_by_text(re.compile(r"3 arrangements\s+loaded"))).to_be_visible(timeout=60_000)
    _shot(person, "table-read")

    person.get_by_role("link", name="See it on the map").click()
    person.wait_for_selector(MAP_FRAME, timeout=60_000)
    assert _counts(person).startswith("3 arrangements on the map")
    frame = person.frame_locator(MAP_FRAME)
    expect(frame.locator("path.leaflet-interactive").first).to_be_attached(timeout=60_000)
    expect(person.get_by_text(re.compile("your own data"))).to_be_visible()
    _shot(person, "table-on-the-map")
    assert not person.errors and not person.dialogs  # nothing from the table ran

    # Meanwhile another person, in another browser, sees the shipped table.
    other = browser.new_context(viewport={"width": 1366, "height": 768}).new_page()
    other.goto(server)
    assert int(_counts(other).split()[0].replace(",", "")) > 600
    other.context.close()

    # And back: the shipped data again, in this tab.
    person.get_by_role("button", name="Back to the shipped data").click()
    expect(person.get_by_text(re.compile(r"^[\d,]{3,} arrangements on the map"))).to_be_visible(timeout=60_000)


def test_a_boundary_file_of_another_year_is_drawn(person, server, tmp_path):
    councils = gpd.read_file(LAD_2023)[["LAD23CD", "LAD23NM", "geometry"]]
    councils = councils.rename(columns={"LAD23CD": "LAD22CD", "LAD23NM": "LAD22NM"})
    path = tmp_path / "LAD_DEC_2022_UK_BUC.gpkg"
    councils.to_file(path, driver="GPKG")
    person.goto(f"{server}/data")
    expect(person.get_by_role("heading", name="Your data")).to_be_visible(timeout=60_000)
    person.locator("input[type=file]").nth(1).set_input_files(str(path))
    expect(person.get_by_text("361 councils and 21 counties")).to_be_visible(timeout=120_000)
    person.get_by_role("link", name="See it on the map").click()
    person.wait_for_selector(MAP_FRAME, timeout=60_000)
    expect(person.get_by_role("radio", name="your file")).to_be_checked(timeout=60_000)
    frame = person.frame_locator(MAP_FRAME)
    expect(frame.locator("path.leaflet-interactive").nth(300)).to_be_attached(timeout=60_000)
    assert int(_counts(person).split()[0].replace(",", "")) > 600
    _shot(person, "boundaries-on-the-map")
    assert not person.errors


LONG = "Partnership history. " * 5_000  # 105,000 characters
HOSTILE = pd.DataFrame(
    {
        "id": ["h1", "h2", "h3", "h4"],
        "name": [
            "<script>alert('name')</script> {% endfor %}{{ 7*7 }} Suffolk ICT",
            '=HYPERLINK("http://evil.example","click me")',
            "Norfolk data link",
            "Norfolk script link",
        ],
        "services": ["ict", "legal", "ict", "ict"],
        "councils": ["Babergh; Mid Suffolk", "Babergh; Ipswich", "Norwich; Broadland", "Norwich; South Norfolk"],
        "status": ["operational"] * 4,
        "description": ["<img src=x onerror=alert('description')> " + LONG, "+cmd|' /C calc'!A0", "", ""],
        "source": [
            "https://example.org/h1",
            "https://example.org/h2",
            "data:text/html,<script>alert(4)</script>",
            "javascript:alert(3)",
        ],
    }
)


def test_a_hostile_table_runs_nothing_and_shows_its_text_escaped_and_cut(person, server, tmp_path):
    table = tmp_path / "hostile.csv"
    HOSTILE.to_csv(table, index=False)
    person.goto(f"{server}/data")
    expect(person.get_by_role("heading", name="Your data")).to_be_visible(timeout=60_000)
    person.locator("input[type=file]").first.set_input_files(str(table))
    expect(person.get_by_text(re.compile(r"2 arrangements\s+loaded"))).to_be_visible(timeout=60_000)  # h3, h4: no web source
    with person.expect_download() as corrected:
        person.get_by_role("button", name="Corrected table (CSV)").click()
    names = pd.read_csv(corrected.value.path(), encoding="utf-8-sig", dtype=str)
    assert not names.apply(lambda column: column.str.match(r"^[=+\-@]", na=False)).any().any()  # formulas neutralised

    person.get_by_role("link", name="See it on the map").click()
    person.wait_for_selector(MAP_FRAME, timeout=60_000)
    finder = person.locator("[data-testid='stSidebar'] [data-testid='stSelectbox'] input").first
    finder.click()
    person.keyboard.type("Babergh (dis")
    person.keyboard.press("Enter")
    expect(person.get_by_role("heading", name="Babergh")).to_be_visible(timeout=60_000)
    expect(person.get_by_text(re.compile(r"Read all \(105,0\d\d characters\)"))).to_be_visible(timeout=30_000)
    expect(person.get_by_text("<script>alert('name')</script> {% endfor %}{{ 7*7 }} Suffolk ICT").first).to_be_visible()
    expect(person.get_by_text('=HYPERLINK("http://evil.example","click me")').first).to_be_visible()
    panel_height = person.evaluate("() => document.querySelector('[data-testid=stMain]').scrollHeight")
    assert panel_height < 6_000  # 105,000 characters do not flood the page
    person.get_by_text(re.compile(r"Read all \(105,0")).first.click()
    expect(person.get_by_text(re.compile("Partnership history. Partnership history.")).first).to_be_visible()
    frame = person.frame_locator(MAP_FRAME)
    expect(frame.locator("path.leaflet-interactive").first).to_be_attached(timeout=60_000)
    for document in (person, frame.locator("body")):
        links = document.locator("a[href^='javascript:'], a[href^='data:'], img[src='x']")
        expect(links).to_have_count(0)
    _shot(person, "hostile-table")
    assert not person.errors and not person.dialogs  # nothing from the table ran


def _hostile_boundary_files(folder) -> dict[str, str]:
    """A zip bomb, a zip that writes outside its folder, and a shapefile with no coordinate
    system: file path -> what the page must say."""
    bomb = write_zip_bomb(folder / "bomb.zip")
    escape = folder / "escape.zip"
    with zipfile.ZipFile(escape, "w") as archive:
        archive.writestr("../../evil.shp", b"hello")
    gpd.read_file(LAD_2023).head(3).to_file(folder / "part.shp")
    no_crs = folder / "noprj.zip"
    with zipfile.ZipFile(no_crs, "w") as archive:
        for ext in (".shp", ".shx", ".dbf"):
            archive.write(folder / f"part{ext}", f"part{ext}")
    return {
        str(bomb): "the archive would unpack to",
        str(escape): "unsafe path",
        str(no_crs): "no coordinate system is declared",
    }


def test_hostile_boundary_files_are_refused_in_words_and_the_server_stays_up(person, browser, server, tmp_path):
    person.goto(f"{server}/data")
    expect(person.get_by_role("heading", name="Your data")).to_be_visible(timeout=60_000)
    for path, says in _hostile_boundary_files(tmp_path).items():
        person.locator("input[type=file]").nth(1).set_input_files(path)
        expect(person.get_by_text(re.compile(re.escape(says))).first).to_be_visible(timeout=60_000)
        expect(person.get_by_test_id("stException")).to_have_count(0)
    assert not list(tmp_path.parent.rglob("evil.shp"))
    _shot(person, "hostile-boundaries")
    other = browser.new_context(viewport={"width": 1366, "height": 768}).new_page()
    other.goto(server)
    assert int(_counts(other).split()[0].replace(",", "")) > 600  # another session is unaffected
    other.context.close()
    assert not person.errors and not person.dialogs


@pytest.mark.parametrize(
    "path",
    [
        "/?region=<script>alert(1)</script>&zoom=abc&lat=999&lon=-inf&council=%00&present=2&slide=-5",
        "/arrangements?service=%3Cimg%20src%3Dx%20onerror%3Dalert(1)%3E&status=javascript:alert(1)&min_savings=lots",
        "/council?council=<script>alert(1)</script>",
        "/council?council=E07000205",
        "/insights?vintage=1999&years=9999-1&cross=sideways&region=Wales&region=Wales",
        "/about?%ff%fe=%ff",
        "/data?council=E07000200&region=" + "x" * 5000,
    ],
    ids=["map", "arrangements", "council-script", "council-abolished", "insights", "about", "data"],
)
def test_malformed_links_give_a_page_and_a_sentence_never_an_error(person, server, path):
    person.goto(server + path)
    expect(person.locator("h1").first).to_be_visible(timeout=60_000)
    expect(person.get_by_test_id("stException")).to_have_count(0)
    assert not person.errors and not person.dialogs
    assert person.locator("img[src='x']").count() == 0
