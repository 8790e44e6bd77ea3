#!/bin/sh
# Starts linux.uml for runLab.ts and ties its life to the runner's:
#   launch.sh OWNER_PIDS linux.uml ARGS...        (OWNER_PIDS: comma-separated)
# Writes linux.uml's pid to file descriptor 3 (a pipe runLab.ts reads), then waits for it to end
# and exits with its status.
#
# linux.uml calls setsid() at start: it and every helper process it forks (one host process per
# address space inside the lab) form a process group of their own, whose id is linux.uml's pid.
# One `kill -KILL -PID` ends them all; a plain `timeout linux.uml` would kill only the main process
# and leave the helpers running. runLab.ts spawns this script detached, in a group of its own too.
#
# If the runner itself dies (a jest worker killed, Ctrl-C on the CLI) nobody would send that kill:
# a watchdog polls the owner pids (the runner, and whoever started it and waits for it) and as soon
# as one is gone kills linux.uml's group and this script's.
owners=$(echo "$1" | tr ',' ' ')
shift

owners_alive() {
  for pid in $owners; do kill -0 "$pid" 2>/dev/null || return 1; done
}

"$@" </dev/null 3>&- &
uml=$!
echo "$uml" >&3
exec 3>&-

# Every process here is waited for before this script exits: an orphan would be reparented to the
# machine's PID 1 and linger as a zombie in the group until that reaps it, and runLab.ts waits for
# the group to be empty.
(
  sleeper=
  trap 'kill "$sleeper" 2>/dev/null; wait; exit 0' TERM
  while owners_alive; do
    sleep 1 &
    sleeper=$!
    wait "$sleeper"
  done
  kill -KILL -"$uml" 2>/dev/null
  kill -KILL "$uml" 2>/dev/null
  kill -KILL 0
) </dev/null >/dev/null 2>&1 &
watchdog=$!

wait "$uml"
status=$?
# After a poweroff the group is empty. If linux.uml itself died (killed, crashed), its I/O helper
# processes stay, holding the console pipe open: the runner would wait for its timeout.
kill -KILL -"$uml" 2>/dev/null
kill "$watchdog" 2>/dev/null
wait "$watchdog"
exit "$status"
