"""`notepress serve` listens only on this machine unless told --expose: the preview shows drafts and
is not audited. The rule is tested on its own, and the command is tested with MkDocs' server
replaced, so nothing listens during these tests."""

from __future__ import annotations

import pytest

from conftest import lines
from e2e_helpers import copy_example
from notepress.problems import NotepressError
from notepress.site import DevAddress, dev_address

EXPOSED = ("can be reached from other machines, and the preview shows drafts and is not audited "
           "(serve on 127.0.0.1, or add --expose if you mean to share it)")


@pytest.mark.parametrize("text, expected", [
    ("127.0.0.1:8000", DevAddress("127.0.0.1", 8000, False)),
    ("127.0.0.2:9000", DevAddress("127.0.0.2", 9000, False)),
    ("localhost:8000", DevAddress("localhost", 8000, False)),
    ("[::1]:8000", DevAddress("::1", 8000, False)),
    ("::1:8000", DevAddress("::1", 8000, False)),
])
def test_this_machine_is_served_without_a_flag(text, expected):
    assert dev_address(text) == expected


@pytest.mark.parametrize("text", ["0.0.0.0:8000", "192.168.1.20:8000", "[::]:8000", "[2001:db8::1]:8000"])
def test_an_address_other_machines_can_reach_needs_expose(text):
    with pytest.raises(NotepressError) as raised:
        dev_address(text)

    assert str(raised.value) == f"--dev-addr: {text} {EXPOSED}"
    assert dev_address(text, expose=True).exposed is True


@pytest.mark.parametrize("text, message", [
    ("8000", "'8000' is not an address of the form IP:PORT"),
    ("127.0.0.1", "'127.0.0.1' is not an address of the form IP:PORT"),
    ("example.test:8000", "'example.test:8000' is not an address of the form IP:PORT"),
    ("127.0.0.1:", "'127.0.0.1:' has no port from 1 to 65535"),
    ("127.0.0.1:0", "'127.0.0.1:0' has no port from 1 to 65535"),
    ("127.0.0.1:65536", "'127.0.0.1:65536' has no port from 1 to 65535"),
    ("localhost:http", "'localhost:http' has no port from 1 to 65535"),
])
def test_a_malformed_address_is_one_problem(text, message):
    with pytest.raises(NotepressError) as raised:
        dev_address(text, expose=True)

    assert str(raised.value) == f"--dev-addr: {message} (write e.g. 127.0.0.1:8000)"


@pytest.fixture
def started(monkeypatch):
    """MkDocs' server, replaced: records how it would have been started."""
    calls = []
    monkeypatch.setattr("mkdocs.commands.serve.serve", lambda **kwargs: calls.append(kwargs))
    return calls


@pytest.fixture
def example(tmp_path):
    return copy_example(tmp_path / "example")


def test_serve_listens_on_this_machine_by_default(example, started, cli):
    result = cli("-C", example, "serve")

    assert result.exit_code == 0, result.output
    assert [c["dev_addr"] for c in started] == ["127.0.0.1:8000"]
    assert result.stderr == ""


@pytest.mark.parametrize("address", ["0.0.0.0:8000", "192.168.1.20:8000"])
def test_serve_refuses_another_machines_address_before_starting(address, example, started, cli):
    result = cli("-C", example, "serve", "--dev-addr", address)

    assert result.exit_code == 1
    assert "Traceback" not in result.output
    assert lines(result.stderr) == [f"--dev-addr: {address} {EXPOSED}", "notepress: 1 problem (fix it and run again)"]
    assert started == []


def test_serve_refuses_a_malformed_address(example, started, cli):
    result = cli("-C", example, "serve", "-a", "8000")

    assert result.exit_code == 1
    assert lines(result.stderr)[0] == ("--dev-addr: '8000' is not an address of the form IP:PORT "
                                       "(write e.g. 127.0.0.1:8000)")
    assert started == []


def test_expose_serves_there_and_warns(example, started, cli):
    result = cli("-C", example, "serve", "--dev-addr", "0.0.0.0:8000", "--expose")

    assert result.exit_code == 0, result.output
    assert [c["dev_addr"] for c in started] == ["0.0.0.0:8000"]
    assert lines(result.stderr) == ["warning: the preview at 0.0.0.0:8000 can be reached from other machines; it "
                                    "shows drafts and is not audited for content of non-public entries"]


def test_dev_addr_in_mkdocs_yml_follows_the_same_rule(example, started, cli):
    config = example / "mkdocs.yml"
    text = config.read_text(encoding="utf-8") + "dev_addr: 0.0.0.0:8000\n"
    config.write_text(text, encoding="utf-8")

    result = cli("-C", example, "serve")

    assert result.exit_code == 1
    assert lines(result.stderr)[0] == f"mkdocs.yml:{text.count(chr(10))}: dev_addr: 0.0.0.0:8000 {EXPOSED}"
    assert started == []


def test_a_configuration_error_names_what_mkdocs_said(example, started, cli):
    """serve used to say only "Aborted with a configuration error!"."""
    config = example / "mkdocs.yml"
    config.write_text(config.read_text(encoding="utf-8") + "docs_dir: nowhere\n", encoding="utf-8")

    result = cli("-C", example, "serve")

    assert result.exit_code == 1
    assert "Traceback" not in result.output
    assert "Config value 'docs_dir'" in lines(result.stderr)[0]
    assert started == []
