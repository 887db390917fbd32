#!/usr/bin/env bash
# Times real runtimes pulling the images of a warmed registry: each traced manifest URI in a warmup map
# (written by `drtp warmup` with `warmup.manifests: image`) is pulled, fetched and unpacked, by podman or by
# containerd's ctr, into storage of its own that this script makes and removes (run as root; nothing of
# the system's runtime configuration is read or changed). Prints one line per image, then a summary.
#
#   examples/pull-timing.sh [--runtime podman|containerd] [--limit N] REGISTRY_HOST:PORT interm.json
#
# The registry is spoken to over plain HTTP: a test registry on loopback, as `drtp demo --keep DIR` or
# the tests start.
set -euo pipefail

runtime=podman
limit=0
while [ $# -gt 2 ]; do
  case "$1" in
    --runtime) runtime=$2; shift 2 ;;
    --limit) limit=$2; shift 2 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
if [ $# -ne 2 ]; then
  echo "usage: $0 [--runtime podman|containerd] [--limit N] REGISTRY_HOST:PORT interm.json" >&2
  exit 2
fi
registry=$1
map=$2
case "$runtime" in podman | containerd) ;; *) echo "--runtime is podman or containerd, not $runtime" >&2; exit 2 ;; esac

# The map's manifest URIs (v2/<repo>/manifests/<ref>) as image references.
mapfile -t refs < <(node -e '
  const map = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
  for (const [uri, digest] of Object.entries(map))
    if (typeof digest === "string" && uri.includes("/manifests/")) {
      const [repo, ref] = uri.slice(3).split("/manifests/");
      console.log(`${repo}:${ref}`);
    }' "$map")
if [ "$limit" -gt 0 ] && [ "${#refs[@]}" -gt "$limit" ]; then refs=("${refs[@]:0:$limit}"); fi
if [ "${#refs[@]}" -eq 0 ]; then echo "$map holds no pushed manifest: warm up with warmup.manifests: image" >&2; exit 1; fi

dir=$(mktemp -d /tmp/drtp-pull-XXXXXX)
ctd_pid=
cleanup() {
  if [ -n "$ctd_pid" ]; then kill "$ctd_pid" 2>/dev/null || true; wait "$ctd_pid" 2>/dev/null || true; fi
  rm -rf "$dir"
}
trap cleanup EXIT

if [ "$runtime" = podman ]; then
  pull() {
    podman --root "$dir/root" --runroot "$dir/run" --tmpdir "$dir/tmp" --storage-driver vfs \
      --cgroup-manager cgroupfs --events-backend none pull --quiet --tls-verify=false "$registry/$1" >/dev/null
  }
  version=$(podman --version)
else
  cat >"$dir/config.toml" <<EOF
version = 2
root = "$dir/root"
state = "$dir/state"
disabled_plugins = ["io.containerd.grpc.v1.cri"]
[grpc]
  address = "$dir/c.sock"
[ttrpc]
  address = "$dir/t.sock"
[debug]
  address = ""
[metrics]
  address = ""
EOF
  containerd --config "$dir/config.toml" 2>"$dir/containerd.log" &
  ctd_pid=$!
  for _ in $(seq 100); do ctr --address "$dir/c.sock" version >/dev/null 2>&1 && break; sleep 0.1; done
  pull() {
    ctr --address "$dir/c.sock" --namespace drtp images pull --plain-http --snapshotter native "$registry/$1" >/dev/null
  }
  version=$(containerd --version)
fi

echo "# $version: ${#refs[@]} images from $registry"
echo "# ms image"
total=0
failed=0
times=()
for ref in "${refs[@]}"; do
  start=$(date +%s%N)
  if pull "$ref" 2>"$dir/err"; then
    ms=$((($(date +%s%N) - start) / 1000000))
    times+=("$ms")
    total=$((total + ms))
    echo "$ms $ref"
  else
    failed=$((failed + 1))
    echo "failed $ref: $(tail -n 1 "$dir/err")"
  fi
done
ok=${#times[@]}
if [ "$ok" -gt 0 ]; then
  sorted=($(printf '%s\n' "${times[@]}" | sort -n))
  p50=${sorted[$(((ok - 1) / 2))]}
  p90=${sorted[$(((ok - 1) * 9 / 10))]}
  echo "# pulled $ok, failed $failed; pull ms: p50 $p50, p90 $p90, max ${sorted[$((ok - 1))]}, mean $((total / ok))"
else
  echo "# pulled 0, failed $failed"
fi
[ "$failed" -eq 0 ]
