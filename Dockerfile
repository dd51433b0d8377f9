# Production image of SLRT Kota Bekasi: one image for web (gunicorn), worker and beat
# (docker-compose.yml). The embedded development setup is `make run`, not this.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

# A home of its own: gunicorn puts its control socket under ~/.gunicorn.
RUN groupadd --system --gid 10001 slrt \
    && useradd --system --uid 10001 --gid slrt --create-home --home-dir /home/slrt \
       --shell /usr/sbin/nologin slrt

# pg_dump/pg_restore for `manage.py backup` and `restore` (Debian 12's client is PostgreSQL 15,
# the server's version in docker-compose.yml).
RUN apt-get update \
    && apt-get install -y --no-install-recommends postgresql-client \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /app

# The app runs from /app with manage.py: only the locked production dependencies are installed,
# each checked against its hash (make lock). This layer is rebuilt only when the lock changes.
COPY requirements.lock ./
RUN pip install --require-hashes -r requirements.lock

COPY . .
# var/ holds what the app writes: media (a volume), the beat schedule (a volume) and the
# collected static files. Named volumes mounted there start with this ownership.
RUN mkdir -p var/media var/beat var/staticfiles && chown -R slrt:slrt var

USER slrt
# Static files are served by whitenoise from the image; settings need a key even to collect them.
RUN DEBUG=False SECRET_KEY=build python manage.py collectstatic --noinput

EXPOSE 8000
CMD ["gunicorn", "slrt.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", \
     "--access-logfile", "-"]
