# disk: used space, free space and inodes per filesystem, and a fill
# forecast from the recent growth rate. Built into vakt.
#
# Lines starting with "# " show every setting at its default (or, for a
# setting without one, an example); remove the "# " to change one.
# Ranges are Nagios ranges: "90" alerts above 90, "10GB:" alerts below
# 10 GB, "@0:5" alerts from 0 to 5.
check "disk" {
  plugin = "disk"
  config {
    ## Paths to check, each on the filesystem that holds it, reported by the
    ## path as written. Unset: every real filesystem in
    ## /proc/self/mountinfo, once per filesystem, by its mount point.
    # mounts = ["/", "/var"]

    ## A path in mounts must be a mount point; one that is not (a disk that
    ## did not mount, leaving its empty directory on /) is CRITICAL.
    # exact_match = false

    ## Filesystem types left out when mounts is unset. / is always checked.
    # ignore_fs = [
    #   "aufs", "autofs", "binfmt_misc", "bpf", "cgroup", "cgroup2", "configfs",
    #   "debugfs", "devpts", "devtmpfs", "efivarfs", "fuse.gvfsd-fuse", "fuse.lxcfs",
    #   "fuse.portal", "fusectl", "hugetlbfs", "iso9660", "mqueue", "nsfs", "overlay",
    #   "proc", "pstore", "ramfs", "rpc_pipefs", "securityfs", "selinuxfs", "squashfs",
    #   "sysfs", "tmpfs", "tracefs",
    # ]

    ## Used percent, as df shows it (root's reserved blocks are not free).
    # warning  = "90"
    # critical = "95"

    ## Free space available to non-root users, in bytes with a unit
    ## (B, KB, MB, GB, TB, PB; powers of 1024). "10GB:" alerts below 10 GB.
    # free_warning  = "10GB:"
    # free_critical = "2GB:"

    ## Used space in bytes with a unit. "500GB" alerts above 500 GB.
    # used_warning  = "500GB"
    # used_critical = "900GB"

    ## Used inode percent; filesystems that do not count inodes are left out.
    # inodes_warning  = "90"
    # inodes_critical = "95"

    ## Fill forecast: alert when, at the growth rate fitted over the last
    ## forecast_window, the free space is gone within this many hours.
    ## 0 turns a level off. The forecast needs forecast_min_span of samples
    ## (at least 3) before it says anything.
    # forecast_warning  = 0
    # forecast_critical = 0
    # forecast_window   = "6h"
    # forecast_min_span = "1h"
  }
}
