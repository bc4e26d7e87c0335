"""Pages of the funding side: thin views over selectors (reads) and services (every write).

The maker's day starts at what falls due (this month, overdue, blocked and why) and picks due instalments
into a batch; the checker approves it; the maker exports the bank file and records the bank's answer, by
uploading the bank's return file or line by hand. A refused action comes back on the page it was sent from,
in the user's language; who may press which button is decided by the services, and the pages only leave
out buttons that would be refused, saying why.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q, Sum
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from backend.actions import back, post_action
from backend.errors import DomainError, ValidationFailed
from backend.forms import add_domain_error
from backend.input import form_date, form_int
from backend.personal_data import id_number_for
from backend.roles import Role, has_role
from honourees.models import Person, Round

from . import bankfile, conditions, selectors, vouchers
from .forms import BudgetForm, PayeeAccountForm
from .models import BatchLine, DisbursementBatch, Instalment, PayeeAccount
from .services import bank_results, batches, budgets, payees, plans, revocation

B = DisbursementBatch.Status
PDF = "application/pdf"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


action = post_action(fallback="funding:due", not_found_is_404=True)


def _reader(request) -> None:
    if not selectors.may_read(request.user):
        raise PermissionDenied


# --- what falls due ------------------------------------------------------------------------------------------


@login_required
def due_list(request):
    _reader(request)
    user = request.user
    search = selectors.DueFilter.from_params(request.GET)
    return render(
        request,
        "funding/due_list.html",
        {
            "due": selectors.falls_due(user, search),
            "search": search,
            "sources": list(selectors.sources_for(user)),
            "rounds": list(
                Round.objects.filter(award_plans__isnull=False)
                .distinct()
                .select_related("scheme")
                .order_by("-year", "id")
            ),
            "can_make": has_role(user, Role.FINANCE_MAKER),
        },
    )


@action
def batch_new(request):
    ids = [i for i in (form_int(v) for v in request.POST.getlist("instalments")) if i is not None]
    if not ids:
        raise ValidationFailed(
            "请至少选择一笔待支付的资助。", "Pick at least one instalment that is due.", field="instalments"
        )
    source_id = form_int(request.POST.get("source"))
    if source_id is None:
        found = set(
            selectors.instalments_for(request.user).filter(pk__in=ids).values_list("source_id", flat=True)
        )
        if len(found) > 1:
            raise ValidationFailed(
                "所选资助来自不同的资金来源：一个批次只能有一个资金来源，请先按资金来源筛选。",
                "The instalments picked are paid from different sources: a batch has one source; filter by source first.",
                field="source",
            )
        source_id = found.pop() if found else 0
    batch = batches.batch_create(
        by=request.user, source_id=source_id, purpose=request.POST.get("purpose", ""), instalment_ids=ids
    )
    messages.success(
        request,
        _("Batch %(number)s made with %(count)s line(s).")
        % {"number": batch.number, "count": batch.lines.count()},
    )
    return redirect("funding:batch-detail", batch.pk)


# --- one instalment ------------------------------------------------------------------------------------------


@login_required
def instalment_detail(request, pk: int):
    user = request.user
    inst = get_object_or_404(selectors.instalments_for(user).select_related("plan__honouree__round"), pk=pk)
    honouree = inst.plan.honouree
    today = timezone.localdate()
    states = conditions.condition_states(inst, honouree, today)
    is_office = has_role(user, Role.TALENT_OFFICE)
    return render(
        request,
        "funding/instalment_detail.html",
        {
            "inst": inst,
            "plan": inst.plan,
            "honouree": honouree,
            "siblings": inst.plan.instalments.order_by("seq"),
            "states": states,
            "history": selectors.instalment_history(inst),
            "lines": inst.lines.select_related("batch").order_by("id"),
            "payments": inst.payments.select_related("line__batch", "recorded_by"),
            "has_account": PayeeAccount.objects.filter(person_id=honouree.person_id).exists(),
            "can_confirm": is_office and inst.status in Instalment.OPEN,
            "can_settle_recovery": has_role(user, Role.FINANCE_MAKER)
            and inst.recovery == Instalment.Recovery.PENDING,
            "is_reader": selectors.may_read(user),
            "is_maker": has_role(user, Role.FINANCE_MAKER),
            "recovery_outcomes": [
                (k, v)
                for k, v in Instalment.Recovery.choices
                if k in (Instalment.Recovery.RECOVERED, Instalment.Recovery.WAIVED)
            ],
        },
    )


@action
def instalment_confirm(request, pk):
    index = form_int(request.POST.get("index"))
    plans.instalment_confirm_condition(
        by=request.user,
        instalment_id=pk,
        index=-1 if index is None else index,
        reason=request.POST.get("reason", ""),
    )
    return _("Condition confirmed; the instalment was re-read.")


@action
def recovery_settle(request, pk):
    revocation.recovery_settle(
        by=request.user,
        instalment_id=pk,
        outcome=request.POST.get("outcome", ""),
        note=request.POST.get("note", ""),
    )
    return _("Recovery closed.")


# --- payee accounts ------------------------------------------------------------------------------------------


@login_required
def payee_account(request, person_id: int):
    user = request.user
    visible = selectors.plans_for(user).filter(honouree__person_id=person_id)
    if not selectors.may_read(user) or not visible.exists():
        raise Http404
    person = get_object_or_404(Person, pk=person_id)
    account = PayeeAccount.objects.filter(person=person).first()
    can_edit = has_role(user, Role.FINANCE_MAKER)
    initial = (
        {
            "account_name": account.account_name,
            "bank_name": account.bank_name,
            "account_no": account.account_no,
        }
        if account
        else {"account_name": person.name}
    )
    form = PayeeAccountForm(request.POST or None, initial=initial)
    if request.method == "POST":
        if not can_edit:
            raise PermissionDenied
        if form.is_valid():
            try:
                payees.payee_account_set(by=user, person_id=person.pk, **form.cleaned_data)
            except DomainError as exc:
                add_domain_error(form, exc)
            else:
                messages.success(request, _("Bank account saved."))
                return back(request, reverse("funding:payee", args=[person.pk]))
    instalments = (
        selectors.instalments_for(user).filter(plan__honouree__person_id=person_id).order_by("earliest_on")
    )
    return render(
        request,
        "funding/payee_form.html",
        {
            "person": person,
            "account": account,
            "form": form,
            "can_edit": can_edit,
            "instalments": instalments,
            "next": request.GET.get("next", ""),
            "id_number": id_number_for(user, person, purpose="payee account page"),
        },
    )


# --- batches -------------------------------------------------------------------------------------------------


@login_required
def batch_list(request):
    _reader(request)
    qs = selectors.batches_for(request.user)
    status = request.GET.get("status", "")
    if status in B.values:
        qs = qs.filter(status=status)
    counted = ~Q(lines__status=BatchLine.Status.WITHDRAWN)
    listed = list(
        qs.annotate(
            n_lines=Count("lines", filter=counted),
            gross=Sum("lines__gross", filter=counted),
            net=Sum("lines__net", filter=counted),
            n_pending=Count("lines", filter=Q(lines__status=BatchLine.Status.PENDING)),
        ).order_by("-created_at", "-id")[:500]
    )
    return render(
        request,
        "funding/batch_list.html",
        {"batches": listed, "status": status, "statuses": B.choices, "user_id": request.user.pk},
    )


def _batch(request, pk) -> DisbursementBatch:
    return get_object_or_404(selectors.batches_for(request.user), pk=pk)


@login_required
def batch_detail(request, pk: int):
    user = request.user
    batch = _batch(request, pk)
    lines = selectors.batch_lines(batch)
    is_maker, is_checker = has_role(user, Role.FINANCE_MAKER), has_role(user, Role.FINANCE_CHECKER)
    own = batch.maker_id == user.pk
    why_not_decide = ""
    if batch.status == B.SUBMITTED:
        if not is_checker:
            why_not_decide = _("Waiting for a finance approver (checker) to approve or reject it.")
        elif own:
            why_not_decide = _("You made this batch: another approver must approve or reject it.")
    return render(
        request,
        "funding/batch_detail.html",
        {
            "batch": batch,
            "lines": lines,
            "totals": selectors.batch_totals(lines),
            "unmatched": selectors.unmatched_rows(batch),
            "pending_lines": [x for x in lines if x.status == BatchLine.Status.PENDING],
            "history": batch.history.select_related("history_user").order_by("-history_date", "-history_id")[
                :50
            ],
            "can_edit": batch.status == B.DRAFT and is_maker,
            "can_submit": batch.status == B.DRAFT and is_maker and own,
            "can_decide": batch.status == B.SUBMITTED and is_checker and not own,
            "why_not_decide": why_not_decide,
            "can_export": batch.status == B.APPROVED and selectors.may_handle_bank_files(user),
            "can_download": bool(batch.bank_file) and selectors.may_handle_bank_files(user),
            "can_record": batch.status in (B.EXPORTED, B.CLOSED) and is_maker,
            "today": timezone.localdate(),
        },
    )


@action
def batch_submit(request, pk):
    batches.batch_submit(by=request.user, batch_id=pk)
    return _("Batch submitted for approval.")


@action
def batch_approve(request, pk):
    batches.batch_approve(by=request.user, batch_id=pk)
    return _("Batch approved.")


@action
def batch_reject(request, pk):
    batches.batch_reject(by=request.user, batch_id=pk, reason=request.POST.get("reason", ""))
    return _("Batch rejected; its instalments are due again.")


@action
def batch_cancel(request, pk):
    batches.batch_cancel(by=request.user, batch_id=pk, reason=request.POST.get("reason", ""))
    return _("Batch cancelled; its instalments are due again.")


@action
def batch_remove_line(request, pk):
    batches.batch_remove(by=request.user, batch_id=pk, line_id=form_int(request.POST.get("line")) or 0)
    return _("Line taken out of the batch; its instalment is due again.")


@action
def batch_export(request, pk):
    batch = batches.batch_export(by=request.user, batch_id=pk)
    return _("Bank file %(name)s made; download it and send it to the bank.") % {
        "name": batch.bank_file.name.rsplit("/", 1)[-1]
    }


@login_required
def bank_file(request, pk: int):
    batch = _batch(request, pk)
    if not selectors.may_handle_bank_files(request.user):
        raise PermissionDenied
    if not batch.bank_file:
        raise Http404
    return FileResponse(batch.bank_file.open("rb"), as_attachment=True, filename=f"{batch.number}.xlsx")


@login_required
def result_template(request, pk: int):
    """A result file in the layout the import reads, with the open lines filled in (when the bank sends none)."""
    batch = _batch(request, pk)
    if not selectors.may_handle_bank_files(request.user) or batch.status not in (B.EXPORTED, B.CLOSED):
        raise Http404
    content = bankfile.bank_return_template_xlsx(
        payer=batch.source.payer, number=batch.number, lines=selectors.pending_payment_lines(batch)
    )
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{batch.number}-result.xlsx"'
    return response


@action
def batch_import(request, pk):
    upload = request.FILES.get("file")
    if upload is None:
        raise ValidationFailed("请选择银行回单文件。", "Choose the bank's result file.", field="file")
    counts = bank_results.batch_import_results(
        by=request.user, batch_id=pk, file_name=upload.name, content=upload.read()
    )
    return _(
        "Bank result read: %(paid)s paid, %(returned)s returned, %(already)s already recorded, "
        "%(unmatched)s not matched."
    ) % {
        "paid": counts.get("paid", 0),
        "returned": counts.get("returned", 0),
        "already": counts.get("already_recorded", 0),
        "unmatched": counts.get("unmatched", 0),
    }


@action
def line_paid(request, pk):
    line = bank_results.line_mark_paid(
        by=request.user,
        line_id=pk,
        bank_ref=request.POST.get("bank_ref", ""),
        paid_on=form_date(
            request.POST.get("paid_on"), field="paid_on", required=True, default=timezone.localdate()
        ),
    )
    return _("Line %(ref)s recorded as paid.") % {"ref": line.reference}


@action
def line_returned(request, pk):
    line = bank_results.line_mark_returned(
        by=request.user,
        line_id=pk,
        reason=request.POST.get("reason", ""),
        on=form_date(request.POST.get("on"), field="on", required=True, default=timezone.localdate()),
    )
    return _("Line %(ref)s recorded as returned; its instalment is due again.") % {"ref": line.reference}


@action
def return_row_assign(request, pk):
    line_id = form_int(request.POST.get("line"))
    row = bank_results.return_row_assign(
        by=request.user, row_id=pk, line_id=line_id, dismiss_note=request.POST.get("note", "")
    )
    return _("Bank row assigned.") if row.line_id else _("Bank row dismissed.")


@login_required
def batch_vouchers(request, pk: int):
    batch = _batch(request, pk)
    if not batch.lines.filter(status=BatchLine.Status.PAID).exists():
        raise Http404
    content = vouchers.batch_vouchers_pdf(batch, user=request.user)
    response = HttpResponse(content, content_type=PDF)
    response["Content-Disposition"] = f'attachment; filename="{batch.number}-vouchers.pdf"'
    return response


@login_required
def payment_voucher(request, pk: int):
    payment = get_object_or_404(selectors.payments_for(request.user), pk=pk)
    content = vouchers.payment_voucher_pdf(payment, user=request.user)
    response = HttpResponse(content, content_type=PDF)
    response["Content-Disposition"] = f'attachment; filename="{payment.voucher_no}.pdf"'
    return response


# --- budgets -------------------------------------------------------------------------------------------------


@login_required
def budget_page(request):
    _reader(request)
    user = request.user
    can_set = has_role(user, Role.FINANCE_CHECKER)
    sources = list(selectors.sources_for(user))
    form = BudgetForm(request.POST or None, sources=sources, initial={"year": timezone.localdate().year})
    if request.method == "POST":
        if not can_set:
            raise PermissionDenied
        if form.is_valid():
            try:
                budget = budgets.budget_set(by=user, **form.service_args())
            except DomainError as exc:
                add_domain_error(form, exc)
            else:
                messages.success(
                    request,
                    _("Budget of %(year)s set to %(amount)s.")
                    % {"year": budget.year, "amount": budget.amount},
                )
                return redirect("funding:budgets")
    return render(
        request,
        "funding/budget_list.html",
        {"rows": selectors.budget_table(user), "form": form, "can_set": can_set},
    )
