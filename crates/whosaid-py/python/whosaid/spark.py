"""whosaid on Apache Spark: WARC files in, the ledger as Parquet tables out.

Run it with the same arguments on a laptop and on a cluster::

    python -m whosaid.spark --warc-list warcs.txt --out tables/ [--partition-by date]
    spark-submit --master yarn "$(python -c 'import whosaid.spark as m; print(m.__file__)')" \\
        --warc-list warcs.txt --out hdfs:///whosaid/tables --partition-by date

``--warc-list`` is a text file (on any file system Spark reads) with one
WARC file path per line (blank lines and ``#`` comments skipped). Each file is one Spark task: it is read
on an executor by the package's own WARC reader (the same reader and the
same rule for which records are pages as ``whosaid ingest``), its pages are
extracted with ``extract_batch``, and the rows go straight to Parquet. No
data passes through the driver; only the list of paths does.

Paths are opened by the executors themselves, so they must be reachable
there: a shared file system (NFS, Lustre), or local copies. For ``s3://``
and the like, stage the files with your platform's tools or mount them
(s3fs, gcsfuse); the job does not download anything.

The output directory gets two tables with the columns of ``whosaid export
--format parquet`` (see the project README, "Ledger"), with the same values
for the same pages except ``ingested_at`` (the job's start):

- ``documents/``: one row per page, with the whole record as JSON in
  ``record``; ``whosaid load DIR/documents --db ...`` stores them in a ledger;
- ``attributions/``: one row per attribution.

``--partition-by date`` adds a ``date`` partition (``YYYY-MM-DD`` of the
published date), ``--partition-by site`` a ``host`` partition (the URL's
host without ``www.``); readers see it as one more column, the files hold
the export's columns only. A document whose bytes occur twice in the input
is written twice (``whosaid load`` stores it once); drop duplicates on
``sha256`` when that matters.

The summary line's ``failed`` counts pages and file parts that could not be
read, once per task attempt (a task Spark retries counts again).

The package must be installed on every executor (``pip install`` the same
wheel, or ship a packed virtual environment with ``--archives``).
"""

from __future__ import annotations

import argparse
import datetime
import json
import re
import sys
from typing import Any, Callable, Dict, Iterable, Iterator, List, Optional, Sequence, Tuple
from urllib.parse import urlsplit

import whosaid

# The columns of `whosaid export --format parquet`, in its order
# (crates/whosaid-cli/src/export.rs); the test compares the two.
DOCUMENT_COLUMNS: Tuple[Tuple[str, str], ...] = (
    ("id", "long"),
    ("sha256", "string"),
    ("url", "string"),
    ("site", "string"),
    ("title", "string"),
    ("authors", "array<string>"),
    ("published", "string"),
    ("language", "string"),
    ("path", "string"),
    ("record_id", "string"),
    ("warc_offset", "long"),
    ("text", "string"),
    ("ingested_at", "string"),
    ("record", "string"),
)

ATTRIBUTION_COLUMNS: Tuple[Tuple[str, str], ...] = (
    ("document_id", "long"),
    ("sha256", "string"),
    ("idx", "long"),
    ("kind", "string"),
    ("stance", "string"),
    ("speaker", "string"),
    ("speaker_key", "string"),
    ("speaker_text", "string"),
    ("cue", "string"),
    ("cue_lemma", "string"),
    ("addressee", "string"),
    ("content", "string"),
    ("content_start", "long"),
    ("content_end", "long"),
    ("parent", "long"),
    ("published", "string"),
    ("site", "string"),
    ("url", "string"),
)

# The partition column each --partition-by choice adds.
PARTITION_COLUMNS = {"date": "date", "site": "host", "none": None}

# Pages handed to extract_batch at a time: enough to keep its threads busy,
# few enough that a task's memory stays small.
EXTRACT_BATCH = 64

_HEX = frozenset("0123456789abcdefABCDEF")
_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


def document_key(sha256: str) -> int:
    """A document's ``id``: the first 63 bits of its sha256, as
    ``whosaid export`` computes it (``export::document_key``)."""
    prefix = sha256[:16]
    if len(prefix) != 16 or not set(prefix) <= _HEX:
        return 0
    return int(prefix, 16) >> 1


def partition_value(choice: str, record: Dict[str, Any]) -> Optional[str]:
    """The value of the partition column for a record, or None."""
    if choice == "date":
        published = record["article"].get("published") or ""
        return published[:10] if _DAY.match(published) else None
    if choice == "site":
        url = record["source"].get("url")
        if not url:
            return None
        try:
            host = urlsplit(url).hostname
        except ValueError:
            return None
        if not host:
            return None
        return host[4:] if host.startswith("www.") else host
    return None


def record_json(record: Dict[str, Any]) -> str:
    """The record as compact JSON, as the command line writes it."""
    return json.dumps(record, ensure_ascii=False, separators=(",", ":"))


