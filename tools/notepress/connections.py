"""Connections between public posts: who links here ("linked from") and related posts.

Both are computed from the public entries only, after the audience gate, so a page can never
name or link a non-public entry through them.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable

from .links import find_links
from .model import Entry, theme_key

RELATED = 3
NEIGHBOURS = 10  # per shared tag, the posts nearest in date that are considered


def backlinks(public: list[Entry], target_of: Callable) -> dict[str, list[Entry]]:
    """slug -> the public entries that link to it, oldest first."""
    found: dict[str, dict[str, Entry]] = defaultdict(dict)
    for entry in public:
        for text in entry.text_fields().values():
            for link in find_links(text):
                target = target_of(link, entry)
                if target is not None and target.slug != entry.slug:
                    found[target.slug][entry.slug] = entry
    return {slug: sorted(sources.values(), key=lambda e: (e.date, e.slug)) for slug, sources in found.items()}


def _topics(entry: Entry) -> set[str]:
    """Its tags, and its themes as one whatever their case (model.theme_key)."""
    return set(entry.tags) | ({theme_key(t) for t in entry.insight.themes} if entry.insight else set())


def related(public: list[Entry], limit: int = RELATED) -> dict[str, list[Entry]]:
    """slug -> up to `limit` public entries sharing the most tags and themes, nearest in date first.

    Each shared topic contributes only the posts nearest in date, so the work stays linear in
    the number of posts even when a tag is on thousands of them.
    """
    by_topic: dict[str, list[str]] = defaultdict(list)  # topic -> slugs by date
    for entry in sorted(public, key=lambda e: (e.date, e.slug)):
        for topic in _topics(entry):
            by_topic[topic].append(entry.slug)
    position = {topic: {slug: i for i, slug in enumerate(slugs)} for topic, slugs in by_topic.items()}
    by_slug, day = {e.slug: e for e in public}, {e.slug: e.date.toordinal() for e in public}
    out = {}
    for entry in public:
        score: Counter[str] = Counter()  # slug -> topics shared among the neighbours
        for topic in _topics(entry):
            slugs, i = by_topic[topic], position[topic][entry.slug]
            score.update(slugs[max(0, i - NEIGHBOURS):i + NEIGHBOURS + 1])
        del score[entry.slug]
        here = day[entry.slug]
        ranked = sorted((-shared, abs(day[slug] - here), slug) for slug, shared in score.items())
        if ranked:
            out[entry.slug] = [by_slug[slug] for _, _, slug in ranked[:limit]]
    return out
