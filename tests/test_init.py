"""`notepress init`: a new writing repo that builds right away, never overwrites, and runs git init."""

from __future__ import annotations

import datetime as dt
import gzip
import subprocess
from pathlib import Path

import pytest
import yaml

from conftest import snapshot
from notepress import api
from notepress.scaffold_repo import FILES, git_toplevel, init_repo

CUSTOMER = "Harborview Outfitters"  # the example insight's customer: internal, never public
CODE_NAME = "Project Lighthouse"  # the example confidential term
INSIGHT_TITLE = "A new admin could not finish setup without a call"
LEARNING = ("five-support-calls-in-one-week", "Five support calls in one week")
ESSAY = ("why-i-write-down-what-i-learn", "Why I write down what I learn")


@pytest.fixture(autouse=True)
def git_config(tmp_path, empty_git_config):
    """No user or system git config: what init reads from git is only what a test sets."""
    config = empty_git_config
    if git_toplevel(tmp_path) is not None:
        pytest.skip("the temporary folder is inside a git repository")
    return config


def site_text(site: Path) -> str:
    """Every built file (pages, search index, feeds, sitemap, assets), gz files unpacked, folded."""
    out = []
    for p in sorted(site.rglob("*")):
        if p.is_file():
            data = p.read_bytes()
            if p.suffix == ".gz":
                data = gzip.decompress(data)
            out.append(data.decode("utf-8", "replace"))
    return "\n".join(out).casefold()


def git(*args, cwd: Path) -> str:
    return subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, text=True).stdout.strip()


@pytest.mark.site
def test_init_then_build_publishes_the_public_examples_and_nothing_internal(tmp_path, cli, engine):
    repo = tmp_path / "notes"

    result = cli("init", repo, "--name", "Product notes", "--author", "Maya Chen")

    assert result.exit_code == 0, result.output
    written = {line.removeprefix("created ") for line in result.stdout.splitlines() if line.startswith("created ")}
    on_disk = {p for p in repo.rglob("*") if p.is_file() and ".git" not in p.relative_to(repo).parts}
    assert written == {p.as_posix() for p in on_disk}
    assert len(written) == len(FILES)
    assert f"cd {repo.as_posix()} && notepress serve" in result.stdout
    for name in ("mkdocs.yml", "notepress.yml", ".gitignore", ".pre-commit-config.yaml",
                 ".github/workflows/publish.yml", "docs/index.md", "docs/blog/index.md", "docs/tags.md"):
        assert (repo / name).is_file(), name
    assert {p.parent.name for p in (repo / "posts").rglob("*.md")} == {"learning", "insights", "essays", "goals"}

    built = cli("-C", repo, "build", "--engine", engine)

    assert built.exit_code == 0, built.output
    site = repo / "site"
    for slug, title in (LEARNING, ESSAY):
        [page] = site.glob(f"blog/*/*/*/{slug}/index.html")
        assert title in page.read_text(encoding="utf-8")
    everything = site_text(site)
    assert LEARNING[1].casefold() in (site / "blog" / "index.html").read_text(encoding="utf-8").casefold()
    for secret in (CUSTOMER, CODE_NAME, INSIGHT_TITLE, "harborview"):
        assert secret.casefold() not in everything, secret
    assert not list(site.rglob("*setup-needs-a-call*"))
    # the generated folder is git-ignored, and so is the site
    assert git("status", "--porcelain", "--untracked-files=all", cwd=repo).count(".notepress") == 0
    assert "site/" not in git("status", "--porcelain", "--untracked-files=all", cwd=repo)


def test_the_scaffold_passes_a_strict_check_and_dates_follow_today(tmp_path):
    repo = tmp_path / "lib"
    today = dt.date(2026, 3, 10)

    created = init_repo(repo, name="Notes", author="Maya Chen", today=today)

    assert [p.relative_to(repo).as_posix() for p in created] == [
        target.format(goal_date="2026-03-03", learning_date="2026-03-04", insight_date="2026-03-07",
                      essay_date="2026-03-10")
        for _, target in FILES]
    report = api.check(repo, strict=True)
    assert report.problems == []
    entries = {e.type: e for e in api.load(repo).entries}
    assert {t: (e.audience, e.draft) for t, e in entries.items()} == {
        "learning": ("public", False), "essay": ("public", False), "insight": ("internal", False),
        "goal": ("private", False)}
    assert entries["learning"].loop.goals == ("understand-onboarding",)
    assert entries["goal"].goal.horizon == dt.date(2027, 3, 10)
    assert entries["insight"].insight.customer == CUSTOMER
    assert entries["learning"].loop.next_step_due == dt.date(2026, 3, 17)
    assert CODE_NAME in api.load(repo).config.confidential_terms


