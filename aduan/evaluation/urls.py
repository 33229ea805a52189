from django.urls import path

from aduan.evaluation import views

app_name = "evaluation"
urlpatterns = [
    path("", views.public_index, name="public"),
    path("data.json", views.public_data_json, name="data_json"),
    path("data.csv", views.public_data_csv, name="data_csv"),
    # Also served by the API app as GET /api/v1/stats (see docs/evaluation.md).
    path("api/v1/stats", views.public_stats_json, name="stats_json"),
    path("dasbor/", views.dashboard, name="dashboard"),
    path("dasbor/unduh/", views.dashboard_download, name="download"),
]
