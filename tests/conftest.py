"""Shared fixtures: fixture folders copied into tmp repos, an isolated working directory, a CLI runner.

The tests test the notepress of this checkout (tools/ first on sys.path, and on PYTHONPATH for the
processes they start: `mkdocs`, `notepress`, pre-commit), whichever checkout the venv was installed
from. Nothing they do writes into the checkout but Python's git-ignored __pycache__ folders: repos,
sites and screenshots go to tmp_path, caches to temporary folders.

The suite runs as if on TODAY (e2e_helpers.TODAY): pytest_configure sets NOTEPRESS_TODAY, notepress's
one reading of the date (notepress.clock.today), for the whole session, and processes it starts
inherit it. Tests derive the dates and paths they expect from TODAY or from what `init` wrote, never
from the real date.
"""

from __future__ import annotations

import hashlib
import shutil
import os
import sys
import tempfile
from pathlib import Path
from types import SimpleNamespace

TOOLS = Path(__file__).resolve().parents[1] / "tools"
sys.path.insert(0, str(TOOLS))
os.environ["PYTHONPATH"] = os.pathsep.join([str(TOOLS), *filter(None, [os.environ.get("PYTHONPATH")])])
# Compiled modules are kept (in the git-ignored __pycache__ folders, as Python does by default) even
# where the shell sets PYTHONDONTWRITEBYTECODE, as some containers do: with it, each xdist worker
# rewrote every test module's asserts again (2-3 s of CPU a worker) and each process a test starts
# compiled whatever of notepress had changed since the last compile.
sys.dont_write_bytecode = False
os.environ.pop("PYTHONDONTWRITEBYTECODE", None)

import pytest  # noqa: E402
from click.testing import CliRunner  # noqa: E402

from e2e_helpers import CHROMIUM, TODAY, copy_example, run_cli, tree_bytes  # noqa: E402
from notepress.cli import main  # noqa: E402

FIXTURES = Path(__file__).parent / "fixtures"


def pytest_configure(config):
    """The session runs as if on TODAY (NOTEPRESS_TODAY, inherited by the processes it starts);
    notepress's caches go to one folder of this test session, not the user's ~/.cache: made by the
    controller, inherited by its xdist workers and every process they start (caches are per repo
    but for the words' frequencies and compiled templates, which every repo shares: one worker's
    wordfreq load or template compile serves the others, as on a writer's machine);
    Hypothesis keeps its examples outside the checkout (not in ./.hypothesis)."""
    os.environ["NOTEPRESS_TODAY"] = TODAY.isoformat()
    if not os.environ.get("PYTEST_XDIST_WORKER"):
        os.environ["XDG_CACHE_HOME"] = tempfile.mkdtemp(prefix="notepress-test-cache-")
    os.environ.setdefault("HYPOTHESIS_STORAGE_DIRECTORY",
                          str(Path(tempfile.gettempdir()) / "notepress-test-hypothesis"))


# The modules whose tests use the session's example_build or browser: with pytest-xdist each
# engine's share of them runs on one worker, so that its example is built, and Chromium launched,
# once (a module missing here still works: its worker builds the example too). Every other module runs whole on one worker.
SHARED_MODULES = {"tests/test_site_e2e.py", "tests/test_audit.py", "tests/test_browser.py",
                  "tests/test_reader_browser.py", "tests/test_newsletter_browser.py", "tests/test_feeds.py",
                  "tests/test_site_files.py", "tests/test_validators.py", "tests/test_hub.py"}


# The scopes that take longest (seconds on 2 workers, measured), handed out first so that the last
# one a worker starts is a short one; the rest follow in collection order.
LONGEST_FIRST = ("shared", "tests/test_serve_problems.py", "tests/test_boundary.py", "tests/test_speed.py",
                 "tests/test_build_faults.py", "tests/test_precommit.py", "tests/test_serve.py",
                 "tests/test_serve_engines.py", "tests/test_engines.py", "tests/test_ci_workflow.py",
                 "tests/test_attachments.py", "tests/test_edits_atomic.py", "tests/test_goals_first_month.py",
                 "tests/test_send_journal.py", "tests/test_leak_property.py")


def _scope(nodeid: str) -> str:
    module = nodeid.split("::", 1)[0]
    if module not in SHARED_MODULES:
        return module
    params = nodeid.partition("[")[2]  # one shared scope per engine: each builds its example once
    return f"shared-{next((e for e in ENGINES if e in params), ENGINES[0])}"


