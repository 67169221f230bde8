"""The ``crmsim`` command: run a scenario or a policy file, compare policies, list scenarios.

::

    crmsim run [--scenario NAME | --policy FILE.toml] [--weeks N] [--customers N] [--seed S]
               [--network KIND] [--out DIR]
    crmsim compare A.toml B.toml [...] [--replications 30] [--weeks N] [--customers N]
               [--seed S] [--network KIND] [--out DIR] [--workers N] [--scheduler ADDRESS]
               [--streams sequential|keyed]
    crmsim sweep DESIGN.toml [--replications N] [--weeks N] [--customers N] [--seed S]
               [--network KIND] [--out DIR] [--workers N] [--scheduler ADDRESS]
               [--streams sequential|keyed]
    crmsim optimize [POLICY] --lever NAME LOW HIGH [--lever ...] [--kpi profit] [--trials 30]
               [--replications 10] [--budget MONEY] [--weeks N] [--customers N] [--seed S]
               [--out DIR] [--workers N] [--scheduler ADDRESS] [--streams sequential|keyed]
    crmsim scenarios
    crmsim app [--host 127.0.0.1] [--port 8765] [--game DIR]
    crmsim game new CONFIG.toml --out DIR [--force]
    crmsim game round DIR [DECISIONS]
    crmsim game report DIR [--out DIR] [--what-if TEAM LEVER=VALUE[,...]]

Every command takes ``--lang en|fa`` (before the command's name or after it): the language
of what it prints, ``CRMSIM_LANG`` or else English by default. Files keep English column
and file names whatever the language.

Bad input (an unknown scenario, a missing file, a value out of range) gives a one-line
error on stderr and exit code 2; an interrupted run (Ctrl-C) still writes what it has and
exits with 130, the shell's code for an interrupt.
"""

from __future__ import annotations

import argparse
import contextlib
import sys
import time
import tomllib
import unicodedata
from collections.abc import Iterator, Sequence
from itertools import zip_longest
from pathlib import Path
from typing import Any, NoReturn

import numpy as np
import pandas as pd

import crmsim
from crmsim import analysis, i18n, scenarios, tomlfile
from crmsim.i18n import _, format_number, ngettext, pgettext
from crmsim.levers import Market, Policy, Population
from crmsim.model import FORMER_COLUMNS, STAGE_COLUMNS, TIER_COLUMNS, CRMModel, LossLog
from crmsim.network import NETWORK_KINDS
from crmsim.scenarios import Scenario
from crmsim.stages import CHURN_CAUSES
from crmsim.streams import STREAM_MODES

#: Tables that make a TOML file a scenario-style file rather than a bare policy.
SCENARIO_TABLES = frozenset({"scenario", "policy", "market", "population"})
DEFAULT_SCENARIO = "baseline"
DEFAULT_CUSTOMERS = 2_000
#: Exit code of a run stopped with Ctrl-C (128 + SIGINT), as shells report it.
EXIT_INTERRUPTED = 130


class UsageError(Exception):
    """Bad command-line input: reported in one line, exit code 2."""


class _Parser(argparse.ArgumentParser):
    # argparse prints the whole usage block and exits; one line is kinder, and raising lets
    # main() return an exit code instead of ending the interpreter (tests call main()).
    def error(self, message: str) -> NoReturn:
        raise UsageError(f"{message} (see '{self.prog} --help')")


def _int_at_least(low: int):
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"must be an integer >= {low}, got {text!r}") from None
        if value < low:
            raise argparse.ArgumentTypeError(f"must be an integer >= {low}, got {value}")
        return value

    return parse


# ---------------------------------------------------------------------------- inputs
def load_input(source: str) -> Scenario:
    """A scenario from a bundled scenario's name or a TOML file.

    A TOML file with any of the tables ``[scenario]``, ``[policy]``, ``[market]`` or
    ``[population]`` is read like a bundled scenario (:func:`crmsim.scenarios.from_dict`);
    otherwise its top-level keys are a policy's fields (:meth:`crmsim.Policy.from_toml`).

    Parameters
    ----------
    source : str
        A scenario name (see ``crmsim scenarios``) or the path of a ``.toml`` file.

    Returns
    -------
    crmsim.scenarios.Scenario
        Named after the scenario or the file's stem.

    Raises
    ------
    UsageError
        If the file is missing, is not TOML, or holds bad values.
    """
    path = Path(source)
    if path.suffix.lower() != ".toml" and not path.is_file():
        try:
            return scenarios.load(source)
        except ValueError as err:
            raise UsageError(str(err)) from None
    if not path.is_file():
        raise UsageError(f"no such policy file: {path}")
    try:
        data = tomlfile.read(path)
    except ValueError as err:
        raise UsageError(str(err)) from None
    try:
        if SCENARIO_TABLES & set(data):
            return scenarios.from_dict(path.stem, data)
        policy = Policy.from_toml(path)
    except ValueError as err:
        raise UsageError(f"{path}: {err}") from None
    return Scenario(
        name=path.stem,
        title=f"Policy from {path.name}",
        description="",
        weeks=156,
        kwargs={"policy": policy},
    )


# ---------------------------------------------------------------------------- run
def _count(value: float) -> str:
    return format_number(int(value), ",")


def _money(value: float) -> str:
    return format_number(round(value), ",")  # round() first, so a tiny loss is not "-0"


def _weeks(n: int) -> str:
    return ngettext("{count} week", "{count} weeks", n).format(count=format_number(n))


def _join(items: Sequence[str]) -> str:
    return _(", ").join(items)


def _width(text: str) -> int:
    # Columns as a terminal shows them: Persian's zero-width non-joiner and the marks set
    # above a letter (the ezafe of "هفتهٔ") take no room of their own.
    return sum(unicodedata.category(char) not in ("Mn", "Cf") for char in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _width(text))


def _row(label: str, value: str) -> str:
    # a label column as wide as the longest English label and a space, so values line up
    return f"  {_pad(label, 19)} {value}"


