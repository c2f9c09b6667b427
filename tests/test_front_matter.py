"""Generated front matter reads back exactly as written, whatever the text (the fast writer
must agree with YAML on every character)."""

from __future__ import annotations

import datetime as dt

import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from notepress.front_matter import dump as front_matter

text = st.text(st.characters(blacklist_categories=("Cs",)), max_size=40)


@settings(max_examples=300, deadline=None)
@given(title=text, tags=st.lists(text, max_size=4), draft=st.booleans(), minutes=st.integers(1, 60))
def test_front_matter_round_trips(title, tags, draft, minutes):
    meta = {"title": title, "date": {"created": dt.date(2026, 1, 2), "updated": dt.date(2026, 3, 4)},
            "tags": tags, "draft": draft, "readtime": minutes}
    assert yaml.safe_load(front_matter(meta)) == meta
