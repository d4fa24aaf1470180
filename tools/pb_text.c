/* SPDX-License-Identifier: BSD-3-Clause */
/* Protobuf text format from descriptors: see pb_text.h. */
#include "pb_text.h"

#include <math.h>
#include <stdint.h>
#include <string.h>

void vio_pb_format_float(char *buf, size_t len, double v)
{
	if (v == floor(v) && fabs(v) < 1e16)
		snprintf(buf, len, "%.1f", v);
	else
		snprintf(buf, len, "%.9g", v);
}

static void print_string(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c == '\n')
			fputs("\\n", f);
		else if (c < 0x20 || c >= 0x7f)
			fprintf(f, "\\%03o", c);
		else
			fputc(c, f);
	}
	fputc('"', f);
}

static void print_message(FILE *f, const ProtobufCMessage *msg, int indent);

/* One value of field fd stored at p. */
static void print_value(FILE *f, const ProtobufCFieldDescriptor *fd, const void *p, int indent)
{
	char buf[64];

	switch (fd->type) {
	case PROTOBUF_C_TYPE_INT32:
	case PROTOBUF_C_TYPE_SINT32:
	case PROTOBUF_C_TYPE_SFIXED32:
		fprintf(f, "%d", *(const int32_t *)p);
		break;
	case PROTOBUF_C_TYPE_UINT32:
	case PROTOBUF_C_TYPE_FIXED32:
		fprintf(f, "%u", *(const uint32_t *)p);
		break;
	case PROTOBUF_C_TYPE_INT64:
	case PROTOBUF_C_TYPE_SINT64:
	case PROTOBUF_C_TYPE_SFIXED64:
		fprintf(f, "%lld", (long long)*(const int64_t *)p);
		break;
	case PROTOBUF_C_TYPE_UINT64:
	case PROTOBUF_C_TYPE_FIXED64:
		fprintf(f, "%llu", (unsigned long long)*(const uint64_t *)p);
		break;
	case PROTOBUF_C_TYPE_FLOAT:
		vio_pb_format_float(buf, sizeof(buf), *(const float *)p);
		fputs(buf, f);
		break;
	case PROTOBUF_C_TYPE_DOUBLE:
		vio_pb_format_float(buf, sizeof(buf), *(const double *)p);
		fputs(buf, f);
		break;
	case PROTOBUF_C_TYPE_BOOL:
		fputs(*(const protobuf_c_boolean *)p ? "true" : "false", f);
		break;
	case PROTOBUF_C_TYPE_ENUM: {
		const ProtobufCEnumValue *ev = protobuf_c_enum_descriptor_get_value(
			fd->descriptor, *(const int *)p);

		if (ev)
			fputs(ev->name, f);
		else
			fprintf(f, "%d", *(const int *)p);
		break;
	}
	case PROTOBUF_C_TYPE_STRING:
		print_string(f, *(const char *const *)p);
		break;
	case PROTOBUF_C_TYPE_BYTES: {
		const ProtobufCBinaryData *b = p;

		fputc('"', f);
		for (size_t i = 0; i < b->len; i++)
			fprintf(f, "\\%03o", b->data[i]);
		fputc('"', f);
		break;
	}
	case PROTOBUF_C_TYPE_MESSAGE:
		fputs("{\n", f);
		print_message(f, *(const ProtobufCMessage *const *)p, indent + 2);
		fprintf(f, "%*s}", indent, "");
		break;
	}
}

static size_t value_size(const ProtobufCFieldDescriptor *fd)
{
	switch (fd->type) {
	case PROTOBUF_C_TYPE_INT64:
	case PROTOBUF_C_TYPE_SINT64:
	case PROTOBUF_C_TYPE_SFIXED64:
	case PROTOBUF_C_TYPE_UINT64:
	case PROTOBUF_C_TYPE_FIXED64:
	case PROTOBUF_C_TYPE_DOUBLE:
		return 8;
	case PROTOBUF_C_TYPE_BOOL:
		return sizeof(protobuf_c_boolean);
	case PROTOBUF_C_TYPE_ENUM:
		return sizeof(int);
	case PROTOBUF_C_TYPE_STRING:
	case PROTOBUF_C_TYPE_MESSAGE:
		return sizeof(void *);
	case PROTOBUF_C_TYPE_BYTES:
		return sizeof(ProtobufCBinaryData);
	default:
		return 4;
	}
}

static void print_field(FILE *f, const ProtobufCFieldDescriptor *fd, const void *p, int indent)
{
	fprintf(f, "%*s%s", indent, "", fd->name);
	fputs(fd->type == PROTOBUF_C_TYPE_MESSAGE ? " " : ": ", f);
	print_value(f, fd, p, indent);
	fputc('\n', f);
}

static void print_message(FILE *f, const ProtobufCMessage *msg, int indent)
{
	const ProtobufCMessageDescriptor *d = msg->descriptor;
	const char *base = (const char *)msg;

	for (unsigned i = 0; i < d->n_fields; i++) {
		const ProtobufCFieldDescriptor *fd = &d->fields[i];
		const void *p = base + fd->offset;

		if (fd->label == PROTOBUF_C_LABEL_REPEATED) {
			size_t n = *(const size_t *)(base + fd->quantifier_offset);
			const char *arr = *(const char *const *)p;

			for (size_t k = 0; k < n; k++)
				print_field(f, fd, arr + k * value_size(fd), indent);
			continue;
		}
		if (fd->type == PROTOBUF_C_TYPE_STRING || fd->type == PROTOBUF_C_TYPE_MESSAGE) {
			if (*(const void *const *)p == NULL)
				continue;
		} else if (fd->label == PROTOBUF_C_LABEL_OPTIONAL && fd->quantifier_offset &&
			   !*(const protobuf_c_boolean *)(base + fd->quantifier_offset)) {
			continue;
		}
		print_field(f, fd, p, indent);
	}
}

void vio_pb_print(FILE *f, const ProtobufCMessage *msg)
{
	print_message(f, msg, 0);
}
