"""The one scope: what an account may see and do, decided in one place.

An outsourcer's warehouse holds every client company's tickets and every team's people side by
side, so each read and each write must be limited to the account asking: a client company's
account manager to that client's figures, a supervisor to their teams. Written out once per
page, query and form, that limit is one more thing to forget with every new page, and
forgetting it shows one client's data to another. So it is decided here, once:

- `Scope.of(user)` (or `scope_for(role, clients, teams)`) turns an account into a `Scope`. It
  fails closed: a client account without clients or a supervisor without teams sees nothing.
- `Scope.where(relation, params, alias)` is the scope as one SQL condition, with bound
  parameters, on a row of each relation the app reads: tickets, audits, corrective actions,
  training results, appraisals (and the teamwork proposed for them), coaching sessions, employees,
  pay, the import log, and the client and team lists.
  Every query that lists, counts or exports rows ANDs it in.
- `may_write(kind)`, `may_touch_ticket(ticket)`, `may_enter_for(client, team)`, `sees_pay`,
  `acts`, `coaches`, `proposes`, `recognizes`, `agents_visible`, `external` and `allows(metric, policy)` answer each yes/no of a page, a form
  or a workflow step.

This is the only module that compares role names (`csdata.pages` lists, as data, which roles
open which page; a test reads the source and fails on a role compared anywhere else). A `Scope`
is a frozen, hashable dataclass: it is part of the cache key of every cached read.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

from csdata.text.i18n import text_key

# The roles, by what they may do (the names are those of `csdata.pages.ROLES`).
ADMIN = "admin"
_CLIENT = "client"
_SUPERVISOR = "supervisor"
# Roles that see pay.
SEES_PAY = frozenset({ADMIN, "hr", "finance"})
# Roles that see what each client earns and costs (pay summed per client and month, never a
# person's): the Finance page and `csdata.analytics.finance`.
SEES_ECONOMICS = frozenset({ADMIN, "exec", "finance"})
# Roles that see nothing until they are given limits: a client account its clients, a supervisor
# its teams. Every other role but admin may be limited to some clients; only a supervisor has teams.
LIMITED = frozenset({_CLIENT, _SUPERVISOR})
# Record kinds each role may import or enter (a supervisor only for their own teams' agents).
# The master data (clients, departments, teams, pay grades, courses, appraisal periods) is set up
# by an administrator; HR keeps its own part of it: pay grades, courses and appraisal periods.
RECORD_KINDS = (
    "tickets", "audits", "training", "appraisals", "employees",
    "clients", "departments", "teams", "pay_grades", "courses", "periods", "bonuses", "actions",
    "coaching", "requisitions", "candidates",
)  # fmt: skip
WRITES: dict[str, tuple[str, ...]] = {
    ADMIN: RECORD_KINDS,
    _SUPERVISOR: ("tickets",),
    "qa": ("audits",),
    "hr": ("training", "appraisals", "employees", "pay_grades", "courses", "periods", "bonuses",
           "requisitions", "candidates"),
}  # fmt: skip
# Roles that take a corrective action's steps (move, reassign, close), and that record coaching
# sessions; each only on the people of its clients and teams. They import them too: corrective
# actions and coaching sessions join their record kinds (`_writes`).
ACTS = frozenset({ADMIN, "qa", "hr", _SUPERVISOR})
COACHES = frozenset({ADMIN, "hr", _SUPERVISOR})
# Roles that propose an appraisal's teamwork score (and a comment) for HR to review: a supervisor
# for the agents of their teams. Not a record kind of `WRITES`: a proposal is not imported, and
# only HR's confirmation makes it part of an appraisal.
PROPOSES = frozenset({ADMIN, _SUPERVISOR})
# Roles that record (and void) a person's recognition (表彰), within their clients.
RECOGNIZES = frozenset({ADMIN, "hr"})

# Relation -> (its client, its team) as SQL over a row of it under the alias `{a}` (with its dot):
# a ticket's own columns (its team is the queue it was offered to); for a record about a person,
# that person's (a QA audit keeps the client it was made for when it names one).
_PERSON_CLIENT = "(SELECT p.client FROM employees p WHERE p.employee_id = {a}{person})"
_PERSON_TEAM = "(SELECT p.team FROM employees p WHERE p.employee_id = {a}{person})"
_RELATIONS: dict[str, tuple[str, str]] = {
    "tickets": ("{a}client", "{a}team"),
    "audits": ("coalesce({a}client, " + _PERSON_CLIENT.format(a="{a}", person="agent_id") + ")",
               _PERSON_TEAM.format(a="{a}", person="agent_id")),
    "actions": ("coalesce((SELECT x.client FROM audits x WHERE x.audit_id = {a}audit_id), "
                + _PERSON_CLIENT.format(a="{a}", person="agent_id") + ")",
                _PERSON_TEAM.format(a="{a}", person="agent_id")),
    "training": (_PERSON_CLIENT.format(a="{a}", person="employee_id"),
                 _PERSON_TEAM.format(a="{a}", person="employee_id")),
    "appraisals": (_PERSON_CLIENT.format(a="{a}", person="employee_id"),
                   _PERSON_TEAM.format(a="{a}", person="employee_id")),
    "employees": ("{a}client", "{a}team"),
    "bonuses": (_PERSON_CLIENT.format(a="{a}", person="employee_id"),
                _PERSON_TEAM.format(a="{a}", person="employee_id")),
    "pay": (_PERSON_CLIENT.format(a="{a}", person="employee_id"),
            _PERSON_TEAM.format(a="{a}", person="employee_id")),
    "coaching": (_PERSON_CLIENT.format(a="{a}", person="employee_id"),
                 _PERSON_TEAM.format(a="{a}", person="employee_id")),
    "proposals": (_PERSON_CLIENT.format(a="{a}", person="employee_id"),
                  _PERSON_TEAM.format(a="{a}", person="employee_id")),
    # Recruitment: a requisition's own client and team; a candidate's, those of its requisition.
    "requisitions": ("{a}client", "{a}team"),
    "candidates": ("(SELECT q.client FROM requisitions q WHERE q.requisition_id = {a}requisition_id)",
                   "(SELECT q.team FROM requisitions q WHERE q.requisition_id = {a}requisition_id)"),
}  # fmt: skip
# Relations about the company's own people: never shown to a client company's account.
_INTERNAL = frozenset(
    {
        "actions",
        "coaching",
        "training",
        "appraisals",
        "employees",
        "pay",
        "teams",
        "bonuses",
        "proposals",
        "requisitions",
        "candidates",
    }  # fmt: skip
)
RELATIONS = (*_RELATIONS, "imports", "clients", "teams")


class Params(Protocol):
    """Where a condition's values go: `add(value)` binds one and returns its placeholder."""

    def add(self, value: Any) -> str: ...


