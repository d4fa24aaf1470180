/* SPDX-License-Identifier: BSD-3-Clause */
/* What the control services share: see ctl_service.h. */
#include "ctl_service.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <protobuf-c/protobuf-c.h>

#include "log.h"
#include "parse.h"

/* Longest error_code_source: the services' messages stay under 400 bytes. */
#define SOURCE_MAX 512

void vio_ctl_pack(const ProtobufCMessage *msg, struct vio_ctl_reply *reply)
{
	size_t len = protobuf_c_message_get_packed_size(msg);

	reply->data = malloc(len ? len : 1);
	reply->len = reply->data ? protobuf_c_message_pack(msg, reply->data) : 0;
}

/* Field name of m, of type t, set to the size bytes at v (and its has_ flag);
 * nothing when m's type has no such field. */
static void set_field(ProtobufCMessage *m, const char *name, ProtobufCType t, const void *v,
		      size_t size)
{
	const ProtobufCFieldDescriptor *f =
		protobuf_c_message_descriptor_get_field_by_name(m->descriptor, name);

	if (!f || f->type != t)
		return;
	memcpy((char *)m + f->offset, v, size);
	if (f->label == PROTOBUF_C_LABEL_OPTIONAL && f->quantifier_offset)
		*(protobuf_c_boolean *)((char *)m + f->quantifier_offset) = 1;
}

void vio_ctl_reply_error(struct vio_ctl_reply *reply, const ProtobufCMessageDescriptor *type,
			 int status, int code, const char *module, const char *op, const char *why)
{
	static struct vio_ratelimit rl;
	ProtobufCMessage *m = calloc(1, type->sizeof_message);
	char text[SOURCE_MAX], source[SOURCE_MAX + 32];
	const char *src = source;
	int32_t code32 = code;
	unsigned skipped;

	snprintf(text, sizeof(text), "%s", why);
	vio_utf8_sanitize(text);
	snprintf(source, sizeof(source), "%s: %s", op ? op : module, text);
	if (LOG_WARNING <= (int)vio_log_level() && vio_ratelimit_ok(&rl, 1000, &skipped)) {
		if (skipped)
			vio_log_write(LOG_WARNING, module, "(%u similar messages suppressed)",
				      skipped);
		vio_log_write(LOG_WARNING, module, "request refused: %s", op ? source : text);
	}
	if (!m) {
		reply->data = NULL;
		reply->len = 0;
		return;
	}
	protobuf_c_message_init(type, m);
	set_field(m, "status", PROTOBUF_C_TYPE_ENUM, &status, sizeof(status));
	set_field(m, "error_code", PROTOBUF_C_TYPE_INT32, &code32, sizeof(code32));
	set_field(m, "error_code_source", PROTOBUF_C_TYPE_STRING, &src, sizeof(src));
	vio_ctl_pack(m, reply);
	free(m);
}
