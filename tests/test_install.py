"""`pip install .` (not editable) gives a working `oit` anywhere: the wheel carries the rule files
and the demo site, and `oit doctor` says what the machine lacks.

The wheel is built offline from a copy of the sources (no build/ left in the checkout) with this
environment's setuptools, installed into a clean venv outside the repository with --no-deps, and
the dependencies are borrowed from this venv's site-packages (a path line, not its .pth files,
so the editable checkout stays out of sight). No package is downloaded.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SOURCES = ("pyproject.toml", "setup.py", "MANIFEST.in", "README.md", "oit_checker", "rules")


def _run(args: list[str], cwd: Path, env: dict | None = None) -> subprocess.CompletedProcess:
    """Run with a wide terminal: a long temporary path must not wrap inside a printed table."""
    env = {"COLUMNS": "400", **(env or os.environ)}
    return subprocess.run(args, cwd=cwd, capture_output=True, text=True, timeout=300, env=env)


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Path:
    """A clean venv with the wheel installed; returns its bin folder."""
    work = tmp_path_factory.mktemp("install")
    src = work / "src"
    src.mkdir()
    skip = shutil.ignore_patterns("__pycache__", "*.pyc", "*.egg-info", "_data")
    for name in SOURCES:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, src / name, ignore=skip)
        else:
            shutil.copy2(source, src / name)
    shutil.copytree(ROOT / "fixtures" / "demo", src / "fixtures" / "demo", ignore=skip)
    pip = [sys.executable, "-m", "pip", "--disable-pip-version-check"]
    built = _run([*pip, "wheel", str(src), "--no-deps", "--no-build-isolation", "--no-index",
                  "-w", str(work / "dist")], cwd=work)  # fmt: skip
    assert built.returncode == 0, built.stdout + built.stderr
    wheel = next((work / "dist").glob("oit_checker-*.whl"))
    names = zipfile.ZipFile(wheel).namelist()
    assert "oit_checker/_data/rules/ita-2569.toml" in names
    assert "oit_checker/_data/demo/site/ita/index.html" in names
    venv = work / "venv"
    made = _run([sys.executable, "-m", "venv", "--without-pip", str(venv)], cwd=work)
    assert made.returncode == 0, made.stderr
    python = venv / "bin" / "python"
    done = _run([*pip, "--python", str(python), "install", "--no-deps", "--no-index",
                 str(wheel)], cwd=work)  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    site = _run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                cwd=work).stdout.strip()  # fmt: skip
    deps = sysconfig.get_paths()["purelib"]  # this venv's: httpx, typer, pymupdf, ...
    (Path(site) / "borrowed-deps.pth").write_text(deps + "\n", encoding="utf-8")
    return venv / "bin"


def test_the_installed_oit_finds_its_rules_and_demo_from_any_folder(installed, tmp_path):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    oit = str(installed / "oit")
    proc = _run([oit, "rules", "--year", "2568"], cwd=elsewhere)
    assert proc.returncode == 0, proc.stderr
    assert "_data/rules/ita-2568.toml" in "".join(proc.stdout.split())  # a long path may wrap
    assert str(ROOT) not in proc.stdout  # not the checkout's files
    proc = _run([oit, "demo", "--no-progress", "--db", "demo.db", "--json", "demo.json"],
                cwd=elsewhere)  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert (elsewhere / "demo.json").is_file() and "OIT" in proc.stdout
    proc = _run([oit, "doctor"], cwd=elsewhere)
    assert "rules and demo" in proc.stdout and "Tesseract" in proc.stdout, proc.stderr


def test_doctor_names_what_a_missing_part_disables(tmp_path):
    bare = tmp_path / "bin"
    bare.mkdir()  # a PATH with nothing on it: no tesseract, fc-list, pdftotext or soffice
    env = {**os.environ, "PATH": str(bare), "COLUMNS": "200"}
    proc = _run([str(Path(sys.executable).parent / "oit"), "doctor"], cwd=tmp_path, env=env)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    out = proc.stdout
    assert "ไม่พบคำสั่ง tesseract (not installed)" in out
    assert "without it scanned evidence is uncertain" in out
    assert "sudo apt-get install tesseract-ocr tesseract-ocr-tha fonts-thai-tlwg" in out
    assert "Traceback" not in proc.stderr
