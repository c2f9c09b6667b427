"""The site engines: the only module that knows MkDocs or Zensical (`plugin.py` is MkDocs' end of the
same pipeline). Both read the writing repo's `mkdocs.yml`; each renders the generated docs/ into a
folder it is given and knows nothing of audiences (Zensical ignores MkDocs plugins and hooks, so
the boundary never depends on them: see `publish.py`).

    engine = site.engine(root, "zensical")
    theme_dirs = engine.build(stage, site_url="https://…/", progress=print)
    engine.serve(address, redact=None, open_browser=False, progress=print)
"""

from __future__ import annotations

import importlib.util
import io
import ipaddress
import json
import logging
import os
import subprocess
import sys
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from . import panel, site_files
from .config import CONFIG_FILE, ENGINES, Config, Folder, overlapping
from .output import write_if_changed
from .problems import NotepressError, Problem, Report
from .yamlmap import check_yaml, key_lines

ENGINE_CONFIG = "mkdocs.yml"
# Zensical reads its settings from a file in the project's root: notepress writes this one for the
# length of one run, inheriting mkdocs.yml and setting where to write, the site's URL, and what
# the templates read from notepress (the posts; in a preview, the problems).
ZENSICAL_CONFIG = ".notepress-zensical.yml"
ZENSICAL_PREVIEW = ".notepress-zensical-preview.yml"  # the preview's, apart from a build's


def engine(project, name: str) -> MkDocs | Zensical:
    """The engine called `name` (notepress.yml's `engine`, or --engine), for the project (a
    project.Project, or a repo's path, opened here)."""
    if name not in ENGINES:
        raise NotepressError(Problem(CONFIG_FILE, 0, "engine", f"{name!r} is not a site engine",
                                     "write mkdocs or zensical"))
    if not hasattr(project, "settings"):
        from .project import Project

        project = Project.open(project)
    return (MkDocs if name == "mkdocs" else Zensical)(project)


def _one_line(error) -> str:
    """An engine's or a loader's message on one line (they may span several)."""
    return " ".join(str(error).split())


# -- mkdocs.yml, as both engines read it -------------------------------------------------------------

@dataclass(frozen=True)
class Settings:
    """What notepress needs from mkdocs.yml, read without loading an engine."""

    data: dict
    lines: dict[str, int]  # top-level key -> its line
    docs_dir: Path
    site_dir: Path
    dev_addr: str
    path: Path  # mkdocs.yml
    raw: bytes  # its bytes, as read

    @property
    def custom_dir(self) -> Path | None:
        """The theme's `custom_dir` (the writer's templates), when set."""
        theme = self.data.get("theme")
        custom = theme.get("custom_dir") if isinstance(theme, dict) else None
        return (self.path.parent / str(custom)).resolve() if custom else None


def read_settings(root: Path) -> Settings | None:
    """mkdocs.yml's folders and address (with `!ENV` and `INHERIT` resolved as MkDocs does), or None
    when there is none; NotepressError when it cannot be read or is not well-formed YAML (MkDocs
    would report a YAML error at no line). The file is read once: `raw` is what MkDocs is given."""
    import yaml
    from mkdocs.utils.yaml import get_yaml_loader, yaml_load

    path = root / ENGINE_CONFIG
    if not (path.exists() or path.is_symlink()):
        return None
    try:
        raw = path.read_bytes()
        text = raw.decode("utf-8-sig")
    except OSError as e:
        raise NotepressError([Problem(ENGINE_CONFIG, 0, "", f"cannot be read: {e.strerror or e}",
                                      f"make {ENGINE_CONFIG} a readable file")])
    except UnicodeDecodeError:
        raise NotepressError([Problem(ENGINE_CONFIG, 1, "", "file is not UTF-8 text", "save it as UTF-8")])
    report = Report(root)
    if not check_yaml(text, ENGINE_CONFIG, report):
        raise NotepressError(report.problems)
    try:
        # MkDocs' loader (its !ENV tag, INHERIT) on libyaml's parser: the same constructor and
        # resolver; a read of the example's mkdocs.yml 4.2 -> 1.6 ms, and a command may read it more than once
        data = yaml_load(_named(raw, path), get_yaml_loader(getattr(yaml, "CLoader", yaml.Loader))) or {}
    except Exception as e:  # noqa: BLE001 - MkDocs' loader raises several kinds for bad tags and INHERIT
        raise NotepressError(Problem(ENGINE_CONFIG, 1, "", _one_line(e), "fix the file"))
    if not isinstance(data, dict):
        raise NotepressError(Problem(ENGINE_CONFIG, 1, "", "is not a mapping of settings", "write `key: value` lines"))
    return Settings(data, key_lines(text), (root / str(data.get("docs_dir") or "docs")).resolve(),
                    (root / str(data.get("site_dir") or "site")).resolve(), str(data.get("dev_addr") or "127.0.0.1:8000"),
                    path, raw)


