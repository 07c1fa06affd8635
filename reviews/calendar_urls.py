"""The calendar feed's own address, outside any organisation's (``calendar:feed``)."""

from django.urls import path

from . import calendar_views

app_name = "calendar"

urlpatterns = [
    path("<str:token>.ics", calendar_views.calendar_feed, name="feed"),
]
