"""The site-engine boundary: everything that knows about MkDocs outside the plugin lives here.

A second engine (Zensical) would implement `build` and `serve` with the same signatures.
"""

from __future__ import annotations

import ipaddress
import logging
import time
from urllib.parse import urlsplit
from dataclasses import dataclass, field
from pathlib import Path

from .config import CONFIG_FILE, Folder, overlapping
from .config import read_config
from .problems import NotepressError, Problem, Report
from .yamlmap import check_yaml, key_lines

ENGINE_CONFIG = "mkdocs.yml"


@dataclass
class Built:
    site_dir: Path
    posts: str  # the generation summary
    seconds: float
    warnings: list[str] = field(default_factory=list)


class _Collect(logging.Handler):
    """Keeps MkDocs' warnings and errors so they can be shown as notepress messages."""

    def __init__(self, progress):
        super().__init__(logging.INFO)
        self.records: list[logging.LogRecord] = []
        self.progress = progress

    def emit(self, record):
        if record.levelno >= logging.WARNING:
            self.records.append(record)
            if record.levelno == logging.WARNING and self.progress:
                self.progress(f"mkdocs: warning: {record.getMessage()}")


def _engine_text(root: Path) -> str | None:
    """The text of mkdocs.yml, or None when there is none; NotepressError when it cannot be read or
    is not well-formed YAML (MkDocs would report a YAML error at no line)."""
    path = root / ENGINE_CONFIG
    if not (path.exists() or path.is_symlink()):
        return None
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except OSError as e:
        raise NotepressError([Problem(ENGINE_CONFIG, 0, "", f"cannot be read: {e.strerror or e}",
                                      f"make {ENGINE_CONFIG} a readable file")])
    except UnicodeDecodeError:
        raise NotepressError([Problem(ENGINE_CONFIG, 1, "", "file is not UTF-8 text", "save it as UTF-8")])
    report = Report(root)
    if not check_yaml(text, ENGINE_CONFIG, report):
        raise NotepressError(report.problems)
    return text


def _load(root: Path, handler: _Collect | None = None):
    from mkdocs.config import load_config
    from mkdocs.exceptions import Abort, ConfigurationError

    config_file = root / ENGINE_CONFIG
    text = _engine_text(root)
    if text is None:
        raise NotepressError(f"{ENGINE_CONFIG}: not found in {root} (run `notepress init` or add one)")
    try:
        config = load_config(config_file=str(config_file))
    except (Abort, ConfigurationError) as e:
        said = [r.getMessage() for r in (handler.records if handler else []) if r.levelno >= logging.ERROR]
        raise NotepressError(f"{ENGINE_CONFIG}:1: {'; '.join(said) or e} (fix that setting in {ENGINE_CONFIG})")
    plugin = config.plugins.get("notepress")
    if plugin is None:
        raise NotepressError(f"{ENGINE_CONFIG}:1: plugins: notepress is missing "
                             "(add `- notepress` to plugins, before blog, rss and search)")
    check_folders(root, config, text)
    return config, plugin


def check_folders(root: Path, config, text: str | None = None) -> None:
    """Refuse MkDocs' docs or site folder overlapping posts/ or the newsletter archive, before anything
    is written (`site_dir: posts` would replace posts/). `config` is the loaded MkDocs config."""
    text = _engine_text(root) if text is None else text
    overlaps = overlapping(_folders(root, config, key_lines(text or "")), ENGINE_PAIRS, root)
    if overlaps:
        raise NotepressError(overlaps)


ENGINE_PAIRS = (("docs", "posts"), ("site", "posts"), ("archive", "docs"), ("archive", "site"))


def _folders(root: Path, config, lines: dict[str, int]) -> list[Folder]:
    """MkDocs' docs and site folders, and the notepress folders they must stay apart from (as
    notepress.yml sets them; its own problems are reported where it is read, not here, so that
    `serve` can start and show them)."""
    settings = read_config(root, Report(root))
    return [Folder("docs", Path(config.docs_dir), ENGINE_CONFIG, "docs_dir", lines.get("docs_dir", 0)),
            Folder("site", Path(config.site_dir), ENGINE_CONFIG, "site_dir", lines.get("site_dir", 0)),
            Folder("posts", settings.posts_dir, CONFIG_FILE, "paths.posts"),
            Folder("archive", settings.archive_dir, CONFIG_FILE, "newsletter.archive")]


def build(root: Path, *, redact: bool | None = None, strict: bool = False, progress=None) -> Built:
    from mkdocs.commands.build import build as mkdocs_build
    from mkdocs.exceptions import MkDocsException

    logger = logging.getLogger("mkdocs")
    handler = _Collect(progress)
    logger.addHandler(handler)
    previous = logger.level
    logger.setLevel(logging.INFO)
    start = time.perf_counter()
    try:
        config, plugin = _load(root, handler)
        plugin.overrides = {"strict": strict} | ({} if redact is None else {"redact": redact})
        if progress:
            plugin.progress = progress
            plugin.warn = lambda message: progress(f"warning: {message}")
            progress(f"Building the site with MkDocs into {Path(config.site_dir).name}/ …")
        config.plugins.on_startup(command="build", dirty=False)
        try:
            mkdocs_build(config)
        except (MkDocsException, OSError) as e:
            if plugin.error is not None:
                raise plugin.error from None
            errors = [r.getMessage() for r in handler.records if r.levelno >= logging.ERROR]
            raise NotepressError(f"{ENGINE_CONFIG}: the site build failed: {'; '.join(errors) or e} "
                                 "(fix what MkDocs reports, then run notepress build again)") from None
        finally:
            try:
                config.plugins.on_shutdown()
            except OSError:  # Material's blog plugin removes a temporary folder it may never have made
                pass
        return Built(Path(config.site_dir), plugin.generated.summary(), time.perf_counter() - start,
                     [r.getMessage() for r in handler.records if r.levelno == logging.WARNING])
    finally:
        logger.removeHandler(handler)
        logger.setLevel(previous)


