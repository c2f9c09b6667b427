"""Benchmarks for the core issue (a script, not a timed test). Medians of several runs.

    .venv/bin/python tools/benchmark.py            # both benchmarks
    .venv/bin/python tools/benchmark.py --only a --entries 10000 [--profile]
    .venv/bin/python tools/benchmark.py --only b --posts 1000 --profile

(a) parse + validate + screen + generate for N synthetic entries: a first run (no entry cache, no
    generated output), then unchanged; CPU (with worker processes) and wall time.
(b) `notepress build` of N public posts against a plain Material blog build of the same posts
    written as Material's docs show them (H1 title in the body, no notepress plugin), same run.
(c) `newsletter draft` over N entries, with and without the entry cache.
(d) `newsletter send` of one issue to N recipients through a local aiosmtpd server.
(e) `mkdocs serve`: from saving an entry to the preview showing it (example repo, then N entries).
(f) the leak audit: its false positives (findings on a clean build) and its CPU time against the
    whole build's, on the example repo and on N synthetic entries of every audience.
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
BIN = Path(sys.executable).parent
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
    posts = dest / "docs" / "blog" / "posts"
    shutil.copytree(src / "docs", dest / "docs", ignore=shutil.ignore_patterns("posts"))
    shutil.copytree(src / "overrides", dest / "overrides")
    posts.mkdir(parents=True)
    shutil.copy(src / "docs" / "blog" / "posts" / ".authors.yml", dest / "docs" / "blog" / ".authors.yml")
    for path in sorted((src / "docs" / "blog" / "posts").glob("*.md")):
        text = path.read_text()
        _, front, body = text.split("---\n", 2)
        meta = [line for line in front.splitlines() if not line.startswith(("#", "title:", "slug:"))]
        title = next(line for line in front.splitlines() if line.startswith("title:"))[7:]
        (posts / path.name).write_text("---\n" + "\n".join(meta) + "\n---\n\n# " + title + "\n" + body)
    config = (REPO / "mkdocs.yml").read_text()
    config = config.replace("  - notepress", "  # - notepress").replace('      authors_file: "{blog}/posts/.authors.yml"\n', "")
    config = config.replace("# site_url comes from notepress.yml", "site_url: https://example.org/")
    (dest / "mkdocs.yml").write_text(config)


def timed(cmd: list[str], cwd: Path) -> float:
    start = time.perf_counter()
    subprocess.run(cmd, cwd=cwd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start


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


def bench_build(n: int, runs: int, profile: bool) -> None:
    from notepress import api
    from notepress.audit import audit_site

    with tempfile.TemporaryDirectory() as tmp:
        ours, plain = Path(tmp) / "notepress", Path(tmp) / "material"
        make_repo(ours, n, public_share=1.0)
        api.generate_blog(ours)
        material_repo(ours, plain)
        np_times, mk_times = [], []
        for _ in range(runs):  # interleaved, so both see the same machine load
            np_times.append(timed([str(BIN / "notepress"), "build"], ours))
            mk_times.append(timed([str(BIN / "mkdocs"), "build", "-q"], plain))
        project = api.load(ours)
        audits = []
        for _ in range(runs):
            start = time.perf_counter()
            audit_site(ours / "site", project.entries, project.config)
            audits.append(time.perf_counter() - start)
        a, b = statistics.median(np_times), statistics.median(mk_times)
        print(f"(b) {n} posts: notepress build median {a:.2f} s (runs {', '.join(f'{t:.2f}' for t in np_times)}); "
              f"plain Material build median {b:.2f} s (runs {', '.join(f'{t:.2f}' for t in mk_times)}); "
              f"ratio {a / b:.2f}; of which the leak audit median {statistics.median(audits):.2f} s "
              f"over {sum(1 for p in (ours / 'site').rglob('*') if p.is_file())} files")
        if profile:
            for name, repo, call in (("notepress", ours, lambda: api.build(ours)),
                                     ("material", plain, lambda: _mkdocs_build(plain))):
                prof = cProfile.Profile()
                prof.runcall(call)
                print(f"\n--- cProfile: {name} build, top 15 by cumulative time ---")
                pstats.Stats(prof).sort_stats("cumulative").print_stats(15)


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
    """(d) sending one issue to n recipients through a local SMTP server (aiosmtpd)."""
    import datetime as dt
    import os

    sys.path.insert(0, str(REPO / "tests"))
    from smtp_server import LocalSmtpServer  # the tests' real aiosmtpd server

    from notepress import api
    from notepress.audience import Reader, gate
    from notepress.config import load_config
    from notepress.newsletter.send import send_issue

    rates = []
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
                (record.folder / "send-log.json").unlink(missing_ok=True)
                start = time.perf_counter()
                report = send_issue(config, record.number, team=team, recipients=recipients, force=True)
                size = (record.folder / "message.eml").stat().st_size
                rates.append(len(report.sent) / (time.perf_counter() - start))
        finally:
            server.stop()
    print(f"(d) newsletter send to {n} recipients on a local SMTP server: median {statistics.median(rates):.0f} "
          f"messages/s (runs {', '.join(f'{r:.0f}' for r in rates)}; a four-week issue, message.eml {size // 1024} KiB)")


def bench_preview(n: int, runs: int) -> None:
    """(e) from saving an entry to `mkdocs serve` showing it: the example repo, then n entries."""
    import os
    import socket
    import urllib.request

    def fetch(url: str) -> str:
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                return response.read().decode("utf-8", "replace")
        except OSError:
            return ""

    def measure(repo: Path, page: str, source: Path, label: str) -> None:
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        log = open(repo.parent / f"serve-{repo.name}.log", "w")
        proc = subprocess.Popen([str(BIN / "mkdocs"), "serve", "-a", f"127.0.0.1:{port}"], cwd=repo,
                                stdout=log, stderr=subprocess.STDOUT)
        url = f"http://127.0.0.1:{port}/{page}"
        try:
            deadline = time.monotonic() + 600
            while "<html" not in fetch(url) and time.monotonic() < deadline:
                time.sleep(0.2)
            times = []
            for run in range(runs):
                marker = f"Edited title {run} {time.time_ns()}"
                text = source.read_text()
                source.write_text(re.sub(r"^title: .*$", f"title: {marker}", text, count=1, flags=re.M))
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
            proc.terminate()
            proc.wait(10)
        print(f"(e) preview after saving an entry, {label}: median {statistics.median(times):.2f} s "
              f"(runs {', '.join(f'{t:.2f}' for t in times)})")

    with tempfile.TemporaryDirectory() as tmp:
        os.environ["XDG_CACHE_HOME"] = str(Path(tmp) / "cache")
        example = Path(tmp) / "example"
        for name in ("mkdocs.yml", "notepress.yml"):
            shutil.copy(REPO / name, example / name) if example.exists() else (
                example.mkdir(), shutil.copy(REPO / name, example / name))
        shutil.copytree(REPO / "posts", example / "posts")
        shutil.copytree(REPO / "docs", example / "docs", ignore=shutil.ignore_patterns("posts"))
        shutil.copytree(REPO / "overrides", example / "overrides")  # the theme's custom_dir
        measure(example, "blog/2026/11/03/reconciliation-is-a-trust-problem/",
                example / "posts/essays/2026-11-03-reconciliation-is-a-trust-problem.md", "example repo (23 entries)")
        big = Path(tmp) / "big"
        make_repo(big, n, public_share=1.0)  # entry 0 is a public essay dated 2026-01-01
        measure(big, "blog/2026/01/01/entry-00000/", big / "posts" / "entry-00000.md", f"{n} entries")


def cpu_of(cmd: list[str], cwd: Path) -> float:
    """CPU seconds (user + system) of a child process: steadier than wall time on a shared machine."""
    import resource

    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run(cmd, cwd=cwd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime


def bench_audit(n: int, runs: int) -> None:
    """(f) findings of the audit on clean builds (false positives) and its share of the build's CPU."""
    import os

    from notepress import api, site
    from notepress.audit import audit_site

    with tempfile.TemporaryDirectory() as tmp:
        os.environ["XDG_CACHE_HOME"] = str(Path(tmp) / "cache")
        example = Path(tmp) / "example"
        example.mkdir()
        for name in ("mkdocs.yml", "notepress.yml"):
            shutil.copy(REPO / name, example / name)
        shutil.copytree(REPO / "posts", example / "posts")
        shutil.copytree(REPO / "docs", example / "docs", ignore=shutil.ignore_patterns("posts"))
        shutil.copytree(REPO / "overrides", example / "overrides")  # the theme's custom_dir
        synthetic = Path(tmp) / "synthetic"
        make_repo(synthetic, n)  # public, internal and private entries
        for label, repo in (("example repo", example), (f"{n} synthetic entries", synthetic)):
            builds, audits = [], []
            for _ in range(runs):
                shutil.rmtree(repo / "site", ignore_errors=True)
                builds.append(cpu_of([str(BIN / "notepress"), "build"], repo))  # exits 1 on any finding
                project = api.load(repo)
                themes = site.theme_dirs(repo)
                start = time.process_time()
                findings = audit_site(repo / "site", project.entries, project.config, theme_dirs=themes)
                audits.append(time.process_time() - start)
            files = sum(1 for p in (repo / "site").rglob("*") if p.is_file())
            hidden = sum(1 for e in project.entries if e.audience != "public" or e.draft)
            b, a = statistics.median(builds), statistics.median(audits)
            print(f"(f) {label} ({len(project.entries)} entries, {hidden} not public; {files} files): "
                  f"false positives {len(findings)}; audit CPU median {a:.2f} s of a {b:.2f} s build "
                  f"({100 * a / b:.1f}%; runs {', '.join(f'{t:.2f}' for t in audits)})")


def _mkdocs_build(repo: Path) -> None:
    from mkdocs.commands.build import build
    from mkdocs.config import load_config

    build(load_config(str(repo / "mkdocs.yml")))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--only", choices=["a", "b", "c", "d", "e", "f"])
    parser.add_argument("--entries", type=int, default=10_000)
    parser.add_argument("--posts", type=int, default=1_000)
    parser.add_argument("--recipients", type=int, default=1_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--profile", action="store_true", help="(a) cProfile one more first run; (b) one build of each kind")
    args = parser.parse_args()
    if args.only in (None, "a"):
        bench_generate(args.entries, args.runs, args.profile)
    if args.only in (None, "b"):
        bench_build(args.posts, args.runs, args.profile)
    if args.only in (None, "c"):
        bench_newsletter(args.entries, args.runs)
    if args.only in (None, "d"):
        bench_send(args.recipients, args.runs)
    if args.only in (None, "e"):
        bench_preview(args.posts, args.runs)
    if args.only in (None, "f"):
        bench_audit(args.posts, args.runs)


if __name__ == "__main__":
    main()
