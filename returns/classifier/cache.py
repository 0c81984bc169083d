"""The bootstrap model, trained once per machine: it is a pure function of the
shipped data and this package's code, so it is stored under a key made of both and
loaded instead of retrained while neither changes.
"""

from __future__ import annotations

import hashlib
import logging
import os
import tempfile
from pathlib import Path

import sklearn

from returns.classifier.model import TrainedModel, train

logger = logging.getLogger(__name__)
PACKAGE = Path(__file__).resolve().parent
DATA = PACKAGE.parent / "data"


def bootstrap_key() -> str:
    """Hash of everything the bootstrap model is made from."""
    digest = hashlib.sha256(sklearn.__version__.encode())
    sources = sorted(PACKAGE.glob("*.py")) + [
        DATA / "training_set.csv",
        DATA / "messy_vocab.py",
    ]
    for path in sources:
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:24]


def bootstrap_model(cache_dir: str | Path | None) -> tuple[TrainedModel, bytes]:
    """(model, its bytes): loaded from `cache_dir` when a model of the same key
    is stored there, else trained and stored. `cache_dir=None` always trains."""
    if cache_dir is None:
        model = train()
        return model, model.to_bytes()
    path = Path(cache_dir) / f"returns-bootstrap-{bootstrap_key()}.joblib"
    if path.exists():
        payload = path.read_bytes()
        try:
            return TrainedModel.from_bytes(payload), payload
        except Exception:  # a torn or foreign file: train again below
            logger.warning("Unreadable cached returns model %s; retraining", path)
    model = train()
    payload = model.to_bytes()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=path.parent, suffix=".part")
        with os.fdopen(handle, "wb") as out:
            out.write(payload)
        os.chmod(temporary, 0o644)  # mkstemp makes it private to this user
        os.replace(temporary, path)  # readers see the whole file or none
    except OSError:
        logger.warning("Could not store the returns model in %s", path.parent)
    return model, payload
