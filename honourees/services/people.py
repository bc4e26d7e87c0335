"""People: one row per identity number, shared by nominations, honourees and apprentices."""

from __future__ import annotations

from django.contrib.auth.models import User
from django.db import IntegrityError, transaction

from backend.errors import ValidationFailed
from backend.history import save_as
from backend.roles import Role, has_role
from honourees.models import Person


def person_lock_or_create(data: dict, *, by: User, row: int | None = None) -> Person:
    """The person with that identity number, locked, made when new; the name must agree with the record.

    One person (identity number) is one person for intake, the registry and studios alike. Only the talent
    office is told the registered name when it differs: anyone else could look names up by trying numbers.
    """
    who = Person.objects.select_for_update().filter(id_number=data["id_number"]).first()
    if who is None:
        try:
            # Two rounds may take the same new person at once (each save locks only its own round): the
            # unique identity number lets one insert win, and the other reads the winner's row.
            with transaction.atomic():
                return save_as(Person(**data), by=by)
        except IntegrityError:
            who = Person.objects.select_for_update().get(id_number=data["id_number"])
    if who.name != data["name"]:
        if has_role(by, Role.TALENT_OFFICE):
            zh = f"身份证号 {data['id_number'][:6]}… 已登记为“{who.name}”，与填写的姓名“{data['name']}”不一致。"
            en = f"That identity number is registered as '{who.name}', not '{data['name']}'."
        else:  # a clerk must not be able to look names up by trying identity numbers
            zh = "身份证号已登记在另一姓名下，请核对姓名和身份证号。"
            en = "That identity number is registered under another name; check the name and the number."
        raise ValidationFailed(zh, en, field="id_number", row=row)
    return who  # gender and birth date come from the identity number, so they cannot differ
