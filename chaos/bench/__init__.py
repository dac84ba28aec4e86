"""Benchmarks: they measure and report ratios; nothing in here passes or fails."""
