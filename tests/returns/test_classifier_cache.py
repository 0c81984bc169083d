"""The bootstrap model's file cache: processes that miss it together train once."""

import time
from concurrent.futures import ThreadPoolExecutor

from returns.classifier import cache
from returns.classifier.model import TrainedModel


def test_callers_that_miss_the_cache_together_train_once(tmp_path, monkeypatch):
    """Test workers, web workers and a Celery worker start on an empty cache at
    once: one trains (under the file lock), the others load what it stored."""
    trainings = []

    def slow_training():
        trainings.append(1)
        time.sleep(0.5)  # long enough for every other caller to miss the file
        return TrainedModel(
            version="returns-test",
            category_model=None,
            disposition_features=None,
            disposition_model=None,
        )

    monkeypatch.setattr(cache, "train", slow_training)
    folder = tmp_path / "models"
    with ThreadPoolExecutor(4) as pool:
        results = list(pool.map(lambda _: cache.bootstrap_model(folder), range(4)))
    assert len(trainings) == 1
    assert {model.version for model, _ in results} == {"returns-test"}
    assert len({payload for _, payload in results}) == 1
    assert len(list(folder.glob("*.joblib"))) == 1
