#!/usr/bin/env bash
# hal_slurm_cluster_test: hal_spank.so in a real one-node Slurm cluster.
#
#   slurm_cluster_test.sh HAL_SPANK_SO HAL_SLURM_PROBE HALD HAL_INFO
#
# Starts, all under one temporary folder and on free ports: munged (its own
# key and socket), hald (a pool of cpu:0 and vulkan:0, when there is one),
# slurmctld and slurmd (their own slurm.conf and plugstack.conf naming the
# plugin). Jobs run as user nobody, as a user's would, and run
# hal_slurm_probe on the virtual device the plugin gave them. hal-info
# --pool --json asks hald what exists, independently of the plugin.
# Every daemon is stopped by its PID on every way out.
# Exit 0: passed; 1: failed (logs printed); 77: skipped (the reason printed).
set -uo pipefail

if (($# != 4)); then
  echo "usage: $0 HAL_SPANK_SO HAL_SLURM_PROBE HALD HAL_INFO" >&2
  exit 2
fi
spank_so=$1 probe=$2 hald=$3 hal_info=$4
job_user=nobody

skip() { echo "SKIP: $*"; exit 77; }
fail() {
  echo "FAIL: $*"
  failed=1
  exit 1
}

(( EUID == 0 )) || skip "not root: slurmd must be root to start job steps as their users"
for program in munged slurmctld slurmd slurmstepd srun sbatch scancel sinfo squeue runuser python3; do
  command -v "$program" >/dev/null || skip "$program is not installed (tools/install-deps.sh)"
done
getent passwd "$job_user" >/dev/null || skip "no user $job_user to run the jobs as"
runuser -u "$job_user" -- test -x "$probe" ||
  skip "user $job_user cannot run $probe (the build tree is not readable by others)"

dir=$(mktemp -d /tmp/hal-slurm-test.XXXXXX) || fail "mktemp"
chmod 755 "$dir"  # the job's user reaches the MUNGE and hald sockets in it
pids=()
failed=0

# The daemons' logs, when something failed.
print_logs() {
  local log
  for log in "$dir"/*.out "$dir"/*.log; do
    [[ -f $log ]] || continue
    echo "----- $(basename "$log") (last 30 lines)"
    tail -n 30 "$log"
  done
}

# Waits up to $1 seconds for the command after it to succeed.
wait_for() {
  local deadline=$((SECONDS + $1))
  shift
  until "$@"; do
    ((SECONDS < deadline)) || return 1
    sleep 0.2
  done
}

stop_daemons() {
  local i pid
  # Jobs first: their steps hold connections to hald.
  if [[ -f $dir/slurm.conf ]]; then
    SLURM_CONF=$dir/slurm.conf scancel --quiet --partition=hal 2>/dev/null
    wait_for 10 no_jobs_left
  fi
  for ((i = ${#pids[@]} - 1; i >= 0; i--)); do
    pid=${pids[i]}
    kill -TERM "$pid" 2>/dev/null || continue
    wait_for 5 process_gone "$pid" || kill -KILL "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
  done
}
# The PID of the slurmstepd of step $1 ("42.batch"), by its process title.
step_daemon() {
  local cmdline
  for cmdline in /proc/[0-9]*/cmdline; do
    # (a process may end while this reads it)
    if [[ $({ tr -d '\0' <"$cmdline"; } 2>/dev/null) == "slurmstepd: [$1]" ]]; then
      cmdline=${cmdline#/proc/}
      echo "${cmdline%/cmdline}"
      return 0
    fi
  done
  return 1
}
process_gone() { ! kill -0 "$1" 2>/dev/null; }
no_jobs_left() { [[ -z $(SLURM_CONF=$dir/slurm.conf squeue -h -p hal 2>/dev/null) ]]; }

finish() {
  local status=$?
  stop_daemons
  ((status == 0 || status == 77)) || print_logs
  rm -rf "$dir"
  exit "$status"
}
trap finish EXIT
trap 'exit 1' INT TERM

# Starts a daemon in the foreground of a background job, output to NAME.out.
start() {
  local name=$1
  shift
  "$@" >"$dir/$name.out" 2>&1 &
  pids+=($!)
}

# A port nothing on 127.0.0.1 accepts connections on.
free_port() {
  local port
  for port in $(shuf -i 20000-60000 -n 40); do
    (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null || { echo "$port"; return 0; }
  done
  return 1
}
ctld_port=$(free_port) && slurmd_port=$(free_port) && [[ $ctld_port != "$slurmd_port" ]] ||
  skip "no free TCP ports for slurmctld and slurmd"

# --- MUNGE: its own key and socket.
head -c 1024 /dev/urandom >"$dir/munge.key" && chmod 600 "$dir/munge.key"
start munged munged --foreground --force --key-file="$dir/munge.key" \
  --socket="$dir/munge.sock" --pid-file="$dir/munged.pid" --seed-file="$dir/munged.seed" \
  --log-file="$dir/munged.log"
wait_for 5 test -S "$dir/munge.sock" || skip "munged cannot start: $(tail -n 3 "$dir/munged.out")"

# --- hald: a pool of cpu:0 and vulkan:0 (when the machine has a Vulkan device).
pool_devices='"cpu:0"'
single_spec=mem=64MiB,share=0.5 single_device=cpu:0
if HAL_DEVICE_SELECTOR=vulkan:0 "$hal_info" --json >/dev/null 2>&1; then
  pool_devices+=', "vulkan:0"'
  single_spec+=,device=vulkan:0 single_device=vulkan:0
else
  echo "note: no vulkan:0 here; hald's pool is cpu:0 alone"
fi
echo "{\"pool\": {\"devices\": [$pool_devices]}}" >"$dir/pool.json"
endpoint="unix:$dir/hald.sock"
start hald "$hald" --pool "$dir/pool.json" --listen "$endpoint"
wait_for 20 grep -qs "listening on" "$dir/hald.out" || fail "hald did not start"

pool_json() { "$hal_info" --pool --json --endpoint "$endpoint"; }

# --- Slurm: one node, the plugin in plugstack.conf.
mkdir -p "$dir/state" "$dir/spool"
cat >"$dir/plugstack.conf" <<EOF
required $spank_so endpoint=$endpoint timeout=10
EOF
cat >"$dir/slurm.conf" <<EOF
ClusterName=halci
SlurmctldHost=$(hostname -s)(127.0.0.1)
SlurmctldPort=$ctld_port
SlurmdPort=$slurmd_port
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
AuthInfo=socket=$dir/munge.sock
CredType=cred/munge
StateSaveLocation=$dir/state
SlurmdSpoolDir=$dir/spool
SlurmctldPidFile=$dir/slurmctld.pid
SlurmdPidFile=$dir/slurmd.pid
SlurmctldLogFile=$dir/slurmctld.log
SlurmdLogFile=$dir/slurmd.log
SlurmdDebug=info
PlugStackConfig=$dir/plugstack.conf
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
SchedulerType=sched/builtin
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
MpiDefault=none
ReturnToService=2
SlurmdParameters=config_overrides
KillWait=1
MinJobAge=2
# Batch jobs start within a second, not at the next minute's pass.
SchedulerParameters=sched_interval=1
NodeName=$(hostname -s) NodeAddr=127.0.0.1 CPUs=4 State=UNKNOWN
PartitionName=hal Nodes=$(hostname -s) Default=YES MaxTime=5 State=UP
EOF
export SLURM_CONF=$dir/slurm.conf
start slurmctld slurmctld -D -i
start slurmd slurmd -D -N "$(hostname -s)"
node_idle() { [[ $(sinfo -h -n "$(hostname -s)" -o %t 2>/dev/null) == idle ]]; }
wait_for 30 node_idle ||
  skip "slurmctld and slurmd did not start: $(tail -n 2 "$dir/slurmctld.out" "$dir/slurmd.out")"

as_user() { runuser -u "$job_user" -- "$@"; }
run_job() { as_user srun --chdir="$dir" --time=1 "$@"; }

# Checks a probe's output (file $1) against a quota of $2 bytes.
expect_quota() {
  local out=$1 quota=$2
  grep -Eq "^device remote:0 name \"slurm-[0-9]+\.[0-9a-z]+ on .*\" memory $quota\$" "$out" ||
    fail "$out: remote:0 is not a virtual device of the plugin with $quota bytes: $(cat "$out")"
  grep -qx "quota-alloc OK" "$out" || fail "$out: the quota could not be allocated: $(cat "$out")"
  grep -qx "past-quota RESOURCE_EXHAUSTED" "$out" ||
    fail "$out: allocating past the quota was not ResourceExhausted: $(cat "$out")"
}
# The virtual devices hald has that the plugin made, as "name used/quota".
plugin_devices() {
  pool_json | python3 -c '
import json, sys
for vd in json.load(sys.stdin)["virtual_devices"]:
    if vd["name"].startswith("slurm-"):
        print("%s %d/%d" % (vd["name"], vd["memory_used_bytes"], vd["memory_quota_bytes"]))'
}
no_plugin_devices() { [[ -z $(plugin_devices) ]]; }
quota_placed() {
  pool_json | python3 -c '
import json, sys
print(sum(d["quota_placed_bytes"] for d in json.load(sys.stdin)["devices"]))'
}
placed_before=$(quota_placed) || fail "hal-info --pool cannot ask hald"

echo "== a step sees exactly its quota on remote:0"
run_job --hal-vd="$single_spec" "$probe" >"$dir/single.txt" 2>&1 ||
  fail "the job failed: $(cat "$dir/single.txt")"
expect_quota "$dir/single.txt" $((64 << 20))
grep -Eq "hal_spank: step [0-9]+\.0 has virtual device slurm-[0-9]+\.0 on $single_device\$" \
  "$dir/slurmd.log" || fail "slurmd's log does not say the step's device is on $single_device"
wait_for 5 no_plugin_devices || fail "the step ended but hald still has: $(plugin_devices)"

echo "== a SPEC that does not parse is refused by srun"
if run_job --hal-vd=mem=1G,share=2 true >"$dir/bad_spec.txt" 2>&1; then
  fail "srun ran a step with share=2"
fi
grep -q 'share must be a number in (0, 1\]' "$dir/bad_spec.txt" ||
  fail "srun did not say why: $(cat "$dir/bad_spec.txt")"

echo "== a virtual device hald cannot place fails the step with hald's reason"
if run_job --hal-vd=mem=4096TiB true >"$dir/no_fit.txt" 2>&1; then
  fail "a step ran with 4096 TiB"
fi
grep -q "gets no virtual device: RESOURCE_EXHAUSTED" "$dir/no_fit.txt" ||
  fail "the job's stderr does not say why: $(cat "$dir/no_fit.txt")"

echo "== two concurrent steps each get their own quota and cannot pass it"
run_job --hal-vd=mem=96MiB "$probe" --hold-seconds 30 >"$dir/first.txt" 2>&1 &
first=$!
run_job --hal-vd=mem=32MiB "$probe" --hold-seconds 30 >"$dir/second.txt" 2>&1 &
second=$!
both_holding() { grep -qx holding "$dir/first.txt" && grep -qx holding "$dir/second.txt"; }
wait_for 20 both_holding || fail "the two steps did not both start: $(cat "$dir"/first.txt "$dir"/second.txt)"
expect_quota "$dir/first.txt" $((96 << 20))
expect_quota "$dir/second.txt" $((32 << 20))
devices=$(plugin_devices | sed 's/^slurm-[^ ]* //' | sort)
expected=$(printf '%s\n' "$((32 << 20))/$((32 << 20))" "$((96 << 20))/$((96 << 20))" | sort)
[[ $devices == "$expected" ]] ||
  fail "hald does not show both devices full to their quotas: $(plugin_devices)"

echo "== scancel: the virtual devices and their charges are gone"
jobs_ids=$(squeue -h -p hal -o %i | tr '\n' ' ')
[[ -n $jobs_ids ]] || fail "squeue shows no running job"
# shellcheck disable=SC2086
scancel $jobs_ids
wait "$first" "$second" 2>/dev/null
wait_for 15 no_plugin_devices || fail "cancelled, but hald still has: $(plugin_devices)"
[[ $(quota_placed) == "$placed_before" ]] ||
  fail "quota placed on the devices is $(quota_placed) bytes, was $placed_before"

echo "== a batch job's step has one too"
mkdir "$dir/batch" && chown "$job_user" "$dir/batch"  # slurmstepd writes its output as the user
as_user sbatch --chdir="$dir/batch" --time=1 --hal-vd=mem=16MiB --output="$dir/batch/out.txt" \
  --wrap="$probe" >/dev/null || fail "sbatch refused the job"
wait_for 20 no_jobs_left || fail "the batch job did not end"
expect_quota "$dir/batch/out.txt" $((16 << 20))
grep -Eq 'name "slurm-[0-9]+\.batch on ' "$dir/batch/out.txt" || fail "not the batch step's device"
wait_for 5 no_plugin_devices || fail "the batch job ended but hald still has: $(plugin_devices)"

echo "== the tasks do not inherit slurmstepd's connection to hald"
task_fds() { run_job "$@" bash -c 'cd /proc/$$/fd && echo *'; }
with_device=$(task_fds --hal-vd=mem=1MiB) || fail "the job failed: $with_device"
without=$(task_fds) || fail "the job failed: $without"
[[ $with_device == "$without" ]] ||
  fail "a task of a --hal-vd step has open files $with_device, one without has $without"

echo "== a killed slurmstepd's virtual device is destroyed by hald (the lease)"
as_user sbatch --chdir="$dir/batch" --time=1 --hal-vd=mem=8MiB --output="$dir/batch/killed.txt" \
  --wrap="echo task \$\$; exec $probe --hold-seconds 30" >/dev/null || fail "sbatch refused the job"
wait_for 20 grep -qsx holding "$dir/batch/killed.txt" || fail "the job did not start: $(plugin_devices)"
job=$(squeue -h -p hal -o %i)
stepd=$(step_daemon "$job.batch") || fail "no slurmstepd for job $job"
task=$(sed -n 's/^task //p' "$dir/batch/killed.txt")
kill -KILL "$stepd"
wait_for 10 no_plugin_devices || fail "slurmstepd was killed, but hald still has: $(plugin_devices)"
kill -KILL "$task"  # its slurmstepd is gone: nobody else ends it

echo "PASS"
