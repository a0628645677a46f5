"""The e-mail to the audit's lead auditor, as an ``.eml`` draft: addressed when the register
knows their address, with a subject naming the audit, a short body saying what is attached
and the register's fingerprint, ``X-Unsent: 1`` so that mail clients open it as a draft to
check and send, and the files attached.

There is no From header: the mail client fills in the account that sends the draft.
"""

from __future__ import annotations

import datetime as dt
import email.policy
import mimetypes
from collections.abc import Sequence
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import formatdate
from pathlib import Path

from carapp.errors import InvalidInputError
from carapp.exports.pack import Response, response_of
from carapp.exports.scope import write_atomically
from carapp.models.words import day_text
from carapp.operations.evidence import megabytes
from carapp.store import Register

# What mimetypes may not know on a bare system (no /etc/mime.types).
_MEDIA_TYPES = {
    ".zip": "application/zip",
    ".pdf": "application/pdf",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".csv": "text/csv",
    ".eml": "message/rfc822",
}


def media_type(path: Path) -> tuple[str, str]:
    known = _MEDIA_TYPES.get(path.suffix.lower()) or mimetypes.guess_type(path.name)[0]
    main, _, sub = (known or "application/octet-stream").partition("/")
    return main, sub


def address_of(name: str, address: str) -> Address | None:
    """The recipient as a To header takes them, or None when the register holds no address
    (or one no mail client would take)."""
    if not address or "@" not in address:
        return None
    user, _, domain = address.rpartition("@")
    try:
        return Address(display_name=name, username=user, domain=domain)
    except (ValueError, IndexError):
        return None


def draft(to: Address | None, subject: str, body: str) -> EmailMessage:
    """A message a mail client opens as a draft to check and send (``X-Unsent: 1``), to
    ``to`` when known; the client fills in the sender."""
    message = EmailMessage(policy=email.policy.SMTP)
    if to is not None:
        message["To"] = to
    message["Subject"] = subject
    message["Date"] = formatdate(localtime=True)
    message["X-Unsent"] = "1"
    message.set_content(body)
    return message


def _recipient(response: Response) -> Address | None:
    return address_of(response.audit.lead_auditor or "", response.lead_auditor_email)


def _body(response: Response, files: Sequence[tuple[str, int]], to: Address | None) -> str:
    a, h = response.audit, response.header
    greeting = f"Dear {a.lead_auditor}," if a.lead_auditor else "Hello,"
    body = f" ({a.certification_body})" if a.certification_body else ""
    lines = []
    if to is None:
        who = a.lead_auditor or "the lead auditor"
        lines += [
            f"[Add {who}'s e-mail address: the register does not hold it.]",
            "",
        ]
    lines += [
        greeting,
        "",
        f"Please find attached {h.organisation}'s corrective action response to audit "
        f"{a.ref}{body}, {a.kind.label.lower()} audit of {day_text(a.starts_on)}.",
        "",
        f"It covers {response.counts}.",
    ]
    if response.plan_due:
        lines.append(f"The action plan is due on {day_text(response.plan_due)}.")
    lines += ["", "Attached:"]
    lines += [f"  - {name} ({megabytes(size)})" for name, size in files]
    lines += [
        "",
        "The pack's MANIFEST.sha256 lists the SHA-256 of every file in it (check with",
        "`sha256sum -c MANIFEST.sha256` after unzipping). The documents were made from our",
        f"register with fingerprint {h.fingerprint_text};",
        f"`carapp check --anchor {h.fingerprint_text}` verifies it.",
        "",
        "Kind regards,",
        h.organisation,
        "",
    ]
    return "\n".join(lines)


def email_draft(
    register: Register, audit_ref: str, today: dt.date, attachments: Sequence[Path]
) -> EmailMessage:
    """The draft message, attachments read; a sentence when a file cannot be read."""
    response = response_of(register, audit_ref, today)
    files: list[tuple[Path, bytes]] = []
    for path in attachments:
        try:
            files.append((path, path.read_bytes()))
        except OSError as exc:
            raise InvalidInputError(
                f"{path} cannot be attached: {exc.strerror or exc}. Write it again, then "
                "make the e-mail."
            ) from None
    to = _recipient(response)
    organisation = response.header.organisation
    message = draft(
        to,
        f"Corrective action response: {response.audit.ref} ({organisation})",
        _body(response, [(p.name, len(b)) for p, b in files], to),
    )
    for path, data in files:
        main, sub = media_type(path)
        message.add_attachment(data, maintype=main, subtype=sub, filename=path.name)
    return message


def write_email_draft(
    register: Register,
    audit_ref: str,
    today: dt.date,
    destination: Path,
    *,
    attachments: Sequence[Path],
) -> Path:
    """The ``.eml`` draft to the lead auditor of ``audit_ref`` at ``destination``, whole or
    not at all, with ``attachments`` (typically the response pack) attached."""
    data = email_draft(register, audit_ref, today, attachments).as_bytes()

    def write(partial: Path) -> None:
        partial.write_bytes(data)

    return write_atomically(destination, write)
