"""The `csdata` command: init, copy, kpi, spc, export, import, history, void, user, appraisals, policy, payroll,
finance, breaches, effects, calibration, rollups, bench, backup, restore, serve.

Each subcommand parses and checks its arguments, calls the engine and prints. A problem the user
can fix ends in one line on stderr and exit status 2, in the language of CSDATA_LANG; nothing
prints a traceback. Metric values come from the same catalog and query layer as the dashboard.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import sys
import time
from pathlib import Path

from csdata.analytics import compiler, exports, lookups
from csdata.settings import warehouse_target
from csdata.text.i18n import LANGS, Problem, family_key, t


class UserError(Problem):
    """A problem with what the user asked for on the command line."""


def _lang() -> str:
    chosen = os.environ.get("CSDATA_LANG", "en")
    return chosen if chosen in LANGS else "en"


def _date(value: str) -> dt.date:
    """A date argument; argparse names the option before the message."""
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(t("err_bad_date", _lang(), value=value)) from None


def _default_db() -> Path | str:
    from csdata.settings import Settings, SettingsError

    try:
        return Settings.from_env().db
    except SettingsError as exc:
        raise UserError("err_settings", detail=str(exc)) from None


def _file(args, command: str) -> Path:
    """The warehouse file of a command that works on a DuckDB file only."""
    db = args.db or _default_db()
    if isinstance(db, str):
        from csdata.store.postgres import shown

        raise UserError("err_pg_file_only", command=command, path=shown(db))
    return Path(db)


def _open(args, *, read_only: bool = False):
    from csdata.store.warehouse import Warehouse

    return Warehouse(args.db or _default_db(), read_only=read_only)


# -- commands ----------------------------------------------------------------------------------


def _fill(wh, args) -> dict | None:
    """Fill a new warehouse: the demo company (`--sample`; its counts), or the policy and the
    admin account (None)."""
    if args.sample:
        from csdata.demo.sample import build_sample

        return build_sample(wh, tickets=args.tickets, seed=args.seed, as_of=args.as_of)
    from csdata.access.auth import add_user
    from csdata.policy import default_policy, save_policy

    password = os.environ.get("CSDATA_ADMIN_PASSWORD") or _read_password("admin")
    save_policy(wh, default_policy(), "init")
    add_user(wh, _actor(), "admin", "admin", password)
    return None


def _init_file(path: Path, args) -> dict | None:
    from csdata.store.warehouse import is_held

    if path.exists() and not args.force:
        raise UserError("err_exists", path=str(path))
    if path.exists() and is_held(path):  # the running app would go on writing to a deleted file
        raise UserError("err_held", path=str(path))
    return _built_beside(path, lambda wh: _fill(wh, args))


def _built_beside(path: Path, fill):
    """A new DuckDB warehouse filled by `fill(wh)` (its result returned), built beside `path` and
    moved into place when complete, so a failed or interrupted build never leaves a half
    warehouse where the app would open it."""
    from csdata.store.warehouse import Warehouse

    partial = path.with_name(path.name + ".partial")
    partial.unlink(missing_ok=True)
    try:
        wh = Warehouse(partial, create=True)
        try:
            result = fill(wh)
        finally:
            wh.close()
        partial.replace(path)
    finally:
        partial.unlink(missing_ok=True)
        Path(str(partial) + ".wal").unlink(missing_ok=True)
    return result


def _init_postgres(url: str, args) -> dict | None:
    """A PostgreSQL warehouse: one that holds records is refused, or with `--force` its csdata
    tables are dropped and made anew (`transfer.clear`); the demo is built in a temporary DuckDB
    file and copied in (one transaction), an empty warehouse is made in place."""
    import tempfile

    from csdata.store import transfer
    from csdata.store.warehouse import Warehouse

    wh = Warehouse(url)
    try:
        if transfer.records(wh):
            if not args.force:
                raise UserError("mv_err_pg_exists", path=wh.address)
            transfer.clear(wh)
            wh.close()
            wh = Warehouse(url)
        if not args.sample:
            return _fill(wh, args)
        with tempfile.TemporaryDirectory(prefix="csdata-init-") as workdir:
            built = Warehouse(Path(workdir) / "sample.duckdb", create=True)
            try:
                counts = _fill(built, args)
                transfer.copy_warehouse(built, wh, say=_progress, lang=_lang())
            finally:
                built.close()
        return counts
    finally:
        wh.close()


def _progress(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


def cmd_init(args) -> int:
    db = args.db or _default_db()
    if args.tickets is None:
        from csdata.settings import Settings

        args.tickets = Settings.from_env().sample_tickets
    if args.tickets < 1000:
        raise UserError("err_tickets_min")
    started = time.perf_counter()
    if isinstance(db, str):
        from csdata.store.postgres import shown

        counts, path = _init_postgres(db, args), shown(db)
    else:
        path = Path(db)
        counts = _init_file(path, args)
    if counts is None:
        print(t("cli_created_empty", _lang(), path=path))
    else:
        print(
            t(
                "cli_built",
                _lang(),
                path=path,
                tickets=f"{counts.get('tickets', 0):,}",
                employees=f"{counts.get('employees', 0):,}",
                audits=f"{counts.get('audits', 0):,}",
                seconds=time.perf_counter() - started,
            )
        )
    return 0


def cmd_copy(args) -> int:
    """`csdata copy TARGET`: every record of the warehouse into a new DuckDB file or an empty
    PostgreSQL database (`csdata.store.transfer`), in one transaction of the target."""
    from csdata.store import transfer
    from csdata.store.warehouse import Warehouse

    lang = _lang()
    source = _open(args, read_only=True)
    started = time.perf_counter()
    try:
        if isinstance(args.target, str):
            target = Warehouse(args.target)
            try:
                counts = transfer.copy_warehouse(source, target, say=_progress, lang=lang)
                shown = target.address
            finally:
                target.close()
        else:
            counts, shown = _copy_to_file(source, Path(args.target), lang), str(args.target)
    finally:
        source.close()
    seconds = time.perf_counter() - started
    if args.json:
        print(json.dumps({"tables": counts, "seconds": round(seconds, 1)}))
        return 0
    for table, rows in counts.items():
        print(f"{table:<28}{rows:>14,}")
    print(t("mv_cli_copied", lang, path=shown, rows=f"{sum(counts.values()):,}", tables=len(counts),
            seconds=f"{seconds:.1f}"))  # fmt: skip
    return 0


def _copy_to_file(source, path: Path, lang: str) -> dict[str, int]:
    """A copy into a new DuckDB file, made beside it and moved into place when complete."""
    from csdata.store import transfer

    if path.exists():
        raise UserError("err_exists", path=str(path))
    return _built_beside(
        path, lambda target: transfer.copy_warehouse(source, target, say=_progress, lang=lang)
    )


def _metric_names(names: list[str]) -> list[str]:
    """Metric names from the command line, each one of the catalog's."""
    from csdata.analytics.metrics import CATALOG

    for name in names:
        if name not in CATALOG:
            raise UserError("err_unknown_metric", value=name, known=", ".join(CATALOG))
    return names


