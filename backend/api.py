"""API plumbing shared by every app: domain errors mapped to HTTP in one place, and who am I."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.decorators import api_view
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from backend.errors import DomainError, ValidationFailed
from backend.roles import user_roles


def exception_handler(exc, context):
    """DomainError → its status (400/403/404/409) with the message in both languages; rest as DRF."""
    if isinstance(exc, DomainError):
        return Response(exc.as_dict(), status=exc.status)
    return drf_exception_handler(exc, context)


def validated(serializer_class, data) -> dict:
    """The serializer's validated data, or ValidationFailed naming each field (the field's own error alone)."""
    ser = serializer_class(data=data)
    if ser.is_valid():
        return ser.validated_data
    errors = [
        ValidationFailed(
            f"{field}：{'；'.join(map(str, msgs))}", f"{field}: {' '.join(map(str, msgs))}", field=field
        )
        for field, msgs in ser.errors.items()
    ]
    if len(errors) == 1:
        raise errors[0]
    raise ValidationFailed("请求数据有误。", "The request data is not valid.", errors=errors)


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
