/*
 * isoplay-init: the sandbox's lean init, and the only way into a sandbox.
 *
 * Why C: a sandbox must start in milliseconds (a shell-script init costs ~35 process launches,
 * ~100 ms) and its PID 1 must reap zombies. This program does every setup step in one process.
 * It decides nothing: the TypeScript builder (server/sandbox/namespaces/args.ts and
 * server/sandbox/rootfs/layout.ts) emits a list of setup operations, bubblewrap style, and this
 * program validates each one and executes them in order.
 *
 *   isoplay-init create  < OPS
 *     OPS (stdin) are NUL-terminated fields: an operation's name, then exactly its arguments (the
 *     table OPS[] below; server/sandbox/init/ops.ts is the other half of the contract).
 *     Prints "ready <host pid of the sandbox's PID 1> <its start time>" once the sandbox is set up,
 *     then stays as its monitor: it dies with the server (PR_SET_PDEATHSIG), SIGTERM ends the
 *     sandbox, and it exits with init's status when init dies.
 *
 *   isoplay-init enter --pid PID --start TICKS --monitor PID --cgroup PATH --ns KINDS
 *                      [--join-procs FILE]... [--cwd DIR] [--env K=V]... [--no-seccomp]
 *                      [--exit-handshake] -- ARGV...
 *     opens a pidfd of PID, refuses unless it is still the recorded init (start time, parent,
 *     cgroup), joins the cgroups, then every namespace with one setns(pidfd) call, becomes root
 *     inside, forks (the pid namespace applies to children) and runs ARGV with a clean
 *     environment under the syscall filter. Exits with ARGV's status; 111 when the sandbox is gone.
 *
 * Hygiene: the first statement of both modes closes every inherited fd above 2 (the server's PTY
 * masters and pipes are not close-on-exec, and a learner's shell must never hold another
 * learner's terminal). Numbers are parsed whole or refused; paths are absolute without "." or "..".
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <net/if.h>
#include <poll.h>
#include <sched.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <seccomp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#define EXIT_STALE 111         /* enter: the pid is no longer this sandbox's init */
#define EXIT_HELPER 125        /* the helper itself failed or refused its input: never the command's own exit */
/* Every sandbox process is among the first the host's OOM killer takes, before the server. (Raising
   needs no privilege; a learner may lower it back to 0, never below: that needs CAP_SYS_RESOURCE.) */
#define SANDBOX_OOM_SCORE_ADJ "500"
#define MAX_STREAM (4 << 20)   /* bytes of setup operations */
#define MAX_OPS 4096
#define MAX_FIELD 65536
#define MAX_LIST 256           /* enter: --join-procs and --env entries */

static int report_fd = -1;          /* child -> monitor: "ok" or the failing operation */
static char *args_start, *args_end; /* our argv area, blanked once set-up is done */

static void die(const char *fmt, ...) {
  int saved = errno; /* before anything below can change it */
  char buf[1024];
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(buf, sizeof buf - 2, fmt, ap);
  va_end(ap);
  if (n < 0) n = 0;
  if (n > (int)sizeof buf - 2) n = sizeof buf - 2;
  if (saved) n += snprintf(buf + n, sizeof buf - n, ": %s", strerror(saved));
  if (n > (int)sizeof buf - 2) n = sizeof buf - 2;
  buf[n++] = '\n';
  if (report_fd >= 0 && write(report_fd, buf, n) < 0) {}
  if (write(2, "isoplay-init: ", 14) < 0 || write(2, buf, n) < 0) {}
  _exit(EXIT_HELPER);
}

/* A refusal of the input, not a system call's failure: no errno in the message. */
#define refuse(...) do { errno = 0; die(__VA_ARGS__); } while (0)

static void close_inherited(void) {
  if (syscall(SYS_close_range, 3U, ~0U, 0U) == 0) return;
  /* close_range needs Linux 5.9: fall back to closing one by one. */
  long max = sysconf(_SC_OPEN_MAX);
  for (long fd = 3; fd < (max > 0 ? max : 65536); fd++) close((int)fd);
}

static long long parse_num(const char *s, long long min, long long max, int base, const char *what) {
  if (!s || !*s) refuse("%s: empty number", what);
  char *end;
  errno = 0;
  long long v = strtoll(s, &end, base);
  if (errno || *end || v < min || v > max) refuse("%s: bad number \"%.40s\" (expected %lld..%lld)", what, s, min, max);
  return v;
}

/* An absolute path without empty, "." or ".." components, short enough to prefix. */
static void check_path(const char *p, const char *what) {
  if (!p || p[0] != '/') refuse("%s: path \"%.80s\" is not absolute", what, p ? p : "");
  if (strlen(p) > 1024) refuse("%s: path too long", what);
  const char *c = p;
  while (*c) {
    while (*c == '/') c++;
    const char *e = strchr(c, '/');
    size_t len = e ? (size_t)(e - c) : strlen(c);
    if ((len == 1 && c[0] == '.') || (len == 2 && c[0] == '.' && c[1] == '.')) refuse("%s: path \"%.80s\" has . or ..", what, p);
    if (e && e[1] == '/') refuse("%s: path \"%.80s\" has an empty component", what, p);
    c += len;
  }
}

static void write_file(const char *path, const char *content) {
  int fd = open(path, O_WRONLY | O_CLOEXEC);
  if (fd < 0) die("open %s", path);
  size_t len = strlen(content);
  if (write(fd, content, len) != (ssize_t)len) die("write %s", path);
  close(fd);
}

static void write_pid(const char *path, pid_t pid) {
  char buf[32];
  snprintf(buf, sizeof buf, "%d\n", pid);
  write_file(path, buf);
}

/* Field 22 of /proc/PID/stat (start time in clock ticks) and field 4 (parent), or -1. */
static int read_stat(pid_t pid, unsigned long long *start, pid_t *ppid) {
  char path[64], buf[1024];
  snprintf(path, sizeof path, "/proc/%d/stat", pid);
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return -1;
  ssize_t n = read(fd, buf, sizeof buf - 1);
  close(fd);
  if (n <= 0) return -1;
  buf[n] = 0;
  char *p = strrchr(buf, ')');
  if (!p) return -1;
  p += 2; /* field 3, the state */
  int field = 3;
  unsigned long long st = 0;
  long long pp = -1;
  for (char *tok = strtok(p, " "); tok; tok = strtok(NULL, " "), field++) {
    if (field == 4) pp = strtoll(tok, NULL, 10);
    if (field == 22) { st = strtoull(tok, NULL, 10); break; }
  }
  if (field != 22) return -1;
  *start = st;
  *ppid = (pid_t)pp;
  return 0;
}