@dataclass(frozen=True)
class Scope:
    """What an account may see and do.

    `clients`/`teams`: None means unrestricted on that dimension; an empty tuple means nothing at
    all (an account whose limits are missing sees nothing: the scope fails closed). `external`
    marks an account of a client company: it never sees agents, teams or the company's people, and
    of the metrics only those the policy lists in `client_metrics` (the others come back empty).
    `writes` are the record kinds it may enter or import, `sees_pay` whether it sees pay,
    `own_imports` whether the import log shows it only its own files, `administers` whether it
    sees everything an administrator does (the whole import log), `acts` whether it takes a
    corrective action's steps, `coaches` whether it records coaching sessions, `proposes`
    whether it proposes appraisals' teamwork scores and `recognizes` whether it records and voids
    recognitions (each within its clients and teams); `sees_economics` whether it sees what each
    client earns and costs (within its clients)."""

    clients: tuple[str, ...] | None = None
    teams: tuple[str, ...] | None = None
    external: bool = False
    writes: tuple[str, ...] = ()
    sees_pay: bool = False
    own_imports: bool = False
    administers: bool = False
    acts: bool = False
    coaches: bool = False
    proposes: bool = False
    recognizes: bool = False
    sees_economics: bool = False

    @classmethod
    def of(cls, user) -> Scope:
        """The scope of a user (anything with `role`, `clients` and `teams`)."""
        return scope_for(user.role, tuple(user.clients), tuple(user.teams))

    # -- seeing ------------------------------------------------------------------------------

    @property
    def agents_visible(self) -> bool:
        return not self.external

    @property
    def unlimited(self) -> bool:
        return self.clients is None and self.teams is None and not self.external

    @property
    def unassigned(self) -> bool:
        """Limits are needed and missing: this account sees nothing (and the app says why)."""
        return self.clients == () or self.teams == ()

    def allows(self, metric: str, policy) -> bool:
        """Whether this account may see the metric (client accounts: the policy's list)."""
        return not self.external or metric in policy.client_metrics

    def sees(self, client: str | None, team: str | None) -> bool:
        """Whether a row of this client and team (None: it has none) is within the scope."""
        if self.clients is not None and client not in self.clients:
            return False
        return self.teams is None or team in self.teams

    def where(
        self,
        relation: str,
        params: Params,
        alias: str = "",
        *,
        carried: bool = False,
        actor: str | None = None,
    ) -> str:
        """The scope as one SQL condition on a row of `relation` (see `RELATIONS`) named `alias`.

        `carried`: the row carries its client and team as columns of its own (the query layer's
        relations, a join that brought them along), so the condition reads those. `actor`: for
        the import log, the account's user name (an account that sees its own imports only sees
        nothing without it). Values are bound through `params`, never written into the SQL."""
        a = f"{alias}." if alias else ""
        if relation == "imports":
            return self._imports(params, a, actor)
        if relation not in _RELATIONS and relation not in ("clients", "teams"):
            raise KeyError(f"unknown relation: {relation}")
        if (self.external and relation in _INTERNAL) or (relation == "pay" and not self.sees_pay):
            return "FALSE"
        if relation == "clients":
            return self._clients(params, f"{a}name")
        if relation == "teams":
            return self._condition(params, f"{a}client", f"{a}name")
        client, team = ("{a}client", "{a}team") if carried else _RELATIONS[relation]
        return self._condition(params, client.format(a=a), team.format(a=a))

    def _condition(self, params: Params, client: str, team: str) -> str:
        limits = [(v, c) for v, c in ((self.clients, client), (self.teams, team)) if v is not None]
        if any(not values for values, _ in limits):  # an empty limit: nothing (and nothing bound)
            return "FALSE"
        return " AND ".join(f"list_contains({params.add(list(v))}, {c})" for v, c in limits) or "TRUE"

    def _clients(self, params: Params, name: str) -> str:
        """A client (by name) is within the scope when it is one of its clients and, for an
        account limited to teams, one those teams serve."""
        if self.clients == () or self.teams == ():
            return "FALSE"
        conds = []
        if self.clients is not None:
            conds.append(f"list_contains({params.add(list(self.clients))}, {name})")
        if self.teams is not None:
            served = f"(SELECT client FROM teams WHERE list_contains({params.add(list(self.teams))}, name))"
            conds.append(f"{name} IN {served}")
        return " AND ".join(conds) or "TRUE"

    def _imports(self, params: Params, a: str, actor: str | None) -> str:
        if self.administers:
            return "TRUE"
        if not self.writes or (self.own_imports and actor is None):
            return "FALSE"
        cond = f"list_contains({params.add(list(self.writes))}, {a}kind)"
        if self.own_imports:
            cond += f" AND {a}actor = {params.add(actor)}"
        return cond

    # -- doing -------------------------------------------------------------------------------

    def may_write(self, kind: str) -> bool:
        """Whether this account may enter or import records of this kind."""
        return kind in self.writes

    def may_enter_for(self, client: str | None, team: str | None) -> bool:
        """Whether this account may write a record about someone of this client and team."""
        return not self.external and self.sees(client, team)

    def may_touch_ticket(self, ticket: dict) -> bool:
        """Whether this account may take a workflow step on this ticket (a row of `tickets`)."""
        return self.may_write("tickets") and self.sees(ticket.get("client"), ticket.get("team"))

    def limits(self, wh) -> dict[str, list[str] | None]:
        """What this account may import or enter records for, as `ingest.check`'s `allowed_*`
        arguments: the people and clients of its scope and its teams (a ticket's queue); None
        where it is unlimited."""
        if self.unlimited:
            return {"allowed_agents": None, "allowed_clients": None, "allowed_teams": None}
        from csdata.analytics import lookups

        return {
            "allowed_agents": lookups.people_in_scope(wh, self),
            "allowed_clients": lookups.clients(wh, self),
            "allowed_teams": None if self.teams is None else list(self.teams),
        }


