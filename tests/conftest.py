"""Shared fixtures: personas per role, the PostgreSQL guard, and the browser."""

import os

import pytest

from backend.roles import Role

PASSWORD = "correct horse battery staple"


def pytest_configure(config):
    """Fast password hashing in tests: PBKDF2's deliberate slowness costs seconds per test that makes users."""
    from django.conf import settings

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def pytest_collection_modifyitems(config, items):
    """Skip 'postgres' tests on SQLite, except in CI, where skipping them would hide real failures."""
    from django.db import connection

    if connection.vendor == "postgresql":
        return
    if os.environ.get("GONGJIANG_REQUIRE_POSTGRES"):
        raise pytest.UsageError("CI must run on PostgreSQL: set DATABASE_URL (bin/test does this).")
    skip = pytest.mark.skip(reason="needs PostgreSQL (row locks, real concurrency); running on SQLite")
    for item in items:
        if "postgres" in item.keywords:
            item.add_marker(skip)


@pytest.fixture
def make_user(db, django_user_model):
    from django.contrib.auth.models import Group

    def make(username: str, *roles: str, **fields):
        user = django_user_model.objects.create_user(username=username, password=PASSWORD, **fields)
        for role in roles:
            user.groups.add(Group.objects.get_or_create(name=role)[0])
        return user

    return make


@pytest.fixture
def office(make_user):
    return make_user("alice", Role.TALENT_OFFICE, last_name="王敏")


@pytest.fixture
def maker(make_user):
    return make_user("mike", Role.FINANCE_MAKER)


@pytest.fixture
def checker(make_user):
    return make_user("cathy", Role.FINANCE_CHECKER)


@pytest.fixture
def auditor(make_user):
    return make_user("audrey", Role.AUDITOR)


@pytest.fixture
def nobody(make_user):
    return make_user("nemo")


@pytest.fixture
def seeds(db) -> dict:
    """The five seed rounds as the demo sets them up (not yet open for nominations), by scheme code."""
    from honourees.demo import load_seeds
    from honourees.models import Round

    load_seeds()
    return {r.scheme.code: r for r in Round.objects.select_related("scheme")}