/* ------------------------------------------------------------------ the operations */
enum kind { OP_SETTING, OP_ROOT };
struct opdef { const char *name; int arity; enum kind kind; };
static const struct opdef OPS[] = {
  {"id", 1, OP_SETTING}, {"hostname", 1, OP_SETTING}, {"server-pid", 1, OP_SETTING}, {"map", 2, OP_SETTING},
  {"namespaces", 1, OP_SETTING}, {"join-procs", 1, OP_SETTING}, {"init-procs", 1, OP_SETTING},
  {"return-procs", 1, OP_SETTING}, {"seccomp", 1, OP_SETTING},
  {"root-tmpfs", 2, OP_ROOT}, {"dir", 2, OP_ROOT}, {"ro-bind", 2, OP_ROOT}, {"ro-bind-try", 2, OP_ROOT},
  {"dev-bind", 1, OP_ROOT}, {"symlink", 2, OP_ROOT}, {"file", 3, OP_ROOT}, {"tmpfs", 3, OP_ROOT},
  {"devpts", 2, OP_ROOT}, {"proc", 1, OP_ROOT}, {"sysfs", 1, OP_ROOT}, {"cgroup", 3, OP_ROOT},
  {"remount", 3, OP_ROOT}, {"pivot-root", 0, OP_ROOT}, {"image-bind", 2, OP_ROOT},
};
#define NOPS (sizeof OPS / sizeof OPS[0])

struct op {
  const struct opdef *def;
  const char *a[3];
  int fd; /* ro-bind*, dev-bind: the source, opened by the monitor before clone */
};

struct plan {
  struct op ops[MAX_OPS];
  int n;
  const char *id, *hostname;
  pid_t server_pid;
  long long map_base, map_count;
  int clone_flags;
  int seccomp;
  int has_pivot, has_root;
};

/* The namespaces a list names. A sandbox, or a command entering one, has at least user, pid and mnt;
   a kernel view (a lab check judging kernel state as host root in the host's mount namespace) has
   only some of uts, ipc, net and cgroup, never user, pid or mnt. */