def _filters(args, wh) -> compiler.Filters:
    """The filters of a reading command (`--from`, `--to`, `--client`, `--channel`, `--team`,
    `--agent`, whichever it has), each value checked against the warehouse."""
    from csdata.policy import CHANNELS

    for channel in getattr(args, "channel", None) or []:
        if channel not in CHANNELS:
            raise UserError("err_unknown_channel", value=channel)
    known = lookups.clients(wh)
    for client in args.client or []:
        if client not in known:
            raise UserError("err_unknown_client", value=client, known=", ".join(known) or "–")
    teams = lookups.teams(wh)
    for team in getattr(args, "team", None) or []:
        if team not in teams:
            raise UserError("err_unknown_team", value=team, known=", ".join(teams) or "–")
    for agent in getattr(args, "agent", None) or []:
        if not lookups.employee_exists(wh, agent):
            raise UserError("err_unknown_employee", value=agent)
    span = lookups.ticket_date_range(wh) or (dt.date.today(), dt.date.today())
    start, end = args.start or span[0], args.end or span[1]
    if start > end:
        raise UserError("err_date_order", start=start, end=end)
    return compiler.Filters(
        start,
        end,
        tuple(args.client or ()),
        tuple(args.channel or ()),
        tuple(getattr(args, "team", None) or ()),
        tuple(getattr(args, "agent", None) or ()),
    )


def cmd_kpi(args) -> int:
    from csdata.analytics import stats
    from csdata.analytics.metrics import CATALOG
    from csdata.text.i18n import fmt_value

    lang = _lang()
    metrics = _metric_names(args.metric or []) or list(CATALOG)
    wh = _open(args, read_only=True)
    filters = _filters(args, wh)
    if args.ci:
        found = stats.estimates(compiler.metric_table(wh, metrics, filters, detail=True))
    else:
        found = {m: stats.Estimate(v) for m, v in compiler.metric_values(wh, metrics, filters).items()}
    if args.json:
        out = {m: e.as_json() if args.ci else e.value for m, e in found.items()}
        print(json.dumps(out, ensure_ascii=False))
        return 0
    print(t("cli_kpi_header", lang, start=filters.start, end=filters.end))
    width = max(len(m) for m in metrics)
    for name in metrics:
        metric, e = CATALOG[name], found[name]
        line = f"{name:<{width}}  {fmt_value(e.value, metric.unit, lang):>12}"
        if args.ci:
            interval = (
                f"{fmt_value(e.low, metric.unit, lang)} – {fmt_value(e.high, metric.unit, lang)}"
                if e.low is not None
                else ""
            )
            line += f"  {interval:>27}  {'' if e.n is None else f'n={int(e.n)}':>10}"
        print(f"{line}  {metric.label(lang)}")
    return 0


def cmd_spc(args) -> int:
    from csdata.analytics import spc
    from csdata.analytics.metrics import CATALOG
    from csdata.text.i18n import fmt_value

    lang = _lang()
    (metric,) = _metric_names([args.metric])
    if not spc.has_chart(metric):
        raise UserError("err_spc_no_chart", metric=metric)
    wh = _open(args, read_only=True)
    filters = _filters(args, wh)
    chart = spc.control_chart(compiler.metric_table(wh, [metric], filters, "week", detail=True), metric)
    if args.json:
        print(json.dumps(chart.as_json(), ensure_ascii=False))
        return 0
    unit = CATALOG[metric].unit
    print(
        t(
            "cli_spc_header",
            lang,
            metric=CATALOG[metric].label(lang),
            start=filters.start,
            end=filters.end,
            center=fmt_value(chart.center, unit, lang),
        )
    )
    heads = [t(family_key("spc_col_", c), lang) for c in spc.POINT_COLUMNS]
    rows = [
        [
            str(p.week)[:10],
            fmt_value(p.value, unit, lang),
            f"{int(p.n):,}",
            fmt_value(p.lcl, unit, lang),
            fmt_value(p.ucl, unit, lang),
            t(family_key("spc_signal_", p.signal), lang) if p.signal else "",
        ]
        for p in chart.points.itertuples()
    ]
    widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(heads)]
    for line in [heads, *rows]:
        cells = (
            c.ljust(w) if i in (0, 5) else c.rjust(w)
            for i, (c, w) in enumerate(zip(line, widths, strict=True))
        )
        print("  ".join(cells).rstrip())
    return 0


def _scope_of(wh, username: str | None):
    """The scope to export within: an operator's, who can read the warehouse file itself,
    unrestricted; with `--as USER`, that account's (what the user could download in the app)."""
    from csdata.access import auth
    from csdata.access.scope import EVERYTHING

    if username is None:
        return EVERYTHING
    user = auth.load_user(wh, username)
    if user is None:
        raise UserError("auth_no_user", name=username)
    return user.scope


def cmd_export(args) -> int:
    from csdata.policy import load_policy

    if args.table not in exports.EXPORTS:
        raise UserError("err_unknown_table", value=args.table, known=", ".join(exports.EXPORTS))
    wh = _open(args, read_only=True)
    items = exports.record_items(wh, args.table)  # the criteria of every version with data
    sql, params = exports.export_sql(args.table, load_policy(wh)[1], _scope_of(wh, args.as_user), items=items)
    frame = wh.df(sql, params)
    if args.format == "xlsx" and len(frame) > exports.XLSX_MAX_ROWS:
        raise UserError("err_too_many_rows", rows=f"{len(frame):,}", limit=f"{exports.XLSX_MAX_ROWS:,}")
    if args.out == "-":  # standard output, for a pipe
        sys.stdout.buffer.write(exports.to_bytes(frame, args.format))
        sys.stdout.flush()
        print(t("cli_exported", _lang(), rows=f"{len(frame):,}", path="-"), file=sys.stderr)
        return 0
    out = Path(args.out or f"{args.table}.{args.format}")
    try:
        exports.write(frame, out, args.format)
    except OSError as exc:
        raise UserError("err_write", path=str(out), reason=exc.strerror or str(exc)) from None
    print(t("cli_exported", _lang(), rows=f"{len(frame):,}", path=out), file=sys.stderr)
    return 0


