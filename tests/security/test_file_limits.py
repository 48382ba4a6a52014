"""
Imports are bounded in memory and time, and no file shape crashes a reader (#12, items 2 and 11).

Each hostile file of `tests.security.hostile_files` is read in a fresh Python
process, which must end normally with a Danish message naming the limit,
within PEAK_MB of resident memory (the interpreter's ~30 MB included) and
CPU_SECONDS of CPU (start-up included). Before these limits, the same files
cost 6 GB (column AAAAAA), 1,1 GB (the shared-strings bomb), 159 s (1E+2000000),
537 MB (a header of a million semicolons) or a crash (SIGSEGV on the DTD).
"""

from __future__ import annotations

import io
import re

import pytest
from tests.security.hostile_files import (
    CASES,
    Case,
    column_aaaaaa,
    measure,
    sheet,
    workbook,
)

from klynge.core.tabular import (
    MAX_CELL_CHARS,
    MAX_COLUMNS,
    MAX_ROWS,
    TableError,
    _Part,
    read_table,
    read_table_csv,
)

PEAK_MB = 200
CPU_SECONDS = 5


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.name)
def test_a_hostile_file_is_refused_with_its_limit_named_within_memory_and_time(case: Case) -> None:
    data = case.build()

    result = measure(data)

    assert re.search(case.refusal, result.message), result.message
    assert result.peak_mb < PEAK_MB
    assert result.cpu_seconds < CPU_SECONDS


def test_the_same_reader_without_a_hostile_shape_reads_the_file() -> None:
    """The measuring process reads a normal file, so a refusal above is the limit's doing."""
    rows = '<row r="1"><c r="A1" t="inlineStr"><is><t>Navn</t></is></c></row>'
    rows += '<row r="2"><c r="A2"><v>1E+2</v></c></row>'

    result = measure(workbook(sheet_xml=sheet(rows)))

    assert result.message == ""


def test_a_dtd_is_refused_wherever_it_stands_not_only_at_the_start() -> None:
    comment = "<!--" + "x" * 100_000 + "-->"
    text = sheet('<row r="1"><c r="A1" t="inlineStr"><is><t>Navn</t></is></c></row>')
    late = text.replace(
        "<worksheet", comment + '<!DOCTYPE worksheet SYSTEM "file:///etc/passwd"><worksheet'
    )

    with pytest.raises(TableError, match="DTD"):
        read_table(workbook(sheet_xml=late))


def test_the_last_column_read_is_gr_and_the_next_is_refused() -> None:
    def header_at(letters: str) -> bytes:
        return workbook(
            sheet_xml=sheet(
                f'<row r="1"><c r="{letters}1" t="inlineStr"><is><t>x</t></is></c></row>'
            )
        )

    assert len(read_table(header_at("GR")).header) == MAX_COLUMNS
    with pytest.raises(TableError, match="kolonne GS"):
        read_table(header_at("GS"))
    with pytest.raises(TableError, match="AAAAAA"):
        read_table(column_aaaaaa())


def test_a_cell_of_excels_length_is_read_and_one_more_character_is_refused() -> None:
    longest = "x" * MAX_CELL_CHARS

    assert read_table_csv(f"Navn;CVR\r\n{longest};1\r\n".encode()).rows[0][1][0] == longest
    with pytest.raises(TableError, match=r"Række 2: en celle har mere end 32\.767 tegn"):
        read_table_csv(f"Navn;CVR\r\n{longest}x;1\r\n".encode())
    inline = f'<c r="A2" t="inlineStr"><is><t>{longest}x</t></is></c>'
    rows = '<row r="1"><c r="A1" t="inlineStr"><is><t>Navn</t></is></c></row>'
    with pytest.raises(TableError, match=r"Cellen A2: en celle har mere end 32\.767 tegn"):
        read_table(workbook(sheet_xml=sheet(rows + f'<row r="2">{inline}</row>')))


def test_rows_past_the_limit_are_refused_with_the_limit_named() -> None:
    data = b"Navn\r\n" + b"x\r\n" * (MAX_ROWS + 1)

    with pytest.raises(TableError, match=r"mere end 200\.000 rækker"):
        read_table_csv(data)


@pytest.mark.parametrize(
    "data",
    [
        b"Navn;CVR\rAlfa;1\rBeta;2\r",  # Excel for Mac: CR only
        b"Navn;CVR\r\nAlfa;1\rBeta;2\n",  # mixed, with a stray CR
    ],
    ids=["cr-only", "stray-cr"],
)
def test_a_csv_with_carriage_returns_as_line_ends_is_read(data: bytes) -> None:
    table = read_table_csv(data)

    assert table.rows == [(2, ["Alfa", "1"]), (3, ["Beta", "2"])]


def test_a_quoted_cell_holding_a_line_break_keeps_the_rows_excel_shows() -> None:
    data = b'Navn;Adresse\r\nAlfa;"Vej 1\r\n4000 Roskilde"\r\nBeta;Vej 2\r\n'

    table = read_table_csv(data)

    assert table.rows == [(2, ["Alfa", "Vej 1\r\n4000 Roskilde"]), (3, ["Beta", "Vej 2"])]


def test_an_unclosed_quote_is_reported_on_its_own_row() -> None:
    data = b'Navn;CVR\r\nA;1\r\n"B;2\r\nC;3\r\nD;4\r\nE;5\r\nF;6\r\n'

    with pytest.raises(TableError, match=r"^Række 3: en tekst i anførselstegn"):
        read_table_csv(data)


def test_an_unclosed_quote_swallowing_a_long_text_names_the_row_and_the_quote() -> None:
    data = b'Navn;CVR\r\nA;1\r\n"B;2\r\n' + b"C\r\n" * 50_000

    with pytest.raises(TableError, match=r"^Række 3: .*32\.767 tegn.*afsluttende anførselstegn"):
        read_table_csv(data)


def test_an_unclosed_quote_over_many_delimiters_names_the_row_and_the_quote() -> None:
    data = b'Navn;CVR\r\nA;1\r\n"B;2\r\n' + b"C;3\r\n" * 30_000

    with pytest.raises(
        TableError, match=r"^Række 3 har mere end 20\.000 .*afsluttende anførselstegn"
    ):
        read_table_csv(data)


def test_a_part_is_counted_while_read_so_a_wrong_size_in_the_zip_cannot_pass() -> None:
    part = _Part(io.BytesIO(b"<a>" + b"<b/>" * 100_000 + b"</a>"), "xl/x.xml", limit=100_000)

    with pytest.raises(TableError, match=r"xl/x\.xml fylder mere end"):
        while part.read(16_384):
            pass


def test_a_text_longer_than_a_cell_is_refused_before_the_parser_holds_it() -> None:
    part = _Part(io.BytesIO(b"<a>" + b"x" * 1_000_000 + b"</a>"), "xl/x.xml", limit=10**9)

    with pytest.raises(TableError, match=r"tekst på mere end 32\.767 tegn"):
        while part.read(16_384):
            pass
