// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit tests for the SMMUv3 vqueue format: queue index and wrap arithmetic,
 * the decode and classification of every command a Linux guest sends and of
 * the ones it must not, and the translation of what is forwarded.
 *
 * The cases and vectors are shared with the userspace test in tools/iommu
 * through vqueue_smmuv3_tests.h, so both builds of the format code run the
 * same checks.
 */
#include <kunit/test.h>
#include <linux/bitfield.h>
#include <linux/string.h>

#define VQT_CTX struct kunit
#define VQT_EQ(t, a, b, what)						\
	KUNIT_EXPECT_EQ_MSG(t, (u64)(a), (u64)(b), "%s", what)

#include "vqueue_smmuv3_tests.h"

static void vqt_case_desc(const struct vqt_case *c, char *desc)
{
	strscpy(desc, c->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(vqt_cases, vqt_cases, vqt_case_desc);

static void vqt_case(struct kunit *test)
{
	const struct vqt_case *c = test->param_value;

	c->run(test);
}

static void vqt_vector_desc(const struct vqt_vector *v, char *desc)
{
	strscpy(desc, v->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(vqt_vectors, vqt_vectors, vqt_vector_desc);

static void vqt_vector(struct kunit *test)
{
	vqt_check_vector(test, test->param_value);
}

static struct kunit_case vqueue_smmuv3_test_cases[] = {
	KUNIT_CASE_PARAM(vqt_case, vqt_cases_gen_params),
	KUNIT_CASE_PARAM(vqt_vector, vqt_vectors_gen_params),
	{}
};

static struct kunit_suite vqueue_smmuv3_test_suite = {
	.name = "iommufd_vqueue_smmuv3",
	.test_cases = vqueue_smmuv3_test_cases,
};

kunit_test_suite(vqueue_smmuv3_test_suite);
