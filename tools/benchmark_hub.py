"""(j) The team's insight hub at a product org's scale: `tools/benchmark.py --only j [--entries N]`.

A shared insights repo: N insights (default 10,000) from 50 writers about N/10 customers on 40
themes, with N/10 learning entries, a tenth of everything private (the audit's needles) and a few
drafts. Measured, as subprocesses on this script's notepress (CPU of the process tree, wall, peak
RSS), on each engine: `build --for team` cold (no cache, no hub), after adding one insight, and
with nothing changed; then, in Chromium, one query on the built hub: the bytes transferred for it
(every response from typing to the results shown, and the page's own load before it), and the time
from typing to the first result.
"""

from __future__ import annotations

import datetime as dt
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmark import REPO, THEMES, WORDS, code_env, med, notepress_cmd, paragraph, sentence

TODAY = dt.date(2026, 11, 23)
HUB_THEMES = tuple(f"{a} {b}" for a in THEMES for b in ("fees", "speed", "setup", "errors", "limits", "exports"))[:40]
SEGMENTS = ("smb", "mid-market", "enterprise")
SOURCES = ("call", "interview", "support-ticket", "debugging", "sales", "survey")
AREAS = ("Payments", "Reporting", "Onboarding", "Approvals", "Integrations")


def make_hub_repo(root: Path, n: int, *, seed: int = 11) -> None:
    """A writing repo made by `notepress init`, with n insights from 50 writers and n/10 learning entries."""
    subprocess.run(notepress_cmd("init", str(root), "--name", "Product org", "--author", "Writer Zero"),
                   check=True, capture_output=True, env=code_env())
    rng = random.Random(seed)
    config = root / "notepress.yml"
    writers = "".join(f"  writer-{w:02d}:\n    name: Writer {w:02d}\n" for w in range(1, 50))
    config.write_text(config.read_text().replace("authors:\n", "authors:\n" + writers, 1))
    folder = root / "posts" / "insights"
    for i in range(n):
        day = TODAY - dt.timedelta(days=rng.randint(1, 720))
        audience = "private" if i % 10 == 9 else "internal"
        lines = ["---", f"title: {sentence(rng, 6)[:-1]} {i}", f"date: {day}", "type: insight", f"audience: {audience}",
                 f"authors: [writer-{i % 49 + 1:02d}]", f"customer: {rng.choice(WORDS).title()} Customer {i % (n // 10):04d}",
                 f"contacts: [Person {i % 997:03d} Example]", f"segment: {rng.choice(SEGMENTS)}",
                 f"source: {rng.choice(SOURCES)}", f"themes: [{rng.choice(HUB_THEMES)}, {rng.choice(HUB_THEMES)}]",
                 f"quote: {sentence(rng, 14)}", f"importance: {rng.randint(0, 3)}",
                 f"evidence: https://support.example/tickets/{i}", f"product_area: {rng.choice(AREAS)}"]
        if i % 500 == 7:
            lines.append("draft: true")
        body = "\n\n".join(paragraph(rng, 3) for _ in range(2))
        (folder / f"{day}-insight-{i:05d}.md").write_text("\n".join(lines) + "\n---\n\n" + body + "\n")
    folder = root / "posts" / "learning"
    for i in range(n // 10):
        day = TODAY - dt.timedelta(days=rng.randint(1, 720))
        lines = ["---", f"title: {sentence(rng, 5)[:-1]} {i}", f"date: {day}", "type: learning",
                 f"audience: {'private' if i % 10 == 9 else 'internal'}", f"authors: [writer-{i % 49 + 1:02d}]",
                 "competencies: [execution]", f"action: {sentence(rng, 10)}", f"outcome: {sentence(rng, 10)}",
                 f"learning: {sentence(rng, 12)}", f"next_step: {sentence(rng, 8)}"]
        (folder / f"{day}-learning-{i:05d}.md").write_text("\n".join(lines) + "\n---\n\n" + paragraph(rng) + "\n")


def build_once(repo: Path, engine: str, cache: Path) -> tuple[float, float, int]:
    """CPU seconds of the process tree, wall seconds and peak RSS (MB) of one `build --for team`."""
    env = dict(code_env(cache), NOTEPRESS_TODAY=TODAY.isoformat())
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(notepress_cmd("-C", str(repo), "build", "--for", "team", "--engine", engine),
                          capture_output=True, text=True, env=env)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        raise SystemExit(f"build --for team failed:\n{done.stdout}\n{done.stderr}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return cpu, wall, after.ru_maxrss // 1024


def add_insight(repo: Path, run: int) -> None:
    (repo / "posts" / "insights" / f"{TODAY}-new-{run}.md").write_text(
        f"---\ntitle: A new insight {run}\ndate: {TODAY}\ntype: insight\naudience: internal\n"
        f"customer: Brand New Customer {run}\nsource: call\nthemes: [{HUB_THEMES[0]}]\n"
        f"quote: Something new was said in run {run}.\n---\n\nWhat was heard.\n")


def bench_hub(n: int, runs: int, engines: tuple[str, ...]) -> None:
    with tempfile.TemporaryDirectory(prefix="np-hub-bench-") as tmp:
        base = Path(tmp) / "repo"
        start = time.perf_counter()
        make_hub_repo(base, n)
        print(f"(j) team hub: {n} insights, {n // 10} learning entries, 50 writers, {n // 10} customers "
              f"(made in {time.perf_counter() - start:.0f} s)")
        for engine in engines:
            repo, cache = Path(tmp) / engine, Path(tmp) / f"cache-{engine}"
            shutil.copytree(base, repo)
            cold = build_once(repo, engine, cache)
            print(f"  {engine}: cold {cold[1]:.1f} s wall, {cold[0]:.1f} s CPU, peak {cold[2]} MB")
            one, same = [], []
            for run in range(runs):
                add_insight(repo, run)
                one.append(build_once(repo, engine, cache))
                same.append(build_once(repo, engine, cache))
            print(f"  {engine}: one new insight: wall {med([r[1] for r in one])}, CPU {med([r[0] for r in one])}")
            print(f"  {engine}: nothing changed: wall {med([r[1] for r in same])}, CPU {med([r[0] for r in same])}")
            if engine == engines[0]:
                search(repo / "site-team", runs)


def search(site: Path, runs: int) -> None:
    """One query in Chromium: bytes of every response from typing to the results shown, and the time."""
    sys.path.insert(0, str(REPO / "tests"))
    from e2e_helpers import static_server
    from playwright.sync_api import sync_playwright

    with static_server(site) as base, sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=[
            "--no-sandbox", "--disable-gpu", "--disable-background-networking"])
        loads, queries, firsts = [], [], []
        for run in range(runs):
            page = browser.new_page()  # a fresh cache each time: nothing of the index is cached
            sizes: list[int] = []
            page.on("requestfinished", lambda r: sizes.append(r.sizes()["responseBodySize"] + r.sizes()["responseHeadersSize"]))
            page.goto(base)
            page.wait_for_selector("#np-q")
            page.wait_for_load_state("networkidle")
            loads.append(sum(sizes))
            sizes.clear()
            start = time.perf_counter()
            page.fill("#np-q", ("reconcile payment", "onboarding export", "pricing margin")[run % 3])
            page.wait_for_selector(".np-results a", timeout=30000)
            firsts.append(time.perf_counter() - start)
            page.wait_for_load_state("networkidle")
            queries.append(sum(sizes))
            page.close()
        browser.close()
    kb = lambda values: ", ".join(f"{v / 1024:.0f}" for v in values)  # noqa: E731
    print(f"  search: page load {kb(loads)} kB; one query {kb(queries)} kB (target < 1024 kB); "
          f"first result after {med(firsts)}")
