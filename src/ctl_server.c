/* SPDX-License-Identifier: BSD-3-Clause */
/* The control transport: see ctl_server.h. */
#define VIO_LOG_MODULE "control"
#include "ctl_server.h"

#include <errno.h>
#include <grp.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>
#include <zmq.h>

#include "log.h"
#include "sockfile.h"

#define MAX_ENDPOINTS 8
#define MAX_FRAMES 8                 /* envelope + delimiter + body, with room */
/* What one client can make the daemon hold (issue 13): a frame larger than
 * MAX_MSG_SIZE disconnects its sender; a larger request than
 * VIO_CTL_MAX_REQUEST up to it still gets an error reply.  At most RCV_HWM
 * requests wait per client (then libzmq stops reading it) and SND_HWM
 * replies (then they are dropped: a client that does not read gets none).
 * At most MAX_CLIENTS connections per endpoint, fewer when the descriptor
 * limit is low (a quarter of it for all endpoints): a connection beyond
 * that is shut down as soon as it is accepted. */
#define MAX_MSG_SIZE (2 * VIO_CTL_MAX_REQUEST)
#define RCV_HWM 2
#define SND_HWM 16
#define MAX_CLIENTS 64
#define MIN_CLIENTS 4
#define MAX_DEFERRED 128
#define BATCH 32                     /* requests per socket per loop */

struct envelope {
	zmq_msg_t frames[MAX_FRAMES];    /* routing frames, delimiter included */
	unsigned n;
};

struct deferred {
	bool used;
	unsigned ep;
	struct envelope env;
	void *token;
	uint64_t due_ns;
};

static struct {
	void *ctx;
	void *sock[MAX_ENDPOINTS];
	void *mon[MAX_ENDPOINTS];          /* connection events of sock[i] */
	unsigned clients[MAX_ENDPOINTS];   /* connected clients */
	bool listening[MAX_ENDPOINTS];
	unsigned max_clients;              /* per endpoint */
	gid_t gid;
	char path[MAX_ENDPOINTS][PATH_MAX];
	struct vio_ctl_endpoint eps[MAX_ENDPOINTS];
	unsigned n;
	const struct vio_ctl_backend *be;
	int stop_fd;
	pthread_t thread;
	bool running;
	struct deferred deferred[MAX_DEFERRED];
} srv = {.stop_fd = -1};

int vio_ctl_endpoint_free(const char *endpoint, char *err, size_t errlen)
{
	enum vio_sock_state st;

	/* libzmq removes whatever is at the path before it binds: a live
	 * daemon's endpoint, or a file that is not a socket at all. */
	if (vio_sock_probe(endpoint + strlen("ipc://"), &st, err, errlen))
		return -1;
	if (st == VIO_SOCK_LIVE) {
		snprintf(err, errlen, "another process serves this endpoint (is another "
			 "virtio-forwarder running?)");
		return -1;
	}
	return 0;
}

/* Bind endpoint i: the file is created 0600 (0660 with a group)
 * under a matching umask, so it never exists with looser permissions, and
 * given its group through a descriptor of the very socket bound. */
static int listen_endpoint(unsigned i, char *err, size_t errlen)
{
	const struct vio_ctl_endpoint *e = &srv.eps[i];
	mode_t file_mode = srv.gid == (gid_t)-1 ? 0600 : 0660;
	mode_t old;
	int rc;

	if (vio_ctl_endpoint_free(e->endpoint, err, errlen))
		return -1;
	old = umask(0777 & ~file_mode);
	rc = zmq_bind(srv.sock[i], e->endpoint);
	umask(old);
	if (rc) {
		snprintf(err, errlen, "cannot bind: %s", zmq_strerror(errno));
		return -1;
	}
	if (vio_sock_secure(srv.path[i], (uid_t)-1, srv.gid, file_mode, err, errlen)) {
		zmq_unbind(srv.sock[i], e->endpoint);
		return -1;
	}
	srv.listening[i] = true;
	return 0;
}

