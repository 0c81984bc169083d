"""The bootstrap model, trained once per machine: it is a pure function of the
shipped data, this package's code and the libraries it runs on, so it is stored
under a key made of all three and loaded instead of retrained while none changes.
Processes that find no stored model at the same time (test workers, a web server's
workers, a Celery worker) take a file lock: one trains, the others load its file.
"""

from __future__ import annotations

import fcntl
import hashlib
import importlib.metadata
import logging
import os
import tempfile
from pathlib import Path

from returns.classifier.model import TrainedModel
from returns.classifier.training import train

logger = logging.getLogger(__name__)
PACKAGE = Path(__file__).resolve().parent
DATA = PACKAGE.parent / "data"
# The libraries whose version changes what training makes or how it unpickles.
LIBRARIES = ("scikit-learn", "numpy", "scipy", "pandas", "pypinyin", "opencc")


def _library_versions() -> str:
    versions = []
    for name in LIBRARIES:
        try:
            versions.append(f"{name}={importlib.metadata.version(name)}")
        except importlib.metadata.PackageNotFoundError:
            versions.append(f"{name}=?")
    return ";".join(versions)


def bootstrap_key() -> str:
    """Hash of everything the bootstrap model is made from."""
    digest = hashlib.sha256(_library_versions().encode())
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


def _trained() -> tuple[TrainedModel, bytes]:
    model = train()
    return model, model.to_bytes()


def _stored(path: Path) -> tuple[TrainedModel, bytes] | None:
    """The model stored at `path` by this user, or None (absent, foreign, torn)."""
    if not (path.exists() and _trusted(path)):
        return None
    payload = path.read_bytes()
    try:
        return TrainedModel.from_bytes(payload), payload
    except Exception:  # a torn or foreign file: the caller trains again
        logger.warning("Unreadable cached returns model %s; retraining", path)
        return None


def _store(path: Path, payload: bytes) -> None:
    """Write `payload` to `path` whole or not at all (readers never see a part)."""
    handle, temporary = tempfile.mkstemp(dir=path.parent, suffix=".part")
    with os.fdopen(handle, "wb") as out:
        out.write(payload)
    os.chmod(temporary, 0o644)  # mkstemp makes it private to this user
    os.replace(temporary, path)


def bootstrap_model(cache_dir: str | Path | None) -> tuple[TrainedModel, bytes]:
    """(model, its bytes): loaded from `cache_dir` when a model of the same key
    is stored there by this user, else trained and stored, by one process at a
    time (the others wait and load it). `cache_dir=None` always trains; a
    folder someone else could write to is never used."""
    if cache_dir is None:
        return _trained()
    folder = Path(cache_dir)
    path = folder / f"returns-bootstrap-{bootstrap_key()}.joblib"
    if folder.exists() and not _trusted(folder):
        logger.warning("Not using %s for the returns model: not ours alone", folder)
        return _trained()
    found = _stored(path)
    if found is not None:
        return found
    try:
        folder.mkdir(mode=0o755, parents=True, exist_ok=True)
        lock = open(path.with_suffix(".lock"), "a")  # noqa: SIM115 (held below)
    except OSError:
        logger.warning("Could not use %s for the returns model", folder)
        return _trained()
    with lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file closes
        found = _stored(path)  # trained by another process while this one waited
        if found is not None:
            return found
        model, payload = _trained()
        try:
            _store(path, payload)
        except OSError:
            logger.warning("Could not store the returns model in %s", folder)
    return model, payload
