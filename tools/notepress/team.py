"""The rule of links one level in from a public page: an entry the team sees (internal or public, not a
draft) links only entries the team sees.

The newsletter shows an entry link it may not follow as plain text: a `[[slug]]` or a relative link to
a private entry, or to a draft, would show that entry's slug or file name to the team. It is the same
rule as a public page's (links.unseen, enforced by screen.py on public entries) for the team's view:
`check` reports each such link at its line, for every entry, and `newsletter draft` and `send` refuse
to go on while one is left (Project.team).
"""

from __future__ import annotations

from .audience import Reader, View
from .links import Resolver, line_of, unseen
from .model import Entry
from .problems import Problem


def team_links(team: View, entries: list[Entry], *, checked: frozenset[str] = frozenset()) -> list[Problem]:
    """Every link from an entry of the team's view `team` to an entry of `entries` (all of them, valid)
    that the team does not see. The entries whose slugs are `checked` are left out: `check` passes the
    public ones, whose links the rules of a public page already held to the public, a narrower view."""
    if team.reader is not Reader.TEAM or team.drafts:
        raise TypeError("the team's rule of links runs on the team's view, without drafts")
    resolve = Resolver(entries)
    seen = frozenset(e.slug for e in team)
    problems = []
    for entry in team:
        if entry.slug in checked:
            continue
        for name, text in entry.text_fields().items():
            for link, target in unseen(entry, text, resolve, seen):
                if target is not None:  # a link to nothing shows nothing of another entry
                    state = "a draft" if target.draft else f"audience: {target.audience}"
                    problems.append(Problem(
                        entry.source, line_of(entry, name, text, link.start), name,
                        f"link {link.written} points to {target.source}, which the team does not see ({state})",
                        "remove the link; the team sees internal and public entries, never private ones or drafts"))
    return problems
