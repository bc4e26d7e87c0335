from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView
from rest_framework.authtoken.views import obtain_auth_token
from rest_framework.routers import DefaultRouter

from backend import api, calendar_api, views
from funding.api import register as register_funding
from honourees.api import register as register_honourees
from reports.api import register as register_reports
from studios.api import register as register_studios

router = DefaultRouter()
router.register("calendar-overrides", calendar_api.CalendarOverrideViewSet, basename="calendar-override")
register_honourees(router)
register_studios(router)
register_funding(router)
register_reports(router)

urlpatterns = [
    path("", views.home, name="home"),
    path("calendar/", views.calendar, name="calendar"),
    path("", include("honourees.urls.intake")),
    path("", include("honourees.urls.registry")),
    path("", include("studios.urls")),
    path("", include("funding.urls")),
    path("", include("reports.urls")),
    path("healthz", views.healthz, name="healthz"),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("api/v1/me/", api.me, name="api-me"),
    path("api/v1/calendar/notice-period/", calendar_api.notice_period, name="api-notice-period"),
    path("api/v1/auth/token/", obtain_auth_token, name="api-token"),
    path("api/v1/", include(router.urls)),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("api/redoc/", SpectacularRedocView.as_view(url_name="api-schema"), name="api-redoc"),
]
