"""The interface is Danish by default and English through the language switch."""

from __future__ import annotations

import ast
import gettext as gnu_gettext
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

import klynge

LOCALE_DIR = Path(klynge.__file__).resolve().parent / "locale"
LANGUAGES = ["da", "en"]


@dataclass
class Entry:
    """One message of a .po file."""

    flags: list[str] = field(default_factory=list)
    obsolete: bool = False
    msgctxt: str | None = None
    msgid: str = ""
    msgid_plural: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)


_KEYWORD = re.compile(r'^(msgctxt|msgid_plural|msgid|msgstr(?:\[(\d+)\])?)\s+(".*")$')


def read_po(path: Path) -> list[Entry]:
    """A small .po parser: enough for the catalogues makemessages writes."""
    entries: list[Entry] = []
    entry: Entry | None = None
    target: tuple[str, int] = ("msgid", 0)
    for line in [*path.read_text(encoding="utf-8").splitlines(), ""]:
        if not line.strip():
            if entry is not None:
                entries.append(entry)
            entry = None
            continue
        if entry is None:
            entry = Entry()
        if line.startswith("#~"):
            entry.obsolete = True
        elif line.startswith("#,"):
            entry.flags += [flag.strip() for flag in line[2:].split(",")]
        elif line.startswith("#"):
            continue
        elif match := _KEYWORD.match(line):
            keyword, index, text = match.groups()
            value = ast.literal_eval(text)
            if keyword.startswith("msgstr"):
                target = ("msgstr", int(index or 0))
                entry.msgstr[target[1]] = value
            else:
                target = (keyword, 0)
                setattr(entry, keyword, value)
        elif line.startswith('"'):
            value = ast.literal_eval(line)
            if target[0] == "msgstr":
                entry.msgstr[target[1]] += value
            else:
                setattr(entry, target[0], getattr(entry, target[0]) + value)
        else:
            raise ValueError(f"{path}: cannot read {line!r}")
    return entries


def messages(language: str) -> list[Entry]:
    return [e for e in read_po(LOCALE_DIR / language / "LC_MESSAGES" / "django.po") if e.msgid]


@pytest.fixture(autouse=True)
def _default_language() -> Iterator[None]:
    """Requests activate a language for the thread; leave the default behind."""
    yield
    translation.deactivate()


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_catalogue_is_complete_with_no_fuzzy_or_obsolete_entry(language: str) -> None:
    path = LOCALE_DIR / language / "LC_MESSAGES" / "django.po"
    text = path.read_text(encoding="utf-8")
    header = read_po(path)[0]
    entries = messages(language)

    assert len(entries) > 300
    assert f"Language: {language}\\n" in text
    assert "charset=UTF-8" in header.msgstr[0]
    assert "Plural-Forms: nplurals=2; plural=(n != 1);" in header.msgstr[0]
    assert [e.msgid for e in entries if "fuzzy" in e.flags] == []
    assert [e.msgid for e in entries if e.obsolete] == []
    assert [e.msgid for e in entries if not all(e.msgstr.values())] == []
    assert [e.msgid for e in entries if e.msgid_plural and sorted(e.msgstr) != [0, 1]] == []


def test_the_english_catalogue_is_the_identity_of_the_danish_one() -> None:
    english = messages("en")

    assert {(e.msgctxt, e.msgid) for e in english} == {(e.msgctxt, e.msgid) for e in messages("da")}
    for entry in english:
        expected = [entry.msgid, entry.msgid_plural] if entry.msgid_plural else [entry.msgid]
        assert [entry.msgstr[i] for i in sorted(entry.msgstr)] == expected


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_compiled_catalogue_matches_the_po_file(language: str) -> None:
    """The committed .mo is compiled from the committed .po (users need no gettext)."""
    directory = LOCALE_DIR / language / "LC_MESSAGES"
    with (directory / "django.mo").open("rb") as mo:
        compiled = gnu_gettext.GNUTranslations(mo)

    for entry in messages(language):
        if entry.msgid_plural:
            for n, index in ((1, 0), (2, 1)):
                got = (
                    compiled.npgettext(entry.msgctxt, entry.msgid, entry.msgid_plural, n)
                    if entry.msgctxt
                    else compiled.ngettext(entry.msgid, entry.msgid_plural, n)
                )
                assert got == entry.msgstr[index], entry.msgid
        elif entry.msgctxt:
            assert compiled.pgettext(entry.msgctxt, entry.msgid) == entry.msgstr[0]
        else:
            assert compiled.gettext(entry.msgid) == entry.msgstr[0], entry.msgid


