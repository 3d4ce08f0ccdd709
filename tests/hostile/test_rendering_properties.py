"""Generated adversarial Markdown in every kind of field, through the real ``mkdocs build``.

Each example puts a batch of generated values into the Markdown fields (and the title and
catalog description) of one incident and builds the whole site: it must build, and no page may
hold a script of ours, an event-handler attribute or a ``javascript:`` URL.
"""

from __future__ import annotations

import re
import shutil
import tempfile
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from .renderprobes import RENDER, build_project, problems, read_html, render_project

pytestmark = pytest.mark.slow

INDENT = st.sampled_from(["", " ", "   ", "    ", "\t", "  \t"])
FENCE = st.builds(
    lambda marker, length, indent, info: indent + marker * length + info,
    st.sampled_from(["`", "~"]),
    st.integers(2, 5),
    INDENT,
    st.sampled_from(["", " x y", " python", "mermaid", " {.py #id onclick=x}", " `", " ~~~"]),
)
DANGER = st.sampled_from(
    [
        "<script>alert(1)</script>",
        "<img src=x onerror=alert(1)>",
        "<svg onload=alert(1)>",
        "<a href='javascript:alert(1)'>a</a>",
        "<iframe src=javascript:alert(1)>",
        "[l](javascript:alert(1))",
        "[l](&#x6A;avascript:alert(1))",
        "[l](  JaVaScRiPt:alert(1) )",
        "![i](javascript:alert(1))",
        "[r]\n\n[r]: javascript:alert(1)",
        "<javascript:alert(1)>",
        "[d](data:text/html,<script>alert(1)</script>)",
        "{ onclick=alert(1) }",
        "{: onmouseover=alert(1) }",
        "&lt;script&gt;",
        "&#60;script&#62;alert(1)",
        "<!-- x --><![CDATA[<script>alert(1)</script>]]>",
        "{{ 7*7 }}",
        "{% raw %}",
        '--8<-- "secret.txt"',
        "`",
        "``",
        "<",
        "</div>",
        "<div markdown=1>",
        "*",
        "#",
        "# h",
        "- ",
        "> ",
        "1. ",
        "!!! note",
        "???+ tip",
        "|a|b|\n|-|-|\n|<b onclick=x>|c|",
        "\\",
        "x",
    ]
)
LINE = st.one_of(
    FENCE, st.builds(lambda i, parts: i + "".join(parts), INDENT, st.lists(DANGER, max_size=4))
)
MARKDOWN = st.lists(LINE, min_size=1, max_size=12).map(
    lambda lines: "\n".join(lines).strip() or "x"
)


def incident(values: list[str], title: str) -> dict[str, object]:
    first, *rest = values
    return {
        "id": "2025-04-01-generated-probe",
        "title": title,
        "status": "draft",
        "severity": "SEV3",
        "summary": first,
        "services": ["render-probe"],
        "started_at": "2025-04-01T10:00:00Z",
        "impact": {"summary": rest[0] if rest else "x", "business": "\n\n".join(rest)},
        "root_cause": {
            "category": "software-bug",
            "summary": title,
            "five_whys": [" ".join(value.split()) or "x" for value in rest] or ["x"],  # one line
            "description": "\n\n".join(values),
        },
        "contributing_factors": [{"title": title, "description": value} for value in rest[:3]],
        "resolution": first,
        "timeline": [{"event": value} for value in values],
        "lessons": {"went_wrong": values},
    }


@settings(
    max_examples=25,
    deadline=None,
    phases=[Phase.explicit, Phase.generate],  # each example is a whole build: no shrinking
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(
    values=st.lists(MARKDOWN, min_size=1, max_size=8),
    title=LINE.map(lambda s: " ".join(s.split()) or "t"),
)
def test_generated_markdown_builds_and_renders_inert(values: list[str], title: str) -> None:
    with tempfile.TemporaryDirectory() as folder:
        catalog_only = Path(folder) / "catalog"
        catalog_only.mkdir()
        shutil.copy(RENDER / "incidents" / "_services.yaml", catalog_only)
        project = render_project(
            Path(folder) / "project", macros_first=False, incidents=catalog_only
        )
        generated = project / "incidents" / "2025-04-01-generated-probe.yaml"
        generated.write_text(yaml.safe_dump(incident(values, title[:200])), encoding="utf-8")
        catalog = project / "incidents" / "_services.yaml"
        services = yaml.safe_load(catalog.read_text(encoding="utf-8"))
        services["render-probe"]["description"] = "\n\n".join(values)
        catalog.write_text(yaml.safe_dump(services), encoding="utf-8")
        site = build_project(project)
        for url in ("incidents/2025-04-01-generated-probe", "services/render-probe", ""):
            html = (site / url / "index.html").read_text(encoding="utf-8")
            assert problems(read_html(html)) == [], url
            assert not re.search(r"<a\b[^>]*href=\"\s*javascript:", html, re.IGNORECASE), url
            assert html.count("<h1") == 1, url
