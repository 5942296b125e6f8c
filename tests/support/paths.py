"""Where the tests find the repository and the real files beside it."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CORPUS = ROOT / ".." / "shared" / "corpus"
CORPUS_FILES = sorted(CORPUS.glob("*.nir")) if CORPUS.is_dir() else []
