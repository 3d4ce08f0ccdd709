"""Golden files: output compared with a file kept in the repository.

After an intended change, rewrite them with ``UPDATE_GOLDEN=1 pytest ...`` and review the diff.
"""

from __future__ import annotations

import os
from pathlib import Path


def assert_matches_golden(text: str, golden: Path) -> None:
    """``text`` equals the golden file (written first when ``UPDATE_GOLDEN`` is set)."""
    if os.environ.get("UPDATE_GOLDEN"):
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_text(text, encoding="utf-8")
    assert text == golden.read_text(encoding="utf-8")
