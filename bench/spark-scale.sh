#!/usr/bin/env bash
# The figures of docs/scale.md: per-core throughput of `whosaid ingest` and
# of the Spark job (local[1], local[2]) over the same WARC pages, the peak
# memory of a Python worker, and the Parquet bytes per 1,000 articles.
# Not a test: it measures and prints.
#
# usage: bench/spark-scale.sh [CORPUS.warc.gz] [--parts N]
#   CORPUS   default bench/out/ingest/corpus.warc.gz (bench/ingest.sh builds
#            it from ../shared/data/wcxb-articles-dev)
#   --parts  the corpus is cut into N WARC files at record boundaries, so
#            that local[2] has more than one file (task) to run (default 4)
# env: WHOSAID_VENV, a virtual environment with the package and pyspark
#      (scripts/test-python.sh makes one; default /var/tmp/whosaid-venv).
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$repo"

corpus=bench/out/ingest/corpus.warc.gz
parts=4
while [[ $# -gt 0 ]]; do
    case "$1" in
        --parts) parts="$2"; shift 2 ;;
        -h|--help) sed -n '2,15p' "$0"; exit 0 ;;
        *) corpus="$1"; shift ;;
    esac
done
[[ -f "$corpus" ]] || { echo "no $corpus: run bench/ingest.sh first, or name a WARC file" >&2; exit 2; }
venv=${WHOSAID_VENV:-/var/tmp/whosaid-venv}
python="$venv/bin/python"
"$python" -c 'import whosaid.spark, pyspark' || { echo "$venv lacks whosaid or pyspark: run scripts/test-python.sh" >&2; exit 2; }
export PYSPARK_PYTHON="$python" PYSPARK_DRIVER_PYTHON="$python"

out="$repo/bench/out/spark"
rm -rf "$out"
mkdir -p "$out"
cargo build --quiet --release -p whosaid-cli
whosaid="$repo/target/release/whosaid"

