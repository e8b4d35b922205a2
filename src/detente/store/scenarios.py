"""Scenarios in the store: every save is a new version with who, when and what changed."""

from __future__ import annotations

import json
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from detente.errors import StoreError
from detente.store.engine import Engine, _json_safe, _now

KEY_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.\-]{0,79}$")


@dataclass(frozen=True)
class ScenarioVersion:
    key: str
    version: int
    author: str
    created_at: str
    summary: str
    title: str
    content_hash: str
    data: dict[str, Any] = field(repr=False, default_factory=dict)

    @property
    def ref(self) -> str:
        return f"{self.key}@{self.version}"


# --------------------------------------------------------------------------------------------- diff
def _index(items: Any, key: Any) -> dict[Any, dict[str, Any]]:
    out: dict[Any, dict[str, Any]] = {}
    for it in items or []:
        if isinstance(it, Mapping):
            out[key(it)] = dict(it)
    return out


def _fmt(v: Any) -> str:
    if isinstance(v, float):
        return f"{v:g}"
    if isinstance(v, (dict, list)):
        return "…"
    return str(v)


def diff_summary(old: Mapping[str, Any] | None, new: Mapping[str, Any], limit: int = 12) -> str:
    """A one-line summary of what changed between two native scenario mappings.

    >>> a = {"actors": [{"id": "x"}], "stances": [{"actor": "x", "issue": "i", "salience": 0.5}]}
    >>> b = {"actors": [{"id": "x"}, {"id": "y"}], "stances": [{"actor": "x", "issue": "i", "salience": 0.7}]}
    >>> diff_summary(a, b)
    'added actor y; stance x/i salience 0.5 → 0.7'
    """
    if old is None:
        return "created"
    changes: list[str] = []
    for top in ("id", "title", "description", "as_of"):
        if old.get(top) != new.get(top):
            changes.append(f"{top} changed")
    groups = (
        ("actor", "actors", lambda d: str(d.get("id"))),
        ("issue", "issues", lambda d: str(d.get("id"))),
        ("stance", "stances", lambda d: f"{d.get('actor')}/{d.get('issue')}"),
    )
    for label, name, key in groups:
        a, b = _index(old.get(name), key), _index(new.get(name), key)
        for k in b.keys() - a.keys():
            changes.append(f"added {label} {k}")
        for k in a.keys() - b.keys():
            changes.append(f"removed {label} {k}")
        for k in sorted(a.keys() & b.keys(), key=str):
            for fld in sorted(set(a[k]) | set(b[k])):
                va, vb = a[k].get(fld), b[k].get(fld)
                if va != vb:
                    if isinstance(va, (int, float, str, type(None))) and isinstance(
                        vb, (int, float, str, type(None))
                    ):
                        changes.append(f"{label} {k} {fld} {_fmt(va)} → {_fmt(vb)}")
                    else:
                        changes.append(f"{label} {k} {fld} changed")
    for top in ("sources", "metadata", "dynamics"):
        if old.get(top) != new.get(top):
            changes.append(f"{top} changed")
    if not changes:
        return "no change"
    if len(changes) > limit:
        return "; ".join(changes[:limit]) + f"; and {len(changes) - limit} more"
    return "; ".join(changes)


def _canonical(data: Mapping[str, Any]) -> str:
    return json.dumps(data, sort_keys=True, separators=(",", ":"), allow_nan=False, default=str)


def _hash(data: Mapping[str, Any]) -> str:
    import hashlib

    return hashlib.sha256(_canonical(data).encode("utf-8")).hexdigest()


