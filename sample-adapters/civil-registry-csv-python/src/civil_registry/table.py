"""The registry's CSV files as tables: reading them with every fault located by row and
column, and writing them back.

This module knows the file format (UTF-8, an optional byte order mark, a header row, comma
or semicolon separators, RFC 4180 quoting) and nothing of what the columns mean; the
readers of records and receipts say which columns exist and which are required.

The `csv` module reads text, but a cell that is not UTF-8 must become a violation naming
that cell, not a failure of the whole file. So the body is decoded as Latin-1, which maps
every byte to one character and leaves the separators, quotes and line ends where they
were; each cell is then turned back into its bytes and decoded as UTF-8 on its own.

Rows are numbered as the line they start on, header included, which is the row number a
clerk sees in a spreadsheet.
"""

from __future__ import annotations

import csv
import io
import sys
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass

from .checks import MAX_RECORDS, WHITE_SPACE, Missing, Raw, ascii_lower, raw_text
from .violations import Internal, Violations

#: The byte order mark that Excel and Notepad put before UTF-8 text.
BOM = b"\xef\xbb\xbf"

#: The white space a spreadsheet's blank row is made of (ASCII only, as a blank cell is
#: judged before it is decoded).
_ASCII_SPACE = " \t\n\x0c\r"

# A cell is bounded by the hub's body limit, not by the csv module's default of 128 KiB.
csv.field_size_limit(sys.maxsize)


@dataclass(frozen=True)
class Columns:
    """The columns a kind of file may have."""

    #: Every known column, in the order they are written.
    all: tuple[str, ...]
    #: Those the header must contain.
    required: tuple[str, ...]


@dataclass(frozen=True)
class Row:
    """One data row, decoded."""

    #: The line the row starts on.
    line: int
    #: The cells in header order; `None` where a cell was not UTF-8.
    cells: tuple[str | None, ...]


class _Lines:
    """The body's lines as `csv.reader` pulls them, counted, so that the line a record starts
    on is known. Lines end at `\\n`, `\\r\\n` or `\\r`, as they do for the reader."""

    def __init__(self, text: str) -> None:
        self._lines = io.StringIO(text, newline="")
        self.count = 0

    def __iter__(self) -> _Lines:
        return self

    def __next__(self) -> str:
        line = next(self._lines)
        self.count += 1
        return line


class Table:
    """A CSV file whose header has been checked."""

    def __init__(
        self,
        header: list[str | None],
        rows: list[tuple[int, list[str]]],
        required: tuple[str, ...],
    ) -> None:
        #: Header names, lowercased; `None` where a name was not UTF-8 or was repeated.
        self._header = header
        #: The non-blank data rows with the line each starts on, split into cells (as
        #: Latin-1 text) but not yet decoded.
        self._rows = rows
        self._required = required
        self._index = {name: i for i, name in reversed(list(enumerate(header))) if name}

    @classmethod
    def read(cls, body: bytes, columns: Columns, v: Violations) -> Table | None:
        """Reads `body`, recording a violation for each problem with the file as a whole: its
        header, its size. Returns `None` only when there is no header to work with."""
        body = body.removeprefix(BOM)
        text = body.decode("latin-1")
        # Excel may write the mark twice when a file is saved again; the second one is no
        # part of the first column's name.
        lines = _Lines(text.removeprefix(BOM.decode("latin-1")))
        reader = csv.reader(lines, delimiter=_delimiter(body), strict=False)
        records = _records(reader, lines)

        try:
            header_record = next(records, None)
        except csv.Error as err:
            v.push("body", "csv", f"the file cannot be read as CSV: {err}")
            return None
        if header_record is None:
            v.push("body", "required", "the file is empty; it needs a header row and records")
            return None
        header = _read_header(header_record[1], columns, v)

        rows: list[tuple[int, list[str]]] = []
        try:
            for line, record in records:
                if all(not cell.strip(_ASCII_SPACE) for cell in record):
                    # Spreadsheets save trailing empty rows as bare separators.
                    continue
                if len(rows) == MAX_RECORDS:
                    v.push(
                        "body",
                        "too-many",
                        f"the file has more than {MAX_RECORDS} records; split it",
                    )
                    break
                rows.append((line, record))
        except csv.Error as err:
            v.push("body", "csv", f"the file cannot be read as CSV: {err}")

        if not rows:
            v.push("body", "required", "the file has a header row but no records")
        return cls(header, rows, columns.required)

    def each_row(self, v: Violations, visit: Callable[[Row, Violations], None]) -> None:
        """Hands each data row to `visit` in file order, after recording the row's own faults
        (ragged, not UTF-8), so that violations come out row by row. A ragged row is not
        handed on: its cells cannot be matched to columns."""
        width = len(self._header)
        for line, record in self._rows:
            if len(record) != width:
                v.push(
                    f"row {line}",
                    "csv",
                    f"the row has {len(record)} cells where the header has {width}; "
                    "check for a stray separator or an unclosed quote",
                )
                continue
            cells = tuple(
                _decode_cell(cell, line, name or str(i + 1), v)
                for i, (cell, name) in enumerate(zip(record, self._header, strict=True))
            )
            visit(Row(line, cells), v)

    def row_count(self) -> int:
        """How many non-blank data rows the file has, ragged ones included."""
        return len(self._rows)

    def cell(self, row: Row, column: str) -> Raw:
        """The cell of `row` in `column`."""
        index = self._index.get(column)
        if index is None:
            # A required column missing from the header was reported with the header.
            return Missing.REPORTED if column in self._required else Missing.ABSENT
        text = row.cells[index]
        # A cell that was not UTF-8 was reported when the row was decoded.
        return Missing.REPORTED if text is None else raw_text(text)


