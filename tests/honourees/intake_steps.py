"""The steps of a round, driven through the services the way the office, the clerks and the experts would.

Shared by the intake flow, quota, race and notice tests; every step goes through honourees.services.
"""

from __future__ import annotations

from decimal import Decimal

from honourees.models import Nomination, RecommendingUnit, Round
from honourees.services import intake, review
from tests.honourees.conftest import good_fields, person_data


def reload(nomination: Nomination) -> Nomination:
    return Nomination.objects.get(pk=nomination.pk)


def draft(round_: Round, unit: RecommendingUnit | None, by, *, name: str = "张师傅", person=None, **fields):
    if round_.scheme.code == "baotou":
        fields.setdefault("claimed_routes", ["competition"])  # 包头 §三: one of six routes is needed
    return intake.nomination_save(
        by=by,
        round_id=round_.pk,
        unit_id=unit.pk if unit else None,
        person=person or person_data(name),
        fields=good_fields(**fields),
    )


def submitted(round_: Round, unit: RecommendingUnit, by, *, name: str = "张师傅", **fields) -> Nomination:
    n = draft(round_, unit, by, name=name, **fields)
    return intake.nomination_submit(by=by, nomination_id=n.pk)


def start_review(office, round_: Round) -> Round:
    return review.round_set_status(by=office, round_id=round_.pk, status=Round.Status.REVIEWING)


def decisions(nomination: Nomination, ok: bool = True, note: str = "已核实") -> dict:
    """A decision for every check of the nomination that needs judgement."""
    return {
        str(r["index"]): {"ok": ok, "note": note} for r in nomination.eligibility if r["outcome"] == "judge"
    }


def qualify(office, nomination: Nomination, ok: bool = True, note: str = "已核实") -> Nomination:
    return review.nomination_qualify(
        by=office, nomination_id=nomination.pk, judgements=decisions(nomination, ok, note)
    )


def expert_review(office, experts: list, marks: dict[Nomination, tuple]) -> None:
    """Assign every expert to every nomination, then each expert scores: ``marks[n][i]`` is expert i's score."""
    assignments = review.experts_assign(
        by=office, nomination_ids=[n.pk for n in marks], expert_ids=[e.pk for e in experts]
    )
    by_pk = {n.pk: scores for n, scores in marks.items()}
    order = [e.pk for e in experts]
    for a in assignments:
        expert = experts[order.index(a.expert_id)]
        review.expert_score(
            by=expert, assignment_id=a.pk, score=by_pk[a.nomination_id][order.index(a.expert_id)]
        )


def average(*scores) -> Decimal:
    return (sum(Decimal(str(s)) for s in scores) / len(scores)).quantize(Decimal("0.01"))