static int ns_flags(const char *list, const char *what, int kernel_view) {
  static const struct { const char *name; int flag; } kinds[] = {
    {"user", CLONE_NEWUSER}, {"cgroup", CLONE_NEWCGROUP}, {"ipc", CLONE_NEWIPC}, {"uts", CLONE_NEWUTS},
    {"net", CLONE_NEWNET}, {"pid", CLONE_NEWPID}, {"mnt", CLONE_NEWNS}};
  char buf[128];
  if (strlen(list) >= sizeof buf) refuse("%s: list too long", what);
  strcpy(buf, list);
  int flags = 0;
  for (char *save, *t = strtok_r(buf, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
    size_t i;
    for (i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
      if (!strcmp(t, kinds[i].name)) break;
    if (i == sizeof kinds / sizeof kinds[0]) refuse("%s: unknown namespace \"%.20s\"", what, t);
    flags |= kinds[i].flag;
  }
  if (kernel_view) {
    if (!flags || (flags & ~(CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWNET | CLONE_NEWCGROUP)))
      refuse("%s: a kernel view joins only uts, ipc, net and cgroup", what);
  } else if ((flags & (CLONE_NEWUSER | CLONE_NEWPID | CLONE_NEWNS)) != (CLONE_NEWUSER | CLONE_NEWPID | CLONE_NEWNS))
    refuse("%s: user, pid and mnt are required", what);
  return flags;
}

static unsigned long mount_flags(const char *list, const char *what) {
  if (!strcmp(list, "-")) return 0;
  char buf[128];
  if (strlen(list) >= sizeof buf) refuse("%s: flags too long", what);
  strcpy(buf, list);
  unsigned long f = 0;
  for (char *save, *t = strtok_r(buf, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
    if (!strcmp(t, "ro")) f |= MS_RDONLY;
    else if (!strcmp(t, "nosuid")) f |= MS_NOSUID;
    else if (!strcmp(t, "nodev")) f |= MS_NODEV;
    else if (!strcmp(t, "noexec")) f |= MS_NOEXEC;
    else refuse("%s: unknown mount flag \"%.20s\"", what, t);
  }
  return f;
}

static const char *opt_or_null(const char *s) { return strcmp(s, "-") ? s : NULL; }

/* Reads and validates the whole list before anything is done: a bad list changes nothing. */
static void read_plan(struct plan *pl) {
  size_t cap = 65536, len = 0;
  char *buf = malloc(cap);
  if (!buf) die("malloc");
  for (;;) {
    if (len == cap) {
      if (cap >= MAX_STREAM) refuse("setup operations exceed %d bytes", MAX_STREAM);
      cap *= 2;
      buf = realloc(buf, cap);
      if (!buf) die("realloc");
    }
    ssize_t n = read(0, buf + len, cap - len);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) die("read setup operations");
    if (n == 0) break;
    len += (size_t)n;
  }
  if (len == 0) refuse("no setup operations on stdin");
  if (buf[len - 1] != 0) refuse("setup operations do not end with a NUL");
  memset(pl, 0, sizeof *pl);
  pl->seccomp = -1;
  pl->map_base = -1;
  size_t pos = 0;
  while (pos < len) {
    const char *name = buf + pos;
    pos += strlen(name) + 1;
    size_t d;
    for (d = 0; d < NOPS; d++)
      if (!strcmp(name, OPS[d].name)) break;
    if (d == NOPS) refuse("operation %d: unknown operation \"%.40s\"", pl->n + 1, name);
    if (pl->n >= MAX_OPS) refuse("more than %d setup operations", MAX_OPS);
    struct op *o = &pl->ops[pl->n++];
    o->def = &OPS[d];
    o->fd = -1;
    for (int i = 0; i < OPS[d].arity; i++) {
      if (pos >= len) refuse("operation %d (%s): needs %d arguments", pl->n, name, OPS[d].arity);
      o->a[i] = buf + pos;
      size_t flen = strlen(o->a[i]);
      if (flen > MAX_FIELD) refuse("operation %d (%s): argument %d is too long", pl->n, name, i + 1);
      pos += flen + 1;
    }
    char what[64];
    snprintf(what, sizeof what, "operation %d (%s)", pl->n, name);
    if (!strcmp(name, "id")) {
      for (const char *c = o->a[0]; *c; c++)
        if (!((*c >= 'a' && *c <= 'z') || (*c >= '0' && *c <= '9') || *c == '-')) refuse("%s: bad id", what);
      if (!*o->a[0] || strlen(o->a[0]) > 64) refuse("%s: bad id", what);
      pl->id = o->a[0];
    } else if (!strcmp(name, "hostname")) {
      if (!*o->a[0] || strlen(o->a[0]) > 64) refuse("%s: bad hostname", what);
      for (const char *c = o->a[0]; *c; c++)
        if (!((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9') || *c == '-' || *c == '.')) refuse("%s: bad hostname", what);
      pl->hostname = o->a[0];
    } else if (!strcmp(name, "server-pid")) {
      pl->server_pid = (pid_t)parse_num(o->a[0], 1, INT_MAX, 10, what);
    } else if (!strcmp(name, "map")) {
      pl->map_base = parse_num(o->a[0], 1, 4294967294LL, 10, what);
      pl->map_count = parse_num(o->a[1], 1, 4294967295LL - pl->map_base, 10, what);
    } else if (!strcmp(name, "namespaces")) {
      pl->clone_flags = ns_flags(o->a[0], what, 0);
    } else if (!strcmp(name, "seccomp")) {
      if (strcmp(o->a[0], "on") && strcmp(o->a[0], "off")) refuse("%s: expected on or off", what);
      pl->seccomp = !strcmp(o->a[0], "on");
    } else if (!strcmp(name, "join-procs") || !strcmp(name, "init-procs") || !strcmp(name, "return-procs")) {
      check_path(o->a[0], what);
      size_t l = strlen(o->a[0]);
      if (l < 13 || strcmp(o->a[0] + l - 13, "/cgroup.procs")) refuse("%s: not a cgroup.procs file", what);
    } else if (!strcmp(name, "root-tmpfs")) {
      parse_num(o->a[0], 4096, 1LL << 40, 10, what);
      parse_num(o->a[1], 64, 1LL << 32, 10, what);
      if (pl->has_root) refuse("%s: the root is made once", what);
      pl->has_root = 1;
    } else if (o->def->kind == OP_ROOT) {
      if (!pl->has_root) refuse("%s: comes before root-tmpfs", what);
      if (pl->has_pivot) refuse("%s: comes after pivot-root", what);
      if (!strcmp(name, "pivot-root")) pl->has_pivot = 1;
      else if (!strcmp(name, "dir")) { check_path(o->a[0], what); parse_num(o->a[1], 0, 07777, 8, what); }
      else if (!strcmp(name, "ro-bind") || !strcmp(name, "ro-bind-try") || !strcmp(name, "image-bind")) { check_path(o->a[0], what); check_path(o->a[1], what); }
      else if (!strcmp(name, "dev-bind")) {
        for (const char *c = o->a[0]; *c; c++) if (!((*c >= 'a' && *c <= 'z') || (*c >= '0' && *c <= '9'))) refuse("%s: bad device name", what);
        if (!*o->a[0]) refuse("%s: bad device name", what);
      }
      else if (!strcmp(name, "symlink")) { if (!*o->a[0]) refuse("%s: empty target", what); check_path(o->a[1], what); }
      else if (!strcmp(name, "file")) { check_path(o->a[0], what); parse_num(o->a[1], 0, 0777, 8, what); }
      else if (!strcmp(name, "tmpfs") || !strcmp(name, "remount")) { check_path(o->a[0], what); mount_flags(o->a[1], what); }
      else if (!strcmp(name, "cgroup")) {
        check_path(o->a[0], what);
        if (strcmp(o->a[1], "cgroup") && strcmp(o->a[1], "cgroup2")) refuse("%s: type must be cgroup or cgroup2", what);
      } else check_path(o->a[0], what); /* devpts, proc, sysfs */
    }
  }
  if (!pl->id || !pl->hostname || !pl->server_pid || pl->map_base < 0 || !pl->clone_flags || pl->seccomp < 0)
    refuse("setup operations need id, hostname, server-pid, map, namespaces and seccomp");
  if (!pl->has_root || !pl->has_pivot) refuse("setup operations need root-tmpfs and pivot-root");
}

/* ------------------------------------------------------------------ the syscall filter */
/*
 * A deny list, not a container runtime's default profile: those allow unshare, mount, setns and
 * pivot_root only with CAP_SYS_ADMIN, which every learner has in its own namespace, and the labs
 * teach exactly those. Denied: what no lab needs and what widens the shared kernel's surface.
 * Applied on the x86-64, i386 and x32 ABIs alike.
 */
static scmp_filter_ctx build_filter(void) {
  scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ALLOW);
  if (!ctx) { errno = ENOMEM; die("seccomp_init"); }
  int archs[] = {SCMP_ARCH_X86, SCMP_ARCH_X32};
  for (size_t i = 0; i < sizeof archs / sizeof archs[0]; i++) {
    int r = seccomp_arch_add(ctx, archs[i]);
    if (r < 0 && r != -EEXIST) { errno = -r; die("seccomp_arch_add"); }
  }
  /* ENOSYS: programs treat the call as absent and fall back (io_uring -> read/write). */
  static const char *nosys[] = {"io_uring_setup", "io_uring_enter", "io_uring_register",
                                "keyctl", "add_key", "request_key", NULL};
  static const char *eperm[] = {"bpf", "perf_event_open", "userfaultfd", "kexec_load", "kexec_file_load",
                                "init_module", "finit_module", "delete_module", "create_module",
                                "open_by_handle_at", "iopl", "ioperm", "modify_ldt", "acct", "swapon", "swapoff",
                                "quotactl", "quotactl_fd", "syslog", "lookup_dcookie", "uselib", "_sysctl",
                                "vm86", "vm86old", "nfsservctl", "get_kernel_syms", "query_module", NULL};
  for (int pass = 0; pass < 2; pass++) {
    const char **list = pass ? eperm : nosys;
    uint32_t action = SCMP_ACT_ERRNO(pass ? EPERM : ENOSYS);
    for (int i = 0; list[i]; i++) {
      int nr = seccomp_syscall_resolve_name(list[i]);
      if (nr == __NR_SCMP_ERROR) continue; /* not a syscall on any of these ABIs */
      int r = seccomp_rule_add(ctx, action, nr, 0);
      if (r < 0 && r != -EDOM) { errno = -r; die("seccomp rule for %s", list[i]); }
    }
  }
  /* personality: only PER_LINUX, PER_LINUX32, UNAME26 and both, and the query 0xffffffff. A rule
     cannot allow (the default does) nor compare one argument twice, so the denied values are
     written as bit patterns: with bit 31 clear, any bit other than 3 and 17 set; with bit 31 set,
     any of bits 0..30 clear. The kernel reads the argument as 32 bits, and so do these masks. */
  int pnr = seccomp_syscall_resolve_name("personality");
  for (int b = 0; b < 31; b++) {
    uint64_t bit = 1ULL << b, top = 1ULL << 31;
    int r = 0;
    if (b != 3 && b != 17) r = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), pnr, 1, SCMP_A0(SCMP_CMP_MASKED_EQ, top | bit, bit));
    if (r >= 0) r = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), pnr, 1, SCMP_A0(SCMP_CMP_MASKED_EQ, top | bit, top));
    if (r < 0) { errno = -r; die("seccomp rule for personality"); }
  }
  return ctx;
}

