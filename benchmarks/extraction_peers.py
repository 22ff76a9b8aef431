"""Benchmark: pages a second of our full-text reading against other Python PDF readers.

Run with `python -m benchmarks.extraction_peers [--smoke | --files N]`. On the corpus's real
arXiv PDFs, from the bytes in memory (downloads excluded), median of a few runs per file:
- `pipeline.pdf.extract` (sections, page furniture, headings, back matter);
- raw PyMuPDF `page.get_text()`, what any PyMuPDF reader pays at least;
- pdfminer.six `extract_text` and pypdf `PdfReader(...).pages[i].extract_text()`, when installed
  (`pip install -e '.[bench]'`).
Skips cleanly when the corpus is absent.
"""

from __future__ import annotations

import argparse
import importlib.util
import io
import logging
import statistics
import time
from collections.abc import Callable

import pymupdf

from benchmarks.extraction import CORPUS, corpus_pdfs, raw_get_text
from domain.errors import PdfUnreadable
from pipeline.pdf import extract

SMOKE_FILES = 2
_ROUNDS = 3  # each file is read this many times by each reader; the median counts
_INSTALL = "pip install -e '.[bench]'"


def _pdfminer(data: bytes) -> object:
    from pdfminer.high_level import extract_text

    return extract_text(io.BytesIO(data))


def _pypdf(data: bytes) -> object:
    from pypdf import PdfReader

    logging.getLogger("pypdf").setLevel(logging.ERROR)  # a warning per font without fontTools
    reader = PdfReader(io.BytesIO(data))
    return [reader.pages[i].extract_text() for i in range(len(reader.pages))]


# name, what to import to use it, the reader
_READERS: list[tuple[str, str | None, Callable[[bytes], object]]] = [
    ("extract()", None, extract),
    ("PyMuPDF get_text", None, raw_get_text),
    ("pdfminer.six", "pdfminer", _pdfminer),
    ("pypdf", "pypdf", _pypdf),
]


def _version(module: str | None) -> str:
    if module is None:
        return pymupdf.__version__
    from importlib.metadata import version

    return version({"pdfminer": "pdfminer.six"}.get(module, module))


def _median_seconds(read: Callable[[bytes], object], data: bytes, rounds: int) -> float:
    timings = []
    for _ in range(rounds):
        started = time.perf_counter()
        read(data)
        timings.append(time.perf_counter() - started)
    return statistics.median(timings)


def run(smoke: bool = False, max_files: int | None = None) -> dict:
    """Seconds and pages a second of each installed reader over the same corpus files."""
    files = corpus_pdfs(SMOKE_FILES if smoke and max_files is None else max_files)
    if not files:
        return {"skipped": f"no corpus PDFs in {CORPUS}"}
    readers = [(n, m, r) for n, m, r in _READERS if m is None or importlib.util.find_spec(m)]
    missing = [n for n, m, _ in _READERS if m is not None and not importlib.util.find_spec(m)]
    seconds = {name: 0.0 for name, _, _ in readers}
    failures = {name: 0 for name, _, _ in readers}
    pages_total, skipped = 0, []
    rounds = 1 if smoke else _ROUNDS
    for path in files:
        data = path.read_bytes()
        pages = raw_get_text(data)
        try:
            extract(data)
        except PdfUnreadable as exc:  # the same files for every reader: ours must read them
            skipped.append(f"{path.name}: {exc}")
            continue
        pages_total += pages
        for name, _, read in readers:
            try:
                seconds[name] += _median_seconds(read, data, rounds)
            except Exception:  # a peer failing on a real PDF is a result, not a crash
                failures[name] += 1
    base = seconds["PyMuPDF get_text"]
    return {
        "files": len(files) - len(skipped),
        "pages": pages_total,
        "rounds": rounds,
        "skipped_files": skipped,
        "not_installed": missing,
        "readers": [
            {
                "name": name,
                "version": _version(module),
                "seconds": seconds[name],
                "pages_per_s": pages_total / seconds[name] if seconds[name] else 0.0,
                "vs_get_text": seconds[name] / base if base else float("nan"),
                "failed_files": failures[name],
            }
            for name, module, _ in readers
        ],
    }


def report(result: dict) -> str:
    if "skipped" in result:
        return f"extraction peers benchmark skipped: {result['skipped']}"
    lines = [
        f"PDF reading, {result['files']} corpus files, {result['pages']} pages, median of "
        f"{result['rounds']} runs per file, download excluded",
        f"{'reader':<22}{'version':>10}{'pages/s':>10}{'ms/page':>9}{'time vs get_text':>18}",
    ]
    for row in result["readers"]:
        ms = row["seconds"] * 1000 / result["pages"] if result["pages"] else 0.0
        failed = f"  ({row['failed_files']} files failed)" if row["failed_files"] else ""
        lines.append(
            f"{row['name']:<22}{row['version']:>10}{row['pages_per_s']:>10,.0f}{ms:>9.2f}"
            f"{row['vs_get_text']:>17.2f}x{failed}"
        )
    lines += [f"not installed: {name} ({_INSTALL})" for name in result["not_installed"]]
    lines += [f"unreadable, left out: {why}" for why in result["skipped_files"]]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--smoke", action="store_true", help=f"the first {SMOKE_FILES} files")
    parser.add_argument("--files", type=int, default=None, help="only the first N corpus PDFs")
    args = parser.parse_args(argv)
    print(report(run(smoke=args.smoke, max_files=args.files)))


if __name__ == "__main__":
    main()