def _named(raw: bytes, path: Path) -> io.BytesIO:
    """mkdocs.yml's bytes as MkDocs reads a file (INHERIT and !relative resolve against its name)."""
    f = io.BytesIO(raw)
    f.name = str(path)
    return f


# The theme folder's files are published too (its templates are read, its other files copied).
ENGINE_PAIRS = (("docs", "posts"), ("site", "posts"), ("archive", "docs"), ("archive", "site"), ("theme", "posts"),
                ("archive", "theme"))


def check_folders(ours: Config, found: Settings) -> None:
    """Refuse the engine's docs or site folder overlapping posts/ or the newsletter archive, before
    anything is written (`site_dir: posts` would replace posts/). notepress.yml's own problems are
    reported where it is read, not here, so that `serve` can start and show them."""
    overlaps = overlapping([Folder("docs", found.docs_dir, ENGINE_CONFIG, "docs_dir", found.lines.get("docs_dir", 0)),
                            Folder("site", found.site_dir, ENGINE_CONFIG, "site_dir", found.lines.get("site_dir", 0)),
                            *([Folder("theme", found.custom_dir, ENGINE_CONFIG, "theme.custom_dir",
                                      found.lines.get("theme", 0))] if found.custom_dir else []),
                            Folder("posts", ours.posts_dir, CONFIG_FILE, "paths.posts"),
                            Folder("archive", ours.archive_dir, CONFIG_FILE, "newsletter.archive")],
                           ENGINE_PAIRS, ours.root)
    if overlaps:
        raise NotepressError(overlaps)


# -- MkDocs + Material -------------------------------------------------------------------------------

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

    def errors(self) -> str:
        return "; ".join(r.getMessage() for r in self.records if r.levelno >= logging.ERROR)


@contextmanager
def _collecting(progress):
    """MkDocs' log, collected (and its warnings told to `progress`) while the block runs."""
    logger = logging.getLogger("mkdocs")
    handler, previous = _Collect(progress), logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    try:
        yield handler
    finally:
        logger.removeHandler(handler)
        logger.setLevel(previous)