def summarize(
    scenario: Scenario,
    frame: pd.DataFrame,
    quarterly: pd.DataFrame,
    *,
    weeks_planned: int,
    n_customers: int,
    seed: int,
    network: str,
    runtime: float,
    interrupted: bool = False,
    equity: float | None = None,
) -> str:
    """A short, readable account of a run, as written to ``summary.txt``.

    Parameters
    ----------
    scenario : crmsim.scenarios.Scenario
        What was run.
    frame : pandas.DataFrame
        The weekly frame (at least one week).
    quarterly : pandas.DataFrame
        ``crmsim.analysis.period_churn(frame, 13)``.
    weeks_planned, n_customers, seed : int
        The run's settings.
    network : str
        The kind of social network.
    runtime : float
        Seconds the simulation took.
    interrupted : bool
        Whether the run was stopped before ``weeks_planned`` weeks.
    equity : float, optional
        The customer equity at the end (:func:`crmsim.analysis.customer_equity`); with it
        the summary also gives the customer lifetime value.

    Returns
    -------
    str
        Several lines of text, ending with a newline.
    """
    last = frame.iloc[-1]
    done = len(frame)
    lines = [
        scenario.title,
        "  "
        + _(
            "scenario {name} · {customers} people in the market · {weeks} · seed {seed} · "
            "{network} network"
        ).format(
            name=scenario.name,
            customers=_count(n_customers),
            weeks=_weeks(done),
            seed=format_number(seed),
            network=network,
        ),
    ]
    if interrupted:
        lines.append(
            "  "
            + _("INTERRUPTED after {done} of {planned} weeks: these are partial results").format(
                done=format_number(done), planned=format_number(weeks_planned)
            )
        )
    # the widest name sets a column's width: a translated name may be longer than English ones
    stage_names = {s: pgettext("stage", s) for s in STAGE_COLUMNS}
    tier_names = {
        t: pgettext("tier", t.replace("_", " ")) for t in (*TIER_COLUMNS, *FORMER_COLUMNS)
    }
    stage_width = max(13, *map(_width, stage_names.values())) + 7
    tier_width = max(16, *map(_width, tier_names.values())) + 7
    lines += [
        "",
        _("At the end (week {week})").format(week=format_number(int(last["week"]))),
        _row(
            _("active customers"),
            _("{active} of {total}").format(
                active=_count(last["active"]), total=_count(n_customers)
            ),
        ),
        "",
        f"  {_pad(_('stage'), stage_width)}     {_('tier')}",
    ]
    stages = [
        f"{_pad(name, stage_width - 7)}{_count(last[s]):>7}" for s, name in stage_names.items()
    ]
    # former customers by the highest tier they reached (a frame from before they were
    # counted has none: its prospects include them)
    tiers = [
        f"{_pad(name, tier_width - 7)}{_count(last[t]):>7}"
        for t, name in tier_names.items()
        if t in last
    ]
    for stage, tier in zip_longest(stages, tiers, fillvalue=" " * stage_width):
        lines.append(f"  {stage}     {tier}".rstrip())

    causes = {c: int(frame[f"lost_{c}"].sum()) for c in CHURN_CAUSES}
    if not causes["moved"]:
        del causes["moved"]  # a closed market: nobody can leave the category
    by_size = " · ".join(
        f"{pgettext('cause', c)} {_count(n)}"
        for c, n in sorted(causes.items(), key=lambda kv: -kv[1])
    )
    churn = quarterly["churn"].dropna() if len(quarterly) else pd.Series(dtype=float)
    if len(churn):
        churn_text = _(
            "{mean} on average over {quarters} quarter(s) (lowest {lowest}, highest {highest})"
        ).format(
            mean=format_number(churn.mean(), ".1%"),
            quarters=format_number(len(churn)),
            lowest=format_number(churn.min(), ".1%"),
            highest=format_number(churn.max(), ".1%"),
        )
    else:
        churn_text = _("n/a (no complete 13-week quarter that started with customers)")
    acquired = _("{acquired} new customers, {won_back} won back").format(
        acquired=_count(frame["acquired"].sum()), won_back=_count(frame["won_back"].sum())
    )
    if frame["returned"].any():
        acquired += _(", {returned} came back on their own").format(
            returned=_count(frame["returned"].sum())
        )
    lines += [
        "",
        (_("Over the {weeks}") if done > 1 else _("Over {weeks}")).format(weeks=_weeks(done)),
        _row(_("acquired"), acquired),
        _row(_("lost"), f"{_count(frame['lost'].sum())}: {by_size}"),
        _row(_("churn per quarter"), churn_text),
        _row(
            _("referrals"),
            _("{referred} friends referred, {converted} became customers").format(
                referred=_count(frame["referrals"].sum()),
                converted=_count(frame["referral_conversions"].sum()),
            ),
        ),
        _row(
            _("negative word"),
            _("{told} people told").format(told=_count(frame["negative_wom"].sum())),
        ),
        _row(_("revenue"), _money(frame["revenue"].sum())),
        _row(_("cost"), _money(frame["cost"].sum())),
        _row(_("profit"), _money(frame["profit"].sum())),
    ]
    if equity is not None:
        value = analysis.lifetime_value(frame, equity)
        clv = _money(value) if np.isfinite(value) else _("n/a (nobody acquired)")
        rate = format_number(round(100 * analysis.ANNUAL_DISCOUNT_RATE, 2), "g")
        lines += [
            "",
            _row(
                _("customer equity"),
                _("{equity} (future margin of the active, {rate} %/year)").format(
                    equity=_money(equity), rate=rate
                ),
            ),
            _row(
                _("lifetime value"),
                _("{clv} per customer acquired (margin so far + equity)").format(clv=clv),
            ),
        ]
    lines += [
        "",
        _("Runtime {seconds} s").format(seconds=format_number(runtime, ".1f")),
    ]
    return "\n".join(lines) + "\n"


def _simulate(model: CRMModel, weeks: int) -> bool:
    """Run week by week; return True if stopped by Ctrl-C (the weeks done are kept)."""
    from tqdm.auto import tqdm

    try:
        # Our own bar rather than model.run's, so an interrupt leaves whole weeks behind.
        with tqdm(total=weeks, unit="week", delay=1.0, leave=False) as bar:
            for _week in range(weeks):
                model.run(1, progress=False)
                bar.update()
    except KeyboardInterrupt:
        return True
    return False


def _write_run(
    out: Path, scenario: Scenario, model: CRMModel, summary_args: dict[str, Any]
) -> list[Path]:
    frame = model.datacollector.get_model_vars_dataframe()
    last_week = int(frame["week"].iloc[-1])
    # A Ctrl-C inside a week can leave that unfinished week's departures in the log.
    losses = model.losses
    losses = losses[losses["week"] <= last_week]
    frame.attrs["losses"] = LossLog(losses)
    quarterly = analysis.period_churn(frame, 13)

    paths = [out / "weekly.csv", out / "losses.csv", out / "quarterly_churn.csv"]
    frame.to_csv(paths[0], index=False)
    losses.to_csv(paths[1], index=False)
    quarterly.to_csv(paths[2], index=False)
    from crmsim import plots  # loaded only when needed: matplotlib takes a while to import

    paths += plots.save_standard_figures(frame, out, label=scenario.name)
    equity = analysis.customer_equity(model)["equity"] if len(frame) else None
    summary = summarize(scenario, frame, quarterly, **summary_args, equity=equity)
    paths.append(out / "summary.txt")
    paths[-1].write_text(summary, encoding="utf-8")
    print(summary)
    return paths


def check_memory(n_customers: int) -> None:
    """Refuse, with an estimate, a market too large for this machine's free memory.

    A run needs about ``BYTES_PER_CUSTOMER`` bytes per person (state, network and the
    week's arrays: 665 MB at 1,000,000, ``docs/benchmarks.md``), plus the imports.
    """
    needed = BYTES_PER_CUSTOMER * n_customers
    available = _available_memory()
    if available is not None and needed > available:
        raise UsageError(
            f"--customers {n_customers:,} would need about {needed / 1e9:,.1f} GB of memory; "
            f"this machine has about {available / 1e9:,.1f} GB free"
        )


