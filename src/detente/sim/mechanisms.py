"""The simulator's parameters, one frozen dataclass per mechanism (simulator.md §3, v1 defaults).

:class:`~detente.sim.config.GameConfig` holds one of each. Field metadata: ``doc`` (meaning), ``source``
(simulator.md section, paper or the June 2025 column), ``tag`` (``C`` computed, ``S`` secondary, ``P``
prior/assumption). Field names are unique across sections: they are the flat names of a scenario's
``dynamics:`` and of ``--set NAME=VALUE``. Each section checks its values when built (one-line
:class:`~detente.errors.ModelConfigError` naming the parameter)."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal, get_args

from detente.errors import ModelConfigError

Mode = Literal["full", "rubinstein", "fearon"]
Policy = Literal["aspiration", "equilibrium"]
Target = Literal["blame", "weaker"]
WarShare = Literal["front", "p"]
BeliefModel = Literal["reservation", "aspiration"]
SettleRef = Literal["renormalising", "ceasefire", "claims"]

ISSUES: tuple[str, ...] = ("terr", "buf", "cap", "align", "guar")
"""Issues of a package (simulator.md §1, v1); ``hum`` is a separate track, ``sanc`` later."""


def _p(default: Any, doc: str, source: str, tag: str = "P") -> Any:
    return field(default=default, metadata={"doc": doc, "source": source, "tag": tag})


S3 = "simulator.md §3 v1 defaults"
MAX_PARAM = 1e6  # bound of every float parameter (see _check)
COL = "column (seed/000), simulator.md §9"


def _number(v: Any) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def _check(
    obj: Any,
    *,
    choices: Mapping[str, Any] = {},
    ints: Mapping[str, int] = {},
    unit: str = "",
    positive: str = "",
    nonneg: str = "",
) -> None:
    """Check one section: allowed words, integers >= a bound, and the fields named (space-separated) in
    ``unit`` ([0, 1]), ``positive`` (> 0), ``nonneg`` (>= 0); every ``float`` field must be a number."""
    for name, allowed in choices.items():
        if getattr(obj, name) not in get_args(allowed):
            raise ModelConfigError(name, "one of " + ", ".join(get_args(allowed)), getattr(obj, name))
    for name, lo in ints.items():
        v = getattr(obj, name)
        if not isinstance(v, int) or isinstance(v, bool) or v < lo:
            raise ModelConfigError(name, f"an integer >= {lo}", v)
    for name in unit.split():
        v = getattr(obj, name)
        if not _number(v) or not 0.0 <= float(v) <= 1.0:
            raise ModelConfigError(name, "a number in [0, 1]", v)
    for f in dataclasses.fields(obj):
        v = getattr(obj, f.name)
        if f.type == "float" and (not _number(v) or v != v):
            raise ModelConfigError(f.name, "a number", v)
        if f.type == "float" and not -MAX_PARAM <= float(v) <= MAX_PARAM:
            # exponents, rates and values of a few units at most (largest default: 24 months);
            # gamma = 1e308 overflowed every power of the month loop
            raise ModelConfigError(f.name, f"a number within ±{MAX_PARAM:g}", v)
    for name in positive.split():
        if not float(getattr(obj, name)) > 0:
            raise ModelConfigError(name, "a number > 0", getattr(obj, name))
    for name in nonneg.split():
        if not float(getattr(obj, name)) >= 0:
            raise ModelConfigError(name, "a number >= 0", getattr(obj, name))


@dataclass(frozen=True)
class Run:
    """Engine mode, offer/accept policy and horizon (simulator.md §3 'run', §4 step 3, §6)."""

    mode: Mode = _p(
        "full",
        "engine mode: full simulator, or a reference mode of simulator.md §6",
        "simulator.md §6",
    )
    policy: Policy = _p(
        "aspiration",
        "offer/accept policy: time-dependent aspiration (Faratin et al. 1998) "
        "or closed-form equilibrium (reference modes)",
        "simulator.md §4 step 3",
    )
    horizon: int = _p(36, "horizon H in months (right-censoring)", S3 + " (run)")

    def __post_init__(self) -> None:
        _check(self, choices={"mode": Mode, "policy": Policy}, ints={"horizon": 1})


@dataclass(frozen=True)
class Fighting:
    """The front, military capacity, war costs and collapse (simulator.md §2; §4 steps 2 and 5)."""

    q0: float = _p(
        0.19,
        "initial front q_0: share of contested land held by R",
        S3 + " ('roughly the share ... held by Russia in mid-2025; source to be added')",
    )
    drift: float = _p(0.02, "drift m of the front per month: dq = m(p_t - 1/2) + s e_t", S3 + "; §4 step 5")
    noise: float = _p(0.01, "scale s of the monthly front shock", S3 + "; §4 step 5")
    nu: float = _p(
        3.0,
        "Student-t degrees of freedom of the front shock (heavy tails)",
        S3 + "; CDB90 advances heavy-tailed (§7 V19)",
    )
    gamma: float = _p(1.0, "contest exponent: p_t = M_R^g / (M_R^g + M_U^g)", S3 + "; §2")
    M_R: float = _p(1.2, "initial military capacity of R", S3 + " (capacity)")
    M_U: float = _p(1.0, "initial military capacity of U", S3 + " (capacity)")
    dep: float = _p(0.02, "monthly depreciation of capacity", S3 + " (capacity)")
    prod_R: float = _p(
        0.03,
        "monthly production of R (cut by sanctions: prod_R(1 - eta S))",
        S3 + "; " + COL + ": 'Both ... will be strengthening their defense capabilities'",
    )
    prod_U: float = _p(0.015, "monthly production of U", S3 + "; " + COL)
    aid_US: float = _p(0.010, "monthly US aid to U", S3 + " (capacity)")
    aid_EU: float = _p(
        0.015,
        "monthly EU aid to U (cut by rho_EU after a capitulatory deal)",
        S3 + " (capacity)",
    )
    rho_EU: float = _p(
        0.5,
        "share of EU aid cut after U signs a capitulatory package",
        S3 + "; Fortna 2004; Walter 2002",
    )
    loss_rate: float = _p(
        0.0,
        "capacity lost per month of full-intensity fighting (the '- loss' of §2)",
        "assumption: §2 names a loss term without a default; 0 keeps dep/prod/aid as given",
    )
    kappa: float = _p(
        0.001,
        "monthly collapse probability at equal capacity; kappa_i = kappa (M_j/M_i)^gamma",
        S3 + "; Powell 2004; Filson & Werner 2002 (shape kappa(M) an assumption)",
    )
    c_R: float = _p(
        0.010,
        "monthly flow cost of war to R (raised by sanctions: c_R(1 + eta' S))",
        S3 + " (belligerents)",
    )
    c_U: float = _p(
        0.015,
        "monthly flow cost of war to U",
        S3 + "; " + COL + ": 'Ukraine wants to stop the hot phase of the war' (high c_U)",
    )
    C0_R: float = _p(
        0.0,
        "accumulated cost of R at the start of the run (pressure clock restarts in June 2025)",
        "assumption: §2 lists C_R as a stock without initial value; 0 = the spec's implicit start",
    )
    C0_U: float = _p(0.0, "accumulated cost of U at the start of the run", "assumption: as C0_R")

    def __post_init__(self) -> None:
        _check(
            self,
            unit="q0 dep rho_EU",
            positive="nu gamma M_R M_U",
            nonneg="drift noise prod_R prod_U aid_US aid_EU loss_rate kappa c_R c_U C0_R C0_U",
        )


@dataclass(frozen=True)
class Values:
    """How the belligerents value packages, deals and war (simulator.md §1, §3 weights, §4 step 3 war value)."""

    delta_R: float = _p(
        0.98,
        "monthly discount factor of R (discounts the war-cost horizon; Rubinstein mode: per offer)",
        S3 + " (belligerents)",
    )
    delta_U: float = _p(0.98, "monthly discount factor of U", S3 + " (belligerents)")
    delta_EU: float = _p(0.995, "EU discount factor (recorded; no EU choice uses it in v1)", S3)
    war_share: WarShare = _p(
        "front",
        "expected share of contested land by war in the war value: 'front' = "
        "E[q after L_war months] = q_t + m (p_t - 1/2) L_war from the engine's own battle "
        "lottery; 'p' = p_t (the literal Fearon proxy of simulator.md §4.3)",
        "change from simulator.md §4.3 (documented in docs/simulator.md): with q_0 = 0.19 "
        "the literal proxy makes both sides expect R to end up with ~55% of the land",
    )
    L_war: float = _p(12.0, "war-length proxy L: months of further fighting in the war value", S3)
    w_R_limited: tuple[float, ...] = _p(
        (0.50, 0.10, 0.15, 0.15, 0.10),
        "issue weights of a limited R (terr, buf, cap, align, guar)",
        S3 + " (weights)",
    )
    w_R_maximal: tuple[float, ...] = _p(
        (0.30, 0.20, 0.20, 0.25, 0.05),
        "issue weights of a maximal R",
        S3 + " (weights); " + COL + " ('root causes')",
    )
    w_U: tuple[float, ...] = _p(
        (0.35, 0.15, 0.10, 0.10, 0.30),
        "issue weights of U",
        S3 + "; " + COL + ": 'to have security guarantees' (w_U,guar = 0.3)",
    )
    alpha_U: float = _p(
        0.1,
        "audience cost of U for any package with buf > 0",
        S3 + "; " + COL + ": 'an absurd notion Ukraine immediately rejected'",
    )
    loss_aversion: float = _p(
        2.25,
        "loss aversion lambda: (1) territory is valued against the line each side holds (the front q_t): "
        "land given up counts lambda times land gained, in packages and in the war lottery; (2) in a "
        "comprehensive settlement every other issue is valued against a reference point "
        "(settlement_reference): concessions count lambda times gains (1 = no loss aversion, the v1 "
        "behaviour)",
        "change from simulator.md §3 (documented in docs/simulator.md): Kahneman & Tversky 1979; "
        "Tversky & Kahneman 1992 (median lambda = 2.25); endowment effect (Kahneman, Knetsch & Thaler "
        "1990); concession aversion as a barrier to conflict resolution (Kahneman & Tversky 1995); "
        "territory and bargaining (Levy 1996); risk aversion widens the range (Fearon 1995)",
    )
    terr_curvature: float = _p(
        0.5,
        "curvature rho of each side's utility of the land it holds: u(y) = y^rho (y = terr for R, "
        "1 - terr for U); rho < 1 = concave (diminishing value of further land, risk aversion); 1 = linear",
        "change from simulator.md §3 (documented in docs/simulator.md): concave (risk-averse) utility "
        "over the issue widens the bargaining range (Fearon 1995); the terr scale spans all of Ukraine, "
        "so a linear weight makes the 19% R holds worth less than neutrality; rho = 0.5 an assumption",
    )
    recognition: bool = _p(
        True,
        "a comprehensive settlement makes the line a border: U values its terr there against its legal "
        "claim (terr = 0, the 1991 borders) instead of the line it holds; ceasefires are without prejudice",
        "change from v1 (documented in docs/simulator.md): reference points renormalise at once after "
        "gains, slowly after losses (Jervis 1992; Levy 1996); " + COL + ": 'a demand for Ukraine to "
        "withdraw troops from its own territory ... an absurd notion Ukraine immediately rejected'",
    )
    settlement_reference: SettleRef = _p(
        "renormalising",
        "reference point of concession aversion in a comprehensive settlement (issues other than terr): "
        "'renormalising' = each side's claims (its best value on every issue) when the ceasefire is signed, "
        "moving linearly to the ceasefire's terms over n_freeze months; 'ceasefire' = the ceasefire's terms; "
        "'claims' = the claims throughout",
        "change from v1 (documented in docs/simulator.md): concession aversion (Kahneman & Tversky 1995); "
        "reference points renormalise slowly after losses (Jervis 1992; Levy 1996); the n_freeze months "
        "after which the model treats a ceasefire as the new status quo (§5, UCDP) set the pace",
    )
    L_deal: float = _p(24.0, "months over which a deal's survival D(z) = exp(-h(z) L_deal) is valued", S3)

    def __post_init__(self) -> None:
        _check(
            self,
            choices={"war_share": WarShare, "settlement_reference": SettleRef},
            unit="delta_R delta_U delta_EU",
            positive="L_deal",
            nonneg="L_war alpha_U",
        )
        if not _number(self.loss_aversion) or self.loss_aversion < 1:
            raise ModelConfigError("loss_aversion", "a number >= 1 (1 = linear utility)", self.loss_aversion)
        if not 0 < float(self.terr_curvature) <= 1:
            raise ModelConfigError("terr_curvature", "a number in (0, 1] (1 = linear)", self.terr_curvature)
        for name in ("w_R_limited", "w_R_maximal", "w_U"):
            w = getattr(self, name)
            if (
                len(w) != len(ISSUES)
                or any((not isinstance(x, (int, float))) or x < 0 for x in w)
                or sum(w) <= 0
            ):
                raise ModelConfigError(name, f"{len(ISSUES)} non-negative weights ({', '.join(ISSUES)})", w)


@dataclass(frozen=True)
class Beliefs:
    """R's private type and how U and the public learn it (simulator.md §3 belligerents; §4 step 6)."""

    pi_max: float = _p(
        0.6,
        "prior probability that R is the maximal (war-aims) type",
        S3 + "; " + COL + ": 'refuses to abandon its push to legitimize so-called root causes'",
    )
    sigma_stall: float = _p(
        0.5,
        "probability that a maximal R follows the stalling policy",
        S3 + "; " + COL + ": 'This means the stalling will continue'; Langlois & Langlois "
        "2009, 2012; Fearon 2013",
    )
    tau_obs: float = _p(
        0.1,
        "scale of the observers' (U's and the public's) logit likelihoods of R's replies: their "
        "uncertainty about R's valuations (R's own acceptance noise is tau_q)",
        "change from v1 (documented in docs/simulator.md); simulator.md §4.6 (type-specific logit "
        "likelihoods, scale open); observers do not know R's war value (Fearon 1995 private information); "
        "logit response with an observer-side scale (McKelvey & Palfrey 1995); magnitude an assumption "
        "(about the weight of one issue)",
    )
    belief_model: BeliefModel = _p(
        "reservation",
        "how U and the public judge R's replies: against each type's "
        "value of war ('reservation') or its full aspiration path ('aspiration')",
        "assumption: §4.6 leaves the observers' likelihood open; observers do not see R's pressure clock",
    )
    beta0: float = _p(
        0.5,
        "initial public blame belief beta_0 (probability R is the maximal type)",
        "assumption: the public starts undecided",
    )

    def __post_init__(self) -> None:
        _check(
            self,
            choices={"belief_model": BeliefModel},
            unit="pi_max sigma_stall beta0",
            positive="tau_obs",
        )


