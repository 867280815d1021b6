#!/bin/sh
# Rebuilds fuzz/seeds/ from the team's own fictional fixtures (examples/ and
# tests/data/): pages, plain texts, WARC files packed from the pages with
# whosaid_warc::WarcWriter (the `pack` example), and the records whosaid
# makes of the pages. Never from ../shared. Run from the repository root.
set -eu
seeds=fuzz/seeds
rm -rf "$seeds"
mkdir -p "$seeds/extract_html" "$seeds/attribution_text" "$seeds/warc_reader" "$seeds/record_json"

cp examples/*.html tests/data/*.html "$seeds/extract_html/"
cp examples/*.txt tests/data/*.txt "$seeds/attribution_text/"

pages="examples/harbour-bridge.html tests/data/minimal.html tests/data/br-separated.html"
cargo run -q -p whosaid-warc --example pack -- "$seeds/warc_reader/pages.warc.gz" $pages
cargo run -q -p whosaid-warc --example pack -- "$seeds/warc_reader/pages.warc" $pages
cargo run -q -p whosaid-warc --example pack -- "$seeds/warc_reader/one.warc.gz" tests/data/minimal.html

cargo build -q -p whosaid-cli
n=0
target/debug/whosaid extract --format jsonl examples tests/data | while IFS= read -r line; do
    n=$((n + 1))
    printf '%s\n' "$line" > "$seeds/record_json/record-$n.json"
done
# The clean texts of the pages are the attribution engine's real diet.
for f in "$seeds"/record_json/*.json; do
    python3 -c 'import json,sys; sys.stdout.write(json.load(open(sys.argv[1]))["article"]["text"])' "$f" \
        > "$seeds/attribution_text/$(basename "$f" .json).txt"
done
