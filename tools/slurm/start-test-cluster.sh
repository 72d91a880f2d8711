#!/usr/bin/env bash
# A one-node Slurm cluster for the executor's integration test, started the way an admin would start one on a
# single machine: Debian's munge, slurmctld and slurmd, a minimal slurm.conf (one node, one partition,
# proctrack/linuxproc, task/none, no cgroups), daemons started directly (no systemd). Job completion records go
# to a text file, so `sacct --completion` answers without a database.
#
#   sudo tools/slurm/start-test-cluster.sh     # installs the packages with apt when they are missing
#   tools/slurm/stop-test-cluster.sh
#
# Idempotent: when the cluster answers already it only says so. State, logs and the completion file live under
# $ZLS_SLURM_STATE (default /var/tmp/zls-slurm). The config goes to /etc/slurm/slurm.conf unless a slurm.conf
# that this script did not write is there (a real cluster's); then it stops without touching anything.
set -euo pipefail

STATE=${ZLS_SLURM_STATE:-/var/tmp/zls-slurm}
CONF=/etc/slurm/slurm.conf
MARK='# zls one-node test cluster (tools/slurm/start-test-cluster.sh)'

say() { echo "start-test-cluster: $*"; }
die() { echo "start-test-cluster: $*" >&2; exit 1; }

node_state() { timeout 10 sinfo -h -N -o '%t' 2>/dev/null | head -n1; }

if command -v sinfo >/dev/null 2>&1 && [ -f "$CONF" ] && grep -qF "$MARK" "$CONF" && [[ "$(node_state)" =~ ^(idle|mix|alloc) ]]; then
  say "already running ($(timeout 10 sinfo -h -o '%P %D node(s) %t' | head -n1))"
  exit 0
fi

[ "$(id -u)" = 0 ] || die "needs root (it installs packages, writes $CONF and starts the daemons as root/slurm/munge)"

if ! command -v slurmctld >/dev/null || ! command -v slurmd >/dev/null || ! command -v sbatch >/dev/null || ! command -v munged >/dev/null; then
  say "installing slurmctld slurmd slurm-client munge with apt"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq slurmctld slurmd slurm-client munge >/dev/null
fi

if [ -f "$CONF" ] && ! grep -qF "$MARK" "$CONF"; then
  die "$CONF exists and was not written by this script (a real cluster?); not touching it"
fi

HOST=$(hostname -s)
CPUS=$(nproc --all)
MEM_MB=$(( $(awk '/^MemTotal:/ {print $2}' /proc/meminfo) / 1024 * 9 / 10 ))

mkdir -p "$STATE"/{ctld,spool,log,run} /etc/slurm
chown -R slurm:slurm "$STATE"/ctld "$STATE"/log "$STATE"/run
chmod 755 "$STATE" "$STATE"/ctld "$STATE"/log "$STATE"/run
touch "$STATE/log/jobcomp.txt" && chown slurm:slurm "$STATE/log/jobcomp.txt"

cat > "$CONF" <<CONF
$MARK
ClusterName=zls-test
SlurmctldHost=$HOST
SlurmUser=slurm
AuthType=auth/munge
CredType=cred/munge
MpiDefault=none
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/filetxt
JobCompLoc=$STATE/log/jobcomp.txt
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
ReturnToService=2
StateSaveLocation=$STATE/ctld
SlurmdSpoolDir=$STATE/spool
SlurmctldPidFile=$STATE/run/slurmctld.pid
SlurmdPidFile=$STATE/run/slurmd.pid
SlurmctldLogFile=$STATE/log/slurmctld.log
SlurmdLogFile=$STATE/log/slurmd.log
SlurmctldTimeout=30
SlurmdTimeout=60
MinJobAge=300
NodeName=$HOST CPUs=$CPUS RealMemory=$MEM_MB State=UNKNOWN
PartitionName=debug Nodes=$HOST Default=YES MaxTime=INFINITE State=UP
CONF
chmod 644 "$CONF"

# munge: its runtime folders (systemd's tmpfiles would make them), then the daemon as the munge user.
mkdir -p /run/munge /var/log/munge /var/lib/munge
chown munge:munge /run/munge /var/log/munge /var/lib/munge
chmod 755 /run/munge
[ -s /etc/munge/munge.key ] || { mungekey --create --keyfile=/etc/munge/munge.key; chown munge:munge /etc/munge/munge.key; chmod 600 /etc/munge/munge.key; }
if ! munge -n </dev/null 2>/dev/null | unmunge >/dev/null 2>&1; then
  runuser -u munge -- /usr/sbin/munged --force
  for _ in $(seq 50); do munge -n </dev/null 2>/dev/null | unmunge >/dev/null 2>&1 && break; sleep 0.2; done
fi
munge -n </dev/null | unmunge >/dev/null || die "munged does not answer (see /var/log/munge/munged.log)"

running() { [ -f "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }
running "$STATE/run/slurmctld.pid" || /usr/sbin/slurmctld
for _ in $(seq 50); do timeout 5 scontrol ping 2>/dev/null | grep -q UP && break; sleep 0.2; done
running "$STATE/run/slurmd.pid" || /usr/sbin/slurmd

# The node registers within a few seconds; a node left down by an earlier unclean stop is put back.
for i in $(seq 60); do
  s=$(node_state || true)
  case "$s" in
    idle*|mix*|alloc*) say "up: $(sinfo -h -o '%P %D node(s) %c CPUs %t' | head -n1), state and logs in $STATE"; exit 0 ;;
    down*|drain*|drng*) scontrol update NodeName="$HOST" State=RESUME >/dev/null 2>&1 || true ;;
  esac
  sleep 0.5
done
die "the node did not come up (state '${s:-none}'); see $STATE/log/slurmctld.log and $STATE/log/slurmd.log"