#: Memory a run needs per person, rounded up from the 1,000,000-customer benchmark.
BYTES_PER_CUSTOMER = 800


def _available_memory() -> int | None:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemAvailable:"):
                return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    return None


def prepare_out(out: Path, force: bool) -> None:
    """Create the results folder ``out``, refusing one that already holds something.

    Results are never silently replaced or mixed with an earlier run's: a folder that is
    not empty needs ``--force`` (which replaces the files this command writes).
    """
    if out.exists() and not out.is_dir():
        raise UsageError(f"--out {out} is a file, not a folder")
    if out.is_dir() and any(out.iterdir()) and not force:
        raise UsageError(
            f"--out {out} already holds results; add --force to replace them, "
            "or choose another folder"
        )
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise UsageError(f"cannot create the output folder {out}: {err.strerror or err}") from None


def _prepare_resumable_out(out: Path, force: bool, manifest: str) -> None:
    """The results folder of a sweep or a comparison, which resume from their run log.

    A folder holding such a log (its ``manifest``) is resumed: the log itself refuses runs
    of other settings. ``force`` starts afresh; anything else already there is kept apart
    as in :func:`prepare_out`.
    """
    from crmsim.experiments import runlog

    if force or not (out / manifest).is_file():
        prepare_out(out, force)
        for name in (manifest, runlog.RUN_LOG):
            (out / name).unlink(missing_ok=True)


def _print_written(paths: Sequence[Path], out: Path) -> None:
    print(
        _("Wrote {count} files to {folder}/: {names}").format(
            count=format_number(len(paths)), folder=out, names=_join([p.name for p in paths])
        )
    )


def _cmd_run(args: argparse.Namespace) -> int:
    if args.policy is not None and not args.policy.strip():
        raise UsageError("--policy must name a TOML file or a scenario, got an empty name")
    scenario = load_input(args.policy if args.policy else args.scenario or DEFAULT_SCENARIO)
    weeks = args.weeks if args.weeks is not None else scenario.weeks
    n_customers = args.customers or scenario.kwargs.get("n_customers", DEFAULT_CUSTOMERS)
    out = Path(args.out) if args.out else Path("results") / scenario.name
    check_memory(n_customers)
    try:
        model = CRMModel(
            **(scenario.kwargs | {"n_customers": n_customers}), network=args.network, rng=args.seed
        )
    except ValueError as err:
        raise UsageError(str(err)) from None
    # Fail before a long run, not after it, if the results cannot be written.
    prepare_out(out, args.force)

    started = time.perf_counter()
    interrupted = _simulate(model, weeks)
    runtime = time.perf_counter() - started
    if model.week == 0:
        print(_("Interrupted before the first week was done; nothing written."), file=sys.stderr)
        return EXIT_INTERRUPTED

    summary_args = {
        "weeks_planned": weeks,
        "n_customers": n_customers,
        "seed": args.seed,
        "network": args.network,
        "runtime": runtime,
        "interrupted": interrupted,
    }
    paths = _write_run(out, scenario, model, summary_args)
    _print_written(paths, out)
    if interrupted:
        print(
            _(
                "Interrupted after {done} of {planned} weeks; the files hold the weeks completed."
            ).format(done=format_number(model.week), planned=format_number(weeks)),
            file=sys.stderr,
        )
        return EXIT_INTERRUPTED
    return 0


# ---------------------------------------------------------------------------- compare
def _shared(inputs: dict[str, Scenario], table: str) -> Any:
    # A bare policy file has no [market]: it means the default market, like an empty table.
    default = {"market": Market, "population": Population}[table]()
    values = [s.kwargs.get(table) or default for s in inputs.values()]
    if any(v != values[0] for v in values[1:]):
        raise UsageError(
            f"the inputs differ in their [{table}] table, but compare varies only the policy: "
            f"give every file the same [{table}] (or none)"
        )
    return values[0]


def _agreed(values: list[int], default: int) -> int:
    return values[0] if values and all(v == values[0] for v in values) else default


def _cmd_compare(args: argparse.Namespace) -> int:
    from crmsim import experiments  # loaded only when needed, like plots
    from crmsim.experiments import runlog

    inputs: dict[str, Scenario] = {}
    for source in args.inputs:
        scenario = load_input(source)
        if scenario.name in inputs:
            raise UsageError(
                f"two inputs are both named {scenario.name!r}; rename one of the files"
            )
        inputs[scenario.name] = scenario
    if len(inputs) < 2:
        raise UsageError("compare needs at least two policies (files or scenario names)")
    out = Path(args.out) if args.out else None
    if out is not None:  # checked before any run, not after all of them
        _prepare_resumable_out(out, args.force, runlog.COMPARE_MANIFEST)
    weeks = args.weeks or _agreed([s.weeks for s in inputs.values()], 156)
    n_customers = args.customers or _agreed(
        [s.kwargs.get("n_customers", DEFAULT_CUSTOMERS) for s in inputs.values()], DEFAULT_CUSTOMERS
    )
    check_memory(n_customers)
    try:
        result = experiments.compare(
            {name: s.policy for name, s in inputs.items()},
            replications=args.replications,
            weeks=weeks,
            n_customers=n_customers,
            seed=args.seed,
            market=_shared(inputs, "market"),
            population=_shared(inputs, "population"),
            network=args.network,
            workers=args.workers,
            scheduler=args.scheduler,
            out_dir=out,
            streams=args.streams,
        )
    except ValueError as err:
        raise UsageError(str(err)) from None
    except KeyboardInterrupt:
        if out is None:
            message = _("Interrupted; a comparison needs all its runs, so nothing was written.")
        else:
            message = _(
                "Interrupted; the runs finished are in {folder}; run the same command again to "
                "resume."
            ).format(folder=out)
        print(message, file=sys.stderr)
        return EXIT_INTERRUPTED

    print(
        _(
            "{replications} replications of {weeks} weeks, {customers} customers, common random "
            "numbers (seed {seed}, {network} network, {streams} streams)"
        ).format(
            replications=format_number(result.replications),
            weeks=format_number(weeks),
            customers=_count(n_customers),
            seed=format_number(args.seed),
            network=args.network,
            streams=args.streams,
        )
    )
    print(_("Mean [95% confidence interval]") + "\n")
    print(result.to_text())
    reference = result.policies[0]
    diffs = result.differences(reference)
    if len(diffs):
        print(
            "\n"
            + _(
                "Difference from {reference}, paired by replication: mean [95% confidence "
                "interval], relative to it, Holm-adjusted p"
            ).format(reference=reference)
            + "\n"
        )
        for name in result.policies[1:]:
            print(f"{name} - {reference}")
            for kpi, row in diffs.xs(name, level="policy").iterrows():
                text = experiments.format_difference(
                    kpi, row["mean"], row["ci_low"], row["ci_high"]
                )
                relative = (
                    format_number(row["relative"], "+.1%") if np.isfinite(row["relative"]) else ""
                )
                p_holm = (
                    "p=" + format_number(row["p_holm"], ".3f") if np.isfinite(row["p_holm"]) else ""
                )
                credible = np.isfinite(row["p_holm"]) and row["p_holm"] < 0.05
                label = experiments.kpi_label(kpi)
                line = (
                    f"  {label:<22} {text:<34} {relative:>8}  {p_holm}{'  *' if credible else ''}"
                )
                print(line.rstrip())
        print(
            "\n"
            + _(
                "pp: percentage points. * credible at 5 % after Holm's correction for testing "
                "{count} differences at once"
            ).format(count=format_number(int(diffs["p_holm"].notna().sum())))
        )
    returns = result.returns(reference) if len(diffs) else None
    if returns is not None and returns["return"].notna().any():
        print(
            "\n"
            + _(
                "Return per unit of lever cost over {reference}, paired: extra profit per extra "
                "unit spent on discounts,\nservice, respect, complaints, channels, gifts, "
                "rewards, win-back and advertising (profit is net of it: 0 breaks even)"
            ).format(reference=reference)
            + "\n"
        )
        for name, row in returns.iterrows():
            extra = format_number(row["extra_spending"], "+,.0f")
            if not np.isfinite(row["return"]):
                print(f"  {name:<22} " + _("spends no more ({extra})").format(extra=extra))
                continue
            interval = ""
            if np.isfinite(row["ci_low"]):
                low, high = (format_number(row[k], "+.2f") for k in ("ci_low", "ci_high"))
                interval = f"[{_join([low, high])}]"
            line = _("{ratio} {interval} per unit, spending {extra}, profit {gain}").format(
                ratio=format_number(row["return"], "+.2f"),
                interval=interval,
                extra=extra,
                gain=format_number(row["gain"], "+,.0f"),
            )
            print(f"  {name:<22} {line}".rstrip())
    if out is not None:
        try:
            paths = [out / "runs.csv", out / "summary.csv"]
            result.runs.to_csv(paths[0], index=False)
            result.summary().to_csv(paths[1])
            if len(diffs):
                paths.append(out / "differences.csv")
                diffs.to_csv(paths[-1])
            if returns is not None:
                paths.append(out / "returns.csv")
                returns.to_csv(paths[-1])
            paths.append(out / "compare.png")
            result.plot_kpis().savefig(paths[-1], dpi=120)
            if len(diffs):
                paths.append(out / "differences.png")
                result.plot_differences().savefig(paths[-1], dpi=120)
        except OSError as err:
            raise UsageError(f"cannot write to {out}: {err.strerror or err}") from None
        print(
            "\n"
            + _("Wrote {count} files to {folder}/").format(
                count=format_number(len(paths)), folder=out
            )
        )
    return 0


