"""Error tree of detente (docs/api.md lists the same tree; tests/test_public_api.py checks both).

Catch ``DetenteError`` for every error detente raises on purpose; the built-in class in brackets is a
second base, so ``except ValueError`` keeps working where it did. Four subclasses live beside the
code that raises them (module in square brackets).

::

    DetenteError (Exception)
    ├── ScenarioError (ValueError)        invalid scenario content (field, allowed, received)
    │   └── InputFileError                a file could not be read/parsed (file, row/line, field)
    ├── ModelConfigError (ValueError)     bad model hyperparameter (parameter, allowed, received)
    ├── UnknownModelError (KeyError)      no model of that name (with close matches)
    ├── MissingExtraError (ImportError)   an optional dependency is not installed (names the extra)
    ├── StoreError                        database problems
    │   ├── AlreadyResolvedError          [detente.store.ledger] the ledger entry already has an outcome
    │   └── EntryNotFoundError            [detente.store.ledger] no ledger entry with that number
    ├── LMError                           [detente.io.draft.lm] the language-model endpoint of detente draft failed
    └── WebError                          [detente.web.service] a request could not be served (HTTP status)

    DetenteWarning (UserWarning)
    └── ConvergenceWarning                a dynamic model stopped before its positions converged
"""

from __future__ import annotations


class DetenteError(Exception):
    """Base class of every error raised on purpose by detente."""


class ScenarioError(DetenteError, ValueError):
    """A scenario (or part of one) is invalid.

    ``problems`` holds one line per problem, each ``FIELD: what is wrong (expected ...)``.
    """

    def __init__(self, message: str, problems: list[str] | None = None) -> None:
        super().__init__(message)
        self.problems: list[str] = list(problems) if problems else [message]


class InputFileError(ScenarioError):
    """A file could not be read; the message names the file and, where known, the row and field."""


class ModelConfigError(DetenteError, ValueError):
    """A model hyperparameter is invalid: names the parameter, what is allowed and what was received."""

    def __init__(self, parameter: str, allowed: str, received: object) -> None:
        super().__init__(f"{parameter}: expected {allowed}, received {received!r}")
        self.parameter = parameter
        self.allowed = allowed
        self.received = received


class UnknownModelError(DetenteError, KeyError):
    """No model with that name is registered."""

    def __str__(self) -> str:  # KeyError quotes its message otherwise
        return str(self.args[0]) if self.args else "unknown model"


class MissingExtraError(DetenteError, ImportError):
    """An optional dependency is missing; the message names the extra to install (:func:`install_hint`)."""


def install_hint(extra: str) -> str:
    """How to install an extra, for a release and for a clone (where ``pip install 'detente[x]'``
    would look for the package on an index instead of the working tree).

    >>> install_hint("web")
    "pip install 'detente[web]' (in a clone of the repository: pip install -e '.[web]')"
    """
    return f"pip install 'detente[{extra}]' (in a clone of the repository: pip install -e '.[{extra}]')"


class StoreError(DetenteError):
    """The store (database) failed or was given bad input."""


class DetenteWarning(UserWarning):
    """Base class of detente's warnings."""


class ConvergenceWarning(DetenteWarning):
    """A dynamic model stopped before its positions converged."""


def warn_caller(warning: Warning) -> None:
    """``warnings.warn(warning)`` attributed to the first frame outside the detente package (the
    user's script or notebook cell), not to the model line that raised it through ``forecast`` or a
    sweep: Python then shows the user's own line, and its "default" filter shows one warning per line."""
    import os
    import sys
    import warnings

    package = os.path.dirname(os.path.abspath(__file__)) + os.sep
    frame = sys._getframe(1)
    level = 2  # 1 is this function; 2 the caller
    while frame.f_back is not None and os.path.abspath(frame.f_code.co_filename).startswith(package):
        frame = frame.f_back
        level += 1
    warnings.warn(warning, stacklevel=level)
