"""
Open data as files: standard CSV, exact decimals and a ZIP that is the same for the same data.

The open-data package (klynge.reports.opendata) is meant for any reader and
any tool, not Danish Excel: UTF-8 without a byte order mark, comma-separated,
a header row, CRLF line ends (RFC 4180), a point as decimal mark and no
thousands separator. Amounts are kroner with exactly two decimals, written
from integer øre, never through a float. A missing value is an empty cell.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import zipfile
from collections.abc import Iterable, Mapping, Sequence
from fractions import Fraction
from typing import Any

Cell = str | int | bool | None


def kroner(ore: int | None) -> str:
    """Øre as kroner with two decimals and a point: 50000000 → '500000.00'; None → ''."""
    if ore is None:
        return ""
    sign = "-" if ore < 0 else ""
    whole, cents = divmod(abs(ore), 100)
    return f"{sign}{whole}.{cents:02d}"


def decimal(value: Fraction | None, *, places: int = 2) -> str:
    """An exact fraction with `places` decimals, rounded half away from zero; None → ''."""
    if value is None:
        return ""
    scale = 10**places
    scaled = abs(value) * scale
    rounded = int(scaled) + (1 if scaled - int(scaled) >= Fraction(1, 2) else 0)
    sign = "-" if value < 0 and rounded else ""
    whole, part = divmod(rounded, scale)
    return f"{sign}{whole}.{part:0{places}d}" if places else f"{sign}{whole}"


def _cell(value: Cell) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def csv_bytes(header: Sequence[str], rows: Iterable[Sequence[Cell]]) -> bytes:
    """A CSV file: UTF-8, comma, header row, CRLF, minimal quoting; None and '' empty."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow(header)
    for row in rows:
        if len(row) != len(header):
            raise ValueError(f"row of {len(row)} cells under a header of {len(header)}")
        writer.writerow([_cell(value) for value in row])
    return buffer.getvalue().encode("utf-8")


def json_bytes(descriptor: Mapping[str, Any]) -> bytes:
    """A descriptor as readable, stable JSON: UTF-8, indented, keys in the given order."""
    return (json.dumps(descriptor, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def zip_bytes(files: Mapping[str, bytes], *, dated: dt.date) -> bytes:
    """
    The files in one ZIP, in name order, each dated `dated` (midnight) with
    mode 0644: the same files and date give the same bytes.
    """
    buffer = io.BytesIO()
    stamp = (max(dated.year, 1980), dated.month, dated.day, 0, 0, 0)
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name in sorted(files):
            info = zipfile.ZipInfo(name, date_time=stamp)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o100644 << 16
            info.create_system = 3
            archive.writestr(info, files[name])
    return buffer.getvalue()
