"""What each signed-in professional can do from /portal/.

Apps register cards (a title, a description, a URL name and the permission that unlocks it)
from their ``AppConfig.ready``; the portal home shows each user the cards their roles allow.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from django.urls import reverse


@dataclass(frozen=True)
class PortalCard:
    key: str
    title: str
    description: str
    url_name: str
    permissions: tuple[str, ...] = ()  # any one of these unlocks the card
    order: int = 100
    test: Callable | None = field(default=None, compare=False)

    @property
    def url(self) -> str:
        return reverse(self.url_name)

    def visible_to(self, user) -> bool:
        if not user.is_authenticated:
            return False
        if self.test is not None and not self.test(user):
            return False
        if not self.permissions:
            return True
        return any(user.has_perm(p) for p in self.permissions)


_cards: dict[str, PortalCard] = {}


def register_card(card: PortalCard) -> None:
    _cards[card.key] = card


def cards_for(user) -> list[PortalCard]:
    return sorted((c for c in _cards.values() if c.visible_to(user)), key=lambda c: (c.order, c.title))
