# Docker for `sam local`, sourced by scripts/sam-local and scripts/test-sam-local. Idempotent: installs
# what is missing (Debian packages, as root), mounts binfmt_misc and registers qemu for arm64 when
# needed, starts dockerd when none answers, and builds the two local images:
#   - the emulation image for the arm64 `provided.al2023` function: the official
#     public.ecr.aws/lambda/provided:al2023-arm64 when it is already in the local image store (a user
#     with registry access pulls it once), else an arm64 userland assembled from Debian packages
#     (busybox for the shell and tools SAM's image build runs, glibc for the bootstrap);
#   - the stand-in image: the host's connect-local binary and the libraries it links, nothing else.
# `docker_release` stops only a dockerd that `docker_ensure` started. Nothing here talks to a registry.

OFFICIAL_INVOKE_IMAGE=public.ecr.aws/lambda/provided:al2023-arm64
LOCAL_INVOKE_IMAGE=connect-references/provided-debian:al2023-arm64
STAND_IN_IMAGE=connect-references/connect-local:latest
STAND_IN_ALIAS=connect-local   # sam-local-env.json points the function at http://connect-local:4566
DOCKER_STATE="${CONNECT_REFERENCES_DOCKER_STATE:-$HOME/.cache/connect-references/docker}"
STARTED_DOCKERD=""

say() { echo "sam-local: $*" >&2; }
fail() { say "$*"; exit 1; }

# Installs the Debian packages named (none: nothing to do), as root, with apt-get.
install_debian_packages() {
  [ $# -eq 0 ] && return 0
  [ "$(id -u)" = 0 ] || fail "needs $* (Debian packages); install them as root, or run this as root"
  command -v apt-get >/dev/null || fail "needs $* and has no apt-get to install them: install them by hand"
  say "installing $*"
  apt-get update -qq >&2 || fail "apt-get update failed"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null \
    || fail "apt-get install $* failed"
}

# Installs the Debian packages whose command or file is missing: qemu and arm64 glibc (to run arm64
# binaries), and with `docker` Docker too.
ensure_packages() {
  local missing=()
  if [ "${1:-}" = docker ]; then command -v dockerd >/dev/null || missing+=(docker.io); fi
  command -v qemu-aarch64-static >/dev/null || missing+=(qemu-user-static)
  [ -e /usr/aarch64-linux-gnu/lib/ld-linux-aarch64.so.1 ] || missing+=(libc6-arm64-cross)
  install_debian_packages ${missing[@]+"${missing[@]}"}
}

# Lets this x86_64 kernel run arm64 binaries (containers included) through qemu.
ensure_binfmt() {
  [ "$(uname -m)" = aarch64 ] && return 0
  local dir=/proc/sys/fs/binfmt_misc
  if [ ! -e "$dir/register" ]; then
    mount -t binfmt_misc binfmt_misc "$dir" 2>/dev/null || fail "cannot mount binfmt_misc on $dir (needs root)"
  fi
  [ -e "$dir/qemu-aarch64" ] && return 0
  say "registering qemu-aarch64 with binfmt_misc"
  grep -v '^#' /usr/lib/binfmt.d/qemu-aarch64.conf > "$dir/register" || fail "cannot register qemu-aarch64 with binfmt_misc"
}

# Starts dockerd unless one answers; remembers whether it did.
docker_ensure() {
  ensure_packages docker
  ensure_binfmt
  if docker info >/dev/null 2>&1; then return 0; fi
  [ "$(id -u)" = 0 ] || fail "no Docker daemon answers, and only root can start one here"
  mkdir -p "$DOCKER_STATE"
  say "starting dockerd (log: $DOCKER_STATE/dockerd.log)"
  # Without the userland proxy a published port refuses connections until the container listens, so
  # sam waits for the emulator (slow to start under qemu) instead of giving up after its three quick tries.
  dockerd --userland-proxy=false >"$DOCKER_STATE/dockerd.log" 2>&1 &
  STARTED_DOCKERD=$!
  local i
  for i in $(seq 1 60); do
    docker info >/dev/null 2>&1 && return 0
    kill -0 "$STARTED_DOCKERD" 2>/dev/null || fail "dockerd stopped; see $DOCKER_STATE/dockerd.log"
    sleep 0.5
  done
  fail "dockerd did not answer within 30 s; see $DOCKER_STATE/dockerd.log"
}

docker_release() {
  [ -n "$STARTED_DOCKERD" ] || return 0
  say "stopping the dockerd it started (pid $STARTED_DOCKERD)"
  kill "$STARTED_DOCKERD" 2>/dev/null || true
  local i
  for i in $(seq 1 40); do kill -0 "$STARTED_DOCKERD" 2>/dev/null || break; sleep 0.5; done
  STARTED_DOCKERD=""
}

# Prints the emulation image to pass to `sam local … --invoke-image`, building it when needed.
invoke_image() {
  if [ -n "${SAM_LOCAL_INVOKE_IMAGE:-}" ]; then echo "$SAM_LOCAL_INVOKE_IMAGE"; return; fi
  if docker image inspect "$OFFICIAL_INVOKE_IMAGE" >/dev/null 2>&1; then echo "$OFFICIAL_INVOKE_IMAGE"; return; fi
  if ! docker image inspect "$LOCAL_INVOKE_IMAGE" >/dev/null 2>&1; then
    build_local_invoke_image >&2
  fi
  echo "$LOCAL_INVOKE_IMAGE"
}

build_local_invoke_image() {
  say "building $LOCAL_INVOKE_IMAGE from Debian packages (the official image is not in the local store)"
  local work rootfs deb
  work=$(mktemp -d)
  rootfs="$work/rootfs"
  mkdir -p "$rootfs"/{bin,lib,tmp,opt,etc,var/task,var/runtime,var/rapid}
  chmod 1777 "$rootfs/tmp"
  if ! dpkg --print-foreign-architectures | grep -qx arm64; then
    dpkg --add-architecture arm64 && apt-get update -qq || { rm -rf "$work"; fail "cannot add Debian's arm64 architecture"; }
  fi
  (cd "$work" && apt-get download -qq -o APT::Sandbox::User=root busybox-static:arm64) || { rm -rf "$work"; fail "apt-get download busybox-static:arm64 failed"; }
  deb=$(ls "$work"/busybox-static_*_arm64.deb)
  dpkg-deb -x "$deb" "$work/busybox"
  cp "$work/busybox/bin/busybox" "$rootfs/bin/busybox"
  local applet
  for applet in sh ash mv cp rm mkdir chmod ln ls cat env sleep; do ln -s busybox "$rootfs/bin/$applet"; done
  ln -s bin "$rootfs/sbin"
  mkdir -p "$rootfs/usr"; ln -s ../bin "$rootfs/usr/bin"
  cp -a /usr/aarch64-linux-gnu/lib/. "$rootfs/lib/"
  ln -s lib "$rootfs/lib64"
  echo 'sbx_user1051:x:993:990::/home/sbx_user1051:/sbin/nologin' > "$rootfs/etc/passwd"
  load_image "$rootfs" "$LOCAL_INVOKE_IMAGE" arm64 '{"Env": ["PATH=/usr/local/bin:/usr/bin:/bin", "LANG=en_US.UTF-8",
    "TZ=:/etc/localtime", "LAMBDA_TASK_ROOT=/var/task", "LAMBDA_RUNTIME_DIR=/var/runtime"], "WorkingDir": "/var/task"}' \
    || { rm -rf "$work"; fail "docker load of $LOCAL_INVOKE_IMAGE failed"; }
  rm -rf "$work"
}

