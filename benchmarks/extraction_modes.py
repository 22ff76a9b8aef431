"""Benchmark: plain `get_text`, our `extract()` and PyMuPDF 2.x layout analysis on real papers.

Layout analysis (pymupdf-layout + pymupdf4llm, an ONNX model) needs PyMuPDF 2, which the project
does not install, so run this with an interpreter that has it:

    python3 -m venv /tmp/venv-layout
    /tmp/venv-layout/bin/pip install pymupdf==2.0 pymupdf4llm httpx
    /tmp/venv-layout/bin/python benchmarks/extraction_modes.py [--files N]

With the project's own interpreter the layout mode is reported as skipped. Each mode runs in a
fresh child process, so its import time and peak memory are its own. For every mode it counts
the papers in which a method-like and an experiments-like section is found: from our section
finder for plain text and `extract()`, from the Markdown headings (`#`) for layout analysis.
"""

from __future__ import annotations

import argparse
import json
import re
import resource
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
CORPUS = REPO.parent / "shared" / "corpus"
MODES = ("plain", "extract", "layout")
LAYOUT_SETUP = (
    "python3 -m venv /tmp/venv-layout && /tmp/venv-layout/bin/pip install pymupdf==2.0 "
    "pymupdf4llm httpx && /tmp/venv-layout/bin/python benchmarks/extraction_modes.py"
)
# Whether each CS paper of the corpus has a method-like / experiments-like section (read by hand;
# the same papers and headings as tests/pipeline/test_sections.py).
EXPECTED = {
    "1512.04469v1": (False, False),
    "1601.03642v1": (False, False),
    "1706.03762v5": (True, True),
    "1706.09498v1": (True, True),
    "1801.07779v1": (False, True),
    "2202.00535v1": (True, True),
    "2203.00130v1": (True, True),
    "2206.10883v3": (False, True),
    "2302.07302v1": (True, True),
    "2304.02623v1": (False, False),
    "2404.01230v1": (True, True),
}


def corpus_pdfs(corpus: Path, max_files: int | None) -> list[Path]:
    files = sorted(corpus.glob("pdf_arXiv_*.pdf")) if corpus.is_dir() else []
    return files[:max_files] if max_files is not None else files


def layout_available() -> str | None:
    """None when layout analysis can run in this interpreter, else why not."""
    probe = "import pymupdf, pymupdf.layout, pymupdf4llm; print(pymupdf.__version__)"
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True)
    if done.returncode == 0:
        return None
    lines = done.stderr.strip().splitlines()
    return lines[-1] if lines else "pymupdf4llm is not importable"


# --- one mode, in a child process -------------------------------------------------------------


def _markdown_kinds(markdown: str, heading_kind: Callable[[str], str | None]) -> set[str | None]:
    titles = [
        re.sub(r"[#*_`]", "", line).strip()
        for line in markdown.splitlines()
        if line.startswith("#")
    ]
    return {heading_kind(title) for title in titles}


def worker(mode: str, files: list[Path]) -> dict:
    sys.path.insert(0, str(REPO))
    started = time.perf_counter()
    if mode == "plain":
        import pymupdf

        from pipeline.sections import split_sections
    elif mode == "extract":
        import pymupdf

        from pipeline.pdf import extract
    else:
        import pymupdf
        import pymupdf.layout  # activates the ONNX layout model
        import pymupdf4llm

        from pipeline.sections import heading_kind
    imported = time.perf_counter() - started

    pages, seconds, papers = 0, 0.0, {}
    for path in files:
        data = path.read_bytes()
        started = time.perf_counter()
        with pymupdf.open(stream=data, filetype="pdf") as doc:
            count = doc.page_count
            if mode == "plain":
                text = "\n".join(page.get_text() for page in doc)
            elif mode == "layout":
                markdown = pymupdf4llm.to_markdown(
                    doc, use_ocr=False, header=False, footer=False, show_progress=False
                )
        if mode == "extract":
            kinds = {s.kind for s in extract(data).sections}
        seconds += time.perf_counter() - started
        pages += count
        if mode == "plain":
            kinds = {s.kind for s in split_sections(text)}
        elif mode == "layout":
            kinds = _markdown_kinds(markdown, heading_kind)
        papers[path.name] = {"method": "method" in kinds, "experiments": "experiments" in kinds}
    peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux
    return {
        "mode": mode,
        "pymupdf": pymupdf.__version__,
        "import_s": imported,
        "pages": pages,
        "seconds": seconds,
        "pages_per_s": pages / seconds if seconds else 0.0,
        "peak_rss_mb": peak_kib / 1024,
        "papers": papers,
    }


