from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "aduan.accounts"
    label = "accounts"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from aduan.accounts.sessions import staff_session_expiry

        user_logged_in.connect(staff_session_expiry, dispatch_uid="aduan-staff-session-expiry")
