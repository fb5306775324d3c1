"""Every session-state key the app uses, in one place, with what it holds.

Widgets of the shared sidebar are keyed ``f_*``; keys beginning ``_`` are the app's own
bookkeeping, never shown. Pages and ``ui`` modules use these names, never string literals.
"""

# ---- the shared sidebar's widgets (values of ``viewstate.Filters``) ----
FIND = "f_find"  #: the finder's choice, cleared once acted on
VINTAGE = "f_vintage"
REGIONS = "f_regions"
COUNTIES = "f_counties"
TYPES = "f_types"
SERVICES = "f_services"
STATUSES = "f_statuses"
YEARS = "f_years"  #: (from, to) years
CROSSING = "f_crossing"
NON_NEIGHBOURS = "f_non_neighbours"
MIN_SAVINGS = "f_savings"  #: pounds a year
SEARCH = "f_search"
REORGANISATION = "f_reorg"  #: outcomes of the decided reorganisation
ARRANGEMENT = "arrangement"  #: one arrangement shown alone ("" for all)

#: Filter field of ``viewstate.Filters`` -> its widget key.
FILTER_WIDGETS = {
    "vintage": VINTAGE,
    "regions": REGIONS,
    "counties": COUNTIES,
    "types": TYPES,
    "services": SERVICES,
    "statuses": STATUSES,
    "crossing": CROSSING,
    "non_neighbours": NON_NEIGHBOURS,
    "min_savings": MIN_SAVINGS,
    "search": SEARCH,
    "reorganisation": REORGANISATION,
}

# ---- the map's own view (``viewstate.MapView``) ----
SELECTED = "selected"  #: the selected council's GSS code ("" for none); also the profile's council
MAP_VIEW = "map_view"  #: (lat, lon, zoom) where the map is, for the URL
MAP_COMMAND = "map_command"  #: (lat, lon, zoom) last sent to the map
PRESENT = "f_present"  #: presentation mode toggle
TILES = "f_tiles"  #: background map toggle
SLIDE = "slide"  #: the prepared view shown in presentation mode

# ---- bookkeeping ----
SEEDED = "_view_seeded"  #: the widgets hold the URL's (or a reseeded view's) values
PENDING_VIEW = "_pending_view"  #: a whole view to apply on the next run
URL_AT_START = "_url_at_start"  #: the query parameters the session was opened with
NOTICES = "_notices"  #: sentences on link settings that were ignored
PLACES = "_places"  #: the places last fitted, to fit again only when they change
FIT_PLACES = "_fit_places"  #: fit the view's places on the next run (a slide, a prepared view)
FIT_COUNCIL = "_fit_council"  #: fit this council and its partners on the next run (the finder)
FOUND_COUNCIL = "_found_council"  #: the council the finder chose; pages other than the map open its profile
CONTEXT = "_context"  #: this run's ``shell.Context``, made by the entry point for the page
SELECTION_OFFER = "_selection_offer"  #: (name, [codes]) a selection lost to a change of year
LAST_MAP_ANSWER = "_last_map_answer"  #: streamlit-folium's last answer, to tell new clicks from old
FIRST_DRAWN = "_first_drawn"  #: map key -> the layers a map was first drawn with (written into its page), None once it moved on
APPLIED_SLIDE = "_applied_slide"  #: the slide whose view was last applied
NEXT_VINTAGE = "_next_vintage"  #: a boundary year to switch to on the next run (set after the sidebar is drawn)
SESSION_DATA = "_session_data"  #: the session's uploads (``uploads.SessionData``), None for the shipped data
ASSUMPTIONS_SHOWN = "_assumptions_shown"  #: vintages whose reading assumptions this session has been told
