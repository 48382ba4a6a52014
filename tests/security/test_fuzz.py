"""
Every URL pattern, hostile values in every parameter: never a server error.

The URL list comes from the URL configuration through the permission matrix
(`MATRIX` gives a working URL for each pattern, and a new pattern without an
entry fails there). For each pattern and for the secretariat (who reaches the
most) and the reader:

- each path parameter gets hostile values that its converter lets through
  (0, -1, 2**63, 30 digits, '²', '1e5', '../', NUL, very long text ...);
- a GET sends each hostile value in every query parameter the view reads
  (recorded while the page opens, plus `QUERY_PARAMETERS`, which is held to the
  source) and every field of the page's forms;
- a POST sends each hostile value in every field of the page's forms at once,
  and, for the secretariat, one hostile field at a time with the others at the
  page's own values, so the value reaches the service behind a valid form.

A case fails on any 5xx. The test client returns the 500 response instead of
raising, so every case is counted before the test fails.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import QueryDict
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, resolve, reverse
from django.utils.datastructures import MultiValueDict
from tests.security.conftest import World
from tests.security.test_permission_matrix import MATRIX

pytestmark = pytest.mark.django_db

ROLES = ("sekretariat", "laeser")
SRC = Path(__file__).resolve().parents[2] / "src" / "klynge"

# Every query parameter a view reads (test_query_parameters_are_all_fuzzed holds
# this list to the source).
QUERY_PARAMETERS = (
    "aar", "dato", "international", "kommune", "kontor", "maal", "next",
    "ny_eksportoer", "q", "side", "smv", "virksomheder",
)  # fmt: skip

# Path values: each is tried where the parameter's converter lets it through.
HOSTILE_PATH = (
    "0", "-1", "00", "0001", str(2**63 - 1), str(2**63), "9" * 30, "99999", "²", "١٢٣",
    "1e5", "..", "../", "%", " ", "a" * 2000, "æøå", "\x00", "253\x00", "<b>", "csv\n",
)  # fmt: skip

# Query and form values: numbers out of every bound, notations no parser should
# read, characters a database refuses, and text far over any field's length.
HOSTILE = (
    "-1", "1e10000000", "9" * 30, "9" * 5000, str(2**63), "²", "1/0", "99999", "\x00",
    "x" * 5000, "1.000.000.000.000.000.000,00", "99999-01-01", "\u202e\u200b",
)  # fmt: skip

# The values tried one field at a time behind an otherwise valid form.
DEEP = ("-1", "9" * 30, "1e10000000", "²", "\x00", "x" * 5000)

_PARAMETER = re.compile(r"<(?:(?P<converter>[^>:]+):)?(?P<name>[^>]+)>")


class _Forms(HTMLParser):
    """The named fields of a page's forms and their current values, by method."""

    def __init__(self) -> None:
        super().__init__()
        self.fields: dict[str, dict[str, str]] = {"get": {}, "post": {}}
        self.files: set[str] = set()
        self._method = "get"
        self._select: str | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attr = {key: value or "" for key, value in attrs}
        name = attr.get("name", "")
        if tag == "form":
            self._method = attr.get("method", "get").lower()
        elif tag == "input" and name and name != "csrfmiddlewaretoken":
            kind = attr.get("type", "text")
            if kind == "file":
                self.files.add(name)
            elif kind not in {"checkbox", "radio"} or "checked" in attr:
                self.fields[self._method][name] = attr.get("value", "")
            else:
                self.fields[self._method].setdefault(name, "")
        elif tag == "select" and name:
            self._select = name
            self.fields[self._method].setdefault(name, "")
        elif tag == "option" and self._select and "selected" in attr:
            self.fields[self._method][self._select] = attr.get("value", "")
        elif tag == "textarea" and name:
            self._textarea = name
            self.fields[self._method][name] = ""

    def handle_endtag(self, tag: str) -> None:
        if tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None
        elif tag == "form":
            self._method = "get"

    def handle_data(self, data: str) -> None:
        if self._textarea:
            self.fields[self._method][self._textarea] += data


def _forms(html: str) -> _Forms:
    parser = _Forms()
    parser.feed(html)
    return parser


def _route(pattern: URLPattern) -> str:
    return str(pattern.pattern._route)  # type: ignore[attr-defined]


def _path_cases(pattern: URLPattern, url: str) -> Iterator[str]:
    """The working `url` with each path parameter in turn set to each hostile value."""
    kwargs = resolve(url).kwargs
    converters = pattern.pattern.converters  # type: ignore[attr-defined]
    for target in converters:
        for value in HOSTILE_PATH:
            if not re.fullmatch(converters[target].regex, value):
                continue

            def fill(match: re.Match[str], target: str = target, value: str = value) -> str:
                name = match["name"]
                text = value if name == target else converters[name].to_url(kwargs[name])
                return quote(text, safe="")

            yield "/" + _PARAMETER.sub(fill, _route(pattern))


