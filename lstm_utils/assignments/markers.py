"""Solution markers: one rule that both finds the exercises and strips their solutions.

A solution block is the lines between a ``### BEGIN SOLUTION`` line and a ``### END SOLUTION``
line (nbgrader's markers). A marker line is a comment with nothing else on it: any number of
``#`` before the words, optionally ``#`` after them (``### BEGIN SOLUTION ###``). Anything else that
spells the words (``### Begin Solution``, ``x = 1  # BEGIN SOLUTION``) is refused with its line,
because nbgrader and otter would each read it differently and a solution could reach students.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

BEGIN, END = "### BEGIN SOLUTION", "### END SOLUTION"
STUB = "raise NotImplementedError  # your code here"

# A marker line: indentation, one or more '#', the words in capitals, optional trailing '#'.
_MARKER = re.compile(r"^(?P<indent>\s*)#+\s*(?P<kind>BEGIN|END) SOLUTION\s*#*\s*$")
# Anything that spells the words, in any case: must be a marker line, or it is refused.
_MENTION = re.compile(r"(BEGIN|END)\s+SOLUTION", re.IGNORECASE)


@dataclass(frozen=True)
class Block:
    """One solution block: 0-based line numbers of its markers and the BEGIN line's indentation."""

    begin: int
    end: int
    indent: str


def solution_blocks(source: str, where: str = "cell") -> list[Block]:
    """The solution blocks of ``source``; ``ValueError`` naming ``where`` and the line for bad markers."""
    blocks: list[Block] = []
    open_at: tuple[int, str] | None = None
    for index, line in enumerate(source.splitlines()):
        if not _MENTION.search(line):
            continue
        marker = _MARKER.match(line)
        if marker is None:
            raise ValueError(
                f"{where}, line {index + 1}: expected a marker line {BEGIN!r} or {END!r} "
                f"(capitals, alone on its line), got {line.strip()!r}"
            )
        if marker["kind"] == "BEGIN":
            if open_at is not None:
                raise ValueError(f"{where}, line {index + 1}: {BEGIN} inside another solution block "
                                 f"(opened on line {open_at[0] + 1})")
            open_at = (index, marker["indent"])
        else:
            if open_at is None:
                raise ValueError(f"{where}, line {index + 1}: {END} without {BEGIN}")
            blocks.append(Block(open_at[0], index, open_at[1]))
            open_at = None
    if open_at is not None:
        raise ValueError(f"{where}, line {open_at[0] + 1}: {BEGIN} without {END}")
    return blocks


def replace_blocks(source: str, blocks: list[Block], begin: str | None, end: str | None, stub: str | None) -> str:
    """``source`` with each block's markers replaced by ``begin``/``end`` (dropped when None) and,
    when ``stub`` is given, the block's lines replaced by ``stub`` at the block's indentation."""
    lines = source.splitlines()
    out: list[str] = []
    starts = {block.begin: block for block in blocks}
    ends = {block.end: block for block in blocks}
    inside: Block | None = None
    for index, line in enumerate(lines):
        if index in starts:
            inside = starts[index]
            if stub is not None:
                out.append(inside.indent + stub)
            elif begin is not None:
                out.append(inside.indent + begin)
        elif index in ends:
            if stub is None and end is not None:
                out.append(inside.indent + end)
            inside = None
        elif inside is None or stub is None:
            out.append(line)
    return "\n".join(out)


def strip_solutions(source: str, where: str = "cell") -> str:
    """Replace every solution block of ``source`` by :data:`STUB` at the block's indentation."""
    return replace_blocks(source, solution_blocks(source, where), None, None, STUB)


def is_solution_cell(cell, where: str = "cell") -> bool:
    """Whether ``cell`` is a code cell with at least one solution block (bad markers raise)."""
    return cell.cell_type == "code" and bool(solution_blocks(cell.source, where))
