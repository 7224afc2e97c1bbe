# syntax=docker/dockerfile:1
# Every Avain service's image, from this one file: the service is a build argument. Build from the repository root
# (the context is ".") so shared/ and contracts/ reach it:
#   docker build --build-arg SERVICE=intake --build-arg PORT=8001 -t avain/intake .
# docker-compose.yml passes both for each service. The image holds shared/, contracts/, config/ and services/<SERVICE>/
# only: never another service's code. A new service needs no Dockerfile of its own, only its compose block.

# ---- Static files, for a service that has them (the console: services/console/assets) ----------------------
# Node builds them here; the image that runs is Python only and serves them itself (no CDN at run time). For a
# service without assets/ this stage leaves an empty folder.
FROM node:20-slim AS assets
ARG SERVICE
RUN test -n "$SERVICE" || { echo "build with --build-arg SERVICE=<a folder of services/>" >&2; exit 1; }
WORKDIR /build
COPY services/${SERVICE}/ service/
RUN --mount=type=cache,target=/root/.npm \
    if [ -f service/assets/package.json ]; then \
        cd service/assets && npm ci --no-audit --no-fund && node build.mjs; \
    fi && mkdir -p /build/service/static/build

# ---- The image that runs ------------------------------------------------------------------------------------
FROM python:3.11-slim
ARG SERVICE
ARG PORT
# Refused before anything is copied: an empty SERVICE would make "services/${SERVICE}/" every service's code.
RUN [ -n "$SERVICE" ] && [ -n "$PORT" ] \
    || { echo "build with --build-arg SERVICE=<name> --build-arg PORT=<its port>" >&2; exit 1; }

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app

# Decision letters and the client's own copy (WeasyPrint, shared/infra/letters) need Pango and the DejaVu fonts every
# document embeds; only the services that write them (decisions, history) get them, so the other images stay small.
RUN if [ "$SERVICE" = "decisions" ] || [ "$SERVICE" = "history" ]; then \
        apt-get update \
        && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core \
        && rm -rf /var/lib/apt/lists/*; \
    fi

# Dependencies first: this layer is shared by every service's image and rebuilt only when requirements.txt changes.
COPY requirements.txt ./
RUN pip install -r requirements.txt

# Code stays root-owned and read-only for the service user.
COPY shared/ shared/
COPY contracts/ contracts/
# The county's tables (config/data/: delegations, service rules, holidays, vendor criteria): data a service reads,
# not code, read relative to /app.
COPY config/ config/
COPY services/__init__.py services/__init__.py
COPY services/${SERVICE}/ services/${SERVICE}/
COPY --from=assets /build/service/static/build/ services/${SERVICE}/static/build/
RUN test -f "services/$SERVICE/__main__.py" || { echo "services/$SERVICE is not a service" >&2; exit 1; }

RUN useradd --system --uid 10001 --user-group --no-create-home --home-dir /app avain
USER avain

# Production by default: the settings refuse to start with the development secrets.
ENV AVAIN_SERVICE=${SERVICE} \
    AVAIN_ENV=production \
    AVAIN_HTTP_HOST=0.0.0.0 \
    AVAIN_HTTP_PORT=${PORT}
EXPOSE ${PORT}

# Liveness over HTTP with Python itself (the slim image has no curl).
HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=3 \
    CMD python -c "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/health' % os.environ['AVAIN_HTTP_PORT'], timeout=4)" || exit 1

# exec: the service itself is PID 1 and gets the stop signal (it finishes in-flight work before it exits).
CMD ["sh", "-c", "exec python -m \"services.$AVAIN_SERVICE\""]
