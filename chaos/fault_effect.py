"""What a fault did when it was injected or healed: the nemesis's own line in the history.

A fault's ``inject()`` and ``heal()`` each return a :class:`FaultEffect`, and the history keeps
them beside the operations, so "did the fault strike the client under test?" is something the
fault says, not something a reader guesses from the errors it sees. A leaf module: the faults
make these values and the history stores them, and neither needs to know the other.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any


@dataclass(frozen=True)
class FaultEffect:
    """One ``inject()`` or ``heal()``, as the fault saw it.

    ``struck``: True when it reached the client under test (a session killed, a protocol toxic's
    strike, a packet dropped by a rule), False when it certainly reached nothing of the client's,
    None when that is not known (a server restarted: whether a client was there to meet it is
    not measured). ``count``: how many times it struck (sessions, strikes, packets), None where
    there is no count; never an estimate. ``detail``: what it did, in a few words.

    ``connects``: the connection attempts that met the fault, as the kernel counted them (None:
    the fault does not count connects), and ``connects_per_tenth`` the same attempts per tenth
    of a second from the moment ``inject()`` began: what the connect-storm check reads.
    """

    struck: bool | None = None
    count: int | None = None
    detail: str = ""
    connects: int | None = None
    connects_per_tenth: tuple[int, ...] = ()

    @classmethod
    def counted(cls, count: int | None, detail: str) -> FaultEffect:
        """``count`` strikes (``struck`` follows from it; None when there is no count)."""
        return cls(None if count is None else count > 0, count, detail)

    def to_dict(self) -> dict[str, Any]:
        """The fields as JSON values; the connect counts only from a fault that counts them."""
        data = asdict(self)
        if self.connects is None and not self.connects_per_tenth:
            del data["connects"], data["connects_per_tenth"]
        else:
            data["connects_per_tenth"] = list(self.connects_per_tenth)
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> FaultEffect:
        struck, count, connects = data.get("struck"), data.get("count"), data.get("connects")
        return cls(
            None if struck is None else bool(struck),
            None if count is None else int(count),
            str(data.get("detail", "")),
            None if connects is None else int(connects),
            tuple(int(n) for n in data.get("connects_per_tenth", ())),
        )

    def describe(self) -> str:
        """One line: the detail, then what is known of the strikes."""
        if self.count is not None:
            known = f"struck {self.count} time{'' if self.count == 1 else 's'}"
        elif self.struck is None:
            known = "strikes not counted"
        else:
            known = "struck" if self.struck else "struck nothing"
        return f"{self.detail}: {known}" if self.detail else known


def combined(*effects: FaultEffect | None) -> FaultEffect | None:
    """What a fault did over a whole run, from its ``inject()`` and ``heal()`` effects.

    It struck if any effect says so; it did not if one says it did not and none that it did
    (a fault counts its strikes where it can see them: a KILL on inject, a toxic's count on
    heal, and says ``None`` on the other); otherwise it is not known. The counts add up where
    known. ``None`` when no effect was recorded at all (a history from before effects).
    """
    known = [effect for effect in effects if effect is not None]
    if not known:
        return None
    struck_values = [effect.struck for effect in known]
    if True in struck_values:
        struck: bool | None = True
    elif False in struck_values:
        struck = False
    else:
        struck = None
    counts = [effect.count for effect in known if effect.count is not None]
    # What said something of the strikes; the rest ("nothing to repair") only when nothing did.
    telling = [effect for effect in known if effect.struck is not None] or known
    detail = "; ".join(effect.describe() for effect in telling)
    connects = [effect.connects for effect in known if effect.connects is not None]
    per_tenth = next((e.connects_per_tenth for e in known if e.connects_per_tenth), ())
    return FaultEffect(
        struck,
        sum(counts) if counts else None,
        detail,
        sum(connects) if connects else None,
        per_tenth,
    )


#: What a fault whose ``_inject``/``_heal`` returns nothing did: not said.
UNKNOWN = FaultEffect()
#: ``heal()`` of a fault that was not injected.
NOT_INJECTED = FaultEffect(False, 0, "not injected")