@dataclass(frozen=True)
class Offers:
    """Offers and acceptance: aspiration, stalling, sequencing, screening (simulator.md §4 step 3)."""

    substeps: int = _p(3, "offer sub-steps K per month, alternating proposer", S3 + " (run)")
    e_R: float = _p(
        0.2,
        "concession exponent of R (Boulware < 1; Faratin, Sierra & Jennings 1998)",
        S3 + "; " + COL + ": 'Russia uses ceasefire talks to impose capitulatory demands'",
    )
    e_U: float = _p(1.0, "concession exponent of U (linear)", S3)
    tau_q: float = _p(0.02, "scale of the logistic acceptance noise eps ~ Logistic(0, tau_q)", S3)
    stall_band: float = _p(
        0.05,
        "a stalling R offers and accepts only packages within this share of its utility range of its best",
        "simulator.md §4 step 3 ('within 0.05 of its best')",
    )
    Cmax_R: float = _p(0.5, "accumulated cost at full pressure time (tau = 1) for R", S3)
    Cmax_U: float = _p(0.4, "accumulated cost at full pressure time (tau = 1) for U", S3)
    ceasefire_first: bool = _p(
        True,
        "U's sequencing: no comprehensive package is offered or accepted while "
        "fighting; a ceasefire comes first",
        COL + ": 'Ukraine wants to stop the hot phase of the war' (§9: 'ceasefire-first sequencing')",
    )
    settle_after: int = _p(
        6,
        "months a ceasefire must have held before comprehensive (SubComp) packages are negotiated",
        "change from v1 (documented in docs/simulator.md); assumption: PA-X stage order Pre -> Cea -> "
        "SubPar -> SubComp (Bell & Badanjak 2019); Ukraine process 2014-19: 8 agreements, none "
        "comprehensive (simulator.md §7 V14); SubComp 6% of agreements (V15)",
    )
    screening: bool = _p(
        True,
        "U makes screening offers (the ceasefire best for a limited R among those U prefers "
        "to war) when nothing meets its aspiration",
        COL + ": 'Ukraine participates in negotiations "
        "even when we know in advance that no ceasefire agreement will be reached' (§9: 'U makes "
        "screening offers a limited R would accept')",
    )

    def __post_init__(self) -> None:
        _check(
            self,
            ints={"substeps": 1, "settle_after": 0},
            unit="stall_band",
            positive="e_R e_U tau_q Cmax_R Cmax_U",
        )


