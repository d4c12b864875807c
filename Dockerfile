# The Rasa server of jieru (介入助手). The model is trained while the image is built, so
# a container downloads nothing when it starts. The action server is a separate image
# (Dockerfile.actions); docker-compose.yml runs both with PostgreSQL and Redis.
#   docker build -t jieru-rasa .
#   docker run -p 5005:5005 -e JIERU_APP_JWT_SECRET=... jieru-rasa

FROM python:3.10-slim-bookworm AS base
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    RASA_TELEMETRY_ENABLED=false \
    PATH=/opt/venv/bin:$PATH \
    JIERU_KB_DIR=/app/kb
WORKDIR /app

# Dependencies from the lock file (its own layer, rebuilt only when the lock changes),
# then the jieru package, whose NLU components and app channel Rasa loads.
FROM base AS build
RUN python -m venv /opt/venv
COPY requirements/rasa.lock requirements/
RUN pip install --no-cache-dir -r requirements/rasa.lock
COPY pyproject.toml README.md ./
COPY jieru/ jieru/
RUN pip install --no-cache-dir --no-deps .

# The same training command as scripts/lib.sh (train_model).
FROM build AS train
COPY bot/config.yml bot/
COPY bot/data/ bot/data/
COPY bot/dicts/ bot/dicts/
COPY domain.yml ./
COPY kb/ kb/
RUN rasa train --config bot/config.yml --domain domain.yml --data bot/data \
      --out /app/models --fixed-model-name jieru

# Only what `rasa run` reads: the environment, the model, channels, endpoints, kb/.
FROM base AS runtime
RUN groupadd --system --gid 1001 jieru \
 && useradd --system --uid 1001 --gid jieru --create-home --home-dir /home/jieru jieru
COPY --from=build /opt/venv /opt/venv
COPY credentials.yml endpoints.yml ./
COPY docker/entrypoint-rasa.sh docker/endpoints.compose.yml docker/
COPY kb/ kb/
COPY --from=train /app/models/ models/
USER 1001:1001
ENV PORT=5005
EXPOSE 5005
# /status answers once the model is loaded (with ?token= when RASA_AUTH_TOKEN is set).
HEALTHCHECK --interval=30s --timeout=5s --start-period=120s --retries=3 \
  CMD ["python", "-c", "import os, urllib.parse as p, urllib.request as r; r.urlopen('http://127.0.0.1:%s/status?token=%s' % (os.environ['PORT'], p.quote(os.environ.get('RASA_AUTH_TOKEN', ''))), timeout=4)"]
ENTRYPOINT ["/app/docker/entrypoint-rasa.sh"]