static int bind_endpoint(unsigned i, char *err, size_t errlen)
{
	const struct vio_ctl_endpoint *e = &srv.eps[i];
	char dir[PATH_MAX], mon[64], *slash;
	int one = 1, zero = 0, rcv_hwm = RCV_HWM, snd_hwm = SND_HWM;
	int64_t maxsize = MAX_MSG_SIZE;

	snprintf(srv.path[i], sizeof(srv.path[i]), "%s", e->endpoint + strlen("ipc://"));
	snprintf(dir, sizeof(dir), "%s", srv.path[i]);
	slash = strrchr(dir, '/');
	if (slash && slash != dir) {
		*slash = '\0';
		mode_t mode = srv.gid == (gid_t)-1 ? 0700 : 0750;
		int rc = vio_dir_make(dir, mode, srv.gid, err, errlen);

		if (rc < 0)
			return -1;
		if (rc > 0)
			VIO_LOG(INFO, "created %s (mode %03o)", dir, (unsigned)mode);
	}
	srv.sock[i] = zmq_socket(srv.ctx, ZMQ_ROUTER);
	if (!srv.sock[i]) {
		snprintf(err, errlen, "cannot create a socket: %s", zmq_strerror(errno));
		return -1;
	}
	zmq_setsockopt(srv.sock[i], ZMQ_LINGER, &zero, sizeof(zero));
	zmq_setsockopt(srv.sock[i], ZMQ_MAXMSGSIZE, &maxsize, sizeof(maxsize));
	zmq_setsockopt(srv.sock[i], ZMQ_RCVHWM, &rcv_hwm, sizeof(rcv_hwm));
	zmq_setsockopt(srv.sock[i], ZMQ_SNDHWM, &snd_hwm, sizeof(snd_hwm));
	zmq_setsockopt(srv.sock[i], ZMQ_ROUTER_HANDOVER, &one, sizeof(one));
	/* Connection events, to count clients.  libzmq's I/O thread blocks
	 * when we fall behind reading them: it then accepts no more either. */
	snprintf(mon, sizeof(mon), "inproc://vio-ctl-monitor-%u", i);
	if (zmq_socket_monitor(srv.sock[i], mon, ZMQ_EVENT_ACCEPTED | ZMQ_EVENT_DISCONNECTED) ||
	    !(srv.mon[i] = zmq_socket(srv.ctx, ZMQ_PAIR)) || zmq_connect(srv.mon[i], mon)) {
		snprintf(err, errlen, "cannot watch the connections: %s", zmq_strerror(errno));
		return -1;
	}
	if (listen_endpoint(i, err, errlen))
		return -1;
	VIO_LOG(INFO, "%s service on %s (at most %u clients)", e->service->name, e->endpoint,
		srv.max_clients);
	return 0;
}

/* A connection over the limit: shut it down (libzmq sees the end of the
 * stream and closes it).  The descriptor is checked to still be a
 * connection to this endpoint, as the event may be stale. */
static void refuse_client(unsigned i, int fd)
{
	struct sockaddr_un sun;
	socklen_t len = sizeof(sun);
	size_t n = strlen(srv.path[i]);

	if (getsockname(fd, (struct sockaddr *)&sun, &len) == 0 && sun.sun_family == AF_UNIX &&
	    len > offsetof(struct sockaddr_un, sun_path) + n &&
	    memcmp(sun.sun_path, srv.path[i], n + 1) == 0)
		shutdown(fd, SHUT_RDWR);
}

/* Connection events of endpoint i: count the clients, refuse those over
 * the limit. */
