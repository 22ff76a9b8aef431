"""Which embedder ranks the days (EMBEDDINGS), built from the settings."""

from __future__ import annotations

from openai import AsyncOpenAI

from arxiv_digest.settings import Settings
from pipeline.relevance.embedders import Embedder, EndpointEmbedder
from pipeline.relevance.service import Relevance
from pipeline.relevance.store import VectorStore
from storage.db import Database

_PLACEHOLDER_KEY = "not-needed"  # a local endpoint (Ollama, TEI) asks for no key


def make_embeddings_client(settings: Settings) -> AsyncOpenAI | None:
    """The `openai` client of EMBEDDINGS=endpoint: EMBEDDING_BASE_URL, else the LLM's."""
    if settings.embeddings != "endpoint":
        return None
    key = settings.openai_api_key.get_secret_value() if settings.openai_api_key else None
    return AsyncOpenAI(
        api_key=key or _PLACEHOLDER_KEY,
        base_url=settings.embedding_base_url or settings.openai_base_url,
        timeout=settings.llm_timeout_seconds,
        max_retries=settings.llm_max_retries,
    )


def make_embedder(settings: Settings, client: AsyncOpenAI | None) -> Embedder | None:
    """The configured embedder; None for TF-IDF, which the vector store fits and keeps."""
    if settings.embeddings == "endpoint":
        assert client is not None and settings.embedding_model
        return EndpointEmbedder(client, settings.embedding_model)
    return None


def make_relevance(
    settings: Settings, db: Database, client: AsyncOpenAI | None
) -> Relevance | None:
    """None with EMBEDDINGS=off: days in keyword order, nothing learnt from votes."""
    if settings.embeddings == "off":
        return None
    return Relevance(db, VectorStore(db, make_embedder(settings, client)))
