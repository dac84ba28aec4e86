"""One cell's timeline as an inline SVG, drawn as Jepsen's timeline is.

One lane per worker; each operation a bar from its invoke to its completion (its latency is the
bar's length), coloured by its result; the fault's window (inject to heal) shaded; a dashed line
where the cell had recovered. Each bar's tooltip names the operation. Plain SVG: no script, no
fonts or styles fetched from anywhere.
"""

from __future__ import annotations

from collections.abc import Callable
from html import escape

from chaos.workload.history import Result
from chaos.workload.timeline import Timeline, TimelineOperation

#: Jepsen's colours: ok green, fail (certainly not applied) red, unknown (may have) yellow.
RESULT_COLOURS = {Result.OK: "#43a047", Result.FAIL: "#e53935", Result.UNKNOWN: "#f9a825"}
FAULT_WINDOW_COLOUR = "#ffe0b2"
RECOVERED_COLOUR = "#1565c0"

WIDTH = 250
_LEFT, _RIGHT, _TOP, _LANE, _AXIS = 18, 14, 4, 11, 14
_MIN_BAR = 1.5  # px: an operation of a millisecond stays visible


#: The bars' colours, for the page that holds the SVGs (one rule each instead of per bar).
STYLE = "".join(f"svg .{result}{{fill:{colour}}}" for result, colour in RESULT_COLOURS.items()) + (
    "svg .h{stroke:#000;stroke-width:1}"
)


def timeline_svg(timeline: Timeline, recovered_ms: int | None = None) -> str:
    """The SVG element for ``timeline``; ``recovered_ms`` marks when the cell had recovered."""
    end = max(timeline.end_ms, 1)
    span = WIDTH - _LEFT - _RIGHT
    height = _TOP + timeline.workers * _LANE + _AXIS

    def x(ms: float) -> float:
        return _LEFT + span * ms / end

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{height}" '
        f'viewBox="0 0 {WIDTH} {height}" font-family="sans-serif" font-size="9">'
    ]
    lanes_bottom = _TOP + timeline.workers * _LANE
    if timeline.inject_ms is not None:
        heal = timeline.heal_ms if timeline.heal_ms is not None else end
        parts.append(
            f'<rect x="{x(timeline.inject_ms):.1f}" y="0" '
            f'width="{max(1.0, x(heal) - x(timeline.inject_ms)):.1f}" height="{lanes_bottom}" '
            f'fill="{FAULT_WINDOW_COLOUR}"><title>fault: inject at {timeline.inject_ms} ms, '
            f"heal at {heal} ms</title></rect>"
        )
    for worker in range(timeline.workers):
        y = _TOP + worker * _LANE
        parts.append(f'<text x="2" y="{y + _LANE - 3}" fill="#555">w{worker}</text>')
        parts.append(
            f'<line x1="{_LEFT}" x2="{WIDTH - _RIGHT}" y1="{y + _LANE / 2:.1f}" '
            f'y2="{y + _LANE / 2:.1f}" stroke="#eee"/>'
        )
    parts += (_bar(op, x) for op in timeline.operations)
    if recovered_ms is not None:
        rx = f"{x(recovered_ms):.1f}"
        parts.append(
            f'<line x1="{rx}" x2="{rx}" y1="0" y2="{lanes_bottom}" stroke="{RECOVERED_COLOUR}" '
            f'stroke-width="1.5" stroke-dasharray="3,2">'
            f"<title>recovered at {recovered_ms} ms</title></line>"
        )
    parts += _axis(end, x, lanes_bottom)
    parts.append("</svg>")
    return "".join(parts)


def _bar(op: TimelineOperation, x: Callable[[float], float]) -> str:
    left = x(op.invoke_ms)
    width = max(_MIN_BAR, x(op.complete_ms) - left)
    y = _TOP + op.worker * _LANE + 1
    hung = " h" if op.error_kind == "hang" else ""
    why = f" {op.error_kind}" if op.error_kind else ""
    return (
        f'<rect x="{left:.1f}" y="{y}" width="{width:.1f}" height="{_LANE - 2}" '
        f'class="{op.result}{hung}"><title>{escape(op.op_id)} {op.kind} '
        f"{op.result} {op.duration_ms} ms{escape(why)}</title></rect>"
    )


def _axis(end: int, x: Callable[[float], float], top: int) -> list[str]:
    steps = (10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000, 30000, 60000)
    step = next((s for s in steps if end / s <= 6), steps[-1])
    parts = [f'<line x1="{_LEFT}" x2="{WIDTH - _RIGHT}" y1="{top}" y2="{top}" stroke="#999"/>']
    for tick in range(0, end + 1, step):
        tx = f"{x(tick):.1f}"
        label = "0" if not tick else f"{tick} ms" if step < 100 else f"{tick / 1000:g} s"
        parts.append(f'<line x1="{tx}" x2="{tx}" y1="{top}" y2="{top + 3}" stroke="#999"/>')
        parts.append(
            f'<text x="{tx}" y="{top + 12}" text-anchor="middle" fill="#555">{label}</text>'
        )
    return parts
