"""Returns read as customers write (issue 20): folding of traditional characters
and pinyin, the deciding clause, secondary reasons, augmentation that never
straddles the split, the messy development set, and the figures the bench must
show. No database needed."""

import statistics
import time

import pandas as pd
import pytest

from returns.classifier import evaluate, load_training_set, predict, split_holdout
from returns.classifier.augment import augment, lang_of
from returns.classifier.cache import bootstrap_key
from returns.classifier.text import (
    clauses,
    decisive_clause,
    expand_chat,
    pinyin_view,
    to_simplified,
)
from returns.classifier.training import _training_frame
from returns.data import messy
from returns.data import messy_vocab as mv
from returns.services.classification import classifier_bootstrap


@pytest.fixture(scope="module")
def model():
    """The bootstrap model, as the services use it: loaded once per process from
    the machine's cache (trained once, under a lock, when the cache is cold)."""
    return classifier_bootstrap()[0]


@pytest.fixture(scope="module")
def messy_rows():
    return pd.read_csv(messy.OUT, dtype=str, keep_default_na=False)


def test_traditional_and_pinyin_fold_to_one_form():
    assert to_simplified("長度太短了，褲子") == "长度太短了，裤子"
    same = {
        pinyin_view("发错货了"),
        pinyin_view(to_simplified("發錯貨了")),
        pinyin_view("fa cuo huo le"),
        pinyin_view("facuohuole"),
        pinyin_view("fā cuò huò le"),
        pinyin_view("fa1 cuo4 huo4 le5"),
    }
    assert same == {"fa cuo huo le"}
    assert pinyin_view("kuai di tai man le") == pinyin_view("快递太慢了")
    assert expand_chat("dont need it now lol") == "don't need it now"


def test_the_clause_that_decides():
    assert decisive_clause("not damaged or anything, it just doesn't fit") == (
        "doesn't fit"
    )
    assert decisive_clause("包装完好，但是尺码太小了") == "尺码太小了"
    assert decisive_clause("arrived late so I bought one elsewhere") == ("arrived late")
    assert clauses("not damaged, the box was crushed but it's too small") == [
        "the box was crushed",
        "it's too small",
    ]


@pytest.mark.parametrize(
    ("text", "category"),
    [
        ("Not damaged or anything, it just doesn't fit", "size_fit"),
        ("包装完好，但是鞋子太小了穿不上", "size_fit"),
        ("fa cuo huo le", "wrong_item"),
        ("kuai di tai man le", "late_delivery"),
        ("長度太短了", "size_fit"),
        ("dont need it anymore lol", "changed_mind"),
        ("七天无理由", "changed_mind"),
        ("暴力运输，外箱都破了", "damaged_in_transit"),
        ("色差太大了，和图片不一样", "not_as_described"),
        (
            "works fine, but the colour looks nothing like the photos",
            "not_as_described",
        ),
    ],
)
def test_messy_wording_gets_the_deciding_reason(model, text, category):
    (prediction,) = predict(model, [{"text": text}])
    assert prediction.category == category


def test_several_complaints_give_the_deciding_one_and_the_others_as_secondary(model):
    (prediction,) = predict(
        model,
        [{"text": "the box arrived crushed, but the real reason is it's too small"}],
    )
    assert prediction.category == "size_fit"
    assert [c for c, _ in prediction.secondary] == ["damaged_in_transit"]
    (single,) = predict(model, [{"text": "too small, need a bigger size"}])
    assert single.secondary == []
    (denied,) = predict(model, [{"text": "not damaged at all, it's just too small"}])
    assert "damaged_in_transit" not in [c for c, _ in denied.secondary]


def test_augmented_variants_never_straddle_the_held_out_split():
    shipped = load_training_set()
    train_df, holdout, *_ = _training_frame(shipped, None, 5.0, 1.0)
    assert len(train_df) > 1.3 * (len(shipped) - len(holdout))
    assert not set(train_df["phrase_group"]) & set(holdout["phrase_group"])
    assert not set(train_df["text"]) & set(holdout["text"])
    variants = augment(shipped.head(300))
    assert len(variants) > 300
    assert set(variants["phrase_group"]) <= set(shipped.head(300)["phrase_group"])


def test_messy_set_is_seeded_and_its_unseen_part_was_never_trained_on(messy_rows):
    regenerated = pd.DataFrame(messy.generate_rows()).astype(str)
    pd.testing.assert_frame_equal(regenerated, messy_rows[regenerated.columns])
    holdout_groups = set(split_holdout(load_training_set())[1]["phrase_group"])
    unseen = messy_rows[messy_rows["split"] == "unseen"]
    assert set(unseen["phrase_group"]) <= holdout_groups
    assert len(unseen) >= 500 and unseen["category"].nunique() == 8
    for wording in (mv.CONTRAST["en"], mv.CONSEQUENCES["zh"], mv.JARGON["other"]):
        assert not set(mv.part(wording, "train")) & set(mv.part(wording, "dev"))
    styles = "+".join(messy_rows["style"])
    for style in ("pinyin", "traditional", "chat", "denial", "several", "jargon"):
        assert style in styles


@pytest.mark.parametrize("split", ["holdout", "messy"])
def test_bench_targets(model, messy_rows, split):
    data = split_holdout(load_training_set())[1] if split == "holdout" else messy_rows
    report = evaluate(
        model, data, threshold=model.metadata["recommended_threshold_by_lang"]
    )
    assert report["macro_f1"] >= 0.90
    assert report["auto_accept_precision"] >= 0.99
    assert report["auto_accept_share"] >= 0.70
    assert report["calibration_error"] <= 0.05
    assert set(report["by_lang"]) == {"zh", "en", "mixed"}


def test_one_return_is_classified_in_under_20_ms(model, messy_rows):
    """CPU time of this process: on a machine whose two cores are shared with
    other jobs, wall time would also count the wait for a core (the bench prints
    both; on an idle machine they agree, the work being single-threaded)."""
    records = messy_rows.sample(40, random_state=1).to_dict("records")
    predict(model, records[:1])
    times = []
    for record in records:
        started = time.process_time()
        predict(model, [record])
        times.append(time.process_time() - started)
    assert statistics.median(times) < 0.020


def test_cache_key_follows_the_data_and_code():
    key = bootstrap_key()
    assert key == bootstrap_key() and len(key) == 24


def test_language_by_script():
    assert lang_of("太小了") == "zh"
    assert lang_of("too small") == "en"
    assert lang_of("size太小了") == "mixed"


def test_a_cached_model_file_others_could_write_is_not_loaded(tmp_path):
    """The cache holds pickles: a file or folder writable by others is ignored
    (and retrained over), never unpickled."""
    import os

    from returns.classifier import cache

    stored = tmp_path / "models"
    stored.mkdir(mode=0o755)
    path = stored / f"returns-bootstrap-{bootstrap_key()}.joblib"
    path.write_bytes(b"not a model")
    os.chmod(path, 0o666)
    assert not cache._trusted(path)
    os.chmod(path, 0o644)
    assert cache._trusted(path)
    os.chmod(stored, 0o777)
    assert not cache._trusted(stored)
