#!/usr/bin/env bash
# After a deploy: fetches the site the way visitors reach it, under its real
# host name but through the load balancer's ADDRESS: the home page, an event
# page and the API. /health and /ready answer at any host name, so they alone
# would miss a wrong ALLOWED_HOSTS (every page 400).
#
# With SMOKE_USERNAME and SMOKE_PASSWORD (homologation's basic auth) it sends
# them, through curl's configuration on its standard input, never its command
# line, and checks that a visitor without them gets nothing but a 401.
#
#   scripts/smoke-deployment.sh https://encontros.tech 203.0.113.10
set -euo pipefail

url=${1:?usage: smoke-deployment.sh URL ADDRESS}
address=${2:?usage: smoke-deployment.sh URL ADDRESS}
url=${url%/}
scheme=${url%%://*}
authority=${url#*://}
authority=${authority%%/*}
host=${authority%:*}
if [ "$host" = "$authority" ]; then
    port=$([ "$scheme" = https ] && echo 443 || echo 80)
else
    port=${authority##*:}
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# curl options on standard input: the credentials, when there are any.
options() {
    if [ -n "${SMOKE_USERNAME:-}" ]; then
        local credentials="$SMOKE_USERNAME:${SMOKE_PASSWORD:-}"
        credentials=${credentials//\\/\\\\}
        printf 'user = "%s"\n' "${credentials//\"/\\\"}"
    fi
}

# fetch PATH [curl options...]: one line "status content-type"; the body lands in $work/body.
fetch() {
    local path=$1
    shift
    options | curl --config - --silent --show-error --max-time 10 \
        --resolve "$host:$port:$address" --output "$work/body" \
        --write-out '%{http_code} %{content_type}\n' "$@" "$url$path"
}

fail() {
    echo "FAIL $*" >&2
    exit 1
}

# A new load balancer may need a moment before it forwards anything.
fetch /health --retry 12 --retry-delay 5 --retry-all-errors --fail >/dev/null \
    || fail "$url/health does not answer through $address"
echo "ok   /health answers through $address"

read -r status _ < <(fetch /)
[ "$status" = 200 ] || fail "GET $url/ answered $status (ALLOWED_HOSTS must include $host)"
grep -q "<title>" "$work/body" || fail "GET $url/ has no page title"
echo "ok   the home page answers under $host"

event_path=$(grep -oE 'href="/events/[^"/]+/"' "$work/body" | grep -vE '/events/(past|new)/' \
    | head -n 1 | cut -d'"' -f2 || true)
if [ -n "$event_path" ]; then
    read -r status _ < <(fetch "$event_path")
    [ "$status" = 200 ] || fail "GET $url$event_path answered $status"
    echo "ok   an event page answers ($event_path)"
else
    echo "::warning::No upcoming event on the home page of $url: no event page was fetched."
fi

read -r status content_type < <(fetch "/api/events/?limit=1")
[ "$status" = 200 ] || fail "GET $url/api/events/ answered $status"
[[ $content_type == application/json* ]] || fail "GET $url/api/events/ is $content_type, not JSON"
echo "ok   the API answers"

if [ -n "${SMOKE_USERNAME:-}" ]; then
    read -r status _ < <(SMOKE_USERNAME='' fetch /)
    [ "$status" = 401 ] || fail "GET $url/ without credentials answered $status, not 401"
    echo "ok   without credentials the site answers 401"
fi
