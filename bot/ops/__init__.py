"""Operations: backups and restore, the installation's status, progress of long commands, logs."""
