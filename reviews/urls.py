from django.urls import path

from . import calendar_views, comment_views, views

app_name = "reviews"

urlpatterns = [
    path("reviews/", views.review_list, name="list"),
    path("reviews/<int:pk>/", views.review_detail, name="detail"),
    path("reviews/<int:pk>/move/", calendar_views.review_move, name="move"),
    path("reviews/<int:pk>/cancel/", calendar_views.review_cancel_view, name="cancel"),
    path("reviews/<int:pk>/correct/", views.review_correct, name="correct"),
    path("brief/", views.brief, name="brief"),
    path("calendar/", calendar_views.calendar_settings, name="calendar"),
    path("calendar/revoke/", calendar_views.calendar_revoke, name="calendar-revoke"),
    path("search/", views.search, name="search"),
    path("missions/<int:pk>/comments/", comment_views.comment_on_mission, name="comment-mission"),
    path("kpis/<int:pk>/comments/", comment_views.comment_on_kpi, name="comment-kpi"),
    path("reviews/<int:pk>/comments/", comment_views.comment_on_review, name="comment-review"),
    path("comments/<int:pk>/reply/", comment_views.comment_reply, name="comment-reply"),
    path("comments/<int:pk>/edit/", comment_views.comment_edit, name="comment-edit"),
    path("comments/<int:pk>/remove/", comment_views.comment_remove, name="comment-remove"),
]
