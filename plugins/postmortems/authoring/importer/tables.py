"""Markdown pipe tables: find them in a block of lines and read their cells."""

from __future__ import annotations

import re
from dataclasses import dataclass

_SEPARATOR_CELL = re.compile(r"^:?-{2,}:?$")


@dataclass(frozen=True)
class Table:
    """A pipe table: ``header`` cells and data ``rows`` (each padded to the header's width)."""

    header: list[str]
    rows: list[list[str]]

    def column(self, *words: str) -> int | None:
        """The index of the first column whose header contains one of ``words``."""
        for word in words:
            for index, name in enumerate(self.header):
                if word in name.lower():
                    return index
        return None


def is_table_line(line: str) -> bool:
    stripped = line.strip()
    return stripped.startswith("|") and stripped.count("|") >= 2


def split_row(line: str) -> list[str]:
    """The cells of one table line; ``\\|`` stays inside a cell."""
    stripped = line.strip()
    if stripped.startswith("|"):
        stripped = stripped[1:]
    if stripped.endswith("|") and not stripped.endswith("\\|"):
        stripped = stripped[:-1]
    cells = re.split(r"(?<!\\)\|", stripped)
    return [cell.replace("\\|", "|").strip() for cell in cells]


def _is_separator(cells: list[str]) -> bool:
    return all(_SEPARATOR_CELL.match(cell.replace(" ", "")) for cell in cells if cell) and any(
        cells
    )


def parse_table(lines: list[str]) -> Table:
    """Read consecutive table lines; without a separator line the first row is still the header."""
    rows = [split_row(line) for line in lines]
    rows = [row for row in rows if not _is_separator(row)]
    header = rows[0] if rows else []
    width = max((len(row) for row in rows), default=0)
    padded = [row + [""] * (width - len(row)) for row in rows[1:]]
    return Table(header + [""] * (width - len(header)), padded)


def find_tables(lines: list[str]) -> list[tuple[int, int, Table]]:
    """Every table in ``lines`` as ``(first line, line after the last, table)``."""
    found: list[tuple[int, int, Table]] = []
    index = 0
    while index < len(lines):
        if not is_table_line(lines[index]):
            index += 1
            continue
        end = index
        while end < len(lines) and is_table_line(lines[end]):
            end += 1
        found.append((index, end, parse_table(lines[index:end])))
        index = end
    return found
