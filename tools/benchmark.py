"""Benchmarks for the core issue (a script, not a timed test). Medians of several runs.

    .venv/bin/python tools/benchmark.py            # both benchmarks
    .venv/bin/python tools/benchmark.py --only a --entries 10000 [--profile]
    .venv/bin/python tools/benchmark.py --only b --posts 1000 --profile

(a) parse + validate + screen + generate for N synthetic entries: a first run (no entry cache, no
    generated output), then unchanged; CPU (with worker processes) and wall time.
(b) `notepress build` of N public posts, on each engine, against a plain Material blog build of
    the same posts written as Material's docs show them (H1 title in the body, no notepress
    plugin), same run; CPU of the whole process tree. Three kinds of build: cold (no cache, no
    site/), after editing one entry (caches as a writer has them), nothing changed.
(c) `newsletter draft` over N entries, with and without the entry cache.
(d) `newsletter send` of one issue to N recipients through a local aiosmtpd server.
(e) `notepress serve` on each engine: from saving an entry to the preview showing it (example repo,
    then N entries).
(f) the leak audit: its false positives (findings on a clean build) and its CPU time against the
    whole build's, on the example repo and on N synthetic entries of every audience.
(g) a cold full build of the example repo on each engine (CPU of the process tree).
(h) attachments: `check` and `build` with 9 files a writer links (photos, screenshots, a PDF)
    against without them, as CPU per MB; and whether what is published carries any metadata.
(i) the publish workflow in CI: `check` + `build` of N public posts on a fresh clone, cold against
    warm (the cache folder of the run before restored as actions/cache does, one new post pushed).
(j) the team's insight hub (`build --for team`) at N insights from 50 writers: cold, one new insight,
    nothing changed; one search query in Chromium: bytes transferred, time to the first result
    (tools/benchmark_hub.py).

Every command runs as a subprocess with this script's notepress on its PYTHONPATH.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
WORDS = ("invoice payment ledger reconcile approval workflow export margin churn renewal onboarding pricing "
         "discount forecast roadmap customer finance team review decision metric adoption retention risk "
         "support ticket call interview debug release quarter plan goal outcome action learning step "
         "evidence theme segment market product strategy leadership execution mentor feedback").split()
THEMES = ("reconciliation", "onboarding", "approvals", "pricing", "integrations", "payouts", "reporting")
COMPETENCIES = ("business-acumen", "strategic-thinking", "execution", "leadership", "product-sense")


def sentence(rng: random.Random, n: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(n)).capitalize() + "."


def paragraph(rng: random.Random, sentences: int = 5) -> str:
    return " ".join(sentence(rng, rng.randint(8, 16)) for _ in range(sentences))


def make_repo(root: Path, n: int, *, public_share: float = 0.5, seed: int = 7) -> int:
    """A writing repo with n entries; returns the number of public ones."""
    rng = random.Random(seed)
    (root / "posts").mkdir(parents=True)
    for name in ("mkdocs.yml", "notepress.yml"):
        shutil.copy(REPO / name, root / name)
    shutil.copytree(REPO / "docs", root / "docs", ignore=shutil.ignore_patterns("posts"))
    shutil.copytree(REPO / "overrides", root / "overrides")  # the theme's custom_dir
    public = 0
    for i in range(n):
        kind = ("learning", "insight", "essay")[i % 3] if i % 5 else "essay"
        audience = "internal" if kind == "insight" else ("public" if rng.random() < public_share else "private")
        public += audience == "public"
        day = f"2026-{1 + i % 12:02d}-{1 + i % 28:02d}"
        lines = ["---", f"title: {sentence(rng, 5)[:-1]} {i}", f"date: {day}", f"type: {kind}",
                 f"audience: {audience}", f"tags: [{rng.choice(THEMES)}, {rng.choice(THEMES)}]"]
        if kind == "learning":
            lines += [f"competencies: [{rng.choice(COMPETENCIES)}]", f"action: {sentence(rng, 10)}",
                      f"outcome: {sentence(rng, 10)}", f"learning: {sentence(rng, 12)}",
                      f"next_step: {sentence(rng, 8)}", f"next_step_due: {day}"]
        elif kind == "insight":
            lines += [f"customer: Customer {i % 300:03d} Holdings", "source: call",
                      f"themes: [{rng.choice(THEMES)}]", f"quote: {sentence(rng, 12)}", "importance: 2",
                      f"evidence: https://support.example/tickets/{i}"]
        body = "\n\n".join(paragraph(rng) for _ in range(4))
        (root / "posts" / f"entry-{i:05d}.md").write_text("\n".join(lines) + "\n---\n\n" + body + "\n")
    return public


def material_repo(src: Path, dest: Path) -> None:
    """The same public posts written as Material's docs show them: H1 title in the body."""
    posts, generated = dest / "docs" / "blog" / "posts", src / ".notepress" / "docs" / "blog" / "posts"
    shutil.copytree(src / "docs", dest / "docs", ignore=shutil.ignore_patterns("posts"))
    shutil.copytree(src / "overrides", dest / "overrides")
    posts.mkdir(parents=True)
    shutil.copy(generated / ".authors.yml", dest / "docs" / "blog" / ".authors.yml")
    for path in sorted(generated.glob("*.md")):
        text = path.read_text()
        _, front, body = text.split("---\n", 2)
        meta = [line for line in front.splitlines() if not line.startswith(("#", "title:", "slug:"))]
        title = next(line for line in front.splitlines() if line.startswith("title:"))[7:]
        (posts / path.name).write_text("---\n" + "\n".join(meta) + "\n---\n\n# " + title + "\n" + body)
    config = (REPO / "mkdocs.yml").read_text()
    config = config.replace("  - notepress", "  # - notepress").replace('      authors_file: "{blog}/posts/.authors.yml"\n', "")
    config = config.replace("# site_url comes from notepress.yml", "site_url: https://example.org/")
    (dest / "mkdocs.yml").write_text(config)


