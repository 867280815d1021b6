#!/usr/bin/env bash
# Load on `whosaid serve` over loopback (issue 5): builds the release binary
# and the load client, then runs crates/whosaid-server/benches/serve_load.rs,
# which starts the server with a temporary ledger, stores the built-in
# examples, and fires requests at POST /v1/extract and at
# GET /v1/attributions?speaker=..., printing requests, errors, p50, p99 and
# requests per second for each. Nothing is asserted about speed.
#
#   bench/serve.sh [--requests 10000] [--concurrency 64]
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release -p whosaid-cli
exec cargo bench -p whosaid-server --bench serve_load -- --whosaid "${CARGO_TARGET_DIR:-$PWD/target}/release/whosaid" "$@"
