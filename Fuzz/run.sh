#!/usr/bin/env bash
# Runs each libFuzzer target for FUZZ_SECONDS, one after another (see
# docs/fuzzing.md). Called by `make fuzz` after the targets are built:
#   Fuzz/run.sh <bin-dir> <build-dir> <seconds> <target>...
# Each target starts from a scratch copy of Fuzz/Corpus/<target> (the repo
# corpus stays small); crashes, leaks and timeouts go to
# <build-dir>/artifacts/<target>/. Prints and writes a summary table to
# <build-dir>/fuzz-summary.md; exits 1 if any target failed.
set -u
bin=$1; build=$2; seconds=$3; shift 3

# -max_len per target: big enough for real bodies, small enough to stay fast.
max_len() {
    case $1 in
        FuzzPromQL) echo 2048 ;;
        FuzzLineProtocol|FuzzXORChunk) echo 4096 ;;
        FuzzJSONImport|FuzzColumnarChunk) echo 8192 ;;
        *) echo 16384 ;;
    esac
}

# Swift's own crash backtracer would race ASan and libFuzzer for the
# signal; let libFuzzer report the crash and save the input.
export SWIFT_BACKTRACE=enable=no

summary=$build/fuzz-summary.md
{
    echo "| target | result | execs | CPU s | execs/s | corpus files | corpus KiB | max_len |"
    echo "|---|---|---:|---:|---:|---:|---:|---:|"
} > "$summary"
failed=0
for t in "$@"; do
    corpus=$build/corpus/$t
    artifacts=$build/artifacts/$t
    log=$build/logs/$t.log
    rm -rf "$corpus"
    mkdir -p "$corpus" "$artifacts" "$build/logs"
    cp Fuzz/Corpus/"$t"/* "$corpus"/ 2>/dev/null || true
    len=$(max_len "$t")
    echo "== $t: ${seconds}s, -max_len=$len"
    TIMEFORMAT='%U %S'
    { time "$bin/$t" "$corpus" -max_total_time="$seconds" -rss_limit_mb=2048 -max_len="$len" -timeout=30 \
        -print_final_stats=1 -artifact_prefix="$artifacts/" > "$log" 2>&1; echo $? > "$log.rc"; } 2> "$log.time"
    rc=$(cat "$log.rc")
    read -r user sys < "$log.time"
    cpu=$(awk -v u="$user" -v s="$sys" 'BEGIN { printf "%.0f", u + s }')
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
    execs=${execs:-0}
    rate=$(awk -v e="$execs" -v c="$cpu" 'BEGIN { printf "%.0f", (c > 0 ? e / c : 0) }')
    files=$(find "$corpus" -type f | wc -l)
    kib=$(du -sk --apparent-size "$corpus" | cut -f1)
    if [ "$rc" = 0 ]; then
        result=ok
    else
        result="FAILED (exit $rc, see $log)"
        failed=1
        grep -m1 -E "Fatal error|ERROR: (AddressSanitizer|libFuzzer|LeakSanitizer)|SUMMARY" "$log" | sed 's/^/   /'
        ls "$artifacts" | sed 's/^/   artifact: /'
    fi
    echo "   $result: $execs execs, ${cpu} CPU s, $files corpus files ($kib KiB)"
    echo "| $t | $result | $execs | $cpu | $rate | $files | $kib | $len |" >> "$summary"
done
echo
cat "$summary"
exit $failed
