"""CI's second run, on PostgreSQL + Redis, keeps every test its services can change."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _collected(*args: str) -> set[str]:
    out = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "--collect-only",
            "-q",
            "-p",
            "no:cacheprovider",
            *args,
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return {line for line in out.splitlines() if "::" in line}


def test_services_only_keeps_database_and_redis_tests_and_drops_pure_ones():
    files = [
        "tests/stock/test_ledger.py",
        "tests/api/test_redis_down.py",
        "tests/forecasting/engine/test_models.py",
    ]
    everything = _collected(*files)
    kept = _collected("--services-only", *files)

    assert kept < everything
    # Every database test of the ledger is kept; its one pure check is not.
    ledger = {t for t in everything if t.startswith("tests/stock/test_ledger.py")}
    assert ledger - kept == {
        "tests/stock/test_ledger.py::test_every_movement_kind_has_the_sign_the_ledger_checks"
    }
    # A module about Redis is kept whole, the engine's pure tests are left out.
    assert {t for t in everything if "test_redis_down" in t} <= kept
    assert not {t for t in kept if "forecasting/engine" in t}
