from django.urls import path

from jiaozheng.location import views

urlpatterns = [
    path("map/", views.map_view, name="map"),
    path("mine/", views.mine, name="mine"),
    path("positions.json", views.positions_json, name="positions_json"),
    path("boundaries.json", views.boundaries_json, name="boundaries_json"),
    path("persons/<int:pk>/track.json", views.track_json, name="track_json"),
    path("persons/<int:pk>/zones.json", views.zones_json, name="zones_json"),
    path("tiles/<int:z>/<int:x>/<int:y>", views.basemap_tile, name="basemap_tile"),
    path("alerts/", views.alert_list, name="alert_list"),
    path("alerts/bulk/", views.alert_bulk, name="alert_bulk"),
    path("alerts/digest/", views.digest, name="digest"),
    path("alerts/<int:pk>/", views.alert_detail, name="alert_detail"),
    path("alerts/<int:pk>/do/<slug:action>/", views.alert_action, name="alert_action"),
    path("devices/", views.device_list, name="device_list"),
    path("devices/<int:pk>/end/", views.device_end, name="device_end"),
    path("persons/<int:pk>/devices/", views.person_devices, name="person_devices"),
    path("persons/<int:pk>/devices/enrol/", views.device_enrol, name="device_enrol"),
    path("persons/<int:pk>/zones/", views.person_zones, name="person_zones"),
    path("persons/<int:pk>/zones/trip/", views.permit_create, name="permit_create"),
    path("trips/<int:pk>/cancel/", views.permit_cancel, name="permit_cancel"),
    path("prohibitions/<int:pk>/schedule/", views.prohibition_schedule, name="prohibition_schedule"),
    path("installs/import/", views.installs_import, name="installs_import"),
    path("installs/template.xlsx", views.installs_template, name="installs_template"),
]