# ---------------------------------------------------------------------------- sweep
def _where(scheduler: str | None) -> str:
    if scheduler:
        return _("Dask cluster {address}").format(address=scheduler)
    return _("local processes")


def _print_resumable_interrupt(out: Path) -> None:
    print(
        _(
            "Interrupted; the finished runs are saved in {folder}/. Run the same command again "
            "to resume."
        ).format(folder=out),
        file=sys.stderr,
    )


#: KPIs drawn by ``crmsim sweep`` (each with its confidence intervals) and as response surfaces.
SWEEP_KPIS = ("churn", "acquired", "profit", "clv")
SURFACE_KPIS = ("churn", "profit")


def _cmd_sweep(args: argparse.Namespace) -> int:
    if args.customers:
        check_memory(args.customers)
    from crmsim import experiments  # loaded only when needed, like plots
    from crmsim.experiments import runlog

    try:
        design, options = experiments.read_design(args.design)
    except ValueError as err:
        raise UsageError(str(err)) from None
    # the command line overrides the design file's [base], which overrides the defaults
    given = {
        "replications": args.replications,
        "weeks": args.weeks,
        "n_customers": args.customers,
        "seed": args.seed,
        "network": args.network,
    }
    options.update({key: value for key, value in given.items() if value is not None})
    out = Path(args.out) if args.out else Path("results") / f"sweep_{Path(args.design).stem}"
    _prepare_resumable_out(out, args.force, runlog.SWEEP_MANIFEST)
    points, replications = len(design), options.get("replications", 10)
    print(
        _(
            "Sweep {design}: {points} design point(s) x {replications} replications on {where}; "
            "runs saved to {folder}/ as they finish"
        ).format(
            design=args.design,
            points=format_number(points),
            replications=format_number(replications),
            where=_where(args.scheduler),
            folder=out,
        )
    )
    try:
        result = experiments.sweep(
            design,
            out_dir=out,
            workers=args.workers,
            scheduler=args.scheduler,
            streams=args.streams,
            **options,
        )
    except ValueError as err:
        raise UsageError(str(err)) from None
    except OSError as err:  # the output folder, or a scheduler that cannot be reached
        raise UsageError(str(err) or type(err).__name__) from None
    except KeyboardInterrupt:
        _print_resumable_interrupt(out)
        return EXIT_INTERRUPTED

    print(
        "\n"
        + _(
            "{replications} replications of {weeks} weeks, {customers} customers, common random "
            "numbers (seed {seed}, {streams} streams)"
        ).format(
            replications=format_number(result.replications),
            weeks=format_number(result.weeks),
            customers=_count(result.n_customers),
            seed=format_number(result.seed),
            streams=result.streams,
        )
    )
    print(_("Mean [95% confidence interval]") + "\n")
    print(result.to_text())
    try:
        paths = [out / "runs.csv", out / "summary.csv"]
        result.runs.to_csv(paths[0], index=False)
        result.summary().to_csv(paths[1])
        paths.append(out / "sweep_kpis.png")
        result.plot_kpis(SWEEP_KPIS).savefig(paths[-1], dpi=120)
        if len(result.parameters) >= 2:
            for kpi in SURFACE_KPIS:
                paths.append(out / f"sweep_surface_{kpi}.png")
                result.plot_surface(kpi).savefig(paths[-1], dpi=120)
    except OSError as err:
        raise UsageError(f"cannot write to {out}: {err.strerror or err}") from None
    print()
    _print_written(paths, out)
    return 0


# ---------------------------------------------------------------------------- optimize
def _levers(given: list[list[str]] | None) -> dict[str, tuple[float, float]]:
    """``--lever NAME LOW HIGH`` options as ``{name: (low, high)}``, numbers checked."""
    if not given:
        raise UsageError(
            "optimize needs at least one --lever NAME LOW HIGH, e.g. --lever discount 0 0.2"
        )
    levers: dict[str, tuple[float, float]] = {}
    for name, *bounds in given:
        if name in levers:
            raise UsageError(f"--lever {name} is given twice")
        numbers = []
        for text in bounds:
            try:
                number = float(text)
            except ValueError:
                raise UsageError(
                    f"--lever {name}: LOW and HIGH must be numbers, got {text!r}"
                ) from None
            numbers.append(int(number) if number.is_integer() else number)
        levers[name] = (numbers[0], numbers[1])
    return levers


