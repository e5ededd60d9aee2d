// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit tests for the VT-d vqueue format: queue geometry and the index
 * arithmetic without a wrap bit in both descriptor widths, including head
 * and tail values that name no slot, the decode and classification of
 * every descriptor a Linux guest sends and of the ones that must raise an
 * invalidation queue error, the completion of waits, and the stage-1 range
 * forwarded for a PASID-based IOTLB invalidation. The data is in
 * vqueue_vtd_tests.h.
 */
#include <kunit/test.h>
#include <linux/bitfield.h>
#include <linux/string.h>

#include "vqueue_vtd_tests.h"

static const struct iommufd_vqueue_format *const fmt =
	&iommufd_vqueue_vtd_format;
static const struct iommufd_vqueue_geometry vtd_test_geo128 = {
	.entry_size = 16,
};

static const struct iommufd_vqueue_geometry vtd_test_geo256 = {
	.entry_size = 32,
};

/* The bound pairs, keyed the way the vqueue binds them: vdomain_key() */
static int vtd_test_lookup(const struct iommufd_vqueue_vids *vids, u64 key,
			   u32 *target)
{
	u64 bound;

	if (!fmt->vdomain_key(VTD_TEST_DID, VTD_TEST_PASID, &bound) &&
	    key == bound) {
		*target = VTD_TEST_HWPT;
		return 0;
	}
	if (!fmt->vdomain_key(1, 0, &bound) && key == bound) {
		*target = VTD_TEST_HWPT_RID;
		return 0;
	}
	return -ENOENT;
}

static const struct iommufd_vqueue_vids vtd_test_vids = {
	.lookup = vtd_test_lookup,
};

static void vtd_test_decode(const u64 *desc, bool dw,
			    struct iommufd_vqueue_entry *e)
{
	const __le64 raw[4] = {
		cpu_to_le64(desc[0]), cpu_to_le64(desc[1]),
		cpu_to_le64(dw ? desc[2] : 0), cpu_to_le64(dw ? desc[3] : 0),
	};

	fmt->decode(dw ? &vtd_test_geo256 : &vtd_test_geo128, raw, e);
}

static struct iommufd_vqueue_entry vtd_test_entry(u64 qw0, u64 qw1, u64 qw2,
						  u64 qw3, bool dw)
{
	const u64 desc[4] = { qw0, qw1, qw2, qw3 };
	struct iommufd_vqueue_entry e;

	vtd_test_decode(desc, dw, &e);
	return e;
}

static void vtd_test_check_desc(struct kunit *test,
				const struct vtd_test_desc *d, bool dw)
{
	struct iommu_hwpt_vtd_s1_invalidate inv;
	struct iommufd_vqueue_fields fields;
	struct iommufd_vqueue_entry e;
	u32 target = 0;
	unsigned int f;
	int ret;

	vtd_test_decode(d->desc, dw, &e);
	KUNIT_EXPECT_EQ_MSG(test, e.opcode, d->val[IOMMUFD_VQUEUE_FIELD_TYPE],
			    "%u-bit queue", dw ? 256 : 128);
	KUNIT_EXPECT_EQ_MSG(test, e.class, d->class, "%u-bit queue",
			    dw ? 256 : 128);
	KUNIT_EXPECT_EQ_MSG(test, e.error, d->error, "%u-bit queue",
			    dw ? 256 : 128);

	iommufd_vqueue_vtd_debug.fields(&e, &fields);
	KUNIT_EXPECT_EQ(test, fields.present, d->present);
	for (f = 0; f < IOMMUFD_VQUEUE_NR_FIELDS; f++)
		if (d->present & BIT_ULL(f))
			KUNIT_EXPECT_EQ_MSG(test, fields.val[f], d->val[f],
					    "field %u", f);

	memset(&inv, 0xa5, sizeof(inv));
	ret = fmt->translate(&e, &vtd_test_vids, &inv, &target);
	if (d->class != IOMMUFD_VQUEUE_CLASS_INVALIDATE) {
		KUNIT_EXPECT_EQ(test, ret, -EINVAL);
		return;
	}
	KUNIT_EXPECT_EQ(test, ret, d->xlate);
	if (ret)
		return;
	KUNIT_EXPECT_EQ(test, target, d->target);
	KUNIT_EXPECT_EQ(test, inv.addr, d->inv[0]);
	KUNIT_EXPECT_EQ(test, inv.npages, d->inv[1]);
	KUNIT_EXPECT_EQ(test, inv.flags, d->inv[2]);
	KUNIT_EXPECT_EQ(test, inv.__reserved, 0);
}

