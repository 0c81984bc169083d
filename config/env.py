"""Settings from environment variables: typed reads, and the renamed variables.

Every Stockwise-specific variable is named STOCKWISE_*. A variable renamed to
that prefix (RENAMED) is still read under its old name for one release: its
value is used, and a RenamedSettingWarning (a DeprecationWarning) names the new
name. When both names are set, the new one wins and the old one is reported as
ignored. A variable set to an empty string counts as set, as os.environ.get
reads it.
"""

import os
import warnings

# New name -> the name it had before the STOCKWISE_ prefix.
RENAMED = {
    "STOCKWISE_API_SHOP_RATE": "API_SHOP_RATE",
    "STOCKWISE_API_SHOP_BURST": "API_SHOP_BURST",
    "STOCKWISE_FORECAST_CHUNK_SIZE": "FORECAST_CHUNK_SIZE",
    "STOCKWISE_FORECAST_STALE_SECONDS": "FORECAST_STALE_SECONDS",
    "STOCKWISE_REQUEUE_GRACE_SECONDS": "REQUEUE_GRACE_SECONDS",
    "STOCKWISE_REQUEUE_LEASE_SECONDS": "REQUEUE_LEASE_SECONDS",
    "STOCKWISE_RETURNS_RETRAIN_AFTER_LABELS": "RETURNS_RETRAIN_AFTER_LABELS",
    "STOCKWISE_RETURNS_MODEL_CACHE_DIR": "RETURNS_MODEL_CACHE_DIR",
    "STOCKWISE_WEBHOOK_MAX_ATTEMPTS": "WEBHOOK_MAX_ATTEMPTS",
    "STOCKWISE_WEBHOOK_RETRY_BASE_SECONDS": "WEBHOOK_RETRY_BASE_SECONDS",
    "STOCKWISE_WEBHOOK_QUEUE_LEASE_SECONDS": "WEBHOOK_QUEUE_LEASE_SECONDS",
}


class RenamedSettingWarning(DeprecationWarning):
    """An environment variable set under a name that stops being read next release."""


# Shown (once per message) outside tests too, where Python hides a
# DeprecationWarning: whoever deploys must read it before the old name goes.
warnings.filterwarnings("default", category=RenamedSettingWarning)


def _read(name: str, default: str, stacklevel: int) -> str:
    old = RENAMED.get(name)
    if old is not None and old in os.environ:
        if name in os.environ:
            message = f"{old} is ignored because {name} is set: remove {old}."
        else:
            message = (
                f"The environment variable {old} is deprecated and stops being "
                f"read in the next release: set {name} instead."
            )
        # stacklevel: the warning names the line of settings.py that reads it.
        warnings.warn(message, RenamedSettingWarning, stacklevel=stacklevel + 1)
        if name not in os.environ:
            return os.environ[old]
    return os.environ.get(name, default)


def env_str(name: str, default: str) -> str:
    """The variable `name`, else its old name (with a warning), else `default`."""
    return _read(name, default, stacklevel=2)


def env_int(name: str, default: int) -> int:
    """env_str as a whole number; a value that is not one stops start-up."""
    return int(_read(name, str(default), stacklevel=2))


def env_float(name: str, default: float) -> float:
    """env_str as a number; a value that is not one stops start-up."""
    return float(_read(name, str(default), stacklevel=2))


def env_bool(name: str, default: bool) -> bool:
    """True for 1, true, yes or on (any case); `default` when unset."""
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    """A comma-separated variable as a list of its items, trimmed (an empty
    item between two commas is dropped)."""
    return [item.strip() for item in os.environ.get(name, default).split(",") if item]
