"""
Reading tables as Danish users make them: CSV from Danish Excel, or XLSX.

Danish Excel saves "CSV (semikolonsepareret)" in Windows-1252, or UTF-8 with
a byte-order mark when asked; others send comma-separated UTF-8. An XLSX
workbook may hold several sheets and formulas. This module turns such bytes
into rows of text keyed by normalised header names, each with the row number
the user sees in Excel, so a report can point at the right line.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation, localcontext
from typing import IO
from xml.etree.ElementTree import Element, ParseError, iterparse
from xml.parsers.expat import ExpatError, XMLParserType

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import DefusedXMLParser

XLSX_MAGIC = b"PK\x03\x04"
_LINE_END = re.compile(r"[\r\n]")
_OTHER_LINE_BREAKS = "\v\f\x1c\x1d\x1e\x85\u2028\u2029"
_LINE = re.compile(r"[^\r\n]*(?:\r\n?|\n)|[^\r\n]+")  # ends in CRLF, CR, LF or nothing
# Limits on what a file may hold (issue 12). Each is far above what a real
# file needs, and each keeps a hostile file's cost in memory and time bounded.
MAX_COLUMNS = 200  # columns read: A to GR
MAX_CELL_CHARS = 32_767  # characters in one cell: Excel's own limit
MAX_ROWS = 200_000  # rows below the header; twice the 100.000 rows benchmarked
# Delimiters in one CSV record: a text in quotes may hold many, but each field
# costs memory before the row is cut to the header's width.
MAX_DELIMITERS = 20_000
# XLSX: the uncompressed size of the sheet and of the shared strings, of the
# other parts read (workbook, relations, styles), and the elements these may hold.
MAX_SHEET_BYTES = 300_000_000
MAX_SHARED_STRINGS_BYTES = 50_000_000
MAX_SHARED_STRINGS = 500_000
MAX_SMALL_PART_BYTES = 20_000_000
MAX_SMALL_PART_ELEMENTS = 500_000
MAX_FORMULAS = 1_000  # formula cells listed; a sheet with more is refused
MAX_ZIP_DIRECTORY_BYTES = 1_000_000  # the zip's table of contents: ~10.000 parts
EXCEL_MAX_ROWS = 1_048_576  # the rows a sheet can have in Excel
# Row elements in a sheet, empty (formatted) ones included.
MAX_ROW_ELEMENTS = MAX_ROWS + 100_000


class TableError(ValueError):
    """The file cannot be read as a table; the message says why."""


@dataclass(frozen=True)
class Formula:
    """A cell that holds a formula: its row, its column's header and the formula."""

    row: int
    column: str
    text: str


@dataclass(frozen=True)
class Table:
    """
    A file's rows as lists of trimmed text, each with the row number the user sees.

    `header` is the normalised first row, `raw_header` as written; every row
    has exactly as many cells as the header. `sheet` is the sheet that was
    read and `other_sheets` those that were not (XLSX).
    """

    header: list[str]
    raw_header: list[str]
    rows: list[tuple[int, list[str]]]
    sheet: str = ""
    other_sheets: tuple[str, ...] = ()
    formulas: list[Formula] = field(default_factory=list)

    def records(self) -> list[tuple[int, dict[str, str]]]:
        """The rows as {normalised header: text}."""
        return [(number, dict(zip(self.header, cells, strict=True))) for number, cells in self.rows]


def decode(data: bytes) -> str:
    """UTF-8 (with or without BOM) if it decodes, else Windows-1252."""
    try:
        return data.decode("utf-8-sig")  # with or without the byte-order mark
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def normalise_header(name: str) -> str:
    """'Beløb (kr.)' -> 'beløb (kr.)': trimmed, lower case, inner spaces single."""
    return " ".join(name.strip().lower().split())


def is_xlsx(data: bytes) -> bool:
    return data.startswith(XLSX_MAGIC)


def looks_binary(data: bytes) -> bool:
    """True for bytes no spreadsheet program writes as CSV (a NUL in the first 8 KB)."""
    return b"\x00" in data[:8192]


def _n(number: int) -> str:
    """849857 -> '849.857', for the limits named in messages."""
    return f"{number:,}".replace(",", ".")


def _too_many_rows() -> TableError:
    return TableError(
        f"Filen har mere end {_n(MAX_ROWS)} rækker under overskriften; del den i flere filer."
    )


