#!/usr/bin/env bash
# bugbench: the detection benchmark.  Every bug-zoo variant (plus the
# production library, always) against every engine, K trials each, from an
# empty corpus with fixed seeds and a time budget per trial; reports the
# detection rate, the median time and the median executions (or operations)
# to first detection.  Run it as tools/bugbench.
#
# Usage: tools/bugbench [--variants a,b,...] [--engines libfuzzer,afl,tsan,naive]
#                       [--trials K] [--budget SECONDS] [--engine-budget ENGINE=S,...]
#                       [--jobs 1|2] [--out DIR] [--list] [--help]
#        tools/bugbench --from-csv TRIALS.csv [--out DIR]   (re-render a report)
#        tools/bugbench --multi [--variants multi-...] [--trials K] [--budget S] [--out DIR]
#        tools/bugbench --sigs [--variants a,b] [--trials K] [--budget S] [--out DIR]
#   --sigs         signatures per root cause: per one-bug variant (default: every
#                  variant but production and the multi-bug ones) and trial, one
#                  libFuzzer campaign with findings continuing in process for the
#                  budget; the number of distinct signatures it saved (one bug should
#                  give at most two: fuzz/known/root_cause.h; bugbench/sigs.sh)
#   --multi        the multi-bug variants (lib/variants/multi_bug.c): per trial, one
#                  libFuzzer campaign that feeds each signature it finds back as
#                  known until every bug of bugbench/multi_bugs.tsv is found; the
#                  time and executions to each bug (bugbench/multi.sh)
#   --known FILE   known findings (fuzz/known/known.h) for the libfuzzer and afl
#                  engines: a known finding does not count, the first new one
#                  ends the trial (MT_KNOWN, MT_STOP_ON_NEW=1)
#   --variants     zoo variants (default: all; tools/bugbench --list)
#   --engines      default libfuzzer,afl,tsan,naive
#     libfuzzer    //fuzz:maptrack_fuzzer (simulator, ASan+UBSan), empty corpus,
#                  -seed=TRIAL, MT_IMPL=variant, stops at the first crash
#     afl          AFL++ on the same harness (tools/afl's ASan+LSan build via
#                  .clusterfuzzlite/build.sh), one afl-fuzz, -s TRIAL, a one-byte
#                  seed, AFL_BENCH_UNTIL_CRASH=1
#     tsan         //stress:stress under ThreadSanitizer, real threads, seeded
#                  yields (--yield-rate 0.02), back-to-back 3 s runs (seeds
#                  TRIAL*1000+i; BUGBENCH_TSAN_CHUNK) taking turns over the
#                  variant's stress scenarios from the zoo registry
#                  (lib/variants/zoo.c stress_scenarios; none named, and for
#                  production: every scenario of stress --list)
#     naive        bugbench/naive.c (-c opt, no sanitizer, no hook): random
#                  get/put with threads and an end-of-round check only
#   --trials K     trials per variant and engine; trial k uses seed k (default 3)
#   --budget S     seconds per trial (default 30)
#   --engine-budget tsan=20,naive=20   a different budget for some engines
#   --jobs N       trials run at once, 1 or 2 (default 1; 2 adds timing noise)
#   --out DIR      trials.csv, summary.csv, bugbench.png, report.txt, logs
#                  (default out/bugbench)
#   --list         the variants with their origin and detected_by, then exit
# Every engine runs on every variant (showing what an engine cannot see is
# part of the result); the production library is always a row and must
# never be flagged: a finding there is reported loudly and the exit is 3.
# AFL++ binary: $BUGBENCH_AFL_BIN, else built with .clusterfuzzlite/build.sh;
# if that fails, afl is reported as unavailable (n/a), never faked.
# BUGBENCH_AFL_DETECT_LEAKS=0 turns off the per-input leak check of the AFL++
# binary (default 1, as tools/afl); BUGBENCH_TSAN_CHUNK=S the tsan run length,
# BUGBENCH_TSAN_RUNS=N at most N tsan runs per trial (default 0: the budget only).
# Binaries: built with Bazel (tools/setup when Bazel is missing); set
# BUGBENCH_NO_BUILD=1 with BUGBENCH_{FUZZER,NAIVE,STRESS}_BIN to skip that.
# Exit: 0 done (production clean), 3 production flagged, 2 bad usage/build.
# Last line: SUMMARY variants=N detected=N median_s=X baseline_detected=N ...
set -uo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
me=tools/bugbench
ALL_ENGINES=(libfuzzer afl tsan naive)

usage() { awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "${BASH_SOURCE[0]}"; }
die() { echo "$me: $*" >&2; echo "($me --help for usage)" >&2; exit 2; }
log() { echo "$me: $*" >&2; }

variants_arg= engines_arg=libfuzzer,afl,tsan,naive trials=3 budget=30 engine_budget_arg= jobs=1 multi=0 sigs=0 known=
out= list=0 from_csv=
need() { [[ $# -ge 2 && -n $2 ]] || die "$1 needs a value"; }
while (($#)); do
  flag=$1 val=
  if [[ $flag == --*=* ]]; then val=${flag#*=}; flag=${flag%%=*}; set -- "$flag" "$val" "${@:2}"; fi
  case $flag in
    -h|--help) usage; exit 0 ;;
    --list) list=1; shift ;;
    --variants) need "$@"; variants_arg=$2; shift 2 ;;
    --engines) need "$@"; engines_arg=$2; shift 2 ;;
    --trials) need "$@"; trials=$2; shift 2 ;;
    --budget) need "$@"; budget=$2; shift 2 ;;
    --engine-budget) need "$@"; engine_budget_arg=$2; shift 2 ;;
    --jobs) need "$@"; jobs=$2; shift 2 ;;
    --out) need "$@"; out=$2; shift 2 ;;
    --from-csv) need "$@"; from_csv=$2; shift 2 ;;
    --multi) multi=1; shift ;;
    --sigs) sigs=1; shift ;;
    --known) need "$@"; known=$2; shift 2 ;;
    *) die "unknown argument '$flag'" ;;
  esac
