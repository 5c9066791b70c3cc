"""The package installs and runs where pyproject.toml says it does: Python and torch lower bounds."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from packaging.requirements import Requirement

from notebook_files import NOTEBOOKS, REPO

try:
    import tomllib  # novermin: Python 3.10 skips the tests that need it
except ModuleNotFoundError:  # Python 3.10
    tomllib = None

PYPROJECT = (REPO / "pyproject.toml").read_text()
VERMIN = Path(sys.executable).with_name("vermin")


def _lower_bound(specifier: str) -> str:
    found = re.fullmatch(r">=\s*([\d.]+)", specifier.strip())
    assert found, f"expected a lower bound '>=X.Y', got {specifier!r}"
    return found.group(1)


def _project() -> dict:
    if tomllib is None:
        pytest.skip("tomllib needs Python 3.11")
    return tomllib.loads(PYPROJECT)["project"]


def _notebook_code(path: Path) -> str:
    """A notebook's code cells as a Python file; IPython magics (``%pip``) become ``pass``."""
    cells = [c.source for c in nbformat.read(path, as_version=4).cells if c.cell_type == "code"]
    lines = "\n\n".join(cells).splitlines()
    return "\n".join(re.sub(r"^(\s*)[%!].*", r"\1pass", line) for line in lines) + "\n"


def _vermin(target: str, paths: list[Path]) -> subprocess.CompletedProcess:
    if not VERMIN.exists():
        pytest.fail(f"vermin is not installed beside {sys.executable}: reinstall the venv (make venv)")
    command = [str(VERMIN), f"--target={target}-", "--violations", "--no-tips", "--processes=1"]
    return subprocess.run(command + [str(p) for p in paths], capture_output=True, text=True)


def test_code_and_notebooks_run_on_the_oldest_python_pyproject_admits(tmp_path):
    oldest = _lower_bound(_project()["requires-python"])
    for path in NOTEBOOKS:
        (tmp_path / f"{path.stem}.py").write_text(_notebook_code(path))
    result = _vermin(oldest, [REPO / "lstm_utils", REPO / "scripts", REPO / "tests", tmp_path])
    report = result.stdout + result.stderr
    assert result.returncode == 0 and "error:" not in report, f"code that needs a Python newer than {oldest}:\n{report}"


def test_vermin_catches_a_feature_newer_than_the_target(tmp_path):
    (tmp_path / "new.py").write_text("try:\n    pass\nexcept* ValueError:\n    pass\n")
    result = _vermin("3.10", [tmp_path])
    assert result.returncode != 0 and "except*" in result.stdout


def test_colab_env_torch_is_admitted_by_the_lower_bound_and_named_in_readme():
    torch_requirement = next(Requirement(r) for r in _project()["dependencies"] if r.startswith("torch"))
    pins = [Requirement(line) for line in (REPO / "requirements" / "colab.txt").read_text().splitlines()
            if line.strip() and not line.startswith("#")]
    assert [p.name for p in pins] == ["torch"], "requirements/colab.txt pins torch only"
    version = str(pins[0].specifier).removeprefix("==")
    assert torch_requirement.specifier.contains(version), f"torch {version} is below pyproject's {torch_requirement}"
    assert f"torch {version}" in (REPO / "README.md").read_text(), f"README must name the Colab-like env's torch {version}"


def test_torchvision_bound_pairs_with_the_torch_bound():
    """torchvision 0.N pairs with torch 2.(N-15): the lower bounds must name a pair that exists together."""
    optional = _project()["optional-dependencies"]
    vision = next(Requirement(r) for r in optional["vision"] if r.startswith("torchvision"))
    torch_requirement = next(Requirement(r) for r in _project()["dependencies"] if r.startswith("torch"))
    torch_minor = int(_lower_bound(str(torch_requirement.specifier)).split(".")[1])
    vision_minor = int(_lower_bound(str(vision.specifier)).split(".")[1])
    assert vision_minor == torch_minor + 15, f"torchvision>=0.{vision_minor} does not pair with torch>=2.{torch_minor}"
