"""A round's path through the nomination states, read from its stage list (rules as data).

Every round starts ``draft → submitted`` and ends ``proposed → (in_notice) → named``. In between, each stage
of the round's list adds the state a nomination reaches when it passes that stage, in the round's own
order: 巴陵 goes qualified → scored → inspected, 巴渝 goes qualified → shortlisted → voted → scored.
The ``committee`` stage is the proposal of the list (``proposed``), which every round has, whether a
committee or the office itself makes it; ``notice`` adds ``in_notice`` before naming.
"""

from __future__ import annotations

from honourees.models import Nomination, Round

S = Nomination.Status

STATE_OF_STAGE = {
    "qualification": S.QUALIFIED,
    "expert_review": S.SCORED,
    "shortlist": S.SHORTLISTED,
    "online_vote": S.VOTED,
    "defense": S.DEFENDED,
    "field_inspection": S.INSPECTED,
}
# Where a nomination has got to, stage by stage, for the pipeline view.
LIVE = (
    S.SUBMITTED,
    S.QUALIFIED,
    S.SCORED,
    S.SHORTLISTED,
    S.VOTED,
    S.DEFENDED,
    S.INSPECTED,
    S.PROPOSED,
    S.IN_NOTICE,
)


def path_for(round_: Round) -> list[str]:
    """The states a nomination of this round passes through, in order, from draft to named."""
    # Every round checks eligibility first (nomination_qualify takes a nomination straight from submitted),
    # wherever its stage list puts "qualification", or if it leaves it out.
    path = [S.DRAFT, S.SUBMITTED, S.QUALIFIED]
    for kind in round_.stage_kinds():
        if kind in STATE_OF_STAGE and kind != "qualification":
            path.append(STATE_OF_STAGE[kind])
    path.append(S.PROPOSED)
    if uses_notice(round_):
        path.append(S.IN_NOTICE)
    path.append(S.NAMED)
    return path


def uses_notice(round_: Round) -> bool:
    return "notice" in round_.stage_kinds() and round_.notice_working_days > 0


def next_state(round_: Round, status: str) -> str | None:
    """The state after ``status`` on this round's path (None at the end or off the path)."""
    path = path_for(round_)
    if status not in path or status == path[-1]:
        return None
    return path[path.index(status) + 1]


def state_before(round_: Round, status: str) -> str:
    """The state a nomination must be in to reach ``status`` on this round's path."""
    path = path_for(round_)
    return path[path.index(status) - 1]


def uses(round_: Round, status: str) -> bool:
    return status in path_for(round_)
