/* System V semaphores (man 2 semget, semop, semtimedop, semctl): the
 * error table (EINVAL, E2BIG, EFAULT, EFBIG, EAGAIN, ERANGE, EEXIST,
 * ENOENT, EACCES/EPERM for a non-owner), GETVAL/SETVAL/GETALL/SETALL/
 * GETPID/GETNCNT/GETZCNT, all-or-nothing semop, a waiter woken by
 * another process, semtimedop's timeout, EINTR for a signal even with
 * SA_RESTART, SEM_UNDO applied at exit, and EIDRM for a waiter whose set
 * is removed. */
#include "abi.h"
#include <signal.h>
#include <time.h>
#include <sys/ipc.h>
#include <sys/sem.h>
#include <sys/wait.h>

union semun { int val; struct semid_ds *buf; unsigned short *array; };

static int child_status(pid_t pid)
{
	int st;
	waitpid(pid, &st, 0);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

static int op(int id, int num, int delta, int flg)
{
	struct sembuf s = { num, delta, flg };
	return semop(id, &s, 1);
}

static void on_alarm(int sig) { (void)sig; }

static void show_vals(int id)
{
	unsigned short v[3];
	semctl(id, 0, GETALL, (union semun){ .array = v });
	printf("  vals %d %d %d\n", v[0], v[1], v[2]);
}

int main(void)
{
	key_t key = 0x5e500000 + (getpid() & 0xffff);
	union semun u;
	struct semid_ds ds;

	SECTION("get");
	T(semget(key, 3, 0600));
	T(semget(key, -1, IPC_CREAT | 0600));
	T(semget(key, 0, IPC_CREAT | 0600));
	T(semget(key, 40000, IPC_CREAT | 0600));
	int id = semget(key, 3, IPC_CREAT | 0600);
	P("created", "%d", id >= 0);
	T(semget(key, 3, IPC_CREAT | IPC_EXCL | 0600));
	T(semget(key, 4, 0600));
	T(semget(key, 2, 0600) == id);
	T(semget(key, 0, 0) == id);

	SECTION("semop errors");
	struct sembuf many[501] = { { 0 } };
	T(semop(id, many, 0));
	T(semop(id, many, 501));
	T(semop(-1, many, 1));
	T(semop(id, BADP, 1));
	T(op(id, 3, 1, 0));
	T(op(id, 0, -1, IPC_NOWAIT));
	T(op(id + 1000000, 0, 1, 0));
	struct timespec bad = { 0, 2000000000 };
	T(semtimedop(id, many, 1, BADP));
	T(semtimedop(id, (struct sembuf[]){ { 0, -1, 0 } }, 1, &bad));

	SECTION("values");
	T(semctl(id, 0, SETVAL, (union semun){ .val = 32768 }));
	T(semctl(id, 0, SETVAL, (union semun){ .val = -1 }));
	T(semctl(id, 5, SETVAL, (union semun){ .val = 1 }));
	T(semctl(id, 0, SETVAL, (union semun){ .val = 5 }));
	T(semctl(id, 0, GETVAL));
	T(semctl(id, 3, GETVAL));
	T(semctl(id, 0, GETPID) == getpid());
	unsigned short set[3] = { 1, 2, 3 };
	T(semctl(id, 0, SETALL, (union semun){ .array = set }));
	show_vals(id);
	T(semctl(id, 0, GETALL, (union semun){ .array = BADP }));
	T(semctl(id, 0, SETALL, (union semun){ .array = BADP }));
	unsigned short big[3] = { 1, 40000, 3 };
	T(semctl(id, 0, SETALL, (union semun){ .array = big }));
	show_vals(id);
	T(semctl(id, 0, 99));
	T(op(id, 2, 32767, 0));
	/* All or nothing: the second operation would block. */
	struct sembuf two[2] = { { 0, 1, 0 }, { 1, -5, IPC_NOWAIT } };
	T(semop(id, two, 2));
	show_vals(id);
	struct sembuf ok2[2] = { { 0, 1, 0 }, { 1, -2, 0 } };
	T(semop(id, ok2, 2));
	show_vals(id);
	T(semctl(id, 1, GETPID) == getpid());

	SECTION("ctl");
	T(semctl(id, 0, IPC_STAT, (union semun){ .buf = &ds }));
	P("mode nsems", "%o %lu", ds.sem_perm.mode, (unsigned long)ds.sem_nsems);
	T(semctl(id, 0, IPC_STAT, (union semun){ .buf = BADP }));
	T(semctl(-1, 0, IPC_STAT, (union semun){ .buf = &ds }));
	ds.sem_perm.mode = 0644;
	T(semctl(id, 0, IPC_SET, (union semun){ .buf = &ds }));
	T(semctl(id, 0, IPC_SET, (union semun){ .buf = BADP }));
	T(semctl(id, 0, IPC_STAT, (union semun){ .buf = &ds }));
	P("mode", "%o", ds.sem_perm.mode);
	struct seminfo si;
	T(semctl(0, 0, IPC_INFO, (union semun){ .buf = (void *)&si }) >= 0);
	P("semmsl semopm semvmx", "%d %d %d", si.semmsl, si.semopm, si.semvmx);

	SECTION("waiting");
	MUST(semctl(id, 0, SETVAL, (union semun){ .val = 0 }));
	MUST(semctl(id, 1, SETVAL, (union semun){ .val = 1 }));
	pid_t pid = fork();
	if (pid == 0) {
		long r = op(id, 0, -2, 0);
		printf("  child semop = %ld\n", r);
		exit(0);
	}
	pid_t zpid = fork();
	if (zpid == 0) {
		long r = op(id, 1, 0, 0);
		printf("  zero child semop = %ld\n", r);
		exit(0);
	}
	usleep(200000);
	T(semctl(id, 0, GETNCNT));
	T(semctl(id, 1, GETZCNT));
	T(semctl(id, 1, GETNCNT));
	MUST(op(id, 0, 1, 0));
	usleep(100000);
	T(semctl(id, 0, GETNCNT));
	T(semctl(id, 0, GETVAL));
	MUST(op(id, 0, 1, 0));
	P("child", "%d", child_status(pid));
	MUST(op(id, 1, -1, 0));
	P("zero child", "%d", child_status(zpid));
	T(semctl(id, 0, GETVAL));

	SECTION("timeout and signal");
	struct timespec ts = { 0, 100000000 };
	T(semtimedop(id, (struct sembuf[]){ { 0, -1, 0 } }, 1, &ts));
	pid = fork();
	if (pid == 0) {
		struct sigaction sa = { .sa_handler = on_alarm, .sa_flags = SA_RESTART };
		sigaction(SIGALRM, &sa, NULL);
		alarm(1);
		T(op(id, 0, -1, 0));
		exit(0);
	}
	P("child", "%d", child_status(pid));

	SECTION("undo");
	MUST(semctl(id, 2, SETVAL, (union semun){ .val = 3 }));
	pid = fork();
	if (pid == 0) {
		T(op(id, 2, -2, SEM_UNDO));
		T(op(id, 2, 4, SEM_UNDO));
		T(semctl(id, 2, GETVAL));
		exit(0);
	}
	P("child", "%d", child_status(pid));
	T(semctl(id, 2, GETVAL));
	pid = fork();
	if (pid == 0) {
		T(op(id, 2, -3, SEM_UNDO));
		MUST(semctl(id, 2, SETVAL, (union semun){ .val = 7 }));
		exit(0);
	}
	P("child", "%d", child_status(pid));
	T(semctl(id, 2, GETVAL));

	SECTION("another user");
	pid = fork();
	if (pid == 0) {
		MUST(setuid(65534));
		T(semget(key, 3, 0600));
		T(semget(key, 3, 0) == id);
		T(op(id, 0, 1, 0));
		T(semctl(id, 0, GETVAL));
		T(semctl(id, 0, SETVAL, (union semun){ .val = 1 }));
		T(semctl(id, 0, IPC_RMID));
		exit(0);
	}
	P("child", "%d", child_status(pid));

	SECTION("removal");
	MUST(semctl(id, 0, SETVAL, (union semun){ .val = 0 }));
	pid = fork();
	if (pid == 0) {
		T(op(id, 0, -1, 0));
		exit(0);
	}
	usleep(100000);
	long rm = semctl(id, 0, IPC_RMID);
	P("child", "%d", child_status(pid));
	P("removed", "%ld", rm);
	T(semctl(id, 0, GETVAL));
	T(op(id, 0, 1, 0));
	T(semget(key, 1, 0));
	(void)u;
	return 0;
}
