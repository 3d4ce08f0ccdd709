"""Pagefind's indexing service, spoken directly: pages in over stdin, the bundle's files back.

``pagefind --service`` (the binary of the ``pagefind-bin`` package) reads base64-encoded JSON
requests separated by commas and answers each the same way. Speaking it here, rather than
through Pagefind's Python API or its command line:

- pages go in as they are (no staging folder of 10,000 small files, slow to write and delete),
  in the given order, which fixes each page's number in the index: identical input, identical
  bundle;
- requests are pipelined (the Python API reads one response per 0.1 s: minutes at 10,000 pages);
- the files come back in memory (``GetFiles``) and are written here, whole. (The service's own
  ``WriteFiles`` answers before its writes are flushed, and the service exits as soon as its
  input closes, so files can be cut short; the command line creates 10,000 files at once.)

Pure core: no MkDocs.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import json
import os
import subprocess
import tempfile
import threading
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import IO, Any

import pagefind_bin

ALLOCATOR = {"_RJEM_MALLOC_CONF": "dirty_decay_ms:1000,muzzy_decay_ms:0"}
"""Pagefind's Linux build allocates with jemalloc, which by default keeps freed memory for 10 s
while indexing moves from one phase to the next; returning it within 1 s lowers the peak RSS of
indexing 10,000 incidents from 1.49 GB to 1.25 GB, for 1 % more CPU time (0 s: 1.22 GB, 7 %)."""

_ERRORS_SHOWN = 5


@dataclass(frozen=True)
class Page:
    """One HTML page for the index: its path in the site (``incidents/x/index.html``)."""

    path: str
    html: str


@dataclass(frozen=True)
class IndexedSite:
    """What the service returned: each page's URL (in the pages' order) and the bundle's files."""

    urls: list[str]
    files: dict[str, bytes]
    """Each file's path inside the bundle (``fragment/en_1a2b3c4.pf_fragment``) and content."""


