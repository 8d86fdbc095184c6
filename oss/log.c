/* SPDX-License-Identifier: Apache-2.0 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "ost_int.h"

/* Set once at start-up (see oss_log_set_sink()). */
static oss_log_sink_fn log_sink;
static void *log_sink_arg;

/* Error lines per OST per second before the rest are only counted. */
#define LOG_BURST 10

void oss_log_set_sink(oss_log_sink_fn sink, void *arg)
{
	log_sink = sink;
	log_sink_arg = arg;
}

void oss_log(const struct oss_ost *ost, const char *fmt, ...)
{
	char line[1024];
	va_list ap;
	int n;

	if (ost)
		n = snprintf(line, sizeof(line), "oss: %s (%s): ", ost->name, ost->dir);
	else
		n = snprintf(line, sizeof(line), "oss: ");
	if (n < 0 || (size_t)n >= sizeof(line))
		n = 0;
	va_start(ap, fmt);
	vsnprintf(line + n, sizeof(line) - n, fmt, ap);
	va_end(ap);
	if (log_sink)
		log_sink(line, log_sink_arg);
	else
		fprintf(stderr, "%s\n", line);
}

void oss_log_io_error(struct oss_ost *ost, uint64_t id, const char *what, int err)
{
	time_t now = time(NULL);
	unsigned suppressed = 0;
	bool emit;

	pthread_mutex_lock(&ost->log_lock);
	if (now != ost->log_sec) {
		if (ost->log_count > LOG_BURST)
			suppressed = ost->log_count - LOG_BURST;
		ost->log_sec = now;
		ost->log_count = 0;
	}
	emit = ++ost->log_count <= LOG_BURST;
	pthread_mutex_unlock(&ost->log_lock);
	if (suppressed)
		oss_log(ost, "%u similar error lines suppressed", suppressed);
	if (emit)
		oss_log(ost, "object 0x%" PRIx64 ": %s: %s", id, what, strerror(-err));
}