done
[[ $trials =~ ^[0-9]+$ && $trials -ge 1 && $trials -le 100 ]] || die "--trials must be 1..100, not '$trials'"
[[ $budget =~ ^[0-9]+$ && $budget -ge 1 && $budget -le 86400 ]] || die "--budget must be a whole number of seconds >= 1, not '$budget'"
[[ $jobs =~ ^[12]$ ]] || die "--jobs must be 1 or 2, not '$jobs' (2 cores, shared)"
if [[ -n $known ]]; then
  source "$root/fuzz/tools_lib.sh"
  known=$(mt_check_known "$known") || exit 2
  export MT_KNOWN=$known MT_STOP_ON_NEW=1
fi
declare -A ebudget=()
for e in "${ALL_ENGINES[@]}"; do ebudget[$e]=$budget; done
if [[ -n $engine_budget_arg ]]; then
  IFS=, read -r -a pairs <<<"$engine_budget_arg"
  for p in "${pairs[@]}"; do
    [[ $p =~ ^([a-z]+)=([0-9]+)$ ]] || die "--engine-budget wants ENGINE=SECONDS[,...], not '$p'"
    [[ -n ${ebudget[${BASH_REMATCH[1]}]+x} ]] || die "--engine-budget: unknown engine '${BASH_REMATCH[1]}'"
    ((BASH_REMATCH[2] >= 1)) || die "--engine-budget: budget must be >= 1"
    ebudget[${BASH_REMATCH[1]}]=${BASH_REMATCH[2]}
  done
fi
engines=()
IFS=, read -r -a elist <<<"$engines_arg"
for e in "${elist[@]}"; do
  case $e in libfuzzer|afl|tsan|naive) engines+=("$e") ;; *) die "unknown engine '$e' (libfuzzer, afl, tsan, naive)" ;; esac
