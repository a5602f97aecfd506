from django.urls import path

from jiaozheng.assessments import views

urlpatterns = [
    path("results/", views.result_list, name="result_list"),
    path("assign/", views.assign, name="assign"),
    path("paper/", views.paper_new, name="paper_new"),
    path("import/", views.import_view, name="import"),
    path("import/template.xlsx", views.import_template, name="import_template"),
    path("flags/", views.flag_list, name="flag_list"),
    path("flags/<int:pk>/handle/", views.flag_handle, name="flag_handle"),
    path("scales/", views.scale_list, name="scale_list"),
    path("scales/<slug:code>/", views.scale_detail, name="scale_detail"),
    path("person/<int:pk>/", views.person_file, name="person_file"),
    path("external/", views.external_list, name="external_list"),
    path("external/template.csv", views.external_template, name="external_template"),
    path("external/<int:pk>/", views.external_detail, name="external_detail"),
    path("external/<int:pk>/source/", views.external_source, name="external_source"),
    path("reports/<int:pk>/pdf/", views.report_pdf, name="report_pdf"),
    path("reports/<int:pk>/docx/", views.report_docx, name="report_docx"),
    path("<int:pk>/", views.assessment_detail, name="assessment_detail"),
    path("<int:pk>/paper/", views.paper_for_assessment, name="paper_for_assessment"),
    path("<int:pk>/correct/", views.correct, name="correct"),
    path("<int:pk>/cancel/", views.cancel, name="cancel"),
    path("<int:pk>/report/", views.report_issue, name="report_issue"),
    path("my/", views.my_list, name="my_list"),
    path("my/<int:pk>/", views.my_answer, name="my_answer"),
    path("my/<int:pk>/submit/", views.my_submit, name="my_submit"),
    path("my/<int:pk>/result/", views.my_result, name="my_result"),
]
