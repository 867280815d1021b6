"""whosaid.extract_batch: the singles' records, in order, on any number of
threads, with the GIL released."""

import _thread
import threading
import time

import pytest

import whosaid
from conftest import REPO, fixture_pages


@pytest.fixture(scope="module")
def items():
    """Every fixture page, as dicts naming their path, with a text and a
    (data, url) pair among them."""
    pages = [{"data": (REPO / name).read_bytes(), "path": name} for name in fixture_pages()]
    pages.append("\u201cThe bridge opens on Friday,\u201d the mayor said.\n")
    pages.append((b"<article><p>Tolls will rise in May, the roads agency said on Monday.</p></article>",
                  "https://news.example/tolls"))
    return pages


def single(item):
    if isinstance(item, dict):
        return whosaid.extract(item["data"], path=item.get("path"), url=item.get("url"))
    if isinstance(item, tuple):
        return whosaid.extract(item[0], url=item[1])
    return whosaid.extract(item)


def test_a_batch_equals_its_singles(items):
    assert whosaid.extract_batch(items) == [single(item) for item in items]


def test_thread_counts_give_identical_records(items):
    many = items * 3
    one = whosaid.extract_batch(many, threads=1)
    assert whosaid.extract_batch(many, threads=4) == one
    assert whosaid.extract_batch(many, threads=64) == one
    assert whosaid.extract_batch(iter(many)) == one


def test_an_empty_batch_is_an_empty_list():
    assert whosaid.extract_batch([]) == []


def test_a_tuple_gives_the_url(items):
    record = whosaid.extract_batch([items[-1]])[0]
    assert record["source"]["url"] == "https://news.example/tolls"


def test_a_failed_item_raises_naming_its_index():
    batch = [b"<p>The ferry runs again, the harbour office said.</p>", {"data": b"", "path": "empty.html"}, b""]
    with pytest.raises(whosaid.ExtractError) as caught:
        whosaid.extract_batch(batch)
    # The first failed item, whichever thread finished first.
    assert str(caught.value) == "item 1: empty.html: empty input"
    assert (caught.value.index, caught.value.path, caught.value.reason) == (1, "empty.html", "empty input")


def test_errors_return_puts_the_error_in_place():
    good = b"<p>The ferry runs again, the harbour office said.</p>"
    out = whosaid.extract_batch([good, b"\x89PNG\r\n\x1a\n\x00\x00", good], errors="return", threads=2)
    assert out[0] == out[2] == whosaid.extract(good)
    assert isinstance(out[1], whosaid.ExtractError)
    assert out[1].index == 1
    assert str(out[1]).startswith("item 1: binary data")


def test_limits_apply_to_every_item():
    big = b"<p>" + b"a" * 500 + b"</p>"
    out = whosaid.extract_batch([big, b"<p>short</p>"], max_bytes=100, errors="return")
    assert str(out[0]) == "item 0: input is 507 bytes, over the limit of 100 bytes"
    assert out[1]["schema"] == "whosaid/1"


@pytest.mark.parametrize(
    "batch, kwargs, error, words",
    [
        ([b"<p>a</p>", 7], {}, TypeError, "item 1: expected bytes, bytearray or str"),
        ([(b"<p>a</p>",)], {}, TypeError, "item 0: a tuple must be (data, url)"),
        ([(b"<p>a</p>", 5)], {}, TypeError, "item 0: url must be a str or None"),
        ([{"url": "https://x.example"}], {}, TypeError, 'item 0: a dict needs a "data" key'),
        ([{"data": b"<p>a</p>", "uri": "x"}], {}, TypeError, "item 0: unknown key 'uri'"),
        ([{"data": 1.5}], {}, TypeError, "item 0: data must be"),
        ([b"<p>a</p>", "\udc80"], {}, ValueError, "item 1: 'utf-8' codec can't encode"),
        ([{"data": "\udc80"}], {}, ValueError, "item 0: data: 'utf-8' codec can't encode"),
        ([b"<p>a</p>"], {"threads": 0}, ValueError, "threads must be at least 1"),
        ([b"<p>a</p>"], {"errors": "ignore"}, ValueError, "errors must be"),
        (5, {}, TypeError, "not iterable"),
    ],
)
def test_wrong_items_are_python_errors(batch, kwargs, error, words):
    with pytest.raises(error) as caught:
        whosaid.extract_batch(batch, **kwargs)
    assert not isinstance(caught.value, whosaid.ExtractError)
    assert words in str(caught.value)


