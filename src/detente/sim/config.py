"""Configuration of the bargaining-while-fighting simulator (simulator.md §3, v1 defaults).

One frozen dataclass, :class:`GameConfig`, holds every parameter. Each field carries its
documentation in ``metadata``: ``doc`` (meaning), ``source`` (simulator.md section, paper or the
June 2025 column) and ``tag`` (``C`` computed, ``S`` secondary, ``P`` prior/assumption, as in
simulator.md). :func:`parameter_table` lists them; ``docs/simulator.md`` is built from it.

Ways to build a config:

* ``GameConfig()``: the ukraine-2025 defaults of simulator.md §3;
* :func:`from_mapping` (a ``dynamics:`` mapping of a scenario file);
* :func:`from_scenario` (a :class:`~detente.core.scenario.Scenario`: its ``dynamics`` section,
  falling back to the defaults);
* :func:`with_overrides` (``--set NAME=VALUE`` strings, aliases ``delta_1``/``delta_2``);
* :func:`preset` (``rubinstein``, ``fearon``: the reference modes of simulator.md §6).
"""

from __future__ import annotations

import dataclasses
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


def _p(default: Any, doc: str, source: str, tag: str = "P", group: str = "") -> Any:
    return field(default=default, metadata={"doc": doc, "source": source, "tag": tag, "group": group})


S3 = "simulator.md §3 v1 defaults"
COL = "column (seed/000), simulator.md §9"


