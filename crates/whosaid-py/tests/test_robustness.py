"""Hostile and random input never crashes the interpreter: a record with
consistent spans, or ExtractError."""

import gzip
import random

import pytest

import whosaid


def check_spans(record):
    """Every span's text is its slice of article.text (UTF-8 byte offsets)."""
    text = record["article"]["text"].encode("utf-8")

    def check(span):
        assert 0 <= span["start"] <= span["end"] <= len(text), span
        if "text" in span:
            assert text[span["start"]:span["end"]].decode("utf-8") == span["text"], span

    for block in record["article"]["blocks"]:
        check(block)
    for actor in record["actors"]:
        for mention in actor["mentions"]:
            check(mention)
    for attribution in record["attributions"]:
        for role in ("speaker", "cue", "addressee", "content"):
            if attribution[role] is not None:
                check(attribution[role])
    for span in record["authorial"]:
        check(span)


def run(data, **kwargs):
    try:
        record = whosaid.extract(data, **kwargs)
    except whosaid.ExtractError as e:
        assert e.reason
        return None
    check_spans(record)
    return record


def test_ten_thousand_quotation_marks():
    for mark in ('"', "\u201c", "\u201d", "\u00ab", "'"):
        text = (mark + " a ") * 10_000
        record = run(text, input="text")
        assert record["article"]["text"] == text
        assert any("quotation marks, over the limit" in w for w in record["warnings"])
    # Spread over paragraphs, under the per-paragraph limit: all paired or not, no crash.
    text = "\n\n".join('"' + " x" * 20 + ' ," she said. "' for _ in range(2_500))
    run(text, input="text")


def test_ten_thousand_quotation_marks_in_a_batch():
    texts = [("\u201c" + " word" * i) * 10_000 for i in range(1, 4)]
    records = whosaid.extract_batch(texts, input="text")
    assert [r["article"]["text"] for r in records] == texts


def test_random_bytes():
    rng = random.Random(20261126)
    for case in range(300):
        size = rng.choice([1, 2, 7, 64, 512, 4096, 20_000])
        data = bytes(rng.getrandbits(8) for _ in range(size))
        if case % 5 == 1:
            data = b"<html><p>" + data
        elif case % 5 == 2:
            data = b"\x1f\x8b" + data
        elif case % 5 == 3:
            data = gzip.compress(data)
        kind = ("auto", "html", "text")[case % 3]
        run(data, input=kind)


def test_random_bytes_in_a_batch_return_errors_in_place():
    rng = random.Random(7)
    batch = [bytes(rng.getrandbits(8) for _ in range(rng.randrange(0, 3000))) for _ in range(200)]
    out = whosaid.extract_batch(batch, errors="return", threads=3)
    assert len(out) == len(batch)
    for i, item in enumerate(out):
        if isinstance(item, whosaid.ExtractError):
            assert item.index == i
        else:
            check_spans(item)


def test_random_text():
    rng = random.Random(11)
    alphabet = "ab \n\"'\u201c\u201d\u2018\u2019\u00ab\u00bb.,:said told according to Mr. Dr. \u00e9\u4e2d\U0001F600<>&/"
    for _ in range(200):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randrange(1, 3000)))
        run(text, input=rng.choice(["auto", "text"]))


@pytest.mark.parametrize(
    "page",
    [
        b"<div>" * 100_000 + b"<p>deep, the reporter said.</p>",
        b"<b><i>" * 30_000 + b"text",
        b"<p " + b'a="1" ' * 50_000 + b">x</p>",
        b"<table>" + b"<tr><td>cell</td>" * 50_000,
        b"<!--" * 50_000,
        b"<script>" + b"x" * 1_000_000,
    ],
    ids=["deep", "formatting", "attributes", "table", "comments", "script"],
)
def test_hostile_pages(page):
    run(page)
