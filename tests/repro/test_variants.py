"""Each repro variant gives the same exact exception every time.

The strings are measured facts (pymysql 1.2 against MariaDB 10.11 on Linux): a change in any of
them means the event no longer reproduces what production sees.
"""

from __future__ import annotations

import pytest

from chaos.errors import CapabilityMissingError
from chaos.netns import net_admin_missing_reason
from chaos.repro import VARIANTS, Variant, run_variant
from chaos.taxonomy import classify

RESET = "MySQL server has gone away (ConnectionResetError(104, 'Connection reset by peer'))"
LOST = "Lost connection to MySQL server during query"
CONNECTION_REFUSED = "Can't connect to MySQL server on '127.0.0.1' ([Errno 111] Connection refused)"

#: variant name -> (repr of the exception, needs CAP_NET_ADMIN)
EXPECTED = {
    "wait-timeout": (f'OperationalError(2006, "{RESET}")', False),
    "server-restart": (f"OperationalError(2013, '{LOST}')", False),
    "server-crash": (f"OperationalError(2013, '{LOST}')", False),
    "kill-connection": (f"OperationalError(2013, '{LOST}')", False),
    "reset-idle": (f'OperationalError(2006, "{RESET}")', True),
    "reset-during-query": (
        f"OperationalError(2013, '{LOST} ([Errno 104] Connection reset by peer)')",
        True,
    ),
    "server-freeze": (f"OperationalError(2013, '{LOST} (timed out)')", False),
    "use-after-close": ("InterfaceError(0, '')", False),
    "server-down": (f'OperationalError(2003, "{CONNECTION_REFUSED}")', False),
    "too-many-connections": ("OperationalError(1040, 'Too many connections')", False),
}
RUNS = 3


def _params() -> list[object]:
    reason = net_admin_missing_reason()
    params = []
    for name, (expected, kernel) in EXPECTED.items():
        marks = []
        if kernel:
            marks = [
                pytest.mark.netadmin,
                pytest.mark.skipif(reason is not None, reason=str(reason)),
            ]
        params.append(pytest.param(name, expected, marks=marks, id=name))
    return params


@pytest.mark.parametrize(("name", "expected"), _params())
def test_variant_gives_the_same_exact_exception_every_run(name, expected):
    seen = []
    for _ in range(RUNS):
        result = run_variant(VARIANTS.get(name))
        assert result.skipped is None
        seen.append(repr(result.error))
    assert seen == [expected] * RUNS
    # Every variant's error is one the taxonomy knows as a lost connection.
    kind = classify(result.error)
    assert kind is not None and kind.disconnect


def test_the_seed_variant_comes_first_and_every_variant_is_checked_here():
    assert VARIANTS.names()[0] == "middlebox-drop"
    # middlebox-drop's string is checked in tests/netns/test_firewall.py and the CLI's full run.
    assert set(VARIANTS.names()) == {"middlebox-drop", *EXPECTED}


def test_a_variant_that_cannot_run_here_is_skipped_with_the_reason():
    def needs_what_is_missing() -> BaseException:
        raise CapabilityMissingError("needs a kernel this machine lacks")

    variant = Variant("probe", "an event", "an injection", needs_what_is_missing)
    result = run_variant(variant)
    assert result.variant is variant
    assert result.skipped == "needs a kernel this machine lacks"
    assert result.error is None
