"""The Spark job for real, on local[2]: WARC files built here from fictional
pages go through `python -m whosaid.spark`, and its Parquet tables must hold
the rows `whosaid ingest` + `whosaid export --format parquet` give for the
same files (all but `ingested_at`); `whosaid load` of the job's output must
answer queries as the ingested ledger does."""

import gzip
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from pyspark.sql import SparkSession

from whosaid import spark as job

REPO = Path(__file__).resolve().parents[3]

SPEAKERS = [
    "Ottilie Brannock",
    "Severin Achterberg",
    "Maud Kettleworth",
    "Ignatius Polder",
    "Fenella Stroud",
]
SITES = ["The Brannock Courier", "Polder Valley News", "Kettle Bay Chronicle"]
PLACES = ["Wickerham", "Saltmere", "Upper Fold", "Greyhaven"]


def page(i: int) -> bytes:
    """A small fictional news page, different for every i."""
    who = SPEAKERS[i % len(SPEAKERS)]
    surname = who.split()[1]
    site = SITES[i % len(SITES)]
    place = PLACES[i % len(PLACES)]
    day = 1 + i % 27
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<title>{place} lighthouse keepers return (report {i}) | {site}</title>
<meta property="og:site_name" content="{site}">
<meta property="article:published_time" content="2026-02-{day:02d}T08:30:00Z">
</head><body>
<nav><a href="/">Front</a> <a href="/coast">Coast</a></nav>
<article>
<h1>{place} lighthouse keepers return (report {i})</h1>
<p>The lighthouse at {place} will be staffed again from the spring, the harbour board said on Monday, {i + 2} years after the last keeper left.</p>
<p>“A light needs people who know the weather by its smell,” {who} said. “Machines do not climb stairs in a gale.”</p>
<p>{surname} denied that the board had been pressed by the fishing fleet, and said the cost of {1000 + 37 * i} pounds a year was small.</p>
<p>According to the harbour board, two keepers will share the tower and its cottage in turns of a fortnight.</p>
</article>
<footer>Copyright {site}</footer>
</body></html>
""".encode()


def warc_record(kind: str, uri: str, date: str, block: bytes, n: int) -> bytes:
    msg = "request" if kind == "request" else "response"
    head = (
        "WARC/1.0\r\n"
        f"WARC-Type: {kind}\r\n"
        f"WARC-Record-ID: <urn:uuid:00000000-0000-4000-8000-{n:012d}>\r\n"
        f"WARC-Date: {date}\r\n"
        f"WARC-Target-URI: {uri}\r\n"
        f"Content-Type: application/http; msgtype={msg}\r\n"
        f"Content-Length: {len(block)}\r\n\r\n"
    ).encode()
    return head + block + b"\r\n\r\n"


def response(uri: str, body: bytes, n: int, *, head: str = "Content-Type: text/html") -> bytes:
    http = f"HTTP/1.1 200 OK\r\n{head}\r\n\r\n".encode() + body
    return warc_record("response", uri, "2026-03-01T10:00:00Z", http, n)


def chunked(body: bytes) -> bytes:
    out = b""
    for at in range(0, len(body), 700):
        part = body[at : at + 700]
        out += f"{len(part):x}\r\n".encode() + part + b"\r\n"
    return out + b"0\r\n\r\n"


def build_warcs(dir: Path) -> list:
    """Two WARC files: gzip per record with pages, skipped records and a
    damaged member; and a plain one with the project's example pages."""
    records = []
    for i in range(14):
        records.append(response(f"https://coast.example/keepers/{i}", page(i), i))
    records.insert(3, warc_record("request", "https://coast.example/keepers/2", "2026-03-01T10:00:00Z", b"GET /keepers/2 HTTP/1.1\r\n\r\n", 100))
    records.insert(5, response("https://coast.example/logo.png", b"\x89PNG\r\n\x1a\n", 101, head="Content-Type: image/png"))
    records.append(
        warc_record("response", "https://coast.example/gone", "2026-03-01T10:00:00Z", b"HTTP/1.1 404 Not Found\r\nContent-Type: text/html\r\n\r\n<p>gone</p>", 102)
    )
    latin = '<html><body><article><h1>Caf\u00e9 reopens</h1><p>"The caf\u00e9 is ours again," Fenella Stroud said on the quay, where the caf\u00e9 has stood since the war.</p></article></body></html>'
    records.append(response("https://coast.example/cafe", latin.encode("latin-1"), 103, head="Content-Type: text/html; charset=ISO-8859-1"))
    records.append(
        response(
            "https://coast.example/chunked",
            chunked(page(40)),
            104,
            head="Content-Type: text/html\r\nTransfer-Encoding: chunked",
        )
    )
    first = dir / "coast.warc.gz"
    with open(first, "wb") as f:
        for n, rec in enumerate(records):
            f.write(gzip.compress(rec))
            if n == 8:
                # A member cut short: one failure, and reading goes on.
                f.write(gzip.compress(page(99))[:40])
    second = dir / "examples.warc"
    with open(second, "wb") as f:
        n = 200
        for path in sorted((REPO / "examples").iterdir()):
            kind = "text/plain; charset=utf-8" if path.suffix == ".txt" else "text/html"
            f.write(response(f"https://examples.example/{path.name}", path.read_bytes(), n, head=f"Content-Type: {kind}"))
            n += 1
    return [str(first), str(second)]


