"""
Hostile participant and payment files, built in code, and a way to time their reading.

Each case is a small file shaped to cost a reader memory or time (issue 12,
item 2): a DTD behind a long comment, a header cell at column AAAAAA, a
shared-strings bomb, a number with a two-million-digit exponent, and so on.
`measure` reads one in a fresh Python process with `klynge.core.tabular.read_table`
and returns what the process cost: its peak resident memory (VmHWM from
/proc/self/status, which includes the interpreter; `ru_maxrss` where there is
no /proc, though on Linux that counts the parent's memory at the fork too) and
its CPU and wall time. `tests/security/test_file_limits.py` asserts the
bounds; `bench/hostile_files.py` prints the figures.
"""

from __future__ import annotations

import io
import json
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
DECLARATION = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
COMMENT = "<!--" + "x" * 5000 + "-->"  # past the first 4 KB, where a prefix check looked
# 100.000 entities, each twice the one before: the "billion laughs" that crashed expat.
ENTITIES = '<!ENTITY e0 "ha">' + "".join(
    f'<!ENTITY e{i} "&e{i - 1};&e{i - 1};">' for i in range(1, 100_000)
)
DOCTYPE = f"<!DOCTYPE x [{ENTITIES}]>"

CONTENT_TYPES = (
    DECLARATION + '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="xml" ContentType="application/xml"/></Types>'
)
WORKBOOK = (
    DECLARATION + f'<workbook xmlns="{MAIN}" xmlns:r="http://schemas.openxmlformats.org/'
    'officeDocument/2006/relationships"><sheets><sheet name="Deltagelser" sheetId="1" '
    'r:id="rId1"/></sheets></workbook>'
)
RELS = (
    DECLARATION + '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/'
    'relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/'
    'officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>'
    "</Relationships>"
)
STYLES = (
    DECLARATION + f'<styleSheet xmlns="{MAIN}"><cellXfs count="2"><xf numFmtId="0"/>'
    '<xf numFmtId="14" applyNumberFormat="1"/></cellXfs></styleSheet>'
)
HEADER_ROW = '<row r="1"><c r="A1" t="inlineStr"><is><t>Navn</t></is></c></row>'


def sheet(rows: str, *, head: str = "") -> str:
    """A worksheet part holding `rows` (row elements), with `head` before its root."""
    return (
        DECLARATION + head + f'<worksheet xmlns="{MAIN}"><sheetData>{rows}</sheetData></worksheet>'
    )


def workbook(
    *, sheet_xml: str = "", shared: str | bytes | None = None, **parts: str | bytes
) -> bytes:
    """An XLSX file: the standard parts, overridden or added by keyword (path with / as __)."""
    files: dict[str, str | bytes] = {
        "[Content_Types].xml": CONTENT_TYPES,
        "xl/workbook.xml": WORKBOOK,
        "xl/_rels/workbook.xml.rels": RELS,
        "xl/styles.xml": STYLES,
        "xl/worksheets/sheet1.xml": sheet_xml or sheet(HEADER_ROW),
    }
    if shared is not None:
        files["xl/sharedStrings.xml"] = shared
    files.update({name.replace("__", "/"): content for name, content in parts.items()})
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for name, content in files.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def with_doctype(part: str) -> bytes:
    """A workbook whose `part` has the long comment, then the entity DTD, and uses the entity."""
    shared = DECLARATION + f'<sst xmlns="{MAIN}"><si><t>Navn</t></si></sst>'
    normal = {
        "xl/worksheets/sheet1.xml": sheet(HEADER_ROW),
        "xl/sharedStrings.xml": shared,
        "xl/workbook.xml": WORKBOOK,
        "xl/styles.xml": STYLES,
    }
    hostile = (
        normal[part]
        .replace(DECLARATION, DECLARATION + COMMENT + DOCTYPE, 1)
        .replace(">Navn<", ">&e99999;<")
        .replace('name="Deltagelser"', 'name="&e99999;"')
    )
    parts = {name.replace("/", "__"): text for name, text in normal.items()}
    parts[part.replace("/", "__")] = hostile
    return workbook(**parts)


def column_aaaaaa() -> bytes:
    """One header cell at column AAAAAA (index 205 million): 6 GB if the row were padded."""
    return workbook(
        sheet_xml=sheet('<row r="1"><c r="AAAAAA1" t="inlineStr"><is><t>x</t></is></c></row>')
    )