@pytest.mark.parametrize("language", LANGUAGES)
def test_django_translates_every_msgid_as_the_catalogue_says(language: str) -> None:
    """Our catalogue wins over Django's and the third-party apps' own."""
    with translation.override(language):
        for entry in messages(language):
            if entry.msgid_plural:
                got = [translation.ngettext(entry.msgid, entry.msgid_plural, n) for n in (1, 2)]
                assert got == [entry.msgstr[0], entry.msgstr[1]], entry.msgid
            elif entry.msgctxt:
                assert translation.pgettext(entry.msgctxt, entry.msgid) == entry.msgstr[0]
            else:
                assert translation.gettext(entry.msgid) == entry.msgstr[0], entry.msgid


def test_django_axes_strings_have_danish() -> None:
    with translation.override("da"):
        assert translation.gettext("access attempts") == "adgangsforsøg"
        assert translation.gettext(
            "Account locked: too many login attempts. Please try again later."
        ).startswith("Kontoen er låst")


def _switch(client: Client, language: str, next_url: str) -> str:
    response = client.post(
        reverse("set-language"), {"language": language, "next": next_url}, follow=True
    )
    assert response.status_code == 200
    assert response.redirect_chain[-1][0] == next_url
    return response.content.decode()


def test_the_overview_switches_to_english_and_back(login_as) -> None:
    client = login_as("sekretariat")
    overview = reverse("overview")

    danish = client.get(overview).content.decode()
    assert 'lang="da"' in danish
    assert "<h1>Overblik</h1>" in danish
    assert "Kommunal medfinansiering i alt" in danish
    assert "<span>Brugere</span>" in danish
    assert 'name="language" value="en"' in danish

    english = _switch(client, "en", overview)
    assert 'lang="en"' in english
    assert "<h1>Overview</h1>" in english
    assert "Municipal co-financing in total" in english
    assert "<span>Users</span>" in english
    assert "Log out" in english
    assert "Overblik" not in english
    assert 'name="language" value="da"' in english

    # The choice sticks to the session's client (a cookie) on the next pages.
    allocation = client.get(reverse("allocation", args=[2024])).content.decode()
    assert "The municipalities' shares 2024 in DKK" in allocation
    assert 'lang="en"' in allocation

    danish_again = _switch(client, "da", overview)
    assert 'lang="da"' in danish_again
    assert "<h1>Overblik</h1>" in danish_again
    assert "Overview" not in danish_again


def test_the_login_page_has_the_switch_and_it_works(demo) -> None:
    client = Client()
    login = reverse("login")

    danish = client.get(login).content.decode()
    assert 'lang="da"' in danish
    assert "<h1>Log ind</h1>" in danish
    assert f'action="{reverse("set-language")}"' in danish
    assert 'name="language" value="en"' in danish

    english = _switch(client, "en", login)
    assert 'lang="en"' in english
    assert "<h1>Log in</h1>" in english
    assert "Username" in english
    assert 'name="language" value="da"' in english

    refused = client.post(login, {"username": "sekretariat", "password": "wrong"})
    assert "The username or password is wrong" in refused.content.decode()

    danish_again = _switch(client, "da", login)
    assert "<h1>Log ind</h1>" in danish_again
    assert "Brugernavn" in danish_again


def test_an_english_browser_still_gets_danish_until_the_user_switches(demo) -> None:
    from django.test import Client

    client = Client(HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")

    danish = client.get("/log-ind/")
    client.post("/sprog/", {"language": "en", "next": "/log-ind/"})
    english = client.get("/log-ind/")

    assert 'lang="da"' in danish.content.decode()
    assert danish["Content-Language"] == "da"
    assert 'lang="en"' in english.content.decode()
    assert english["Content-Language"] == "en"
