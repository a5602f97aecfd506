from django.urls import path

from jiaozheng.evidence import views

urlpatterns = [
    path("", views.index, name="index"),
    path("contracts/<int:pk>/", views.contract_view, name="contract"),
    path("contracts/<int:pk>/submit/", views.submit, name="submit"),
    path("contracts/<int:pk>/pack/", views.pack_start, name="pack_start"),
    path("submissions/<int:pk>/<slug:action>/", views.review, name="review"),
    path("packs/<int:pk>/download/", views.pack_download, name="pack_download"),
]