def code_env(cache: Path | None = None) -> dict:
    """The environment of the measured commands: this script's notepress first on the path (a
    worktree's, not the installed one), and the cache folder given."""
    import os

    import notepress

    env = dict(os.environ, PYTHONPATH=os.pathsep.join(
        [str(Path(notepress.__file__).resolve().parent.parent), os.environ.get("PYTHONPATH", "")]).rstrip(os.pathsep))
    if cache is not None:
        env["XDG_CACHE_HOME"] = str(cache)
    return env


def notepress_cmd(*args: str) -> list[str]:
    return [sys.executable, "-c", "import sys; from notepress.cli import main; sys.argv[0] = 'notepress'; main()",
            *args]


def mkdocs_cmd(*args: str) -> list[str]:
    return [sys.executable, "-m", "mkdocs", *args]


def copy_example(dest: Path) -> None:
    """The example repo (this repository's posts/, docs/, settings and theme overrides)."""
    dest.mkdir(parents=True)
    for name in ("mkdocs.yml", "notepress.yml"):
        shutil.copy(REPO / name, dest / name)
    shutil.copytree(REPO / "posts", dest / "posts")
    shutil.copytree(REPO / "docs", dest / "docs", ignore=shutil.ignore_patterns("posts"))
    shutil.copytree(REPO / "overrides", dest / "overrides")  # the theme's custom_dir


def med(values: list[float]) -> str:
    return f"{statistics.median(values):.2f} s (runs {', '.join(f'{t:.2f}' for t in values)})"


def cpu_now() -> tuple[float, float]:
    """CPU seconds (user, system) of this process and of its children that were waited for."""
    t = os.times()
    return t.user + t.children_user, t.system + t.children_system