@dataclass(frozen=True)
class Mediation:
    """The US mediator: progress stock, pressure and leverage; meetings and the humanitarian track (simulator.md §3 US; §4 steps 1 and 3)."""

    p_star: float = _p(1.0, "progress threshold p*: the US is impatient while P_t < p*", S3)
    lambda_US: float = _p(
        0.05,
        "US leverage: added to the targeted side's acceptance value while the US presses (P_t < p*)",
        S3 + "; Beardsley 2008, 2011",
    )
    rho_P: float = _p(0.7, "decay of the US progress stock P_t = rho_P P_t-1 + events", S3)
    target: Target = _p(
        "blame",
        "whom the US presses: the side with higher blame, or the weaker side",
        S3 + "; Beardsley 2008; Favretto 2009",
    )
    pressure_step: float = _p(
        0.1,
        "pressure time added per US pressure step on a side",
        "simulator.md §4 step 3 (tau_i = C_i/Cmax_i + 0.1 x pressure steps)",
    )
    P0: float = _p(
        1.0,
        "US progress stock at the start of the run (one delegation meeting)",
        COL + ": 'the very fact of a meeting between Russian and Ukrainian delegations ... was already "
        "framed as a step toward peace'",
    )
    p_meet: float = _p(
        0.3,
        "monthly probability of a delegation meeting (a Pre event, +1 progress)",
        "assumption; " + COL + ": 'the very fact of a meeting ... was already framed as a step toward peace'",
    )
    p_hum: float = _p(
        0.6,
        "monthly success probability of the humanitarian track (a SubPar event)",
        S3 + "; Bara & Clayton 2022; " + COL + ": 'Negotiations will continue — on humanitarian issues'",
    )

    def __post_init__(self) -> None:
        _check(
            self,
            choices={"target": Target},
            unit="rho_P p_meet p_hum",
            nonneg="p_star lambda_US pressure_step P0",
        )


