"""Benchmark: our `extract()` against raw `page.get_text()` on the corpus's real arXiv PDFs.

Run with `python -m benchmarks.extraction [--files N]`. Downloads are not part of it: both sides
start from the PDF's bytes in memory. The target: extracting sections (text, page furniture,
headings, back matter) costs at most twice what raw `get_text` costs on the same pages.
Skips cleanly when the corpus (`../shared/corpus/pdf_arXiv_*.pdf`) is not next to the checkout.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable
from pathlib import Path

import pymupdf

from domain.errors import PdfUnreadable
from pipeline.pdf import extract

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"
TARGET_RATIO = 2.0
_ROUNDS = 5  # each file is timed this many times; the median counts


def corpus_pdfs(max_files: int | None = None) -> list[Path]:
    """The corpus's real arXiv PDFs, by name; empty when the corpus is absent."""
    files = sorted(CORPUS.glob("pdf_arXiv_*.pdf")) if CORPUS.is_dir() else []
    return files[:max_files] if max_files is not None else files


def raw_get_text(data: bytes) -> int:
    """What any PyMuPDF reader pays at least: open, and plain text of every page."""
    with pymupdf.open(stream=data, filetype="pdf") as doc:
        for page in doc:
            page.get_text()
        return doc.page_count


def _median_seconds(work: Callable[[bytes], object], data: bytes) -> float:
    timings = []
    for _ in range(_ROUNDS):
        started = time.perf_counter()
        work(data)
        timings.append(time.perf_counter() - started)
    return statistics.median(timings)


def run(max_files: int | None = None) -> dict:
    """Pages a second of raw get_text and of `extract`, per file and over the whole corpus."""
    files = corpus_pdfs(max_files)
    if not files:
        return {"skipped": f"no corpus PDFs in {CORPUS}"}
    rows, raw_total, ours_total, pages_total = [], 0.0, 0.0, 0
    for path in files:
        data = path.read_bytes()
        pages = raw_get_text(data)  # also warms the file's fonts, like a second reader would
        try:
            extract(data)
        except PdfUnreadable as exc:
            rows.append({"file": path.name, "pages": pages, "skipped": str(exc)})
            continue
        raw = _median_seconds(raw_get_text, data)
        ours = _median_seconds(extract, data)
        rows.append({"file": path.name, "pages": pages, "raw_s": raw, "extract_s": ours})
        raw_total, ours_total, pages_total = raw_total + raw, ours_total + ours, pages_total + pages
    ratio = ours_total / raw_total if raw_total else float("nan")
    return {
        "files": len(files),
        "pages": pages_total,
        "raw_pages_per_s": pages_total / raw_total if raw_total else 0.0,
        "extract_pages_per_s": pages_total / ours_total if ours_total else 0.0,
        "ratio": ratio,
        "target_ratio": TARGET_RATIO,
        "target_met": ratio <= TARGET_RATIO,
        "pymupdf": pymupdf.__version__,
        "per_file": rows,
    }


def report(result: dict) -> str:
    if "skipped" in result:
        return f"extraction benchmark skipped: {result['skipped']}"
    lines = [
        f"PDF extraction (PyMuPDF {result['pymupdf']}): {result['files']} files, "
        f"{result['pages']} pages, median of {_ROUNDS} runs each, download excluded",
        f"{'file':<48}{'pages':>6}{'raw ms/p':>10}{'ours ms/p':>11}{'ratio':>7}",
    ]
    for row in result["per_file"]:
        if "skipped" in row:
            lines.append(f"{row['file'][:47]:<48}{row['pages']:>6}  unreadable: {row['skipped']}")
            continue
        pages = row["pages"]
        lines.append(
            f"{row['file'][:47]:<48}{pages:>6}{row['raw_s'] * 1000 / pages:>10.2f}"
            f"{row['extract_s'] * 1000 / pages:>11.2f}{row['extract_s'] / row['raw_s']:>7.2f}"
        )
    verdict = "met" if result["target_met"] else "missed"
    lines += [
        f"raw get_text: {result['raw_pages_per_s']:,.0f} pages/s; "
        f"extract(): {result['extract_pages_per_s']:,.0f} pages/s",
        f"extract() / raw get_text time: {result['ratio']:.2f}x "
        f"(target <= {result['target_ratio']:.0f}x: {verdict})",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=None, help="only the first N corpus PDFs")
    args = parser.parse_args(argv)
    print(report(run(args.files)))


if __name__ == "__main__":
    main()
