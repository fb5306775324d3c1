"""Downloads of exactly what a page shows: CSV (UTF-8 with a byte-order mark, so Excel reads "£"
right) and XLSX (arrangements, links with their flags, and a sheet that says what made it).

Every text cell that a spreadsheet would read as a formula is neutralised.
"""

from __future__ import annotations

import io
import re
from datetime import datetime, timezone

import pandas as pd

from sharedservices import tables

#: A cell beginning with one of these is read as a formula by Excel, LibreOffice or Sheets.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
LICENCES = ("Boundaries: Office for National Statistics, Open Government Licence v3; contains OS data "
            "© Crown copyright and database right. Arrangements: compiled from the public sources in each row.")


def neutralise(value: object) -> object:
    """A text that would run as a spreadsheet formula, prefixed with an apostrophe; anything else as it is."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def safe_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy with every text cell (and list of texts, joined by spaces) neutralised."""
    out = frame.copy()
    for column in out.columns:
        if out[column].dtype == object or pd.api.types.is_string_dtype(out[column]):
            out[column] = out[column].map(
                lambda v: neutralise(" ".join(v) if isinstance(v, list) else v))
    out.columns = [neutralise(str(c)) for c in out.columns]
    return out


def table_csv(table: pd.DataFrame) -> bytes:
    """A people's table (``tables.people_table``) as CSV bytes, UTF-8 with a byte-order mark."""
    return safe_frame(table).to_csv(index=False, lineterminator="\r\n").encode("utf-8-sig")  # RFC 4180


def table_xlsx(table: pd.DataFrame, links: pd.DataFrame | None = None, council_names: pd.Series | None = None,
               about: dict[str, str] | None = None) -> bytes:
    """A people's table as an XLSX workbook: "Arrangements", "Links" (each pair of councils with the
    lines it crosses; ``council_names`` is code -> name) when ``links`` is given, and "About"
    (``about``: what made it, plus the columns explained, the time and the licences)."""
    buffer = io.BytesIO()
    made = {"Made": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"), **(about or {}),
            "Licences": LICENCES}
    about_sheet = pd.DataFrame(
        [(k, v) for k, v in made.items()] + [(f"Column: {k}", v) for k, v in tables.COLUMNS.items()],
        columns=["Item", "Value"])
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        safe_frame(table).to_excel(writer, sheet_name="Arrangements", index=False)
        if links is not None:
            safe_frame(links_sheet(links, council_names)).to_excel(writer, sheet_name="Links", index=False)
        safe_frame(about_sheet).to_excel(writer, sheet_name="About", index=False)
    return buffer.getvalue()


def links_sheet(links: pd.DataFrame, council_names: pd.Series | None = None) -> pd.DataFrame:
    """Each pair of councils of the shown arrangements, by name and code, with its flags;
    distances in km between the councils' representative points."""
    names = council_names if council_names is not None else pd.Series(dtype=str)
    return pd.DataFrame({
        "Arrangement id": links["arrangement_id"],
        "Council A": links["code_a"].map(names), "Code A": links["code_a"],
        "Council B": links["code_b"].map(names), "Code B": links["code_b"],
        "Crosses a county line": links["cross_county"].astype(bool),
        "Crosses a regional line": links["cross_region"].astype(bool),
        "Crosses a national border": links["cross_nation"].astype(bool),
        "Neighbours": links["adjacent"],
        "Distance (km)": links["distance_km"].round(1),
    })


def file_stem(vintage: str, *parts: str) -> str:
    """A download's name after its view, e.g. ``shared-services-east-of-england-legal-2023``."""
    words = [re.sub(r"[^a-z0-9]+", "-", str(p).lower()).strip("-") for p in parts if p]
    return "-".join(["shared-services", *[w for w in words if w], vintage])
