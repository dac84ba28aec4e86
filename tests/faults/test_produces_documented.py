"""The README's table of what each fault gives a plain client is each fault's ``produces``."""

from __future__ import annotations

import re
from pathlib import Path

from chaos.faults import FAULTS

README = Path(__file__).resolve().parents[2] / "README.md"
# | name | fault | the client, after the event | `exception` |
ROW = re.compile(r"^\| (?P<name>[a-z0-9-]+) \| fault \| [^|]+ \| `(?P<produces>.+)` \|$", re.M)


def test_every_fault_has_a_row_stating_exactly_its_produces() -> None:
    rows = {m["name"]: m["produces"] for m in ROW.finditer(README.read_text())}
    assert rows == {name: FAULTS.get(name).produces for name in FAULTS.names()}