def _too_long(where: str) -> TableError:
    return TableError(f"{where}: en celle har mere end {_n(MAX_CELL_CHARS)} tegn (Excels grænse).")


class _Record:
    """What the CSV record being read holds so far: its row, delimiters and characters."""

    __slots__ = ("chars", "delimiters", "limit", "lines", "row")

    def __init__(self) -> None:
        self.row = 1  # as Excel numbers it: the header is 1, every record (even empty) counts
        self.delimiters = self.chars = self.lines = 0
        self.limit = MAX_COLUMNS  # the header's delimiters; MAX_DELIMITERS below it

    def next(self) -> None:
        self.row += 1
        self.delimiters = self.chars = self.lines = 0
        self.limit = MAX_DELIMITERS


def _lines(text: str, delimiter: str, record: _Record) -> Iterator[str]:
    """
    The lines of a CSV text for `csv.reader`, each ending in CRLF, LF or a lone CR.

    A lone CR (Excel for Mac) ends a line as `csv` expects, also inside a
    quoted text. The delimiters of the record being read are counted, so a
    line of a million semicolons is refused before `csv` makes a field of each.
    """
    # str.splitlines is fastest, but it also ends a line at characters csv keeps
    # in a cell (form feed, U+2028, ...); a text with those is split by _LINE.
    if any(char in text for char in _OTHER_LINE_BREAKS):
        lines: Iterable[str] = map(re.Match.group, _LINE.finditer(text))
    else:
        lines = text.splitlines(keepends=True)
    for line in lines:
        record.chars += len(line)
        record.lines += 1
        record.delimiters += line.count(delimiter)
        if record.delimiters >= record.limit:
            if record.row == 1:
                raise TableError(
                    f"Overskriftsrækken har mere end {_n(MAX_COLUMNS)} kolonner; "
                    f"højst {_n(MAX_COLUMNS)} læses."
                )
            raise TableError(
                f"Række {_n(record.row)} har mere end {_n(record.limit)} skilletegn "
                f"('{delimiter}'); højst {_n(MAX_COLUMNS)} kolonner læses.{_quote_hint(record)}"
            )
        yield line


def _unclosed_quote(text: str, delimiter: str, line: int) -> bool:
    """True if the record that starts on physical `line` (1 = the first) ends inside quotes."""
    lines = map(re.Match.group, _LINE.finditer(text))
    for _skipped in range(line - 1):
        next(lines, None)
    try:
        for _cells in csv.reader(lines, delimiter=delimiter, strict=True):
            pass
    except csv.Error:
        return True
    return False


def read_table_csv(data: bytes) -> Table:
    """
    The rows of a CSV file with their row numbers as Excel shows them (the header is 1).

    The separator is a semicolon if the header line has one, else a comma.
    Lines may end in CRLF, LF or CR. Empty rows are skipped.

    :raises TableError: if the file is empty, has no header, is not text, or
        passes a limit (columns, rows, a cell's length); the message names it
    """
    if looks_binary(data):
        raise TableError("Filen er hverken CSV eller XLSX.")
    text = decode(data)
    end = _LINE_END.search(text)
    first = text[: end.start()] if end else text
    if not first.strip():
        raise TableError("Filen er tom eller mangler en overskriftsrække.")
    delimiter = ";" if ";" in first else ","
    record = _Record()
    reader = csv.reader(_lines(text, delimiter, record), delimiter=delimiter)
    rows: list[tuple[int, list[str]]] = []
    start = 1  # the physical line the record being read starts on
    try:
        raw_header = [name.strip() for name in next(reader)]
        if len(raw_header) > MAX_COLUMNS:
            raise TableError(
                f"Overskriftsrækken har {_n(len(raw_header))} kolonner; "
                f"højst {_n(MAX_COLUMNS)} læses."
            )
        width = len(raw_header)
        record.next()
        last = start = reader.line_num + 1
        for cells in reader:
            count = len(cells)
            if count < width:
                cells.extend([""] * (width - count))
            elif count > width:
                del cells[width:]
            stripped = list(map(str.strip, cells))
            if record.chars > MAX_CELL_CHARS and max(map(len, stripped)) > MAX_CELL_CHARS:
                raise _too_long(f"Række {_n(record.row)}")
            if any(stripped):
                if len(rows) == MAX_ROWS:
                    raise _too_many_rows()
                rows.append((record.row, stripped))
            last, start = start, reader.line_num + 1
            record.next()
        if reader.line_num > last and _unclosed_quote(text, delimiter, last):
            raise TableError(_unclosed(record.row - 1))
    except csv.Error as error:
        where = f"Række {_n(record.row)}"
        if "field limit" not in str(error):
            raise TableError(f"{where} kan ikke læses som CSV.") from error
        raise TableError(
            f"{where}: en celle har mere end {_n(MAX_CELL_CHARS)} tegn (Excels grænse)."
            + _quote_hint(record)
        ) from error
    header = [normalise_header(name) for name in raw_header]
    return Table(header, raw_header, rows)


