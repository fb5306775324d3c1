"""Counts, savings and the network behind the insights page, each as a table a chart draws and a
download holds. Computed from a ``filters.Shown``, so every chart follows the filters."""

from __future__ import annotations

import altair as alt
import networkx as nx
import pandas as pd
import vl_convert

from sharedservices.arrangements import load_categories
from sharedservices.filters import Shown


def _labels() -> dict[str, str]:
    return load_categories().set_index("category_id")["label"].to_dict()


def by_service(shown: Shown) -> pd.DataFrame:
    """Arrangements per service (one arrangement counts once under each service it shares)."""
    labels = _labels()
    items = shown.arrangements["services"].fillna("").str.split(";").explode()
    items = items[items.astype(bool)]
    counts = items.map(lambda s: labels.get(s, s)).value_counts()
    return counts.rename_axis("service").reset_index(name="arrangements")


def by_area(shown: Shown, column: str = "region_name") -> pd.DataFrame:
    """Arrangements with at least one member in each region or nation (``region_name``) or of
    each council type (``type``): one arrangement counts under every area its members are in."""
    pairs = shown.long[["arrangement_id", column]].dropna().drop_duplicates()
    counts = pairs[column].value_counts()
    return counts.rename_axis(column).reset_index(name="arrangements")


def per_year(shown: Shown) -> pd.DataFrame:
    """Arrangements started and ended per year, by status: ``year``, ``event`` (started/ended),
    ``status``, ``arrangements``. Rows without the year are not counted."""
    rows = shown.arrangements
    frames = []
    for event, column in (("started", "start_year"), ("ended", "end_year")):
        dated = rows[rows[column].notna()]
        frames.append(pd.DataFrame({"year": dated[column].astype(int), "event": event, "status": dated["status"]}))
    table = pd.concat(frames, ignore_index=True)
    if table.empty:
        return pd.DataFrame(columns=["year", "event", "status", "arrangements"])
    return table.groupby(["year", "event", "status"]).size().reset_index(name="arrangements")


def savings_by_service(shown: Shown) -> pd.DataFrame:
    """Stated savings (pounds) per service and kind of figure, each arrangement's figure under its
    first service: ``service``, ``kind``, ``savings_gbp``, ``arrangements``."""
    labels = _labels()
    rows = shown.arrangements[shown.arrangements["savings_gbp_per_year"].notna()]
    if rows.empty:
        return pd.DataFrame(columns=["service", "kind", "savings_gbp", "arrangements"])
    table = pd.DataFrame(
        {
            "service": rows["services"].fillna("").str.split(";").str[0].map(lambda s: labels.get(s, s)),
            "kind": rows["savings_kind"].fillna("").replace("", "not stated"),
            "savings_gbp": rows["savings_gbp_per_year"].astype(float),
        }
    )
    return (
        table.groupby(["service", "kind"])
        .agg(savings_gbp=("savings_gbp", "sum"), arrangements=("savings_gbp", "size"))
        .reset_index()
        .sort_values("savings_gbp", ascending=False, ignore_index=True)
    )


def network(shown: Shown) -> nx.Graph:
    """Councils as nodes, an edge for each pair that shares at least one shown arrangement,
    weighted by how many."""
    graph = nx.Graph()
    pairs = shown.pair_links.groupby(["code_a", "code_b"]).size()
    graph.add_weighted_edges_from((a, b, int(w)) for (a, b), w in pairs.items())
    return graph


def most_connected(graph: nx.Graph, names: pd.Series, top: int = 15) -> pd.DataFrame:
    """The councils with the most partners: ``council``, ``partners``, ``arrangements`` (pairs
    weighted by shared arrangements)."""
    rows = [(names.get(code, code), graph.degree(code), graph.degree(code, weight="weight")) for code in graph.nodes]
    table = pd.DataFrame(rows, columns=["council", "partners", "arrangements"])
    return table.sort_values(["partners", "council"], ascending=[False, True], ignore_index=True).head(top)


def communities(graph: nx.Graph, names: pd.Series, smallest: int = 3) -> pd.DataFrame:
    """Groups of councils that work together more with each other than with the rest
    (greedy modularity, weighted): ``group`` (1 = largest), ``councils`` (count), ``members``
    (names, sorted); groups of fewer than ``smallest`` councils are left out."""
    if graph.number_of_edges() == 0:
        return pd.DataFrame(columns=["group", "councils", "members"])
    found = nx.community.greedy_modularity_communities(graph, weight="weight")
    groups = sorted(
        (sorted(str(names.get(c, c)) for c in group) for group in found if len(group) >= smallest),
        key=lambda members: (-len(members), members[0]),
    )
    return pd.DataFrame(
        {"group": range(1, len(groups) + 1), "councils": [len(g) for g in groups], "members": ["; ".join(g) for g in groups]}
    )


def crossing_shares(shown: Shown) -> pd.DataFrame:
    """Per region (of either end), the share (0-1) of council pairs that cross a county line and
    that are not neighbours: ``region``, ``pairs``, ``cross_county``, ``not_neighbours``."""
    links = shown.pair_links
    if links.empty:
        return pd.DataFrame(columns=["region", "pairs", "cross_county", "not_neighbours"])
    regions = shown.long.drop_duplicates("code").set_index("code")["region_name"]
    ends = pd.concat([links.assign(region=links["code_a"].map(regions)), links.assign(region=links["code_b"].map(regions))])
    ends = ends.drop_duplicates(["arrangement_id", "code_a", "code_b", "region"])
    grouped = ends.groupby("region").agg(
        pairs=("arrangement_id", "size"),
        cross_county=("cross_county", "mean"),
        not_neighbours=("adjacent", lambda s: float((s == False).mean())),  # noqa: E712
    )
    return grouped.reset_index().sort_values("pairs", ascending=False, ignore_index=True)


def chart_images(chart: alt.Chart) -> tuple[bytes, str]:
    """A chart as PNG (twice its size, for print) and as SVG text, drawn without a browser."""
    spec = chart.to_json()
    return vl_convert.vegalite_to_png(spec, scale=2), vl_convert.vegalite_to_svg(spec)
