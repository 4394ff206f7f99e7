"""Adapters: recognise a source format by its header and map it onto the contract's columns.

An extract written to the contract needs no adapter. A file in another published layout (the UK
government organograms, for one) is recognised from its header, whatever its file name, and
turned into contract rows (all text, so the same staging and validation apply). Adding a format
is one module here with an `Adapter`, and one line in ADAPTERS.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import polars as pl

from pipeline.contract import ExtractKind


@dataclass(frozen=True)
class AdapterContext:
    """What an adapter may need besides the rows: where they came from, what the user asked."""

    file_name: str
    snapshot_date: str | None = None  # the run's --snapshot-date, for files that carry none
    include_names: bool = False  # personal names are loaded only when asked


@dataclass(frozen=True)
class Adapter:
    """A source layout: how to recognise it and how to map it onto a contract extract kind."""

    name: str
    kind: ExtractKind
    recognises: Callable[[list[str]], bool]
    to_contract: Callable[[pl.DataFrame, AdapterContext], pl.DataFrame]


def _adapters() -> tuple[Adapter, ...]:
    """Return every adapter, most specific first."""
    from pipeline.adapters import uk_organogram

    return (uk_organogram.SENIOR, uk_organogram.JUNIOR)


def adapter_for(header: list[str]) -> Adapter | None:
    """Return the adapter that recognises a header, or None for the contract's own layout."""
    return next((adapter for adapter in _adapters() if adapter.recognises(header)), None)


def adapter_named(name: str) -> Adapter:
    """Return the adapter with this name."""
    return next(adapter for adapter in _adapters() if adapter.name == name)
