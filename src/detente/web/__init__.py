"""detente.web: the dashboard and JSON API (``pip install 'detente[web]'``); ``create_app()``."""

from __future__ import annotations

from typing import Any

__all__ = ["create_app"]


def create_app(*args: Any, **kwargs: Any) -> Any:
    """Build the FastAPI app (see :func:`detente.web.app.create_app`); imports FastAPI lazily."""
    try:
        from detente.web.app import create_app as _create
    except ImportError as exc:
        from detente.errors import MissingExtraError, install_hint

        raise MissingExtraError(
            f"the dashboard needs the web extra ({exc.name} missing): {install_hint('web')}"
        ) from exc
    return _create(*args, **kwargs)