def cmd_effects(args) -> int:
    from csdata.analytics import effects

    lang = _lang()
    if args.start and args.end and args.start > args.end:
        raise UserError("err_date_order", start=args.start, end=args.end)
    wh = _open(args, read_only=True)
    measured = effects.measure(wh, start=args.start, end=args.end)
    if args.json:
        print(json.dumps(effects.as_json(measured), ensure_ascii=False))
        return 0
    print(t("cli_effects_header", lang, n=len(measured), measured=int(measured["qa_effect"].notna().sum())))
    for r in effects.summary(measured, "kind").itertuples():
        kind = effects.kind_label(r.kind, lang)
        if r.n == 0:
            print(f"{kind}: {t(effects.NOT_ENOUGH, lang)}")
            continue
        low_high = "–" if r.n < 2 else f"[{r.qa_low:+.2f}, {r.qa_high:+.2f}]"
        print(t("cli_effects_kind", lang, kind=kind, n=r.n, effect=f"{r.qa_effect:+.2f}", interval=low_high))
    return 0


def cmd_calibration(args) -> int:
    """The calibration sets of a period: alpha per criterion and for the score, and each auditor's
    mean deviation from the others with its interval and flag."""
    import pandas as pd

    from csdata.analytics import calibration
    from csdata.policy import load_policy

    lang = _lang()
    if args.start and args.end and args.start > args.end:
        raise UserError("err_date_order", start=args.start, end=args.end)
    wh = _open(args, read_only=True)
    policy = load_policy(wh, args.end)[1]
    found = calibration.measure(wh, _scope_of(wh, args.as_user), args.start, args.end, policy)
    if args.json:
        print(json.dumps(found.as_json(), ensure_ascii=False))
        return 0
    stats = policy.statistics
    print(t("cli_calibration_header", lang, sets=found.sets, level=f"{stats.calibration_alpha:g}"))
    labels = {c.key: c.label(lang) for c in policy.scorecard.criteria}
    for key, value in found.alpha.items():
        name = t("calib_score", lang) if key == calibration.SCORE else labels.get(key, key)
        if value is None:
            verdict = t("calib_no_alpha", lang)
        else:
            met = t("calib_met" if value >= stats.calibration_alpha else "calib_below", lang)
            verdict = f"{value:.3f}  {met}"
        print(f"  {name:<16} {verdict}")
    print(t("cli_calibration_auditors", lang, tolerance=f"{stats.calibration_tolerance:g}"))
    for r in found.auditors.itertuples():
        low_high = "–" if pd.isna(r.low) else f"[{r.low:+.2f}, {r.high:+.2f}]"
        flag = t("calib_flagged", lang) if r.flag else ""
        print(f"  {r.auditor_id:<10} {r.audits:>4}  {r.mean_deviation:+7.2f}  {low_high:<18} {flag}".rstrip())
    return 0


def _actor() -> str:
    import getpass

    try:
        return f"cli:{getpass.getuser()}"
    except Exception:
        return "cli"


def _read_password(username: str) -> str:
    """From the terminal (asked twice), or the first line of standard input when piped."""
    import getpass

    from csdata.access.auth import MAX_PASSWORD, check_password

    if sys.stdin is None:
        raise UserError("auth_no_password")
    if sys.stdin.isatty():
        first = getpass.getpass(f"{t('password', _lang())} ({username}): ")
        check_password(first)
        if getpass.getpass(f"{t('password', _lang())} ({username}), again: ") != first:
            raise UserError("auth_passwords_differ")
        return first
    line = sys.stdin.readline(MAX_PASSWORD + 2).rstrip("\r\n")  # enough to tell a line too long
    if not line:
        raise UserError("auth_no_password")
    return check_password(line)


def cmd_user(args) -> int:
    from csdata.access import auth

    wh = _open(args)
    if args.action == "list":
        frame = auth.list_users(wh)
        frame = frame.astype(object).where(frame.notna(), "")  # a blank, not "None" or "NaN"
        print(frame.to_string(index=False) if not frame.empty else "-")
        return 0
    name = args.name
    if args.action == "add":
        auth.check_name(name)
        auth.check_scope(wh, args.role, tuple(args.client or ()), tuple(args.team or ()))
        auth.check_employee(wh, args.employee)
        password = _read_password(name)
        auth.add_user(
            wh, _actor(), name, args.role, password, args.client or (), args.team or (), args.email,
            employee_id=args.employee,
        )  # fmt: skip
    elif args.action == "passwd":
        auth.require_user(wh, name)  # before asking for a password
        auth.set_password(wh, _actor(), name, _read_password(name))
    else:
        auth.set_active(wh, _actor(), name, args.action == "enable")
    print(f"{args.action}: {name}", file=sys.stderr)
    return 0


def cmd_import(args) -> int:
    from csdata.imports import ingest

    lang = _lang()
    path = Path(args.file)
    try:
        raw = path.read_bytes()
    except OSError:
        raise UserError("imp_no_file", path=str(path)) from None
    data = ingest.read_file(raw, path.name, path)  # (read there by DuckDB, not from a copy)
    mapping = ingest.Mapping.load(args.mapping) if args.mapping else None
    wh = _open(args)
    progress = None
    if not args.json and sys.stderr.isatty():

        def progress(fraction: float, step: str) -> None:
            print(f"\r{step:<8} {fraction:>4.0%}", end="", file=sys.stderr, flush=True)

    try:
        report = ingest.import_file(
            wh,
            args.kind,
            data,
            path.name,
            _actor(),
            mapping=mapping,
            strict=args.strict,
            create_missing=args.create_missing,
            day_first=args.day_first,
            progress=progress,
            update=args.update,
            reason=args.reason,
            effective=args.effective,
        )
    except ingest.ImportError_ as exc:
        if exc.key != "imp_missing_columns" or mapping is not None:
            raise
        # A file of someone else's columns: say which it has and how to map them.
        columns = ", ".join(ingest.file_columns(wh, data, path.name))
        raise UserError("cli_map_columns", missing=exc.params["columns"], columns=columns) from None
    if progress:
        print(file=sys.stderr)
    if args.json:
        print(json.dumps(report.as_json(lang), ensure_ascii=False))
    else:
        print(
            t(
                "imp_summary",
                lang,
                rows=report.rows,
                imported=report.imported,
                duplicates=report.duplicates,
                rejected=report.rejected,
            )
        )
        if args.update:
            print(t("imp_updated_summary", lang, updated=report.updated))
        if report.dropped:
            print(t("imp_dropped", lang, columns=", ".join(report.dropped)))
        if report.ignored:
            print(t("imp_ignored", lang, columns=", ".join(report.ignored)))
        for name, values in report.created.items():
            print(t("imp_created", lang, table=name, values=", ".join(values)))
        for r in report.rejects[:50]:
            print(f"  {t('imp_row', lang, n=r.row)} · {r.column} · {(r.value or '')!r}: {r.reason(lang)}")
        if len(report.rejects) > 50 or report.rejected > len({r.row for r in report.rejects}):
            print(t("imp_more_rejects", lang))
        if args.strict and report.rejected:
            print(t("imp_strict_nothing", lang))
    return 1 if report.rejected else 0


