// SPDX-License-Identifier: GPL-2.0-only
/*
 * Userspace test of vqdecode, printing TAP.
 *
 * Every test command and descriptor that has an expected vqdecode line (in
 * the test data headers next to the kernel code, written from the
 * architecture's field layouts) is decoded and rendered: by the vqdecode
 * binary given with --vqdecode PATH, all of a format's entries in one run,
 * or else in this process through the same format and decoder code. The
 * format's own checks are the KUnit suites'.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <linux/bitfield.h>
#include <linux/bits.h>
#include <linux/errno.h>
#include <linux/kernel.h>

#include "vqjson.h"
#include "vqueue_smmuv3_tests.h"
#include "vqueue_vtd_tests.h"

/**
 * struct vq_json_case - An entry and the line vqdecode must print for it
 * @name: The entry's name in the test data.
 * @json: The line.
 * @words: The entry, in the words vqdecode reads.
 */
struct vq_json_case {
	const char *name;
	const char *json;
	u64 words[IOMMUFD_VQUEUE_MAX_ENTRY_WORDS];
};

#define VQ_MAX_CASES	(ARRAY_SIZE(smmuv3_test_cmds) + ARRAY_SIZE(vtd_test_descs))

static unsigned int test_nr, test_failed;

static void tap_result(bool ok, const char *format, const char *name)
{
	test_nr++;
	test_failed += !ok;
	printf("%sok %u - %s %s\n", ok ? "" : "not ", test_nr, format, name);
}

/* The cases of vqdecode format @format, into @c; returns how many */
static unsigned int json_cases(const char *format, struct vq_json_case *c)
{
	unsigned int i, n = 0;

	if (!strcmp(format, "smmuv3")) {
		for (i = 0; i < ARRAY_SIZE(smmuv3_test_cmds); i++) {
			const struct smmuv3_test_cmd *t = &smmuv3_test_cmds[i];

			if (!t->json)
				continue;
			c[n++] = (struct vq_json_case){
				.name = t->name, .json = t->json,
				.words = { t->cmd[0], t->cmd[1] },
			};
		}
		return n;
	}

	for (i = 0; i < ARRAY_SIZE(vtd_test_descs); i++) {
		const struct vtd_test_desc *t = &vtd_test_descs[i];
		u8 q = !strcmp(format, "vtd256") ? VTD_TEST_Q256 : VTD_TEST_Q128;

		if (!t->json || (t->q && !(t->q & q)))
			continue;
		c[n] = (struct vq_json_case){ .name = t->name, .json = t->json };
		memcpy(c[n].words, t->desc, sizeof(t->desc));
		n++;
	}
	return n;
}

static bool same_line(const char *got, const char *want)
{
	if (!strcmp(got, want))
		return true;
	printf("# got:  %s\n# want: %s\n", got, want);
	return false;
}

static void check_in_process(const struct vq_tool_format *tf,
			     const struct vq_json_case *c, unsigned int n)
{
	unsigned int i, w;

	for (i = 0; i < n; i++) {
		__le64 raw[IOMMUFD_VQUEUE_MAX_ENTRY_WORDS];
		struct iommufd_vqueue_entry e;
		char buf[1024];

		for (w = 0; w < IOMMUFD_VQUEUE_MAX_ENTRY_WORDS; w++)
			raw[w] = cpu_to_le64(c[i].words[w]);
		tf->dbg->format->decode(&tf->geo, raw, &e);
		vq_json(buf, sizeof(buf), tf, &e);
		tap_result(same_line(buf, c[i].json), tf->name, c[i].name);
	}
}

/* Feed a format's entries to the vqdecode binary in one go, compare lines */
static void check_vqdecode(const char *vqdecode,
			   const struct vq_tool_format *tf,
			   const struct vq_json_case *c, unsigned int n)
{
	unsigned int words = tf->geo.entry_size / sizeof(u64);
	char in_name[] = "/tmp/vqdecode-test-XXXXXX";
	char cmd[512], line[1024];
	unsigned int i, w;
	FILE *in, *out;
	bool ok;
	int fd;

	fd = mkstemp(in_name);
	in = fd < 0 ? NULL : fdopen(fd, "w");
	if (!in) {
		perror("vqdecode input");
		exit(1);
	}
	for (i = 0; i < n; i++) {
		for (w = 0; w < words; w++)
			fprintf(in, w ? " %llx" : "0x%016llx",
				(unsigned long long)c[i].words[w]);
		fprintf(in, "  # %s\n", c[i].name);
	}
	fclose(in);

	snprintf(cmd, sizeof(cmd), "%s --format %s %s", vqdecode, tf->name,
		 in_name);
	out = popen(cmd, "r");
	if (!out) {
		perror(cmd);
		exit(1);
	}
	for (i = 0; i < n; i++) {
		if (!fgets(line, sizeof(line), out)) {
			printf("# vqdecode printed nothing\n");
			ok = false;
		} else {
			line[strcspn(line, "\n")] = '\0';
			ok = same_line(line, c[i].json);
		}
		tap_result(ok, tf->name, c[i].name);
	}
	ok = true;
	if (fgets(line, sizeof(line), out)) {
		printf("# extra output: %s", line);
		ok = false;
	}
	if (pclose(out)) {
		printf("# %s failed\n", cmd);
		ok = false;
	}
	tap_result(ok, tf->name, "vqdecode exit status and line count");
	unlink(in_name);
}

int main(int argc, char **argv)
{
	static struct vq_json_case cases[VQ_MAX_CASES];
	const char *vqdecode = NULL;
	unsigned int i, plan = 0;

	if (argc == 3 && !strcmp(argv[1], "--vqdecode")) {
		vqdecode = argv[2];
	} else if (argc != 1) {
		fprintf(stderr, "usage: %s [--vqdecode PATH]\n", argv[0]);
		return 2;
	}

	for (i = 0; i < vq_nr_tool_formats; i++)
		plan += json_cases(vq_tool_formats[i].name, cases) + !!vqdecode;
	printf("TAP version 13\n1..%u\n", plan);

	for (i = 0; i < vq_nr_tool_formats; i++) {
		const struct vq_tool_format *tf = &vq_tool_formats[i];
		unsigned int n = json_cases(tf->name, cases);

		if (vqdecode)
			check_vqdecode(vqdecode, tf, cases, n);
		else
			check_in_process(tf, cases, n);
	}

	printf("# %u of %u failed\n", test_failed, test_nr);
	return test_failed || test_nr != plan;
}
