# Type stubs of the native module; the package re-exports all of it.
import os
from typing import Any, Dict, Iterable, List, Literal, Mapping, Optional, Tuple, Union

Data = Union[bytes, bytearray, str]
"""Raw page bytes (any charset, optionally gzip) or already-decoded text."""

BatchItem = Union[Data, Tuple[Data, Optional[str]], Mapping[str, Any]]
"""Data alone, ``(data, url)``, or a dict with ``"data"`` and any of
``"url"``, ``"path"``, ``"charset"``, ``"fallback_date"``, ``"record"``."""

Record = Dict[str, Any]
"""A ``whosaid/1`` record: see the project's record specification."""

InputKind = Literal["auto", "html", "text"]

__version__: str
SCHEMA: str
"""The record schema these functions produce: ``"whosaid/1"``."""
DEFAULT_LIMITS: Dict[str, Optional[float]]
"""The library's limits under the keyword arguments' names."""

class ExtractError(ValueError):
    """A document could not be turned into a record.

    ``str(e)`` is the reason the ``whosaid`` command prints for the same
    input, prefixed by ``item N: `` in a batch and by the path when given.
    """

    reason: str
    """The reason alone, e.g. ``"empty input"``."""
    index: Optional[int]
    """The item's position in a batch; ``None`` from ``extract``."""
    path: Optional[str]

def extract(
    data: Data,
    *,
    url: Optional[str] = None,
    input: InputKind = "auto",
    path: Optional[str] = None,
    charset: Optional[str] = None,
    fallback_date: Optional[str] = None,
    record: Optional[str] = None,
    max_bytes: int = ...,
    max_depth: int = ...,
    max_nodes: int = ...,
    max_attributions: int = ...,
    max_quote_marks: int = ...,
    max_seconds: Optional[float] = ...,
) -> Record:
    """The record of one page or text, as ``whosaid extract`` gives it.

    The limits default to ``DEFAULT_LIMITS``; ``max_seconds=None`` is no
    time limit. Raises ``ExtractError`` when the document cannot be read.
    """

def extract_batch(
    items: Iterable[BatchItem],
    *,
    threads: Optional[int] = None,
    input: InputKind = "auto",
    errors: Literal["raise", "return"] = "raise",
    max_bytes: int = ...,
    max_depth: int = ...,
    max_nodes: int = ...,
    max_attributions: int = ...,
    max_quote_marks: int = ...,
    max_seconds: Optional[float] = ...,
) -> List[Union[Record, ExtractError]]:
    """The records of many documents, in order, on ``threads`` threads
    (default: one per core) with the GIL released.

    With ``errors="raise"`` the first failed item raises ``ExtractError``
    (the items after it may not be processed); with ``errors="return"`` its
    ``ExtractError`` stands in its place. Ctrl-C interrupts a long batch.
    """

def speaker_key(name: str) -> Optional[str]:
    """The cross-article key of a speaker's name, as the ledger groups
    speakers (``"Sen. Ada Lunn"`` and ``"Ada Lunn"`` share ``"ada lunn"``),
    or ``None`` for a name that names no one in particular (``"he"``)."""

class WarcPages:
    """The pages of one WARC file, read as ``whosaid ingest`` reads them.

    Each item is a dict: a page is ``{"data": bytes, "url", "charset",
    "fallback_date", "record", "offset", "path"}``, ready to be an item of
    ``extract_batch``; damage in the file is ``{"error": reason, "offset",
    "path"}``, and reading goes on after it."""

    def __iter__(self) -> "WarcPages": ...
    def __next__(self) -> Dict[str, Any]: ...

def warc_pages(path: Union[str, "os.PathLike[str]"], *, max_bytes: Optional[int] = None) -> WarcPages:
    """The successful HTML and text responses of a WARC file (``.warc`` or
    ``.warc.gz``). Raises ``OSError`` when it cannot be opened and
    ``ValueError`` when it is not a WARC file."""