@dataclass(frozen=True)
class Sanctions:
    """US and EU sanctions: trigger, steps and effects on R (simulator.md §3 US, EU, 'Sanctions effect'; §4 step 1)."""

    H_US: int = _p(
        3,
        "US patience: months of high blame and low progress before a sanctions step",
        S3 + "; " + COL + ": 'if not a quick, then at least some kind of result'",
    )
    s_star: float = _p(0.6, "blame threshold s*: sanctions need beta_t > s*", S3)
    dS: float = _p(0.2, "sanctions step of the US", S3)
    sanctions_at: int = _p(
        0,
        "what-if: month of an exogenous US sanctions step (0 = only the trigger rule)",
        "what-if toggle of issue 6 (sanctions early/late)",
    )
    dS_EU: float = _p(
        0.05,
        "monthly rise of EU sanctions while beta_t > s*",
        "assumption: §3 says S_EU 'rise slowly'",
    )
    eta: float = _p(0.3, "sanctions effect on R's production: prod_R (1 - eta S)", S3)
    eta_cost: float = _p(0.2, "sanctions effect on R's war cost: c_R (1 + eta' S)", S3)

    def __post_init__(self) -> None:
        _check(
            self,
            ints={"H_US": 1, "sanctions_at": 0},
            unit="s_star",
            nonneg="dS dS_EU eta eta_cost",
        )


