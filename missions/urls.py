from django.urls import path

from . import views

app_name = "missions"

urlpatterns = [
    path("", views.home, name="home"),
]