done
((${#engines[@]})) || die "--engines is empty"
out=${out:-$root/out/bugbench}

# ---------------------------------------------------------------- binaries

need_bazel() {
  command -v bazel >/dev/null 2>&1 && return 0
  log "bazel is missing: running tools/setup"
  "$root/tools/setup" >&2 || die "tools/setup failed"
}

# build_copy LABEL RELPATH DEST FLAGS...: bazel build, then copy the output
# (a private copy: other builds may replace bazel-out under us).
build_copy() {
  local label=$1 rel=$2 dest=$3; shift 3
  need_bazel
  log "building $label ($*)"
  local blog
  blog=$(mktemp "${TMPDIR:-/tmp}/bugbench-build.XXXXXX")
  if ! (cd "$root" && bazel build "$@" --noshow_progress "$label") >"$blog" 2>&1; then
    grep -E 'ERROR|error:' "$blog" | head -20 >&2; rm -f "$blog"
    echo "SUMMARY variants=0 detected=0 median_s=- baseline_detected=0 result=build-failed"
    exit 2
  fi
  local dir
  dir=$(cd "$root" && bazel info "$@" bazel-bin 2>/dev/null) || { rm -f "$blog"; die "bazel info failed"; }
  rm -f "$blog"
  cp -f "$dir/$rel" "$dest" && chmod +x "$dest" || die "no binary at $dir/$rel"
}

naive_bin() {
  if [[ ${BUGBENCH_NO_BUILD:-0} == 1 ]]; then
    [[ -x ${BUGBENCH_NAIVE_BIN:-} ]] || die "BUGBENCH_NO_BUILD=1 needs BUGBENCH_NAIVE_BIN"
    echo "$BUGBENCH_NAIVE_BIN"; return
  fi
  mkdir -p "$out/bin" || die "cannot create $out/bin"
  build_copy //bugbench:naive bugbench/naive "$out/bin/naive" -c opt
  echo "$out/bin/naive"
}

# ---------------------------------------------------------------- variants

variant_table() {  # name \t sequential \t detected_by \t origin \t stress scenarios ("-": all)
  "$NAIVE" --list-variants || die "naive --list-variants failed"
}

if ((list)); then
  NAIVE=$(naive_bin) || exit 2
  [[ -z $from_csv ]] || die "--list and --from-csv do not go together"
  printf '%-24s %-4s %-12s %s\n' variant seq detected_by origin
  variant_table | awk -F'\t' '{ printf "%-24s %-4s %-12s %s\n", $1, ($2 == 1 ? "yes" : "no"), $3, $4 }'
  n=$(variant_table | grep -vc '^production')
  echo "SUMMARY variants=$n listed=1"
  exit 0
fi

# ---------------------------------------------------------------- report

median() { sort -g | awk '{ v[NR] = $1 } END { if (!NR) print "-"; else if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

# report TRIALS_CSV: summary.csv, report.txt, bugbench.png, the table, the
# SUMMARY line; exit status 3 if production was flagged.
report() {
  local csv=$1
  [[ -f $csv ]] || die "no such file: $csv"
  head -n 1 "$csv" | grep -q '^variant,engine,trial,seed,detected,seconds,execs,kind,exit,budget' ||
    die "$csv is not a bugbench trials.csv (bad header)"
  mkdir -p "$out" || die "cannot create $out"
  local sum=$out/summary.csv
  # per (variant, engine): trials, detected, median seconds / execs over detected trials
  awk -F, 'NR > 1 && NF >= 10 {
      k = $1 "," $2; if (!(k in n)) order[++m] = k; n[k]++; b[k] = $10
      if ($5 == 1) { d[k]++; t[k] = t[k] " " $6; if ($7 != "-") x[k] = x[k] " " $7 }
      if ($8 == "unavailable") ua[k] = 1
    }
    function med(s,   a, c, i, j, tmp) {
      c = split(s, a, " "); if (!c) return "-"
      for (i = 1; i <= c; i++) a[i] += 0
      for (i = 2; i <= c; i++) { tmp = a[i]; for (j = i - 1; j >= 1 && a[j] > tmp; j--) a[j + 1] = a[j]; a[j + 1] = tmp }
      return (c % 2) ? a[(c + 1) / 2] : (a[c / 2] + a[c / 2 + 1]) / 2
    }
    END {
      print "variant,engine,trials,detected,rate,median_s,median_execs,budget,available"
      for (i = 1; i <= m; i++) {
        k = order[i]; dd = d[k] + 0
        printf "%s,%d,%d,%.2f,%s,%s,%s,%s\n", k, n[k], dd, dd / n[k], med(t[k]), med(x[k]), b[k], (k in ua) ? "no" : "yes"
      }
    }' "$csv" >"$sum" || die "cannot write $sum"

  local table=$out/report.txt
  awk -F, -v dbfile="$out/detected_by.tsv" '
    BEGIN { while ((getline line < dbfile) > 0) { split(line, f, "\t"); db[f[1]] = f[3] } }
    NR > 1 {
      v = $1; e = $2
      if (!(v in seen)) { seen[v] = 1; vo[++nv] = v }
      if (!(e in se)) { se[e] = 1; eo[++ne] = e }
      if ($9 == "no") cell[v, e] = "n/a (no build)"
      else if ($4 > 0) cell[v, e] = sprintf("%d/%d %ss %s", $4, $3, fmt($6), fmtx($7))
      else cell[v, e] = sprintf("0/%d -", $3)
      if ($9 != "no") { det[v, e] = $4; med[v, e] = $6 }
    }
    function fmt(s) { return s == "-" ? "-" : (s < 10 ? sprintf("%.2f", s) : sprintf("%.1f", s)) }
    function fmtx(x) {
      if (x == "-") return "-"
      if (x >= 1e6) return sprintf("%.1fM", x / 1e6)
      if (x >= 1e3) return sprintf("%.1fk", x / 1e3)
      return sprintf("%d", x)
    }
    END {
      printf "%-24s %-12s", "variant", "detected_by"
      for (j = 1; j <= ne; j++) printf " %-22s", eo[j]
      printf " %s\n", "sim_vs_naive"
      for (i = 1; i <= nv; i++) {
        v = vo[i]
        printf "%-24s %-12s", v, (v in db) ? db[v] : "?"
        for (j = 1; j <= ne; j++) printf " %-22s", cell[v, eo[j]]
        r = "-"
        if (((v, "libfuzzer") in det) && ((v, "naive") in det)) {
          if (det[v, "libfuzzer"] > 0 && det[v, "naive"] == 0) r = "naive never"
          else if (det[v, "libfuzzer"] > 0 && det[v, "naive"] > 0 && med[v, "libfuzzer"] > 0)
            r = sprintf(med[v, "naive"] / med[v, "libfuzzer"] >= 10 ? "%.0fx" : "%.1fx", med[v, "naive"] / med[v, "libfuzzer"])
          else if (det[v, "libfuzzer"] == 0 && det[v, "naive"] > 0) r = "naive only"
        }
        printf " %s\n", r
      }
      print "cell: detected/trials  median seconds to first detection  median executions (libfuzzer, afl) or operations (tsan, naive)"
    }' "$sum" >"$table"
  cat "$table"

  # Chart: median seconds per variant and engine, log scale; a cross at
  # the top marks "not detected within the budget".
  if command -v gnuplot >/dev/null 2>&1; then
    plot_png "$sum" "$out/bugbench.png" && log "chart: $out/bugbench.png"
  else
    log "gnuplot is missing (tools/setup installs it): no chart"
  fi

  # The SUMMARY: variants = zoo rows; detected = by >= 1 engine; median_s
  # = median over detected variants of the best engine's median time;
  # baseline_detected = variants the naive engine found at least once.
  local line
  line=$(awk -F, 'NR > 1 && $9 != "no" {
      v = $1; if (v == "production") { if ($4 > 0) { pf += $4; pe = pe (pe ? "+" : "") $2 } next }
      if (!(v in seen)) { seen[v] = 1; nv++ }
      if ($4 > 0) { if (!(v in best) || $6 < best[v]) best[v] = $6 }
      if ($2 == "naive" && $4 > 0) nb[v] = 1
    }
    END {
      nd = 0; for (v in best) b[++nd] = best[v]
      for (i = 2; i <= nd; i++) { t = b[i]; for (j = i - 1; j >= 1 && b[j] > t; j--) b[j + 1] = b[j]; b[j + 1] = t }
      m = nd ? ((nd % 2) ? b[(nd + 1) / 2] : (b[nd / 2] + b[nd / 2 + 1]) / 2) : "-"
      nbd = 0; for (v in nb) nbd++
      printf "variants=%d detected=%d median_s=%s baseline_detected=%d production_findings=%d", nv, nd, (m == "-" ? m : sprintf("%.2f", m)), nbd, pf
      if (pf) printf " production_flagged_by=%s", pe
    }' "$sum")
  local undetected
  undetected=$(awk -F, 'NR > 1 && $9 != "no" && $1 != "production" { if (!($1 in d)) d[$1] = 0; d[$1] += $4 } END { for (v in d) if (!d[v]) printf "%s%s", (n++ ? "," : ""), v }' "$sum")
  [[ -n $undetected ]] && log "variants no engine detected: $undetected"
  if grep -q 'production_findings=[1-9]' <<<"$line"; then
    echo "!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!" >&2
    echo "$me: THE PRODUCTION LIBRARY WAS FLAGGED ($line): a bug in lib/ or a false" >&2
    echo "$me: positive of the harness.  Logs: $out/runs/production/" >&2
    echo "!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!" >&2
    echo "SUMMARY $line${summary_extra:-}"
    return 3
  fi
  echo "SUMMARY $line${summary_extra:-}"
  return 0
}

plot_png() {
  local sum=$1 png=$2 dat
  dat=$(mktemp "${TMPDIR:-/tmp}/bugbench-plot.XXXXXX")
  # one line per variant: index name then (median, undetected-mark) per engine
  local eng_list
  eng_list=$(awk -F, 'NR > 1 && !($2 in s) { s[$2] = 1; printf "%s%s", (n++ ? " " : ""), $2 }' "$sum")
  local top
  top=$(awk -F, 'NR > 1 { if ($8 > m) m = $8 } END { print (m ? m : 30) * 2 }' "$sum")
  awk -F, -v engs="$eng_list" -v top="$top" '
    BEGIN { ne = split(engs, E, " ") }
    NR > 1 { v = $1; if (!(v in s)) { s[v] = 1; V[++nv] = v }
             val[v, $2] = ($9 == "no") ? "NaN NaN" : ($4 > 0 ? $6 " NaN" : "NaN " top) }
    END { for (i = 1; i <= nv; i++) { printf "%d %s", i - 1, V[i]
            for (j = 1; j <= ne; j++) printf " %s", ((V[i], E[j]) in val) ? val[V[i], E[j]] : "NaN NaN"
            printf "\n" } }' "$sum" >"$dat"
  local ne nv
  ne=$(wc -w <<<"$eng_list"); nv=$(wc -l <"$dat")
  {
    echo "set terminal pngcairo size 1400,700 font ',10' noenhanced"
    echo "set output '$png'"
    echo "set title 'bugbench: median seconds to first detection (log scale; x at top = not detected within the budget)'"
    echo "set logscale y"
    echo "set yrange [0.01:$top * 1.5]"
    echo "set xrange [-0.6:$nv - 0.4]"
    echo "set ylabel 'seconds'"
    echo "set xtics rotate by -40 ($(awk '{ printf "%s\"%s\" %d", (NR > 1 ? ", " : ""), $2, $1 }' "$dat"))"
    echo "set grid ytics"
    echo "set key outside right top"
    echo "set style fill solid 0.8 border -1"
    echo "set boxwidth $(awk -v n="$ne" 'BEGIN { printf "%.3f", 0.8 / n }')"
    local cmd="plot" j=0 e off col
    local colors=('#1f77b4' '#ff7f0e' '#2ca02c' '#d62728' '#9467bd')
    for e in $eng_list; do
      off=$(awk -v j="$j" -v n="$ne" 'BEGIN { printf "%.3f", (j - (n - 1) / 2) * 0.8 / n }')
      col=$((3 + 2 * j))
      cmd+=" '$dat' using (\$1+$off):$col with boxes lc rgb '${colors[$j]}' title '$e',"
      cmd+=" '$dat' using (\$1+$off):$((col + 1)) with points pt 2 ps 2 lw 2 lc rgb '${colors[$j]}' notitle,"
      j=$((j + 1))
    done
    echo "${cmd%,}"
  } >"$dat.gp"
  if ! gnuplot "$dat.gp" 2>"$dat.err"; then
    log "gnuplot failed: $(head -3 "$dat.err")"; rm -f "$dat" "$dat.gp" "$dat.err"; return 1
  fi
  rm -f "$dat" "$dat.gp" "$dat.err"
}

if [[ -n $from_csv ]]; then
  [[ -z $variants_arg ]] || die "--from-csv re-renders a report: --variants does not apply"
  mkdir -p "$out" || die "cannot create $out"
  [[ -f $from_csv ]] || die "no such file: $from_csv"
  dbt=$(dirname "$from_csv")/detected_by.tsv
  if [[ -f $dbt && ! $dbt -ef $out/detected_by.tsv ]]; then cp "$dbt" "$out/detected_by.tsv"; fi
  if [[ ! -f $out/detected_by.tsv ]]; then
    if [[ -x ${BUGBENCH_NAIVE_BIN:-} ]]; then "$BUGBENCH_NAIVE_BIN" --list-variants >"$out/detected_by.tsv"; else : >"$out/detected_by.tsv"; fi
  fi
  report "$from_csv"
  exit $?
fi

# ---------------------------------------------------------------- setup

mkdir -p "$out/bin" "$out/runs" || die "cannot create $out"
if ((multi || sigs)); then
  mkdir -p "$out" || die "cannot create $out"
  if [[ ${BUGBENCH_NO_BUILD:-0} == 1 ]]; then FUZZER=${BUGBENCH_FUZZER_BIN:-}; [[ -x $FUZZER ]] || die "BUGBENCH_NO_BUILD=1 needs BUGBENCH_FUZZER_BIN"
  else FUZZER=$out/bin/maptrack_fuzzer; build_copy //fuzz/drivers:maptrack_fuzzer fuzz/drivers/maptrack_fuzzer "$FUZZER" --config=asan-libfuzzer; fi
  mv=()
  [[ -n $variants_arg ]] && IFS=, read -r -a mv <<<"$variants_arg"
  if ((sigs)); then
    if ((${#mv[@]} == 0)); then
      # every one-bug variant: one file each in lib/variants/, named as its registration
      mapfile -t mv < <(cd "$root/lib/variants" && ls ./*.c | sed 's|^\./||; s|\.c$||' |
        grep -vE '^(zoo.*|multi_bug|.*_test)$' | tr _ - | sort)
    fi
    ((${#mv[@]})) || die "--sigs: no variants"
    exec "$root/bugbench/sigs.sh" "$FUZZER" "$out/sigs" "$trials" "$budget" "${mv[@]}"
  fi
  exec "$root/bugbench/multi.sh" "$FUZZER" "$out/multi" "$trials" "$budget" "${mv[@]}"
fi
NAIVE=$(naive_bin) || exit 2
vt=$(variant_table) || exit 2
# Variants only a memory model shows ("c11" in detected_by) run under it
# (MT_MEMORY_MODEL=c11) in the libFuzzer and AFL++ columns, from the seed
# corpus: read-from records exist only in v2 inputs, which an empty corpus
# reaches rarely (docs/memory-model.md).
declare -A c11_of=()
# copy_seeds DIR: the seed corpus (not its dictionary or options) into DIR
copy_seeds() {
  find "$root/corpus/maptrack_fuzzer" -maxdepth 1 -type f ! -name '*.dict' ! -name '*.options' \
    -exec cp {} "$1/" \;
}
while IFS=$'\t' read -r name _ dby _; do
  if [[ " $dby " == *" c11 "* ]]; then c11_of[$name]=1; fi
done <<<"$vt"
printf '%s\n' "$vt" >"$out/detected_by.tsv"
mapfile -t all_variants < <(printf '%s\n' "$vt" | cut -f1 | grep -vx production)
if [[ -n $variants_arg ]]; then
  IFS=, read -r -a want <<<"$variants_arg"
  for v in "${want[@]}"; do
    [[ $v == production ]] && continue
    grep -qxF -- "$v" <<<"$(printf '%s\n' "${all_variants[@]}")" || die "unknown variant '$v' (tools/bugbench --list)"
  done
  variants=()
  for v in "${want[@]}"; do [[ $v != production ]] && variants+=("$v"); done
else
  variants=("${all_variants[@]}")
fi
rows=(production "${variants[@]}")

has() { local x; for x in "${engines[@]}"; do [[ $x == "$1" ]] && return 0; done; return 1; }
if [[ -n $known ]]; then mkdir -p "$out/findings"; export MT_FINDINGS_DIR=$out/findings; fi
FUZZER= STRESS= AFLBIN= afl_note=
if has libfuzzer; then
  if [[ ${BUGBENCH_NO_BUILD:-0} == 1 ]]; then FUZZER=${BUGBENCH_FUZZER_BIN:-}; [[ -x $FUZZER ]] || die "BUGBENCH_NO_BUILD=1 needs BUGBENCH_FUZZER_BIN"
  else FUZZER=$out/bin/maptrack_fuzzer; build_copy //fuzz/drivers:maptrack_fuzzer fuzz/drivers/maptrack_fuzzer "$FUZZER" --config=asan-libfuzzer; fi
fi
if has tsan; then
  if [[ ${BUGBENCH_NO_BUILD:-0} == 1 ]]; then STRESS=${BUGBENCH_STRESS_BIN:-}; [[ -x $STRESS ]] || die "BUGBENCH_NO_BUILD=1 needs BUGBENCH_STRESS_BIN"
  else STRESS=$out/bin/stress_tsan; build_copy //stress:stress stress/stress "$STRESS" --config=tsan; fi
fi
if has afl; then
  if [[ -n ${BUGBENCH_AFL_BIN:-} ]]; then
    [[ -x $BUGBENCH_AFL_BIN ]] || die "BUGBENCH_AFL_BIN=$BUGBENCH_AFL_BIN is not an executable"
    AFLBIN=$BUGBENCH_AFL_BIN
  elif [[ ${BUGBENCH_NO_BUILD:-0} == 1 ]]; then
    afl_note="BUGBENCH_NO_BUILD=1 without BUGBENCH_AFL_BIN"
  elif [[ ! -x $root/.clusterfuzzlite/build.sh || ! -f $root/fuzz/drivers/afl_main.c ]]; then
    afl_note="no AFL++ build recipe (.clusterfuzzlite/build.sh + fuzz/drivers/afl_main.c)"
  else
    if ! command -v afl-clang-fast >/dev/null 2>&1; then
      log "AFL++ missing: running tools/setup"; "$root/tools/setup" >&2 || die "tools/setup failed"
    fi
    # The same build as tools/afl's main instance: ASan + UBSan + LSan,
    # persistent driver fuzz/drivers/afl_main.c (a leak exits 23: a crash).
    log "building the AFL++ binary (.clusterfuzzlite/build.sh, ASan+UBSan+LSan, fuzz/drivers/afl_main.c)"
    rm -rf "$out/bin/afl-build"
    if env CC=afl-clang-fast CXX=afl-clang-fast++ AFL_QUIET=1 CFLAGS="-O1 -g -fno-omit-frame-pointer" \
        AFL_USE_ASAN=1 AFL_USE_UBSAN=1 AFL_USE_LSAN=1 LIB_FUZZING_ENGINE= \
        MT_DRIVER_SRC="$root/fuzz/drivers/afl_main.c" OUT="$out/bin/afl-build" WORK="$out/bin/afl-build/work" \
        "$root/.clusterfuzzlite/build.sh" >"$out/bin/afl-build.log" 2>&1 && [[ -x $out/bin/afl-build/maptrack_fuzzer ]]; then
      AFLBIN=$out/bin/afl-build/maptrack_fuzzer
    else
      afl_note="the AFL++ build failed (log: $out/bin/afl-build.log)"
    fi
  fi
  if [[ -n $AFLBIN ]] && ! command -v afl-fuzz >/dev/null 2>&1; then afl_note="afl-fuzz is not installed (tools/setup)"; AFLBIN=; fi
  [[ -n $afl_note ]] && log "afl: UNAVAILABLE: $afl_note; its rows say n/a"
fi

# ---------------------------------------------------------------- engines

# Per variant: the stress scenarios whose window fits its bug, from the zoo
# registry (fifth column of naive --list-variants: lib/variants/zoo.c's
# stress_scenarios, chosen from 8 s probes of every scenario, see
# docs/bugbench.md); "-" (none named; production) = every scenario the
# stress binary lists.  No table here: a new variant brings its own.
declare -A stress_sc=()
if has tsan; then
  mapfile -t all_sc < <("$STRESS" --list | awk '/^scenarios:/ { on = 1; next } /^[a-z]/ { on = 0 } on && NF { print $1 }')
  ((${#all_sc[@]})) || die "$STRESS --list names no scenario"
  while IFS=$'\t' read -r name _ _ _ sc; do
    [[ -n $name ]] || continue
    [[ -z $sc || $sc == - ]] && sc="${all_sc[*]}"
    for w in $sc; do
      # a here-string, not a pipe: grep -q may exit at the first match and
      # printf's next line then fails with SIGPIPE, which pipefail turned
      # into "not one of" (seen as a flaky bugbench_tsan_scenarios_test)
      grep -qxF -- "$w" <<<"$(printf '%s\n' "${all_sc[@]}")" || die "variant $name: stress scenario '$w' (zoo registry) is not one of: ${all_sc[*]}"
    done
    stress_sc[$name]=$sc
  done <<<"$vt"
fi

now() { date +%s.%N; }
TSAN_CHUNK=${BUGBENCH_TSAN_CHUNK:-3}
# AFL++: LeakSanitizer after every input as in tools/afl (1), or off (0):
# the per-input check costs ~30x in executions per second (docs/bugbench.md).
AFL_LEAKS=${BUGBENCH_AFL_DETECT_LEAKS:-1}
[[ $AFL_LEAKS =~ ^[01]$ ]] || die "BUGBENCH_AFL_DETECT_LEAKS must be 0 or 1"
[[ $TSAN_CHUNK =~ ^[0-9]+$ && $TSAN_CHUNK -ge 1 ]] || die "BUGBENCH_TSAN_CHUNK must be a whole number of seconds >= 1"
TSAN_RUNS=${BUGBENCH_TSAN_RUNS:-0}
[[ $TSAN_RUNS =~ ^[0-9]+$ ]] || die "BUGBENCH_TSAN_RUNS must be a whole number (0 = no cap)"

# run_trial VARIANT ENGINE TRIAL -> writes one CSV line to DIR/result
run_trial() {
  local v=$1 e=$2 k=$3 b=${ebudget[$2]}
  local dir=$out/runs/$v/$e/$k
  rm -rf "$dir"; mkdir -p "$dir"
  local t0 t1 rc detected=0 execs=- kind=none secs
  case $e in
    libfuzzer)
      mkdir -p "$dir/corpus" "$dir/artifacts"
      local mm=
      if [[ -n ${c11_of[$v]:-} ]]; then
        mm=c11
        copy_seeds "$dir/corpus"
      fi
      t0=$(now)
      (MT_MEMORY_MODEL=$mm MT_IMPL=$v ASAN_OPTIONS=detect_leaks=1 exec timeout -k 5 $((b + 60)) "$FUZZER" -seed="$k" -max_total_time="$b" \
        -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 -artifact_prefix="$dir/artifacts/" \
        "$dir/corpus" >"$dir/log" 2>&1) 2>/dev/null
      rc=$?; t1=$(now)
      execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$dir/log" | tail -n 1)
      execs=${execs:--}
      local art
      art=$(ls "$dir/artifacts" 2>/dev/null | head -n 1)
      if [[ -n $art ]]; then detected=1; kind=${art%%-*}
      elif ((rc != 0)); then detected=1; kind=exit$rc; fi
      ;;
    afl)
      if [[ -z $AFLBIN ]]; then
        echo "$v,$e,$k,$k,0,-,-,unavailable,-,$b" >"$dir/result"; return
      fi
      mkdir -p "$dir/in"; printf '\0' >"$dir/in/seed"
      local amm=
      if [[ -n ${c11_of[$v]:-} ]]; then
        amm=c11
        copy_seeds "$dir/in"
      fi
      t0=$(now)
      # tools/afl's environment for its ASan instance; one instance, fixed -s.
      MT_MEMORY_MODEL=$amm MT_IMPL=$v AFL_BENCH_UNTIL_CRASH=1 AFL_NO_UI=1 AFL_SKIP_CPUFREQ=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 \
        AFL_NO_AFFINITY=1 AFL_CRASH_EXITCODE=23 AFL_IGNORE_UNKNOWN_ENVS=1 \
        ASAN_OPTIONS=abort_on_error=1:symbolize=0:detect_leaks=$AFL_LEAKS:malloc_context_size=0:allocator_may_return_null=1:detect_odr_violation=0:handle_segv=0:handle_sigbus=0:handle_abort=0:handle_sigfpe=0:handle_sigill=0 \
        LSAN_OPTIONS=exitcode=23:symbolize=0:print_suppressions=0 UBSAN_OPTIONS=halt_on_error=1:abort_on_error=1:symbolize=0 \
        timeout -k 5 $((b + 60)) afl-fuzz -s "$k" -V "$b" -m none -i "$dir/in" -o "$dir/o" -- "$AFLBIN" \
        >"$dir/log" 2>&1 </dev/null
      rc=$?; t1=$(now)
      local st cr
      st=$(find "$dir/o" -name fuzzer_stats 2>/dev/null | head -n 1)
      [[ -n $st ]] && execs=$(awk -F: '/^execs_done/ { gsub(/ /, "", $2); print $2 }' "$st")
      cr=$(find "$dir/o" -path '*crashes/id:*' 2>/dev/null | sort | head -n 1)
      if [[ -n $cr ]]; then
        detected=1; kind=crash
        # executions at the crash, from its file name (execs:N), if there
        [[ $cr =~ execs:([0-9]+) ]] && execs=${BASH_REMATCH[1]}
      elif [[ -z $st ]]; then
        kind=afl-failed:exit$rc
      fi
      execs=${execs:--}
      ;;
    tsan)
      # Repeated short runs (TSAN_CHUNK seconds, seeds TRIAL*1000+i) until
      # the budget is spent, taking turns over the variant's scenarios
      # (every run also checks conservation while it goes, every 20000
      # operations).  Time and operations add up over the runs.
      local sc i=0 left chunk ops total_ops=0 t_end
      local -a scs
      read -r -a scs <<<"${stress_sc[$v]:-}"
      ((${#scs[@]})) || { echo "$v,$e,$k,$k,0,-,-,no-scenario,-,$b" >"$dir/result"; return; }
      t0=$(now)
      t_end=$(awk -v a="$t0" -v b="$b" 'BEGIN { printf "%.3f", a + b }')
      rc=0
      while :; do
        left=$(awk -v e="$t_end" -v n="$(now)" 'BEGIN { l = e - n; printf "%.2f", (l > 0 ? l : 0) }')
        awk -v l="$left" 'BEGIN { exit !(l >= 0.2) }' || break
        ((TSAN_RUNS && i >= TSAN_RUNS)) && break
        chunk=$(awk -v l="$left" -v c="$TSAN_CHUNK" 'BEGIN { printf "%.2f", (l < c ? l : c) }')
        sc=${scs[i % ${#scs[@]}]}
        (TSAN_OPTIONS=halt_on_error=1:history_size=7:second_deadlock_stack=1 exec timeout -k 5 $((TSAN_CHUNK + 60)) \
          "$STRESS" --scenario "$sc" --impl "$v" --seconds "$chunk" --ops 0 --seed $((k * 1000 + i)) \
          --yield-rate 0.02 --progress 0 >"$dir/log" 2>&1) 2>/dev/null
        rc=$?
        ops=$(grep '^SUMMARY scenario=' "$dir/log" | tail -n 1 | sed -n 's/.* ops=\([0-9]*\) .*/\1/p')
        total_ops=$((total_ops + ${ops:-0}))
        i=$((i + 1))
        ((rc == 0)) || break
      done
      t1=$(now)
      execs=$total_ops; ((execs == 0)) && execs=-
      # the stress binary's exit codes: one per kind of outcome
      case $rc in
        0) ;;
        66) detected=1; kind=tsan-race ;;
        1) detected=1; kind=violation ;;
        3) detected=1; kind=crash ;;
        124|137) detected=0; kind=timeout ;;
        *) detected=1; kind=exit$rc ;;
      esac
      # the scenario that found it, or every scenario tried
      if ((!detected)); then
        local n=$(( i < ${#scs[@]} ? i : ${#scs[@]} ))
        sc=$(IFS=+; echo "${scs[*]:0:n}")
      fi
      kind=$kind:$sc:runs=$i
      ;;
    naive)
      t0=$(now)
      (exec timeout -k 5 $((b + 60)) "$NAIVE" --impl "$v" --seconds "$b" --seed "$k" --progress 0 >"$dir/log" 2>&1) 2>/dev/null
      rc=$?; t1=$(now)
      # ops=0 after a crash in the first round: unknown, not zero
      execs=$(grep '^SUMMARY engine=naive' "$dir/log" | tail -n 1 | sed -n 's/.* ops=\([1-9][0-9]*\) .*/\1/p')
      execs=${execs:--}
      case $rc in
        0) ;;
        1) detected=1; kind=end-check; grep -q 'NAIVE detected: crash' "$dir/log" && kind=crash
           grep -q 'NAIVE detected: hang' "$dir/log" && kind=hang ;;
        *) detected=1; kind=exit$rc ;;
      esac
      ;;
  esac
  secs=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", b - a }')
  ((detected)) || execs=-
  echo "$v,$e,$k,$k,$detected,$secs,$execs,$kind,$rc,$b" >"$dir/result"
}

