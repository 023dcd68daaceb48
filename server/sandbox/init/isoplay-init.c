/*
 * isoplay-init: the sandbox's lean init, and the way into a sandbox.
 *
 * Why C: a sandbox must start in milliseconds (a shell-script init costs ~35 process launches,
 * ~100 ms) and its PID 1 must reap zombies. This program does every setup step in one process.
 * It does not decide anything: the TypeScript builder (server/sandbox/namespaces/args.ts) turns a
 * SandboxSpec into the list of operations below, bubblewrap style, and this program executes them.
 *
 *   isoplay-init create --id ID --hostname H --uid-base N --uid-count N --rootfs-bytes N
 *       [--join-procs FILE]...      cgroup.procs files joined before clone (the child inherits them,
 *                                   and its cgroup namespace is rooted there)
 *       [--init-procs FILE]         after clone, the child is moved here (v2: the session's init leaf)
 *       [--return-procs FILE]...    after clone, this monitor moves itself back (out of the session)
 *       [--ro-bind PATH|SRC:DEST]...  host path bound read-only at the same path inside (or at DEST)
 *       [--file PATH=CONTENT]...    a file written inside the new root
 *       [--cgroup-mount TYPE:OPTIONS:NAME]...  mounted at /sys/fs/cgroup/NAME ("." = /sys/fs/cgroup itself)
 *     prints "ready <host pid of the sandbox's PID 1>" once the sandbox is set up, then stays as its
 *     monitor: killing the monitor kills the sandbox (PR_SET_PDEATHSIG), and it exits with init's status.
 *
 *   isoplay-init enter --pid PID [--join-procs FILE]... [--cwd DIR] [--env K=V]... -- ARGV...
 *     joins the cgroups, then every namespace of PID (user first), becomes root inside, forks (the
 *     pid namespace applies to children) and runs ARGV with a clean environment; exits with its status.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <net/if.h>
#include <sched.h>
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
#include <poll.h>
#include <termios.h>
#include <unistd.h>

#define MAX_LIST 64

static int report_fd = -1; /* child -> monitor: "ok" or the failing operation */
static char *args_start, *args_end; /* our argv area, blanked once set-up is done */