def _lying(data: bytes, name: str, size: int) -> bytes:
    """The zip with `name`'s uncompressed size written as `size`, in both headers."""
    raw = bytearray(data)
    encoded = name.encode()
    for signature, offset, name_at in ((b"PK\x03\x04", 22, 30), (b"PK\x01\x02", 24, 46)):
        start = 0
        while (start := raw.find(signature, start)) >= 0:
            if raw[start + name_at : start + name_at + len(encoded)] == encoded:
                raw[start + offset : start + offset + 4] = size.to_bytes(4, "little")
            start += 4
    return bytes(raw)


def _streamed(name: str, head: str, repeated: str, times: int, tail: str) -> bytes:
    """A workbook whose part `name` is `head`, `repeated` `times` times, then `tail`."""
    data = workbook()
    buffer = io.BytesIO(data)
    piece = (repeated * max(1, 1_000_000 // len(repeated))).encode()
    pieces, rest = divmod(times, max(1, 1_000_000 // len(repeated)))
    with (
        zipfile.ZipFile(buffer, "a", zipfile.ZIP_DEFLATED) as archive,
        archive.open(name, "w") as part,
    ):
        part.write(head.encode())
        for _ in range(pieces):
            part.write(piece)
        part.write((repeated * rest + tail).encode())
    return buffer.getvalue()


def shared_strings_bomb(*, lying: bool = False) -> bytes:
    """A sharedStrings.xml of 1,1 GB of short strings, deflated to about 1 MB."""
    data = _streamed(
        "xl/sharedStrings.xml", DECLARATION + f'<sst xmlns="{MAIN}">', "<si><t>a</t></si>",
        1_100_000_000 // 17, "</sst>",
    )  # fmt: skip
    return _lying(data, "xl/sharedStrings.xml", 1_000) if lying else data


def one_long_text() -> bytes:
    """One shared string of 40 million characters: the parser would hold it whole."""
    return _streamed(
        "xl/sharedStrings.xml", DECLARATION + f'<sst xmlns="{MAIN}"><si><t>', "a", 40_000_000,
        "</t></si></sst>",
    )  # fmt: skip


def huge_exponent() -> bytes:
    """A number cell holding 1E+2000000: two million digits if made whole."""
    return workbook(
        sheet_xml=sheet(HEADER_ROW + '<row r="2"><c r="A2"><v>1E+2000000</v></c></row>')
    )


def not_a_number() -> bytes:
    return workbook(sheet_xml=sheet(HEADER_ROW + '<row r="2"><c r="A2"><v>NaN-ish</v></c></row>'))


def shared_index_out_of_range() -> bytes:
    rows = HEADER_ROW + '<row r="2"><c r="A2" t="s"><v>7</v></c></row>'
    shared = DECLARATION + f'<sst xmlns="{MAIN}"><si><t>Navn</t></si></sst>'
    return workbook(sheet_xml=sheet(rows), shared=shared)


def date_overflow() -> bytes:
    """A date-formatted cell (style 1: format 14) holding a serial past the year 9999."""
    return workbook(
        sheet_xml=sheet(HEADER_ROW + '<row r="2"><c r="A2" s="1"><v>99999999999</v></c></row>')
    )


def many_rows() -> bytes:
    """400.000 empty row elements: each is kept (empty) until the sheet ends."""
    return workbook(sheet_xml=sheet(HEADER_ROW + "<row/>" * 400_000))


def zip_directory_bomb() -> bytes:
    """A zip of 40.000 empty parts: zipfile reads its whole table of contents first."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:
        for number in range(40_000):
            archive.writestr(f"x/{number}", b"")
    return buffer.getvalue()


def semicolon_header() -> bytes:
    """A CSV whose header is 1.000.000 semicolons (537 MB when each became a column)."""
    return b";" * 1_000_000 + b"\r\n" + (b"x" + b";" * 1_000_000 + b"\r\n") * 20


def wide_row() -> bytes:
    """A CSV row of 5.000.000 semicolons below a normal header."""
    return b"Navn;CVR\r\n" + b"x" + b";" * 5_000_000 + b"\r\n"


def huge_csv_cell() -> bytes:
    """A CSV cell of 10 million characters (the csv module's limit is 131.072)."""
    return b"Navn;CVR\r\n" + b"x" * 10_000_000 + b";1\r\n"


def long_csv_cell() -> bytes:
    """A CSV cell of 40.000 characters: within csv's limit, past Excel's 32.767."""
    return b"Navn;CVR\r\n" + b"x" * 40_000 + b";1\r\n"


def unclosed_quote() -> bytes:
    """An unclosed quote on row 3 of a seven-row file."""
    rows = [b"Navn;CVR", b"A;1", b'"B;2', b"C;3", b"D;4", b"E;5", b"F;6"]
    return b"\r\n".join(rows) + b"\r\n"


@dataclass(frozen=True)
class Case:
    """A hostile file and a pattern its refusal must match (empty: it must be read)."""

    name: str
    build: Callable[[], bytes]
    refusal: str


CASES = (
    *(
        Case(f"dtd-{part.split('/')[-1]}", lambda part=part: with_doctype(part), "DTD")
        for part in (
            "xl/worksheets/sheet1.xml",
            "xl/sharedStrings.xml",
            "xl/workbook.xml",
            "xl/styles.xml",
        )
    ),
    Case("column-AAAAAA", column_aaaaaa, "kolonne AAAAAA .*højst 200 kolonner"),
    Case("sharedstrings-bomb", shared_strings_bomb, "sharedStrings.xml fylder mere end 50 MB"),
    # zipfile stops at the size the zip states, and then finds the checksum wrong
    Case(
        "sharedstrings-bomb-lying-size", lambda: shared_strings_bomb(lying=True), "kan ikke læses"
    ),
    Case("one-40-MB-text", one_long_text, "mere end 32.767 tegn"),
    Case("number-1E+2000000", huge_exponent, r"Cellen A2: .*1E\+2000000"),
    Case("number-not-a-number", not_a_number, "Cellen A2: skulle holde et tal"),
    Case(
        "shared-index-out-of-range",
        shared_index_out_of_range,
        "Cellen A2: henviser til delt tekst nr. 7",
    ),
    Case("date-serial-overflow", date_overflow, "Cellen A2: er formateret som dato"),
    Case("400.000-empty-rows", many_rows, "mere end 300.000 rækker"),
    Case("zip-of-40.000-parts", zip_directory_bomb, "indholdsfortegnelse"),
    Case("csv-1.000.000-semicolon-header", semicolon_header, "mere end 200 kolonner"),
    Case("csv-5.000.000-semicolon-row", wide_row, "Række 2 har mere end 20.000 skilletegn"),
    Case("csv-10-MB-cell", huge_csv_cell, "Række 2: en celle har mere end 32.767 tegn"),
    Case("csv-40.000-char-cell", long_csv_cell, "Række 2: en celle har mere end 32.767 tegn"),
    Case("csv-unclosed-quote-row-3", unclosed_quote, "Række 3: en tekst i anførselstegn"),
)

_CHILD = """
import json, resource, sys, time
from pathlib import Path
from klynge.core.tabular import TableError, read_table
data = Path(sys.argv[1]).read_bytes()
start = time.perf_counter()
try:
    read_table(data)
    message = ""
except TableError as error:
    message = str(error)
usage = resource.getrusage(resource.RUSAGE_SELF)
peak = usage.ru_maxrss  # on Linux this can include the parent's memory at the fork, so:
status = Path("/proc/self/status")
if status.exists():  # the peak of this program's own memory, since exec
    peak = int(next(l for l in status.read_text().splitlines() if l.startswith("VmHWM")).split()[1])
print(json.dumps({"message": message, "seconds": time.perf_counter() - start,
                  "cpu": usage.ru_utime + usage.ru_stime, "peak_kb": peak}))
"""


@dataclass(frozen=True)
class Measurement:
    """What reading one file cost a fresh process, and what it said."""

    message: str
    seconds: float  # wall time of the read alone
    cpu_seconds: float  # the whole process, start-up included
    peak_mb: float  # peak resident memory of the whole process
    file_bytes: int


def measure(data: bytes, *, timeout: float = 120) -> Measurement:
    """
    Read `data` with `read_table` in a fresh Python process and return what it cost.

    :raises subprocess.CalledProcessError: if the process fails (a crash, a traceback)
    """
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "file"
        path.write_bytes(data)
        done = subprocess.run(  # noqa: S603 - our own interpreter and script
            [sys.executable, "-c", _CHILD, str(path)],
            capture_output=True,
            check=True,
            text=True,
            timeout=timeout,
        )
    result = json.loads(done.stdout)
    return Measurement(
        result["message"], result["seconds"], result["cpu"], result["peak_kb"] / 1024, len(data)
    )
