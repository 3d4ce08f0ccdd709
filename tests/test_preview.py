"""The banner a live preview shows while incident files are invalid."""

from __future__ import annotations

from postmortems.site.preview import problems_banner, with_banner


def test_the_banner_shows_markup_from_a_file_as_text() -> None:
    banner = problems_banner("a.yaml:5:11: title: '<img src=x onerror=alert(1)>' is wrong\x1b[2J")
    assert "&lt;img src=x onerror=alert(1)&gt;" in banner
    assert "<img" not in banner
    assert "\x1b" not in banner and "\\x1b[2J" in banner


def test_the_banner_goes_first_in_the_body() -> None:
    page = '<html><head><title>x</title></head><body class="a" dir="ltr"><h1>Home</h1></body>'
    shown = with_banner(page, "<div>B</div>")
    assert shown == (
        '<html><head><title>x</title></head><body class="a" dir="ltr"><div>B</div>'
        "<h1>Home</h1></body>"
    )


def test_a_page_without_a_body_tag_gets_the_banner_at_its_start() -> None:
    assert with_banner("<h1>Not found</h1>", "<div>B</div>") == "<div>B</div><h1>Not found</h1>"


def test_a_long_list_of_problems_is_cut_in_the_banner_and_says_where_the_rest_is() -> None:
    problems = "\n".join(f"a.yaml:{line}:1: title: wrong" for line in range(1, 10_001))
    banner = problems_banner(problems)
    assert "a.yaml:1:1: title: wrong" in banner
    assert "a.yaml:10000:1" not in banner
    assert "the terminal and `postmortems validate` list every problem" in banner
    assert len(banner) < 10_000


def test_a_short_list_of_problems_is_shown_whole() -> None:
    assert "list every problem" not in problems_banner("a.yaml:1:1: title: wrong")
