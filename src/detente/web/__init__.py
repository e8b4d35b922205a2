"""detente.web: the dashboard and JSON API (``pip install 'detente[web]'``); ``create_app()``."""

from __future__ import annotations

from typing import Any

__all__ = ["create_app"]


def create_app(*args: Any, **kwargs: Any) -> Any:
    """Build the FastAPI app (see :func:`detente.web.app.create_app`); imports FastAPI lazily."""
    try:
        from detente.web.app import create_app as _create
    except ImportError as exc:
        from detente.errors import MissingExtraError

        raise MissingExtraError(
            f"the dashboard needs the web extra: pip install 'detente[web]' ({exc.name} missing)"
        ) from exc
    return _create(*args, **kwargs)
