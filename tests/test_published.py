"""The published edition (scripts/publish.py): pages never show numbers the current code did not print.

A published copy (published/NN.ipynb) is current when the notebook's code cells and every
lstm_utils module the notebook uses are as they were when it was executed. CI fails otherwise.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from notebook_files import REPO as ROOT
from notebook_files import publish

MANIFEST = publish.read_manifest()


def _nb(name: str) -> dict:
    return json.loads((ROOT / "notebooks" / f"{name}.ipynb").read_text())


@pytest.mark.parametrize("chapter", sorted(MANIFEST) or [pytest.param(None, marks=pytest.mark.skip)])
def test_published_copy_matches_the_current_code(chapter):
    reasons = publish.staleness(chapter, MANIFEST[chapter])
    assert not reasons, (
        f"published/{chapter}.ipynb is stale: {'; '.join(reasons)}. "
        f"Regenerate it: LSTM_UTILS_DATA=../shared/data make publish CHAPTER={chapter}"
    )


@pytest.mark.parametrize("chapter", sorted(MANIFEST) or [pytest.param(None, marks=pytest.mark.skip)])
def test_published_copy_ran_whole_at_full_and_says_how(chapter):
    nb = json.loads((ROOT / "published" / f"{chapter}.ipynb").read_text())
    code = [c for c in nb["cells"] if c["cell_type"] == "code"]
    assert [c["execution_count"] for c in code] == list(range(1, len(code) + 1))
    errors = [o for c in code for o in c["outputs"] if o["output_type"] == "error"]
    assert not errors, f"published/{chapter}.ipynb holds an error: {errors[0].get('ename')}"
    first = next(o for c in code for o in c["outputs"] if o.get("name") == "stdout")
    assert "".join(first["text"]).startswith("Run: profile full;")
    assert MANIFEST[chapter]["profile"] == "full" and chapter in publish.EDITION


@pytest.mark.parametrize("chapter", sorted(MANIFEST) or [pytest.param(None, marks=pytest.mark.skip)])
def test_the_book_build_finds_the_published_copy_for_the_clean_notebook(chapter, tmp_path):
    """jupyter-cache matches by a hash of the code cells, their metadata and the kernelspec."""
    jupyter_cache = pytest.importorskip("jupyter_cache")
    nbformat = pytest.importorskip("nbformat")
    cache = jupyter_cache.get_cache(tmp_path / "cache")
    clean = nbformat.read(ROOT / "notebooks" / f"{chapter}.ipynb", as_version=4)
    assert cache.create_hashed_notebook(publish.cache_copy(chapter))[1] == (
        cache.create_hashed_notebook(clean)[1]
    )


def test_every_published_copy_has_a_manifest_entry():
    copies = {p.stem for p in (ROOT / "published").glob("*.ipynb")}
    assert copies == set(MANIFEST)


def test_the_modules_a_chapter_uses_are_followed_through_the_package():
    used = publish.modules_used(_nb("04_mnist_rows"))
    assert "lstm_utils/__init__.py" in used and "lstm_utils/mnist_rows.py" in used
    # imported by mnist_rows, never by the notebook itself
    assert "lstm_utils/data/mnist.py" in used
    assert "lstm_utils/xlstm/cells.py" not in used and "lstm_utils/bench.py" not in used


def test_relative_imports_inside_the_package_are_followed():
    used = publish.modules_used(_nb("05_sentiment"))
    package = [m for m in used if m.startswith("lstm_utils/sentiment/")]
    assert len(package) > 1, package


@pytest.fixture
def copy_of_the_repository(tmp_path):
    """notebooks/, lstm_utils/ and a published copy of chapter 7, in a temporary root."""
    shutil.copytree(ROOT / "notebooks", tmp_path / "notebooks")
    shutil.copytree(ROOT / "lstm_utils", tmp_path / "lstm_utils")
    (tmp_path / "published").mkdir()
    nb = _nb("07_forecasting")
    (tmp_path / "published" / "07_forecasting.ipynb").write_text(json.dumps(nb))
    entry = publish.fingerprint(nb, tmp_path)
    (tmp_path / "published" / "manifest.json").write_text(json.dumps({"07_forecasting": entry}))
    return tmp_path, entry


def test_a_change_to_a_code_cell_makes_the_copy_stale(copy_of_the_repository):
    root, entry = copy_of_the_repository
    assert publish.staleness("07_forecasting", entry, root) == []
    assert publish.check(root) == 0
    path = root / "notebooks" / "07_forecasting.ipynb"
    nb = json.loads(path.read_text())
    cell = next(c for c in nb["cells"] if c["cell_type"] == "code" and "pick(" in "".join(c["source"]))
    cell["source"] = "".join(cell["source"]).replace("pick(", "pick( ", 1)
    path.write_text(json.dumps(nb))
    assert publish.staleness("07_forecasting", entry, root) == [
        "the code cells of notebooks/07_forecasting.ipynb changed"
    ]
    assert publish.check(root) == 1


def test_a_change_to_markdown_keeps_the_copy_current(copy_of_the_repository):
    root, entry = copy_of_the_repository
    path = root / "notebooks" / "07_forecasting.ipynb"
    nb = json.loads(path.read_text())
    next(c for c in nb["cells"] if c["cell_type"] == "markdown")["source"] += "\nA new sentence."
    path.write_text(json.dumps(nb))
    assert publish.staleness("07_forecasting", entry, root) == []


def test_a_change_to_a_module_used_deep_down_makes_the_copy_stale(copy_of_the_repository):
    root, entry = copy_of_the_repository
    deep = next(m for m in entry["modules"] if m.startswith("lstm_utils/data/"))
    with open(root / deep, "a") as f:
        f.write("\n# an edit\n")
    assert publish.staleness("07_forecasting", entry, root) == [f"{deep} changed"]


def test_a_change_to_an_unused_module_keeps_the_copy_current(copy_of_the_repository):
    root, entry = copy_of_the_repository
    assert "lstm_utils/xlstm/cells.py" not in entry["modules"]
    with open(root / "lstm_utils" / "xlstm" / "cells.py", "a") as f:
        f.write("\n# an edit\n")
    assert publish.staleness("07_forecasting", entry, root) == []


def test_a_missing_copy_is_stale(copy_of_the_repository):
    root, entry = copy_of_the_repository
    (root / "published" / "07_forecasting.ipynb").unlink()
    assert publish.staleness("07_forecasting", entry, root) == [
        "published/07_forecasting.ipynb is missing"
    ]


def test_seeded_copy_is_what_the_book_build_finds_for_the_notebook(tmp_path, monkeypatch):
    """The build (myst-nb, execute_notebooks: cache) matches the clean notebook to the copy."""
    jupyter_cache = pytest.importorskip("jupyter_cache")
    nbformat = pytest.importorskip("nbformat")
    nb = nbformat.read(ROOT / "notebooks" / "07_forecasting.ipynb", as_version=4)
    executed = nbformat.from_dict(json.loads(json.dumps(nb)))
    count = 0
    for cell in executed.cells:
        if cell.cell_type == "code":
            count += 1
            cell.execution_count = count
            cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text=f"cell {count}\n")]
    root = tmp_path / "repo"
    (root / "published").mkdir(parents=True)
    nbformat.write(executed, root / "published" / "07_forecasting.ipynb")
    entry = {**publish.fingerprint(json.loads(json.dumps(nb))), "minutes": 2.0}
    (root / "published" / "manifest.json").write_text(json.dumps({"07_forecasting": entry}))
    monkeypatch.setattr(publish, "PUBLISHED", root / "published")
    for cell in executed.cells:  # what the kernel adds to an executed copy
        cell.metadata["execution"] = {"iopub.execute_input": "2026-12-01T00:00:00Z"}
    executed.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3 (ipykernel)"}
    nbformat.write(executed, root / "published" / "07_forecasting.ipynb")
    monkeypatch.setattr(publish, "MANIFEST", root / "published" / "manifest.json")
    monkeypatch.setattr(publish, "staleness", lambda chapter, entry: [])
    assert publish.seed_cache(tmp_path / "cache") == ["07_forecasting"]
    cache = jupyter_cache.get_cache(tmp_path / "cache")
    record = cache.match_cache_notebook(nb)
    assert record.data["execution_seconds"] == 120.0
    _, merged = cache.merge_match_into_notebook(nb)
    outputs = [c.outputs for c in merged.cells if c.cell_type == "code"]
    assert outputs[0][0]["text"] == "cell 1\n" and len(outputs) == count


def _record_many(path: str, first: int) -> None:
    for k in range(first, first + 25):
        publish.record(f"chapter_{k:02d}", {"k": k}, Path(path))


def test_chapters_published_at_the_same_time_keep_each_others_entries(tmp_path):
    """make publish runs two chapters at once (--jobs): both write the manifest."""
    import multiprocessing

    path = tmp_path / "published" / "manifest.json"
    context = multiprocessing.get_context("fork")
    writers = [context.Process(target=_record_many, args=(str(path), first)) for first in (0, 50)]
    for w in writers:
        w.start()
    for w in writers:
        w.join(60)
    assert [w.exitcode for w in writers] == [0, 0]
    manifest = publish.read_manifest(path)
    assert sorted(manifest) == [f"chapter_{k:02d}" for k in (*range(25), *range(50, 75))]
    assert list(manifest) == sorted(manifest) and not list(path.parent.glob("*.tmp"))


def test_publish_refuses_zero_jobs_and_unknown_chapters(capsys):
    for argv in (["run", "--jobs", "0", "07_forecasting"], ["run", "99_nothing"]):
        with pytest.raises(SystemExit) as stop:
            publish.main(argv)
        assert stop.value.code == 2
    err = capsys.readouterr().err
    assert "expected --jobs >= 1, got 0" in err and "no such chapter: 99_nothing" in err


def test_published_outputs_name_the_data_folder_by_its_last_two_parts(tmp_path):
    data = tmp_path / "deep" / "shared" / "data"
    nb = {"cells": [
        {"cell_type": "code", "outputs": [
            {"output_type": "stream", "text": [f"Data used: MNIST, local IDX files in {data}/MNIST/raw\n"]},
            {"output_type": "execute_result", "data": {"text/plain": f"'{data}'"}},
            {"output_type": "stream", "text": "no path here\n"},
        ]},
        {"cell_type": "markdown", "source": str(data)},
    ]}
    assert publish.shorten_paths(nb, str(data)) == 2
    outputs = nb["cells"][0]["outputs"]
    assert outputs[0]["text"] == "Data used: MNIST, local IDX files in .../shared/data/MNIST/raw\n"
    assert outputs[1]["data"]["text/plain"] == "'.../shared/data'"
    assert outputs[2]["text"] == "no path here\n" and publish.shorten_paths(nb, None) == 0


@pytest.mark.parametrize("cores, threads", [(1, "1"), (2, "1"), (16, "8")])
def test_a_chapter_regenerated_alone_gets_the_threads_it_gets_in_the_edition(
    monkeypatch, cores, threads
):
    seen = []
    monkeypatch.setattr(publish.os, "cpu_count", lambda: cores)
    monkeypatch.setattr(publish, "run", lambda chapter, jobs: seen.append(
        (chapter, publish.os.environ["OMP_NUM_THREADS"], publish.os.environ["MKL_NUM_THREADS"])))
    for name in ("OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        monkeypatch.setenv(name, "99")
    assert publish.main(["run", "07_forecasting"]) == 0
    assert seen == [("07_forecasting", threads, threads)]
