#!/bin/bash
# deploy/drill.sh: docs/deploy.md followed for real, on a fresh Debian 12 with systemd as PID 1.
#
# Boots a minimal Debian 12 (debootstrap) under systemd-nspawn with its own network namespace
# (--private-network: its PostgreSQL on 5432 and nginx on 80/443 collide with nothing on the host),
# then runs the guide's steps 1-11 inside it, command by command, with these departures only:
#   - the code comes from a git bundle of this checkout's HEAD (the commit under test), bind-mounted
#     at /mnt/aduan.bundle, instead of REPOSITORY-ADDRESS and RELEASE-TAG;
#   - a self-signed certificate through the guide's "Your own certificate" path instead of certbot
#     (no public DNS here); aduan.ponorogo.go.id resolves to 127.0.0.1 inside the container;
#   - `editor` is a few sed lines: mail through Django's console backend (the worker's journal shows
#     what it delivered) and ADUAN_TASK_LEASE_SECONDS=10, so a stopped worker shows on /readyz soon;
#   - createsuperuser takes its password from DJANGO_SUPERUSER_PASSWORD (--noinput).
# It then checks: aduan-web and aduan-worker active, https / and /readyz 200, http 301, a report
# POSTed to the API 201 and its email in the worker's journal, `systemctl stop aduan-worker` → /readyz
# 503, aduan-backup.timer listed, `systemctl start aduan-backup.service` → a backup that
# `aduan restore` takes into an empty database (the guide's restore drill, with its diff).
#
# Needs: root with CAP_SYS_ADMIN (not a Docker daemon, not systemd on the host: verified on a host
# whose PID 1 is not systemd, cgroup v1), apt-get install debootstrap systemd-container git, and
# deb.debian.org and PyPI reachable. Downloads go through the host's network (the commands run with
# nsenter in the container's mount/pid namespaces but the host's network namespace); the services
# run in the container's. Not part of `make test` (it needs those privileges and ~10 minutes).
#
#   deploy/drill.sh              # the drill; leaves nothing running
#   DRILL_KEEP=1 deploy/drill.sh # leaves the container running to look around (it says how to stop it)
#
# DRILL_DIR (default /var/tmp/aduan-drill) keeps the pristine debootstrap tree (base/) and the apt
# archives between runs (a first run takes ~10 minutes, later ones ~5); rootfs/ is copied anew from base/.
set -euo pipefail

