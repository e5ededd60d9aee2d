/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * JSON rendering of decoded vqueue entries, shared by vqdecode and its tests.
 */
#ifndef __VQJSON_H
#define __VQJSON_H

#include <stddef.h>

#include "vqueue_format_debug.h"

/**
 * struct vq_tool_format - A queue format as the tools know it
 * @name: Name given to --format.
 * @dbg: The format's operations and its decoder tables.
 * @geo: Geometry to decode with; only the entry size matters here.
 * @errors: Names of the format's error codes, indexed by code.
 * @nr_errors: Number of entries in @errors.
 * @error_key: For a format with one error whose reason is a number (VT-d:
 *	IQE, and IQERCD.IQEI), the key of that number; @errors then has the
 *	error's name only.
 */
struct vq_tool_format {
	const char *name;
	const struct iommufd_vqueue_format_debug *dbg;
	struct iommufd_vqueue_geometry geo;
	const char *const *errors;
	unsigned int nr_errors;
	const char *error_key;
};

extern const struct vq_tool_format vq_tool_formats[];
extern const unsigned int vq_nr_tool_formats;

const struct vq_tool_format *vq_tool_format(const char *name);
int vq_json(char *buf, size_t len, const struct vq_tool_format *tf,
	    const struct iommufd_vqueue_entry *e);

#endif /* __VQJSON_H */
