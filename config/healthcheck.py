"""Health check of a web container (Dockerfile HEALTHCHECK, docker-compose.yml): GET /healthz
over plain HTTP on 127.0.0.1:$PORT, exit status 0 when it answers 200.

    python config/healthcheck.py

The request names a host from ALLOWED_HOSTS (Django answers 400 to any other) and no proxy
header: /healthz is exempt from the HTTPS redirect (SECURE_REDIRECT_EXEMPT). No Django import, so
the check is quick and does not depend on the settings importing.
"""

from __future__ import annotations

import http.client
import os
import sys


def health_host(allowed_hosts: str) -> str:
    """The first concrete host name of ALLOWED_HOSTS (`.gte.example` allows gte.example)."""
    for entry in allowed_hosts.split(","):
        name = entry.strip().lstrip(".")
        if name and name != "*":
            return name
    return "localhost"


def check(*, port: int, host: str, timeout: float) -> tuple[bool, str]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        connection.request("GET", "/healthz", headers={"Host": host})
        response = connection.getresponse()
        body = response.read(500).decode("utf-8", "replace")
    except OSError as error:
        return False, f"no answer on port {port}: {error}"
    finally:
        connection.close()
    if response.status != 200:
        return False, f"HTTP {response.status}: {body}"
    return True, body


def main() -> int:
    healthy, detail = check(
        port=int(os.environ.get("PORT", "8000")),
        host=health_host(os.environ.get("ALLOWED_HOSTS", "")),
        timeout=float(os.environ.get("HEALTHCHECK_TIMEOUT", "4")),
    )
    if not healthy:
        print(f"unhealthy: {detail}", file=sys.stderr)
        return 1
    print(f"healthy: {detail}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
