"""The honourees app's REST API: the intake (``intake``) and the registry (``registry``)."""

from honourees.api import intake, registry


def register(router) -> None:
    router.register("schemes", intake.SchemeViewSet, basename="scheme")
    router.register("rounds", intake.RoundViewSet, basename="round")
    router.register("units", intake.UnitViewSet, basename="unit")
    router.register("nominations", intake.NominationViewSet, basename="nomination")
    router.register("assignments", intake.AssignmentViewSet, basename="assignment")
    router.register("objections", intake.ObjectionViewSet, basename="objection")
    router.register("honourees", registry.HonoureeViewSet, basename="honouree")
    router.register(
        "benefit-entitlements", registry.BenefitEntitlementViewSet, basename="benefit-entitlement"
    )
    router.register("benefit-deliveries", registry.BenefitDeliveryViewSet, basename="benefit-delivery")
    router.register("prior-honours", registry.PriorHonourViewSet, basename="prior-honour")
    router.register("benefit-types", registry.BenefitTypeViewSet, basename="benefit-type")
