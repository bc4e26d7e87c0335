"""Pages of the studios side (studio hosts, assessors, the talent office)."""

from django.urls import path  # noqa: F401

app_name = "studios"

urlpatterns: list = []