def document_row(
    record: Dict[str, Any], offset: Optional[int], ingested_at: str
) -> Tuple[Any, ...]:
    """One row of the documents table, in DOCUMENT_COLUMNS order."""
    source = record["source"]
    article = record["article"]
    return (
        document_key(source["sha256"]),
        source["sha256"],
        source.get("url"),
        article.get("site"),
        article.get("title"),
        list(article.get("authors") or []),
        article.get("published"),
        article.get("language"),
        source.get("path"),
        source.get("record"),
        offset,
        article["text"],
        ingested_at,
        record_json(record),
    )


def attribution_rows(record: Dict[str, Any]) -> Iterator[Tuple[Any, ...]]:
    """The rows of the attributions table for one record."""
    source = record["source"]
    article = record["article"]
    actors = record.get("actors") or []
    key = document_key(source["sha256"])
    for at in record.get("attributions") or []:
        speaker = at.get("speaker")
        name = None
        if speaker is not None:
            actor = speaker.get("actor")
            if actor is not None and 0 <= actor < len(actors):
                name = actors[actor]["name"]
            else:
                name = speaker["text"]
        cue = at.get("cue")
        addressee = at.get("addressee")
        content = at["content"]
        yield (
            key,
            source["sha256"],
            at["id"],
            at["kind"],
            at["stance"],
            name,
            whosaid.speaker_key(name) if name is not None else None,
            speaker["text"] if speaker is not None else None,
            cue["text"] if cue is not None else None,
            cue["lemma"] if cue is not None else None,
            addressee["text"] if addressee is not None else None,
            content["text"],
            content["start"],
            content["end"],
            at.get("parent"),
            article.get("published"),
            article.get("site"),
            source.get("url"),
        )


def _say(line: str) -> None:
    # Executors' standard error is where Spark keeps task logs.
    print(f"whosaid: {line}", file=sys.stderr, flush=True)


def extract_warc(
    path: str,
    *,
    threads: int = 1,
    batch: int = EXTRACT_BATCH,
    on_failure: Optional[Callable[[], None]] = None,
) -> Iterator[Tuple[Dict[str, Any], int]]:
    """The records of the pages of one WARC file, with their offsets. A page
    or a part of the file that cannot be read is reported on standard error
    as ``whosaid: PATH at byte N: reason`` (as ``whosaid ingest`` does), and
    ``on_failure`` is called for it."""

    def fail(line: str) -> None:
        _say(line)
        if on_failure is not None:
            on_failure()

    try:
        pages = whosaid.warc_pages(path)
    except (OSError, ValueError) as e:
        fail(str(e))
        return
    pending: List[Dict[str, Any]] = []

    def flush() -> Iterator[Tuple[Dict[str, Any], int]]:
        items = [{k: v for k, v in page.items() if k != "offset"} for page in pending]
        results = whosaid.extract_batch(items, threads=threads, errors="return")
        for page, result in zip(pending, results):
            if isinstance(result, Exception):
                fail(f"{path} at byte {page['offset']}: {result.reason}")
            else:
                yield result, page["offset"]
        pending.clear()

    for page in pages:
        if "error" in page:
            fail(f"{path} at byte {page['offset']}: {page['error']}")
            continue
        pending.append(page)
        if len(pending) >= batch:
            yield from flush()
    if pending:
        yield from flush()


def _schema(columns: Sequence[Tuple[str, str]], partition: Optional[str]):
    from pyspark.sql.types import ArrayType, LongType, StringType, StructField, StructType

    kinds = {
        "long": LongType(),
        "string": StringType(),
        "array<string>": ArrayType(StringType()),
    }
    fields = [StructField(name, kinds[kind], True) for name, kind in columns]
    if partition:
        fields.append(StructField(partition, StringType(), True))
    return StructType(fields)


def read_warc_list(spark, list_path: str) -> List[str]:
    """The WARC paths named in the list file (read through Spark, so that the
    list itself may live on any file system Spark reads)."""
    from py4j.protocol import Py4JJavaError
    from pyspark.errors import AnalysisException

    try:
        lines = spark.sparkContext.textFile(list_path, minPartitions=1).collect()
    except Py4JJavaError as e:
        # The Java exception's own message ("Input path does not exist: ..."),
        # not the stack trace around it.
        reason = e.java_exception.getMessage() or type(e).__name__
        raise ValueError(f"{list_path}: cannot read the WARC list: {reason}") from None
    except AnalysisException as e:
        raise ValueError(f"{list_path}: cannot read the WARC list: {e}") from None
    return [
        line.strip()
        for line in lines
        if line.strip() and not line.strip().startswith("#")
    ]


