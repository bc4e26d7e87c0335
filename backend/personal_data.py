"""Identity numbers shown masked, and whole only to roles that need them, with each showing recorded."""

from backend.idnumbers import mask_id_number
from backend.models import PersonalDataAccess
from backend.roles import can_see_full_id


def id_number_for(user, obj, *, field: str = "id_number", purpose: str = "") -> str:
    """The identity number of ``obj`` as ``user`` may see it; a whole number is logged as an unmasking."""
    value = getattr(obj, field) or ""
    if not value or not can_see_full_id(user):
        return mask_id_number(value)
    PersonalDataAccess.objects.create(
        user=user,
        subject_type=obj._meta.label_lower,
        subject_id=str(obj.pk),
        field=field,
        purpose=purpose[:200],
    )
    return value


def log_whole_id_numbers(user, person_ids, *, purpose: str) -> bool:
    """Whether ``user`` may see whole identity numbers; if so, each person's is logged, in one insert.

    For exports that write many people's numbers at once: the caller masks them when this says False.
    """
    if not can_see_full_id(user):
        return False
    PersonalDataAccess.objects.bulk_create(
        PersonalDataAccess(
            user=user,
            subject_type="honourees.person",
            subject_id=str(pid),
            field="id_number",
            purpose=purpose[:200],
        )
        for pid in sorted(set(person_ids))
    )
    return True
