"""Packaged scenarios: ``builtin_names()``, ``load_builtin(name)``.

Each built-in is a native YAML file in this folder. Those made from real data
(``ktab-*``, ``cop21-2015``, ``copenhagen-2009``, ``bdm-sultan-1997``, ``china-1989``) were converted
from the raw files in the repository's ``data/`` folder by :func:`build_from_data` (a test checks the
shipped YAML still equals a fresh conversion; :func:`write_builtin` regenerates one) and carry their
provenance (repository, path, commit, licence, citation) in ``sources`` and ``metadata``. Their stances are expert codings, marked ``assumption: true`` with
a note naming the source: they are not quotes.
"""

from __future__ import annotations

import difflib
import functools
import os
from dataclasses import replace
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from detente.core.scale import Scale
from detente.core.scenario import Evidence, Scenario
from detente.errors import ScenarioError
from detente.io.mapping import parse_scenario


def builtin_names() -> tuple[str, ...]:
    """Names of the packaged scenarios, sorted."""
    return tuple(sorted(p.name[:-5] for p in resources.files(__name__).iterdir() if p.name.endswith(".yaml")))


@functools.lru_cache(maxsize=64)
def load_builtin(name: str) -> Scenario:
    """A packaged scenario by name (see :func:`builtin_names`); ScenarioError with close matches if unknown.

    Examples
    --------
    >>> load_builtin("emission-standards-1994").issues[0].scale.high
    10.0
    """
    names = builtin_names()
    if not isinstance(name, str):
        raise ScenarioError(
            f"scenario: expected the name of a built-in (one of {', '.join(names)}), received {name!r}"
        )
    if name not in names:
        close = difflib.get_close_matches(name, names, n=3)
        hint = f"did you mean {', '.join(close)}? " if close else ""
        raise ScenarioError(f"scenario: unknown built-in {name!r} ({hint}expected one of {', '.join(names)})")
    text = (resources.files(__name__) / f"{name}.yaml").read_text(encoding="utf-8")
    from detente.io.files import SafeLoader  # the project's loader: C safe loader, refuses repeated keys

    data = yaml.load(text, Loader=SafeLoader)  # noqa: S506 - CSafeLoader/SafeLoader only
    return parse_scenario(data, source=f"builtin:{name}")


# ------------------------------------------------------------------------------------------------
# provenance of the built-ins made from the repository's data/ (docs: data/README.md)
# ------------------------------------------------------------------------------------------------
_KTAB_REPO = "GitHub lsyaseen/KTAB (fork of KAPSARC/KTAB), MIT licence"
_KTAB_COMMIT = "3b5b063541c7d5ee36cc9c61d9d3e0717f2d180f"
_EFIRD = (
    "Efird, B., Lester, I. & Wise, B. (2016). Chinese SOE reform and the oil and gas sector. "
    "Journal of East Asian Studies 16:117-145, doi:10.1017/jea.2015.4"
)
_DECIDE_REPO = "GitHub foarsitter/decide-exchange-model (GPL-3.0 repository; expert data are the authors' and their sources')"
_DECIDE_COMMIT = "parent of feb0e98a434d27737a99947f6cc07f618c9f3e6e"
_SPRINZ = (
    "Sprinz, D. F., Bueno de Mesquita, B., Kallbekken, S., Stokman, F., Saelen, H. & Thomson, R. (2016). "
    "Predicting Paris: multi-method approaches to forecast the outcomes of global climate negotiations. "
    "Politics and Governance 4(3):172-187, doi:10.17645/pag.v4i3.654"
)

# scale meanings from data/README.md, KTAB section (KTAB docs): policy 15 = about the 2014 status quo, competitive 0 =
# the status quo; used as reference points (status quo) for both the single- and the two-dimension files
_POLICY_SCALE: dict[str, Any] = {
    "labels": ("extreme limits on private participation", "full private participation"),
    "points": (
        (15.0, "about the 2014 status quo"),
        (30.0, "ad hoc approval"),
        (70.0, "limited participation without approval"),
    ),
    "reference": 15.0,
}
_COMPETITIVE_SCALE: dict[str, Any] = {
    "labels": ("status quo (CNPC dominant)", "break-up of CNPC"),
    "reference": 0.0,
}

