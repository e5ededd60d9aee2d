// SPDX-License-Identifier: GPL-2.0-only
/*
 * JSON rendering of decoded vqueue entries, shared by vqdecode and its tests.
 *
 * One object per entry: "op", "class", "error" (illegal entries only, with
 * the format's reason code when it has one), "opcode", then every decoded
 * field in enum iommufd_vqueue_field order.  The shape is the same for every
 * format; a format only adds fields.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <linux/kernel.h>

#include "vqjson.h"

static const char *const smmuv3_errors[] = {
	"CERROR_NONE", "CERROR_ILL", "CERROR_ABT", "CERROR_ATC_INV_SYNC",
};

static const char *const vtd_errors[] = { "IQE" };

/* entry_size sets the words per entry, and for VT-d the descriptor width */
const struct vq_tool_format vq_tool_formats[] = {
	{
		.name = "smmuv3",
		.dbg = &iommufd_vqueue_smmuv3_debug,
		.geo = { .entry_size = 16 },
		.errors = smmuv3_errors,
		.nr_errors = ARRAY_SIZE(smmuv3_errors),
	},
	{
		.name = "vtd128",
		.dbg = &iommufd_vqueue_vtd_debug,
		.geo = { .entry_size = 16 },
		.errors = vtd_errors,
		.nr_errors = ARRAY_SIZE(vtd_errors),
		.error_key = "iqei",
	},
	{
		.name = "vtd256",
		.dbg = &iommufd_vqueue_vtd_debug,
		.geo = { .entry_size = 32 },
		.errors = vtd_errors,
		.nr_errors = ARRAY_SIZE(vtd_errors),
		.error_key = "iqei",
	},
};

const unsigned int vq_nr_tool_formats = ARRAY_SIZE(vq_tool_formats);

static const char *const field_names[IOMMUFD_VQUEUE_NR_FIELDS] = {
	[IOMMUFD_VQUEUE_FIELD_ASID] = "asid",
	[IOMMUFD_VQUEUE_FIELD_VMID] = "vmid",
	[IOMMUFD_VQUEUE_FIELD_SID] = "sid",
	[IOMMUFD_VQUEUE_FIELD_SSID] = "ssid",
	[IOMMUFD_VQUEUE_FIELD_SSV] = "ssv",
	[IOMMUFD_VQUEUE_FIELD_ADDR] = "addr",
	[IOMMUFD_VQUEUE_FIELD_LEAF] = "leaf",
	[IOMMUFD_VQUEUE_FIELD_TG] = "tg",
	[IOMMUFD_VQUEUE_FIELD_TTL] = "ttl",
	[IOMMUFD_VQUEUE_FIELD_NUM] = "num",
	[IOMMUFD_VQUEUE_FIELD_SCALE] = "scale",
	[IOMMUFD_VQUEUE_FIELD_RANGE] = "range",
	[IOMMUFD_VQUEUE_FIELD_SIZE] = "size",
	[IOMMUFD_VQUEUE_FIELD_GLOBAL] = "global",
	[IOMMUFD_VQUEUE_FIELD_CS] = "cs",
	[IOMMUFD_VQUEUE_FIELD_MSH] = "msh",
	[IOMMUFD_VQUEUE_FIELD_MSIATTR] = "msiattr",
	[IOMMUFD_VQUEUE_FIELD_MSIADDR] = "msiaddr",
	[IOMMUFD_VQUEUE_FIELD_MSIDATA] = "msidata",
	[IOMMUFD_VQUEUE_FIELD_RESP] = "resp",
	[IOMMUFD_VQUEUE_FIELD_STAG] = "stag",
	[IOMMUFD_VQUEUE_FIELD_TYPE] = "type",
	[IOMMUFD_VQUEUE_FIELD_GRAN] = "granularity",
	[IOMMUFD_VQUEUE_FIELD_DID] = "did",
	[IOMMUFD_VQUEUE_FIELD_PASID] = "pasid",
	[IOMMUFD_VQUEUE_FIELD_PFSID] = "pfsid",
	[IOMMUFD_VQUEUE_FIELD_AM] = "am",
	[IOMMUFD_VQUEUE_FIELD_IH] = "ih",
	[IOMMUFD_VQUEUE_FIELD_SW] = "sw",
	[IOMMUFD_VQUEUE_FIELD_IF] = "if",
	[IOMMUFD_VQUEUE_FIELD_FN] = "fn",
	[IOMMUFD_VQUEUE_FIELD_PD] = "pd",
	[IOMMUFD_VQUEUE_FIELD_STATUS_DATA] = "status_data",
	[IOMMUFD_VQUEUE_FIELD_STATUS_ADDR] = "status_addr",
	[IOMMUFD_VQUEUE_FIELD_IIDX] = "iidx",
	[IOMMUFD_VQUEUE_FIELD_IM] = "im",
	[IOMMUFD_VQUEUE_FIELD_FM] = "fm",
	[IOMMUFD_VQUEUE_FIELD_DW] = "dw",
	[IOMMUFD_VQUEUE_FIELD_DR] = "dr",
};

