"""Cached loaders: boundaries once per process, a session's arrangements once per upload."""

from __future__ import annotations

import streamlit as st

from sharedservices.domain import PLANNED_VINTAGES, year_bounds
from sharedservices.links import council_index
from sharedservices.mapview import write_base_layer, write_details
from sharedservices.reorganisation import load_boundaries
from sharedservices.viewstate import Vocabulary
from sharedservices.vintages import Vintage, available_vintages
from sharedservices.workspace import Workspace, join, name_register


@st.cache_resource(show_spinner="Loading council boundaries…")
def boundaries(vintage: str) -> Vintage:
    """A vintage's layers, shared by every session of this process."""
    return load_boundaries(vintage)


@st.cache_resource(show_spinner=False)
def _index(vintage: str):
    return council_index(boundaries(vintage).councils)


def _register():
    return _register_of(available_vintages())


@st.cache_resource(show_spinner=False)
def _register_of(vintages: tuple[str, ...]):
    return name_register({v: boundaries(v) for v in vintages})


@st.cache_resource(show_spinner=False)
def base_layer_url(vintage: str) -> str:
    """Where the browser fetches a vintage's base map (councils, outlines, names); written once per process."""
    return write_base_layer(boundaries(vintage))


@st.cache_resource(show_spinner=False)
def details_url(vintage: str) -> str:
    """Where the browser fetches the shipped arrangements' popups on a vintage; written once per process."""
    return write_details(shipped_workspace(vintage).arrangements)


def offered_vintages() -> tuple[str, ...]:
    """The boundary years the app offers: those that can be loaded, then the planned ones."""
    return available_vintages() + tuple(PLANNED_VINTAGES)


@st.cache_resource(show_spinner="Joining arrangements to councils…")
def shipped_workspace(vintage: str) -> Workspace:
    """The shipped arrangements on a vintage's councils (shared, read-only), each with what the
    decided reorganisation does to it (column ``reorganisation``)."""
    from sharedservices import reorganisation, settings
    from sharedservices.arrangements import read_arrangements

    if vintage in PLANNED_VINTAGES:
        workspace = reorganisation.planned_workspace(vintage, base_workspace=shipped_workspace(reorganisation.BASE_VINTAGE))
    else:
        report = read_arrangements(settings.ARRANGEMENTS_CSV, _register(), vintage)
        workspace = join(vintage, boundaries(vintage), report, _index(vintage))
    outcomes = _outcomes()
    workspace.arrangements["reorganisation"] = workspace.arrangements["arrangement_id"].map(outcomes).fillna("unaffected")
    return workspace


@st.cache_resource(show_spinner=False)
def _outcomes():
    from sharedservices import reorganisation, settings
    from sharedservices.arrangements import read_arrangements

    base = reorganisation.BASE_VINTAGE
    report = read_arrangements(settings.ARRANGEMENTS_CSV, _register(), base)
    return reorganisation.outcomes_by_arrangement(report.long, max(PLANNED_VINTAGES))


@st.cache_resource(show_spinner=False)
def finder(vintage: str) -> dict[str, str]:
    """The finder's choices for a vintage: its councils and the shipped arrangements."""
    from sharedservices.filters import finder_options

    return finder_options(shipped_workspace(vintage))


@st.cache_resource(show_spinner=False)
def vocabulary(vintage: str) -> Vocabulary:
    """The values a shared link may name for this vintage."""
    workspace = shipped_workspace(vintage)
    councils = workspace.boundaries.councils
    from sharedservices.arrangements import load_categories

    return Vocabulary(
        regions=set(councils["region_name"].dropna()),
        counties=set(workspace.boundaries.counties["code"]),
        types=set(councils["type"].dropna()),
        services=set(load_categories()["category_id"]),
        councils=set(councils["code"]),
        arrangements=set(workspace.arrangements["arrangement_id"]),
        vintages=set(offered_vintages()),
        years=year_bounds([workspace.arrangements["start_year"], workspace.arrangements["end_year"]]),
    )