# --- all modes --------------------------------------------------------------------------------


def run(max_files: int | None = None, corpus: Path = CORPUS) -> dict:
    files = corpus_pdfs(corpus, max_files)
    if not files:
        return {"skipped": f"no corpus PDFs in {corpus}"}
    results, skipped = {}, {}
    layout_problem = layout_available()
    for mode in MODES:
        if mode == "layout" and layout_problem:
            skipped[mode] = layout_problem
            continue
        done = subprocess.run(
            [sys.executable, __file__, "--worker", mode, *map(str, files)],
            capture_output=True,
            text=True,
        )
        if done.returncode != 0:
            skipped[mode] = (done.stderr.strip().splitlines() or ["failed"])[-1]
            continue
        results[mode] = json.loads(done.stdout.strip().splitlines()[-1])
    return {
        "python": sys.executable,
        "files": [f.name for f in files],
        "modes": results,
        "skipped": skipped,
    }


def _found(result: dict, kind: str) -> tuple[int, int, int]:
    """(papers where found, expected papers where found, expected papers) for one kind."""
    index = 0 if kind == "method" else 1
    found = sum(p[kind] for p in result["papers"].values())
    expected = hits = 0
    for name, paper in result["papers"].items():
        arxiv_id = name.removeprefix("pdf_arXiv_").split("_")[0]
        if arxiv_id in EXPECTED and EXPECTED[arxiv_id][index]:
            expected += 1
            hits += paper[kind]
    return found, hits, expected


def _report(outcome: dict) -> str:
    if "modes" not in outcome:
        return f"extraction modes skipped: {outcome['skipped']}"
    files = outcome["files"]
    lines = [
        f"extraction modes on {len(files)} corpus PDFs (interpreter: {outcome['python']})",
        f"{'mode':<10}{'PyMuPDF':>8}{'import s':>10}{'peak MB':>9}{'pages/s':>9}{'ms/page':>9}"
        f"{'method':>12}{'experiments':>14}",
    ]
    for mode, result in outcome["modes"].items():
        method, method_hits, method_expected = _found(result, "method")
        exp, exp_hits, exp_expected = _found(result, "experiments")
        lines.append(
            f"{mode:<10}{result['pymupdf']:>8}{result['import_s']:>10.2f}"
            f"{result['peak_rss_mb']:>9.0f}{result['pages_per_s']:>9.1f}"
            f"{1000 / result['pages_per_s']:>9.1f}"
            f"{f'{method} ({method_hits}/{method_expected})':>12}"
            f"{f'{exp} ({exp_hits}/{exp_expected})':>14}"
        )
    lines.append(
        "method / experiments: papers where such a section is found (of the CS papers known "
        "to have one: found/known)"
    )
    for mode, reason in outcome["skipped"].items():
        if mode == "layout":
            lines.append(
                "layout: skipped: layout analysis needs pymupdf>=2 with pymupdf4llm; run it "
                f"with {LAYOUT_SETUP} ({reason})"
            )
        else:
            lines.append(f"{mode}: skipped: {reason}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=None, help="only the first N corpus PDFs")
    parser.add_argument("--corpus", type=Path, default=CORPUS)
    parser.add_argument("--json", action="store_true", help="print the raw results as JSON")
    parser.add_argument("--worker", choices=MODES, help=argparse.SUPPRESS)
    parser.add_argument("paths", nargs="*", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        print(json.dumps(worker(args.worker, args.paths)))
        return
    outcome = run(args.files, args.corpus)
    print(json.dumps(outcome, indent=2) if args.json else _report(outcome))


if __name__ == "__main__":
    main()
