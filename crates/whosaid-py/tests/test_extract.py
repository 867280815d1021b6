"""whosaid.extract: the CLI's record for the same bytes, the CLI's errors
for the same bad input."""

import gzip
import re

import pytest

import whosaid
from conftest import REPO, fixture_pages

# Fictional pages written for these tests, beside the repository's examples:
# each exercises a path of the decoder the examples do not.
OWN_PAGES = {
    # Latin-1 bytes declared in a <meta>: decoded by the pipeline.
    "latin1.html": (
        '<html><head><meta charset="iso-8859-1"><title>Caf\xe9 closes | Ostby Post</title></head>'
        "<body><article><h1>Caf\xe9 closes</h1>"
        "<p>\u201cWe served our last cr\xe8me br\xfbl\xe9e on Sunday,\u201d owner Mette Holm said."
        " The caf\xe9 on Strand Road opened in 1986 and fed three generations of sailors.</p>"
        "<p>Holm said the building will become a bakery, according to the council.</p>"
        "</article></body></html>"
    )
    .replace("\u201c", '"')
    .replace("\u201d", '"')
    .encode("latin-1"),
    # Gzip by magic bytes, whatever the name.
    "gzipped.html": gzip.compress(
        "<html><body><article><p>The night ferry to Skarvik is cancelled until March, "
        "the harbour office said on Monday, because the pier needs new piles.</p>"
        "<p>\u201cSafety comes first,\u201d harbour master Eli Brandt told the Skarvik Echo.</p>"
        "</article></body></html>".encode(),
        mtime=0,
    ),
    # Plain text with CRLF and a header the text reader picks up.
    "crlf.txt": (
        "Council delays the tram vote\r\nBy Aud Sandvik\r\n\r\n"
        "\u201cWe need another month,\u201d councillor Per Lie said on Tuesday.\r\n\r\n"
        "The vote had been due on Thursday, the council's press office said.\r\n"
    ).encode(),
}


@pytest.fixture(scope="module")
def own_pages(tmp_path_factory):
    folder = tmp_path_factory.mktemp("pages")
    for name, data in OWN_PAGES.items():
        (folder / name).write_bytes(data)
    return folder


@pytest.mark.parametrize("name", fixture_pages())
def test_the_record_equals_the_cli_record(cli, name):
    data = (REPO / name).read_bytes()
    assert whosaid.extract(data, path=name) == cli.record(name, cwd=REPO)


@pytest.mark.parametrize("name", sorted(OWN_PAGES))
def test_own_pages_equal_the_cli_record(cli, own_pages, name):
    record = whosaid.extract(OWN_PAGES[name], path=name)
    assert record == cli.record(name, cwd=own_pages)
    assert record["article"]["text"], record


def test_decoding_is_the_pipeline_s(own_pages):
    record = whosaid.extract(OWN_PAGES["latin1.html"])
    assert record["article"]["title"] == "Caf\xe9 closes"
    assert "cr\xe8me br\xfbl\xe9e" in record["article"]["text"]
    assert whosaid.extract(OWN_PAGES["gzipped.html"])["attributions"]


@pytest.mark.parametrize(
    "flags, kwargs",
    [
        (["--input", "text"], {"input": "text"}),
        (["--input", "html"], {"input": "html"}),
        (["--max-attributions", "1"], {"max_attributions": 1}),
        (["--max-quote-marks", "1"], {"max_quote_marks": 1}),
        (["--max-nodes", "12"], {"max_nodes": 12}),
        (["--max-depth", "3"], {"max_depth": 3}),
    ],
)
def test_options_mirror_the_cli_flags(cli, flags, kwargs):
    name = "examples/harbour-bridge.html"
    data = (REPO / name).read_bytes()
    assert whosaid.extract(data, path=name, **kwargs) == cli.record(name, *flags, cwd=REPO)


def test_default_limits_are_the_cli_defaults(cli):
    help_text = cli.run("extract", "--help", cwd=REPO).stdout.decode()
    defaults = {
        flag.replace("-", "_"): int(value)
        for flag, value in re.findall(r"--(max-[a-z-]+) <[A-Z_]+>\s.*?\[default: (\d+)\]", help_text, re.S)
    }
    assert defaults == whosaid.DEFAULT_LIMITS


def test_a_str_is_text_already_decoded():
    name = "examples/harbour-bridge.html"
    data = (REPO / name).read_bytes()
    assert whosaid.extract(data.decode("utf-8"), path=name) == whosaid.extract(data, path=name)
    # A str is not decoded again whatever its <meta> says.
    page = (
        '<html><head><meta charset="koi8-r"><title>Quay caf\xe9 reopens</title></head><body><article>'
        "<h1>Quay caf\xe9 reopens</h1><p>Caf\xe9 \u201cBl\xe5\u201d opened on the quay on Monday, the owner "
        "said, after a winter of repairs to the old net store it took over in June.</p><p>The owner, Lise "
        "Aune, said the kitchen would stay open until ten every night through the summer season.</p>"
        "</article></body></html>"
    )
    record = whosaid.extract(page)
    assert record["article"]["title"] == "Quay caf\xe9 reopens"
    assert record["article"]["text"].startswith("Caf\xe9 \u201cBl\xe5\u201d opened")
    text = "\u201cThe pier is safe,\u201d the inspector said.\n"
    record = whosaid.extract(text, input="text")
    assert record["article"]["text"] == text
    assert record["attributions"][0]["content"]["text"] == "The pier is safe,"