static void watch_clients(unsigned i)
{
	for (;;) {
		zmq_msg_t ev, addr;
		uint16_t event;
		uint32_t value;

		zmq_msg_init(&ev);
		if (zmq_msg_recv(&ev, srv.mon[i], ZMQ_DONTWAIT) < 0) {
			zmq_msg_close(&ev);
			return;
		}
		if (zmq_msg_more(&ev)) { /* the endpoint address */
			zmq_msg_init(&addr);
			zmq_msg_recv(&addr, srv.mon[i], 0);
			zmq_msg_close(&addr);
		}
		if (zmq_msg_size(&ev) >= sizeof(event) + sizeof(value)) {
			memcpy(&event, zmq_msg_data(&ev), sizeof(event));
			memcpy(&value, (char *)zmq_msg_data(&ev) + sizeof(event), sizeof(value));
			if (event == ZMQ_EVENT_ACCEPTED && ++srv.clients[i] > srv.max_clients) {
				refuse_client(i, (int)value);
				VIO_LOG_RL(WARNING, 1000, "%s: more than %u clients: refusing new "
					   "ones", srv.eps[i].endpoint, srv.max_clients);
			} else if (event == ZMQ_EVENT_DISCONNECTED && srv.clients[i] > 0) {
				srv.clients[i]--;
			}
		}
		zmq_msg_close(&ev);
	}
}

static void close_all(void)
{
	for (unsigned i = 0; i < srv.n; i++) {
		if (srv.mon[i])
			zmq_close(srv.mon[i]);
		if (srv.sock[i]) {
			zmq_close(srv.sock[i]);
			if (srv.listening[i])
				unlink(srv.path[i]);
		}
		srv.sock[i] = srv.mon[i] = NULL;
		srv.listening[i] = false;
		srv.clients[i] = 0;
	}
	if (srv.ctx)
		zmq_ctx_term(srv.ctx);
	srv.ctx = NULL;
	if (srv.stop_fd >= 0)
		close(srv.stop_fd);
	srv.stop_fd = -1;
	srv.n = 0;
}

static void env_close(struct envelope *env)
{
	for (unsigned i = 0; i < env->n; i++)
		zmq_msg_close(&env->frames[i]);
	env->n = 0;
}

/* Send the envelope (consumed) and the reply (freed). */
static void send_reply(unsigned ep, struct envelope *env, struct vio_ctl_reply *reply)
{
	for (unsigned i = 0; i < env->n; i++) {
		if (zmq_msg_send(&env->frames[i], srv.sock[ep], ZMQ_SNDMORE | ZMQ_DONTWAIT) < 0)
			break; /* the client is gone: nothing to do */
	}
	if (!reply->data)
		VIO_LOG_RL(ERR, 1000, "%s: no memory for a reply", srv.eps[ep].service->name);
	zmq_send(srv.sock[ep], reply->data ? reply->data : (void *)"", reply->len, ZMQ_DONTWAIT);
	free(reply->data);
	env_close(env);
}

static void defer(unsigned ep, struct envelope *env, void *token, uint64_t due)
{
	for (unsigned i = 0; i < MAX_DEFERRED; i++) {
		struct deferred *d = &srv.deferred[i];

		if (d->used)
			continue;
		d->used = true;
		d->ep = ep;
		d->env = *env;   /* the frames move into the slot */
		d->token = token;
		d->due_ns = due;
		env->n = 0;
		return;
	}
	/* Cannot happen while services cap their pending requests below
	 * MAX_DEFERRED; answer at once rather than lose the request. */
	{
		struct vio_ctl_reply reply;

		srv.eps[ep].service->finish(srv.be, token, &reply);
		send_reply(ep, env, &reply);
	}
}

