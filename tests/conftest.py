"""Shared fixtures: the real ONS boundary files, and built vintages.

The files are the shared copy beside the project (``../shared/geodata``, or ``$GEODATA_DIR``) when
it is there, as CI has it; otherwise the ONS downloads that set-up (``make setup``) fetched into
the cache. The few tests that read the shared copy's own formats (a zipped shapefile in British
National Grid, TopoJSON without a coordinate system) are marked :data:`needs_shared_files` and
skipped without it; the closing summary says which files a run used.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from sharedservices import settings
from sharedservices.vintages import download_path, local_geodata_dir, vintage_sources

GEODATA = local_geodata_dir() or settings.SHARED_GEODATA_DIR
HAS_SHARED_FILES = (GEODATA / "LAD_MAY_2023_UK_BUC.zip").exists()


def _boundary_file(vintage: str, name: str) -> Path:
    """A vintage's file by its name in sources.toml: the shared copy, else its ONS download."""
    if HAS_SHARED_FILES:
        return GEODATA / name
    return download_path(vintage, next(layer for layer in vintage_sources(vintage)["layers"] if layer["file"] == name))


LAD_2023 = _boundary_file("2023", "LAD_MAY_2023_UK_BUC.zip")
LAD_2013_GB = _boundary_file("2013", "topo_lad_gb_2013.json")
LGD_2015_NI = _boundary_file("2013", "topo_lgd_ni_2015.json")
COUNTRIES = GEODATA / "CTRY_DEC_2022_UK_BUC.geojson"  # in the shared copy only
needs_shared_files = pytest.mark.skipif(
    not HAS_SHARED_FILES, reason="reads the shared copy's own file formats, which the ONS downloads do not have"
)


def pytest_terminal_summary(terminalreporter):
    if HAS_SHARED_FILES:
        terminalreporter.write_line(f"boundary files: {GEODATA} (the shared copy beside the project)")
    else:
        terminalreporter.write_line(
            f"boundary files: the ONS downloads in {LAD_2023.parent} (no shared copy at {GEODATA}); "
            "tests of the shared copy's own formats were skipped"
        )


def pytest_configure(config):
    if not LAD_2023.exists() or not LAD_2013_GB.exists():
        raise pytest.UsageError(
            f"The real boundary files are needed: neither the shared copy ({GEODATA}) nor the ONS downloads "
            f"({LAD_2023.parent}) are here. Run `make setup`, which downloads them from the ONS."
        )


@pytest.fixture(scope="session")
def vintage_2023():
    from sharedservices.vintages import load_vintage

    return load_vintage("2023")


@pytest.fixture(scope="session")
def vintage_2013():
    from sharedservices.vintages import load_vintage

    return load_vintage("2013")


def fresh_cache(folder: Path) -> Path:
    """A new cache folder at ``folder``, with nothing built in it; when this run reads the ONS
    downloads, they are linked into it, as set-up would have them on such a machine."""
    folder.mkdir(parents=True, exist_ok=True)
    if not HAS_SHARED_FILES:
        (folder / "downloads").symlink_to(LAD_2023.parent, target_is_directory=True)
    return folder


@pytest.fixture
def empty_cache(tmp_path, monkeypatch) -> Path:
    """A fresh cache folder for tests that build or must not write (:func:`fresh_cache`)."""
    cache = fresh_cache(tmp_path / "cache")
    monkeypatch.setattr(settings, "CACHE_DIR", cache)
    return cache


def write_zip_bomb(path: Path) -> Path:
    """A zip of a few MB that would unpack beyond ``settings.MAX_UNZIPPED_BYTES`` (zeros)."""
    import zipfile

    with (
        zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive,
        archive.open("huge.shp", "w", force_zip64=True) as member,
    ):
        block = bytes(16 << 20)
        for _ in range(settings.MAX_UNZIPPED_BYTES // len(block) + 1):
            member.write(block)
    return path