SPECS: dict[str, dict[str, Any]] = {
    "ktab-soe-policy": {
        "short": "Efird, Lester & Wise (2016), KTAB SOE-Policy table",
        "file": "ktab/SOE-Policy.csv",
        "reader": "ktab-csv",
        "title": "China SOE reform: private participation in upstream oil and gas (KTAB SOE-Policy)",
        "repo": _KTAB_REPO,
        "path": "examples/smp/doc/SOE-Policy.csv",
        "commit": _KTAB_COMMIT,
        "licence": "MIT (KTAB repository)",
        "citation": _EFIRD,
        "scales": {"policy": _POLICY_SCALE},
        "notes": {
            "published_reading": "policy converges by turn 10 near 30 (Efird et al. 2016); no coded outcome"
        },
    },
    "ktab-soe-competitive": {
        "short": "Efird, Lester & Wise (2016), KTAB SOE-Competitive table",
        "file": "ktab/SOE-Competitive.csv",
        "reader": "ktab-csv",
        "title": "China SOE reform: reforming CNPC's dominance upstream (KTAB SOE-Competitive)",
        "repo": _KTAB_REPO,
        "path": "examples/smp/doc/SOE-Competitive.csv",
        "commit": _KTAB_COMMIT,
        "licence": "MIT (KTAB repository)",
        "citation": _EFIRD,
        "scales": {"competitive": _COMPETITIVE_SCALE},
        "notes": {
            "published_reading": "competitive outcome 'between 20 and 40' (Efird et al. 2016); no coded outcome"
        },
    },
    "ktab-soe-pol-comp": {
        "short": "Efird, Lester & Wise (2016), KTAB SOE-Pol-Comp table",
        "file": "ktab/SOE-Pol-Comp.csv",
        "reader": "ktab-csv",
        "title": "China SOE reform: policy and competitive dimensions together (KTAB SOE-Pol-Comp)",
        "repo": _KTAB_REPO,
        "path": "examples/smp/doc/SOE-Pol-Comp.csv",
        "commit": _KTAB_COMMIT,
        "licence": "MIT (KTAB repository)",
        "citation": _EFIRD,
        "scales": {"policy": _POLICY_SCALE, "competitive": _COMPETITIVE_SCALE},
        "notes": {
            "ktab.reference_run": "VictoryProb Linear, VotingRule Prop, PCE Conditional, StateTransitions "
            "Deterministic, BigRRange Mid, BigRAdjust OneThird, ThirdPartyCommit SemiCommit, InterVecBrgn S2P2, "
            "BargnModel InitOnlyInterp; 28 states",
        },
    },
    "ktab-dummy-3dim": {
        "short": "KTAB example data (random actors)",
        "file": "ktab/dummyData_3Dim.csv",
        "reader": "ktab-csv",
        "title": "KTAB test scenario: 7 random actors on 3 dimensions (dummyData_3Dim)",
        "repo": _KTAB_REPO,
        "path": "examples/smp/doc/dummyData_3Dim.csv",
        "commit": _KTAB_COMMIT,
        "licence": "MIT (KTAB repository)",
        "citation": "KTAB example data (random actors); no real-world referent",
        "notes": {
            "ktab.reference_run": "VictoryProb Linear, VotingRule Prop, PCE Conditional, StateTransitions "
            "Deterministic, BigRRange Mid, BigRAdjust OneThird, ThirdPartyCommit SemiCommit, InterVecBrgn S2P2, "
            "BargnModel InitOnlyInterp; 11 states",
        },
    },
    "ktab-smp-example": {
        "short": "KTAB example data (pseudonyms)",
        "file": "ktab/smpExample.xml",
        "reader": "ktab-xml",
        "title": "KTAB XML example: 5 actors on 3 dimensions with model parameters (smpExample)",
        "repo": _KTAB_REPO,
        "path": "examples/smp/doc/smpExample.xml",
        "commit": _KTAB_COMMIT,
        "licence": "MIT (KTAB repository)",
        "citation": "KTAB example data (pseudonyms); no real-world referent. Alice's first coordinate is empty: "
        "she is absent on that dimension",
    },
    "cop21-2015": {
        "short": "COP21 expert data consolidated 2 Oct 2015 (Decide exchange model)",
        "file": "decide_exchange/cop21_2015_semicolon.csv",
        "reader": "decide",
        "title": "COP21 Paris climate negotiations (expert data, 2 Oct 2015)",
        "repo": _DECIDE_REPO,
        "path": "data/CoP21.csv",
        "commit": _DECIDE_COMMIT,
        "licence": "data of the authors and their sources, distributed in a GPL-3.0 repository",
        "citation": _SPRINZ,
        "as_of": "2015-10-02",
        "notes": {
            "dialect_choice": "semicolon version: it keeps the #M anchor texts (named scale points) and full actor "
            "names; the tab version has the same 181 rows without anchor texts",
            "outcome": "scored against the coded Paris texts by Sprinz et al. (2016); codings not transcribed here",
        },
    },
    "copenhagen-2009": {
        "short": "Copenhagen expert data, SEI, 27-28 Oct 2009 (Decide exchange model)",
        "file": "decide_exchange/copenhagen_2009_semicolon.csv",
        "reader": "decide",
        "title": "Copenhagen climate negotiations (expert data, 27-28 Oct 2009)",
        "repo": _DECIDE_REPO,
        "path": "data/kopenhagen.csv",
        "commit": _DECIDE_COMMIT,
        "licence": "data of the authors and their sources, distributed in a GPL-3.0 repository",
        "citation": "Expert data collected on 27 and 28 Oct 2009 by Clarisse Siebert and Richard Klein (SEI), "
        "as distributed with the Decide exchange model",
        "as_of": "2009-10-28",
        "notes": {
            "dialect_choice": "semicolon version: it keeps the #M anchor texts and full actor names and has all 77 "
            "rows (the tab version has 75); issues technology and Forestry have no data and are dropped",
        },
    },
    "bdm-sultan-1997": {
        "short": "Bueno de Mesquita (1997) Sultan table",
        "file": "bdm_eum/bdm1997_sultan_actors.csv",
        "reader": "bdm",
        "title": "Succession of the Sultan (Bueno de Mesquita 1997 example table)",
        "repo": "GitHub jmckib/bdm-scholz-expected-utility-model (no licence file; published data with citation)",
        "path": "Sultan.csv",
        "commit": "55f63e9f2b9528119491d292efab8cfe7f91f78f",
        "licence": "none stated; published table cited",
        "citation": "Bueno de Mesquita, B. (1997). A decision making model: its structure and form. International "
        "Interactions 23(3-4):235-266. Scholz et al. (2011) could not reproduce its results on this table",
        "issue": ("sultan", "Policy position (units not stated in the source)"),
        "notes": {
            "caveat": "positions 12.85-14.25, units not stated; transcription not checked against the paper; "
            "no outcome"
        },
    },
    "china-1989": {
        "short": "China 1989 table (BDM replication data)",
        "file": "bdm_eum/china1989_actors.csv",
        "reader": "bdm",
        "title": "China 1989: democratisation (BDM replication data)",
        "repo": "GitHub dmasad/BDM_DecisionModel_Replication (no licence file)",
        "path": "ChinaData.csv",
        "commit": "aa3899a308886b0f3cec5d976a67c681c348ef2c",
        "licence": "none stated; published data",
        "citation": "Original publication not identified (smoke test only); data as distributed by "
        "dmasad/BDM_DecisionModel_Replication",
        "issue": ("democratisation", "Democratisation"),
        "labels": ("no democratisation", "full democratisation"),
        "notes": {"caveat": "original publication not identified; no outcome; smoke test only"},
    },
}