def _cmd_optimize(args: argparse.Namespace) -> int:
    from crmsim import experiments  # loaded only when needed, like plots
    from crmsim.experiments import optimization, runlog

    scenario = load_input(args.input)
    levers = _levers(args.lever)
    policy = scenario.policy
    try:  # every argument checked before the output folder is touched
        optimization.check_search(
            levers, args.kpi, args.trials, args.direction, args.budget, args.batch,
            args.sampler_seed, policy,
        )  # fmt: skip
    except ValueError as err:
        raise UsageError(str(err)) from None
    weeks = args.weeks or scenario.weeks
    if weeks < experiments.MIN_WEEKS:
        raise UsageError(f"--weeks must be at least {experiments.MIN_WEEKS}, got {weeks}")
    n_customers = args.customers or scenario.kwargs.get("n_customers", DEFAULT_CUSTOMERS)
    check_memory(n_customers)
    out = Path(args.out) if args.out else Path("results") / f"optimize_{scenario.name}"
    _prepare_resumable_out(out, args.force, runlog.OPTIMIZE_MANIFEST)
    print(
        _(
            "Optimize {kpi} over {levers} from {scenario}: {trials} trials x {replications} "
            "replications on {where}; runs saved to {folder}/ as they finish"
        ).format(
            kpi=args.kpi,
            levers=_join(list(levers)),
            scenario=scenario.name,
            trials=format_number(args.trials),
            replications=format_number(args.replications),
            where=_where(args.scheduler),
            folder=out,
        )
    )
    try:
        result = experiments.optimize(
            levers,
            kpi=args.kpi,
            trials=args.trials,
            replications=args.replications,
            weeks=weeks,
            n_customers=n_customers,
            seed=args.seed,
            policy=policy,
            market=scenario.kwargs.get("market"),
            population=scenario.kwargs.get("population"),
            network=args.network,
            direction=args.direction,
            budget=args.budget,
            batch=args.batch,
            sampler_seed=args.sampler_seed,
            out_dir=out,
            workers=args.workers,
            scheduler=args.scheduler,
            streams=args.streams,
        )
    except ValueError as err:
        raise UsageError(str(err)) from None
    except KeyboardInterrupt:
        _print_resumable_interrupt(out)
        return EXIT_INTERRUPTED

    print(
        "\n"
        + _(
            "{replications} replications of {weeks} weeks, {customers} customers, the same "
            "seeds for every candidate (seed {seed}, sampler seed {sampler_seed})"
        ).format(
            replications=format_number(result.replications),
            weeks=format_number(weeks),
            customers=_count(n_customers),
            seed=format_number(args.seed),
            sampler_seed=format_number(args.sampler_seed),
        )
    )
    print(result.to_text())
    try:
        paths = [out / "trials.csv", out / "runners_up.csv", out / "runs.csv"]
        result.trials.to_csv(paths[0])
        result.runners_up.to_csv(paths[1])
        result.runs.to_csv(paths[2], index=False)
        paths.append(out / "search.png")
        result.plot().savefig(paths[-1], dpi=120)
    except OSError as err:
        raise UsageError(f"cannot write to {out}: {err.strerror or err}") from None
    print()
    _print_written(paths, out)
    return 0


# ---------------------------------------------------------------------------- small commands
def _cmd_scenarios(args: argparse.Namespace) -> int:
    names = scenarios.names()
    width = max(len(n) for n in names)
    for name in names:
        print(f"{name:<{width}}  {scenarios.load(name).title}")
    print("\n" + _("Run one with: crmsim run --scenario NAME"))
    return 0


def _cmd_grade(args: argparse.Namespace) -> int:
    """Run every collected notebook, check its answers and write the gradebook."""
    from crmsim.exercises import grading

    folder = Path(args.submissions)
    if not folder.is_dir():
        print(f"crmsim grade: {folder} is not a folder of submissions", file=sys.stderr)
        return 2
    if not grading.find_submissions(folder):
        print(f"crmsim grade: no notebooks (.ipynb) under {folder}", file=sys.stderr)
        return 2
    book = grading.grade(folder, timeout=args.timeout, progress=print)
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    book.to_csv(out, index=False)
    totals = book[book["question"] == "total"]
    print(
        _("{count} student(s) graded; gradebook written to {path}").format(
            count=format_number(len(totals)), path=out
        )
    )
    manual = book["status"].astype(str).str.startswith(grading.MANUAL)
    if manual.any():
        discussions = out.with_name(f"{out.stem}-discussions.md")
        discussions.write_text(grading.discussions_markdown(book), encoding="utf-8")
        print(
            _(
                "{count} discussion answer(s) to mark by hand (points left empty): {path}, "
                "beside each question's rubric"
            ).format(count=format_number(int(manual.sum())), path=discussions)
        )
    return 0


def _cmd_app(args: argparse.Namespace) -> int:
    """Serve the dashboard (``crmsim.app``) with Solara's server until Ctrl-C; with ``--game``,
    the page of that saved game (``crmsim.app.game``) instead.

    The server listens on a loopback address only: the page runs simulations for whoever
    opens it, so it is for this computer's browser, not the network.
    """
    # Imported here: only this command needs them (the import block serves the others).
    import ipaddress
    import os
    import signal
    import subprocess
    import threading

    host = args.host
    try:
        loopback = host == "localhost" or ipaddress.ip_address(host).is_loopback
    except ValueError:
        loopback = False
    if not loopback:
        raise UsageError(
            f"--host must be a loopback address such as 127.0.0.1 or ::1, got {host!r}: "
            "the dashboard is served to this computer only"
        )
    if args.port > 65_535:
        raise UsageError(f"--port must be at most 65535, got {args.port}")
    target, served = "crmsim.app:page", {}
    if args.game is not None:
        from crmsim.app.game import GAME_VARIABLE, open_game

        try:
            open_game(args.game)
        except ValueError as err:
            raise UsageError(f"--game: {err}") from None
        # The server is a process of its own: it learns the folder from its environment,
        # made absolute, since it may not resolve a relative path from the same place.
        target = "crmsim.app.game:page"
        served = {GAME_VARIABLE: str(Path(args.game).resolve())}
    from crmsim.app import assets

    # Without its front-end files, which the server would fetch from a public CDN, the page is
    # blank and says nothing: say here what to do instead.
    if assets.missing():
        if not assets.cdn_reachable():
            print(
                "crmsim: error: the dashboard's front-end files are not installed and the "
                f"internet is out of reach; install them with: {assets.install_command()}",
                file=sys.stderr,
            )
            return 1
        print(
            _(
                "crmsim: the dashboard's front-end files are taken from the internet; to work "
                "offline, install them with: {command}"
            ).format(command=assets.install_command()),
            file=sys.stderr,
        )
    command = [
        sys.executable,
        "-m",
        "solara",
        "run",
        target,
        "--host",
        host,
        "--port",
        str(args.port),
        "--production",  # no tracebacks or code reloading in the page
        "--no-open",
        "--no-check-version",  # no call to PyPI at every start
    ]
    # Solara reports usage to its developers unless told not to; a classroom tool should not.
    # Its advice on cookies for pages embedded over https does not apply to a local page.
    quiet = "ignore:Cookies with samesite=none:UserWarning"
    warnings = ",".join(filter(None, [os.environ.get("PYTHONWARNINGS"), quiet]))
    env = os.environ | {
        "SOLARA_TELEMETRY_MIXPANEL_ENABLE": "False",
        "PYTHONWARNINGS": warnings,
        # the server is another process: it learns this command's language from its environment
        i18n.LANGUAGE_VARIABLE: i18n.get_language(),
        **served,
    }
    shown = f"[{host}]" if ":" in host else host
    if args.game is None:
        what = _("dashboard")
    else:
        what = _("game page ({folder})").format(folder=args.game)
    print(
        _("crmsim {what}: {address}  (Ctrl-C stops it)").format(
            what=what, address=f"http://{shown}:{args.port}/"
        ),
        flush=True,
    )
    server = subprocess.Popen(command, env=env)
    # A plain `kill` of this process must not leave the server running on its own.
    previous = None
    if threading.current_thread() is threading.main_thread():
        previous = signal.signal(signal.SIGTERM, lambda *ignored: server.terminate())
    try:
        code = server.wait()
        return 128 - code if code < 0 else code  # killed by signal N: 128 + N, as shells say
    except KeyboardInterrupt:
        # Ctrl-C reaches the server too (same process group); give it a moment to close.
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        print(_("crmsim dashboard stopped."), file=sys.stderr)
        return 0
    finally:
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)


