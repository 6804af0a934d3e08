#!/bin/sh
# Creates the namespace (unless it exists) and the saga's search attributes, then checks that every
# one is registered with its type. The `temporal-namespace` service of docker-compose.yml runs it in
# temporalio/admin-tools; it works against any server the `temporal` CLI can reach (TEMPORAL_ADDRESS,
# and the CLI's own TEMPORAL_TLS_* / TEMPORAL_API_KEY variables for a secured one). Safe to run again:
# creating a search attribute that already exists with the same type is a no-op.
#
#   TEMPORAL_ADDRESS              host:port of the frontend (required)
#   TEMPORAL_NAMESPACE            namespace to create (default: default)
#   TEMPORAL_NAMESPACE_RETENTION  how long closed payments stay readable (default: 30d)
#   SEARCH_ATTRIBUTES             "Name=Type Name=Type …" (required; the list in docker-compose.yml)
#   SETUP_MAX_ATTEMPTS, SETUP_SLEEP_SECONDS   retry budget while the server starts (default: 60 × 2 s)
set -eu

: "${TEMPORAL_ADDRESS:?TEMPORAL_ADDRESS is required}"
: "${SEARCH_ATTRIBUTES:?SEARCH_ATTRIBUTES is required, e.g. PaymentState=Keyword AmountFen=Int}"
NAMESPACE=${TEMPORAL_NAMESPACE:-default}
RETENTION=${TEMPORAL_NAMESPACE_RETENTION:-30d}
MAX_ATTEMPTS=${SETUP_MAX_ATTEMPTS:-60}
SLEEP_SECONDS=${SETUP_SLEEP_SECONDS:-2}

# retry <what> <command…>: runs the command until it succeeds or the attempts are used up.
retry() {
  what=$1
  shift
  attempt=1
  until "$@"; do
    if [ "$attempt" -ge "$MAX_ATTEMPTS" ]; then
      echo "giving up: $what failed $attempt times" >&2
      exit 1
    fi
    echo "$what not ready yet (attempt $attempt/$MAX_ATTEMPTS)"
    attempt=$((attempt + 1))
    sleep "$SLEEP_SECONDS"
  done
}

retry "cluster health" temporal operator cluster health --address "$TEMPORAL_ADDRESS"

if temporal operator namespace describe --namespace "$NAMESPACE" --address "$TEMPORAL_ADDRESS" >/dev/null 2>&1; then
  echo "namespace $NAMESPACE exists"
else
  retry "namespace create" temporal operator namespace create --namespace "$NAMESPACE" \
    --retention "$RETENTION" --address "$TEMPORAL_ADDRESS"
  echo "namespace $NAMESPACE created (retention $RETENTION)"
fi

set --
for pair in $SEARCH_ATTRIBUTES; do
  set -- "$@" --name "${pair%%=*}" --type "${pair#*=}"
done
# A new namespace takes a few seconds to reach every frontend cache, hence the retry.
retry "search attribute create" temporal operator search-attribute create --namespace "$NAMESPACE" \
  --address "$TEMPORAL_ADDRESS" "$@"

registered=$(temporal operator search-attribute list --namespace "$NAMESPACE" --address "$TEMPORAL_ADDRESS")
for pair in $SEARCH_ATTRIBUTES; do
  name=${pair%%=*}
  type=${pair#*=}
  if ! printf '%s\n' "$registered" | grep -Eiq "^[[:space:]]*${name}[[:space:]]+${type}[[:space:]]*$"; then
    echo "search attribute $name is not registered as $type in namespace $NAMESPACE:" >&2
    printf '%s\n' "$registered" >&2
    exit 1
  fi
done
echo "search attributes registered in $NAMESPACE: $SEARCH_ATTRIBUTES"
