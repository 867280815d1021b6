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
# The same members with the second cut short in the middle, so that the
# fuzzer starts at the reader's resynchronisation path instead of having to
# find a member boundary by chance.
python3 - "$seeds/warc_reader/pages.warc.gz" "$seeds/warc_reader/cut-member.warc.gz" <<'PY'
import sys, zlib
data = open(sys.argv[1], "rb").read()
members, at = [], 0
while at < len(data):
    d = zlib.decompressobj(16 + 15)
    d.decompress(data[at:])
    end = len(data) - len(d.unused_data)
    members.append(data[at:end])
    at = end
assert len(members) >= 3, "pages.warc.gz should hold several members"
second = members[1]
out = members[0] + second[: len(second) // 2] + b"".join(members[2:])
open(sys.argv[2], "wb").write(out)
PY

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
