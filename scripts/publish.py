"""The published edition: chapters executed on real data at the ``full`` profile, kept in published/.

The notebooks in notebooks/ stay without outputs (Colab opens them clean; CI executes them at
``ci``). ``make publish`` executes a chapter at ``full`` and keeps the executed copy in
published/NN_topic.ipynb, with a fingerprint in published/manifest.json: a hash of the notebook's
code cells and of every ``lstm_utils`` module the notebook imports (followed through the package's
own imports), plus when, where and how long the run took. ``make book`` then renders the published
copy of each chapter whose fingerprint still matches, without executing it, and executes the others
at ``ci``. CONTRIBUTING.md explains the workflow.

Usage:
    python scripts/publish.py run [--jobs N] [CHAPTER ...]
                                    # execute at full, write published/ (all if none); N chapters
                                    # at a time (default N: 2 on 2+ cores); each chapter gets
                                    # half the cores' threads, however many run at once
    python scripts/publish.py check                  # exit 1 when a published copy is stale
    python scripts/publish.py seed-cache CACHE_DIR   # put the current copies into the book's cache
"""

from __future__ import annotations

import argparse
import ast
import copy
import datetime
import fcntl
import hashlib
import json
import os
import re
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"
PUBLISHED = ROOT / "published"
MANIFEST = PUBLISHED / "manifest.json"
PACKAGE = "lstm_utils"
# the chapters of the published edition: the experiments and the benchmark
EDITION = (
    "03_memory",
    "04_mnist_rows",
    "05_sentiment",
    "06_ner",
    "07_forecasting",
    "08_sequences_out",
    "09_fast_lstm",
)
MAGIC = re.compile(r"^(\s*)[%!].*$", re.MULTILINE)


def _sha(data: str | bytes) -> str:
    return hashlib.sha256(data.encode() if isinstance(data, str) else data).hexdigest()


def code_cells(nb: dict) -> list[str]:
    """The sources of a notebook's code cells, in order."""
    return [
        "".join(c["source"]) if isinstance(c["source"], list) else c["source"]
        for c in nb["cells"]
        if c["cell_type"] == "code"
    ]


def _module_file(name: str, root: Path = ROOT) -> Path | None:
    """The file of module ``lstm_utils.a.b``, or None when it is not a module of the package."""
    parts = name.split(".")
    if parts[0] != PACKAGE:
        return None
    base = root.joinpath(*parts)
    if (base / "__init__.py").is_file():
        return base / "__init__.py"
    if base.with_suffix(".py").is_file():
        return base.with_suffix(".py")
    return None


def _imported_names(tree: ast.AST, module: str | None, is_package: bool) -> set[str]:
    """Absolute module names that ``tree`` imports (``from x import y`` adds x and x.y)."""
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                if module is None:
                    continue
                parts = module.split(".")
                keep = len(parts) - node.level + (1 if is_package else 0)
                base = ".".join(parts[:keep] + ([node.module] if node.module else []))
            else:
                base = node.module or ""
            names.add(base)
            names.update(f"{base}.{alias.name}" for alias in node.names)
    return names


def modules_used(nb: dict, root: Path = ROOT) -> list[str]:
    """The package's files a notebook uses: its imports, followed through the package's own imports.

    Every package ``__init__.py`` on the way counts too (Python runs it on import).
    """
    source = "\n".join(MAGIC.sub(r"\1pass", cell) for cell in code_cells(nb))
    todo = _imported_names(ast.parse(source), None, False)
    seen: set[str] = set()
    files: set[Path] = set()
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        parts = name.split(".")
        for i in range(1, len(parts)):  # parent packages run their __init__ first
            todo.add(".".join(parts[:i]))
        path = _module_file(name, root)
        if path is None or path in files:
            continue
        files.add(path)
        tree = ast.parse(path.read_text(), str(path))
        todo |= _imported_names(tree, name, path.name == "__init__.py")
    return sorted(str(p.relative_to(root)) for p in files)


