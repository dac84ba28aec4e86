"""Reproductions of every variant of "MySQL server has gone away", each from a real event."""

from chaos.repro.variants import VARIANTS, Reproduction, Variant, run_variant

__all__ = ["VARIANTS", "Reproduction", "Variant", "run_variant"]
