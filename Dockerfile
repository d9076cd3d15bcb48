# The production image: gunicorn serving the site on port 8000, and /metrics and
# /health on port 9100 from its master process, configured only by environment
# variables (README, "Running in production").
# Both stages use the Python version of the CI test job (.github/workflows/ci.yaml).
FROM python:3.13-slim-bookworm AS build
ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_ROOT_USER_ACTION=ignore \
    PATH=/venv/bin:$PATH
# The final image gets the site's packages only: no pip, no translation sources.
COPY requirements/base.txt requirements/prod.txt /tmp/requirements/
RUN python -m venv --without-pip /venv \
    && pip --python /venv/bin/python install --requirement /tmp/requirements/prod.txt \
    && find /venv -name '*.po' -delete
WORKDIR /app
COPY . .
# Hashed and compressed static files, collected once here (DEBUG needs no secret).
RUN DEBUG=true python manage.py collectstatic --noinput --verbosity 0 \
    && python -m compileall -q /app

FROM python:3.13-slim-bookworm
ENV PATH=/venv/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PROMETHEUS_MULTIPROC_DIR=/tmp/prometheus_multiproc
RUN groupadd --system --gid 10001 encontros \
    && useradd --system --uid 10001 --gid encontros --no-create-home --home-dir /nonexistent \
       --shell /usr/sbin/nologin encontros
COPY --from=build /venv /venv
COPY --from=build /app /app
WORKDIR /app
# Numeric, so that Kubernetes can verify runAsNonRoot. The code stays owned by root: read-only for the site.
USER 10001:10001
EXPOSE 8000 9100
# On the metrics port, which answers even while every worker is busy.
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:' + os.environ.get('METRICS_PORT', '9100') + '/health', timeout=4)"]
CMD ["gunicorn", "-c", "gunicorn.conf.py", "encontros.wsgi"]