@dataclass(frozen=True)
class GameConfig:
    """Every parameter of the simulator; defaults are the ukraine-2025 priors of simulator.md §3.

    Field metadata: ``doc``, ``source``, ``tag`` (P = prior/assumption), ``group``.
    """

    # ---- mode and policies -------------------------------------------------------------
    mode: Mode = _p(
        "full",
        "engine mode: full simulator, or a reference mode of simulator.md §6",
        "simulator.md §6",
        group="run",
    )
    policy: Policy = _p(
        "aspiration",
        "offer/accept policy: time-dependent aspiration (Faratin et al. 1998) "
        "or closed-form equilibrium (reference modes)",
        "simulator.md §4 step 3",
        group="run",
    )
    # ---- run ---------------------------------------------------------------------------
    horizon: int = _p(36, "horizon H in months (right-censoring)", S3 + " (run)", group="run")
    substeps: int = _p(3, "offer sub-steps K per month, alternating proposer", S3 + " (run)", group="run")
    n_freeze: int = _p(
        12, "months a ceasefire must hold to count as frozen (UCDP outcome 5)", S3 + " (run); §5", group="run"
    )
    summit_month: int = _p(
        1,
        "month t_s of the NATO summit (run starts June 2025)",
        COL + ": 'the NATO summit at the end of June will be a key test'",
        group="run",
    )
    # ---- front and battle lottery ------------------------------------------------------
    q0: float = _p(
        0.19,
        "initial front q_0: share of contested land held by R",
        S3 + " ('roughly the share ... held by Russia in mid-2025; source to be added')",
        group="front",
    )
    drift: float = _p(
        0.02, "drift m of the front per month: dq = m(p_t - 1/2) + s e_t", S3 + "; §4 step 5", group="front"
    )
    noise: float = _p(0.01, "scale s of the monthly front shock", S3 + "; §4 step 5", group="front")
    nu: float = _p(
        3.0,
        "Student-t degrees of freedom of the front shock (heavy tails)",
        S3 + "; CDB90 advances heavy-tailed (§7 V19)",
        group="front",
    )
    gamma: float = _p(1.0, "contest exponent: p_t = M_R^g / (M_R^g + M_U^g)", S3 + "; §2", group="front")
    # ---- capacity ----------------------------------------------------------------------
    M_R: float = _p(1.2, "initial military capacity of R", S3 + " (capacity)", group="capacity")
    M_U: float = _p(1.0, "initial military capacity of U", S3 + " (capacity)", group="capacity")
    dep: float = _p(0.02, "monthly depreciation of capacity", S3 + " (capacity)", group="capacity")
    prod_R: float = _p(
        0.03,
        "monthly production of R (cut by sanctions: prod_R(1 - eta S))",
        S3 + "; " + COL + ": 'Both ... will be strengthening their defense capabilities'",
        group="capacity",
    )
    prod_U: float = _p(0.015, "monthly production of U", S3 + "; " + COL, group="capacity")
    aid_US: float = _p(0.010, "monthly US aid to U", S3 + " (capacity)", group="capacity")
    aid_EU: float = _p(
        0.015,
        "monthly EU aid to U (cut by rho_EU after a capitulatory deal)",
        S3 + " (capacity)",
        group="capacity",
    )
    loss_rate: float = _p(
        0.0,
        "capacity lost per month of full-intensity fighting (the '- loss' of §2)",
        "assumption: §2 names a loss term without a default; 0 keeps dep/prod/aid as given",
        group="capacity",
    )
    # ---- belligerents ------------------------------------------------------------------
    delta_R: float = _p(
        0.98,
        "monthly discount factor of R (discounts the war-cost horizon; Rubinstein mode: per offer)",
        S3 + " (belligerents)",
        group="belligerents",
    )
    delta_U: float = _p(0.98, "monthly discount factor of U", S3 + " (belligerents)", group="belligerents")
    c_R: float = _p(
        0.010,
        "monthly flow cost of war to R (raised by sanctions: c_R(1 + eta' S))",
        S3 + " (belligerents)",
        group="belligerents",
    )
    c_U: float = _p(
        0.015,
        "monthly flow cost of war to U",
        S3 + "; " + COL + ": 'Ukraine wants to stop the hot phase of the war' (high c_U)",
        group="belligerents",
    )
    war_share: WarShare = _p(
        "front",
        "expected share of contested land by war in the war value: 'front' = "
        "E[q after L_war months] = q_t + m (p_t - 1/2) L_war from the engine's own battle "
        "lottery; 'p' = p_t (the literal Fearon proxy of simulator.md §4.3)",
        "change from simulator.md §4.3 (documented in docs/simulator.md): with q_0 = 0.19 "
        "the literal proxy makes both sides expect R to end up with ~55% of the land",
        group="belligerents",
    )
    L_war: float = _p(
        12.0, "war-length proxy L: months of further fighting in the war value", S3, group="belligerents"
    )
    e_R: float = _p(
        0.2,
        "concession exponent of R (Boulware < 1; Faratin, Sierra & Jennings 1998)",
        S3 + "; " + COL + ": 'Russia uses ceasefire talks to impose capitulatory demands'",
        group="belligerents",
    )
    e_U: float = _p(1.0, "concession exponent of U (linear)", S3, group="belligerents")
    tau_q: float = _p(
        0.02, "scale of the logistic acceptance noise eps ~ Logistic(0, tau_q)", S3, group="belligerents"
    )
    pi_max: float = _p(
        0.6,
        "prior probability that R is the maximal (war-aims) type",
        S3 + "; " + COL + ": 'refuses to abandon its push to legitimize so-called root causes'",
        group="belligerents",
    )
    sigma_stall: float = _p(
        0.5,
        "probability that a maximal R follows the stalling policy",
        S3 + "; " + COL + ": 'This means the stalling will continue'; Langlois & Langlois "
        "2009, 2012; Fearon 2013",
        group="belligerents",
    )
    stall_band: float = _p(
        0.05,
        "a stalling R offers and accepts only packages within this share of its utility range of its best",
        "simulator.md §4 step 3 ('within 0.05 of its best')",
        group="belligerents",
    )
    alpha_U: float = _p(
        0.1,
        "audience cost of U for any package with buf > 0",
        S3 + "; " + COL + ": 'an absurd notion Ukraine immediately rejected'",
        group="belligerents",
    )
    Cmax_R: float = _p(
        0.5, "accumulated cost at full pressure time (tau = 1) for R", S3, group="belligerents"
    )
    Cmax_U: float = _p(
        0.4, "accumulated cost at full pressure time (tau = 1) for U", S3, group="belligerents"
    )
    C0_R: float = _p(
        0.0,
        "accumulated cost of R at the start of the run (pressure clock restarts in June 2025)",
        "assumption: §2 lists C_R as a stock without initial value; 0 = the spec's implicit start",
        group="belligerents",
    )
    C0_U: float = _p(
        0.0, "accumulated cost of U at the start of the run", "assumption: as C0_R", group="belligerents"
    )
    ceasefire_first: bool = _p(
        True,
        "U's sequencing: no comprehensive package is offered or accepted while "
        "fighting; a ceasefire comes first",
        COL + ": 'Ukraine wants to stop the hot phase of the war' (§9: 'ceasefire-first sequencing')",
        group="belligerents",
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
        group="belligerents",
    )
    terr_curvature: float = _p(
        0.5,
        "curvature rho of each side's utility of the land it holds: u(y) = y^rho (y = terr for R, "
        "1 - terr for U); rho < 1 = concave (diminishing value of further land, risk aversion); 1 = linear",
        "change from simulator.md §3 (documented in docs/simulator.md): concave (risk-averse) utility "
        "over the issue widens the bargaining range (Fearon 1995); the terr scale spans all of Ukraine, "
        "so a linear weight makes the 19% R holds worth less than neutrality; rho = 0.5 an assumption",
        group="belligerents",
    )
    recognition: bool = _p(
        True,
        "a comprehensive settlement makes the line a border: U values its terr there against its legal "
        "claim (terr = 0, the 1991 borders) instead of the line it holds; ceasefires are without prejudice",
        "change from v1 (documented in docs/simulator.md): reference points renormalise at once after "
        "gains, slowly after losses (Jervis 1992; Levy 1996); " + COL + ": 'a demand for Ukraine to "
        "withdraw troops from its own territory ... an absurd notion Ukraine immediately rejected'",
        group="belligerents",
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
        group="belligerents",
    )
    settle_after: int = _p(
        6,
        "months a ceasefire must have held before comprehensive (SubComp) packages are negotiated",
        "change from v1 (documented in docs/simulator.md); assumption: PA-X stage order Pre -> Cea -> "
        "SubPar -> SubComp (Bell & Badanjak 2019); Ukraine process 2014-19: 8 agreements, none "
        "comprehensive (simulator.md §7 V14); SubComp 6% of agreements (V15)",
        group="belligerents",
    )
    tau_obs: float = _p(
        0.1,
        "scale of the observers' (U's and the public's) logit likelihoods of R's replies: their "
        "uncertainty about R's valuations (R's own acceptance noise is tau_q)",
        "change from v1 (documented in docs/simulator.md); simulator.md §4.6 (type-specific logit "
        "likelihoods, scale open); observers do not know R's war value (Fearon 1995 private information); "
        "logit response with an observer-side scale (McKelvey & Palfrey 1995); magnitude an assumption "
        "(about the weight of one issue)",
        group="belligerents",
    )
    pressure_step: float = _p(
        0.1,
        "pressure time added per US pressure step on a side",
        "simulator.md §4 step 3 (tau_i = C_i/Cmax_i + 0.1 x pressure steps)",
        group="belligerents",
    )
    kappa: float = _p(
        0.001,
        "monthly collapse probability at equal capacity; kappa_i = kappa (M_j/M_i)^gamma",
        S3 + "; Powell 2004; Filson & Werner 2002 (shape kappa(M) an assumption)",
        group="belligerents",
    )
    # ---- issue weights (terr, buf, cap, align, guar) ------------------------------------
    w_R_limited: tuple[float, ...] = _p(
        (0.50, 0.10, 0.15, 0.15, 0.10),
        "issue weights of a limited R (terr, buf, cap, align, guar)",
        S3 + " (weights)",
        group="weights",
    )
    w_R_maximal: tuple[float, ...] = _p(
        (0.30, 0.20, 0.20, 0.25, 0.05),
        "issue weights of a maximal R",
        S3 + " (weights); " + COL + " ('root causes')",
        group="weights",
    )
    w_U: tuple[float, ...] = _p(
        (0.35, 0.15, 0.10, 0.10, 0.30),
        "issue weights of U",
        S3 + "; " + COL + ": 'to have security guarantees' (w_U,guar = 0.3)",
        group="weights",
    )
    # ---- ceasefire regime --------------------------------------------------------------
    iota_cf: float = _p(
        0.1, "fighting intensity during a ceasefire (costs accrue at this rate)", S3, group="ceasefire"
    )
    h0: float = _p(
        0.35,
        "baseline monthly breakdown hazard h = h0 exp(b.z)",
        S3 + "; CF durations §7 V11-V13",
        group="ceasefire",
    )
    hazard_shape: float = _p(
        0.5,
        "Weibull shape k of the breakdown hazard: cumulative hazard h n_freeze (t / n_freeze)^k, so h is the "
        "average monthly hazard over the n_freeze months a ceasefire needs to freeze; k < 1 = the risk falls "
        "with the ceasefire's age (1 = constant hazard, the v1 behaviour)",
        "change from simulator.md §4.4 (documented in docs/simulator.md): the risk of renewed war falls "
        "over time (Fortna 2004); k = 0.5 from simulator.md §7 V11 [C]: 39% <= 7 d, 64% <= 30 d, 4% > 1 yr "
        "give slopes of log cumulative hazard on log time of 0.50 (7-30 d) and 0.46 (30-365 d)",
        group="ceasefire",
    )
    b_written: float = _p(
        -0.8,
        "hazard coefficient: written agreement (guar >= 1)",
        S3 + "; Clayton & Sticher 2021; §7 V12",
        group="ceasefire",
    )
    b_monitor: float = _p(
        -0.5,
        "hazard coefficient: monitoring (guar >= 2, EU reassurance/monitoring)",
        S3 + "; Fortna 2003, 2004",
        group="ceasefire",
    )
    b_guar2: float = _p(-0.7, "hazard coefficient: guar = 2", S3 + "; Walter 1997, 2002", group="ceasefire")
    b_guar3: float = _p(
        -1.2, "hazard coefficient: guar = 3 (binding)", S3 + "; Walter 2002", group="ceasefire"
    )
    b_imposed: float = _p(
        0.4,
        "hazard coefficient: mediator-imposed (accepted under US pressure)",
        S3 + "; Beardsley 2008",
        group="ceasefire",
    )
    b_arming: float = _p(
        0.3,
        "hazard coefficient: arming during the ceasefire (prod_R > 0 or prod_U > 0)",
        S3 + "; " + COL + ": 'Both ... will be strengthening their defense capabilities'",
        group="ceasefire",
    )
    b_capit: float = _p(
        0.5,
        "hazard coefficient: capitulatory terms (buf > 0, cap >= 0.5 or guar = 0)",
        S3 + "; " + COL + ": 'capitulatory scenarios ... would simply pave the way for a "
        "possible new phase of war'",
        group="ceasefire",
    )
    b_preliminary: float = _p(
        -0.3,
        "hazard coefficient: class preliminary (ceasefire with cap or align terms)",
        "assumption: class enters z (§4 step 4) without a default; sign from §7 V12",
        group="ceasefire",
    )
    b_definitive: float = _p(
        -1.0,
        "hazard coefficient: class definitive (comprehensive settlement)",
        "assumption: as b_preliminary; §7 V12 median 156 d vs 10 d for cessations",
        group="ceasefire",
    )
    L_deal: float = _p(
        24.0, "months over which a deal's survival D(z) = exp(-h(z) L_deal) is valued", S3, group="ceasefire"
    )
    eu_guarantee: bool = _p(
        True,
        "EU's standing guar = 2 offer (reassurance/monitoring) is on the table",
        COL + ": Europe 'sees the need for ... systemic decisions'; §3 EU",
        group="EU",
    )
    binding_guarantee: bool = _p(
        False,
        "a binding guarantee (guar = 3) is on the table",
        "assumption: nobody in the column offers binding guarantees",
        group="EU",
    )
    # ---- US ----------------------------------------------------------------------------
    H_US: int = _p(
        3,
        "US patience: months of high blame and low progress before a sanctions step",
        S3 + "; " + COL + ": 'if not a quick, then at least some kind of result'",
        group="US",
    )
    p_star: float = _p(1.0, "progress threshold p*: the US is impatient while P_t < p*", S3, group="US")
    s_star: float = _p(0.6, "blame threshold s*: sanctions need beta_t > s*", S3, group="US")
    dS: float = _p(0.2, "sanctions step of the US", S3, group="US")
    lambda_US: float = _p(
        0.05,
        "US leverage: added to the targeted side's acceptance value while the US presses (P_t < p*)",
        S3 + "; Beardsley 2008, 2011",
        group="US",
    )
    rho_P: float = _p(0.7, "decay of the US progress stock P_t = rho_P P_t-1 + events", S3, group="US")
    target: Target = _p(
        "blame",
        "whom the US presses: the side with higher blame, or the weaker side",
        S3 + "; Beardsley 2008; Favretto 2009",
        group="US",
    )
    sanctions_at: int = _p(
        0,
        "what-if: month of an exogenous US sanctions step (0 = only the trigger rule)",
        "what-if toggle of issue 6 (sanctions early/late)",
        group="US",
    )
    p_meet: float = _p(
        0.3,
        "monthly probability of a delegation meeting (a Pre event, +1 progress)",
        "assumption; " + COL + ": 'the very fact of a meeting ... was already framed as a step toward peace'",
        group="US",
    )
    P0: float = _p(
        1.0,
        "US progress stock at the start of the run (one delegation meeting)",
        COL + ": 'the very fact of a meeting between Russian and Ukrainian delegations ... was already "
        "framed as a step toward peace'",
        group="US",
    )
    screening: bool = _p(
        True,
        "U makes screening offers (the ceasefire best for a limited R among those U prefers "
        "to war) when nothing meets its aspiration",
        COL + ": 'Ukraine participates in negotiations "
        "even when we know in advance that no ceasefire agreement will be reached' (§9: 'U makes "
        "screening offers a limited R would accept')",
        group="US",
    )
    belief_model: BeliefModel = _p(
        "reservation",
        "how U and the public judge R's replies: against each type's "
        "value of war ('reservation') or its full aspiration path ('aspiration')",
        "assumption: §4.6 leaves the observers' likelihood open; observers do not see R's pressure clock",
        group="US",
    )
    beta0: float = _p(
        0.5,
        "initial public blame belief beta_0 (probability R is the maximal type)",
        "assumption: the public starts undecided",
        group="US",
    )
    # ---- EU, sanctions, summit ---------------------------------------------------------
    delta_EU: float = _p(0.995, "EU discount factor (recorded; no EU choice uses it in v1)", S3, group="EU")
    rho_EU: float = _p(
        0.5,
        "share of EU aid cut after U signs a capitulatory package",
        S3 + "; Fortna 2004; Walter 2002",
        group="EU",
    )
    dS_EU: float = _p(
        0.05,
        "monthly rise of EU sanctions while beta_t > s*",
        "assumption: §3 says S_EU 'rise slowly'",
        group="EU",
    )
    eta: float = _p(0.3, "sanctions effect on R's production: prod_R (1 - eta S)", S3, group="EU")
    eta_cost: float = _p(0.2, "sanctions effect on R's war cost: c_R (1 + eta' S)", S3, group="EU")
    delta_summit: float = _p(
        0.05,
        "fall of R's war value after a strong summit communique",
        S3 + "; " + COL + ": R wants 'to prevent [Trump] from supporting strong language in ... communiques'",
        group="summit",
    )
    policy_gap: float = _p(
        0.4,
        "distance |policy_US - policy_EU|; alignment a ~ N(1 - gap, sd_align)",
        "assumption; " + COL + ": 'The approaches of the U.S. and Europe differ now, but the "
        "situation may change'",
        group="summit",
    )
    sd_align: float = _p(
        0.15, "standard deviation of the summit alignment draw", "assumption", group="summit"
    )
    p_hum: float = _p(
        0.6,
        "monthly success probability of the humanitarian track (a SubPar event)",
        S3 + "; Bara & Clayton 2022; " + COL + ": 'Negotiations will continue — on humanitarian issues'",
        group="summit",
    )
    # ---- reference modes (simulator.md §6) ---------------------------------------------
    breakdown: float = _p(
        0.0,
        "Rubinstein mode: exogenous breakdown probability after each rejection",
        "Binmore, Rubinstein & Wolinsky 1986; simulator.md §6.1",
        group="reference",
    )
    outside_U: float = _p(
        0.0,
        "Rubinstein mode: U's outside option w_U (0 = none)",
        "Powell 1996; simulator.md §6.3",
        group="reference",
    )
    p_war: float = _p(
        0.6,
        "Fearon mode: R's probability of winning a war",
        "Fearon 1995; simulator.md §6.2",
        group="reference",
    )
    c_U_types: tuple[float, ...] = _p(
        (),
        "Fearon mode: U's private cost types, equally likely (empty = known c_U)",
        "Fearon 1995; simulator.md §6.2",
        group="reference",
    )
    power_shift: float = _p(
        0.0,
        "Fearon mode: rise of R's p after this round (commitment problem)",
        "Fearon 1995; Powell 2006; simulator.md §6.2",
        group="reference",
    )
    indivisible: bool = _p(
        False,
        "Fearon mode: the stake is indivisible (only all-or-nothing packages)",
        "Fearon 1995; simulator.md §6.2 (indivisible align)",
        group="reference",
    )

    def __post_init__(self) -> None:
        _validate(self)

    def replace(self, **changes: Any) -> GameConfig:
        return dataclasses.replace(self, **changes)