# ---------------------------------------------------------------------------- game
def _listing(names: Sequence[str]) -> str:
    return _join(names) if names else _("none")


def _cmd_game_new(args: argparse.Namespace) -> int:
    from crmsim.game import Game, load_config

    try:
        config = load_config(args.config)
        check_memory(config.customers)
        game = Game.new(config, args.out, force=args.force)
    except ValueError as err:
        raise UsageError(str(err)) from None
    except KeyboardInterrupt:
        print(_("Interrupted; no game was started."), file=sys.stderr)
        return EXIT_INTERRUPTED
    from crmsim.game.decisions import file_name

    print(
        _(
            "Started {name} in {folder}/: {rounds} rounds of {weeks}, {customers} people in the "
            "market."
        ).format(
            name=repr(config.name),
            folder=game.directory,
            rounds=format_number(config.rounds),
            weeks=_weeks(config.weeks_per_round),
            customers=_count(config.customers),
        )
    )
    files = [f"{team} ({file_name(team)})" for team in config.teams]
    print("  " + _("teams and their decision files: {teams}").format(teams=_listing(files)))
    rivals = [f"{r.name} ({r.strategy})" for r in config.rivals]
    print("  " + _("computer rivals: {rivals}").format(rivals=_listing(rivals)))
    print(
        _("Play the first round with: crmsim game round {folder} DECISIONS_FOLDER").format(
            folder=game.directory
        )
    )
    return 0


def _cmd_game_round(args: argparse.Namespace) -> int:
    from crmsim.game import Game
    from crmsim.game.scoreboard import format_scoreboard

    try:
        game = Game.open(args.game)
        number = game.round + 1
        before = game.current_decisions()
        board = game.play_round(args.decisions)
    except ValueError as err:
        raise UsageError(str(err)) from None
    except KeyboardInterrupt:
        print(
            _(
                "Interrupted; the round was not played and the game is as it was before it. "
                "Run the same command again to play it."
            ),
            file=sys.stderr,
        )
        return EXIT_INTERRUPTED
    weeks = game.config.weeks_per_round
    played = game.decisions()
    changed = [team for team in game.teams if played[team] != before[team]]
    kept = [team for team in game.teams if team not in changed]
    print(
        _(
            "Round {number} of {rounds} (weeks {first}-{last}) played. Decisions changed: "
            "{changed}; unchanged: {kept}."
        ).format(
            number=format_number(number),
            rounds=format_number(game.config.rounds),
            first=format_number((number - 1) * weeks),
            last=format_number(number * weeks - 1),
            changed=_listing(changed),
            kept=_listing(kept),
        )
        + "\n"
    )
    print(format_scoreboard(board, game.config.scoring))
    print(
        "\n"
        + _("Saved in {folder}/ (scoreboard.csv, measures.csv, firm_frame.csv, ...).").format(
            folder=game.directory
        )
    )
    if game.over:
        print(
            _(
                "That was the last round. Write the debriefs with: crmsim game report {folder}"
            ).format(folder=args.game)
        )
    return 0


def _cmd_game_report(args: argparse.Namespace) -> int:
    from crmsim.game import Game

    try:
        game = Game.open(args.game)
        replays = {
            team: game.what_if(team, _lever_changes(team, changes))
            for team, changes in args.what_if or []
        }
        paths = game.report(args.out, what_if=replays or None)
    except ValueError as err:
        raise UsageError(str(err)) from None
    folder = paths[0].parent if paths else Path(args.out or game.directory / "report")
    print(
        _("Wrote {count} debrief(s) to {folder}/: {names}").format(
            count=format_number(len(paths)), folder=folder, names=_join([p.name for p in paths])
        )
    )
    return 0


def _lever_changes(team: str, text: str) -> dict[str, Any]:
    """``"discount=0.1,price=21"`` as ``{"discount": 0.1, "price": 21}`` (values read as TOML)."""
    changes: dict[str, Any] = {}
    for item in filter(None, (part.strip() for part in text.split(","))):
        name, equals, value = item.partition("=")
        if not equals or not name.strip():
            raise UsageError(
                f"--what-if {team!r}: write the changes as LEVER=VALUE[,LEVER=VALUE], got {item!r}"
            )
        try:
            changes[name.strip()] = tomllib.loads(f"value = {value.strip()}")["value"]
        except tomllib.TOMLDecodeError:
            changes[name.strip()] = value.strip()  # a bare word, such as a discount target
    if not changes:
        raise UsageError(f"--what-if {team!r}: name at least one lever to change")
    return changes


