"""The errors the library raises on purpose, each with a message that says what to do.

Every one is a :class:`SharedServicesError`, so the command line and the pages catch that base
and show its message; anything else is a bug and is shown as one (a traceback). The warning a
module gives for an assumption it made (a CRS assumed, a column guessed) is :class:`BoundaryWarning`.
"""


class SharedServicesError(Exception):
    """Base of every error whose message is meant for the person using the map or the CLI."""


class UnknownVintageError(SharedServicesError, LookupError):
    """A boundary vintage nobody has built or listed (e.g. ``--vintage 2031``)."""


class UnknownCouncilError(SharedServicesError, LookupError):
    """A GSS code or name that no council of the chosen boundary year carries."""


class BoundaryFileError(SharedServicesError):
    """A boundary file that cannot be read safely or has no council codes."""


class OnsDownloadError(SharedServicesError):
    """The ONS download failed after retries, or its answer was not the expected layer."""


class ArrangementsFileError(SharedServicesError):
    """An arrangements table that cannot be read at all (wrong type, empty, no header)."""


class ReorganisationError(SharedServicesError):
    """``data/reorganisation.csv`` breaks one of its rules, or a planned vintage is unknown."""


class ExportError(SharedServicesError):
    """An export that cannot be made as asked (unknown format, nothing to export)."""


class BoundaryWarning(UserWarning):
    """An assumption made while reading a boundary file (CRS assumed, names taken from codes)."""


__all__ = [
    "ArrangementsFileError",
    "BoundaryFileError",
    "BoundaryWarning",
    "ExportError",
    "OnsDownloadError",
    "ReorganisationError",
    "SharedServicesError",
    "UnknownCouncilError",
    "UnknownVintageError",
]
