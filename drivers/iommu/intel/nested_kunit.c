// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit test of the VT-d nested invalidation path with what an iommufd
 * vqueue hands it: the PASID-based IOTLB invalidations a guest queues,
 * decoded and translated by the vqueue's VT-d format, go as a kernel-buffer
 * array to the cache_invalidate_user op of a nested domain that
 * intel_nested_domain_alloc() built from kernel-buffer user data.
 *
 * Without hardware the nesting parent is a bare dmar_domain and the nested
 * domain has no cache tags (no device is attached), so what runs for real is
 * intel_nested_domain_alloc() with its checks, every argument check and the
 * entry copy of intel_nested_cache_invalidate_user(), the range arithmetic of
 * cache_tag_flush_range(), and intel_nested_domain_free(). Nothing reaches
 * an invalidation queue.
 */
#include <kunit/test.h>
#include <linux/bitfield.h>
#include <linux/iommu.h>
#include <linux/string.h>

#include "iommu.h"
#include "../iommufd/vqueue_vtd_tests.h"

/* A PASID-based IOTLB invalidation descriptor, quadword 0 */
#define NT_P_IOTLB		0x0000001000050006ULL	/* DID 5, PASID 0x10 */
#define NT_P_IOTLB_GRAN		GENMASK_ULL(5, 4)
#define NT_P_IOTLB_IH		BIT_ULL(6)
/* A data type the driver has no invalidation format for */
#define NT_OTHER_TYPE		(IOMMU_HWPT_INVALIDATE_DATA_VTD_S1 + 1)
/* Entries the argument checks accept, ahead of the one under test */
#define NT_GOOD_AHEAD		2

/**
 * struct nested_test_ctx - The domains a test case runs on
 * @parent: A nesting parent as intel_iommu_domain_alloc_user() sets one up,
 *	without a page table or an IOMMU behind it.
 * @nested: The nested domain intel_nested_domain_alloc() built on @parent.
 */
struct nested_test_ctx {
	struct dmar_domain parent;
	struct iommu_domain *nested;
};

static const struct iommu_hwpt_vtd_s1 nested_test_s1 = {
	.pgtbl_addr = 0x12345000,
	.addr_width = 48,
};

static struct iommu_domain *
nested_test_alloc(struct dmar_domain *parent, u32 type, const void *data,
		  size_t len)
{
	const struct iommu_user_data user_data = {
		.type = type,
		.kptr = data,
		.len = len,
		.is_kernel = true,
	};

	return intel_nested_domain_alloc(&parent->domain, &user_data);
}

static void nested_test_parent_init(struct dmar_domain *parent)
{
	parent->domain.type = IOMMU_DOMAIN_UNMANAGED;
	parent->domain.owner = &intel_iommu_ops;
	parent->domain.ops = intel_iommu_ops.default_domain_ops;
	parent->nested_parent = true;
	INIT_LIST_HEAD(&parent->s1_domains);
	spin_lock_init(&parent->s1_lock);
}

static int nested_test_init(struct kunit *test)
{
	struct nested_test_ctx *ctx;

	ctx = kunit_kzalloc(test, sizeof(*ctx), GFP_KERNEL);
	if (!ctx)
		return -ENOMEM;
	nested_test_parent_init(&ctx->parent);
	ctx->nested = nested_test_alloc(&ctx->parent, IOMMU_HWPT_DATA_VTD_S1,
					&nested_test_s1,
					sizeof(nested_test_s1));
	if (IS_ERR(ctx->nested))
		return PTR_ERR(ctx->nested);
	test->priv = ctx;
	return 0;
}

static void nested_test_exit(struct kunit *test)
{
	struct nested_test_ctx *ctx = test->priv;

	if (ctx)
		ctx->nested->ops->free(ctx->nested);
}

