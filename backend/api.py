"""API plumbing shared by every app: domain errors mapped to HTTP in one place, and who am I."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.decorators import api_view
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from backend.errors import DomainError
from backend.roles import user_roles


def exception_handler(exc, context):
    """DomainError → its status (400/403/404/409) with the message in both languages; rest as DRF."""
    if isinstance(exc, DomainError):
        return Response(exc.as_dict(), status=exc.status)
    return drf_exception_handler(exc, context)


class MeOut(serializers.Serializer):
    username = serializers.CharField()
    full_name = serializers.CharField()
    roles = serializers.ListField(child=serializers.CharField())


@extend_schema(responses=MeOut, summary="The signed-in user and their roles")
@api_view(["GET"])
def me(request):
    user = request.user
    return Response(
        MeOut(
            {
                "username": user.get_username(),
                "full_name": user.get_full_name(),
                "roles": sorted(user_roles(user)),
            }
        ).data
    )
