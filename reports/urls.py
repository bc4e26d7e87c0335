from django.urls import path

from reports import views

app_name = "reports"

urlpatterns = [
    path("reports/", views.job_list, name="job-list"),
    path("reports/jobs/<int:pk>/", views.job_detail, name="job-detail"),
    path("reports/jobs/<int:pk>/status.json", views.job_status, name="job-status"),
    path("reports/jobs/<int:pk>/download/", views.job_download, name="job-download"),
    path("notifications/", views.notification_list, name="notification-list"),
    path("notifications/read/", views.notification_read, name="notification-read"),
]
