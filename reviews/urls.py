from django.urls import path

from . import views

app_name = "reviews"

urlpatterns = [
    path("reviews/", views.review_list, name="list"),
    path("reviews/<int:pk>/", views.review_detail, name="detail"),
    path("brief/", views.brief, name="brief"),
    path("search/", views.search, name="search"),
]
