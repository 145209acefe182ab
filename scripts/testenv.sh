#!/usr/bin/env bash
# The test environment: a Docker engine, two local registries and the test
# images, all offline and on 127.0.0.1.
#
#   scripts/testenv.sh start    start what is not running, wait until it answers
#   scripts/testenv.sh stop     stop only what start started (safe to repeat)
#   scripts/testenv.sh env      print shell exports: eval "$(scripts/testenv.sh env)"
#   scripts/testenv.sh status   say what runs and who started it
#
# State, logs and build contexts live in ${QUAI_TESTENV_DIR:-/tmp/quai-testenv}.
# An engine that already answers at DOCKER_HOST or /var/run/docker.sock is
# used as it is (QUAI_TESTENV_OWN_ENGINE=1 starts a private one regardless).
# The private dockerd has its own socket, data root, exec root and pid file,
# --iptables=false --ip6tables=false and --bridge=none, so it touches no host
# network: containers that publish ports use user-defined networks
# (QUAI_TESTENV_BRIDGE=default gives it the default docker0 bridge instead).
set -uo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
state=${QUAI_TESTENV_DIR:-/tmp/quai-testenv}
timeout_s=${QUAI_TESTENV_TIMEOUT:-60}
label=io.quai.test
busybox_image=quai-test/busybox:1
http_image=quai-test/http:1
fresh_engine=0

die() {
	echo "testenv: $*" >&2
	exit 1
}
log() { echo "testenv: $*" >&2; }

docker_cli() {
	if [ -n "${QUAI_TEST_DOCKER_CLI:-}" ]; then
		echo "$QUAI_TEST_DOCKER_CLI"
	elif [ -x /usr/bin/docker ]; then
		echo /usr/bin/docker
	else
		command -v docker || echo docker
	fi
}
dk() { DOCKER_BUILDKIT=0 "$(docker_cli)" -H "$engine_host" "$@"; }

# was_started NAME: did this script start component NAME?
was_started() { [ -f "$state/started" ] && grep -qx "$1" "$state/started"; }
mark_started() { was_started "$1" || echo "$1" >>"$state/started"; }
unmark() {
	[ -f "$state/started" ] || return 0
	grep -vx "$1" "$state/started" >"$state/started.tmp"
	mv "$state/started.tmp" "$state/started"
}

# a zombie (exited, not yet reaped by init) counts as gone
pid_alive() {
	[ -n "${1:-}" ] && kill -0 "$1" 2>/dev/null || return 1
	local st
	st=$(awk '{ print $3 }' "/proc/$1/stat" 2>/dev/null) || return 1
	[ "$st" != Z ] && [ "$st" != X ]
}
pid_of() { [ -f "$1" ] && cat "$1" 2>/dev/null; }

# ping HOST: does a Docker engine answer /_ping there within 3 s?
ping_engine() {
	case "$1" in
	unix://*)
		local sock=${1#unix://}
		[ -S "$sock" ] || return 1
		[ "$(curl -s -m 3 --unix-socket "$sock" http://localhost/_ping 2>/dev/null)" = OK ]
		;;
	*) timeout 5 "$(docker_cli)" -H "$1" version >/dev/null 2>&1 ;;
	esac
}

free_port() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# wait_for WHAT LOGFILE PID COMMAND...: poll COMMAND until it succeeds
wait_for() {
	local what=$1 logf=$2 pid=$3
	shift 3
	local deadline=$((SECONDS + timeout_s))
	while ! "$@"; do
		if [ -n "$pid" ] && ! pid_alive "$pid"; then
			tail -n 20 "$logf" >&2
			die "$what exited while starting; its log is $logf"
		fi
		if [ $SECONDS -ge $deadline ]; then
			tail -n 20 "$logf" >&2
			die "$what did not answer within ${timeout_s}s; its log is $logf"
		fi
		sleep 0.2
	done
}

# ---- engine

engine_host_file=$state/engine-host

