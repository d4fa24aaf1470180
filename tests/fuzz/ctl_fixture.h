/* SPDX-License-Identifier: BSD-3-Clause */
/* The relay table the control-service harnesses run against: the fake of
 * tests/unit/fake_backend.c, reset before every input and filled with a few
 * relays in different states so that the handlers reach their deep paths. */
#ifndef VIO_FUZZ_CTL_FIXTURE_H
#define VIO_FUZZ_CTL_FIXTURE_H

#include <stdbool.h>

#include "ctl_service.h"
#include "fake_backend.h"

struct ProtobufCMessageDescriptor;

/* Once, from LLVMFuzzerInitialize: logging at level 7 into /dev/null, so that
 * every message is formatted but none is printed; with $VIO_FUZZ_LOG_LEVEL
 * set, at that level to stderr (to see what an input does). */
void fixture_init(void);

/* fake_reset(), then:
 *   relay 0: socket + PCI VF 0000:05:08.1, VM connected, forwarding both ways
 *            on CPUs 1 and 3, link up at 10 Gb/s, traffic counted
 *   relay 1: socket only, waiting for its VM
 *   relay 2: VF net_tap0,iface=vf0 only, not started
 *   relay 3: not in use, pinned to CPUs 3 and 1
 *   relay 4: socket + VF 0000:05:08.2,foo=bar, VM connected, both directions
 *            paused, link down, pinned
 *   relay 5: socket, VM connected, no VF (VM->VF draining)
 *   relays 6, 7: free
 * with dynamic sockets as given. */
void fixture_reset(bool dynamic_sockets);

/* Traffic on relays 0, 4 and 5 (counters move by a multiple of step). */
void fixture_traffic(unsigned step);

/* Every string field of msg, nested messages included, is valid UTF-8
 * (protobuf strings must be: the original's Python tools refuse replies that
 * are not), checked independently of src/. */
struct ProtobufCMessage;
void fixture_check_strings(const struct ProtobufCMessage *msg);

/* The reply must exist and decode as desc (required fields set) with valid
 * strings; frees it. */
void fixture_check_reply(struct vio_ctl_reply *reply,
			 const struct ProtobufCMessageDescriptor *desc);

#endif
