"""Pages of the studios side (studio hosts, institution contacts, assessors, the talent office)."""

from django.urls import path

from studios import views

app_name = "studios"

urlpatterns = [
    path("studios/", views.studio_list, name="studio-list"),
    path("studios/new/", views.studio_new, name="studio-new"),
    path("studios/<int:pk>/", views.studio_detail, name="studio-detail"),
    path("studios/<int:pk>/establish/", views.studio_establish, name="studio-establish"),
    path("studios/<int:pk>/close/", views.studio_close, name="studio-close"),
    path("studios/<int:pk>/files/", views.studio_file_upload, name="studio-file-upload"),
    path("studios/<int:pk>/pauses/", views.pause_add, name="pause-add"),
    path("studios/<int:pk>/assessors/", views.assessor_add, name="assessor-add"),
    path("studios/<int:pk>/assessments/", views.assessment_open, name="assessment-open"),
    path("studios/<int:pk>/log/", views.session_log, name="session-log"),
    path("studios/<int:pk>/sessions/", views.session_list, name="session-list"),
    path("studios/<int:pk>/import/", views.session_import, name="session-import"),
    path("studios/<int:pk>/import/template.xlsx", views.session_template, name="session-template"),
    path("studios/<int:pk>/apprentices/new/", views.apprentice_new, name="apprentice-new"),
    path("studios/sessions/verify/", views.sessions_verify, name="sessions-verify"),
    path("studios/sessions/<int:pk>/", views.session_detail, name="session-detail"),
    path("studios/sessions/<int:pk>/return/", views.session_return, name="session-return"),
    path("studios/sessions/<int:pk>/delete/", views.session_delete, name="session-delete"),
    path("studios/sessions/<int:pk>/photos/", views.session_photo, name="session-photo"),
    path("studios/apprentices/<int:pk>/", views.apprentice_detail, name="apprentice-detail"),
    path("studios/apprentices/<int:pk>/edit/", views.apprentice_update, name="apprentice-update"),
    path("studios/apprentices/<int:pk>/upgrades/", views.upgrade_add, name="upgrade-add"),
    path("studios/assessments/<int:pk>/", views.assessment_detail, name="assessment-detail"),
    path("studios/assessments/<int:pk>/score/", views.assessment_score, name="assessment-score"),
    path("studios/assessments/<int:pk>/record/", views.assessment_record, name="assessment-record"),
    path("studios/assessments/<int:pk>/rectify/", views.assessment_rectify, name="assessment-rectify"),
    path("studios/assessments/<int:pk>/finalise/", views.assessment_finalise, name="assessment-finalise"),
    path("studios/files/<int:pk>/", views.file_download, name="file-download"),
]
