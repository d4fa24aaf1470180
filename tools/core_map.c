/* SPDX-License-Identifier: BSD-3-Clause */
/* Worker CPUs and relay placement for the tools: see core_map.h. */
#include "core_map.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client.h"

int vio_get_workers(const char *prog, const char *sched_ep, unsigned *cpus, unsigned *n)
{
	Virtioforwarder__CoreSchedRequest req = VIRTIOFORWARDER__CORE_SCHED_REQUEST__INIT;
	Virtioforwarder__CoreSchedResponse *resp;

	req.op = VIRTIOFORWARDER__CORE_SCHED_REQUEST__OP__GET_EAL_CORES;
	resp = (Virtioforwarder__CoreSchedResponse *)vio_call(
		prog, sched_ep, &req.base, &virtioforwarder__core_sched_response__descriptor,
		VIO_REPLY_TIMEOUT_MS);
	if (!resp)
		return -1;
	if (resp->status != VIRTIOFORWARDER__CORE_SCHED_RESPONSE__STATUS__OK) {
		fprintf(stderr, "%s: GET_EAL_CORES failed: %s\n", prog,
			resp->error_code_source ? resp->error_code_source : "no reason given");
		protobuf_c_message_free_unpacked(&resp->base, NULL);
		return -1;
	}
	*n = 0;
	for (size_t i = 0; i < resp->n_eal_cores && *n < VIO_MAX_WORKERS; i++)
		cpus[(*n)++] = resp->eal_cores[i];
	protobuf_c_message_free_unpacked(&resp->base, NULL);
	return 0;
}

int vio_move_relays(const char *prog, const char *sched_ep,
		    Virtioforwarder__CoreSchedRequest__RelayCPU **map, size_t n, char *why,
		    size_t len)
{
	Virtioforwarder__CoreSchedRequest req = VIRTIOFORWARDER__CORE_SCHED_REQUEST__INIT;
	Virtioforwarder__CoreSchedResponse *resp;
	int rc = VIO_EXIT_OK;

	req.op = VIRTIOFORWARDER__CORE_SCHED_REQUEST__OP__UPDATE;
	req.n_relay_cpu_map = n;
	req.relay_cpu_map = map;
	resp = (Virtioforwarder__CoreSchedResponse *)vio_call(
		prog, sched_ep, &req.base, &virtioforwarder__core_sched_response__descriptor,
		VIO_REPLY_TIMEOUT_MS);
	if (!resp)
		return VIO_EXIT_NO_REPLY;
	if (resp->status != VIRTIOFORWARDER__CORE_SCHED_RESPONSE__STATUS__OK) {
		snprintf(why, len, "%s (%s)",
			 resp->error_code_source ? resp->error_code_source : "no reason given",
			 resp->has_error_code ? strerror(resp->error_code) : "no error code");
		rc = VIO_EXIT_ERROR_REPLY;
	}
	protobuf_c_message_free_unpacked(&resp->base, NULL);
	return rc;
}

Virtioforwarder__StatsResponse *vio_get_relays(const char *prog, const char *stats_ep,
					       unsigned delay_ms)
{
	Virtioforwarder__StatsRequest req = VIRTIOFORWARDER__STATS_REQUEST__INIT;
	Virtioforwarder__StatsResponse *resp;

	req.has_include_inactive = 1;
	req.include_inactive = 1;
	req.has_delay = 1;
	req.delay = delay_ms;
	resp = (Virtioforwarder__StatsResponse *)vio_call(
		prog, stats_ep, &req.base, &virtioforwarder__stats_response__descriptor,
		VIO_REPLY_TIMEOUT_MS + (int)delay_ms);
	if (resp && resp->status != VIRTIOFORWARDER__STATS_RESPONSE__STATUS__OK) {
		fprintf(stderr, "%s: the stats service answered status %d\n", prog,
			(int)resp->status);
		protobuf_c_message_free_unpacked(&resp->base, NULL);
		return NULL;
	}
	return resp;
}

static void rule(unsigned n)
{
	for (unsigned i = 0; i < 8 * n + 3 * (n ? n - 1 : 0); i++)
		putchar('=');
	putchar('\n');
}

static void put_trimmed(char *line)
{
	size_t len = strlen(line);

	while (len && line[len - 1] == ' ')
		line[--len] = '\0';
	puts(line);
}

void vio_print_core_map(const unsigned *cpus, unsigned n,
			const Virtioforwarder__StatsResponse *stats)
{
	/* column[w][0]: VM->VF relay ids, column[w][1]: VF->VM relay ids */
	unsigned (*ids)[2][64] = calloc(n ? n : 1, sizeof(*ids));
	unsigned (*count)[2] = calloc(n ? n : 1, sizeof(*count));
	unsigned rows = 0;
	char line[16 * VIO_MAX_WORKERS];

	if (!ids || !count) {
		free(ids);
		free(count);
		return;
	}
	for (size_t i = 0; i < stats->n_relay; i++) {
		const Virtioforwarder__RelayState *r = stats->relay[i];

		if (!r->cpu)
			continue;
		for (unsigned w = 0; w < n; w++) {
			if (r->cpu->has_vm_to_vf && (unsigned)r->cpu->vm_to_vf == cpus[w] &&
			    count[w][0] < 64)
				ids[w][0][count[w][0]++] = r->id;
			if (r->cpu->has_vf_to_vm && (unsigned)r->cpu->vf_to_vm == cpus[w] &&
			    count[w][1] < 64)
				ids[w][1][count[w][1]++] = r->id;
		}
	}
	for (unsigned w = 0; w < n; w++)
		for (int k = 0; k < 2; k++)
			if (count[w][k] > rows)
				rows = count[w][k];
	rule(n);
	line[0] = '\0';
	for (unsigned w = 0; w < n; w++)
		snprintf(line + strlen(line), sizeof(line) - strlen(line), "== %02u ==   ", cpus[w]);
	put_trimmed(line);
	for (unsigned row = 0; row < rows; row++) {
		line[0] = '\0';
		for (unsigned w = 0; w < n; w++) {
			char a[8] = "  ", b[8] = "  ";

			if (row < count[w][0])
				snprintf(a, sizeof(a), "%02u", ids[w][0][row]);
			if (row < count[w][1])
				snprintf(b, sizeof(b), "%02u", ids[w][1][row]);
			snprintf(line + strlen(line), sizeof(line) - strlen(line), "%s    %s   ", a,
				 b);
		}
		put_trimmed(line);
	}
	rule(n);
	free(ids);
	free(count);
}