def _validate(c: GameConfig) -> None:
    for name, allowed in (
        ("mode", Mode),
        ("policy", Policy),
        ("target", Target),
        ("war_share", WarShare),
        ("belief_model", BeliefModel),
        ("settlement_reference", SettleRef),
    ):
        if getattr(c, name) not in get_args(allowed):
            raise ModelConfigError(name, "one of " + ", ".join(get_args(allowed)), getattr(c, name))
    ints = {
        "horizon": 1,
        "substeps": 1,
        "n_freeze": 1,
        "summit_month": 0,
        "H_US": 1,
        "sanctions_at": 0,
        "settle_after": 0,
    }
    for name, lo in ints.items():
        v = getattr(c, name)
        if not isinstance(v, int) or isinstance(v, bool) or v < lo:
            raise ModelConfigError(name, f"an integer >= {lo}", v)
    unit = (
        "q0",
        "delta_R",
        "delta_U",
        "pi_max",
        "sigma_stall",
        "stall_band",
        "iota_cf",
        "rho_P",
        "p_meet",
        "beta0",
        "delta_EU",
        "rho_EU",
        "p_hum",
        "breakdown",
        "p_war",
        "s_star",
        "dep",
    )
    for name in unit:
        v = getattr(c, name)
        if not isinstance(v, (int, float)) or isinstance(v, bool) or not 0.0 <= float(v) <= 1.0:
            raise ModelConfigError(name, "a number in [0, 1]", v)
    for f in dataclasses.fields(c):
        v = getattr(c, f.name)
        if f.type in ("float",) and (not isinstance(v, (int, float)) or isinstance(v, bool) or v != v):
            raise ModelConfigError(f.name, "a number", v)
    positive = (
        "nu",
        "gamma",
        "M_R",
        "M_U",
        "e_R",
        "e_U",
        "tau_q",
        "tau_obs",
        "Cmax_R",
        "Cmax_U",
        "h0",
        "L_deal",
    )
    for name in positive:
        if not float(getattr(c, name)) > 0:
            raise ModelConfigError(name, "a number > 0", getattr(c, name))
    nonneg = (
        "drift",
        "noise",
        "prod_R",
        "prod_U",
        "aid_US",
        "aid_EU",
        "loss_rate",
        "c_R",
        "c_U",
        "L_war",
        "alpha_U",
        "C0_R",
        "C0_U",
        "pressure_step",
        "kappa",
        "dS",
        "lambda_US",
        "p_star",
        "dS_EU",
        "eta",
        "eta_cost",
        "delta_summit",
        "policy_gap",
        "sd_align",
        "outside_U",
        "power_shift",
        "P0",
    )
    for name in nonneg:
        if not float(getattr(c, name)) >= 0:
            raise ModelConfigError(name, "a number >= 0", getattr(c, name))
    if (
        not isinstance(c.loss_aversion, (int, float))
        or isinstance(c.loss_aversion, bool)
        or c.loss_aversion < 1
    ):
        raise ModelConfigError("loss_aversion", "a number >= 1 (1 = linear utility)", c.loss_aversion)
    for name, what in (("terr_curvature", "1 = linear"), ("hazard_shape", "1 = constant hazard")):
        if not 0 < float(getattr(c, name)) <= 1:
            raise ModelConfigError(name, f"a number in (0, 1] ({what})", getattr(c, name))
    for name in ("w_R_limited", "w_R_maximal", "w_U"):
        w = getattr(c, name)
        if len(w) != len(ISSUES) or any((not isinstance(x, (int, float))) or x < 0 for x in w) or sum(w) <= 0:
            raise ModelConfigError(name, f"{len(ISSUES)} non-negative weights ({', '.join(ISSUES)})", w)
    if any((not isinstance(x, (int, float))) or x < 0 for x in c.c_U_types):
        raise ModelConfigError("c_U_types", "non-negative costs", c.c_U_types)


