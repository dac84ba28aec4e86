"""``/metrics`` in Prometheus' text format, as the real server exposes it with ``-proxy-metrics``
and ``-runtime-metrics`` (upstream's ``metrics.go`` and ``collectors/``).

Proxy metrics carry upstream's names and labels (measured on Toxiproxy 2.12.0):
``toxiproxy_proxy_received_bytes_total`` and ``toxiproxy_proxy_sent_bytes_total`` with
``direction``, ``listener``, ``proxy`` and ``upstream``. Received counts every byte read from a
socket; sent is received minus the bytes a direction's toxics hold right now (a deliberate
simplification: bytes a toxic discards, as ``limit_data`` does past its limit, count as sent).
Runtime metrics are the process's own (``process_*`` and ``python_*``), where upstream gives Go's.
"""

from __future__ import annotations

import gc
import os
import resource
import time
from collections.abc import Iterable
from typing import TYPE_CHECKING

from chaos.toxiproxy.server.stream import Direction

if TYPE_CHECKING:
    from chaos.toxiproxy.server.collection import ProxyCollection
    from chaos.toxiproxy.server.proxy import Proxy

_HANDLER_ERRORS = """\
# HELP promhttp_metric_handler_errors_total Total number of internal errors encountered by the \
promhttp metric handler.
# TYPE promhttp_metric_handler_errors_total counter
promhttp_metric_handler_errors_total{cause="encoding"} 0
promhttp_metric_handler_errors_total{cause="gathering"} 0
"""
_STARTED = time.time()


def _label(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


def _held(proxy: Proxy, direction: Direction) -> int:
    links = (connection.links for connection in proxy.connections)
    return sum(pair[direction].buffered for pair in links if pair is not None)


def proxy_lines(proxies: Iterable[Proxy]) -> list[str]:
    received: list[str] = []
    sent: list[str] = []
    for proxy in sorted(proxies, key=lambda proxy: proxy.name):
        counters = getattr(proxy, "received_bytes", None)
        if counters is None:
            continue
        for direction in (Direction.DOWNSTREAM, Direction.UPSTREAM):
            total = counters[direction][0]
            labels = (
                f'direction="{direction.stream}",listener="{_label(proxy.listen)}",'
                f'proxy="{_label(proxy.name)}",upstream="{_label(proxy.upstream)}"'
            )
            received.append(f"toxiproxy_proxy_received_bytes_total{{{labels}}} {total}")
            sent_bytes = max(total - _held(proxy, direction), 0)
            sent.append(f"toxiproxy_proxy_sent_bytes_total{{{labels}}} {sent_bytes}")
    lines = [
        "# HELP toxiproxy_proxy_received_bytes_total ",
        "# TYPE toxiproxy_proxy_received_bytes_total counter",
    ]
    lines += received
    lines += [
        "# HELP toxiproxy_proxy_sent_bytes_total ",
        "# TYPE toxiproxy_proxy_sent_bytes_total counter",
    ]
    return lines + sent


def runtime_lines() -> list[str]:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    with open(f"/proc/{os.getpid()}/statm") as statm:
        rss_pages = int(statm.read().split()[1])
    collections = sum(stat["collections"] for stat in gc.get_stats())
    return [
        "# HELP process_cpu_seconds_total Total user and system CPU time spent in seconds.",
        "# TYPE process_cpu_seconds_total counter",
        f"process_cpu_seconds_total {usage.ru_utime + usage.ru_stime:.2f}",
        "# HELP process_resident_memory_bytes Resident memory size in bytes.",
        "# TYPE process_resident_memory_bytes gauge",
        f"process_resident_memory_bytes {rss_pages * os.sysconf('SC_PAGE_SIZE')}",
        "# HELP process_start_time_seconds Start time of the process since unix epoch in seconds.",
        "# TYPE process_start_time_seconds gauge",
        f"process_start_time_seconds {_STARTED:.2f}",
        "# HELP python_gc_collections_total Garbage collections run.",
        "# TYPE python_gc_collections_total counter",
        f"python_gc_collections_total {collections}",
    ]


class Metrics:
    """What ``/metrics`` shows; only routed when at least one kind is on, as upstream."""

    def __init__(self, collection: ProxyCollection, proxies: bool, runtime: bool) -> None:
        self.collection = collection
        self.proxies = proxies
        self.runtime = runtime

    @property
    def enabled(self) -> bool:
        return self.proxies or self.runtime

    def render(self) -> str:
        lines = _HANDLER_ERRORS.splitlines()
        if self.proxies:
            lines += proxy_lines(self.collection.proxies().values())
        if self.runtime:
            lines += runtime_lines()
        return "\n".join(lines) + "\n"