class ScenarioMixin(Engine):
    """Saving, reading and listing scenario versions."""

    def save_scenario(
        self, data: Mapping[str, Any], *, author: str = "", key: str | None = None, summary: str | None = None
    ) -> ScenarioVersion:
        """Save ``data`` (native scenario mapping) as a new version of ``key`` (default ``data['id']``)."""
        sa = self._sa
        key = str(key if key is not None else data.get("id", ""))
        if not KEY_RE.match(key):
            raise StoreError(f"scenario key: expected 1-80 letters, digits, '_', '.', '-', received {key!r}")
        clean = _json_safe(dict(data))
        try:
            content = _canonical(clean)
        except (TypeError, ValueError) as exc:
            raise StoreError(f"scenario {key}: content is not JSON-serialisable ({exc})") from exc
        author = (author or os.environ.get("USER", "") or "unknown")[:200]
        for attempt in range(5):
            try:
                return self._save_once(key, clean, content, author, summary)
            except StoreError as exc:
                # two first saves of one key raced (unique key); the loser retries as version 2
                if attempt == 4 or not isinstance(exc.__cause__, sa.exc.IntegrityError):
                    raise
        raise AssertionError("unreachable")  # pragma: no cover

    def _save_once(
        self, key: str, clean: dict[str, Any], content: str, author: str, summary: str | None
    ) -> ScenarioVersion:
        sa = self._sa
        sv, vv = self.t_scenarios, self.t_versions

        def work(conn: Any) -> ScenarioVersion:
            ts = _now()
            row = conn.execute(
                sa.select(sv.c.id, sv.c.latest).where(sv.c.key == key).with_for_update()
            ).first()
            if row is None:
                sid = conn.execute(sv.insert().values(key=key, created_at=ts, latest=0)).inserted_primary_key[
                    0
                ]
                latest, previous = 0, None
            else:
                sid, latest = row
                prev = conn.execute(
                    sa.select(vv.c.content).where(vv.c.scenario_id == sid, vv.c.version == latest)
                ).scalar_one_or_none()
                previous = json.loads(prev) if prev else None
            version = latest + 1
            text = summary if summary is not None else diff_summary(previous, clean)
            title = str(clean.get("title") or clean.get("id") or key)
            h = _hash(clean)
            conn.execute(
                vv.insert().values(
                    scenario_id=sid,
                    version=version,
                    author=author,
                    created_at=ts,
                    summary=text[:4000],
                    title=title,
                    content_hash=h,
                    content=content,
                )
            )
            conn.execute(sv.update().where(sv.c.id == sid).values(latest=version))
            return ScenarioVersion(key, version, author, ts, text[:4000], title, h, clean)

        return self._transact(work)

    def get_scenario(self, key: str, version: int | None = None) -> ScenarioVersion:
        """A stored version (latest if ``version`` is None); ``StoreError`` if absent."""
        sa = self._sa
        sv, vv = self.t_scenarios, self.t_versions
        with self._read() as conn:
            sid = conn.execute(sa.select(sv.c.id, sv.c.latest).where(sv.c.key == key)).first()
            if sid is None:
                raise StoreError(f"scenario {key!r}: not in the store")
            v = sid[1] if version is None else int(version)
            row = (
                conn.execute(sa.select(vv).where(vv.c.scenario_id == sid[0], vv.c.version == v))
                .mappings()
                .first()
            )
        if row is None:
            raise StoreError(f"scenario {key!r}: no version {v} (latest is {sid[1]})")
        return self._version(key, row, with_data=True)

    def _version(self, key: str, row: Mapping[str, Any], *, with_data: bool) -> ScenarioVersion:
        data = json.loads(row["content"]) if with_data else {}
        return ScenarioVersion(
            key,
            int(row["version"]),
            row["author"],
            row["created_at"],
            row["summary"],
            row["title"],
            row["content_hash"],
            data,
        )

    def versions(self, key: str) -> list[ScenarioVersion]:
        """All versions of ``key``, oldest first (without content)."""
        sa = self._sa
        sv, vv = self.t_scenarios, self.t_versions
        cols = [vv.c.version, vv.c.author, vv.c.created_at, vv.c.summary, vv.c.title, vv.c.content_hash]
        with self._read() as conn:
            rows = (
                conn.execute(
                    sa.select(*cols)
                    .join(sv, sv.c.id == vv.c.scenario_id)
                    .where(sv.c.key == key)
                    .order_by(vv.c.version)
                )
                .mappings()
                .all()
            )
        if not rows:
            raise StoreError(f"scenario {key!r}: not in the store")
        return [self._version(key, r, with_data=False) for r in rows]

    def list_scenarios(self) -> list[ScenarioVersion]:
        """The latest version of every stored scenario (without content), by key."""
        sa = self._sa
        sv, vv = self.t_scenarios, self.t_versions
        cols = [
            sv.c.key,
            vv.c.version,
            vv.c.author,
            vv.c.created_at,
            vv.c.summary,
            vv.c.title,
            vv.c.content_hash,
        ]
        with self._read() as conn:
            rows = (
                conn.execute(
                    sa.select(*cols)
                    .join(vv, (sv.c.id == vv.c.scenario_id) & (vv.c.version == sv.c.latest))
                    .order_by(sv.c.key)
                )
                .mappings()
                .all()
            )
        return [self._version(r["key"], r, with_data=False) for r in rows]