def cmd_history(args) -> int:
    """`csdata history KIND ID`: a record's creation and corrections, each with who, when and why."""
    from csdata.records import history

    lang = _lang()
    found = history.versions(_open(args, read_only=True), args.kind, args.id, lang)
    if args.json:
        print(json.dumps(found, ensure_ascii=False, indent=2))
        return 0
    if not found:
        print(t("hist_no_trail", lang, kind=args.kind, id=args.id))
    for v in found:
        change = {
            "create": t("hist_change_create", lang),
            "update": t("hist_change_update", lang),
            "void": t("hist_change_void", lang),
        }[v["change"]]
        print(f"{v['at']} · {v['actor']} · {change} · {v['reason']}")
        for column, (before, after) in v["changes"].items():
            print(f"    {column}: {_shown(before)} → {_shown(after)}")
    return 0


def cmd_void(args) -> int:
    """`csdata void KIND ID --reason TEXT`: take a record out of every metric and listing; its
    history keeps it whole, with who voided it and why (`csdata.records.corrections`)."""
    from csdata.records import corrections

    lang = _lang()
    kept = corrections.void(_open(args), _actor(), args.kind, args.id, args.reason)
    if args.json:
        print(json.dumps({"kind": args.kind, "id": args.id, "voided": kept}, ensure_ascii=False, default=str))
        return 0
    print(t("cli_voided", lang, kind=args.kind, id=args.id))
    for action_id in kept.get("cancelled_actions", []):
        print(t("cli_voided_action", lang, action=action_id))
    return 0


def _shown(value) -> str:
    return "–" if value is None else f"{value:g}" if isinstance(value, float) else str(value)


def cmd_appraisals(args) -> int:
    """`csdata appraisals confirm PERIOD [--employee ID]... | close PERIOD | reopen PERIOD --reason TEXT`:
    HR's confirmation of imported appraisals, and the closing (locking) and reopening of a period."""
    from csdata.records import entry

    lang = _lang()
    if args.action == "close":
        entry.set_period_status(_open(args), _actor(), args.period, "closed")
        print(t("cli_period_closed", lang, period=args.period))
        return 0
    if args.action == "reopen":
        entry.set_period_status(_open(args), _actor(), args.period, "open", args.reason)
        print(t("cli_period_reopened", lang, period=args.period))
        return 0
    confirmed = entry.confirm_appraisals(_open(args), _actor(), args.period, args.employee or None)
    print(t("cli_appraisals_confirmed", lang, count=len(confirmed), period=args.period))
    return 0


def cmd_policy(args) -> int:
    """`csdata policy show | load | history`: the Policy page's file, save and versions."""
    from csdata import policy as pol

    lang = _lang()
    if args.action == "load":
        return _policy_load(args, lang)
    wh = _open(args, read_only=True)
    if args.action == "history":
        versions = pol.versions(wh)
        if args.json:
            print(json.dumps(versions, ensure_ascii=False, default=str, indent=2))
            return 0
        print(" | ".join(t("cli_policy_history_columns", lang).split("|")))
        for v in versions:
            changes = v["changes"]
            summary = "; ".join(changes[:3]) if changes else t("cli_policy_first", lang)
            if len(changes) > 3:
                summary += " " + t("cli_policy_more", lang, n=len(changes) - 3)
            saved_at = f"{v['saved_at']:%Y-%m-%d %H:%M}" if v["saved_at"] else "–"
            print(f"{v['version']} | {v['effective_from']} | {saved_at} | {v['saved_by'] or '–'} | {summary}")
        return 0
    on = args.on or dt.date.today()
    version, current = pol.load_policy(wh, on)
    if args.json:  # exactly the Policy page's download
        print(current.model_dump_json(indent=2))
        return 0
    note = t("cli_policy_on", lang, date=on) if args.on else ""
    print(t("cli_policy_in_force", lang, version=version, date=current.effective_from, note=note))
    for line in _policy_text(current, lang):
        print(line)
    return 0


def _policy_text(policy, lang: str) -> list[str]:
    """The policy as a reader goes through it: scorecard, appraisal, thresholds, targets."""
    from csdata.analytics.metrics import CATALOG
    from csdata.text.i18n import channel_label, fmt_value

    def items(heading: str, rows) -> list[str]:
        width = max((len(i.key) for i in rows), default=0)
        out = ["", t(heading, lang)]
        out += [
            f"  {i.key:<{width}}  {t('cli_policy_weight', lang, weight=i.weight):<12}  {i.label(lang)}"
            for i in rows
        ]
        return out

    def target(metric: str, value: float) -> str:
        known = CATALOG.get(metric)
        if known is None:
            return f"{metric} {value:g}"
        return f"{known.label(lang)} {fmt_value(value, known.unit, lang)}"

    card = policy.scorecard
    out = items("policy_scorecard", card.criteria)
    out.append("  " + t("cli_policy_pass_mark", lang, mark=card.pass_mark))
    if card.critical_errors:
        out += ["", t("policy_critical", lang)]
        out += [f"  {c.key}  {c.label(lang)}" for c in card.critical_errors]
    out += items("policy_appraisal", policy.appraisal.indicators)
    out += ["", t("policy_bands", lang)]
    out += [f"  {b.grade}  ≥ {b.min_score:g}  × {b.coefficient:g}" for b in policy.appraisal.bands]
    out += ["", t("policy_seniority", lang)]
    out += [f"  ≥ {s.years}  + {s.amount:,.2f}" for s in policy.seniority]
    out += ["", t("policy_sla", lang)]
    out += [f"  {channel_label(c, lang)}  {s}" for c, s in policy.sla_seconds.items()]
    out += ["", t("policy_targets", lang)]
    out += [f"  {target(m, v)}" for m, v in policy.targets.items()]
    if policy.channel_targets:
        out += ["", t("policy_channel_targets", lang)]
        out += [
            f"  {channel_label(c, lang)}  {target(m, v)}"
            for c, targets in policy.channel_targets.items()
            for m, v in targets.items()
        ]
    for k in policy.contracts:
        out += ["", f"{t('policy_contract_targets', lang)}: {k.client}"]
        out += [f"  {target(m, v)}" for m, v in k.targets.items()]
        out += [
            f"  {channel_label(c, lang)}  {target(m, v)}"
            for c, ts in k.channel_targets.items()
            for m, v in ts.items()
        ]
        out += [f"  {t('policy_sla', lang)} {channel_label(c, lang)}  {s}" for c, s in k.sla_seconds.items()]
    out += [
        "",
        f"{t('policy_onboarding_pass', lang)}: {policy.onboarding_pass_mark:g}",
        f"{t('policy_training_hours', lang)}: {policy.training_hours_per_quarter:g}",
        f"{t('policy_min_audits', lang)}: {policy.min_audits_for_ranking}",
    ]
    out += _compliance_text(policy, lang)
    out += [
        "",
        t("policy_effects", lang),
        f"  {t('policy_effects_before', lang)}: {policy.effects.days_before}",
        f"  {t('policy_effects_after', lang)}: {policy.effects.days_after}",
        f"  {t('policy_effects_min_audits', lang)}: {policy.effects.min_audits}",
        "",
        t("policy_statistics", lang),
    ]
    for name, value in policy.statistics.model_dump().items():
        shown = t("yes" if value else "no", lang) if isinstance(value, bool) else f"{value:g}"
        out.append(f"  {t(family_key('policy_statistics_', name), lang)}: {shown}")
    return out


