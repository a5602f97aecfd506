from django.urls import path

from jiaozheng.feedback import views

urlpatterns = [
    path("", views.stats, name="stats"),
    path("mine/", views.mine, name="mine"),
    path("mine/answer/", views.answer, name="answer"),
    path("buyer/", views.buyer_list, name="buyer_list"),
    path("buyer/new/", views.buyer_new, name="buyer_new"),
    path("questionnaire/", views.questionnaire_edit, name="questionnaire"),
]
