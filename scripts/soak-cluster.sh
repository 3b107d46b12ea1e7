#!/usr/bin/env bash
# Soak test of cluster formation: each round starts a coordinator and two workers at the same instant on loopback (as
# Kubernetes starts pods), runs a small job (8 Fashion-MNIST images, ResNet18, 4 shards) and checks that both workers
# joined within JOIN_LIMIT seconds of the coordinator's port answering and that every process exited 0. Reports rounds completed, stalls, and the median and
# maximum round wall time and worker join time.
#
#   scripts/soak-cluster.sh ROUNDS            builds (Release) first
#   ROBUSTCROP_BIN=DIR scripts/soak-cluster.sh 3   uses robustcrop.dll and robustcrop-worker.dll from DIR (tests do this)
#
# Exit status: 0 when every round completed with no stall, 1 otherwise.
set -uo pipefail
cd "$(dirname "$0")/.."
rounds=${1:?usage: scripts/soak-cluster.sh ROUNDS}
join_limit=${JOIN_LIMIT:-10}
round_limit=${ROUND_LIMIT:-180}

if [ -z "${ROBUSTCROP_BIN:-}" ]; then
  dotnet build src/Coordinator/RobustCrop.Cli -c Release -v q -nologo >/dev/null || { echo "build failed"; exit 1; }
  dotnet build src/Worker/RobustCrop.Worker.Host -c Release -v q -nologo >/dev/null || { echo "build failed"; exit 1; }
  cli=src/Coordinator/RobustCrop.Cli/bin/Release/net10.0/linux-x64/robustcrop.dll
  worker=src/Worker/RobustCrop.Worker.Host/bin/Release/net10.0/linux-x64/robustcrop-worker.dll
else
  cli=$ROBUSTCROP_BIN/robustcrop.dll
  worker=$ROBUSTCROP_BIN/robustcrop-worker.dll
fi
data=$(dirname "$cli")/samples/fashion-mnist
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null; rm -rf "$work"' EXIT

# A port nothing answers on (bash alone: no tool the machine may lack).
free_port() { while :; do p=$((20000 + RANDOM % 40000)); (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null || { echo "$p"; return; }; done; }
now() { date +%s.%N; }
gt() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a > b) }'; }

completed=0; stalls=0; walls=(); joins=()
for r in $(seq 1 "$rounds"); do
  port=$(free_port)
  dir=$work/r$r; mkdir -p "$dir"
  start=$(now)
  # The same instant: coordinator and workers are started together, nobody waits for anybody.
  timeout "$round_limit" dotnet "$cli" coordinator --listen "127.0.0.1:$port" --data "$data" --limit 8 --shard-size 2 \
    --model resnet18 --threads 1 --out "$dir/out" --run-id soak >"$dir/coordinator.log" 2>&1 & c=$!
  timeout "$round_limit" dotnet "$worker" --join "127.0.0.1:$port" --threads 1 >"$dir/w1.log" 2>&1 & w1=$!
  timeout "$round_limit" dotnet "$worker" --join "127.0.0.1:$port" --threads 1 >"$dir/w2.log" 2>&1 & w2=$!
  wait $c; cs=$?
  wait $w1; s1=$?
  wait $w2; s2=$?
  wall=$(awk -v a="$(now)" -v b="$start" 'BEGIN { printf "%.2f", a - b }')
  stall=""
  for w in w1 w2; do
    # Seconds from the coordinator's port answering to the worker being a member: the join itself, not the
    # coordinator's own start-up (JIT, model checks), which the worker waits out by dialling the port first.
    j=$(sed -nE 's/.*: joined \S+ ([0-9.]+) s after its port answered.*/\1/p' "$dir/$w.log" | head -1)
    if [ -z "$j" ]; then stall="$stall $w-never-joined"; else
      joins+=("$j")
      if gt "$j" "$join_limit"; then stall="$stall $w-joined-after-${j}s"; fi
    fi
  done
  [ "$cs" -ne 0 ] && stall="$stall coordinator-exit-$cs"
  [ "$s1" -ne 0 ] && stall="$stall w1-exit-$s1"
  [ "$s2" -ne 0 ] && stall="$stall w2-exit-$s2"
  if [ -z "$stall" ]; then completed=$((completed + 1)); walls+=("$wall"); echo "round $r ok wall_s=$(printf %.1f "$wall")";
  else stalls=$((stalls + 1)); echo "round $r STALL:$stall wall_s=$(printf %.1f "$wall")"; tail -n 5 "$dir"/*.log | sed 's/^/    /'; fi
done

stat() { if [ $# -eq 0 ]; then echo "n/a n/a"; return; fi; printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {m=(NR%2)?a[(NR+1)/2]:(a[NR/2]+a[NR/2+1])/2; printf "%.1f %.1f\n", m, a[NR]}'; }
read -r wall_med wall_max < <(stat "${walls[@]}")
read -r join_med join_max < <(stat "${joins[@]}")
echo "soak rounds=$rounds completed=$completed stalls=$stalls wall_median_s=$wall_med wall_max_s=$wall_max join_median_s=$join_med join_max_s=$join_max"
[ "$stalls" -eq 0 ] && [ "$completed" -eq "$rounds" ]
