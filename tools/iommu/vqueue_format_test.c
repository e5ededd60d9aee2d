// SPDX-License-Identifier: GPL-2.0-only
/*
 * Userspace unit test of the vqueue queue formats, printing TAP.
 *
 * Runs the cases and vectors that the KUnit suites run (they live in one
 * header per format next to the kernel code), the JSON rendering of
 * vqdecode, and with --vqdecode PATH the vqdecode binary itself on every
 * vector that has an expected JSON line.
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
#include "vqueue_vtd_tests.h"

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

/**
 * struct vq_json_vector - A vector with an expected vqdecode line
 * @name: The vector's name.
 * @json: The line.
 * @words: The entry, in the words vqdecode reads.
 */
struct vq_json_vector {
	const char *name;
	const char *json;
	u64 words[IOMMUFD_VQ_MAX_ENTRY_WORDS];
};

/**
 * struct vq_suite - The shared test cases and vectors of one format
 * @prefix: Prefix of its cases' and vectors' test names.
 * @formats: The vqdecode formats it has JSON vectors for, and the prefix
 *	of those tests' names.
 * @nr_cases: Number of cases.
 * @nr_vectors: Number of vectors.
 * @run_case: Run case @i and return its name.
 * @check_vector: Check vector @i and return its name.
 * @json: Fill in @jv and return true if vector @i has an expected line
 *	for @format.
 */
struct vq_suite {
	const char *prefix;
	struct {
		const char *name;
		const char *prefix;
	} formats[2];
	unsigned int nr_cases;
	unsigned int nr_vectors;
	const char *(*run_case)(struct vqt_tap *t, unsigned int i);
	const char *(*check_vector)(struct vqt_tap *t, unsigned int i);
	bool (*json)(unsigned int i, const char *format,
		     struct vq_json_vector *jv);
};

static const char *smmuv3_case(struct vqt_tap *t, unsigned int i)
{
	vqt_cases[i].run(t);
	return vqt_cases[i].name;
}

static const char *smmuv3_vector(struct vqt_tap *t, unsigned int i)
{
	vqt_check_vector(t, &vqt_vectors[i]);
	return vqt_vectors[i].name;
}

static bool smmuv3_json(unsigned int i, const char *format,
			struct vq_json_vector *jv)
{
	const struct vqt_vector *v = &vqt_vectors[i];

	*jv = (struct vq_json_vector){ .name = v->name, .json = v->json,
				       .words = { v->cmd[0], v->cmd[1] } };
	return v->json;
}

static const char *vtd_case(struct vqt_tap *t, unsigned int i)
{
	vtdt_cases[i].run(t);
	return vtdt_cases[i].name;
}

static const char *vtd_vector(struct vqt_tap *t, unsigned int i)
{
	vtdt_check_vector(t, &vtdt_vectors[i]);
	return vtdt_vectors[i].name;
}

static bool vtd_json(unsigned int i, const char *format,
		     struct vq_json_vector *jv)
{
	const struct vtdt_vector *v = &vtdt_vectors[i];

	*jv = (struct vq_json_vector){ .name = v->name, .json = v->json };
	memcpy(jv->words, v->desc, sizeof(v->desc));
	if (!strcmp(format, "vtd256"))
		return v->json && vtdt_in_256(v);
	return v->json && !v->dw;
}

static const struct vq_suite suites[] = {
	{
		.prefix = "",
		.formats = { { "smmuv3", "" } },
		.nr_cases = ARRAY_SIZE(vqt_cases),
		.nr_vectors = ARRAY_SIZE(vqt_vectors),
		.run_case = smmuv3_case,
		.check_vector = smmuv3_vector,
		.json = smmuv3_json,
	},
	{
		.prefix = "vtd ",
		.formats = { { "vtd128", "vtd128 " }, { "vtd256", "vtd256 " } },
		.nr_cases = ARRAY_SIZE(vtdt_cases),
		.nr_vectors = ARRAY_SIZE(vtdt_vectors),
		.run_case = vtd_case,
		.check_vector = vtd_vector,
		.json = vtd_json,
	},
};

static void check_json(struct vqt_tap *t, const struct vq_tool_format *tf,
		       const struct vq_json_vector *jv)
{
	__le64 raw[IOMMUFD_VQ_MAX_ENTRY_WORDS];
	struct iommufd_vq_entry e;
	char buf[1024];
	unsigned int i;

	for (i = 0; i < IOMMUFD_VQ_MAX_ENTRY_WORDS; i++)
		raw[i] = cpu_to_le64(jv->words[i]);
	tf->fmt->decode(&tf->geo, raw, &e);
	tf->fmt->fields(&e);
	vq_json(buf, sizeof(buf), tf, &e);
	if (strcmp(buf, jv->json)) {
		t->failed++;
		printf("# got:  %s\n# want: %s\n", buf, jv->json);
	}
}

