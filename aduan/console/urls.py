from django.contrib.auth import views as auth_views
from django.urls import path

from aduan.console import bulk, entry, federation, notices, officer_settings, photos, secondfactor, views

app_name = "console"
urlpatterns = [
    path("masuk/", views.LoginView.as_view(), name="login"),
    path("verifikasi/", secondfactor.verify, name="verify"),
    path("dua-langkah/", secondfactor.enrol, name="enrol"),
    path("dua-langkah/qr.svg", secondfactor.enrol_qr, name="enrol_qr"),
    path("keluar/", auth_views.LogoutView.as_view(next_page="console:login"), name="logout"),
    path("", views.home, name="home"),
    path("antrean/<slug:key>/", views.queue, name="queue"),
    path("antrean/<slug:key>/csv/", views.queue_csv, name="queue_csv"),
    path("massal/", bulk.bulk, name="bulk"),
    path("laporan-baru/", entry.report_new, name="report_new"),
    path("laporan/<str:tracking_number>/", views.report_detail, name="report"),
    path("laporan/<str:tracking_number>/aksi/<slug:action>/", views.report_action, name="act"),
    path("laporan/<str:tracking_number>/lampiran/<int:pk>/", views.attachment, name="attachment"),
    path(
        "laporan/<str:tracking_number>/lampiran/<int:pk>/kecil/",
        views.attachment,
        {"thumbnail": True},
        name="attachment_thumbnail",
    ),
    path(
        "laporan/<str:tracking_number>/lampiran/<int:pk>/publik/",
        photos.attachment_public,
        name="attachment_public",
    ),
    path("pilihan/subkategori/", views.category_options, name="category_options"),
    path("pilihan/desa/", views.desa_options, name="desa_options"),
    path("antrean-jumlah/", views.tabs, name="tabs"),
    path("pemberitahuan/", notices.notices, name="notices"),
    path("pengaturan/", officer_settings.index, name="settings"),
    path("pengaturan/topik/", officer_settings.topics, name="settings_topics"),
    path("pengaturan/kalender/", officer_settings.calendar, name="settings_calendar"),
    path("pengaturan/federasi/", federation.peers, name="federation"),
    path("pengaturan/federasi/ulang/<str:message_id>/", federation.retry, name="federation_retry"),
    path("pengaturan/federasi/sinkron/<int:pk>/", federation.sync, name="federation_sync"),
    path("pemberitahuan/<int:pk>/", notices.notice_open, name="notice_open"),
]