def run(cmd: list, **kw) -> subprocess.CompletedProcess:
    done = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=600, **kw)
    assert done.returncode == 0, f"{cmd}: {done.stderr.decode()[-4000:]}"
    return done


def summary(stderr: str, prefix: str) -> str:
    lines = [l for l in stderr.splitlines() if l.startswith(prefix)]
    assert lines, stderr
    return lines[-1]


@pytest.fixture(scope="module")
def outputs(tmp_path_factory, whosaid_bin):
    """Runs the CLI and the Spark job on the same WARC files."""
    tmp = tmp_path_factory.mktemp("spark")
    warcs = build_warcs(tmp)
    db = str(tmp / "cli.db")
    ingest = run([str(whosaid_bin), "ingest", "--db", db, "--jobs", "2", *warcs])
    cli_tables = tmp / "cli-tables"
    run([str(whosaid_bin), "export", "--db", db, "--format", "parquet", "--out", str(cli_tables)])

    listing = tmp / "warcs.txt"
    listing.write_text("# the test's archives\n" + "\n".join(warcs) + "\n\n")
    out = tmp / "spark-out"
    env = dict(os.environ, PYSPARK_PYTHON=sys.executable, PYSPARK_DRIVER_PYTHON=sys.executable)
    spark_run = run(
        [sys.executable, "-m", "whosaid.spark", "--warc-list", str(listing), "--out", str(out),
         "--partition-by", "date", "--master", "local[2]"],
        env=env,
    )
    return {
        "tmp": tmp,
        "db": db,
        "ingest": ingest.stderr.decode(),
        "cli_tables": cli_tables,
        "out": out,
        "spark": spark_run.stderr.decode(),
    }


@pytest.fixture(scope="module")
def spark():
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    session = (
        SparkSession.builder.master("local[1]")
        .appName("whosaid-test")
        .config("spark.ui.enabled", "false")
        # Partition values stay strings ("2026-02-03"), as the job wrote them.
        .config("spark.sql.sources.partitionColumnTypeInference.enabled", "false")
        .getOrCreate()
    )
    yield session
    session.stop()


def rows(frame, drop=()):
    return [{k: v for k, v in r.asDict(recursive=True).items() if k not in drop} for r in frame.collect()]


def counts(line: str, words) -> list:
    """The numbers after each word in a summary line."""
    out = []
    for word in words:
        at = line.index(word + " ") + len(word) + 1
        digits = ""
        while at < len(line) and line[at].isdigit():
            digits += line[at]
            at += 1
        out.append(int(digits))
    return out


# 14 fictional pages, the latin-1 and the chunked page, 5 examples; the
# request, the image and the 404 are not pages. The cut member fails alone:
# the reader finds the page right after it.
PAGES = 21


def test_the_job_counts_what_ingest_counts(outputs):
    read, stored, duplicates, failed = counts(
        summary(outputs["ingest"], "whosaid: read "), ["read", "stored", "duplicates", "failed"]
    )
    assert stored == PAGES and duplicates == 0 and failed == 1, outputs["ingest"]
    files, documents, job_failed = counts(
        summary(outputs["spark"], "whosaid: files "), ["files", "documents", "failed"]
    )
    assert (files, documents, job_failed) == (2, stored, failed), outputs["spark"]
    assert "coast.warc.gz at byte " in outputs["spark"], outputs["spark"]


def test_the_tables_hold_the_rows_export_writes(outputs, spark):
    for table, key in (("documents", ("sha256",)), ("attributions", ("sha256", "idx"))):
        cli = spark.read.parquet(str(outputs["cli_tables"] / f"{table}.parquet"))
        ours = spark.read.parquet(str(outputs["out"] / table))
        # Same columns in the same order, the partition column last.
        assert [f.name for f in ours.schema.fields] == [f.name for f in cli.schema.fields] + ["date"]
        for a, b in zip(cli.schema.fields, ours.schema.fields):
            assert a.dataType == b.dataType, (table, a, b)
        expected = sorted(rows(cli, drop=("ingested_at",)), key=lambda r: [r[k] for k in key])
        got = sorted(rows(ours, drop=("ingested_at",)), key=lambda r: [r[k] for k in key])
        assert len(got) == len(expected) > 0
        for want, have in zip(expected, got):
            date = have.pop("date")
            published = want["published"]
            assert date == (published[:10] if published else None), (date, published)
            if table == "documents":
                # Byte for byte: the job writes JSON as serde does (compact,
                # UTF-8, fields in the record's order).
                ours_json, cli_json = have.pop("record"), want.pop("record")
                assert json.loads(ours_json) == json.loads(cli_json)
                assert ours_json == cli_json
            assert have == want


