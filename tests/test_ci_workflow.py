"""The scaffold's GitHub Actions workflow: its shape, and its build job run here, step by step.

A small local runner (`run_job`) plays GitHub's part on a fresh clone of a repo made by `notepress
init`: it evaluates the `${{ }}` expressions the job uses (github.workspace, runner.os,
github.run_id, env.*, steps.*.outputs.*), runs every `run:` step as written with `bash --noprofile
--norc -eo pipefail` in the job's and the step's environment (GITHUB_OUTPUT read back after each
step), and does what actions/cache does (restore the newest cache whose key starts with a restore
key, save the folder under the job's key when the job succeeds) with a folder for GitHub's cache
storage. The install step (`id: install`, the one line a user adapts) is replaced by `command -v
notepress`: notepress is installed here already; what it would install is tested with a stand-in
`python` that records its arguments.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import yaml

from conftest import isolate_git_config
from e2e_helpers import TODAY
from notepress.scaffold_repo import daily_cron, init_repo, local_zone, render

BIN = Path(sys.executable).parent
WORKFLOW = ".github/workflows/publish.yml"
CUSTOMER = "Harborview Outfitters"
SPEC = "notepress @ git+https://github.com/ana/notepress@v0.1"
ZONE = "Europe/Berlin"
GIT_USER = {"GIT_AUTHOR_NAME": "Maya Chen", "GIT_AUTHOR_EMAIL": "maya@example.com",
            "GIT_COMMITTER_NAME": "Maya Chen", "GIT_COMMITTER_EMAIL": "maya@example.com"}
EXPRESSION = re.compile(r"\$\{\{\s*(.+?)\s*\}\}")


@pytest.fixture(scope="module")
def origin(tmp_path_factory) -> Path:
    """The writing repo as `notepress init` made and committed it (on a machine in ZONE): what
    GitHub checks out."""
    with pytest.MonkeyPatch.context() as mp:
        isolate_git_config(mp, tmp_path_factory.mktemp("git"))
        for key, value in {**GIT_USER, "TZ": ZONE}.items():
            mp.setenv(key, value)
        root = tmp_path_factory.mktemp("ci") / "notes"
        init_repo(root, name="Notes", author="Maya Chen", site_url="https://maya.example/notes/", install_from=SPEC)
    assert _git(root, "log", "--oneline").stdout.strip()
    return root


@pytest.fixture(scope="module")
def workflow(origin) -> dict:
    return yaml.safe_load((origin / WORKFLOW).read_text(encoding="utf-8"))


@pytest.fixture
def checkout(origin, tmp_path) -> Path:
    """A fresh clone of the repo, as actions/checkout makes with fetch-depth: 0."""
    return clone(origin, tmp_path / "work" / "notes")


def clone(origin: Path, workspace: Path) -> Path:
    shutil.rmtree(workspace, ignore_errors=True)
    subprocess.run(["git", "clone", "-q", str(origin), str(workspace)], check=True, capture_output=True)
    return workspace


def _git(root: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(["git", *args], cwd=root, capture_output=True, text=True, check=True,
                          env={**os.environ, **GIT_USER})


def triggers(workflow: dict) -> dict:
    return workflow.get("on", workflow.get(True))  # YAML 1.1 reads a bare `on` as true


def steps(workflow: dict, job: str = "build") -> list[dict]:
    return workflow["jobs"][job]["steps"]


def index(job_steps: list[dict], *, run: str | None = None, uses: str | None = None, id: str | None = None) -> int:
    [i] = [i for i, s in enumerate(job_steps)
           if (run is not None and s.get("run", "").strip() == run)
           or (uses is not None and s.get("uses", "").split("@")[0] == uses)
           or (id is not None and s.get("id") == id)]
    return i


# -- the local runner --------------------------------------------------------------------------------------

def expand(text: str, context: dict) -> str:
    """GitHub's `${{ }}` expressions of the kinds the job uses; a missing step output is "", as on GitHub."""
    def value(match: re.Match) -> str:
        name = match.group(1)
        if name in context:
            return context[name]
        assert name.startswith("steps."), f"the local runner does not know ${{{{ {name} }}}}"
        return ""

    return EXPRESSION.sub(value, text)