def pytest_xdist_auto_num_workers(config):
    """-n auto: one worker more than the cores this process may use. About a tenth of each worker's
    time is spent waiting on servers, Chromium and MkDocs' live reload; a third worker on two cores
    fills that (idle 19-20 s of the cores' time -> 3.5-4.5 s), for 4-10 s more CPU (its own start
    and browser, three processes sharing two cores): 71.8-79.0 s against 77.0-81.7 s, alternated
    runs of the same code (December 2026)."""
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        cores = os.cpu_count() or 1
    return cores + 1


def pytest_xdist_make_scheduler(config, log):
    """-n's default --dist load becomes loadscope, with the SHARED_MODULES as one scope per engine,
    the LONGEST_FIRST scopes first."""
    if config.getvalue("dist") != "load":
        return None
    from xdist.scheduler import LoadScopeScheduling

    class Scheduling(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            return _scope(nodeid)

    config.option.loadscopereorder = False  # the workers' collection order below, not the scopes' sizes
    return Scheduling(config, log)


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config, items):
    """On an xdist worker (whose collection is the order scopes are handed out in), the
    LONGEST_FIRST scopes first; the order of tests within a scope is kept."""
    if not os.environ.get("PYTEST_XDIST_WORKER"):
        return

    def rank(item) -> int:
        module = item.nodeid.split("::", 1)[0]
        scope = "shared" if module in SHARED_MODULES else module
        return LONGEST_FIRST.index(scope) if scope in LONGEST_FIRST else len(LONGEST_FIRST)

    items.sort(key=rank)


@pytest.fixture(scope="session", autouse=True)
def session_cwd(tmp_path_factory):
    """Fixtures of a module or of the session run in a folder of their own too, never in the
    checkout: MkDocs' RSS plugin makes .cache/plugins/rss in the folder it is first imported in."""
    with pytest.MonkeyPatch.context() as mp:
        mp.chdir(tmp_path_factory.mktemp("session-cwd"))
        yield


@pytest.fixture(autouse=True)
def isolated_cwd(tmp_path, monkeypatch):
    """Every test runs in its own empty folder, so a command without -C never sees /work/main."""
    cwd = tmp_path / "cwd"
    cwd.mkdir()
    monkeypatch.chdir(cwd)
    return cwd


@pytest.fixture(scope="session")
def example_build(tmp_path_factory, engine):
    """The example writing repo (this checkout's posts/, docs/, settings) built once by `notepress
    build`, for every test that only reads it: site/, the generated posts, the entries. (Once per
    session, or per xdist worker.) A test that changes files works on a copy (test_site_e2e's
    `scratch`); the teardown fails if anything in it changed.

    Attributes: engine, root, site, result (the build's CliRunner result), posts_before (posts/ before the build)."""
    root = copy_example(tmp_path_factory.mktemp(f"example-{engine}") / "repo")
    posts_before = tree_bytes(root / "posts")
    result = run_cli("-C", str(root), "build", "--engine", engine)
    assert result.exit_code == 0, result.output
    before = snapshot(root)
    yield SimpleNamespace(engine=engine, root=root, site=root / "site", result=result, posts_before=posts_before)
    assert snapshot(root) == before, "a test changed the shared example build: copy it first"


@pytest.fixture(scope="session")
def init_site(tmp_path_factory, engine):
    """A writing repo as `notepress init --site-url` makes it (a site in a folder of its host), with
    tests/fixtures/feeds/ added to posts/ (a public essay with no summary, links to two posts, a
    heading of its own and an image beside it), built once per engine for every test that only reads
    it: the feeds, LinkChecker, the reader's browser. (Once per session, or per xdist worker.)

    Attributes: root, site, settings (notepress.yml as written), result (the build's CliRunner result)."""
    import yaml

    with pytest.MonkeyPatch.context() as mp:
        isolate_git_config(mp, tmp_path_factory.mktemp("gitconfig"))
        root = tmp_path_factory.mktemp(f"init-site-{engine}") / "notes"
        made = run_cli("init", str(root), "--name", "Notes", "--author", "Ana Li", "--site-url", "https://ana.github.io/notes")
        assert made.exit_code == 0, made.output
        settings = yaml.safe_load((root / "notepress.yml").read_text(encoding="utf-8"))
        shutil.copytree(FIXTURES / "feeds", root / "posts", dirs_exist_ok=True)
        result = run_cli("-C", str(root), "build", "--engine", engine)
        assert result.exit_code == 0, result.output
    before = snapshot(root)
    yield SimpleNamespace(root=root, site=root / "site", settings=settings, result=result)
    assert snapshot(root) == before, "a test changed the shared init site: copy it first"