/*
 * The filter is a constant of this program. Compiling its rules with libseccomp costs ~3.4 ms, a
 * sixth of every entry (terminal, check, probe), so scripts/build-native.sh exports the compiled
 * BPF once, next to the binary (isoplay-seccomp.bpf, written after it), and main() reads it before
 * anything else; each load is then one prctl. A missing, older or malformed file falls back to
 * compiling here.
 */
#define MAX_INSNS 4096
static struct sock_filter exported[MAX_INSNS];
static unsigned short exported_len;

static void read_exported_filter(void) {
  char exe[4096];
  ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 32);
  if (n <= 0) return;
  exe[n] = 0;
  struct stat bin, bpf;
  if (stat(exe, &bin) < 0) return;
  char *slash = strrchr(exe, '/');
  if (!slash) return;
  strcpy(slash + 1, "isoplay-seccomp.bpf");
  int fd = open(exe, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return;
  ssize_t len = (fstat(fd, &bpf) == 0 && bpf.st_mtime >= bin.st_mtime && bpf.st_uid == 0) ? read(fd, exported, sizeof exported) : -1;
  close(fd);
  if (len > 0 && len % sizeof(struct sock_filter) == 0 && len < (ssize_t)sizeof exported) exported_len = (unsigned short)(len / sizeof(struct sock_filter));
}

/* Needs no_new_privs (set by every caller before). */
static void load_filter(void) {
  if (exported_len) {
    struct sock_fprog prog = {.len = exported_len, .filter = exported};
    if (prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog) < 0) die("load the exported seccomp filter");
    return;
  }
  scmp_filter_ctx ctx = build_filter();
  int r = seccomp_load(ctx);
  if (r < 0) { errno = -r; die("seccomp_load"); }
  seccomp_release(ctx);
}

/* ------------------------------------------------------------------ create */
/*
 * The root is built in two phases. Phase A runs in this monitor, as host root, in a private mount
 * namespace of its own: the root tmpfs, its directories and files, and every read-only bind. Then
 * the sandbox is cloned from that namespace into its own user namespace, and the kernel locks
 * every mount it copies across that boundary: the learner's root cannot remount /usr read-write,
 * unmount a bind to look beneath it, or resize its root. Phase B runs in the child, inside: what
 * needs the sandbox's own namespaces (proc of its pid namespace, sysfs of its net namespace, its
 * devpts, its cgroup views), then pivot_root. The split is the first operation of phase B's kinds.
 * The new root is staged on a tmpfs over /tmp in the monitor's private mount namespace: nothing is
 * created on the host's disk, and /tmp exists on every host.
 */
#define ROOT "/tmp"

static int phase_b(const char *name) {
  return !strcmp(name, "devpts") || !strcmp(name, "proc") || !strcmp(name, "sysfs") || !strcmp(name, "cgroup") || !strcmp(name, "pivot-root");
}

static void set_root_ids(void) {
  if (setgroups(0, NULL) < 0) die("setgroups");
  if (setresgid(0, 0, 0) < 0) die("setresgid");
  if (setresuid(0, 0, 0) < 0) die("setresuid");
}

/* Dying with the parent is cleared by every change of effective ids: set it again after each, and
   check the parent is still the expected one (it may have died before the prctl). For a process
   in a new pid namespace, whose parent is outside it (getppid() is 0 there), `alive_fd` is the
   read end of a pipe whose write end only the parent holds: it hangs up when the parent is gone. */
static void die_with_parent(pid_t parent, int alive_fd) {
  if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0) die("PR_SET_PDEATHSIG");
  if (alive_fd >= 0) {
    struct pollfd p = {.fd = alive_fd, .events = POLLIN};
    if (poll(&p, 1, 0) < 0 || (p.revents & (POLLHUP | POLLERR))) refuse("the parent is gone");
  } else if (getppid() != parent) refuse("the parent (%d) is gone", parent);
}

static void inside(char *out, size_t size, const char *path) {
  if (snprintf(out, size, ROOT "%s", path) >= (int)size) refuse("path too long: %.80s", path);
}

/* Phase A makes things as host root: hand each to the sandbox's root (base). */
static uid_t owner = (uid_t)-1;
static void own(const char *path) {
  if (owner != (uid_t)-1 && lchown(path, owner, owner) < 0) die("chown %s", path);
}

static void mkdir_owned(const char *path, mode_t mode) {
  char tmp[4200];
  snprintf(tmp, sizeof tmp, "%s", path);
  for (char *p = tmp + strlen(ROOT) + 1; ; p++) {
    if (*p == '/' || *p == 0) {
      char c = *p;
      *p = 0;
      if (mkdir(tmp, 0755) == 0) own(tmp);
      else if (errno != EEXIST) die("mkdir %s", tmp + strlen(ROOT));
      *p = c;
      if (!c) break;
    }
  }
  if (chmod(tmp, mode) < 0) die("chmod %s", path + strlen(ROOT));
}

static void bind_fd(int fd, const char *inside_path, int readonly) {
  char src[64], dst[4200];
  struct stat st;
  if (fstat(fd, &st) < 0) die("fstat %s", inside_path);
  snprintf(src, sizeof src, "/proc/self/fd/%d", fd);
  inside(dst, sizeof dst, inside_path);
  if (S_ISDIR(st.st_mode)) mkdir_owned(dst, 0755);
  else {
    char parent[4200];
    snprintf(parent, sizeof parent, "%s", dst);
    *strrchr(parent, '/') = 0;
    if (strlen(parent) > strlen(ROOT)) mkdir_owned(parent, 0755);
    int f = open(dst, O_WRONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0644);
    if (f < 0) die("create %s", inside_path);
    close(f);
  }
  if (mount(src, dst, NULL, MS_BIND | MS_REC, NULL) < 0) die("bind %s", inside_path);
  unsigned long f = MS_BIND | MS_REMOUNT | MS_NOSUID | (readonly ? MS_RDONLY | MS_NODEV : 0);
  if (mount(NULL, dst, NULL, f, NULL) < 0) die("remount %s", inside_path);
}