def run(
    spark,
    warcs: Sequence[str],
    out: str,
    *,
    partition_by: str = "none",
    threads: int = 1,
    mode: str = "errorifexists",
    ingested_at: Optional[str] = None,
) -> Dict[str, int]:
    """Runs the job on an open SparkSession; returns the row counts written
    and the number of pages or file parts that failed."""
    if partition_by not in PARTITION_COLUMNS:
        raise ValueError(
            f"--partition-by must be one of {', '.join(PARTITION_COLUMNS)}, not {partition_by!r}"
        )
    if not warcs:
        raise ValueError("the WARC list is empty")
    partition = PARTITION_COLUMNS[partition_by]
    stamp = ingested_at or datetime.datetime.now(datetime.timezone.utc).strftime(
        "%Y-%m-%dT%H:%M:%SZ"
    )
    sc = spark.sparkContext
    failed = sc.accumulator(0)

    def documents(paths: Iterable[str]) -> Iterator[Tuple[Any, ...]]:
        for path in paths:
            for record, offset in extract_warc(
                path, threads=threads, on_failure=lambda: failed.add(1)
            ):
                row = document_row(record, offset, stamp)
                if partition:
                    row = row + (partition_value(partition_by, record),)
                yield row

    def attributions(rows: Iterable[Any]) -> Iterator[Tuple[Any, ...]]:
        for row in rows:
            record = json.loads(row["record"])
            for at in attribution_rows(record):
                yield at + ((row[partition],) if partition else ())

    documents_dir = out.rstrip("/") + "/documents"
    attributions_dir = out.rstrip("/") + "/attributions"
    # One task per WARC file: a file is read sequentially, never split.
    rdd = sc.parallelize(list(warcs), len(warcs)).mapPartitions(documents)
    frame = spark.createDataFrame(rdd, _schema(DOCUMENT_COLUMNS, partition))
    writer = frame.write.mode(mode)
    if partition:
        writer = writer.partitionBy(partition)
    writer.parquet(documents_dir)

    # Attributions come from the written documents, not a second extraction.
    # The schema is given so that partition values stay strings (Spark would
    # otherwise read `date=2026-03-14` back as a date).
    stored = spark.read.schema(_schema(DOCUMENT_COLUMNS, partition)).parquet(documents_dir)
    wanted = ["record"] + ([partition] if partition else [])
    at_rdd = stored.select(*wanted).rdd.mapPartitions(attributions)
    at_frame = spark.createDataFrame(at_rdd, _schema(ATTRIBUTION_COLUMNS, partition))
    writer = at_frame.write.mode(mode)
    if partition:
        writer = writer.partitionBy(partition)
    writer.parquet(attributions_dir)

    return {
        "files": len(warcs),
        "documents": spark.read.parquet(documents_dir).count(),
        "attributions": spark.read.parquet(attributions_dir).count(),
        "failed": failed.value,
    }


def parse_args(argv: Optional[Sequence[str]] = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(
        prog="python -m whosaid.spark",
        description="Extract WARC files with whosaid on Spark and write the "
        "documents and attributions tables as Parquet.",
    )
    p.add_argument("--warc-list", required=True, help="text file: one WARC path or URL per line")
    p.add_argument("--out", required=True, help="output directory (gets documents/ and attributions/)")
    p.add_argument(
        "--partition-by",
        choices=sorted(PARTITION_COLUMNS),
        default="none",
        help="date: by published day (date=YYYY-MM-DD); site: by URL host (host=...)",
    )
    p.add_argument(
        "--master",
        help="Spark master (local[*], spark://..., yarn); default: what spark-submit or the "
        "environment sets, else local[*]",
    )
    p.add_argument(
        "--threads",
        type=int,
        default=1,
        help="extraction threads per task (default 1: Spark runs one task per core; "
        "raise with spark.task.cpus)",
    )
    p.add_argument(
        "--mode",
        choices=["errorifexists", "overwrite"],
        default="errorifexists",
        help="what to do when the output tables exist",
    )
    args = p.parse_args(argv)
    if args.threads < 1:
        p.error("--threads must be at least 1")
    return args


def main(argv: Optional[Sequence[str]] = None) -> int:
    args = parse_args(argv)
    from pyspark.sql import SparkSession

    builder = SparkSession.builder.appName("whosaid")
    if args.master:
        builder = builder.master(args.master)
    spark = builder.getOrCreate()
    try:
        warcs = read_warc_list(spark, args.warc_list)
        counts = run(
            spark,
            warcs,
            args.out,
            partition_by=args.partition_by,
            threads=args.threads,
            mode=args.mode,
        )
    except ValueError as e:
        _say(str(e))
        return 2
    finally:
        spark.stop()
    _say(
        "files {files}, documents {documents}, attributions {attributions}, failed {failed}".format(
            **counts
        )
    )
    return 0 if counts["documents"] > 0 else 1


if __name__ == "__main__":
    sys.exit(main())