pick_engine() {
	if [ -f "$engine_host_file" ] && ping_engine "$(cat "$engine_host_file")"; then
		engine_host=$(cat "$engine_host_file")
		return 0
	fi
	if [ "${QUAI_TESTENV_OWN_ENGINE:-0}" != 1 ]; then
		local cand
		for cand in "${DOCKER_HOST:-}" unix:///var/run/docker.sock; do
			[ -n "$cand" ] || continue
			[ "$cand" = "unix://$state/docker.sock" ] && continue
			if ping_engine "$cand"; then
				engine_host=$cand
				echo "$cand" >"$engine_host_file"
				log "using the engine already running at $cand"
				return 0
			fi
		done
	fi
	return 1
}

start_dockerd() {
	local sock=$state/docker.sock logf=$state/dockerd.log
	engine_host=unix://$sock
	command -v dockerd >/dev/null || die "dockerd not found: run scripts/install-deps.sh test (package docker.io)"
	[ "$(id -u)" = 0 ] || die "dockerd needs root: run as root, or start an engine and set DOCKER_HOST"
	local old
	old=$(pid_of "$state/dockerd.pid")
	if pid_alive "$old"; then
		wait_for dockerd "$logf" "$old" ping_engine "$engine_host"
		return 0
	fi
	cleanup_dockerd_leftovers
	mkdir -p "$state/docker-data" "$state/docker-exec"
	local bridge=() driver
	[ "${QUAI_TESTENV_BRIDGE:-none}" = none ] && bridge=(--bridge=none)
	ip link show docker0 >/dev/null 2>&1 || echo created >"$state/docker0"
	: >"$logf"
	for driver in ${QUAI_TESTENV_STORAGE_DRIVER:-overlay2 fuse-overlayfs vfs}; do
		log "starting dockerd (storage driver $driver), log $logf"
		setsid dockerd --iptables=false --ip6tables=false "${bridge[@]}" \
			--host "$engine_host" --data-root "$state/docker-data" \
			--exec-root "$state/docker-exec" --pidfile "$state/dockerd.pid" \
			--storage-driver "$driver" --log-level warn --shutdown-timeout 5 \
			</dev/null >>"$logf" 2>&1 9>&- &
		local pid=$!
		echo "$pid" >"$state/dockerd.pid.launch"
		mark_started dockerd
		local deadline=$((SECONDS + timeout_s))
		while ! ping_engine "$engine_host"; do
			pid_alive "$pid" || break
			if [ $SECONDS -ge $deadline ]; then
				tail -n 20 "$logf" >&2
				die "dockerd did not answer within ${timeout_s}s; its log is $logf"
			fi
			sleep 0.2
		done
		if ping_engine "$engine_host"; then
			fresh_engine=1
			echo "$driver" >"$state/storage-driver"
			echo "$engine_host" >"$engine_host_file"
			return 0
		fi
		log "dockerd failed with storage driver $driver"
		cleanup_dockerd_leftovers
	done
	tail -n 20 "$logf" >&2
	die "dockerd did not start with any storage driver; its log is $logf"
}

# unmount what a killed dockerd left under the state directory
cleanup_dockerd_leftovers() {
	local m
	# shellcheck disable=SC2013 # mount points have no spaces here
	for m in $(awk -v p="$state/" 'index($2, p) == 1 { print $2 }' /proc/mounts | sort -r); do
		umount -l "$m" 2>/dev/null
	done
	rm -f "$state/docker.sock" "$state/dockerd.pid"
}

