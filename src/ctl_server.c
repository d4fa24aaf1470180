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
#include <sys/stat.h>
#include <unistd.h>
#include <zmq.h>

#include <protobuf-c/protobuf-c.h>

#include "log.h"
#include "sockfile.h"

#define MAX_ENDPOINTS 8
#define MAX_FRAMES 8                 /* envelope + delimiter + body, with room */
#define MAX_MSG_SIZE (4 << 20)       /* libzmq drops peers sending more */
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
	char path[MAX_ENDPOINTS][PATH_MAX];
	struct vio_ctl_endpoint eps[MAX_ENDPOINTS];
	unsigned n;
	const struct vio_ctl_backend *be;
	int stop_fd;
	pthread_t thread;
	bool running;
	struct deferred deferred[MAX_DEFERRED];
} srv = {.stop_fd = -1};

void vio_ctl_pack(const ProtobufCMessage *msg, struct vio_ctl_reply *reply)
{
	size_t len = protobuf_c_message_get_packed_size(msg);

	reply->data = malloc(len ? len : 1);
	reply->len = reply->data ? protobuf_c_message_pack(msg, reply->data) : 0;
}

/* mkdir -p; the last directory gets mode and group. */
static int make_dir(const char *dir, mode_t mode, gid_t gid, char *err, size_t errlen)
{
	char buf[PATH_MAX];
	struct stat st;

	if (stat(dir, &st) == 0) {
		if (S_ISDIR(st.st_mode))
			return 0;
		snprintf(err, errlen, "%s is not a directory", dir);
		return -1;
	}
	snprintf(buf, sizeof(buf), "%s", dir);
	for (char *p = buf + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(buf, 0755) && errno != EEXIST) {
			snprintf(err, errlen, "cannot create %s: %s", buf, strerror(errno));
			return -1;
		}
		*p = '/';
	}
	if (mkdir(buf, mode) && errno != EEXIST) {
		snprintf(err, errlen, "cannot create %s: %s", buf, strerror(errno));
		return -1;
	}
	/* mkdir applies the umask: set the mode we mean. */
	if (chmod(buf, mode) || (gid != (gid_t)-1 && chown(buf, (uid_t)-1, gid))) {
		snprintf(err, errlen, "cannot set the mode of %s: %s", buf, strerror(errno));
		return -1;
	}
	VIO_LOG(INFO, "created %s (mode %03o)", buf, (unsigned)mode);
	return 0;
}

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

static int bind_endpoint(unsigned i, gid_t gid, char *err, size_t errlen)
{
	const struct vio_ctl_endpoint *e = &srv.eps[i];
	mode_t file_mode = gid == (gid_t)-1 ? 0600 : 0660;
	char dir[PATH_MAX], *slash;
	int one = 1, zero = 0, rc;
	int64_t maxsize = MAX_MSG_SIZE;
	mode_t old;

	snprintf(srv.path[i], sizeof(srv.path[i]), "%s", e->endpoint + strlen("ipc://"));
	snprintf(dir, sizeof(dir), "%s", srv.path[i]);
	slash = strrchr(dir, '/');
	if (slash && slash != dir) {
		*slash = '\0';
		if (make_dir(dir, gid == (gid_t)-1 ? 0700 : 0750, gid, err, errlen))
			return -1;
	}
	if (vio_ctl_endpoint_free(e->endpoint, err, errlen))
		return -1;
	srv.sock[i] = zmq_socket(srv.ctx, ZMQ_ROUTER);
	if (!srv.sock[i]) {
		snprintf(err, errlen, "cannot create a socket: %s", zmq_strerror(errno));
		return -1;
	}
	zmq_setsockopt(srv.sock[i], ZMQ_LINGER, &zero, sizeof(zero));
	zmq_setsockopt(srv.sock[i], ZMQ_MAXMSGSIZE, &maxsize, sizeof(maxsize));
	zmq_setsockopt(srv.sock[i], ZMQ_ROUTER_HANDOVER, &one, sizeof(one));
	/* The socket file must never exist with looser permissions. */
	old = umask(0777 & ~file_mode);
	rc = zmq_bind(srv.sock[i], e->endpoint);
	umask(old);
	if (rc) {
		snprintf(err, errlen, "cannot bind: %s", zmq_strerror(errno));
		return -1;
	}
	if (chmod(srv.path[i], file_mode) ||
	    (gid != (gid_t)-1 && chown(srv.path[i], (uid_t)-1, gid))) {
		snprintf(err, errlen, "cannot set the mode of %s: %s", srv.path[i],
			 strerror(errno));
		return -1;
	}
	VIO_LOG(INFO, "%s service on %s", e->service->name, e->endpoint);
	return 0;
}

static void close_all(void)
{
	for (unsigned i = 0; i < srv.n; i++) {
		if (srv.sock[i]) {
			zmq_close(srv.sock[i]);
			unlink(srv.path[i]);
		}
		srv.sock[i] = NULL;
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
	zmq_pollitem_t items[MAX_ENDPOINTS + 1];
	uint64_t next_tick = 0;

	(void)arg;
	for (unsigned i = 0; i < srv.n; i++)
		items[i] = (zmq_pollitem_t){.socket = srv.sock[i], .events = ZMQ_POLLIN};
	items[srv.n] = (zmq_pollitem_t){.fd = srv.stop_fd, .events = ZMQ_POLLIN};

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
		if (zmq_poll(items, (int)srv.n + 1, timeout_ms) < 0 && errno != EINTR) {
			VIO_LOG_RL(ERR, 1000, "zmq_poll: %s", zmq_strerror(errno));
			usleep(10000);
			continue;
		}
		if (items[srv.n].revents & ZMQ_POLLIN)
			break;
		for (unsigned i = 0; i < srv.n; i++)
			if (items[i].revents & ZMQ_POLLIN)
				drain_socket(i);
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
		if (bind_endpoint(i, gid, sub, sizeof(sub))) {
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
