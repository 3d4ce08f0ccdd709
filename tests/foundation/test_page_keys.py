"""What a page's key (``core.cache.fingerprint``) tells apart: a page is made again exactly when
something it shows changed."""

from __future__ import annotations

from dataclasses import dataclass

from postmortems.core.cache import Listing, fingerprint, stable_repr


@dataclass(frozen=True)
class Shown:
    """A row as index pages list it: it stands for its state by its digest, when it has one."""

    title: str
    digest: bytes = b""


def _rows(*titles: str, digests: bool = True) -> list[Shown]:
    return [Shown(title, fingerprint(title) if digests else b"") for title in titles]


def test_a_listing_is_keyed_by_its_rows_digests_in_order() -> None:
    listing = Listing(_rows("a", "b", "c"))

    assert fingerprint(listing) == fingerprint(Listing(_rows("a", "b", "c")))
    assert fingerprint(listing) != fingerprint(Listing(_rows("a", "B", "c")))
    assert fingerprint(listing) != fingerprint(Listing(_rows("c", "b", "a")))
    assert fingerprint(listing) != fingerprint(Listing(_rows("a", "b")))
    assert stable_repr(listing) == f"<Listing {listing.digest.hex()}>"


def test_rows_without_a_digest_are_keyed_by_what_they_hold() -> None:
    plain = Listing(_rows("a", "b", digests=False))
    mixed = Listing([*_rows("a"), *_rows("b", digests=False)])

    assert plain.digest == mixed.digest == b""
    assert fingerprint(plain) == fingerprint(Listing(_rows("a", "b", digests=False)))
    assert fingerprint(plain) != fingerprint(Listing(_rows("a", "B", digests=False)))
    assert fingerprint(mixed) != fingerprint(Listing([*_rows("a"), *_rows("B", digests=False)]))


def test_a_list_shows_each_item_as_it_would_alone() -> None:
    row = _rows("a")[0]
    items = [row, 1, "two", None, [row, (3.5, b"x")], {"k": row}, Shown("plain")]

    assert stable_repr(items) == "[" + ", ".join(stable_repr(item, 1) for item in items) + "]"
    assert stable_repr(items).startswith(f"[<Shown {row.digest.hex()}>, 1, 'two', None, [<Shown")


def test_what_is_nested_too_deep_is_never_taken_for_the_same() -> None:
    nested: list[object] = [_rows("a")[0]]
    for _ in range(12):  # the row, inside the innermost list, is 13 deep
        nested = [nested]

    assert fingerprint(nested) != fingerprint(nested)
