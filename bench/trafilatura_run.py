"""Times Python trafilatura on the benchmark's pages, one process.

Writes the same run format as `whosaid-bench run` (a header line, then one
JSON line per page: id, ms, error, text) so that one scorer scores every
extractor. Same protocol: all pages read and decompressed first, in file-name
order, with the URL from the ground truth; warm-up passes untimed, then
trafilatura's own caches cleared (see below); then --passes timed passes, a
monotonic clock (perf_counter_ns) around each extract() call, each page
keeping its fastest time.

usage: trafilatura_run.py DATA OUT.jsonl [--warmup N] [--passes N] [--limit N]
"""

import argparse
import gzip
import json
import os
import sys
import time

import trafilatura
import trafilatura.meta


def page_id(name):
    for suffix in (".html.gz", ".html"):
        if name.endswith(suffix) and len(name) > len(suffix):
            return name[: -len(suffix)]
    return None


def load(data, limit):
    html_dir = os.path.join(data, "html")
    truth_dir = os.path.join(data, "ground-truth")
    if not os.path.isdir(html_dir):
        html_dir, truth_dir = data, None
    elif not os.path.isdir(truth_dir):
        truth_dir = None
    # Sorted by (id, path) like the Rust side, so both see the same order.
    files = sorted(
        (page_id(name), os.path.join(html_dir, name))
        for name in os.listdir(html_dir)
        if page_id(name) is not None
    )
    if limit is not None:
        files = files[:limit]
    pages = []
    for pid, path in files:
        with open(path, "rb") as f:
            raw = f.read()
        data_bytes = gzip.decompress(raw) if raw[:2] == b"\x1f\x8b" else raw
        url = None
        if truth_dir is not None:
            truth = os.path.join(truth_dir, pid + ".json")
            if os.path.isfile(truth):
                with open(truth, "rb") as f:
                    url = json.load(f).get("url")
        pages.append((pid, data_bytes, url))
    return pages


def extract(page_bytes, url):
    # Bytes in: trafilatura detects the charset itself, inside the timing,
    # as every extractor in this benchmark does. Defaults otherwise (fallback
    # extraction on, neither favor_precision nor favor_recall).
    return trafilatura.extract(
        page_bytes, url=url, output_format="txt", include_comments=False
    )


def prime_stoplist():
    """Rebuilds the one memoised value that is set-up, not a per-page result.

    reset_caches() also drops justext's frozen stoplist (one value for all
    pages, about 80 ms to rebuild here); a long-running process builds it
    once, so it is rebuilt here, before the timed pass, as warm-up would.
    """
    try:
        from justext.core import define_stoplist
        from trafilatura import external

        define_stoplist(external.JT_STOPLIST or external.jt_stoplist_init())
    except (ImportError, AttributeError) as e:
        print(f"note: justext stoplist not primed ({e}); the first timed page pays for it",
              file=sys.stderr)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("data")
    ap.add_argument("out")
    ap.add_argument("--warmup", type=int, default=1)
    ap.add_argument("--passes", type=int, default=1)
    ap.add_argument("--limit", type=int)
    args = ap.parse_args()

    pages = load(args.data, args.limit)
    if not pages:
        sys.exit(f"{args.data}: no *.html or *.html.gz pages")
    print(
        f"trafilatura-py {trafilatura.__version__}: {len(pages)} pages in memory, "
        f"{args.warmup} warm-up pass(es), {args.passes} timed pass(es)",
        file=sys.stderr,
    )
    for _ in range(args.warmup):
        for _, page_bytes, url in pages:
            try:
                extract(page_bytes, url)
            except Exception:  # noqa: BLE001 - a failing page is reported below
                pass
    # trafilatura memoises per-string results (lru_cache on line processing,
    # trimming, date candidates...). Warm-up is for imports and lazy set-up,
    # not for answering the timed pass from memory: the pages it saw are the
    # very pages timed next, which a crawl never sees twice. The Rust peers
    # keep no state between calls, so only this one needs clearing.
    trafilatura.meta.reset_caches()
    prime_stoplist()

    results = []
    for pid, page_bytes, url in pages:
        error = None
        start = time.perf_counter_ns()
        try:
            text = extract(page_bytes, url)
        except Exception as e:  # noqa: BLE001 - counted as a failed page
            text, error = None, f"{type(e).__name__}: {e}"
        elapsed_ms = (time.perf_counter_ns() - start) / 1e6
        if text is None and error is None:
            error = "no text extracted"
        results.append([pid, elapsed_ms, error, text or ""])
    # Further passes only lower each page's time to its fastest run, caches
    # cleared before each, as before the first.
    for _ in range(1, args.passes):
        trafilatura.meta.reset_caches()
        prime_stoplist()
        for result, (_, page_bytes, url) in zip(results, pages):
            start = time.perf_counter_ns()
            try:
                extract(page_bytes, url)
            except Exception:  # noqa: BLE001 - already recorded in the first pass
                pass
            result[1] = min(result[1], (time.perf_counter_ns() - start) / 1e6)

    with open(args.out, "w", encoding="utf-8") as out:
        header = {
            "extractor": "trafilatura-py",
            "pages": len(pages),
            "warmup": args.warmup,
            "passes": args.passes,
        }
        out.write(json.dumps(header) + "\n")
        for pid, ms, error, text in results:
            out.write(json.dumps({"id": pid, "ms": ms, "error": error, "text": text}) + "\n")


if __name__ == "__main__":
    main()
