from django.urls import path

from jiaozheng.supervision import views

urlpatterns = [
    path("investigations/", views.investigation_list, name="investigation_list"),
    path("investigations/new/", views.investigation_new, name="investigation_new"),
    path("investigations/<int:pk>/", views.investigation_detail, name="investigation_detail"),
    path(
        "investigations/<int:pk>/do/<slug:action>/", views.investigation_action, name="investigation_action"
    ),
    path("travel/", views.travel_list, name="travel_list"),
    path("travel/new/", views.travel_new, name="travel_new"),
    path("travel/<int:pk>/", views.travel_detail, name="travel_detail"),
    path("travel/<int:pk>/do/<slug:action>/", views.travel_action, name="travel_action"),
    path("releases/due/", views.release_due, name="release_due"),
    path("persons/<int:pk>/release/", views.release_new, name="release_new"),
    path("releases/<int:pk>/", views.release_detail, name="release_detail"),
    path("releases/<int:pk>/certificate.<slug:fmt>", views.release_certificate, name="release_certificate"),
    path("missed-reports/", views.followup_list, name="followup_list"),
    path("missed-reports/<int:pk>/close/", views.followup_close, name="followup_close"),
    path("sanctions/", views.sanction_list, name="sanction_list"),
    path("sanctions/new/", views.sanction_new, name="sanction_new"),
    path("sanctions/<int:pk>/", views.sanction_detail, name="sanction_detail"),
    path("sanctions/<int:pk>/do/<slug:action>/", views.sanction_action, name="sanction_action"),
    path("approvals/", views.approval_list, name="approval_list"),
    path("permits/new/", views.permit_new, name="permit_new"),
    path("permits/<int:pk>/", views.permit_detail, name="permit_detail"),
    path("permits/<int:pk>/do/<slug:action>/", views.permit_action, name="permit_action"),
    path("relocations/new/", views.relocation_new, name="relocation_new"),
    path("relocations/<int:pk>/", views.relocation_detail, name="relocation_detail"),
    path("relocations/<int:pk>/do/<slug:action>/", views.relocation_action, name="relocation_action"),
    path("reexaminations/due/", views.reexam_due, name="reexam_due"),
    path("persons/<int:pk>/reexamination/", views.reexam_new, name="reexam_new"),
]
