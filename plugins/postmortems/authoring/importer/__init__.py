"""Convert a text or Markdown postmortem into a draft incident YAML file.

``import_postmortem`` reads the common house styles (Google SRE template, Atlassian template,
terse ``Key: value`` notes, narrative prose, chat logs), in Markdown, plain text or a wiki or
documentation markup (see ``markup``): it finds the headed sections, reads times in the
document's zone, guesses what must be guessed (saying so in a YAML comment) and leaves a
``# TODO`` comment for each required field it cannot find, never a made-up value.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from ...core.project import packaged_vocabulary
from .chat import from_chat
from .draft import build
from .emit import emit
from .markup import from_markup
from .sections import split_document

DEFAULT_CATEGORIES = tuple(term.value for term in packaged_vocabulary("rootCauseCategory"))
"""The root-cause categories of the schema shipped in the package, for a project without one."""
DEFAULT_SEVERITIES = tuple(term.value for term in packaged_vocabulary("severity"))
"""The severities of the schema shipped in the package."""

__all__ = ["DEFAULT_CATEGORIES", "DEFAULT_SEVERITIES", "ImportedIncident", "import_postmortem"]


@dataclass(frozen=True)
class ImportedIncident:
    """The converted incident: its id, year (for the folder), YAML text and warnings."""

    id: str
    year: int
    yaml_text: str
    warnings: list[str] = field(default_factory=list)


def import_postmortem(
    text: str,
    *,
    source_name: str,
    categories: Sequence[str] = DEFAULT_CATEGORIES,
    severities: Sequence[str] = DEFAULT_SEVERITIES,
    failure_modes: Sequence[str] | None = None,
    catalog: Mapping[str, str] | None = None,
) -> ImportedIncident:
    """Convert the postmortem ``text`` (read from ``source_name``) into a draft incident.

    ``failure_modes`` limits the modes suggested (None: every mode the lexicon knows);
    ``catalog`` (service slug → name, from the site's service catalog) is matched first when
    the document names its services.
    """
    document = split_document(from_markup(from_chat(text.removeprefix("\ufeff"))))
    draft = build(document, source_name, list(categories), list(severities), failure_modes, catalog)
    header = [
        f"# Draft imported from {' '.join(source_name.split())} by `postmortems import`:",
        "# check every value, above all those with a comment, and fill in each TODO.",
    ]
    return ImportedIncident(draft.id, draft.year, emit(header, draft.data), draft.warnings)
