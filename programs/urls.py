from django.urls import path

from programs import views

app_name = "programs"

urlpatterns = [
    path("dashboard/", views.dashboard, name="dashboard"),
    path("my-plan/", views.my_plan, name="my_plan"),
]
