#!/usr/bin/env bash
# Executes the notebooks headless and checks them, the way CI does:
#
#   0. the notebook in the repository must have no outputs (they would not come from the
#      current code);
#   1. `jupyter nbconvert --to notebook --execute` runs every cell with the GoNB kernel;
#   2. the executed notebook must have no error output, no Go program that exited with a
#      non-zero status or panicked, and at least as many figures (image/png or image/svg+xml
#      outputs) as its metadata field topocnn.min_figures asks for (1 when the field is absent);
#   3. the executed notebook is exported to HTML, and headless Chromium loads the page and
#      counts the figures that rendered (<img> elements with a non-zero natural size and
#      inline <svg> elements with a non-zero size): every figure of the notebook must render.
#
# Usage: scripts/run-notebooks.sh [--out DIR] [--no-browser] [NOTEBOOK.ipynb ...]
#   --out DIR     where executed notebooks, HTML pages and logs go (default notebooks/executed,
#                 which git ignores)
#   --no-browser  skip step 3
#   NOTEBOOK      notebooks to run (default: every notebooks/*.ipynb, in name order)
#
# Environment:
#   CHROMIUM            browser binary (default: chromium, chromium-browser or google-chrome)
#   CELL_TIMEOUT        seconds one cell may run (default 600)
#   NOTEBOOK_TIMEOUT    seconds one notebook may run (default 900)
#   GOMLX_BACKEND       passed on to the notebooks; unset selects the topocnn backend, and "go"
#                       (GoMLX's plain pure-Go backend) fails in 01-training, which trains
#
# The notebooks set GOEXPERIMENT=simd in their first cell, so their cells build with the topocnn
# backend's SIMD kernels even when this script's environment lacks the variable.
#
# The notebooks share trained models through a cache folder. This script points them at a new
# one under the output folder (TOPOCNN_NOTEBOOK_CACHE), so every run trains from the current
# code and leaves a user's own cache alone.
#
# Needs what scripts/setup-notebooks.sh installs (with --chromium for step 3). Exits non-zero
# when any notebook fails a check, after running all of them.
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
out="$repo/notebooks/executed"
browser=true
notebooks=()
while (($# > 0)); do
  case "$1" in
    --out)
      out=$2
      shift 2
      ;;
    --no-browser)
      browser=false
      shift
      ;;
    -h | --help)
      awk 'NR == 1 { next } /^#/ { sub(/^# ?/, ""); print; next } { exit }' "$0"
      exit 0
      ;;
    -*)
      echo "run-notebooks: unknown option $1; the options are --out DIR and --no-browser" >&2
      exit 2
      ;;
    *)
      notebooks+=("$(realpath "$1")")
      shift
      ;;
  esac
