#!/usr/bin/env bash
# Installs every build and test dependency of quai on Debian 12 with apt-get.
# Usage: scripts/install-deps.sh [build|test]   (default: test, which includes build)
set -euo pipefail

what=${1:-test}

build_pkgs=(
  build-essential pkg-config meson ninja-build
  libyaml-dev libjansson-dev
  libcurl4-openssl-dev libarchive-dev libpcre2-dev libssl-dev libgit2-dev
  libmicrohttpd-dev libsqlite3-dev libcrypt-dev
  docker.io docker-registry apache2-utils busybox-static curl
)
test_pkgs=(
  clang libclang-rt-14-dev llvm
  libcmocka-dev
  python3 python3-pytest python3-yaml
  docker-compose
  shellcheck
  wrk
  clang-tidy cppcheck
  chromium nodejs npm
)

pkgs=("${build_pkgs[@]}")
[ "$what" = test ] && pkgs+=("${test_pkgs[@]}")

missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

sudo=
[ "$(id -u)" -eq 0 ] || sudo=sudo
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
