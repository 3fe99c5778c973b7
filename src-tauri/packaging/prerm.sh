#!/bin/sh
# Runs before the package's files go: as the Debian prerm (argument "remove", or "upgrade"
# and others) and as the RPM %preun (argument 0 on an erase, 1 on an upgrade). Only a removal
# does anything; an upgrade leaves running instances and start-at-login entries alone.
#
# 1. Every running resident and window of this package is stopped (TERM, then KILL after 5 s),
#    found by its executable, so a development build of the same name is never touched.
# 2. The start-at-login entry ($XDG_CONFIG_HOME/autostart/outage-notifier.desktop) is removed
#    where this script can see it: in the XDG_CONFIG_HOME of each user who was running the
#    resident, and in ~/.config of every account in the password database. Only an entry that
#    names the installed binary (TryExec=/usr/bin/outage-notifier) is removed. An entry out of
#    reach (a home not mounted now, a custom XDG_CONFIG_HOME of a user not running the app)
#    stays; its TryExec makes desktops skip it while the binary is absent.
set -u

case "${1:-}" in
    remove | 0) ;;
    *) exit 0 ;;
esac

RESIDENT=/usr/bin/outage-notifier
WINDOW=/usr/bin/outage-notifier-window
ENTRY=autostart/outage-notifier.desktop

ours() {
    # The pids of running processes of this package's two binaries.
    for proc in /proc/[0-9]*; do
        exe=$(readlink "$proc/exe" 2>/dev/null) || continue
        case "$exe" in
            "$RESIDENT" | "$WINDOW" | "$RESIDENT (deleted)" | "$WINDOW (deleted)") echo "${proc#/proc/}" ;;
        esac
    done
}

remove_entry() {
    # $1: an autostart entry's path; removed only if it is a plain file written for this package.
    if [ -f "$1" ] && [ ! -L "$1" ] && grep -qx "TryExec=$RESIDENT" "$1" 2>/dev/null; then
        rm -f "$1"
    fi
}

for pid in $(ours); do
    environ=$(tr '\0' '\n' 2>/dev/null <"/proc/$pid/environ") || continue
    config=$(printf '%s\n' "$environ" | sed -n 's/^XDG_CONFIG_HOME=//p' | head -n 1)
    home=$(printf '%s\n' "$environ" | sed -n 's/^HOME=//p' | head -n 1)
    case "$config" in
        /*) remove_entry "$config/$ENTRY" ;;
        *) [ -n "$home" ] && remove_entry "$home/.config/$ENTRY" ;;
    esac
    kill -TERM "$pid" 2>/dev/null
done

getent passwd | cut -d: -f6 | sort -u | while read -r home; do
    case "$home" in
        /*) [ "$home" != / ] && remove_entry "$home/.config/$ENTRY" ;;
    esac
done

waited=0
while [ -n "$(ours)" ] && [ "$waited" -lt 50 ]; do
    sleep 0.1
    waited=$((waited + 1))
done
for pid in $(ours); do
    kill -KILL "$pid" 2>/dev/null
done
exit 0
