"""Check-ins: a new learning entry starting from the previous next step (`notepress new --from`)."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest
import yaml

from conftest import FIXTURES
from notepress.project import Project
from notepress.entries import read_entries
from notepress.problems import NotepressError
from notepress.links import Resolver, find_links
from notepress.review import StepError, new_checkin
from notepress.scaffold import new_entry

REVIEW = FIXTURES / "review"
TODAY = dt.date(2026, 3, 20)


@pytest.fixture
def career(tmp_path) -> Path:
    return Path(shutil.copytree(REVIEW / "career", tmp_path / "career"))


def slugs(entries) -> list[str]:
    return [e.slug for e in entries]


def test_new_checkin_takes_the_next_step_as_action_and_links_back(career, tmp_path):
    path = new_checkin(Project.open(career, today=TODAY), "first-finance-review", "Ran the pricing test").path

    assert path == career / "posts" / "learning" / "2026-03-20-ran-the-pricing-test.md"
    text = path.read_text(encoding="utf-8")
    meta = yaml.safe_load(text.split("\n---\n", 1)[0].removeprefix("---\n"))
    assert meta["action"] == "Run the pricing test with five customers"
    # Everything else is the learning template as `notepress new` writes it, line for line.
    plain = tmp_path / "plain"
    plain.mkdir()
    template = new_entry(Project.open(plain, today=TODAY), "learning", "Ran the pricing test").read_text()
    front, body = template.split("\n---\n", 1)
    front = front.replace('action: ""  #', "action: Run the pricing test with five customers  #").replace(
        "competencies: []  #", "competencies: [financial-literacy, stakeholder-relationships]  #")  # the earlier's
    link = "I did what I set out to do in “[[first-finance-review]]”."
    assert text == f"{front}\n---\n\n{link}\n{body}"


def test_the_checkin_links_back_once_filled_in(career):
    project = Project.open(career, today=TODAY)
    path = new_checkin(project, "mentoring-retro", "Written notes after pairing").path
    path.write_text(path.read_text().replace('learning: ""', "learning: Notes get read."), encoding="utf-8")

    entries, report = read_entries(project.config, cache=False)

    assert not report.errors
    checkin = next(e for e in entries if e.slug == "written-notes-after-pairing")
    resolve = Resolver(entries)
    assert slugs(resolve(link, checkin) for link in find_links(checkin.body)) == ["mentoring-retro"]


@pytest.mark.parametrize("slug, error", [
    ("nothing-here", 'slug: no entry has the slug "nothing-here"'),
    ("why-capped-fees", 'posts/essays/2026-01-28-why-capped-fees.md:4: type: "why-capped-fees" is an essay'),
])
def test_new_checkin_refuses_what_has_no_next_step(slug, error, career):
    with pytest.raises(StepError) as e:
        new_checkin(Project.open(career, today=TODAY), slug, "A title")
    assert str(e.value).startswith(error)
    assert not (career / "posts" / "learning" / "2026-03-20-a-title.md").exists()


def test_new_checkin_never_overwrites_and_then_leaves_the_step_open(career):
    taken = career / "posts" / "learning" / "2026-03-20-same-title.md"
    taken.write_text("the writer's own file", encoding="utf-8")
    earlier = career / "posts" / "learning" / "2026-01-13-first-finance-review.md"
    before = earlier.read_bytes()
    with pytest.raises(NotepressError, match="already exists"):
        new_checkin(Project.open(career, today=TODAY), "first-finance-review", "Same title")
    assert taken.read_text(encoding="utf-8") == "the writer's own file" and earlier.read_bytes() == before

