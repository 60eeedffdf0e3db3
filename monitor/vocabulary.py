"""The project's one vocabulary: roles and what each may do, item statuses and verdicts.

Only names live here; their Vietnamese texts are in the interface catalogue
(monitor/i18n) and label names in classifiers/labels.yaml. tests/test_vocabulary.py fails
when a role, status, verdict or label lacks its Vietnamese text. Every layer may import this.
"""

from __future__ import annotations

from dataclasses import dataclass

ROLES = ("analyst", "lead", "writer", "admin")


@dataclass(frozen=True, slots=True)
class User:
    """A person who can log in."""

    id: int
    name: str
    role: str
    active: bool = True


# Statuses an item moves through; "disputed" when analysts' latest verdicts disagree.
STATUSES = (
    "new",  # collected, not scored yet
    "scored",  # scored, under every review threshold
    "flagged",  # scored over a review threshold, waiting for an analyst
    "confirmed",  # confirmed distorted or hostile, waiting for a lead's sign-off
    "signed_off",  # confirmed and signed off by a lead
    "criticism",  # legitimate criticism, routed to the responsible office
    "dismissed",  # a false alarm
    "escalated",  # handed to a lead
    "disputed",  # two analysts disagree; a lead decides
    "own",  # the Department's own post (sources.yaml own: true): its output, never reviewed
)

VERDICTS = ("confirm_distorted", "confirm_hostile", "criticism", "dismiss", "escalate")
ALIASES = {
    "distorted": "confirm_distorted",
    "hostile": "confirm_hostile",
    "dismissed": "dismiss",
    "false_alarm": "dismiss",
    "escalated": "escalate",
}
# What the classifier learns from each verdict (None: nothing).
VERDICT_LABELS: dict[str, str | None] = {
    "confirm_distorted": "distorted",
    "confirm_hostile": "hostile",
    "criticism": "criticism",
    "dismiss": "neutral",
    "escalate": None,
}
VERDICT_STATUS = {
    "confirm_distorted": "confirmed",
    "confirm_hostile": "confirmed",
    "criticism": "criticism",
    "dismiss": "dismissed",
    "escalate": "escalated",
}
REASON_REQUIRED = {"confirm_distorted", "confirm_hostile", "dismiss"}

# What each role may do: one table for the dashboard, review and respond.
PERMISSIONS: dict[str, tuple[str, ...]] = {
    "read": ("analyst", "lead", "admin"),  # items, the queue, drafts, cases
    "judge": ("analyst", "lead"),  # verdicts, drafts, cases, criticism outcomes
    "lead": ("lead",),  # sign-off, assignment, the spokesperson's approval, offices
    "audit": ("lead", "admin", "writer"),  # the audit log, reports
    "write": ("lead", "writer"),  # the yearly report's own texts
    "admin": ("admin",),  # users
    "facts": ("admin",),  # the fact base
    "watch": ROLES,  # one's own watch rules (email alerts)
    "webhook": ("lead", "admin"),  # watch rules that post to a webhook; everyone's rules
    "tip": ("analyst", "lead", "admin"),  # submit a tip
    "tokens": ("admin",),  # API tokens for partner systems
    "activities": ("lead", "writer"),  # the activity register and the year's plan
    "any": ROLES,
}


OPERATOR_ROLE = "operator"  # not a login role: nobody signs in as the operator
OPERATOR = User(0, "cli", OPERATOR_ROLE)  # commands typed on the server
SYSTEM = User(0, "monitor", OPERATOR_ROLE)  # what the scheduler does by itself


class PermissionDenied(Exception):
    """The user's role does not allow this action."""


def allowed(role: str, action: str) -> bool:
    """True when ``role`` may do ``action`` (a key of PERMISSIONS); the operator (the command
    line and the scheduler, which act with the machine's own authority) may do everything."""
    return role == OPERATOR_ROLE or role in PERMISSIONS[action]


def require(user: User, action: str, what: str) -> None:
    """PermissionDenied naming ``what`` unless ``user`` is active and may do ``action``."""
    if not user.active or not allowed(user.role, action):
        raise PermissionDenied(f"{what}: not allowed for the role {user.role!r}")


# Where a tip was seen (people submit; platforms are never scraped) and how items arrive.
PLATFORMS = ("facebook", "youtube", "tiktok", "zalo", "forum", "web", "other")
CHANNELS = ("crawl", "tip")
TIP_SOURCE = "tip"  # the source id of every tip
# What raises an instant alert: a watch rule, a flagged item of high priority, a fast story.
ALERT_TRIGGERS = ("rule", "priority", "spread")
DELIVERY_STATES = ("pending", "sending", "sent", "failed")

# The Department's own foreign-information work that no crawler sees. The first five are the
# forms of giving information to the press (Decree 09/2017/NĐ-CP).
PRESS_FORMS = ("press_conference", "press_briefing", "interview", "written_answer",
               "press_release")  # fmt: skip
ACTIVITY_KINDS = (*PRESS_FORMS, "delegation", "cooperation", "training", "other")
# What the year's plan sets targets for: posts on the own portal, and each kind of activity.
PLAN_KEYS = ("own_post", *ACTIVITY_KINDS)
UPTAKE_KINDS = ("story", "quote")  # an outlet carried the same story, or quoted a passage

CONFIRMED = ("confirmed", "signed_off")  # confirmed distorted or hostile (review_state.status)


def base_status(flagged: bool | None, source_id: str = "") -> str:
    """Status before any verdict: new (unscored), scored or flagged. A scored tip is always
    flagged: a person sent it to be looked at, whatever the model thinks of it."""
    if flagged is None:
        return "new"
    return "flagged" if flagged or source_id == TIP_SOURCE else "scored"