def test_what_a_warc_record_says_goes_into_the_record():
    page = b"<article><p>The ferry runs again from Monday, the harbour office said on Friday.</p></article>"
    record = whosaid.extract(
        page,
        url="https://news.example/ferry",
        path="cc.warc.gz",
        charset="utf-8",
        fallback_date="2024-05-03T10:00:00Z",
        record="<urn:uuid:1>",
    )
    assert record["source"]["url"] == "https://news.example/ferry"
    assert record["source"]["path"] == "cc.warc.gz"
    assert record["source"]["record"] == "<urn:uuid:1>"
    assert record["article"]["published"].startswith("2024-05-03")
    assert whosaid.extract(page)["source"] == {
        "path": None,
        "record": None,
        "url": None,
        "sha256": record["source"]["sha256"],
    }


# Bad inputs, each with the CLI flags and extract() options that go with it.
BAD_INPUTS = [
    ("empty.html", b"", [], {}),
    ("blank.txt", b" \n\t\r\n ", [], {}),
    ("picture.html", b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4, [], {}),
    ("archive.html", b"PK\x03\x04" + bytes(200), [], {}),
    ("big.html", b"<p>" + b"a" * 500 + b"</p>", ["--max-bytes", "100"], {"max_bytes": 100}),
    ("cut.html.gz", gzip.compress(b"<p>" + b"words " * 2000 + b"</p>")[:60], [], {}),
    ("bomb.html.gz", gzip.compress(b" " * 100_000), ["--max-bytes", "5000"], {"max_bytes": 5000}),
    ("controls.txt", b"ab\x01\x02\x03\x04" * 100, [], {}),
]


@pytest.mark.parametrize("name, data, flags, kwargs", BAD_INPUTS, ids=[b[0] for b in BAD_INPUTS])
def test_bad_input_raises_the_cli_s_error(cli, tmp_path, name, data, flags, kwargs):
    (tmp_path / name).write_bytes(data)
    expected = cli.error(name, *flags, cwd=tmp_path)
    with pytest.raises(whosaid.ExtractError) as caught:
        whosaid.extract(data, path=name, **kwargs)
    assert str(caught.value) == expected
    assert caught.value.path == name
    assert caught.value.index is None
    assert expected == f"{name}: {caught.value.reason}"
    # Without a path the message is the reason alone.
    with pytest.raises(whosaid.ExtractError) as caught:
        whosaid.extract(data, **kwargs)
    assert str(caught.value) == caught.value.reason
    assert isinstance(caught.value, ValueError)


@pytest.mark.parametrize(
    "call, error, words",
    [
        (lambda: whosaid.extract(b"<p>x</p>", input="xml"), ValueError, "input must be"),
        (lambda: whosaid.extract(42), TypeError, "data must be bytes, bytearray or str, not int"),
        (lambda: whosaid.extract(None), TypeError, "not NoneType"),
        (lambda: whosaid.extract("<p>x</p>", charset="latin-1"), ValueError, "charset applies to bytes only"),
        (lambda: whosaid.extract(b"<p>x</p>", max_bytes=-1), OverflowError, ""),
        (lambda: whosaid.extract(b"<p>x</p>", url=3), TypeError, "str"),
        (lambda: whosaid.extract("a lone \ud800 surrogate"), ValueError, "data: 'utf-8' codec can't encode"),
    ],
)
def test_wrong_arguments_are_python_errors(call, error, words):
    with pytest.raises(error) as caught:
        call()
    assert not isinstance(caught.value, whosaid.ExtractError)
    assert words in str(caught.value)


def test_a_bytearray_is_read_like_bytes():
    data = (REPO / "examples/library-sundays.html").read_bytes()
    assert whosaid.extract(bytearray(data)) == whosaid.extract(data)


def test_the_package_says_its_version_and_schema():
    cargo = (REPO / "Cargo.toml").read_text()
    version = re.search(r'\[workspace\.package\][^\[]*?version = "([^"]+)"', cargo).group(1)
    assert whosaid.__version__ == version
    assert whosaid.SCHEMA == "whosaid/1"
    assert whosaid.extract(b"<p>The tide is high today, the harbour office said.</p>")["schema"] == whosaid.SCHEMA


def test_python_threads_may_call_extract_at_once():
    from concurrent.futures import ThreadPoolExecutor

    pages = [(REPO / name).read_bytes() for name in fixture_pages()] * 4
    serial = [whosaid.extract(page) for page in pages]
    with ThreadPoolExecutor(max_workers=4) as pool:
        assert list(pool.map(whosaid.extract, pages)) == serial