# ---------------------------------------------------------------------------------------
ALIASES: dict[str, str] = {"delta_1": "delta_R", "delta_2": "delta_U", "months": "horizon", "K": "substeps"}
"""``--set`` aliases: ``delta_1``/``delta_2`` are the first/second mover of the Rubinstein mode (R, U)."""

PRESETS: dict[str, dict[str, Any]] = {
    # simulator.md §6.1: two parties, complete information, no fighting, R proposes first
    "rubinstein": {"mode": "rubinstein", "policy": "equilibrium", "delta_R": 0.9, "delta_U": 0.8},
    # simulator.md §6.2: complete information, costly war, take-it-or-leave-it offer by R
    "fearon": {
        "mode": "fearon",
        "policy": "equilibrium",
        "p_war": 0.6,
        "c_R": 0.10,
        "c_U": 0.15,
        "delta_R": 0.9,
        "delta_U": 0.9,
    },
}


def field_names() -> tuple[str, ...]:
    return tuple(f.name for f in dataclasses.fields(GameConfig))


def _coerce(name: str, raw: Any) -> Any:
    """Coerce a raw value (string from --set or YAML scalar) to the type of field ``name``."""
    fields = {f.name: f for f in dataclasses.fields(GameConfig)}
    f = fields[name]
    t = str(f.type)
    try:
        if t == "bool":
            if isinstance(raw, bool):
                return raw
            s = str(raw).strip().lower()
            if s in ("1", "true", "yes", "on"):
                return True
            if s in ("0", "false", "no", "off"):
                return False
            raise ValueError
        if t == "int":
            if isinstance(raw, bool):
                raise ValueError
            v = float(raw)
            if v != int(v):
                raise ValueError
            return int(v)
        if t == "float":
            if isinstance(raw, bool):
                raise ValueError
            return float(raw)
        if t.startswith("tuple"):
            if isinstance(raw, (list, tuple)):
                return tuple(float(x) for x in raw)
            s = str(raw).strip().strip("()[]")
            return tuple(float(x) for x in s.split(",") if x.strip())
        return str(raw)
    except (TypeError, ValueError):
        raise ModelConfigError(name, f"a value of type {t}", raw) from None


