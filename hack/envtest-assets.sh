#!/usr/bin/env bash
# envtest-assets.sh CACHE_DIR
#
# Builds kube-apiserver and etcd from Go modules (the only registry these machines reach
# that carries them) and prints the absolute directory holding both, for KUBEBUILDER_ASSETS.
# setup-envtest cannot be used: it downloads release archives from the internet.
#
# Both upstream modules carry replace directives, so `go install pkg@version` is refused.
# We build each one through a small wrapper module instead:
#   kube-apiserver: require k8s.io/kubernetes and pin every staging module it lists at v0.0.0
#                   to the published v0.<minor>.<patch> release.
#   etcd:           a main() that calls etcdmain.Main, which is all etcd's own main does.
#
# The binaries are cached per version under CACHE_DIR (keep it outside the work tree);
# a second run prints the directory in well under a second. Progress goes to stderr.
# First build on 2 cores: about 5 minutes, ~4 GB scratch disk, ~2.3 GiB peak memory.
#
# Overrides: K8S_VERSION (default 1.37.2), ETCD_VERSION (default 3.7.3).
set -euo pipefail

cache="${1:?usage: $0 CACHE_DIR}"
k8s="${K8S_VERSION:-1.37.2}"; k8s="${k8s#v}"
etcd="${ETCD_VERSION:-3.7.3}"; etcd="${etcd#v}"

say() { echo "envtest-assets: $*" >&2; }
fail() { say "error: $*"; exit 1; }

[[ "$k8s" =~ ^1\.[0-9]+\.[0-9]+$ ]] || fail "K8S_VERSION '$k8s' is not of the form 1.37.2"
[[ "$etcd" =~ ^3\.[0-9]+\.[0-9]+$ ]] || fail "ETCD_VERSION '$etcd' is not of the form 3.7.3"
command -v go >/dev/null || PATH="/usr/local/go/bin:$PATH"
command -v go >/dev/null || fail "go is not on PATH"

mkdir -p "$cache"
cache="$(cd "$cache" && pwd)"
unset GOOS GOARCH
platform="$(go env GOOS)-$(go env GOARCH)"
out="$cache/$platform/k8s-$k8s-etcd-$etcd"

have_apiserver() { [ -x "$out/kube-apiserver" ] && [ "$("$out/kube-apiserver" --version 2>/dev/null)" = "Kubernetes v$k8s" ]; }
have_etcd() { [ -x "$out/etcd" ] && "$out/etcd" --version 2>/dev/null | grep -qx "etcd Version: $etcd"; }

if have_apiserver && have_etcd; then echo "$out"; exit 0; fi

# One build at a time per cache (parallel test packages may all ask at once).
exec 9>"$cache/.lock"
command -v flock >/dev/null && flock 9
if have_apiserver && have_etcd; then echo "$out"; exit 0; fi

work="$cache/.work"
mkdir -p "$out" "$work"
trap 'chmod -R u+w "$work" 2>/dev/null; rm -rf "$work"' EXIT
export GOMODCACHE="$work/mod" GOCACHE="$work/cache" GOFLAGS=-buildvcs=false GOWORK=off \
  GOTOOLCHAIN=local CGO_ENABLED=0

build_etcd() {
  local d="$work/etcd"
  mkdir -p "$d"
  printf 'module local/etcd\n\ngo 1.24\n\nrequire go.etcd.io/etcd/server/v3 v%s\n' "$etcd" >"$d/go.mod"
  printf 'package main\n\nimport (\n\t"os"\n\n\t"go.etcd.io/etcd/server/v3/etcdmain"\n)\n\nfunc main() { etcdmain.Main(os.Args) }\n' >"$d/main.go"
  say "building etcd v$etcd"
  (cd "$d" && go mod tidy && go build -trimpath -ldflags "-s -w" -o "$out/etcd.new" .)
  mv -f "$out/etcd.new" "$out/etcd"
  have_etcd || fail "the etcd built does not report version $etcd"
}

build_apiserver() {
  local d="$work/apiserver" gomod minor staging ld p
  mkdir -p "$d/probe"
  printf 'module local/probe\n' >"$d/probe/go.mod"
  gomod="$(cd "$d/probe" && go mod download -json "k8s.io/kubernetes@v$k8s" | sed -n 's/^[[:space:]]*"GoMod": "\(.*\)",*$/\1/p')"
  [ -f "$gomod" ] || fail "could not fetch k8s.io/kubernetes v$k8s from the module proxy"
  minor="${k8s#1.}"; minor="${minor%%.*}"
  staging="v0.${k8s#1.}"
  {
    printf 'module local/apiserver\n\n'
    awk '$1 == "go" && NF == 2 { print; exit }' "$gomod"
    awk '$1 == "godebug" && NF == 2' "$gomod"
    printf '\nrequire k8s.io/kubernetes v%s\n\ntool k8s.io/kubernetes/cmd/kube-apiserver\n\nreplace (\n' "$k8s"
    # Staging modules are the k8s.io/* requirements pinned at v0.0.0.
    awk -v v="$staging" '
      /^require *\(/ { r = 1; next }
      r && /^\)/ { r = 0; next }
      r && $1 ~ /^k8s\.io\// && $2 == "v0.0.0" { print "\t" $1 " => " $1 " " v }' "$gomod"
    printf ')\n'
  } >"$d/go.mod"
  grep -q '=> k8s.io/api ' "$d/go.mod" || fail "found no staging modules in $gomod"
  ld="-s -w"
  for p in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
    ld="$ld -X $p.gitVersion=v$k8s -X $p.gitMajor=1 -X $p.gitMinor=$minor -X $p.gitTreeState=clean -X $p.buildDate=1970-01-01T00:00:00Z"
  done
  say "building kube-apiserver v$k8s (about 5 minutes on 2 cores)"
  (cd "$d" && go mod tidy && go build -trimpath -ldflags "$ld" -o "$out/kube-apiserver.new" k8s.io/kubernetes/cmd/kube-apiserver)
  mv -f "$out/kube-apiserver.new" "$out/kube-apiserver"
  have_apiserver || fail "the kube-apiserver built does not report v$k8s"
}

have_etcd || build_etcd
have_apiserver || build_apiserver
echo "$out"
