"""The map's look: colours of service families and of land, sea and lines (each checked for
contrast), zoom limits, and the legend."""

from __future__ import annotations

import functools
import html

import numpy as np
import pandas as pd

from sharedservices.arrangements import load_categories

#: One colour per family of services: Okabe & Ito's colour-blind-safe hues, darkened where needed so
#: every line has at least 3:1 contrast against the land (WCAG 2.2 non-text contrast).
SERVICE_FAMILIES = [
    ("Shared management", "#0072B2", ("shared_management",)),
    (
        "Back office: finance, HR, audit, procurement, property",
        "#B26B00",
        ("finance", "hr_payroll", "audit", "procurement", "property_facilities"),
    ),
    ("Revenues, benefits and customer services", "#007A5A", ("revenues_benefits", "customer_services")),
    ("Legal and ICT", "#AA3377", ("legal", "ict")),
    (
        "Regulation and planning",
        "#D55E00",
        ("building_control", "planning", "environmental_health_licensing", "trading_standards", "emergency_planning"),
    ),
    ("Waste, streets, transport and leisure", "#0E7490", ("waste_street", "highways_transport", "leisure_culture")),
    ("Children's and adult social care", "#332288", ("children_education", "adult_social_care")),
    ("Other", "#5E5E5E", ("other",)),
]
FAMILY_OF = {category: (label, colour) for label, colour, categories in SERVICE_FAMILIES for category in categories}
SEA = "#dbe7f0"
LAND = "#f6f4ef"
BOUNDARY = "#a3acb6"
COUNTY_LINE = "#3b4450"
#: Zoom limits: the whole UK at the widest, a few streets' worth of a London borough at the closest.
MIN_ZOOM, MAX_ZOOM = 4, 12
#: The shortest the map gets, pixels, however small the window.
MIN_MAP_PX = 360
#: How long the map's own reports (while nobody has touched it) must pause before the last is sent, ms.
SETTLE_MS = 800
#: The colour of a web link in HTML the app writes on its pages: the theme's primary colour
#: (.streamlit/config.toml), as Streamlit colours the links it writes itself.
WEB_LINK = "#1f5a96"
#: The colour of links that are not the selected council's.
FADED = "#9aa3ad"


def legend_items(arrangements: pd.DataFrame | None = None) -> list[tuple[str, str]]:
    """(label, colour) for the map's legend, one per family of services; with ``arrangements``,
    only the families whose colour those arrangements' lines are drawn in."""
    if arrangements is None:
        return [(label, colour) for label, colour, _ in SERVICE_FAMILIES]
    used = {FAMILY_OF.get((services_of(cell) or ["other"])[0], FAMILY_OF["other"]) for cell in arrangements["services"]}
    return [(label, colour) for label, colour, _ in SERVICE_FAMILIES if (label, colour) in used]


def legend_html(arrangements: pd.DataFrame | None = None, *, compact: bool = False) -> str:
    """The legend as HTML: a swatch per family of services shown, then what the lines mean.

    ``compact`` puts it on one or two lines, for a slide.
    """
    swatch = (
        "<span style='display:inline-block;width:22px;height:4px;background:{};vertical-align:middle;margin-right:6px'></span>{}"
    )
    items = [
        swatch.format(colour, html.escape(label.split(":")[0] if compact else label))
        for label, colour in legend_items(arrangements)
    ]
    lines = (
        "━ solid: the councils are in different top-tier areas (a county, or a unitary council, "
        "London borough or metropolitan borough, which is its own) · ╌ dashed: within one county · "
        "thicker: more services shared · ○ a council (click it)"
    )
    if compact:
        # Each swatch stays beside its label: a line breaks between items, never inside one.
        return (
            "<div style='font-size:0.85rem;line-height:1.6'>"
            + " &nbsp; ".join(f"<span style='white-space:nowrap'>{item}</span>" for item in items)
            + "<br>━ different top-tier areas · ╌ within one county · ○ a council</div>"
        )
    return (
        "".join(f"<div>{item}</div>" for item in items)
        + f"<div style='margin-top:6px;font-size:0.9em'>{lines.replace(' · ', '<br>')}<br>"
        "Large partnerships are drawn from their lead council (or centre).</div>"
    )


def services_of(cell) -> list[str]:
    if isinstance(cell, (list, tuple, np.ndarray)):
        return [str(s) for s in cell]
    return [s for s in str(cell or "").split(";") if s]


@functools.cache
def _category_labels() -> dict[str, str]:
    categories = load_categories()
    return dict(zip(categories["category_id"], categories["label"]))


def service_labels(cell) -> list[str]:
    labels = _category_labels()
    return [labels.get(s, s.replace("_", " ")) for s in services_of(cell)]


#: Radius of a council's node, pixels.
NODE_RADIUS = 6
