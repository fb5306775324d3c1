"""Counts, savings and the network of the arrangements the filters select, as charts to download."""

from __future__ import annotations

import altair as alt
import streamlit as st

from sharedservices import exports, filters, insights
from sharedservices.ui import shell

context = shell.context()
shown, chosen = context.shown, context.filters
st.title("Insights")
nothing = filters.no_match_sentence(chosen, shown)
if nothing:
    st.warning(nothing)
    shell.publish()
    st.stop()
st.write(
    f"From the {filters.count_of(len(shown.arrangements), 'arrangement')} the filters select. "
    "The table holds the arrangements found in public sources so far, not every one that exists."
)
stem = exports.file_stem(chosen.vintage, *chosen.regions, *chosen.services, chosen.search)


def show(name: str, title: str, chart: alt.Chart, data, caption: str) -> None:
    """A chart, the sentence that says what it shows and does not, and its downloads (drawn on click)."""
    st.subheader(title)
    st.altair_chart(chart, width="stretch")
    st.caption(caption)
    png, svg, csv = st.columns(3)
    titled = chart.properties(title=title, width=640)
    for column, (label, number, mime) in zip((png, svg), (("PNG", 0, "image/png"), ("SVG", 1, "image/svg+xml")), strict=True):
        column.download_button(
            label,
            lambda number=number: insights.chart_images(titled)[number],
            file_name=f"{stem}-{name}.{label.lower()}",
            mime=mime,
            key=f"{label.lower()}_{name}",
            on_click="ignore",
            width="stretch",
        )
    csv.download_button(
        "Data (CSV)",
        lambda: exports.table_csv(data),
        file_name=f"{stem}-{name}.csv",
        mime="text/csv",
        key=f"csv_{name}",
        on_click="ignore",
        width="stretch",
    )


def bars(data, category: str, value: str, title: str) -> alt.Chart:
    return (
        alt.Chart(data)
        .mark_bar(color="#0072B2")
        .encode(
            x=alt.X(f"{value}:Q", title=title),
            y=alt.Y(f"{category}:N", sort="-x", title=None, axis=alt.Axis(labelLimit=320)),
            tooltip=[category, value],
        )
        .properties(height=max(120, 22 * len(data)))
    )


services = insights.by_service(shown)
show(
    "by-service",
    "Arrangements by service",
    bars(services, "service", "arrangements", "Arrangements"),
    services,
    "An arrangement sharing several services counts under each. Services the sources do not name are not counted.",
)
left, right = st.columns(2)
with left:
    regions = insights.by_area(shown, "region_name")
    show(
        "by-region",
        "By region or nation",
        bars(regions, "region_name", "arrangements", "Arrangements"),
        regions,
        "An arrangement counts under every region its members are in; coverage differs between regions.",
    )
with right:
    kinds = insights.by_area(shown, "type")
    show(
        "by-type",
        "By council type",
        bars(kinds, "type", "arrangements", "Arrangements"),
        kinds,
        "An arrangement counts under every type of council among its members.",
    )

years = insights.per_year(shown)
if not years.empty:
    yearly = (
        alt.Chart(years)
        .mark_bar()
        .encode(
            x=alt.X("year:O", title=None),
            y=alt.Y("sum(arrangements):Q", title="Arrangements"),
            color=alt.Color("status:N", title="Status"),
            column=alt.Column("event:N", title=None),
            tooltip=["year", "event", "status", "arrangements"],
        )
        .properties(width=360, height=220)
    )
    show(
        "per-year",
        "Started and ended per year",
        yearly,
        years,
        "Only arrangements whose sources state the year are counted; recent years are the least complete.",
    )

savings = insights.savings_by_service(shown)
if not savings.empty:
    money = (
        alt.Chart(savings)
        .mark_bar()
        .encode(
            x=alt.X("sum(savings_gbp):Q", title="Stated savings (£)"),
            y=alt.Y("service:N", sort="-x", title=None, axis=alt.Axis(labelLimit=320)),
            color=alt.Color("kind:N", title="Kind of figure"),
            tooltip=["service", "kind", alt.Tooltip("savings_gbp:Q", format=",.0f"), "arrangements"],
        )
        .properties(height=max(120, 24 * savings["service"].nunique()))
    )
    show(
        "savings",
        "Stated savings by service",
        money,
        savings,
        "Self-reported by councils in most sources, and of different kinds (a year's, cumulative, projected or a "
        "target): compare within a kind, not across kinds. Each figure counts under its arrangement's first service.",
    )

st.header("The network")
graph = insights.network(shown)
hubs = insights.most_connected(graph, context.council_names)
if hubs.empty:
    st.write("No pair of councils under these filters.")
else:
    hub_chart = bars(hubs, "council", "partners", "Partner councils")
    show(
        "most-connected",
        "The most connected councils",
        hub_chart,
        hubs,
        "Partners are distinct councils sharing at least one arrangement; large partnerships give many partners at once.",
    )
    shares = insights.crossing_shares(shown)
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
            y=alt.Y("region:N", title=None, axis=alt.Axis(labelLimit=320)),
            color=alt.Color("measure:N", title=None),
            yOffset="measure:N",
            tooltip=["region", "measure", alt.Tooltip("share:Q", format=".0%"), "pairs"],
        )
        .properties(height=max(160, 34 * len(shares)))
    )
    show(
        "crossing",
        "Pairs across county lines, and between councils that are not neighbours",
        share_chart,
        shares,
        "A pair counts under the region of each of its councils. Neighbours are councils whose areas touch.",
    )
    groups = insights.communities(graph, context.council_names)
    st.subheader("Councils that work together")
    st.caption(
        "Groups found in the network (greedy modularity): councils that share more arrangements with each "
        "other than with the rest. A grouping of the table, not an official partnership."
    )
    st.dataframe(
        groups,
        hide_index=True,
        width="stretch",
        column_config={
            "members": st.column_config.TextColumn("Councils in the group", width="large"),
            "councils": st.column_config.NumberColumn("Councils"),
            "group": st.column_config.NumberColumn("Group"),
        },
    )
shell.publish()
