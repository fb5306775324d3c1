"""A session's own data: messy tables read with names to resolve, boundary files of any year,
hostile files refused with one clear sentence, and nothing written where it should not be."""

from __future__ import annotations

import io
import zipfile

import geopandas as gpd
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from sharedservices import settings, uploads
from sharedservices.arrangements import WIDE_COLUMNS, read_arrangements
from sharedservices.errors import BoundaryFileError
from tests.conftest import LAD_2023

APP = str(settings.PROJECT_ROOT / "app.py")

MESSY = (
    "id,name,services,councils,status,source\n"
    "m1,Kent waste,Waste and street services,TUNBRIDGE WELLS BOROUGH; Sevenoaks District,operational,https://example.org/a\n"
    "m2,Tyneside legal,legal,Newcastle; Gateshead,operational,https://example.org/b\n"
    "m3,Somewhere ICT,ict,Zzzz Council; Torfaen County Borough,operational,https://example.org/c\n"
    "m4,Cotswold audit,audit,Cotswold District & Forest of Dean District,operational,https://example.org/d\n"
)


@pytest.fixture(scope="module")
def councils_by_vintage(vintage_2013, vintage_2023):
    return {"2013": vintage_2013.councils, "2023": vintage_2023.councils}


def test_names_that_did_not_resolve_are_listed_with_suggestions_and_a_choice_resolves_them(councils_by_vintage):
    register = uploads.register_with_choices(councils_by_vintage, {})
    report = read_arrangements(MESSY.encode(), register, "2023")
    assert set(report.arrangements["arrangement_id"]) == {"m1"}  # the others have a name to resolve
    unresolved = {item.written: item for item in uploads.unresolved_names(report)}
    assert set(unresolved) == {"Newcastle", "Zzzz Council", "Cotswold District & Forest of Dean District"}
    newcastle = unresolved["Newcastle"]
    assert newcastle.ambiguous and newcastle.rows == (3,)
    assert {"E08000021", "E07000195"} <= {s.code for s in newcastle.suggestions}
    assert not unresolved["Zzzz Council"].ambiguous
    choices = {"Newcastle": "E08000021", "Zzzz Council": "E06000019"}
    again = read_arrangements(MESSY.encode(), uploads.register_with_choices(councils_by_vintage, choices), "2023")
    assert set(again.arrangements["arrangement_id"]) == {"m1", "m2", "m3"}
    assert "E08000021" in set(again.long["code"])
    assert [item.written for item in uploads.unresolved_names(again)] == ["Cotswold District & Forest of Dean District"]


def test_the_corrected_table_reads_back_without_a_problem(councils_by_vintage, vintage_2023):
    choices = {"Newcastle": "E08000021", "Zzzz Council": "E06000019"}
    register = uploads.register_with_choices(councils_by_vintage, choices)
    report = read_arrangements(MESSY.encode(), register, "2023")
    names = vintage_2023.councils.set_index("code")["name"]
    corrected = uploads.table_csv(uploads.corrected_table(report, names))
    back = read_arrangements(corrected, uploads.register_with_choices(councils_by_vintage, {}), "2023")
    assert back.ok and not back.problems
    assert back.arrangements.set_index("arrangement_id")["councils"].to_dict() == (
        report.arrangements.set_index("arrangement_id")["councils"].to_dict()
    )


def test_the_templates_hold_the_columns_and_two_rows_that_read_cleanly(councils_by_vintage):
    register = uploads.register_with_choices(councils_by_vintage, {})
    for template in (uploads.template_csv(), uploads.template_xlsx()):
        report = read_arrangements(template, register, "2023")
        assert report.ok and len(report.arrangements) == 2 and list(report.arrangements.columns) == WIDE_COLUMNS
    book = pd.read_excel(io.BytesIO(uploads.template_xlsx()), sheet_name=None)
    assert list(book) == ["arrangements", "columns"] and set(book["columns"]["column"]) == set(WIDE_COLUMNS)


def test_a_formula_in_an_upload_is_neutralised_in_the_corrected_table(councils_by_vintage, vintage_2023):
    table = MESSY.replace("Kent waste", '=HYPERLINK("http://evil.example")')
    register = uploads.register_with_choices(councils_by_vintage, {})
    report = read_arrangements(table.encode(), register, "2023")
    csv = uploads.table_csv(uploads.corrected_table(report, vintage_2023.councils.set_index("code")["name"])).decode("utf-8-sig")
    assert "'=HYPERLINK" in csv and ",=HYPERLINK" not in csv
    workbook = pd.read_excel(io.BytesIO(uploads.table_xlsx(uploads.corrected_table(report, {}))))
    assert workbook.loc[0, "name"].startswith("'=")


