"""Home-page cards: each domain app registers a provider in its AppConfig.ready().

Providers take the user and return the cards that user should see; backend knows nothing of the
apps, so dependencies keep running one way.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass
class Card:
    title: str
    lines: list[tuple[str, str]] = field(default_factory=list)
    link: str = ""
    link_text: str = ""
    order: int = 100
    links: list[tuple[str, str]] = field(default_factory=list)  # (url, text) under the lines


_providers: list[Callable[[object], list[Card]]] = []


def register_cards(provider: Callable[[object], list[Card]]) -> None:
    if provider not in _providers:
        _providers.append(provider)


def cards_for(user) -> list[Card]:
    cards = [card for provider in _providers for card in provider(user)]
    return sorted(cards, key=lambda c: c.order)
