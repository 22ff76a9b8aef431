# arxiv-digest in a container: `serve` runs the bots and the daily schedule in one process.
# Data (the SQLite file, the reports) lives in the /data volume; settings come from the
# environment (docker compose reads .env). `docker run … arxiv-digest digest` runs one day.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1
WORKDIR /app

# Dependencies first, in their own cached layer: exactly the locked versions, hashes checked.
COPY requirements.lock ./
RUN pip install --require-hashes -r requirements.lock

COPY pyproject.toml README.md LICENSE ./
COPY arxiv_digest arxiv_digest
COPY bot bot
COPY pipeline pipeline
COPY storage storage
COPY domain domain
RUN pip install --no-deps .

RUN useradd --create-home --uid 10001 digest && mkdir -p /data && chown digest /data
USER digest
WORKDIR /data
ENV DATABASE_URL=sqlite+aiosqlite:////data/arxiv-digest.sqlite3 REPORTS_DIR=/data/reports \
    LOG_FORMAT=json
VOLUME ["/data"]

# The database, the last daily run and each configured bot's connection.
HEALTHCHECK --interval=60s --timeout=30s --start-period=60s --retries=3 \
    CMD ["arxiv-digest", "health"]

# SIGTERM finishes the message in flight, then exits.
STOPSIGNAL SIGTERM
ENTRYPOINT ["arxiv-digest"]
CMD ["serve"]