def test_name_from_the_folder_and_author_from_git_config(tmp_path, git_config, cli):
    git_config.write_text("[user]\n\tname = Ada Lovelace-Byron\n\temail = ada@example.com\n")

    result = cli("init", tmp_path / "field-notes")

    assert result.exit_code == 0, result.output
    mkdocs = yaml.safe_load((tmp_path / "field-notes" / "mkdocs.yml").read_text(encoding="utf-8"))
    assert mkdocs["site_name"] == "field-notes"
    assert mkdocs["site_author"] == "Ada Lovelace-Byron"
    config = api.load(tmp_path / "field-notes").config
    assert [(a.id, a.name) for a in config.authors] == [("ada-lovelace-byron", "Ada Lovelace-Byron")]


def test_author_placeholder_without_git_user(tmp_path, cli):
    result = cli("init", tmp_path / "n", "--name", "Ünïcode: notes #1")

    assert result.exit_code == 0, result.output
    config = api.load(tmp_path / "n").config
    assert [(a.id, a.name) for a in config.authors] == [("your-name", "Your Name")]
    mkdocs = yaml.safe_load((tmp_path / "n" / "mkdocs.yml").read_text(encoding="utf-8"))
    assert mkdocs["site_name"] == "Ünïcode: notes #1"
    assert "# Ünïcode: notes #1" in (tmp_path / "n" / "docs" / "index.md").read_text(encoding="utf-8")


def test_notepress_yml_explains_every_setting(tmp_path):
    init_repo(tmp_path / "n", name="N", author="A")
    text = (tmp_path / "n" / "notepress.yml").read_text(encoding="utf-8")
    from notepress.config import KNOWN_KEYS, SECTIONS

    for key in KNOWN_KEYS:
        assert f"\n{key}:" in text or f"\n# {key}:" in text, key
    for section, keys in SECTIONS.items():
        for key in keys:
            assert f"#   {key}:" in text, f"{section}.{key}"


def test_init_refuses_to_overwrite_and_writes_nothing(isolated_cwd, cli):
    repo = isolated_cwd / "notes"
    (repo / "docs").mkdir(parents=True)
    (repo / "notepress.yml").write_text("site_url: https://mine.example/\n")
    (repo / "docs" / "index.md").write_text("# Mine\n")
    (repo / "posts").write_text("not a folder\n")
    before = snapshot(repo)

    result = cli("init", "notes", "--author", "Maya Chen")

    assert result.exit_code == 1
    err = result.stderr.splitlines()
    assert [line.split(":", 1)[0] for line in err[:-1]] == ["notes/docs/index.md", "notes/notepress.yml", "notes/posts"]
    assert "notes/notepress.yml: already exists, not overwritten" in result.stderr
    assert "notes/posts: exists and is not a folder" in result.stderr
    assert err[-1].startswith("notepress: 3 problems")
    assert result.stdout == ""
    assert snapshot(repo) == before
    assert sorted(p.name for p in repo.iterdir()) == ["docs", "notepress.yml", "posts"]
    assert not (repo / ".git").exists()


def test_init_refuses_a_file_as_dir(isolated_cwd, cli):
    (isolated_cwd / "notes").write_text("x")

    result = cli("init", "notes")

    assert result.exit_code == 1
    assert "notes: is a file, not a folder" in result.stderr


def test_git_init_outside_a_repo_on_branch_main(tmp_path, cli):
    result = cli("init", tmp_path / "solo", "--author", "A")

    assert result.exit_code == 0, result.output
    assert (tmp_path / "solo" / ".git").is_dir()
    assert f"initialized a git repository in {(tmp_path / 'solo' / '.git').as_posix()}" in result.stdout
    assert git("symbolic-ref", "--short", "HEAD", cwd=tmp_path / "solo") == "main"


