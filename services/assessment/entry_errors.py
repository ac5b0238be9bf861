"""The words for refused staff entries and proposals, shared by the chat, the CLI and imports.

Services raise :class:`DomainError` codes; this table turns them into a sentence in the
reader's language (the caller's gettext context decides which).
"""

from __future__ import annotations

from services.errors import DomainError
from services.translation import N_
from services.translation import gettext as _

REFUSALS = {
    "no_assessment": N_("The rules of {year} have no [assessment] section."),
    "year_closed": N_("The assessment of {year} is closed: nothing can be added to it."),
    "out_of_scope": N_("Only administrators can record assessment entries."),
    "entry_item_unknown": N_("There is no assessment item '{item}' this year."),
    "entry_item_not_staff": N_(
        "Item {item} is counted from the records themselves, not entered by staff."
    ),
    "entry_subject": N_("Give either a member or a sector, not both."),
    "entry_needs_member": N_("Item {item} is a member's item: give a member code."),
    "entry_needs_sector": N_("Item {item} is a sector's item: give a sector code."),
    "entry_level": N_("Item {item} needs a level: one of {levels}."),
    "entry_no_level": N_("Item {item} has no levels: leave the level empty."),
    "entry_date_year": N_("The date must lie in {year}."),
    "entry_date": N_("'{value}' is not a date (write it as 2026-03-15)."),
    "entry_title_missing": N_("The title is missing."),
    "entry_title_length": N_("The title is longer than {maximum} characters."),
    "entry_evidence_length": N_("The evidence is longer than {maximum} characters."),
    "entry_reference_length": N_("The reference is longer than {maximum} characters."),
    "entry_quantity": N_("The quantity must be a whole number from 1 to {maximum}."),
    "unknown_member": N_("No member has the code '{value}'."),
    "unknown_sector": N_("No sector has the code '{value}'."),
    "proposal_number": N_("'{value}' is not a proposal number of {year} (like {year}-T-0042)."),
    "proposal_unknown": N_("No proposal {number} in {year}."),
    "proposal_rating": N_("The rating must be excellent, key, excellent_key or none."),
    "proposal_cosigner_lead": N_("The lead proposer {value} cannot also co-sign."),
    "proposal_number_twice": N_("Proposal {number} appears twice."),
    "proposal_suggestions_missing": N_("A proposal needs at least one suggestion."),
    "proposal_suggestions_many": N_("A proposal has at most {maximum} suggestions."),
    "proposal_suggestion_length": N_("Suggestion {item} is longer than {maximum} characters."),
    "proposal_items_handled": N_(
        "Proposal {number} is with departments already: its suggestions cannot be replaced."
    ),
    "columns_missing": N_("The file lacks the columns: {columns}."),
}


def refusal_text(error: DomainError) -> str:
    """The localized sentence for a refusal; an unknown code shows as itself."""
    template = REFUSALS.get(error.code)
    if template is None:
        if error.code == "not_found":
            return _("Not found: {what}").format(what=error.params.get("what", ""))
        return _("Refused: {code}").format(code=error.code)
    return _(template).format(**error.params)


# The levels the bundled rules name; a level not listed here shows as its code.
LEVEL_NAMES = {
    "city": N_("adopted by the city"),
    "party": N_("adopted by the party committee"),
    "national": N_("adopted nationally"),
    "oral": N_("oral"),
    "written": N_("written"),
    "report": N_("research or inspection report"),
    "article": N_("theory article"),
    "adopted": N_("adopted in practice"),
    "policy": N_("turned into policy"),
}


def level_name(level: str) -> str:
    """A level in the reader's language."""
    template = LEVEL_NAMES.get(level)
    return _(template) if template else level
