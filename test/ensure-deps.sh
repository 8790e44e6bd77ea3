#!/usr/bin/env bash
# Installs the Debian packages the tests need, when their files are missing. Quiet and fast when
# everything is there; `apt-get update` runs at most once, and only when something must be installed.
# Needs root (CI runs as root). Otherwise it names what is missing and the command to install it.
set -euo pipefail

missing=()
need() { missing+=("$1"); }

any_executable() {
  local path
  for path in "$@"; do
    [ -x "$path" ] && return 0
  done
  return 1
}

package_installed() {
  [ "$(dpkg-query -W -f='${Status}' "$1" 2>/dev/null || true)" = 'install ok installed' ]
}

python_module_importable() {
  [ -x /usr/bin/python3 ] && /usr/bin/python3 -c "import $1" >/dev/null 2>&1
}

check_all() {
  missing=()
  # ip: the kernel driver's host side, and every namespace the tests create.
  any_executable /usr/sbin/ip /usr/bin/ip /sbin/ip /bin/ip || need iproute2
  # ping: busybox's or inetutils' ping behave differently; the tests expect Debian's iputils.
  { [ -x /usr/bin/ping ] && package_installed iputils-ping; } || need iputils-ping
  # A gRPC client that is not Node's (reflection and health checks against the agent).
  python_module_importable grpc || need python3-grpcio
  python_module_importable grpc_tools || need python3-grpc-tools
  # grpc/health/v1/health.proto, compiled into proto/gen's descriptor set.
  [ -f /usr/share/grpc-proto/grpc/health/v1/health.proto ] || need grpc-proto
  # The CNI macvlan plugin: the real peer the agent is compared with.
  [ -x /usr/lib/cni/macvlan ] || need containernetworking-plugins
  # A kernel with 802.1q, dummy and bonding for the lab tests (this machine's kernel has none of them).
  [ -x /usr/bin/linux.uml ] || need user-mode-linux
  any_executable /usr/sbin/modprobe /sbin/modprobe /usr/bin/modprobe /bin/modprobe || need kmod
  any_executable /usr/bin/unshare /bin/unshare || need util-linux
  # The TLS tests make their CA, server and client certificates with the openssl CLI.
  any_executable /usr/bin/openssl || need openssl
  # A real Prometheus server (and promtool), which the metrics test starts itself; never its service.
  [ -x /usr/bin/prometheus ] || need prometheus
  # systemd-analyze verify and security check deploy/systemd's unit (no systemd needs to run as init).
  any_executable /usr/bin/systemd-analyze /bin/systemd-analyze || need systemd
  # nsenter runs the agent and its clients in a test netns (systemdExecStart.test.ts).
  any_executable /usr/bin/nsenter /bin/nsenter || need util-linux
}

check_all
[ "${#missing[@]}" -eq 0 ] && exit 0

fail() {
  echo "ensure-deps: $1" >&2
  echo "ensure-deps: missing Debian packages: ${missing[*]}" >&2
  echo "ensure-deps: install them as root with: apt-get update && apt-get install -y ${missing[*]}" >&2
  exit 1
}

[ "$(id -u)" -eq 0 ] || fail 'not root, cannot install'
command -v apt-get >/dev/null 2>&1 || fail 'apt-get not found'

echo "ensure-deps: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
# The tests start what they need themselves: no package may start its service (prometheus's would
# listen on :9090 on a host where systemd is init). Without a policy-rc.d of the host's, one that
# denies every start (exit 101) is in place while apt-get runs; without systemd nothing starts anyway.
policy=/usr/sbin/policy-rc.d
if [ ! -e "$policy" ]; then
  trap 'rm -f "$policy"' EXIT
  printf '#!/bin/sh\nexit 101\n' >"$policy" && chmod 755 "$policy"
fi
if ! apt-get update -q </dev/null >&2 || ! apt-get install -y -q --no-install-recommends "${missing[@]}" </dev/null >&2; then
  fail 'apt-get failed'
fi
# Installed here and enabled, its service would start at the next boot.
if [[ " ${missing[*]} " == *' prometheus '* ]] && [ -d /run/systemd/system ]; then
  systemctl disable --now prometheus.service >&2 || true
fi

check_all
[ "${#missing[@]}" -eq 0 ] || fail 'still missing after apt-get install'
echo 'ensure-deps: done' >&2
