"""What a commissioner can narrow a dashboard by. The view's form turns the query string into
one of these; the selectors take it and nothing else."""

from __future__ import annotations

import datetime
from dataclasses import dataclass


@dataclass(frozen=True)
class Filters:
    date_from: datetime.date  # inclusive
    date_to: datetime.date  # inclusive
    area: str = ""  # "" = everywhere; early help and outcomes: a team's locality (Team.area);
    #                Encompass and directory: a postcode district ("SR4")
    category: int | None = None  # a directory TaxonomyTerm id
    service: int | None = None  # a directory ServicePage id
    level: int | None = None  # a level of need, 1–4

    def shifted(self, date_from: datetime.date, date_to: datetime.date) -> Filters:
        """The same filters over another period (for "compare two periods")."""
        return Filters(date_from, date_to, self.area, self.category, self.service, self.level)
