"""Counts, savings and the network behind the insights page, each as a table a chart draws and a
download holds. Computed from a ``filters.Shown``, so every chart follows the filters."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import altair as alt
import networkx as nx
import pandas as pd
import vl_convert

from sharedservices.arrangements import load_categories
from sharedservices.filters import Shown

#: A Vega axis label for an amount in pounds, in millions: 8000000 -> "£8m", 500000 -> "£0.5m".
MILLIONS_OF_POUNDS = "'£' + format(datum.value / 1000000, ',.1~f') + 'm'"


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


#: Louvain's random order of visiting councils, fixed: the groups are the same on every run.
COMMUNITY_SEED = 2012


def communities(graph: nx.Graph, names: pd.Series, smallest: int = 3) -> pd.DataFrame:
    """Groups of councils that work together more with each other than with the rest
    (Louvain, weighted, with a fixed seed so the same filters give the same groups): ``group``
    (1 = largest), ``councils`` (count), ``members`` (names, sorted); groups of fewer than
    ``smallest`` councils are left out."""
    if graph.number_of_edges() == 0:
        return pd.DataFrame(columns=["group", "councils", "members"])
    found = nx.community.louvain_communities(graph, weight="weight", seed=COMMUNITY_SEED)
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


@dataclass(frozen=True)
class Figure:
    """One chart of the insights page: its name (for file names), title, the chart, the table it
    draws (the CSV download) and the sentence that says what it shows and does not."""

    name: str
    title: str
    chart: alt.Chart
    data: pd.DataFrame
    caption: str

    @cached_property
    def spec(self) -> dict:
        """The chart as a Vega-Lite spec, made (and checked against the schema) once."""
        return self.chart.to_dict()


@dataclass(frozen=True)
class Insights:
    """Everything the insights page draws for one set of filters."""

    figures: list[Figure]
    network: list[Figure]
    groups: pd.DataFrame


# Every channel is given as an Altair object, never as a string: altair turns each string into its
# channel class by hashing its whole schema, which made up half of building this page's charts.


#: A category's row in a bar chart, pixels: room for its name in the theme's font.
ROW = alt.Step(24)
#: The axis that names each bar: every name shown (Streamlit's theme hides names that crowd).
CATEGORY_AXIS = alt.Axis(labelLimit=320, labelOverlap=False)


def _bars(data: pd.DataFrame, category: str, value: str, title: str) -> alt.Chart:
    return (
        alt.Chart(data)
        .mark_bar(color="#0072B2")
        .encode(
            x=alt.X(f"{value}:Q", title=title),
            y=alt.Y(f"{category}:N", sort="-x", title=None, axis=CATEGORY_AXIS),
            tooltip=[alt.Tooltip(f"{category}:N"), alt.Tooltip(f"{value}:Q")],
        )
        .properties(height=ROW)
    )


def page_figures(shown: Shown, names: pd.Series) -> Insights:
    """The charts of the insights page for what ``shown`` holds (``names``: code -> council name)."""
    services = by_service(shown)
    regions, kinds = by_area(shown, "region_name"), by_area(shown, "type")
    figures = [
        Figure(
            "by-service",
            "Arrangements by service",
            _bars(services, "service", "arrangements", "Arrangements"),
            services,
            "An arrangement sharing several services counts under each. Services the sources do not name are not counted.",
        ),
        Figure(
            "by-region",
            "By region or nation",
            _bars(regions, "region_name", "arrangements", "Arrangements"),
            regions,
            "An arrangement counts under every region its members are in; coverage differs between regions.",
        ),
        Figure(
            "by-type",
            "By council type",
            _bars(kinds, "type", "arrangements", "Arrangements"),
            kinds,
            "An arrangement counts under every type of council among its members.",
        ),
    ]
    years = per_year(shown)
    if not years.empty:
        yearly = (
            alt.Chart(years)
            .mark_bar()
            .encode(
                x=alt.X("year:O", title=None),
                y=alt.Y("sum(arrangements):Q", title="Arrangements"),
                color=alt.Color("status:N", title="Status"),
                column=alt.Column("event:N", title=None),
                tooltip=[alt.Tooltip("year:O"), alt.Tooltip("event:N"), alt.Tooltip("status:N"), alt.Tooltip("arrangements:Q")],
            )
            .properties(width=360, height=220)
        )
        figures.append(
            Figure(
                "per-year",
                "Started and ended per year",
                yearly,
                years,
                "Only arrangements whose sources state the year are counted; recent years are the least complete.",
            )
        )
    savings = savings_by_service(shown)
    if not savings.empty:
        money = (
            alt.Chart(savings)
            .mark_bar()
            .encode(
                x=alt.X(
                    "sum(savings_gbp):Q",
                    title="Stated savings",
                    axis=alt.Axis(labelExpr=MILLIONS_OF_POUNDS, labelFlush=False),
                ),
                y=alt.Y("service:N", sort="-x", title=None, axis=CATEGORY_AXIS),
                color=alt.Color("kind:N", title="Kind of figure"),
                tooltip=[
                    alt.Tooltip("service:N"),
                    alt.Tooltip("kind:N"),
                    alt.Tooltip("savings_gbp:Q", format=",.0f", title="Stated savings (£)"),
                    alt.Tooltip("arrangements:Q"),
                ],
            )
            .properties(height=ROW)
        )
        figures.append(
            Figure(
                "savings",
                "Stated savings by service",
                money,
                savings,
                "Self-reported by councils in most sources, and of different kinds (a year's, cumulative, projected "
                "or a target): compare within a kind, not across kinds. Each figure counts under its arrangement's "
                "first service.",
            )
        )
    graph = network(shown)
    hubs = most_connected(graph, names)
    if hubs.empty:
        return Insights(figures, [], communities(graph, names))
    shares = crossing_shares(shown)
    long_shares = shares.melt(
        id_vars=["region", "pairs"], value_vars=["cross_county", "not_neighbours"], var_name="measure", value_name="share"
    )
    long_shares["measure"] = long_shares["measure"].map(
        {"cross_county": "across a county line", "not_neighbours": "not neighbours"}
    )
    share_chart = (
        alt.Chart(long_shares)
        .mark_bar()
        .encode(
            x=alt.X("share:Q", title="Share of council pairs", axis=alt.Axis(format="%")),
            y=alt.Y("region:N", title=None, axis=CATEGORY_AXIS),
            color=alt.Color("measure:N", title=None),
            yOffset=alt.YOffset("measure:N"),
            tooltip=[
                alt.Tooltip("region:N"),
                alt.Tooltip("measure:N"),
                alt.Tooltip("share:Q", format=".0%"),
                alt.Tooltip("pairs:Q"),
            ],
        )
        .properties(height=alt.Step(17))  # a bar per measure, two to a region
    )
    connected = [
        Figure(
            "most-connected",
            "The most connected councils",
            _bars(hubs, "council", "partners", "Partner councils"),
            hubs,
            "Partners are distinct councils sharing at least one arrangement; large partnerships give many partners at once.",
        ),
        Figure(
            "crossing",
            "Pairs across county lines, and between councils that are not neighbours",
            share_chart,
            shares,
            "A pair counts under the region of each of its councils. Neighbours are councils whose areas touch.",
        ),
    ]
    return Insights(figures, connected, communities(graph, names))
