from django.urls import path

from jiaozheng.orgs import views, views_setup

urlpatterns = [
    path("account/", views.account, name="account"),
    path("staff/", views.staff_list, name="staff_list"),
    path("staff/new/", views.staff_create, name="staff_create"),
    path("staff/<int:pk>/", views.staff_edit, name="staff_edit"),
    path("staff/<int:pk>/password/", views.staff_password, name="staff_password"),
    path("staff/<int:pk>/toggle/", views.staff_toggle, name="staff_toggle"),
    path("setup/", views_setup.setup_home, name="setup"),
    path("setup/county/new/", views_setup.county_create, name="setup_county"),
    path("setup/units/<int:parent>/new/", views_setup.unit_create, name="setup_unit"),
    path("setup/providers/new/", views_setup.provider_create, name="setup_provider"),
    path("setup/import/<slug:kind>/", views_setup.setup_import, name="setup_import"),
    path("setup/import/<slug:kind>.xlsx", views_setup.setup_import_template, name="setup_import_template"),
]
