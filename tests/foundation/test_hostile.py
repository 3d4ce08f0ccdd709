"""Hostile files through the real command in a subprocess: refused or accepted, never a crash."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from sitebuild import make_project

from .documents import OLDER, OLDER_ID, VALID, VALID_ID

pytestmark = pytest.mark.slow  # the real command in a subprocess per hostile file

MIB = 1024 * 1024
LAUGHS = "\n".join(
    ['a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    + [f"a{n}: &a{n} [{', '.join([f'*a{n - 1}'] * 9)}]" for n in range(1, 10)]
)

# (name, bytes, accepted?)
HOSTILE: list[tuple[str, bytes, bool]] = [
    ("billion-laughs", LAUGHS.encode(), False),
    ("sixty-thousand-aliases", b"a: &a x\nb: [" + b"*a, " * (MIB // 16) + b"]\n", False),
    ("python-object-apply", b"id: !!python/object/apply:os.system ['touch /tmp/pwned']\n", False),
    ("python-name", b"id: !!python/name:os.system\n", False),
    ("mebibyte-deep-flow", b"[" * (MIB - 1), False),
    ("mebibyte-deep-mappings", b"{a: " * (MIB // 4 - 1), False),
    ("deep-compact-sequence-cr", b"a:\r  " + b"- " * (MIB // 2 - 8) + b"x", False),
    ("deep-block", "".join("  " * i + f"k{i}:\n" for i in range(600)).encode(), False),
    ("over-a-mebibyte", b"a: '" + b"x" * MIB + b"'\n", False),
    ("exactly-a-mebibyte-valid", VALID.encode(), True),
    ("many-documents", b"a: 1\n---\n" * 50_000, False),
    ("huge-integer", VALID.replace("1200", "9" * 5000).encode(), False),
    ("huge-exponent", VALID.replace("12.5", "1.0e+999999").encode(), False),
    ("invalid-utf8", b"id: \xff\xfe\n", False),
    ("utf16", VALID.encode("utf-16"), False),
    ("nul-bytes", b"id: a\x00b\n", False),
    ("bom-and-crlf", b"\xef\xbb\xbf" + VALID.replace("\n", "\r\n").encode(), True),
    ("long-line", b"summary: " + b"x" * (MIB - 20) + b"\n", False),
    ("many-keys", b"".join(b"k%d: 1\n" % n for n in range(20_000)), False),
    (
        "html-and-jinja",
        VALID.replace("A deploy.", "'<script>x</script> {{ 7*7 }} {% x %}'").encode(),
        True,
    ),
    ("empty", b"", False),
    ("binary-junk", bytes(range(256)) * 64, False),
]


def _pad_to_a_mebibyte(raw: bytes) -> bytes:
    return raw + b"x-pad: '" + b"p" * (MIB - len(raw) - 10) + b"'\n"


@pytest.fixture(scope="module")
def hostile_project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = make_project(tmp_path_factory.mktemp("hostile"), config=None)
    (root / "incidents" / f"{OLDER_ID}.yaml").write_text(OLDER, encoding="utf-8")
    return root


@pytest.mark.parametrize(("raw", "accepted"), [c[1:] for c in HOSTILE], ids=[c[0] for c in HOSTILE])
def test_hostile_file_is_refused_or_accepted_without_crashing(
    hostile_project: Path, raw: bytes, accepted: bool, request: pytest.FixtureRequest
) -> None:
    if request.node.callspec.id == "exactly-a-mebibyte-valid":
        raw = _pad_to_a_mebibyte(raw)
        assert len(raw) == MIB
    path = hostile_project / "incidents" / f"{VALID_ID}.yaml"
    path.write_bytes(raw)
    env = {**os.environ, "POSTMORTEMS_NO_CACHE": "1"}
    env.pop("GITHUB_ACTIONS", None)
    result = subprocess.run(
        [sys.executable, "-m", "postmortems", "validate", str(path.relative_to(hostile_project))],
        cwd=hostile_project,
        env=env,
        capture_output=True,
        text=True,
        timeout=20,
        check=False,
    )
    assert result.returncode == (0 if accepted else 1), result.stdout[-2000:] + result.stderr
    assert result.stderr == ""
    lines = result.stdout.splitlines()
    assert lines[-1].startswith("1 incident checked, ")
    assert all(line.startswith(f"incidents/{VALID_ID}.yaml:") for line in lines[:-1])
    assert Path("/tmp/pwned").exists() is False