def fingerprint(nb: dict, root: Path = ROOT) -> dict:
    """What a published copy depends on: the code cells' hash and each used module's hash."""
    return {
        "code": _sha(json.dumps(code_cells(nb))),
        "modules": {m: _sha((root / m).read_bytes()) for m in modules_used(nb, root)},
    }


def read_manifest(path: Path | None = None) -> dict:
    """The manifest's entries by chapter ({} before anything is published)."""
    path = path or MANIFEST
    return json.loads(path.read_text()) if path.is_file() else {}


def staleness(chapter: str, entry: dict, root: Path = ROOT) -> list[str]:
    """Why the published copy of ``chapter`` no longer matches the code ([] when it matches)."""
    source = root / "notebooks" / f"{chapter}.ipynb"
    if not source.is_file():
        return [f"notebooks/{chapter}.ipynb no longer exists"]
    if not (root / "published" / f"{chapter}.ipynb").is_file():
        return [f"published/{chapter}.ipynb is missing"]
    now = fingerprint(json.loads(source.read_text()), root)
    reasons = []
    if now["code"] != entry["code"]:
        reasons.append(f"the code cells of notebooks/{chapter}.ipynb changed")
    old = entry["modules"]
    for module in sorted(set(old) | set(now["modules"])):
        if module not in now["modules"]:
            reasons.append(f"{module} is no longer used")
        elif module not in old:
            reasons.append(f"{module} is newly used")
        elif old[module] != now["modules"][module]:
            reasons.append(f"{module} changed")
    return reasons


def check(root: Path = ROOT) -> int:
    manifest = read_manifest(root / "published" / "manifest.json")
    stale = {ch: staleness(ch, entry, root) for ch, entry in manifest.items()}
    for chapter, reasons in stale.items():
        state = "stale: " + "; ".join(reasons) if reasons else "current"
        print(f"{chapter}: {state}")
        if reasons:
            print(f"  regenerate it: make publish CHAPTER={chapter}")
    return 1 if any(stale.values()) else 0


def _machine() -> str:
    sys.path.insert(0, str(ROOT))
    from lstm_utils.profiles import describe_run

    return describe_run("full").split("; ", 3)[-1]


def shorten_paths(nb, data_dir: str | None) -> int:
    """Write the data folder as its last two parts (``.../shared/data``) in ``nb``'s outputs, as
    ``describe_run`` does: a page shows which data, not the publishing machine's folders.
    Returns how many outputs changed."""
    if not data_dir:
        return 0
    folders = {data_dir.rstrip("/"), str(Path(data_dir).resolve())}
    short = ".../" + "/".join(Path(data_dir).resolve().parts[-2:])
    changed = 0
    for cell in nb["cells"]:
        for output in cell.get("outputs", []):
            fields = [(output, "text")] + [(output.get("data", {}), "text/plain")]
            for holder, key in fields:
                text = holder.get(key)
                if not text:
                    continue
                joined = "".join(text) if isinstance(text, list) else text
                new = joined
                for folder in sorted(folders, key=len, reverse=True):
                    if folder not in ("", "/", "."):
                        new = new.replace(folder, short)
                if new != joined:
                    holder[key] = new
                    changed += 1
    return changed


