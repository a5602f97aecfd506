from django.urls import path

from jiaozheng.supervision import views

urlpatterns = [
    path("investigations/", views.investigation_list, name="investigation_list"),
    path("investigations/new/", views.investigation_new, name="investigation_new"),
    path("investigations/<int:pk>/", views.investigation_detail, name="investigation_detail"),
    path(
        "investigations/<int:pk>/do/<slug:action>/", views.investigation_action, name="investigation_action"
    ),
]
