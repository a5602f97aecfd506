from django.urls import path

from jiaozheng.counselling import views

urlpatterns = [
    path("referrals/", views.referral_list_view, name="referral_list"),
]
