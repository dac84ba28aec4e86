"""Kernel faults join a soak in a world of their own kind: never with a proxy fault (its rules
would strike the proxy's link, not the client's), always with the server faults that fit."""

from __future__ import annotations

import pytest

from chaos.errors import UsageError
from chaos.faults import FAULTS, Need
from chaos.soak import generate_schedule, parse_schedule, soak_fault_names
from chaos.soak.worlds import KERNEL, PROXY, mixed_pair, world_of

KERNEL_FAULTS = [name for name, fault in FAULTS.items() if Need.NETNS in fault.needs]
#: Every fault a soak can hold: the default pool, the kernel faults, the slow ones.
EVERYTHING = soak_fault_names(sorted(set(soak_fault_names()) | set(KERNEL_FAULTS)))


def _worlds(names: list[str]) -> set[str | None]:
    return {world_of(FAULTS.get(name)) for name in names}


def test_the_default_pool_holds_no_kernel_fault_as_before() -> None:
    assert not set(KERNEL_FAULTS) & set(soak_fault_names())
    assert PROXY in _worlds(soak_fault_names())


def test_kernel_pool_holds_the_quick_kernel_faults_and_server_faults_and_no_proxy_fault() -> None:
    pool = soak_fault_names(kernel=True)
    assert {"middlebox-reset", "syn-refused", "kill-connection", "server-restart"} <= set(pool)
    assert _worlds(pool) == {KERNEL, None}
    assert not any(FAULTS.get(name).slow for name in pool)


def test_named_kernel_faults_are_drawn() -> None:
    assert soak_fault_names(["middlebox-drop", "kill-connection"]) == [
        "middlebox-drop",
        "kill-connection",
    ]


def test_kernel_and_fault_exclude_each_other() -> None:
    with pytest.raises(UsageError, match="exclude each other"):
        soak_fault_names(["kill-connection"], kernel=True)


@pytest.mark.parametrize("count", [2, 4, 6])
def test_generation_never_mixes_kernel_and_proxy_faults(count: int) -> None:
    kernel_worlds = 0
    for seed in range(500):
        schedule = generate_schedule(seed, EVERYTHING, count)
        names = [entry.fault for entry in schedule.faults]
        assert len(schedule) == count, schedule.spec()
        assert mixed_pair(schedule.fault_classes()) is None, schedule.spec()
        assert schedule.valid(), schedule.spec()
        assert parse_schedule(schedule.spec()) == schedule
        kernel_worlds += KERNEL in _worlds(names)
    assert kernel_worlds > 0  # the kernel faults are drawn, not just allowed


def test_a_mixed_pool_draws_the_same_schedule_from_one_seed() -> None:
    assert [generate_schedule(9, EVERYTHING, 4).spec() for _ in range(3)] == [
        generate_schedule(9, EVERYTHING, 4).spec()
    ] * 3


def test_a_world_too_small_for_the_count_is_never_chosen() -> None:
    pool = ["middlebox-reset", "reset-peer", "outage", "kill-connection"]
    for seed in range(100):
        names = [entry.fault for entry in generate_schedule(seed, pool, 3).faults]
        assert sorted(names) == ["kill-connection", "outage", "reset-peer"]


def test_no_world_big_enough_is_one_line() -> None:
    with pytest.raises(UsageError, match="kernel faults or proxy faults, not both") as raised:
        generate_schedule(1, ["middlebox-reset", "reset-peer"], 2)
    assert "\n" not in str(raised.value)


def test_a_mixed_schedule_is_refused_in_one_line_naming_both() -> None:
    with pytest.raises(UsageError) as raised:
        parse_schedule("middlebox-reset@0+1,kill-connection@1+1,outage@2+1")
    message = str(raised.value)
    assert "middlebox-reset and outage cannot share a world" in message
    assert "\n" not in message


def test_a_kernel_fault_and_server_faults_make_one_schedule() -> None:
    schedule = parse_schedule("middlebox-reset@0+1,kill-connection@0+1,server-restart@2+1")
    assert len(schedule) == 3


def test_the_statement_chance_draws_no_kernel_fault() -> None:
    # The chance cuts links at the proxy: a proxy fault, so the kernel faults are left out.
    for seed in range(100):
        schedule = generate_schedule(seed, EVERYTHING, 4, statement_chance=0.2)
        assert KERNEL not in _worlds([e.fault for e in schedule.faults if ":" not in e.fault])
        assert schedule.valid(), schedule.spec()