def _game_commands(commands: Any) -> None:
    game = commands.add_parser(
        "game",
        help="play the CRM game: teams run firms in one market, round by round",
        description="Start a game from a config file, play its rounds from the teams' "
        "decision files, and write the debriefs. The game is saved after every round; an "
        "interrupted round leaves it as it was.",
    )
    steps = game.add_subparsers(dest="game_command", metavar="STEP")
    steps.required = True
    new = steps.add_parser(
        "new",
        help="start a game from a config file",
        description="Start a game: check the config (teams, rivals, budget, scoring, market) "
        "and save the market before the first round in the --out folder.",
    )
    new.add_argument("config", metavar="CONFIG.toml", help="the game's settings")
    new.add_argument("--out", required=True, metavar="DIR", help="the game's folder")
    new.add_argument("--force", action="store_true", help="replace a game saved in DIR")
    new.set_defaults(handler=_cmd_game_new)
    play = steps.add_parser(
        "round",
        help="play the next round from the teams' decision files",
        description="Read and check every decision file in DECISIONS (team_a.toml for "
        "'Team A': the levers it changes and its price), then play the next round and "
        "print the scoreboard. A team without a file keeps its decisions.",
    )
    play.add_argument("game", metavar="DIR", help="the game's folder")
    play.add_argument(
        "decisions",
        nargs="?",
        metavar="DECISIONS",
        help="folder of the teams' decision files (none: every team keeps its decisions)",
    )
    play.set_defaults(handler=_cmd_game_round)
    report = steps.add_parser(
        "report",
        help="write the debriefs: one HTML page per team and one for the class",
    )
    report.add_argument("game", metavar="DIR", help="the game's folder")
    report.add_argument("--out", metavar="DIR", help="where to write them (default DIR/report)")
    report.add_argument(
        "--what-if",
        nargs=2,
        action="append",
        metavar=("TEAM", "CHANGES"),
        help="replay the last round on the same random numbers with TEAM's levers changed "
        "(CHANGES: LEVER=VALUE[,LEVER=VALUE], e.g. discount=0.1,price=21) and show it in "
        "TEAM's debrief; may be given once per team",
    )
    report.set_defaults(handler=_cmd_game_report)
    _language_options(steps)


# ---------------------------------------------------------------------------- parser
LANGUAGE_HELP = "language of what the command prints: en or fa (default: $CRMSIM_LANG, else en)"


def _language_option(parser: argparse.ArgumentParser, default: Any) -> None:
    parser.add_argument(
        "--lang",
        type=lambda text: text.strip().lower(),
        choices=i18n.LANGUAGES,
        default=default,
        help=LANGUAGE_HELP,
    )


def _language_options(commands: Any) -> None:
    """``--lang`` after every command's name too (``crmsim run --lang fa``).

    Its default is left unset there, so a command's parser does not overwrite a ``--lang``
    given before the command's name.
    """
    for sub in dict.fromkeys(commands.choices.values()):
        _language_option(sub, argparse.SUPPRESS)