# ---------------------------------------------------------------- run

total=$((${#rows[@]} * ${#engines[@]} * trials))
worst=0
for e in "${engines[@]}"; do
  [[ $e == afl && -z $AFLBIN ]] && continue
  worst=$((worst + ${#rows[@]} * trials * ebudget[$e]))
done
log "rows=${#rows[@]} (production + ${#variants[@]} variants) engines=${engines[*]} trials=$trials budgets: $(for e in "${engines[@]}"; do printf '%s=%ss ' "$e" "${ebudget[$e]}"; done)jobs=$jobs"
log "$total trials; worst case (nothing found) $((worst / jobs / 60)) min; findings end trials early"
log "out: $out"

csv=$out/trials.csv
echo "variant,engine,trial,seed,detected,seconds,execs,kind,exit,budget" >"$csv"
started=$(now) n=0
declare -a queue=()
for v in "${rows[@]}"; do for e in "${engines[@]}"; do for ((k = 1; k <= trials; k++)); do queue+=("$v $e $k"); done; done; done

finish_one() {  # print progress for a finished trial and append to the CSV
  local v=$1 e=$2 k=$3 r
  r=$(cat "$out/runs/$v/$e/$k/result" 2>/dev/null) || r="$v,$e,$k,$k,0,-,-,harness-error,-,${ebudget[$e]}"
  echo "$r" >>"$csv"
  n=$((n + 1))
  IFS=, read -r _ _ _ _ det secs execs kind rc _ <<<"$r"
  local el
  el=$(awk -v a="$started" -v b="$(now)" 'BEGIN { printf "%.0f", b - a }')
  if [[ $kind == unavailable ]]; then
    log "[$n/$total ${el}s] $v $e trial $k: n/a (AFL++ build unavailable)"
  elif ((det)); then
    log "[$n/$total ${el}s] $v $e trial $k (seed $k): DETECTED in ${secs}s, ${execs} execs/ops ($kind)"
  else
    log "[$n/$total ${el}s] $v $e trial $k (seed $k): not detected in ${secs}s ($kind)"
  fi
  if [[ $v == production ]] && ((det)); then
    log "!!! PRODUCTION FLAGGED by $e trial $k: see $out/runs/$v/$e/$k/log"
  fi
}

if ((jobs == 1)); then
  for item in "${queue[@]}"; do
    read -r v e k <<<"$item"
    run_trial "$v" "$e" "$k"
    finish_one "$v" "$e" "$k"
  done
else
  declare -A pid_item=()
  for item in "${queue[@]}"; do
    while ((${#pid_item[@]} >= jobs)); do
      wait -n 2>/dev/null
      for p in "${!pid_item[@]}"; do
        if ! kill -0 "$p" 2>/dev/null; then wait "$p" 2>/dev/null; read -r v e k <<<"${pid_item[$p]}"; finish_one "$v" "$e" "$k"; unset "pid_item[$p]"; fi
      done
    done
    read -r v e k <<<"$item"
    run_trial "$v" "$e" "$k" &
    pid_item[$!]=$item
  done
  for p in "${!pid_item[@]}"; do wait "$p" 2>/dev/null; read -r v e k <<<"${pid_item[$p]}"; finish_one "$v" "$e" "$k"; done
fi

# Sort the CSV the way the rows were run (parallel runs finish out of order).
{ head -n 1 "$csv"
  tail -n +2 "$csv" | awk -F, -v order="${rows[*]}" -v eorder="${engines[*]}" '
    BEGIN { n = split(order, o, " "); for (i = 1; i <= n; i++) r[o[i]] = i; m = split(eorder, q, " "); for (i = 1; i <= m; i++) s[q[i]] = i }
    { printf "%04d %02d %03d %s\n", r[$1], s[$2], $3, $0 }' | sort | cut -d' ' -f4-
} >"$csv.tmp" && mv "$csv.tmp" "$csv"

el=$(awk -v a="$started" -v b="$(now)" 'BEGIN { printf "%.0f", b - a }')
log "done: $total trials in ${el}s; trials.csv, summary.csv, report.txt, bugbench.png in $out"
summary_extra=" trials=$trials budget_s=$budget engines=$(IFS=+; echo "${engines[*]}")"
has afl && [[ -n $AFLBIN ]] && summary_extra+=" afl_leak_check=$AFL_LEAKS"
[[ -n $afl_note ]] && summary_extra+=" afl=unavailable"
report "$csv"
exit $?
