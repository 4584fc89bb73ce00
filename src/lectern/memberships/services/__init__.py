"""Writes for organisations, memberships, contacts, codes and the seat ledger, one module
per subject; everything is imported from here."""

from lectern.memberships.services.contacts import contact_add
from lectern.memberships.services.ledger import (
    MAX_SEATS_AT_ONCE,
    LedgerTake,
    NotEnoughSeats,
    ledger_append,
    ledger_take,
    lock_membership,
    seats_add,
)
from lectern.memberships.services.members import (
    MAX_IMPORT_LINES,
    MEMBER_COLUMNS,
    ImportLine,
    MemberImport,
    member_create,
    members_import,
)
from lectern.memberships.services.organisations import (
    DOMAIN_NAME,
    domains_clean,
    domains_parse,
    organization_create,
)
from lectern.memberships.services.terms import (
    membership_create,
    membership_extend,
    registration_code_reset,
    rollover_window_opens,
    seats_rollover,
)

__all__ = [
    "DOMAIN_NAME",
    "MAX_IMPORT_LINES",
    "MAX_SEATS_AT_ONCE",
    "MEMBER_COLUMNS",
    "ImportLine",
    "LedgerTake",
    "MemberImport",
    "NotEnoughSeats",
    "contact_add",
    "domains_clean",
    "domains_parse",
    "ledger_append",
    "ledger_take",
    "lock_membership",
    "member_create",
    "members_import",
    "membership_create",
    "membership_extend",
    "organization_create",
    "registration_code_reset",
    "rollover_window_opens",
    "seats_add",
    "seats_rollover",
]