# Whatever an administrator or the operator at the command line sees and does.
EVERYTHING = Scope(
    writes=RECORD_KINDS,
    sees_pay=True,
    administers=True,
    acts=True,
    coaches=True,
    proposes=True,
    recognizes=True,
    sees_economics=True,
)


def scope_for(role: str, clients: tuple[str, ...] = (), teams: tuple[str, ...] = ()) -> Scope:
    """The scope of an account of this role and limits. Fails closed: a client account without
    clients, or a supervisor without teams, sees nothing. Clients given to an internal role (a QA
    lead for two clients) limit it too; teams limit only a supervisor."""
    if administers(role):
        return EVERYTHING
    if role == _CLIENT:
        return Scope(clients=tuple(clients), external=True)
    return Scope(
        clients=tuple(clients) or None,
        teams=tuple(teams) if role == _SUPERVISOR else None,
        writes=_writes(role),
        sees_pay=role in SEES_PAY,
        own_imports=role == _SUPERVISOR,
        acts=role in ACTS,
        coaches=role in COACHES,
        proposes=role in PROPOSES,
        recognizes=role in RECOGNIZES,
        sees_economics=role in SEES_ECONOMICS,
    )


def _writes(role: str) -> tuple[str, ...]:
    """The record kinds a role imports or enters: its own, then the actions and coaching sessions
    of the roles that act on and coach people."""
    return (
        *WRITES.get(role, ()),
        *(("actions",) if role in ACTS else ()),
        *(("coaching",) if role in COACHES else ()),
    )


def administers(role: str | None) -> bool:
    """Whether the role administers the app (accounts, policy; the last one cannot go)."""
    return role == ADMIN


def limit_refusal(role: str, clients: tuple[str, ...], teams: tuple[str, ...]) -> str | None:
    """The text key of why these limits do not fit the role (None: they do)."""
    if role == _CLIENT and not clients:
        return text_key("auth_client_needs_client")
    if role == _SUPERVISOR and not teams:
        return text_key("auth_supervisor_needs_team")
    if administers(role) and (clients or teams):
        return text_key("auth_admin_unlimited")
    if teams and role != _SUPERVISOR:
        return text_key("auth_teams_supervisor_only")
    return None


def owns_breach(role: str | None, owner: str) -> bool:
    """Whether an account of this role may acknowledge or excuse a breach of a compliance rule
    whose breaches `owner` (a role) owns: that role's accounts, and an administrator."""
    return role is not None and (role == owner or administers(role)) and role != _CLIENT
