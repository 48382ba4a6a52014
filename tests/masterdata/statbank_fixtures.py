"""The recorded FOLK1A answers (see statbank/README.md) and a MockTransport that serves them."""

from __future__ import annotations

import csv
import json
from collections.abc import Callable
from datetime import date
from pathlib import Path

import httpx

HERE = Path(__file__).resolve().parent / "statbank"
DATA = Path(__file__).resolve().parents[2] / "src" / "klynge" / "masterdata" / "data"
GOOD = "folk1a_2021K1_code_and_value.csv"
REFERENCE_2021 = date(2021, 1, 1)


def recorded(name: str) -> bytes:
    return (HERE / name).read_bytes()


def shipped_2021() -> dict[str, int]:
    """The 2021 column of the shipped population.csv, by municipality code."""
    with (DATA / "population.csv").open(encoding="utf-8") as handle:
        return {
            r["code"]: int(r["population"]) for r in csv.DictReader(handle) if r["year"] == "2021"
        }


def sjaelland() -> dict[str, str]:
    """The 17 municipalities of the shipped register, {code: name}."""
    with (DATA / "municipalities.csv").open(encoding="utf-8") as handle:
        return {r["code"]: r["name"] for r in csv.DictReader(handle)}


class Recorder:
    """A MockTransport handler that answers from a list of responses and keeps the requests."""

    def __init__(self, *answers: bytes | int | Callable[[httpx.Request], httpx.Response]) -> None:
        self.answers = list(answers)
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        answer = self.answers.pop(0) if len(self.answers) > 1 else self.answers[0]
        if callable(answer):
            return answer(request)
        if isinstance(answer, int):
            return httpx.Response(answer, content=b'{"message":"Serverfejl"}')
        return httpx.Response(200, content=answer, headers={"Content-Type": "text/csv"})

    @property
    def transport(self) -> httpx.MockTransport:
        return httpx.MockTransport(self)

    def body(self, index: int = 0) -> dict[str, object]:
        result: dict[str, object] = json.loads(self.requests[index].content)
        return result
