from django.urls import path

from jiaozheng.counselling import views

urlpatterns = [
    path("referrals/", views.referral_list_view, name="referral_list"),
    path("referrals/new/", views.referral_new, name="referral_new"),
    path("referrals/<int:pk>/decline/", views.referral_decline, name="referral_decline"),
    path("cases/", views.case_list, name="case_list"),
    path("import/cases/", views.import_view, {"what": "cases"}, name="import_cases"),
    path("import/groups/", views.import_view, {"what": "groups"}, name="import_groups"),
    path("import/<slug:what>/template.xlsx", views.import_template, name="import_template"),
    path("cases/new/", views.case_new, name="case_new"),
    path("cases/<int:pk>/", views.case_detail, name="case_detail"),
    path("cases/<int:pk>/do/<slug:action>/", views.case_action, name="case_action"),
    path("groups/", views.group_list, name="group_list"),
    path("groups/<int:pk>/", views.group_detail, name="group_detail"),
    path("groups/<int:pk>/do/<slug:action>/", views.group_action, name="group_action"),
    path("groups/sessions/<int:pk>/attendance/", views.session_attendance, name="session_attendance"),
    path("formations/new/", views.formation_new, name="formation_new"),
    path("formations/<int:pk>/", views.formation_detail, name="formation_detail"),
    path("formations/<int:pk>/do/<slug:action>/", views.formation_action, name="formation_action"),
]
