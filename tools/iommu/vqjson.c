// SPDX-License-Identifier: GPL-2.0-only
/*
 * JSON rendering of decoded vqueue entries, shared by vqdecode and its tests.
 *
 * One object per entry: "op", "class", "error" (illegal entries only, with
 * the format's reason code when it has one), "opcode", then every decoded
 * field in enum iommufd_vq_field order.  The shape is the same for every
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
		.fmt = &iommufd_vq_smmuv3_format,
		.geo = { .entry_size = 16 },
		.errors = smmuv3_errors,
		.nr_errors = ARRAY_SIZE(smmuv3_errors),
	},
	{
		.name = "vtd128",
		.fmt = &iommufd_vq_vtd_format,
		.geo = { .entry_size = 16 },
		.errors = vtd_errors,
		.nr_errors = ARRAY_SIZE(vtd_errors),
		.error_key = "iqei",
	},
	{
		.name = "vtd256",
		.fmt = &iommufd_vq_vtd_format,
		.geo = { .entry_size = 32 },
		.errors = vtd_errors,
		.nr_errors = ARRAY_SIZE(vtd_errors),
		.error_key = "iqei",
	},
};

const unsigned int vq_nr_tool_formats = ARRAY_SIZE(vq_tool_formats);

static const char *const field_names[IOMMUFD_VQ_NR_FIELDS] = {
	[IOMMUFD_VQ_FIELD_ASID] = "asid",
	[IOMMUFD_VQ_FIELD_VMID] = "vmid",
	[IOMMUFD_VQ_FIELD_SID] = "sid",
	[IOMMUFD_VQ_FIELD_SSID] = "ssid",
	[IOMMUFD_VQ_FIELD_SSV] = "ssv",
	[IOMMUFD_VQ_FIELD_ADDR] = "addr",
	[IOMMUFD_VQ_FIELD_LEAF] = "leaf",
	[IOMMUFD_VQ_FIELD_TG] = "tg",
	[IOMMUFD_VQ_FIELD_TTL] = "ttl",
	[IOMMUFD_VQ_FIELD_NUM] = "num",
	[IOMMUFD_VQ_FIELD_SCALE] = "scale",
	[IOMMUFD_VQ_FIELD_RANGE] = "range",
	[IOMMUFD_VQ_FIELD_SIZE] = "size",
	[IOMMUFD_VQ_FIELD_GLOBAL] = "global",
	[IOMMUFD_VQ_FIELD_CS] = "cs",
	[IOMMUFD_VQ_FIELD_MSH] = "msh",
	[IOMMUFD_VQ_FIELD_MSIATTR] = "msiattr",
	[IOMMUFD_VQ_FIELD_MSIADDR] = "msiaddr",
	[IOMMUFD_VQ_FIELD_MSIDATA] = "msidata",
	[IOMMUFD_VQ_FIELD_RESP] = "resp",
	[IOMMUFD_VQ_FIELD_STAG] = "stag",
	[IOMMUFD_VQ_FIELD_TYPE] = "type",
	[IOMMUFD_VQ_FIELD_GRAN] = "granularity",
	[IOMMUFD_VQ_FIELD_DID] = "did",
	[IOMMUFD_VQ_FIELD_PASID] = "pasid",
	[IOMMUFD_VQ_FIELD_PFSID] = "pfsid",
	[IOMMUFD_VQ_FIELD_AM] = "am",
	[IOMMUFD_VQ_FIELD_IH] = "ih",
	[IOMMUFD_VQ_FIELD_SW] = "sw",
	[IOMMUFD_VQ_FIELD_IF] = "if",
	[IOMMUFD_VQ_FIELD_FN] = "fn",
	[IOMMUFD_VQ_FIELD_PD] = "pd",
	[IOMMUFD_VQ_FIELD_STATUS_DATA] = "status_data",
	[IOMMUFD_VQ_FIELD_STATUS_ADDR] = "status_addr",
	[IOMMUFD_VQ_FIELD_IIDX] = "iidx",
	[IOMMUFD_VQ_FIELD_IM] = "im",
	[IOMMUFD_VQ_FIELD_FM] = "fm",
	[IOMMUFD_VQ_FIELD_DW] = "dw",
	[IOMMUFD_VQ_FIELD_DR] = "dr",
};

static const char *const class_names[] = {
	[IOMMUFD_VQ_CLASS_NOP] = "nop",
	[IOMMUFD_VQ_CLASS_INVALIDATE] = "invalidate",
	[IOMMUFD_VQ_CLASS_SYNC] = "sync",
	[IOMMUFD_VQ_CLASS_EXIT] = "exit",
	[IOMMUFD_VQ_CLASS_ILLEGAL] = "illegal",
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
	    const struct iommufd_vq_entry *e)
{
	const char *op = tf->fmt->op_name(e);
	size_t pos = 0;
	unsigned int f;

	if (len)
		buf[0] = '\0';
	if (op)
		put(buf, len, &pos, "{\"op\":\"%s\"", op);
	else
		put(buf, len, &pos, "{\"op\":\"RESERVED_0x%02x\"", e->opcode);
	put(buf, len, &pos, ",\"class\":\"%s\"", class_names[e->class]);
	if (e->class == IOMMUFD_VQ_CLASS_ILLEGAL && tf->error_key) {
		put(buf, len, &pos, ",\"error\":\"%s\",\"%s\":%u",
		    tf->errors[0], tf->error_key, e->error);
	} else if (e->class == IOMMUFD_VQ_CLASS_ILLEGAL) {
		if (e->error < tf->nr_errors)
			put(buf, len, &pos, ",\"error\":\"%s\"",
			    tf->errors[e->error]);
		else
			put(buf, len, &pos, ",\"error\":%u", e->error);
	}
	put(buf, len, &pos, ",\"opcode\":%u", e->opcode);
	for (f = 0; f < IOMMUFD_VQ_NR_FIELDS; f++)
		if (e->present & (1ULL << f))
			put(buf, len, &pos, ",\"%s\":%llu", field_names[f],
			    (unsigned long long)e->val[f]);
	put(buf, len, &pos, "}");
	return pos;
}
