"""The texts an installation starts with (seeded into MessageTemplate; used when a row is missing).

SMS texts stay short (one or two 160-character parts); `{note}` is cut for SMS by the renderer.
"""

from __future__ import annotations

# key, channel, subject, body
DEFAULT_TEMPLATES: list[tuple[str, str, str, str]] = [
    (
        "citizen.submitted",
        "sms",
        "",
        "Laporan Anda diterima. No: {tracking_number}, kode akses: {access_code}. Simpan kode ini untuk "
        "memantau laporan di {url}",
    ),
    (
        "citizen.submitted",
        "email",
        "Laporan {tracking_number} diterima",
        'Terima kasih, laporan Anda "{title}" telah kami terima.\n\n'
        "Nomor laporan: {tracking_number}\nKode akses: {access_code}\n\n"
        "Simpan kode akses ini: bersama nomor laporan, kode ini diperlukan untuk memantau, menanggapi "
        "dan menilai tindak lanjut laporan Anda di {url}\n\n"
        "Laporan akan diverifikasi paling lambat {due}.",
    ),
    (
        "citizen.status",
        "sms",
        "",
        "Laporan {tracking_number}: {status}. {note} Info: {url}",
    ),
    (
        "citizen.status",
        "email",
        "Laporan {tracking_number}: {status}",
        'Status laporan Anda "{title}" kini: {status}.\n\n{note}\n\nPantau laporan Anda di {url}',
    ),
    (
        "citizen.hold",
        "sms",
        "",
        "Laporan {tracking_number} perlu keterangan tambahan: {note} Balas SMS ini atau jawab di {url} "
        "sebelum {due}.",
    ),
    (
        "citizen.hold",
        "email",
        "Laporan {tracking_number} memerlukan klarifikasi",
        'Laporan Anda "{title}" memerlukan keterangan tambahan sebelum dapat diverifikasi:\n\n{note}\n\n'
        "Mohon jawab di {url} sebelum {due}. Tanpa jawaban, laporan akan diarsipkan.",
    ),
    (
        "citizen.dispose",
        "sms",
        "",
        "Laporan {tracking_number} diteruskan ke {agency} untuk ditindaklanjuti paling lambat {due}.",
    ),
    (
        "citizen.dispose",
        "email",
        "Laporan {tracking_number} diteruskan ke {agency}",
        'Laporan Anda "{title}" telah diverifikasi dan diteruskan ke {agency}.\n\n'
        "Batas waktu tindak lanjut: {due}.\n\nPantau laporan Anda di {url}",
    ),
    (
        "citizen.follow_up",
        "sms",
        "",
        "Tindak lanjut laporan {tracking_number}: {note} Tanggapi sebelum {due} di {url}",
    ),
    (
        "citizen.follow_up",
        "email",
        "Tindak lanjut laporan {tracking_number}",
        '{agency} telah menindaklanjuti laporan Anda "{title}":\n\n{note}\n\n'
        "Bila belum puas, Anda dapat menanggapi sebelum {due} di {url}. Tanpa tanggapan, laporan akan "
        "ditutup oleh sistem.",
    ),
    (
        "citizen.mark_duplicate",
        "sms",
        "",
        "Laporan {tracking_number} digabung dengan laporan serupa {note}. Perkembangannya akan kami kabarkan.",
    ),
    (
        "citizen.mark_duplicate",
        "email",
        "Laporan {tracking_number} digabung dengan laporan serupa",
        'Laporan Anda "{title}" sama dengan laporan {note} yang sudah ditangani. Perkembangan laporan '
        "tersebut akan kami kabarkan kepada Anda.",
    ),
    # --- staff ------------------------------------------------------------------------------
    (
        "agency.disposed",
        "email",
        "[Aduan] Disposisi baru {tracking_number}",
        'Laporan {tracking_number} "{title}" didisposisikan ke {agency}.\n\n{note}\n\n'
        "Batas waktu tindak lanjut: {due}.\nBuka konsol: {url}",
    ),
    (
        "coordinator.returned",
        "email",
        "[Aduan] Dikembalikan OPD: {tracking_number}",
        '{agency} mengembalikan laporan {tracking_number} "{title}" (bukan kewenangan):\n\n{note}\n\n'
        "Mohon disposisikan ulang paling lambat {due}.\nBuka konsol: {url}",
    ),
    (
        "agency.reminder",
        "email",
        "[Aduan] Pengingat: {tracking_number} jatuh tempo {due}",
        'Laporan {tracking_number} "{title}" ({status}) jatuh tempo {due}. Mohon segera ditindaklanjuti.\n'
        "Buka konsol: {url}",
    ),
    (
        "coordinator.reminder",
        "email",
        "[Aduan] Pengingat: {tracking_number} jatuh tempo {due}",
        'Laporan {tracking_number} "{title}" ({status}) jatuh tempo {due}. Mohon segera diverifikasi '
        "atau didisposisikan.\nBuka konsol: {url}",
    ),
    (
        "agency.escalation",
        "email",
        "[Aduan] Melewati batas waktu: {tracking_number}",
        'Laporan {tracking_number} "{title}" ({status}) telah melewati batas waktu {due} dan dieskalasi '
        "ke admin koordinator.\nBuka konsol: {url}",
    ),
    (
        "coordinator.escalation",
        "email",
        "[Aduan] Eskalasi: {tracking_number} melewati batas waktu",
        'Laporan {tracking_number} "{title}" ({status}) telah melewati batas waktu {due}.\n'
        "Buka konsol: {url}",
    ),
    (
        "head.escalation",
        "email",
        "[Aduan] Eskalasi ke pimpinan: {tracking_number}",
        'Yth. Kepala {agency},\n\nlaporan masyarakat {tracking_number} "{title}" ({status}) belum '
        "ditindaklanjuti dan telah melewati batas waktu {due}. Mohon perhatian Bapak/Ibu.\n\nBuka konsol: {url}",
    ),
]