class MkDocs:
    """MkDocs + Material's blog plugin. The notepress plugin in mkdocs.yml is told, through its
    options, that the pipeline around the build is notepress's (`pipeline: false`)."""

    name = "mkdocs"

    def __init__(self, project):
        self.project = project
        self.root: Path = project.root

    def _plugins(self, found: Settings, **options) -> dict:
        """mkdocs.yml's plugin list with `options` added to notepress's entry; it must be there, as
        a plain `mkdocs build` would otherwise publish without the gate."""
        plugins = found.data.get("plugins") or []
        items = list(plugins.items()) if isinstance(plugins, dict) else [
            (p, {}) if isinstance(p, str) else next(iter(p.items())) for p in plugins if p]
        if "notepress" not in [name for name, _ in items]:
            raise NotepressError(Problem(ENGINE_CONFIG, found.lines.get("plugins", 1), "plugins",
                                         "notepress is missing", "add `- notepress` to plugins, before blog, rss and search"))
        return _Plugins((name, self._options(name, value, options)) for name, value in items)

    def _options(self, name: str, value, options: dict):
        """notepress's entry with `options`; the rss plugin's cache in the repo, not in whatever folder
        the command was typed in (it defaults to .cache/ of the working folder)."""
        if name == "notepress":
            return {**(value or {}), **options}
        if name == "rss" and not (value or {}).get("cache_dir"):
            return {**(value or {}), "cache_dir": str(self.root / ".cache" / "plugins" / "rss")}
        return value

    def _load(self, handler: _Collect, **overrides):
        from mkdocs.config import load_config
        from mkdocs.exceptions import Abort, ConfigurationError

        found = self.project.settings
        self.project.check_folders()
        plugins = self._plugins(found, **overrides.pop("notepress", {}))
        try:  # mkdocs.yml as notepress read it: MkDocs does not read it again
            return load_config(config_file=_named(found.raw, found.path), plugins=plugins, **overrides)
        except (Abort, ConfigurationError) as e:
            raise NotepressError(Problem(ENGINE_CONFIG, 1, "", _one_line(handler.errors() or e),
                                         f"fix that setting in {ENGINE_CONFIG}"))
        except ImportError as e:  # a plugin's own import: the rss plugin needs the `git` program
            missing = "the git program is not installed" if "git" in str(e).lower() else _one_line(e)
            raise NotepressError(Problem(ENGINE_CONFIG, found.lines.get("plugins", 0), "plugins",
                                         f"a plugin cannot be loaded: {missing}",
                                         "install git (apt-get install git), or remove the plugin")) from None

    def build(self, stage: Path, *, site_url: str, posts: list[dict], progress=None) -> list[Path]:
        """Render docs/ into `stage`; returns the installed theme's folders (for the audit). The
        posts' listing comes from Material's blog plugin here, so `posts` is not needed."""
        from mkdocs.commands.build import build as mkdocs_build
        from mkdocs.exceptions import MkDocsException

        with _collecting(progress) as handler:
            config = self._load(handler, site_dir=str(stage), site_url=site_url or None,
                                docs_dir=str(self.project.config.engine_docs_dir), notepress={"pipeline": False})
            config.plugins.on_startup(command="build", dirty=False)
            try:
                mkdocs_build(config)
            except (MkDocsException, OSError) as e:
                raise NotepressError(Problem(ENGINE_CONFIG, 0, "", f"the site build failed: {_one_line(handler.errors() or e)}",
                                             "fix what MkDocs reports, then build again")) from None
            finally:
                try:
                    config.plugins.on_shutdown()
                except OSError:  # Material's blog plugin removes a temporary folder it may never have made
                    pass
            return installed_theme_dirs(config)

    def theme_dirs(self) -> list[Path]:
        try:
            with _collecting(None) as handler:
                return installed_theme_dirs(self._load(handler))
        except NotepressError:
            return []

    def serve(self, address: DevAddress, *, redact: bool | None = None, open_browser: bool = False,
              progress=None) -> None:
        """MkDocs' live server (it builds into a temporary folder, never site/); the plugin shows
        drafts, puts problems on every page, and watches posts/ and notepress.yml."""
        from mkdocs.commands.serve import serve as mkdocs_serve

        options = {"expose": address.exposed, **({} if redact is None else {"redact": redact})}
        with _collecting(None) as handler:
            self._load(handler, notepress=dict(options))  # fail early, with a notepress message
        if progress:
            progress(f"Preview at http://{address}{_mount(self.project.settings)} (drafts shown; Ctrl+C to stop)")
        mkdocs_serve(config_file=str(self.root / ENGINE_CONFIG), open_in_browser=open_browser, livereload=True,
                     build_type="dirty", dev_addr=str(address), plugins=self._plugins(self.project.settings, **options))


class _Plugins(dict):
    """Plugins by name, in order, each read as a fresh copy: MkDocs consumes the settings it is given
    (`enabled`), and `mkdocs serve` loads the same ones again for every rebuild."""

    def items(self):
        return [(name, dict(value) if isinstance(value, dict) else value) for name, value in super().items()]


def installed_theme_dirs(config) -> list[Path]:
    """The theme's folders as installed (its templates hold the text every page shows), without the
    writer's `custom_dir`: what is there is the writer's and is audited like any page."""
    custom = config.theme.custom_dir
    return [Path(d) for d in config.theme.dirs if not custom or Path(d).resolve() != Path(custom).resolve()]


