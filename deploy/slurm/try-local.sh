#!/usr/bin/env bash
# Runs Compresso's sweep as a Slurm job array on a real, one-node Slurm cluster brought up on this machine
# for the run, with the failures a cluster brings, and checks the sweep folder afterwards:
#
#   1. starts munged, slurmctld and slurmd (Debian's slurm-wlm and munge, apt-get installed when missing)
#      on localhost with this machine's CPUs and memory (`slurmd -C`); every file they use (slurm.conf,
#      spool, state, logs, munge key and socket) is in a new temporary folder, on free ports, so a
#      system Slurm or munge is neither read nor touched;
#   2. plans a small sweep (the Keras UNet fixture, 64x64, 48 synthetic images, 5 cells) and runs it
#      exactly as docs/sweeps.md's Slurm section says: `sbatch --array=0-$((N-1)) ... sweep-array.sh`;
#   3. drills, on that array: two tasks for one cell at once (one runs it, the other finds it done); a
#      task killed with SIGKILL on a "lost node" (a UTS namespace with another host name, so the next
#      task cannot see that the process is gone) whose stale lease the array's task takes over only
#      after the lease; `scancel` of a task mid-cell, then a resubmission; `scontrol
#      requeue` of a task mid-cell (what Slurm does on node failure and preemption: the script says
#      --requeue); each interrupted cell must finish as attempt 2 from the steps that had finished;
#   4. a second array over the finished folder, which must run no cell again, and `sweep --report`;
#   5. stops what it started, and checks that squeue was empty and no slurm or munge process it started
#      is left (the EXIT trap does that on every path: failure, Ctrl-C, SIGTERM, the overall timeout).
#
# Verdicts come from the folder (cell.json, locks/<cell>.attempt-N, step outputs' mtimes, the tasks'
# logs) and from Slurm's own job records, not from sleeps. Exit 0 when every check holds, 1 otherwise;
# the last line is the summary.
#
#   deploy/slurm/try-local.sh          # as root; about 4 minutes on 2 cores
#
# Environment: TRY_LOCAL_TIMEOUT (seconds for the whole run, default 900), TRY_LOCAL_LEASE (the sweep
# lease for the drill, COMPRESSO_SWEEP_LEASE_SECONDS, default 30), TRY_LOCAL_BUILD=0 (use the jar in
# target/ as it is; by default `mvn -q -B -DskipTests package` makes it from this source first),
# TRY_LOCAL_KEEP=1 (keep the temporary folder; it is kept anyway when a check failed).
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
t0=$(date +%s)
timeout_s=${TRY_LOCAL_TIMEOUT:-900}
lease_s=${TRY_LOCAL_LEASE:-30}
passed=0
failures=()
our_pids=()
watchdog=
state=

say() { printf 'try-local [%4ds] %s\n' "$(($(date +%s) - t0))" "$*"; }
pass() { passed=$((passed + 1)); say "ok    $*"; }
fail() { failures+=("$1"); say "FAIL  $*"; }
# check NAME COMMAND...: passes when COMMAND succeeds.
check() { local name=$1; shift; if "$@"; then pass "$name"; else fail "$name"; fi; }
die() { fail "$*"; exit 1; }
# wait_until SECONDS DESCRIPTION COMMAND...: polls COMMAND every half second; 1 when the time is up.
wait_until() {
  local secs=$1 limit=$(($(date +%s) + $1)) what=$2; shift 2
  until "$@"; do
    if [ "$(date +%s)" -ge "$limit" ]; then say "timed out after $secs s waiting for: $what"; return 1; fi
    sleep 0.5
  done
}