@dataclass(frozen=True)
class Guarantees:
    """Guarantees on the table and their hazard coefficients (simulator.md §1 guar; §3 EU; §4 step 4; §6.4)."""

    eu_guarantee: bool = _p(
        True,
        "EU's standing guar = 2 offer (reassurance/monitoring) is on the table",
        COL + ": Europe 'sees the need for ... systemic decisions'; §3 EU",
    )
    binding_guarantee: bool = _p(
        False,
        "a binding guarantee (guar = 3) is on the table",
        "assumption: nobody in the column offers binding guarantees",
    )
    b_written: float = _p(
        -0.8,
        "hazard coefficient: written agreement (guar >= 1)",
        S3 + "; Clayton & Sticher 2021; §7 V12",
    )
    b_monitor: float = _p(
        -0.5,
        "hazard coefficient: monitoring (guar >= 2, EU reassurance/monitoring)",
        S3 + "; Fortna 2003, 2004",
    )
    b_guar2: float = _p(-0.7, "hazard coefficient: guar = 2", S3 + "; Walter 1997, 2002")
    b_guar3: float = _p(-1.2, "hazard coefficient: guar = 3 (binding)", S3 + "; Walter 2002")

    def __post_init__(self) -> None:
        _check(self)


@dataclass(frozen=True)
class Ceasefire:
    """The ceasefire regime: intensity, breakdown hazard and freezing (simulator.md §4 step 4; §5)."""

    n_freeze: int = _p(
        12, "months a ceasefire must hold to count as frozen (UCDP outcome 5)", S3 + " (run); §5"
    )
    iota_cf: float = _p(0.1, "fighting intensity during a ceasefire (costs accrue at this rate)", S3)
    h0: float = _p(
        0.35,
        "baseline monthly breakdown hazard h = h0 exp(b.z)",
        S3 + "; CF durations §7 V11-V13",
    )
    hazard_shape: float = _p(
        0.5,
        "Weibull shape k of the breakdown hazard: cumulative hazard h n_freeze (t / n_freeze)^k, so h is the "
        "average monthly hazard over the n_freeze months a ceasefire needs to freeze; k < 1 = the risk falls "
        "with the ceasefire's age (1 = constant hazard, the v1 behaviour)",
        "change from simulator.md §4.4 (documented in docs/simulator.md): the risk of renewed war falls "
        "over time (Fortna 2004); k = 0.5 from simulator.md §7 V11 [C]: 39% <= 7 d, 64% <= 30 d, 4% > 1 yr "
        "give slopes of log cumulative hazard on log time of 0.50 (7-30 d) and 0.46 (30-365 d)",
    )
    b_imposed: float = _p(
        0.4,
        "hazard coefficient: mediator-imposed (accepted under US pressure)",
        S3 + "; Beardsley 2008",
    )
    b_arming: float = _p(
        0.3,
        "hazard coefficient: arming during the ceasefire (prod_R > 0 or prod_U > 0)",
        S3 + "; " + COL + ": 'Both ... will be strengthening their defense capabilities'",
    )
    b_capit: float = _p(
        0.5,
        "hazard coefficient: capitulatory terms (buf > 0, cap >= 0.5 or guar = 0)",
        S3 + "; " + COL + ": 'capitulatory scenarios ... would simply pave the way for a "
        "possible new phase of war'",
    )
    b_preliminary: float = _p(
        -0.3,
        "hazard coefficient: class preliminary (ceasefire with cap or align terms)",
        "assumption: class enters z (§4 step 4) without a default; sign from §7 V12",
    )
    b_definitive: float = _p(
        -1.0,
        "hazard coefficient: class definitive (comprehensive settlement)",
        "assumption: as b_preliminary; §7 V12 median 156 d vs 10 d for cessations",
    )

    def __post_init__(self) -> None:
        _check(self, ints={"n_freeze": 1}, unit="iota_cf", positive="h0")
        if not 0 < float(self.hazard_shape) <= 1:
            raise ModelConfigError(
                "hazard_shape", "a number in (0, 1] (1 = constant hazard)", self.hazard_shape
            )