def _resolve(name: str) -> str:
    key = ALIASES.get(name, name)
    if key not in field_names():
        import difflib

        close = difflib.get_close_matches(key, field_names(), n=3)
        hint = f" (did you mean {', '.join(close)}?)" if close else ""
        raise ModelConfigError(name, "a simulator parameter" + hint, name)
    return key


def with_overrides(config: GameConfig, sets: dict[str, Any]) -> GameConfig:
    """Apply ``NAME=VALUE`` overrides (strings or typed values) to ``config``; unknown names raise."""
    changes = {}
    for name, raw in sets.items():
        key = _resolve(name)
        changes[key] = _coerce(key, raw)
    return dataclasses.replace(config, **changes)


def preset(name: str, base: GameConfig | None = None) -> GameConfig:
    """A reference-mode preset (simulator.md §6) applied on ``base`` (default config)."""
    if name not in PRESETS:
        raise ModelConfigError("preset", "one of " + ", ".join(PRESETS), name)
    return with_overrides(base if base is not None else GameConfig(), PRESETS[name])


def from_mapping(data: Any) -> GameConfig:
    """Build a config from a scenario's ``dynamics:`` mapping.

    Layout (every key optional)::

        dynamics:
          parameters: {h0: 0.35, pi_max: 0.6, ...}
          evidence:   {pi_max: {quote: "...", source: "..."}, h0: {assumption: "..."}}

    A flat mapping of parameter names is accepted too. ``evidence`` and other documentation keys
    are not read here (they document the values).
    """
    if data is None:
        return GameConfig()
    if isinstance(data, tuple):
        data = dict(data)
    if not isinstance(data, dict):
        raise ModelConfigError("dynamics", "a mapping", type(data).__name__)
    params = data.get("parameters", None)
    if params is None:
        params = {k: v for k, v in data.items() if k not in ("evidence", "notes", "description")}
    if not isinstance(params, dict):
        raise ModelConfigError("dynamics.parameters", "a mapping of parameter: value", type(params).__name__)
    try:
        return with_overrides(GameConfig(), params)
    except ModelConfigError as exc:
        raise ModelConfigError(f"dynamics.parameters.{exc.parameter}", exc.allowed, exc.received) from None


def from_scenario(scenario: Any) -> GameConfig:
    """The config of a scenario: its ``dynamics`` section, else the ukraine-2025 defaults."""
    dyn = getattr(scenario, "dynamics", ()) or ()
    return from_mapping(dict(dyn)) if dyn else GameConfig()


def parameter_table() -> list[dict[str, str]]:
    """One row per parameter: name, group, default, tag, meaning, source."""
    rows = []
    for f in dataclasses.fields(GameConfig):
        d = f.default
        rows.append(
            {
                "name": f.name,
                "group": f.metadata["group"],
                "default": repr(d),
                "tag": f.metadata["tag"],
                "doc": f.metadata["doc"],
                "source": f.metadata["source"],
            }
        )
    return rows
