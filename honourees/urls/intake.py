from django.urls import path

from honourees.views import intake as views

app_name = "intake"

urlpatterns = [
    path("nominations/", views.nomination_list, name="nomination-list"),
    path("nominations/new/<int:round_id>/", views.nomination_new, name="nomination-new"),
    path("nominations/<int:pk>/", views.nomination_detail, name="nomination-detail"),
    path("nominations/<int:pk>/edit/", views.nomination_edit, name="nomination-edit"),
    path("nominations/<int:pk>/form.pdf", views.nomination_pdf, name="nomination-pdf"),
    path("nominations/<int:pk>/submit/", views.nomination_submit, name="nomination-submit"),
    path("nominations/<int:pk>/withdraw/", views.nomination_withdraw, name="nomination-withdraw"),
    path("nominations/<int:pk>/return/", views.nomination_return, name="nomination-return"),
    path("nominations/<int:pk>/qualify/", views.nomination_qualify, name="nomination-qualify"),
    path("nominations/<int:pk>/disqualify/", views.nomination_disqualify, name="nomination-disqualify"),
    path("nominations/<int:pk>/defense/", views.nomination_defense, name="nomination-defense"),
    path("nominations/<int:pk>/inspection/", views.nomination_inspection, name="nomination-inspection"),
    path("nominations/<int:pk>/objections/", views.objection_add, name="objection-add"),
    path("nominations/<int:pk>/attachments/", views.attachment_upload, name="attachment-upload"),
    path("attachments/<int:pk>/", views.attachment_download, name="attachment-download"),
    path("objections/<int:pk>/decide/", views.objection_decide, name="objection-decide"),
    path("rounds/<int:pk>/", views.round_detail, name="round-detail"),
    path("rounds/<int:pk>/status/", views.round_status, name="round-status"),
    path("rounds/<int:pk>/assign/", views.round_assign, name="round-assign"),
    path("rounds/<int:pk>/shortlist/", views.round_shortlist, name="round-shortlist"),
    path("rounds/<int:pk>/propose/", views.round_propose, name="round-propose"),
    path("rounds/<int:pk>/notice/", views.round_notice, name="round-notice"),
    path("rounds/<int:pk>/name/", views.round_name, name="round-name"),
    path("rounds/<int:pk>/import/", views.round_import, name="round-import"),
    path("rounds/<int:pk>/votes/", views.round_votes, name="round-votes"),
    path("rounds/<int:pk>/votes.xlsx", views.round_vote_sheet, name="round-vote-sheet"),
    path("rounds/<int:pk>/summary.xlsx", views.round_summary, name="round-summary"),
    path("review/", views.review_list, name="review-list"),
    path("review/<int:pk>/score/", views.review_score, name="review-score"),
]