@dataclass(frozen=True)
class Summit:
    """The NATO summit as a scheduled alignment test (simulator.md §4 step 0; §9)."""

    summit_month: int = _p(
        1,
        "month t_s of the NATO summit (run starts June 2025)",
        COL + ": 'the NATO summit at the end of June will be a key test'",
    )
    delta_summit: float = _p(
        0.05,
        "fall of R's war value after a strong summit communique",
        S3 + "; " + COL + ": R wants 'to prevent [Trump] from supporting strong language in ... communiques'",
    )
    policy_gap: float = _p(
        0.4,
        "distance |policy_US - policy_EU|; alignment a ~ N(1 - gap, sd_align)",
        "assumption; " + COL + ": 'The approaches of the U.S. and Europe differ now, but the "
        "situation may change'",
    )
    sd_align: float = _p(0.15, "standard deviation of the summit alignment draw", "assumption")

    def __post_init__(self) -> None:
        _check(self, ints={"summit_month": 0}, nonneg="delta_summit policy_gap sd_align")


@dataclass(frozen=True)
class Reference:
    """Parameters of the reference modes only (simulator.md §6)."""

    breakdown: float = _p(
        0.0,
        "Rubinstein mode: exogenous breakdown probability after each rejection",
        "Binmore, Rubinstein & Wolinsky 1986; simulator.md §6.1",
    )
    outside_U: float = _p(
        0.0,
        "Rubinstein mode: U's outside option w_U (0 = none)",
        "Powell 1996; simulator.md §6.3",
    )
    p_war: float = _p(
        0.6,
        "Fearon mode: R's probability of winning a war",
        "Fearon 1995; simulator.md §6.2",
    )
    c_U_types: tuple[float, ...] = _p(
        (),
        "Fearon mode: U's private cost types, equally likely (empty = known c_U)",
        "Fearon 1995; simulator.md §6.2",
    )
    power_shift: float = _p(
        0.0,
        "Fearon mode: rise of R's p after this round (commitment problem)",
        "Fearon 1995; Powell 2006; simulator.md §6.2",
    )
    indivisible: bool = _p(
        False,
        "Fearon mode: the stake is indivisible (only all-or-nothing packages)",
        "Fearon 1995; simulator.md §6.2 (indivisible align)",
    )

    def __post_init__(self) -> None:
        _check(self, unit="breakdown p_war", nonneg="outside_U power_shift")
        if any((not isinstance(x, (int, float))) or x < 0 for x in self.c_U_types):
            raise ModelConfigError("c_U_types", "non-negative costs", self.c_U_types)
