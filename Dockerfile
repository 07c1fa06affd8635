# Production image: gunicorn for the web, the same image for the Celery worker and beat
# (docker-compose.yml picks the command).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app

# Dependencies first, in their own layer: a code change does not reinstall them. The project
# itself ships no package (the code runs from /app), so this installs only what it needs.
COPY pyproject.toml ./
RUN pip install .

COPY . .

# Static files are collected at build time and served by WhiteNoise. Settings need a secret and
# would otherwise prepare the file-system broker; neither value reaches the running container.
RUN SECRET_KEY="$(python -c 'import secrets; print(secrets.token_urlsafe(50))')" \
    CELERY_BROKER_URL=memory:// python manage.py collectstatic --noinput -v 0

# Run unprivileged; var/ stays writable for what the embedded default would keep there.
RUN useradd --system --uid 10001 --no-create-home missionlead \
    && mkdir -p var && chown missionlead var
USER missionlead

EXPOSE 8000
CMD ["gunicorn", "missionlead.wsgi", "--bind", "0.0.0.0:8000", "--access-logfile", "-"]
