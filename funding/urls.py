"""Pages of the funding side (finance maker and checker, the talent office, the auditor)."""

from django.urls import path

from funding import views

app_name = "funding"

urlpatterns = [
    path("funding/", views.due_list, name="due"),
    path("funding/batches/", views.batch_list, name="batch-list"),
    path("funding/batches/new/", views.batch_new, name="batch-new"),
    path("funding/batches/<int:pk>/", views.batch_detail, name="batch-detail"),
    path("funding/batches/<int:pk>/submit/", views.batch_submit, name="batch-submit"),
    path("funding/batches/<int:pk>/approve/", views.batch_approve, name="batch-approve"),
    path("funding/batches/<int:pk>/reject/", views.batch_reject, name="batch-reject"),
    path("funding/batches/<int:pk>/cancel/", views.batch_cancel, name="batch-cancel"),
    path("funding/batches/<int:pk>/remove/", views.batch_remove_line, name="batch-remove-line"),
    path("funding/batches/<int:pk>/export/", views.batch_export, name="batch-export"),
    path("funding/batches/<int:pk>/bank-file.xlsx", views.bank_file, name="bank-file"),
    path("funding/batches/<int:pk>/result-template.xlsx", views.result_template, name="result-template"),
    path("funding/batches/<int:pk>/import/", views.batch_import, name="batch-import"),
    path("funding/batches/<int:pk>/vouchers.pdf", views.batch_vouchers, name="batch-vouchers"),
    path("funding/lines/<int:pk>/paid/", views.line_paid, name="line-paid"),
    path("funding/lines/<int:pk>/returned/", views.line_returned, name="line-returned"),
    path("funding/bank-rows/<int:pk>/assign/", views.return_row_assign, name="return-row-assign"),
    path("funding/payments/<int:pk>/voucher.pdf", views.payment_voucher, name="payment-voucher"),
    path("funding/instalments/<int:pk>/", views.instalment_detail, name="instalment-detail"),
    path("funding/instalments/<int:pk>/confirm/", views.instalment_confirm, name="instalment-confirm"),
    path("funding/instalments/<int:pk>/recovery/", views.recovery_settle, name="recovery-settle"),
    path("funding/budgets/", views.budget_page, name="budgets"),
    path("funding/payees/<int:person_id>/", views.payee_account, name="payee"),
]