/* Read one message; split it into envelope and body. */
static void serve_one(unsigned ep, zmq_msg_t *first)
{
	const struct vio_ctl_service *svc = srv.eps[ep].service;
	struct envelope env = {.n = 0};
	zmq_msg_t body[MAX_FRAMES];
	unsigned n_body = 0, extra = 0;
	struct vio_ctl_reply reply = {NULL, 0};
	bool in_env = true, more;
	char why[120];

	/* Routing frames up to and including the empty delimiter (a REQ
	 * client's), then the body.  A peer that sends no delimiter gets its
	 * first frame treated as the routing id. */
	env.frames[env.n++] = *first;
	more = zmq_msg_more(first);
	while (more) {
		zmq_msg_t f;

		zmq_msg_init(&f);
		if (zmq_msg_recv(&f, srv.sock[ep], ZMQ_DONTWAIT) < 0) {
			zmq_msg_close(&f);
			break;
		}
		more = zmq_msg_more(&f);
		if (in_env && env.n < MAX_FRAMES) {
			env.frames[env.n++] = f;
			if (zmq_msg_size(&f) == 0)
				in_env = false;
			continue;
		}
		in_env = false;
		if (n_body < MAX_FRAMES)
			body[n_body++] = f;
		else {
			zmq_msg_close(&f);
			extra++;
		}
	}
	if (in_env && env.n > 1) {
		/* No delimiter: everything after the routing id is the body. */
		for (unsigned i = 1; i < env.n; i++)
			body[n_body++] = env.frames[i];
		env.n = 1;
	}
	if (n_body + extra != 1) {
		snprintf(why, sizeof(why), "expected one frame per request, got %u",
			 n_body + extra);
		svc->reject(why, &reply);
	} else if (zmq_msg_size(&body[0]) > VIO_CTL_MAX_REQUEST) {
		snprintf(why, sizeof(why), "request of %zu bytes is larger than %d",
			 zmq_msg_size(&body[0]), VIO_CTL_MAX_REQUEST);
		svc->reject(why, &reply);
	} else {
		void *token = NULL;
		uint64_t due = 0;

		if (svc->handle(srv.be, zmq_msg_data(&body[0]), zmq_msg_size(&body[0]), &reply,
				&token, &due) == VIO_CTL_DEFERRED) {
			for (unsigned i = 0; i < n_body; i++)
				zmq_msg_close(&body[i]);
			defer(ep, &env, token, due);
			return;
		}
	}
	for (unsigned i = 0; i < n_body; i++)
		zmq_msg_close(&body[i]);
	send_reply(ep, &env, &reply);
}

static void drain_socket(unsigned ep)
{
	for (unsigned k = 0; k < BATCH; k++) {
		zmq_msg_t first;

		zmq_msg_init(&first);
		if (zmq_msg_recv(&first, srv.sock[ep], ZMQ_DONTWAIT) < 0) {
			zmq_msg_close(&first);
			return;
		}
		serve_one(ep, &first);
	}
}

static uint64_t run_due(uint64_t now, uint64_t next)
{
	for (unsigned i = 0; i < MAX_DEFERRED; i++) {
		struct deferred *d = &srv.deferred[i];
		struct vio_ctl_reply reply;

		if (!d->used)
			continue;
		if (d->due_ns > now) {
			if (d->due_ns < next)
				next = d->due_ns;
			continue;
		}
		srv.eps[d->ep].service->finish(srv.be, d->token, &reply);
		send_reply(d->ep, &d->env, &reply);
		d->used = false;
	}
	return next;
}

static void *server_main(void *arg)
{
	zmq_pollitem_t items[2 * MAX_ENDPOINTS + 1];
	const unsigned n = srv.n, stop = 2 * srv.n;
	uint64_t next_tick = 0;

	(void)arg;
	for (unsigned i = 0; i < n; i++) {
		items[i] = (zmq_pollitem_t){.socket = srv.sock[i], .events = ZMQ_POLLIN};
		items[n + i] = (zmq_pollitem_t){.socket = srv.mon[i], .events = ZMQ_POLLIN};
	}
	items[stop] = (zmq_pollitem_t){.fd = srv.stop_fd, .events = ZMQ_POLLIN};

	for (;;) {
		uint64_t now = srv.be->now_ns(), next;
		long timeout_ms;

		if (now >= next_tick) {
			for (unsigned i = 0; i < srv.n; i++)
				if (srv.eps[i].service->tick)
					srv.eps[i].service->tick(srv.be);
			next_tick = now + (uint64_t)VIO_CTL_TICK_MS * 1000000u;
		}
		next = run_due(now, next_tick);
		timeout_ms = (long)((next - now + 999999) / 1000000);
		if (zmq_poll(items, (int)stop + 1, timeout_ms) < 0 && errno != EINTR) {
			VIO_LOG_RL(ERR, 1000, "zmq_poll: %s", zmq_strerror(errno));
			usleep(10000);
			continue;
		}
		if (items[stop].revents & ZMQ_POLLIN)
			break;
		for (unsigned i = 0; i < n; i++) {
			if (items[n + i].revents & ZMQ_POLLIN)
				watch_clients(i);
			if (items[i].revents & ZMQ_POLLIN)
				drain_socket(i);
		}
	}
	for (unsigned i = 0; i < MAX_DEFERRED; i++) {
		if (srv.deferred[i].used) {
			srv.eps[srv.deferred[i].ep].service->finish(srv.be, srv.deferred[i].token,
								    NULL);
			env_close(&srv.deferred[i].env);
			srv.deferred[i].used = false;
		}
	}
	return NULL;
}

