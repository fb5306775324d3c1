"""Presentation mode's slide: its title line and the styles that give the map the whole screen."""

from __future__ import annotations

import html

from sharedservices.views import PreparedView

#: Hides the sidebar, the header and the page menu, and enlarges the type, for a projector.
SLIDE_CSS = (
    "<style>section[data-testid='stSidebar']{display:none}"
    "header[data-testid='stHeader']{display:none}.st-key-page_menu{display:none}"
    ".block-container{padding:0.5rem 1rem 0 1rem;max-width:100%}"
    "html,body,[class*='st-']{font-size:1.15rem}</style>"
)


def slide_title_html(view: PreparedView, number: int, count: int) -> str:
    """The slide's title and caption on one line each (cut with an ellipsis), escaped; ``number``
    counts from 0."""
    title, caption = html.escape(view.title), html.escape(view.caption)
    return (
        f"<div class='slide-title' title='{title}'>"
        f"<div style='font-size:1.7rem;font-weight:700;line-height:1.2;white-space:nowrap;overflow:hidden;"
        f"text-overflow:ellipsis'>{title} <span style='font-weight:400;color:#4a5561;"
        f"font-size:1.1rem'>· {number + 1} of {count}</span></div>"
        f"<div style='font-size:1rem;color:#333;line-height:1.3;white-space:nowrap;overflow:hidden;"
        f"text-overflow:ellipsis'>{caption}</div></div>"
    )
