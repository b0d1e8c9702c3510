/* epoll_et: an edge-triggered entry reports only new events (man 7
 * epoll). A reader's own partial read, which leaves data behind, is no
 * new event: the next epoll_wait reports nothing until more arrives. The
 * same for a writer whose own write leaves room, on a pipe, an eventfd
 * (semaphore mode: each read takes 1) and a stream socket pair. */
#include "abi.h"
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>

static int ep;

static void watch(int fd, unsigned events)
{
	struct epoll_event ev = { .events = events | EPOLLET, .data.fd = fd };
	MUST(epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev));
}

/* What epoll_wait reports now, without waiting. */
static void report(const char *label)
{
	struct epoll_event evs[4];
	int n = epoll_wait(ep, evs, 4, 0);
	printf("%s: %d", label, n);
	for (int i = 0; i < n; i++)
		printf(" [events 0x%x]", evs[i].events);
	printf("\n");
}

static void pipe_reader(void)
{
	SECTION("pipe, reader");
	int p[2];
	char buf[8];
	MUST(pipe(p));
	watch(p[0], EPOLLIN);
	report("empty");
	MUST(write(p[1], "abcdef", 6));
	report("after write");
	report("again");
	T(read(p[0], buf, 2));
	report("after partial read");
	MUST(write(p[1], "g", 1));
	report("after more data");
	T(read(p[0], buf, 8));
	report("after draining read");
	close(p[0]);
	close(p[1]);
}

static void pipe_writer(void)
{
	SECTION("pipe, writer");
	int p[2];
	char buf[8];
	MUST(pipe(p));
	watch(p[1], EPOLLOUT);
	report("empty pipe");
	MUST(write(p[1], "abc", 3));
	report("after own write");
	T(read(p[0], buf, 1));
	report("after a read made room");
	close(p[0]);
	close(p[1]);
}

static void efd_semaphore(void)
{
	SECTION("eventfd semaphore");
	int e;
	uint64_t v = 3;
	MUST(e = eventfd(0, EFD_SEMAPHORE | EFD_NONBLOCK));
	watch(e, EPOLLIN);
	report("zero");
	MUST(write(e, &v, 8));
	report("after write");
	T(read(e, &v, 8));
	report("after taking 1");
	T(read(e, &v, 8));
	report("after taking 1 more");
	close(e);

	SECTION("eventfd, writer");
	MUST(e = eventfd(0, EFD_NONBLOCK));
	watch(e, EPOLLOUT);
	report("zero");
	v = 5;
	MUST(write(e, &v, 8));
	report("after own write");
	T(read(e, &v, 8));
	report("after a read");
	close(e);
}

static void stream_pair(void)
{
	SECTION("socketpair stream, reader");
	int s[2];
	char buf[8];
	MUST(socketpair(AF_UNIX, SOCK_STREAM, 0, s));
	watch(s[0], EPOLLIN);
	report("empty");
	MUST(write(s[1], "abcdef", 6));
	report("after write");
	T(read(s[0], buf, 2));
	report("after partial read");
	MUST(write(s[1], "g", 1));
	report("after more data");
	close(s[0]);
	close(s[1]);
}

int main(void)
{
	MUST(ep = epoll_create1(0));
	pipe_reader();
	pipe_writer();
	efd_semaphore();
	stream_pair();
	return 0;
}
