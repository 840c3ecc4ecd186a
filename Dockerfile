# syntax=docker/dockerfile:1
# One image for web (gunicorn), worker (celery worker) and beat (celery beat); see docker-compose.yml.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DJANGO_SETTINGS_MODULE=config.settings \
    PORT=8000 \
    MEDIA_ROOT=/app/media

# Runtime library: libmagic (python-magic, upload checks). PDFs are drawn by reportlab with the
# Adobe CID font STSong-Light, which needs no font files and no Pango.
RUN apt-get update \
    && apt-get install -y --no-install-recommends libmagic1 \
    && rm -rf /var/lib/apt/lists/*

RUN groupadd --system --gid 10001 app \
    && useradd --system --uid 10001 --gid app --home-dir /app --shell /usr/sbin/nologin app

WORKDIR /app

# Dependencies first (cached while pyproject.toml and constraints.txt are unchanged): the
# runtime dependencies of pyproject.toml, pinned by constraints.txt; dev dependencies stay out.
# polib compiles the translations below.
COPY pyproject.toml constraints.txt ./
RUN python -c "import tomllib; print('\n'.join(tomllib.load(open('pyproject.toml', 'rb'))['project']['dependencies']))" > /tmp/requirements.txt \
    && pip install -c constraints.txt -r /tmp/requirements.txt gunicorn polib \
    && rm /tmp/requirements.txt

COPY . .

# Build-time only values: settings must import to compile messages and collect static files.
RUN SECRET_KEY=build-only-not-secret DEBUG=false \
        DATABASE_URL=postgres://build@127.0.0.1:5432/build REDIS_URL=redis://127.0.0.1:6379/0 \
        sh -c "python scripts/compile_messages.py && python manage.py collectstatic --noinput" \
    && mkdir -p /app/.data /app/media \
    && chown -R app:app /app/.data /app/media

USER app
EXPOSE 8000

# GET /healthz over plain HTTP on $PORT with a Host from ALLOWED_HOSTS: exempt from the HTTPS
# redirect, 200 when the database and the broker answer (config/healthcheck.py).
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
    CMD ["python", "config/healthcheck.py"]

# Worker and beat override the command (docker-compose.yml). gunicorn reads PORT,
# WEB_CONCURRENCY, GUNICORN_THREADS and FORWARDED_ALLOW_IPS (config/gunicorn.py): it believes
# X-Forwarded-Proto only from those proxies (default: none but loopback).
CMD ["gunicorn", "-c", "config/gunicorn.py", "config.wsgi:application"]