def _mount(found: Settings) -> str:
    """Where MkDocs' server mounts the preview: the path of mkdocs.yml's own site_url (notepress.yml's
    is set later, by the plugin, for the pages' links)."""
    return urlsplit(str(found.data.get("site_url") or "/")).path or "/"


# -- Zensical ----------------------------------------------------------------------------------------

class Zensical:
    """Zensical (Material's successor) in a process of its own, reading mkdocs.yml through a
    settings file that inherits it. Builds are clean (its page cache in .cache/ is emptied), so
    text deleted from the sources cannot survive in a published page."""

    name = "zensical"

    def __init__(self, project):
        self.project = project
        self.root: Path = project.root

    def _settings_file(self, site_dir: Path, site_url: str, posts: list[dict], problems=(), preview: bool = False) -> Path:
        """mkdocs.yml, inherited, with the folder to write, the site's URL, and for the templates
        (`config.extra.notepress`; Zensical's have no blog plugin to ask) the generated posts and,
        in a preview, the problems to show on every page. Rewritten only when it changes, since
        Zensical's server rebuilds every page when it does. A preview has a file of its own, so that a
        build while it runs touches nothing of it."""
        self.project.check_folders()
        path, docs = self.root / (ZENSICAL_PREVIEW if preview else ZENSICAL_CONFIG), self.project.config.engine_docs(preview)
        # Zensical's base.html links no feed: main.html links every one (feed autodiscovery).
        feeds = [f.link() for f in site_files.feed_files(site_files.rss_options(self.project.settings.data))]
        # The problems twice: as the panel main.html shows (panel.py) and as lines, for a main.html
        # written by an earlier notepress.
        shown = {"problems": [str(p) for p in problems], "panel": panel.render(self.root, list(problems))}
        extra = {"notepress": {"posts": posts, **shown, "feeds": feeds}}
        lines = ["# Written by notepress for one Zensical run (removed after it): mkdocs.yml, built elsewhere.",
                 f"INHERIT: {ENGINE_CONFIG}", f"site_dir: {json.dumps(os.path.relpath(site_dir, self.root))}",
                 f"extra: {json.dumps(extra, ensure_ascii=False)}"]
        if site_url:
            lines.append(f"site_url: {json.dumps(site_url)}")
        if docs.is_dir():  # none yet: a preview of a broken notepress.yml
            lines.append(f"docs_dir: {json.dumps(os.path.relpath(docs, self.root))}")
        write_if_changed(path, ("\n".join(lines) + "\n").encode("utf-8"))
        return path

    def _command(self, *args: str) -> list[str]:
        return [sys.executable, "-m", "zensical", *args]

    def build(self, stage: Path, *, site_url: str, posts: list[dict], progress=None) -> list[Path]:
        _require_zensical()
        config = self._settings_file(stage, site_url, posts)
        try:
            done = subprocess.run(self._command("build", "--clean", "-f", config.name), cwd=self.root,
                                  capture_output=True, text=True, preexec_fn=die_with_parent)
        finally:
            config.unlink(missing_ok=True)
        said = (done.stdout + done.stderr).strip()
        if done.returncode != 0 or not (stage / "index.html").exists():
            last = " ".join(said.splitlines()[-3:]) or f"exit code {done.returncode}"
            raise NotepressError(Problem(ENGINE_CONFIG, 0, "", f"the Zensical build failed: {last}",
                                         "fix what Zensical reports, then build again"))
        if progress:
            for line in said.splitlines():
                if "warning" in line.lower():
                    progress(f"zensical: {line.strip()}")
        return self.theme_dirs()

    def theme_dirs(self) -> list[Path]:
        try:
            import zensical
        except ImportError:
            return []
        return [Path(zensical.__file__).parent / "templates"]

    def preview_dir(self) -> Path:
        """Where the preview is written: beside site/, never site/ (it holds drafts)."""
        site_dir = self.project.settings.site_dir
        return site_dir.parent / f".{site_dir.name}.preview"

    def serve(self, address: DevAddress, *, redact: bool | None = None, open_browser: bool = False,
              progress=None) -> None:
        """Zensical's server on the preview folder, and notepress regenerating docs/blog/posts/ when
        posts/ or notepress.yml change (Zensical then rebuilds what changed)."""
        from .preview import Regenerator

        _require_zensical()
        preview_dir = self.preview_dir()

        def settings_file(shown) -> None:  # after each regeneration: the lists and problems change too
            posts = shown.generated.listing if shown.generated is not None else []
            self._settings_file(preview_dir, "", posts, shown.problems, preview=True)

        if progress:  # served from the root: the preview's settings have no site_url
            progress(f"Preview at http://{address}/ (drafts shown; Ctrl+C to stop)")
        regenerate = Regenerator(self.root, redact=redact, engine=self.name, progress=progress, then=settings_file)
        regenerate()
        config = self.root / ZENSICAL_PREVIEW
        args = ["serve", "-f", config.name, "-a", str(address)] + (["--open"] if open_browser else [])
        server = subprocess.Popen(self._command(*args), cwd=self.root, preexec_fn=die_with_parent)
        try:
            with regenerate.watching():
                server.wait()
        finally:
            if server.poll() is None:
                server.terminate()
                server.wait()
            config.unlink(missing_ok=True)


