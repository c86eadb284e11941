"""Accuracy figures for a trained model: overall, per class, confusion matrix."""

from __future__ import annotations

from typing import Any

import numpy as np


def predict_classes(model: Any, inputs: np.ndarray, batch: int = 1024) -> np.ndarray:
    """Predicted class for uint8 (N, 28, 28) inputs, by direct model calls in batches."""
    out = []
    for i in range(0, len(inputs), batch):
        x = (inputs[i : i + batch].astype(np.float32) / 255.0)[..., None]
        out.append(np.argmax(np.asarray(model(x, training=False)), axis=1))
    return np.concatenate(out) if out else np.zeros(0, np.int64)


def top_probability(model: Any, inputs: np.ndarray, batch: int = 1024) -> np.ndarray:
    """The highest of the ten probabilities for uint8 (N, 28, 28) inputs."""
    out = []
    for i in range(0, len(inputs), batch):
        x = (inputs[i : i + batch].astype(np.float32) / 255.0)[..., None]
        out.append(np.max(np.asarray(model(x, training=False), np.float32), axis=1))
    return np.concatenate(out) if out else np.zeros(0, np.float32)


def confusion(labels: np.ndarray, predicted: np.ndarray) -> np.ndarray:
    matrix = np.zeros((10, 10), np.int64)
    np.add.at(matrix, (labels.astype(np.int64), predicted.astype(np.int64)), 1)
    return matrix


def report(labels: np.ndarray, predicted: np.ndarray) -> dict[str, Any]:
    """Accuracy, per-class accuracy and the confusion matrix as JSON-ready values."""
    matrix = confusion(labels, predicted)
    per_class = matrix.diagonal() / np.maximum(1, matrix.sum(axis=1))
    return {
        "accuracy": float((labels == predicted).mean()) if len(labels) else 0.0,
        "count": int(len(labels)),
        "per_class_accuracy": {str(i): round(float(a), 5) for i, a in enumerate(per_class)},
        "confusion_matrix": matrix.tolist(),
    }
