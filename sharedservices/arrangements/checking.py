"""Checking one arrangement's draft, cell by cell, into rows of the long table: services, status,
years, savings, sources, dates, and each council name matched to a GSS code. Every problem is
added to the report with its row and column, in the user's words."""

from __future__ import annotations

import math
import re
from datetime import datetime
from functools import lru_cache

import pandas as pd
from rapidfuzz import fuzz, process

from sharedservices.arrangements.reading import Draft, column_label
from sharedservices.arrangements.schema import Problem, Report, load_categories
from sharedservices.domain import PLAUSIBLE_YEARS, SAVINGS_KINDS, STATUSES
from sharedservices.matching import Matcher, NameMatch

# --- checking one arrangement -----------------------------------------------------------------


def check_draft(draft: Draft, matcher: Matcher, report: Report) -> list[list] | None:
    """Rows of the long table for one arrangement, or None when it has an error (all reported)."""
    problems = draft.problems
    value = {name: text for name, (text, _) in draft.values.items()}

    def row_of(name: str) -> int:
        return draft.values.get(name, ("", draft.row))[1]

    def add(name: str | None, message: str, severity: str = "error", row: int | None = None) -> None:
        row = row or (row_of(name) if name else draft.row)
        problems.append(Problem(row, name, f"Row {row}: {message}", severity))

    if not value.get("name"):
        add("name", "the arrangement has no name.")
    services = _check_services(value.get("services", ""), add)
    status = _check_status(value.get("status", ""), add)
    start = _check_year(value.get("start_year", ""), "start_year", add)
    end = _check_year(value.get("end_year", ""), "end_year", add)
    if start is not None and end is not None and end < start:
        add("end_year", f"end year {end} is before start year {start}.")
    savings = _check_savings(value.get("savings_gbp_per_year", ""), add)
    urls = _check_sources(value.get("source_urls", ""), add)
    checked = _check_date(value.get("last_checked", ""), add)
    as_of = _check_as_of(value.get("status_as_of", ""), add)
    kind = _check_savings_kind(value.get("savings_kind", ""), add)
    members = _check_councils(draft, value.get("lead_council", ""), row_of("lead_council"), matcher, add, report.unresolved)

    report.problems.extend(problems)
    if any(p.severity == "error" for p in problems):
        return None
    shared = [
        value.get("name", ""),
        services,
        value.get("description", ""),
        start,
        end,
        status,
        savings,
        value.get("savings_note", ""),
        urls,
        checked,
        as_of,
        kind,
    ]
    return [[draft.arrangement_id, code, role, written, how, *shared, row] for code, (role, written, how, row) in members.items()]


def _check_services(cell: str, add) -> str:
    categories = load_categories()
    keys = category_keys(categories)
    found = []
    for part in (p.strip() for p in re.split(r"[;,\n]", cell)):
        if not part:
            continue
        category = keys.get(plain(part))
        if category is None:
            add("services", f"'{part}' is not a service category this map knows; {_closest_category(part, categories)}")
        elif category not in found:
            found.append(category)
    if not cell.strip():
        add("services", "no service is given; name at least one service category.")
    return ";".join(found)


def plain(text: str) -> str:
    """A label as a lookup key: lower case letters and digits only, "&" read as "and"."""
    return re.sub(r"[^a-z0-9]+", "", text.lower().replace("&", "and"))


@lru_cache(maxsize=4)
def _category_keys_cached(ids: tuple[str, ...], labels: tuple[str, ...]) -> dict[str, str]:
    keys = {plain(label): category for category, label in zip(ids, labels)}
    keys.update({plain(category): category for category in ids})
    return keys


def category_keys(categories: pd.DataFrame) -> dict[str, str]:
    """Id and label (as :func:`plain` keys) -> category id, for a categories table."""
    if categories is load_categories():  # the shipped table: its keys are made once
        return _shipped_category_keys()
    return _category_keys_cached(tuple(categories["category_id"]), tuple(categories["label"]))