stop_dockerd() {
	local pid
	pid=$(pid_of "$state/dockerd.pid")
	pid_alive "$pid" || pid=$(pid_of "$state/dockerd.pid.launch")
	if pid_alive "$pid"; then
		kill -TERM "$pid" 2>/dev/null
		local deadline=$((SECONDS + 45))
		while pid_alive "$pid" && [ $SECONDS -lt $deadline ]; do sleep 0.2; done
		if pid_alive "$pid"; then
			log "dockerd did not stop within 45s, killing it"
			kill -KILL "$pid" 2>/dev/null
			sleep 0.5
		fi
	fi
	# the containerd that dockerd runs for itself normally exits with it
	local cpid
	cpid=$(pid_of "$state/docker-exec/containerd/containerd.pid")
	pid_alive "$cpid" && kill -TERM "$cpid" 2>/dev/null
	# the containers and shims a killed dockerd left running
	local rr=$state/docker-exec/runtime-runc/moby id f
	if [ -d "$rr" ] && command -v runc >/dev/null; then
		for id in $(runc --root "$rr" list -q 2>/dev/null); do
			runc --root "$rr" delete -f "$id" >/dev/null 2>&1
		done
	fi
	for f in /proc/[0-9]*/cmdline; do
		if tr '\0' ' ' 2>/dev/null <"$f" | grep -q "^/usr/bin/containerd-shim.* -address $state/docker-exec/"; then
			f=${f#/proc/}
			kill -KILL "${f%/cmdline}" 2>/dev/null
		fi
	done
	cleanup_dockerd_leftovers
	rm -f "$state/dockerd.pid.launch"
	if [ -f "$state/docker0" ]; then
		ip link del docker0 2>/dev/null
		rm -f "$state/docker0"
	fi
}

# ---- registries

# start_registry NAME AUTH(yes|no)
start_registry() {
	local name=$1 auth=$2 dir=$state/$1
	local logf=$dir/registry.log
	command -v docker-registry >/dev/null || die "docker-registry not found: run scripts/install-deps.sh test"
	mkdir -p "$dir"
	local pid port
	pid=$(pid_of "$dir/pid")
	if pid_alive "$pid" && [ -f "$dir/addr" ]; then
		wait_for "$name" "$logf" "$pid" registry_answers "$(cat "$dir/addr")"
		return 0
	fi
	rm -rf "$dir/data"
	port=$(free_port) || die "no free port for $name"
	{
		echo "version: 0.1"
		echo "log:"
		echo "  level: warn"
		echo "  accesslog:"
		echo "    disabled: true"
		echo "storage:"
		echo "  filesystem:"
		echo "    rootdirectory: $dir/data"
		echo "  delete:"
		echo "    enabled: true"
		echo "http:"
		echo "  addr: 127.0.0.1:$port"
		echo "  secret: $(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')"
		if [ "$auth" = yes ]; then
			echo "auth:"
			echo "  htpasswd:"
			echo "    realm: quai-test"
			echo "    path: $dir/htpasswd"
		fi
	} >"$dir/config.yml"
	if [ "$auth" = yes ]; then
		command -v htpasswd >/dev/null || die "htpasswd not found: run scripts/install-deps.sh test (package apache2-utils)"
		[ -f "$dir/user" ] || echo quai-test >"$dir/user"
		[ -f "$dir/password" ] || head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n' >"$dir/password"
		htpasswd -Bbn "$(cat "$dir/user")" "$(cat "$dir/password")" >"$dir/htpasswd" ||
			die "htpasswd failed for $name"
	fi
	log "starting $name on 127.0.0.1:$port, log $logf"
	setsid docker-registry serve "$dir/config.yml" </dev/null >"$logf" 2>&1 9>&- &
	pid=$!
	echo "$pid" >"$dir/pid"
	echo "127.0.0.1:$port" >"$dir/addr"
	mark_started "$name"
	wait_for "$name" "$logf" "$pid" registry_answers "127.0.0.1:$port"
}

# the /v2/ endpoint answers 200, or 401 when auth is on
registry_answers() {
	local code
	code=$(curl -s -m 3 -o /dev/null -w '%{http_code}' "http://$1/v2/" 2>/dev/null)
	[ "$code" = 200 ] || [ "$code" = 401 ]
}

stop_registry() {
	local dir=$state/$1 pid
	pid=$(pid_of "$dir/pid")
	if pid_alive "$pid"; then
		kill -TERM "$pid" 2>/dev/null
		local deadline=$((SECONDS + 10))
		while pid_alive "$pid" && [ $SECONDS -lt $deadline ]; do sleep 0.1; done
		pid_alive "$pid" && kill -KILL "$pid" 2>/dev/null
	fi
	rm -f "$dir/pid"
}

# ---- images

# build the base image from Debian's static busybox, unless it is current
build_busybox() {
	local bb=${QUAI_TEST_BUSYBOX:-/bin/busybox}
	[ -x "$bb" ] || bb=/usr/bin/busybox
	if [ ! -x "$bb" ] || ldd "$bb" >/dev/null 2>&1; then
		die "$bb is not a static busybox: run scripts/install-deps.sh test (package busybox-static)"
	fi
	local sum
	sum=$( (sha256sum "$bb" "$top/tests/fixtures/busybox/Dockerfile" && find "$top/tests/fixtures/busybox/rootfs" -type f -exec sha256sum {} +) | sha256sum | cut -c1-16)
	if [ "$(dk image inspect -f '{{index .Config.Labels "io.quai.test.source"}}' "$busybox_image" 2>/dev/null)" = "$sum" ]; then
		return 0
	fi
	local ctx=$state/build/busybox
	rm -rf "$ctx"
	mkdir -p "$ctx"
	cp -a "$top/tests/fixtures/busybox/." "$ctx/"
	mkdir -p "$ctx/rootfs/bin" "$ctx/rootfs/tmp" "$ctx/rootfs/root" "$ctx/rootfs/usr/bin" "$ctx/rootfs/sbin" "$ctx/rootfs/usr/sbin"
	chmod 1777 "$ctx/rootfs/tmp"
	chmod 700 "$ctx/rootfs/root"
	cp "$bb" "$ctx/rootfs/bin/busybox"
	local applet
	"$bb" --list-full | while read -r applet; do
		[ "$applet" = bin/busybox ] && continue
		mkdir -p "$ctx/rootfs/$(dirname "$applet")"
		ln -sf /bin/busybox "$ctx/rootfs/$applet"
	done
	log "building $busybox_image"
	dk build -q --label "io.quai.test.source=$sum" -t "$busybox_image" "$ctx" >"$state/build/busybox.log" 2>&1 ||
		{ cat "$state/build/busybox.log" >&2; die "building $busybox_image failed; log $state/build/busybox.log"; }
}

build_http() {
	local sum base_id
	base_id=$(dk image inspect -f '{{.Id}}' "$busybox_image")
	sum=$( (echo "$base_id" && find "$top/tests/fixtures/http" -type f -exec sha256sum {} + | sort) | sha256sum | cut -c1-16)
	if [ "$(dk image inspect -f '{{index .Config.Labels "io.quai.test.source"}}' "$http_image" 2>/dev/null)" = "$sum" ]; then
		return 0
	fi
	mkdir -p "$state/build"
	log "building $http_image"
	dk build -q --build-arg "BASE=$busybox_image" --label "io.quai.test.source=$sum" \
		-t "$http_image" "$top/tests/fixtures/http" >"$state/build/http.log" 2>&1 ||
		{ cat "$state/build/http.log" >&2; die "building $http_image failed; log $state/build/http.log"; }
}

# ---- clean-up of what tests created

remove_labelled() {
	local ids
	ids=$(dk ps -aq --filter "label=$label")
	# shellcheck disable=SC2086 # word splitting intended
	[ -n "$ids" ] && dk rm -f -v $ids >/dev/null 2>&1
	ids=$(dk network ls -q --filter "label=$label")
	# shellcheck disable=SC2086 # word splitting intended
	[ -n "$ids" ] && dk network rm $ids >/dev/null 2>&1
	ids=$(dk volume ls -q --filter "label=$label")
	# shellcheck disable=SC2086 # word splitting intended
	[ -n "$ids" ] && dk volume rm -f $ids >/dev/null 2>&1
	return 0
}

# ---- commands

write_env() {
	local f=$state/env.sh cli
	cli=$(docker_cli)
	{
		echo "export DOCKER_HOST='$engine_host'"
		echo "export QUAI_TEST_DOCKER_CLI='$cli'"
		echo "export QUAI_TEST_REGISTRY='$(cat "$state/registry/addr")'"
		echo "export QUAI_TEST_REGISTRY_USER='$(cat "$state/registry/user")'"
		echo "export QUAI_TEST_REGISTRY_PASSWORD='$(cat "$state/registry/password")'"
		echo "export QUAI_TEST_REGISTRY_NOAUTH='$(cat "$state/registry-noauth/addr")'"
		echo "export QUAI_TEST_BUSYBOX_IMAGE='$busybox_image'"
		echo "export QUAI_TEST_HTTP_IMAGE='$http_image'"
		echo "export QUAI_TEST_HTTP_PORT='8080'"
		echo "export QUAI_TEST_LABEL='$label'"
		echo "export QUAI_TESTENV_DIR='$state'"
	} >"$f.tmp"
	mv "$f.tmp" "$f"
}

cmd_start() {
	mkdir -p "$state"
	exec 9>"$state/lock"
	flock -w "$timeout_s" 9 || die "another testenv start/stop holds $state/lock"
	local t0=$SECONDS
	if ! pick_engine; then
		start_dockerd
	fi
	if [ "$fresh_engine" = 1 ]; then
		remove_labelled # what a killed run left in our data root
	fi
	start_registry registry yes
	start_registry registry-noauth no
	build_busybox
	build_http
	write_env
	log "ready in $((SECONDS - t0))s (state in $state)"
}

cmd_stop() {
	[ -d "$state" ] || return 0
	exec 9>"$state/lock"
	flock -w "$timeout_s" 9 || die "another testenv start/stop holds $state/lock"
	if [ -f "$engine_host_file" ]; then
		engine_host=$(cat "$engine_host_file")
		ping_engine "$engine_host" && remove_labelled
	fi
	stop_registry registry-noauth
	unmark registry-noauth
	stop_registry registry
	unmark registry
	if was_started dockerd || [ -f "$state/dockerd.pid" ] || [ -f "$state/dockerd.pid.launch" ]; then
		# a private engine: nothing in it outlives the run
		if [ -n "${engine_host:-}" ] && ping_engine "$engine_host"; then
			local ids
			ids=$(dk ps -q)
			# shellcheck disable=SC2086 # word splitting intended
			[ -n "$ids" ] && dk rm -f $ids >/dev/null 2>&1
		fi
		stop_dockerd
		unmark dockerd
	fi
	rm -f "$state/env.sh" "$engine_host_file"
	if [ "${1:-}" = --purge ]; then
		cleanup_dockerd_leftovers
		rm -rf "$state"
	fi
	return 0
}

cmd_env() {
	[ -f "$state/env.sh" ] || die "not started: run scripts/testenv.sh start"
	cat "$state/env.sh"
}

cmd_status() {
	local rc=0 host name pid
	if [ -f "$engine_host_file" ]; then
		host=$(cat "$engine_host_file")
		if ping_engine "$host"; then
			echo "engine    $host answers ($(was_started dockerd && echo "started by testenv" || echo "not ours"))"
		else
			echo "engine    $host does not answer"
			rc=1
		fi
	else
		echo "engine    not started"
		rc=1
	fi
	for name in registry registry-noauth; do
		pid=$(pid_of "$state/$name/pid")
		if pid_alive "$pid" && registry_answers "$(cat "$state/$name/addr")"; then
			echo "$name  $(cat "$state/$name/addr") answers"
		else
			echo "$name  not running"
			rc=1
		fi
	done
	return $rc
}

case "${1:-}" in
start) cmd_start ;;
stop) shift; cmd_stop "$@" ;;
env) cmd_env ;;
status) cmd_status ;;
*)
	echo "usage: $0 start|stop [--purge]|env|status" >&2
	exit 2
	;;
esac
