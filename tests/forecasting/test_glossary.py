"""The glossary names every model the engine may choose."""

from forecasting.engine import available_models
from forecasting.glossary import MODELS, term_label


def test_every_registered_model_is_named_in_words_for_the_runs_page():
    """The runs page's win counts name each model through the glossary (English
    and Chinese): a registered model without an entry would show its code."""
    assert [m for m in available_models() if m not in MODELS] == []
    assert term_label("arima") == "seasonal ARIMA"
