"""The dashboard tests' way through a rendered app (Streamlit's AppTest element tree)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any


def walk(node: Any) -> Iterator[Any]:
    """Return every element under a node of the app's element tree."""
    yield node
    for child in getattr(node, "children", {}).values():
        yield from walk(child)