REPO=$(cd "$(dirname "$0")/.." && git rev-parse --show-toplevel)
DIR=${DRILL_DIR:-/var/tmp/aduan-drill}
MIRROR=${DRILL_MIRROR:-http://deb.debian.org/debian}
MACHINE=aduan-drill
HOST=aduan.ponorogo.go.id
LOG=$DIR/drill.log

say() { printf '\n=== %s\n' "$*" >&2; }

mkdir -p "$DIR/apt-archives/partial" "$DIR/pip-cache"
if [ ! -d "$DIR/base" ]; then
    say "debootstrap bookworm into $DIR/base"
    debootstrap --variant=minbase --include=systemd,systemd-sysv,dbus,ca-certificates \
        bookworm "$DIR/base.tmp" "$MIRROR"
    mv "$DIR/base.tmp" "$DIR/base"
fi
say "a fresh root from $DIR/base"
rm -rf "$DIR/rootfs"
cp -a "$DIR/base" "$DIR/rootfs"
echo "$MACHINE" > "$DIR/rootfs/etc/hostname"
# A host behind a TLS-inspecting egress proxy trusts its CA through /usr/local/share/ca-certificates:
# the container trusts it too (update-ca-certificates below; pip is pointed at the system bundle).
cp /usr/local/share/ca-certificates/*.crt "$DIR/rootfs/usr/local/share/ca-certificates/" 2> /dev/null || true
: > "$DIR/rootfs/etc/machine-id"
git -C "$REPO" bundle create "$DIR/aduan.bundle" HEAD 2> /dev/null
COMMIT=$(git -C "$REPO" rev-parse HEAD)

NSPAWN=
LEADER=
stop_container() {
    if [ -n "$LEADER" ] && kill -0 "$LEADER" 2> /dev/null; then
        nsenter -t "$LEADER" -a systemctl poweroff || kill -TERM "$NSPAWN"
    fi
    for _ in $(seq 60); do kill -0 "$NSPAWN" 2> /dev/null || return 0; sleep 1; done
    kill -KILL "$NSPAWN" 2> /dev/null || true
}
if [ -z "${DRILL_KEEP:-}" ]; then trap stop_container EXIT; fi

# In the container: its filesystem, processes and systemd, the host's network (for apt and pip).
ct() {
    nsenter -t "$LEADER" -m -u -i -p -r -w -- /usr/bin/env -i HOME=/root TERM=dumb LANG=C.UTF-8 \
        PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin DEBIAN_FRONTEND=noninteractive \
        PIP_CERT=/etc/ssl/certs/ca-certificates.crt "$@"
}
# In the container with its own network too: what a client of the server sees.
ctnet() { nsenter -t "$LEADER" -a -- "$@"; }

boot() {
    say "boot it: systemd-nspawn -b (log: $DIR/boot.log)"
    # --register=no --keep-unit: no systemd-machined or systemd on the host to register with.
    setsid systemd-nspawn -D "$DIR/rootfs" -M "$MACHINE" -b --private-network --register=no --keep-unit \
        --bind-ro="$DIR/aduan.bundle:/mnt/aduan.bundle" \
        --bind="$DIR/apt-archives:/var/cache/apt/archives" --bind="$DIR/pip-cache:/root/.cache/pip" \
        >> "$DIR/boot.log" 2>&1 < /dev/null &
    NSPAWN=$!
    LEADER=
    for _ in $(seq 60); do
        LEADER=$(pgrep -P "$NSPAWN" || true)
        [ -n "$LEADER" ] && break
        sleep 1
    done
    [ -n "$LEADER" ] || { cat "$DIR/boot.log"; exit 1; }
    for _ in $(seq 120); do
        state=$(ct systemctl is-system-running 2> /dev/null || true)
        case $state in running | degraded) break ;; esac
        sleep 1
    done
    say "PID 1 in the container: $(ct cat /proc/1/comm), system $state"
    [ "$state" = running ] || { ct systemctl --failed --no-pager; exit 1; }
}
: > "$DIR/boot.log"
boot
ct update-ca-certificates > /dev/null

# The guide's steps, as root in the container (sh -e: the first failing command stops the drill).
guide() { ct bash -euxo pipefail -c "$1" 2>&1 | tee -a "$LOG"; }
: > "$LOG"

say "1. Packages"
guide '
apt-get update
apt-get install -y git python3 python3-venv postgresql postgresql-client nginx certbot curl adduser \
  libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fontconfig fonts-dejavu-core
timedatectl set-timezone Asia/Jakarta
'

say "2. The system user and directories"
guide '
adduser --system --group --home /var/lib/aduan --shell /usr/sbin/nologin aduan
chmod 711 /var/lib/aduan
install -d -m 755 -o aduan -g aduan /var/lib/aduan/static
install -d -m 700 -o aduan -g aduan /var/backups/aduan
'

say "3. The database"
# apt ran in the host's network namespace, where the host's own PostgreSQL holds 5432, so the cluster
# got 5433: exactly the guide's "something else held 5432" case, and its remedy (5432 is free in the
# container's own network namespace, where the cluster runs).
guide '
pg_lsclusters
if ! pg_lsclusters -h | grep -q " 5432 "; then pg_conftool 15 main set port 5432 && systemctl restart postgresql; fi
pg_lsclusters
runuser -u postgres -- createuser aduan
runuser -u postgres -- createdb --owner aduan --encoding UTF8 aduan
'

say "4. The code"
guide "
git clone /mnt/aduan.bundle /opt/aduan
cd /opt/aduan && git checkout $COMMIT
python3 -m venv /opt/aduan/.venv
/opt/aduan/.venv/bin/pip install --upgrade pip
/opt/aduan/.venv/bin/pip install -e /opt/aduan
/opt/aduan/.venv/bin/python -m compileall -q /opt/aduan/aduan
install -m 755 /opt/aduan/deploy/bin/aduan /usr/local/bin/aduan
"

say "5. The environment file (editor: sed)"
guide '
install -d -m 750 -o root -g aduan /etc/aduan
install -m 640 -o root -g aduan /opt/aduan/deploy/aduan.env /etc/aduan/aduan.env
sed -i -e "s|^ADUAN_EMAIL_BACKEND=.*|ADUAN_EMAIL_BACKEND=django.core.mail.backends.console.EmailBackend|" \
       -e "s|^ADUAN_TASK_LEASE_SECONDS=.*|ADUAN_TASK_LEASE_SECONDS=10|" \
       -e "s|^ADUAN_METRICS_TOKEN=.*|ADUAN_METRICS_TOKEN=$(openssl rand -hex 32)|" /etc/aduan/aduan.env
'

say "6. Schema, regions, categories, static files"
guide '
aduan migrate --noinput
aduan import_regions --kecamatan-of 35 --desa-of 35.02
aduan import_categories
aduan collectstatic --noinput
'

say "7. The first administrator"
guide '
DJANGO_SUPERUSER_PASSWORD=kata-sandi-drill-2026 aduan createsuperuser --noinput --username diskominfo --email diskominfo@ponorogo.go.id
test "$(aduan shell -v0 -c "from aduan.accounts.models import User; print(User.objects.filter(username='"'"'diskominfo'"'"').update(role='"'"'coordinator'"'"'))")" = 1
test "$(aduan shell -v0 -c "from aduan.core.demo import demo_users; from aduan.accounts.models import User; print(User.objects.filter(username__in=[u.username for u in demo_users()], is_active=True).count())")" = 0
'

say "8. The services"
guide '
install -m 644 /opt/aduan/deploy/systemd/aduan-* /etc/systemd/system/
systemctl daemon-reload
systemctl enable --now aduan-web aduan-worker aduan-backup.timer
systemctl status --no-pager aduan-web aduan-worker
'

say "9. nginx and TLS (your own certificate: a self-signed one)"
guide "
echo '127.0.0.1 $HOST' >> /etc/hosts
cd /root && openssl req -x509 -newkey rsa:2048 -nodes -days 30 -subj /CN=$HOST \
  -addext subjectAltName=DNS:$HOST -keyout privkey.pem -out fullchain.pem 2> /dev/null
install -d -m 700 /etc/ssl/aduan
install -m 644 fullchain.pem /etc/ssl/aduan/fullchain.pem
install -m 600 privkey.pem /etc/ssl/aduan/privkey.pem
sed -i -e 's|^ADUAN_TLS_CERTIFICATE=.*|ADUAN_TLS_CERTIFICATE=/etc/ssl/aduan/fullchain.pem|' \
       -e 's|^ADUAN_TLS_CERTIFICATE_KEY=.*|ADUAN_TLS_CERTIFICATE_KEY=/etc/ssl/aduan/privkey.pem|' /etc/aduan/aduan.env
aduan nginx-site > /etc/nginx/sites-available/aduan
ln -sf /etc/nginx/sites-available/aduan /etc/nginx/sites-enabled/aduan
rm -f /etc/nginx/sites-enabled/default
nginx -t && systemctl reload nginx
"

say "10. Checks"
guide "
aduan check --deploy --fail-level WARNING
systemctl list-timers --no-pager aduan-backup.timer
systemctl list-timers --no-pager aduan-backup.timer | grep -q \" 02:[3-5][0-9]:.. WIB \"
"
code() { ctnet curl -ks -o /dev/null -w '%{http_code}' "$@"; }
wait_code() {  # wait_code WANT SECONDS URL
    local got=
    for _ in $(seq "$2"); do got=$(code "$3" || true); [ "$got" = "$1" ] && break; sleep 1; done
    echo "$3 -> $got" | tee -a "$LOG" >&2
    [ "$got" = "$1" ]
}
wait_code 200 60 "https://$HOST/healthz"
wait_code 200 5 "https://$HOST/"
wait_code 301 5 "http://$HOST/"
wait_code 200 60 "https://$HOST/readyz"
ctnet curl -ks "https://$HOST/readyz" | tee -a "$LOG" >&2

say "a report through the API, its email delivered by the worker"
answer=$(ctnet curl -ks -w '\n%{http_code}' -H 'Content-Type: application/json' "https://$HOST/api/v1/reports" \
    -d '{"kind": "pengaduan", "title": "Lampu jalan mati di Jl. Batoro Katong",
         "description": "Sudah seminggu lampu jalan mati, jalan gelap di malam hari.",
         "region": "35.02.17", "email": "warga@example.org"}')
echo "$answer" | tee -a "$LOG" >&2
[ "$(echo "$answer" | tail -1)" = 201 ]
tracking=$(echo "$answer" | head -1 | ct /opt/aduan/.venv/bin/python -c 'import json,sys; print(json.load(sys.stdin)["tracking_number"])')
for _ in $(seq 60); do
    ct journalctl -u aduan-worker --no-pager -q | grep -q "$tracking" && break
    sleep 1
done
ct journalctl -u aduan-worker --no-pager -q | grep -m3 "$tracking" | tee -a "$LOG" >&2
guide 'aduan outbox'

say "systemctl stop aduan-worker: /readyz 503"
guide 'systemctl stop aduan-worker'
wait_code 503 90 "https://$HOST/readyz"
ctnet curl -ks "https://$HOST/readyz" | tee -a "$LOG" >&2
guide 'systemctl start aduan-worker && systemctl is-active aduan-worker'
wait_code 200 60 "https://$HOST/readyz"

say "11. A backup now, and the restore drill"
guide '
systemctl start aduan-backup.service && journalctl -u aduan-backup -n 5 --no-pager
ls /var/backups/aduan
aduan restore --check /var/backups/aduan/$(ls /var/backups/aduan | grep "^aduan-" | tail -1)
latest=/var/backups/aduan/$(ls /var/backups/aduan | grep "^aduan-" | tail -1)
runuser -u postgres -- createdb --owner aduan aduan_drill
install -d -m 700 -o aduan -g aduan /var/lib/aduan-drill
sed -e "s|^DATABASE_URL=.*|DATABASE_URL=postgres://aduan@/aduan_drill|" \
    -e "s|^ADUAN_DATA_DIR=.*|ADUAN_DATA_DIR=/var/lib/aduan-drill|" /etc/aduan/aduan.env > /etc/aduan/drill.env
ADUAN_ENV_FILE=/etc/aduan/drill.env aduan restore "$latest"
ADUAN_ENV_FILE=/etc/aduan/drill.env aduan audit verify
ADUAN_ENV_FILE=/etc/aduan/drill.env aduan report --year 2026 --format json -o /tmp/drill.json
aduan report --year 2026 --format json -o /tmp/live.json
diff /tmp/live.json /tmp/drill.json || true
runuser -u postgres -- dropdb aduan_drill && rm -rf /var/lib/aduan-drill /etc/aduan/drill.env /tmp/drill.json /tmp/live.json
'

say "power off and boot again: everything enabled comes up by itself, in order"
stop_container
boot
wait_code 200 90 "https://$HOST/readyz"
guide 'systemctl is-active aduan-web aduan-worker nginx postgresql@15-main aduan-backup.timer'

say "the services at the end"
guide 'systemctl status --no-pager aduan-web aduan-worker nginx postgresql | grep -E "^[●○] |Active:"'
say "drill passed: docs/deploy.md on Debian 12 with systemd $(ct systemctl --version | head -1 | cut -d" " -f2) (log: $LOG)"
if [ -n "${DRILL_KEEP:-}" ]; then
    echo "container left running: nsenter -t $LEADER -a bash; stop: nsenter -t $LEADER -a systemctl poweroff" >&2
fi
