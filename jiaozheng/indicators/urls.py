from django.urls import path

from jiaozheng.indicators import views, views_setup

urlpatterns = [
    path("", views.index, name="index"),
    path("setup/", views_setup.contract_setup, name="contract_setup"),
    path("<int:pk>/", views.dashboard, name="dashboard"),
    path("<int:pk>/new/", views.indicator_create, name="indicator_create"),
    path("<int:pk>/report/", views.report, name="report"),
    path("<int:pk>/monthly/", views.monthly, name="monthly"),
    path("<int:pk>/generate/", views.generate, name="generate"),
    path("<int:pk>/text/<slug:key>/", views.narrative, name="narrative"),
    path("<int:pk>/measure/<str:code>/", views.measure_records, name="measure_records"),
    path("indicator/<int:pk>/edit/", views.indicator_edit, name="indicator_edit"),
    path("indicator/<int:pk>/assess/", views.indicator_assess, name="indicator_assess"),
    path("indicator/<int:pk>/plan/", views.indicator_plan, name="indicator_plan"),
    path("indicator/<int:pk>/records/", views.indicator_records, name="indicator_records"),
    path("runs/<int:pk>/download/", views.run_download, name="run_download"),
]
