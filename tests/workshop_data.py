"""The leavers workshop of ../shared/DOMAIN.md as a draft, ready to record or print."""

from __future__ import annotations

from carapp.models.enums import CauseCategory
from carapp.models.workshop import Attendee, DraftAction, ParkedIssue, WorkshopDraft
from carapp.queries.workshops import start_workshop
from tests.conftest import TODAY, World

LEAVERS_WHYS = (
    ("IT was not told that the three people had left.", "Ticket queue for Q1: no leaver tickets."),
    ("The HR offboarding checklist has no step to notify IT.", "Checklist HR-07 v2."),
    ("It predates the IT system and was never updated.", ""),
    ("Nobody reviews HR procedures when systems change.", ""),
    ("Nobody clearly owns the offboarding procedure.", ""),
)
BRANCH = "The HR system sends no leaver notice to the directory."


def leavers_draft(world: World, ref: str) -> WorkshopDraft:
    """Five whys (evidence on the first two, both checked), a branch under the first why,
    the fifth named the root cause (an ownership gap), two actions and a parked issue."""
    draft = start_workshop(world.register, ref, TODAY)
    draft.attendees = [
        Attendee("Priya Natarajan", world.manager, "ISMS manager"),
        Attendee("Tom Okafor", world.owner, "IT operations lead"),
        Attendee("José Núñez", None, "HR business partner"),
    ]
    above = None
    for answer, evidence in LEAVERS_WHYS:
        why = draft.add_why(after=above)
        why.answer, why.evidence, why.checked = answer, evidence, bool(evidence)
        above = why.key
    first = draft.ordered()[0]
    branch = draft.add_why(branch_of=first.key)
    branch.answer = BRANCH
    draft.root_key = above
    draft.category = CauseCategory.OWNERSHIP
    draft.statement = "Ownership gap: nobody owns the offboarding procedure."
    draft.actions = [
        DraftAction(
            description="Name the HR operations manager owner of the offboarding procedure.",
            owner_id=world.manager,
            target="2026-12-15",
            outcome="Owner named in the procedure and in the ISMS roles list.",
        ),
        DraftAction(
            description="Add a 'notify IT' step to checklist HR-07 and disable accounts "
            "automatically from the HR leaver date.",
            owner_name="José Núñez",
            target="2027-01-31",
            outcome="No leaver account active a day after the leaving date, in a monthly sample.",
        ),
    ]
    draft.parking = [ParkedIssue("Contractors are not in the HR system at all.")]
    draft.elapsed_seconds = 47 * 60
    return draft