/* A user namespace whose only purpose is its id map (the sandbox's: 0 -> map_base, map_count ids),
   for idmapped mounts. Made once per create, by a child that unshares and waits to be looked at. */
static int idmap_userns(const struct plan *pl) {
  static int fd = -1;
  if (fd >= 0) return fd;
  int up[2], hold[2];
  if (pipe2(up, O_CLOEXEC) < 0 || pipe2(hold, O_CLOEXEC) < 0) die("pipe");
  pid_t c = fork();
  if (c < 0) die("fork");
  if (c == 0) {
    char b = 0;
    close(up[0]);
    close(hold[1]);
    if (unshare(CLONE_NEWUSER) < 0) _exit(1);
    if (write(up[1], &b, 1) != 1) _exit(1);
    (void)read(hold[0], &b, 1); /* until the parent has the namespace's fd */
    _exit(0);
  }
  close(up[1]);
  close(hold[0]);
  char b, path[64], map[96];
  if (read(up[0], &b, 1) != 1) die("idmap namespace");
  snprintf(map, sizeof map, "0 %lld %lld\n", pl->map_base, pl->map_count);
  snprintf(path, sizeof path, "/proc/%d/uid_map", (int)c);
  write_file(path, map);
  snprintf(path, sizeof path, "/proc/%d/gid_map", (int)c);
  write_file(path, map);
  snprintf(path, sizeof path, "/proc/%d/ns/user", (int)c);
  fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) die("open %s", path);
  close(hold[1]);
  close(up[0]);
  while (waitpid(c, NULL, 0) < 0 && errno == EINTR) {}
  return fd;
}

/* An image, read-only, with the host root's files shown as the sandbox root's (an idmapped mount,
   Linux 5.12+). A filesystem that cannot be idmapped gets a plain read-only bind: it works the same,
   its files show as nobody. */
static void image_bind(int fd, const char *inside_path, const struct plan *pl) {
  int tree = open_tree(fd, "", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_EMPTY_PATH | AT_RECURSIVE);
  if (tree < 0) die("open_tree %s", inside_path);
  struct mount_attr attr = {
    .attr_set = MOUNT_ATTR_IDMAP | MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV,
    .userns_fd = (unsigned long long)idmap_userns(pl),
  };
  if (mount_setattr(tree, "", AT_EMPTY_PATH | AT_RECURSIVE, &attr, sizeof attr) < 0) {
    close(tree);
    bind_fd(fd, inside_path, 1);
    return;
  }
  char dst[4200];
  struct stat st;
  if (fstat(fd, &st) < 0) die("fstat %s", inside_path);
  inside(dst, sizeof dst, inside_path);
  if (S_ISDIR(st.st_mode)) mkdir_owned(dst, 0755);
  else {
    int f = open(dst, O_WRONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0644);
    if (f < 0) die("create %s", inside_path);
    close(f);
  }
  if (move_mount(tree, "", AT_FDCWD, dst, MOVE_MOUNT_F_EMPTY_PATH) < 0) die("move_mount %s", inside_path);
  close(tree);
}

static void lo_up(void) {
  int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (s < 0) die("socket");
  struct ifreq ifr;
  memset(&ifr, 0, sizeof ifr);
  strcpy(ifr.ifr_name, "lo");
  if (ioctl(s, SIOCGIFFLAGS, &ifr) < 0) die("SIOCGIFFLAGS lo");
  ifr.ifr_flags |= IFF_UP | IFF_RUNNING;
  if (ioctl(s, SIOCSIFFLAGS, &ifr) < 0) die("SIOCSIFFLAGS lo");
  close(s);
}

/* Options of a tmpfs made in phase A, owned by the sandbox's root. */
static const char *tmpfs_data(const char *opts, char *buf, size_t size) {
  if (owner == (uid_t)-1) return opts;
  if (snprintf(buf, size, "%s%suid=%u,gid=%u", opts ? opts : "", opts ? "," : "", owner, owner) >= (int)size) refuse("tmpfs options too long");
  return buf;
}