def serve(root: Path, *, dev_addr: str | None = None, expose: bool = False, open_browser: bool = False,
          redact: bool | None = None, warn=None, progress=None) -> None:
    """Live preview with drafts shown; rebuilds when posts/ or notepress.yml change.

    It listens on 127.0.0.1 unless told otherwise; an address other machines can reach needs
    `expose`, and `warn` is then told that the preview shows drafts and is not audited. `progress`
    is told the address to open before MkDocs starts. Problems in entries do not stop it: the
    plugin shows them on every page.
    """
    from mkdocs.commands.serve import serve as mkdocs_serve

    address = dev_address(dev_addr, expose=expose) if dev_addr else None  # refused before reading anything
    handler = _Collect(None)
    logging.getLogger("mkdocs").addHandler(handler)
    try:
        config, plugin = _load(root, handler)  # fail early with a notepress message
    finally:
        logging.getLogger("mkdocs").removeHandler(handler)
    if address is None:  # mkdocs.yml's dev_addr, 127.0.0.1:8000 unless set there
        line = key_lines(_engine_text(root)).get("dev_addr", 0)
        address = dev_address(f"{config.dev_addr.host}:{config.dev_addr.port}", expose=expose,
                              where=(ENGINE_CONFIG, line, "dev_addr"))
    if address.exposed and warn:
        warn(f"warning: the preview at {address} can be reached from other machines; it shows drafts and "
             "is not audited for content of non-public entries")
    # MkDocs keeps plugin instances across its loads of the config: the one serving is this one.
    plugin.overrides = {} if redact is None else {"redact": redact}
    if progress:
        mount = urlsplit(config.site_url or "/").path or "/"
        progress(f"Preview at http://{address}{mount} (drafts shown; Ctrl+C to stop)")
    mkdocs_serve(config_file=str(root / ENGINE_CONFIG), open_in_browser=open_browser, livereload=True,
                 dev_addr=str(address))


@dataclass(frozen=True)
class DevAddress:
    host: str
    port: int
    exposed: bool  # reachable from other machines

    def __str__(self) -> str:
        return f"[{self.host}]:{self.port}" if ":" in self.host else f"{self.host}:{self.port}"


def dev_address(text: str, *, expose: bool = False, where: tuple[str, int, str] = ("", 0, "--dev-addr")) -> DevAddress:
    """The preview's IP:PORT. One other machines can reach is refused unless `expose`: the preview
    shows drafts, and nothing audits it as a build is audited."""
    host, _, port = text.rpartition(":")
    host = host[1:-1] if host.startswith("[") and host.endswith("]") else host
    try:
        loopback = host == "localhost" or ipaddress.ip_address(host).is_loopback
    except ValueError:
        raise NotepressError(Problem(*where, f"{text!r} is not an address of the form IP:PORT",
                                     "write e.g. 127.0.0.1:8000"))
    if not (port.isascii() and port.isdigit() and 0 < int(port) < 65536):
        raise NotepressError(Problem(*where, f"{text!r} has no port from 1 to 65535", "write e.g. 127.0.0.1:8000"))
    if not loopback and not expose:
        raise NotepressError(Problem(*where, f"{text} can be reached from other machines, and the preview shows "
                                     "drafts and is not audited", "serve on 127.0.0.1, or add --expose if you "
                                     "mean to share it"))
    return DevAddress(host, int(port), not loopback)


def theme_dirs(root: Path) -> list[Path]:
    """The folders of the site's installed theme (see `installed_theme_dirs`)."""
    try:
        config, _ = _load(root)
    except NotepressError:
        return []
    return installed_theme_dirs(config)


def installed_theme_dirs(config) -> list[Path]:
    """The theme's folders as installed (its templates hold the text every page shows), without the
    writer's `custom_dir`: what is there is the writer's and is audited like any page."""
    custom = config.theme.custom_dir
    return [Path(d) for d in config.theme.dirs if not custom or Path(d).resolve() != Path(custom).resolve()]


def markdown_settings(root: Path) -> tuple[list, dict]:
    """The site's Python-Markdown extensions and their settings, read from mkdocs.yml, so that the
    newsletter renders Markdown exactly as the blog does (without loading the whole site config)."""
    from mkdocs.config.config_options import MarkdownExtensions
    from mkdocs.config.base import ValidationError
    from mkdocs.utils.yaml import yaml_load

    path = root / ENGINE_CONFIG
    if _engine_text(root) is None:
        return ["toc", "tables", "fenced_code"], {}
    with path.open("rb") as f:
        data = yaml_load(f) or {}
    option = MarkdownExtensions(builtins=["toc", "tables", "fenced_code"], configkey="mdx_configs")
    try:
        extensions = option.validate(data.get("markdown_extensions") or [])
    except ValidationError as e:
        raise NotepressError(f"{ENGINE_CONFIG}: markdown_extensions: {e} (fix the extension list)")
    return extensions, option.configdata
