#!/usr/bin/env bash
# Churn test: a coordinator and WORKERS workers run a job of SHARDS shards while a random worker is killed with SIGKILL
# every INTERVAL seconds and a replacement started. The result must equal a single-process run of the same job (same
# keys, same metric values, no row lost or duplicated). Prints the wall time of the single-process run, of a churn-free
# cluster run and of the churn run, and the churn overhead against the churn-free run.
#
#   scripts/chaos-cluster.sh [SHARDS=60] [INTERVAL=5] [WORKERS=2]
# Exit status: 0 when the churn run equals the single-process run, 1 otherwise.
set -uo pipefail
cd "$(dirname "$0")/.."
shards=${1:-60}; interval=${2:-5}; nworkers=${3:-2}
dotnet build src/Coordinator/RobustCrop.Cli -c Release -v q -nologo >/dev/null || { echo "build failed"; exit 1; }
dotnet build src/Worker/RobustCrop.Worker.Host -c Release -v q -nologo >/dev/null || { echo "build failed"; exit 1; }
cli=src/Coordinator/RobustCrop.Cli/bin/Release/net10.0/linux-x64/robustcrop.dll
worker=src/Worker/RobustCrop.Worker.Host/bin/Release/net10.0/linux-x64/robustcrop-worker.dll
data=$(dirname "$cli")/samples/fashion-mnist
work=$(mktemp -d)
keep=${KEEP:-0}
trap 'kill -9 $(jobs -p) 2>/dev/null; if [ "$keep" = 1 ]; then echo "logs kept in $work"; else rm -rf "$work"; fi' EXIT
job=(--data "$data" --limit $((shards * 2)) --shard-size 2 --model resnet18 --threads 1 --out "$work/out")
now() { date +%s.%N; }
since() { awk -v a="$(now)" -v b="$1" 'BEGIN { printf "%.1f", a - b }'; }
free_port() { while :; do p=$((20000 + RANDOM % 40000)); (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null || { echo "$p"; return; }; done; }

# The result, as rows independent of who computed them and when.
dump() {
  for q in "SELECT * EXCLUDE (run_id) FROM images ORDER BY model, image_key" \
           "SELECT * EXCLUDE (run_id) FROM crops ORDER BY model, image_key, kind, dx, dy, x, y" \
           "SELECT count(*) AS rows, count(DISTINCT (model, image_key)) AS keys FROM images"; do
    dotnet "$cli" query --run "$work/out/$1" --format csv "$q"
  done
}

t=$(now); dotnet "$cli" evaluate "${job[@]}" --run-id single >"$work/single.log" 2>&1 || { echo "single-process run failed"; tail "$work/single.log"; exit 1; }
single_s=$(since "$t")

cluster_run() { # RUN_ID CHURN(0|1) → prints wall seconds and kills
  local run=$1 churn=$2 port pids=() kills=0 start
  port=$(free_port); start=$(now)
  dotnet "$cli" coordinator --listen "127.0.0.1:$port" "${job[@]}" --run-id "$run" >"$work/$run.coordinator.log" 2>&1 & local c=$!
  for i in $(seq 1 "$nworkers"); do dotnet "$worker" --join "127.0.0.1:$port" --threads 1 >>"$work/$run.workers.log" 2>&1 & pids+=($!); done
  while kill -0 $c 2>/dev/null; do
    sleep "$interval"
    if [ "$churn" = 1 ] && kill -0 $c 2>/dev/null; then
      i=$((RANDOM % nworkers)); kill -9 "${pids[$i]}" 2>/dev/null; kills=$((kills + 1))
      dotnet "$worker" --join "127.0.0.1:$port" --threads 1 >>"$work/$run.workers.log" 2>&1 & pids[$i]=$!
    fi
  done
  wait $c; local status=$?
  echo "$(since "$start") $kills $status"
}

read -r calm_s _ calm_status < <(cluster_run calm 0)
read -r churn_s kills churn_status < <(cluster_run churn 1)
dump single >"$work/single.csv"; dump churn >"$work/churn.csv"; dump calm >"$work/calm.csv"
same=no; cmp -s "$work/single.csv" "$work/churn.csv" && same=yes
calm_same=no; cmp -s "$work/single.csv" "$work/calm.csv" && calm_same=yes
requeued=$(grep -c '^requeued ' "$work/churn.coordinator.log")
overhead=$(awk -v a="$churn_s" -v b="$calm_s" 'BEGIN { printf "%.0f%%", (a / b - 1) * 100 }')
echo "chaos shards=$shards workers=$nworkers kill_every_s=$interval kills=$kills requeued=$requeued"
echo "chaos single_process_s=$single_s churn_free_cluster_s=$calm_s (exit $calm_status, equal=$calm_same) churn_s=$churn_s (exit $churn_status) overhead_vs_churn_free=$overhead"
echo "chaos result_equals_single_process=$same ($(tail -n 1 "$work/single.csv") rows,keys)"
if [ "$same" = yes ] && [ "$churn_status" -eq 0 ]; then exit 0; fi
keep=1; tail -n 20 "$work/churn.coordinator.log"; exit 1