def test_a_boundary_file_of_another_year_is_read_from_memory(tmp_path):
    councils = gpd.read_file(LAD_2023)[["LAD23CD", "LAD23NM", "geometry"]].rename(
        columns={"LAD23CD": "LAD22CD", "LAD23NM": "LAD22NM"}
    )
    path = tmp_path / "lad22.gpkg"
    councils.to_file(path, driver="GPKG")
    built = uploads.read_boundaries(path.read_bytes(), "lad22.gpkg")
    assert built.vintage == uploads.UPLOAD_VINTAGE and built.info["councils"] == 361 and built.info["counties"] == 21
    assert built.info["sources"] == ["lad22.gpkg"] and built.info["invalid_geometries"] == 0


@pytest.mark.parametrize(
    "name, data, message",
    [
        ("notes.pdf", b"%PDF-1.4 something", "not a boundary file the map can read"),
        ("empty.geojson", b"", "the file is empty"),
        ("bad.zip", b"PK\x03\x04 not really a zip", "not a readable zip archive"),
        ("readme.zip", None, "no boundary layer"),
        ("escape.zip", "traversal", "unsafe path"),
        ("odd.geojson", b'{"type": "FeatureCollection", "features": []}', r"odd\.geojson: the file holds no features"),
        (
            "points.geojson",
            b'{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"id":"x"},'
            b'"geometry":{"type":"Point","coordinates":[1,2]}}]}',
            "no column holds ONS council codes",
        ),
    ],
)
def test_bad_boundary_files_are_refused_with_one_clear_sentence(name, data, message, tmp_path):
    if data is None or data == "traversal":
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as archive:
            archive.writestr("../../evil.shp" if data == "traversal" else "readme.txt", b"hello")
        data = buffer.getvalue()
    before = set(tmp_path.parent.rglob("evil.shp"))
    with pytest.raises(BoundaryFileError, match=message):
        uploads.read_boundaries(data, name)
    assert set(tmp_path.parent.rglob("evil.shp")) == before


def test_a_file_name_is_shown_without_its_path_or_control_characters():
    with pytest.raises(BoundaryFileError) as raised:
        uploads.read_boundaries(b"x", "C:\\secret\\folder\\map\x07.exe")
    assert "secret" not in str(raised.value) and "\x07" not in str(raised.value) and "map.exe" in str(raised.value)


def _with_data(data: uploads.SessionData, page: str = "app_pages/map.py") -> AppTest:
    app = AppTest.from_file(APP, default_timeout=180)
    app.session_state["_session_data"] = data
    app.run()
    if page != "app_pages/map.py":
        app.switch_page(page).run()
    assert not app.exception, [e.message for e in app.exception]
    return app


def test_every_page_uses_the_session_table_with_a_banner_and_the_way_back():
    table = MESSY.replace("Newcastle;", "Newcastle upon Tyne;").encode()
    app = _with_data(uploads.SessionData(table_name="ours.csv", table=table))
    context = app.session_state["_context"]
    assert set(context.workspace.arrangements["arrangement_id"]) == {"m1", "m2"}
    assert any("your own data" in i.value and "ours" in i.value for i in app.info)
    for page in ("app_pages/arrangements.py", "app_pages/insights.py", "app_pages/data.py"):
        app.switch_page(page).run()
        assert not app.exception, [e.message for e in app.exception]
        assert len(app.session_state["_context"].shown.arrangements) == 2
    app.button(key="shipped_again").click().run()
    assert len(app.session_state["_context"].workspace.arrangements) > 600
    assert not any("your own data" in i.value for i in app.info)


def test_the_data_page_lists_the_names_to_resolve_and_a_pick_applies_at_once():
    app = _with_data(uploads.SessionData(table_name="messy.csv", table=MESSY.encode()), "app_pages/data.py")
    assert any("3 council names need you" in m.value for m in app.markdown)
    assert len([s for s in app.selectbox if s.key and s.key.startswith("resolve_")]) == 3
    accept = next(b for b in app.button if b.key and b.key.startswith("accept_"))
    accept.click().run()
    assert not app.exception, [e.message for e in app.exception]
    assert len(app.session_state["_session_data"].choices) == 1
    assert any("2 council names need you" in m.value for m in app.markdown)
