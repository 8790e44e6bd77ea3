#!/bin/sh
# Starts linux.uml for runLab.ts and ties its life to the runner's:
#   launch.sh OWNER_PID linux.uml ARGS...
# runLab.ts spawns this script as the leader of a new process group (detached), so linux.uml and
# every helper process it forks (one host process per address space inside the lab) are in that
# group, and one `kill -KILL -PGID` ends them all. A plain `timeout linux.uml` would kill only the
# main process and leave the helpers running.
#
# If the runner itself dies (a jest worker killed, Ctrl-C on the CLI) nobody would send that kill:
# a watchdog polls the owner pid and kills the whole group once it is gone.
owner=$1
shift

"$@" </dev/null &
uml=$!

(
  while kill -0 "$owner" 2>/dev/null; do sleep 1; done
  kill -KILL 0
) </dev/null >/dev/null 2>&1 &
watchdog=$!

wait "$uml"
status=$?
kill "$watchdog" 2>/dev/null
exit "$status"
