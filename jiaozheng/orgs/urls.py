from django.urls import path

from jiaozheng.orgs import views

urlpatterns = [
    path("account/", views.account, name="account"),
    path("staff/", views.staff_list, name="staff_list"),
    path("staff/new/", views.staff_create, name="staff_create"),
    path("staff/<int:pk>/", views.staff_edit, name="staff_edit"),
    path("staff/<int:pk>/password/", views.staff_password, name="staff_password"),
    path("staff/<int:pk>/toggle/", views.staff_toggle, name="staff_toggle"),
]
