"""
Text from files and terminals: digits, control characters, escapes.

`str.isdigit` is true for '²' and '٣', which `int()` then refuses or reads
as another number; `is_digits` accepts 0-9 only. A control character
(C0, DEL, C1) or a bidirectional override in a name or a reference breaks
exports and can rewrite an operator's terminal (ESC [ ... is a terminal
escape sequence), so input is refused with `first_control`, and text shown
to an operator or written to a spreadsheet goes through `escape_controls`
or `without_controls`.
"""

from __future__ import annotations

import re
import unicodedata

_DIGITS = re.compile(r"[0-9]+")
# Bidirectional embeddings, overrides and isolates (Unicode category Cf): they reorder
# what a reader sees ("Trojan source") and have no place in a name or a reference.
_BIDI = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def is_digits(text: str) -> bool:
    """True if `text` is one or more of the digits 0-9 (not '²', not Arabic-Indic digits)."""
    return _DIGITS.fullmatch(text) is not None


def is_control(char: str) -> bool:
    """A C0 or C1 control character, DEL, or a bidirectional override."""
    return unicodedata.category(char) == "Cc" or char in _BIDI


def first_control(text: str, *, allowed: str = "") -> tuple[int, str] | None:
    """The position (from 1) and the code point ('U+001B') of the first control character."""
    for position, char in enumerate(text, start=1):
        if char not in allowed and is_control(char):
            return position, f"U+{ord(char):04X}"
    return None


def _escape(char: str) -> str:
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def escape_controls(text: str, *, keep: str = "") -> str:
    """`text` with every control character written as an escape (ESC as '\\x1b'), `keep` kept."""
    if not any(is_control(char) for char in text):
        return text
    return "".join(
        _escape(char) if char not in keep and is_control(char) else char for char in text
    )


def without_controls(text: str, *, keep: str = "\t\n\r") -> str:
    """`text` with the control characters other than `keep` replaced by U+FFFD (for XLSX)."""
    if not any(is_control(char) for char in text):
        return text
    return "".join("\ufffd" if char not in keep and is_control(char) else char for char in text)
