"""gunicorn settings of the production image (Dockerfile, docker-compose.yml), from the environment.

    gunicorn -c config/gunicorn.py config.wsgi:application

PORT (8000), WEB_CONCURRENCY (3 worker processes), GUNICORN_THREADS (1 thread per worker),
GUNICORN_TIMEOUT (30 s), FORWARDED_ALLOW_IPS (127.0.0.1,::1).

FORWARDED_ALLOW_IPS names the proxies (addresses or CIDR networks, comma-separated) whose
X-Forwarded-Proto header gunicorn believes: from them `X-Forwarded-Proto: https` makes the request
secure for Django (no redirect, secure cookies); from anyone else the header is ignored, so a
client that reaches gunicorn directly cannot claim HTTPS. Set it to the reverse proxy's address
(e.g. the Docker network, 172.16.0.0/12); `*` only when nothing but the proxy can reach gunicorn.

Each worker thread keeps at most one database connection (CONN_MAX_AGE), so PostgreSQL sees at
most web replicas x WEB_CONCURRENCY x GUNICORN_THREADS connections from the web tier.
"""

import os


def _int(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    return int(value) if value else default


bind = [f"0.0.0.0:{_int('PORT', 8000)}"]
workers = _int("WEB_CONCURRENCY", 3)
threads = _int("GUNICORN_THREADS", 1)
timeout = _int("GUNICORN_TIMEOUT", 30)
graceful_timeout = 30
keepalive = 5
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "").strip() or "127.0.0.1,::1"
accesslog = "-"
errorlog = "-"
# Worker heartbeats on a tmpfs: a container's overlay filesystem can stall them into timeouts.
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None
# No gunicornc control socket: nothing here uses it, and in $HOME it would be shared by every
# gunicorn of the same user (the image's /app is not writable for the app user anyway).
control_socket_disable = True
