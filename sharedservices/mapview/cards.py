"""What a popup and the council panel say about an arrangement, as escaped HTML: its services by
label, years, status with when it was last confirmed, savings with their kind, and its sources."""

from __future__ import annotations

import html
from urllib.parse import urlparse

import numpy as np
import pandas as pd

from sharedservices.mapview.style import WEB_LINK, service_labels

#: Longest description shown in a popup, characters; the panel shows it whole.
POPUP_DESCRIPTION_CHARS = 180
#: Longest name a popup, tooltip or card shows, characters (a table may hold any length).
NAME_CHARS = 200
#: Longest description a card shows at once, characters; the rest is behind "Read all".
CARD_DESCRIPTION_CHARS = 600


def map_html(text: str) -> str:
    """Text as escaped HTML for a folium map or page: braces too, as entities, because folium
    compiles what it renders as a Jinja template, where "{%" or "{{" from the data would break it."""
    return html.escape(text).replace("{", "&#123;").replace("}", "&#125;")


def shortened(text: str, limit: int) -> str:
    """Plain text cut at a word before ``limit`` characters, with "…" when it was cut."""
    if len(text) <= limit:
        return text
    return (text[:limit].rsplit(" ", 1)[0] or text[:limit]) + "…"


def readable_html(text: str, limit: int) -> str:
    """Text as escaped HTML: whole when short, else its start and the whole of it behind a
    "Read all" toggle (the page stays short; nothing is lost)."""
    if len(text) <= limit:
        return html.escape(text)
    return (
        f"{html.escape(shortened(text, limit))} <details><summary>Read all ({len(text):,} characters)</summary>"
        f"{html.escape(text)}</details>"
    )


def popup_html(fields: dict[str, str]) -> str:
    """A popup's fields (:func:`arrangement_popup`, already escaped) as the popup's table."""
    rows = "".join(f"<tr><th>{html.escape(POPUP_FIELDS[name])}</th><td>{fields[name]}</td></tr>" for name in POPUP_FIELDS)
    return f"<table>{rows}</table>"


POPUP_FIELDS = {
    "name": "Arrangement",
    "councils": "Councils",
    "services": "Services",
    "when": "When",
    "savings": "Stated savings",
    "about": "About",
    "reorganisation": "By April 2028",
    "sources": "Sources",
    "checked": "Last checked",
}


def arrangement_popup(row: pd.Series, link_style: str = "") -> dict[str, str]:
    """The fields of an arrangement's popup, as HTML; every value from the data is escaped.

    The popup lays them out as a table (labels from ``POPUP_FIELDS``); only the sources carry
    markup of their own: links to the pages that state the arrangement, each styled with
    ``link_style`` (inline CSS) where given.
    """
    description = shortened(str(row.get("description", "") or "").strip(), POPUP_DESCRIPTION_CHARS)
    sources = source_links(row.get("source_urls", ""), link_style)
    return {
        "name": html.escape(shortened(str(row["name"]), NAME_CHARS)),
        "councils": html.escape(shortened(str(row.get("council_names", row.get("councils", ""))), NAME_CHARS * 5)),
        "services": html.escape(", ".join(service_labels(row["services"]))),
        "when": html.escape(f"{_years(row)}, {row.get('status', '')}{_as_of(row)}"),
        "savings": html.escape(_savings(row)) or "no savings stated",
        "about": html.escape(description),
        "reorganisation": html.escape(str(row.get("reorganisation", "") or "unaffected")),
        "sources": sources or "none given",
        "checked": html.escape(_checked(row)),
    }


def source_links(cell, style: str = "") -> str:
    """A row's source URLs as links named by their site, opening in a new tab; ``style`` is an
    inline CSS style for each link. Only web addresses become links."""
    attribute = f' style="{html.escape(style, quote=True)}"' if style else ""
    return " ".join(
        f'<a href="{html.escape(url, quote=True)}" target="_blank"{attribute}>'
        f"{html.escape(urlparse(url).netloc.removeprefix('www.') or url)}</a>"
        for url in _urls(cell)
    )


def arrangement_card(row: pd.Series) -> str:
    """An arrangement as a short HTML card for the side panel; every value escaped. Its links take
    the page's link colour, since a card is drawn as plain HTML (``st.html``), not as Markdown."""
    fields = arrangement_popup(row, link_style=f"color:{WEB_LINK}")
    about = readable_html(str(row.get("description", "") or ""), CARD_DESCRIPTION_CHARS)
    name = readable_html(str(row["name"]), NAME_CHARS)
    return (
        f"<div style='margin-bottom:0.8rem'><b>{name}</b><br>"
        f"<span style='color:#555'>{fields['when']} · {fields['services']}</span><br>"
        f"{fields['councils']}<br><span style='font-size:0.9em'>{about}</span><br>"
        f"<span style='font-size:0.9em'>Stated savings: {fields['savings']}</span><br>"
        f"<span style='font-size:0.9em'>Sources: {fields['sources']} · last checked {fields['checked']}</span></div>"
    )


def arrangement_cards(arrangements: pd.DataFrame) -> str:
    """Arrangements as one block of cards (:func:`arrangement_card`), for one HTML element: the
    browser draws one element, not a Markdown element per arrangement."""
    return "".join(arrangement_card(row) for _, row in arrangements.iterrows())


def _as_of(row: pd.Series) -> str:
    value = row.get("status_as_of")
    return "" if value is None or pd.isna(value) or not str(value).strip() else f" (last confirmed {value})"


def _checked(row: pd.Series) -> str:
    value = row.get("last_checked")
    return "not recorded" if value is None or pd.isna(value) or not str(value).strip() else str(value)[:10]


def _urls(cell) -> list[str]:
    text = " ".join(cell) if isinstance(cell, (list, tuple, np.ndarray)) else str(cell or "")
    urls = [u for u in text.replace(";", " ").split() if u]
    return [u for u in urls if urlparse(u).scheme in ("http", "https")]


def _years(row: pd.Series) -> str:
    start, end = row.get("start_year"), row.get("end_year")
    start = "" if pd.isna(start) else str(int(start))
    end = "" if pd.isna(end) else str(int(end))
    if start and end:
        return f"{start}–{end}"
    if start:
        return f"since {start}"
    return f"until {end}" if end else "years not stated"


def _savings(row: pd.Series) -> str:
    value = row.get("savings_gbp_per_year")
    text = ""
    if value is not None and not pd.isna(value):
        text = f"£{float(value):,.0f} a year"
    note = str(row.get("savings_note", "") or "").strip()
    if note and note.lower() != "nan":
        text = f"{text} ({note})" if text else note
    return text
