from django.urls import path

from . import export_views, views

app_name = "measures"

urlpatterns = [
    path("me/", views.my_work, name="me"),
    path("me/check-in/bulk/", views.bulk_check_in, name="bulk-check-in"),
    path("me/check-in/upload/", views.check_in_upload, name="check-in-upload"),
    path("kpis/export.csv", export_views.kpi_export_csv, name="kpi-export-csv"),
    path("kpis/export.xlsx", export_views.kpi_export_xlsx, name="kpi-export-xlsx"),
    path("kpis/<int:pk>/", views.kpi_detail, name="kpi"),
    path("kpis/<int:pk>/edit/", views.kpi_edit, name="edit"),
    path("kpis/<int:pk>/archive/", views.kpi_archive, name="archive"),
    path("kpis/<int:pk>/check-in/", views.kpi_check_in, name="check-in"),
    path("kpis/<int:pk>/chart.svg", views.kpi_chart, name="chart"),
]
