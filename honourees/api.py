from rest_framework import viewsets

from honourees import selectors
from honourees.serializers import RoundOut, SchemeOut, UnitOut


class SchemeViewSet(viewsets.ReadOnlyModelViewSet):
    """Honour schemes (one per city title)."""

    serializer_class = SchemeOut
    filterset_fields = ["code", "city"]

    def get_queryset(self):
        return selectors.schemes_for(self.request.user)


class RoundViewSet(viewsets.ReadOnlyModelViewSet):
    """Rounds with their rules as data."""

    serializer_class = RoundOut
    filterset_fields = ["scheme__code", "year", "status"]

    def get_queryset(self):
        return selectors.rounds_for(self.request.user)


class UnitViewSet(viewsets.ReadOnlyModelViewSet):
    """Recommending units."""

    serializer_class = UnitOut
    filterset_fields = ["scheme__code", "unit_type"]

    def get_queryset(self):
        return selectors.units_for(self.request.user)


def register(router):
    router.register("schemes", SchemeViewSet, basename="scheme")
    router.register("rounds", RoundViewSet, basename="round")
    router.register("units", UnitViewSet, basename="unit")