def _admin_cases() -> Iterator[str]:
    for value in ("0", str(2**63), "9" * 30, "²", "\x00", "a" * 2000):
        yield f"/admin/{quote(value, safe='')}/"
        yield f"/admin/auth/user/{quote(value, safe='')}/change/"


def _files(names: set[str]) -> dict[str, Any]:
    return {name: SimpleUploadedFile("x.csv", b"a;b\n\x00;\xff\n") for name in names}


@contextmanager
def _keys_read() -> Iterator[set[str]]:
    """The keys a request's code reads from its query (and form) data."""
    keys: set[str] = set()
    originals = {name: getattr(MultiValueDict, name) for name in ("get", "getlist", "__getitem__")}

    def recording(original: Any) -> Any:
        def method(self: MultiValueDict[str, Any], key: str, *args: Any) -> Any:
            if isinstance(self, QueryDict):
                keys.add(key)
            return original(self, key, *args)

        return method

    for name, original in originals.items():
        setattr(MultiValueDict, name, recording(original))
    try:
        yield keys
    finally:
        for name, original in originals.items():
            setattr(MultiValueDict, name, original)


class Fuzzer:
    """Sends the cases as one user, logging in again when a case logged it out."""

    def __init__(self, username: str) -> None:
        self.user = get_user_model().objects.get(username=username)
        self.client = Client(raise_request_exception=False)
        self.client.force_login(self.user)
        self.cases = 0
        self.errors: list[str] = []

    def send(self, method: str, url: str, data: dict[str, Any] | None = None) -> int:
        response = getattr(self.client, method)(url, data or {})
        self.cases += 1
        if response.status_code >= 500:
            shown = {key: str(value)[:24] for key, value in (data or {}).items()}
            self.errors.append(f"{response.status_code} {method.upper()} {url[:100]} {shown}")
        if response.get("Location", "").startswith(reverse("login")) or url == reverse("logout"):
            self.client.force_login(self.user)
        return int(response.status_code)


def _patterns() -> list[tuple[str, URLPattern]]:
    result = []
    for pattern in get_resolver().url_patterns:
        if isinstance(pattern, URLResolver):
            continue
        assert isinstance(pattern, URLPattern)
        assert pattern.name is not None
        result.append((pattern.name, pattern))
    return sorted(result, key=lambda item: item[0])


def fuzz(fuzzer: Fuzzer, world: World, names: list[str], *, deep: bool) -> None:
    """Every case of the URL patterns `names` (see the module's docstring)."""
    secretariat = Client()
    secretariat.force_login(get_user_model().objects.get(username="sekretariat"))
    patterns = dict(_patterns())
    for name in names:
        url = MATRIX[name].url(world)
        for case in _path_cases(patterns[name], url):
            fuzzer.send("get", case)
        with _keys_read() as read:
            page = secretariat.get(url)
        forms = _forms(page.content.decode(errors="replace"))
        query = {*read, *forms.fields["get"]}
        values = HOSTILE if query else ("9" * 30,)
        for value in values:
            fuzzer.send("get", url, dict.fromkeys({*query, *QUERY_PARAMETERS}, value))
        if fuzzer.send("post", url) == 405:
            continue
        post = forms.fields["post"]
        for case in _path_cases(patterns[name], url):
            fuzzer.send("post", case)
        for value in HOSTILE:
            fuzzer.send("post", url, {**dict.fromkeys(post, value), **_files(forms.files)})
        if deep:
            for field in post:
                for value in DEEP:
                    fuzzer.send("post", url, {**post, field: value, **_files(forms.files)})


def _halves() -> list[list[str]]:
    # Logging out ends the session: last in its half. The REST API is fuzzed
    # from its OpenAPI description instead (tests/api/test_schemathesis.py).
    names = sorted(MATRIX.keys() - {"admin:*", "api:*"}, key=lambda name: (name == "logout", name))
    return [names[0::2], names[1::2]]


@pytest.mark.parametrize("part", [0, 1])
@pytest.mark.parametrize("username", ROLES)
def test_no_input_gives_a_server_error(username: str, part: int, world: World) -> None:
    fuzzer = Fuzzer(username)

    fuzz(fuzzer, world, _halves()[part], deep=username == "sekretariat")
    for case in _admin_cases():
        fuzzer.send("get", case)

    print(f"{username} {part}: {fuzzer.cases} cases, {len(fuzzer.errors)} server errors")  # noqa: T201
    if fuzzer.errors:
        pytest.fail("\n".join(fuzzer.errors))


def test_every_url_pattern_is_fuzzed() -> None:
    fuzzed = [name for half in _halves() for name in half]

    assert sorted(fuzzed) == sorted(name for name, _pattern in _patterns())


def test_query_parameters_are_all_fuzzed() -> None:
    read = set()
    for path in SRC.rglob("*.py"):
        read |= set(re.findall(r"(?:GET|query)\.get\(\"(\w+)\"", path.read_text()))

    assert read == set(QUERY_PARAMETERS)
