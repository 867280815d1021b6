"""whosaid: raw news pages to records of who said what.

``extract(data)`` turns one page (bytes, any charset) or text (str) into a
``whosaid/1`` record, the same dict the ``whosaid extract`` command prints
as JSON; ``extract_batch(items)`` does many at once on every core with the
GIL released; ``speaker_key(name)`` is the key the ledger groups speakers
by. A document that cannot be read raises ``ExtractError`` (a
``ValueError``) with the reason the command line prints.
"""

from ._native import (
    DEFAULT_LIMITS,
    SCHEMA,
    ExtractError,
    __version__,
    extract,
    extract_batch,
    WarcPages,
    speaker_key,
    warc_pages,
)

__all__ = [
    "DEFAULT_LIMITS",
    "SCHEMA",
    "ExtractError",
    "__version__",
    "extract",
    "extract_batch",
    "speaker_key",
    "WarcPages",
    "warc_pages",
]