def run_job(workflow: dict, workspace: Path, caches: Path, run_id: int = 1, *,
            install: str | None = "command -v notepress", path: str = "") -> tuple[list, dict]:
    """Run the build job's steps in `workspace` as GitHub's runner does, up to the first that fails;
    `caches` is GitHub's cache storage (one folder per key). Returns [(step name, process)] and the
    context (the job's environment as env.*, step outputs)."""
    job = workflow["jobs"]["build"]
    context = {"github.workspace": str(workspace), "runner.os": "Linux", "github.run_id": str(run_id)}
    job_env = {k: expand(str(v), context) for k, v in job.get("env", {}).items()}
    context.update({f"env.{k}": v for k, v in job_env.items()})
    outputs = workspace.parent / "github-output"
    done, saves = [], []
    for step in job["steps"]:
        uses = step.get("uses", "").split("@")[0]
        if uses == "actions/cache":
            saves.append(restore_cache(step, context, caches))
            continue
        if "run" not in step:  # checkout (the test cloned), setup-python (this one), upload (site/ is read)
            continue
        script = install if step.get("id") == "install" and install is not None else expand(step["run"], context)
        outputs.write_text("")
        env = {**os.environ, "PATH": f"{path}{BIN}{os.pathsep}{os.environ.get('PATH', '')}", "CI": "true",
               "GITHUB_WORKSPACE": str(workspace), "GITHUB_OUTPUT": str(outputs), **job_env,
               **{k: expand(str(v), context) for k, v in step.get("env", {}).items()}}
        result = subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", script], cwd=workspace,
                                env=env, capture_output=True, text=True, timeout=300)
        done.append((step.get("name", script), result))
        for line in outputs.read_text().splitlines():
            key, _, value = line.partition("=")
            context[f"steps.{step.get('id')}.outputs.{key}"] = value
        if result.returncode != 0:
            return done, context
    for folder, key in saves:  # the cache action's post step: only when the job succeeded
        if folder.is_dir() and not (caches / key).exists():
            shutil.copytree(folder, caches / key)
    return done, context


def restore_cache(step: dict, context: dict, caches: Path) -> tuple[Path, str]:
    """actions/cache: the cache saved under the key, else the newest whose key starts with a restore key."""
    folder, key = Path(expand(step["with"]["path"], context)), expand(step["with"]["key"], context)
    prefixes = [expand(k, context) for k in step["with"].get("restore-keys", "").splitlines() if k.strip()]
    saved = sorted(caches.iterdir(), key=lambda p: p.stat().st_mtime_ns) if caches.is_dir() else []
    hit = caches / key if (caches / key).is_dir() else next(
        (p for prefix in prefixes for p in reversed(saved) if p.name.startswith(prefix)), None)
    if hit is not None:
        shutil.copytree(hit, folder, dirs_exist_ok=True)
    return folder, key


def _ok(done: list) -> None:
    for name, result in done:
        assert result.returncode == 0, f"{name}: {result.stdout}{result.stderr}"


# -- the workflow's shape ------------------------------------------------------------------------------------

def test_it_runs_on_push_to_main_every_day_and_by_hand_and_checks_pull_requests(workflow):
    on = triggers(workflow)
    assert on["push"]["branches"] == ["main"]
    assert "pull_request" in on and "workflow_dispatch" in on
    [schedule] = on["schedule"]
    assert re.fullmatch(r"\d+ \d+ \* \* \*", schedule["cron"])  # daily
    deploy = workflow["jobs"]["deploy"]
    assert "github.event_name != 'pull_request'" in deploy["if"]  # a push, the schedule or by hand
    assert "github.ref == 'refs/heads/main'" in deploy["if"]
    assert "if" not in workflow["jobs"]["build"]