@lru_cache(maxsize=1)
def _shipped_category_keys() -> dict[str, str]:
    categories = load_categories()
    return _category_keys_cached(tuple(categories["category_id"]), tuple(categories["label"]))


def _closest_category(text: str, categories: pd.DataFrame) -> str:
    labels = list(categories["label"])
    best = process.extractOne(text, labels, scorer=fuzz.WRatio, processor=lambda s: s.lower())
    if best is None or best[1] < 50:
        return "the categories are listed in data/service_categories.csv."
    category = categories["category_id"].iloc[best[2]]
    return f"did you mean '{best[0]}' ({category})?"


def _check_status(cell: str, add) -> str:
    status = " ".join(re.sub(r"[_\-]", " ", cell.lower()).split())
    if status in STATUSES:
        return status
    if not status:
        add("status", f"no status is given; it should be one of: {', '.join(STATUSES)}.")
    else:
        best = process.extractOne(status, STATUSES, scorer=fuzz.WRatio)
        hint = f" Did you mean '{best[0]}'?" if best and best[1] >= 60 else ""
        add("status", f"the status '{cell}' should be one of: {', '.join(STATUSES)}.{hint}")
    return ""


def _check_year(cell: str, column: str, add) -> int | None:
    if not cell:
        return None
    label = column_label(column)
    found = re.fullmatch(r"(\d{4})(?:\.0+)?(?:[-/]\d{1,2}(?:[-/]\d{1,2})?)?", cell)
    if not found:
        add(column, f"the {label} '{cell}' is not a year; write it as four digits, e.g. 2014.")
        return None
    year = int(found.group(1))
    if not PLAUSIBLE_YEARS[0] <= year <= PLAUSIBLE_YEARS[1]:
        add(column, f"the {label} {year} is not a likely year.")
        return None
    return year


_MULTIPLIERS = {"": 1, "k": 1e3, "thousand": 1e3, "m": 1e6, "million": 1e6, "bn": 1e9, "billion": 1e9}


def _check_savings(cell: str, add) -> float | None:
    if not cell:
        return None
    text = cell.lower().replace(",", "").replace("£", "").replace("gbp", "").strip()
    found = re.fullmatch(r"(-?)\s*(\d+(?:\.\d+)?|\.\d+)\s*(k|m|bn|thousand|million|billion)?", text)
    if not found or not math.isfinite(amount := float(found.group(2)) * _MULTIPLIERS[found.group(3) or ""]):
        add(
            "savings_gbp_per_year",
            f"the savings per year '{cell}' is not an amount of pounds; write a number "
            "such as 120000 (or 1.2m) and put any words in savings_note.",
        )
        return None
    if found.group(1):
        add("savings_gbp_per_year", f"the savings per year '{cell}' is negative; savings cannot be below zero.")
        return None
    return amount


def _check_sources(cell: str, add) -> str:
    parts = [p for p in re.split(r"\s+|;(?=\s*(?:https?://|$))", cell) if p]
    for part in parts:
        if not re.fullmatch(r"https?://[^\s/]+\.[^\s]+", part, flags=re.IGNORECASE):
            add("source_urls", f"the source '{part}' is not a full web address; it should start with https://.")
    if not parts:
        add("source_urls", "no source is given; add the web address of a page that states this arrangement.", "warning")
    return " ".join(parts)


#: Dates are read day first, as written in the UK.
_DATE_FORMATS = ("%Y-%m-%d", "%Y-%m-%d %H:%M:%S", "%Y/%m/%d", "%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y", "%d %B %Y", "%d %b %Y")


def _check_date(cell: str, add) -> str:
    if not cell:
        return ""
    for layout in _DATE_FORMATS:
        try:
            return datetime.strptime(cell, layout).date().isoformat()
        except ValueError:
            continue
    add("last_checked", f"the date last checked '{cell}' is not a date; write it like 2024-05-31. It was left empty.", "warning")
    return ""


