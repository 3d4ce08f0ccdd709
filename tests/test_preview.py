"""The banner a live preview shows while incident files are invalid."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any
from wsgiref.types import StartResponse, WSGIApplication, WSGIEnvironment

from postmortems.site.preview import problems_banner, showing_problems, with_banner


def test_the_banner_shows_markup_from_a_file_as_text() -> None:
    banner = problems_banner("a.yaml:5:11: title: '<img src=x onerror=alert(1)>' is wrong\x1b[2J")
    assert "&lt;img src=x onerror=alert(1)&gt;" in banner
    assert "<img" not in banner
    assert "\x1b" not in banner and "\\x1b[2J" in banner


def test_the_banner_goes_first_in_the_body() -> None:
    page = b'<html><head><title>x</title></head><body class="a" dir="ltr"><h1>Home</h1></body>'
    shown = with_banner(page, "<div>B</div>")
    assert shown == (
        b'<html><head><title>x</title></head><body class="a" dir="ltr"><div>B</div>'
        b"<h1>Home</h1></body>"
    )


def test_a_page_without_a_body_tag_gets_the_banner_at_its_start() -> None:
    assert with_banner(b"<h1>Not found</h1>", "<div>B</div>") == b"<div>B</div><h1>Not found</h1>"


def test_a_long_list_of_problems_is_cut_in_the_banner_and_says_where_the_rest_is() -> None:
    problems = "\n".join(f"a.yaml:{line}:1: title: wrong" for line in range(1, 10_001))
    banner = problems_banner(problems)
    assert "a.yaml:1:1: title: wrong" in banner
    assert "a.yaml:10000:1" not in banner
    assert "the terminal and `postmortems validate` list every problem" in banner
    assert len(banner) < 10_000


def test_a_short_list_of_problems_is_shown_whole() -> None:
    assert "list every problem" not in problems_banner("a.yaml:1:1: title: wrong")


class Answer:
    """A WSGI answer as a server would send it."""

    def __init__(self) -> None:
        self.status = ""
        self.headers: dict[str, str] = {}

    def start_response(self, status: str, headers: list[tuple[str, str]], *_: object) -> Any:
        self.status, self.headers = status, dict(headers)
        return lambda data: None


def serving(content_type: str, body: bytes, closed: list[bool]) -> WSGIApplication:
    """A server answering every request with ``body``; ``closed`` records that it was closed."""

    class Body(list[bytes]):
        def close(self) -> None:
            closed.append(True)

    def app(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        length = str(len(body))
        start_response("200 OK", [("Content-Type", content_type), ("Content-Length", length)])
        return Body([body])

    return app


PAGE = '<html><body class="md">Ünïcode page</body></html>'.encode()


def test_the_preview_server_puts_the_banner_on_every_html_page_while_files_are_invalid() -> None:
    closed: list[bool] = []
    shown = showing_problems(serving("text/html; charset=utf-8", PAGE, closed), lambda: "a:1:1: x")
    answer = Answer()
    body = b"".join(shown({}, answer.start_response))
    assert body.startswith(b'<html><body class="md"><div class="postmortems-preview-problems"')
    assert body.endswith("Ünïcode page</body></html>".encode()) and b"a:1:1: x" in body
    assert answer.headers["Content-Length"] == str(len(body)) and closed == [True]


def test_other_answers_and_valid_files_pass_through_the_preview_server_untouched() -> None:
    closed: list[bool] = []
    index = serving("application/json", b'{"pages": 1}', closed)
    answer = Answer()
    assert b"".join(showing_problems(index, lambda: "a:1:1: x")({}, answer.start_response)) == (
        b'{"pages": 1}'
    )
    assert answer.headers["Content-Length"] == "12"
    page = serving("text/html", PAGE, closed)
    assert b"".join(showing_problems(page, lambda: None)({}, Answer().start_response)) == PAGE


def test_a_page_asked_for_during_a_rebuild_shows_what_that_rebuild_found() -> None:
    """MkDocs holds a request until the rebuild under way is done: the banner is the one of
    the pages it then answers with (that tab's live reload will not come back for it)."""
    found: list[str | None] = [None]
    page = serving("text/html", b"<body>\xff not UTF-8</body>", [])

    def rebuilt_meanwhile(environ: WSGIEnvironment, start_response: StartResponse) -> Any:
        answer = page(environ, start_response)
        found[0] = "a.yaml:1:1: title: wrong"  # the rebuild ended while the request waited
        return answer

    body = b"".join(
        showing_problems(rebuilt_meanwhile, lambda: found[0])({}, Answer().start_response)
    )
    assert b"a.yaml:1:1: title: wrong" in body and body.endswith(b"\xff not UTF-8</body>")
