"""The extras (errors no fault makes) give the same exact exception every run."""

from __future__ import annotations

import pytest

from chaos.drivers import Driver
from chaos.errors import CapabilityMissingError
from chaos.faults import FAULTS
from chaos.netns import net_admin_missing_reason
from chaos.repro import EXTRAS, Extra, run_extra
from chaos.taxonomy import classify

LOST = "Lost connection to MySQL server during query"
CONNECTION_REFUSED = "Can't connect to MySQL server on '127.0.0.1' ([Errno 111] Connection refused)"

#: extra name -> (repr of the exception, needs CAP_NET_ADMIN)
EXPECTED = {
    "reset-during-query": (
        f"OperationalError(2013, '{LOST} ([Errno 104] Connection reset by peer)')",
        True,
    ),
    "use-after-close": ("InterfaceError(0, '')", False),
    "server-down": (f'OperationalError(2003, "{CONNECTION_REFUSED}")', False),
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
def test_extra_gives_the_same_exact_exception_every_run(name, expected):
    seen = []
    for _ in range(RUNS):
        result = run_extra(EXTRAS.get(name))
        assert result.skipped is None and result.failure is None
        seen.append(repr(result.error))
    assert seen == [expected] * RUNS
    kind = classify(result.error)
    assert kind is not None and kind.disconnect


def test_every_extra_is_checked_here_and_none_duplicates_a_fault():
    assert set(EXTRAS.names()) == set(EXPECTED)
    assert not set(EXTRAS.names()) & set(FAULTS.names())


def test_an_extra_that_cannot_run_here_is_skipped_with_the_reason():
    def needs_what_is_missing(driver: Driver) -> BaseException:
        raise CapabilityMissingError("needs a kernel this machine lacks")

    item = Extra("probe", "an event", "an injection", needs_what_is_missing)
    result = run_extra(item)
    assert (result.name, result.skipped) == ("probe", "needs a kernel this machine lacks")
    assert result.error is None and result.failure is None


def test_an_extra_that_raises_is_a_failure_with_one_line():
    def breaks(driver: Driver) -> BaseException:
        raise RuntimeError("broke\non purpose")

    result = run_extra(Extra("probe", "an event", "an injection", breaks))
    assert (result.failure, result.skipped) == ("RuntimeError: broke on purpose", None)
