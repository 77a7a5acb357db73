"""Build step only (the metadata is in pyproject.toml): a wheel carries the rule files and the
demo site inside the package, as oit_checker/_data/{rules,demo}, so an installed `oit` finds them
from any folder (oit_checker/paths.py). A checkout and an editable install use rules/ and
fixtures/demo/ where they are."""

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

HERE = Path(__file__).resolve().parent
DATA = {"rules": HERE / "rules", "demo": HERE / "fixtures" / "demo"}
SKIP = shutil.ignore_patterns("__pycache__", "*.pyc", "build.py", "*.db", ".*")


class BuildWithData(build_py):
    def run(self) -> None:
        super().run()
        if getattr(self, "editable_mode", False):
            return  # an editable install reads rules/ and fixtures/demo/ in place
        for name, source in DATA.items():
            target = Path(self.build_lib) / "oit_checker" / "_data" / name
            shutil.copytree(source, target, ignore=SKIP, dirs_exist_ok=True)


setup(cmdclass={"build_py": BuildWithData})
