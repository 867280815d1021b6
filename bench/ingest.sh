#!/usr/bin/env bash
# Ingest benchmark: `whosaid ingest` end to end, one .warc.gz into a fresh
# SQLite ledger (read, gunzip, extract, attribute, store with full-text
# index), on every core; then a re-run over the same ledger (every document
# already stored) and the same ingest with --jobs 1 (the per-core figure).
# Prints documents, MB, seconds, articles/s and MB/s per pass and the
# median, and the verdict on issue 4's target (>= 500 articles/s on this
# machine). Not a test: nothing fails when the target is missed.
#
# usage: bench/ingest.sh [DATA] [--passes N] [--copies N] [--batch N] [--profile]
#   DATA        a WCXB-layout folder (html/ + ground-truth/) of real pages,
#               default ../shared/data/wcxb-articles-dev when present, else
#               the team's examples/ (varied by generated paragraphs)
#   --passes N  timed passes of each kind; the median counts (default 3)
#   --copies N  rounds of copies after the pages themselves, each page with a
#               changed tail (default 3 for real pages: 711 -> 2,844
#               documents; 599 for examples/: 4 -> 2,400)
#   --batch N   passed to `whosaid ingest --batch` (default: its own)
#   --profile   also profile one --jobs 1 ingest of the pages once each with
#               `perf record` (DWARF call graphs) and print where the CPU time
#               goes: reader, extraction workers, writer, and the main stages
# env: CARGO_TARGET_DIR for the corpus builder (default
#      /var/tmp/whosaid-bench-target); the whosaid binary is built in target/.
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$repo"

data=""
passes=3
copies=""
batch=()
profile=0
while [[ $# -gt 0 ]]; do
    case "$1" in
        --passes) passes="$2"; shift 2 ;;
        --copies) copies="$2"; shift 2 ;;
        --batch) batch=(--batch "$2"); shift 2 ;;
        --profile) profile=1; shift ;;
        -h|--help) sed -n '2,23p' "$0"; exit 0 ;;
        -*) echo "unknown option $1" >&2; exit 2 ;;
        *) data="$1"; shift ;;
    esac
done

examples=()
if [[ -z "$data" ]]; then
    if [[ -d ../shared/data/wcxb-articles-dev/html ]]; then
        data=../shared/data/wcxb-articles-dev
        corpus_name="WCXB article dev pages ($data), each once plus ${copies:-3} copies with a changed tail"
        copies="${copies:-3}"
    else
        data=examples
        examples=(--examples)
        copies="${copies:-599}"
        corpus_name="the team's examples/*.html (../shared/data/wcxb-articles-dev is absent), each once plus $copies copies with generated paragraphs"
    fi
else
    copies="${copies:-3}"
    corpus_name="$data, each page once plus $copies copies with a changed tail"
fi

out="$repo/bench/out/ingest"
mkdir -p "$out"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-/var/tmp/whosaid-bench-target}"
echo "building the corpus builder (bench/whosaid-bench, CARGO_TARGET_DIR=$CARGO_TARGET_DIR) and whosaid (release)"
cargo build --quiet --release --manifest-path bench/whosaid-bench/Cargo.toml \
    --no-default-features --bin ingest-corpus
builder="$CARGO_TARGET_DIR/release/ingest-corpus"
# whosaid itself in the workspace's own target/ with the workspace's release
# profile: the binary users run.
(unset CARGO_TARGET_DIR; cargo build --quiet --release -p whosaid-cli)
whosaid="$repo/target/release/whosaid"

warc="$out/corpus.warc.gz"
corpus_json=$("$builder" "$data" "$warc" --copies "$copies" "${examples[@]}")
field() { python3 -c 'import json, sys; print(json.loads(sys.argv[1])[sys.argv[2]])' "$corpus_json" "$1"; }
documents=$(field documents)
page_bytes=$(field page_bytes)
file_bytes=$(field file_bytes)
# Read once so that every pass finds the file in the page cache alike.
cat "$warc" >/dev/null

load() { cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo '?'; }
commit="$(git rev-parse --short HEAD 2>/dev/null || echo '?')$(git diff --quiet -- crates 2>/dev/null || echo ' (+ uncommitted changes)')"

