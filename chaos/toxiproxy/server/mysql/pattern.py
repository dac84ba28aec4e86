"""A protocol toxic's ``match``: a regular expression matched in time linear in the statement.

Python's ``re`` backtracks: ``(.+)+;`` against a 60-character statement without a ``;`` takes
longer than the universe has, on the one event loop that moves every proxy's bytes. RE2 (the
``google-re2`` package) runs an automaton instead, so a search costs at most (statement bytes x
pattern size); both are bounded here, which bounds the time one statement may take per rule:

- the pattern compiles to at most :data:`MAX_PROGRAM_SIZE` RE2 instructions (``.{0,100}z`` is
  about 900) and its automaton gets :data:`MAX_MEMORY` bytes (past that RE2 falls back from its
  cached DFA to a slower but still linear NFA); measured worst case here, a 1,000-instruction
  pattern built to defeat the DFA over 16 KiB of random text: 2-3 ms per search;
- only the first :data:`MATCHED_BYTES` bytes (UTF-8) of a statement are searched.

RE2 has no backreferences (``\\1``) and no lookaround (``(?=``, ``(?<=``); such a pattern, like a
malformed or too large one, is refused when the toxic is created (a 400), never silently
matching nothing. Case is ignored, as before.
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import re2

# re2 is imported at the first pattern, not with the proxy: its extension takes the process's
# spare static TLS, after which mysql-connector-python's C extension can no longer be loaded
# ("cannot allocate memory in static TLS block", glibc 2.36); loaded first, both work.

#: RE2 program instructions a pattern may compile to.
MAX_PROGRAM_SIZE = 1000
#: Memory budget of one compiled pattern (program and DFA cache).
MAX_MEMORY = 256 * 1024
#: How much of a statement a pattern is searched in.
MATCHED_BYTES = 16 * 1024


class PatternError(ValueError):
    """The pattern cannot be used; the message says why in one line."""


def _options() -> re2.Options:
    import re2

    options = re2.Options()
    options.case_sensitive = False
    options.never_capture = True  # only "does it match" is asked: no submatch bookkeeping
    options.log_errors = False  # the error goes back to the API client, not to stderr
    options.max_mem = MAX_MEMORY
    return options


# Compiled patterns are shared by every link of every toxic using them, and bounded in number
# however many toxics or links there are: this cache's 32 and re2.compile's own 128, so at most
# 160 x MAX_MEMORY (40 MiB) in the worst case.
@functools.lru_cache(maxsize=32)
def compile_pattern(pattern: str) -> re2._Regexp:
    """``pattern`` compiled, or a :class:`PatternError`."""
    import re2

    try:
        compiled = re2.compile(pattern, options=_options())
    except re2.error as e:
        why = e.args[0] if e.args else "invalid"
        if isinstance(why, bytes):
            why = why.decode("utf-8", "replace")
        raise PatternError(
            f"{why} (RE2 syntax: no backreferences or lookaround; "
            f"at most {MAX_PROGRAM_SIZE} instructions)"
        ) from None
    if compiled.programsize > MAX_PROGRAM_SIZE:
        raise PatternError(
            f"the pattern compiles to {compiled.programsize} RE2 instructions, "
            f"more than {MAX_PROGRAM_SIZE}"
        )
    return compiled


def searched_text(text: str) -> bytes:
    """The part of a statement a pattern is searched in (a cut character at the end is kept
    as invalid UTF-8, which RE2 matches as no character)."""
    return text[:MATCHED_BYTES].encode("utf-8", "replace")[:MATCHED_BYTES]


def pattern_matches(pattern: str, text: str) -> bool:
    """Whether ``pattern`` (already checked by :func:`compile_pattern`) occurs in ``text``."""
    try:
        compiled = compile_pattern(pattern)
    except PatternError:
        return False  # refused at creation; never reached through the API
    return compiled.search(searched_text(text)) is not None