done
if ((${#notebooks[@]} == 0)); then
  for nb in "$repo"/notebooks/*.ipynb; do
    notebooks+=("$nb")
  done
fi

log() { echo "run-notebooks: $*" >&2; }

# Tools. The kernel finds go and goimports through PATH.
if ! command -v go >/dev/null && [[ -x /usr/local/go/bin/go ]]; then
  export PATH="/usr/local/go/bin:$PATH"
fi
for tool in go jupyter; do
  if ! command -v "$tool" >/dev/null; then
    log "$tool not found: run scripts/setup-notebooks.sh first"
    exit 1
  fi
done
gobin=$(go env GOBIN)
export PATH="${gobin:-$(go env GOPATH)/bin}:$PATH"
for tool in gonb goimports; do
  if ! command -v "$tool" >/dev/null; then
    log "$tool not found: run scripts/setup-notebooks.sh first"
    exit 1
  fi
done
if $browser; then
  chromium=${CHROMIUM:-}
  if [[ -z "$chromium" ]]; then
    for candidate in chromium chromium-browser google-chrome; do
      if command -v "$candidate" >/dev/null; then
        chromium=$candidate
        break
      fi
    done
  fi
  if [[ -z "$chromium" ]]; then
    log "chromium not found: run scripts/setup-notebooks.sh --chromium, set CHROMIUM, or pass --no-browser"
    exit 1
  fi
fi

# Debian's jupyter runs on /usr/bin/python3; the checks use the same interpreter, which has
# nbformat.
python=$(head -n 1 "$(command -v jupyter)" | sed -n 's/^#! *//p' | awk '{print $1}')
if [[ ! -x "$python" ]] || ! "$python" -c 'import nbformat' 2>/dev/null; then
  python=python3
fi

mkdir -p "$out"
out=$(cd "$out" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# A kernel spec for this run only: --raw_error makes GoNB report compile errors as plain text,
# which reads better in a CI log than the HTML it sends to a browser.
export JUPYTER_DATA_DIR="$work/jupyter"
gonb --install --force_deps --raw_error >/dev/null 2>&1
export PYDEVD_DISABLE_FILE_VALIDATION=1
export TOPOCNN_NOTEBOOK_CACHE="$out/cache"
rm -rf "$TOPOCNN_NOTEBOOK_CACHE"
mkdir -p "$TOPOCNN_NOTEBOOK_CACHE"

cell_timeout=${CELL_TIMEOUT:-600}
notebook_timeout=${NOTEBOOK_TIMEOUT:-900}

# check_outputs NOTEBOOK: prints the number of figures, or the problems found and fails.
check_outputs() {
  "$python" - "$1" <<'PY'
import re, sys
import nbformat

path = sys.argv[1]
nb = nbformat.read(path, as_version=4)
problems = []
figures = 0
failed_run = re.compile(r"^(exit status \d+|signal: \w.*|panic: .*)$", re.MULTILINE)
for index, cell in enumerate(nb.cells):
    if cell.cell_type != "code":
        continue
    for output in cell.get("outputs", []):
        kind = output.get("output_type")
        if kind == "error":
            problems.append(f"cell {index}: error output {output.get('ename')}: {output.get('evalue')}")
        elif kind == "stream" and output.get("name") == "stderr":
            match = failed_run.search(output.get("text", ""))
            if match:
                problems.append(f"cell {index}: the cell's program failed: {match.group(0)}")
        elif kind in ("display_data", "execute_result"):
            data = output.get("data", {})
            if "image/png" in data or "image/svg+xml" in data:
                figures += 1
expected = nb.metadata.get("topocnn", {}).get("min_figures", 1)
if figures < expected:
    problems.append(f"{figures} figures in the outputs, the notebook's metadata asks for at least {expected}")
if problems:
    print("\n".join(problems))
    sys.exit(1)
print(figures)
PY
}

# check_clean NOTEBOOK: fails when a notebook in the repository contains outputs. Notebooks are
# committed without outputs, so that every output a reader gets comes from the current code.
check_clean() {
  "$python" - "$1" <<'PY'
import sys
import nbformat

nb = nbformat.read(sys.argv[1], as_version=4)
dirty = [i for i, cell in enumerate(nb.cells)
         if cell.cell_type == "code" and (cell.get("outputs") or cell.get("execution_count"))]
if dirty:
    print(f"cells {dirty} have outputs or execution counts; the repository keeps notebooks without "
          f"outputs: clear them with jupyter nbconvert --clear-output --inplace {sys.argv[1]}")
    sys.exit(1)
PY
}

# A script appended to a copy of each HTML page. After the page's load event it counts the
# figures that rendered and writes the counts into an element that --dump-dom prints.
render_probe='<script>
window.addEventListener("load", function () {
  var images = Array.prototype.slice.call(document.querySelectorAll(".jp-OutputArea-output img, .output_area img"));
  var svgs = Array.prototype.slice.call(document.querySelectorAll(".jp-OutputArea-output svg, .output_area svg"));
  var renderedImages = images.filter(function (img) { return img.complete && img.naturalWidth > 0 && img.naturalHeight > 0; }).length;
  var renderedSvgs = svgs.filter(function (svg) { var box = svg.getBoundingClientRect(); return box.width > 0 && box.height > 0; }).length;
  var report = document.createElement("pre");
  report.id = "render-check";
  report.textContent = "render-check images=" + images.length + " rendered=" + (renderedImages + renderedSvgs) + " svgs=" + svgs.length;
  document.body.appendChild(report);
});
</script>'

# check_render HTML FIGURES: loads the page in headless Chromium and fails unless every figure
# rendered. Name resolution is switched off, so the page cannot reach any host: figures are
# embedded in the page, and scripts it would load from a CDN (MathJax, require.js) fail fast.
check_render() {
  local html=$1 figures=$2 probe="$work/render-check.html" dom="$work/dom.html" profile
  # A script after </html> still runs: the HTML parser moves it into the body.
  cat "$html" >"$probe"
  printf '%s\n' "$render_probe" >>"$probe"
  profile=$(mktemp -d "$work/chromium.XXXXXX")
  if ! timeout 120 "$chromium" --headless --no-sandbox --disable-gpu \
    --disable-background-networking --disable-component-update --disable-sync \
    --no-first-run --host-resolver-rules="MAP * ~NOTFOUND" --user-data-dir="$profile" \
    --virtual-time-budget=10000 --window-size=1280,4000 \
    --dump-dom "file://$probe" >"$dom" 2>"$work/chromium.log"; then
    echo "chromium failed to load the page:"
    tail -n 5 "$work/chromium.log"
    return 1
  fi
  local report
  report=$(grep -o 'render-check images=[0-9]* rendered=[0-9]* svgs=[0-9]*' "$dom" || true)
  if [[ -z "$report" ]]; then
    echo "the page did not finish loading (no render report in the DOM)"
    return 1
  fi
  local rendered=${report#*rendered=}
  rendered=${rendered%% *}
  echo "$report"
  if ((rendered < figures)); then
    echo "$rendered of $figures figures rendered"
    return 1
  fi
}

# children_cpu_seconds FILE: writes the user plus system CPU seconds of this shell's finished
# child processes to FILE, from the second line of the `times` builtin ("0m1.5s 0m0.2s"). It
# must run in the main shell: in a command substitution `times` would describe a subshell.
children_cpu_seconds() {
  times >"$work/times"
  awk 'NR == 2 {
    total = 0
    for (i = 1; i <= 2; i++) { split($i, part, /[ms]/); total += part[1] * 60 + part[2] }
    printf "%.0f\n", total
  }' "$work/times" >"$1"
}

failures=()
summary=()
total_start=$SECONDS
for nb in "${notebooks[@]}"; do
  name=$(basename "$nb" .ipynb)
  start=$SECONDS
  if ! problem=$(check_clean "$nb"); then
    echo "$problem" >&2
    log "$name: the notebook in the repository has outputs"
    failures+=("$name")
    continue
  fi
  log "executing $name"
  children_cpu_seconds "$work/cpu-start"
  if ! timeout "$notebook_timeout" jupyter nbconvert --to notebook --execute \
    --ExecutePreprocessor.timeout="$cell_timeout" --ExecutePreprocessor.kernel_name=gonb \
    --output-dir "$out" --output "$name" "$nb" >"$out/$name.log" 2>&1; then
    grep -v '^[IWE][0-9]\{4\} ' "$out/$name.log" | tail -n 40 >&2 || true
    log "$name: execution failed after $((SECONDS - start)) s; full log in $out/$name.log"
    failures+=("$name")
    continue
  fi
  executed_s=$((SECONDS - start))
  children_cpu_seconds "$work/cpu-end"
  cpu_s=$(($(cat "$work/cpu-end") - $(cat "$work/cpu-start")))

  if ! result=$(check_outputs "$out/$name.ipynb"); then
    echo "$result" >&2
    log "$name: output check failed"
    failures+=("$name")
    continue
  fi
  figures=$result

  if ! jupyter nbconvert --to html --output-dir "$out" "$out/$name.ipynb" >>"$out/$name.log" 2>&1; then
    log "$name: HTML export failed; log in $out/$name.log"
    failures+=("$name")
    continue
  fi
  if $browser; then
    if ! render=$(check_render "$out/$name.html" "$figures"); then
      echo "$render" >&2
      log "$name: render check failed"
      failures+=("$name")
      continue
    fi
    log "$name: $render"
  fi
  summary+=("$name: $figures figures; executed in $executed_s s (CPU time $cpu_s s), checked in $((SECONDS - start)) s")
done

for line in "${summary[@]}"; do
  log "$line"
done
log "done in $((SECONDS - total_start)) s; executed notebooks, HTML pages and logs are in $out"
echo "notebooks: ${#summary[@]} passed, ${#failures[@]} failed"
if ((${#failures[@]} > 0)); then
  log "failed: ${failures[*]}"
  exit 1
fi
