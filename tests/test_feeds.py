"""The feeds of a real build: each item dated by its entry, never the build time, and no `None`;
a build without site_url says once what that breaks; `init --site-url` sets it."""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET
from email.utils import parsedate_to_datetime
from pathlib import Path

import pytest
import yaml

from conftest import isolate_git_config
from e2e_helpers import TODAY, run_cli
from notepress import api
from notepress.publish import NO_SITE_URL


pytestmark = pytest.mark.usefixtures("empty_git_config")


def init(root: Path, *args: str) -> Path:
    result = run_cli("init", str(root), "--name", "Notes", "--author", "Ana Li", *args)
    assert result.exit_code == 0, result.output
    return root


def build(root: Path, engine: str):
    result = run_cli("-C", str(root), "build", "--engine", engine)
    assert result.exit_code == 0, result.output
    return result


def backdated_init(root: Path) -> Path:
    """An init repo whose entries are dated weeks ago, so a build-time pubDate cannot pass for theirs."""
    init(root)
    for path in (root / "posts").rglob("*.md"):
        text = path.read_text(encoding="utf-8")
        old = next(line for line in text.splitlines() if line.startswith("date: "))
        day = dt.date.fromisoformat(old.removeprefix("date: ")) - dt.timedelta(days=40)
        path.write_text(text.replace(old, f"date: {day}", 1), encoding="utf-8")
    return root


@pytest.fixture(scope="module")
def plain_init(tmp_path_factory, engine):
    """A repo as `notepress init` makes it (no site_url), built once for the module's tests that
    only read it (with no git config, as `empty_git_config`)."""
    with pytest.MonkeyPatch.context() as mp:
        isolate_git_config(mp, tmp_path_factory.mktemp("gitconfig"))
        root = init(tmp_path_factory.mktemp("plain") / "notes")
        return root, build(root, engine)


@pytest.mark.site
@pytest.mark.parametrize("repo", ["init", "example"])
def test_each_feed_item_is_dated_by_its_entry(repo, tmp_path, engine, request):
    if repo == "init":
        root = backdated_init(tmp_path / "notes")
        build(root, engine)
    else:
        root = request.getfixturevalue("example_build").root
    dates = {e.title: e.date for e in api.load(root).entries}

    items = ET.parse(root / "site" / "feed_rss_created.xml").getroot().iter("item")
    published = {i.findtext("title"): parsedate_to_datetime(i.findtext("pubDate")).date() for i in items}

    assert published and all(day < TODAY for day in published.values())
    assert published == {title: dates[title] for title in published}


@pytest.mark.site
@pytest.mark.parametrize("repo", ["init", "example"])
def test_no_feed_says_none(repo, engine, request):
    root = request.getfixturevalue("plain_init")[0] if repo == "init" else request.getfixturevalue("example_build").root

    feeds = sorted((root / "site").glob("feed_*"))

    assert len(feeds) == 4
    for feed in feeds:
        assert "None" not in feed.read_text(encoding="utf-8"), feed.name
    ET.parse(root / "site" / "feed_rss_created.xml")  # still well-formed XML


@pytest.mark.site
def test_a_build_without_site_url_warns_once_naming_what_breaks(plain_init, example_build):
    warned, quiet = plain_init[1], example_build.result

    assert warned.stderr.splitlines().count(f"warning: {NO_SITE_URL}") == 1
    assert "site_url" not in quiet.stderr


@pytest.mark.site
def test_init_site_url_goes_into_notepress_yml_and_the_feed(tmp_path, engine):
    root = init(tmp_path / "notes", "--site-url", "https://ana.github.io/notes")

    settings = yaml.safe_load((root / "notepress.yml").read_text(encoding="utf-8"))
    result = build(root, engine)

    assert settings["site_url"] == "https://ana.github.io/notes/"
    assert "site_url" not in result.stderr
    links = [el.text for el in ET.parse(root / "site" / "feed_rss_created.xml").getroot().iter("link")]
    assert any(link.startswith("https://ana.github.io/notes/blog/") for link in links)


@pytest.mark.parametrize("url", ["ana.github.io/notes", "ftp://ana.example/", "/notes/"])
def test_init_refuses_a_site_url_that_is_not_absolute_http(url, tmp_path, cli):
    result = cli("init", tmp_path / "notes", "--site-url", url)

    assert result.exit_code == 1
    assert result.stderr.splitlines()[0] == (f"--site-url: {url!r} is not an absolute http(s) URL "
                                             "(write it like https://you.github.io/notes/)")
    assert not (tmp_path / "notes").exists()