static void run_root_ops(struct plan *pl, int from, int to) {
  char dst[4200], data[512];
  for (int i = from; i < to; i++) {
    struct op *o = &pl->ops[i];
    const char *n = o->def->name;
    if (o->def->kind != OP_ROOT) continue;
    if (!strcmp(n, "root-tmpfs")) {
      char opts[64], src[128];
      snprintf(opts, sizeof opts, "size=%s,nr_inodes=%s,mode=0755", o->a[0], o->a[1]);
      snprintf(src, sizeof src, "isoplay-%s", pl->id);
      if (mount(src, ROOT, "tmpfs", MS_NOSUID | MS_NODEV, tmpfs_data(opts, data, sizeof data)) < 0) die("mount the root tmpfs");
    } else if (!strcmp(n, "dir")) {
      inside(dst, sizeof dst, o->a[0]);
      mkdir_owned(dst, (mode_t)parse_num(o->a[1], 0, 07777, 8, "dir"));
    } else if (!strcmp(n, "ro-bind") || !strcmp(n, "ro-bind-try")) {
      if (o->fd >= 0) bind_fd(o->fd, o->a[1], 1);
    } else if (!strcmp(n, "image-bind")) {
      if (o->fd >= 0) image_bind(o->fd, o->a[1], pl);
    } else if (!strcmp(n, "dev-bind")) {
      char p[64];
      snprintf(p, sizeof p, "/dev/%s", o->a[0]);
      bind_fd(o->fd, p, 0);
    } else if (!strcmp(n, "symlink")) {
      inside(dst, sizeof dst, o->a[1]);
      if (symlink(o->a[0], dst) < 0) die("symlink %s", o->a[1]);
      own(dst);
    } else if (!strcmp(n, "file")) {
      inside(dst, sizeof dst, o->a[0]);
      mode_t mode = (mode_t)parse_num(o->a[1], 0, 0777, 8, "file");
      int fd = open(dst, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, mode);
      if (fd < 0) die("create %s", o->a[0]);
      size_t len = strlen(o->a[2]);
      if (len && write(fd, o->a[2], len) != (ssize_t)len) die("write %s", o->a[0]);
      close(fd);
      own(dst);
    } else if (!strcmp(n, "tmpfs")) {
      inside(dst, sizeof dst, o->a[0]);
      if (mount("isoplay-tmpfs", dst, "tmpfs", mount_flags(o->a[1], "tmpfs"), tmpfs_data(opt_or_null(o->a[2]), data, sizeof data)) < 0) die("mount tmpfs on %s", o->a[0]);
    } else if (!strcmp(n, "devpts")) {
      inside(dst, sizeof dst, o->a[0]);
      if (mount("devpts", dst, "devpts", MS_NOSUID | MS_NOEXEC, o->a[1]) < 0) die("mount devpts on %s", o->a[0]);
    } else if (!strcmp(n, "proc")) {
      inside(dst, sizeof dst, o->a[0]);
      if (mount("proc", dst, "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) < 0) die("mount proc on %s", o->a[0]);
    } else if (!strcmp(n, "sysfs")) {
      inside(dst, sizeof dst, o->a[0]);
      if (mount("sysfs", dst, "sysfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) < 0) die("mount sysfs on %s", o->a[0]);
    } else if (!strcmp(n, "cgroup")) {
      inside(dst, sizeof dst, o->a[0]);
      if (mount("cgroup", dst, o->a[1], MS_NOSUID | MS_NODEV | MS_NOEXEC, opt_or_null(o->a[2])) < 0) die("mount %s on %s", o->a[1], o->a[0]);
    } else if (!strcmp(n, "remount")) {
      inside(dst, sizeof dst, o->a[0]);
      if (mount(NULL, dst, NULL, MS_REMOUNT | mount_flags(o->a[1], "remount"), opt_or_null(o->a[2])) < 0) die("remount %s", o->a[0]);
    } else if (!strcmp(n, "pivot-root")) {
      /* The root tmpfs came locked from phase A, and pivot_root refuses a locked new root: bind it
         onto itself first (its contents stay locked). */
      if (mount(ROOT, ROOT, NULL, MS_BIND | MS_REC, NULL) < 0) die("bind the new root onto itself");
      if (chdir(ROOT) < 0) die("chdir new root");
      if (mkdir(".oldroot", 0700) < 0) die("mkdir /.oldroot");
      if (syscall(SYS_pivot_root, ".", ".oldroot") < 0) die("pivot_root");
      if (chdir("/") < 0) die("chdir /");
      if (umount2("/.oldroot", MNT_DETACH) < 0) die("umount old root");
      if (rmdir("/.oldroot") < 0) die("rmdir /.oldroot");
    }
    /* A bind source is used once: close it so nothing of the host stays reachable by fd. */
    if (o->fd >= 0) { close(o->fd); o->fd = -1; }
  }
}

static int split_of(struct plan *pl) {
  for (int i = 0; i < pl->n; i++)
    if (phase_b(pl->ops[i].def->name)) return i;
  return pl->n;
}

static int child_main(struct plan *pl, int go_fd) {
  /* Armed before the read: if the monitor dies before releasing us, the read sees end-of-file. */
  if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0) die("PR_SET_PDEATHSIG");
  char c;
  if (read(go_fd, &c, 1) != 1) refuse("monitor went away before the sandbox was released");
  close(go_fd);
  set_root_ids();
  if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0) die("PR_SET_PDEATHSIG");
  owner = (uid_t)-1; /* inside, things are made by the sandbox's root already */
  run_root_ops(pl, split_of(pl), pl->n);
  if (sethostname(pl->hostname, strlen(pl->hostname)) < 0) die("sethostname");
  if (setdomainname("sandbox", 7) < 0) die("setdomainname");
  if (pl->clone_flags & CLONE_NEWNET) lo_up();
  if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0) die("no_new_privs");
  if (chdir("/root") < 0) die("chdir /root");
  umask(022);
  if (pl->seccomp) load_filter();

  sigset_t all;
  sigfillset(&all);
  sigprocmask(SIG_BLOCK, &all, NULL);
  /* `ps` inside shows PID 1 as plain "isoplay-init", not the set-up flags. */
  memset(args_start, 0, args_end - args_start);
  strcpy(args_start, "isoplay-init");
  prctl(PR_SET_NAME, "isoplay-init", 0, 0, 0);
  if (write(report_fd, "ok\n", 3) != 3) _exit(1);
  close(report_fd);
  report_fd = -1;
  int devnull = open("/dev/null", O_RDWR);
  if (devnull >= 0) { dup2(devnull, 0); dup2(devnull, 1); dup2(devnull, 2); if (devnull > 2) close(devnull); }
  close_inherited();

  /* PID 1: reap every orphan; on SIGTERM or SIGINT end every process of the sandbox. */
  for (;;) {
    siginfo_t si;
    int sig = sigwaitinfo(&all, &si);
    if (sig == SIGCHLD) {
      while (waitpid(-1, NULL, WNOHANG) > 0) {}
    } else if (sig == SIGTERM || sig == SIGINT) {
      kill(-1, SIGKILL);
      _exit(0);
    }
  }
}

static int create_main(void) {
  static struct plan pl;
  read_plan(&pl);
  int devnull = open("/dev/null", O_RDONLY | O_CLOEXEC);
  if (devnull < 0 || dup2(devnull, 0) < 0) die("stdin from /dev/null");
  close(devnull);
  /* If the server dies (even by kill -9), its sandboxes die with it; the reaper removes the rest. */
  die_with_parent(pl.server_pid, -1);
  for (int i = 0; i < pl.n; i++)
    if (!strcmp(pl.ops[i].def->name, "join-procs")) write_pid(pl.ops[i].a[0], getpid());

  /* Phase A, in a private mount namespace of this monitor's own. */
  if (unshare(CLONE_NEWNS) < 0) die("unshare the monitor's mount namespace");
  if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0) die("make / private");
  /* Bind sources are opened before the root tmpfs covers /tmp (a project under /tmp would vanish),
     in this namespace (a bind from another namespace is refused), as host root (a 0700 directory
     such as /root does not stop it). A missing optional source is skipped; any other error fails. */
  int split = split_of(&pl);
  for (int i = 0; i < split; i++) {
    struct op *o = &pl.ops[i];
    const char *n = o->def->name;
    char p[64];
    const char *src = o->a[0];
    if (!strcmp(n, "dev-bind")) { snprintf(p, sizeof p, "/dev/%s", o->a[0]); src = p; }
    else if (strcmp(n, "ro-bind") && strcmp(n, "ro-bind-try") && strcmp(n, "image-bind")) continue;
    o->fd = open(src, O_PATH | O_CLOEXEC);
    if (o->fd < 0 && !(errno == ENOENT && strcmp(n, "ro-bind"))) die("open bind source %s", src);
  }
  owner = (uid_t)pl.map_base;
  run_root_ops(&pl, 0, split);

  write_file("/proc/self/oom_score_adj", SANDBOX_OOM_SCORE_ADJ);
  int go[2], rep[2];
  if (pipe2(go, O_CLOEXEC) < 0 || pipe2(rep, O_CLOEXEC) < 0) die("pipe");
  /* The user namespace is created with the session's own unprivileged host ids as its owner, so
     the kernel's per-user counters (user namespaces, inotify instances...) charge that learner,
     not host root. Root comes back through the saved ids; it still writes the id maps. */
  gid_t base = (gid_t)pl.map_base;
  if (setresgid(-1, base, -1) < 0) die("setresgid to the session's gid");
  if (setresuid(-1, (uid_t)base, -1) < 0) die("setresuid to the session's uid");
  pid_t child = (pid_t)syscall(SYS_clone, pl.clone_flags | SIGCHLD, NULL, NULL, NULL, NULL);
  int clone_errno = errno;
  if (child == 0) {
    close(go[1]);
    close(rep[0]);
    report_fd = rep[1];
    _exit(child_main(&pl, go[0]));
  }
  if (setresuid(-1, 0, -1) < 0) die("setresuid back to root");
  if (setresgid(-1, 0, -1) < 0) die("setresgid back to root");
  die_with_parent(pl.server_pid, -1);
  if (child < 0) {
    errno = clone_errno;
    die("clone the sandbox as uid %lld (are unprivileged user namespaces restricted on this host? run isoplay doctor)", pl.map_base);
  }
  close(go[0]);
  close(rep[1]);

  char path[128], map[128];
  snprintf(map, sizeof map, "0 %lld %lld\n", pl.map_base, pl.map_count);
  snprintf(path, sizeof path, "/proc/%d/uid_map", child);
  write_file(path, map);
  snprintf(path, sizeof path, "/proc/%d/gid_map", child);
  write_file(path, map);
  for (int i = 0; i < pl.n; i++)
    if (!strcmp(pl.ops[i].def->name, "init-procs")) write_pid(pl.ops[i].a[0], child);
  for (int i = 0; i < pl.n; i++)
    if (!strcmp(pl.ops[i].def->name, "return-procs")) write_pid(pl.ops[i].a[0], getpid());
  if (write(go[1], "g", 1) != 1) die("release the sandbox");
  close(go[1]);

  char msg[1024];
  ssize_t n = read(rep[0], msg, sizeof msg - 1);
  close(rep[0]);
  if (n < 3 || strncmp(msg, "ok\n", 3) != 0) {
    msg[n > 0 ? n : 0] = 0;
    kill(child, SIGKILL);
    waitpid(child, NULL, 0);
    fprintf(stderr, "isoplay-init: sandbox setup failed: %s", n > 0 ? msg : "init died\n");
    return 1;
  }
  /* The staged root is the sandbox's now; this namespace keeps nothing of it open. */
  umount2(ROOT, MNT_DETACH);
  unsigned long long start;
  pid_t ppid;
  if (read_stat(child, &start, &ppid) < 0) { kill(child, SIGKILL); waitpid(child, NULL, 0); refuse("init died at start"); }
  printf("ready %d %llu\n", child, start);
  fflush(stdout);

  /* Monitor: SIGTERM ends the sandbox gracefully; SIGKILL of this process kills it via PDEATHSIG.
     Blocked (not ignored: an ignored signal is discarded before sigwaitinfo could see it). */
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGCHLD);
  sigprocmask(SIG_BLOCK, &set, NULL);
  for (;;) {
    int status;
    pid_t r = waitpid(child, &status, WNOHANG);
    if (r == child) return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    siginfo_t si;
    int sig = sigwaitinfo(&set, &si);
    if (sig == SIGTERM || sig == SIGINT) kill(child, SIGTERM);
  }
}

