"""Text handling shared by both backends: tokenising what a family typed (any input is
treated as plain words — quotes, operators, SQL or Lucene syntax and emoji never reach an
engine as syntax), the thesaurus and edit distance."""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass

from search import cache as search_cache

MAX_QUERY_CHARS = 200
MAX_TERMS = 12

# Words that carry no meaning in a search ("my son won't go to school" → son, school).
STOPWORDS = frozenset(
    [
        "a",
        "about",
        "an",
        "and",
        "are",
        "as",
        "at",
        "be",
        "been",
        "but",
        "by",
        "can",
        "could",
        "do",
        "does",
        "doing",
        "for",
        "from",
        "get",
        "got",
        "go",
        "going",
        "had",
        "has",
        "have",
        "he",
        "her",
        "him",
        "his",
        "how",
        "i",
        "if",
        "in",
        "into",
        "is",
        "it",
        "its",
        "me",
        "my",
        "near",
        "need",
        "needs",
        "of",
        "on",
        "or",
        "our",
        "she",
        "so",
        "some",
        "than",
        "that",
        "the",
        "their",
        "them",
        "then",
        "there",
        "these",
        "they",
        "this",
        "to",
        "too",
        "us",
        "want",
        "wants",
        "was",
        "we",
        "were",
        "what",
        "when",
        "where",
        "which",
        "who",
        "why",
        "will",
        "with",
        "won't",
        "wont",
        "would",
        "you",
        "your",
        "help",
        "helps",
        "service",
        "services",
        "support",
    ]
)
# "help", "service", "support" are in almost every listing: kept only if nothing else is typed.

_WORD_RE = re.compile(r"[0-9a-z]+(?:'[a-z]+)?")


def normalise_text(text: str) -> str:
    """Lower case, accents and odd characters removed, at most MAX_QUERY_CHARS long."""
    text = unicodedata.normalize("NFKD", text or "")
    text = "".join(c for c in text if not unicodedata.combining(c))
    text = text.lower().replace("\u2019", "'")
    return text[: MAX_QUERY_CHARS * 5]


def words(text: str) -> list[str]:
    return [w.replace("'", "") for w in _WORD_RE.findall(normalise_text(text))]


def normalise_term(term: str) -> str:
    return " ".join(words(term))


def split_terms(value: str) -> list[str]:
    out: list[str] = []
    for part in re.split(r"[\n,;]+", value or ""):
        term = normalise_term(part)
        if term and term not in out:
            out.append(term)
    return out


def synonym_groups() -> list[list[str]]:
    """Every synonym group as a list of normalised terms (remembered per process until a group
    is saved or deleted: :mod:`search.cache`). Callers must not change the lists."""
    return search_cache.memo(search_cache.SYNONYMS, "groups", _load_synonym_groups)


def _load_synonym_groups() -> list[list[str]]:
    from search.models import SynonymGroup

    return [g for g in (split_terms(t) for t in SynonymGroup.objects.values_list("terms", flat=True)) if g]


def clear_synonym_cache() -> None:
    search_cache.bump(search_cache.SYNONYMS)


@dataclass
class Clause:
    """One need in the query: any of ``alternatives`` (each a tuple of words; several words
    are a phrase) satisfies it."""

    original: str
    alternatives: list[tuple[str, ...]]

    @property
    def expanded(self) -> bool:
        return len(self.alternatives) > 1


def parse(text: str, groups: list[list[str]] | None = None) -> list[Clause]:
    """Split a query into clauses, expanding thesaurus phrases (longest match first) and
    dropping stop words. A query of stop words only keeps its words."""
    tokens = words(text)[: MAX_TERMS * 3]
    if groups is None:
        phrase_to_group, longest = search_cache.memo(
            search_cache.SYNONYMS, "phrases", lambda: _phrases(synonym_groups())
        )
    else:
        phrase_to_group, longest = _phrases(groups)
    clauses: list[Clause] = []
    i = 0
    while i < len(tokens):
        for size in range(min(longest, len(tokens) - i), 0, -1):
            phrase = tuple(tokens[i : i + size])
            group = phrase_to_group.get(phrase)
            if group is not None:
                alternatives = [phrase] + [tuple(t.split()) for t in group if tuple(t.split()) != phrase]
                clauses.append(Clause(" ".join(phrase), alternatives))
                i += size
                break
        else:
            token = tokens[i]
            clauses.append(Clause(token, [(token,)]))
            i += 1
    meaningful = [c for c in clauses if c.expanded or c.original not in STOPWORDS]
    if not meaningful:
        meaningful = [c for c in clauses if c.original not in {"a", "an", "the", "of", "to", "and", "or"}]
    # Remove duplicates, keep order.
    seen: set[str] = set()
    out = []
    for clause in meaningful:
        if clause.original not in seen:
            seen.add(clause.original)
            out.append(clause)
    return out[:MAX_TERMS]


