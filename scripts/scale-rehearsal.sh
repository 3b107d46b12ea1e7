#!/usr/bin/env bash
# Scale rehearsal: the whole system on one machine, everything on 127.0.0.1. Makes IMAGES distinct JPEGs in img2dataset's
# layout (robustcrop rehearsal-data: seeded, a few corrupt), uploads them to Azurite, runs a coordinator and WORKERS
# robustcrop-worker processes from az:// to az:// with the near-zero-cost model (real decode, resize, crops, metrics,
# Parquet and storage; no model cost), then aggregate, three typical queries and report; checks with DuckDB that every
# input is in the results exactly once; samples each process's peak RSS (VmHWM). --chaos kills a random worker every
# CHAOS_EVERY seconds (60) and starts another. Prints a table and, last:
#   rehearsal: images=N rows=N missing=M duplicates=D wall_s=… images_per_s=… coordinator_peak_mib=… worker_peak_mib=… aggregate_s=… query_s=… report_s=…
#
#   scripts/scale-rehearsal.sh IMAGES WORKERS [--chaos]
# Environment (all optional):
#   ROBUSTCROP_BIN=DIR     robustcrop.dll and robustcrop-worker.dll from DIR (the tests do this) instead of a Release build
#   SCALE_DATA=DIR         keep the shards and Azurite's data here and reuse them while IMAGES, TAR_SIZE, SEED and CORRUPT
#                          stay the same (default: a temporary folder, removed at the end)
#   BASELINE=1             first the same workers on the local tars into a local folder: local_images_per_s and the ratio
#   MODEL=resnet18         the shipped ResNet18 instead of the near-zero-cost model (for the record: ~50 crops/s per core)
#   AZURITE_DEBUG=FILE     Azurite's per-request debug log into FILE (costs the emulator CPU: for request counts, not timings)
#   SHARD_SIZE=256 TAR_SIZE=1000 SEED=1 CORRUPT=0.002 THREADS=1 CHAOS_EVERY=60 KEEP=1 (keep the logs)
# Exit status: 0 when every step succeeded and rows = inputs, missing = 0, duplicates = 0; 1 otherwise.
set -uo pipefail
cd "$(dirname "$0")/.."
images=${1:?usage: scripts/scale-rehearsal.sh IMAGES WORKERS [--chaos]}
nworkers=${2:?usage: scripts/scale-rehearsal.sh IMAGES WORKERS [--chaos]}
chaos=0; [ "${3:-}" = --chaos ] && chaos=1
shard_size=${SHARD_SIZE:-256}; tar_size=${TAR_SIZE:-1000}; seed=${SEED:-1}; corrupt=${CORRUPT:-0.002}
threads=${THREADS:-1}; chaos_every=${CHAOS_EVERY:-60}; model=${MODEL:-feed}

if [ -z "${ROBUSTCROP_BIN:-}" ]; then
  dotnet build src/Coordinator/RobustCrop.Cli -c Release -v q -nologo >/dev/null || { echo "build failed"; exit 1; }
  dotnet build src/Worker/RobustCrop.Worker.Host -c Release -v q -nologo >/dev/null || { echo "build failed"; exit 1; }
  bin=src/Coordinator/RobustCrop.Cli/bin/Release/net10.0/linux-x64
  cli=$bin/robustcrop.dll
  worker=src/Worker/RobustCrop.Worker.Host/bin/Release/net10.0/linux-x64/robustcrop-worker.dll
else
  cli=$ROBUSTCROP_BIN/robustcrop.dll
  worker=$ROBUSTCROP_BIN/robustcrop-worker.dll
