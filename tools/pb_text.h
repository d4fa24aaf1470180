/* SPDX-License-Identifier: BSD-3-Clause */
/* Print a protobuf message in the protobuf text format (what the original's
 * Python tools print with print(reply)), driven by the message descriptor. */
#ifndef VIO_TOOL_PB_TEXT_H
#define VIO_TOOL_PB_TEXT_H

#include <stdio.h>

#include <protobuf-c/protobuf-c.h>

void vio_pb_print(FILE *f, const ProtobufCMessage *msg);

/* Python's str() of a float, near enough: "0.0", "1234.5", "1e+20". */
void vio_pb_format_float(char *buf, size_t len, double v);

#endif
