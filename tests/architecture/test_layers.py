"""The layering is enforced: the import-linter contracts of pyproject.toml hold (make lint runs
them too), and the plain-Python packages really load without Django."""

import subprocess
import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]


def _run(*command: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        command, cwd=REPO_ROOT, capture_output=True, text=True, timeout=300, check=False
    )


def test_the_import_contracts_are_kept():
    # when the contracts are checked
    result = _run(str(Path(sys.executable).with_name("lint-imports")), "--no-cache")
    # then every one is kept (dependencies point down, no services -> tasks import, no cycle)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    assert "0 broken" in result.stdout


def test_text_analysis_and_the_matching_engine_load_without_django():
    # when both packages are imported and used in a fresh interpreter
    probe = (
        "import sys\n"
        "import textanalysis, matching.engine\n"
        "tokens = textanalysis.analyze('垃圾渗滤液 landfill leachate')\n"
        "assert 'zcleachate' in tokens, tokens\n"
        "loaded = sorted(name for name in sys.modules if name.split('.')[0] in {\n"
        "    'django', 'rest_framework', 'celery', 'config', 'core', 'accounts', 'catalog'})\n"
        "print(loaded)\n"
    )
    result = _run(sys.executable, "-c", probe)
    # then no Django module (nor any app) was loaded
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"
