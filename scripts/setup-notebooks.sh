#!/usr/bin/env bash
# Installs Jupyter (the classic Notebook and nbconvert) and the GoNB kernel for Go on Debian or
# Ubuntu, so the notebooks in notebooks/ open in a browser and run headless.
#
# Usage: scripts/setup-notebooks.sh [--chromium] [--gopls]
#   --chromium  also install Debian's chromium, which scripts/run-notebooks.sh uses to check
#               that the exported HTML pages render their figures
#   --gopls     also install gopls, which gives GoNB auto-completion and documentation on hover
#
# Run it as the user who will open the notebooks: apt-get runs through sudo unless the script
# runs as root, and the Go tools and the kernel go to that user's GOPATH and Jupyter folder.
# Running it again is safe: it skips tools already at the pinned versions and rewrites the
# kernel spec.
#
# Needs Go (the version in go.mod's go line) on PATH or in /usr/local/go/bin, and access to
# the Debian or Ubuntu archive and to a Go module proxy.
set -euo pipefail

# GoNB is pinned to the version go.mod requires, so that the kernel and the gonbui package the
# notebooks import come from the same release. goimports and gopls are pinned because
# `go install …@latest` needs the module proxy's version list, which some proxies reject.
gonb_default_version=v0.11.1
goimports_version=v0.52.0
gopls_version=v0.20.0

with_chromium=false
with_gopls=false
for arg in "$@"; do
  case "$arg" in
    --chromium) with_chromium=true ;;
    --gopls) with_gopls=true ;;
    -h | --help)
      sed -n '2,16p' "$0" | sed 's/^# \{0,1\}//'
      exit 0
      ;;
    *)
      echo "setup-notebooks: unknown option $arg; the options are --chromium and --gopls" >&2
      exit 2
      ;;
  esac
done

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
log() { echo "setup-notebooks: $*" >&2; }
start=$SECONDS

# Root runs apt-get directly, everyone else through sudo.
if [[ $(id -u) -eq 0 ]]; then
  as_root=()
elif command -v sudo >/dev/null; then
  as_root=(sudo)
else
  log "apt-get needs root: run this script as root or install sudo"
  exit 1
fi
if ! command -v apt-get >/dev/null; then
  log "apt-get not found: this script supports Debian and Ubuntu; environment.md at the repository root describes macOS and pip or conda set-ups"
  exit 1
fi

# Jupyter from the distribution's packages. Debian 12 packages the classic Notebook 6 and no
# JupyterLab; both open the same .ipynb files.
packages=(jupyter-notebook jupyter-nbconvert python3-nbclient jupyter-client python3-ipykernel)
if $with_chromium; then
  packages+=(chromium)
fi
missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$p")
  fi
done
if ((${#missing[@]} > 0)); then
  log "installing ${missing[*]}"
  "${as_root[@]}" apt-get update -qq
  "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive \
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
else
  log "Jupyter packages already installed"
fi

# Go: the one on PATH, else the official tarball's location.
if ! command -v go >/dev/null && [[ -x /usr/local/go/bin/go ]]; then
  export PATH="/usr/local/go/bin:$PATH"
fi
if ! command -v go >/dev/null; then
  log "go not found: install Go $(awk '$1 == "go" {print $2}' "$repo/go.mod") from https://go.dev/dl/ and put its bin folder on PATH"
  exit 1
fi
gobin=$(go env GOBIN)
if [[ -z "$gobin" ]]; then
  gobin="$(go env GOPATH)/bin"
fi
export PATH="$gobin:$PATH"

gonb_version=$(awk '$1 == "github.com/janpfeifer/gonb" {print $2}' "$repo/go.mod")
gonb_version=${gonb_version:-$gonb_default_version}

# Tools are installed from a throwaway module. `go install pkg@version` requests the module's
# version list from the proxy first, and some proxies reject that request; `go get` in a module
# pins the version without it.
install_tool() { # install_tool PACKAGE VERSION
  local scratch
  scratch=$(mktemp -d)
  local status=0
  (
    cd "$scratch"
    go mod init local/tool-install 2>/dev/null
    go get "$1@$2" 2>"$scratch.log" || { cat "$scratch.log" >&2; exit 1; }
    go install "$1"
  ) || status=$?
  rm -rf "$scratch" "$scratch.log"
  return "$status"
}

if [[ "$("$gobin/gonb" -V 2>/dev/null || true)" == *"$gonb_version"* ]]; then
  log "gonb $gonb_version already installed"
else
  log "installing gonb $gonb_version"
  install_tool github.com/janpfeifer/gonb "$gonb_version"
fi
if [[ "$(go version -m "$gobin/goimports" 2>/dev/null || true)" == *"golang.org/x/tools	$goimports_version"* ]]; then
  log "goimports $goimports_version already installed"
else
  log "installing goimports $goimports_version"
  install_tool golang.org/x/tools/cmd/goimports "$goimports_version"
fi
if $with_gopls; then
  if [[ "$(go version -m "$gobin/gopls" 2>/dev/null || true)" == *"golang.org/x/tools/gopls	$gopls_version"* ]]; then
    log "gopls $gopls_version already installed"
  else
    log "installing gopls $gopls_version"
    install_tool golang.org/x/tools/gopls "$gopls_version"
  fi
fi

# The kernel spec. --force_deps lets the install go on without gopls, which is optional.
"$gobin/gonb" --install --force_deps 2>/dev/null

# The kernel finds go and goimports through PATH. Jupyter started from a desktop menu may not
# have the Go folders on PATH, so the kernel spec prepends them; jupyter_client 7 and later
# substitute ${PATH} in a kernel spec's env.
data_dir=${JUPYTER_DATA_DIR:-$(jupyter --data-dir)}
spec="$data_dir/kernels/gonb/kernel.json"
go_path_prefix="$(dirname "$(command -v go)"):$gobin"
/usr/bin/python3 - "$spec" "$go_path_prefix" <<'PY'
import json, sys
path, prefix = sys.argv[1], sys.argv[2]
with open(path) as f:
    spec = json.load(f)
spec.setdefault("env", {})["PATH"] = prefix + ":${PATH}"
with open(path, "w") as f:
    json.dump(spec, f, indent=1)
PY
log "kernel spec written to $spec"

log "done in $((SECONDS - start)) s; start Jupyter with: jupyter notebook $repo/notebooks"
