"""What a preview keeps from one rebuild to the next (``core.cache.Carried``): values made from
an unchanged incident are reused, never one made from something else."""

from __future__ import annotations

from dataclasses import dataclass, field

from postmortems.core.cache import Carried, kept_by_digest


@dataclass(frozen=True)
class Item:
    name: str
    digest: bytes = field(default=b"", compare=False)


@dataclass(frozen=True)
class Made:
    item: Item


def _made(carried: Carried[bytes, Made], items: list[Item], context: object = None) -> list[Made]:
    return kept_by_digest(carried, context, items, Made, lambda made: made.item)


def test_values_are_kept_by_digest_for_the_same_objects_in_the_same_context() -> None:
    carried: Carried[bytes, Made] = Carried()
    kept, plain = Item("kept", b"k"), Item("plain")
    first = _made(carried, [kept, plain])
    again = _made(carried, [kept, plain])

    assert again[0] is first[0]
    assert again[1] is not first[1] and again[1] == first[1]  # no digest: made anew
    assert _made(carried, [kept], context="another day")[0] is not first[0]


def test_an_equal_item_loaded_again_gets_a_value_made_from_it() -> None:
    carried: Carried[bytes, Made] = Carried()
    first = Item("same", b"s")
    _made(carried, [first])
    loaded_again = Item("same", b"s")

    made = _made(carried, [loaded_again])[0]

    assert made.item is loaded_again
    assert _made(carried, [loaded_again])[0] is made