def test_the_daily_run_is_early_on_the_writers_day_in_the_writers_time_zone(workflow, monkeypatch):
    """GitHub's cron is in UTC: init writes its machine's time zone as the job's TZ (notepress's
    day is the runner's local date) and the UTC hour that is just after midnight there, in winter
    and in summer time."""
    assert workflow["jobs"]["build"]["env"]["TZ"] == ZONE
    minute, hour = map(int, triggers(workflow)["schedule"][0]["cron"].split()[:2])
    for zone, cron in ((ZONE, f"{minute} {hour} * * *"), *((z, daily_cron(z)) for z in (
            "UTC", "America/New_York", "America/Los_Angeles", "Asia/Tokyo", "Australia/Sydney", "Asia/Kolkata"))):
        m, h = map(int, cron.split()[:2])
        for month in (1, 7):
            local = dt.datetime(TODAY.year, month, 10, h, m, tzinfo=dt.timezone.utc).astimezone(ZoneInfo(zone))
            assert local.time() < dt.time(2, 0), (zone, cron, local)  # after midnight, before 2 a.m.
    monkeypatch.setenv("TZ", "Asia/Tokyo")
    assert local_zone() == "Asia/Tokyo"
    files = render(name="N", author="A", today=TODAY, zone="America/New_York")
    written = yaml.safe_load(files[WORKFLOW])
    assert written["jobs"]["build"]["env"]["TZ"] == "America/New_York"
    assert triggers(written)["schedule"][0]["cron"] == "15 5 * * *"  # 00:15 EST, 01:15 EDT


def test_pages_permissions(workflow):
    assert workflow["permissions"] == {"contents": "read"}
    assert workflow["jobs"]["deploy"]["permissions"] == {"pages": "write", "id-token": "write"}
    assert workflow["jobs"]["deploy"]["environment"]["name"] == "github-pages"
    assert "permissions" not in workflow["jobs"]["build"]  # the build never gets write access


def test_build_checks_out_the_full_history_installs_restores_the_cache_checks_builds_and_uploads(workflow):
    build = steps(workflow)
    checkout = index(build, uses="actions/checkout")
    assert build[checkout]["with"]["fetch-depth"] == 0
    python = index(build, uses="actions/setup-python")
    engine, install = index(build, id="engine"), index(build, id="install")
    assert "pip install" in build[install]["run"]
    cache = index(build, uses="actions/cache")
    site = index(build, run="notepress build")
    upload = index(build, uses="actions/upload-pages-artifact")
    assert checkout < python < engine < install < cache < site < upload == len(build) - 1
    # no `notepress check` step: the build refuses what could reach the public and only warns about a
    # private entry still being written, which a check of the whole tree would stop the publishing for
    assert not any("notepress check" in s.get("run", "") for s in build)
    assert build[upload]["with"]["path"].rstrip("/") == "site"  # only site/ is uploaded
    assert [s.get("uses", "").split("@")[0] for s in build if "uses" in s] == [
        "actions/checkout", "actions/setup-python", "actions/cache", "actions/upload-pages-artifact"]


def test_deploy_needs_the_build_and_only_deploys(workflow):
    deploy = workflow["jobs"]["deploy"]
    assert deploy["needs"] in ("build", ["build"])
    assert [s.get("uses", "").split("@")[0] for s in deploy["steps"]] == ["actions/deploy-pages"]
    assert not any("run" in s for s in deploy["steps"])
    assert deploy["environment"]["url"] == "${{ steps.deployment.outputs.page_url }}"
    assert deploy["steps"][0]["id"] == "deployment"


# -- its steps, run ------------------------------------------------------------------------------------------

@pytest.mark.parametrize("written, extra", [("engine: zensical  # Rust\n", "[zensical]"),
                                            ("engine: 'zensical'\n", "[zensical]"),
                                            ("engine: mkdocs\n", ""), ("", "")])
def test_the_install_step_adds_the_extra_of_the_engine_notepress_yml_names(workflow, checkout, tmp_path, written,
                                                                         extra):
    """Read at every run, so that changing `engine:` needs no change to the workflow."""
    config = checkout / "notepress.yml"
    config.write_text(re.sub(r"(?m)^engine: .*\n", written, config.read_text(encoding="utf-8")), encoding="utf-8")
    stand_in = tmp_path / "bin"
    stand_in.mkdir()
    (stand_in / "python").write_text(f'#!/bin/bash\nprintf "%s\\n" "$@" > {tmp_path}/pip-args\n')
    (stand_in / "python").chmod(0o755)
    build = steps(workflow)
    one_job = {"jobs": {"build": {**workflow["jobs"]["build"], "steps": build[:index(build, id="install") + 1]}}}

    done, _ = run_job(one_job, checkout, tmp_path / "caches", install=None, path=f"{stand_in}{os.pathsep}")

    _ok(done)
    assert (tmp_path / "pip-args").read_text().splitlines() == [
        "-m", "pip", "install", f"notepress{extra} @ git+https://github.com/ana/notepress@v0.1"]


