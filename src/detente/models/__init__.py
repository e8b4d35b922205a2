"""Forecasting models behind one protocol (``predict(arrays, rng) -> Prediction``)."""

from detente.models.base import ForecastModel, ModelInfo, coerce_param, forecast, model_params
from detente.models.registry import (
    MODELS,
    available_models,
    build_model,
    get_model,
    model_class,
    parameter_names,
    parse_settings,
)

__all__ = [
    "MODELS",
    "ForecastModel",
    "ModelInfo",
    "available_models",
    "build_model",
    "coerce_param",
    "forecast",
    "get_model",
    "model_class",
    "model_params",
    "parameter_names",
    "parse_settings",
]
