"""The scaffold's GitHub Actions workflow: its shape, and its notepress steps run here, in order.

The install step (`id: install`, the one line a user adapts) is replaced by `notepress --version`:
notepress is already installed in this environment. Every other `run:` step runs as written, with
bash -e like GitHub's runner, in a repo made by `notepress init`.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from notepress.scaffold_repo import init_repo

BIN = Path(sys.executable).parent
WORKFLOW = ".github/workflows/publish.yml"
CUSTOMER = "Harborview Outfitters"


@pytest.fixture(scope="module")
def scaffold(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("ci") / "notes"
    init_repo(root, name="Notes", author="Maya Chen")
    return root


@pytest.fixture(scope="module")
def workflow(scaffold) -> dict:
    return yaml.safe_load((scaffold / WORKFLOW).read_text(encoding="utf-8"))


@pytest.fixture
def repo(scaffold, tmp_path) -> Path:
    """A fresh copy of the scaffold for a test that builds or edits it."""
    root = tmp_path / "notes"
    shutil.copytree(scaffold, root, symlinks=True)
    return root


def triggers(workflow: dict) -> dict:
    return workflow.get("on", workflow.get(True))  # YAML 1.1 reads a bare `on` as true


def steps(workflow: dict, job: str = "build") -> list[dict]:
    return workflow["jobs"][job]["steps"]


def index(job_steps: list[dict], *, run: str | None = None, uses: str | None = None) -> int:
    [i] = [i for i, s in enumerate(job_steps)
           if (run is not None and s.get("run", "").strip() == run)
           or (uses is not None and s.get("uses", "").split("@")[0] == uses)]
    return i


def local_steps(workflow: dict) -> list[tuple[str, str]]:
    """(name, script) of the build job's run: steps, the install step substituted."""
    out = []
    for s in steps(workflow):
        if "run" not in s:
            continue
        script = "notepress --version" if s.get("id") == "install" else s["run"]
        out.append((s.get("name", script), script))
    return out


def run_steps(workflow: dict, root: Path) -> list[tuple[str, subprocess.CompletedProcess]]:
    """Run the steps in order, like the runner: stop at the first that fails."""
    env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}", "CI": "true"}
    done = []
    for name, script in local_steps(workflow):
        result = subprocess.run(["bash", "-e", "-c", script], cwd=root, env=env, capture_output=True,
                                text=True, timeout=300)
        done.append((name, result))
        if result.returncode != 0:
            break
    return done


def test_it_runs_on_push_to_main_and_checks_pull_requests(workflow):
    on = triggers(workflow)
    assert on["push"]["branches"] == ["main"]
    assert "pull_request" in on
    deploy = workflow["jobs"]["deploy"]
    assert "github.event_name == 'push'" in deploy["if"]
    assert "github.ref == 'refs/heads/main'" in deploy["if"]
    assert "if" not in workflow["jobs"]["build"]


def test_pages_permissions(workflow):
    assert workflow["permissions"] == {"contents": "read"}
    assert workflow["jobs"]["deploy"]["permissions"] == {"pages": "write", "id-token": "write"}
    assert workflow["jobs"]["deploy"]["environment"]["name"] == "github-pages"
    assert "permissions" not in workflow["jobs"]["build"]  # the build never gets write access


def test_build_checks_out_the_full_history_then_checks_builds_and_uploads(workflow):
    build = steps(workflow)
    checkout = index(build, uses="actions/checkout")
    assert build[checkout]["with"]["fetch-depth"] == 0
    python = index(build, uses="actions/setup-python")
    [install] = [i for i, s in enumerate(build) if s.get("id") == "install"]
    assert "pip install" in build[install]["run"] or "::error" in build[install]["run"]
    check = index(build, run="notepress check")
    site = index(build, run="notepress build")
    upload = index(build, uses="actions/upload-pages-artifact")
    assert checkout < python < install < check < site < upload == len(build) - 1
    assert build[upload]["with"]["path"].rstrip("/") == "site"


def test_deploy_needs_the_build_and_only_deploys(workflow):
    deploy = workflow["jobs"]["deploy"]
    assert deploy["needs"] in ("build", ["build"])
    assert [s.get("uses", "").split("@")[0] for s in deploy["steps"]] == ["actions/deploy-pages"]
    assert not any("run" in s for s in deploy["steps"])
    assert deploy["environment"]["url"] == "${{ steps.deployment.outputs.page_url }}"
    assert deploy["steps"][0]["id"] == "deployment"


@pytest.mark.site
def test_the_notepress_steps_pass_on_the_scaffold(workflow, repo):
    done = run_steps(workflow, repo)

    assert [script for _, script in local_steps(workflow)] == ["notepress --version", "notepress check",
                                                               "notepress build"]
    for name, result in done:
        assert result.returncode == 0, f"{name}: {result.stdout}{result.stderr}"
    assert len(done) == 3
    upload = steps(workflow)[index(steps(workflow), uses="actions/upload-pages-artifact")]
    site = repo / upload["with"]["path"]
    assert (site / "index.html").is_file()
    assert list(site.glob("blog/*/*/*/five-support-calls-in-one-week/index.html"))


def test_a_customer_on_a_public_page_stops_the_workflow_before_deploy(workflow, repo):
    [essay] = (repo / "posts" / "essays").glob("*.md")
    with essay.open("a", encoding="utf-8") as f:
        f.write(f"\nWhat {CUSTOMER} told us last week changed my mind.\n")
    line = len(essay.read_text(encoding="utf-8").splitlines())
    rel = essay.relative_to(repo).as_posix()

    done = run_steps(workflow, repo)

    name, failed = done[-1]
    assert [s for _, s in local_steps(workflow)][len(done) - 1] == "notepress check"
    assert failed.returncode == 1
    assert f'{rel}:{line}: body: confidential term "{CUSTOMER}"' in failed.stderr
    assert not (repo / "site").exists()  # no build, nothing to upload; deploy needs build


def test_the_build_step_also_refuses_the_leak(repo):
    """Defence in depth: even if the check step were removed, the build step fails and writes no site."""
    [essay] = (repo / "posts" / "essays").glob("*.md")
    with essay.open("a", encoding="utf-8") as f:
        f.write(f"\nWhat {CUSTOMER} told us last week changed my mind.\n")
    env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}"}

    result = subprocess.run(["bash", "-e", "-c", "notepress build"], cwd=repo, env=env, capture_output=True,
                            text=True, timeout=300)

    assert result.returncode == 1
    assert f'confidential term "{CUSTOMER}"' in result.stderr
    assert not (repo / "site").exists()
