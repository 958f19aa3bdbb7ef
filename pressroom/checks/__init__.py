"""Checks: the assembled documents → diagnostics, each check a small function registered by name.

A check reads the assembled HTML trees (never the fragments) and reports problems at the
fragment line recorded in ``data-src``. ``run`` runs every registered check, so each run
shows every problem at once. Add a check by decorating a function with ``@check("name")``.
"""

from __future__ import annotations

# Importing a check module registers its checks.
from pressroom.checks import citations, footnotes, links, translations  # noqa: F401
from pressroom.checks.registry import REGISTRY, Context, check, run, where

__all__ = ["REGISTRY", "Context", "check", "run", "where"]
