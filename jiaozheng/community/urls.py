from django.urls import path

from jiaozheng.community import views

urlpatterns = [
    path("", views.activity_list_view, name="index"),
    path("activities/", views.activity_list_view, name="activity_list"),
    path("activities/new/", views.activity_create, name="activity_create"),
    path("activities/export.xlsx", views.activity_export, name="activity_export"),
    path("activities/<int:pk>/", views.activity_detail, name="activity_detail"),
    path("activities/<int:pk>/edit/", views.activity_edit, name="activity_edit"),
    path("activities/<int:pk>/do/<slug:action>/", views.activity_action, name="activity_action"),
    path("participations/<int:pk>/mark/", views.participation_mark, name="participation_mark"),
    path("participations/<int:pk>/remove/", views.participation_remove, name="participation_remove"),
    path("photos/<int:pk>/<slug:size>.jpg", views.photo_view, name="photo_view"),
    path("photos/<int:pk>/delete/", views.photo_delete, name="photo_delete"),
    path("venues/", views.venue_list_view, name="venue_list"),
    path("venues/new/", views.venue_create, name="venue_create"),
    path("venues/<int:pk>/edit/", views.venue_edit, name="venue_edit"),
    path("team/", views.volunteer_list_view, name="volunteer_list"),
    path("team/new/", views.volunteer_create, name="volunteer_create"),
    path("team/<int:pk>/edit/", views.volunteer_edit, name="volunteer_edit"),
    path("import/", views.import_view, name="import"),
    path("import/template.xlsx", views.import_template, name="import_template"),
]