def query_answers(whosaid_bin, db):
    """What a user asks, without the ledger's own ids (a loaded ledger numbers
    documents in the order it read them)."""
    asks = [
        ["query", "--speaker", "Kettleworth", "--limit", "100"],
        ["query", "--about", "weather", "--limit", "100"],
        ["query", "--stance", "denies", "--limit", "100"],
        ["speakers", "--limit", "100"],
    ]
    answers = []
    for ask in asks:
        done = run([str(whosaid_bin), *ask, "--db", db, "--format", "json"])
        items = json.loads(done.stdout)
        for item in items:
            for key in ("document", "speaker_id", "cursor", "id"):
                item.pop(key, None)
        answers.append(sorted(json.dumps(i, sort_keys=True) for i in items))
    return answers


def test_load_of_the_job_output_answers_as_the_ingested_ledger(outputs, whosaid_bin):
    loaded = str(outputs["tmp"] / "loaded.db")
    done = run([str(whosaid_bin), "load", "--db", loaded, str(outputs["out"] / "documents")])
    line = summary(done.stderr.decode(), "whosaid: read ")
    read, stored, duplicates, failed = counts(line, ["read", "stored", "duplicates", "failed"])
    assert read == stored == PAGES and duplicates == failed == 0, line
    expected = query_answers(whosaid_bin, outputs["db"])
    assert all(expected), expected
    assert query_answers(whosaid_bin, loaded) == expected
    again = run([str(whosaid_bin), "load", "--db", loaded, str(outputs["out"])])
    line = summary(again.stderr.decode(), "whosaid: read ")
    assert counts(line, ["read", "stored", "duplicates", "failed"]) == [stored, 0, stored, 0], line


def test_document_key_matches_the_command_line():
    cases = [
        ("0" * 64, 0),
        ("f" * 64, 2**63 - 1),
        ("8000000000000001ffff", 0x4000000000000000),
        ("00000000000000ff", 0x7F),
        ("not hex at all, not at all", 0),
        ("abc", 0),
    ]
    for sha, want in cases:
        assert job.document_key(sha) == want, sha


def test_bad_arguments_are_refused_before_spark_starts():
    with pytest.raises(SystemExit):
        job.parse_args(["--warc-list", "x", "--out", "y", "--partition-by", "month"])
    with pytest.raises(SystemExit):
        job.parse_args(["--warc-list", "x", "--out", "y", "--threads", "0"])


def test_partition_values():
    def record(url=None, published=None):
        return {"source": {"url": url}, "article": {"published": published}}

    cases = [
        ("date", record(published="2026-03-14"), "2026-03-14"),
        ("date", record(published="2026-03-14T09:30:00+01:00"), "2026-03-14"),
        ("date", record(published="March 2026"), None),
        ("date", record(), None),
        ("site", record(url="https://www.Coast.example:8443/a?b=c"), "coast.example"),
        ("site", record(url="http://user@news.example/x"), "news.example"),
        ("site", record(url="not a url"), None),
        ("site", record(url="http://[broken/"), None),
        ("site", record(), None),
        ("none", record(url="https://coast.example/", published="2026-03-14"), None),
    ]
    for choice, rec, want in cases:
        assert job.partition_value(choice, rec) == want, (choice, rec)


def test_unreadable_files_are_named_counted_and_the_job_goes_on(outputs):
    tmp = outputs["tmp"]
    good = next(line for line in (tmp / "warcs.txt").read_text().splitlines() if line.endswith(".warc"))
    listing = tmp / "mixed.txt"
    listing.write_text(f"{tmp / 'missing.warc.gz'}\n{listing}\n{good}\n")
    env = dict(os.environ, PYSPARK_PYTHON=sys.executable, PYSPARK_DRIVER_PYTHON=sys.executable)
    args = [sys.executable, "-m", "whosaid.spark", "--master", "local[1]"]
    done = run(args + ["--warc-list", str(listing), "--out", str(tmp / "mixed-out")], env=env)
    err = done.stderr.decode()
    assert f"whosaid: {tmp / 'missing.warc.gz'}: No such file" in err, err[-3000:]
    assert f"whosaid: {listing}: at byte 0: not a WARC file" in err, err[-3000:]
    files, documents, failed = counts(summary(err, "whosaid: files "), ["files", "documents", "failed"])
    assert (files, failed) == (3, 2) and documents == 5, err[-3000:]

    missing = subprocess.run(
        args + ["--warc-list", str(tmp / "no-such-list.txt"), "--out", str(tmp / "never")],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, timeout=600,
    )
    err = missing.stderr.decode()
    assert missing.returncode == 2, err[-3000:]
    assert "no-such-list.txt: cannot read the WARC list: Input path does not exist" in err, err[-3000:]
    assert not (tmp / "never").exists()
