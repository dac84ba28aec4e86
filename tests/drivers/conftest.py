"""The drivers beside PyMySQL: each test runs once per driver, skipped with one reason where the
``drivers`` extra (or mysql-connector-python's C extension) is not installed."""

from __future__ import annotations

import contextlib

import pytest

from chaos.drivers import DRIVERS, Driver, DriverMissingError

# Before anything loads google-re2 (see apps/strategies/driver_variants.py).
with contextlib.suppress(ImportError):
    import _mysql_connector  # noqa: F401

OTHER_DRIVERS = [name for name in DRIVERS.names() if name != "pymysql"]


def loaded(name: str) -> Driver:
    """The driver called ``name``, or a skip naming what to install."""
    driver = DRIVERS.get(name)
    try:
        driver.load()
    except DriverMissingError as e:
        pytest.skip(str(e))
    return driver


@pytest.fixture(params=OTHER_DRIVERS)
def driver(request: pytest.FixtureRequest) -> Driver:
    return loaded(request.param)