def test_no_git_init_inside_an_existing_repo(tmp_path, cli):
    outer = tmp_path / "outer"
    outer.mkdir()
    git("init", "-q", cwd=outer)

    result = cli("init", outer / "blog" / "notes", "--author", "A")

    assert result.exit_code == 0, result.output
    assert (outer / "blog" / "notes" / "mkdocs.yml").is_file()
    assert not (outer / "blog" / "notes" / ".git").exists()
    assert "initialized" not in result.stdout
    assert git_toplevel(outer / "blog" / "notes") == outer.resolve()


def test_init_in_the_current_folder(isolated_cwd, cli):
    result = cli("init", "--author", "A")

    assert result.exit_code == 0, result.output
    assert (isolated_cwd / "mkdocs.yml").is_file()
    assert "created mkdocs.yml" in result.stdout.splitlines()
    assert "  notepress serve" in result.stdout
    assert "cd " not in result.stdout
    assert yaml.safe_load((isolated_cwd / "mkdocs.yml").read_text())["site_name"] == "cwd"


def test_init_with_directory_option(tmp_path, cli):
    result = cli("-C", tmp_path, "init", "notes", "--author", "A")

    assert result.exit_code == 0, result.output
    assert (tmp_path / "notes" / "notepress.yml").is_file()


def test_init_help_has_an_example(cli):
    result = cli("init", "--help")

    assert result.exit_code == 0
    assert "Example" in result.stdout
    assert "notepress init" in result.stdout.split("Example", 1)[1]


def test_init_commits_the_scaffold_names_the_install_source_and_says_keep_it_private(tmp_path, cli, monkeypatch):
    for key, value in {"GIT_AUTHOR_NAME": "Ana Li", "GIT_AUTHOR_EMAIL": "ana@example.com",
                       "GIT_COMMITTER_NAME": "Ana Li", "GIT_COMMITTER_EMAIL": "ana@example.com"}.items():
        monkeypatch.setenv(key, value)
    spec = "notepress @ git+https://github.com/ana/notepress@v0.1"
    result = cli("init", tmp_path / "notes", "--name", "Notes", "--install-from", spec)
    assert result.exit_code == 0, result.output
    repo = tmp_path / "notes"
    status = subprocess.run(["git", "status", "--porcelain"], cwd=repo, capture_output=True, text=True, check=True)
    assert status.stdout == ""  # everything the repo needs is tracked
    tracked = subprocess.run(["git", "ls-files"], cwd=repo, capture_output=True, text=True, check=True).stdout
    assert {".github/workflows/publish.yml", "mkdocs.yml", "notepress.yml", "docs/index.md"} <= set(tracked.split())
    workflow = yaml.safe_load((repo / ".github" / "workflows" / "publish.yml").read_text(encoding="utf-8"))
    [install] = [s for s in workflow["jobs"]["build"]["steps"] if s.get("id") == "install"]
    # the requirement as given, with the extra of notepress.yml's engine (read by the step before)
    assert install["run"] == 'python -m pip install "notepress${EXTRA:+[$EXTRA]} @ git+https://github.com/ana/notepress@v0.1"'
    assert "keep this repository private" in result.output


def test_init_from_a_local_install_writes_a_workflow_that_says_what_to_set(tmp_path, cli):
    result = cli("init", tmp_path / "notes", "--name", "Notes")  # this notepress came from a local folder
    assert result.exit_code == 0, result.output
    workflow = yaml.safe_load((tmp_path / "notes" / ".github" / "workflows" / "publish.yml").read_text())
    [install] = [s for s in workflow["jobs"]["build"]["steps"] if s.get("id") == "install"]
    assert "pip install notepress" not in install["run"] and install["run"].endswith("exit 1")
    assert "--install-from SPEC" in install["run"] and "--install-from SPEC" in result.output
    bad = cli("init", tmp_path / "other", "--install-from", 'x"; rm -rf /')
    assert bad.exit_code == 1 and "--install-from: write one pip requirement" in bad.output
