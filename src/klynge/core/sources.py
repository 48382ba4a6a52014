"""
Sources as people read them: a short label, a link, and whether it is the seed.

The register keeps each fact's sources as the research wrote them ("Slides KKR
Sjælland (seed); sn.dk/Naestved/... (29.05.2021)"). `split_sources` turns such
a text into short references to show, keeping the facts from the seed (KKR
Sjælland's slides) apart from those found elsewhere. Nothing is looked up.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

SEED_LABEL = "KKR Sjællands slides"
_DATE = re.compile(r"\b(\d{1,2}\.\d{1,2}\.\d{4}|\d{4}-\d{2}-\d{2})\b")
_HOST = re.compile(r"^([a-z0-9-]+\.)+[a-z]{2,}(/\S*)?$", re.IGNORECASE)


@dataclass(frozen=True)
class SourceRef:
    """One source: its short label, a link ('' without one), and if it is the seed."""

    label: str
    url: str
    from_seed: bool


def _is_seed(part: str) -> bool:
    lowered = part.lower()
    return "(seed)" in lowered or lowered.startswith("slides")


def split_sources(text: str) -> list[SourceRef]:
    """
    The sources named in `text` (parts separated by ';'), each once, the seed first.

    A part starting with a web address ('sn.dk/Naestved/...') gets that address
    as link and its host, plus a date found in the part, as label; another
    part keeps its first words as label.
    """
    refs: list[SourceRef] = []
    for raw in text.split(";"):
        part = raw.strip()
        if not part:
            continue
        if _is_seed(part):
            ref = SourceRef(SEED_LABEL, "", True)
        else:
            token = part.split()[0].rstrip(",.:")
            found = _DATE.search(part)
            when = f", {found.group(1)}" if found else ""
            if _HOST.match(token) and not token.startswith(("http://", "https://")):
                host = token.split("/")[0]
                ref = SourceRef(host + when, "https://" + token, False)
            elif token.startswith(("http://", "https://")):
                host = token.split("/")[2]
                ref = SourceRef(host + when, token, False)
            else:
                words = part.split()
                short = " ".join(words[:6]) + (" …" if len(words) > 6 else "")
                ref = SourceRef(short, "", False)
        if ref not in refs:
            refs.append(ref)
    return sorted(refs, key=lambda ref: not ref.from_seed)