/* ------------------------------------------------------------------ enter */
/*
 * The shell has exited, but its last output may still sit in the PTY: if we closed the slave now,
 * the kernel could hang up the master before the server read it (the last kilobytes would be lost).
 * So we keep the slave open, write an end marker after everything the shell wrote, and wait until
 * the server, having read up to the marker, answers with one ACK byte. Bounded, in case nobody reads.
 */
#define EXIT_MARKER "\033]7770;isoplay-exit\007"
static void exit_handshake(void) {
  /* An interactive shell made its own process group the terminal's foreground; take it back, or
     the kernel stops us (SIGTTOU/SIGTTIN) for touching the terminal from the background. */
  signal(SIGTTOU, SIG_IGN);
  signal(SIGTTIN, SIG_IGN);
  tcsetpgrp(0, getpgrp());
  struct termios t;
  if (tcgetattr(0, &t) == 0) {
    cfmakeraw(&t);
    tcsetattr(0, TCSANOW, &t);
  }
  tcflush(0, TCIFLUSH);
  if (write(1, EXIT_MARKER, sizeof EXIT_MARKER - 1) < 0) return;
  for (int waited = 0; waited < 120000;) {
    struct pollfd p = {.fd = 0, .events = POLLIN};
    int r = poll(&p, 1, 500);
    if (r < 0 && errno != EINTR) return;
    if (r == 0) { waited += 500; continue; }
    if (p.revents & (POLLHUP | POLLERR)) return;
    char buf[64];
    ssize_t n = read(0, buf, sizeof buf);
    if (n <= 0) return;
    if (memchr(buf, 0x06, n)) return;
  }
}

static pid_t enter_child = 0;
static int enter_group = 0;
static void forward(int sig) {
  if (enter_child > 0) kill(enter_group ? -enter_child : enter_child, sig);
}

static void stale(pid_t pid, const char *why) {
  char buf[256];
  int n = snprintf(buf, sizeof buf, "isoplay-init: the sandbox is gone: pid %d %s\n", pid, why);
  if (write(2, buf, n) < 0) {}
  _exit(EXIT_STALE);
}

/* Is PID still the recorded init? The pidfd pins one process; the checks that follow prove it is
   ours (a pid freed by a dead init comes back within seconds under a fork loop). */
static int open_init(pid_t pid, unsigned long long start, pid_t monitor, const char *cgroup) {
  int pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
  if (pidfd < 0) stale(pid, "does not exist");
  unsigned long long st;
  pid_t ppid;
  if (read_stat(pid, &st, &ppid) < 0) stale(pid, "does not exist");
  if (st != start) stale(pid, "belongs to another process now (start time differs)");
  if (ppid != monitor) stale(pid, "belongs to another process now (parent differs)");
  char path[64], buf[8192];
  snprintf(path, sizeof path, "/proc/%d/cgroup", pid);
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) stale(pid, "does not exist");
  ssize_t n = read(fd, buf, sizeof buf - 1);
  close(fd);
  if (n <= 0) stale(pid, "has no cgroup");
  buf[n] = 0;
  size_t cl = strlen(cgroup);
  int found = 0;
  for (char *save, *line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
    char *p = strchr(line, ':');
    p = p ? strchr(p + 1, ':') : NULL;
    if (!p) continue;
    p++;
    if (!strncmp(p, cgroup, cl) && (p[cl] == 0 || p[cl] == '/')) { found = 1; break; }
  }
  if (!found) stale(pid, "is not in the session's cgroup");
  return pidfd;
}

