"""The project's exceptions: one class per kind of failure a user can act on."""

from __future__ import annotations


class WorkvalueError(Exception):
    """Base class: an expected failure with a message written for the user."""

    exit_code = 1


class InputError(WorkvalueError):
    """The input cannot be used: no extracts, an unreadable file, a required column missing."""

    exit_code = 2

    def __init__(self, message: str, *, source_file: str | None = None,
                 column: str | None = None, columns: tuple[str, ...] = ()) -> None:
        columns = columns or ((column,) if column else ())
        self.source_file = source_file
        self.column = columns[0] if columns else None
        named = ", ".join(f"'{each}'" for each in columns)
        where = ", ".join(part for part in (
            f"file {source_file}" if source_file else "",
            f"column{'s' if len(columns) > 1 else ''} {named}" if columns else "") if part)
        super().__init__(f"{where}: {message}" if where else message)


class WarehouseError(WorkvalueError):
    """The warehouse cannot be opened or written: locked, read-only, out of space."""

    exit_code = 2


class MemoryLimitError(WorkvalueError):
    """A stage needed more memory than DuckDB may use: the message names the stage and the
    setting that raises the limit."""


class UnknownTableError(WorkvalueError):
    """An export named a table the warehouse does not have, or a format it cannot write."""

    exit_code = 2


class ReviewError(WorkvalueError):
    """A review cannot be recorded: an unknown or ambiguous flag key, no note, no reviewer."""

    exit_code = 2


class OutputError(WorkvalueError):
    """An export cannot be written where it was asked to: a folder that cannot be written, a full
    disk."""

    exit_code = 2
