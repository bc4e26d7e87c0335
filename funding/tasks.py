"""Work run by django-q2 workers; each task takes plain values and calls services."""

from __future__ import annotations

import datetime as dt

from .services import plans


def daily_tick(on: str | None = None) -> dict:
    """The daily run (also ``manage.py tick``): instalments re-read and made due. Safe to run twice."""
    day = dt.date.fromisoformat(on) if on else None
    return plans.tick(on=day)
