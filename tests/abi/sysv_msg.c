/* System V message queues (man 2 msgget, msgsnd, msgrcv, msgctl): the
 * error table (EFAULT, EINVAL, ENOENT, EEXIST, E2BIG, ENOMSG, EACCES and
 * EPERM for a non-owner), msgtyp rules, MSG_NOERROR and MSG_EXCEPT,
 * IPC_STAT/IPC_SET/IPC_INFO/MSG_STAT_ANY, blocking msgsnd/msgrcv woken
 * by the other side, EIDRM for a waiter whose queue is removed, EINTR
 * for a signal even with SA_RESTART, and /proc/sysvipc/msg. */
#include "abi.h"
#include <signal.h>
#include <sys/ipc.h>
#include <sys/msg.h>
#include <sys/wait.h>

struct mbuf { long mtype; char mtext[64]; };

static int child_status(pid_t pid)
{
	int st;
	waitpid(pid, &st, 0);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

static void send(int id, long type, const char *text)
{
	struct mbuf m = { .mtype = type };
	strcpy(m.mtext, text);
	MUST(msgsnd(id, &m, strlen(text) + 1, 0));
}

static void on_alarm(int sig) { (void)sig; }

int main(void)
{
	key_t key = 0x50e50000 + (getpid() & 0xffff);
	struct mbuf m;
	struct msqid_ds ds;
	struct msginfo mi;

	SECTION("get");
	T(msgget(key, 0600));
	int id = msgget(key, IPC_CREAT | 0600);
	P("created", "%d", id >= 0);
	T(msgget(key, IPC_CREAT | IPC_EXCL | 0600));
	T(msgget(key, IPC_CREAT | 0600) == id);
	T(msgget(key, 0) == id);
	int priv = msgget(IPC_PRIVATE, 0600);
	T(priv >= 0 && priv != id);

	SECTION("send and receive errors");
	m.mtype = 1;
	strcpy(m.mtext, "x");
	T(msgsnd(id, BADP, 4, 0));
	T(msgsnd(id, &m, 9000, 0));
	T(msgsnd(-1, &m, 2, 0));
	T(msgsnd(id + 1000000, &m, 2, 0));
	m.mtype = 0;
	T(msgsnd(id, &m, 2, 0));
	m.mtype = -5;
	T(msgsnd(id, &m, 2, 0));
	T(msgrcv(id, &m, -1, 0, 0));
	T(msgrcv(-1, &m, 8, 0, 0));
	T(msgrcv(id, &m, 8, 0, IPC_NOWAIT));
	T(msgrcv(id, &m, 8, 0, MSG_COPY));
	T(msgrcv(id, &m, 8, 0, MSG_COPY | IPC_NOWAIT | MSG_EXCEPT));

	SECTION("msgtyp");
	send(id, 3, "three");
	send(id, 1, "one");
	send(id, 2, "two-a");
	send(id, 5, "five");
	send(id, 2, "two-b");
	T(msgrcv(id, &m, 2, 0, IPC_NOWAIT));
	T(msgrcv(id, &m, 2, 0, IPC_NOWAIT | MSG_NOERROR));
	printf("  mtype %ld text %.2s\n", m.mtype, m.mtext);
	T(msgrcv(id, &m, sizeof(m.mtext), -2, 0));
	printf("  mtype %ld text %s\n", m.mtype, m.mtext);
	T(msgrcv(id, &m, sizeof(m.mtext), 2, 0));
	printf("  mtype %ld text %s\n", m.mtype, m.mtext);
	T(msgrcv(id, &m, sizeof(m.mtext), 2, MSG_EXCEPT));
	printf("  mtype %ld text %s\n", m.mtype, m.mtext);
	T(msgrcv(id, &m, sizeof(m.mtext), 7, IPC_NOWAIT));
	T(msgrcv(id, &m, sizeof(m.mtext), -100, 0));
	printf("  mtype %ld text %s\n", m.mtype, m.mtext);
	send(id, 9, "lost");
	T(msgrcv(id, BADP, 8, 0, 0));
	T(msgrcv(id, &m, 8, 0, IPC_NOWAIT));

	SECTION("ctl");
	send(id, 4, "abcdefg");
	T(msgctl(id, IPC_STAT, &ds));
	P("mode", "%o", ds.msg_perm.mode);
	P("qnum cbytes qbytes", "%lu %lu %lu", (unsigned long)ds.msg_qnum,
	  (unsigned long)ds.msg_cbytes, (unsigned long)ds.msg_qbytes);
	P("lspid is me", "%d", ds.msg_lspid == getpid());
	P("key", "%d", ds.msg_perm.__key == key);
	T(msgctl(id, IPC_STAT, BADP));
	T(msgctl(id, 99, &ds));
	T(msgctl(-1, IPC_STAT, &ds));
	T(msgctl(id, IPC_SET, BADP));
	ds.msg_qbytes = 100;
	ds.msg_perm.mode = 0640;
	T(msgctl(id, IPC_SET, &ds));
	T(msgctl(id, IPC_STAT, &ds));
	P("mode qbytes", "%o %lu", ds.msg_perm.mode, (unsigned long)ds.msg_qbytes);
	T(msgctl(0, IPC_INFO, (struct msqid_ds *)&mi) >= 0);
	P("msgmax msgmnb msgssz", "%d %d %d", mi.msgmax, mi.msgmnb, mi.msgssz);
	T(msgctl(0, IPC_INFO, BADP));
	int idx = msgctl(0, MSG_INFO, (struct msqid_ds *)&mi);
	int found = 0;
	for (int i = 0; i <= idx; i++)
		found |= msgctl(i, MSG_STAT_ANY, &ds) == id;
	P("MSG_STAT_ANY finds it", "%d", found);
	FILE *f = fopen("/proc/sysvipc/msg", "r");
	char line[256];
	int seen = 0;
	if (f && fgets(line, sizeof(line), f))
		printf("  %s", line);
	while (f && fgets(line, sizeof(line), f)) {
		int k, i;
		if (sscanf(line, "%d %d", &k, &i) == 2 && i == id)
			seen = k == key;
	}
	if (f)
		fclose(f);
	P("/proc/sysvipc/msg has it", "%d", seen);
	T(msgrcv(id, &m, sizeof(m.mtext), 0, 0));

	SECTION("blocking");
	pid_t pid = fork();
	if (pid == 0) {
		long r = msgrcv(id, &m, sizeof(m.mtext), 6, 0);
		printf("  child got %ld: %s\n", r, m.mtext);
		exit(0);
	}
	usleep(100000);
	send(id, 6, "wake");
	P("child", "%d", child_status(pid));
	/* A full queue (qbytes 100): the sender waits for room. */
	char big[60] = "big";
	struct { long t; char b[60]; } bm = { 1, "" };
	memcpy(bm.b, big, sizeof(big));
	MUST(msgsnd(id, &bm, 60, 0));
	T(msgsnd(id, &bm, 60, IPC_NOWAIT));
	pid = fork();
	if (pid == 0) {
		long r = msgsnd(id, &bm, 60, 0);
		printf("  child send = %ld\n", r);
		exit(0);
	}
	usleep(100000);
	long got = msgrcv(id, &m, sizeof(m.mtext), 0, 0);
	P("child", "%d", child_status(pid));
	P("received", "%ld", got);
	T(msgrcv(id, &m, sizeof(m.mtext), 0, 0));

	SECTION("signal");
	pid = fork();
	if (pid == 0) {
		struct sigaction sa = { .sa_handler = on_alarm, .sa_flags = SA_RESTART };
		sigaction(SIGALRM, &sa, NULL);
		alarm(1);
		T(msgrcv(id, &m, sizeof(m.mtext), 0, 0));
		exit(0);
	}
	P("child", "%d", child_status(pid));

	SECTION("another user");
	pid = fork();
	if (pid == 0) {
		MUST(setuid(65534));
		T(msgget(key, 0600));
		T(msgget(key, 0) == id);
		T(msgsnd(id, &m, 2, 0));
		T(msgrcv(id, &m, 2, 0, IPC_NOWAIT));
		T(msgctl(id, IPC_STAT, &ds));
		T(msgctl(id, IPC_RMID, NULL));
		T(msgctl(id, IPC_SET, &ds));
		exit(0);
	}
	P("child", "%d", child_status(pid));

	SECTION("removal");
	pid = fork();
	if (pid == 0) {
		T(msgrcv(id, &m, sizeof(m.mtext), 0, 0));
		exit(0);
	}
	usleep(100000);
	long rm = msgctl(id, IPC_RMID, NULL);
	P("child", "%d", child_status(pid));
	P("removed", "%ld", rm);
	T(msgctl(id, IPC_STAT, &ds));
	T(msgsnd(id, &m, 2, 0));
	T(msgget(key, 0));
	T(msgctl(id, IPC_RMID, NULL));
	T(msgctl(priv, IPC_RMID, NULL));
	return 0;
}
