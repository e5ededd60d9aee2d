// SPDX-License-Identifier: GPL-2.0-only
/*
 * vqdecode - decode raw vIOMMU queue entries to JSON lines
 *
 * Reads the entries as 64-bit words in hex, the way they sit in guest memory
 * (little endian words, lowest first), and prints what the kernel's vqueue
 * format code makes of each: the same object file the kernel builds.
 */
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/kernel.h>

#include "vqjson.h"

static void usage(FILE *f)
{
	unsigned int i;

	fprintf(f,
		"Usage: vqdecode --format FORMAT [FILE]\n"
		"\n"
		"Decode raw vIOMMU queue entries and print one JSON object per entry.\n"
		"\n"
		"Input (FILE, or standard input): 64-bit words in hex, \"0x\" optional,\n"
		"separated by white space; each entry is its words in memory order\n"
		"(an SMMUv3 command is dword0 then dword1, a VT-d descriptor qw0 qw1,\n"
		"and qw2 qw3 for vtd256).  '#' starts a comment.\n"
		"\n"
		"Output: {\"op\":NAME,\"class\":CLASS[,\"error\":CODE],\"opcode\":N,FIELD:N...}\n"
		"CLASS is invalidate, sync, exit, illegal or nop; error only for illegal\n"
		"(VT-d: \"error\":\"IQE\",\"iqei\":N).\n"
		"\n"
		"Options:\n"
		"  -f, --format FORMAT  queue format:");
	for (i = 0; i < vq_nr_tool_formats; i++)
		fprintf(f, " %s", vq_tool_formats[i].name);
	fprintf(f,
		"\n"
		"                       (vtd128, vtd256: VT-d with IQA.DW 0, 1)\n"
		"  -h, --help           this text\n"
		"\n"
		"Exit status: 0, or 1 on bad arguments or bad input.\n");
}

/* Parse one hex word; 0 on success */
static int parse_word(const char *s, u64 *v)
{
	unsigned int digits = 0;
	u64 x = 0;

	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
		s += 2;
	for (; *s; s++, digits++) {
		if (!isxdigit((unsigned char)*s) || digits == 16)
			return -EINVAL;
		x = x << 4 | (isdigit((unsigned char)*s) ? *s - '0' :
			      (tolower((unsigned char)*s) - 'a' + 10));
	}
	if (!digits)
		return -EINVAL;
	*v = x;
	return 0;
}

static int decode_stream(FILE *in, const char *in_name,
			 const struct vq_tool_format *tf)
{
	unsigned int words = tf->geo.entry_size / sizeof(u64);
	unsigned int n = 0, line = 1;
	u64 w[IOMMUFD_VQUEUE_MAX_ENTRY_WORDS];
	char tok[64], json[1024];
	unsigned long count = 0;
	int c;

	for (;;) {
		unsigned int len = 0;

		/* Skip white space and comments, counting lines */
		while ((c = getc(in)) != EOF) {
			if (c == '#') {
				while ((c = getc(in)) != EOF && c != '\n')
					;
			}
			if (c == '\n')
				line++;
			else if (c != EOF && !isspace(c))
				break;
		}
		if (c == EOF)
			break;
		while (c != EOF && !isspace(c) && c != '#') {
			if (len < sizeof(tok) - 1)
				tok[len++] = c;
			c = getc(in);
		}
		tok[len] = '\0';
		if (c != EOF)
			ungetc(c, in);

		if (parse_word(tok, &w[n])) {
			fprintf(stderr,
				"vqdecode: %s:%u: '%s' is not a 64-bit hex word\n",
				in_name, line, tok);
			return 1;
		}
		if (++n == words) {
			__le64 raw[IOMMUFD_VQUEUE_MAX_ENTRY_WORDS];
			struct iommufd_vqueue_entry e;
			unsigned int i;

			for (i = 0; i < words; i++)
				raw[i] = cpu_to_le64(w[i]);
			tf->dbg->format->decode(&tf->geo, raw, &e);
			vq_json(json, sizeof(json), tf, &e);
			puts(json);
			n = 0;
			count++;
		}
	}
	if (ferror(in)) {
		fprintf(stderr, "vqdecode: %s: read error\n", in_name);
		return 1;
	}
	if (n) {
		fprintf(stderr,
			"vqdecode: %s: %lu words: a %s entry is %u 64-bit words, %u left over\n",
			in_name, count * words + n, tf->name, words, n);
		return 1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "format", required_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		{ }
	};
	const struct vq_tool_format *tf = NULL;
	const char *in_name = "<stdin>";
	FILE *in = stdin;
	int c, ret;

	while ((c = getopt_long(argc, argv, "f:h", opts, NULL)) != -1) {
		switch (c) {
		case 'f':
			tf = vq_tool_format(optarg);
			if (!tf) {
				fprintf(stderr, "vqdecode: unknown format '%s'\n",
					optarg);
				usage(stderr);
				return 1;
			}
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 1;
		}
	}
	if (!tf) {
		fprintf(stderr, "vqdecode: --format is required\n");
		usage(stderr);
		return 1;
	}
	if (argc - optind > 1) {
		usage(stderr);
		return 1;
	}
	if (optind < argc && strcmp(argv[optind], "-")) {
		in_name = argv[optind];
		in = fopen(in_name, "r");
		if (!in) {
			fprintf(stderr, "vqdecode: %s: %s\n", in_name,
				strerror(errno));
			return 1;
		}
	}

	ret = decode_stream(in, in_name, tf);
	if (in != stdin)
		fclose(in);
	if (fflush(stdout)) {
		fprintf(stderr, "vqdecode: write error\n");
		return 1;
	}
	return ret;
}
