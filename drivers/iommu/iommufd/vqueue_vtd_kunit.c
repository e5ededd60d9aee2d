// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit tests for the VT-d vqueue format: invalidation queue index
 * arithmetic without a wrap bit in both descriptor widths, the decode and
 * classification of every descriptor a Linux guest sends and of the ones
 * that must raise an invalidation queue error, the completion of waits,
 * and the stage-1 range forwarded for a PASID-based IOTLB invalidation.
 *
 * The cases and vectors are shared with the userspace test in tools/iommu
 * through vqueue_vtd_tests.h, so both builds of the format code run the
 * same checks.
 */
#include <kunit/test.h>
#include <linux/bitfield.h>
#include <linux/string.h>

#define VQT_CTX struct kunit
#define VQT_EQ(t, a, b, what)						\
	KUNIT_EXPECT_EQ_MSG(t, (u64)(a), (u64)(b), "%s", what)

#include "vqueue_vtd_tests.h"

static void vtdt_case_desc(const struct vtdt_case *c, char *desc)
{
	strscpy(desc, c->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(vtdt_cases, vtdt_cases, vtdt_case_desc);

static void vtdt_case(struct kunit *test)
{
	const struct vtdt_case *c = test->param_value;

	c->run(test);
}

static void vtdt_vector_desc(const struct vtdt_vector *v, char *desc)
{
	strscpy(desc, v->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(vtdt_vectors, vtdt_vectors, vtdt_vector_desc);

static void vtdt_vector(struct kunit *test)
{
	vtdt_check_vector(test, test->param_value);
}

static struct kunit_case vqueue_vtd_test_cases[] = {
	KUNIT_CASE_PARAM(vtdt_case, vtdt_cases_gen_params),
	KUNIT_CASE_PARAM(vtdt_vector, vtdt_vectors_gen_params),
	{}
};

static struct kunit_suite vqueue_vtd_test_suite = {
	.name = "iommufd_vqueue_vtd",
	.test_cases = vqueue_vtd_test_cases,
};

kunit_test_suite(vqueue_vtd_test_suite);
