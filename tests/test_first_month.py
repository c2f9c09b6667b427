"""A new user's first month, end to end, from `notepress init` in an empty folder: entries of every
type written with `notepress new`, an image and a PDF beside a public essay and an image beside an
internal insight, a build (assertions on the built site: bytes served at the URLs the page uses, the
internal image nowhere, feed dates and absolute links, the sitemap), then a newsletter drafted before
the sender is configured and sent after, to a real SMTP server (headers, the inline image, one copy
each)."""

from __future__ import annotations

import datetime as dt
import re
import xml.etree.ElementTree as ET
from email.utils import parsedate_to_datetime
from pathlib import Path

from notepress import attachments
from e2e_helpers import TODAY, run_cli
from smtp_server import LocalSmtpServer
from test_boundary import _png_image

SITE_URL = "https://ana.example.com/notes/"
TEAM = ("bo@example.com", "cy@example.com")


def _field(path: Path, key: str, yaml_value: str) -> None:
    """Set a front matter field as the writer would type it (its line replaced, comment and all)."""
    text = path.read_text(encoding="utf-8")
    assert re.search(rf"(?m)^{key}:", text), key
    path.write_text(re.sub(rf"(?m)^{key}:.*$", lambda m: f"{key}: {yaml_value}", text), encoding="utf-8")


def _new(repo: Path, etype: str, title: str) -> Path:
    result = run_cli("-C", str(repo), "new", etype, title)
    assert result.exit_code == 0, result.output
    return repo / result.stdout.strip().splitlines()[0]


def test_a_first_month_from_init_to_a_published_blog_and_a_sent_newsletter(tmp_path, engine):
    repo = tmp_path / "notes"
    assert run_cli("init", str(repo), "--name", "Notes", "--author", "Ana Li", "--site-url", SITE_URL).exit_code == 0

    essay = _new(repo, "essay", "What a month of support calls taught me")
    _field(essay, "draft", "false")
    from weasyprint import HTML

    chart, screen = _png_image(), _png_image() + b"\x00internal"
    report = HTML(string="<h1>Calls in November</h1><p>Five calls, one confusing screen.</p>").write_pdf()
    (essay.parent / "calls.png").write_bytes(chart)
    (essay.parent / "report.pdf").write_bytes(report)
    front = essay.read_text(encoding="utf-8").rpartition("\n---\n")[0]  # the template's body, rewritten
    essay.write_text(front + "\n---\n\nFive calls, one confusing screen.\n\n<!-- more -->\n\n"
                     "![Calls by step](calls.png)\n\nThe [whole report](report.pdf).\n", encoding="utf-8")
    insight = _new(repo, "insight", "Setup needs a call")
    for key, value in (("customer", "Quarry Bay Books"), ("themes", "[onboarding]"), ("quote", "Which screen first?")):
        _field(insight, key, value)
    (insight.parent / "settings-screen.png").write_bytes(screen)
    insight.write_text(insight.read_text(encoding="utf-8") + "\n![The screen](settings-screen.png)\n", encoding="utf-8")
    learning = _new(repo, "learning", "Sat in on five calls")
    (learning.parent / "steps.png").write_bytes(chart)
    for key, value in (("audience", "internal"), ("action", "Sat in on five calls"),
                       ("learning", "'The setup step confuses people: ![steps](steps.png)'")):
        _field(learning, key, value)

    checked = run_cli("-C", str(repo), "check")
    assert checked.exit_code == 0, checked.output
    built = run_cli("-C", str(repo), "build", "--engine", engine)
    assert built.exit_code == 0, built.output
    site = repo / "site"

    page = next(site.rglob(f"{essay.stem.split('-', 3)[3]}/index.html"))
    html = page.read_text(encoding="utf-8")
    for name in ("calls.png", "report.pdf"):  # published as read and stripped, under its digest
        published = attachments.read(essay.parent / name)
        url = re.search(rf'(?:src|href)="([^"]*attachments/{re.escape(published.name)})"', html).group(1)
        assert (page.parent / url).resolve().read_bytes() == published.data
        assert name not in html  # the file's own name is not published
    assert not any(p.read_bytes() == screen for p in site.rglob("*") if p.is_file())
    assert not any("settings-screen" in p.name for p in site.rglob("*"))

    feed = ET.parse(site / "feed_rss_created.xml").getroot()
    items = {i.findtext("title"): i for i in feed.iter("item")}
    entry_dates = {"What a month of support calls taught me": TODAY,
                   "Five support calls in one week": TODAY - dt.timedelta(days=6),
                   "Why I write down what I learn": TODAY}
    for title, day in entry_dates.items():
        assert parsedate_to_datetime(items[title].findtext("pubDate")).date() == day, title
        assert items[title].findtext("link").startswith(SITE_URL)
    assert "None" not in (site / "feed_rss_created.xml").read_text(encoding="utf-8")
    sitemap = (site / "sitemap.xml").read_text(encoding="utf-8")  # and MkDocs' sitemap.xml.gz, read by the audit
    assert f"{SITE_URL}blog/{TODAY:%Y/%m/%d}/what-a-month-of-support-calls-taught-me/" in sitemap

    drafted = run_cli("-C", str(repo), "newsletter", "draft", "--since", str(TODAY - dt.timedelta(days=13)))
    assert drafted.exit_code == 0, drafted.output
    with LocalSmtpServer() as server:
        config = repo / "notepress.yml"
        config.write_text(config.read_text(encoding="utf-8") + (
            f"\nnewsletter:\n  sender: Ana Li <ana@example.com>\n  recipients: [{', '.join(TEAM)}]\n"
            "  list_id: notes.example.com\n  unsubscribe: mailto:ana@example.com?subject=unsubscribe\n"
            f"smtp:\n  host: 127.0.0.1\n  port: {server.port}\n  security: none\n"), encoding="utf-8")
        sent = run_cli("-C", str(repo), "newsletter", "send", "1")
        assert sent.exit_code == 0, sent.output
        assert server.counts() == {address: 1 for address in TEAM}
        mails = [r.message for r in server.received]
    for mail in mails:
        assert mail["From"] == "Ana Li <ana@example.com>" and mail["List-Id"] == '"Customer notes" <notes.example.com>'
        assert mail["List-Unsubscribe"] == "<mailto:ana@example.com?subject=unsubscribe>"
        [image] = [p for p in mail.walk() if p.get_content_type() == "image/png"]
        assert image.get_content() == chart and image["Content-ID"]
        text = next(p for p in mail.walk() if p.get_content_type() == "text/plain").get_content()
        assert "Quarry Bay Books" in text  # the team sees its customers
