#!/usr/bin/env bash
# Stops the daemons that tools/slurm/start-test-cluster.sh started (by the pids in their pid files), cancelling
# what is still queued first. munged stays up unless --all is given (other tools may use it).
set -uo pipefail

STATE=${ZLS_SLURM_STATE:-/var/tmp/zls-slurm}
say() { echo "stop-test-cluster: $*"; }

stop_pid_file() { # name pid-file
  local pid
  [ -f "$2" ] || return 0
  pid=$(cat "$2")
  if kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid"
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
    kill -0 "$pid" 2>/dev/null && kill -KILL "$pid"
    say "stopped $1 (pid $pid)"
  fi
  rm -f "$2"
}

if command -v scancel >/dev/null 2>&1 && [ -f "$STATE/run/slurmctld.pid" ]; then
  timeout 10 scancel --user="$(id -un)" >/dev/null 2>&1 || true
fi
stop_pid_file slurmd "$STATE/run/slurmd.pid"
stop_pid_file slurmctld "$STATE/run/slurmctld.pid"
if [ "${1:-}" = --all ]; then stop_pid_file munged /run/munge/munged.pid; fi
exit 0
