#!/bin/sh
# Copies the dumps of DIRECTORY to the bucket, under BACKUP_PREFIX, then
# removes the dumps there older than BACKUP_RETENTION_DAYS days. rclone reads
# the storage's address and keys from the environment (RCLONE_CONFIG_BACKUP_*),
# never from its command line.
set -eu

directory=${1:?usage: upload-backup.sh DIRECTORY}
case ${BACKUP_RETENTION_DAYS:-} in
    "" | *[!0-9]* | 0*)
        echo "BACKUP_RETENTION_DAYS must be a whole number of days, 1 or more" >&2
        exit 1
        ;;
esac
destination="backup:$S3_BUCKET/$BACKUP_PREFIX"

rclone copy --verbose "$directory" "$destination"
# Only after a successful upload, so the newest dump always stays.
rclone delete --verbose --min-age "${BACKUP_RETENTION_DAYS}d" "$destination"
