"""``bench proxy`` end to end at a tiny duration: it measures every target and renders ratios.

Nothing here judges speed (benchmarks print ratios; they never pass or fail on timing).
"""

from __future__ import annotations

from chaos.bench.proxy import run_proxy_benchmark
from chaos.cli.bench import render


def test_bench_proxy_measures_direct_and_embedded_at_each_concurrency(mariadb, monkeypatch):
    monkeypatch.delenv("TOXIPROXY_URL", raising=False)
    report = run_proxy_benchmark(mariadb, duration=0.2, rounds=1, concurrencies=(1, 2))
    assert report.targets == ["direct", "embedded"]
    for concurrency in (1, 2):
        for target in report.targets:
            assert report.cell(target, concurrency).queries > 0
        assert report.ratios("direct", concurrency)["p50"] == 1.0
        assert report.ratios("embedded", concurrency)["p50"] > 0
    text = render(report)
    assert "ssl_disabled=True" in text
    assert "concurrency 2" in text
    assert text.count("embedded") >= 2
