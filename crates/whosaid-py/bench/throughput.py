"""Documents per second of whosaid from Python: a loop of extract() beside
extract_batch() on one thread and on every core, on the same inputs.

    python crates/whosaid-py/bench/throughput.py [--copies N] [--repeat R] [FILE...]

Inputs default to the project's fictional pages (examples/, tests/data/),
each repeated --copies times; the best of --repeat runs is reported, as
documents per second of wall-clock time and per CPU-second (MB/s counts the
input bytes as given, compressed or not). Run it
with the package installed (scripts/test-python.sh installs it into its
virtual environment).
"""

import argparse
import os
import time
from pathlib import Path

import whosaid

REPO = Path(__file__).resolve().parents[3]


def default_inputs():
    files = []
    for folder in ("examples", "tests/data"):
        files += [p for p in sorted((REPO / folder).iterdir()) if p.suffix in (".html", ".txt")]
    return files


def best_rates(run, docs, repeat):
    """Documents per wall-clock second and per CPU-second of this process
    (all its threads), the best of `repeat` runs each. On a busy machine the
    CPU figure still says what one core does; the wall figure, what the run
    got."""
    wall = cpu = float("inf")
    for _ in range(repeat):
        start, start_cpu = time.perf_counter(), time.process_time()
        run(docs)
        wall = min(wall, time.perf_counter() - start)
        cpu = min(cpu, time.process_time() - start_cpu)
    return len(docs) / wall, len(docs) / cpu


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("files", nargs="*", type=Path)
    parser.add_argument("--copies", type=int, default=100)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    files = args.files or default_inputs()
    pages = [{"data": f.read_bytes(), "path": f.name} for f in files]
    docs = pages * args.copies
    size = sum(len(d["data"]) for d in docs)
    cores = os.cpu_count()
    print(f"whosaid {whosaid.__version__}: {len(docs)} documents ({len(files)} files x {args.copies}), "
          f"{size / len(docs) / 1024:.1f} KiB each on average, {cores} cores")

    def loop(docs):
        return [whosaid.extract(d["data"], path=d["path"]) for d in docs]

    runs = [
        ("extract() in a Python loop", loop),
        ("extract_batch(threads=1)", lambda docs: whosaid.extract_batch(docs, threads=1)),
        (f"extract_batch() on all {cores} cores", lambda docs: whosaid.extract_batch(docs)),
    ]
    assert loop(pages) == whosaid.extract_batch(pages), "batch and loop disagree"
    print(f"load average at the start: {os.getloadavg()[0]:.1f}")
    for name, run in runs:
        rate, per_cpu = best_rates(run, docs, args.repeat)
        print(f"{name:<36} {rate:8.0f} docs/s  {rate * size / len(docs) / 1e6:6.1f} MB/s"
              f"  {per_cpu:8.0f} docs per CPU-second")


if __name__ == "__main__":
    main()
