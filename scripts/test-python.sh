#!/usr/bin/env bash
# The Python package's tests: builds and installs crates/whosaid-py into a
# virtual environment (kept between runs) with pip, as a user would, then
# runs pytest on crates/whosaid-py/tests. The tests build the `whosaid`
# binary with cargo to compare records (or take WHOSAID_BIN).
set -euo pipefail
cd "$(dirname "$0")/.."

VENV=${WHOSAID_VENV:-/var/tmp/whosaid-venv}
PYTHON=${PYTHON:-python3}

if [ ! -x "$VENV/bin/python" ]; then
    "$PYTHON" -m venv "$VENV"
fi
# The build backend runs `maturin` by name.
export PATH="$VENV/bin:$PATH"
# The test requirements (maturin and pytest, pinned, and whatever the tests
# under crates/whosaid-py/tests need) from one file.
"$VENV/bin/python" -m pip install --quiet --disable-pip-version-check \
    -r crates/whosaid-py/tests/requirements.txt

# The wheel is a release build: in a target directory of its own unless the
# caller chose one, so that it never waits on (or evicts) the debug build.
# No build isolation: the venv's pinned maturin builds it, with no download.
# The tests check behaviour, not speed: the wheel is built without the
# release profile's link-time optimisation, which would add minutes.
CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-/var/tmp/whosaid-py-target} \
    CARGO_PROFILE_RELEASE_LTO=${CARGO_PROFILE_RELEASE_LTO:-false} \
    CARGO_PROFILE_RELEASE_CODEGEN_UNITS=${CARGO_PROFILE_RELEASE_CODEGEN_UNITS:-16} \
    "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check \
    --no-build-isolation --force-reinstall --no-deps ./crates/whosaid-py

exec "$VENV/bin/python" -m pytest -q crates/whosaid-py/tests "$@"
