from __future__ import annotations

from pathlib import Path

import pytest

from arxiv_digest.settings import Settings


def test_lists_come_comma_separated_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DIGEST_CATEGORIES", " cs.AI, cs.RO ,, ")
    monkeypatch.setenv("DIGEST_KEYWORDS", "vision language action, VLA")
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    assert settings.digest_categories == ["cs.AI", "cs.RO"]
    assert settings.digest_keywords == ["vision language action", "VLA"]


def test_dotenv_is_read_and_urls_get_their_trailing_slash(tmp_path: Path) -> None:
    env = tmp_path / ".env"
    env.write_text("ARXIV_PDF_URL=http://127.0.0.1:9/pdf\nDIGEST_LANGUAGE=zh\n")
    settings = Settings(_env_file=env)  # type: ignore[call-arg]
    assert settings.arxiv_pdf_url == "http://127.0.0.1:9/pdf/"
    assert settings.digest_language == "zh"


def test_an_unsupported_language_is_refused() -> None:
    with pytest.raises(ValueError, match="digest_language"):
        Settings(_env_file=None, digest_language="fr")  # type: ignore[call-arg]


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"embeddings": "endpoint"}, "EMBEDDINGS=endpoint needs EMBEDDING_MODEL"),
        (
            {"embeddings": "endpoint", "embedding_model": "m"},
            "needs EMBEDDING_BASE_URL, OPENAI_BASE_URL or OPENAI_API_KEY",
        ),
        ({"embeddings": "word2vec"}, "embeddings"),
        ({"digest_max_papers": -1}, "digest_max_papers"),
    ],
)
def test_a_ranking_setting_that_cannot_work_is_refused_with_what_to_set(
    values: dict[str, object], message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        Settings(_env_file=None, **values)  # type: ignore[arg-type]


def test_an_embeddings_endpoint_defaults_to_the_llms() -> None:
    settings = Settings(  # type: ignore[call-arg]
        _env_file=None,
        embeddings="endpoint",
        embedding_model="nomic-embed-text",
        openai_base_url="http://127.0.0.1:11434/v1",
    )
    assert settings.embedding_base_url is None and settings.embedding_model == "nomic-embed-text"


@pytest.mark.parametrize(
    ("values", "configured"),
    [
        ({}, False),
        ({"llm_model": "m"}, False),
        ({"llm_model": "m", "openai_api_key": "sk-x"}, True),
        ({"llm_model": "m", "openai_base_url": "http://127.0.0.1:11434/v1"}, True),
        ({"openai_api_key": "sk-x"}, False),
    ],
)
def test_the_llm_is_configured_by_a_model_and_an_endpoint_or_key(
    values: dict[str, str], configured: bool
) -> None:
    assert Settings(_env_file=None, **values).llm_configured is configured  # type: ignore[arg-type]


def test_secrets_do_not_show_in_the_settings_repr() -> None:
    settings = Settings(_env_file=None, openai_api_key="sk-very-secret")  # type: ignore[call-arg]
    assert "sk-very-secret" not in repr(settings)
    assert "sk-very-secret" not in str(settings.model_dump())


def test_env_example_documents_every_setting_and_nothing_else() -> None:
    import re

    example = (Path(__file__).parents[1] / ".env.example").read_text()
    documented = set(re.findall(r"^#?\s*([A-Z][A-Z0-9_]*)=", example, flags=re.MULTILINE))
    assert documented == {name.upper() for name in Settings.model_fields}