def build_from_data(name: str, data_dir: str | os.PathLike[str]) -> Scenario:
    """Convert the raw file behind built-in ``name`` (in the repository's ``data/``) and add its provenance.

    The evidence of every stance cites the source itself (the table, the upstream repository path and
    commit), not a local path, so the scenario stays self-contained wherever it is copied.
    """
    from detente.io import formats as F

    spec = SPECS[name]
    path = Path(data_dir) / spec["file"]
    reader = {
        "ktab-csv": F.read_ktab_csv,
        "ktab-xml": F.read_ktab_xml,
        "decide": F.read_decide,
        "bdm": F.read_bdm_table,
    }[spec["reader"]]
    sc: Scenario = reader(path, name=f"data/{spec['file']}")
    fixed: list[str] = []

    def fix(text: str) -> str:  # the COP21 file has a few mojibake apostrophes (U+FFFD)
        if "\ufffd" in text:
            fixed.append(text)
            return text.replace("\ufffd", "'")
        return text

    sc = replace(
        sc,
        issues=tuple(
            replace(
                i,
                name=fix(i.name),
                scale=replace(
                    i.scale,
                    labels=(fix(i.scale.labels[0]), fix(i.scale.labels[1])),
                    points=tuple((v, fix(t)) for v, t in i.scale.points),
                ),
            )
            for i in sc.issues
        ),
        actors=tuple(replace(a, name=fix(a.name)) for a in sc.actors),
    )
    note = f"expert coding, {spec['short']} (a data table, not a quote)"
    ev = (Evidence(source=f"{spec['short']}; {spec['path']} @ {spec['commit']}", note=note, assumption=True),)
    issues = list(sc.issues)
    stances = list(sc.stances)
    if "issue" in spec:  # BdM tables: name the single issue
        iid, iname = spec["issue"]
        old = issues[0]
        labels = spec.get("labels", old.scale.labels)
        issues = [replace(old, id=iid, name=iname, scale=replace(old.scale, labels=labels))]
        stances = [replace(s, issue=iid) for s in stances]
    for k, i in enumerate(issues):
        extra = spec.get("scales", {}).get(i.id)
        if extra:
            scale = Scale(
                low=i.scale.low,
                high=i.scale.high,
                labels=extra.get("labels", i.scale.labels),
                points=tuple(extra.get("points", i.scale.points)),
            )
            issues[k] = replace(i, scale=scale, reference=extra.get("reference", i.reference))
    stances = [replace(s, evidence=ev) for s in stances]
    meta = dict(sc.metadata)
    meta.update(
        {
            "provenance.repository": spec["repo"],
            "provenance.path": spec["path"],
            "provenance.commit": spec["commit"],
            "provenance.licence": spec["licence"],
            "provenance.copy": f"data/{spec['file']} in the detente repository (see data/README.md)",
            "citation": spec["citation"],
        }
    )
    meta.update(spec.get("notes", {}))
    if fixed:
        meta["repairs"] = (
            f"{len(fixed)} mojibake character(s) (U+FFFD) in anchor texts replaced by an apostrophe"
        )
    sources = (
        f"{spec['repo']}, {spec['path']} @ {spec['commit']}",
        spec["citation"],
    )
    description = sc.description or spec["title"]
    return replace(
        sc,
        id=name,
        title=spec["title"],
        description=description,
        as_of=spec.get("as_of", sc.as_of),
        sources=sources,
        issues=tuple(issues),
        stances=tuple(stances),
        metadata=tuple(meta.items()),
    )


def write_builtin(name: str, data_dir: str | os.PathLike[str]) -> Path:
    """Regenerate the packaged YAML of built-in ``name`` from ``data_dir`` (a maintainer's tool)."""
    from detente.io.files import dump_yaml

    header = (
        f"# Built-in scenario {name}: converted from data/{SPECS[name]['file']} by\n"
        "# detente.io.builtin.build_from_data (provenance in sources/metadata; do not edit by hand).\n"
    )
    out = Path(str(resources.files(__name__) / f"{name}.yaml"))
    out.write_text(header + dump_yaml(build_from_data(name, data_dir)), encoding="utf-8")
    return out
