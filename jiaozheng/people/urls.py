from django.urls import path

from jiaozheng.people import views

urlpatterns = [
    path("", views.person_list_view, name="person_list"),
    path("new/", views.person_create, name="person_create"),
    path("export.xlsx", views.person_export, name="person_export"),
    path("import/", views.person_import, name="person_import"),
    path("import/template.xlsx", views.import_template, name="import_template"),
    path("<int:pk>/", views.person_detail, name="person_detail"),
    path("<int:pk>/edit/", views.person_edit, name="person_edit"),
    path("<int:pk>/reveal/", views.person_reveal, name="person_reveal"),
    path("<int:pk>/seal/", views.person_seal, name="person_seal"),
    path("sealed/", views.sealed_list, name="sealed_list"),
    path("sealed/do/<slug:action>/", views.sealed_action, name="sealed_action"),
    path("<int:pk>/data-export/", views.person_data_export, name="person_data_export"),
    path("<int:pk>/do/<slug:action>/", views.person_action, name="person_action"),
    path("plans/<int:pk>/review/", views.plan_review, name="plan_review"),
]