static int enter_main(int argc, char **argv) {
  pid_t pid = 0, monitor = 0;
  unsigned long long start = 0;
  const char *cgroup = NULL, *cwd = NULL, *ns = NULL;
  const char *join[MAX_LIST], *env[MAX_LIST];
  int njoin = 0, nenv = 0, handshake = 0, seccomp = 1, kernel_view = 0;
  char **cmd = NULL;
  for (int i = 2; i < argc; i++) {
    const char *a = argv[i];
    if (!strcmp(a, "--")) { cmd = &argv[i + 1]; break; }
    if (!strcmp(a, "--exit-handshake")) { handshake = 1; continue; }
    if (!strcmp(a, "--no-seccomp")) { seccomp = 0; continue; }
    if (!strcmp(a, "--kernel-view")) { kernel_view = 1; continue; }
    if (i + 1 >= argc) refuse("%s needs a value", a);
    const char *v = argv[++i];
    if (!strcmp(a, "--pid")) pid = (pid_t)parse_num(v, 2, INT_MAX, 10, a);
    else if (!strcmp(a, "--start")) start = (unsigned long long)parse_num(v, 0, LLONG_MAX, 10, a);
    else if (!strcmp(a, "--monitor")) monitor = (pid_t)parse_num(v, 2, INT_MAX, 10, a);
    else if (!strcmp(a, "--cgroup")) { check_path(v, a); cgroup = v; }
    else if (!strcmp(a, "--ns")) ns = v;
    else if (!strcmp(a, "--cwd")) { check_path(v, a); cwd = v; }
    else if (!strcmp(a, "--join-procs")) { check_path(v, a); if (njoin >= MAX_LIST) refuse("too many %s", a); join[njoin++] = v; }
    else if (!strcmp(a, "--env")) {
      if (!strchr(v, '=') || v[0] == '=') refuse("--env needs K=V");
      if (nenv >= MAX_LIST) refuse("too many %s", a);
      env[nenv++] = v;
    } else refuse("unknown option %s", a);
  }
  if (!pid || !monitor || !cgroup || !ns || !cmd || !cmd[0]) refuse("enter needs --pid --start --monitor --cgroup --ns and -- ARGV");
  int flags = ns_flags(ns, "--ns", kernel_view);

  int pidfd = open_init(pid, start, monitor, cgroup);
  for (int i = 0; i < njoin; i++) write_pid(join[i], getpid());
  write_file("/proc/self/oom_score_adj", SANDBOX_OOM_SCORE_ADJ);
  /* One call joins every namespace of the process the pidfd pins, or none (Linux 5.8+). */
  if (setns(pidfd, flags) < 0) {
    if (errno == ESRCH) stale(pid, "exited");
    die("setns");
  }
  close(pidfd);
  set_root_ids();
  if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0) die("no_new_privs");

  char *envp[MAX_LIST + 8];
  int ne = 0;
  envp[ne++] = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin:/opt/isoplay/bin";
  envp[ne++] = "HOME=/root";
  envp[ne++] = "USER=root";
  envp[ne++] = "LOGNAME=root";
  envp[ne++] = "SHELL=/bin/bash";
  envp[ne++] = "LANG=C.UTF-8";
  const char *term = getenv("TERM");
  static char termbuf[128];
  snprintf(termbuf, sizeof termbuf, "TERM=%s", term && strlen(term) < 64 ? term : "xterm-256color");
  envp[ne++] = termbuf;
  for (int i = 0; i < nenv; i++) envp[ne++] = (char *)env[i];
  envp[ne] = NULL;

  /* Without a terminal (checks, solves, probes) the command gets a process group of its own, and a
     timeout's SIGTERM reaches everything it started, not just the first process. */
  int own_group = !isatty(0);
  int alive[2];
  if (pipe2(alive, O_CLOEXEC) < 0) die("pipe");
  enter_child = fork();
  if (enter_child < 0) die("fork");
  if (enter_child == 0) {
    close(alive[1]);
    if (own_group) setpgid(0, 0);
    die_with_parent(0, alive[0]);
    if (chdir(cwd ? cwd : "/root") < 0 && chdir("/") < 0) die("chdir");
    signal(SIGINT, SIG_DFL);
    signal(SIGQUIT, SIG_DFL);
    signal(SIGHUP, SIG_DFL);
    signal(SIGTERM, SIG_DFL);
    if (seccomp) load_filter();
    setenv("PATH", envp[0] + 5, 1); /* execvpe searches the caller's PATH */
    execvpe(cmd[0], cmd, envp);
    die("exec %s", cmd[0]);
  }
  close(alive[0]); /* alive[1] stays open, unread, for as long as this process lives */
  if (own_group) {
    setpgid(enter_child, enter_child);
    enter_group = 1;
  }
  /* The terminal's signals reach the shell's process group directly; forward what only we get. */
  signal(SIGINT, SIG_IGN);
  signal(SIGQUIT, SIG_IGN);
  signal(SIGHUP, forward);
  signal(SIGTERM, forward);
  int status;
  for (;;) {
    pid_t r = waitpid(enter_child, &status, 0);
    if (r == enter_child) break;
    if (r < 0 && errno != EINTR) die("waitpid");
  }
  if (handshake && isatty(0) && isatty(1)) exit_handshake();
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

int main(int argc, char **argv) {
  close_inherited();
  if (argc < 2) refuse("usage: isoplay-init create < OPS | enter ... | export-filter");
  if (!strcmp(argv[1], "export-filter")) {
    /* The build writes this next to the binary (see read_exported_filter). */
    scmp_filter_ctx ctx = build_filter();
    int r = seccomp_export_bpf(ctx, 1);
    if (r < 0) { errno = -r; die("seccomp_export_bpf"); }
    return 0;
  }
  read_exported_filter();
  args_start = argv[0];
  args_end = argv[argc - 1] + strlen(argv[argc - 1]);
  if (!strcmp(argv[1], "create")) {
    if (argc != 2) refuse("create takes its operations on stdin, not as arguments");
    return create_main();
  }
  if (!strcmp(argv[1], "enter")) return enter_main(argc, argv);
  refuse("unknown mode %s", argv[1]);
  return 2;
}
