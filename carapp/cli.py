"""The ``carapp`` command: the GUI without a command, or a register command.

Exit codes: 0 done, 1 refused or failed (one sentence on stderr), 2 wrong usage.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import tempfile
import textwrap
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from carapp import __version__
from carapp.errors import CarappError
from carapp.files import write_crash_log

if TYPE_CHECKING:
    from carapp.queries import FindingDetail

REGISTER_ENV = "CARAPP_REGISTER"


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> Any:  # argparse's own exits with 2 already; keep it
        self.print_usage(sys.stderr)
        self.exit(2, f"{self.prog}: {message}\n")


def _date(value: str) -> dt.date:
    from carapp.operations.common import EARLIEST_DATE, LATEST_DATE

    try:
        day = dt.date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {value!r}") from None
    if not EARLIEST_DATE <= day <= LATEST_DATE:
        raise argparse.ArgumentTypeError(
            f"{value} is outside {EARLIEST_DATE.year} to {LATEST_DATE.year}; check the year"
        )
    return day


def _undecodable_argument(argv: Sequence[str]) -> int | None:
    """The position of the first argument holding a lone surrogate: bytes that were not
    UTF-8 arrive so (surrogateescape), and such text can neither be searched nor printed."""
    for position, argument in enumerate(argv, start=1):
        if any(0xD800 <= ord(char) <= 0xDFFF for char in argument):
            return position
    return None


# Control characters in stored text (written with the sqlite3 shell, or imported) would
# otherwise reach the terminal and act there: ESC sequences recolour, retitle or clear it.
_SHOWN_AS_ESCAPE = {
    code: f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"
    for code in [*range(0x20), *range(0x7F, 0xA0), *range(0x202A, 0x202F), *range(0x2066, 0x206A)]
}
_SHOWN_AS_ESCAPE_KEEPING_LINES = {
    code: text for code, text in _SHOWN_AS_ESCAPE.items() if code not in (0x09, 0x0A)
}
# In JSON, C0 controls are escaped by json itself; the rest must be \u escapes to stay JSON.
_JSON_ESCAPES = {code: f"\\u{code:04x}" for code in _SHOWN_AS_ESCAPE if code >= 0x7F}


def _visible(text: str, *, lines: bool = False) -> str:
    return text.translate(_SHOWN_AS_ESCAPE_KEEPING_LINES if lines else _SHOWN_AS_ESCAPE)


def _json_text(value: object, indent: int | None = None) -> str:
    from carapp.queries.json import to_json

    return to_json(value, indent=indent).translate(_JSON_ESCAPES)


def _findings_count(value: str) -> int:
    try:
        n = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {value!r}") from None
    if not 0 <= n <= 100_000:
        raise argparse.ArgumentTypeError("must be from 0 to 100000")
    return n


EDITOR_SECTIONS = (
    "finding",
    "containment",
    "cause",
    "actions",
    "effectiveness",
    "deadlines",
    "closure",
    "attachments",
    "history",
)


WIZARD_PAGES = ("problem", "chain", "root", "fixcheck", "actions", "summary")
_VIEW_PARTS = {"editor": EDITOR_SECTIONS, "wizard": WIZARD_PAGES, "workshop": WIZARD_PAGES}


def _days(value: str) -> int:
    try:
        n = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number of days: {value!r}") from None
    if not 0 <= n <= 3660:
        raise argparse.ArgumentTypeError("must be from 0 to 3660 days")
    return n


class _UsageError(CarappError):
    """What was typed names nothing in the register: wrong usage, exit code 2."""


def _view(text: str) -> str:
    parts = text.split(":")
    if parts == ["register"]:
        return text
    if parts[0] == "calendar" and len(parts) <= 2:  # the Calendar tab, on a day if given
        try:
            _date(parts[1]) if len(parts) == 2 else None
            return text
        except argparse.ArgumentTypeError:
            pass
    if text == "actions":  # the main window on its Actions tab
        return text
    known = _VIEW_PARTS.get(parts[0])
    named = known is not None and len(parts) in (2, 3) and bool(parts[1].strip())
    if named and known is not None and (len(parts) == 2 or parts[2] in known):
        return text
    raise argparse.ArgumentTypeError(
        f"unknown view {text!r}: use register, calendar[:DATE], editor:REF[:SECTION] with "
        "SECTION one of "
        f"{', '.join(EDITOR_SECTIONS)}, or wizard:REF[:PAGE] or workshop:REF[:PAGE] with "
        f"PAGE one of {', '.join(WIZARD_PAGES)}"
    )


def build_parser() -> argparse.ArgumentParser:
    from carapp.models.enums import Classification, Stage
    from carapp.queries.register_table import QuickFilter

    # --register and --today are accepted before or after the command.
    common = _Parser(add_help=False)
    common.add_argument(
        "--register",
        metavar="PATH|URL",
        default=argparse.SUPPRESS,
        help=f"register file or database URL (default: ${REGISTER_ENV}, else the register "
        "in your data folder)",
    )
    common.add_argument(
        "--today",
        type=_date,
        metavar="DATE",
        default=argparse.SUPPRESS,
        help="count days left and overdue as of DATE (YYYY-MM-DD) instead of today",
    )
    parser = _Parser(
        prog="carapp",
        description="ISO/IEC 27001 Corrective Action Register. Without a command, opens the "
        "register in a window.",
        parents=[common],
    )
    parser.add_argument("--version", action="version", version=f"carapp {__version__}")
    parser.add_argument(
        "--screenshot",
        metavar="PNG",
        type=Path,
        help="render a view offscreen into PNG and exit (the window at 1280x800, an editor "
        "at 1100x760, workshop mode at 1920x1080)",
    )
    parser.add_argument(
        "--view",
        default="register",
        type=_view,
        metavar="VIEW",
        help="the view to render: register; actions (the Actions tab); "
        "calendar[:DATE], the Calendar tab on a day; "
        "editor:REF[:SECTION] (SECTION one of "
        f"{', '.join(EDITOR_SECTIONS)}); wizard:REF[:PAGE], the five-whys wizard, or "
        "workshop:REF[:PAGE], the same in workshop mode at 1920x1080 (PAGE one of "
        f"{', '.join(WIZARD_PAGES)}); a finding's unfinished workshop is shown if it has one",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    demo = sub.add_parser(
        "demo", help="write a realistic demo register to a new file", parents=[common]
    )
    demo.add_argument("path", metavar="PATH", type=Path)
    demo.add_argument("--findings", type=_findings_count, default=120, metavar="N")
    demo.add_argument("--seed", type=int, default=27001, metavar="S")

    listing = sub.add_parser(
        "list", help="list findings (void and closed included)", parents=[common]
    )
    listing.add_argument("--stage", choices=[s.value for s in Stage])
    listing.add_argument("--classification", choices=[c.value for c in Classification])
    quick = listing.add_mutually_exclusive_group()
    quick.add_argument("--overdue", action="store_true", help="only overdue findings")
    quick.add_argument(
        "--quick",
        choices=[q.value for q in QuickFilter],
        help="one of the register table's quick filters",
    )
    listing.add_argument(
        "--search",
        metavar="TEXT",
        default="",
        help="words that must each appear in the ref, title, statement, a requirement or an "
        "action owner",
    )
    listing.add_argument("--json", action="store_true", help="print JSON")

    show = sub.add_parser("show", help="show one finding whole, with its history", parents=[common])
    show.add_argument("ref", metavar="REF")
    show.add_argument("--json", action="store_true", help="print JSON")

    audits = sub.add_parser("audits", help="list the audits", parents=[common])
    audits.add_argument("--json", action="store_true", help="print JSON")

    export = sub.add_parser(
        "export",
        help="write the register for an auditor: xlsx, pdf, an audit's response pack, an email",
        parents=[common],
    )
    kinds = export.add_subparsers(dest="kind", metavar="KIND", required=True, parser_class=_Parser)
    filters = _Parser(add_help=False)
    filters.add_argument("--stage", choices=[s.value for s in Stage])
    filters.add_argument("--classification", choices=[c.value for c in Classification])
    filters.add_argument("--overdue", action="store_true", help="only overdue findings")
    filters.add_argument("--audit", metavar="AUDIT_REF", help="only the findings of this audit")
    filters.add_argument("--owner", metavar="NAME", help="only findings with an action of NAME's")
    filters.add_argument("--search", metavar="TEXT", default="", help="as `list --search`")
    out = _Parser(add_help=False)
    out.add_argument("-o", "--output", type=Path, required=True, metavar="PATH")
    kinds.add_parser(
        "xlsx", help="the register as an Excel workbook", parents=[common, filters, out]
    )
    pdf = kinds.add_parser(
        "pdf", help="the register as a PDF (A4 landscape)", parents=[common, filters, out]
    )
    pdf.add_argument("--detailed", action="store_true", help="one section per finding")
    pdf.add_argument("--letter", action="store_true", help="US Letter instead of A4")
    pack = kinds.add_parser(
        "pack",
        help="an audit's response pack: PDF, xlsx and evidence in a zip with a SHA-256 manifest",
        parents=[common, out],
    )
    pack.add_argument("--audit", metavar="AUDIT_REF", required=True)
    eml = kinds.add_parser(
        "eml",
        help="an email draft to the audit's lead auditor with the response pack attached",
        parents=[common, out],
    )
    eml.add_argument("--audit", metavar="AUDIT_REF", required=True)
    ics = kinds.add_parser(
        "ics",
        help="every date still owed as an iCalendar file (all-day events with reminders)",
        parents=[common, out],
    )
    ics.add_argument("--owner", metavar="NAME", help="only the dates NAME owes")

    # The agenda and the reminders: the dates that fall due (carapp.queries.agenda).
    ahead = _Parser(add_help=False)
    ahead.add_argument(
        "--days", type=_days, default=30, metavar="N", help="look N days ahead (default 30)"
    )
    agenda = sub.add_parser(
        "agenda",
        help="what is overdue and what falls due in the next days, as the agenda shows it",
        parents=[common, ahead],
    )
    agenda.add_argument("--owner", metavar="NAME", help="only the dates NAME owes")
    agenda.add_argument(
        "--kind",
        metavar="KIND",
        action="append",
        help="only dates of this kind: plan, closure, action or review (repeat for more)",
    )
    agenda.add_argument("--json", action="store_true", help="print JSON")
    reminders = sub.add_parser(
        "reminders",
        help="write an email draft (.eml) per owner with dates overdue or due soon, with "
        "their .ics attached",
        parents=[common, ahead],
    )
    reminders.add_argument("-o", "--output", type=Path, required=True, metavar="FOLDER")

    importing = sub.add_parser(
        "import",
        help="bring in a register kept in a spreadsheet (.xlsx, .xlsm or .csv): all rows or "
        "none, after a backup; a second import of it updates what it created",
        parents=[common],
    )
    importing.add_argument("file", metavar="FILE", type=Path)
    importing.add_argument(
        "--sheet",
        metavar="NAME",
        help="the sheet to read (default: the one that looks most like a register)",
    )
    importing.add_argument(
        "--mapping",
        metavar="PROFILE",
        help="a mapping profile saved in the import window, instead of matching the headings",
    )
    importing.add_argument(
        "--dry-run", action="store_true", help="report what would be imported; write nothing"
    )
    importing.add_argument(
        "--date-order",
        choices=["dmy", "mdy"],
        help="how to read dates such as 03/02/2025 (day first or month "
        "first) when the file does not settle it",
    )
    importing.add_argument(
        "--skip-errors",
        action="store_true",
        help="import the rows that can be, and leave out those that cannot",
    )

    checking = sub.add_parser(
        "check", help="check integrity, schema version and the history chain", parents=[common]
    )
    checking.add_argument(
        "--anchor",
        metavar="N:HASH",
        type=_anchor,
        help="also verify that history entry N still has HASH (a fingerprint printed earlier)",
    )

    whoami = sub.add_parser(
        "whoami", help="show, or set, the name recorded in history for your changes"
    )
    whoami.add_argument("--set-name", metavar="NAME", help="your name as colleagues know it")
    return parser


def _anchor(value: str) -> tuple[int, str]:
    from carapp.anchors import parse_anchor

    try:
        return parse_anchor(value)
    except CarappError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def register_location(args: argparse.Namespace) -> str:
    if args.register:
        return str(args.register)
    if os.environ.get(REGISTER_ENV):
        return os.environ[REGISTER_ENV]
    from carapp.store import default_register_path

    return str(default_register_path())


def main(argv: Sequence[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    position = _undecodable_argument(argv)
    if position is not None:
        print(
            f"carapp: argument {position} on the command line is not valid text (UTF-8); "
            "type it again or set a UTF-8 locale.",
            file=sys.stderr,
        )
        return 1
    parser = build_parser()
    args = parser.parse_args(argv)
    args.register = getattr(args, "register", None)
    if args.register == "":
        # An empty path would quietly mean the default register: not what was typed.
        parser.error("--register needs a register file or database URL, not an empty string")
    args.today = getattr(args, "today", None)
    try:
        if args.command is None and args.screenshot:
            from carapp.ui.screenshot import take

            return take(register_location(args), args.screenshot, args.view, _today(args))
        if args.command is None:
            from carapp.ui.app import run_gui

            return run_gui(register_location(args), explicit=bool(args.register))
        return COMMANDS[args.command](args)
    except _UsageError as exc:
        print(f"carapp: {exc}", file=sys.stderr)
        return 2
    except CarappError as exc:
        print(f"carapp: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("carapp: interrupted; nothing more was written.", file=sys.stderr)
        return 1
    except BrokenPipeError:
        # Output piped into `head` and closed early: not an error of ours.
        sys.stderr.close()
        return 0
    except Exception as exc:  # noqa: BLE001 - a bug: one sentence here, details in a file
        log = write_crash_log()
        print(
            f"carapp: internal error ({type(exc).__name__}: {exc}); details were written to "
            f"{log}. Nothing already saved was changed.",
            file=sys.stderr,
        )
        return 1


def _today(args: argparse.Namespace) -> dt.date:
    return args.today or dt.date.today()


def _clock_of(day: dt.date) -> Callable[[], dt.datetime]:
    """A clock stopped at noon (local time) of ``day``: --today holds for the whole run."""
    moment = dt.datetime.combine(day, dt.time(12)).astimezone()
    return lambda: moment


def _open(args: argparse.Namespace, *, anchor: bool = True) -> Any:
    from carapp.anchors import verify_and_record
    from carapp.store import open_register

    # Commands read an existing register; only the GUI creates the default one.
    register = open_register(register_location(args))
    if args.today is not None:
        register.clock = _clock_of(args.today)
    if anchor:
        try:
            report = verify_and_record(register)
        except BaseException:
            register.close()
            raise
        for sentence in report.sentences:
            print(f"carapp: warning: {sentence}.", file=sys.stderr)
    return register


def cmd_demo(args: argparse.Namespace) -> int:
    from carapp.demo import write_demo

    summary = write_demo(args.path, findings=args.findings, seed=args.seed, today=_today(args))
    print(
        f"Wrote {args.path}: {summary.findings} findings, {summary.audits} audits, "
        f"{summary.actions} actions, {summary.people} people."
    )
    return 0


def cmd_list(args: argparse.Namespace) -> int:
    from carapp.models.enums import Classification, Stage
    from carapp.queries import list_findings
    from carapp.queries.register_table import QuickFilter, RegisterFilter

    only = RegisterFilter(
        search=args.search,
        quick=QuickFilter.OVERDUE if args.overdue else QuickFilter(args.quick or "all"),
        stages=frozenset([Stage(args.stage)]) if args.stage else frozenset(),
        classifications=frozenset([Classification(args.classification)])
        if args.classification
        else frozenset(),
    )
    register = _open(args)
    try:
        rows = list_findings(register, today=_today(args), only=only)
        out = sys.stdout
        if args.json:
            out.write("[")
            for i, row in enumerate(rows):
                out.write(("," if i else "") + "\n" + _json_text(row))
            out.write("\n]\n")
            return 0
        out.write(
            f"{'REF':<14} {'CLASS':<11} {'STAGE':<15} {'IDENTIFIED':<10} {'NEXT DUE':<10} "
            f"{'DAYS':>5}  TITLE\n"
        )
        for row in rows:
            days = "" if row.days_left is None else str(row.days_left)
            next_due = "" if row.next_due is None else row.next_due.isoformat()
            line = (
                f"{row.ref:<14} {row.classification:<11} {row.stage:<15} "
                f"{row.identified.isoformat():<10} {next_due:<10} {days:>5}  {row.title}"
            )
            out.write(_visible(line) + "\n")
        return 0
    finally:
        register.close()


def cmd_show(args: argparse.Namespace) -> int:
    from carapp.queries import finding_detail

    register = _open(args)
    try:
        detail = finding_detail(register, args.ref, _today(args))
    finally:
        register.close()
    if args.json:
        print(_json_text(detail, indent=2))
    else:
        print(_visible(format_detail(detail), lines=True))
    return 0


def _wrap(label: str, value: object, indent: int = 2) -> str:
    text = "" if value in (None, "") else str(value)
    pad = " " * indent
    if not label:  # a paragraph under its own heading
        return textwrap.fill(text or "\u2014", width=96, initial_indent=pad, subsequent_indent=pad)
    # A label as long as the column still leaves a space before its value.
    head = f"{label + ':':<22}" if len(label) < 21 else f"{label}: "
    return textwrap.fill(
        text or "\u2014",
        width=96,
        initial_indent=f"{pad}{head}",
        subsequent_indent=pad + " " * 22,
    )


def format_detail(d: FindingDetail) -> str:
    from carapp.models.enums import Classification

    lines = [f"{d.ref}  {d.title}", "=" * min(96, len(d.ref) + 2 + len(d.title))]
    due = d.days_left
    due_text = "" if due is None else (f"{-due} days overdue" if due < 0 else f"{due} days left")
    for label, value in (
        ("Classification", d.classification),
        ("Stage", f"{d.stage} (analysis round {d.cycle})"),
        ("Next step", d.next_step),
        ("Source", d.source),
        ("Audit", d.audit),
        ("Certification body ref", d.cb_ref),
        ("Identified", d.identified),
        ("Raised by", d.raised_by),
        ("Area", d.area),
        ("Plan due", d.plan_due),
        ("Plan sent", d.plan_sent_on),
        ("Closure due", d.closure_due),
        ("Deadline", due_text),
        ("Closed", d.closed_on),
    ):
        lines.append(_wrap(label, value))
    if d.source_ref:
        lines.append(_wrap("Imported as", f"{d.source_ref} (its reference in the spreadsheet)"))
    if d.void:
        lines.append(_wrap("Void", f"{d.void.on}: {d.void.reason}"))
    lines += ["", "Requirements breached"]
    lines += [f"  {r.code:<10} {r.title}" for r in d.requirements] or ["  \u2014"]
    lines += ["", "Statement", _wrap("", d.statement, 0), "", "Evidence observed"]
    lines.append(_wrap("", d.evidence_observed, 0))
    c = d.containment
    lines += ["", "Containment / correction"]
    if c.none_needed_reason:
        lines.append(_wrap("None needed", c.none_needed_reason))
    else:
        lines += [_wrap("What", c.what), _wrap("When", c.on), _wrap("By", c.by)]
    for cause in d.root_causes:
        lines += [
            "",
            f"Root cause (round {cause.round}, {cause.method}, {cause.category})",
        ]
        lines.append(_wrap("Statement", cause.statement))
        if cause.symptom_justification:
            lines.append(_wrap("Justification", cause.symptom_justification))
        for why in cause.whys:
            branch = f" (branch of {why.branch_of})" if why.branch_of else ""
            mark = "\u2713" if why.checked else " "
            root = "  ← root cause" if why.is_root else ""
            lines.append(_wrap(f"[{mark}] Why {why.position}{branch}", why.question))
            lines.append(_wrap("    because", why.answer + root))
            if why.evidence:
                lines.append(_wrap("    evidence", why.evidence))
    for w in d.workshops:
        who = ", ".join(w.attendees) or "—"
        lines += ["", f"Workshop of {w.held_on} ({w.minutes_taken} min)", _wrap("Attendees", who)]
        for issue in w.parked:
            raised = f" (raised as {issue.raised_as})" if issue.raised_as else ""
            lines.append(_wrap("Parked", issue.text + raised))
    for a in d.actions:
        lines += ["", f"{a.ref} ({a.kind}, round {a.round}): {a.status}"]
        lines += [
            _wrap("Description", a.description),
            _wrap("Owner", a.owner),
            _wrap("Target", a.target_on),
            _wrap("Measurable outcome", a.outcome),
            _wrap("Completed", a.completed_on),
            _wrap("Evidence", a.completion_evidence),
        ]
    for r in d.reviews:
        lines += ["", f"Effectiveness review (round {r.round}): {r.result or 'pending'}"]
        lines += [
            _wrap("Method", r.method),
            _wrap("Pass criteria", r.criteria),
            _wrap("Due", r.due_on),
            _wrap("Reviewer", r.reviewer),
            _wrap("Done", r.done_on),
            _wrap("Notes", r.notes),
        ]
    for e in d.extensions:
        lines += [
            "",
            f"Extension of the {e.deadline} deadline: {e.status}",
            _wrap("Asked on", e.asked_on),
            _wrap("From / asked", f"{e.previous_due} \u2192 {e.requested_due}"),
            _wrap("Granted", e.granted_due),
            _wrap("Reason", e.reason),
        ]
    if d.classification in (Classification.MAJOR, Classification.MINOR):
        lines += ["", "ISMS update (clause 10.2 e)"]
        for target, v in d.isms_update.items():
            lines.append(
                _wrap(
                    target.value.replace("_", " "),
                    f"{v.decision or 'not decided'} {v.note}".strip(),
                )
            )
    # In the words the window uses, newest first; `show --json` keeps every raw entry.
    from carapp.queries.history_words import DASH, history_lines

    changes = history_lines(d.history)
    lines += ["", f"History ({len(changes)} changes, newest first)"]
    for h in changes:
        if h.old == DASH:
            change = h.what if h.new == DASH else f"{h.what}: {h.new}"
        else:
            change = f"{h.what}: {h.old} \u2192 {h.new}"
        note = f"  ({h.note})" if h.note else ""
        lines.append(f"  {h.at}  {h.actor:<12} {change}{note}"[:240])
    return "\n".join(lines)


def cmd_audits(args: argparse.Namespace) -> int:
    from carapp.queries import list_audits

    register = _open(args)
    try:
        audits = list_audits(register)
    finally:
        register.close()
    if args.json:
        print(_json_text(audits, indent=2))
        return 0
    print(f"{'REF':<12} {'KIND':<16} {'DATES':<23} {'FINDINGS':>8}  CERTIFICATION BODY")
    for a in audits:
        print(
            f"{a.ref:<12} {a.kind:<16} {a.starts_on.isoformat()}..{a.ends_on.isoformat()[5:]:<9} "
            + _visible(f"{a.findings:>8}  {a.certification_body or '(internal)'}")
        )
    return 0


def cmd_check(args: argparse.Namespace) -> int:
    from carapp.anchors import check_anchor, fingerprint, verify_and_record
    from carapp.check import check

    register = _open(args, anchor=False)
    try:
        report = check(register)
        print_ = fingerprint(register)
        anchor_problem = check_anchor(register, *args.anchor) if args.anchor else None
        # Only a register found sound is remembered as seen intact.
        warnings = verify_and_record(register).warnings if report.sound else []
    finally:
        register.close()
    for sentence in warnings:
        print(f"carapp: warning: {sentence}.", file=sys.stderr)
    if report.sound:
        print(
            f"Sound: schema {report.schema}, {report.records} records, "
            f"{report.history_entries} history entries in an unbroken chain."
        )
    print(f"Fingerprint: {print_.short} (in full, for check --anchor: {print_.full})")
    if args.anchor and anchor_problem is None:
        seq, expected = args.anchor
        print(
            f"History entry {seq} still has the hash {expected[:12]}… it had when that "
            "fingerprint was taken."
        )
    if report.sound and anchor_problem is None:
        return 0
    problems = [str(p) for p in report.problems]
    if anchor_problem is not None:
        problems.append(f"fingerprint {args.anchor[0]}: {anchor_problem}")
    print(f"carapp: {len(problems)} problem(s) found in {register.name}:", file=sys.stderr)
    for problem in problems:
        print(f"  {problem}", file=sys.stderr)
    return 1


def cmd_whoami(args: argparse.Namespace) -> int:
    from carapp import account

    if args.set_name is not None:
        account.set_display_name(args.set_name)
    name = account.display_name()
    print(f"Your changes are recorded as “{account.actor()}”.")
    if not name:
        print("Set the name colleagues know you by with: carapp whoami --set-name NAME")
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    from carapp.exports import eml, ics, pack, register_pdf, xlsx
    from carapp.exports.scope import ExportScope, check_destination

    check_destination(args.output)  # before the work, not after it
    register = _open(args)
    try:
        today = _today(args)
        destination: Path = args.output
        if args.kind in ("xlsx", "pdf"):
            scope = ExportScope(today, _export_filter(register, args), overdue=args.overdue)
            if args.kind == "xlsx":
                written = xlsx.write_register_xlsx(register, scope, destination)
            else:
                written = register_pdf.write_register_pdf(
                    register,
                    scope,
                    destination,
                    detailed=args.detailed,
                    page_size="Letter" if args.letter else "A4",
                )
        elif args.kind == "pack":
            written = pack.write_response_pack(register, args.audit, today, destination)
        elif args.kind == "ics":
            from carapp.exports import ics

            owner = _owner(register, args.owner) if args.owner else None
            events = ics.write_ics(
                register,
                destination,
                today,
                owner_id=owner[0] if owner else None,
                owner=owner[1] if owner else None,
            )
            print(f"Wrote {destination}: {events} event{'s' if events != 1 else ''}")
            return 0
        else:
            with tempfile.TemporaryDirectory() as folder:
                zipped = Path(folder) / f"{args.audit.strip().upper()} response pack.zip"
                pack.write_response_pack(register, args.audit, today, zipped)
                written = eml.write_email_draft(
                    register, args.audit, today, destination, attachments=[zipped]
                )
        print(f"Wrote {written}")
        return 0
    finally:
        register.close()


def _export_filter(register: Any, args: argparse.Namespace) -> Any:
    from carapp.models.enums import Classification, Stage
    from carapp.queries.register_table import RegisterFilter

    owner_id = _owner(register, args.owner)[0] if args.owner else None
    return RegisterFilter(
        search=args.search,
        stages=frozenset([Stage(args.stage)]) if args.stage else frozenset(),
        classifications=frozenset([Classification(args.classification)])
        if args.classification
        else frozenset(),
        audit_ref=_known_audit(register, args.audit) if args.audit else None,
        owner_id=owner_id,
    )


def _owner(register: Any, typed: str) -> tuple[int, str]:
    """(id, name) of the person called ``typed`` (case and spacing aside)."""
    from carapp.queries import list_people

    wanted = " ".join(typed.split()).casefold()
    for pid, name in list_people(register):
        if name.casefold() == wanted:
            return pid, name
    raise _UsageError(
        f"Nobody called {typed!r} is in this register: give the name as its people list shows it."
    )


def _kinds(typed: list[str] | None) -> frozenset[Any]:
    from carapp.models.due import DueKind

    if not typed:
        return frozenset(DueKind)
    try:
        return frozenset(DueKind.parse(text) for text in typed)
    except ValueError as exc:
        raise _UsageError(str(exc)) from None


def _agenda_row(item: Any) -> dict[str, Any]:
    from carapp.queries.json import plain

    row: dict[str, Any] = plain(item)
    row.pop("today", None)
    row.update(
        key=item.key,
        overdue=item.overdue,
        extended=item.extended,
        summary=item.summary,
        description=item.describe(),
    )
    return row


def format_agenda(found: Any) -> str:
    """The agenda as a table: overdue first, most overdue first, then what is coming."""
    from carapp.models.due import lateness

    def rows(items: Any) -> list[str]:
        lines = []
        for i in items:
            was = ""
            if i.extended and i.original_on is not None:
                was = f" (was {i.original_on.isoformat()})"
            lines.append(
                f"  {i.on.isoformat():<10} {i.kind.short:<8} {i.item_ref:<14} "
                f"{i.findings_text:<14} {i.owners_text:<24} {lateness(i.on, found.today)}{was}"
            )
        return lines

    plural = "s" if found.days != 1 else ""
    head = f"  {'DATE':<10} {'KIND':<8} {'REF':<14} {'FINDINGS':<14} {'OWNER':<24} WHEN"
    lines = [f"Overdue ({len(found.overdue)}):"]
    lines += [head, *rows(found.overdue)] if found.overdue else ["  nothing overdue"]
    lines += ["", f"Due in the next {found.days} day{plural} ({len(found.coming)}):"]
    lines += [head, *rows(found.coming)] if found.coming else ["  nothing falls due"]
    return "\n".join(lines)


def cmd_agenda(args: argparse.Namespace) -> int:
    from carapp.queries.agenda import AgendaFilter, agenda

    kinds = _kinds(args.kind)
    register = _open(args)
    try:
        owner = _owner(register, args.owner) if args.owner else None
        today = _today(args)
        found = agenda(register, today, args.days, AgendaFilter(owner[0] if owner else None, kinds))
    finally:
        register.close()
    if args.json:
        print(
            _json_text(
                {
                    "today": found.today,
                    "days": found.days,
                    "owner": owner[1] if owner else None,
                    "overdue": [_agenda_row(i) for i in found.overdue],
                    "coming": [_agenda_row(i) for i in found.coming],
                },
                indent=2,
            )
        )
    else:
        print(_visible(format_agenda(found), lines=True))
    return 0


def cmd_reminders(args: argparse.Namespace) -> int:
    from carapp.exports.reminders import write_reminders

    register = _open(args)
    try:
        written = write_reminders(register, args.output, _today(args), args.days)
    finally:
        register.close()
    for draft in written.drafts:
        owner = draft.owner
        print(_visible(f"Wrote {draft.path}: {owner.subject.removeprefix('Corrective actions: ')}"))
    for sentence in written.missing_addresses():
        print(_visible(f"carapp: {sentence}."), file=sys.stderr)
    if not written.drafts:
        print(written.summary())
    return 0


def cmd_import(args: argparse.Namespace) -> int:
    from carapp.imports.mapping import auto_mapping, load_profile
    from carapp.imports.plan import plan_import
    from carapp.imports.sheets import read_spreadsheet
    from carapp.imports.values import DateOrder
    from carapp.operations.importing import run_import

    profile = load_profile(args.mapping) if args.mapping else None
    spreadsheet = read_spreadsheet(args.file)
    table = spreadsheet.table(args.sheet) if args.sheet else spreadsheet.proposed
    others = [t for t in spreadsheet.tables if t is not table]
    if others and not args.sheet:
        listed = ", ".join(
            f"{t.name} ({len(t.rows)} row{'' if len(t.rows) == 1 else 's'})" for t in others
        )
        print(
            _visible(
                f"carapp: note: {args.file.name} has other sheets that look like a register: "
                f"{listed}; only {table.name} is read (choose another with --sheet)."
            ),
            file=sys.stderr,
        )
    mapping = profile.apply(table) if profile else auto_mapping(table)
    if args.date_order:
        mapping = mapping.with_date_order(DateOrder(args.date_order))
    print(
        _visible(
            f"Reading {args.file.name}, sheet {table.name}, headings on row {table.header_row}:"
        )
    )
    for heading, field in zip(table.headings, mapping.fields, strict=True):
        if heading or field:
            target = field.label if field else "not imported"
            print(_visible(f"  {heading or '(no heading)'} -> {target}"))
    register = _open(args)
    try:
        plan = plan_import(
            register, spreadsheet, table, mapping, skip_errors=args.skip_errors, today=_today(args)
        )
        for line in plan.report():
            print(_visible(line))
        if args.dry_run:
            print("Dry run: nothing was written.")
            return 0 if plan.ok else 1
        if not plan.can_commit:
            print(
                "Nothing was written: correct the rows above, or give --skip-errors to "
                "import the others.",
                file=sys.stderr,
            )
            return 1
        result = run_import(register, plan, today=_today(args))
    finally:
        register.close()
    if not result.wrote:
        print(_visible(f"{args.file.name}: {result.summary()}; nothing was written."))
        return 0
    print(_visible(f"Imported {args.file.name}: {result.summary()}."))
    if result.backup is not None:
        print(_visible(f"The register as it was before is saved as {result.backup}."))
    return 0


def _known_audit(register: Any, ref: str) -> str:
    from carapp.errors import NotFoundError
    from carapp.queries.audits import list_audits

    wanted = ref.strip().upper()
    if wanted not in {a.ref for a in list_audits(register)}:
        raise NotFoundError(
            f"There is no audit {ref!r} in this register: carapp audits lists them."
        )
    return wanted


COMMANDS = {
    "demo": cmd_demo,
    "list": cmd_list,
    "show": cmd_show,
    "audits": cmd_audits,
    "check": cmd_check,
    "whoami": cmd_whoami,
    "export": cmd_export,
    "agenda": cmd_agenda,
    "reminders": cmd_reminders,
    "import": cmd_import,
}


if __name__ == "__main__":
    sys.exit(main())
