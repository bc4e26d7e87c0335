"""The honourees app's models, one module per concern; import them from here (``honourees.models``).

The submodules import each other one way only: schemes ← people ← nominations ← honours ← benefits
(Debarment.source names "Nomination" by string for that reason).
"""

from honourees.models.benefits import BenefitDelivery, BenefitEntitlement, BenefitType
from honourees.models.honours import Honouree, HonoureeStatusChange
from honourees.models.nominations import Attachment, ExpertAssignment, Nomination, Objection
from honourees.models.people import Debarment, Person, PriorHonour
from honourees.models.schemes import RecommendingUnit, Round, Scheme, UnitClerk

__all__ = [
    "Scheme",
    "Round",
    "RecommendingUnit",
    "UnitClerk",
    "Person",
    "PriorHonour",
    "Debarment",
    "Nomination",
    "Attachment",
    "ExpertAssignment",
    "Objection",
    "Honouree",
    "HonoureeStatusChange",
    "BenefitType",
    "BenefitEntitlement",
    "BenefitDelivery",
]