/* The driver's op, on an array in kernel memory as a vqueue passes it */
static int nested_test_invalidate(struct kunit *test, u32 type,
				  const void *entries, size_t entry_len,
				  u32 *entry_num)
{
	struct nested_test_ctx *ctx = test->priv;
	struct iommu_user_data_array array = {
		.type = type,
		.kptr = entries,
		.entry_len = entry_len,
		.entry_num = *entry_num,
		.is_kernel = true,
	};
	int ret;

	ret = ctx->nested->ops->cache_invalidate_user(ctx->nested, &array);
	*entry_num = array.entry_num;
	return ret;
}

/* The guest IDs bound as in the format's own suite */
static int nested_test_lookup(const struct iommufd_vqueue_vids *vids,
			      u64 key, u32 *target)
{
	const struct iommufd_vqueue_format *fmt = &iommufd_vqueue_vtd_format;
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

static const struct iommufd_vqueue_vids nested_test_vids = {
	.lookup = nested_test_lookup,
};

static const struct iommufd_vqueue_geometry nested_test_geo256 = {
	.entry_size = 32,
};

/* Decode a 256-bit descriptor and translate it as the vqueue does */
static int nested_test_translate(const u64 *desc,
				 struct iommu_hwpt_vtd_s1_invalidate *inv)
{
	const struct iommufd_vqueue_format *fmt = &iommufd_vqueue_vtd_format;
	const __le64 raw[4] = {
		cpu_to_le64(desc[0]), cpu_to_le64(desc[1]),
		cpu_to_le64(desc[2]), cpu_to_le64(desc[3]),
	};
	struct iommufd_vqueue_entry e = {};
	u32 target;

	fmt->decode(&nested_test_geo256, raw, &e);
	return fmt->translate(&e, &nested_test_vids, inv, &target);
}

static void nested_test_alloc_domain(struct kunit *test)
{
	struct nested_test_ctx *ctx = test->priv;
	struct dmar_domain *nested = to_dmar_domain(ctx->nested);

	KUNIT_EXPECT_EQ(test, ctx->nested->type, IOMMU_DOMAIN_NESTED);
	KUNIT_EXPECT_NOT_NULL(test, ctx->nested->ops->cache_invalidate_user);
	KUNIT_EXPECT_PTR_EQ(test, nested->s2_domain, &ctx->parent);
	KUNIT_EXPECT_EQ(test, nested->s1_pgtbl, 0x12345000);
	KUNIT_EXPECT_EQ(test, nested->s1_cfg.addr_width, 48);
	KUNIT_EXPECT_TRUE(test, nested->use_first_level);
	KUNIT_EXPECT_TRUE(test, list_is_singular(&ctx->parent.s1_domains));
	KUNIT_EXPECT_TRUE(test, list_empty(&nested->cache_tags));
}

static void nested_test_alloc_errors(struct kunit *test)
{
	struct nested_test_ctx *ctx = test->priv;
	struct dmar_domain *plain;
	u8 longer[sizeof(nested_test_s1) + 8] = {};

	/* Only stage-1 page tables nest */
	KUNIT_EXPECT_EQ(test, PTR_ERR(nested_test_alloc(&ctx->parent,
							IOMMU_HWPT_DATA_NONE,
							&nested_test_s1,
							sizeof(nested_test_s1))),
			-EOPNOTSUPP);
	/* Shorter than the struct up to __reserved */
	KUNIT_EXPECT_EQ(test, PTR_ERR(nested_test_alloc(&ctx->parent,
							IOMMU_HWPT_DATA_VTD_S1,
							&nested_test_s1, 16)),
			-EINVAL);
	/*
	 * Longer than the struct this kernel knows, even with a zero tail:
	 * the iommu copy helpers refuse it before copying anything.
	 */
	memcpy(longer, &nested_test_s1, sizeof(nested_test_s1));
	KUNIT_EXPECT_EQ(test, PTR_ERR(nested_test_alloc(&ctx->parent,
							IOMMU_HWPT_DATA_VTD_S1,
							longer,
							sizeof(longer))),
			-EINVAL);

	/* A parent not allocated for nesting */
	plain = kunit_kzalloc(test, sizeof(*plain), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, plain);
	nested_test_parent_init(plain);
	plain->nested_parent = false;
	KUNIT_EXPECT_EQ(test, PTR_ERR(nested_test_alloc(plain,
							IOMMU_HWPT_DATA_VTD_S1,
							&nested_test_s1,
							sizeof(nested_test_s1))),
			-EINVAL);
	KUNIT_EXPECT_TRUE(test, list_is_singular(&ctx->parent.s1_domains));
}

/* Every descriptor of the format's vectors that it forwards, in one array */
static void nested_test_vectors(struct kunit *test)
{
	struct iommu_hwpt_vtd_s1_invalidate inv[ARRAY_SIZE(vtd_test_descs)];
	u32 i, n = 0;

	for (i = 0; i < ARRAY_SIZE(vtd_test_descs); i++) {
		const struct vtd_test_desc *d = &vtd_test_descs[i];

		if (d->q == VTD_TEST_Q128 ||
		    d->class != IOMMUFD_VQUEUE_CLASS_INVALIDATE || d->xlate)
			continue;
		KUNIT_ASSERT_EQ_MSG(test, nested_test_translate(d->desc,
								&inv[n]),
				    0, "%s", d->name);
		n++;
	}
	/* The three qi_desc_piotlb forms: page, all in PASID, RID_PASID */
	KUNIT_ASSERT_EQ(test, n, 3);
	KUNIT_EXPECT_EQ(test, nested_test_invalidate(test,
						     IOMMU_HWPT_INVALIDATE_DATA_VTD_S1,
						     inv, sizeof(*inv), &n),
			0);
	KUNIT_EXPECT_EQ(test, n, 3);
}

/*
 * Every granularity, address mask and leaf hint of a P_IOTLB, over low,
 * high and all-ones addresses: the driver accepts whatever the format
 * forwards, and the format forwards nothing it classed otherwise.
 */
static void nested_test_sweep(struct kunit *test)
{
	const u32 max = 4 * 64 * 2 * ARRAY_SIZE(vtd_test_am_addrs);
	const u64 reserved_gran[4] = { NT_P_IOTLB };
	struct iommu_hwpt_vtd_s1_invalidate *inv, one;
	u32 gran, am, ih, i, n = 0, refused = 0;

	inv = kunit_kcalloc(test, max, sizeof(*inv), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, inv);
	for (gran = 0; gran < 4; gran++)
		for (am = 0; am < 64; am++)
			for (ih = 0; ih < 2; ih++)
				for (i = 0; i < ARRAY_SIZE(vtd_test_am_addrs); i++) {
					u64 desc[4] = {
						NT_P_IOTLB |
						FIELD_PREP(NT_P_IOTLB_GRAN, gran),
						vtd_test_am_addrs[i] | am |
						(ih ? NT_P_IOTLB_IH : 0),
					};

					if (!nested_test_translate(desc, &inv[n]))
						n++;
					else
						refused++;
				}
	/*
	 * Granularities 0 and 1 are reserved in a P_IOTLB (VT-d 6.5.2.4):
	 * an invalidation queue error, never forwarded.
	 */
	KUNIT_EXPECT_EQ(test, refused, max / 2);
	KUNIT_ASSERT_EQ(test, n, max / 2);
	KUNIT_EXPECT_EQ(test, nested_test_invalidate(test,
						     IOMMU_HWPT_INVALIDATE_DATA_VTD_S1,
						     inv, sizeof(*inv), &n),
			0);
	KUNIT_EXPECT_EQ(test, n, max / 2);

	/* translate() itself refuses what decode classed illegal */
	KUNIT_EXPECT_EQ(test, nested_test_translate(reserved_gran, &one),
			-EINVAL);
}

/**
 * struct nested_test_bad - An invalidation the driver must refuse
 * @name: What is wrong with it.
 * @inv: The entry.
 * @error: The errno intel_nested_cache_invalidate_user() returns.
 */
struct nested_test_bad {
	const char *name;
	struct iommu_hwpt_vtd_s1_invalidate inv;
	int error;
};

/* The uAPI of struct iommu_hwpt_vtd_s1_invalidate and its checks in nested.c */
static const struct nested_test_bad nested_test_bads[] = {
	{ "unknown flag", { .addr = 0x1000, .npages = 1, .flags = BIT(1) },
	  -EOPNOTSUPP },
	{ "reserved field", { .addr = 0x1000, .npages = 1, .__reserved = 1 },
	  -EOPNOTSUPP },
	{ "address not 4KiB aligned", { .addr = 0x1800, .npages = 1 },
	  -EINVAL },
	{ "all pages from a non-zero address",
	  { .addr = 0x1000, .npages = U64_MAX }, -EINVAL },
};

static void nested_test_bad_desc(const struct nested_test_bad *b, char *desc)
{
	strscpy(desc, b->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(nested_test_bads, nested_test_bads, nested_test_bad_desc);

/* A bad entry after good ones: its errno, and the good ones reported done */
static void nested_test_reject(struct kunit *test)
{
	const struct nested_test_bad *b = test->param_value;
	struct iommu_hwpt_vtd_s1_invalidate inv[NT_GOOD_AHEAD + 2] = {
		{ .addr = 0x200000, .npages = 512,
		  .flags = IOMMU_VTD_INV_FLAGS_LEAF },
		{ .npages = U64_MAX },
		b->inv,
		{ .addr = 0x1000, .npages = 1 },
	};
	u32 n = ARRAY_SIZE(inv);

	KUNIT_EXPECT_EQ(test, nested_test_invalidate(test,
						     IOMMU_HWPT_INVALIDATE_DATA_VTD_S1,
						     inv, sizeof(*inv), &n),
			b->error);
	KUNIT_EXPECT_EQ(test, n, NT_GOOD_AHEAD);
}

/* The array itself: its type and its entry size */
static void nested_test_array_errors(struct kunit *test)
{
	const size_t len = sizeof(struct iommu_hwpt_vtd_s1_invalidate);
	u8 entries[2][sizeof(struct iommu_hwpt_vtd_s1_invalidate) + 8] = {};
	struct iommu_hwpt_vtd_s1_invalidate good = { .addr = 0x1000,
						     .npages = 1 };
	struct iommu_hwpt_vtd_s1_invalidate pair[2] = { good, good };
	u32 n;

	memcpy(entries[0], &good, len);
	memcpy(entries[1], &good, len);

	n = 2;
	KUNIT_EXPECT_EQ(test, nested_test_invalidate(test, NT_OTHER_TYPE,
						     pair, len, &n),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, n, 0);

	/* Shorter than the entry up to __reserved */
	n = 2;
	KUNIT_EXPECT_EQ(test, nested_test_invalidate(test,
						     IOMMU_HWPT_INVALIDATE_DATA_VTD_S1,
						     pair, 16, &n),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, n, 0);

	/* Longer than the entry this kernel knows, even with a zero tail */
	n = 2;
	KUNIT_EXPECT_EQ(test, nested_test_invalidate(test,
						     IOMMU_HWPT_INVALIDATE_DATA_VTD_S1,
						     entries, sizeof(entries[0]),
						     &n),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, n, 0);

	/* The entries at their own size go through */
	n = 2;
	KUNIT_EXPECT_EQ(test, nested_test_invalidate(test,
						     IOMMU_HWPT_INVALIDATE_DATA_VTD_S1,
						     pair, len, &n),
			0);
	KUNIT_EXPECT_EQ(test, n, 2);
}

static struct kunit_case intel_nested_test_cases[] = {
	KUNIT_CASE(nested_test_alloc_domain),
	KUNIT_CASE(nested_test_alloc_errors),
	KUNIT_CASE(nested_test_vectors),
	KUNIT_CASE(nested_test_sweep),
	KUNIT_CASE_PARAM(nested_test_reject, nested_test_bads_gen_params),
	KUNIT_CASE(nested_test_array_errors),
	{}
};

static struct kunit_suite intel_nested_test_suite = {
	.name = "intel_iommu_nested",
	.init = nested_test_init,
	.exit = nested_test_exit,
	.test_cases = intel_nested_test_cases,
};

kunit_test_suite(intel_nested_test_suite);
