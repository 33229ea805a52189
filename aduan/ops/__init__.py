"""Operations: health and readiness probes, Prometheus metrics, backup and restore.

An interface app without models: it reads every domain app and writes none."""