def _quote_hint(record: _Record) -> str:
    """A hint for a record that runs over several lines: a quote may be left open."""
    return " Mangler der et afsluttende anførselstegn?" if record.lines > 1 else ""


def _unclosed(row: int) -> str:
    return (
        f'Række {_n(row)}: en tekst i anførselstegn (") lukkes aldrig, så resten af filen '
        "ville blive læst som én celle. Tilføj det afsluttende anførselstegn."
    )


def read_csv(data: bytes) -> list[dict[str, str]]:
    """The rows of a CSV file, as {normalised header: trimmed text}; see `read_table_csv`."""
    return [row for _line, row in read_table_csv(data).records()]


def read_data_file(text: str, *, name: str) -> list[dict[str, str]]:
    """
    The rows of a shipped data file (CSV), read strictly, as {header: text}.

    Unlike a user's upload, a data file the application ships must be exact:
    every row has the header's number of fields, and every text holding the
    delimiter or a quote is quoted (an unquoted "2,5 mio." would otherwise
    split into two fields). The delimiter is a semicolon if the header has
    one, else a comma. Values are kept as written (not trimmed).

    :raises TableError: naming the file and every faulty line
    """
    first = text.split("\n", 1)[0]
    delimiter = ";" if ";" in first else ","
    lines = text.splitlines(keepends=True)
    reader = csv.reader(io.StringIO(text), delimiter=delimiter, strict=True)
    problems: list[str] = []
    try:
        header = next(reader)
    except StopIteration:
        raise TableError(f"{name}: filen er tom") from None
    if len(set(header)) != len(header) or not all(header):
        problems.append(f"{name} linje 1: overskrifterne skal være udfyldte og forskellige")
    rows: list[dict[str, str]] = []
    start = reader.line_num
    try:
        for cells in reader:
            raw = "".join(lines[start : reader.line_num])
            where = f"{name} linje {start + 1}"
            start = reader.line_num
            if not cells:
                problems.append(f"{where}: tom linje")
                continue
            if len(cells) != len(header):
                problems.append(
                    f"{where}: {len(cells)} felter, men overskriften har {len(header)}"
                    f" (står en tekst med '{delimiter}' uden anførselstegn?)"
                )
                continue
            for cell in cells:
                quoted = '"' + cell.replace('"', '""') + '"'
                if (delimiter in cell or '"' in cell) and quoted not in raw:
                    problems.append(f"{where}: teksten '{cell}' skal stå i anførselstegn")
            rows.append(dict(zip(header, cells, strict=True)))
    except csv.Error as error:
        problems.append(f"{name} linje {reader.line_num}: {error}")
    if problems:
        raise TableError("\n".join(problems))
    return rows


EXCEL_DIGITS = 15  # significant digits Excel shows and keeps of a number


def cell_text(cell: object) -> str:
    """
    An XLSX cell as the text a Danish user would type: 1234,50; 1000,005 stays 1000,005.

    A number shows at least two decimals and every decimal it has, so an amount
    typed with three decimals is refused by the amount's reader as in a CSV,
    never rounded. What Excel saves beyond its 15 significant digits
    (1234.5599999999999 for 1234,56) is binary noise and is rounded away.
    """
    if cell is None:
        return ""
    if isinstance(cell, bool):
        return "ja" if cell else "nej"
    if isinstance(cell, int):
        return str(cell)  # a code, a CVR number or whole kroner
    if isinstance(cell, float | Decimal):
        # Through Decimal(str()) so no binary fraction leaks into øre; a whole
        # number (a postal code typed as a number) stays whole.
        number = Decimal(str(cell))
        if not number.is_finite():
            return str(number)
        if len(number.as_tuple().digits) > EXCEL_DIGITS:
            with localcontext() as context:
                context.prec = EXCEL_DIGITS
                number = +number  # rounded to the context's precision
        if number == number.to_integral_value():
            return str(int(number))
        exponent = number.normalize().as_tuple().exponent
        places = max(2, -exponent) if isinstance(exponent, int) else 2
        return f"{number:.{places}f}".replace(".", ",")
    if hasattr(cell, "strftime"):
        return cell.strftime("%Y-%m-%d")  # type: ignore[no-any-return]
    return str(cell).strip()