def _phrases(groups: list[list[str]]) -> tuple[dict[tuple[str, ...], list[str]], int]:
    """Each thesaurus phrase (as a tuple of words) → its group, and the longest phrase's length."""
    phrase_to_group: dict[tuple[str, ...], list[str]] = {}
    for group in groups:
        for term in group:
            phrase_to_group.setdefault(tuple(term.split()), group)
    return phrase_to_group, max((len(p) for p in phrase_to_group), default=1)


def edit_distance(a: str, b: str, limit: int = 3) -> int:
    """Damerau-Levenshtein (optimal string alignment) distance, stopping early past ``limit``."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    previous2: list[int] | None = None
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i] + [0] * len(b)
        for j, cb in enumerate(b, 1):
            cost = 0 if ca == cb else 1
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if previous2 is not None and i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                current[j] = min(current[j], previous2[j - 2] + 1)
        if min(current) > limit:
            return limit + 1
        previous2, previous = previous, current
    return previous[-1]


def allowed_edits(word: str) -> int:
    return 0 if len(word) < 4 else 1 if len(word) < 7 else 2


_TOKEN_RE = re.compile(r"[0-9A-Za-z\u00c0-\u024f]+(?:['\u2019][A-Za-z]+)?")
_SUFFIXES = ("ational", "ation", "ically", "ness", "ment", "ings", "ing", "ies", "ied", "ic", "ed", "es", "ly", "s")


@functools.lru_cache(maxsize=8192)
def stem(word: str) -> str:
    """A light suffix-stripping stem of one word ("parenting", "parents" → "parent";
    "autistic" → "autist"), for highlighting only: matching itself is the engine's (Porter on
    FTS5, Snowball English on PostgreSQL and Elasticsearch)."""
    word = word.lower().replace("'", "").replace("\u2019", "")
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            return word[: -len(suffix)]
    return word


def query_stems(clauses: list[Clause]) -> frozenset[str]:
    """The stems of every word of every alternative of the query, for :func:`snippet`."""
    return frozenset(stem(w) for clause in clauses for alternative in clause.alternatives for w in alternative) - {""}


def snippet(
    texts: list[str],
    clauses: list[Clause],
    size: int = 24,
    start: str = "[",
    end: str = "]",
    stems: frozenset[str] | None = None,
) -> str:
    """The window of ``size`` words, from the first of ``texts`` that mentions the query, that
    holds the most query words, each wrapped in ``start``/``end`` (callers pass private-use
    markers and escape the rest). '' when no text mentions the query. ``stems`` is
    :func:`query_stems` of ``clauses``, for callers highlighting many texts for one query."""
    stems = query_stems(clauses) if stems is None else stems
    best: tuple[int, str] = (0, "")
    for text in texts:
        text = text or ""
        # A word's stem is a prefix of the word (lower case, no apostrophes): a text that
        # contains no stem anywhere has no hit, and is not tokenised.
        folded = text.lower().replace("'", "").replace("\u2019", "")
        if not any(s in folded for s in stems):
            continue
        hits = [i for i, word_stem in enumerate(map(stem, _TOKEN_RE.findall(text))) if word_stem in stems]
        if not hits:
            continue
        # The window starting a little before each hit; keep the one covering the most hits.
        count, first = max((sum(1 for h in hits if i <= h < i + size), max(i - 3, 0)) for i in hits)
        if count <= best[0]:
            continue
        tokens = list(_TOKEN_RE.finditer(text))
        hit_set = set(hits)
        first = min(first, max(len(tokens) - size, 0))
        window = tokens[first : first + size]
        out, position = [], window[0].start()
        for i, token in enumerate(window, first):
            out.append(text[position : token.start()])
            out.append(f"{start}{token.group()}{end}" if i in hit_set else token.group())
            position = token.end()
        prefix = "…" if first > 0 else ""
        suffix = "…" if first + size < len(tokens) else text[position:]
        best = (count, prefix + "".join(out) + suffix)
    return best[1]
