/**
 * Linux capabilities every block's containers run without, on the Docker engine and on k3s alike.
 * Dropped from Docker's default set: raw sockets (ping spoofing, ARP tricks), device nodes,
 * audit writes, file capabilities, chroot and capability transfer. What stays covers the
 * usual entrypoints of postgres, redis, nginx and the like: chown the data folder, bind a
 * low port, then switch to their own user (CHOWN, DAC_OVERRIDE, FOWNER, FSETID, KILL,
 * SETGID, SETUID, NET_BIND_SERVICE).
 */
export const DROPPED_CAPABILITIES = ["NET_RAW", "MKNOD", "AUDIT_WRITE", "SETFCAP", "SYS_CHROOT", "SETPCAP"] as const;