def _compliance_text(policy, lang: str) -> list[str]:
    """The compliance rules: each switched on or off, its owning role and its numbers."""
    from csdata.policy import RULE_NUMBERS, RULES
    from csdata.text.i18n import family_key

    heads = {"days": "policy_rule_days", "audits_per_agent_month": "policy_rule_audits"}
    out = ["", t("policy_compliance", lang)]
    for name in RULES:
        rule = policy.compliance.rule(name).model_dump()
        numbers = [f"{t(heads[n], lang)} {rule[n]}" for n in RULE_NUMBERS if n in rule]
        state = t("yes" if rule["on"] else "no", lang)
        owner = t(family_key("role_", rule["owner"]), lang)
        out.append(
            "  " + "  ".join([name, state, owner, *numbers, t(family_key("breach_rule_", name), lang)])
        )
    return out


def _policy_load(args, lang: str) -> int:
    """Save a policy file (as the Policy page downloads it) as the next version, effective on the
    given day, with the page's checks: refused with the field-named messages when it breaks a
    rule, not saved when it changes nothing."""
    from pydantic import ValidationError

    from csdata import policy as pol

    path = Path(args.file)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise UserError("err_policy_read", path=str(path), reason=exc.strerror or str(exc)) from None
    try:
        body = json.loads(raw.decode("utf-8-sig"))
    except (ValueError, UnicodeDecodeError):
        raise UserError("err_policy_not_json", path=str(path)) from None
    if not isinstance(body, dict):
        raise UserError("err_policy_not_json", path=str(path))
    body = {**body, "effective_from": args.effective.isoformat()}
    try:
        candidate = pol.Policy.model_validate(body)
    except ValidationError as exc:
        print(f"csdata: {t('err_policy_invalid', lang, path=str(path))}", file=sys.stderr)
        for line in pol.messages(exc, body, lang):
            print(f"  - {line}", file=sys.stderr)
        return 2
    wh = _open(args)
    _, current = pol.load_policy(wh)  # the one the page shows, and compares with
    if pol.unchanged(candidate, current):
        print(t("policy_unchanged", lang), file=sys.stderr)
        return 0
    version = pol.save_policy(wh, candidate, _actor())
    print(t("policy_saved", lang, version=version), file=sys.stderr)
    return 0


def cmd_payroll(args) -> int:
    """A month's payroll: a table on stdout, one JSON list (--json), or an Excel file (--xlsx)."""
    from csdata.analytics import payroll

    lang = _lang()
    payroll.parse_month(args.month)  # a bad month is refused before the warehouse is opened
    wh = _open(args, read_only=True)
    frame = payroll.payroll(wh, args.month.strip(), _scope_of(wh, args.as_user))
    if args.xlsx:
        out = Path(args.xlsx)
        try:
            exports.write(frame, out, "xlsx")
        except OSError as exc:
            raise UserError("err_write", path=str(out), reason=exc.strerror or str(exc)) from None
        print(t("cli_exported", lang, rows=f"{len(frame):,}", path=out), file=sys.stderr)
    if args.json:
        rows = frame.astype(object).where(frame.notna(), None).to_dict("records")
        print(json.dumps(rows, ensure_ascii=False, indent=1))
    elif not args.xlsx:
        shown = frame.astype(object).where(frame.notna(), "")
        print(shown.to_string(index=False) if not frame.empty else "-")
    if frame.empty:
        print(t("payroll_nobody", lang, month=args.month.strip()), file=sys.stderr)
    else:
        sums = payroll.totals(frame)
        print(
            t("cli_payroll_totals", lang, people=len(frame), total=f"{sums['total']:,.2f}"), file=sys.stderr
        )
    return 0


def cmd_finance(args) -> int:
    """Each client's revenue, cost and margin per month: a table on stdout, or one JSON list."""
    from csdata.analytics import finance
    from csdata.text.i18n import column_label, fmt_value

    lang = _lang()
    wh = _open(args, read_only=True)
    known = lookups.clients(wh)
    for client in args.client or []:
        if client not in known:
            raise UserError("err_unknown_client", value=client, known=", ".join(known) or "–")
    span = lookups.ticket_date_range(wh) or (dt.date.today(), dt.date.today())
    start, end = args.start or span[0], args.end or span[1]
    if start > end:
        raise UserError("err_date_order", start=start, end=end)
    frame = finance.economics(wh, start, end, tuple(args.client or ()), _scope_of(wh, args.as_user))
    if args.json:
        print(json.dumps(finance.as_json(frame), ensure_ascii=False))
        return 0
    months = finance.month_span(start, end)
    print(t("finance_cli_header", lang, start=months[0], end=months[-1]))
    shown = frame.astype(object).where(frame.notna(), "")
    shown["client"] = [c or t("finance_unallocated", lang) for c in shown["client"]]
    shown["margin_pct"] = [fmt_value(v, "rate", lang) if v != "" else "" for v in shown["margin_pct"]]
    for column in finance.MONEY:
        shown[column] = [f"{v:,.2f}" if v != "" else "" for v in shown[column]]
    shown.columns = [column_label(c, lang) for c in shown.columns]
    print(shown.to_string(index=False) if not frame.empty else "-")
    sums = finance.totals(frame)
    money = {
        k: "–" if sums[k] is None else f"{sums[k]:,.2f}" for k in ("revenue", "cost", "margin", "unallocated")
    }
    print(t("finance_cli_totals", lang, **money), file=sys.stderr)
    return 0


def cmd_breaches(args) -> int:
    """The compliance queue as of a day: a line per breach, or one JSON list."""
    from csdata.analytics import compliance
    from csdata.policy import RULES, load_policy
    from csdata.text.i18n import family_key

    lang = _lang()
    for rule in args.rule or []:
        if rule not in RULES:
            raise UserError("breach_unknown_rule", value=rule, known=", ".join(RULES))
    wh = _open(args, read_only=True)
    known = lookups.clients(wh)
    for client in args.client or []:
        if client not in known:
            raise UserError("err_unknown_client", value=client, known=", ".join(known) or "–")
    as_of = args.as_of or dt.date.today()
    scope = _scope_of(wh, args.as_user)
    found = compliance.breaches(
        wh, scope, as_of, rules=tuple(args.rule or ()), clients=tuple(args.client or ())
    )
    rows = found[list(compliance.COLUMNS)].to_dict("records")
    if args.json:
        print(json.dumps(rows, ensure_ascii=False, default=str))
        return 0
    print(t("cli_breaches_header", lang, count=len(rows), date=as_of))
    if "audits_below_plan" in compliance.visible_rules(wh, scope, as_of) and (
        not args.rule or "audits_below_plan" in args.rule
    ):
        key, values = compliance.audit_number(wh, load_policy(wh, as_of)[1], as_of).phrase()
        print(t(key, lang, **values))
    for r in rows:
        rule = t(family_key("breach_rule_", r["rule"]), lang)
        state = t(family_key("breach_state_", r["state"]), lang)
        where = " · ".join(str(v) for v in (r["client"], r["team"]) if v)
        print(
            f"{r['since']}  {r['age_days']:>4}  {r['subject_id']:<12} {rule} [{r['owner_role']}, {state}] {where}"
        )
    return 0


