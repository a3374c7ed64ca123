# A throw-away Slurm cluster of one node on this machine, for the job-array test: munged
# with its own key and socket, slurmctld and slurmd with their own config, ports, state
# and logs in $slurm_dir. slurm_up returns non-zero (and says why) when the daemons cannot
# run here (not root, packages missing, a container without the needed privileges).
slurm_dir=""
slurm_up() {
  slurm_dir=$1
  local port_base=${2:-16817}
  for b in munged slurmctld slurmd sbatch squeue scancel; do
    command -v "$b" >/dev/null 2>&1 || { echo "$b not installed (apt-get install -y slurm-wlm munge)"; return 1; }
  done
  [ "$(id -u)" = 0 ] || { echo "the Slurm daemons need root here"; return 1; }
  mkdir -p "$slurm_dir"/{state,spool,munge}
  chmod 700 "$slurm_dir/munge"
  dd if=/dev/urandom of="$slurm_dir/munge/munge.key" bs=1024 count=1 status=none
  chmod 400 "$slurm_dir/munge/munge.key"
  munged --force --key-file="$slurm_dir/munge/munge.key" --socket="$slurm_dir/munge/munge.sock" \
    --pid-file="$slurm_dir/munge/munged.pid" --log-file="$slurm_dir/munge/munged.log" \
    --seed-file="$slurm_dir/munge/munged.seed" || { echo "munged did not start"; return 1; }
  local host cpus
  host=$(hostname -s)
  cpus=$(nproc)
  cat >"$slurm_dir/slurm.conf" <<CONF
ClusterName=toonboxtest
SlurmctldHost=$host
SlurmUser=root
SlurmdUser=root
SlurmctldPort=$port_base
SlurmdPort=$((port_base + 1))
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$slurm_dir/munge/munge.sock
StateSaveLocation=$slurm_dir/state
SlurmdSpoolDir=$slurm_dir/spool
SlurmctldPidFile=$slurm_dir/slurmctld.pid
SlurmdPidFile=$slurm_dir/slurmd.pid
SlurmctldLogFile=$slurm_dir/slurmctld.log
SlurmdLogFile=$slurm_dir/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
MpiDefault=none
ReturnToService=2
SchedulerType=sched/builtin
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
SlurmdTimeout=30
InactiveLimit=0
KillWait=5
NodeName=$host CPUs=$cpus State=UNKNOWN
PartitionName=toonbox Nodes=$host Default=YES MaxTime=INFINITE State=UP
CONF
  export SLURM_CONF="$slurm_dir/slurm.conf"
  slurmctld -f "$SLURM_CONF" -i || { echo "slurmctld did not start: $(tail -3 "$slurm_dir/slurmctld.log" 2>/dev/null)"; return 1; }
  slurmd -f "$SLURM_CONF" || { echo "slurmd did not start: $(tail -3 "$slurm_dir/slurmd.log" 2>/dev/null)"; return 1; }
  local i
  for i in $(seq 1 60); do
    if sinfo -h -o '%T' 2>/dev/null | grep -qE '^(idle|mixed|allocated)'; then return 0; fi
    sleep 0.5
  done
  echo "the node never became idle: $(sinfo 2>&1 | tail -2); $(tail -3 "$slurm_dir/slurmd.log" 2>/dev/null)"
  return 1
}

slurm_down() {
  [ -n "$slurm_dir" ] || return 0
  local f
  for f in slurmd.pid slurmctld.pid munge/munged.pid; do
    [ -f "$slurm_dir/$f" ] && kill "$(cat "$slurm_dir/$f")" 2>/dev/null
  done
  sleep 1
  for f in slurmd.pid slurmctld.pid munge/munged.pid; do
    [ -f "$slurm_dir/$f" ] && kill -9 "$(cat "$slurm_dir/$f")" 2>/dev/null
  done
  return 0
}
