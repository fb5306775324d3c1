"""Reading and checking files of arrangements (sharedservices.arrangements)."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sharedservices.arrangements import (
    LONG_COLUMNS,
    SEVERITIES,
    WIDE_COLUMNS,
    load_categories,
    read_arrangements,
    service_category,
    validate_file,
)
from sharedservices.matching import build_register
from tests.fixtures import FIXTURES, fixture_changes, fixture_councils_by_vintage

WIDE = FIXTURES / "arrangements_wide.csv"
LONG = FIXTURES / "arrangements_long.csv"
HEADER = ",".join(WIDE_COLUMNS)
GOOD_ROW = (
    "good-one,Good one,ict,,Babergh District Council;Mid Suffolk District Council,,2014,,operational,,,"
    "https://example.org/good,2024-05-01,2024-05,"
)
REGISTER = build_register(fixture_councils_by_vintage(), fixture_changes())
KEY = ["arrangement_id", "code", "role"]


def read(data: str | bytes, vintage: str = "2013"):
    raw = data.encode("utf-8") if isinstance(data, str) else data
    return read_arrangements(raw, REGISTER, vintage)


def table(*rows: str) -> str:
    return "\n".join([HEADER, *rows]) + "\n"


def messages(report, severity: str | None = None) -> list[str]:
    return [p.message for p in report.problems if severity is None or p.severity == severity]


# --- good files -------------------------------------------------------------------------------


def test_wide_file_becomes_one_long_table():
    report = validate_file(WIDE, fixture_councils_by_vintage(), "2013", changes=fixture_changes())
    assert report.problems == [] and report.ok
    assert (report.file_format, report.layout, report.rows_read) == ("csv", "wide", 4)
    long = report.long
    assert list(long.columns) == LONG_COLUMNS
    assert len(long) == 9 and long["arrangement_id"].nunique() == 4
    tri = long[long["arrangement_id"] == "tri-borough"].set_index("code")
    assert tri["role"].to_dict() == {"E09000013": "member", "E09000020": "member", "E09000033": "lead"}
    first = long.iloc[0]
    assert first["services"] == "shared_management;waste_street"
    assert (first["start_year"], first["end_year"], first["savings_gbp_per_year"]) == (2011, 2019, 3_500_000)
    assert tri["savings_gbp_per_year"].iloc[0] == 40_000_000
    assert tri["source_urls"].iloc[0] == "https://example.org/tri-borough https://example.org/tri-borough-end"
    assert str(long["start_year"].dtype) == "Int64" and str(long["savings_gbp_per_year"].dtype) == "Float64"


def test_councils_that_merged_are_followed_into_the_chosen_vintage():
    report = read(WIDE.read_bytes(), "2023")
    assert report.ok
    merged = report.long[report.long["arrangement_id"] == "forest-heath-st-edmundsbury-shared-services"]
    assert merged["code"].tolist() == ["E07000245"] and merged["matched_by"].tolist() == ["changed"]
    notes = messages(report, "note")
    assert any("no longer exists on the 2023 map" in m for m in notes)
    assert any("all its councils are now one council, West Suffolk (E07000245)" in m for m in notes)


def test_long_file_gives_the_same_table_as_the_wide_one():
    wide, long = read(WIDE.read_bytes()), read(LONG.read_bytes())
    assert long.layout == "long" and long.ok, messages(long)
    columns = [c for c in LONG_COLUMNS if c not in ("row", "council_as_written")]
    pd.testing.assert_frame_equal(long.long[columns], wide.long[columns])
    assert long.long["row"].tolist() == list(range(2, 11))


@pytest.mark.parametrize(
    ("encoding", "delimiter"),
    [("utf-8", ","), ("utf-8-sig", ","), ("cp1252", ","), ("utf-8", ";"), ("cp1252", ";"), ("utf-16", "\t")],
)
def test_encodings_and_delimiters(encoding, delimiter):
    frame = pd.read_csv(WIDE, dtype=str, keep_default_na=False)
    frame.loc[0, "description"] = "Café-style £ note – shared"
    text = frame.to_csv(index=False, sep=delimiter)
    report = read(text.encode(encoding))
    assert report.ok, messages(report)
    assert report.long.loc[0, "description"] == "Café-style £ note – shared"
    assert report.long.loc[0, "savings_gbp_per_year"] == 3_500_000
    assert len(report.long) == 9


def _xlsx(rows: list[list[object]], sheet: str = "Sheet1") -> bytes:
    book = openpyxl.Workbook()
    book.active.title = sheet
    for row in rows:
        book.active.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_excel_workbooks_wide_and_long():
    frame = pd.read_csv(WIDE, dtype=str, keep_default_na=False)
    rows = [list(frame.columns)] + frame.values.tolist()
    for row in rows[1:]:  # numbers and dates as Excel holds them
        row[6] = float(row[6])
        row[12] = pd.Timestamp(row[12]).to_pydatetime()
    report = read(_xlsx(rows))
    assert (report.file_format, report.ok) == ("xlsx", True), messages(report)
    pd.testing.assert_frame_equal(report.long, read(WIDE.read_bytes()).long)

    frame = pd.read_csv(LONG, dtype=str, keep_default_na=False)
    report = read(_xlsx([list(frame.columns)] + frame.values.tolist(), sheet="Arrangements"))
    assert (report.layout, len(report.long)) == ("long", 9)


def test_service_categories_by_id_or_label_in_any_case():
    categories = load_categories()
    assert len(categories) == 21 and list(categories.columns) == ["category_id", "label", "description"]
    assert service_category("REVENUES & BENEFITS") == "revenues_benefits"
    assert service_category("Children's and education") == "children_education"
    assert service_category("hr_payroll") == "hr_payroll"
    assert service_category("Shared management / chief executive") == "shared_management"
    assert service_category("juggling") is None
    report = read(table(GOOD_ROW.replace(",ict,", ',"REVENUES AND BENEFITS; ict, Ict",')))
    assert report.long["services"].iloc[0] == "revenues_benefits;ict"


def test_values_written_in_other_ways():
    row = GOOD_ROW.replace(",2014,,", ",2014-04-01,2019.0,").replace("operational", "Operational")
    row = row.replace(",,,https", ",£1.2m,,https").replace("2024-05-01", "31/05/2024")
    report = read(table(row))
    assert report.ok, messages(report)
    got = report.long.iloc[0]
    assert (got["start_year"], got["end_year"], got["status"]) == (2014, 2019, "operational")
    assert (got["savings_gbp_per_year"], got["last_checked"]) == (1_200_000, "2024-05-31")


def test_round_trip_through_the_wide_layout():
    report = read(WIDE.read_bytes())
    again = read(report.arrangements.to_csv(index=False))
    assert again.ok, messages(again)
    columns = [c for c in LONG_COLUMNS if c not in ("council_as_written", "matched_by")]
    pd.testing.assert_frame_equal(again.long[columns], report.long[columns])


def test_report_as_json():
    report = read(table(GOOD_ROW, GOOD_ROW.replace("good-one", "bad-one").replace("2014,,", "2014,2010,")))
    data = json.loads(json.dumps(report.to_dict()))
    assert data["arrangements_loaded"] == 1 and data["errors"] == 1 and data["rows_read"] == 2
    assert data["matched_by"] == {"exact": 2}
    assert data["problems"] == [
        {"row": 3, "column": "end_year", "severity": "error", "message": "Row 3: end year 2010 is before start year 2014."}
    ]


# --- bad files: each problem reported on its row, the good rows still load ---------------------


def _one_bad(bad_row: str, vintage: str = "2013"):
    report = read(table(GOOD_ROW, bad_row), vintage)
    assert report.long["arrangement_id"].unique().tolist() == ["good-one"]
    return report


def test_end_before_start():
    report = _one_bad(GOOD_ROW.replace("good-one", "x").replace("2014,,", "2014,2010,"))
    assert messages(report) == ["Row 3: end year 2010 is before start year 2014."]
    assert report.problems[0].column == "end_year"


def test_unknown_service_category_suggests_the_closest():
    report = _one_bad(GOOD_ROW.replace("good-one", "x").replace(",ict,", ",Revenue and benefit;ict,"))
    assert messages(report) == [
        "Row 3: 'Revenue and benefit' is not a service category this map knows; "
        "did you mean 'Revenues and benefits' (revenues_benefits)?"
    ]


@pytest.mark.parametrize(
    ("savings", "words"), [("-5000", "negative"), ("lots", "not an amount of pounds"), ("1e400", "not an amount of pounds")]
)
def test_bad_savings(savings, words):
    report = _one_bad(GOOD_ROW.replace("good-one", "x").replace(",,,https", f",{savings},,https"))
    (problem,) = report.problems
    assert (problem.row, problem.column, problem.severity) == (3, "savings_gbp_per_year", "error")
    assert words in problem.message


def test_duplicate_ids():
    report = _one_bad(GOOD_ROW.replace("Babergh", "Ipswich"))
    assert messages(report) == ["Row 3: the arrangement id 'good-one' is already used on row 2; this row was not loaded."]


def test_council_that_does_not_exist():
    bad = GOOD_ROW.replace("good-one", "x").replace("Babergh District Council", "Baberg DC;Nowhere Council")
    report = _one_bad(bad)
    assert [p.row for p in report.problems] == [3, 3]
    assert any("read as Babergh (E07000200)" in m for m in messages(report, "warning"))
    (error,) = messages(report, "error")
    assert error.startswith("Row 3: No council called 'Nowhere Council' was found")


def test_ambiguous_council_is_not_guessed():
    report = _one_bad(GOOD_ROW.replace("good-one", "x").replace("Babergh District Council", "Kingston"))
    (error,) = messages(report, "error")
    assert "could mean" in error and "E09000021" in error and "E06000010" in error


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (
            ("operational", "operatonal"),
            "Row 3: the status 'operatonal' should be one of: proposed, in discussion, "
            "operational, ended. Did you mean 'operational'?",
        ),
        ((",2014,", ",spring 2014,"), "Row 3: the start year 'spring 2014' is not a year; write it as four digits, e.g. 2014."),
        ((",2014,", ",1066,"), "Row 3: the start year 1066 is not a likely year."),
        (("Good one", ""), "Row 3: the arrangement has no name."),
        ((",ict,", ",,"), "Row 3: no service is given; name at least one service category."),
        (
            ("https://example.org/good", "www.example.org/good"),
            "Row 3: the source 'www.example.org/good' is not a full web address; it should start with https://.",
        ),
        (("Babergh District Council;", ""), "Row 3: an arrangement needs at least two councils; only one was given."),
        (
            ("Babergh District Council", "Mid Suffolk"),
            "Row 3: the councils listed are all the same council (Mid Suffolk (E07000203)); an arrangement needs at least two.",
        ),
        (
            ("Babergh District Council;Mid Suffolk District Council", ""),
            "Row 3: an arrangement needs at least two councils; none was given.",
        ),
    ],
)
def test_bad_values(change, expected):
    report = _one_bad(GOOD_ROW.replace("good-one", "x").replace(*change))
    assert messages(report, "error") == [expected]


def test_no_arrangement_id():
    report = _one_bad(GOOD_ROW.replace("good-one", ""))
    assert messages(report) == ["Row 3: there is no arrangement id, so this row was not loaded."]


def test_warnings_load_the_row():
    row = GOOD_ROW.replace("Babergh District Council;Mid Suffolk District Council", '"Babergh DC, Mid Suffolk DC"')
    row = row.replace(",,2014", ",Ipswich Borough Council,2014").replace("https://example.org/good", "")
    row = row.replace("2024-05-01", "last spring")
    report = read(table(row))
    assert report.ok and set(report.long["code"]) == {"E07000200", "E07000203", "E07000202"}
    assert report.long.set_index("code").loc["E07000202", "role"] == "lead"
    assert messages(report, "warning") == [
        "Row 2: no source is given; add the web address of a page that states this arrangement.",
        "Row 2: the date last checked 'last spring' is not a date; write it like 2024-05-31. It was left empty.",
        "Row 2: councils should be separated by semicolons (;); 'Babergh DC, Mid Suffolk DC' was read as 2 councils.",
        "Row 2: the lead council 'Ipswich Borough Council' is not in the list of councils; it was added.",
    ]


def test_missing_columns():
    frame = pd.read_csv(WIDE, dtype=str, keep_default_na=False).drop(columns=["services", "status"])
    report = read(frame.to_csv(index=False))
    assert report.long.empty
    assert [(p.row, p.column) for p in report.problems] == [(1, "services"), (1, "status")]
    assert messages(report)[0] == "Row 1: the table has no 'services' column, so no arrangement could be loaded."
    no_councils = read(pd.read_csv(WIDE, dtype=str).drop(columns=["councils"]).to_csv(index=False))
    assert messages(no_councils) == [
        "Row 1: the table has neither a 'councils' column (all the councils of an "
        "arrangement in one cell) nor a 'council' column (one row per council), so no "
        "arrangement could be loaded."
    ]


def test_header_problems():
    report = read(HEADER + ",notes,name\n" + GOOD_ROW + ",hello,Other name\n")
    assert report.ok
    assert messages(report, "warning") == [
        "Row 1: the column 'notes' (column P) is not one this map uses; it was ignored.",
        "Row 1: the column 'name' appears twice; column Q was ignored.",
    ]
    nothing = read("a,b,c\n1,2,3\n")
    assert nothing.long.empty and messages(nothing)[0].startswith("Row 1 should hold the column names")


def test_ragged_rows():
    report = read(table(GOOD_ROW + ",surplus", "short-one,Short,ict"))
    assert report.long["arrangement_id"].unique().tolist() == ["good-one"]
    assert messages(report, "warning")[0] == ("Row 2 has more cells than there are column names; the extra cells were ignored.")
    assert "Row 3: no status is given" in " ".join(messages(report, "error"))


def test_row_numbers_count_spreadsheet_rows():
    multi_line = GOOD_ROW.replace("good-one,Good one,ict,,", 'two,Two,ict,"first line\nsecond line",')
    bad = GOOD_ROW.replace("good-one", "three").replace("2014,,", "2014,2000,")
    report = read("\n" + HEADER + "\n\n" + GOOD_ROW + "\n" + multi_line + "\n" + bad)
    assert messages(report) == ["Row 6: end year 2000 is before start year 2014."]
    assert report.long.set_index("arrangement_id")["row"].to_dict() == {"good-one": 4, "two": 5}


def test_long_layout_problems():
    text = (
        LONG.read_text()
        .replace("Breckland DC,lead,", "Breckland DC,boss,")
        .replace("Tri-borough shared services,,,,,,,,,\ntri-borough,Westminster", "Triborough,,,,,,,,,\ntri-borough,Westminster")
    )
    report = read(text)
    assert messages(report, "error") == ["Row 4: the role 'boss' should be 'lead' or 'member'."]
    assert messages(report, "warning") == [
        "Row 7: name 'Triborough' differs from 'Tri-borough shared services' on row 6 for the same arrangement; row 6's was kept."
    ]
    assert "breckland-south-holland-shared-management" not in set(report.long["arrangement_id"])


@pytest.mark.parametrize(
    ("data", "words"),
    [
        (b"", "The file is empty."),
        (b"  \n\r\n ", "The file is empty."),
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", "This file is a PDF document, not a table."),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "This file is an image (PNG), not a table."),
        (b"\xff\xd8\xff\xe0\x00\x10JFIF", "This file is an image (JPEG), not a table."),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "This file is an old Excel (.xls) or Word document, not a table."),
        (bytes(range(256)) * 4, "This file is not a table: it holds binary data rather than text."),
        (b"PK\x03\x04 not really a zip", "This file could not be opened as an Excel workbook"),
    ],
)
def test_files_that_are_not_tables(data, words):
    report = read(data)
    assert report.long.empty and not report.ok
    (problem,) = report.problems
    assert problem.row is None and problem.message.startswith(words)
    assert "CSV" in problem.message or "empty" in problem.message


def test_a_zip_that_is_not_a_workbook():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("boundaries.shp", b"\x00" * 100)
    report = read(buffer.getvalue())
    assert messages(report)[0].startswith("This file could not be opened as an Excel workbook")


def test_header_only_and_missing_file(tmp_path):
    only = read(HEADER + "\n")
    assert only.long.empty and messages(only, "warning") == ["The table has column names but no rows of data."]
    missing = read_arrangements(tmp_path / "nothing.csv", REGISTER, "2013")
    assert messages(missing)[0].startswith("The file could not be opened")
    assert missing.source.endswith("nothing.csv")


def test_the_project_arrangements_file_loads():
    from sharedservices.vintages import load_councils

    councils = {v: load_councils(v) for v in ("2013", "2023")}
    path = Path(__file__).parent.parent / "data" / "arrangements.csv"
    for vintage in ("2013", "2023"):
        report = validate_file(path, councils, vintage)
        assert report.layout == "wide" and report.rows_read > 0
        assert report.long["arrangement_id"].nunique() >= 0.9 * report.rows_read, messages(report, "error")
        assert set(report.long["code"]) <= set(councils[vintage]["code"])


# --- any mangled file yields a report, never an exception --------------------------------------


def _check_report(report) -> None:
    assert list(report.long.columns) == LONG_COLUMNS
    for problem in report.problems:
        assert problem.severity in SEVERITIES and problem.message
        assert problem.row is None or problem.row >= 1
    json.dumps(report.to_dict())


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=3000))
def test_random_bytes_give_a_report(data):
    _check_report(read(data))


_SAMPLE = [line.split(",") for line in [HEADER, GOOD_ROW]] + [
    next(iter(pd.read_csv(WIDE, dtype=str, keep_default_na=False).itertuples(index=False, name=None)))
]


@st.composite
def mangled_tables(draw):
    rows = [list(map(str, row)) for row in _SAMPLE]
    width = len(rows[0])
    order = draw(st.permutations(range(width)))
    rows = [[row[i] if i < len(row) else "" for i in order] for row in rows]
    cell = st.tuples(st.integers(0, len(rows) - 1), st.integers(0, width - 1))
    for kind, (r, c) in draw(st.lists(st.tuples(st.sampled_from(["delete", "duplicate", "replace"]), cell), max_size=12)):
        row = rows[r]
        c = min(c, len(row) - 1)
        if kind == "delete" and len(row) > 1:
            del row[c]
        elif kind == "duplicate":
            row.insert(c, row[c])
        elif kind == "replace":
            row[c] = draw(st.text(max_size=30))
    delimiter = draw(st.sampled_from([",", ";", "\t"]))
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=delimiter).writerows(rows)
    encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "cp1252"]))
    return buffer.getvalue().encode(encoding, errors="replace")


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mangled_tables())
def test_mangled_tables_give_a_report(data):
    _check_report(read(data))


def test_status_date_and_kind_of_savings_are_read_and_checked():
    good = read(HEADER + "\n" + GOOD_ROW.replace("2024-05-01,2024-05,", "2024-05-01,2019-6,yearly") + "\n")
    assert good.ok and good.arrangements.loc[0, "status_as_of"] == "2019-06"
    assert good.arrangements.loc[0, "savings_kind"] == "yearly"
    bad = read(HEADER + "\n" + GOOD_ROW.replace("2024-05-01,2024-05,", "2024-05-01,last spring,per annum") + "\n")
    assert bad.ok  # loaded, with a warning for each, and both left empty
    assert [p.column for p in bad.problems if p.severity == "warning"] == ["status_as_of", "savings_kind"]
    assert bad.arrangements.loc[0, ["status_as_of", "savings_kind"]].tolist() == ["", ""]