# ---- clean-up, on every exit path ---------------------------------------------------------------------
# Processes that carry this run's marker in their environment: the daemons, slurmstepd, the jobs.
marked_pids() {
  local p
  for p in /proc/[0-9]*; do
    p=${p#/proc/}
    [ "$p" = $$ ] && continue
    if { tr '\0' '\n' <"/proc/$p/environ"; } 2>/dev/null | grep -qxF "COMPRESSO_TRY_LOCAL=$state"; then echo "$p"; fi
  done
}
slurm_munge_pids() { ps -e -o pid=,comm= | awk '$2 ~ /^(slurmctld|slurmd|slurmstepd|munged)$/ {print $1}' | sort; }
queue_empty() { [ -z "$(squeue -h -o %i 2>/dev/null)" ] && squeue >/dev/null 2>&1; }
stop_pid() {  # TERM, up to 20 s, then KILL
  local pid=$1 i
  kill -TERM "$pid" 2>/dev/null || return 0
  for i in $(seq 40); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.5; done
  kill -KILL "$pid" 2>/dev/null || true
}
cleanup() {
  local rc=$? left p
  trap - EXIT INT TERM HUP
  set +e
  [ -n "$watchdog" ] && pkill -P "$watchdog" sleep 2>/dev/null; [ -n "$watchdog" ] && kill "$watchdog" 2>/dev/null
  if [ -n "${ctld_pid:-}" ] && kill -0 "$ctld_pid" 2>/dev/null; then
    # Our cluster's jobs only: SLURM_CONF points at it.
    squeue -h -o %A | sort -u | xargs -r scancel 2>/dev/null
    if wait_until 90 "the queue to drain" queue_empty; then pass "squeue is empty"; else
      fail "squeue is empty"; squeue; fi
  fi
  for p in ${slurmd_pid:-} ${ctld_pid:-} ${munged_pid:-}; do stop_pid "$p"; done
  for p in $(marked_pids); do kill -KILL "$p" 2>/dev/null; done
  sleep 0.5
  if [ -n "$state" ]; then
    left=$(marked_pids; comm -13 <(printf '%s\n' "${preexisting[@]:-}") <(slurm_munge_pids))
    left=$(printf '%s\n' "$left" | sort -un | grep . || true)
    if [ -z "$left" ]; then pass "no slurm/munge process of this run is left (slurmctld, slurmd, slurmstepd, munged: ${preexisting[*]:-none} before, $(slurm_munge_pids | tr '\n' ' ')after)"
    else fail "processes left: $(ps -o pid=,comm= -p "$(echo $left | tr ' ' ,)" | tr '\n' ';')"; fi
  fi
  if [ -n "$started_policy" ]; then rm -f /usr/sbin/policy-rc.d; fi
  [ $rc -ne 0 ] && [ ${#failures[@]} -eq 0 ] && failures+=("exit status $rc")
  if [ ${#failures[@]} -gt 0 ] && [ -n "$state" ]; then
    for p in "$state"/sweep/slurm-*.log; do
      [ -f "$p" ] && { say "$(basename "$p") (last lines):"; tail -n 2 "$p"; }
    done
  fi
  if [ ${#failures[@]} -gt 0 ] && [ -n "$state" ] && [ -f "$state/slurmctld.log" ]; then
    say "slurmctld.log (last lines):"; tail -n 15 "$state/slurmctld.log"
    say "slurmd.log (last lines):"; tail -n 15 "$state/slurmd.log"
  fi
  if [ -n "$state" ]; then
    if [ ${#failures[@]} -eq 0 ] && [ "${TRY_LOCAL_KEEP:-0}" != 1 ]; then rm -rf "$state"; else say "kept $state"; fi
  fi
  local wall=$(($(date +%s) - t0))
  if [ ${#failures[@]} -eq 0 ]; then
    echo "try-local: PASS, $passed checks; ${summary:-}; wall ${wall} s"
    exit 0
  fi
  echo "try-local: FAIL, ${#failures[@]} of $((passed + ${#failures[@]})) checks failed ($(IFS=';'; echo "${failures[*]}")); wall ${wall} s"
  exit 1
}
started_policy=
preexisting=()
trap cleanup EXIT
trap 'fail "interrupted"; exit 130' INT TERM HUP

# The run is one function, so bash has read all of it before it starts (and an edit of this file during
# a run cannot change the run).
main() {
# ---- what it needs ----------------------------------------------------------------------------------
[ "$(id -u)" = 0 ] || die "run as root: slurmd starts jobs as their users and needs root"
missing=()
for c in slurmctld:slurmctld slurmd:slurmd sbatch:slurm-client munged:munge unshare:util-linux; do
  command -v "${c%%:*}" >/dev/null 2>&1 || missing+=("${c#*:}")
done
if [ ${#missing[@]} -gt 0 ]; then
  say "installing ${missing[*]} (slurm-wlm, munge) from Debian"
  if [ ! -e /usr/sbin/policy-rc.d ]; then  # the packages must not start system daemons of their own
    printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d && chmod 755 /usr/sbin/policy-rc.d && started_policy=1
  fi
  timeout 600 apt-get update -q >/dev/null || die "apt-get update failed"
  DEBIAN_FRONTEND=noninteractive timeout 900 apt-get install -y -q --no-install-recommends slurm-wlm munge \
    >/dev/null || die "apt-get install slurm-wlm munge failed"
  [ -n "$started_policy" ] && rm -f /usr/sbin/policy-rc.d && started_policy=
fi
mapfile -t preexisting < <(slurm_munge_pids)

state=$(mktemp -d "${TMPDIR:-/tmp}/compresso-slurm.XXXXXX")
chmod 755 "$state"  # munged wants its socket's folder searchable by all and writable by none but root
export COMPRESSO_TRY_LOCAL=$state  # marks every process of this run (daemons, steps, jobs) for clean-up
export SLURM_CONF=$state/slurm.conf
( sleep "$timeout_s"; say "the whole run took longer than TRY_LOCAL_TIMEOUT=$timeout_s s"; kill -TERM $$ ) 2>/dev/null &
watchdog=$!
say "state in $state; this run may take up to $timeout_s s"
if [ "${TRY_LOCAL_BUILD:-1}" = 1 ]; then  # the jar the `compresso` launcher runs, from this source
  say "building the jar (mvn -q -B -DskipTests package)"
  (cd "$repo" && timeout 900 mvn -q -B -DskipTests package) >"$state/build.log" 2>&1 \
    || die "the build failed: $(tail -n 5 "$state/build.log")"
fi

# ---- the cluster ------------------------------------------------------------------------------------
port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
free_port() {
  local p i
  for i in $(seq 100); do
    p=$((20000 + RANDOM % 40000))
    if port_free "$p" && port_free "$((p + 1))"; then echo "$p"; return 0; fi
  done
  return 1
}
port=$(free_port) || die "no free TCP port pair found"
node=$(slurmd -C | head -1)  # NodeName=HOST CPUs=.. Boards=.. SocketsPerBoard=.. CoresPerSocket=.. ThreadsPerCore=.. RealMemory=..
node_name=$(sed -n 's/^NodeName=\([^ ]*\).*/\1/p' <<<"$node")
cpus=$(sed -n 's/.* CPUs=\([0-9]*\).*/\1/p' <<<"$node")
mem_mb=$(sed -n 's/.* RealMemory=\([0-9]*\).*/\1/p' <<<"$node")
[ -n "$node_name" ] && [ -n "$cpus" ] && [ -n "$mem_mb" ] || die "cannot read slurmd -C: $node"
mkdir -p "$state/ctld" "$state/d"
: >"$state/plugstack.conf"
cat >"$SLURM_CONF" <<EOF
# A one-node cluster for deploy/slurm/try-local.sh; nothing here is read from or written to /etc.
ClusterName=compresso-try
SlurmctldHost=$node_name(127.0.0.1)
SlurmctldPort=$port
SlurmdPort=$((port + 1))
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
# cred_expire is also how long a requeued job waits before it may start again (default 120 s)
AuthInfo=socket=$state/munge.sock,cred_expire=30
StateSaveLocation=$state/ctld
SlurmdSpoolDir=$state/d
SlurmctldPidFile=$state/slurmctld.pid
SlurmdPidFile=$state/slurmd.pid
SlurmctldLogFile=$state/slurmctld.log
SlurmdLogFile=$state/slurmd.log
PlugStackConfig=$state/plugstack.conf
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core_Memory
SchedulerType=sched/backfill
SchedulerParameters=sched_interval=5,bf_interval=5
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
MpiDefault=none
ReturnToService=2
MinJobAge=600
KillWait=10
$node NodeAddr=127.0.0.1
PartitionName=try Nodes=$node_name Default=YES MaxTime=INFINITE State=UP
EOF
say "slurm.conf: $node_name, $cpus CPUs, $mem_mb MB, ports $port-$((port + 1))"

dd if=/dev/urandom of="$state/munge.key" bs=1024 count=1 status=none
chmod 400 "$state/munge.key"
munged -F --key-file="$state/munge.key" --socket="$state/munge.sock" --pid-file="$state/munged.pid" \
  --log-file="$state/munged.log" --seed-file="$state/munged.seed" >>"$state/munged.out" 2>&1 &
munged_pid=$!
wait_until 30 "munged" test -S "$state/munge.sock" || die "munged did not start: $(tail -n 2 "$state/munged.out" 2>&1)"
munge -S "$state/munge.sock" -n | unmunge -S "$state/munge.sock" >/dev/null || die "munge credential round trip failed"
slurmctld -D -c -f "$SLURM_CONF" >>"$state/slurmctld.out" 2>&1 &
ctld_pid=$!
wait_until 60 "slurmctld" scontrol ping >/dev/null 2>&1 || die "slurmctld did not answer: $(tail -n 3 "$state/slurmctld.log")"
slurmd -D -f "$SLURM_CONF" -N "$node_name" >>"$state/slurmd.out" 2>&1 &
slurmd_pid=$!
node_idle() { [ "$(sinfo -h -N -n "$node_name" -o %t 2>/dev/null)" = idle ]; }
wait_until 90 "node $node_name idle" node_idle || die "the node did not come up: $(sinfo -N 2>&1 | tail -1)"
pass "one-node cluster up: $(sinfo -h -N -o '%N %t %c CPUs %m MB')"

# ---- the sweep, as docs/sweeps.md's Slurm section runs it -------------------------------------------------
cd "$repo"
export PATH="$repo:$PATH"  # the `compresso` launcher; jobs get this environment (sbatch --export=ALL)
export COMPRESSO_SWEEP_LEASE_SECONDS=$lease_s
export SWEEP_DIR=$state/sweep
MODEL=src/test/resources/fixtures/keras_files/unet.keras
DATA='synthetic:shapes?n=48&size=64&seed=3'
GRID=(--test-data 'synthetic:shapes?n=8&size=64&seed=4' --sparsities 0,0.3,0.5,0.7 --precisions fp32,fp16
  --epochs 1 --samples 8 --runs 3 --threads 1)
CPUS=1 MEM=2G  # per task: a 2-core node runs two at a time
# docs/sweeps.md's Slurm section, line for line (DeployManifestsTest holds the two to each other):
N=$(compresso sweep "$MODEL" --data "$DATA" "${GRID[@]}" --out "$SWEEP_DIR" --plan | cut -d' ' -f1)
[ "$N" -ge 4 ] 2>/dev/null || die "the plan has no 4 cells: '$N'"
mapfile -t cells < <(sed -n 's/^ *"id": *"\([^"]*\)".*/\1/p' "$SWEEP_DIR/plan.json")  # in plan order
[ "${#cells[@]}" = "$N" ] || die "plan.json lists ${#cells[@]} cells, --plan said $N"
pass "planned $N cells: ${cells[*]}"
raced=0 killed=4 cancelled=2 requeued=3  # the drills' cells: baseline, s0.70, s0.30, s0.50

# Two tasks for one cell at once (submitted first, they take both CPUs together): one claims it, the
# other waits while that one lives and then finds the cell done.
racers=()
for i in 1 2; do
  racers+=("$(sbatch --parsable --array="$raced" --cpus-per-task="$CPUS" --mem="$MEM" \
    --output="$SWEEP_DIR/slurm-%A_%a.log" deploy/slurm/sweep-array.sh)") || die "sbatch of a racer failed"
done

# The victim of the SIGKILL drill: cell $killed, on a "lost node" (its own host name, so no other task
# can tell from the process table that it is gone; only the heartbeat can). Submitted first, so it
# starts first.
cat >"$state/lost-node" <<'EOF'
#!/bin/sh
exec unshare --uts sh -c 'echo lost-node >/proc/sys/kernel/hostname && exec compresso "$@"' compresso "$@"
EOF
chmod 755 "$state/lost-node"
victim=$(COMPRESSO=$state/lost-node sbatch --parsable --array="$killed" --cpus-per-task="$CPUS" --mem="$MEM" \
  --output="$SWEEP_DIR/slurm-%A_%a.log" deploy/slurm/sweep-array.sh) || die "sbatch of the victim failed"
job_id() { sed -n 's/^Submitted batch job \([0-9]*\).*/\1/p' "$1"; }
sbatch --array=0-$((N-1)) --cpus-per-task="$CPUS" --mem="$MEM" --output="$SWEEP_DIR/slurm-%A_%a.log" deploy/slurm/sweep-array.sh | tee "$state/first.out"
first=$(job_id "$state/first.out")
[ -n "$first" ] || die "sbatch --array=0-$((N-1)) failed"
say "submitted jobs ${racers[*]} (both cell $raced), $victim (cell $killed on the lost node), then the array $first (0-$((N-1)))"

# ---- the drills, while the array runs -----------------------------------------------------------------
cell_dir() { echo "$SWEEP_DIR/${cells[$1]}"; }
is_done() { [ -f "$(cell_dir "$1")/cell.json" ]; }
pruned() { [ -f "$(cell_dir "$1")/model/prune-report.json" ]; }
attempt_dir() { echo "$SWEEP_DIR/locks/${cells[$1]}.attempt-$2"; }
attempts() { local n=0; while [ -d "$(attempt_dir "$1" "$n")" ]; do n=$((n + 1)); done; echo "$n"; }
json_field() { sed -n "s/.*\"$2\": *\"\{0,1\}\([^\",}]*\).*/\1/p" "$1"; }
# The cell's finished step outputs with their mtimes: what a later attempt must not redo.
steps() { (cd "$(cell_dir "$1")" && find . -type f \( -name prune-report.json -o -name '*.tflite' -o -name '*.json' \) \
  ! -name cell.json -printf '%p %T@\n' | sort); }
all_done() { local k; for k in $(seq 0 $((N - 1))); do is_done "$k" || return 1; done; }
task_state() { scontrol -o show job "$1" 2>/dev/null | sed -n 's/.* JobState=\([A-Z_]*\).*/\1/p' | head -1; }
kill_at= cancel_at= requeue_at= resubmitted=
drill_step() {
  if [ -z "$kill_at" ] && [ "$(json_field "$(attempt_dir $killed 0)/owner.json" host 2>/dev/null)" = lost-node ] \
      && pruned $killed && ! is_done $killed; then
    steps $killed >"$state/steps-$killed"
    kill -KILL "$(json_field "$(attempt_dir $killed 0)/owner.json" pid)" && kill_at=$(date +%s.%N)
    say "SIGKILL to the lost node's worker (cell ${cells[$killed]}, after: $(cut -d' ' -f1 "$state/steps-$killed" | tr '\n' ' '))"
  fi
  if [ -z "$cancel_at" ] && [ "$(task_state "${first}_$cancelled")" = RUNNING ] && pruned $cancelled \
      && ! is_done $cancelled; then
    steps $cancelled >"$state/steps-$cancelled"
    scancel "${first}_$cancelled" && cancel_at=$(date +%s.%N)
    say "scancel ${first}_$cancelled (cell ${cells[$cancelled]}, after: $(cut -d' ' -f1 "$state/steps-$cancelled" | tr '\n' ' '))"
  fi
  if [ -n "$cancel_at" ] && [ -z "$resubmitted" ] && [ "$(task_state "${first}_$cancelled")" = CANCELLED ]; then
    resubmitted=$(sbatch --parsable --array="$cancelled" --cpus-per-task="$CPUS" --mem="$MEM" \
      --output="$SWEEP_DIR/slurm-%A_%a.log" deploy/slurm/sweep-array.sh) || resubmitted=failed
    say "${first}_$cancelled is CANCELLED; resubmitted cell $cancelled as job $resubmitted"
  fi
  if [ -z "$requeue_at" ] && [ "$(task_state "${first}_$requeued")" = RUNNING ] && pruned $requeued \
      && ! is_done $requeued; then
    steps $requeued >"$state/steps-$requeued"
    scontrol requeue "${first}_$requeued" && requeue_at=$(date +%s.%N)
    say "scontrol requeue ${first}_$requeued (cell ${cells[$requeued]}, after: $(cut -d' ' -f1 "$state/steps-$requeued" | tr '\n' ' '))"
  fi
  return 1
}
sweep_over() { all_done && queue_empty; }
drills_and_wait() { drill_step; sweep_over; }
sweep_t0=$(date +%s)
wait_until $((timeout_s - 120)) "every cell done and the queue empty" drills_and_wait || true
sweep_wall=$(($(date +%s) - sweep_t0))
squeue_after_first=$(squeue -h 2>&1)
check "every cell done (cell.json) within the time limit" all_done
check "the queue drained" test -z "$squeue_after_first"
for d in kill_at cancel_at requeue_at; do
  [ -n "${!d}" ] || fail "drill ${d%_at} did not happen: its cell was never seen running between pruning and its end"
done

# ---- what the folder says -------------------------------------------------------------------------------
logs=("$SWEEP_DIR"/slurm-*.log)
cat "${logs[@]}" >"$state/all-tasks.log" 2>/dev/null || true
count() { grep -c -F -- "$1" "$state/all-tasks.log" || true; }
# The lines of one task log after it claimed attempt N of a cell (a requeued task appends to its log).
after_claim() { awk -v c="$2.attempt-$3" 'index($0, "runs cell") && index($0, c) {on = 1} on' "$1"; }
for k in $(seq 0 $((N - 1))); do
  id=${cells[$k]}
  want=1; case $k in "$killed" | "$cancelled" | "$requeued") want=2 ;; esac
  got="$(attempts "$k") $(count "runs cell $k ($id)") $(count "sweep: cell $id done in")"
  check "cell $k ($id): attempts, claims in the task logs, completions: $got (want $want $want 1)" test "$got" = "$want $want 1"
done
# An interrupted cell's second attempt keeps every step output the first one finished and reruns none of them.
kept_steps() {  # CELL: every step recorded when the drill struck has the same mtime now
  local f t
  [ -s "$state/steps-$1" ] || return 1
  while read -r f t; do [ "$(cd "$(cell_dir "$1")" && find "$f" -printf '%T@')" = "$t" ] || return 1; done <"$state/steps-$1"
}
no_prune_after() {  # LOG CELL ATTEMPT: that attempt ran, finished, and did not prune again
  local seg
  seg=$(after_claim "$1" "${cells[$2]}" "$3")
  [ -n "$seg" ] && grep -qF "sweep: cell ${cells[$2]} done in" <<<"$seg" && ! grep -qF "sweep: cell ${cells[$2]}: prune" <<<"$seg"
}
epoch_of() { date -d "$(scontrol -o show job "$1" | sed -n "s/.* $2=\([^ ]*\).*/\1/p")" +%s; }
race_ok() {
  local a=${racers[0]}_$raced b=${racers[1]}_$raced ran=0 waited=0 f
  [ "$(task_state "$a")" = COMPLETED ] && [ "$(task_state "$b")" = COMPLETED ] || return 1
  # They ran at the same time (Slurm's start and end times, to the second) ...
  [ "$(epoch_of "$a" StartTime)" -le "$(epoch_of "$b" EndTime)" ] && [ "$(epoch_of "$b" StartTime)" -le "$(epoch_of "$a" EndTime)" ] || return 1
  # ... one claimed the cell and the other found it done.
  for f in "$SWEEP_DIR/slurm-${racers[0]}_$raced.log" "$SWEEP_DIR/slurm-${racers[1]}_$raced.log"; do
    grep -qF "runs cell $raced (${cells[$raced]})" "$f" && ran=$((ran + 1))
    grep -qF "sweep: cell $raced (${cells[$raced]}) is done" "$f" && waited=$((waited + 1))
  done
  [ $ran = 1 ] && [ $waited = 1 ] && [ "$(attempts $raced)" = 1 ]
}
check "race: jobs ${racers[*]} ran cell $raced (${cells[$raced]}) at the same time; one claimed it, the other waited and found it done; 1 attempt" race_ok
if [ -n "$kill_at" ]; then
  id=${cells[$killed]}
  last_beat=$(find "$(attempt_dir $killed 0)/heartbeat" -printf '%T@')
  took=$(find "$(attempt_dir $killed 1)/owner.json" -printf '%T@' 2>/dev/null || echo 0)
  started=$(epoch_of "${first}_$killed" StartTime)
  after=$(awk -v a="$took" -v b="$last_beat" 'BEGIN {printf "%.1f", a - b}')
  waited=$(awk -v a="$took" -v b="$last_beat" -v s="$started" 'BEGIN {printf "%.1f", a - (s > b ? s : b)}')
  # Not before the lease has passed since the last beat; and not much later than the lease after the task
  # could first see that beat (its JVM's start and a poll second aside).
  check "SIGKILL drill: cell $id's stale lease (host lost-node) taken over by array task ${first}_$killed $after s after the last heartbeat (lease $lease_s s; $waited s after it could first see it)" \
    awk -v d="$after" -v w="$waited" -v l="$lease_s" 'BEGIN {exit !(d >= l && w < l + 60)}'
  check "SIGKILL drill: attempt 2 ran on $(json_field "$(attempt_dir $killed 1)/owner.json" host), kept the steps that had finished, did not prune again" \
    eval 'kept_steps $killed && no_prune_after "$SWEEP_DIR/slurm-${first}_$killed.log" $killed 1'
  check "SIGKILL drill: Slurm recorded the victim $victim as FAILED" test "$(task_state "${victim}_$killed")" = FAILED
fi
if [ -n "$cancel_at" ]; then
  id=${cells[$cancelled]}
  check "scancel drill: ${first}_$cancelled CANCELLED mid-cell; the resubmission $resubmitted finished cell $id as attempt 2 from the steps that had finished" \
    eval 'test "$(task_state "${first}_$cancelled")" = CANCELLED && kept_steps $cancelled && no_prune_after "$SWEEP_DIR/slurm-${resubmitted}_$cancelled.log" $cancelled 1'
fi
if [ -n "$requeue_at" ]; then
  id=${cells[$requeued]}
  restarts=$(scontrol -o show job "${first}_$requeued" | sed -n 's/.* Restarts=\([0-9]*\).*/\1/p')
  check "requeue drill: ${first}_$requeued requeued by Slurm (Restarts=$restarts), finished cell $id as attempt 2 from the steps that had finished" \
    eval 'test "$restarts" = 1 && test "$(task_state "${first}_$requeued")" = COMPLETED && kept_steps $requeued && no_prune_after "$SWEEP_DIR/slurm-${first}_$requeued.log" $requeued 1'
fi

# ---- a second array over the finished folder runs nothing --------------------------------------------------
before=$(for k in $(seq 0 $((N - 1))); do echo "$k $(attempts "$k") $(find "$(cell_dir "$k")/cell.json" -printf '%T@')"; done)
sbatch --array=0-$((N-1)) --cpus-per-task="$CPUS" --mem="$MEM" --output="$SWEEP_DIR/slurm-%A_%a.log" deploy/slurm/sweep-array.sh | tee "$state/second.out"
second=$(job_id "$state/second.out")
t_second=$(date +%s)
wait_until 300 "the second array to finish" queue_empty || true
second_wall=$(($(date +%s) - t_second))
after=$(for k in $(seq 0 $((N - 1))); do echo "$k $(attempts "$k") $(find "$(cell_dir "$k")/cell.json" -printf '%T@')"; done)
second_ok() {
  local k
  [ -n "$second" ] && [ "$before" = "$after" ] || return 1
  for k in $(seq 0 $((N - 1))); do
    [ "$(task_state "${second}_$k")" = COMPLETED ] && grep -qF "sweep: cell $k (${cells[$k]}) is done" "$SWEEP_DIR/slurm-${second}_$k.log" || return 1
  done
}
check "a second array ($second, 0-$((N-1))) over the same folder: every task COMPLETED saying its cell is done, no new attempt, no cell.json rewritten (${second_wall} s)" second_ok

# ---- the report ------------------------------------------------------------------------------------------
compresso sweep --report --out "$SWEEP_DIR" >"$state/report.out" 2>&1 && report_rc=0 || report_rc=$?
check "compresso sweep --report: exit $report_rc, '$(tail -n 1 "$state/report.out")'" \
  eval 'test $report_rc = 0 && grep -qF "$N of $N cells done" "$state/report.out"'
sed -n '/^| sparsity/,/^$/p' "$state/report.out" | head -n $((2 * N + 2))
summary="$N cells, each completed once; attempts $(for k in $(seq 0 $((N - 1))); do printf '%s=%s ' "${cells[$k]}" "$(attempts "$k")"; done| sed 's/ $//'); the array and drills took ${sweep_wall} s, the second array ${second_wall} s"
}

main "$@"
exit
