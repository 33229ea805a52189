"""The back-office console (no models): queues and report pages for the coordinator, the OPDs,
the APIP and pimpinan, mounted at /konsol/.

    /konsol/masuk/, /konsol/keluar/           sign in / out (staff roles only; citizens get 403)
    /konsol/                                  home: each role's first queue
    /konsol/antrean/<key>/                    a queue with filters and search (htmx partial on HX-Request)
    /konsol/laporan/<nomor>/                  the report page with exactly the allowed action forms
    /konsol/laporan/<nomor>/aksi/<action>/    POST one lifecycle action through workflow.report_act
    /konsol/laporan/<nomor>/lampiran/<id>/    an attachment, after report_get_for (never a media URL)
    /konsol/laporan/<nomor>/lampiran/<id>/kecil/  its thumbnail, made once when the image was stored
    /konsol/massal/                           POST bulk verify + dispose, per-report results
    /konsol/laporan-baru/                     staff entry of a paper/phone/walk-in complaint

Reads go through aduan.workflow.selectors, writes through the domain services only.
"""