# The corpus cut into parts at the offsets of its records (every record is
# its own gzip member, so any record offset is a valid cut).
"$python" - "$corpus" "$out" "$parts" <<'EOF'
import sys, whosaid
corpus, out, parts = sys.argv[1], sys.argv[2], int(sys.argv[3])
offsets = [p["offset"] for p in whosaid.warc_pages(corpus) if "error" not in p]
data = open(corpus, "rb").read()
cuts = [offsets[len(offsets) * i // parts] for i in range(parts)] + [len(data)]
cuts[0] = 0
with open(f"{out}/warcs.txt", "w") as listing:
    for i in range(parts):
        path = f"{out}/part-{i}.warc.gz"
        with open(path, "wb") as f:
            f.write(data[cuts[i]:cuts[i + 1]])
        listing.write(path + "\n")
print(f"corpus: {len(offsets)} pages, {len(data)} bytes, cut into {parts} files")
EOF

timed() { # label, command...: wall s, user s, sys s, max RSS KiB of the process (and its waited children)
    local label="$1"; shift
    /usr/bin/time -f "%e %U %S %M" -o "$out/time.txt" "$@" >"$out/$label.log" 2>&1 || { tail -n 20 "$out/$label.log" >&2; exit 1; }
    echo "$label $(cat "$out/time.txt")" | tee -a "$out/times.txt"
}

# A run's whole process tree (the JVM and Python workers of Spark are not
# waited for by the driver, so /usr/bin/time does not see them): every
# 0.2 s, the CPU seconds and resident memory of each descendant, kept at
# their last and highest; prints the CPU total, the tree's peak and each
# kind of process's peak.
tree_usage() {
    "$python" - "$@" <<'EOF2'
import os, sys, time, subprocess
ticks = os.sysconf("SC_CLK_TCK")
page_kib = os.sysconf("SC_PAGE_SIZE") // 1024
proc = subprocess.Popen(sys.argv[2:], stdout=open(sys.argv[1], "w"), stderr=subprocess.STDOUT)
cpu, peak_rss, kinds, tree_peak = {}, {}, {}, 0
started = time.time()
def sample():
    global tree_peak
    parents = {}
    stats = {}
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            with open(f"/proc/{pid}/stat") as f:
                raw = f.read()
            with open(f"/proc/{pid}/cmdline", "rb") as f:
                cmd = f.read().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        fields = raw[raw.rindex(")") + 2:].split()
        parents[int(pid)] = int(fields[1])
        stats[int(pid)] = (int(fields[11]) + int(fields[12]), int(fields[21]) * page_kib, cmd)
    ours = {proc.pid}
    grew = True
    while grew:
        grew = False
        for pid, ppid in parents.items():
            if ppid in ours and pid not in ours:
                ours.add(pid)
                grew = True
    total = 0
    for pid in ours:
        if pid not in stats:
            continue
        t, rss, cmd = stats[pid]
        cpu[pid] = max(cpu.get(pid, 0), t)
        peak_rss[pid] = max(peak_rss.get(pid, 0), rss)
        kind = "jvm" if "java" in cmd.split(" ")[0] else ("python worker" if "pyspark.daemon" in cmd or "pyspark.worker" in cmd else "other")
        kinds[kind] = max(kinds.get(kind, 0), rss)
        total += rss
    tree_peak = max(tree_peak, total)
while proc.poll() is None:
    sample()
    time.sleep(0.2)
wall = time.time() - started
print(f"wall {wall:.1f} s, cpu {sum(cpu.values()) / ticks:.1f} s, tree peak RSS {tree_peak // 1024} MiB, "
      + ", ".join(f"{k} peak {v // 1024} MiB" for k, v in sorted(kinds.items())))
sys.exit(proc.returncode)
EOF2
}

echo "label wall_s user_s sys_s maxrss_kib" | tee "$out/times.txt"
timed ingest-jobs1 "$whosaid" ingest --db "$out/ledger.db" --jobs 1 $(cat "$out/warcs.txt")
grep -o 'whosaid: read.*' "$out/ingest-jobs1.log"
timed python-one-process "$python" -c '
import sys, whosaid.spark as job
n = sum(1 for path in open(sys.argv[1]).read().split() for _ in job.extract_warc(path))
print("records", n)' "$out/warcs.txt"
tail -n 1 "$out/python-one-process.log"
for cores in 1 2; do
    echo "spark local[$cores]: $(tree_usage "$out/spark-local$cores.log" "$python" -m whosaid.spark \
        --warc-list "$out/warcs.txt" --out "$out/tables-local$cores" --master "local[$cores]")" | tee -a "$out/times.txt"
    grep -o 'whosaid: files.*' "$out/spark-local$cores.log"
done
# Spark's fixed cost: the same job over a list with a tiny file.
head -c "$(( $(stat -c %s "$out/part-0.warc.gz") / 100 ))" "$out/part-0.warc.gz" >"$out/tiny.warc.gz"
echo "$out/tiny.warc.gz" >"$out/tiny.txt"
echo "spark local[1], tiny input: $(tree_usage "$out/spark-tiny.log" "$python" -m whosaid.spark \
    --warc-list "$out/tiny.txt" --out "$out/tables-tiny" --master "local[1]")" | tee -a "$out/times.txt"
grep -o 'whosaid: files.*' "$out/spark-tiny.log"

bytes() { find "$1" -name '*.parquet' -type f -printf '%s\n' | awk '{s += $1} END {print s}'; }
echo "Parquet bytes (local[1] output): documents $(bytes "$out/tables-local1/documents"), attributions $(bytes "$out/tables-local1/attributions")"
"$whosaid" export --db "$out/ledger.db" --format parquet --out "$out/export" 2>/dev/null
echo "Parquet bytes (whosaid export): documents $(bytes "$out/export/documents.parquet"), attributions $(bytes "$out/export/attributions.parquet")"
echo "SQLite ledger bytes: $(stat -c %s "$out/ledger.db")"
