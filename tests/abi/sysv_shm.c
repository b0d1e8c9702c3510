/* System V shared memory (man 2 shmget, shmat, shmdt, shmctl): memory
 * shared between processes (and with a fork), the attach address rules
 * (NULL, SHM_RND, SHM_REMAP, EINVAL for overlap or misalignment),
 * SHM_RDONLY (a write faults, mprotect refuses), nattch as processes
 * attach, fork, detach and exit, IPC_RMID while attached (SHM_DEST, the
 * key goes, the segment at the last detach), the error table with
 * EACCES/EPERM for a non-owner, and the /proc/self/maps name. */
#include "abi.h"
#include <sys/ipc.h>
#include <sys/mman.h>
#include <sys/shm.h>
#include <sys/wait.h>

static int child_status(pid_t pid)
{
	int st;
	waitpid(pid, &st, 0);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

/* shmat: 0, or -1 and the errno. */
#define AT(expr) TL(#expr, (expr) == (void *)-1 ? -1 : 0)

static long nattch(int id)
{
	struct shmid_ds ds;
	return shmctl(id, IPC_STAT, &ds) ? -1 : (long)ds.shm_nattch;
}

int main(void)
{
	key_t key = 0x5a000000 + (getpid() & 0xffff);
	struct shmid_ds ds;

	SECTION("get");
	T(shmget(key, 8192, 0600));
	T(shmget(key, 0, IPC_CREAT | 0600));
	int id = shmget(key, 10000, IPC_CREAT | 0600);
	P("created", "%d", id >= 0);
	T(shmget(key, 10000, IPC_CREAT | IPC_EXCL | 0600));
	T(shmget(key, 20000, 0600));
	T(shmget(key, 4096, 0600) == id);
	T(shmctl(id, IPC_STAT, &ds));
	P("size mode nattch cpid", "%lu %o %lu %d", (unsigned long)ds.shm_segsz, ds.shm_perm.mode,
	  (unsigned long)ds.shm_nattch, ds.shm_cpid == getpid());

	SECTION("attach");
	char *p = shmat(id, NULL, 0);
	P("attached", "%d", p != (void *)-1);
	P("zeroed", "%d", p[0] == 0 && p[9999] == 0);
	strcpy(p, "parent");
	T(nattch(id));
	char *q = shmat(id, NULL, SHM_RDONLY);
	P("second view", "%s", q);
	T(nattch(id));
	T(mprotect(q, 4096, PROT_READ | PROT_WRITE));
	pid_t pid = fork();
	if (pid == 0) {
		q[0] = 'x';
		exit(0);
	}
	P("write to SHM_RDONLY", "%d", child_status(pid));
	T(shmdt(q));
	T(shmdt(q));
	T(shmdt(p + 1));
	T(shmdt(p + 4096));

	SECTION("fork");
	pid = fork();
	if (pid == 0) {
		printf("  child nattch %ld sees %s\n", nattch(id), p);
		strcpy(p, "child");
		exit(0);
	}
	P("child", "%d", child_status(pid));
	P("parent sees", "%s", p);
	T(nattch(id));
	pid = fork();
	if (pid == 0) {
		char *c = shmat(id, NULL, 0);
		strcpy(c + 100, "attached by child");
		exit(0);
	}
	P("child", "%d", child_status(pid));
	P("parent sees", "%s", p + 100);
	T(nattch(id));

	SECTION("addresses");
	char *area = mmap(NULL, 5 * 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	AT(shmat(id, area, 0));
	AT(shmat(id, area + 1, 0));
	AT(shmat(id, NULL, SHM_REMAP));
	MUST(munmap(area, 5 * 4096));
	T(shmat(id, area + 5, SHM_RND) == area);
	P("same memory", "%s", area);
	T(shmdt(area));
	MUST(mmap(area, 5 * 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0) == area ? 0 : -1);
	T(shmat(id, area, SHM_REMAP) == area);
	P("remapped", "%s", area);
	FILE *f = fopen("/proc/self/maps", "r");
	char line[512], name[64];
	int named = 0;
	snprintf(name, sizeof(name), "/SYSV%08x (deleted)", key);
	while (f && fgets(line, sizeof(line), f))
		named += strstr(line, name) != NULL;
	if (f)
		fclose(f);
	P("maps lines naming the segment", "%d", named);
	T(shmdt(area));
	T(nattch(id));

	SECTION("ctl");
	T(shmctl(id, IPC_STAT, BADP));
	T(shmctl(-1, IPC_STAT, &ds));
	T(shmctl(id, 99, &ds));
	T(shmctl(id, IPC_SET, BADP));
	ds.shm_perm.mode = 0640;
	T(shmctl(id, IPC_SET, &ds));
	T(shmctl(id, IPC_STAT, &ds));
	P("mode", "%o", ds.shm_perm.mode);
	struct shminfo si;
	T(shmctl(0, IPC_INFO, (struct shmid_ds *)&si) >= 0);
	P("shmmax shmmin shmmni", "%lu %lu %lu", si.shmmax, si.shmmin, si.shmmni);
	AT(shmat(-1, NULL, 0));
	AT(shmat(id + 1000000, NULL, 0));

	SECTION("another user");
	pid = fork();
	if (pid == 0) {
		MUST(setuid(65534));
		T(shmget(key, 1, 0600));
		AT(shmat(id, NULL, 0));
		char *r = shmat(id, NULL, SHM_RDONLY);
		P("read-only attach", "%s", r == (void *)-1 ? "failed" : r);
		T(shmctl(id, IPC_RMID, NULL));
		exit(0);
	}
	P("child", "%d", child_status(pid));

	SECTION("removal");
	T(shmctl(id, IPC_RMID, NULL));
	T(shmctl(id, IPC_STAT, &ds));
	P("mode key nattch", "%o %d %lu", ds.shm_perm.mode, ds.shm_perm.__key,
	  (unsigned long)ds.shm_nattch);
	T(shmget(key, 1, 0));
	char *again = shmat(id, NULL, 0);
	P("attach after removal", "%s", again == (void *)-1 ? "failed" : again);
	T(shmdt(again));
	T(shmdt(p));
	T(shmctl(id, IPC_STAT, &ds));
	return 0;
}