def die_with_parent() -> None:
    """In the engine's process, before it runs: end it when notepress ends, however notepress ends
    (a SIGKILL gives notepress no chance to stop it), so that no engine goes on writing into a
    staging folder after its build is gone (Linux's PR_SET_PDEATHSIG; elsewhere, notepress stops it
    on every exit it sees)."""
    try:
        import ctypes

        ctypes.CDLL(None).prctl(1, 9)  # PR_SET_PDEATHSIG, SIGKILL
    except (OSError, AttributeError):
        pass


def _require_zensical() -> None:
    if importlib.util.find_spec("zensical") is None:
        raise NotepressError(Problem(CONFIG_FILE, 0, "engine", "zensical is not installed",
                                     "install notepress with its extra: pip install 'notepress[zensical]', "
                                     "or set engine: mkdocs"))


# -- both ------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class DevAddress:
    host: str
    port: int
    exposed: bool  # reachable from other machines

    def __str__(self) -> str:
        return f"[{self.host}]:{self.port}" if ":" in self.host else f"{self.host}:{self.port}"


def dev_address(text: str, *, expose: bool = False, where: tuple[str, int, str] = ("", 0, "--dev-addr"),
                reason: str = "the preview shows drafts and is not audited") -> DevAddress:
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
        raise NotepressError(Problem(*where, f"{text} can be reached from other machines, and {reason}",
                                     "serve on 127.0.0.1, or add --expose if you mean to share it"))
    return DevAddress(host, int(port), not loopback)


def preview_address(found: Settings, *, expose: bool) -> DevAddress:
    """mkdocs.yml's dev_addr, else 127.0.0.1:8000 (refused, before anything is written, when others
    could reach it and `expose` was not given)."""
    return dev_address(found.dev_addr, expose=expose, where=(ENGINE_CONFIG, found.lines.get("dev_addr", 0), "dev_addr"))


def markdown_settings(root: Path) -> tuple[list, dict]:
    """The Markdown settings of the repo at `root` (see markdown_of), for a caller without a Project."""
    return markdown_of(read_settings(root))


def markdown_of(found: Settings | None) -> tuple[list, dict]:
    """The site's Python-Markdown extensions and their settings, from mkdocs.yml (Python-Markdown's
    defaults without one), so that the newsletter and the checks render Markdown exactly as the
    blog does (without loading an engine)."""
    from mkdocs.config.config_options import MarkdownExtensions
    from mkdocs.config.base import ValidationError

    if found is None:
        return ["toc", "tables", "fenced_code"], {}
    option = MarkdownExtensions(builtins=["toc", "tables", "fenced_code"], configkey="mdx_configs")
    try:
        extensions = option.validate(found.data.get("markdown_extensions") or [])
    except ValidationError as e:
        raise NotepressError(Problem(ENGINE_CONFIG, found.lines.get("markdown_extensions", 0), "markdown_extensions",
                                     _one_line(e), "fix the extension list"))
    return extensions, option.configdata
