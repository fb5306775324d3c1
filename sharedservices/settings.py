"""Project-wide settings: paths, coordinate reference systems and budgets.

Every module reads its paths and limits from here, as ``settings.NAME`` at the moment it uses
them (never copied at import), so a change made at run time (a test pointing the cache at a
temporary folder) reaches every module. Some paths can also be moved with environment variables.
"""

from __future__ import annotations

import os
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = PROJECT_ROOT / "data"
GEODATA_DIR = PROJECT_ROOT / "geodata"
SOURCES_TOML = Path(os.environ.get("SHAREDSERVICES_SOURCES", GEODATA_DIR / "sources.toml"))
#: Tables of facts shipped with the project (read where used, so a test can point them elsewhere).
CATEGORIES_CSV = DATA_DIR / "service_categories.csv"
COUNCIL_CHANGES_CSV = DATA_DIR / "council_changes.csv"
COUNCIL_ALIASES_CSV = DATA_DIR / "council_aliases.csv"
LOOKUPS_DIR = DATA_DIR / "lookups"
REORGANISATION_CSV = DATA_DIR / "reorganisation.csv"
VIEWS_CSV = DATA_DIR / "views.csv"
#: The arrangements table the app and the command line read by default.
ARRANGEMENTS_CSV = Path(os.environ.get("SHAREDSERVICES_ARRANGEMENTS", DATA_DIR / "arrangements.csv"))

#: Where built layers and downloads are cached (ignored by git).
CACHE_DIR = Path(os.environ.get("SHAREDSERVICES_CACHE_DIR", GEODATA_DIR / "cache"))

#: Files Streamlit serves at /app/static: vendored Leaflet and the map's JSON layers (ignored by git).
STATIC_DIR = PROJECT_ROOT / "static"
VENDOR_DIR = STATIC_DIR / "vendor"
BASE_LAYER_DIR = STATIC_DIR / "layers"

#: The shared folder of real boundary files beside the project, used when present.
SHARED_GEODATA_DIR = PROJECT_ROOT.parent / "shared" / "geodata"

#: Coordinates for the web (longitude, latitude in degrees).
WEB_CRS = "EPSG:4326"
#: British National Grid, metres: used for cleaning and simplifying.
WORK_CRS = "EPSG:27700"
#: ETRS89 Lambert azimuthal equal-area, metres: used for areas in km².
AREA_CRS = "EPSG:3035"

#: Largest size of the whole-UK district layer as compact GeoJSON, bytes.
LAYER_BUDGET_BYTES = 600_000
#: Decimal places of longitude/latitude kept in web layers (5 places is about 1 m).
COORDINATE_DECIMALS = 5
#: Vertices of neighbouring boundaries closer than this are snapped together, metres.
CLEAN_SNAPPING_M = 20.0
#: Gaps between neighbours narrower than this are filled, metres.
CLEAN_GAP_WIDTH_M = 200.0
#: A file with more points than this is thinned to ``THIN_TO_M`` (metres) before it is cleaned.
#: How far a county's node (the point its links meet) keeps from its districts' nodes, degrees
#: (about 9 km north-south, 5 km east-west in Britain), so a click at a district's centre selects
#: the district, not the county around it.
COUNTY_NODE_CLEARANCE_DEG = 0.08
THIN_ABOVE_VERTICES = 1_000_000
THIN_TO_M = 10.0
#: Islands smaller than this that touch no other council are left out of web layers, km².
MIN_ISLAND_KM2 = 1.0

#: Limits on uploaded or downloaded archives.
MAX_UNZIPPED_BYTES = 500 * 1024 * 1024
