"""``repro --driver``: the exact exception each driver gives, measured through the catalogue's own
faults, and the one-line refusals of a bad or missing driver."""

from __future__ import annotations

import subprocess
import sys

import pytest

from chaos.faults import FAULTS
from chaos.repro import reproduce_fault

#: Measured here (MariaDB 10.11): fault -> driver -> repr of the exception.
MEASURED = {
    "kill-connection": {
        "mysqlclient": "OperationalError(2013, 'Lost connection to server during query')",
        "connector-pure": "OperationalError(-1, 'MySQL Connection not available', None)",
        "connector-c": "OperationalError(-1, 'MySQL Connection not available.', None)",
    },
    "idle-timeout": {
        "mysqlclient": "OperationalError(2006, 'Server has gone away')",
        "connector-pure": "OperationalError(-1, 'MySQL Connection not available', None)",
        "connector-c": "OperationalError(-1, 'MySQL Connection not available.', None)",
    },
}


@pytest.mark.parametrize("fault", sorted(MEASURED))
def test_repro_gives_each_driver_its_own_exception(driver, fault):
    result = reproduce_fault(FAULTS.get(fault), driver=driver)
    assert (result.skipped, result.failure) == (None, None)
    assert (result.driver, repr(result.error)) == (driver.name, MEASURED[fault][driver.name])


def _repro(driver: str, refuse: str = "") -> subprocess.CompletedProcess[str]:
    """``mysql-chaos repro --driver driver`` in a child; ``refuse`` names a module it cannot
    import (None in sys.modules is how Python itself refuses an import)."""
    code = (
        "import sys\n"
        + f"sys.modules[{refuse!r}] = None\n" * bool(refuse)
        + "from chaos.cli.main import main\n"
        + f"sys.argv = ['mysql-chaos', 'repro', '--driver', {driver!r}]\n"
        + "main()\n"
    )
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)


def test_an_unknown_driver_is_one_line_and_exit_2():
    done = _repro("odbc")
    assert (done.returncode, done.stdout) == (2, "")
    assert done.stderr == (
        "mysql-chaos: unknown driver 'odbc'; valid names: "
        "pymysql, mysqlclient, connector-pure, connector-c\n"
    )


def test_a_driver_that_is_not_installed_is_one_line_naming_the_extra_and_exit_2():
    done = _repro("mysqlclient", refuse="MySQLdb")
    assert (done.returncode, done.stdout) == (2, "")
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "pip install 'mysql-chaos[drivers]'" in lines[0], done.stderr
