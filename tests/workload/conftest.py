"""The shared bank fixture and constants (see tests/bank_fixtures.py)."""

from bank_fixtures import ACCOUNTS, INITIAL_BALANCE, INITIAL_TOTAL, bank, connect

__all__ = ["ACCOUNTS", "INITIAL_BALANCE", "INITIAL_TOTAL", "bank", "connect"]
