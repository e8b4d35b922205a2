"""Form data the dashboard tests share."""

from __future__ import annotations

UK_WHATIF = {"actor": "uk", "issue": "emission", "position": "4", "salience": "0.9", "capability": "0.16"}
"""A what-if on emission-standards-1994: the UK at the early end with more salience and clout."""