def read_table_xlsx(data: bytes, *, prefer_sheet: str = "") -> Table:
    """
    One sheet of an XLSX workbook: the one named `prefer_sheet`, else the first.

    Read straight from the workbook's XML (three times faster than openpyxl's
    reader, which matters at 100.000 rows). Formula cells are listed in
    `formulas`: their cached values are not trusted (a workbook saved by a
    program other than Excel has none). Numbers are read as exact decimals;
    date cells become 2024-12-31.

    Every XML part is parsed by a parser that refuses a document type
    declaration wherever it stands (defusedxml), so no entity is ever
    expanded. The parts are streamed and bounded: their uncompressed size is
    checked in the zip's table of contents and counted while reading (that
    table can lie), and so are the columns, rows, cell lengths and shared
    strings (the `MAX_` limits above).

    :raises TableError: if the bytes are no workbook, the sheet is empty, a
        cell cannot be read or a limit is passed; the message says which
    """
    _check_zip_directory(data)
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return _XlsxReader(archive).table(prefer_sheet)
    except TableError:
        raise
    except DefusedXmlException as error:
        raise TableError(
            "Filen ligner en XLSX-fil, men dens XML har en dokumenttypeerklæring (DTD), "
            "som en arbejdsbog aldrig har; den læses ikke."
        ) from error
    except (
        zipfile.BadZipFile,
        KeyError,
        ParseError,
        ExpatError,
        ValueError,
        EOFError,
        OSError,
    ) as error:
        raise TableError("Filen ligner en XLSX-fil, men kan ikke læses som en.") from error
    except (NotImplementedError, RuntimeError) as error:  # compression or encryption
        raise TableError("Filen ligner en XLSX-fil, men kan ikke læses som en.") from error


_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_PACKAGE_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}"
# Excel's built-in number formats that show a date.
_DATE_FORMAT_IDS = frozenset({14, 15, 16, 17, 18, 19, 20, 21, 22, 27, 30, 36, 45, 46, 47, 50, 57})
_V, _F, _IS, _T = f"{_MAIN}v", f"{_MAIN}f", f"{_MAIN}is", f"{_MAIN}t"
# A number cell is read as a Decimal (which keeps 1E+2000000 as digits and an
# exponent, at no cost) and refused before it could become a whole number of
# more than 30 digits, or if it is longer than any number Excel writes.
_MAX_NUMBER_DIGITS = 30
_MAX_NUMBER_CHARS = 100
_NOT_A_NUMBER = Decimal("NaN")
_MAX_DATE_SERIAL = 2_958_465  # 9999-12-31, the last date Excel shows
# Text or a tag between two '<' in an XML part, in bytes: a cell of
# MAX_CELL_CHARS characters written with the longest character references.
_MAX_RUN_BYTES = 10 * MAX_CELL_CHARS
_MAX_LOOSE_ELEMENTS = 200_000  # elements of a sheet kept outside its rows (merged cells, ...)
_CHUNK = 16 * 1024  # what iterparse asks for; larger chunks parse slower


def _check_zip_directory(data: bytes) -> None:
    """
    Refuse a zip whose table of contents is larger than a workbook's ever is.

    `zipfile` reads the whole table into memory before any part is opened,
    so a 50 MB file of a million empty parts would cost gigabytes.
    """
    end = data.rfind(b"PK\x05\x06", max(0, len(data) - 65_557))
    if end < 0 or len(data) < end + 22:
        return  # no zip; zipfile says so
    size = int.from_bytes(data[end + 12 : end + 16], "little")
    zip64 = end - 20 - 56  # zipfile reads the ZIP64 record that stands just before
    located = data[end - 20 : end - 16] == b"PK\x06\x07"
    if zip64 >= 0 and located and data[zip64 : zip64 + 4] == b"PK\x06\x06":
        size = max(size, int.from_bytes(data[zip64 + 40 : zip64 + 48], "little"))
    if size > MAX_ZIP_DIRECTORY_BYTES:
        raise TableError(
            f"Filen ligner en XLSX-fil, men dens indholdsfortegnelse fylder {_n(size)} byte; "
            f"en arbejdsbogs fylder under {_n(MAX_ZIP_DIRECTORY_BYTES)}."
        )