def cmd_plan(args) -> int:
    """The QA sampling plan as of a day and the agents below it that month: lines, or one JSON object."""
    from csdata.analytics import sampling

    lang = _lang()
    wh = _open(args, read_only=True)
    end = args.end or (lookups.ticket_date_range(wh) or (dt.date.today(),) * 2)[1]
    scope = _scope_of(wh, args.as_user)
    found = sampling.plan(wh, end, scope)
    below = sampling.below_plan(wh, found, scope)
    start, _ = sampling.month_of(end)
    if args.json:
        rows = below.astype(object).where(below.notna(), None).to_dict("records")
        out = {"plan": found.as_json(), "month": {"from": start.isoformat(), "to": end.isoformat()}}
        print(json.dumps(out | {"below_plan": rows}, ensure_ascii=False))
        return 0
    print(t("cli_plan_header", lang, end=end))
    if found.n is None:
        print(t("plan_none", lang, start=found.start, end=found.end))
        return 0
    sd, margin = f"{found.sd:.2f}", f"{found.margin:g}"
    print(
        t("plan_sd_text", lang, audits=f"{found.audits:,}", start=found.start, end=found.end) + f" σ = {sd}"
    )
    print(t("plan_n_text", lang, margin=margin, n=found.n, sd=sd))
    print(t("cli_plan_below", lang, start=start, end=end, count=len(below)))
    for r in below.itertuples():
        print(f"  {r.employee_id:<10} {r.audits:>4} (−{r.shortfall})  {r.name}  {r.client} · {r.team}")
    return 0


def cmd_rollups(args) -> int:
    """`csdata rollups check|rebuild`: compare the rollups with the facts, or recompute them."""
    from csdata.store import rollups

    lang = _lang()
    if args.action == "rebuild":
        wh = _open(args)
        started = time.perf_counter()
        with wh.transaction(_actor(), "rollups.rebuild") as w:
            rollups.rebuild(w)
        seconds = time.perf_counter() - started
        sizes = rollups.sizes(wh)
        if args.json:
            print(json.dumps({"rebuilt": True, "seconds": round(seconds, 2), "rows": sizes}))
        else:
            print(t("cli_rollups_rebuilt", lang, seconds=f"{seconds:.1f}", rows=f"{sum(sizes.values()):,}"))
        return 0
    wh = _open(args, read_only=True)
    found = rollups.check(wh)
    sizes = rollups.sizes(wh)
    ok = not any(found.values())
    if args.json:
        tables = {k: {"rows": sizes[k], "differences": v} for k, v in found.items()}
        print(json.dumps({"ok": ok, "tables": tables}))
    else:
        for table, differences in found.items():
            said = dict(table=table, rows=f"{sizes[table]:,}", differences=f"{differences:,}")
            print(
                t("cli_rollups_differ", lang, **said) if differences else t("cli_rollups_same", lang, **said)
            )
    return 0 if ok else 1


def cmd_backup(args) -> int:
    from csdata.store.warehouse import backup

    db = _file(args, "backup")
    target = Path(args.path)
    if target.exists() and not args.force:
        raise UserError("err_exists", path=str(target))
    try:
        size = backup(db, target)
    except OSError as exc:
        raise UserError("err_write", path=str(target), reason=exc.strerror or str(exc)) from None
    print(t("cli_backup_done", _lang(), path=target, size=f"{size / 2**20:,.1f} MiB"), file=sys.stderr)
    return 0


def cmd_restore(args) -> int:
    from csdata.store.warehouse import restore

    db = _file(args, "restore")
    try:
        restore(args.path, db)
    except OSError as exc:
        raise UserError("err_write", path=str(db), reason=exc.strerror or str(exc)) from None
    print(t("cli_restored", _lang(), path=db, source=args.path), file=sys.stderr)
    return 0


def cmd_serve(args) -> int:
    app = Path(__file__).resolve().parent.parent / "app.py"
    env = dict(os.environ)
    db = args.db or _default_db()
    if isinstance(db, Path):
        db = db.resolve()
        if not db.exists():
            raise UserError("err_no_warehouse", path=str(db))
    else:
        from csdata.store.warehouse import Warehouse

        Warehouse(db).close()  # reachable, and migrated before the app's first page
    env["CSDATA_DB"] = str(db)
    if args.address is None:
        from csdata.settings import Settings, SettingsError

        try:
            args.address = Settings.from_env().address
        except SettingsError as exc:
            raise UserError("err_settings", detail=str(exc)) from None
    env["CSDATA_ADDRESS"] = args.address  # the sign-in page reads it (demo hint on loopback only)
    os.chdir(app.parent)  # Streamlit reads .streamlit/config.toml from the working folder
    cmd = [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        str(app),
        "--server.port",
        str(args.port),
        "--server.address",
        args.address,
        "--client.showErrorDetails",
        "none",
        "--server.headless",
        "true",
        "--browser.gatherUsageStats",
        "false",
    ]
    os.execvpe(cmd[0], cmd, env)
    return 0  # not reached


# -- parsing -----------------------------------------------------------------------------------


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # one line, exit 2, like every other user error
        self.exit(2, f"csdata: {message}\n")