def record(chapter: str, entry: dict, path: Path | None = None) -> None:
    """Write ``chapter``'s entry into the manifest, atomically and under a lock, so that chapters
    published at the same time (``--jobs``) keep each other's entries."""
    path = path or MANIFEST
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path.with_suffix(".lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        manifest = read_manifest(path)
        manifest[chapter] = entry
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text(json.dumps(dict(sorted(manifest.items())), indent=1) + "\n")
        os.replace(tmp, path)


def chapter_threads(cores: int) -> int:
    """The torch threads a chapter runs with: half the cores, whether it runs alone or beside
    another. The thread count changes how sums are split, so the last digits of a float, so a
    long training's numbers: with a fixed count, a chapter regenerated alone prints what it
    printed in the whole edition on the same machine."""
    return max(1, cores // 2)


def run(chapter: str, jobs: int = 1) -> dict:
    """Execute ``chapter`` at ``full`` in a fresh kernel and write its published copy."""
    import nbformat
    from nbclient import NotebookClient

    source = NOTEBOOKS / f"{chapter}.ipynb"
    nb = nbformat.read(source, as_version=4)
    before = fingerprint(json.loads(source.read_text()))
    env = {
        "LSTM_BOOK_PROFILE": "full",
        # as the book build draws them: each progress bar once, finished
        "LSTM_UTILS_PROGRESS": "final",
        "TQDM_MININTERVAL": "3600",
    }
    os.environ.update(env)
    started = datetime.datetime.now(datetime.timezone.utc)
    clock = time.perf_counter()
    print(f"{chapter}: executing at profile full (data: {os.environ.get('LSTM_UTILS_DATA')})")
    cells = len(nb.cells)

    def said(cell, cell_index, execute_reply):  # the run's progress, one line per code cell
        took = time.perf_counter() - clock
        print(f"  {chapter}: cell {cell_index + 1}/{cells} done at {took / 60:.1f} min", flush=True)

    NotebookClient(
        nb,
        timeout=3600,
        kernel_name="python3",
        resources={"metadata": {"path": str(NOTEBOOKS)}},
        on_cell_executed=said,
    ).execute()
    seconds = time.perf_counter() - clock
    if fingerprint(json.loads(source.read_text())) != before:
        raise SystemExit(f"{chapter}: the notebook or lstm_utils changed during the run; run again")
    shorten_paths(nb, os.environ.get("LSTM_UTILS_DATA"))
    PUBLISHED.mkdir(exist_ok=True)
    out = PUBLISHED / f"{chapter}.ipynb"
    tmp = out.with_suffix(".tmp")
    nbformat.write(nb, tmp)
    os.replace(tmp, out)
    entry = {
        **before,
        "profile": "full",
        "started": started.strftime("%Y-%m-%d %H:%M UTC"),
        "minutes": round(seconds / 60, 1),
        "machine": _machine(),
        # how many chapters ran at the same time, sharing the machine
        "jobs": jobs,
        "command": f"make publish CHAPTER={chapter}",
    }
    record(chapter, entry)
    print(f"{chapter}: published in {seconds / 60:.1f} min -> {out.relative_to(ROOT)}")
    if seconds > 15 * 60:
        print(f"{chapter}: over the 15-minute budget per chapter")
    return entry


def cache_copy(chapter: str):
    """The published copy as the book's cache must hold it: outputs from the copy, metadata from
    notebooks/ (jupyter-cache hashes the code cells with their metadata and the kernelspec, and
    the kernel adds timings and its own kernelspec to an executed copy)."""
    import nbformat

    nb = nbformat.read(PUBLISHED / f"{chapter}.ipynb", as_version=4)
    source = nbformat.read(NOTEBOOKS / f"{chapter}.ipynb", as_version=4)
    nb.metadata["kernelspec"] = copy.deepcopy(source.metadata.get("kernelspec", {}))
    ours = [c for c in nb.cells if c.cell_type == "code"]
    theirs = [c for c in source.cells if c.cell_type == "code"]
    if [c.source for c in ours] != [c.source for c in theirs]:
        raise ValueError(f"published/{chapter}.ipynb: its code cells differ from the notebook's")
    for cell, original in zip(ours, theirs):
        cell.metadata = copy.deepcopy(original.metadata)
    return nb


def seed_cache(cache_dir: Path) -> list[str]:
    """Put each current published copy into jupyter-cache as the execution of its notebook.

    myst-nb (``execute_notebooks: cache``) then renders those outputs instead of executing. A stale
    copy is left out, so its chapter is executed at ``ci``: a page never shows numbers that the
    current code did not print.
    """
    from jupyter_cache import get_cache
    from jupyter_cache.base import CacheBundleIn

    cache = get_cache(cache_dir)
    seeded = []
    for chapter, entry in read_manifest().items():
        reasons = staleness(chapter, entry)
        if reasons:
            print(f"published/{chapter}.ipynb is stale ({'; '.join(reasons)}): executing at ci")
            continue
        bundle = CacheBundleIn(
            nb=cache_copy(chapter),
            uri=str(NOTEBOOKS / f"{chapter}.ipynb"),
            data={"execution_seconds": entry["minutes"] * 60},
        )
        cache.cache_notebook_bundle(bundle, check_validity=False, overwrite=True)
        seeded.append(chapter)
    # Sphinx re-reads a page only when its source is newer than its last build: a chapter whose
    # copy changed since the last seeding gets its notebook's time stamp renewed (content untouched)
    stamp = Path(cache_dir) / "published.json"
    before = json.loads(stamp.read_text()) if stamp.is_file() else {}
    now = {c: _sha((PUBLISHED / f"{c}.ipynb").read_bytes()) for c in seeded}
    for chapter in seeded:
        if before.get(chapter) != now[chapter]:
            os.utime(NOTEBOOKS / f"{chapter}.ipynb")
    stamp.write_text(json.dumps(now))
    print(f"published edition: {len(seeded)} chapter(s) from published/: {', '.join(seeded)}")
    return seeded


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    run_parser = sub.add_parser("run", help="execute chapters at full and publish them")
    run_parser.add_argument("chapters", nargs="*", help=f"default: {' '.join(EDITION)}")
    run_parser.add_argument("--jobs", type=int, default=None,
                            help="chapters executed at the same time (default: 2 on 2 or more cores)")
    sub.add_parser("check", help="exit 1 when a published copy is stale")
    seed_parser = sub.add_parser("seed-cache", help="put current copies into jupyter-cache")
    seed_parser.add_argument("cache_dir", type=Path)
    args = parser.parse_args(argv)
    if args.command == "check":
        return check()
    if args.command == "seed-cache":
        seed_cache(args.cache_dir)
        return 0
    chapters = args.chapters or list(EDITION)
    unknown = [c for c in chapters if not (NOTEBOOKS / f"{c}.ipynb").is_file()]
    if unknown:
        parser.error(f"no such chapter: {', '.join(unknown)} (expected names like {EDITION[0]})")
    if not os.environ.get("LSTM_UTILS_DATA"):
        print("LSTM_UTILS_DATA is not set: the data comes from ~/.cache/lstm_utils or downloads")
    total = time.perf_counter()
    cores = os.cpu_count() or 1
    if args.jobs is not None and args.jobs < 1:
        parser.error(f"expected --jobs >= 1, got {args.jobs}")
    jobs = min(args.jobs or (2 if cores >= 2 else 1), len(chapters))
    threads = str(chapter_threads(cores))
    if jobs == 1:
        os.environ.update(OMP_NUM_THREADS=threads, MKL_NUM_THREADS=threads)
        for chapter in chapters:
            run(chapter, jobs=int(os.environ.get("LSTM_PUBLISH_JOBS", "1")))
    else:
        # one process per chapter
        env = dict(os.environ, OMP_NUM_THREADS=threads, MKL_NUM_THREADS=threads,
                   LSTM_PUBLISH_JOBS=str(jobs))

        def one(chapter: str) -> int:
            command = [sys.executable, __file__, "run", "--jobs", "1", chapter]
            return subprocess.run(command, env=env).returncode

        with ThreadPoolExecutor(jobs) as pool:
            codes = list(pool.map(one, chapters))
        failed = [c for c, code in zip(chapters, codes) if code]
        if failed:
            print(f"failed: {', '.join(failed)}")
            return 1
    print(f"published {len(chapters)} chapter(s) in {(time.perf_counter() - total) / 60:.1f} min")
    return 0


if __name__ == "__main__":
    sys.exit(main())
