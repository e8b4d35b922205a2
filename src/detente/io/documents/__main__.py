"""``python -m detente.io.documents [FOLDER]``: write the JSON Schemas of the documents (default ``docs/schema/``)."""

from detente.io.documents import main

raise SystemExit(main())