# `docker load`s a one-layer image of a folder, marked with its architecture.
load_image() {
  python3 "$(dirname "${BASH_SOURCE[0]}")/image-from-rootfs.py" "$@" | docker load -q >/dev/null
}

docker_arch() { case "$(uname -m)" in x86_64) echo amd64 ;; aarch64) echo arm64 ;; *) uname -m ;; esac; }

# Builds the stand-in image from a connect-local binary built for this machine.
build_stand_in_image() {
  local binary=$1 work lib
  [ -x "$binary" ] || fail "no connect-local binary at $binary"
  work=$(mktemp -d)
  mkdir -p "$work/rootfs/bin"
  cp "$binary" "$work/rootfs/bin/connect-local"
  # The binary and every library it links (with the dynamic loader), at their own paths.
  for lib in $(ldd "$binary" | grep -oE '/[^ ]+'); do
    mkdir -p "$work/rootfs$(dirname "$lib")"
    cp -L "$lib" "$work/rootfs$lib"
  done
  load_image "$work/rootfs" "$STAND_IN_IMAGE" "$(docker_arch)" \
    '{"Entrypoint": ["/bin/connect-local"], "Cmd": ["--bind", "0.0.0.0", "--port", "4566"]}' \
    || { rm -rf "$work"; fail "docker load of $STAND_IN_IMAGE failed"; }
  rm -rf "$work"
}

# What both sam local scripts need before sam runs: Docker, the stand-in image from this clone's
# connect-local, and the emulation image, whose name it leaves in SAM_LOCAL_INVOKE_IMAGE.
prepare_sam_local() {
  docker_ensure
  cargo build --quiet -p connect-local
  build_stand_in_image "$CARGO_TARGET_DIR/debug/connect-local"
  SAM_LOCAL_INVOKE_IMAGE="$(invoke_image)"
  export SAM_LOCAL_INVOKE_IMAGE
}

# Removes a network and every container attached to it (the stand-in, and function containers sam
# left there, e.g. warm ones after Ctrl-C), by id.
remove_network_and_its_containers() {
  local network=$1 containers
  containers=$(docker network inspect "$network" --format '{{range $id, $c := .Containers}}{{$id}} {{end}}' 2>/dev/null || true)
  # shellcheck disable=SC2086 # one id a word
  [ -z "${containers// /}" ] || docker rm --force --volumes $containers >/dev/null 2>&1 || true
  docker network rm "$network" >/dev/null 2>&1 || true
}