static void die(const char *fmt, ...) {
  char buf[1024];
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(buf, sizeof buf - 2, fmt, ap);
  va_end(ap);
  if (n < 0) n = 0;
  if (n > (int)sizeof buf - 2) n = sizeof buf - 2;
  int e = errno;
  if (e) n += snprintf(buf + n, sizeof buf - n, ": %s", strerror(e));
  if (n > (int)sizeof buf - 2) n = sizeof buf - 2;
  buf[n++] = '\n';
  if (report_fd >= 0) {
    if (write(report_fd, buf, n) < 0) {}
  }
  if (write(2, "isoplay-init: ", 14) < 0 || write(2, buf, n) < 0) {}
  _exit(1);
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

static void create_file(const char *path, const char *content, mode_t mode) {
  int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
  if (fd < 0) die("create %s", path);
  size_t len = strlen(content);
  if (len && write(fd, content, len) != (ssize_t)len) die("write %s", path);
  close(fd);
}

static void mkdir_p(const char *path, mode_t mode) {
  char tmp[4096];
  snprintf(tmp, sizeof tmp, "%s", path);
  for (char *p = tmp + 1; *p; p++) {
    if (*p == '/') {
      *p = 0;
      if (mkdir(tmp, mode) < 0 && errno != EEXIST) die("mkdir %s", tmp);
      *p = '/';
    }
  }
  if (mkdir(tmp, mode) < 0 && errno != EEXIST) die("mkdir %s", tmp);
  errno = 0;
}

static void do_mount(const char *src, const char *dst, const char *type, unsigned long flags, const char *data) {
  if (mount(src, dst, type, flags, data) < 0) die("mount %s on %s (%s)", src ? src : "none", dst, type ? type : "bind");
}

/* ------------------------------------------------------------------ options */
struct opts {
  const char *id, *hostname;
  long long uid_base, uid_count, rootfs_bytes;
  const char *join[MAX_LIST]; int njoin;
  const char *init_procs;
  const char *ret[MAX_LIST]; int nret;
  const char *robind[MAX_LIST]; int nrobind;
  const char *files[MAX_LIST]; int nfiles;
  const char *cgmounts[MAX_LIST]; int ncgmounts;
  pid_t pid;
  const char *cwd;
  const char *env[MAX_LIST]; int nenv;
  int exit_handshake;
  char **argv;
};

static void push(const char **list, int *n, const char *v, const char *flag) {
  if (*n >= MAX_LIST) { errno = 0; die("too many %s", flag); }
  list[(*n)++] = v;
}

static void parse(int argc, char **argv, struct opts *o) {
  for (int i = 2; i < argc; i++) {
    const char *a = argv[i];
    if (strcmp(a, "--") == 0) { o->argv = &argv[i + 1]; return; }
    if (strcmp(a, "--exit-handshake") == 0) { o->exit_handshake = 1; continue; }
    if (i + 1 >= argc) { errno = 0; die("%s needs a value", a); }
    const char *v = argv[++i];
    if (!strcmp(a, "--id")) o->id = v;
    else if (!strcmp(a, "--hostname")) o->hostname = v;
    else if (!strcmp(a, "--uid-base")) o->uid_base = atoll(v);
    else if (!strcmp(a, "--uid-count")) o->uid_count = atoll(v);
    else if (!strcmp(a, "--rootfs-bytes")) o->rootfs_bytes = atoll(v);
    else if (!strcmp(a, "--join-procs")) push(o->join, &o->njoin, v, a);
    else if (!strcmp(a, "--init-procs")) o->init_procs = v;
    else if (!strcmp(a, "--return-procs")) push(o->ret, &o->nret, v, a);
    else if (!strcmp(a, "--ro-bind")) push(o->robind, &o->nrobind, v, a);
    else if (!strcmp(a, "--file")) push(o->files, &o->nfiles, v, a);
    else if (!strcmp(a, "--cgroup-mount")) push(o->cgmounts, &o->ncgmounts, v, a);
    else if (!strcmp(a, "--pid")) o->pid = (pid_t)atoi(v);
    else if (!strcmp(a, "--cwd")) o->cwd = v;
    else if (!strcmp(a, "--env")) push(o->env, &o->nenv, v, a);
    else { errno = 0; die("unknown option %s", a); }
  }
}

/* ------------------------------------------------------------------ create: the child (PID 1) */
/* The new root is a tmpfs mounted over /tmp in this private mount namespace: nothing is created
   on the host's disk, and /tmp exists on every host. */
#define ROOT "/tmp"

static void set_root_ids(void) {
  if (setgroups(0, NULL) < 0) die("setgroups");
  if (setresgid(0, 0, 0) < 0) die("setresgid");
  if (setresuid(0, 0, 0) < 0) die("setresuid");
}

static void bind_dev(const char *name) {
  char src[256], dst[256];
  snprintf(src, sizeof src, "/dev/%s", name);
  snprintf(dst, sizeof dst, ROOT "/dev/%s", name);
  create_file(dst, "", 0666);
  do_mount(src, dst, NULL, MS_BIND, NULL);
}

/* A read-only bind, opened BEFORE the new root's tmpfs is mounted over ROOT (/tmp): a host path
 * below /tmp (a project cloned there) would be hidden by it afterwards. The mount then binds from
 * /proc/self/fd/N. spec is PATH (same path inside) or SRC:DEST. */
struct robind { int fd; char inside[4096]; };

static void ro_bind_open(const char *spec, struct robind *rb) {
  char path[4096];
  snprintf(path, sizeof path, "%s", spec);
  char *colon = strchr(path, ':');
  if (colon) { *colon = 0; snprintf(rb->inside, sizeof rb->inside, "%s", colon + 1); }
  else snprintf(rb->inside, sizeof rb->inside, "%s", path);
  rb->fd = open(path, O_PATH | O_CLOEXEC); /* optional: the host may not have it */
}

static void ro_bind(struct robind *rb) {
  char src[64], dst[4200];
  struct stat st;
  if (rb->fd < 0) return;
  if (fstat(rb->fd, &st) < 0) die("fstat %s", rb->inside);
  snprintf(src, sizeof src, "/proc/self/fd/%d", rb->fd);
  snprintf(dst, sizeof dst, ROOT "%s", rb->inside);
  if (S_ISDIR(st.st_mode)) mkdir_p(dst, 0755);
  else {
    char parent[4200];
    snprintf(parent, sizeof parent, "%s", dst);
    char *slash = strrchr(parent, '/');
    if (slash) { *slash = 0; mkdir_p(parent, 0755); }
    create_file(dst, "", 0644);
  }
  do_mount(src, dst, NULL, MS_BIND | MS_REC, NULL);
  /* Remount read-only; keep the flags the kernel locks in a user namespace (nosuid, nodev). */
  if (mount(NULL, dst, NULL, MS_BIND | MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV, NULL) < 0)
    die("remount read-only %s", dst);
  close(rb->fd);
  rb->fd = -1;
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

static void build_root(const struct opts *o) {
  char buf[4096];
  if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0) die("make / private");
  snprintf(buf, sizeof buf, "size=%lld,mode=0755", o->rootfs_bytes);
  char src[128];
  snprintf(src, sizeof src, "isoplay-%s", o->id);
  static struct robind robinds[MAX_LIST];
  for (int i = 0; i < o->nrobind; i++) ro_bind_open(o->robind[i], &robinds[i]);
  do_mount(src, ROOT, "tmpfs", MS_NOSUID | MS_NODEV, buf);

  static const char *dirs[] = {"usr", "etc", "dev", "proc", "sys", "tmp", "run", "run/netns", "run/.isoplay-sys",
                               "root", "home", "var", "var/tmp", "var/lib", "mnt", "opt", "srv", ".oldroot", NULL};
  for (int i = 0; dirs[i]; i++) {
    snprintf(buf, sizeof buf, ROOT "/%s", dirs[i]);
    mkdir_p(buf, 0755);
  }
  if (chmod(ROOT "/tmp", 01777) < 0 || chmod(ROOT "/var/tmp", 01777) < 0) die("chmod tmp");
  if (chmod(ROOT "/root", 0700) < 0) die("chmod root");

  /* The host's /usr, read-only: util-linux, iproute2, procps, cgroup-tools are all real. */
  do_mount("/usr", ROOT "/usr", NULL, MS_BIND | MS_REC, NULL);
  if (mount(NULL, ROOT "/usr", NULL, MS_BIND | MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV, NULL) < 0)
    die("remount /usr read-only");
  static const char *links[][2] = {{"usr/bin", "bin"}, {"usr/sbin", "sbin"}, {"usr/lib", "lib"},
                                   {"usr/lib64", "lib64"}, {"usr/lib32", "lib32"}, {"../run", "var/run"}, {NULL, NULL}};
  for (int i = 0; links[i][0]; i++) {
    snprintf(buf, sizeof buf, "/%s", links[i][1]);
    struct stat st;
    if (strncmp(links[i][0], "usr/", 4) == 0 && lstat(buf, &st) < 0) continue;
    snprintf(buf, sizeof buf, ROOT "/%s", links[i][1]);
    if (symlink(links[i][0], buf) < 0) die("symlink %s", buf);
  }

  for (int i = 0; i < o->nrobind; i++) ro_bind(&robinds[i]);
  for (int i = 0; i < o->nfiles; i++) {
    const char *eq = strchr(o->files[i], '=');
    if (!eq) { errno = 0; die("--file needs PATH=CONTENT"); }
    snprintf(buf, sizeof buf, ROOT "%.*s", (int)(eq - o->files[i]), o->files[i]);
    create_file(buf, eq + 1, 0644);
  }

  /* /dev: binds of the harmless devices (mknod is refused in a user namespace) and a new devpts. */
  do_mount("isoplay-dev", ROOT "/dev", "tmpfs", MS_NOSUID | MS_NOEXEC, "mode=0755,size=1m");
  static const char *devs[] = {"null", "zero", "full", "random", "urandom", "tty", NULL};
  for (int i = 0; devs[i]; i++) bind_dev(devs[i]);
  mkdir_p(ROOT "/dev/pts", 0755);
  do_mount("devpts", ROOT "/dev/pts", "devpts", MS_NOSUID | MS_NOEXEC, "newinstance,ptmxmode=0666,mode=0620");
  mkdir_p(ROOT "/dev/shm", 01777);
  do_mount("isoplay-shm", ROOT "/dev/shm", "tmpfs", MS_NOSUID | MS_NODEV, "mode=1777,size=16m");
  static const char *devlinks[][2] = {{"pts/ptmx", "ptmx"}, {"/proc/self/fd", "fd"}, {"/proc/self/fd/0", "stdin"},
                                      {"/proc/self/fd/1", "stdout"}, {"/proc/self/fd/2", "stderr"}, {NULL, NULL}};
  for (int i = 0; devlinks[i][0]; i++) {
    snprintf(buf, sizeof buf, ROOT "/dev/%s", devlinks[i][1]);
    if (symlink(devlinks[i][0], buf) < 0) die("symlink %s", buf);
  }

  /* Its own /proc (new pid namespace), a fresh sysfs of its own netns, and a spare sysfs so that
     `ip netns exec` (which remounts /sys) is allowed: the kernel wants an unobscured sysfs visible. */
  do_mount("proc", ROOT "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL);
  /* Read-write on purpose: the kernel lets `ip netns exec` mount a new sysfs only if a visible
     one is at least as permissive. sysfs files stay owned by the host's root, so nothing inside
     can write them anyway. */
  do_mount("sysfs", ROOT "/sys", "sysfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL);
  do_mount("sysfs", ROOT "/run/.isoplay-sys", "sysfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL);

  /* /sys/fs/cgroup: every hierarchy the host mounts, each rooted at this session (cgroup namespace). */
  int cg_tmpfs = 0;
  for (int i = 0; i < o->ncgmounts; i++) {
    char spec[512];
    snprintf(spec, sizeof spec, "%s", o->cgmounts[i]);
    char *type = spec, *opt = strchr(spec, ':');
    if (!opt) { errno = 0; die("--cgroup-mount needs TYPE:OPTIONS:NAME"); }
    *opt++ = 0;
    char *name = strchr(opt, ':');
    if (!name) { errno = 0; die("--cgroup-mount needs TYPE:OPTIONS:NAME"); }
    *name++ = 0;
    if (strcmp(name, ".") == 0) {
      snprintf(buf, sizeof buf, ROOT "/sys/fs/cgroup");
    } else {
      if (!cg_tmpfs) {
        do_mount("isoplay-cgroup", ROOT "/sys/fs/cgroup", "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, "mode=0755,size=64k");
        cg_tmpfs = 1;
      }
      snprintf(buf, sizeof buf, ROOT "/sys/fs/cgroup/%s", name);
      mkdir_p(buf, 0755);
    }
    do_mount("cgroup", buf, type, MS_NOSUID | MS_NODEV | MS_NOEXEC, opt[0] ? opt : NULL);
  }
  if (cg_tmpfs && mount(NULL, ROOT "/sys/fs/cgroup", NULL, MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, "mode=0755,size=64k") < 0)
    die("remount /sys/fs/cgroup read-only");

  /* pivot_root, never chroot: root in a user namespace escapes a chroot. */
  if (chdir(ROOT) < 0) die("chdir new root");
  if (syscall(SYS_pivot_root, ".", ".oldroot") < 0) die("pivot_root");
  if (chdir("/") < 0) die("chdir /");
  if (umount2("/.oldroot", MNT_DETACH) < 0) die("umount old root");
  if (rmdir("/.oldroot") < 0) die("rmdir /.oldroot");
}

static int child_main(const struct opts *o, int go_fd) {
  if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0) die("PR_SET_PDEATHSIG");
  char c;
  if (read(go_fd, &c, 1) != 1) die("monitor went away before the sandbox was released");
  close(go_fd);
  set_root_ids();
  build_root(o);
  if (sethostname(o->hostname, strlen(o->hostname)) < 0) die("sethostname");
  if (setdomainname("sandbox", 7) < 0) die("setdomainname");
  lo_up();
  if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0) die("no_new_privs");
  if (chdir("/root") < 0) die("chdir /root");
  umask(022);

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

static int create_main(struct opts *o) {
  if (!o->id || !o->hostname || o->uid_base <= 0 || o->uid_count <= 0 || o->rootfs_bytes <= 0) {
    errno = 0;
    die("create needs --id --hostname --uid-base --uid-count --rootfs-bytes");
  }
  /* If the server dies (even by kill -9), its sandboxes die with it; the reaper removes the rest. */
  if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0) die("PR_SET_PDEATHSIG");
  for (int i = 0; i < o->njoin; i++) write_pid(o->join[i], getpid());

  int go[2], rep[2];
  if (pipe2(go, O_CLOEXEC) < 0 || pipe2(rep, O_CLOEXEC) < 0) die("pipe");
  pid_t child = (pid_t)syscall(SYS_clone, CLONE_NEWUSER | CLONE_NEWPID | CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC |
                                              CLONE_NEWNET | CLONE_NEWCGROUP | SIGCHLD, NULL, NULL, NULL, NULL);
  if (child < 0) die("clone");
  if (child == 0) {
    close(go[1]);
    close(rep[0]);
    report_fd = rep[1];
    _exit(child_main(o, go[0]));
  }
  close(go[0]);
  close(rep[1]);

  /* Host root writes the id maps directly: no newuidmap, no /etc/subuid needed. */
  char path[128], map[128];
  snprintf(map, sizeof map, "0 %lld %lld\n", o->uid_base, o->uid_count);
  snprintf(path, sizeof path, "/proc/%d/uid_map", child);
  write_file(path, map);
  snprintf(path, sizeof path, "/proc/%d/gid_map", child);
  write_file(path, map);
  if (o->init_procs) write_pid(o->init_procs, child);
  for (int i = 0; i < o->nret; i++) write_pid(o->ret[i], getpid());
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
  printf("ready %d\n", child);
  fflush(stdout);

  /* Monitor: SIGTERM ends the sandbox gracefully; SIGKILL of this process kills it via PDEATHSIG. */
  /* Blocked (not ignored: an ignored signal is discarded before sigwaitinfo could see it). */
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

static int enter_main(struct opts *o) {
  if (o->pid <= 0 || !o->argv || !o->argv[0]) { errno = 0; die("enter needs --pid PID -- ARGV"); }
  for (int i = 0; i < o->njoin; i++) write_pid(o->join[i], getpid());

  static const struct { const char *name; int type; } kinds[] = {
      {"user", CLONE_NEWUSER}, {"cgroup", CLONE_NEWCGROUP}, {"ipc", CLONE_NEWIPC}, {"uts", CLONE_NEWUTS},
      {"net", CLONE_NEWNET},   {"pid", CLONE_NEWPID},       {"mnt", CLONE_NEWNS}};
  int fds[7];
  char path[128];
  for (int i = 0; i < 7; i++) {
    snprintf(path, sizeof path, "/proc/%d/ns/%s", o->pid, kinds[i].name);
    fds[i] = open(path, O_RDONLY | O_CLOEXEC);
    if (fds[i] < 0) die("open %s", path);
  }
  for (int i = 0; i < 7; i++) {
    if (setns(fds[i], kinds[i].type) < 0) die("setns %s", kinds[i].name);
    close(fds[i]);
  }
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
  snprintf(termbuf, sizeof termbuf, "TERM=%s", term ? term : "xterm-256color");
  envp[ne++] = termbuf;
  for (int i = 0; i < o->nenv; i++) envp[ne++] = (char *)o->env[i];
  envp[ne] = NULL;

  /* Without a terminal (checks, solves, probes) the command gets a process group of its own, and a
     timeout's SIGTERM reaches everything it started, not just the first process. */
  int own_group = !isatty(0);
  enter_child = fork();
  if (enter_child < 0) die("fork");
  if (enter_child == 0) {
    if (own_group) setpgid(0, 0);
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (chdir(o->cwd ? o->cwd : "/root") < 0 && chdir("/") < 0) die("chdir");
    signal(SIGINT, SIG_DFL);
    signal(SIGQUIT, SIG_DFL);
    signal(SIGHUP, SIG_DFL);
    signal(SIGTERM, SIG_DFL);
    setenv("PATH", envp[0] + 5, 1); /* execvpe searches the caller's PATH */
    execvpe(o->argv[0], o->argv, envp);
    die("exec %s", o->argv[0]);
  }
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
  if (o->exit_handshake && isatty(0) && isatty(1)) exit_handshake();
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

int main(int argc, char **argv) {
  struct opts o;
  memset(&o, 0, sizeof o);
  if (argc < 2) { errno = 0; die("usage: isoplay-init create|enter ..."); }
  args_start = argv[0];
  args_end = argv[argc - 1] + strlen(argv[argc - 1]);
  parse(argc, argv, &o);
  if (!strcmp(argv[1], "create")) return create_main(&o);
  if (!strcmp(argv[1], "enter")) return enter_main(&o);
  errno = 0;
  die("unknown mode %s", argv[1]);
  return 2;
}