@pytest.mark.site
def test_a_build_after_one_new_post_reuses_the_cache_the_last_run_kept(workflow, origin, tmp_path):
    """Two runs, each on a fresh clone at the same workspace path, as on GitHub: the first cold, its
    cache folder saved by the cache step; then one new public post pushed, and the second run
    restores that folder and draws only the new post's share card."""
    workspace, caches = tmp_path / "work" / "notes", tmp_path / "caches"
    origin = Path(shutil.copytree(origin, tmp_path / "origin"))  # this test pushes to it

    cold, context = run_job(workflow, clone(origin, workspace), caches, run_id=1)

    _ok(cold)
    assert [name for name, _ in cold][-1:] == ["Build the site (fails if the leak audit finds anything non-public)"]
    assert "share cards: 2 drawn, 0 from the cache" in cold[-1][1].stderr
    cached = Path(context["env.XDG_CACHE_HOME"]) / "notepress"
    where = subprocess.run([sys.executable, "-c", "from notepress.cache import cache_dir; print(cache_dir())"],
                           env={**os.environ, "XDG_CACHE_HOME": context["env.XDG_CACHE_HOME"]}, capture_output=True,
                           text=True, check=True).stdout.strip()
    step = steps(workflow)[index(steps(workflow), uses="actions/cache")]
    assert Path(expand(step["with"]["path"], context)) == cached == Path(where)  # where notepress caches
    assert workspace in cached.parents  # in the workspace: the cache step can keep it
    assert {p.name.split("-")[0] for p in cached.glob("*.pickle")} >= {"entries", "pages", "audit", "cards"}
    assert [p.name for p in caches.iterdir()] == ["notepress-Linux-mkdocs-1"]
    assert list((workspace / "site").rglob("five-support-calls-in-one-week/index.html"))

    (origin / "posts" / "essays" / f"{TODAY}-a-second-essay.md").write_text(
        f"---\ntitle: A second essay\ndate: {TODAY}\ntype: essay\naudience: public\nslug: a-second-essay\n"
        "tags: [writing]\n---\n\nWhy a weekly note beats a monthly one, in three short paragraphs.\n", encoding="utf-8")
    _git(origin, "add", "-A")
    _git(origin, "commit", "-q", "-m", "A second essay")

    warm, _ = run_job(workflow, clone(origin, workspace), caches, run_id=2)

    _ok(warm)
    assert "share cards: 1 drawn, 2 from the cache" in warm[-1][1].stderr, warm[-1][1].stderr
    assert list((workspace / "site").rglob("a-second-essay/index.html"))
    assert sorted(p.name for p in caches.iterdir()) == ["notepress-Linux-mkdocs-1", "notepress-Linux-mkdocs-2"]


def test_a_customer_on_a_public_page_stops_the_workflow_before_deploy(workflow, checkout, tmp_path):
    [essay] = (checkout / "posts" / "essays").glob("*.md")
    with essay.open("a", encoding="utf-8") as f:
        f.write(f"\nWhat {CUSTOMER} told us last week changed my mind.\n")
    line = len(essay.read_text(encoding="utf-8").splitlines())
    rel = essay.relative_to(checkout).as_posix()

    done, _ = run_job(workflow, checkout, tmp_path / "caches")

    name, failed = done[-1]
    assert name == "Build the site (fails if the leak audit finds anything non-public)"
    assert failed.returncode == 1
    assert f'{rel}:{line}: body: confidential term "{CUSTOMER}"' in failed.stderr
    assert not (checkout / "site").exists()  # no site, nothing to upload; deploy needs build
    assert not (tmp_path / "caches").exists()  # a failed job keeps no cache
