"""Build hook: a wheel carries the top-level process files, templates and catalogs (``core/resources.py``).

Everything else about the project is declared in ``pyproject.toml``.
"""

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

SHIPPED = ("workflows/bpmn", "opinion_templates", "catalogs", "discretion")  # = review_service.core.resources.SHIPPED


class BuildWithResources(build_py):
    def run(self) -> None:
        super().run()
        root = Path(__file__).resolve().parent
        for relative in SHIPPED:
            source = root / relative
            if source.is_dir():
                target = Path(self.build_lib) / "review_service" / "_resources" / relative
                shutil.copytree(source, target, dirs_exist_ok=True,
                                ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))


setup(cmdclass={"build_py": BuildWithResources})