def bench_generate(n: int, runs: int, profile: bool) -> None:
    """(a) First run: no entry cache, no generated posts; then the same again, unchanged."""
    from notepress import api

    fresh, again = [], []
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["XDG_CACHE_HOME"] = str(Path(tmp) / "cache")  # the entry cache, dropped before each run
        for run in range(runs + profile):
            shutil.rmtree(Path(tmp) / "cache", ignore_errors=True)
            repo = Path(tmp) / f"repo-{run}"
            public = make_repo(repo, n, seed=run)
            if run == runs:  # one more, under the profiler
                prof = cProfile.Profile()
                prof.runcall(api.generate_blog, repo)
                print(f"\n--- cProfile: (a) first run, {n} entries (this process only) ---")
                for key in ("tottime", "cumulative"):
                    pstats.Stats(prof).sort_stats(key).print_stats(25)
                break
            times = []
            for runs_of in (fresh, again):
                wall, (user, system) = time.perf_counter(), cpu_now()
                _, gen = api.generate_blog(repo)
                user2, system2 = cpu_now()
                runs_of.append((time.perf_counter() - wall, user2 - user + system2 - system, system2 - system))
                times.append(gen)
            assert times[1].written == [] and times[0].total + len(times[0].scheduled) == public
            shutil.rmtree(repo)

    def show(label: str, results: list[tuple[float, float, float]]) -> str:
        wall, cpu, system = ([r[i] for r in results] for i in range(3))
        return (f"{label} median CPU {statistics.median(cpu):.2f} s (system {statistics.median(system):.2f}), "
                f"wall {statistics.median(wall):.2f} s (runs CPU {', '.join(f'{t:.2f}' for t in cpu)}; "
                f"wall {', '.join(f'{t:.2f}' for t in wall)})")

    print(f"(a) {n} entries ({public} public): parse+validate+gate+generate\n    {show('first run', fresh)}\n"
          f"    {show('unchanged re-run', again)}\n    (system time is mostly creating the posts' files, "
          "which varies a lot with the machine's disk)")


ENGINES = ("mkdocs", "zensical")


def edit_entry(path: Path, run: int) -> None:
    """Change one entry's body the way a writer does (a sentence added at the end)."""
    path.write_text(path.read_text() + f"\nEdited again, run {run} at {time.time_ns()}.\n")


def bench_build(n: int, runs: int, profile: bool, engines: tuple[str, ...] = ENGINES) -> None:
    """(b) CPU of `notepress build` (cold; after editing one entry; nothing changed) on each engine
    against a plain Material build of the same posts, interleaved in the same run."""
    from notepress import api

    with tempfile.TemporaryDirectory() as tmp:
        ours, plain, cache = Path(tmp) / "notepress", Path(tmp) / "material", Path(tmp) / "cache"
        env = code_env(cache)
        make_repo(ours, n, public_share=1.0)
        api.generate_blog(ours)
        material_repo(ours, plain)
        material: list[float] = []
        cold = {e: [] for e in engines}
        edited = {e: [] for e in engines}
        same = {e: [] for e in engines}
        same_wall = {e: [] for e in engines}
        for run in range(runs):  # interleaved, so that every kind sees the same machine load
            shutil.rmtree(plain / "site", ignore_errors=True)
            material.append(cpu_of(mkdocs_cmd("build", "-q"), plain, env))
            for engine in engines:
                shutil.rmtree(cache, ignore_errors=True)
                for name in ("site", ".cache"):
                    shutil.rmtree(ours / name, ignore_errors=True)
                cold[engine].append(cpu_of(notepress_cmd("build", "--engine", engine), ours, env))
                edit_entry(ours / "posts" / "entry-00000.md", run)
                edited[engine].append(cpu_of(notepress_cmd("build", "--engine", engine), ours, env))
                same[engine].append(cpu_of(notepress_cmd("build", "--engine", engine), ours, env, same_wall[engine]))
        m = statistics.median(material)
        print(f"(b) {n} posts, CPU of the process tree, medians of {runs}: plain Material build {med(material)}")
        for engine in engines:
            c, e, u = (statistics.median(x[engine]) for x in (cold, edited, same))
            print(f"(b) {engine}: notepress build cold {med(cold[engine])}, ratio {c / m:.2f}; "
                  f"after editing one entry {med(edited[engine])}, ratio {e / m:.2f}; "
                  f"nothing changed {med(same[engine])} CPU, wall {med(same_wall[engine])}")
        if profile:
            for engine in engines:
                edit_entry(ours / "posts" / "entry-00000.md", runs)
                _profile(f"notepress build --engine {engine} after editing one entry (in-process; Zensical's "
                         "own process is not in it)", lambda: api.build(ours, engine=engine))
            _profile("plain Material build", lambda: _mkdocs_build(plain))


