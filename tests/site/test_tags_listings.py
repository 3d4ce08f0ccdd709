"""Material's tags listings a preview keeps: its own known template only, keyed as printed."""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import jinja2
import material
import pytest
from mkdocs.theme import Theme
from postmortems.site import tags_listings
from postmortems.site.tags_listings import _is_materials_listing, shown, templates_folder

LISTING = "fragments/tags/default/listing.html"


def tree(content: str, pages: list[tuple[Any, Any]], children: list[Any] = ()) -> Any:
    """A listing tree as Material's tags plugin makes it (iterating gives its subtrees)."""
    mappings = [SimpleNamespace(item=SimpleNamespace(url=url, title=title)) for url, title in pages]

    class Tree(SimpleNamespace):
        def __iter__(self) -> Any:
            return iter(children)

    return Tree(content=content, mappings=mappings)


def test_titles_that_print_differently_never_share_a_kept_listing() -> None:
    """A hand-written page's front matter may give a number or a list as its title: the template
    prints it, so ``1`` and ``1.0`` (equal numbers) are different listings, and a list is keyed
    by its text instead of failing."""
    as_int = shown(tree("<h2>search</h2>", [("a/", 1)]))
    as_float = shown(tree("<h2>search</h2>", [("a/", 1.0)]))
    assert as_int != as_float
    hash(tuple(shown(tree("<h2>search</h2>", [("a/", ["a"])]))))


def test_nested_listings_are_keyed_by_their_place_in_the_tree() -> None:
    """The same tags nested differently print differently: the key tells them apart."""
    child = tree("<h3>db</h3>", [("b/", "B")])
    nested = shown(tree("<h2>infra</h2>", [("a/", "A")], [child]))
    flat = shown(tree("<h2>infra</h2>", [("a/", "A")])) + shown(tree("<h3>db</h3>", [("b/", "B")]))
    assert nested != flat


@pytest.fixture
def env() -> jinja2.Environment:
    """The environment MkDocs makes for Material (a new one per build)."""
    return Theme(name="material").get_env()


def test_material_s_own_listing_template_is_kept(env: jinja2.Environment) -> None:
    assert _is_materials_listing(LISTING, env.get_template(LISTING))


@pytest.mark.parametrize(
    "change",
    [
        pytest.param(lambda env: env.filters.__setitem__("url", lambda value: value), id="url"),
        pytest.param(lambda env: setattr(env, "autoescape", True), id="autoescape"),
        pytest.param(lambda env: setattr(env, "finalize", lambda value: value), id="finalize"),
    ],
)
def test_a_listing_printed_otherwise_is_rendered_every_time(
    env: jinja2.Environment, change: Any
) -> None:
    """Another ``url`` filter (a hook's), escaping or a ``finalize`` may print more than the key
    holds: never kept."""
    change(env)
    assert not _is_materials_listing(LISTING, env.get_template(LISTING))


def test_a_copy_of_material_s_listing_template_elsewhere_is_a_site_s_own(
    env: jinja2.Environment, tmp_path: Path
) -> None:
    """A site's override is rendered every time, even when it starts as a copy of Material's;
    Material's own file reached through a symbolic link (a linked virtual environment) is kept."""
    material_file = Path(env.get_template(LISTING).filename or "")
    copied = tmp_path / "overrides" / LISTING
    copied.parent.mkdir(parents=True)
    shutil.copy(material_file, copied)
    overridden = jinja2.Environment(loader=jinja2.FileSystemLoader(str(tmp_path / "overrides")))
    overridden.filters["url"] = env.filters["url"]
    assert not _is_materials_listing(LISTING, overridden.get_template(LISTING))
    linked = tmp_path / "linked"
    linked.symlink_to(material_file.parents[3], target_is_directory=True)
    through_link = jinja2.Environment(loader=jinja2.FileSystemLoader(str(linked)))
    through_link.filters["url"] = env.filters["url"]
    assert _is_materials_listing(LISTING, through_link.get_template(LISTING))


def test_material_reached_through_a_linked_environment_is_still_material(tmp_path: Path) -> None:
    """A virtual environment used through a symbolic link: Material's templates folder is
    its real path, as its templates' files are compared."""
    package = Path(material.__file__ or "").parent
    linked = tmp_path / "material"
    linked.symlink_to(package, target_is_directory=True)
    found = templates_folder(str(linked / "__init__.py"))
    assert found == templates_folder(material.__file__ or "")
    assert found.startswith(str(package.resolve())) and found.endswith("templates" + os.sep)


def test_a_listing_template_of_another_material_version_is_rendered_every_time(
    env: jinja2.Environment, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Material's own file, but not one whose every read is known (another version's)."""
    template = env.get_template(LISTING)
    monkeypatch.setattr(tags_listings, "KNOWN_LISTINGS", frozenset())
    tags_listings._known_listing.cache_clear()
    try:
        assert not _is_materials_listing(LISTING, template)
    finally:
        tags_listings._known_listing.cache_clear()
