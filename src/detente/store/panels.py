"""Expert panels in the store: a panel per questionnaire round, a seat per expert (docs/panels.md).

Each seat has its own secret token: the link an expert gets carries it, the database keeps only its
sha256, so a leaked database does not open any seat. A seat holds the expert's answers (as JSON
mappings, already checked by the caller against the scenario) until the expert submits them; after
that the seat is read-only. The store never parses scenarios: the panel keeps the scenario's native
mapping as it was when the panel was created.
"""

from __future__ import annotations

import hashlib
import json
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from detente.errors import StoreError
from detente.store.engine import Engine, _now


def token_digest(token: str) -> str:
    """The sha256 hex digest a seat's token is stored as."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Seat:
    """One expert's place in a panel: their answers so far and whether they submitted them."""

    panel_id: int
    expert: str
    answers: list[dict[str, Any]]
    updated_at: str | None
    submitted_at: str | None

    @property
    def answered(self) -> int:
        """Rows with at least one number."""
        keys = ("position", "salience", "capability")
        return sum(1 for a in self.answers if any(a.get(k) is not None for k in keys))


@dataclass(frozen=True)
class PanelRecord:
    id: int
    created_at: str
    scenario_ref: str
    scenario: dict[str, Any]
    pooled_ref: str | None
    seats: list[Seat]


class PanelMixin(Engine):
    """Creating panels, filling seats, reading progress."""

    @property
    def _t_panels(self) -> Any:
        return self._md.tables["panels"]

    @property
    def _t_seats(self) -> Any:
        return self._md.tables["panel_seats"]

    def panel_create(
        self, scenario_ref: str, scenario: Mapping[str, Any], experts: Sequence[str]
    ) -> tuple[PanelRecord, dict[str, str]]:
        """A new panel with one seat per expert; returns it and each expert's token (shown once)."""
        if not experts or len(set(experts)) != len(experts):
            raise StoreError("experts: expected at least one expert, each once")
        tokens = {e: secrets.token_urlsafe(24) for e in experts}
        ts = _now()

        def work(conn: Any) -> int:
            pid = int(
                conn.execute(
                    self._t_panels.insert().values(
                        created_at=ts, scenario_ref=scenario_ref[:200], scenario=json.dumps(dict(scenario))
                    )
                ).inserted_primary_key[0]
            )
            for e, tok in tokens.items():
                conn.execute(
                    self._t_seats.insert().values(
                        panel_id=pid, expert=e, token_sha256=token_digest(tok), answers="[]"
                    )
                )
            return pid

        return self.panel_get(self._transact(work)), tokens

    def _seats(self, conn: Any, panel_id: int) -> list[Seat]:
        t = self._t_seats
        rows = conn.execute(t.select().where(t.c.panel_id == panel_id).order_by(t.c.expert)).mappings()
        return [self._seat(r) for r in rows]

    @staticmethod
    def _seat(r: Mapping[str, Any]) -> Seat:
        return Seat(
            int(r["panel_id"]), r["expert"], json.loads(r["answers"]), r["updated_at"], r["submitted_at"]
        )

    def panel_get(self, panel_id: int) -> PanelRecord:
        """A panel with its seats (no tokens); StoreError if there is none with this number."""
        t = self._t_panels
        with self._read() as conn:
            row = conn.execute(t.select().where(t.c.id == panel_id)).mappings().first()
            if row is None:
                raise StoreError(f"panel {panel_id}: no such panel")
            seats = self._seats(conn, panel_id)
        return PanelRecord(
            int(row["id"]),
            row["created_at"],
            row["scenario_ref"],
            json.loads(row["scenario"]),
            row["pooled_ref"],
            seats,
        )

    def panel_list(self) -> list[PanelRecord]:
        """Every panel, newest first."""
        t = self._t_panels
        with self._read() as conn:
            ids = [int(r[0]) for r in conn.execute(self._sa.select(t.c.id).order_by(t.c.id.desc()))]
        return [self.panel_get(i) for i in ids]

    def panel_seat(self, token: str) -> tuple[Seat, PanelRecord]:
        """The seat a token opens, and its panel; StoreError (one line, no detail) for any other token."""
        t = self._t_seats
        with self._read() as conn:
            row = conn.execute(t.select().where(t.c.token_sha256 == token_digest(token))).mappings().first()
        if row is None:
            raise StoreError("this questionnaire link is not valid (ask the analyst for a new one)")
        seat = self._seat(row)
        return seat, self.panel_get(seat.panel_id)

    def panel_save(self, token: str, answers: Sequence[Mapping[str, Any]], *, submit: bool = False) -> Seat:
        """Replace a seat's answers (autosave), and with ``submit`` close it; a submitted seat is read-only."""
        t = self._t_seats
        digest = token_digest(token)
        ts = _now()

        def work(conn: Any) -> Seat:
            row = conn.execute(t.select().where(t.c.token_sha256 == digest)).mappings().first()
            if row is None:
                raise StoreError("this questionnaire link is not valid (ask the analyst for a new one)")
            if row["submitted_at"] is not None:
                raise StoreError(f"submitted on {row['submitted_at']}: the answers can no longer be changed")
            values: dict[str, Any] = {"answers": json.dumps([dict(a) for a in answers]), "updated_at": ts}
            if submit:
                values["submitted_at"] = ts
            conn.execute(t.update().where(t.c.token_sha256 == digest).values(**values))
            return self._seat({**row, **values})

        return self._transact(work)

    def panel_pooled(self, panel_id: int, ref: str) -> None:
        """Record the store reference of the pooled scenario."""
        t = self._t_panels
        self._transact(
            lambda conn: conn.execute(t.update().where(t.c.id == panel_id).values(pooled_ref=ref[:200]))
        )
