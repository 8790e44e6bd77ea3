#!/bin/sh
# PID 1 of a lab instance: a user-mode Linux kernel whose root is this machine's `/`, seen through
# hostfs. runLab.ts boots it with `init=<this file>`; it prepares a small private world, runs the
# command the runner wrote into the state dir, writes the exit code and powers off.
#
# What must never happen: a write to the machine's disk outside the lab's state dir. The root is
# mounted read-only (`ro` on the kernel command line) and only the state dir is mounted again
# read-write on top of itself, so a stray write fails with EROFS instead of landing on the machine.
# Everything a command may scribble on (/run, /tmp, /var/tmp, /dev/shm, $HOME) is a private tmpfs.
# That hides the machine's files there: a repository cloned under /tmp (as CI does) is mounted from
# the machine again at its own path, read-only, on top of the tmpfs; the state dir may lie there too.
#
# Input: the kernel passes unknown `name=value` parameters to init as environment variables:
#   mvnet_lab_state    the state dir (absolute, on the machine's disk); survives reboots
#   mvnet_lab_ro_dirs  colon-separated directories of the machine under /tmp, /run, /var/tmp or
#                      /dev/shm to show read-only at their path (the repository, the working dir);
#                      runLab.ts passes it only when there are some
# Both hold only `A-Z a-z 0-9 . _ + - /` (runLab.ts checks): hostfs takes its host path as the mount
# options, which split on commas.
# The runner's own files live in $mvnet_lab_state/.lab: `command.sh` (written by the runner),
# `output` (the command's stdout and stderr), `exit-code` (written last, atomically), `boot-times`
# (the kernel's uptime when the command started and ended), `dmesg` (the kernel log, at the end).
# Console lines starting with `mvnet-lab:` mark the stages; the runner times them.

PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
export PATH

say() { echo "mvnet-lab: $*" >/dev/console 2>&1 || echo "mvnet-lab: $*"; }

# There is nothing to return to: PID 1 exiting would panic the kernel. Power off instead, and if
# that fails too, the sysrq trigger does it without any userspace.
power_off() {
  sync
  poweroff -f >/dev/null 2>&1
  echo o >/proc/sysrq-trigger
  sleep 5
  exit 1
}

fail() {
  say "init failed: $*"
  power_off
}

mount_once() { # type source target [options]
  mountpoint -q "$3" && return 0
  mount -t "$1" ${4:+-o "$4"} "$2" "$3" || fail "cannot mount $1 on $3"
}

state=${mvnet_lab_state:-}
[ -n "$state" ] || fail 'no mvnet_lab_state= on the kernel command line'
lab="$state/.lab"

mount_once proc proc /proc
mount_once sysfs sysfs /sys
mount_once devtmpfs devtmpfs /dev
mkdir -p /dev/pts /dev/shm 2>/dev/null
mount_once devpts devpts /dev/pts
mount_once tmpfs tmpfs /dev/shm mode=1777

# Private scratch space: the root is the machine's own disk.
mount_once tmpfs tmpfs /run mode=0755
mount_once tmpfs tmpfs /tmp mode=1777
mount_once tmpfs tmpfs /var/tmp mode=1777

# The machine's directories the command needs that these tmpfs just hid: the repository cloned under
# /tmp, say (this very script may be among them: sh has it open and reads on). Read-only, like the
# root. runLab.ts passes none inside another, so the order does not matter.
old_ifs=$IFS
IFS=:
for dir in ${mvnet_lab_ro_dirs:-}; do
  mkdir -p "$dir" && mount -t hostfs -o "ro,$dir" hostfs "$dir" || fail "cannot mount $dir read-only"
done
IFS=$old_ifs

# The state dir is the one place on the machine's disk a command may write to. Mounted last: it may
# lie in one of the directories above. Under a private tmpfs, its mount point is made there first.
[ -d "$state" ] || mkdir -p "$state" || fail "cannot make a mount point for the state dir $state"
mount -t hostfs -o "$state" hostfs "$state" || fail "cannot mount $state read-write"
[ -d "$lab" ] || fail "state dir $state has no .lab/ (the runner creates it)"

# Modules: the machine has no /lib/modules (and the root is read-only, so no mount point can be made
# there). Mount the UML modules under a root of their own on the tmpfs and point modprobe at it with
# `-d`; a wrapper registered as the kernel's modprobe makes the kernel's own module requests
# (`ip link add type vlan` asks for rtnl-link-vlan) use the same tree.
kernel=$(uname -r)
modroot=/run/lab/modroot
mkdir -p "$modroot/lib/modules/$kernel"
mount -t hostfs -o "/usr/lib/uml/modules/$kernel" hostfs "$modroot/lib/modules/$kernel" ||
  fail "cannot mount /usr/lib/uml/modules/$kernel (is user-mode-linux installed?)"
cat >/run/lab/modprobe <<EOF
#!/bin/sh
exec /usr/sbin/modprobe -d $modroot "\$@"
EOF
chmod 0755 /run/lab/modprobe
echo /run/lab/modprobe >/proc/sys/kernel/modprobe
/run/lab/modprobe -a ipv6 8021q macvlan ipvlan veth bridge dummy bonding ||
  fail 'modprobe failed'

# Named network namespaces live under /run/netns, which is the private tmpfs.
mkdir -p /run/netns
ip link set lo up
hostname mvnet-lab 2>/dev/null

mkdir -p /tmp/home
HOME=/tmp/home
MVNET_LAB_STATE=$state
export HOME MVNET_LAB_STATE
unset mvnet_lab_state mvnet_lab_ro_dirs

read -r uptime _ </proc/uptime
echo "$uptime" >"$lab/boot-times"
say "booted in ${uptime}s"
# From here on only warnings and worse reach the console, which carries the command's output; the
# kernel's informational lines ("bond0: making interface the new active one") go to .lab/dmesg.
dmesg -n 4 2>/dev/null

# The command's exit code goes through a file: in a pipeline only the last command's status survives
# in POSIX sh. tee copies the output to the console, which the runner streams.
rm -f "$lab/exit-code" "$lab/exit-code.tmp"
{
  cd "$state" && sh "$lab/command.sh"
  echo $? >"$lab/exit-code.tmp"
} 2>&1 </dev/null | tee "$lab/output" >/dev/console
status=$(cat "$lab/exit-code.tmp" 2>/dev/null || echo 255)

read -r uptime _ </proc/uptime
echo "$uptime" >>"$lab/boot-times"
dmesg >"$lab/dmesg" 2>&1
sync
mv "$lab/exit-code.tmp" "$lab/exit-code" 2>/dev/null || echo "$status" >"$lab/exit-code"
say "command exited with $status after ${uptime}s"
power_off
