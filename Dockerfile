# syntax=docker/dockerfile:1
# The production image: gunicorn serves Django; the same image runs the Celery worker and beat.

FROM node:20-bookworm-slim AS assets
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund --omit=dev

# Debian trixie: its postgresql-client is 17, the server version of docker-compose.yml, so
# `python manage.py backup` (pg_dump) works from the web container. git: the worker clones
# repositories (shallow) to harvest their publiccode.yml (components/harvest.py).
FROM python:3.11-slim-trixie
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1
RUN apt-get update \
    && apt-get install -y --no-install-recommends postgresql-client git \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /app
RUN useradd --create-home --uid 1000 app
COPY pyproject.toml ./
COPY institute/ institute/
COPY backlog/ backlog/
COPY components/ components/
COPY standards/ standards/
COPY centres/ centres/
RUN pip install --upgrade "pip>=25" && pip install .
COPY --from=assets /app/node_modules/ node_modules/
COPY manage.py ./
COPY templates/ templates/
COPY static/ static/
# collectstatic needs settings but no database or secret of the real deployment.
RUN DEBUG=0 SECRET_KEY=collectstatic-only STATIC_MANIFEST=1 python manage.py collectstatic --no-input
# Generated files (open data), evidence files and backups: owned by the app user, so a named
# volume mounted on /app/var/generated or /app/var/evidence starts with that owner.
RUN mkdir -p /app/var/generated /app/var/evidence /app/var/backups && chown -R app:app /app/var
ENV GENERATED_FILES_DIR=/app/var/generated EVIDENCE_FILES_DIR=/app/var/evidence
USER app
EXPOSE 8000
# gunicorn's settings (threaded workers, timeouts sized for exports) are in the config file.
CMD ["gunicorn", "--config", "institute/gunicorn.conf.py", "institute.wsgi"]
