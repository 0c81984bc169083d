"""The production server's settings live in config/gunicorn.py: the README
starts gunicorn with it and bench/api_load.py measures it by default."""

import runpy
from pathlib import Path

from gunicorn.config import Config

ROOT = Path(__file__).resolve().parents[2]


def test_readme_and_bench_use_the_config_file():
    served = runpy.run_path(str(ROOT / "config" / "gunicorn.py"))
    assert (served["worker_class"], served["workers"], served["threads"]) == (
        "gthread",
        2,
        4,
    )
    assert (
        "gunicorn -c config/gunicorn.py config.wsgi" in (ROOT / "README.md").read_text()
    )
    assert "config/gunicorn.py" in (ROOT / "bench" / "api_load.py").read_text()


def test_every_name_in_it_is_a_gunicorn_setting():
    """A misspelt name would be ignored by gunicorn without a word."""
    served = runpy.run_path(str(ROOT / "config" / "gunicorn.py"))
    settings = Config().settings
    names = {k for k in served if not k.startswith("__")}
    assert names <= set(settings), names - set(settings)
