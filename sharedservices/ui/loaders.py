"""Cached loaders: boundaries once per process, a session's arrangements once per upload."""

from __future__ import annotations

import warnings

import streamlit as st

from sharedservices.boundaries import BoundaryWarning
from sharedservices.hierarchy import VINTAGES
from sharedservices.links import council_index
from sharedservices.mapview import write_base_layer
from sharedservices.vintages import Vintage, load_vintage
from sharedservices.viewstate import Vocabulary
from sharedservices.workspace import Workspace, join, name_register


@st.cache_resource(show_spinner="Loading council boundaries…")
def layers(vintage: str) -> Vintage:
    """A vintage's layers, shared by every session of this process."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", BoundaryWarning)
        return load_vintage(vintage)


@st.cache_resource(show_spinner=False)
def _index(vintage: str):
    return council_index(layers(vintage).councils)


@st.cache_resource(show_spinner=False)
def _register():
    return name_register({v: layers(v) for v in VINTAGES})


@st.cache_resource(show_spinner=False)
def base_layer_url(vintage: str) -> str:
    """Where the browser fetches a vintage's base map (councils, outlines, names); written once per process."""
    return write_base_layer(layers(vintage))


@st.cache_resource(show_spinner="Joining arrangements to councils…")
def shipped_workspace(vintage: str) -> Workspace:
    """The shipped arrangements on a vintage's councils (shared, read-only)."""
    from sharedservices import settings
    from sharedservices.arrangements import read_arrangements

    report = read_arrangements(settings.ARRANGEMENTS_CSV, _register(), vintage)
    return join(vintage, layers(vintage), report, _index(vintage))


@st.cache_resource(show_spinner=False)
def finder(vintage: str) -> dict[str, str]:
    """The finder's choices for a vintage: its councils and the shipped arrangements."""
    from sharedservices.filters import finder_options

    return finder_options(shipped_workspace(vintage))


@st.cache_resource(show_spinner=False)
def vocabulary(vintage: str) -> Vocabulary:
    """The values a shared link may name for this vintage."""
    workspace = shipped_workspace(vintage)
    councils = workspace.layers.councils
    from sharedservices.arrangements import load_categories

    return Vocabulary(
        regions=set(councils["region_name"].dropna()),
        counties=set(workspace.layers.counties["code"]),
        types=set(councils["type"].dropna()),
        services=set(load_categories()["category_id"]),
        councils=set(councils["code"]),
        arrangements=set(workspace.arrangements["arrangement_id"]),
    )
