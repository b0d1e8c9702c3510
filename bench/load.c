/* load HOST PORT CONNECTIONS SECONDS: an HTTP load client for when wrk is
 * missing. Keeps CONNECTIONS keep-alive connections busy with GET / for
 * SECONDS and prints requests per second (full responses received).
 * Responses must carry Content-Length; bench/httpd.* always send it. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAXCONN 256

static const char req[] = "GET / HTTP/1.1\r\nHost: bench\r\n\r\n";

struct conn {
	int fd;
	size_t len;            /* bytes of the current response so far */
	char buf[16384];
};

static struct sockaddr_in addr;

static double now(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec + t.tv_nsec / 1e9;
}

/* (re)connect c and send the first request; 0 or -1 */
static int start(struct conn *c)
{
	int one = 1;
	if (c->fd >= 0)
		close(c->fd);
	c->len = 0;
	c->fd = socket(AF_INET, SOCK_STREAM, 0);
	if (c->fd < 0 || connect(c->fd, (struct sockaddr *)&addr, sizeof addr) < 0)
		return -1;
	setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
	return write(c->fd, req, sizeof req - 1) == sizeof req - 1 ? 0 : -1;
}

/* bytes of a whole response at the start of buf[0..len), or 0 */
static size_t complete(const char *buf, size_t len)
{
	const char *end = memmem(buf, len, "\r\n\r\n", 4);
	if (!end)
		return 0;
	size_t head = end + 4 - buf, body = 0;
	for (const char *p = buf; p < end; p++)
		if ((p == buf || p[-1] == '\n') && strncasecmp(p, "content-length:", 15) == 0)
			body = strtoul(p + 15, NULL, 10);
	return head + body <= len ? head + body : 0;
}

int main(int argc, char **argv)
{
	static struct conn conns[MAXCONN];
	static struct pollfd pfd[MAXCONN];
	if (argc != 5) {
		fprintf(stderr, "usage: %s HOST PORT CONNECTIONS SECONDS\n", argv[0]);
		return 2;
	}
	int n = atoi(argv[3]);
	double secs = atof(argv[4]);
	if (n < 1 || n > MAXCONN || secs <= 0)
		return 2;
	addr.sin_family = AF_INET;
	addr.sin_port = htons(atoi(argv[2]));
	if (inet_pton(AF_INET, argv[1], &addr.sin_addr) != 1)
		return 2;
	for (int i = 0; i < n; i++) {
		conns[i].fd = -1;
		if (start(&conns[i]) < 0) {
			perror("connect");
			return 1;
		}
	}

	long done = 0;
	double t0 = now(), t1 = t0;
	while ((t1 = now()) - t0 < secs) {
		for (int i = 0; i < n; i++)
			pfd[i] = (struct pollfd){ .fd = conns[i].fd, .events = POLLIN };
		if (poll(pfd, n, 100) < 0)
			return 1;
		for (int i = 0; i < n; i++) {
			struct conn *c = &conns[i];
			if (!pfd[i].revents)
				continue;
			ssize_t got = read(c->fd, c->buf + c->len, sizeof c->buf - c->len);
			if (got <= 0) {            /* the server closed: start again */
				if (start(c) < 0)
					return 1;
				continue;
			}
			c->len += got;
			size_t whole = complete(c->buf, c->len);
			if (whole) {
				done++;
				memmove(c->buf, c->buf + whole, c->len - whole);
				c->len -= whole;
				if (write(c->fd, req, sizeof req - 1) != sizeof req - 1 && start(c) < 0)
					return 1;
			} else if (c->len == sizeof c->buf) {
				fprintf(stderr, "load: response too large\n");
				return 1;
			}
		}
	}
	printf("%.1f\n", done / (t1 - t0));
	return 0;
}
