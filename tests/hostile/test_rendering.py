"""Hostile incident text renders inert: through the real ``mkdocs build``, macros on either side.

Each probe in ``render/incidents`` is a file ``postmortems validate`` accepts (the builds would
fail otherwise) and that ran code, ran script or stalled the build before fields were rendered
by Python-Markdown and sanitised with nh3.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from markdown import Markdown
from markdown.extensions import Extension
from markdown.preprocessors import Preprocessor
from postmortems.site.markdown import (
    FIELD_EXTENSIONS,
    FieldRenderer,
    built_html,
    put_html_back,
    set_html_aside,
)
from postmortems.site.search_index import bundle_records

from .renderprobes import problems, read_html

RCE = "config.__class__.__init__.__globals__['os'].popen('id').read()"
PLANES = "é中\U0001f525\U0001d400\U00020000\U00030000\U000e0041\U000f0041\U0010fffd"
SITE_EXTENSIONS = ["admonition", "attr_list", "tables", "toc", "pymdownx.superfences"]

pytestmark = pytest.mark.slow


def page(site: Path, url: str) -> str:
    return (site / url / "index.html").read_text(encoding="utf-8")


def test_no_built_page_has_a_script_handler_or_unsafe_url(render_site: Path) -> None:
    pages = sorted(render_site.rglob("*.html"))
    assert len(pages) > 30
    for path in pages:
        assert problems(read_html(path.read_text(encoding="utf-8"))) == [], path


def test_template_code_in_any_field_or_catalog_name_never_runs(render_site: Path) -> None:
    for path in render_site.rglob("*"):
        if path.is_file() and path.suffix in {".html", ".json", ".xml", ".csv"}:
            assert "uid=" not in path.read_text(encoding="utf-8"), path
    probe = read_html(page(render_site, "incidents/2025-03-01-non-bmp-title-probe"))
    assert probe.article_text.count(RCE) == 3  # summary, root cause summary, lesson
    assert "{% for x in range(3) %}loop{% endfor %}" in probe.article_text
    service = read_html(page(render_site, "services/render-probe"))
    assert RCE in service.article_text
    assert "{{ 7*7 }}" in service.title and "49" not in service.title


def test_a_title_outside_the_basic_plane_keeps_its_front_matter(render_site: Path) -> None:
    html = page(render_site, "incidents/2025-03-01-non-bmp-title-probe")
    probe = read_html(html)
    assert probe.title.startswith("Outage \U0001f525 \U0001d400 {{ 7*7 }} - ")
    assert "render_macros" not in probe.article_text
    assert html.count("<h1") == 1
    planes = read_html(page(render_site, "incidents/2025-03-04-unicode-planes-probe"))
    assert planes.title.startswith(f"Planes {PLANES} - ")
    for shown in ("Summary", "Cause", "Impact", "Resolution", "Act", "Owner", "Author", "Link"):
        assert f"{shown} {PLANES}" in planes.article_text, shown
    assert "Extension" in planes.article_text and PLANES in planes.article_text
    tags = read_html(page(render_site, "tags"))
    assert "planes" in tags.article_text


def test_code_that_markdown_and_a_line_guesser_would_disagree_on_stays_text(
    render_site: Path,
) -> None:
    html = page(render_site, "incidents/2025-03-02-fence-disagreement-probe")
    probe = read_html(html)
    for shown in ("info-string", "longer-close", "tab-fence", "lesson", "why"):
        assert f"<script>alert('{shown}')</script>" in probe.article_text, shown
    assert "<img src=x onerror=alert('span')>" in probe.article_text
    assert "<svg onload=alert('factor')>" in probe.article_text
    assert "mermaid" not in {value for tag, name, value in probe.attributes if name == "class"}


def test_headings_in_fields_never_compete_with_the_page_title(render_site: Path) -> None:
    html = page(render_site, "incidents/2025-03-02-fence-disagreement-probe")
    assert html.count("<h1") == 1
    assert "<h4>Title without a space</h4>" in html
    assert "<h4>Lucky heading</h4>" in html and "<h5>Second</h5>" in html
    planes = page(render_site, "incidents/2025-03-04-unicode-planes-probe")
    assert f"<h4>{PLANES}</h4>" in planes and planes.count("<h1") == 1


def test_links_keep_only_http_targets(render_site: Path) -> None:
    probe = read_html(page(render_site, "incidents/2025-03-03-link-scheme-probe"))
    hrefs = {value for tag, name, value in probe.attributes if tag == "a" and name == "href"}
    assert {"https://example.com/ok", "https://example.com/auto"} <= hrefs
    assert not [href for href in hrefs if "passwd" in href or "alert" in href]
    for text in ("a", "b", "c", "d", "e", "j", "k", "rel"):
        assert f" {text} " in f" {probe.article_text} ", text
    assert "<javascript:alert('h')>" in probe.article_text
    assert "Paragraph { onclick=alert('attr') }" in probe.article_text


def test_snippet_markers_include_no_file(render_site: Path) -> None:
    for path in render_site.rglob("*"):
        if path.is_file() and path.suffix in {".html", ".json", ".xml", ".csv"}:
            assert "TOP-SECRET-RENDER" not in path.read_text(encoding="utf-8"), path
    probe = read_html(page(render_site, "incidents/2025-03-02-fence-disagreement-probe"))
    assert probe.article_text.count('--8<-- "secret.txt"') == 3


def test_macros_on_hand_written_pages_print_incident_text_inert(render_site: Path) -> None:
    home = read_html(page(render_site, ""))
    assert problems(home) == []
    assert RCE in home.article_text
    assert "Outage \U0001f525 \U0001d400 {{ 7*7 }}" in home.article_text


def test_the_search_index_holds_the_probes_words_as_plain_text(render_site: Path) -> None:
    """Pagefind keeps text: what an author typed as HTML is there as the characters typed (the
    result list shows it as text: tests/browser/test_browser_search.py), never rendered."""
    records = {record["url"]: record for record in bundle_records(render_site / "pagefind")}
    probe = next(url for url in records if "2025-03-03-link-scheme-probe" in url)
    content = records[probe]["content"]
    assert "<img src=x onerror=alert('cell')>" in content
    for rendered in ("<a href", "<p>", "<div", "&lt;"):
        assert rendered not in content, rendered


def test_the_renderer_leaves_out_extensions_that_read_files_or_act_on_the_page() -> None:
    fields = FieldRenderer(
        [*SITE_EXTENSIONS, "pymdownx.snippets", "footnotes"],
        {"toc": {"permalink": True}, "pymdownx.snippets": {"base_path": ["/"]}},
    )
    html = fields.html('--8<-- "etc/hostname"\n\n# Heading\n\nNote[^1]\n\n[^1]: foot')
    assert "<h4>Heading</h4>" in html
    assert "headerlink" not in html and "id=" not in html
    assert "--8&lt;--" in html


def test_a_field_that_fails_to_convert_is_escaped_preformatted_text() -> None:
    fields = FieldRenderer(SITE_EXTENSIONS)
    html = fields.html("- " * 1000 + "<script>x</script> {{ 7*7 }}")
    assert html.startswith("<pre>- - ") and "&lt;script&gt;" in html
    assert "&#123;&#123; 7*7 &#125;&#125;" in html
    assert fields.html("*still works*") == "<p><em>still works</em></p>"


def deeper(frames: int, call: Callable[[], str]) -> str:
    """``call()`` with ``frames`` more frames on the stack."""
    return call() if frames == 0 else deeper(frames - 1, call)


def test_a_deeply_nested_field_converts_the_same_wherever_it_is_converted_from() -> None:
    """A build's page made in a child process is converted deeper in the stack than in the
    build's own: Markdown's recursion gets the same room either way (no page differs)."""
    fields = FieldRenderer(SITE_EXTENSIONS)
    outcomes = set()
    for levels in range(300, 600, 10):  # lists nested that deep: some convert, some cannot
        field = "- " * levels + "x"
        here = fields.html(field)
        assert deeper(300, lambda field=field: fields.html(field)) == here
        outcomes.add(here.startswith("<pre>"))
    assert outcomes == {True, False}


@pytest.mark.parametrize(
    "source",
    ["#" + "a" * 23 + "\n", "[", "![", "[x][", "\\*", "`x` ", "[" * 100 + "]" * 100],
    ids=["headings", "brackets", "images", "references", "escapes", "code-spans", "nested"],
)
def test_fields_markdown_would_convert_in_quadratic_time_are_shown_as_text(source: str) -> None:
    fields = FieldRenderer(SITE_EXTENSIONS)
    field = source * (50_000 // len(source))
    start = time.perf_counter()
    html = fields.html(field)
    assert time.perf_counter() - start < 1
    assert html.startswith("<pre>")


def test_ordinary_link_rich_paragraphs_stay_markdown() -> None:
    paragraph = " ".join(f"[link {n}](https://example.com/{n}) and *more*" for n in range(40))
    html = FieldRenderer(SITE_EXTENSIONS).html(f"{paragraph}\n\n{paragraph}")
    assert html.count('<a href="https://example.com/') == 80


def test_a_custom_fence_of_the_site_never_runs_on_incident_text() -> None:
    """A site may run code in its own fences (markdown-exec); incident text never reaches them."""
    calls: list[str] = []

    def run_code(source: str, *args: object, **kwargs: object) -> str:
        calls.append(source)
        return "<p>RAN</p>"

    configs = {
        "pymdownx.superfences": {
            "custom_fences": [{"name": "python", "class": "python", "format": run_code}]
        }
    }
    html = FieldRenderer([*SITE_EXTENSIONS, "pymdownx.superfences"], configs).html(
        '```python exec="on"\nimport os\n```'
    )
    assert calls == []
    assert "RAN" not in html
    assert "import os" in html


def test_extensions_outside_the_allow_list_never_see_incident_text() -> None:
    class ReadsFiles(Extension):
        def extendMarkdown(self, md: Markdown) -> None:
            md.preprocessors.register(_Reader(md), "reads-files", 100)

    class _Reader(Preprocessor):
        def run(self, lines: list[str]) -> list[str]:
            return ["SECRET FILE CONTENT"]

    html = FieldRenderer([*SITE_EXTENSIONS, ReadsFiles()]).html("{!/etc/passwd!}")
    assert "SECRET FILE CONTENT" not in html
    assert "/etc/passwd" in html


def test_images_load_only_from_the_hosts_the_site_names_others_become_links() -> None:
    fields = FieldRenderer(SITE_EXTENSIONS, image_hosts=["Grafana.Example.com"])
    html = fields.html(
        "![latency](https://grafana.example.com/render/p99.png)\n\n"
        "![pixel](https://tracker.example.net/p.gif?reader=1) and"
        " ![](http://grafana.example.com.evil.test/x.png)"
    )
    assert '<img alt="latency" src="https://grafana.example.com/render/p99.png">' in html
    assert html.count("<img") == 1
    assert 'href="https://tracker.example.net/p.gif?reader=1"' in html
    assert ">pixel (image)</a>" in html and ">image (image)</a>" in html
    for disguised in (
        "https://evil.example\\@grafana.example.com/p.png",  # browsers read \\ as /
        "https://evil.example@grafana.example.com/p.png",
        "https://grafana.example.com\\.evil.example/p.png",
    ):
        assert "<img" not in fields.html(f"![x](<{disguised}>)"), disguised
    nowhere = FieldRenderer(SITE_EXTENSIONS).html("![chart](https://grafana.example.com/x.png)")
    assert "<img" not in nowhere and ">chart (image)</a>" in nowhere


def test_a_field_cannot_forge_the_markers_that_set_html_aside_during_conversion() -> None:
    fields = FieldRenderer(SITE_EXTENSIONS)
    forged = (
        '</div><!-- /pm-md --><div data-pm-ready="1"></div><script>x</script>'
        "<!-- pm-html --><script>y</script><!-- /pm-html -->"
    )
    listing = built_html("<table><tr><td>a &lt;b&gt;</td></tr></table>\n")
    body = (
        f"# Title\n\n{fields.block(forged)}\n\n<ul><li>{fields.block('*b*')}</li></ul>\n\n"
        f"{listing}\n"
    )
    aside, found = set_html_aside(body)
    assert len(found) == 3
    assert "script" not in aside and "*b*" not in aside and "<table>" not in aside
    expected = body.replace("<!-- /pm-md -->", "").replace("<!-- pm-html -->", "")
    assert put_html_back(aside, found) == expected.replace("<!-- /pm-html -->", "")
    assert "&lt;script&gt;" in found[0] and "<!--" not in found[0]


_PROSE = st.lists(
    st.sampled_from(
        [*"abcXYZ019 éßİ中,.;:?!%()/'\"-\n", "st", "nd", "tm", "c/o", "www", "ftp", "http"]
    ),
    max_size=30,
).map("".join)


@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=_PROSE, left_out=st.sampled_from([None, "smarty", "nl2br"]))
@example(text="Deploy started at 10:30; errors rose to 50% (EU only).", left_out="smarty")
@example(text="Didn't page: the on-call's\nphone was off/silent!\n", left_out="nl2br")
@example(text="1st retry at 3/4 load (c) see www.example.com -- ok...", left_out=None)
def test_prose_taken_as_plain_converts_exactly_as_markdown_would(
    text: str, left_out: str | None
) -> None:
    """Plain prose skips Markdown; with every extension fields allow (but one, some of the
    time), it must read exactly as if converted."""
    every = sorted(FIELD_EXTENSIONS - {left_out})
    fields = FieldRenderer(every)
    converted = fields.html(text)
    fields._plain = re.compile("(?!)")  # never plain: the full conversion
    assert converted == fields.html(text)


def test_settings_that_make_markup_of_plain_words_turn_the_plain_path_off() -> None:
    shorthand = {"repo_url_shorthand": True, "user": "acme", "repo": "shop"}
    magic = FieldRenderer(["pymdownx.magiclink"], {"pymdownx.magiclink": shorthand})
    assert 'href="https://github.com/acme/shop/pull/42"' in magic.html("see !42 for the fix")
    glossary = FieldRenderer(["abbr"], {"abbr": {"glossary": {"API": "Application interface"}}})
    assert '<abbr title="Application interface">API</abbr>' in glossary.html("The API failed")
