# A backup job is imported by its ID (Datacenter → Backup, or `pvesh get /cluster/backup`).
terraform import hardened_backup_job.nightly nightly
