"""SECRET_KEY is required with DEBUG off where it is used, yet key-less commands run on a fresh clone."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def run(*args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("DEBUG", "SECRET_KEY")}
    env["GONGJIANG_VAR_DIR"] = str(ROOT / "var" / "settings-test")
    return subprocess.run(
        [sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )


def test_makemigrations_check_needs_no_secret_key():
    done = run("manage.py", "makemigrations", "--check", "--dry-run")
    assert done.returncode == 0, done.stderr
    assert "No changes detected" in done.stdout


def test_the_web_app_refuses_to_start_without_a_secret_key_when_debug_is_off():
    done = run("-c", "import gongjiang.wsgi")
    assert done.returncode != 0
    assert "SECRET_KEY must be set when DEBUG is off" in done.stderr
