"""Settings for benchmarks/load_test.py's gunicorn: production settings + the bench URLconf.

Only the URLconf differs, so the bare view (benchmarks/_load_urls.py) never exists in the
deployed site; everything else comes from config.settings and the environment as in production.
"""

from config.settings import *  # noqa: F403

ROOT_URLCONF = "benchmarks._load_urls"
