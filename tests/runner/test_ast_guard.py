"""The traceback module's source parse runs under the lock strategy factories take."""

from __future__ import annotations

import traceback

from chaos.runner import cell
from chaos.runner.ast_guard import AST_LOCK, guard_traceback_formatting


def _formatted() -> str:
    try:
        {}["missing"]  # a subscript: 3.11 marks it with carets, found by parsing the line
    except KeyError as e:
        return "".join(traceback.format_exception(e))
    raise AssertionError("no KeyError")


def test_tracebacks_read_the_same_once_their_parse_is_guarded() -> None:
    import chaos.runner.cell  # noqa: F401 - importing the runner installs the guard

    parse = traceback._extract_caret_anchors_from_line_segment  # type: ignore[attr-defined]
    assert getattr(parse, "ast_guarded", False)
    guarded = _formatted()
    original = parse.__wrapped__
    traceback._extract_caret_anchors_from_line_segment = original  # type: ignore[attr-defined]
    try:
        assert _formatted() == guarded
    finally:
        traceback._extract_caret_anchors_from_line_segment = parse  # type: ignore[attr-defined]


def test_the_guard_is_installed_once_and_shares_the_factories_lock() -> None:
    guard_traceback_formatting()
    parse = traceback._extract_caret_anchors_from_line_segment  # type: ignore[attr-defined]
    guard_traceback_formatting()
    assert traceback._extract_caret_anchors_from_line_segment is parse  # type: ignore[attr-defined]
    assert cell._FACTORY_LOCK is AST_LOCK
    with AST_LOCK:  # re-entrant: a factory holding it may format a traceback
        assert "KeyError" in _formatted()
