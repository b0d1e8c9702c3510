/* robust: set_robust_list and get_robust_list (for itself, another thread,
 * another process: ESRCH for no such task, EPERM unless the caller could
 * ptrace it, EFAULT for bad pointers), and the walk of the list when its
 * owner dies: a robust mutex held by a thread that exits, by a process
 * that exits or is killed, is marked FUTEX_OWNER_DIED and a waiter wakes
 * with EOWNERDEAD from glibc's pthread_mutex_lock. */
#include "abi.h"
#include <linux/futex.h>
#include <pthread.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>

#define GET(pid, head, len) syscall(SYS_get_robust_list, pid, head, len)

static pthread_mutex_t *shared_mutex;
static pthread_mutex_t local_mutex;
static int go[2];

static void robust_init(pthread_mutex_t *m, int pshared)
{
	pthread_mutexattr_t at;
	pthread_mutexattr_init(&at);
	pthread_mutexattr_setrobust(&at, PTHREAD_MUTEX_ROBUST);
	pthread_mutexattr_setpshared(&at, pshared);
	pthread_mutex_init(m, &at);
}

static const char *lock_result(int r)
{
	return r ? ename(r) : "0";
}

static void *holder(void *arg)
{
	pthread_mutex_t *m = arg;
	printf("holder lock: %s\n", lock_result(pthread_mutex_lock(m)));
	char c;
	MUST(read(go[0], &c, 1));	/* dies holding it */
	return NULL;
}

static void *waiter(void *arg)
{
	int r = pthread_mutex_lock(arg);
	printf("waiter's lock: %s\n", lock_result(r));
	printf("consistent: %s\n", lock_result(pthread_mutex_consistent(arg)));
	printf("unlock: %s\n", lock_result(pthread_mutex_unlock(arg)));
	return NULL;
}

/* Takes the lock, says so, and stays until its process ends. */
static void *holder_forever(void *arg)
{
	if (pthread_mutex_lock(arg))
		_exit(1);
	MUST(write(go[1], "x", 1));
	for (;;)
		pause();
}

static volatile pid_t other_tid;
static void *idle_thread(void *arg)
{
	(void)arg;
	void *head;
	size_t len;
	other_tid = gettid();
	MUST(GET(0, &head, &len));
	char c;
	MUST(read(go[0], &c, 1));
	return head;
}

static void show_word(const char *label, pthread_mutex_t *m)
{
	unsigned w = *(volatile unsigned *)m;	/* glibc's __lock is the futex word */
	printf("%s: owner died %d, waiters %d, tid set %d\n", label, !!(w & FUTEX_OWNER_DIED),
	       !!(w & FUTEX_WAITERS), !!(w & FUTEX_TID_MASK));
}

