"""CI and the tests install from requirements/lock.txt (exact versions, made from pyproject.toml by
`bash tools/lock.sh`), so a new upstream release breaks nothing until the lock is refreshed on
purpose. These checks fail loudly when the lock is stale or the venv was not installed from it."""

from __future__ import annotations

import importlib.metadata
import re
import tomllib
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

ROOT = Path(__file__).resolve().parents[1]
LOCK = ROOT / "requirements" / "lock.txt"
CI_EXTRAS = ("zensical", "pdf", "test")  # what tools/install.sh installs
PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==(\S+)$")
FIX = "run `bash tools/lock.sh` to refresh the lock"


def locked() -> dict[str, str]:
    """The lock's pins, by normalised name; any other requirement line fails the test."""
    pins, others = {}, []
    for number, line in enumerate(LOCK.read_text(encoding="utf-8").splitlines(), 1):
        text = line.split("#", 1)[0].strip()
        if not text:
            continue
        match = PIN.match(text)
        if match:
            pins[canonicalize_name(match[1])] = match[2]
        else:
            others.append(f"requirements/lock.txt:{number}: {text!r} is not pinned with == ({FIX})")
    assert not others, "\n".join(others)
    return pins


def declared() -> list[Requirement]:
    """pyproject.toml's dependencies and those of the extras CI installs."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    extras = project["optional-dependencies"]
    return [Requirement(r) for r in [*project["dependencies"], *(r for e in CI_EXTRAS for r in extras[e])]]


def test_every_dependency_of_pyproject_is_pinned_in_the_lock_within_its_range():
    pins = locked()
    stale = []
    for req in declared():
        pin = pins.get(canonicalize_name(req.name))
        if pin is None:
            stale.append(f"pyproject.toml: {req.name} is not in requirements/lock.txt ({FIX})")
        elif not req.specifier.contains(Version(pin), prereleases=True):
            stale.append(f"pyproject.toml: {req} does not allow the locked {req.name}=={pin} ({FIX})")

    assert not stale, "\n".join(stale)


def test_every_installed_package_the_lock_names_has_the_locked_version():
    pins = locked()
    wrong = []
    for dist in importlib.metadata.distributions():
        name = canonicalize_name(dist.metadata["Name"])
        if name in pins and Version(dist.version) != Version(pins[name]):
            wrong.append(f"{name} {dist.version} is installed, requirements/lock.txt pins {pins[name]} "
                         "(run `bash tools/install.sh`, which installs from the lock)")

    assert not wrong, "\n".join(wrong)


def test_install_sh_installs_the_ci_extras_with_the_lock_as_constraints():
    install = (ROOT / "tools" / "install.sh").read_text(encoding="utf-8")

    assert f"-c requirements/lock.txt -e '.[{','.join(CI_EXTRAS)}]'" in install