static void vtd_test_desc_desc(const struct vtd_test_desc *d, char *desc)
{
	strscpy(desc, d->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(vtd_test_descs, vtd_test_descs, vtd_test_desc_desc);

static void vtd_test_descriptor(struct kunit *test)
{
	const struct vtd_test_desc *d = test->param_value;

	if (!d->q || (d->q & VTD_TEST_Q128))
		vtd_test_check_desc(test, d, false);
	if (!d->q || (d->q & VTD_TEST_Q256))
		vtd_test_check_desc(test, d, true);
}

static void vtd_test_geometry_desc(const struct vtd_test_geometry *g,
				   char *desc)
{
	strscpy(desc, g->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(vtd_test_geometries, vtd_test_geometries,
		  vtd_test_geometry_desc);

static void vtd_test_geometry(struct kunit *test)
{
	const struct vtd_test_geometry *g = test->param_value;
	struct iommufd_vqueue_geometry geo;

	KUNIT_ASSERT_EQ(test, fmt->geometry(g->iqa, g->max_log2, &geo),
			g->ret);
	if (g->ret)
		return;
	KUNIT_EXPECT_EQ(test, geo.base, g->base);
	KUNIT_EXPECT_EQ(test, geo.log2_entries, g->log2_entries);
	KUNIT_EXPECT_EQ(test, geo.entry_size, g->entry_size);
}

static void vtd_test_index_desc(const struct vtd_test_index *x, char *desc)
{
	strscpy(desc, x->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(vtd_test_indexes, vtd_test_indexes, vtd_test_index_desc);

static void vtd_test_index(struct kunit *test)
{
	const struct vtd_test_index *x = test->param_value;
	struct iommufd_vqueue_geometry geo;

	KUNIT_ASSERT_EQ(test, fmt->geometry(x->iqa, 15, &geo), 0);
	KUNIT_EXPECT_EQ(test, fmt->consistent(&geo, x->iqt, x->iqh),
			x->consistent);
	KUNIT_EXPECT_EQ(test, fmt->empty(&geo, x->iqt, x->iqh), x->empty);
	KUNIT_EXPECT_EQ(test, iommufd_vqueue_vtd_debug.full(&geo, x->iqt,
							    x->iqh),
			x->full);
	KUNIT_EXPECT_EQ(test, fmt->pending(&geo, x->iqt, x->iqh), x->pending);
	KUNIT_EXPECT_EQ(test, fmt->contig(&geo, x->iqt, x->iqh), x->contig);
	KUNIT_EXPECT_EQ(test, fmt->index(&geo, x->iqh), x->index);
}

static void vtd_test_advance(struct kunit *test)
{
	struct iommufd_vqueue_geometry geo;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(vtd_test_advances); i++) {
		const struct vtd_test_advance *a = &vtd_test_advances[i];

		KUNIT_ASSERT_EQ(test, fmt->geometry(a->iqa, 15, &geo), 0);
		KUNIT_EXPECT_EQ_MSG(test, fmt->advance(&geo, a->reg, a->n),
				    a->result, "IQH 0x%x + %u", a->reg, a->n);
	}
}

/*
 * A head that names no slot (bit 4 set in a 256-bit queue, or past the
 * end) must stop the queue with the tail error instead of reading outside
 * it on every retry.
 */
static void vtd_test_bad_head(struct kunit *test)
{
	static const u32 heads[] = { 0x10, 0x1ff0, 0x2000, 0x7ffe0 };
	struct iommufd_vqueue_geometry geo;
	unsigned int i;

	KUNIT_ASSERT_EQ(test, fmt->geometry(VTD_TEST_SCALABLE, 15, &geo), 0);
	for (i = 0; i < ARRAY_SIZE(heads); i++) {
		KUNIT_EXPECT_FALSE_MSG(test, fmt->consistent(&geo, 0, heads[i]),
				       "IQH 0x%x", heads[i]);
		KUNIT_EXPECT_EQ(test, fmt->pending(&geo, 0, heads[i]), 0);
		KUNIT_EXPECT_EQ(test, fmt->contig(&geo, 0, heads[i]), 0);
	}
	KUNIT_ASSERT_EQ(test, fmt->geometry(VTD_TEST_LEGACY, 15, &geo), 0);
	KUNIT_EXPECT_TRUE(test, fmt->consistent(&geo, 0, 0xff0));
	KUNIT_EXPECT_FALSE(test, fmt->consistent(&geo, 0, 0x1000));
	/* IQERCD.IQEI 1, "invalid Tail Pointer": the register-value error */
	KUNIT_EXPECT_EQ(test, fmt->error_prod, 1);
}

/* No queue may run past 2^64: its offsets would wrap to low addresses */
static void vtd_test_base_at_top(struct kunit *test)
{
	struct iommufd_vqueue_geometry geo;
	unsigned int qs;

	for (qs = 0; qs < 8; qs++) {
		u64 size = 4096ULL << qs;
		u64 top = 0ULL - size;

		KUNIT_EXPECT_EQ_MSG(test, fmt->geometry(top | qs, 15, &geo), 0,
				    "QS %u at the top", qs);
		KUNIT_EXPECT_EQ(test, geo.base + (size - 1), ~0ULL);
		KUNIT_EXPECT_EQ_MSG(test, fmt->geometry((top + 4096) | qs, 15,
							&geo),
				    qs ? -EINVAL : 0, "QS %u a page higher", qs);
		KUNIT_EXPECT_EQ_MSG(test, fmt->geometry((top + 4096) | qs |
							BIT(11), 15, &geo),
				    qs ? -EINVAL : 0,
				    "256-bit QS %u a page higher", qs);
	}
}

static void vtd_test_format_errors(struct kunit *test)
{
	/*
	 * IQERCD.IQEI: 3 "invalid descriptor type" for what the vqueue
	 * refuses, 2 "attempt to fetch descriptor resulted in error", 1
	 * "invalid Tail Pointer".
	 */
	KUNIT_EXPECT_EQ(test, fmt->error_illegal, 3);
	KUNIT_EXPECT_EQ(test, fmt->error_abort, 2);
	KUNIT_EXPECT_EQ(test, fmt->error_prod, 1);
	KUNIT_EXPECT_EQ(test, fmt->max_log2_entries, 15);
	KUNIT_EXPECT_EQ(test, fmt->inv_size, 24);
	/* Errors are in IQERCD, not in IQH */
	KUNIT_EXPECT_NULL(test, fmt->cons_error);
	KUNIT_EXPECT_NULL(test, fmt->vdevice_key);
}

static void vtd_test_wait_completion(struct kunit *test)
{
	struct iommufd_vqueue_entry e;
	struct iommufd_vqueue_sync s;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(vtd_test_waits); i++) {
		e = vtd_test_entry(vtd_test_waits[i].qw0 | 0xdeadbeef00000000ULL,
				   0xfffffffffffffffcULL, 0, 0, i & 1);
		KUNIT_ASSERT_EQ(test, e.class, IOMMUFD_VQUEUE_CLASS_SYNC);
		fmt->sync(&e, &s);
		KUNIT_EXPECT_EQ(test, s.flags, vtd_test_waits[i].flags);
		KUNIT_EXPECT_EQ(test, s.data, 0xdeadbeef);
		KUNIT_EXPECT_EQ(test, s.addr, 0xfffffffffffffffcULL);
	}

	/* PD: page requests drain into the VMM's page request queue */
	e = vtd_test_entry(0x85, 0, 0, 0, true);
	KUNIT_EXPECT_EQ(test, e.class, IOMMUFD_VQUEUE_CLASS_EXIT);
	/* Status Address bits [1:0] are reserved, with or without SW */
	e = vtd_test_entry(0x25, 0x7f100001, 0, 0, false);
	KUNIT_EXPECT_EQ(test, e.error, VTD_TEST_IQEI_RSVD);
	e = vtd_test_entry(0x15, 0x7f100002, 0, 0, false);
	KUNIT_EXPECT_EQ(test, e.error, VTD_TEST_IQEI_RSVD);
}

/* A completion interrupt latches ICS.IWC, bit 0 of ICS_REG at 0x9c (RW1CS) */
static void vtd_test_irq_latch(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, fmt->irq_latch, 0x1);
}

/*
 * A P_IOTLB for @npages from @addr as a Linux guest builds it: a naturally
 * aligned power-of-two span, or all-within-PASID for "all".
 */
static void vtd_test_linux_piotlb(u64 *desc, u64 addr, u64 npages, bool ih)
{
	unsigned int am = 0;
	u64 start, last;

	desc[0] = (u64)VTD_TEST_PASID << 32 | (u64)VTD_TEST_DID << 16 |
		  VTD_DESC_PASID_IOTLB;
	if (npages == ~0ULL) {
		desc[0] |= VTD_PIOTLB_G_PASID << 4;
		desc[1] = 0;
		return;
	}
	start = addr >> 12;
	last = start + npages - 1;
	while ((start ^ last) >> am)
		am++;
	desc[0] |= VTD_PIOTLB_G_PAGE << 4;
	desc[1] = ((start >> am) << (am + 12)) | (u64)ih << 6 | am;
}

/* Linux's P_IOTLBs are forwarded and never cover less than asked */
static void vtd_test_linux_piotlb_range(struct kunit *test)
{
	struct iommu_hwpt_vtd_s1_invalidate inv;
	struct iommufd_vqueue_entry e;
	unsigned int i, ih;
	u64 desc[4] = {};
	u32 target;

	for (i = 0; i < ARRAY_SIZE(vtd_test_piotlb_ranges); i++) {
		u64 addr = vtd_test_piotlb_ranges[i][0];
		u64 npages = vtd_test_piotlb_ranges[i][1];

		for (ih = 0; ih < 2; ih++) {
			vtd_test_linux_piotlb(desc, addr, npages, ih);
			vtd_test_decode(desc, true, &e);
			KUNIT_EXPECT_EQ(test, e.class,
					IOMMUFD_VQUEUE_CLASS_INVALIDATE);
			KUNIT_ASSERT_EQ(test, fmt->translate(&e, &vtd_test_vids,
							     &inv, &target), 0);
			KUNIT_EXPECT_EQ(test, target, VTD_TEST_HWPT);
			if (npages == ~0ULL) {
				KUNIT_EXPECT_EQ(test, inv.addr, 0);
				KUNIT_EXPECT_EQ(test, inv.npages, ~0ULL);
				KUNIT_EXPECT_EQ(test, inv.flags, 0);
				continue;
			}
			KUNIT_EXPECT_LE(test, inv.addr, addr);
			KUNIT_EXPECT_GE(test, (inv.addr >> 12) + inv.npages,
					(addr >> 12) + npages);
			KUNIT_EXPECT_EQ(test, inv.flags,
					ih ? IOMMU_VTD_INV_FLAGS_LEAF : 0);
		}
	}
}

/* Every AM, every address: 2^AM pages naturally aligned over the address */
static void vtd_test_range_am(struct kunit *test)
{
	struct iommu_hwpt_vtd_s1_invalidate inv;
	unsigned int am, i;

	for (am = 0; am < 64; am++) {
		for (i = 0; i < ARRAY_SIZE(vtd_test_am_addrs); i++) {
			u64 addr = vtd_test_am_addrs[i];
			u64 qw1 = addr | BIT_ULL(6) | am;

			memset(&inv, 0xa5, sizeof(inv));
			iommufd_vqueue_vtd_s1_range(0x0000001000050036ULL, qw1,
						    &inv);
			KUNIT_EXPECT_EQ(test, inv.__reserved, 0);
			/* AM 52 and more cover the whole 64-bit space */
			if (am >= 52) {
				KUNIT_EXPECT_EQ(test, inv.addr, 0);
				KUNIT_EXPECT_EQ(test, inv.npages, ~0ULL);
				KUNIT_EXPECT_EQ(test, inv.flags, 0);
				continue;
			}
			KUNIT_EXPECT_EQ(test, inv.npages, BIT_ULL(am));
			KUNIT_EXPECT_EQ(test, inv.addr & (BIT_ULL(am + 12) - 1),
					0);
			KUNIT_EXPECT_LE(test, inv.addr, addr);
			KUNIT_EXPECT_LT(test, addr - inv.addr, BIT_ULL(am + 12));
			KUNIT_EXPECT_EQ(test, inv.flags,
					IOMMU_VTD_INV_FLAGS_LEAF);
		}
	}

	/* All-within-PASID ignores address, AM and IH */
	iommufd_vqueue_vtd_s1_range(0x0000001000050026ULL, 0x12345047, &inv);
	KUNIT_EXPECT_EQ(test, inv.addr, 0);
	KUNIT_EXPECT_EQ(test, inv.npages, ~0ULL);
	KUNIT_EXPECT_EQ(test, inv.flags, 0);
}

static void vtd_test_translate_unbound(struct kunit *test)
{
	struct iommu_hwpt_vtd_s1_invalidate inv;
	struct iommufd_vqueue_entry e;
	u32 target;

	/* No table at all: nothing is forwarded */
	e = vtd_test_entry(0x0000001000050026ULL, 0, 0, 0, true);
	KUNIT_EXPECT_EQ(test, fmt->translate(&e, NULL, &inv, &target),
			-ENOENT);
	/* PASID 0x10000 with DID 5 must not alias another (DID, PASID) */
	e = vtd_test_entry(0x0001000000050026ULL, 0, 0, 0, true);
	KUNIT_EXPECT_EQ(test, fmt->translate(&e, &vtd_test_vids, &inv,
					     &target), -ENOENT);
	/* Only invalidations are forwarded */
	e = vtd_test_entry(0x0000001001000008ULL, 0, 0, 0, true);
	KUNIT_EXPECT_EQ(test, fmt->translate(&e, &vtd_test_vids, &inv,
					     &target), -EINVAL);
	e = vtd_test_entry(0x25, 0x1000, 0, 0, true);
	KUNIT_EXPECT_EQ(test, fmt->translate(&e, &vtd_test_vids, &inv,
					     &target), -EINVAL);
	e = vtd_test_entry(0x0000001000050036ULL, 0, 0, 0, false);
	KUNIT_EXPECT_EQ(test, fmt->translate(&e, &vtd_test_vids, &inv,
					     &target), -EINVAL);
}

static void vtd_test_vdomain_key(struct kunit *test)
{
	u64 a, b;

	/* Domain ID is 16 bits (DID [31:16]), PASID 20 bits ([51:32]) */
	KUNIT_EXPECT_EQ(test, fmt->vdomain_key(0xffff, 0xfffff, &a), 0);
	KUNIT_EXPECT_EQ(test, fmt->vdomain_key(0x10000, 0, &a), -EINVAL);
	KUNIT_EXPECT_EQ(test, fmt->vdomain_key(0, 0x100000, &a), -EINVAL);
	/* Distinct pairs get distinct keys, at the edges of both fields */
	KUNIT_ASSERT_EQ(test, fmt->vdomain_key(0xffff, 0, &a), 0);
	KUNIT_ASSERT_EQ(test, fmt->vdomain_key(0, 1, &b), 0);
	KUNIT_EXPECT_NE(test, a, b);
	KUNIT_ASSERT_EQ(test, fmt->vdomain_key(1, 0xfffff, &a), 0);
	KUNIT_ASSERT_EQ(test, fmt->vdomain_key(0xffff, 0xfffff, &b), 0);
	KUNIT_EXPECT_NE(test, a, b);
}

/* Every 7-bit type with zero operands, in both queue widths */
static void vtd_test_type_sweep(struct kunit *test)
{
	unsigned int type, dw;

	for (dw = 0; dw < 2; dw++) {
		for (type = 0; type < 128; type++) {
			u64 qw0 = (u64)(type >> 4) << 9 | (type & 0xf);
			u8 want = IOMMUFD_VQUEUE_CLASS_ILLEGAL;
			bool only256 = false;
			struct iommufd_vqueue_entry e;

			switch (type) {
			case VTD_DESC_CC:
			case VTD_DESC_IOTLB:
			case VTD_DESC_IEC:
				want = IOMMUFD_VQUEUE_CLASS_EXIT;
				break;
			case VTD_DESC_DEV_TLB:
				want = IOMMUFD_VQUEUE_CLASS_NOP;
				break;
			case VTD_DESC_WAIT:
				want = IOMMUFD_VQUEUE_CLASS_SYNC;
				break;
			case VTD_DESC_PASID_IOTLB:
				/* Granularity 0 is reserved */
				qw0 |= VTD_PIOTLB_G_PASID << 4;
				want = IOMMUFD_VQUEUE_CLASS_INVALIDATE;
				only256 = true;
				break;
			case VTD_DESC_PASID_DEV_TLB:
				want = IOMMUFD_VQUEUE_CLASS_NOP;
				only256 = true;
				break;
			case VTD_DESC_PASID_CACHE:
			case VTD_DESC_PAGE_GRP_RESP:
				want = IOMMUFD_VQUEUE_CLASS_EXIT;
				only256 = true;
				break;
			}
			if (!dw && only256)
				want = IOMMUFD_VQUEUE_CLASS_ILLEGAL;
			e = vtd_test_entry(qw0, 0, 0, 0, dw);
			KUNIT_EXPECT_EQ(test, e.opcode, type);
			KUNIT_EXPECT_EQ_MSG(test, e.class, want, "type 0x%x dw %u",
					    type, dw);
			KUNIT_EXPECT_EQ_MSG(test, e.error,
					    want == IOMMUFD_VQUEUE_CLASS_ILLEGAL ?
					    VTD_TEST_IQEI_TYPE : 0,
					    "type 0x%x dw %u", type, dw);
		}
	}
}

static void vtd_test_reserved_bits(struct kunit *test)
{
	struct iommufd_vqueue_entry e;
	unsigned int i, b, dw;

	for (i = 0; i < ARRAY_SIZE(vtd_test_defined_bits); i++) {
		const u64 *m = vtd_test_defined_bits[i];
		bool only256 = m[0] == 0x26 || m[0] == 0x8;

		for (dw = 0; dw < 2; dw++) {
			if (only256 && !dw)
				continue;
			e = vtd_test_entry(m[0], m[1], 0, 0, dw);
			KUNIT_EXPECT_NE(test, e.class,
					IOMMUFD_VQUEUE_CLASS_ILLEGAL);
			for (b = 0; b < (dw ? 256 : 128); b++) {
				u64 w[4] = { m[0], m[1], 0, 0 };

				/* Type bits make another type */
				if (b < 128 && (m[2 + b / 64] & BIT_ULL(b % 64)))
					continue;
				w[b / 64] |= BIT_ULL(b % 64);
				e = vtd_test_entry(w[0], w[1], w[2], w[3], dw);
				KUNIT_EXPECT_EQ_MSG(test, e.class,
						    IOMMUFD_VQUEUE_CLASS_ILLEGAL,
						    "type 0x%llx bit %u", m[0], b);
				KUNIT_EXPECT_EQ(test, e.error,
						VTD_TEST_IQEI_RSVD);
			}
		}
	}
}

static struct kunit_case iommufd_vqueue_vtd_test_cases[] = {
	KUNIT_CASE_PARAM(vtd_test_descriptor, vtd_test_descs_gen_params),
	KUNIT_CASE_PARAM(vtd_test_geometry, vtd_test_geometries_gen_params),
	KUNIT_CASE_PARAM(vtd_test_index, vtd_test_indexes_gen_params),
	KUNIT_CASE(vtd_test_advance),
	KUNIT_CASE(vtd_test_bad_head),
	KUNIT_CASE(vtd_test_base_at_top),
	KUNIT_CASE(vtd_test_format_errors),
	KUNIT_CASE(vtd_test_wait_completion),
	KUNIT_CASE(vtd_test_irq_latch),
	KUNIT_CASE(vtd_test_linux_piotlb_range),
	KUNIT_CASE(vtd_test_range_am),
	KUNIT_CASE(vtd_test_translate_unbound),
	KUNIT_CASE(vtd_test_vdomain_key),
	KUNIT_CASE(vtd_test_type_sweep),
	KUNIT_CASE(vtd_test_reserved_bits),
	{}
};

static struct kunit_suite iommufd_vqueue_vtd_test_suite = {
	.name = "iommufd_vqueue_vtd",
	.test_cases = iommufd_vqueue_vtd_test_cases,
};

kunit_test_suite(iommufd_vqueue_vtd_test_suite);
