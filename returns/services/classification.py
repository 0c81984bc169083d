"""Classify returns with the active model, apply the approval rule, learn from staff.

Model versions live in the database, so every web process and worker uses the
same one; each process keeps the unpickled model of the active version in memory.
"""

import logging
import threading
from datetime import timedelta

import pandas as pd
from django.conf import settings
from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.utils import timezone

from returns import classifier, jobs
from returns.classifier.cache import bootstrap_model

from ..models import (
    ApprovalRule,
    ClassificationStatus,
    ClassifierVersion,
    ReturnRequest,
)

logger = logging.getLogger(__name__)
_cache: dict[str, classifier.TrainedModel] = {}
# The bootstrap model is a pure function of the shipped training set and the
# classifier's code, so a process loads it at most once, whatever happens to the
# database, and a machine trains it once (STOCKWISE_RETURNS_MODEL_CACHE_DIR).
_bootstrap: list[tuple[classifier.TrainedModel, bytes]] = []
_lock = threading.RLock()
# While a retrain is queued or running, more reviews do not queue another.
RETRAIN_QUEUED_KEY = "returns:classifier-retrain-queued"
RETRAIN_QUEUED_SECONDS = 30 * 60


def approval_rule_get() -> ApprovalRule:
    rule = ApprovalRule.objects.order_by("pk").first()
    if rule is None:
        rule = ApprovalRule.objects.create(
            min_confidence=classifier.DEFAULT_THRESHOLD,
            max_value=classifier.DEFAULT_VALUE_LIMIT,
        )
    return rule


def _store_version(
    model: classifier.TrainedModel,
    *,
    n_corrections: int,
    active: bool,
    note: str,
    payload: bytes | None = None,
) -> ClassifierVersion:
    return ClassifierVersion.objects.create(
        version=model.version,
        macro_f1=float(model.metadata.get("macro_f1", 0.0)),
        n_samples=int(model.metadata.get("n_samples", 0)),
        n_corrections=n_corrections,
        metadata={k: v for k, v in model.metadata.items() if _jsonable(v)},
        payload=payload if payload is not None else model.to_bytes(),
        is_active=active,
        promotion_note=note[:200],
    )


def _jsonable(value) -> bool:
    return isinstance(value, str | int | float | bool | list | dict | type(None))


def classifier_bootstrap() -> tuple[classifier.TrainedModel, bytes]:
    """The bootstrap model and its bytes: loaded (or trained) at most once per
    process, from the machine's cache (STOCKWISE_RETURNS_MODEL_CACHE_DIR)."""
    with _lock:
        if not _bootstrap:
            _bootstrap.append(
                bootstrap_model(settings.STOCKWISE_RETURNS_MODEL_CACHE_DIR)
            )
        return _bootstrap[0]


def classifier_active() -> tuple[ClassifierVersion, classifier.TrainedModel]:
    """The active model; the shipped bootstrap set trains the first one."""
    version = ClassifierVersion.objects.filter(is_active=True).first()
    if version is None:
        with _lock:
            version = ClassifierVersion.objects.filter(is_active=True).first()
            if version is None:
                model, payload = classifier_bootstrap()
                try:
                    with transaction.atomic():
                        version = _store_version(
                            model,
                            n_corrections=0,
                            active=True,
                            note="bootstrap",
                            payload=payload,
                        )
                except IntegrityError:
                    version = ClassifierVersion.objects.get(is_active=True)
                _cache[version.version] = model
    model = _cache.get(version.version)
    if model is None:
        model = classifier.TrainedModel.from_bytes(bytes(version.payload))
        _cache.clear()
        _cache[version.version] = model
    return version, model


def _features(request: ReturnRequest) -> dict:
    lines = list(request.lines.all())
    shipped = request.sales_order.shipped_at if request.sales_order else None
    days = (request.created_at - shipped).days if shipped else None
    return {
        "text": request.reason_text,
        "reason_code": request.reason_code,
        "product_category": lines[0].product.category.name if lines else "",
        "condition": " ".join(line.condition_notes for line in lines),
        "days_since_order": days,
        "unit_cost": max((float(line.product.unit_cost) for line in lines), default=0),
    }


def return_classify(*, request_id: int) -> ReturnRequest:
    """Predict reason and disposition once; auto-accept when the rule allows."""
    request = ReturnRequest.objects.select_related("sales_order").get(pk=request_id)
    if request.classification_status == ClassificationStatus.DONE:
        return request
    lines = request.lines.select_related("product__category")
    request._prefetched_objects_cache = {"lines": list(lines)}
    version, model = classifier_active()
    (prediction,) = classifier.predict(model, [_features(request)])
    rule = approval_rule_get()
    decision = classifier.auto_accept(
        category=prediction.category,
        confidence=prediction.category_confidence,
        reason_code=request.reason_code,
        value=float(request.value),
        threshold=rule.min_confidence,
        value_limit=float(rule.max_value),
    )
    accepted = rule.enabled and decision.accepted
    reasons = list(decision.reasons) + ([] if rule.enabled else ["rule disabled"])
    fields = dict(
        classification_status=ClassificationStatus.DONE,
        predicted_category=prediction.category,
        category_confidence=prediction.category_confidence,
        alternatives=[[c, round(p, 4)] for c, p in prediction.top_alternatives],
        secondary_reasons=[[c, round(p, 4)] for c, p in prediction.secondary],
        predicted_disposition=prediction.disposition,
        disposition_confidence=prediction.disposition_confidence,
        model_version=version.version,
        auto_accepted=accepted,
        review_reasons=[] if accepted else reasons,
    )
    if accepted:
        fields.update(category=prediction.category, disposition=prediction.disposition)
    # Only a pending request is written, so a second run changes nothing.
    ReturnRequest.objects.filter(
        pk=request.pk, classification_status=ClassificationStatus.PENDING
    ).update(**fields)
    request.refresh_from_db()
    return request