def path(line: int, column: str) -> str:
    """Where a cell is, for a violation."""
    return f"row {line}, column {column}"


def write(header: Sequence[str], rows: Sequence[Sequence[str]]) -> bytes:
    """Writes a header and rows as CSV with CRLF line ends (RFC 4180), quoting only where
    needed."""
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    try:
        writer.writerow(header)
        writer.writerows(rows)
        return out.getvalue().encode()
    except (csv.Error, UnicodeError) as err:
        raise Internal(f"failed to write CSV: {err}") from err


def _records(reader: Iterator[list[str]], lines: _Lines) -> Iterator[tuple[int, list[str]]]:
    """The reader's records with the line each starts on. The reader gives a blank line as an
    empty record; it holds no cells and is skipped."""
    while True:
        line = lines.count + 1
        record = next(reader, None)
        if record is None:
            return
        if record:
            yield line, record


def _delimiter(body: bytes) -> str:
    """Excel in a Vietnamese locale saves "CSV" with semicolons, because the comma is the
    decimal separator there. A header line with semicolons and no comma is such a file."""
    first_line = body.split(b"\n", 1)[0]
    return ";" if b";" in first_line and b"," not in first_line else ","


def _read_header(record: list[str], columns: Columns, v: Violations) -> list[str | None]:
    """Names the header's columns, recording unknown, repeated, missing and undecodable ones."""
    names: list[str | None] = []
    for i, raw in enumerate(record):
        try:
            name = raw.encode("latin-1").decode("utf-8")
        except UnicodeDecodeError:
            v.push(f"header, column {i + 1}", "encoding", "the column name is not valid UTF-8")
            names.append(None)
            continue
        name = ascii_lower(name.strip(WHITE_SPACE))
        if name not in columns.all:
            v.push(
                f"header, column {name}",
                "unknown-column",
                f"`{name}` is not a column of this file; expected {','.join(columns.all)}",
            )
        elif name in names:
            v.push(
                f"header, column {name}",
                "duplicate-column",
                f"the header names `{name}` twice",
            )
            names.append(None)
            continue
        names.append(name)
    for column in columns.required:
        if column not in names:
            v.push(
                f"header, column {column}",
                "required",
                f"the header has no column `{column}`",
            )
    return names


def _decode_cell(cell: str, line: int, column: str, v: Violations) -> str | None:
    if cell.isascii():
        return cell
    try:
        return cell.encode("latin-1").decode("utf-8")
    except UnicodeDecodeError as err:
        v.push(
            path(line, column),
            "encoding",
            f"the cell is not valid UTF-8 (bad byte at offset {err.start}); save the file "
            "as UTF-8, not Windows-1258 or TCVN3",
        )
        return None
