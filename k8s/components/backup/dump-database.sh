#!/usr/bin/env bash
# Dumps the database of DATABASE_URL into DIRECTORY as <UTC time>.dump, in
# pg_dump's custom format (compressed; scripts/restore-database.sh restores it).
# The password reaches pg_dump through PGPASSWORD, never its command line.
#
#   DATABASE_URL=postgresql://USER:PASSWORD@HOST:PORT/NAME?sslmode=require dump-database.sh DIRECTORY
set -euo pipefail

directory=${1:?usage: dump-database.sh DIRECTORY}
: "${DATABASE_URL:?DATABASE_URL is not set}"

# postgresql://user:password@host:port/name?options: take the password out of
# the URL; libpq reads the rest of it, percent-encoding and options included.
scheme=${DATABASE_URL%%://*}
rest=${DATABASE_URL#*://}
authority=${rest%%[/?]*}
path=${rest:${#authority}}
connection=$DATABASE_URL
if [[ $authority == *@* ]]; then
    userinfo=${authority%@*}
    if [[ $userinfo == *:* ]]; then
        password=${userinfo#*:}
        # Percent-decode: every %XX becomes \xXX for printf (backslashes first kept as such).
        password=${password//\\/\\\\}
        printf -v PGPASSWORD '%b' "${password//%/\\x}"
        export PGPASSWORD
        connection="$scheme://${userinfo%%:*}@${authority##*@}$path"
    fi
fi

file="$directory/$(date -u +%Y-%m-%dT%H%M%SZ).dump"
pg_dump --format=custom --no-password --dbname="$connection" --file="$file"
echo "dumped $(du -h "$file" | cut -f1) into $file"
