from django.urls import path

from patients import portal_views, views

app_name = "patients"

urlpatterns = [
    path("", views.PatientListView.as_view(), name="list"),
    path("search/", views.patient_search, name="search"),
    path("new/", views.PatientCreateView.as_view(), name="create"),
    path("<uuid:public_id>/", views.PatientDetailView.as_view(), name="detail"),
    path("<uuid:public_id>/edit/", views.PatientUpdateView.as_view(), name="edit"),
    path("<uuid:public_id>/care-team/", views.care_team_add, name="care_team_add"),
    path("<uuid:public_id>/portal/invite/", portal_views.portal_invite, name="portal_invite"),
    path("<uuid:public_id>/portal/end/", portal_views.portal_end, name="portal_end"),
    path("<uuid:public_id>/screenings/new/", views.screening_create, name="screening_create"),
    path("<uuid:public_id>/screenings/preview/", views.screening_preview, name="screening_preview"),
]
