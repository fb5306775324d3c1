"""Shared fixtures: the real ONS boundary files beside the project, and built vintages."""

from __future__ import annotations

from pathlib import Path

import pytest

from sharedservices import settings

GEODATA = settings.SHARED_GEODATA_DIR
LAD_2023 = GEODATA / "LAD_MAY_2023_UK_BUC.zip"
LAD_2013_GB = GEODATA / "topo_lad_gb_2013.json"
LGD_2015_NI = GEODATA / "topo_lgd_ni_2015.json"
COUNTRIES = GEODATA / "CTRY_DEC_2022_UK_BUC.geojson"


def pytest_terminal_summary(terminalreporter):
    terminalreporter.write_line(f"boundary files: {GEODATA} (the shared copy beside the project)")


def pytest_configure(config):
    if not LAD_2023.exists():
        raise pytest.UsageError(f"The real boundary files are needed beside the project: {GEODATA} is missing.")


@pytest.fixture(scope="session")
def vintage_2023():
    from sharedservices.vintages import load_vintage

    return load_vintage("2023")


@pytest.fixture(scope="session")
def vintage_2013():
    from sharedservices.vintages import load_vintage

    return load_vintage("2013")


@pytest.fixture
def empty_cache(tmp_path, monkeypatch) -> Path:
    """A fresh, empty cache folder for tests that build or must not write."""
    cache = tmp_path / "cache"
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