fi
work=$(mktemp -d)
data=${SCALE_DATA:-$work/data}; mkdir -p "$data"
keep=${KEEP:-0}
# Every process started is listed in $work/pids (cluster runs start theirs in a subshell), and only those are stopped.
cleanup() {
  for p in $(jobs -p) $(cat "$work/pids" 2>/dev/null); do kill -9 "$p" 2>/dev/null; done
  if [ "$keep" = 1 ]; then echo "logs kept in $work" >&2; else rm -rf "$work"; fi
}
trap cleanup EXIT
now() { date +%s.%N; }
since() { awk -v a="$(now)" -v b="$1" 'BEGIN { printf "%.1f", a - b }'; }
free_port() { while :; do p=$((20000 + RANDOM % 40000)); (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null || { echo "$p"; return; }; done; }
# CPU seconds a process has used (utime + stime), load-independent where wall time is not.
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat" 2>/dev/null || echo 0; }
hwm_kib() { awk '/^VmHWM:/ { print $2 }' "/proc/$1/status" 2>/dev/null || echo 0; }
rss_kib() { awk '/^VmRSS:/ { print $2 }' "/proc/$1/status" 2>/dev/null || echo 0; }
max() { awk -v a="$1" -v b="$2" 'BEGIN { print (a > b) ? a : b }'; }
per_image() { awk -v c="$1" -v n="$images" 'BEGIN { printf "%.1f", c * 1000 / n }'; }
fail() { echo "rehearsal failed: $*"; keep=1; exit 1; }

# Azurite (pinned as in .ci/run and the test fixture), blob service only, on 127.0.0.1.
azurite=.tools/azurite/node_modules/.bin/azurite-blob
if [ ! -x "$azurite" ]; then
  mkdir -p .tools
  ( flock 9; [ -x "$azurite" ] || npm install --no-audit --no-fund --prefix .tools/azurite azurite@3.35.0 >/dev/null ) 9>.tools/azurite.lock \
    || fail "npm install azurite@3.35.0 failed"
fi
az_port=$(free_port)
az_debug=(); [ -n "${AZURITE_DEBUG:-}" ] && az_debug=(--debug "$AZURITE_DEBUG")
"$azurite" --blobHost 127.0.0.1 --blobPort "$az_port" --location "$data/azurite" --skipApiVersionCheck --loose --silent \
  --disableTelemetry "${az_debug[@]}" >"$work/azurite.log" 2>&1 &
az_pid=$!
for _ in $(seq 1 600); do (exec 3<>"/dev/tcp/127.0.0.1/$az_port") 2>/dev/null && break; sleep 0.1; done
kill -0 $az_pid 2>/dev/null || fail "Azurite did not start: $(tail -n 3 "$work/azurite.log")"
# The emulator's well-known development key (public, documented by Microsoft; not a secret).
export AZURE_STORAGE_CONNECTION_STRING="DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==;BlobEndpoint=http://127.0.0.1:$az_port/devstoreaccount1;"

# The data: local tars and the same bytes in az://rehearsal/shards/, made once per (IMAGES, TAR_SIZE, SEED, CORRUPT).
stamp="images=$images tar=$tar_size seed=$seed corrupt=$corrupt"
gen_s=reused
if [ "$(cat "$data/made" 2>/dev/null)" != "$stamp" ]; then
  rm -rf "$data/shards" "$data/made"
  t=$(now)
  dotnet "$cli" rehearsal-data --images "$images" --shard-size "$tar_size" --seed "$seed" --corrupt "$corrupt" \
    --out "$data/shards,az://rehearsal/shards" --zoo "$data/zoo" >"$work/data.log" 2>&1 || fail "rehearsal-data: $(tail -n 2 "$work/data.log")"
  gen_s=$(since "$t"); echo "$stamp" >"$data/made"
  grep '^rehearsal-data images' "$work/data.log"
fi
if [ "$model" = feed ]; then zoo=(--zoo "$data/zoo/zoo.yaml" --model feed); else zoo=(--model "$model"); fi
job=("${zoo[@]}" --shard-size "$shard_size" --threads "$threads")

# One cluster run: the coordinator and WORKERS workers, chaos when asked; every second the peak RSS of each process.
# Prints: wall_s kills coordinator_exit coordinator_peak_kib worker_peak_kib worker_cpu_s coordinator_cpu_s
cluster_run() { # NAME DATA OUT CHAOS
  local name=$1 in=$2 out=$3 churn=$4 port start c pids=() kills=0 last cpeak=0 wpeak=0 i ccpu=0 t
  declare -A wcpu=()
  port=$(free_port); start=$(now); last=$(now)
  dotnet "$cli" coordinator --listen "127.0.0.1:$port" --data "$in" --out "$out" --run-id "$name" "${job[@]}" \
    >"$work/$name.coordinator.log" 2>&1 & c=$!
  echo $c >>"$work/pids"
  for i in $(seq 1 "$nworkers"); do
    dotnet "$worker" --join "127.0.0.1:$port" --threads "$threads" >>"$work/$name.workers.log" 2>&1 & pids+=($!); echo $! >>"$work/pids"
  done
  while kill -0 $c 2>/dev/null; do
    sleep 1
    cpeak=$(max "$cpeak" "$(hwm_kib $c)")
    printf '%s\tcoordinator\t%s\t%s\n' "$(since "$start")" $c "$(rss_kib $c)" >>"$work/$name.rss.tsv"
    for p in "${pids[@]}"; do
      wpeak=$(max "$wpeak" "$(hwm_kib "$p")"); t=$(cpu_ticks "$p"); [ "$t" -gt 0 ] && wcpu[$p]=$t
      printf '%s\tworker\t%s\t%s\n' "$(since "$start")" "$p" "$(rss_kib "$p")" >>"$work/$name.rss.tsv"
    done
    t=$(cpu_ticks $c); [ "$t" -gt 0 ] && ccpu=$t
    if [ "$churn" = 1 ] && [ "$(since "$last" | cut -d. -f1)" -ge "$chaos_every" ] && kill -0 $c 2>/dev/null; then
      i=$((RANDOM % nworkers)); kill -9 "${pids[$i]}" 2>/dev/null; kills=$((kills + 1)); last=$(now)
      echo "chaos: killed worker $((i + 1)) at $(since "$start") s" >>"$work/$name.workers.log"
      dotnet "$worker" --join "127.0.0.1:$port" --threads "$threads" >>"$work/$name.workers.log" 2>&1 & pids[$i]=$!; echo $! >>"$work/pids"
    fi
  done
  wait $c; local status=$?
  local wall; wall=$(since "$start")
  # Workers leave when the job ends; one still there after 30 s is stopped (and counted as a failure by the caller).
  for _ in $(seq 1 30); do local alive=0; for p in "${pids[@]}"; do kill -0 "$p" 2>/dev/null && alive=1; done; [ $alive = 0 ] && break; sleep 1; done
  for p in "${pids[@]}"; do kill -0 "$p" 2>/dev/null && { echo "worker $p still running after the job" >>"$work/$name.workers.log"; kill -9 "$p"; }; done
  local hz wsum=0; hz=$(getconf CLK_TCK)
  for p in "${!wcpu[@]}"; do wsum=$((wsum + wcpu[$p])); done
  echo "$wall $kills $status $cpeak $wpeak $(awk -v t="$wsum" -v h="$hz" 'BEGIN { printf "%.1f", t / h }') $(awk -v t="$ccpu" -v h="$hz" 'BEGIN { printf "%.1f", t / h }')"
}

q() { dotnet "$cli" query --run "$run" --cache "$work/cache" --format csv "$1"; }
timed() { # VAR COMMAND…: runs it, its output to steps.log, its seconds into VAR
  local var=$1 t; shift; t=$(now)
  "$@" >>"$work/steps.log" 2>&1 || fail "$* (see $work/steps.log): $(tail -n 2 "$work/steps.log")"
  printf -v "$var" '%s' "$(since "$t")"
}

rows_table=()
if [ "${BASELINE:-0}" = 1 ]; then
  read -r local_s _ local_status _ _ local_wcpu local_ccpu < <(cluster_run local "$data/shards" "$work/local-out" 0)
  [ "$local_status" = 0 ] || fail "local baseline run exited $local_status: $(tail -n 3 "$work/local.coordinator.log")"
  local_ips=$(awk -v n="$images" -v s="$local_s" 'BEGIN { printf "%.1f", n / s }')
  rows_table+=("local baseline (tars → folder)|$local_s|$local_ips images/s; CPU workers / coordinator $local_wcpu / $local_ccpu s ($(per_image "$local_wcpu") / $(per_image "$local_ccpu") ms per image)")
fi

name=r$(date +%s)
run=az://rehearsal/runs/$name
az_ticks0=$(cpu_ticks $az_pid)
read -r wall kills status cpeak wpeak wcpu ccpu < <(cluster_run "$name" az://rehearsal/shards/ az://rehearsal/runs "$chaos")
# The emulator runs on the same two cores as the workers (in production, storage is elsewhere): its CPU is the share of
# the az:// run's wall time that a remote store would not take from the workers.
azcpu=$(awk -v a="$(cpu_ticks $az_pid)" -v b="$az_ticks0" -v h="$(getconf CLK_TCK)" 'BEGIN { printf "%.1f", (a - b) / h }')
[ "$status" = 0 ] || fail "cluster run exited $status: $(tail -n 3 "$work/$name.coordinator.log")"
ips=$(awk -v n="$images" -v s="$wall" 'BEGIN { printf "%.1f", n / s }')
requeued=$(grep -c '^requeued ' "$work/$name.coordinator.log")

timed aggregate_s dotnet "$cli" aggregate --run "$run"
timed q1_s q "SELECT model, count(*) AS images, avg(cosine_1px_min) AS cos_min, avg(changed_1px::INT) AS changed FROM images GROUP BY model"
timed q2_s q "SELECT image_key, url, cosine_1px_min FROM images ORDER BY cosine_1px_min LIMIT 20"
timed q3_s q "SELECT stage, reason, count(*) AS n FROM errors GROUP BY ALL ORDER BY n DESC"
query_s=$(printf '%s\n' "$q1_s" "$q2_s" "$q3_s" | sort -n | tail -n 1)
timed report_s dotnet "$cli" report --run "$run" --to "$work/report"

# Every input exactly once: the expected img2dataset keys against the keys of images and errors rows.
check=$(q "WITH expected AS (SELECT printf('%05d%04d', i // $tar_size, i % $tar_size) AS k FROM range($images) t(i)),
  got AS (SELECT regexp_extract(image_key, '[^/]+$') AS k FROM images UNION ALL SELECT regexp_extract(image_key, '[^/]+$') FROM errors),
  counts AS (SELECT k, count(*) AS n FROM got GROUP BY k)
  SELECT (SELECT count(*) FROM got), (SELECT count(*) FROM expected e ANTI JOIN counts c ON e.k = c.k),
         (SELECT coalesce(sum(n - 1), 0) FROM counts), (SELECT count(*) FROM counts c ANTI JOIN expected e ON e.k = c.k),
         (SELECT count(*) FROM images), (SELECT count(*) FROM errors)" | tail -n 1) || fail "the DuckDB check failed"
IFS=, read -r rows missing duplicates unexpected image_rows error_rows <<<"$check"

mib() { awk -v k="$1" 'BEGIN { printf "%.0f", k / 1024 }'; }
rows_table+=("data (rehearsal-data, local + az)|$gen_s|$images inputs, tars of $tar_size")
rows_table+=("cluster run az:// → az://|$wall|$ips images/s, $nworkers workers, shards of $shard_size, kills=$kills requeued=$requeued")
rows_table+=("  CPU: workers / coordinator|$wcpu / $ccpu|$(per_image "$wcpu") / $(per_image "$ccpu") ms per image (CPU time, load-independent)")
rows_table+=("  CPU: Azurite (storage emulator)|$azcpu|$(per_image "$azcpu") ms per image, on the same cores")
rows_table+=("aggregate|$aggregate_s|")
rows_table+=("query: per-model means|$q1_s|")
rows_table+=("query: 20 most changed|$q2_s|")
rows_table+=("query: errors by reason|$q3_s|")
rows_table+=("report|$report_s|")
rows_table+=("check (DuckDB)||rows=$rows (images $image_rows + errors $error_rows) missing=$missing duplicates=$duplicates unexpected=$unexpected")
printf '%-36s %9s  %s\n' step seconds notes
for r in "${rows_table[@]}"; do IFS='|' read -r a b c <<<"$r"; printf '%-36s %9s  %s\n' "$a" "$b" "$c"; done
# Memory that creeps shows as a larger resident set late in the run than early: the largest RSS of each role over the
# first and the last quarter of the cluster run (every second, $work/NAME.rss.tsv).
creep() { awk -F'\t' -v role="$1" -v w="$wall" '$2 == role && $1 <= w / 4 && $4 > a { a = $4 } $2 == role && $1 >= 3 * w / 4 && $4 > b { b = $4 }
  END { printf "%.0f → %.0f MiB", a / 1024, b / 1024 }' "$work/$name.rss.tsv"; }
printf 'resident set, first → last quarter of the run: coordinator %s, workers %s\n' "$(creep coordinator)" "$(creep worker)"
printf 'peak RSS: coordinator %s MiB, largest worker %s MiB; load average %s\n' "$(mib "$cpeak")" "$(mib "$wpeak")" "$(cut -d' ' -f1-3 /proc/loadavg)"
if [ "${BASELINE:-0}" = 1 ]; then
  echo "baseline: local_images_per_s=$local_ips az_images_per_s=$ips ratio=$(awk -v a="$ips" -v b="$local_ips" 'BEGIN { printf "%.2f", a / b }')"
  # The same comparison in CPU time (load-independent): all CPU each run took from the machine per image, with and without
  # the emulator (Blob storage in a deployment costs the nodes no CPU).
  awk -v lw="$local_wcpu" -v lc="$local_ccpu" -v w="$wcpu" -v c="$ccpu" -v a="$azcpu" -v n="$images" 'BEGIN {
    l = (lw + lc) * 1000 / n; z = (w + c + a) * 1000 / n; y = (w + c) * 1000 / n
    printf "cpu: local_ms_per_image=%.2f az_ms_per_image=%.2f (without Azurite %.2f) cpu_ratio=%.2f (without Azurite %.2f)\n", l, z, y, l / z, l / y }'
fi
echo "rehearsal: images=$images rows=$rows missing=$missing duplicates=$duplicates wall_s=$wall images_per_s=$ips coordinator_peak_mib=$(mib "$cpeak") worker_peak_mib=$(mib "$wpeak") aggregate_s=$aggregate_s query_s=$query_s report_s=$report_s"
[ "$rows" = "$images" ] && [ "$missing" = 0 ] && [ "$duplicates" = 0 ] && [ "$unexpected" = 0 ] || { keep=1; exit 1; }
