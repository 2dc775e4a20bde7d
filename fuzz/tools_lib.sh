# fuzz/tools_lib.sh: shared by tools/decode, encode, repro, fuzz, triage,
# explore, afl, coverage.  Source it; it defines:
#   mt_root                  the repository root
#   mt_need_bazel            run tools/setup if bazel is missing
#   mt_replay_bin            build (if needed) and print the path of //fuzz:maptrack_replay
#   mt_fuzzer_bin            build (if needed) and print the path of //fuzz:maptrack_fuzzer
#   mt_suite_index, mt_find_suite, mt_suite_bin, mt_unknown_impl:
#                            free lists of your own (adapters registered by a
#                            freelist_fuzz_suite): which suite registers a
#                            name, its binaries, the list of every name
# MT_NO_BUILD=1 skips `bazel build` when the binary already exists;
# MT_REPLAY_BIN=/path uses that replay binary and never builds (tests).

mt_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

mt_need_bazel() {
  if ! command -v bazel >/dev/null 2>&1; then
    echo "$(basename "$0"): bazel is missing: running tools/setup" >&2
    "$mt_root/tools/setup" >&2 || { echo "$(basename "$0"): tools/setup failed" >&2; return 1; }
  fi
}

# mt_build_bin LABEL OUTDIR [bazel flags...]: build //PKG:NAME under the
# configuration whose output directory is bazel-out/OUTDIR and print the
# binary's path there.  Each configuration has its own directory, so a
# build under another one (which flips the bazel-bin symlink) never makes
# us pick the wrong binary.
mt_build_bin() {
  local label=$1 dir=$2; shift 2
  local pkg=${label#//}; pkg=${pkg%%:*}
  local name=${label##*:}
  local bin="$mt_root/bazel-out/$dir/bin/$pkg/$name"
  if [[ ${MT_NO_BUILD:-0} == 1 && -x $bin ]]; then
    echo "$bin"; return 0
  fi
  mt_need_bazel || return 1
  echo "$(basename "$0"): building $label ..." >&2
  if ! (cd "$mt_root" && bazel build "$@" "$label" >&2 2>/tmp/mt_build.$$.log); then
    cat /tmp/mt_build.$$.log >&2; rm -f /tmp/mt_build.$$.log
    echo "$(basename "$0"): bazel build $label failed" >&2
    return 1
  fi
  rm -f /tmp/mt_build.$$.log
  [[ -x $bin ]] || { echo "$(basename "$0"): $bin not found after the build" >&2; return 1; }
  echo "$bin"
}

mt_replay_bin() {
  if [[ -n ${MT_REPLAY_BIN:-} ]]; then
    [[ -x $MT_REPLAY_BIN ]] || { echo "$(basename "$0"): MT_REPLAY_BIN=$MT_REPLAY_BIN is not executable" >&2; return 1; }
    echo "$MT_REPLAY_BIN"; return 0
  fi
  mt_build_bin //fuzz/drivers:maptrack_replay k8-fastbuild
}
mt_fuzzer_bin() { mt_build_bin //fuzz/drivers:maptrack_fuzzer k8-optlibfuzzer --config=asan-libfuzzer; }
# The triage binary (default configuration).
mt_triage_bin() { mt_build_bin //fuzz/triage:maptrack_triage k8-fastbuild; }

# mt_check_known FILE: the known-findings file (fuzz/known/known.h): one
# signature INV:DETECTOR:STOP per line, '#' comments, blank lines.  Prints
# its absolute path; a missing file or a malformed line is an error with
# its line number (the caller exits 2 before any work).  The C reader
# (mt_known_load) applies the same rules.
mt_check_known() {
  local f=$1 n=0 line sig
  [[ -f $f && -r $f ]] || { echo "tools/$(basename "${0%.sh}"): known-findings file $f: no such readable file" >&2; return 1; }
  while IFS= read -r line || [[ -n $line ]]; do
    n=$((n + 1))
    sig=${line%%#*}
    sig=${sig#"${sig%%[![:space:]]*}"}; sig=${sig%"${sig##*[![:space:]]}"}
    [[ -z $sig ]] && continue
    if [[ ! $sig =~ ^[A-Za-z0-9_.-]+:[A-Za-z0-9_.-]+:[A-Za-z0-9_.-]+$ || ${#sig} -ge 128 ]]; then
      echo "tools/$(basename "${0%.sh}"): $f:$n: not a signature: '$sig' (want INV:DETECTOR:STOP, e.g. I7:get:POP_WRITE_HEAD; '#' starts a comment)" >&2
      return 1
    fi
  done <"$f"
  realpath -- "$f"
}

# --memory-model M of every tool: sc or c11 (docs/memory-model.md), exported
# as MT_MEMORY_MODEL for the binaries (every input runs under it; the
# reproducers the harness saves carry it in their header).  Exit 2 if M is
# not a model.  $2: the tool's name for the message.
mt_set_memory_model() {
  case $1 in
    sc|c11) export MT_MEMORY_MODEL=$1 ;;
    *) echo "$2: --memory-model must be sc or c11 (got '$1')" >&2; exit 2 ;;
  esac
}

# ---- free lists of your own (fuzz/instrument/defs.bzl's freelist_fuzz_suite) ----

# mt_suite_index: one line per adapter name a suite registers:
#   NAME<TAB>PACKAGE<TAB>SUITE<TAB>ADAPTER_FILE
# from every BUILD file that calls freelist_fuzz_suite (its name and
# adapter) and the adapter file's MT_FL_REGISTER structures (.name = "..."),
# in the order of the packages' paths.  A name two suites register (one
# source built two ways, examples/volatile_count) is listed for each.
mt_suite_index() {
  local build pkg
  while IFS= read -r build; do
    pkg=${build%/BUILD}; pkg=${pkg#./}
    awk -v pkg="$pkg" '
      /^[[:space:]]*freelist_fuzz_suite\(/ { inside = 1; n = ""; a = ""; next }
      inside && n == "" && match($0, /^[[:space:]]*name[[:space:]]*=[[:space:]]*"[^"]+"/) {
        n = $0; sub(/^[^"]*"/, "", n); sub(/".*/, "", n) }
      inside && match($0, /^[[:space:]]*adapter[[:space:]]*=[[:space:]]*"[^"]+"/) {
        a = $0; sub(/^[^"]*"/, "", a); sub(/".*/, "", a) }
      inside && /^\)/ { if (n != "" && a != "") print pkg "\t" n "\t" a; inside = 0 }
    ' "$mt_root/$build" |
    while IFS=$'\t' read -r p suite adapter; do
      [[ -f $mt_root/$p/$adapter ]] || continue
      grep -oE '\.name[[:space:]]*=[[:space:]]*"[^"]+"' "$mt_root/$p/$adapter" |
        sed -E 's/.*"([^"]+)"/\1/' | while IFS= read -r name; do
          printf '%s\t%s\t%s\t%s\n' "$name" "$p" "$suite" "$adapter"
        done
    done
  done < <(cd "$mt_root" && grep -rlsE --include=BUILD --exclude-dir=out --exclude-dir='bazel-*' \
             --exclude-dir=third_party --exclude-dir=.git '^[[:space:]]*freelist_fuzz_suite\(' . | sort)
}

# mt_find_suite NAME: "PACKAGE SUITE" of the first suite whose adapter
# registers NAME (status 1 if none: a maptrack implementation, or no
# implementation at all).  When several do, the others are said on stderr.
# MT_SUITE=//PACKAGE:SUITE picks one of them.
mt_find_suite() {
  local name=$1 lines want=${MT_SUITE:-}
  lines=$(mt_suite_index | awk -F'\t' -v n="$name" '$1 == n { print $2 " " $3 }')
  [[ -n $lines ]] || return 1
  if [[ -n $want ]]; then
    want=${want#//}; want=${want/:/ }
    grep -qxF -- "$want" <<<"$lines" || { echo "$(basename "$0"): MT_SUITE=${MT_SUITE}: no such suite registers $name (they are: $(sed 's|^|//|; s| |:|' <<<"$lines" | paste -sd' ' -))" >&2; return 1; }
    echo "$want"; return 0
  fi
  if (( $(wc -l <<<"$lines") > 1 )); then
    echo "$(basename "$0"): $name is registered by several suites: $(sed 's|^|//|; s| |:|' <<<"$lines" | paste -sd' ' -); using the first (MT_SUITE=//PACKAGE:SUITE picks another)" >&2
  fi
  head -1 <<<"$lines"
}

# mt_suite_bin PACKAGE SUITE DRIVER: build (if needed) and print the path of
# //PACKAGE:SUITE_DRIVER (replay, explore, fuzzer, triage, depth).  Every
# driver of a suite is built under --config=asan-libfuzzer (clang, ASan +
# UBSan, -c opt): one build of the instrumented code, so a finding the
# fuzzer saves, a signature in a known file and a scenario's site names
# mean the same in the replay, the explorer and triage.
mt_suite_bin() {
  mt_build_bin "//$1:$2_$3" k8-optlibfuzzer --config=asan-libfuzzer
}

# The maptrack implementations' names (//fuzz:maptrack_replay --list-impls),
# one a line; with MT_NO_BUILD=1 or an existing binary, no build.
mt_maptrack_names() {
  local bin=$mt_root/bazel-out/k8-fastbuild/bin/fuzz/drivers/maptrack_replay
  [[ -x $bin && -z ${MT_REPLAY_BIN:-} ]] || bin=$(mt_replay_bin) || return 1
  "$bin" --list-impls
}
# mt_maptrack_names_need_build: true if mt_maptrack_names must build the
# replay binary first (a tool that silences it can say so).
mt_maptrack_names_need_build() {
  [[ -z ${MT_REPLAY_BIN:-} && ! -x $mt_root/bazel-out/k8-fastbuild/bin/fuzz/drivers/maptrack_replay ]]
}

# mt_unknown_impl TOOL NAME: say that nobody registers NAME and list every
# name (the maptrack implementations, then each suite's adapters).  The
# caller exits 2.
mt_unknown_impl() {
  echo "$1: unknown implementation '$2'; known:" >&2
  echo "  maptrack (production, baseline and the bug zoo):" >&2
  mt_maptrack_names 2>/dev/null | paste -sd' ' - | fold -s -w 96 | sed 's/^/    /' >&2
  echo "  free lists of your own (adapters; package:suite):" >&2
  mt_suite_index | awk -F'\t' '{ printf "    %-26s //%s:%s\n", $1, $2, $3 }' >&2
}
