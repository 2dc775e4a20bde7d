#!/bin/bash -eu
# .clusterfuzzlite/build.sh: build the maptrack fuzzer the way OSS-Fuzz and
# ClusterFuzzLite do (their `compile` step runs this script), with no Bazel.
#
# Contract (set by OSS-Fuzz's base-builder; defaults here for a plain run):
#   CC, CFLAGS          compiler and flags (sanitizer + coverage flags included)
#   LIB_FUZZING_ENGINE  link flag or archive that provides main():
#                       -fsanitize=fuzzer (libFuzzer, or AFL++'s libFuzzer
#                       driver under afl-clang-fast), /usr/lib/libFuzzingEngine.a;
#                       unset: -fsanitize=fuzzer; set but empty: none (then
#                       MT_DRIVER_SRC must provide main)
#   OUT                 where the fuzzer and its companions go
#   WORK, SRC           scratch directory; where the repository was copied
# Optional:
#   MT_SRC              repository root (default: the directory above this
#                       script, else $SRC/maptrack, else the current directory)
#   MT_FUZZER_NAME      name of the binary in $OUT (default maptrack_fuzzer)
#   MT_DRIVER_SRC       a driver source compiled and linked in addition to
#                       fuzz/drivers/libfuzzer_main.c (tools/afl: fuzz/drivers/afl_main.c)
#   MT_SHARED           1: a shared library instead of a fuzzer, of
#                       MT_DRIVER_SRC (instead of libfuzzer_main.c) and the
#                       harness, position-independent, its own symbols bound
#                       to itself (-Bsymbolic), no engine and no companions
#                       (tools/afl: fuzz/drivers/afl_mutator.c, the custom
#                       mutator library afl-fuzz loads)
#   MT_BYO              a folder with a free list of your own (examples/magazine:
#                       its code, adapter.c, BUILD with freelist_fuzz_suite;
#                       docs/bring-your-own.md): its code is compiled with the
#                       instrumentation (fuzz/instrument/defs.bzl's IX_COPTS and
#                       the suite's one-line `copts = [...]`), adapter.c
#                       normally; fuzz/instrument/{ix,byo}.c join the harness
#                       and fuzz/instrument/byo_fuzzer_main.c replaces
#                       libfuzzer_main.c (MT_IMPL picks the adapter).  Default
#                       name: <folder>_fuzzer.
#
# Puts in $OUT: maptrack_fuzzer, maptrack_fuzzer_seed_corpus.zip,
# maptrack_fuzzer.dict, maptrack_fuzzer.options.
#
# The one source list of the fuzzer outside Bazel: lib/*.c (schedule hook
# on), lib/variants/*.c (the bug zoo), fuzz/{engine,format,checkers}/*.c, fuzz/drivers/harness.c (the
# harness), fuzz/drivers/asan_defaults.c (a 16 MB ASan quarantine) and fuzz/drivers/libfuzzer_main.c (LLVMFuzzerTestOneInput); *_test.c
# never.  As in fuzz/BUILD, the harness is compiled without coverage
# instrumentation (-fno-sanitize=fuzzer-no-link; under afl-clang-fast an
# AFL_LLVM_DENYLIST): only the library and the zoo feed the engine's edges,
# the simulator's interleaving counters come on top.

here=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")" && pwd)
if [[ -n ${MT_SRC:-} ]]; then
  root=$MT_SRC
elif [[ -f $here/../lib/maptrack.h ]]; then
  root=$(cd "$here/.." && pwd)
elif [[ -n ${SRC:-} && -f $SRC/maptrack/lib/maptrack.h ]]; then
  root=$SRC/maptrack
else
  root=$PWD
fi
[[ -f $root/lib/maptrack.h && -f $root/fuzz/drivers/libfuzzer_main.c ]] || {
  echo "build.sh: cannot find the maptrack sources (tried $root; set MT_SRC)" >&2; exit 2; }

CC=${CC:-clang}
CFLAGS=${CFLAGS:-}
LIB_FUZZING_ENGINE=${LIB_FUZZING_ENGINE--fsanitize=fuzzer}   # set but empty: no engine (MT_DRIVER_SRC has main)
[[ -n ${OUT:-} ]] || { echo "build.sh: OUT is not set" >&2; exit 2; }
name=${MT_FUZZER_NAME:-maptrack_fuzzer}
[[ -n ${MT_BYO:-} && -z ${MT_FUZZER_NAME:-} ]] && name=$(basename "$MT_BYO")_fuzzer
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
if [[ -n ${WORK:-} ]]; then
  obj=$WORK/maptrack-obj-$name
  rm -rf "$obj"
  mkdir -p "$obj"
else
  obj=$(mktemp -d "${TMPDIR:-/tmp}/maptrack-obj.XXXXXX")
  trap 'rm -rf "$obj"' EXIT
