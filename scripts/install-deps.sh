#!/usr/bin/env bash
# Installs the Debian 12 packages hagw needs to build, test and run its lab.
# Idempotent: only missing packages are fetched. Run as root.
set -euo pipefail

packages=(
	# build
	build-essential meson ninja-build pkg-config clang dpdk-doc
	libdpdk-dev dpdk dpdk-dev libipsec-mb-dev libssl-dev libconfig-dev libcunit1-dev
	libedit-dev libjson-c-dev
	# lab, integration tests and benchmarks
	iproute2 iputils-ping iperf3 ethtool tcpdump tshark procps
	python3 python3-scapy python3-cryptography
	# strongSwan as a real IKEv2 peer (tests/integration/swan.sh): charon, swanctl, the
	# openssl plugin (standard plugins), kernel-libipsec (charon extra plugins)
	strongswan-charon strongswan-swanctl libstrongswan-standard-plugins
	libcharon-extra-plugins
)

missing=()
for p in "${packages[@]}"; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
		missing+=("$p")
	fi
done

if [ ${#missing[@]} -eq 0 ]; then
	exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
	echo "install-deps: missing packages (${missing[*]}) and not root" >&2
	exit 1
fi

echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