# The handlers of defusedxml's parser that build a tree; the guard below drops
# them and keeps only defusedxml's own, which refuse a DTD, an entity
# declaration or an external reference wherever in the stream it stands.
_TREE_HANDLERS = (
    "StartElementHandler", "EndElementHandler", "CharacterDataHandler", "CommentHandler",
    "ProcessingInstructionHandler", "DefaultHandlerExpand", "StartNamespaceDeclHandler",
    "EndNamespaceDeclHandler",
)  # fmt: skip


def _dtd_guard() -> XMLParserType:
    """
    An expat parser that refuses any DTD in the bytes fed to it, and builds nothing.

    It is defusedxml's parser (forbid_dtd=True) without its tree-building
    handlers, so expat reads the bytes at C speed and calls Python only for a
    document type declaration, an entity declaration or an external entity,
    each of which raises (a DefusedXmlException). defusedxml's own iterparse
    calls Python for every element, which made reading a sheet 80 % slower.
    """
    guard = DefusedXMLParser(forbid_dtd=True).parser
    for handler in _TREE_HANDLERS:
        setattr(guard, handler, None)
    return guard


class _Part:
    """
    A part of the workbook as a stream for the parser, refused past its limits.

    Every chunk goes through the DTD guard before the parser sees it, so a
    DTD is refused by expat's own doctype handling wherever it stands (not by
    looking at the start of the part). The bytes are counted (the size in the
    zip's table of contents can lie), and so is the longest stretch without a
    '<': a text or a tag longer than a cell may be is refused before the
    parser holds it whole.
    """

    def __init__(self, stream: IO[bytes], name: str, limit: int) -> None:
        self.stream = stream
        self.name = name
        self.limit = limit
        self.count = 0
        self.run = 0  # bytes since the last '<'
        self.guard = _dtd_guard()

    def read(self, size: int = -1) -> bytes:
        chunk = self.stream.read(size if 0 < size <= _CHUNK else _CHUNK)
        self.count += len(chunk)
        if self.count > self.limit:
            raise _part_too_large(self.name, self.limit)
        first = chunk.find(b"<")
        if first < 0:
            self.run += len(chunk)
        else:
            if self.run + first > _MAX_RUN_BYTES:
                raise _run_too_long(self.name)
            self.run = len(chunk) - chunk.rfind(b"<") - 1
        if self.run > _MAX_RUN_BYTES:
            raise _run_too_long(self.name)
        self.guard.Parse(chunk, not chunk)  # raises on a DTD before the parser gets the chunk
        return chunk


def _part_too_large(name: str, limit: int) -> TableError:
    return TableError(
        f"Arbejdsbogens del {name} fylder mere end {_n(limit // 1_000_000)} MB udpakket; "
        "den læses ikke."
    )


def _run_too_long(name: str) -> TableError:
    return TableError(
        f"Arbejdsbogens del {name} har en tekst på mere end {_n(MAX_CELL_CHARS)} tegn "
        "(Excels grænse for en celle); den læses ikke."
    )


def _column_index(letters: str) -> int:
    """'A' -> 0, 'AB' -> 27."""
    index = 0
    for char in letters:
        index = index * 26 + ord(char.upper()) - 64
    return index - 1


