"""mkdocs-postmortems: a postmortem knowledge base kept in git."""

from __future__ import annotations

__version__ = "0.1.0"
