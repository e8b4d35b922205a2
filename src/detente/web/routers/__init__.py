"""The app's routes, one ``APIRouter`` per area (FastAPI's "bigger applications" layout).

``static`` (vendored scripts, styles, Swagger UI), ``pages`` (the dashboard's pages and their htmx
fragments) and the JSON API under ``/api``: ``meta`` (health, models), ``scenarios``,
``forecasts``, ``jobs`` (sweeps, the simulator, stored runs) and ``ledger``. Every route is a
module-level function; the store and the job manager come in as dependencies (``web.deps``), and
work that a page and the API both do is one function in ``web.service``.
"""
