"""Shared fixtures: the real corpus beside the repository and the reference package's interpreter."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from support.paths import CORPUS, ROOT


@pytest.fixture
def corpus() -> Path:
    """The folder of real .nir files from the NIR paper (../shared/corpus from the repo root)."""
    if not CORPUS.is_dir():
        pytest.skip("../shared/corpus is absent: the real NIR files from the paper are not beside this checkout")
    return CORPUS


@pytest.fixture(scope="session")
def reference_python() -> str:
    """Path of a Python interpreter with the reference package nir==1.0.8 (set by `make pytest`)."""
    path = os.environ.get("NIR_REFERENCE_PYTHON", str(ROOT / ".venv-reference" / "bin" / "python"))
    if not Path(path).exists():
        pytest.skip("the reference package is not installed: run `make reference-env` (make test does)")
    return path
