"""Registry: unique names, clear errors for unknown ones, registration order kept."""

from __future__ import annotations

import pytest

from chaos.errors import UnknownNameError, UsageError
from chaos.registry import Registry


def _registry() -> Registry[int]:
    registry: Registry[int] = Registry("widget")
    registry.add("first", 1)
    registry.add("second", 2)
    registry.add("third", 3)
    return registry


def test_duplicate_name_is_an_error_and_keeps_the_original():
    registry = _registry()
    with pytest.raises(ValueError, match="duplicate widget name: 'second'"):
        registry.add("second", 20)
    assert registry.get("second") == 2


def test_duplicate_name_through_the_decorator_is_an_error():
    registry = _registry()
    with pytest.raises(ValueError, match="duplicate widget name: 'first'"):
        registry.register("first")(10)


def test_unknown_name_lists_the_valid_names_and_is_a_usage_error():
    with pytest.raises(UnknownNameError) as unknown:
        _registry().get("fourth")
    assert str(unknown.value) == "unknown widget 'fourth'; valid names: first, second, third"
    assert isinstance(unknown.value, UsageError)
    assert unknown.value.exit_code == 2


def test_select_returns_registry_order_whatever_the_order_asked():
    assert _registry().select(["third", "first"]) == ["first", "third"]


def test_select_of_nothing_is_everything_in_order():
    assert _registry().select([]) == ["first", "second", "third"]
    assert _registry().select(None) == ["first", "second", "third"]


def test_select_with_an_unknown_name_raises():
    with pytest.raises(UnknownNameError, match="unknown widget 'nope'"):
        _registry().select(["first", "nope"])


def test_remove_takes_a_name_out_and_an_unknown_one_raises():
    registry = _registry()
    assert registry.remove("second") == 2
    assert registry.names() == ["first", "third"]
    registry.add("second", 20)  # free again
    with pytest.raises(UnknownNameError, match="unknown widget 'fourth'"):
        registry.remove("fourth")


def test_decorator_registers_and_returns_the_item():
    registry: Registry[object] = Registry("thing")

    @registry.register("marked")
    def thing() -> None:
        pass

    assert registry.get("marked") is thing
    assert "marked" in registry
    assert "other" not in registry


def test_iteration_length_names_and_items_follow_registration_order():
    registry = _registry()
    assert list(registry) == registry.names() == ["first", "second", "third"]
    assert registry.items() == [("first", 1), ("second", 2), ("third", 3)]
    assert len(registry) == 3
