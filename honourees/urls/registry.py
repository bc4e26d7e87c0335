"""The honouree registry's pages (honourees.views.registry); every path starts with registry/."""

from django.urls import path

from honourees.views import registry as views

app_name = "registry"

urlpatterns = [
    path("registry/", views.roster, name="roster"),
    path("registry/roster.xlsx", views.roster_xlsx, name="roster-xlsx"),
    path("registry/calendar/", views.benefit_calendar, name="calendar"),
    path("registry/new/", views.register, name="register"),
    path("registry/import/", views.historic_import, name="import"),
    path("registry/import/<slug:code>.xlsx", views.historic_template, name="import-template"),
    path("registry/<int:pk>/", views.honouree_detail, name="honouree"),
    path("registry/<int:pk>/status/", views.honouree_status, name="status"),
    path("registry/<int:pk>/revoke/", views.honouree_revoke, name="revoke"),
    path("registry/<int:pk>/reinstate/", views.honouree_reinstate, name="reinstate"),
    path("registry/<int:pk>/prior-honours/", views.prior_honour_add, name="prior-add"),
    path(
        "registry/prior-honours/<int:pk>/revoke/",
        views.prior_honour_revoke,
        name="prior-revoke",
    ),
    path(
        "registry/entitlements/<int:pk>/deliveries/",
        views.delivery_add,
        name="delivery-add",
    ),
    path("registry/entitlements/<int:pk>/referral/", views.referral_record, name="referral"),
    path("registry/entitlements/<int:pk>/end/", views.entitlement_end, name="entitlement-end"),
    path(
        "registry/entitlements/<int:pk>/period/",
        views.entitlement_period,
        name="entitlement-period",
    ),
    path("registry/deliveries/<int:pk>/recovery/", views.delivery_recovery, name="recovery"),
]
