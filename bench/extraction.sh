#!/usr/bin/env bash
# Extraction benchmark: whosaid beside Python trafilatura and the Rust
# extraction crates, on the same pages, one process each, pinned to one core.
# Prints ms/page and body F1 side by side. Not a test: nothing here fails on
# a slow machine. See bench/README.md.
#
# usage: bench/extraction.sh [DATA] [--warmup N] [--passes N] [--limit N] [--only NAME,...]
#   DATA     a WCXB-layout folder (html/ + ground-truth/) or a folder of *.html
#            pages; default $WHOSAID_BENCH_DATA, else
#            ../shared/data/wcxb-articles-dev when present, else examples/.
#   --warmup N   untimed passes first (default 1)
#   --passes N   timed passes; each page keeps its fastest time (default 1)
#   --only A,B   only these extractors (names as in the table)
# env: CARGO_TARGET_DIR (default /var/tmp/whosaid-bench-target),
#      BENCH_CPU (core to pin to, default 0), PYTHON (to make the venv, default python3).
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$repo"

data="${WHOSAID_BENCH_DATA:-}"
warmup=1
passes=1
limit=()
only=""
while [[ $# -gt 0 ]]; do
    case "$1" in
        --warmup) warmup="$2"; shift 2 ;;
        --passes) passes="$2"; shift 2 ;;
        --limit) limit=(--limit "$2"); shift 2 ;;
        --only) only="$2"; shift 2 ;;
        -h|--help) sed -n '2,17p' "$0"; exit 0 ;;
        -*) echo "unknown option $1" >&2; exit 2 ;;
        *) data="$1"; shift ;;
    esac
done

if [[ -z "$data" ]]; then
    if [[ -d ../shared/data/wcxb-articles-dev/html ]]; then
        data=../shared/data/wcxb-articles-dev
        echo "pages: WCXB article dev pages ($data), with ground truth"
    elif compgen -G "examples/*.html" >/dev/null; then
        data=examples
        echo "pages: the project's own examples/*.html (no ground truth: speed only;"
        echo "       ../shared/data/wcxb-articles-dev is absent)"
    else
        echo "no pages: neither ../shared/data/wcxb-articles-dev/html nor examples/*.html;" >&2
        echo "pass a folder of pages as the first argument" >&2
        exit 1
    fi
else
    echo "pages: $data"
fi

out="$repo/bench/out"
mkdir -p "$out"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-/var/tmp/whosaid-bench-target}"
cpu="${BENCH_CPU:-0}"

# Python trafilatura, pinned, in its own virtual environment.
venv="$repo/bench/.venv"
if ! "$venv/bin/python" -c 'import trafilatura, sys; sys.exit(trafilatura.__version__ != "2.3.1")' 2>/dev/null; then
    echo "installing trafilatura 2.3.1 into bench/.venv (pinned: bench/requirements.txt)"
    "${PYTHON:-python3}" -m venv "$venv"
    "$venv/bin/pip" install --quiet --disable-pip-version-check -r bench/requirements.txt
fi

# The timing binary, with every peer that builds here. A peer that does not
# build is left out with the reason printed, and the others still run.
manifest=bench/whosaid-bench/Cargo.toml
peers=(peer-trafilatura peer-rs-trafilatura peer-dom-smoothie peer-readabilityrs)
build_log="$out/build.log"
echo "building bench/whosaid-bench (release, CARGO_TARGET_DIR=$CARGO_TARGET_DIR)"
if ! cargo build --quiet --release --manifest-path "$manifest" 2>"$build_log"; then
    echo "full build failed; trying each peer on its own (log: $build_log)"
    if ! cargo build --quiet --release --manifest-path "$manifest" --no-default-features 2>>"$build_log"; then
        echo "whosaid itself does not build:" >&2
        tail -n 20 "$build_log" >&2
        exit 1
    fi
    built=()
    for peer in "${peers[@]}"; do
        if cargo build --quiet --release --manifest-path "$manifest" \
            --no-default-features --features "$peer" 2>"$out/build-$peer.log"; then
            built+=("$peer")
        else
            echo "skipping ${peer#peer-}: it does not build here:"
            grep -m 3 -E '^error' "$out/build-$peer.log" | sed 's/^/    /'
        fi
    done
    features=$(IFS=,; echo "${built[*]:-}")
    cargo build --quiet --release --manifest-path "$manifest" --no-default-features \
        ${features:+--features "$features"}
fi
bin="$CARGO_TARGET_DIR/release/whosaid-bench"

pin=()
if command -v taskset >/dev/null 2>&1; then
    pin=(taskset -c "$cpu")
    echo "pinned to core $cpu with taskset"
else
    echo "taskset not found: processes are not pinned to one core"
fi

# whosaid's rows first, then Python trafilatura, then the Rust peers.
extractors=()
for name in $("$bin" list); do
    [[ "$name" == whosaid* ]] && extractors+=("$name")
done
extractors+=(trafilatura-py)
for name in $("$bin" list); do
    [[ "$name" == whosaid* ]] || extractors+=("$name")
done
if [[ -n "$only" ]]; then
    IFS=, read -r -a wanted <<<"$only"
    selected=()
    for name in "${extractors[@]}"; do
        for w in "${wanted[@]}"; do [[ "$name" == "$w" ]] && selected+=("$name"); done
    done
    extractors=("${selected[@]}")
fi

runs=()
for name in "${extractors[@]}"; do
    file="$out/$name.jsonl"
    rm -f "$file"
    if [[ "$name" == trafilatura-py ]]; then
        "${pin[@]}" "$venv/bin/python" bench/trafilatura_run.py "$data" "$file" \
            --warmup "$warmup" --passes "$passes" "${limit[@]}"
    else
        "${pin[@]}" "$bin" run "$name" "$data" "$file" --warmup "$warmup" --passes "$passes" "${limit[@]}"
    fi
    runs+=("$file")
done

summary="$out/summary.txt"
{
    echo "extraction benchmark, $(date -u '+%Y-%m-%d %H:%M UTC')"
    echo "pages: $data; one process per extractor, ${pin[*]:-unpinned}; $warmup warm-up pass(es), then $passes timed pass(es)$([[ $passes -gt 1 ]] && echo ", each page's fastest kept")"
    echo "whosaid $(git rev-parse --short HEAD 2>/dev/null || echo '?')$(git diff --quiet -- crates 2>/dev/null || echo ' (+ uncommitted changes)'); $(rustc --version); Python trafilatura 2.3.1"
    echo "cpu: $(lscpu 2>/dev/null | sed -n 's/^Model name: *//p' | head -n 1), $(nproc) cores; load average before scoring: $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo '?')"
    echo
    "$bin" score "$data" "${runs[@]}"
} | tee "$summary"
echo
echo "per-page times and texts: bench/out/<extractor>.jsonl; this table: bench/out/summary.txt"
