"""The texts an installation starts with (seeded into MessageTemplate; used when a row is missing).

SMS texts fit one 160-character GSM-7 part with a usual context (tests/notifications/test_matrix.py);
only a long `{note}` (a question, a follow-up) makes a second part. WhatsApp uses the SMS text.
"""

from __future__ import annotations

# key, channel, subject, body
DEFAULT_TEMPLATES: list[tuple[str, str, str, str]] = [
    (
        "citizen.submitted",
        "sms",
        "",
        "Laporan diterima. No: {tracking_number}, kode akses: {access_code} (rahasiakan). Pantau: {url}",
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
        "Laporan {tracking_number} perlu keterangan: {note} Balas SMS ini atau jawab di {url}",
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
        "Laporan {tracking_number} diteruskan ke {agency}, batas {due}. {url}",
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
        "Tindak lanjut {tracking_number}: {note} Tanggapi s.d. {due} di {url}",
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
        "Laporan {tracking_number} digabung dengan laporan serupa {note}. Perkembangannya tetap kami kabarkan.",
    ),
    (
        "citizen.mark_duplicate",
        "email",
        "Laporan {tracking_number} digabung dengan laporan serupa",
        'Laporan Anda "{title}" sama dengan laporan {note} yang sudah ditangani. Perkembangan laporan '
        "tersebut akan kami kabarkan kepada Anda.",
    ),
    (
        "citizen.access_code",
        "sms",
        "",
        "Kode akses baru laporan {tracking_number}: {access_code} (rahasiakan; kode lama tidak berlaku). {url}",
    ),
    (
        "citizen.access_code",
        "email",
        "Kode akses baru laporan {tracking_number}",
        "Kode akses baru untuk laporan {tracking_number}: {access_code}\n\n"
        "Kode lama tidak berlaku lagi. Rahasiakan kode ini; bersama nomor laporan, kode ini diperlukan "
        "untuk memantau dan menanggapi laporan Anda di {url}\n\n"
        "Bila Anda tidak meminta kode baru, abaikan pesan ini.",
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
        "agency.replied",
        "email",
        "[Aduan] Pelapor menanggapi {tracking_number}",
        'Pelapor menanggapi tindak lanjut laporan {tracking_number} "{title}":\n\n{note}\n\n'
        "Instansi wajib menjawab lagi paling lambat {due}.\nBuka konsol: {url}",
    ),
    (
        "agency.reopened",
        "email",
        "[Aduan] Laporan dibuka kembali: {tracking_number}",
        'Pelapor membuka kembali laporan {tracking_number} "{title}" karena belum selesai:\n\n{note}\n\n'
        "Mohon ditindaklanjuti lagi paling lambat {due}.\nBuka konsol: {url}",
    ),
    (
        "liaison.draft",
        "email",
        "[Aduan] Draf tindak lanjut menunggu persetujuan: {tracking_number}",
        'Draf tindak lanjut {agency} untuk laporan {tracking_number} "{title}" menunggu persetujuan '
        "Anda:\n\n{note}\n\nSetujui atau kembalikan di konsol: {url}",
    ),
    (
        "agency.draft_approved",
        "email",
        "[Aduan] Draf disetujui, siap dipublikasikan: {tracking_number}",
        'Pejabat penghubung menyetujui draf tindak lanjut laporan {tracking_number} "{title}". '
        "Publikasikan ke pelapor di konsol: {url}",
    ),
    (
        "agency.draft_sent_back",
        "email",
        "[Aduan] Draf dikembalikan untuk diperbaiki: {tracking_number}",
        'Pejabat penghubung mengembalikan draf tindak lanjut laporan {tracking_number} "{title}":\n\n'
        "{note}\n\nPerbaiki di konsol: {url}",
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
        'Laporan {tracking_number} "{title}" ({status}) telah melewati batas waktu tindak lanjut {due}; '
        "admin koordinator juga diberi tahu.\nBuka konsol: {url}",
    ),
    (
        "coordinator.escalation",
        "email",
        "[Aduan] Eskalasi: {tracking_number} melewati batas waktu",
        'Laporan {tracking_number} "{title}" ({status}) telah melewati batas waktu {due} pada tahap '
        "{step}.\nBuka konsol: {url}",
    ),
    (
        "head.escalation",
        "email",
        "[Aduan] Eskalasi ke pimpinan: {tracking_number}",
        'Yth. Kepala {agency},\n\nlaporan masyarakat {tracking_number} "{title}" ({status}) telah '
        "melewati batas waktu {due} pada tahap {step}. Mohon perhatian Bapak/Ibu.\n\nBuka konsol: {url}",
    ),
]
