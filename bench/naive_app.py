"""The naive map page the benchmark compares against (not part of the app).

It reads the ONS boundary file as it is, puts it whole into a folium.GeoJson, draws one
folium.PolyLine per link, and rebuilds and re-sends the whole map on every change.
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import folium  # noqa: E402
import geopandas as gpd  # noqa: E402
import streamlit as st  # noqa: E402
from streamlit_folium import st_folium  # noqa: E402

from sharedservices import filters, settings  # noqa: E402
from sharedservices.viewstate import ViewState  # noqa: E402
from sharedservices.workspace import load_workspace  # noqa: E402


@st.cache_resource
def workspace():
    return load_workspace("2023")


regions = st.multiselect("Region", ["Wales", "London", "North West", "East of England"], key="f_regions")
shown = filters.apply(workspace(), ViewState(regions=tuple(regions)))
councils = gpd.read_file(settings.SHARED_GEODATA_DIR / "LAD_MAY_2023_UK_BUC.zip").to_crs(4326)
figure = folium.Map(location=[54.5, -3], zoom_start=6)
folium.GeoJson(councils, tooltip=folium.GeoJsonTooltip(["LAD23NM"])).add_to(figure)
names = shown.arrangements.set_index("arrangement_id")["name"]
for link in shown.drawn_links.itertuples():
    folium.PolyLine(
        [[link.lat_a, link.lon_a], [link.lat_b, link.lon_b]], popup=str(names[link.arrangement_id]), color="#0072B2"
    ).add_to(figure)
st.write(f"{len(shown.arrangements)} arrangements")
st_folium(figure, height=700, use_container_width=True, key="map")
