"""Forms of the contract and funds pages: they validate input; the services save."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jiaozheng.contracts.choices import AdjustmentKind, Decision, FundCategory
from jiaozheng.contracts.models import Contract, FundLine
from jiaozheng.orgs.models import OrgUnit, ServiceProvider

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
MONEY = {"max_digits": 14, "decimal_places": 2, "min_value": 0}


class ContractForm(forms.Form):
    code = forms.CharField(label=_("Contract code"), max_length=40)
    name = forms.CharField(label=_("Name"), max_length=200)
    buyer = forms.ModelChoiceField(label=_("Buyer (county bureau)"), queryset=OrgUnit.objects.none())
    provider = forms.ModelChoiceField(label=_("Service provider"), queryset=ServiceProvider.objects.all())
    start_on = forms.DateField(label=_("Service period start"), widget=DATE)
    end_on = forms.DateField(label=_("Service period end"), widget=DATE)
    budget_amount = forms.DecimalField(label=_("Budget (yuan)"), **MONEY)
    contract_amount = forms.DecimalField(label=_("Contract price (yuan)"), **MONEY)
    signed_on = forms.DateField(label=_("Signed on"), required=False, widget=DATE)
    procurement = forms.CharField(label=_("Procurement method"), max_length=100, required=False)
    notes = forms.CharField(label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args: Any, counties: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if counties is not None:
            self.fields["buyer"].queryset = counties

    def clean_code(self) -> str:
        code = self.cleaned_data["code"].strip()
        if Contract.objects.filter(code=code).exists():
            raise forms.ValidationError(_("A contract with this code already exists."))
        return code

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("start_on") and data.get("end_on") and data["end_on"] < data["start_on"]:
            self.add_error("end_on", _("The period cannot end before it starts."))
        return data


class ContractEditForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    budget_amount = forms.DecimalField(label=_("Budget (yuan)"), **MONEY)
    signed_on = forms.DateField(label=_("Signed on"), required=False, widget=DATE)
    procurement = forms.CharField(label=_("Procurement method"), max_length=100, required=False)
    notes = forms.CharField(label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 3}))


class FundLineForm(forms.Form):
    category = forms.ChoiceField(label=_("Category"), choices=FundCategory.choices)
    name = forms.CharField(label=_("Line"), max_length=120)
    amount = forms.DecimalField(label=_("Budgeted (yuan)"), **MONEY)
    note = forms.CharField(label=_("Note"), max_length=200, required=False)


class PaymentForm(forms.Form):
    paid_on = forms.DateField(label=_("Paid on"), widget=DATE)
    amount = forms.DecimalField(label=_("Amount (yuan)"), **MONEY)
    payer = forms.CharField(label=_("Payer"), max_length=100, required=False)
    reference = forms.CharField(label=_("Reference"), max_length=60, required=False)
    note = forms.CharField(label=_("Note"), max_length=200, required=False)


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png"}))
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        single = super().clean
        if isinstance(data, (list, tuple)):
            return [single(d, initial) for d in data if d]
        return [single(data, initial)] if data else []


class ExpenditureForm(forms.Form):
    spent_on = forms.DateField(label=_("Date"), widget=DATE)
    amount = forms.DecimalField(label=_("Amount (yuan)"), **MONEY)
    line = forms.ModelChoiceField(
        label=_("Budget line"),
        queryset=FundLine.objects.none(),
        required=False,
        empty_label=_("— not mapped yet —"),
    )
    description = forms.CharField(label=_("Purpose"), max_length=200)
    payee = forms.CharField(label=_("Payee"), max_length=100, required=False)
    voucher_no = forms.CharField(label=_("Voucher number"), max_length=40, required=False)
    vouchers = MultipleFileField(
        label=_("Vouchers"), required=False, help_text=_("Scans as PDF, JPEG or PNG; several files allowed")
    )

    def __init__(self, *args: Any, contract: Contract, editing: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["line"].queryset = FundLine.objects.filter(contract=contract).order_by("sort_order", "id")
        if editing:
            del self.fields["vouchers"]


class VoucherForm(forms.Form):
    vouchers = MultipleFileField(label=_("Vouchers"), help_text=_("Scans as PDF, JPEG or PNG"))


class AdjustmentForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=AdjustmentKind.choices)
    title = forms.CharField(label=_("Title"), max_length=120)
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}))
    content = forms.CharField(label=_("What changes"), widget=forms.Textarea(attrs={"rows": 3}))
    requested_on = forms.DateField(label=_("Requested on"), widget=DATE, initial=timezone.localdate)
    new_end_on = forms.DateField(label=_("New end of period"), required=False, widget=DATE)
    new_contract_amount = forms.DecimalField(label=_("New contract price (yuan)"), required=False, **MONEY)

    def __init__(self, *args: Any, indicators: Any = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.indicators = list(indicators)
        for indicator in self.indicators:
            if indicator.kind != "quantitative":
                continue
            self.fields[f"target_{indicator.pk}"] = forms.DecimalField(
                label=_("New target: %(name)s (%(year)s, now %(target)s)")
                % {
                    "name": indicator.name,
                    "year": indicator.year,
                    "target": "—" if indicator.target is None else indicator.target.normalize(),
                },
                required=False,
                min_value=0,
                max_digits=12,
                decimal_places=4,
            )

    def target_changes(self) -> list[tuple[Any, Any]]:
        out = []
        for indicator in self.indicators:
            value = self.cleaned_data.get(f"target_{indicator.pk}")
            if value is not None:
                out.append((indicator, value))
        return out


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(label=_("Decision"), choices=Decision.choices, widget=forms.RadioSelect)
    decided_on = forms.DateField(label=_("Decided on"), widget=DATE, initial=timezone.localdate)
    approver = forms.CharField(label=_("Approver"), max_length=100, help_text=_("Name and post"))
    document_no = forms.CharField(label=_("Document number"), max_length=60, required=False)
    opinion = forms.CharField(label=_("Opinion"), widget=forms.Textarea(attrs={"rows": 3}))


class VoucherArchiveForm(forms.Form):
    archive = forms.FileField(
        label=_("Archive of scans (.zip)"),
        help_text=_(
            "Each file is named by its voucher number, such as 记-2020-015.pdf; further pages of one voucher "
            "as 记-2020-015_2.jpg."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".zip"}),
    )


class ImportForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Records"),
        choices=[("payments", _("Payments received")), ("expenditures", _("Expenditures"))],
    )
    file = forms.FileField(
        label=_("File (.xlsx or .csv)"), widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv"})
    )
