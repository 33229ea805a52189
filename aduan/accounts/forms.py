"""The citizen-account forms of the portal; the rules themselves live in accounts.services."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from aduan.accounts.services import NAME_MAX


class RegisterForm(forms.Form):
    name = forms.CharField(
        label=_("Nama lengkap"),
        max_length=NAME_MAX,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    phone = forms.CharField(
        label=_("Nomor HP"),
        required=False,
        max_length=30,
        help_text=_("Contoh: 0812 3456 7890. Dipakai untuk masuk; isi nomor HP atau email, atau keduanya."),
        widget=forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel", "type": "tel"}),
    )
    email = forms.CharField(
        label=_("Email"),
        required=False,
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    password = forms.CharField(
        label=_("Kata sandi"),
        strip=False,
        max_length=128,
        help_text=_("Minimal 8 karakter, jangan yang mudah ditebak."),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    password_again = forms.CharField(
        label=_("Ulangi kata sandi"),
        strip=False,
        max_length=128,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not (data.get("phone") or "").strip() and not (data.get("email") or "").strip():
            self.add_error("phone", _("Isi nomor HP atau alamat email (salah satu cukup) untuk masuk nanti."))
        first, again = data.get("password"), data.get("password_again")
        if first and again and first != again:
            self.add_error("password_again", _("Kedua kata sandi tidak sama."))
        return data


class LoginForm(forms.Form):
    identifier = forms.CharField(
        label=_("Nomor HP, email, atau nama pengguna"),
        max_length=254,
        widget=forms.TextInput(attrs={"autocomplete": "username", "autocapitalize": "none"}),
    )
    password = forms.CharField(
        label=_("Kata sandi"),
        strip=False,
        max_length=128,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )


class EraseForm(forms.Form):
    password = forms.CharField(
        label=_("Kata sandi Anda"),
        strip=False,
        max_length=128,
        help_text=_("Untuk memastikan yang meminta penghapusan benar-benar pemilik akun."),
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    understood = forms.BooleanField(
        label=_("Saya mengerti: akun ditutup dan data pribadi saya dihapus; ini tidak dapat dibatalkan."),
    )