static const char *const class_names[] = {
	[IOMMUFD_VQUEUE_CLASS_NOP] = "nop",
	[IOMMUFD_VQUEUE_CLASS_INVALIDATE] = "invalidate",
	[IOMMUFD_VQUEUE_CLASS_SYNC] = "sync",
	[IOMMUFD_VQUEUE_CLASS_EXIT] = "exit",
	[IOMMUFD_VQUEUE_CLASS_ILLEGAL] = "illegal",
};

const struct vq_tool_format *vq_tool_format(const char *name)
{
	unsigned int i;

	for (i = 0; i < vq_nr_tool_formats; i++)
		if (!strcmp(vq_tool_formats[i].name, name))
			return &vq_tool_formats[i];
	return NULL;
}

/* Append to @buf like snprintf(); *@pos keeps counting past @len */
static void put(char *buf, size_t len, size_t *pos, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(*pos < len ? buf + *pos : NULL,
		      *pos < len ? len - *pos : 0, fmt, ap);
	va_end(ap);
	if (n > 0)
		*pos += n;
}

/**
 * vq_json() - Render one decoded entry as a JSON object on one line
 * @buf: Output buffer.
 * @len: Size of @buf.
 * @tf: The entry's format.
 * @e: The decoded entry.
 *
 * Return: the length of the text, which was truncated if it is @len or more.
 */
int vq_json(char *buf, size_t len, const struct vq_tool_format *tf,
	    const struct iommufd_vqueue_entry *e)
{
	const char *op = tf->dbg->op_name(e);
	struct iommufd_vqueue_fields fields;
	size_t pos = 0;
	unsigned int f;

	tf->dbg->fields(e, &fields);
	if (len)
		buf[0] = '\0';
	if (op)
		put(buf, len, &pos, "{\"op\":\"%s\"", op);
	else
		put(buf, len, &pos, "{\"op\":\"RESERVED_0x%02x\"", e->opcode);
	put(buf, len, &pos, ",\"class\":\"%s\"", class_names[e->class]);
	if (e->class == IOMMUFD_VQUEUE_CLASS_ILLEGAL && tf->error_key) {
		put(buf, len, &pos, ",\"error\":\"%s\",\"%s\":%u",
		    tf->errors[0], tf->error_key, e->error);
	} else if (e->class == IOMMUFD_VQUEUE_CLASS_ILLEGAL) {
		if (e->error < tf->nr_errors)
			put(buf, len, &pos, ",\"error\":\"%s\"",
			    tf->errors[e->error]);
		else
			put(buf, len, &pos, ",\"error\":%u", e->error);
	}
	put(buf, len, &pos, ",\"opcode\":%u", e->opcode);
	for (f = 0; f < IOMMUFD_VQUEUE_NR_FIELDS; f++)
		if (fields.present & (1ULL << f))
			put(buf, len, &pos, ",\"%s\":%llu", field_names[f],
			    (unsigned long long)fields.val[f]);
	put(buf, len, &pos, "}");
	return pos;
}
