"""Where a person is paid: the bank account a batch line is made with."""

from __future__ import annotations

from django.contrib.auth.models import User
from django.db import transaction

from backend.errors import NotFound, ValidationFailed
from backend.history import save_as
from backend.roles import Role, require_role
from honourees.models import Person

from ..models import PayeeAccount


@transaction.atomic
def payee_account_set(
    *, by: User, person_id: int, account_name: str, bank_name: str, account_no: str
) -> PayeeAccount:
    """Record where a person is paid. Lines already made keep the account they were made with."""
    require_role(by, Role.FINANCE_MAKER)
    person = Person.objects.filter(pk=person_id).first()
    if person is None:
        raise NotFound("没有这个人员。", "No such person.")
    account_name, bank_name = (account_name or "").strip(), (bank_name or "").strip()
    account_no = "".join((account_no or "").split())
    errors = []
    if not account_name:
        errors.append(
            ValidationFailed("请填写户名。", "Please give the account holder.", field="account_name")
        )
    elif account_name != person.name:
        errors.append(
            ValidationFailed(
                f"户名“{account_name}”与获评人姓名“{person.name}”不一致：奖金只能付给本人。",
                f"The account holder '{account_name}' is not the honouree '{person.name}': awards are paid to the person.",
                field="account_name",
            )
        )
    if not bank_name:
        errors.append(ValidationFailed("请填写开户银行。", "Please give the bank.", field="bank_name"))
    if not account_no.isdigit() or not 8 <= len(account_no) <= 30:
        errors.append(
            ValidationFailed(
                "银行账号应为 8–30 位数字。", "The account number must be 8 to 30 digits.", field="account_no"
            )
        )
    if errors:
        raise ValidationFailed("收款账户信息有误。", "The bank account details are not valid.", errors=errors)
    account = PayeeAccount.objects.select_for_update().filter(person=person).first() or PayeeAccount(
        person=person
    )
    account.account_name, account.bank_name, account.account_no = account_name, bank_name, account_no
    return save_as(account, by=by, reason="bank account set")