# CPU seconds (user + system) of each run beside its wall clock: on a busy
# machine the wall clock says more about the neighbours than about whosaid.
cpu_time=()
[[ -x /usr/bin/time ]] && cpu_time=(/usr/bin/time -f '%U %S' -o "$out/cpu.txt")
rows="$out/rows.tsv"
: >"$rows"
# One timed `whosaid ingest`: appends "label, seconds, read, stored,
# duplicates, failed, load" to the rows file.
run_ingest() {
    local label="$1" db="$2"
    shift 2
    local before start end log="$out/ingest.log"
    before=$(load)
    start=$(date +%s.%N)
    if ! "${cpu_time[@]}" "$whosaid" ingest --db "$db" "${batch[@]}" "$@" "$warc" 2>"$log"; then
        echo "whosaid ingest failed ($label):" >&2
        tail -n 20 "$log" >&2
        exit 1
    fi
    end=$(date +%s.%N)
    # The summary line: "read R, stored S, duplicates D, failed F (...); ..."
    local counts
    counts=$(sed -n 's/^whosaid: read \([0-9]*\), stored \([0-9]*\), duplicates \([0-9]*\), failed \([0-9]*\).*/\1 \2 \3 \4/p' "$log" | tail -n 1)
    [[ -n "$counts" ]] || { echo "no summary line from whosaid ingest ($label):" >&2; tail -n 5 "$log" >&2; exit 1; }
    local cpu="?"
    [[ ${#cpu_time[@]} -gt 0 && -s "$out/cpu.txt" ]] && cpu=$(tail -n 1 "$out/cpu.txt")
    printf '%s\t%s\t%s\t%s\t%s\n' "$label" "$(python3 -c "import sys; print(float(sys.argv[2]) - float(sys.argv[1]))" "$start" "$end")" "$counts" "$before" "$cpu" >>"$rows"
}

fresh_db() {
    local db="$out/ledger.db"
    rm -f "$db" "$db-wal" "$db-shm"
    echo "$db"
}

echo "corpus: $corpus_name: $documents documents, $(python3 -c "print(f'{$page_bytes/1e6:.1f}')") MB of pages, $(python3 -c "print(f'{$file_bytes/1e6:.1f}')") MB gzipped"
for ((i = 1; i <= passes; i++)); do
    echo "pass $i/$passes: all cores, fresh ledger"
    run_ingest "all cores" "$(fresh_db)"
done
echo "re-run over the last ledger (every document already stored)"
run_ingest "re-run (all duplicates)" "$out/ledger.db"
for ((i = 1; i <= passes; i++)); do
    echo "pass $i/$passes: --jobs 1, fresh ledger"
    run_ingest "--jobs 1" "$(fresh_db)" --jobs 1
done

summary="$out/summary.txt"
{
    echo "ingest benchmark, $(date -u '+%Y-%m-%d %H:%M UTC')"
    echo "corpus: $corpus_name"
    echo "command: target/release/whosaid ingest --db FRESH.db ${batch[*]:+${batch[*]} }bench/out/ingest/corpus.warc.gz (wall clock of the whole process)"
    echo "whosaid $commit; $(rustc --version)"
    echo "cpu: $(lscpu 2>/dev/null | sed -n 's/^Model name: *//p' | head -n 1), $(nproc) cores"
    echo
    python3 - "$rows" "$documents" "$page_bytes" "$file_bytes" "$(nproc)" <<'EOF'
import statistics, sys
rows_path, documents, page_bytes, file_bytes, cores = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
page_mb, file_mb = page_bytes / 1e6, file_bytes / 1e6
rows = []
for line in open(rows_path):
    label, seconds, counts, load, cpu = line.rstrip("\n").split("\t")
    read, stored, dup, failed = map(int, counts.split())
    cpu = sum(map(float, cpu.split())) if cpu != "?" else float("nan")
    rows.append((label, float(seconds), read, stored, dup, failed, load, cpu))

header = f"{'run':<24} | {'docs':>5} | {'stored':>6} | {'dup':>5} | {'failed':>6} | {'s':>6} | {'articles/s':>10} | {'MB/s':>6} | {'CPU s':>6} | load before"
print(header)
print("-" * len(header))
medians = {}
cpu_medians = {}
for label in dict.fromkeys(r[0] for r in rows):
    group = [r for r in rows if r[0] == label]
    for i, (_, s, read, stored, dup, failed, load, cpu) in enumerate(group, 1):
        name = f"{label} #{i}" if len(group) > 1 else label
        print(f"{name:<24} | {read:>5} | {stored:>6} | {dup:>5} | {failed:>6} | {s:>6.2f} | {read / s:>10.1f} | {page_mb / s:>6.2f} | {cpu:>6.2f} | {load}")
        if read != documents:
            print(f"  !! read {read} of {documents} documents")
    if len(group) > 1:
        s = statistics.median(r[1] for r in group)
        c = statistics.median(r[7] for r in group)
        print(f"{label + ' median':<24} | {documents:>5} | {'':>6} | {'':>5} | {'':>6} | {s:>6.2f} | {documents / s:>10.1f} | {page_mb / s:>6.2f} | {c:>6.2f} |")
    medians[label] = statistics.median(r[1] for r in group)
    cpu_medians[label] = statistics.median(r[7] for r in group)
print()
print(f"MB: {page_mb:.1f} MB of pages (uncompressed HTML; MB/s above), {file_mb:.1f} MB gzipped WARC")
rate = documents / medians["all cores"]
verdict = "met" if rate >= 500 else "NOT met"
print(f"target >= 500 articles/s end to end on this machine: {rate:.0f} articles/s, {verdict}")
cpu = cpu_medians["all cores"]
if cpu == cpu:
    per_doc = cpu / documents * 1000
    print(f"CPU per article (user + system, all cores run): {per_doc:.2f} ms, so at most {cores * 1000 / per_doc:.0f} articles/s on {cores} idle cores even if perfectly parallel")
    print(f"cores the all-cores run got (CPU s / s): {cpu / medians['all cores']:.2f} of {cores}; below {cores}, the wall clock shows a busy machine")
if "--jobs 1" in medians:
    one = documents / medians["--jobs 1"]
    print(f"per core (--jobs 1): {one:.0f} articles/s; all cores / one = {rate / one:.2f}x")
if "re-run (all duplicates)" in medians:
    rerun = medians["re-run (all duplicates)"]
    print(f"re-run over the same ledger: {rerun:.2f} s, {medians['all cores'] / rerun:.0f}x faster than a fresh ingest")
EOF
} | tee "$summary"

if [[ $profile == 1 ]]; then
    if ! command -v perf >/dev/null; then
        echo "--profile: perf is not installed; skipping the profile" >&2
    else
        small="$out/profile.warc.gz"
        "$builder" "$data" "$small" --copies 0 "${examples[@]}" >/dev/null
        db=$(fresh_db)
        echo
        echo "profile: whosaid ingest --jobs 1 over the pages once each (perf record, DWARF call graphs)"
        perf record -q -F 499 --call-graph dwarf,16384 -o "$out/perf.data" \
            "$whosaid" ingest --jobs 1 --db "$db" "$small" 2>"$out/profile.log"
        {
            echo
            echo "where the CPU time goes (% of all samples of the process; --jobs 1, load before: $(load)):"
            echo "by thread:"
            perf report -i "$out/perf.data" --no-children --sort comm --stdio -g none 2>/dev/null |
                sed -n 's/^ *\([0-9.]*%\) *\(ingest-[a-z0-9-]*\|whosaid\) *$/  \2 \1/p'
            echo "by stage (inclusive; stages nest: attribution includes the tagger):"
            children=$(perf report -i "$out/perf.data" --children --sort sym --stdio -g none 2>/dev/null)
            while IFS='|' read -r label symbol; do
                # A symbol renamed since is shown as "?", not the end of the script.
                share=$(grep -F -m 1 -- "$symbol" <<<"$children" | awk '{print $1}' || true)
                printf '  %-48s %s\n' "$label" "${share:-?}"
            done <<'STAGES'
reader: read_inputs|whosaid::ingest::read_inputs
reader: gunzip (zlib-rs inflate)|zlib_rs::inflate::inflate
reader: sha256|sha2::sha256::x86::digest_blocks
workers: Pipeline::process|whosaid::pipeline::Pipeline::process
workers: HTML parse (html5ever into dom_query)|<dom_query::document::Document as core::convert::From<T>>::from
workers: content stage|whosaid::extract::content::extract
workers: metadata stage|whosaid::extract::metadata::extract
workers: attribution stage|whosaid::attribution::analyze_
workers: attribution tagger|whosaid::attribution::tagger::Tagger::tag_
writer: write_documents|whosaid::ingest::write_documents
writer: put_batch|as whosaid_store::Store>::put_batch
writer: SQLite statements (sqlite3_step)|] sqlite3_step
writer: full-text index (FTS5)|] fts5UpdateMethod
writer: record JSON (serde_json)|serde_json::ser::to_vec
STAGES
        } | tee -a "$summary"
    fi
fi
echo
echo "this table: bench/out/ingest/summary.txt; the last run's log: bench/out/ingest/ingest.log"