fi

# The sources, by role.
shopt -s nullglob
lib_srcs=() zoo_srcs=() harness_srcs=()
for f in "$root"/lib/*.c; do [[ $f == *_test.c ]] || lib_srcs+=("$f"); done
for f in "$root"/lib/variants/*.c; do [[ $f == *_test.c ]] || zoo_srcs+=("$f"); done
# The rooms of fuzz/ the target links: engine, format, checkers, known and the
# driver library (every .c but tests, benchmarks and programs of their own:
# *_test.c, *_bench.c, *_main.c).
for d in engine format checkers known; do
  for f in "$root"/fuzz/$d/*.c; do
    case $f in *_test.c|*_bench.c|*_main.c) ;; *) harness_srcs+=("$f") ;; esac
  done
done
harness_srcs+=("$root/fuzz/drivers/harness.c" "$root/fuzz/drivers/asan_defaults.c")
driver_srcs=("$root/fuzz/drivers/libfuzzer_main.c")
# Bring your own (MT_BYO, see the header).
byo_srcs=() adapter_srcs=() byo_copts=() byo_link=()
if [[ -n ${MT_BYO:-} ]]; then
  byo=$MT_BYO; [[ $byo == /* ]] || byo=$root/$byo
  [[ -f $byo/adapter.c ]] || { echo "build.sh: MT_BYO $MT_BYO: no adapter.c there" >&2; exit 2; }
  for f in "$byo"/*.c; do
    case $f in */adapter.c) adapter_srcs+=("$f") ;; *_test.c) ;; *) byo_srcs+=("$f") ;; esac
  done
  ((${#byo_srcs[@]})) || { echo "build.sh: MT_BYO $MT_BYO: no sources besides adapter.c" >&2; exit 2; }
  read -ra byo_copts <<<"$(sed -n 's/^ *copts *= *\[\(.*\)\],*$/\1/p' "$byo/BUILD" 2>/dev/null | tr -d '",')"
  # the runtime (fuzz/instrument:runtime and :byo): ix.c, the inline-assembly
  # scan, the 16-byte atomics (cmpxchg16b: -mcx16 for the runtime and for
  # your code, as IX_COPTS), the adapter glue
  harness_srcs+=("$root/fuzz/instrument/ix.c" "$root/fuzz/instrument/blind.c"
                 "$root/fuzz/instrument/ix_atomic128.c" "$root/fuzz/instrument/byo.c")
  driver_srcs=("$root/fuzz/instrument/byo_fuzzer_main.c")
  byo_link=(-ldl)
  common_byo=(-mcx16)
fi
if [[ -n ${MT_DRIVER_SRC:-} ]]; then
  [[ -f $MT_DRIVER_SRC ]] || { echo "build.sh: MT_DRIVER_SRC $MT_DRIVER_SRC not found" >&2; exit 2; }
  driver_srcs+=("$MT_DRIVER_SRC")
fi
# Crash signatures name the first frame in the implementation; without a
# symbolizer (afl-fuzz runs ASan with symbolize=0) dladdr names it, and it
# sees the executable's global functions only when they are exported.
link_extra=(-rdynamic) shared=0
if [[ ${MT_SHARED:-0} == 1 ]]; then
  [[ -n ${MT_DRIVER_SRC:-} && -z ${MT_BYO:-} ]] || {
    echo "build.sh: MT_SHARED=1 needs MT_DRIVER_SRC (and no MT_BYO)" >&2; exit 2; }
  driver_srcs=("$MT_DRIVER_SRC")
  LIB_FUZZING_ENGINE=
  link_extra=(-shared -Wl,-Bsymbolic) shared=1
  common_byo+=(-fPIC)
fi
((${#lib_srcs[@]} && ${#zoo_srcs[@]})) || { echo "build.sh: no sources under $root/lib" >&2; exit 2; }

common=(-std=c11 -D_GNU_SOURCE -DMT_SCHED_HOOK -I"$root" ${common_byo[@]+"${common_byo[@]}"})
# The harness: no coverage instrumentation (see the header).
denylist=$obj/afl-denylist.txt
for f in "${harness_srcs[@]}"; do echo "src: *fuzz/${f#"$root"/fuzz/}"; done >"$denylist"
no_cov=(-fno-sanitize=fuzzer-no-link)

echo "build.sh: CC=$CC CFLAGS=$CFLAGS LIB_FUZZING_ENGINE=$LIB_FUZZING_ENGINE OUT=$OUT" >&2
# Instrumented code (MT_BYO): the compile step of ThreadSanitizer only,
# served by fuzz/instrument/ix.c; no other sanitizer in those units (AFL++'s
# AFL_USE_*SAN would add one: unset for them), as fuzz/instrument/defs.bzl.
ix=(-fno-sanitize=all -fsanitize=thread -fno-omit-frame-pointer -g "${byo_copts[@]}")
echo "build.sh: ${#lib_srcs[@]} lib + ${#zoo_srcs[@]} zoo + ${#harness_srcs[@]} harness + ${#driver_srcs[@]} driver sources${MT_BYO:+ + ${#byo_srcs[@]} instrumented + ${#adapter_srcs[@]} adapter ($MT_BYO)}" >&2

# Compile in parallel (one job per core), stop at the first failure.
jobs=$(nproc 2>/dev/null || echo 2)
objs=() pids=() logs=() what=()
compile() { # compile SRC OBJ [extra flags...]
  local src=$1 o=$2; shift 2
  # shellcheck disable=SC2086  # CFLAGS is a word list by contract
  "$CC" $CFLAGS "${common[@]}" "$@" -c "$src" -o "$o"
}
i=0
wait_some() {
  local rc=0 k st
  for k in "${!pids[@]}"; do
    st=0; wait "${pids[$k]}" || st=$?
    if ((st != 0)); then
      rc=1
      echo "build.sh: compiling ${what[$k]} failed (exit $st):" >&2
      cat "${logs[$k]}" >&2
    fi
  done
  pids=() logs=() what=()
  if ((rc)); then echo "build.sh: compilation failed" >&2; exit 1; fi
}
for role in lib zoo harness driver byo adapter; do
  eval "srcs=(\"\${${role}_srcs[@]}\")"
  for src in "${srcs[@]}"; do
    o=$obj/$((i++))-$(basename "${src%.c}").o
    objs+=("$o")
    if [[ $role == harness ]]; then
      AFL_LLVM_DENYLIST=$denylist compile "$src" "$o" "${no_cov[@]}" >"$o.log" 2>&1 &
    elif [[ $role == byo ]]; then
      (unset AFL_USE_ASAN AFL_USE_UBSAN AFL_USE_LSAN AFL_USE_MSAN AFL_USE_CFISAN
       compile "$src" "$o" "${ix[@]}") >"$o.log" 2>&1 &
    else
      compile "$src" "$o" >"$o.log" 2>&1 &
    fi
    pids+=($!) logs+=("$o.log") what+=("$src")
    ((${#pids[@]} >= jobs)) && wait_some
  done
done
wait_some

# Link: the driver(s) + everything, with the engine.  $CXX links when set
# (OSS-Fuzz links C fuzzers against a C++ engine runtime); else $CC.
linker=${CXX:-$CC}
command -v "$linker" >/dev/null 2>&1 || linker=$CC
# shellcheck disable=SC2086
"$linker" $CFLAGS "${objs[@]}" $LIB_FUZZING_ENGINE "${byo_link[@]}" "${link_extra[@]}" -o "$OUT/$name" >"$obj/link.log" 2>&1 || {
  cat "$obj/link.log" >&2; echo "build.sh: link failed" >&2; exit 1; }
if ((shared)); then
  echo "build.sh: $OUT/$name (shared library)" >&2
  echo "SUMMARY step=ossfuzz-build library=$OUT/$name objects=${#objs[@]}"
  exit 0
fi

# Companions: seed corpus (zip of corpus/maptrack_fuzzer/ without the
# .dict/.options), dictionary, options.
corpus=$root/corpus/maptrack_fuzzer
seeds=()
for f in "$corpus"/*; do
  [[ -f $f && $f != *.dict && $f != *.options ]] && seeds+=("$f")
done
rm -f "$OUT/${name}_seed_corpus.zip"
if ((${#seeds[@]})); then
  if command -v zip >/dev/null 2>&1; then
    zip -q -j "$OUT/${name}_seed_corpus.zip" "${seeds[@]}"
  else
    python3 - "$OUT/${name}_seed_corpus.zip" "${seeds[@]}" <<'PY'
import os, sys, zipfile
with zipfile.ZipFile(sys.argv[1], "w") as z:
    for f in sys.argv[2:]:
        z.write(f, os.path.basename(f))
PY
  fi
fi
[[ -f $corpus/maptrack_fuzzer.dict ]] && cp "$corpus/maptrack_fuzzer.dict" "$OUT/$name.dict"
if [[ -f $corpus/maptrack_fuzzer.options ]]; then
  sed "s/maptrack_fuzzer\.dict/$name.dict/" "$corpus/maptrack_fuzzer.options" >"$OUT/$name.options"
fi
echo "build.sh: $OUT/$name (+ ${#seeds[@]} seeds in ${name}_seed_corpus.zip, .dict, .options)" >&2
echo "SUMMARY step=ossfuzz-build fuzzer=$OUT/$name objects=${#objs[@]} seeds=${#seeds[@]}"