@pytest.fixture(scope="session")
def browser():
    """One headless Chromium (Debian's, through Playwright) for all the browser tests of the session;
    each test or module opens its own pages. Offline and fast: it resolves no name but loopback, so
    what a page asks of another host (Material's Google Fonts) fails at once, with no request routed
    through the test (Playwright's page.route costs a round trip to Python per request)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), headless=True,
                              args=["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                                    "--disable-component-update", "--disable-sync", "--no-first-run",
                                    # no network here but loopback: a page's web fonts fail at once, instead
                                    # of holding its load event until the name lookup times out (5 s)
                                    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1, EXCLUDE localhost",
                                    # V8 without its optimizing compilers (Maglev, TurboFan): the tests' pages
                                    # live for a second or two, too short for optimized code to pay for its
                                    # compiling; axe-core's runs cost 10-20% less CPU
                                    "--js-flags=--no-opt --no-maglev"])
        try:
            yield b
        finally:
            b.close()


@pytest.fixture(scope="session")
def tab(browser):
    """One page of the session's browser, for every test that only visits pages and looks at them
    (test_browser, test_reader_browser, test_validators, ...): opening a page costs about 0.8 s of
    CPU (a browser context and a renderer process), a visit about 0.2 s. A user sets the viewport
    (and timeout) it needs and visits its own address; each module's site has a port, so an origin,
    of its own, and no storage is shared between them."""
    page = browser.new_page()
    try:
        yield page
    finally:
        page.close()


def isolate_git_config(monkeypatch: pytest.MonkeyPatch, folder: Path) -> Path:
    """No user or system git config while `monkeypatch` lasts: an empty one in `folder` instead."""
    config = folder / "gitconfig"
    config.write_text("")
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(config))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    return config


@pytest.fixture(scope="module")
def initialized(tmp_path_factory) -> Path:
    """A writing repo as `notepress init` makes it (with git's config isolated), made once per test
    module: a test that changes it works on a copy (`init_copy`). A module may define its own."""
    with pytest.MonkeyPatch.context() as mp:
        isolate_git_config(mp, tmp_path_factory.mktemp("git"))
        root = tmp_path_factory.mktemp("init") / "notes"
        result = run_cli("init", str(root), "--name", "Notes", "--author", "Ana Li", "--site-url", "https://ana.example/")
        assert result.exit_code == 0, result.output
    return root


@pytest.fixture
def init_copy(initialized, tmp_path) -> Path:
    """A copy of the module's `initialized` repo (without its .git) for one test to change."""
    copy = tmp_path / "notes"
    shutil.copytree(initialized, copy, ignore=shutil.ignore_patterns(".git"))
    return copy


@pytest.fixture
def server():
    """A real SMTP server on 127.0.0.1 (tests/smtp_server.py) for one test; its messages in .received.
    A module may define its own (test_send_journal's holds a message on purpose)."""
    from smtp_server import LocalSmtpServer

    with LocalSmtpServer() as s:
        yield s


@pytest.fixture
def empty_git_config(tmp_path, monkeypatch) -> Path:
    """No user or system git config: what notepress reads from git is only what a test sets there."""
    return isolate_git_config(monkeypatch, tmp_path)


@pytest.fixture
def copy_repo(tmp_path):
    """Copy tests/fixtures/repos/<name> into a fresh folder and return its path."""

    def copy(name: str, dest: str | None = None) -> Path:
        target = tmp_path / (dest or name)
        shutil.copytree(FIXTURES / "repos" / name, target)
        return target

    return copy


@pytest.fixture
def cli():
    """Run the notepress CLI in-process; stdout and stderr stay separate (click >= 8.2)."""
    runner = CliRunner()

    def run(*args: str):
        return runner.invoke(main, [str(a) for a in args], catch_exceptions=True)

    return run


def lines(text: str) -> list[str]:
    return text.splitlines()


def expected_lines(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8").splitlines()


def snapshot(root: Path, skip: Path | None = None) -> dict[str, str]:
    """Relative path -> sha256 of every file under root (except under `skip`)."""
    out = {}
    for p in sorted(root.rglob("*")):
        if not p.is_file() or (skip is not None and skip in p.parents):
            continue
        out[p.relative_to(root).as_posix()] = hashlib.sha256(p.read_bytes()).hexdigest()
    return out


ENGINES = ("mkdocs", "zensical")


@pytest.fixture(scope="session", params=ENGINES)
def engine(request) -> str:
    """The site engine a test builds with: every end-to-end, leak and browser test runs on both."""
    return request.param
