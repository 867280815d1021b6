"""Shared fixtures: the repository, the `whosaid` binary to compare with,
and the fictional pages the project's own tests use."""

import json
import os
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[3]


def _build_cli() -> Path:
    """Builds the CLI with cargo (as the caller's environment sets it up)
    and returns the path of the binary cargo reports."""
    out = subprocess.run(
        ["cargo", "build", "-p", "whosaid-cli", "--bin", "whosaid", "--message-format=json"],
        cwd=REPO,
        check=True,
        stdout=subprocess.PIPE,
        text=True,
    ).stdout
    for line in out.splitlines():
        message = json.loads(line)
        if message.get("reason") == "compiler-artifact" and message.get("executable"):
            if message["target"]["name"] == "whosaid":
                return Path(message["executable"])
    raise RuntimeError("cargo built no `whosaid` executable")


@pytest.fixture(scope="session")
def whosaid_bin() -> Path:
    given = os.environ.get("WHOSAID_BIN")
    if given:
        return Path(given)
    return _build_cli()


class Cli:
    def __init__(self, binary: Path):
        self.binary = binary

    def run(self, *args: str, cwd: Path) -> subprocess.CompletedProcess:
        return subprocess.run(
            [str(self.binary), *args],
            cwd=cwd,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            timeout=120,
        )

    def record(self, path: str, *flags: str, cwd: Path) -> dict:
        """The record `whosaid extract --format json` prints for one file."""
        done = self.run("extract", "--format", "json", *flags, path, cwd=cwd)
        assert done.returncode == 0, done.stderr.decode()
        return json.loads(done.stdout)

    def error(self, path: str, *flags: str, cwd: Path) -> str:
        """The error line the CLI prints for one bad file, less `whosaid: `."""
        done = self.run("extract", "--format", "json", *flags, path, cwd=cwd)
        assert done.returncode == 1, (done.returncode, done.stdout[:200])
        assert done.stdout == b""
        lines = done.stderr.decode().strip().splitlines()
        assert len(lines) == 1, lines
        prefix = "whosaid: "
        assert lines[0].startswith(prefix), lines[0]
        return lines[0][len(prefix):]


@pytest.fixture(scope="session")
def cli(whosaid_bin: Path) -> Cli:
    return Cli(whosaid_bin)


def fixture_pages() -> list:
    """The project's fictional pages and texts, relative to the repository."""
    names = []
    for folder in ("examples", "tests/data"):
        for path in sorted((REPO / folder).iterdir()):
            if path.suffix in (".html", ".htm", ".txt"):
                names.append(str(path.relative_to(REPO)))
    assert names, "no fixture pages found under examples/ and tests/data/"
    return names
