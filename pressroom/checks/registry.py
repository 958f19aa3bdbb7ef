"""The registry of checks: ``@check("name")`` adds a function over the assembled documents;
``run`` calls every one of them, so that a run shows every problem at once."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Callable

from pressroom.diagnostics import Report
from pressroom.model import Assembled, Pack
from pressroom.read.bibliography import Bibliography

REGISTRY: dict[str, Callable[["Context"], None]] = {}


@dataclass
class Context:
    pack: Pack
    documents: dict[tuple[str, str], Assembled]
    report: Report
    bibliography: Bibliography | None = None
    trees: dict = field(default_factory=dict)

    def tree(self, key: tuple[str, str]):
        if key not in self.trees:
            self.trees[key] = self.documents[key].tree
        return self.trees[key]

    @cached_property
    def items(self) -> list[tuple[tuple[str, str], object]]:
        return [(key, self.tree(key)) for key in sorted(self.documents)]


def check(name: str) -> Callable:
    def register(function: Callable[[Context], None]) -> Callable[[Context], None]:
        REGISTRY[name] = function
        return function
    return register


def where(element) -> tuple[str, int | None]:
    """The fragment path and line an element (or its nearest ancestor) came from."""
    for node in element.iterancestors() if element.get("data-src") is None else [element]:
        if node.get("data-src"):
            break
    src = node.get("data-src") or ""
    path, _, line = src.rpartition(":")
    return (path, int(line)) if line.isdigit() else (src or "content/pack.yaml", None)


def run(pack: Pack, documents: dict, report: Report, bibliography: Bibliography | None = None,
        only: list[str] | None = None) -> None:
    built = {key: doc for key, doc in documents.items() if doc is not None}
    context = Context(pack, built, report, bibliography)
    for name, function in REGISTRY.items():
        if only is None or name in only:
            function(context)

