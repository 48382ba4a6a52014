"""
Reading CSV files as Danish users make them.

Danish Excel saves "CSV (semikolonsepareret)" in Windows-1252, or UTF-8 with
a byte-order mark when asked; others send comma-separated UTF-8. This module
turns such bytes into rows of text keyed by normalised header names.
"""

from __future__ import annotations

import csv
import io


class TableError(ValueError):
    """The file cannot be read as a table; the message says why."""


def decode(data: bytes) -> str:
    """UTF-8 (with or without BOM) if it decodes, else Windows-1252."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("cp1252")


def normalise_header(name: str) -> str:
    """'Beløb (kr.)' -> 'beløb (kr.)': trimmed, lower case, inner spaces single."""
    return " ".join(name.strip().lower().split())


def read_csv(data: bytes) -> list[dict[str, str]]:
    """
    The rows of a CSV file, as {normalised header: trimmed text}.

    The separator is a semicolon if the header line has one, else a comma.
    Empty lines are skipped.

    :raises TableError: if the file is empty or has no header
    """
    text = decode(data)
    lines = text.splitlines()
    if not lines or not lines[0].strip():
        raise TableError("Filen er tom eller mangler en overskriftsrække.")
    delimiter = ";" if ";" in lines[0] else ","
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    header = [normalise_header(name) for name in next(reader)]
    rows = []
    for cells in reader:
        if not any(cell.strip() for cell in cells):
            continue
        padded = [*cells, *[""] * (len(header) - len(cells))]
        rows.append({name: value.strip() for name, value in zip(header, padded, strict=False)})
    return rows