def return_classification_fail(*, request_id: int, error: str) -> None:
    ReturnRequest.objects.filter(
        pk=request_id, classification_status=ClassificationStatus.PENDING
    ).update(classification_status=ClassificationStatus.FAILED, review_reasons=[error])


def _labelled_rows() -> pd.DataFrame:
    """Staff decisions (accepted or corrected) as training rows."""
    rows = []
    reviewed = ReturnRequest.objects.filter(reviewed_by__isnull=False).exclude(
        category=""
    )
    for request in reviewed.select_related("sales_order").prefetch_related(
        "lines__product__category"
    ):
        features = _features(request)
        features.update(category=request.category, disposition=request.disposition)
        rows.append(features)
    return pd.DataFrame(rows)


def classifier_labels_since_last_version() -> int:
    """Staff-labelled returns that no stored model version has learned from yet."""
    newest = ClassifierVersion.objects.order_by("-created_at", "-id").first()
    labelled = (
        ReturnRequest.objects.filter(reviewed_by__isnull=False)
        .exclude(category="")
        .count()
    )
    return labelled - (newest.n_corrections if newest else 0)


def classifier_retrain_if_enough_labels() -> bool:
    """Queue a retrain (after commit) once enough staff labels came in since the
    last version; the threshold is STOCKWISE_RETURNS_RETRAIN_AFTER_LABELS."""
    needed = settings.STOCKWISE_RETURNS_RETRAIN_AFTER_LABELS
    if classifier_labels_since_last_version() < needed:
        return False
    try:
        first = cache.add(RETRAIN_QUEUED_KEY, 1, timeout=RETRAIN_QUEUED_SECONDS)
    except Exception:  # the cache is Redis: when it is away, queue anyway
        logger.warning("Cache unavailable; queueing a retrain without dedup")
        first = True
    if first:
        transaction.on_commit(lambda: jobs.retrain_queue(), robust=True)
    return first


def classifier_retrain(*, force: bool = False) -> ClassifierVersion | None:
    """Train on the shipped set plus every staff label; promote the candidate only
    if its held-out macro-F1 is not below the active model's, else keep it stored
    (inactive, with the reason). Without `force`, nothing happens unless staff
    labelled at least one return since the last version."""
    current_version, current = classifier_active()
    labels = _labelled_rows()
    if not force and classifier_labels_since_last_version() < 1:
        return None
    candidate = classifier.train(corrections=labels if len(labels) else None)
    decision = classifier.should_promote(candidate, current)
    with transaction.atomic():
        if decision.promote:
            ClassifierVersion.objects.filter(is_active=True).update(is_active=False)
        version = _store_version(
            candidate,
            n_corrections=len(labels),
            active=decision.promote,
            note=decision.reason,
        )
    logger.info("Classifier %s: %s", version.version, decision.reason)
    try:
        cache.delete(RETRAIN_QUEUED_KEY)
    except Exception:
        logger.warning("Cache unavailable; the retrain flag expires on its own")
    return version


def requeue_lease_key(request_id: int) -> str:
    return f"stockwise:returns:classify-queued:{request_id}"


def return_classifications_requeue(*, now=None, limit: int = 1000) -> list[int]:
    """Beat's sweeper: queue again the classification of each return still
    pending STOCKWISE_REQUEUE_GRACE_SECONDS after it was created (its
    after-commit enqueue was lost, e.g. while Redis was away).

    A return is queued at most once per STOCKWISE_REQUEUE_LEASE_SECONDS (a
    lease in the cache), so a backlog waiting for workers is not multiplied;
    a lost lease costs one extra task, which finds the return classified and
    does nothing.
    """
    now = now or timezone.now()
    grace = timedelta(seconds=settings.STOCKWISE_REQUEUE_GRACE_SECONDS)
    pending = (
        ReturnRequest.objects.filter(
            classification_status=ClassificationStatus.PENDING,
            created_at__lt=now - grace,
        )
        .order_by("pk")
        .values_list("pk", flat=True)[:limit]
    )
    queued = []
    for request_id in pending:
        key = requeue_lease_key(request_id)
        if not cache.add(key, 1, timeout=settings.STOCKWISE_REQUEUE_LEASE_SECONDS):
            continue
        try:
            jobs.classify_queue(request_id)
        except Exception:
            cache.delete(key)  # not queued: the next sweep tries again
            raise
        queued.append(request_id)
    if queued:
        logger.warning("Queued %s pending classification(s) again", len(queued))
    return queued