def _parallel_options(sub: argparse.ArgumentParser) -> None:
    sub.add_argument(
        "--streams",
        choices=STREAM_MODES,
        default="keyed",
        help="where each run's draws come from: 'keyed' (default) gives a customer the same luck "
        "under every policy, so paired intervals of profit shrink to about a tenth of unpaired "
        "ones (measured: service 0.70 vs 0.72, 20 replications), against about seven tenths "
        "with 'sequential', the way a single run draws",
    )
    sub.add_argument(
        "--workers",
        type=_int_at_least(1),
        help="local worker processes (default: all cores; 1 runs in this process)",
    )
    sub.add_argument(
        "--scheduler",
        metavar="ADDRESS",
        help="run on this Dask cluster instead, e.g. tcp://10.0.0.5:8786",
    )


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of the ``crmsim`` command."""
    parser = _Parser(
        prog="crmsim",
        description="Watch a CRM course happen: an agent-based model of customer relationships.",
    )
    parser.add_argument("--version", action="version", version=f"crmsim {crmsim.__version__}")
    _language_option(parser, None)
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    def common(sub: argparse.ArgumentParser, weeks_help: str, customers_help: str) -> None:
        sub.add_argument("--weeks", type=_int_at_least(1), help=weeks_help)
        sub.add_argument("--customers", type=_int_at_least(1), help=customers_help)
        sub.add_argument("--seed", type=_int_at_least(0), default=0, help="random seed (default 0)")
        sub.add_argument(
            "--network",
            choices=NETWORK_KINDS,
            default="small-world",
            help="who talks to whom (default small-world)",
        )

    run = commands.add_parser(
        "run",
        help="run a scenario or a policy file; write the weekly data, figures and a summary",
        description="Run one scenario or policy and write weekly.csv, losses.csv, "
        "quarterly_churn.csv, the standard figures (PNG) and summary.txt.",
    )
    source = run.add_mutually_exclusive_group()
    source.add_argument(
        "--scenario",
        metavar="NAME",
        help=f"a bundled scenario (default {DEFAULT_SCENARIO}); see 'crmsim scenarios'",
    )
    source.add_argument(
        "--policy",
        metavar="FILE.toml",
        help="a policy file: policy fields at top level, or [policy]/[market]/[population] tables",
    )
    common(
        run,
        "weeks to simulate (default: the scenario's)",
        "people in the market (default: the scenario's)",
    )
    run.add_argument("--out", metavar="DIR", help="output folder (default results/<scenario>)")
    run.add_argument(
        "--force", action="store_true", help="replace the results already in the output folder"
    )
    run.set_defaults(handler=_cmd_run)

    compare = commands.add_parser(
        "compare",
        help="compare policies over replications, with 95%% confidence intervals",
        description="Run each policy (a TOML file or a scenario name) several times under "
        "common random numbers and print each KPI's mean with its 95 % confidence interval.",
    )
    compare.add_argument(
        "inputs", nargs="+", metavar="POLICY", help="policy files (.toml) or scenario names"
    )
    compare.add_argument(
        "--replications", type=_int_at_least(2), default=30, help="runs per policy (default 30)"
    )
    common(
        compare,
        "weeks per run (default 156)",
        f"people in the market (default {DEFAULT_CUSTOMERS:,})",
    )
    compare.add_argument(
        "--out",
        metavar="DIR",
        help="also write runs.csv, summary.csv, differences.csv, returns.csv, compare.png "
        "and differences.png here",
    )
    compare.add_argument(
        "--force", action="store_true", help="replace the results already in the --out folder"
    )
    _parallel_options(compare)
    compare.set_defaults(handler=_cmd_compare)

    sweep = commands.add_parser(
        "sweep",
        help="run a grid or Latin-hypercube design of policy/market fields, resumably",
        description="Run every point of a design file several times under common random "
        "numbers; print each point's KPIs with 95 % confidence intervals and write runs.csv, "
        "summary.csv and figures. Finished runs are saved as they end: run the same command "
        "again to resume an interrupted sweep.",
        epilog="Design file: [base] replications, weeks, customers, seed, network, scenario, "
        "[base.policy], [base.market]; then [grid] field = [levels...] or [latin_hypercube] "
        "n = 20, seed = 0, field = [low, high]. Market fields are written market.FIELD. "
        "See docs/sensitivity.md.",
    )
    sweep.add_argument("design", metavar="DESIGN.toml", help="the design file")
    sweep.add_argument(
        "--replications",
        type=_int_at_least(2),
        help="runs per design point (default: the file's, else 10)",
    )
    sweep.add_argument(
        "--weeks", type=_int_at_least(13), help="weeks per run (default: the file's, else 156)"
    )
    sweep.add_argument(
        "--customers",
        type=_int_at_least(1),
        help=f"people in the market (default: the file's, else {DEFAULT_CUSTOMERS:,})",
    )
    sweep.add_argument(
        "--seed", type=_int_at_least(0), help="random seed (default: the file's, else 0)"
    )
    sweep.add_argument(
        "--network", choices=NETWORK_KINDS, help="who talks to whom (default small-world)"
    )
    sweep.add_argument(
        "--out",
        metavar="DIR",
        help="output folder, also used to resume (default results/sweep_<design name>)",
    )
    sweep.add_argument(
        "--force", action="store_true", help="start afresh in an output folder that holds results"
    )
    _parallel_options(sweep)
    sweep.set_defaults(handler=_cmd_sweep)

    optimize = commands.add_parser(
        "optimize",
        help="search levers within bounds for the best KPI, resumably (Optuna)",
        description="Search the given levers of a policy (a TOML file or a scenario name; "
        "the baseline by default) for the best mean KPI: Optuna proposes candidates, each "
        "runs --replications times on the same seeds as every other. Prints the best policy "
        "with its 95 % interval and the runners-up it could not tell apart; writes "
        "trials.csv, runners_up.csv, runs.csv and search.png. Finished runs are saved as "
        "they end: run the same command again to resume, or with more --trials to go on.",
    )
    optimize.add_argument(
        "input",
        nargs="?",
        default=DEFAULT_SCENARIO,
        metavar="POLICY",
        help=f"the base policy: a TOML file or a scenario name (default {DEFAULT_SCENARIO})",
    )
    optimize.add_argument(
        "--lever",
        nargs=3,
        action="append",
        metavar=("NAME", "LOW", "HIGH"),
        help="a Policy field to search and its bounds, e.g. --lever discount 0 0.2 (repeat "
        "for more levers)",
    )
    optimize.add_argument(
        "--kpi", default="profit", help="the KPI to optimise (default profit; e.g. customer_equity)"
    )
    optimize.add_argument(
        "--direction",
        choices=("maximize", "minimize"),
        help="default: minimize churn, costs and spending, maximize the rest",
    )
    optimize.add_argument(
        "--trials", type=_int_at_least(1), default=30, help="candidates to try (default 30)"
    )
    optimize.add_argument(
        "--replications", type=_int_at_least(2), default=10, help="runs per candidate (default 10)"
    )
    optimize.add_argument(
        "--budget",
        type=float,
        metavar="MONEY",
        help="most a candidate may spend on its levers per run, on average (lever_spending)",
    )
    optimize.add_argument(
        "--batch",
        type=_int_at_least(1),
        default=4,
        help="candidates run at once (default 4); the search depends on it, not on --workers",
    )
    optimize.add_argument(
        "--sampler-seed", type=_int_at_least(0), default=0, help="seed of the search (default 0)"
    )
    common(
        optimize,
        "weeks per run (default: the input's, else 156)",
        f"people in the market (default: the input's, else {DEFAULT_CUSTOMERS:,})",
    )
    optimize.add_argument(
        "--out",
        metavar="DIR",
        help="output folder, also used to resume (default results/optimize_<input name>)",
    )
    optimize.add_argument(
        "--force", action="store_true", help="start afresh in an output folder that holds results"
    )
    _parallel_options(optimize)
    optimize.set_defaults(handler=_cmd_optimize)

    listing = commands.add_parser("scenarios", help="list the bundled scenarios")
    listing.set_defaults(handler=_cmd_scenarios)

    grade = commands.add_parser(
        "grade",
        help="run collected student notebooks and write a gradebook (CSV)",
        description="Run every notebook under SUBMISSIONS (SUBMISSIONS/<student>/*.ipynb or "
        "SUBMISSIONS/<student>.ipynb) in a kernel of this Python environment, check the "
        "answers it gave with this installation's checkers and write one row per student and "
        "question, and a total per student. Discussion answers are left to mark by hand "
        "(status manual, points empty) and gathered with their rubrics in "
        "<OUT stem>-discussions.md. Grading executes the notebooks: run untrusted "
        "ones in a container.",
    )
    grade.add_argument("submissions", help="folder of collected notebooks")
    grade.add_argument("--out", default="grades.csv", help="gradebook to write (grades.csv)")
    grade.add_argument(
        "--timeout",
        type=float,
        default=600.0,
        help="seconds each notebook may run before it is stopped (default 600)",
    )
    grade.set_defaults(handler=_cmd_grade)

    app = commands.add_parser(
        "app",
        help="serve the interactive dashboard in your browser (on this computer only)",
        description="Serve the dashboard (crmsim.app): pick a scenario, pull the levers and "
        "watch stages, tiers, churn, word of mouth, trust, profit and the network. "
        "Open the printed address in a browser; Ctrl-C stops the server.",
    )
    app.add_argument(
        "--host",
        default="127.0.0.1",
        help="loopback address to listen on (default 127.0.0.1; also ::1 or localhost)",
    )
    app.add_argument(
        "--port",
        type=_int_at_least(1),
        default=8765,
        help="port to listen on (default 8765)",
    )
    app.add_argument(
        "--game",
        metavar="DIR",
        help="serve the market of the game saved in DIR (crmsim game new) instead of the "
        "dashboard: shares, customers and profit, scoreboard and switching, round by round; "
        "its Reload button shows rounds played since",
    )
    app.set_defaults(handler=_cmd_app)
    _game_commands(commands)
    _language_options(commands)
    return parser


@contextlib.contextmanager
def _terminate_as_interrupt() -> Iterator[None]:
    """Treat SIGTERM (a `kill`, a scheduler's time limit) like Ctrl-C while a command runs.

    Runs already finished are then kept and the workers shut down, exactly as after Ctrl-C.
    """
    import signal

    def interrupt(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    try:
        previous = signal.signal(signal.SIGTERM, interrupt)
    except ValueError:  # not the main thread: leave signals alone
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def _default_language() -> str:
    """The language in use (``set_language``, ``CRMSIM_LANG`` or English), a bad one refused."""
    try:
        return i18n.get_language()
    except ValueError as err:
        raise UsageError(str(err)) from None


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``crmsim`` command.

    Parameters
    ----------
    argv : sequence of str, optional
        The arguments after ``crmsim``; ``sys.argv[1:]`` by default.

    Returns
    -------
    int
        The exit code: 0 on success, 2 for bad input, 130 if interrupted.

    Examples
    --------
    >>> main(["scenarios"])  # doctest: +ELLIPSIS
    baseline ...
    0
    """
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
        if args.command is None:
            parser.print_help(sys.stderr)
            return 2
        # language() puts back the language chosen before: main() may be called in-process
        with i18n.language(args.lang or _default_language()):
            if args.command == "app":  # the dashboard's server handles SIGTERM itself
                return args.handler(args)
            with _terminate_as_interrupt():
                return args.handler(args)
    except UsageError as err:
        print(f"crmsim: error: {err}", file=sys.stderr)
        return 2
    except OSError as err:  # e.g. the disk filled up while writing results
        print(f"crmsim: error: {err}", file=sys.stderr)
        return 1
    except SystemExit as exit_:  # --help and --version end argparse this way
        return exit_.code if isinstance(exit_.code, int) else 0