int main(void)
{
	MUST(pipe(go));
	void *head, *mine;
	size_t len = 0;

	SECTION("set and get");
	T(syscall(SYS_set_robust_list, (void *)0x1000, 23));
	T(syscall(SYS_set_robust_list, (void *)0x1000, 25));
	T(GET(0, &mine, &len));
	P("len", "%zu", len);
	T(syscall(SYS_set_robust_list, BADP, 24));
	T(GET(0, &head, &len));
	P("head is what was set", "%d", head == BADP);
	T(syscall(SYS_set_robust_list, mine, 24));
	T(GET(0, &head, &len));
	P("head is back", "%d", head == mine);
	T(GET(getpid(), &head, &len));
	P("by own pid", "%d", head == mine);
	T(GET(0, BADP, &len));
	T(GET(0, &head, BADP));
	T(GET(0, NULL, &len));
	T(GET(999999, &head, &len));
	T(GET(-1, &head, &len));
	T(GET(999999, BADP, BADP));

	SECTION("another thread");
	pthread_t th;
	MUST(errno = pthread_create(&th, NULL, idle_thread, NULL) ? -1 : 0);
	while (!other_tid)
		usleep(1000);
	T(GET(other_tid, &head, &len));
	MUST(write(go[1], "x", 1));
	void *its;
	pthread_join(th, &its);
	P("same as it saw", "%d", its == head);
	P("not mine", "%d", its != mine);

	SECTION("another process");
	pid_t parent = getpid();
	pid_t kid = fork();
	if (kid == 0) {
		void *h;
		size_t l;
		T(GET(parent, &h, &l));
		/* a uid of its own, as kill_perm makes one */
		unsigned uid = 100000 + parent % 50000;
		MUST(setresgid(uid, uid, uid));
		MUST(setresuid(uid, uid, uid));
		T(GET(parent, &h, &l));
		T(GET(getppid(), BADP, BADP));
		T(GET(0, &h, &l));
		pid_t gk = fork();
		if (gk == 0) {
			pause();
			_exit(0);
		}
		usleep(20000);
		TL("same uid, not dumpable", GET(gk, &h, &l));
		kill(gk, SIGKILL);
		waitpid(gk, NULL, 0);
		MUST(prctl(PR_SET_DUMPABLE, 1));
		gk = fork();
		if (gk == 0) {
			pause();
			_exit(0);
		}
		usleep(20000);
		TL("same uid, dumpable", GET(gk, &h, &l));
		kill(gk, SIGKILL);
		waitpid(gk, NULL, 0);
		_exit(0);
	}
	MUST(waitpid(kid, NULL, 0));
	kid = fork();
	if (kid == 0) {
		MUST(setresuid(65534, 65534, 65534));
		pause();
		_exit(0);
	}
	usleep(50000);
	T(GET(kid, &head, &len));
	kill(kid, SIGKILL);
	MUST(waitpid(kid, NULL, 0));
	T(GET(kid, &head, &len));

	SECTION("a thread dies holding a robust mutex");
	robust_init(&local_mutex, PTHREAD_PROCESS_PRIVATE);
	MUST(errno = pthread_create(&th, NULL, holder, &local_mutex) ? -1 : 0);
	usleep(50000);
	printf("trylock: %s\n", lock_result(pthread_mutex_trylock(&local_mutex)));
	MUST(write(go[1], "x", 1));
	pthread_join(th, NULL);
	show_word("after its death", &local_mutex);
	printf("lock: %s\n", lock_result(pthread_mutex_lock(&local_mutex)));
	printf("consistent: %s\n", lock_result(pthread_mutex_consistent(&local_mutex)));
	printf("unlock: %s\n", lock_result(pthread_mutex_unlock(&local_mutex)));
	printf("lock again: %s\n", lock_result(pthread_mutex_lock(&local_mutex)));
	printf("unlock: %s\n", lock_result(pthread_mutex_unlock(&local_mutex)));

	SECTION("a waiting thread wakes");
	pthread_t w;
	MUST(errno = pthread_create(&th, NULL, holder, &local_mutex) ? -1 : 0);
	usleep(50000);
	MUST(errno = pthread_create(&w, NULL, waiter, &local_mutex) ? -1 : 0);
	usleep(100000);
	show_word("while waited for", &local_mutex);
	MUST(write(go[1], "x", 1));
	pthread_join(th, NULL);
	pthread_join(w, NULL);
	show_word("after", &local_mutex);

	SECTION("a process dies holding a shared robust mutex");
	shared_mutex = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	MUST(shared_mutex == MAP_FAILED ? -1 : 0);
	robust_init(shared_mutex, PTHREAD_PROCESS_SHARED);
	for (int how = 0; how < 3; how++) {
		kid = fork();
		if (kid == 0) {
			if (how == 2) {	/* a thread holds it; the process exits */
				pthread_t h;
				pthread_create(&h, NULL, holder_forever, shared_mutex);
				usleep(150000);
				_exit(0);
			}
			if (pthread_mutex_lock(shared_mutex))
				_exit(1);
			MUST(write(go[1], "x", 1));
			usleep(150000);
			if (how == 1)
				raise(SIGKILL);
			_exit(0);
		}
		char c;
		MUST(read(go[0], &c, 1));
		printf("process %d: lock: %s\n", how, lock_result(pthread_mutex_lock(shared_mutex)));
		printf("consistent: %s\n", lock_result(pthread_mutex_consistent(shared_mutex)));
		printf("unlock: %s\n", lock_result(pthread_mutex_unlock(shared_mutex)));
		int st;
		MUST(waitpid(kid, &st, 0));
		P("status", "%#x", st);
	}
	return 0;
}
