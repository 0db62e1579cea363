"""The one I/O adapter of the assistant: the fitted intent model cached on disk.

The model is never committed; it is trained from the package's data on first use and
pickled under `$KEFU_CACHE_DIR` (default `~/.cache/kefu/`), named by a hash of the training
data and code version, so a change of either retrains and an unchanged install loads in
well under a second.
"""

from __future__ import annotations

import inspect
import os
import pickle
import tempfile
from pathlib import Path

from kefu.core.assistant.nlu import model as model_module
from kefu.core.assistant.nlu import training
from kefu.core.assistant.nlu.model import IntentModel

_loaded: dict[str, IntentModel] = {}


def cache_dir() -> Path:
    configured = os.environ.get("KEFU_CACHE_DIR")
    return Path(configured) if configured else Path.home() / ".cache" / "kefu"


def model_path() -> tuple[Path, list[tuple[str, str]], list[tuple[str, str]]]:
    rows, calibration = training.training_rows(), training.calibration_rows()
    # The model code is part of the key: changing the features retrains on next use.
    code = inspect.getsource(model_module) + inspect.getsource(training)
    key = training.model_key(rows, calibration, code)
    return cache_dir() / f"nlu-{key}.pkl", rows, calibration


def load_model(retrain: bool = False) -> IntentModel:
    """The cached model, training and caching it first when missing, stale or unreadable."""
    path, _, _ = model_path()
    if not retrain and str(path) in _loaded:
        return _loaded[str(path)]
    model: IntentModel | None = None
    if not retrain and path.is_file():
        try:
            with path.open("rb") as handle:
                loaded = pickle.load(handle)
            model = loaded if isinstance(loaded, IntentModel) else None
        except Exception:  # a corrupt or foreign cache file is rebuilt, never fatal
            model = None
    if model is None:
        model = training.train_shipped_model()  # probe-calibrated temperature
        _save(path, model)
    _loaded[str(path)] = model
    return model


def _save(path: Path, model: IntentModel) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        # Write then rename, so a concurrent reader never sees half a file.
        with tempfile.NamedTemporaryFile(dir=path.parent, delete=False, suffix=".tmp") as tmp:
            pickle.dump(model, tmp, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp.name, path)
    except OSError:
        pass  # an unwritable cache only costs retraining next time
