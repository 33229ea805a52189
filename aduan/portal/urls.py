from django.urls import path

from aduan.accounts import views as accounts
from aduan.portal import feed, pwa, tracking, views

app_name = "portal"
urlpatterns = [
    path("", views.home, name="home"),
    path("privasi/", views.privacy, name="privacy"),
    path("lapor/", views.report_new, name="report_new"),
    path("lapor/terkirim/", views.report_sent, name="report_sent"),
    path("lapor/draf/", views.draft_submit, name="draft_submit"),
    path("lapor/desa/", views.desa_options, name="desa_options"),
    path("lapor/wilayah-titik/", views.region_at_point, name="region_at_point"),
    path("lapor/sekitar/", feed.nearby, name="nearby"),
    path("lapor/draf-lampiran/<str:token>/<int:number>/", views.draft_thumbnail, name="draft_thumbnail"),
    path("luring/", views.offline, name="offline"),
    path("lacak/", tracking.track, name="track"),
    path("lacak/lupa-kode/", tracking.recover, name="track_recover"),
    path("lacak/<str:tracking_number>/", tracking.track_detail, name="track_detail"),
    path("lacak/<str:tracking_number>/kabar/", tracking.track_news, name="track_news"),
    path(
        "lacak/<str:tracking_number>/lampiran/<int:pk>/", tracking.track_attachment, name="track_attachment"
    ),
    path(
        "lacak/<str:tracking_number>/lampiran/<int:pk>/kecil/",
        tracking.track_attachment,
        {"thumbnail": True},
        name="track_attachment_thumbnail",
    ),
    path("lacak/<str:tracking_number>/<slug:action>/", tracking.track_action, name="track_action"),
    path("laporan/", feed.feed, name="feed"),
    path("peta/", feed.public_map, name="map"),
    path("laporan/<str:tracking_number>/", feed.public_report, name="public_report"),
    path("laporan/<str:tracking_number>/dukung/", feed.support, name="support"),
    path("laporan/<str:tracking_number>/foto/<int:pk>/", feed.public_photo, name="public_photo"),
    path(
        "laporan/<str:tracking_number>/foto/<int:pk>/kecil/",
        feed.public_photo,
        {"thumbnail": True},
        name="public_photo_thumbnail",
    ),
    path("akun/", accounts.account, name="account"),
    path("akun/daftar/", accounts.register, name="account_register"),
    path("akun/masuk/", accounts.login, name="account_login"),
    path("akun/keluar/", accounts.logout, name="account_logout"),
    path("akun/hapus/", accounts.erase, name="account_erase"),
    path("manifest.webmanifest", pwa.manifest, name="manifest"),
    path("sw.js", pwa.service_worker, name="service_worker"),
]