def _profile(name: str, call) -> None:
    prof = cProfile.Profile()
    prof.runcall(call)
    print(f"\n--- cProfile: {name}, top 25 by cumulative time ---")
    pstats.Stats(prof).sort_stats("cumulative").print_stats(25)
    print("--- top 15 by own time ---")
    pstats.Stats(prof).sort_stats("tottime").print_stats(15)


def bench_example(runs: int, engines: tuple[str, ...] = ENGINES) -> None:
    """(g) a cold full build of the example repo on each engine."""
    with tempfile.TemporaryDirectory() as tmp:
        example, cache = Path(tmp) / "example", Path(tmp) / "cache"
        copy_example(example)
        env = code_env(cache)
        cpu = {e: [] for e in engines}
        wall = {e: [] for e in engines}
        for _ in range(runs):
            for engine in engines:
                shutil.rmtree(cache, ignore_errors=True)
                for name in ("site", ".cache"):
                    shutil.rmtree(example / name, ignore_errors=True)
                cpu[engine].append(cpu_of(notepress_cmd("build", "--engine", engine), example, env, wall[engine]))
        for engine in engines:
            print(f"(g) example repo, cold full build on {engine}: CPU {med(cpu[engine])}; wall {med(wall[engine])}")


def bench_newsletter(n: int, runs: int) -> None:
    """(c) drafting an issue over n entries: cold (no entry cache) and warm."""
    import datetime as dt
    import os

    from notepress import api

    cold, warm = [], []
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["XDG_CACHE_HOME"] = str(Path(tmp) / "cache")
        repo = Path(tmp) / "repo"
        make_repo(repo, n)
        for _ in range(runs):
            shutil.rmtree(Path(tmp) / "cache", ignore_errors=True)
            start = time.perf_counter()
            api.newsletter_draft(repo, since=dt.date(2026, 3, 1), until=dt.date(2026, 3, 14))
            cold.append(time.perf_counter() - start)
            start = time.perf_counter()
            record = api.newsletter_draft(repo, since=dt.date(2026, 3, 1), until=dt.date(2026, 3, 14))
            warm.append(time.perf_counter() - start)
    print(f"(c) newsletter draft over {n} entries ({len(record.entries)} in the period): "
          f"median {statistics.median(warm):.2f} s with the entry cache (runs {', '.join(f'{t:.2f}' for t in warm)}), "
          f"{statistics.median(cold):.2f} s cold")


