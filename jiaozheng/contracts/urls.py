from django.urls import path

from jiaozheng.contracts import views

urlpatterns = [
    path("", views.contract_list, name="contract_list"),
    path("new/", views.contract_create, name="contract_create"),
    path("<int:pk>/", views.contract_detail, name="contract_detail"),
    path("<int:pk>/edit/", views.contract_edit, name="contract_edit"),
    path("<int:pk>/funds/", views.funds, name="funds"),
    path("<int:pk>/funds/lines/add/", views.line_add, name="line_add"),
    path("<int:pk>/funds/payments/add/", views.payment_add, name="payment_add"),
    path("<int:pk>/expenditures/", views.expenditure_list, name="expenditure_list"),
    path("<int:pk>/expenditures/new/", views.expenditure_create, name="expenditure_create"),
    path("<int:pk>/adjustments/", views.adjustment_list, name="adjustment_list"),
    path("<int:pk>/import/", views.funds_import, name="funds_import"),
    path("<int:pk>/vouchers/archive/", views.vouchers_archive, name="vouchers_archive"),
    path("lines/<int:pk>/", views.line_edit, name="line_edit"),
    path("payments/<int:pk>/delete/", views.payment_delete, name="payment_delete"),
    path("expenditures/<int:pk>/", views.expenditure_detail, name="expenditure_detail"),
    path("expenditures/<int:pk>/delete/", views.expenditure_delete, name="expenditure_delete"),
    path("expenditures/<int:pk>/vouchers/", views.voucher_upload, name="voucher_upload"),
    path("vouchers/<int:pk>/", views.voucher_download, name="voucher_download"),
    path("vouchers/<int:pk>/delete/", views.voucher_delete, name="voucher_delete"),
    path("adjustments/<int:pk>/", views.adjustment_detail, name="adjustment_detail"),
    path("adjustments/<int:pk>/withdraw/", views.adjustment_withdraw, name="adjustment_withdraw"),
    path("import/<slug:kind>.xlsx", views.import_template, name="import_template"),
]