def _check_as_of(cell: str, add) -> str:
    """The month (YYYY-MM) or year of the newest source that confirms the status, or ""."""
    cell = cell.strip()
    match = re.fullmatch(r"(\d{4})(?:-(\d{1,2}))?(?:-\d{1,2})?", cell)
    if not cell:
        return ""
    if match and PLAUSIBLE_YEARS[0] <= int(match[1]) <= PLAUSIBLE_YEARS[1] and (not match[2] or 1 <= int(match[2]) <= 12):
        return match[1] + (f"-{int(match[2]):02d}" if match[2] else "")
    add(
        "status_as_of",
        f"the status date '{cell}' should be a year or a month, like 2019 or 2019-06. It was left empty.",
        "warning",
    )
    return ""


def _check_savings_kind(cell: str, add) -> str:
    kind = cell.strip().lower()
    if kind in ("", *SAVINGS_KINDS):
        return kind
    add(
        "savings_kind",
        f"the kind of savings figure '{cell}' should be one of: {', '.join(SAVINGS_KINDS)}. It was left empty.",
        "warning",
    )
    return ""


def _check_councils(draft: Draft, lead_cell: str, lead_row: int, matcher: Matcher, add, unresolved: list) -> dict:
    """Code -> (role, written, how, row) for the members; problems reported through ``add``, and
    each name that matched no council (or several) kept in ``unresolved`` with its suggestions."""
    column = draft.council_column
    members: dict[str, tuple[str, str, str, int]] = {}
    originals: set[str] = set()
    failed = False

    def take(match: NameMatch, role: str, row: int, where: str) -> None:
        nonlocal failed
        if not match.ok:
            failed = True
            add(where, match.message, row=row)
            unresolved.append((row, where, match))
            return
        if match.how in ("fuzzy", "changed"):
            add(where, match.message, "warning" if match.how == "fuzzy" else "note", row=row)
        originals.update(match.changed_from or match.codes)
        for code in match.codes:
            if role == "lead" or code not in members:
                members[code] = (role, match.input.strip(), match.how, row)

    written_names = set()
    for written, role, row in draft.councils:
        if not written:
            add(column, "the council name is empty.", row=row)
            failed = True
            continue
        for match in _match_cell(written, matcher, add, row, column):
            written_names.add(match.input.strip().casefold())
            take(match, role, row, column)
    if lead_cell:
        lead = matcher.match(lead_cell)
        if lead.ok and not set(lead.codes) <= set(members):
            add(
                "lead_council",
                f"the lead council '{lead_cell}' is not in the list of councils; it was added.",
                "warning",
                row=lead_row,
            )
        take(lead, "lead", lead_row, "lead_council")
    if len(written_names) < 2:
        add(column, f"an arrangement needs at least two councils; {'only one was' if written_names else 'none was'} given.")
    elif not failed and len(originals) < 2:
        add(
            column,
            f"the councils listed are all the same council ({_names(members, matcher)}); an arrangement needs at least two.",
        )
    elif not failed and len(members) == 1:
        add(
            column,
            f"on the {matcher.vintage} map all its councils are now one council, "
            f"{_names(members, matcher)}, so it shows no link.",
            "note",
        )
    return members


def _names(members: dict, matcher: Matcher) -> str:
    return ", ".join(f"{matcher.register.names.get(code, code)} ({code})" for code in members)


def _match_cell(written: str, matcher: Matcher, add, row: int, column: str) -> list[NameMatch]:
    """Match one written council; a failed name holding commas is tried as a list of names."""
    match = matcher.match(written)
    if match.ok or "," not in written:
        return [match]
    parts = [matcher.match(part) for part in written.split(",") if part.strip()]
    if len(parts) > 1 and all(p.ok for p in parts):
        add(
            column,
            f"councils should be separated by semicolons (;); '{written}' was read as {len(parts)} councils.",
            "warning",
            row=row,
        )
        return parts
    return [match]
