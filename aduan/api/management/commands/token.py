"""`aduan token create --user <username>`: a staff or integration token, printed alone on the last line."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from aduan.accounts.models import User
from aduan.api.models import ApiToken
from aduan.api.services import token_create, token_revoke
from aduan.core.errors import DomainError
from aduan.intake.models import Channel


class Command(BaseCommand):
    help = "Buat, daftar atau cabut token API (Authorization: Bearer <token>)."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="subcommand", required=True)
        create = sub.add_parser(
            "create", help="Buat token untuk seorang pengguna; token dicetak di baris terakhir."
        )
        create.add_argument("--user", required=True, help="username")
        create.add_argument("--name", default="", help="untuk apa token ini (mis. SIMPUS Dinkes)")
        create.add_argument(
            "--channel",
            default=Channel.API,
            choices=Channel.values,
            help="kanal laporan yang dibuat dengan token ini",
        )
        listing = sub.add_parser("list", help="Daftar token (tanpa rahasianya).")
        listing.add_argument("--user", default="")
        revoke = sub.add_parser("revoke", help="Cabut token berdasarkan awalannya.")
        revoke.add_argument("prefix")

    def handle(self, *args: Any, **options: Any) -> None:
        subcommand = options["subcommand"]
        if subcommand == "create":
            user = User.objects.filter(username=options["user"]).first()
            if user is None:
                raise CommandError(f"Pengguna {options['user']!r} tidak ada.")
            try:
                token, raw = token_create(
                    user=user, name=options["name"] or f"token {user.username}", channel=options["channel"]
                )
            except DomainError as exc:
                raise CommandError(exc.message) from None
            self.stderr.write(
                f"Token {token.prefix}… untuk {user.username} (peran {user.role}, kanal {token.channel}); "
                "simpan sekarang, token tidak dapat ditampilkan lagi:"
            )
            self.stdout.write(raw)
        elif subcommand == "list":
            tokens = ApiToken.objects.select_related("user")
            if options["user"]:
                tokens = tokens.filter(user__username=options["user"])
            for t in tokens:
                state = "dicabut" if t.revoked else "aktif"
                self.stdout.write(
                    f"{t.prefix}…\t{t.user.username}\t{t.channel}\t{state}\t{t.name}\t{t.last_used_at or '-'}"
                )
        else:
            matches = list(ApiToken.objects.filter(prefix__startswith=options["prefix"], revoked=False))
            if len(matches) != 1:
                raise CommandError(
                    f"Awalan {options['prefix']!r} cocok dengan {len(matches)} token aktif; perlu tepat satu."
                )
            token_revoke(token=matches[0])
            self.stdout.write(f"Token {matches[0].prefix}… dicabut.")