def parser() -> argparse.ArgumentParser:
    from csdata.analytics.exports import EXPORTS, FORMATS
    from csdata.records.models import KINDS

    p = _Parser(prog="csdata", description="Customer-service analytics over a DuckDB warehouse.")
    sub = p.add_subparsers(dest="command", required=True, parser_class=_Parser)

    def with_db(sp):
        sp.add_argument(
            "--db",
            type=warehouse_target,
            help="warehouse file, or postgresql://user@host/database (default: CSDATA_DB or data/csdata.duckdb)",
        )
        return sp

    def with_filters(sp) -> None:
        """The period, clients and channels of a reading command (`_filters` checks them)."""
        sp.add_argument("--from", dest="start", type=_date, help="first day (default: first ticket)")
        sp.add_argument("--to", dest="end", type=_date, help="last day, inclusive (default: last ticket)")
        sp.add_argument("--client", action="append", help="only this client (repeatable)")
        sp.add_argument(
            "--channel", action="append", help="only this channel: phone, chat, email (repeatable)"
        )

    def with_as(sp) -> None:
        """`--as USER`: a reading command shows only what that account may see."""
        sp.add_argument(
            "--as",
            dest="as_user",
            metavar="USER",
            help="only what this account may see (default: everything)",
        )

    init = with_db(sub.add_parser("init", help="create a warehouse (with --sample: the demo company)"))
    init.add_argument("--sample", action="store_true", help="fill it with the generated demo company")
    init.add_argument(
        "--tickets", type=int, help="tickets to generate (default: CSDATA_SAMPLE_TICKETS, 300000)"
    )
    init.add_argument("--seed", type=int, default=7, help="random seed of the generator")
    init.add_argument(
        "--as-of",
        dest="as_of",
        type=_date,
        help="the demo's today: its history ends the day before (default: today)",
    )
    init.add_argument(
        "--force",
        action="store_true",
        help="replace an existing warehouse (a PostgreSQL one: its csdata tables dropped and made anew)",
    )
    init.set_defaults(func=cmd_init)

    copy = with_db(
        sub.add_parser(
            "copy", help="copy the warehouse into a new DuckDB file or an empty PostgreSQL database"
        )
    )
    copy.add_argument(
        "target", type=warehouse_target, help="a new warehouse file, or postgresql://user@host/database"
    )
    copy.add_argument(
        "--json", action="store_true", help='one JSON object: {"tables": {table: rows}, "seconds"}'
    )
    copy.set_defaults(func=cmd_copy)

    kpi = with_db(sub.add_parser("kpi", help="print the metrics for a period"))
    with_filters(kpi)
    kpi.add_argument("--team", action="append", help="only this team (repeatable)")
    kpi.add_argument("--agent", action="append", help="only this agent, by employee ID (repeatable)")
    kpi.add_argument("--metric", action="append", help="only this metric (repeatable)")
    kpi.add_argument("--json", action="store_true", help="one JSON object: metric -> value")
    kpi.add_argument(
        "--ci",
        action="store_true",
        help='with each value its 95 %% interval and n (JSON: metric -> {"value", "low", "high", "n"})',
    )
    kpi.set_defaults(func=cmd_kpi)

    export = with_db(sub.add_parser("export", help="write a record kind in its canonical format"))
    export.add_argument("table", help=", ".join(EXPORTS))
    export.add_argument("--format", choices=FORMATS, default="csv")
    export.add_argument("--out", help="output file (default: TABLE.FORMAT; - for standard output)")
    export.add_argument(
        "--as",
        dest="as_user",
        metavar="USER",
        help="only what this account may see (default: everything, as the operator who holds the file)",
    )
    export.set_defaults(func=cmd_export)

    imp = with_db(sub.add_parser("import", help="import a CSV or XLSX file of one record kind"))
    imp.add_argument("kind", help=", ".join(KINDS))
    imp.add_argument("file")
    imp.add_argument(
        "--mapping", help="a saved column mapping (TOML) for files whose columns differ from ours"
    )
    imp.add_argument("--strict", action="store_true", help="import nothing if any row is rejected")
    imp.add_argument("--create-missing", action="store_true", help="create unknown clients, employees, teams")
    imp.add_argument("--day-first", action="store_true", help="read 05-03-2026 as 5 March")
    imp.add_argument("--json", action="store_true", help="print one JSON object")
    imp.add_argument(
        "--update",
        action="store_true",
        help="correct present records whose values differ (kept in their history)",
    )
    imp.add_argument("--reason", help="why the records are corrected, kept in their history (with --update)")
    imp.add_argument(
        "--effective",
        type=dt.date.fromisoformat,
        help="the day a change of an employee's team, client, position, grade or status takes effect "
        "(YYYY-MM-DD; default today)",
    )
    imp.set_defaults(func=cmd_import)

    hist = with_db(sub.add_parser("history", help="a record's versions: created, then each correction"))
    hist.add_argument("kind", help=", ".join(EXPORTS))
    hist.add_argument("id", help="the record's id; a key of several columns joined by / (E001/Course/1)")
    hist.add_argument("--json", action="store_true", help="one JSON list")
    hist.set_defaults(func=cmd_history)

    void = with_db(
        sub.add_parser("void", help="void a record: out of every metric and listing, kept in its history")
    )
    void.add_argument("kind", help="tickets, audits, training, appraisals")
    void.add_argument("id", help="the record's id; a key of several columns joined by / (E001/Course/1)")
    void.add_argument("--reason", help="why it is voided (required), kept in its history")
    void.add_argument("--json", action="store_true", help="what the history keeps, as JSON")
    void.set_defaults(func=cmd_void)

    user = sub.add_parser("user", help="manage accounts: add, passwd, disable, enable, list")
    actions = user.add_subparsers(dest="action", required=True, parser_class=_Parser)
    add = with_db(actions.add_parser("add", help="add an account (password asked, or read from stdin)"))
    add.add_argument("name")
    add.add_argument("--role", required=True, help="admin, exec, supervisor, qa, hr, finance, client")
    add.add_argument("--client", action="append", help="a client this account is limited to (repeatable)")
    add.add_argument("--team", action="append", help="a team this account is limited to (repeatable)")
    add.add_argument("--email", help="e-mail that single sign-on maps to this account")
    add.add_argument("--employee", help="the employee id (工号) of the person who uses the account")
    for action in ("passwd", "disable", "enable"):
        with_db(actions.add_parser(action, help=f"{action} an account")).add_argument("name")
    with_db(actions.add_parser("list", help="list accounts"))
    user.set_defaults(func=cmd_user)

    appr = sub.add_parser(
        "appraisals", help="confirm the imported appraisals of a period; close or reopen a period"
    )
    appr_actions = appr.add_subparsers(dest="action", required=True, parser_class=_Parser)
    confirm = with_db(
        appr_actions.add_parser(
            "confirm", help="confirm a period's unconfirmed appraisals (all, or --employee)"
        )
    )
    confirm.add_argument("period", help="the appraisal period, e.g. 2026-Q1")
    confirm.add_argument("--employee", action="append", help="only this employee's appraisal (repeatable)")
    close = with_db(appr_actions.add_parser("close", help="close a period: its appraisals are locked"))
    close.add_argument("period", help="the appraisal period, e.g. 2026-Q1")
    reopen = with_db(appr_actions.add_parser("reopen", help="reopen a closed period, with a reason"))
    reopen.add_argument("period", help="the appraisal period, e.g. 2026-Q1")
    reopen.add_argument("--reason", required=True, help="why it is reopened, kept in the audit log")
    appr.set_defaults(func=cmd_appraisals)

    pol = sub.add_parser("policy", help="the management policy: show, load a file, list versions")
    pol_actions = pol.add_subparsers(dest="action", required=True, parser_class=_Parser)
    show = with_db(pol_actions.add_parser("show", help="print the version in force today (or on --on)"))
    show.add_argument("--on", type=_date, help="the version in force on this day (YYYY-MM-DD)")
    show.add_argument("--json", action="store_true", help="the JSON the Policy page downloads")
    load = with_db(
        pol_actions.add_parser("load", help="save a policy file (JSON, as downloaded) as the next version")
    )
    load.add_argument("file")
    load.add_argument("--effective", required=True, type=_date, help="the day it takes effect (YYYY-MM-DD)")
    history = with_db(pol_actions.add_parser("history", help="list the versions with what each changed"))
    history.add_argument("--json", action="store_true", help="one JSON list")
    pol.set_defaults(func=cmd_policy)

    pay = with_db(sub.add_parser("payroll", help="a month's payroll: base, seniority, performance, bonus"))
    pay.add_argument("month", help="the month, YYYY-MM")
    pay.add_argument("--xlsx", metavar="FILE", help="write the payroll to this Excel file")
    pay.add_argument("--json", action="store_true", help="one JSON list, a row per person")
    with_as(pay)
    pay.set_defaults(func=cmd_payroll)

    fin = with_db(sub.add_parser("finance", help="each client's revenue, cost and margin per month"))
    fin.add_argument(
        "--from", dest="start", type=_date, help="a day of the first month (default: first ticket)"
    )
    fin.add_argument("--to", dest="end", type=_date, help="a day of the last month (default: last ticket)")
    fin.add_argument("--client", action="append", help="only this client (repeatable)")
    fin.add_argument("--json", action="store_true", help="one JSON list, a row per client and month")
    with_as(fin)
    fin.set_defaults(func=cmd_finance)

    breaches = with_db(
        sub.add_parser(
            "breaches", help="the compliance queue: every breach of the policy's rules as of a day"
        )
    )
    breaches.add_argument(
        "--as-of", dest="as_of", type=_date, help="evaluate as of this day (default: today)"
    )
    breaches.add_argument("--rule", action="append", help="only this rule (repeatable)")
    breaches.add_argument("--client", action="append", help="only this client (repeatable)")
    with_as(breaches)
    breaches.add_argument(
        "--json",
        action="store_true",
        help="one JSON list: rule, subject_kind, subject_id, employee_id, client, team, since, age_days, "
        "owner_role, state",
    )
    breaches.set_defaults(func=cmd_breaches)

    plan = with_db(
        sub.add_parser("plan", help="the QA sampling plan: audits per agent per month, and who is below it")
    )
    plan.add_argument("--to", dest="end", type=_date, help="the period's last day (default: last ticket)")
    with_as(plan)
    plan.add_argument(
        "--json",
        action="store_true",
        help="one JSON object: plan (from, to, audits, sd, margin, n), month (from, to), below_plan "
        "(employee_id, name, client, team, audits, shortfall)",
    )
    plan.set_defaults(func=cmd_plan)

    from csdata.demo import bench

    timing = sub.add_parser("bench", help="time every dashboard page at scale: script, queries, browser")
    bench.add_arguments(timing)
    timing.set_defaults(
        func=lambda a: bench.run(
            a.db,
            a.tickets,
            a.repeat,
            a.json,
            a.page,
            _lang(),
            a.range,
            a.browser,
            a.concurrent,
            a.protocol_only,
        )  # fmt: skip
    )

    spc = with_db(sub.add_parser("spc", help="a metric's weekly control chart: centre, limits and signals"))
    spc.add_argument("metric", help="a rate or a mean of the catalog (answer_rate, qa_score, ...)")
    with_filters(spc)
    spc.add_argument(
        "--json",
        action="store_true",
        help='one JSON object: {"metric", "center", "points": [{"week", "value", "n", "lcl", "ucl", "signal"}]}',
    )
    spc.set_defaults(func=cmd_spc)

    eff = with_db(
        sub.add_parser(
            "effects", help="the measured effect of every done corrective action and coaching session"
        )
    )
    eff.add_argument("--from", dest="start", type=_date, help="first effect date (YYYY-MM-DD)")
    eff.add_argument("--to", dest="end", type=_date, help="last effect date, inclusive (YYYY-MM-DD)")
    eff.add_argument("--json", action="store_true", help="one JSON object: actions and by_kind")
    eff.set_defaults(func=cmd_effects)

    cal = with_db(
        sub.add_parser(
            "calibration",
            help="QA calibration: the auditors' agreement per criterion and each auditor's deviation",
        )
    )
    cal.add_argument("--from", dest="start", type=_date, help="first audit day (YYYY-MM-DD)")
    cal.add_argument("--to", dest="end", type=_date, help="last audit day, inclusive (YYYY-MM-DD)")
    with_as(cal)
    cal.add_argument(
        "--json",
        action="store_true",
        help="one JSON object: alpha (criterion -> value, and score), sets, auditors",
    )
    cal.set_defaults(func=cmd_calibration)

    roll = with_db(
        sub.add_parser(
            "rollups",
            help="compare the rollups the dashboards read with the facts (check), or recompute them (rebuild)",
        )
    )
    roll.add_argument("action", choices=("check", "rebuild"))
    roll.add_argument("--json", action="store_true", help="print the result as JSON")
    roll.set_defaults(func=cmd_rollups)

    back = with_db(
        sub.add_parser("backup", help="write a consistent copy of the warehouse, even while the app serves")
    )
    back.add_argument("path", help="the copy to write")
    back.add_argument("--force", action="store_true", help="replace an existing file at PATH")
    back.set_defaults(func=cmd_backup)
    rest = with_db(sub.add_parser("restore", help="put a backup in place of the warehouse (app stopped)"))
    rest.add_argument("path", help="the backup to restore")
    rest.set_defaults(func=cmd_restore)

    serve = with_db(sub.add_parser("serve", help="serve the app"))
    serve.add_argument("--port", type=int, default=int(os.environ.get("PORT", 8501)))
    serve.add_argument(
        "--address",
        help="address to listen on (default: CSDATA_ADDRESS, 127.0.0.1; 0.0.0.0 = every interface)",
    )
    serve.set_defaults(func=cmd_serve)
    return p


def main(argv: list[str] | None = None) -> int:
    from csdata.store.warehouse import WarehouseError

    args = parser().parse_args(argv)
    lang = _lang()
    try:
        return args.func(args)
    except (Problem, WarehouseError) as exc:  # user errors of every layer: one translated line
        message = t(exc.key, lang, **exc.params)
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # The reader went away (`| head`): what the command did is done, and there is no one
        # left to tell. Python's own flush at exit would fail again, so it writes to nowhere.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 141  # as a command killed by SIGPIPE reports itself
    except Exception as exc:  # last resort: still one line, never a traceback
        message = t(
            "err_unexpected", lang, kind=type(exc).__name__, detail=(str(exc).splitlines() or [""])[0][:300]
        )
    print(f"csdata: {message}", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
