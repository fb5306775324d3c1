"""Prepared views for presentations, kept as data in ``data/views.csv``.

Each row is a title, a caption and a URL query string (the same settings a shared link holds),
so more views can be added without code.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qs

from sharedservices import settings
from sharedservices.columns import read_text_csv
from sharedservices.domain import PLANNED_VINTAGES
from sharedservices.viewstate import ViewState, Vocabulary, from_query
from sharedservices.vintages import available_vintages


@dataclass(frozen=True)
class PreparedView:
    """A view to step through in presentation mode."""

    view_id: str
    title: str
    caption: str
    query: str

    def vintage_for(self, current: str) -> str:
        """The boundary year this view is shown on: its own when it names one (a view of the
        planned councils), else ``current``, unless that is a planned year (then the default)."""
        named = parse_qs(self.query).get("vintage", [""])[-1]
        if named in available_vintages() or named in PLANNED_VINTAGES:
            return named
        return ViewState().vintage if current in PLANNED_VINTAGES else current

    def apply(self, base: ViewState, vocabulary: Vocabulary) -> tuple[ViewState, list[str]]:
        """``base`` with this view's settings, on :meth:`vintage_for` (``vocabulary`` is that
        year's); the presentation settings are kept."""
        params = {k: v[-1] for k, v in parse_qs(self.query, keep_blank_values=False).items()}
        view, notices = from_query(params, vocabulary)
        return view.with_changes(
            vintage=self.vintage_for(base.vintage), present=base.present, slide=base.slide, tiles=base.tiles
        ), notices


def load_views(path: str | Path | None = None) -> list[PreparedView]:
    """The prepared views, in the file's order."""
    table = read_text_csv(path or settings.VIEWS_CSV)
    return [PreparedView(**row) for row in table.to_dict("records")]
