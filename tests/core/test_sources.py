"""Sources as people read them: short labels, links, and the seed kept apart."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from klynge.core.sources import SEED_LABEL, SourceRef, split_sources


def test_an_office_source_list_becomes_short_linked_labels_seed_first() -> None:
    text = (
        "sn.dk/Naestved/Groent-datingbureau/artikel/1441080 (29.05.2021); "
        "Slides KKR Sjælland (seed); ufm.dk nyhed 16.12.2021 om UFS-ekstramidler"
    )

    assert split_sources(text) == [
        SourceRef(SEED_LABEL, "", True),
        SourceRef(
            "sn.dk, 29.05.2021", "https://sn.dk/Naestved/Groent-datingbureau/artikel/1441080", False
        ),
        SourceRef("ufm.dk, 16.12.2021", "https://ufm.dk", False),
    ]


def test_a_grant_quoting_the_slides_is_from_the_seed() -> None:
    refs = split_sources('Slides KKR Sjælland (seed): "20 mio. kr. (2021) til RUC"')

    assert refs == [SourceRef(SEED_LABEL, "", True)]


def test_text_without_an_address_keeps_its_first_words() -> None:
    (ref,) = split_sources("Beslutning i KKR Sjælland på mødet den 30. august 2021")

    assert ref == SourceRef("Beslutning i KKR Sjælland på mødet …", "", False)


@given(st.text(max_size=300))
def test_any_text_gives_labels_and_only_https_links(text: str) -> None:
    for ref in split_sources(text):
        assert ref.label
        assert ref.url == "" or ref.url.startswith(("https://", "http://"))
