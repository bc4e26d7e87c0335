import pytest
from django.contrib.auth.models import Group
from django.db.models import Q

from backend.errors import NotPermitted
from backend.roles import ALL, Role, can_see_full_id, has_role, require_role, scope_by_role, user_roles
from honourees.models import Scheme

pytestmark = pytest.mark.django_db


def test_the_seven_roles_exist_as_groups_after_migrating():
    assert set(Group.objects.values_list("name", flat=True)) >= set(Role.values)
    assert len(Role.values) == 7


def test_a_user_holds_exactly_the_roles_of_their_groups(make_user):
    user = make_user("bob", Role.FINANCE_MAKER, Role.AUDITOR)
    assert user_roles(user) == {Role.FINANCE_MAKER, Role.AUDITOR}
    assert has_role(user, Role.AUDITOR)
    assert not has_role(user, Role.FINANCE_CHECKER)


def test_a_superuser_gets_no_role_implicitly(django_user_model):
    root = django_user_model.objects.create_superuser("root", password="x" * 12)
    assert user_roles(root) == frozenset()
    with pytest.raises(NotPermitted):
        require_role(root, Role.FINANCE_CHECKER)


def test_an_inactive_or_anonymous_user_has_no_role(make_user):
    from django.contrib.auth.models import AnonymousUser

    user = make_user("gone", Role.TALENT_OFFICE, is_active=False)
    assert user_roles(user) == frozenset()
    assert user_roles(AnonymousUser()) == frozenset()


def test_require_role_names_the_roles_in_both_languages(nobody):
    with pytest.raises(NotPermitted) as caught:
        require_role(nobody, Role.FINANCE_MAKER, Role.FINANCE_CHECKER)
    assert "财务经办" in caught.value.zh and "财务审核" in caught.value.zh
    assert "Finance officer (maker)" in caught.value.en
    assert caught.value.status == 403


def test_only_office_and_finance_see_whole_identity_numbers(office, maker, checker, auditor, make_user):
    host = make_user("hank", Role.STUDIO_HOST)
    assert [can_see_full_id(u) for u in (office, maker, checker, auditor, host)] == [
        True,
        True,
        True,
        False,
        False,
    ]


def test_scope_by_role_unions_the_rules_of_each_role(make_user):
    a = Scheme.objects.create(code="a", name="A", city="甲")
    b = Scheme.objects.create(code="b", name="B", city="乙")
    Scheme.objects.create(code="c", name="C", city="丙")
    rules = {Role.EXPERT: Q(code="a"), Role.STUDIO_HOST: lambda u: Q(name="B"), Role.TALENT_OFFICE: ALL}
    expert_and_host = make_user("eve", Role.EXPERT, Role.STUDIO_HOST)
    office = make_user("olga", Role.TALENT_OFFICE)
    clerk = make_user("carl", Role.UNIT_CLERK)

    assert set(scope_by_role(Scheme.objects.all(), expert_and_host, rules)) == {a, b}
    assert scope_by_role(Scheme.objects.all(), office, rules).count() == 3
    assert list(scope_by_role(Scheme.objects.all(), clerk, rules)) == [], "a role with no rule sees nothing"


def test_the_migration_creates_exactly_the_roles_the_code_knows():
    import importlib

    migration = importlib.import_module("backend.migrations.0002_create_role_groups")
    assert migration.ROLES == Role.values
