#!/usr/bin/env bash
# Installs the Debian packages omnisip's interop tests and benchmarks use as real SIP peers:
#   sip-tester (SIPp), kamailio, baresip, linphone-cli (linphonec), plus tshark (pcap checks) and
#   sox (audio checks); chromium (the dashboard's browser tests, driven by playwright-core, which
#   downloads no browser) with fonts-dejavu-core for its text; curl and jq (the README's guide, run as printed).
# Safe to run twice. Needs root (or sudo) and Debian's apt. Services are not started:
# the tests start every peer themselves on 127.0.0.1 and stop it by PID.
set -euo pipefail

packages=(sip-tester kamailio baresip linphone-cli tshark sox chromium fonts-dejavu-core curl jq)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "install-peers: all present (${packages[*]})"
  exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi

# Keep package scripts from starting daemons (kamailio ships a service) on this machine.
if [ ! -e /usr/sbin/policy-rc.d ]; then
  printf '#!/bin/sh\nexit 101\n' | $SUDO tee /usr/sbin/policy-rc.d >/dev/null
  $SUDO chmod +x /usr/sbin/policy-rc.d
  trap '$SUDO rm -f /usr/sbin/policy-rc.d' EXIT
fi

echo "install-peers: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
echo "wireshark-common wireshark-common/install-setuid boolean false" | $SUDO debconf-set-selections
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
echo "install-peers: done"