def bench_send(n: int, runs: int) -> None:
    """(d) sending one issue to n recipients through a local SMTP server (aiosmtpd): messages per
    second over the whole list, over its first and its last fifth (at most 1,000 recipients each: a
    send must not slow down along the list), and the bytes notepress wrote to files meanwhile
    (/proc/self/io wchar: the send record; the server runs in this process but writes no file), and
    the CPU time per message of the process (notepress and the server)."""
    import datetime as dt
    import os

    sys.path.insert(0, str(REPO / "tests"))
    from smtp_server import LocalSmtpServer  # the tests' real aiosmtpd server

    from notepress import api
    from notepress.audience import Reader, gate
    from notepress.config import load_config
    from notepress.newsletter.send import send_issue

    rates, firsts, lasts, written, cpu = [], [], [], [], []
    window = max(1, min(1000, n // 5))
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["XDG_CACHE_HOME"] = str(Path(tmp) / "cache")
        repo = Path(tmp) / "repo"
        make_repo(repo, 1000)
        server = LocalSmtpServer().start()
        try:
            port = server.port
            (repo / "notepress.yml").write_text(
                "site_url: https://example.org/\nnewsletter:\n  sender: Bench <bench@example.com>\n"
                f"smtp:\n  host: 127.0.0.1\n  port: {port}\n  security: none\n")
            config = load_config(repo)
            project = api.load(repo)
            team = gate(project.entries, project.config, Reader.TEAM)
            recipients = [f"reader{i:04d}@example.com" for i in range(n)]
            for _ in range(runs):
                record = api.newsletter_draft(repo, since=dt.date(2026, 3, 1), until=dt.date(2026, 3, 28))
                for name in ("send-log.json", "send-journal.jsonl"):
                    (record.folder / name).unlink(missing_ok=True)
                server.received.clear()  # the server keeps every message: 5,000 x 24 KiB a run
                stamps: list[float] = []
                before, cpu_before = _written(), time.process_time()
                start = time.perf_counter()
                report = send_issue(config, record.number, team=team, recipients=recipients, force=True,
                                    progress=lambda m: stamps.append(time.perf_counter()) if " sent to " in m else None)
                rates.append(len(report.sent) / (time.perf_counter() - start))
                written.append(_written() - before)
                cpu.append((time.process_time() - cpu_before) / n * 1000)
                firsts.append(window / (stamps[window - 1] - start))
                lasts.append(window / (stamps[-1] - stamps[-window - 1]) if len(stamps) > window else firsts[-1])
                size = (record.folder / "message.eml").stat().st_size
        finally:
            server.stop()
    print(f"(d) newsletter send to {n} recipients on a local SMTP server: median {statistics.median(rates):.0f} "
          f"messages/s (runs {', '.join(f'{r:.0f}' for r in rates)}; a four-week issue, message.eml {size // 1024} KiB); "
          f"first {window}: {statistics.median(firsts):.0f}/s, last {window}: {statistics.median(lasts):.0f}/s; "
          f"CPU {statistics.median(cpu):.2f} ms per message (client and server); "
          f"written to files: {statistics.median(written) / 1e6:.2f} MB ({statistics.median(written) / n:.0f} bytes "
          "per recipient)")


def _written() -> int:
    """Bytes this process has passed to write() so far (Linux); 0 elsewhere."""
    try:
        for line in Path("/proc/self/io").read_text().splitlines():
            if line.startswith("wchar:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def bench_preview(n: int, runs: int, engines: tuple[str, ...] = ENGINES) -> None:
    """(e) from saving an entry to `notepress serve` showing it, on each engine: the example repo, then n entries."""
    import os
    import signal
    import socket
    import urllib.request

    def fetch(url: str) -> str:
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                return response.read().decode("utf-8", "replace")
        except OSError:
            return ""

    def measure(repo: Path, page: str, source: Path, label: str, engine: str, edit: str) -> None:
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        log = open(repo.parent / f"serve-{repo.name}-{engine}.log", "w")
        proc = subprocess.Popen(notepress_cmd("serve", "--engine", engine, "-a", f"127.0.0.1:{port}"), cwd=repo,
                                stdout=log, stderr=subprocess.STDOUT, env=code_env(), start_new_session=True)
        url = f"http://127.0.0.1:{port}/{page}"
        try:
            deadline = time.monotonic() + 600
            while "<html" not in fetch(url) and time.monotonic() < deadline:
                time.sleep(0.2)
            times = []
            for run in range(runs):
                text = source.read_text()
                if edit == "title":  # every listing shows it too (on Zensical: its settings change)
                    marker = f"Edited title {run} {time.time_ns()}"
                    source.write_text(re.sub(r"^title: .*$", f"title: {marker}", text, count=1, flags=re.M))
                else:  # a sentence added to the body: the common save while writing
                    marker = f"Edited body {run} {time.time_ns()}"
                    source.write_text(text + f"\n{marker}.\n")
                start = time.perf_counter()
                while marker not in fetch(url):
                    if time.perf_counter() - start > 120:
                        log.flush()
                        tail = Path(log.name).read_text()[-1500:]
                        raise SystemExit(f"(e) the preview never showed the edit:\n{tail}")
                    time.sleep(0.05)
                times.append(time.perf_counter() - start)
                time.sleep(1.5)  # let the watcher settle before the next edit
        finally:
            os.killpg(proc.pid, signal.SIGINT)  # Zensical's server is a process of its own
            try:
                proc.wait(20)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
        print(f"(e) preview on {engine} after saving an entry ({edit} edited), {label}: median {statistics.median(times):.2f} s "
              f"(runs {', '.join(f'{t:.2f}' for t in times)})")

    with tempfile.TemporaryDirectory() as tmp:
        os.environ["XDG_CACHE_HOME"] = str(Path(tmp) / "cache")
        for engine in engines:
            example = Path(tmp) / engine / "example"
            copy_example(example)
            for edit in ("body", "title"):
                measure(example, "blog/2026/11/03/reconciliation-is-a-trust-problem/",
                        example / "posts/essays/2026-11-03-reconciliation-is-a-trust-problem.md",
                        "example repo", engine, edit)
            big = Path(tmp) / engine / "big"
            make_repo(big, n, public_share=1.0)  # entry 0 is a public essay dated 2026-01-01
            for edit in ("body", "title"):
                measure(big, "blog/2026/01/01/entry-00000/", big / "posts" / "entry-00000.md", f"{n} entries",
                        engine, edit)


def cpu_of(cmd: list[str], cwd: Path, env: dict | None = None, wall: list | None = None,
           said: list | None = None) -> float:
    """CPU seconds (user + system) of a command and every process it waited for (Zensical runs in
    one of its own): steadier than wall time on a shared machine. Appends the wall time to `wall`,
    and what it printed to `said`."""
    import resource

    before, start = resource.getrusage(resource.RUSAGE_CHILDREN), time.perf_counter()
    done = subprocess.run(cmd, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(cmd[-3:])} failed in {cwd}:\n{done.stdout[-2000:]}")
    if wall is not None:
        wall.append(time.perf_counter() - start)
    if said is not None:
        said.append(done.stdout)
    return after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime


def bench_audit(n: int, runs: int) -> None:
    """(f) findings of the audit on clean builds (false positives) and its share of the build's CPU."""
    import os

    from notepress import api, site
    from notepress.audit import audit_site

    with tempfile.TemporaryDirectory() as tmp:
        os.environ["XDG_CACHE_HOME"] = str(Path(tmp) / "cache")
        example = Path(tmp) / "example"
        copy_example(example)
        synthetic = Path(tmp) / "synthetic"
        make_repo(synthetic, n)  # public, internal and private entries
        for label, repo in (("example repo", example), (f"{n} synthetic entries", synthetic)):
            builds, audits = [], []
            for _ in range(runs):
                shutil.rmtree(repo / "site", ignore_errors=True)
                builds.append(cpu_of(notepress_cmd("build"), repo, code_env()))  # exits 1 on any finding
                project = api.load(repo)
                themes = site.engine(repo, "mkdocs").theme_dirs()
                start = time.process_time()
                findings = audit_site(repo / "site", project.entries, project.config, theme_dirs=themes)
                audits.append(time.process_time() - start)
            files = sum(1 for p in (repo / "site").rglob("*") if p.is_file())
            hidden = sum(1 for e in project.entries if e.audience != "public" or e.draft)
            b, a = statistics.median(builds), statistics.median(audits)
            print(f"(f) {label} ({len(project.entries)} entries, {hidden} not public; {files} files): "
                  f"false positives {len(findings)}; audit CPU median {a:.2f} s of a {b:.2f} s build "
                  f"({100 * a / b:.1f}%; runs {', '.join(f'{t:.2f}' for t in audits)})")


def _attachment_files(folder: Path) -> int:
    """Files a writer links from a public post, as their tools write them: photos with EXIF and
    XMP, screenshots with text chunks, a report PDF; returns their bytes."""
    import io

    from PIL import Image, PngImagePlugin
    from weasyprint import HTML

    rng = random.Random(3)
    total = 0
    for i in range(4):
        photo = Image.effect_noise((3000, 2000), 40 + i).convert("RGB")
        exif = Image.Exif()
        exif[0x010E], exif[0x9C9C] = f"Photo {i}", f"Workshop {i}".encode("utf-16-le")
        out = io.BytesIO()
        photo.save(out, "JPEG", quality=90, exif=exif.tobytes(), xmp=b"<x:xmpmeta>workshop</x:xmpmeta>")
        total += (folder / f"photo-{i}.jpg").write_bytes(out.getvalue())
    for i in range(4):
        shot = Image.effect_noise((1600, 1000), 20 + i).convert("RGBA")
        info = PngImagePlugin.PngInfo()
        info.add_text("Software", "Screenshot tool")
        out = io.BytesIO()
        shot.save(out, "PNG", pnginfo=info)
        total += (folder / f"screen-{i}.png").write_bytes(out.getvalue())
    pages = "".join(f"<h2>Section {i}</h2><p>{paragraph(rng, 12)}</p>" for i in range(40))
    total += (folder / "report.pdf").write_bytes(HTML(string=f"<h1>Report</h1>{pages}").write_pdf())
    return total


def bench_attachments(runs: int) -> None:
    """(h) the cost of reading, stripping and checking attachments: `check` and `build` of the example
    repo with and without a post that links 4 photos, 4 screenshots and a 40-section PDF (same run),
    as CPU per MB of attachments; and that what is published carries no metadata."""
    with tempfile.TemporaryDirectory() as tmp:
        env = code_env(Path(tmp) / "cache")
        repo = Path(tmp) / "example"
        copy_example(repo)
        essays = repo / "posts" / "essays"
        essay = next(p for p in sorted(essays.glob("*.md")) if "audience: public" in p.read_text())
        original = essay.read_text()

        def measure() -> tuple[float, float]:
            checks, builds = [], []
            for _ in range(runs):
                checks.append(cpu_of(notepress_cmd("check"), repo, env))
                shutil.rmtree(repo / "site", ignore_errors=True)
                shutil.rmtree(repo / ".notepress", ignore_errors=True)
                builds.append(cpu_of(notepress_cmd("build"), repo, env))
            return statistics.median(checks), statistics.median(builds)

        plain = measure()
        size = _attachment_files(essays)
        links = "\n\n".join([*(f"![photo {i}](photo-{i}.jpg)" for i in range(4)),
                               *(f"![screen {i}](screen-{i}.png)" for i in range(4)), "[the report](report.pdf)"])
        essay.write_text(original.rstrip("\n") + "\n\n" + links + "\n")
        attached = measure()
        mb = size / 2**20
        published = repo / ".notepress" / "docs" / "blog" / "posts" / "attachments"
        from PIL import Image

        stripped = all(not len(Image.open(p).getexif()) and "xmp" not in Image.open(p).info
                       for p in published.iterdir() if p.suffix in (".jpg", ".png"))
        for what, before, after in (("check", plain[0], attached[0]), ("build", plain[1], attached[1])):
            print(f"(h) {what} with {mb:.1f} MB of attachments (9 files): {after:.2f} s CPU against {before:.2f} s "
                  f"without ({after / before:.2f}x); {(after - before) / mb:.3f} s CPU per MB")
        print(f"(h) published: {len(list(published.iterdir()))} files, {sum(p.stat().st_size for p in published.iterdir()) / 2**20:.1f} MB, "
              f"metadata stripped: {stripped}")


def bench_ci(n: int, runs: int, engines: tuple[str, ...] = ENGINES) -> None:
    """(i) the publish workflow's `notepress check` and `notepress build` on a fresh clone, cold
    (no cache) against warm: the cache folder of the run before restored into the same workspace
    path, as actions/cache does, after one new post was pushed. CPU of the process trees."""
    git_env = dict(os.environ, GIT_AUTHOR_NAME="Bench", GIT_AUTHOR_EMAIL="bench@example.com",
                   GIT_COMMITTER_NAME="Bench", GIT_COMMITTER_EMAIL="bench@example.com")

    def git(cwd: Path, *args: str) -> None:
        subprocess.run(["git", *args], cwd=cwd, env=git_env, check=True, capture_output=True)

    with tempfile.TemporaryDirectory() as tmp:
        origin, workspace, kept = Path(tmp) / "origin", Path(tmp) / "work" / "notes", Path(tmp) / "kept"
        public = make_repo(origin, n, public_share=1.0)
        git(origin, "init", "-q", "--initial-branch=main")
        git(origin, "add", "-A")
        git(origin, "commit", "-q", "-m", "posts")
        env = code_env(workspace / ".notepress-cache")  # the workflow's XDG_CACHE_HOME, in the workspace
        cold = {e: [] for e in engines}
        warm = {e: [] for e in engines}
        said: dict[str, list[str]] = {e: [] for e in engines}

        def ci(engine: str, restore: bool) -> float:
            shutil.rmtree(workspace, ignore_errors=True)
            git(Path(tmp), "clone", "-q", str(origin), str(workspace))
            if restore:
                shutil.copytree(kept, workspace / ".notepress-cache" / "notepress")
            cpu = cpu_of(notepress_cmd("check"), workspace, env)
            cpu += cpu_of(notepress_cmd("build", "--engine", engine), workspace, env, said=said[engine])
            shutil.rmtree(kept, ignore_errors=True)
            shutil.copytree(workspace / ".notepress-cache" / "notepress", kept)  # the cache step's save
            return cpu

        for run in range(runs):  # interleaved: each kind sees the same machine load
            for engine in engines:
                cold[engine].append(ci(engine, restore=False))
                post = origin / "posts" / f"new-{engine}-{run}.md"
                post.write_text(f"---\ntitle: A new post, run {run} on {engine}\ndate: 2026-06-15\ntype: essay\n"
                                f"audience: public\ntags: [pricing]\n---\n\n{paragraph(random.Random(run))}\n")
                git(origin, "add", "-A")
                git(origin, "commit", "-q", "-m", "one new post")
                warm[engine].append(ci(engine, restore=True))
        print(f"(i) the publish workflow's check + build on a fresh clone, {public} public posts, CPU of the process "
              f"trees, medians of {runs}:")
        for engine in engines:
            c, w = statistics.median(cold[engine]), statistics.median(warm[engine])
            cards = [re.search(r"share cards: (\d+) drawn", out) for out in said[engine][-2:]]
            print(f"(i) {engine}: cold (no cache) {med(cold[engine])}; warm (the last run's cache restored, one new "
                  f"post) {med(warm[engine])}: {w / c:.2f}x; share cards drawn, cold / warm: "
                  f"{' / '.join(m.group(1) if m else '?' for m in cards)}")


def _mkdocs_build(repo: Path) -> None:
    from mkdocs.commands.build import build
    from mkdocs.config import load_config

    build(load_config(str(repo / "mkdocs.yml")))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--only", choices=["a", "b", "c", "d", "e", "f", "g", "h", "i", "j"])
    parser.add_argument("--engine", choices=ENGINES, action="append",
                        help="only this engine in (b), (e), (g) and (i); may be repeated (default: both)")
    parser.add_argument("--entries", type=int, default=10_000)
    parser.add_argument("--posts", type=int, default=1_000)
    parser.add_argument("--recipients", type=int, default=1_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--profile", action="store_true", help="(a) cProfile one more first run; (b) one build of each kind")
    args = parser.parse_args()
    if args.only in (None, "a"):
        bench_generate(args.entries, args.runs, args.profile)
    engines = tuple(args.engine or ENGINES)
    if args.only in (None, "b"):
        bench_build(args.posts, args.runs, args.profile, engines)
    if args.only in (None, "c"):
        bench_newsletter(args.entries, args.runs)
    if args.only in (None, "d"):
        bench_send(args.recipients, args.runs)
    if args.only in (None, "e"):
        bench_preview(args.posts, args.runs, engines)
    if args.only in (None, "f"):
        bench_audit(args.posts, args.runs)
    if args.only in (None, "g"):
        bench_example(args.runs, engines)
    if args.only in (None, "h"):
        bench_attachments(args.runs)
    if args.only in (None, "i"):
        bench_ci(args.posts, args.runs, engines)
    if args.only in (None, "j"):
        from benchmark_hub import bench_hub

        bench_hub(args.entries, args.runs, engines)


if __name__ == "__main__":
    main()