def _column_letters(index: int) -> str:
    """0 -> 'A', 199 -> 'GR'."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _row_number(reference: str) -> int:
    """'AB7' -> 7."""
    digits = reference.lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")
    return int(digits) if digits.isascii() and digits.isdigit() and len(digits) <= 7 else 0


def _is_date_format(code: str) -> bool:
    """A custom number format that shows a date: d, m or y outside quotes and brackets."""
    plain: list[str] = []
    closing = ""
    escaped = False
    for char in code:
        if escaped:
            escaped = False
        elif closing:
            closing = "" if char == closing else closing
        elif char == "\\":
            escaped = True
        elif char in ('"', "["):
            closing = '"' if char == '"' else "]"
        else:
            plain.append(char.lower())
    text = "".join(plain)
    return any(c in text for c in "dy") or ("m" in text and "0" not in text)


def _cell_error(reference: str, row: int, message: str) -> TableError:
    where = f"Cellen {reference}" if reference else f"En celle i række {_n(row)}"
    return TableError(f"{where}: {message}")


class _XlsxReader:
    def __init__(self, archive: zipfile.ZipFile) -> None:
        self.archive = archive
        self.names = frozenset(archive.namelist())
        book = self._small("xl/workbook.xml")
        rels = self._small("xl/_rels/workbook.xml.rels")
        targets = {
            rel.get("Id"): rel.get("Target", "") for rel in rels.iter(f"{_PACKAGE_REL}Relationship")
        }
        self.sheets: list[tuple[str, str]] = []
        for sheet in book.iter(f"{_MAIN}sheet"):
            target = targets.get(sheet.get(f"{_REL}id"), "").lstrip("/")
            path = target if target.startswith("xl/") else f"xl/{target}"
            self.sheets.append((sheet.get("name", ""), path))
        properties = book.find(f"{_MAIN}workbookPr")
        self.epoch = date(1904, 1, 1) if properties is not None and properties.get(
            "date1904", "") in ("1", "true") else date(1899, 12, 30)  # fmt: skip
        self.strings = self._shared_strings()
        self.date_styles = self._date_styles()

    def _open(self, name: str, limit: int) -> _Part:
        """A part as a bounded stream; refused at once if the zip says it is too large."""
        if self.archive.getinfo(name).file_size > limit:
            raise _part_too_large(name, limit)
        return _Part(self.archive.open(name), name, limit)

    def _small(self, name: str) -> Element:
        """A small part (the workbook, its relations, its styles), parsed whole within bounds."""
        part = self._open(name, MAX_SMALL_PART_BYTES)
        root: Element | None = None
        try:
            events = iterparse(part, events=("end",))  # noqa: S314 - the part is guarded
            for count, (_event, element) in enumerate(events, start=1):
                if count > MAX_SMALL_PART_ELEMENTS:
                    raise TableError(
                        f"Arbejdsbogens del {name} har mere end "
                        f"{_n(MAX_SMALL_PART_ELEMENTS)} elementer; den læses ikke."
                    )
                root = element  # the last to end is the root
        finally:
            part.stream.close()
        if root is None:
            raise ParseError(f"{name} is empty")
        return root

    def _shared_strings(self) -> list[str]:
        name = "xl/sharedStrings.xml"
        if name not in self.names:
            return []
        strings: list[str] = []
        si_tag, text_tag, run_tag = f"{_MAIN}si", f"{_MAIN}t", f"{_MAIN}r"
        root: Element | None = None
        pending = 0  # elements of the string being read
        part = self._open(name, MAX_SHARED_STRINGS_BYTES)
        try:
            for event, element in iterparse(part, events=("start", "end")):  # noqa: S314 - the part is guarded
                if event == "start":
                    if root is None:
                        root = element
                    continue
                if element.tag != si_tag:
                    pending += 1
                    if pending > _MAX_LOOSE_ELEMENTS:
                        raise TableError(
                            f"En tekst i {name} har mere end {_n(_MAX_LOOSE_ELEMENTS)} dele; "
                            "den læses ikke."
                        )
                    continue
                # the plain text or the rich-text runs; never the phonetic guides (rPh)
                parts = []
                for child in element:
                    if child.tag == text_tag:
                        parts.append(child.text or "")
                    elif child.tag == run_tag:
                        parts.extend(t.text or "" for t in child.iter(text_tag))
                text = "".join(parts)
                if len(text) > MAX_CELL_CHARS:
                    raise _too_long(f"Den delte tekst nr. {_n(len(strings))}")
                if len(strings) == MAX_SHARED_STRINGS:
                    raise TableError(
                        f"Arbejdsbogen har mere end {_n(MAX_SHARED_STRINGS)} forskellige tekster; "
                        "den læses ikke."
                    )
                strings.append(text)
                pending = 0
                if root is not None:
                    root.clear()  # the strings read so far; their elements are not needed
        finally:
            part.stream.close()
        return strings

    def _date_styles(self) -> frozenset[str]:
        """The cell styles (as written in a cell's s="...") that show a date."""
        if "xl/styles.xml" not in self.names:
            return frozenset()
        styles = self._small("xl/styles.xml")
        custom = {
            fmt.get("numFmtId", "0"): _is_date_format(fmt.get("formatCode", ""))
            for fmt in styles.iter(f"{_MAIN}numFmt")
        }
        cell_xfs = styles.find(f"{_MAIN}cellXfs")
        if cell_xfs is None:
            return frozenset()
        dates = set()
        for index, xf in enumerate(cell_xfs.iter(f"{_MAIN}xf")):
            fmt = xf.get("numFmtId", "0")
            builtin = (
                fmt.isascii() and fmt.isdigit() and len(fmt) < 4 and int(fmt) in _DATE_FORMAT_IDS
            )
            if builtin or custom.get(fmt, False):
                dates.add(str(index))
        return frozenset(dates)

    def _value(self, cell: Element, reference: str, row: int) -> tuple[str, str | None]:
        """
        The cell's text as a Danish user would type it, and its formula if it has one.

        :raises TableError: if the cell cannot hold what it says it holds
        """
        kind = cell.get("t")
        text, formula = "", None
        for child in cell:
            tag = child.tag
            if tag == _V:
                text = child.text or ""
            elif tag == _F:
                formula = "=" + (child.text or "")
            elif tag == _IS:
                text = "".join(t.text or "" for t in child.iter(_T))
        if len(text) > MAX_CELL_CHARS:
            raise _too_long(f"Cellen {reference}" if reference else f"Række {_n(row)}")
        if kind == "s":
            if not text:
                return "", formula
            if not (text.isascii() and text.isdigit() and int(text) < len(self.strings)):
                raise _cell_error(
                    reference, row,
                    f"henviser til delt tekst nr. {text[:20]}, men arbejdsbogen har "
                    f"{_n(len(self.strings))} delte tekster.",
                )  # fmt: skip
            return self.strings[int(text)].strip(), formula
        if kind in ("inlineStr", "str", "e"):
            return text.strip(), formula
        if kind == "b":
            return ("ja" if text == "1" else "nej"), formula
        if not text:
            return "", formula
        number = self._number(text, reference, row)
        if self.date_styles and cell.get("s") in self.date_styles:
            try:
                if number < 0 or number > _MAX_DATE_SERIAL:
                    raise OverflowError
                return (self.epoch + timedelta(days=int(number))).isoformat(), formula
            except OverflowError:
                raise _cell_error(
                    reference, row,
                    f"er formateret som dato, men {text[:40]} er ingen dato "
                    "(Excels datoer går til 31-12-9999).",
                ) from None  # fmt: skip
        return cell_text(number), formula

    @staticmethod
    def _number(text: str, reference: str, row: int) -> Decimal:
        """A number cell's exact value, refused if it is no number or too large to be one."""
        try:
            number = Decimal(text) if len(text) <= _MAX_NUMBER_CHARS else _NOT_A_NUMBER
        except InvalidOperation:
            number = _NOT_A_NUMBER
        if not number.is_finite():
            raise _cell_error(reference, row, f"skulle holde et tal, men holder '{text[:40]}'.")
        if number.adjusted() >= _MAX_NUMBER_DIGITS:  # 1E+2000000 never becomes a whole number
            raise _cell_error(
                reference, row,
                f"tallet {text} har mere end {_MAX_NUMBER_DIGITS} cifre før kommaet.",
            )  # fmt: skip
        return number

    def table(self, prefer_sheet: str) -> Table:
        if not self.sheets:
            raise TableError("Arbejdsbogen har ingen ark.")
        names = [name for name, _path in self.sheets]
        wanted = next((n for n in names if n.strip().lower() == prefer_sheet.lower()), names[0])
        path = dict(self.sheets)[wanted]
        raw_header: list[str] = []
        rows: list[tuple[int, list[str]]] = []
        formulas: list[tuple[int, int, str]] = []
        cell_tag, row_tag = f"{_MAIN}c", f"{_MAIN}row"
        current: dict[int, str] = {}
        number = row_elements = loose = 0
        columns: dict[str, int] = {}  # 'AB' -> 27, checked and computed once per column
        part = self._open(path, MAX_SHEET_BYTES)
        try:
            for _event, element in iterparse(part, events=("end",)):  # noqa: S314 - the part is guarded
                tag = element.tag
                if tag == cell_tag:
                    reference = element.get("r", "")
                    letters = reference.rstrip("0123456789")
                    column = columns.get(letters, -1)
                    if column < 0:
                        column = self._column(letters, len(current), number + 1)
                        if letters:
                            columns[letters] = column
                    loose += 1
                    current[column], formula = self._value(element, reference, number + 1)
                    if formula is not None:
                        row = _row_number(reference) or number + 1
                        if row > 1:
                            formulas.append((row, column, formula))
                            if len(formulas) > MAX_FORMULAS:
                                raise _too_many_formulas()
                elif tag == row_tag:
                    row_elements += 1
                    number = self._row(element.get("r"), number, row_elements)
                    if not raw_header:
                        width = max(current, default=-1) + 1
                        raw_header = [current.get(i, "") for i in range(width)]
                        while raw_header and not raw_header[-1]:
                            raw_header.pop()
                    elif any(current.values()):
                        if len(rows) == MAX_ROWS:
                            raise _too_many_rows()
                        rows.append((number, [current.get(i, "") for i in range(len(raw_header))]))
                    current = {}
                    loose = 0
                    element.clear()
                else:
                    loose += 1
                if loose > _MAX_LOOSE_ELEMENTS:
                    raise TableError(
                        f"Arket '{wanted}' har mere end {_n(_MAX_LOOSE_ELEMENTS)} elementer "
                        "uden for rækkerne eller i én række; det læses ikke."
                    )
        finally:
            part.stream.close()
        if not raw_header:
            raise TableError(f"Arket '{wanted}' er tomt.")
        header = [normalise_header(name) for name in raw_header]
        return Table(
            header,
            raw_header,
            rows,
            sheet=wanted,
            other_sheets=tuple(n for n in names if n != wanted),
            formulas=[
                Formula(row, raw_header[column] if column < len(raw_header) else "", text)
                for row, column, text in formulas
            ],
        )

    @classmethod
    def _column(cls, letters: str, default: int, row: int) -> int:
        """The index of a cell's column letters; refused beyond MAX_COLUMNS (no list grows)."""
        if not letters:
            column = default
        elif len(letters) > 3 or not (letters.isascii() and letters.isalpha()):
            raise cls._too_wide(letters[:20], row)
        else:
            column = _column_index(letters)
        if column >= MAX_COLUMNS:
            raise cls._too_wide(letters or _column_letters(column), row)
        return column

    @staticmethod
    def _too_wide(letters: str, row: int) -> TableError:
        return TableError(
            f"Arket har en celle i kolonne {letters} (række {_n(row)}); højst "
            f"{_n(MAX_COLUMNS)} kolonner (A til {_column_letters(MAX_COLUMNS - 1)}) læses."
        )

    @staticmethod
    def _row(text: str | None, previous: int, elements: int) -> int:
        """A row element's number (its r="..."), bounded by what Excel allows."""
        if elements > MAX_ROW_ELEMENTS:
            raise TableError(
                f"Arket har mere end {_n(MAX_ROW_ELEMENTS)} rækker, tomme men formaterede "
                "rækker medregnet; slet de tomme rækker under dataene, eller del filen."
            )
        if text is None:
            return previous + 1
        if not (text.isascii() and text.isdigit() and len(text) <= 7):
            raise TableError(f"Arket har en række med nummeret '{text[:20]}', som ikke læses.")
        number = int(text)
        if number > EXCEL_MAX_ROWS:
            raise TableError(
                f"Arket har række {_n(number)}; Excel har højst {_n(EXCEL_MAX_ROWS)} rækker."
            )
        return number


def _too_many_formulas() -> TableError:
    return TableError(
        f"Arket har mere end {_n(MAX_FORMULAS)} formler; indsæt værdierne i stedet "
        "(Kopiér, Indsæt speciel, Værdier)."
    )


def read_table(data: bytes, *, prefer_sheet: str = "") -> Table:
    """CSV or XLSX, told apart by content, not by name. :raises TableError:"""
    if not data.strip():
        raise TableError("Filen er tom.")
    if is_xlsx(data):
        return read_table_xlsx(data, prefer_sheet=prefer_sheet)
    return read_table_csv(data)


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def formula_safe(text: str) -> str:
    """
    Text that a spreadsheet will show as text, never run as a formula.

    A cell starting with =, +, -, @, tab or carriage return is prefixed with
    an apostrophe (OWASP's advice against CSV injection); other text is kept.
    """
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def write_csv(header: list[str], rows: list[list[object]]) -> bytes:
    """A CSV file as Danish Excel opens it: UTF-8 with BOM, semicolons, formula-safe text."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow(formula_safe(c) if isinstance(c, str) else c for c in row)
    return b"\xef\xbb\xbf" + buffer.getvalue().encode("utf-8")
