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

from returns.classifier.model import TrainedModel
from returns.classifier.training import train

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


def _trusted(path: Path) -> bool:
    """Only this user may have written it: a model file is a pickle, and the
    default folder lives under the shared temporary directory."""
    try:
        stat = path.stat()
    except OSError:
        return False
    return stat.st_uid == os.getuid() and not stat.st_mode & 0o022


def bootstrap_model(cache_dir: str | Path | None) -> tuple[TrainedModel, bytes]:
    """(model, its bytes): loaded from `cache_dir` when a model of the same key
    is stored there by this user, else trained and stored. `cache_dir=None`
    always trains; a folder someone else could write to is never used."""
    if cache_dir is None:
        model = train()
        return model, model.to_bytes()
    folder = Path(cache_dir)
    path = folder / f"returns-bootstrap-{bootstrap_key()}.joblib"
    if folder.exists() and not _trusted(folder):
        logger.warning("Not using %s for the returns model: not ours alone", folder)
        model = train()
        return model, model.to_bytes()
    if path.exists() and _trusted(path):
        payload = path.read_bytes()
        try:
            return TrainedModel.from_bytes(payload), payload
        except Exception:  # a torn or foreign file: train again below
            logger.warning("Unreadable cached returns model %s; retraining", path)
    model = train()
    payload = model.to_bytes()
    try:
        folder.mkdir(mode=0o755, parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=path.parent, suffix=".part")
        with os.fdopen(handle, "wb") as out:
            out.write(payload)
        os.chmod(temporary, 0o644)  # mkstemp makes it private to this user
        os.replace(temporary, path)  # readers see the whole file or none
    except OSError:
        logger.warning("Could not store the returns model in %s", path.parent)
    return model, payload