/* Feed a format's vectors to the vqdecode binary in one go, compare lines */
static void check_vqdecode(const char *vqdecode, const struct vq_suite *s,
			   unsigned int fi)
{
	const struct vq_tool_format *tf = vq_tool_format(s->formats[fi].name);
	unsigned int words = tf->geo.entry_size / sizeof(u64);
	char in_name[] = "/tmp/vqdecode-test-XXXXXX";
	const char *label = s->formats[fi].prefix;
	char cmd[512], line[1024];
	struct vq_json_vector jv;
	unsigned int i, w;
	FILE *in, *out;
	int fd;

	fd = mkstemp(in_name);
	in = fd < 0 ? NULL : fdopen(fd, "w");
	if (!in) {
		perror("vqdecode input");
		exit(1);
	}
	for (i = 0; i < s->nr_vectors; i++) {
		if (!s->json(i, tf->name, &jv))
			continue;
		for (w = 0; w < words; w++)
			fprintf(in, w ? " %llx" : "0x%016llx",
				(unsigned long long)jv.words[w]);
		fprintf(in, "  # %s\n", jv.name);
	}
	fclose(in);

	snprintf(cmd, sizeof(cmd), "%s --format %s %s", vqdecode, tf->name,
		 in_name);
	out = popen(cmd, "r");
	if (!out) {
		perror(cmd);
		exit(1);
	}
	for (i = 0; i < s->nr_vectors; i++) {
		struct vqt_tap t = {};

		if (!s->json(i, tf->name, &jv))
			continue;
		if (!fgets(line, sizeof(line), out)) {
			t.failed++;
			printf("# vqdecode printed nothing\n");
		} else {
			line[strcspn(line, "\n")] = '\0';
			if (strcmp(line, jv.json)) {
				t.failed++;
				printf("# got:  %s\n# want: %s\n", line, jv.json);
			}
		}
		tap_result(&t, "%svqdecode %s", label, jv.name);
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
		tap_result(&t, "%svqdecode exit status and line count", label);
	}
	unlink(in_name);
}

static unsigned int suite_njson(const struct vq_suite *s, unsigned int fi)
{
	struct vq_json_vector jv;
	unsigned int i, n = 0;

	for (i = 0; i < s->nr_vectors; i++)
		n += s->json(i, s->formats[fi].name, &jv);
	return n;
}

static void run_suite(const struct vq_suite *s, const char *vqdecode)
{
	struct vq_json_vector jv;
	unsigned int i, fi;

	for (i = 0; i < s->nr_cases; i++) {
		struct vqt_tap t = {};
		const char *name = s->run_case(&t, i);

		tap_result(&t, "%s%s", s->prefix, name);
	}
	for (i = 0; i < s->nr_vectors; i++) {
		struct vqt_tap t = {};
		const char *name = s->check_vector(&t, i);

		tap_result(&t, "%svector %s", s->prefix, name);
	}
	for (fi = 0; fi < ARRAY_SIZE(s->formats); fi++) {
		const struct vq_tool_format *tf;

		if (!s->formats[fi].name)
			continue;
		tf = vq_tool_format(s->formats[fi].name);
		for (i = 0; i < s->nr_vectors; i++) {
			struct vqt_tap t = {};

			if (!s->json(i, tf->name, &jv))
				continue;
			check_json(&t, tf, &jv);
			tap_result(&t, "%sjson %s", s->formats[fi].prefix,
				   jv.name);
		}
		if (vqdecode)
			check_vqdecode(vqdecode, s, fi);
	}
}

int main(int argc, char **argv)
{
	const char *vqdecode = NULL;
	unsigned int i, fi, plan = 0;

	if (argc == 3 && !strcmp(argv[1], "--vqdecode")) {
		vqdecode = argv[2];
	} else if (argc != 1) {
		fprintf(stderr, "usage: %s [--vqdecode PATH]\n", argv[0]);
		return 2;
	}

	for (i = 0; i < ARRAY_SIZE(suites); i++) {
		const struct vq_suite *s = &suites[i];

		plan += s->nr_cases + s->nr_vectors;
		for (fi = 0; fi < ARRAY_SIZE(s->formats); fi++)
			if (s->formats[fi].name)
				plan += suite_njson(s, fi) * (vqdecode ? 2 : 1) +
					!!vqdecode;
	}

	printf("TAP version 13\n1..%u\n", plan);
	for (i = 0; i < ARRAY_SIZE(suites); i++)
		run_suite(&suites[i], vqdecode);

	printf("# %u of %u failed\n", test_failed, test_nr);
	return test_failed || test_nr != plan;
}