def test_the_gil_is_released_while_a_batch_runs(items):
    """Another Python thread keeps running during the call: with the GIL
    held it could only run before and after it."""
    # Margins of several switch intervals (5 ms) on both sides of the call.
    margin = 0.03
    batch = list(items)
    # Doubled until one call lasts long enough to tell, whatever the machine.
    for _ in range(12):
        ticks = []
        stop = threading.Event()

        def tick():
            while not stop.is_set():
                ticks.append(time.perf_counter())
                time.sleep(0.001)

        ticker = threading.Thread(target=tick)
        ticker.start()
        try:
            start = time.perf_counter()
            whosaid.extract_batch(batch, threads=1)
            end = time.perf_counter()
        finally:
            stop.set()
            ticker.join()
        if end - start > 10 * margin:
            break
        batch = batch * 2
    assert end - start > 10 * margin, "the batch was too quick to tell"
    inside = [t for t in ticks if start + margin < t < end - margin]
    assert len(inside) >= 5, (len(inside), end - start)


def test_ctrl_c_stops_a_long_batch(items):
    """KeyboardInterrupt reaches a batch between its chunks, long before
    the batch would have finished."""
    whosaid.extract_batch(items, threads=1)  # loads the tagger's model once
    calibration = items * 5
    start = time.perf_counter()
    whosaid.extract_batch(calibration, threads=1)
    per_document = (time.perf_counter() - start) / len(calibration)
    # About five seconds of work, interrupted after a tenth of one.
    batch = items * max(1, int(5 / per_document / len(items)))
    expected = per_document * len(batch)
    timer = threading.Timer(0.1, _thread.interrupt_main)
    start = time.perf_counter()
    timer.start()
    try:
        with pytest.raises(KeyboardInterrupt):
            whosaid.extract_batch(batch, threads=1)
    finally:
        # Never let the interrupt reach pytest itself.
        timer.cancel()
    elapsed = time.perf_counter() - start
    assert elapsed < min(1.5, expected / 3), (elapsed, expected)


def test_the_first_failure_by_index_raises_whichever_thread_meets_it_first():
    good = b"<p>The ferry runs again from Monday, the harbour office said.</p>"
    batch = [good] * 60
    batch[12] = b""
    batch[37] = b"\x89PNG\r\n\x1a\n\x00\x00"
    batch[55] = b""
    for threads in (1, 2, 4, 8):
        for _ in range(5):
            with pytest.raises(whosaid.ExtractError) as caught:
                whosaid.extract_batch(batch, threads=threads)
            assert (caught.value.index, str(caught.value)) == (12, "item 12: empty input"), threads
        out = whosaid.extract_batch(batch, threads=threads, errors="return")
        failed = [i for i, r in enumerate(out) if isinstance(r, whosaid.ExtractError)]
        assert failed == [12, 37, 55]
        assert [r.index for r in out if isinstance(r, whosaid.ExtractError)] == failed


def test_an_error_from_the_items_iterator_propagates():
    def items():
        yield b"<p>The ferry runs again from Monday, the harbour office said.</p>"
        raise RuntimeError("the source went away")

    with pytest.raises(RuntimeError, match="the source went away"):
        whosaid.extract_batch(items())


def test_a_returned_error_survives_pickling():
    """multiprocessing and Spark pickle what a worker returns."""
    import pickle

    error = whosaid.extract_batch([{"data": b"", "path": "empty.html"}], errors="return")[0]
    copy = pickle.loads(pickle.dumps(error))
    assert type(copy) is whosaid.ExtractError
    assert (str(copy), copy.reason, copy.index, copy.path) == (
        "item 0: empty.html: empty input", "empty input", 0, "empty.html")
