#!/usr/bin/env bash
# Runs python_client.py (the official Python client) against a fresh ferrum-apiserver.
source "$(dirname "$0")/../lib.sh"
setup_tmp
start_apiserver api
# Not exec: the EXIT trap must still stop ferrum-apiserver and remove $TMP.
"$PY" "$(dirname "$0")/python_client.py" "$KUBECONFIG"
exit $?
