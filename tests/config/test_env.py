"""Renamed environment variables: the old name still works for one release, with
a warning naming the new one, and the new name wins when both are set."""

import os
import runpy
import subprocess
import sys
import warnings
from pathlib import Path

import pytest

from config.env import RENAMED, RenamedSettingWarning, env_float, env_int, env_str

ROOT = Path(__file__).resolve().parents[2]
SETTINGS = ROOT / "config" / "settings.py"


@pytest.fixture
def no_stockwise_env(monkeypatch):
    for new, old in RENAMED.items():
        monkeypatch.delenv(new, raising=False)
        monkeypatch.delenv(old, raising=False)
    return monkeypatch


def test_the_old_name_is_read_with_a_warning_naming_the_new_one(no_stockwise_env):
    no_stockwise_env.setenv("API_SHOP_BURST", "7")
    with pytest.warns(RenamedSettingWarning) as caught:
        assert env_int("STOCKWISE_API_SHOP_BURST", 120) == 7
    message = str(caught[0].message)
    assert "API_SHOP_BURST is deprecated" in message
    assert "set STOCKWISE_API_SHOP_BURST instead" in message
    assert issubclass(caught[0].category, DeprecationWarning)
    # The warning points at the line that reads the variable, not at config.env.
    assert caught[0].filename == __file__


def test_the_new_name_wins_when_both_are_set(no_stockwise_env):
    no_stockwise_env.setenv("API_SHOP_RATE", "5/min")
    no_stockwise_env.setenv("STOCKWISE_API_SHOP_RATE", "9/min")
    with pytest.warns(RenamedSettingWarning, match="API_SHOP_RATE is ignored"):
        assert env_str("STOCKWISE_API_SHOP_RATE", "1200/min") == "9/min"


def test_the_new_name_alone_and_the_default_read_without_a_warning(no_stockwise_env):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert env_float("STOCKWISE_WEBHOOK_RETRY_BASE_SECONDS", 1.0) == 1.0
        no_stockwise_env.setenv("STOCKWISE_WEBHOOK_RETRY_BASE_SECONDS", "0.5")
        assert env_float("STOCKWISE_WEBHOOK_RETRY_BASE_SECONDS", 1.0) == 0.5


def _settings(monkeypatch, env: dict) -> dict:
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        values = runpy.run_path(str(SETTINGS))
    values["warnings"] = [str(w.message) for w in caught]
    return values


def _sample(old: str) -> str:
    return {"API_SHOP_RATE": "7/min", "RETURNS_MODEL_CACHE_DIR": "/srv/models"}.get(
        old, "7"
    )


@pytest.mark.parametrize(("new", "old"), sorted(RENAMED.items()))
def test_settings_read_every_renamed_variable_under_both_names(
    no_stockwise_env, new, old
):
    default = _settings(no_stockwise_env, {})[new]
    by_new = _settings(no_stockwise_env, {new: _sample(old)})
    assert by_new["warnings"] == []
    no_stockwise_env.delenv(new)
    by_old = _settings(no_stockwise_env, {old: _sample(old)})
    # The setting is named as its variable, and both names give it one value.
    assert by_new[new] != default
    assert by_old[new] == by_new[new]
    assert any(f"set {new} instead" in message for message in by_old["warnings"])


def test_defaults_are_unchanged(no_stockwise_env):
    values = _settings(no_stockwise_env, {})
    assert values["STOCKWISE_API_SHOP_RATE"] == "1200/min"
    assert values["STOCKWISE_API_SHOP_BURST"] == 120
    assert values["STOCKWISE_FORECAST_CHUNK_SIZE"] == 1000
    assert values["STOCKWISE_FORECAST_STALE_SECONDS"] == 45 * 60
    assert values["STOCKWISE_REQUEUE_GRACE_SECONDS"] == 120
    assert values["STOCKWISE_REQUEUE_LEASE_SECONDS"] == 600
    assert values["STOCKWISE_RETURNS_RETRAIN_AFTER_LABELS"] == 20
    assert values["STOCKWISE_RETURNS_MODEL_CACHE_DIR"].endswith(
        "stockwise-returns-models"
    )
    assert values["STOCKWISE_WEBHOOK_MAX_ATTEMPTS"] == 12
    assert values["STOCKWISE_WEBHOOK_RETRY_BASE_SECONDS"] == 1.0
    assert values["STOCKWISE_WEBHOOK_QUEUE_LEASE_SECONDS"] == 300
    assert values["warnings"] == []


def test_a_deployment_still_on_an_old_name_is_told_at_start_up(no_stockwise_env):
    """Python hides a DeprecationWarning outside tests; this one is printed."""
    env = {
        name: value
        for name, value in os.environ.items()
        if name not in RENAMED and name not in RENAMED.values()
    }
    result = subprocess.run(
        [
            sys.executable,
            "manage.py",
            "shell",
            "-c",
            "from django.conf import settings as s; print(s.STOCKWISE_API_SHOP_BURST)",
        ],
        cwd=ROOT,
        env={**env, "API_SHOP_BURST": "33"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().endswith("33")
    assert "set STOCKWISE_API_SHOP_BURST instead" in result.stderr
