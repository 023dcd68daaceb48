#!/usr/bin/env bash
# Prints node-route.yaml's three objects for every node labelled isoplay=yes, named after the node:
#   bash deploy/k8s/node-routes.sh play.example.org | kubectl apply -f -
# (and add each <node>.play.example.org to ISOPLAY_ALLOWED_HOSTS in configmap.yaml).
set -euo pipefail
domain=${1:?usage: node-routes.sh DOMAIN}
kubectl get nodes -l isoplay=yes -o jsonpath='{range .items[*]}{.metadata.name} {.status.addresses[?(@.type=="InternalIP")].address}{"\n"}{end}' |
while read -r node ip; do
  [ -n "$node" ] || continue
  sed -e "s/node-a\.play\.example\.org/$node.$domain/g" -e "s/isoplay-node-a/isoplay-node-$node/g" \
      -e "s/nodeName: node-a/nodeName: $node/" -e "s/192\.0\.2\.10/$ip/" "$(dirname "$0")/node-route.yaml"
  echo ---
done
