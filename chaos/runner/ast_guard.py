"""One lock for every use of Python's AST objects in a run's process (CPython gh-106905).

CPython 3.11 keeps the AST constructor's recursion depth in state that threads share: two
threads turning source into AST objects at once fail at random with "SystemError: AST
constructor recursion depth mismatch". Two kinds of code do that while cells run in parallel:

- a strategy factory that builds a Flask app (Werkzeug compiles its URL rules with ``ast``);
- the standard library's traceback formatting, which parses each source line to place its
  ``^^^`` markers, and pymysql formats a traceback for every connection that fails
  (``exc.traceback = traceback.format_exc()``): a server starting up in one cell, a reconnect
  during a fault in another.

Both run under :data:`AST_LOCK`: factories take it (``chaos.runner.cell``), and
:func:`guard_traceback_formatting` makes the traceback module take it around its one parse.
Tracebacks read exactly as before; only the parse waits its turn.
"""

from __future__ import annotations

import functools
import threading
import traceback
from typing import Any

#: Re-entrant: a factory may format a traceback while it holds the lock.
AST_LOCK = threading.RLock()

_CARET_PARSER = "_extract_caret_anchors_from_line_segment"


def guard_traceback_formatting() -> None:
    """Make the traceback module parse under :data:`AST_LOCK`; idempotent, and a no-op on a
    Python whose traceback module has no such parse."""
    parse = getattr(traceback, _CARET_PARSER, None)
    if parse is None or getattr(parse, "ast_guarded", False):
        return

    @functools.wraps(parse)
    def guarded(*args: Any, **kwargs: Any) -> Any:
        with AST_LOCK:
            return parse(*args, **kwargs)

    guarded.ast_guarded = True  # type: ignore[attr-defined]
    setattr(traceback, _CARET_PARSER, guarded)
