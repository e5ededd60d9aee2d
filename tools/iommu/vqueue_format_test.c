// SPDX-License-Identifier: GPL-2.0-only
/*
 * Userspace unit test of the vqueue queue formats, printing TAP.
 *
 * Runs the cases and vectors that the KUnit suite runs (they live in one
 * header next to the kernel code), the JSON rendering of vqdecode, and with
 * --vqdecode PATH the vqdecode binary itself on every vector that has an
 * expected JSON line.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <linux/bitfield.h>
#include <linux/bits.h>
#include <linux/errno.h>
#include <linux/kernel.h>

#include "vqjson.h"

struct vqt_tap {
	unsigned int failed;
};

#define VQT_CTX struct vqt_tap
#define VQT_EQ(t, a, b, what)						\
	vqt_eq(t, (u64)(a), (u64)(b), #a, #b, what, __LINE__)

static void vqt_eq(struct vqt_tap *t, u64 a, u64 b, const char *as,
		   const char *bs, const char *what, int line)
{
	if (a == b)
		return;
	t->failed++;
	printf("# line %d: %s: %s == %s: 0x%llx != 0x%llx\n", line, what, as,
	       bs, (unsigned long long)a, (unsigned long long)b);
}

#include "vqueue_smmuv3_tests.h"

static unsigned int test_nr;
static unsigned int test_failed;

static void tap_result(const struct vqt_tap *t, const char *fmt, ...)
{
	va_list ap;

	test_nr++;
	if (t->failed)
		test_failed++;
	printf("%sok %u - ", t->failed ? "not " : "", test_nr);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
}

static const struct vq_tool_format *smmuv3;

static void check_json(struct vqt_tap *t, const struct vqt_vector *v)
{
	const u64 *cmd = v->cmd;
	struct iommufd_vq_entry e;
	char buf[1024];

	vqt_decode(cmd, &e);
	vq_json(buf, sizeof(buf), smmuv3, &e);
	if (strcmp(buf, v->json)) {
		t->failed++;
		printf("# got:  %s\n# want: %s\n", buf, v->json);
	}
}

/* Feed the vectors to the vqdecode binary in one go and compare its lines */
static void check_vqdecode(const char *vqdecode)
{
	char in_name[] = "/tmp/vqdecode-test-XXXXXX";
	char cmd[512], line[1024];
	unsigned int i;
	FILE *in, *out;
	int fd;

	fd = mkstemp(in_name);
	in = fd < 0 ? NULL : fdopen(fd, "w");
	if (!in) {
		perror("vqdecode input");
		exit(1);
	}
	for (i = 0; i < ARRAY_SIZE(vqt_vectors); i++)
		if (vqt_vectors[i].json)
			fprintf(in, "0x%016llx %llx  # %s\n",
				(unsigned long long)vqt_vectors[i].cmd[0],
				(unsigned long long)vqt_vectors[i].cmd[1],
				vqt_vectors[i].name);
	fclose(in);

	snprintf(cmd, sizeof(cmd), "%s --format smmuv3 %s", vqdecode, in_name);
	out = popen(cmd, "r");
	if (!out) {
		perror(cmd);
		exit(1);
	}
	for (i = 0; i < ARRAY_SIZE(vqt_vectors); i++) {
		const struct vqt_vector *v = &vqt_vectors[i];
		struct vqt_tap t = {};

		if (!v->json)
			continue;
		if (!fgets(line, sizeof(line), out)) {
			t.failed++;
			printf("# vqdecode printed nothing\n");
		} else {
			line[strcspn(line, "\n")] = '\0';
			if (strcmp(line, v->json)) {
				t.failed++;
				printf("# got:  %s\n# want: %s\n", line, v->json);
			}
		}
		tap_result(&t, "vqdecode %s", v->name);
	}
	{
		struct vqt_tap t = {};

		if (fgets(line, sizeof(line), out)) {
			t.failed++;
			printf("# extra output: %s", line);
		}
		if (pclose(out)) {
			t.failed++;
			printf("# %s failed\n", cmd);
		}
		tap_result(&t, "vqdecode exit status and line count");
	}
	unlink(in_name);
}

int main(int argc, char **argv)
{
	const char *vqdecode = NULL;
	unsigned int i, njson = 0, plan;

	if (argc == 3 && !strcmp(argv[1], "--vqdecode")) {
		vqdecode = argv[2];
	} else if (argc != 1) {
		fprintf(stderr, "usage: %s [--vqdecode PATH]\n", argv[0]);
		return 2;
	}
	smmuv3 = vq_tool_format("smmuv3");

	for (i = 0; i < ARRAY_SIZE(vqt_vectors); i++)
		njson += !!vqt_vectors[i].json;
	plan = ARRAY_SIZE(vqt_cases) + ARRAY_SIZE(vqt_vectors) + njson;
	if (vqdecode)
		plan += njson + 1;

	printf("TAP version 13\n1..%u\n", plan);
	for (i = 0; i < ARRAY_SIZE(vqt_cases); i++) {
		struct vqt_tap t = {};

		vqt_cases[i].run(&t);
		tap_result(&t, "%s", vqt_cases[i].name);
	}
	for (i = 0; i < ARRAY_SIZE(vqt_vectors); i++) {
		struct vqt_tap t = {};

		vqt_check_vector(&t, &vqt_vectors[i]);
		tap_result(&t, "vector %s", vqt_vectors[i].name);
	}
	for (i = 0; i < ARRAY_SIZE(vqt_vectors); i++) {
		struct vqt_tap t = {};

		if (!vqt_vectors[i].json)
			continue;
		check_json(&t, &vqt_vectors[i]);
		tap_result(&t, "json %s", vqt_vectors[i].name);
	}
	if (vqdecode)
		check_vqdecode(vqdecode);

	printf("# %u of %u failed\n", test_failed, test_nr);
	return test_failed || test_nr != plan;
}
