"""whosaid.speaker_key: the library's key, the one the ledger groups by."""

import pytest

import whosaid


@pytest.mark.parametrize(
    "name, key",
    [
        ("Ada Lunn", "ada lunn"),
        ("Sen. Ada Lunn", "ada lunn"),
        ("Ada Lunn's", "ada lunn"),
        ("the Harbour Board", "harbour board"),
        ("he", None),
        ("officials", None),
        ("", None),
    ],
)
def test_speaker_key(name, key):
    assert whosaid.speaker_key(name) == key