def index_pages(pages: Iterable[Page], config: Mapping[str, Any]) -> IndexedSite:
    """Index ``pages`` with one Pagefind service; ``config`` is its ``NewIndex`` configuration.

    ``pages`` is read while the service indexes the pages before: building them overlaps with
    Pagefind's work. Raises ``RuntimeError`` with Pagefind's words when it refuses a page or
    stops; an error raised by ``pages`` itself comes through as it is.
    """
    sent: list[str] = []  # the pages' paths (their HTML is not kept: megabytes at 10,000)
    failed: list[BaseException] = []
    with (
        tempfile.TemporaryFile() as stderr,
        subprocess.Popen(
            [str(pagefind_bin.get_executable()), "--service"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=stderr,
            env={**ALLOCATOR, **os.environ},
        ) as process,
    ):
        assert process.stdin is not None and process.stdout is not None
        writer = threading.Thread(
            target=_send_all,
            args=(process.stdin, _requests(pages, config, sent), failed),
            daemon=True,
        )
        writer.start()
        try:
            # The block's end closes the service's input, and the service exits.
            answers = _collect(_responses(process.stdout), sent)
        except RuntimeError as error:
            process.kill()
            process.wait()
            writer.join()
            if failed:
                raise failed[0] from None
            with contextlib.suppress(OSError):
                process.stdin.close()
            stderr.seek(0)
            said = stderr.read().decode("utf-8", errors="replace").strip()
            raise RuntimeError(f"{error}{': ' + said if said else ''}") from None
        finally:
            writer.join()
    urls, refused, files = answers
    if refused:
        problems = [f"{_page_path(sent, number)}: {message}" for number, message in refused]
        more = f" (and {len(refused) - _ERRORS_SHOWN} more)" if len(refused) > _ERRORS_SHOWN else ""
        raise RuntimeError("pagefind refused " + "; ".join(problems[:_ERRORS_SHOWN]) + more)
    return IndexedSite([urls.get(number, "") for number in range(1, len(sent) + 1)], files)


def _requests(
    pages: Iterable[Page], config: Mapping[str, Any], sent: list[str]
) -> Iterator[dict[str, Any]]:
    """A new index (the service's first: number 0), its pages (each one's path kept in
    ``sent``), then the request for its files."""
    yield {"type": "NewIndex", "config": dict(config)}
    for page in pages:
        sent.append(page.path)
        yield {
            "type": "AddFile",
            "index_id": 0,
            "file_path": page.path,
            "url": None,
            "file_contents": page.html,
        }
    yield {"type": "GetFiles", "index_id": 0}


def _send_all(
    stdin: IO[bytes], requests: Iterator[dict[str, Any]], failed: list[BaseException]
) -> None:
    """Write every request, numbered from 0. A service that stops reading ends it; anything else
    that goes wrong here is kept in ``failed`` and closes the service's input, so it exits and
    the reader is not left waiting for answers to requests never sent."""
    try:
        for number, payload in enumerate(requests):
            message = json.dumps({"message_id": number, "payload": payload}, ensure_ascii=False)
            stdin.write(base64.b64encode(message.encode("utf-8")) + b",")
        stdin.flush()
    except OSError:  # the service stopped: the reader finds its output closed and reports it
        pass
    except BaseException as error:
        failed.append(error)
        with contextlib.suppress(OSError):
            stdin.close()


def _collect(
    responses: Iterator[dict[str, Any]], sent: Sequence[str]
) -> tuple[dict[int, str], list[tuple[int, str]], dict[str, bytes]]:
    """The answers: the new index; for each page its URL, or why it was refused (both by request
    number); then the bundle's files. (A page is in ``sent`` before it is sent, so an answer
    numbered past them is the last request's.)"""
    if _expect(next(responses, None), "NewIndex")["index_id"] != 0:
        raise RuntimeError("pagefind did not give the new index number 0")
    urls: dict[int, str] = {}
    refused: list[tuple[int, str]] = []
    for response in responses:
        payload = response["payload"]
        number = response.get("message_id") or 0
        if number > len(sent):
            return urls, refused, _decoded_files(_expect(response, "GetFiles")["files"])
        if payload["type"] == "IndexedFile":
            urls[number] = payload["page_url"]
        else:
            refused.append((number, str(payload.get("message", payload["type"]))))
    raise RuntimeError("pagefind stopped before answering GetFiles")


def _decoded_files(files: list[dict[str, str]]) -> dict[str, bytes]:
    """The bundle's files from the ``GetFiles`` answer, each encoded content dropped once decoded
    (at 10,000 incidents the answer holds 20 MB of base64)."""
    files.reverse()
    decoded: dict[str, bytes] = {}
    while files:
        file = files.pop()
        decoded[file["path"]] = binascii.a2b_base64(file["content"])
    return decoded


def _page_path(sent: Sequence[str], number: int) -> str:
    return sent[number - 1] if 1 <= number <= len(sent) else "a page"


def _expect(response: dict[str, Any] | None, kind: str) -> dict[str, Any]:
    if response is None:
        raise RuntimeError(f"pagefind stopped before answering {kind}")
    payload: dict[str, Any] = response["payload"]
    if payload["type"] != kind:
        raise RuntimeError(f"pagefind answered {kind} with {payload.get('message', payload)}")
    return payload


def _responses(stdout: IO[bytes]) -> Iterator[dict[str, Any]]:
    """The service's answers, in order, until its output ends."""
    pending = bytearray()
    scanned = 0
    while True:
        end = pending.find(b",", scanned)
        if end < 0:
            scanned = len(pending)
            chunk = os.read(stdout.fileno(), 1 << 20)
            if not chunk:
                return
            pending += chunk
            continue
        # Decoded in place, not copied first, and let go before it is parsed: the last answer,
        # the bundle, is tens of megabytes.
        with memoryview(pending) as whole, whole[:end] as encoded:
            message = binascii.a2b_base64(encoded)
        del pending[: end + 1]  # (a bytearray shrunk by over half gives its buffer back)
        scanned = 0
        answer = json.loads(message)
        del message  # not kept while the answer is used
        yield answer
