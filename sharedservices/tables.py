"""The arrangements as a table for people: councils by name, services by label, status with the
date it was last confirmed, savings with the kind of figure. The arrangements page shows it and
the exports write it, so what is downloaded is exactly what is shown."""

from __future__ import annotations

import pandas as pd

from sharedservices.arrangements import load_categories

#: Column of the people's table -> what it holds (the page's column help, the XLSX notes).
COLUMNS = {
    "Arrangement": "What the councils share, in our words",
    "Councils": "Member councils, as named on this boundary year",
    "Services": "The services shared",
    "Status": "As of the newest source that confirms it",
    "Last confirmed": "Year (or month) of the newest source that confirms the status",
    "Started": "Year the arrangement started, where a source states it",
    "Ended": "Year it ended, where a source states it",
    "Savings (£ a year)": "Only where a source states a figure; self-reported by councils in most sources",
    "Kind of figure": "Whether the source states the savings as yearly, cumulative, projected or a target",
    "Source": "The first public page that states the arrangement",
    "More sources": "Further public pages that state it",
    "By April 2028": "What the decided new unitary councils do to it: becomes internal, partly merged, "
    "crosses the new boundaries, or unaffected",
    "Description": "What the sources say, in our words",
    "Council codes": "GSS codes of the members on this boundary year",
    "Last checked": "The day the row was last checked against its sources",
    "Id": "The arrangement's identifier in data/arrangements.csv",
}


def people_table(arrangements: pd.DataFrame) -> pd.DataFrame:
    """The arrangements (``Workspace.arrangements`` rows, any subset) as :data:`COLUMNS`, one row
    each, in the given order; the index is the arrangement id."""
    labels = load_categories().set_index("category_id")["label"].to_dict()
    services = (
        arrangements["services"]
        .fillna("")
        .map(lambda cell: ", ".join(labels.get(item, item) for item in str(cell).split(";") if item))
    )
    links = [web_links(cell) for cell in arrangements["source_urls"].fillna("")]
    table = pd.DataFrame(
        {
            "Arrangement": arrangements["name"],
            "Councils": arrangements["council_names"],
            "Services": services,
            "Status": arrangements["status"],
            "Last confirmed": arrangements["status_as_of"].fillna(""),
            "Started": arrangements["start_year"].astype("Int64"),
            "Ended": arrangements["end_year"].astype("Int64"),
            "Savings (£ a year)": arrangements["savings_gbp_per_year"].astype("Float64"),
            "Kind of figure": arrangements["savings_kind"].fillna(""),
            "Source": [urls[0] if urls else None for urls in links],
            "More sources": [urls[1:] for urls in links],
            "By April 2028": arrangements.get("reorganisation", pd.Series("", index=arrangements.index)).fillna(""),
            "Description": arrangements["description"].fillna(""),
            "Council codes": arrangements["councils"].fillna("").str.replace(";", "; "),
            "Last checked": arrangements["last_checked"].fillna(""),
            "Id": arrangements["arrangement_id"],
        }
    )
    return table.set_index(arrangements["arrangement_id"].to_numpy())


def for_screen(table: pd.DataFrame) -> pd.DataFrame:
    """A :func:`people_table` to show on a page: a year nobody stated is an empty cell, not the
    grid's "None" (years become four-digit text, which sorts as the numbers do). Downloads keep
    the numbers."""
    shown = table.copy()
    for column in ("Started", "Ended"):
        shown[column] = shown[column].astype("string").fillna("")
    return shown


def web_links(cell: object) -> list[str]:
    """The http(s) addresses in a sources cell (space-separated); anything else, such as a
    ``javascript:`` link, is dropped so it can never be clicked."""
    return [url for url in str(cell).split() if url.lower().startswith(("https://", "http://"))]
