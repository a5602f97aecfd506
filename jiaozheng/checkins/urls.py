from django.urls import path

from jiaozheng.checkins import views

urlpatterns = [
    path("today/", views.board, name="board"),
    path("requests/", views.request_list, name="request_list"),
    path("requests/<int:pk>/", views.request_detail, name="request_detail"),
    path("requests/<int:pk>/review/", views.request_review, name="request_review"),
    path("requests/<int:pk>/cancel/", views.request_cancel, name="request_cancel"),
    path("references/<int:pk>/image.jpg", views.reference_image, name="reference_image"),
    path("attempts/<int:pk>/frames/<int:index>.jpg", views.attempt_frame, name="attempt_frame"),
    path("persons/<int:pk>/", views.person_page, name="person"),
    path("persons/<int:pk>/enrol/", views.person_enrol, name="person_enrol"),
    path("persons/<int:pk>/plan/", views.person_plan, name="person_plan"),
    path("persons/<int:pk>/ask/", views.person_ask, name="person_ask"),
    path("me/", views.mine, name="mine"),
    path("me/<int:pk>/", views.mine_checkin, name="mine_checkin"),
]