int vio_ctl_server_start(const struct vio_ctl_endpoint *eps, unsigned n, const char *group,
			 const struct vio_ctl_backend *be, const cpu_set_t *affinity, char *err,
			 size_t errlen)
{
	gid_t gid = (gid_t)-1;
	char sub[300];

	if (n == 0)
		return 0;
	if (n > MAX_ENDPOINTS) {
		snprintf(err, errlen, "too many control endpoints");
		return -1;
	}
	if (group && *group) {
		struct group *gr = getgrnam(group);

		if (!gr) {
			snprintf(err, errlen, "VIRTIOFWD_ZMQ_GROUP=\"%s\": no such group", group);
			return -1;
		}
		gid = gr->gr_gid;
	}
	srv.be = be;
	srv.gid = gid;
	{
		struct rlimit rl;
		rlim_t budget = 0;

		/* Descriptors beyond a quarter of the limit stay for vhost
		 * connections, their eventfds and the ports. */
		if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY)
			budget = rl.rlim_cur / 4 / n;
		srv.max_clients = budget && budget < MAX_CLIENTS ? (unsigned)budget : MAX_CLIENTS;
		if (srv.max_clients < MIN_CLIENTS)
			srv.max_clients = MIN_CLIENTS;
	}
	srv.ctx = zmq_ctx_new();
	srv.stop_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (!srv.ctx || srv.stop_fd < 0) {
		snprintf(err, errlen, "cannot set up the control transport: %s", strerror(errno));
		close_all();
		return -1;
	}
	for (unsigned i = 0; i < n; i++) {
		for (unsigned j = 0; j < i; j++) {
			if (strcmp(eps[i].endpoint, eps[j].endpoint) == 0) {
				snprintf(err, errlen, "%s=\"%s\": also used by %s", eps[i].variable,
					 eps[i].endpoint, eps[j].variable);
				close_all();
				return -1;
			}
		}
		srv.eps[i] = eps[i];
		srv.n = i + 1;
		if (bind_endpoint(i, sub, sizeof(sub))) {
			snprintf(err, errlen, "%s=\"%s\": %s", eps[i].variable, eps[i].endpoint,
				 sub);
			close_all();
			return -1;
		}
	}
	if (pthread_create(&srv.thread, NULL, server_main, NULL)) {
		snprintf(err, errlen, "cannot start the control thread");
		close_all();
		return -1;
	}
	pthread_setname_np(srv.thread, "vio-control");
	if (affinity)
		pthread_setaffinity_np(srv.thread, sizeof(*affinity), affinity);
	srv.running = true;
	return 0;
}

void vio_ctl_server_stop(void)
{
	uint64_t one = 1;

	if (!srv.running)
		return;
	if (write(srv.stop_fd, &one, sizeof(one)) != sizeof(one))
		VIO_LOG(ERR, "cannot signal the control thread: %s", strerror(errno));
	pthread_join(srv.thread, NULL);
	srv.running = false;
	close_all();
}
