/*
 * libFuzzer target for the IKE SA / CHILD SA state records
 * (ike/ike_state_ser.c, format in ike/ike_state_ser.h). The input is read
 * as both record kinds. A refused input must leave the output all zero;
 * an accepted one must be written again by the serializer (which applies
 * the same value checks) within max_len, read back to the same struct,
 * and written again to the same bytes. libFuzzer hands over an exactly
 * sized heap buffer, so ASan sees any over-read. Any breach aborts.
 * Seeds: tests/fuzz/corpus/fuzz_ike_state/ (written by test_ike_state with
 * IKE_STATE_CORPUS_DIR set).
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ike/ike_state_ser.h"

enum { OUT_MAX = 16384 };

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static uint8_t out[OUT_MAX], out2[OUT_MAX];
static struct ike_sa_state sa, sa2;
static struct ike_child_state ch, ch2;

static bool
all_zero(const void *p, size_t n)
{
	const uint8_t *b = p;

	for (size_t i = 0; i < n; i++) {
		if (b[i] != 0)
			return false;
	}
	return true;
}

static void
check_sa(const uint8_t *data, size_t size)
{
	ssize_t n, n2;

	if (ike_sa_state_deserialize(data, size, &sa) != 0) {
		if (!all_zero(&sa, sizeof(sa)))
			abort();
		return;
	}
	n = ike_sa_state_serialize(&sa, out, sizeof(out));
	if (n <= 0 || (size_t)n > ike_sa_state_max_len())
		abort();
	if (ike_sa_state_deserialize(out, (size_t)n, &sa2) != 0 ||
	    !ike_sa_state_equal(&sa, &sa2))
		abort();
	n2 = ike_sa_state_serialize(&sa2, out2, sizeof(out2));
	if (n2 != n || memcmp(out, out2, (size_t)n) != 0)
		abort();
}

static void
check_child(const uint8_t *data, size_t size)
{
	ssize_t n, n2;

	if (ike_child_state_deserialize(data, size, &ch) != 0) {
		if (!all_zero(&ch, sizeof(ch)))
			abort();
		return;
	}
	n = ike_child_state_serialize(&ch, out, sizeof(out));
	if (n <= 0 || (size_t)n > ike_child_state_max_len())
		abort();
	if (ike_child_state_deserialize(out, (size_t)n, &ch2) != 0 ||
	    memcmp(&ch, &ch2, sizeof(ch)) != 0)
		abort();
	n2 = ike_child_state_serialize(&ch2, out2, sizeof(out2));
	if (n2 != n || memcmp(out, out2, (size_t)n) != 0)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ike_state_hdr h;

	if (ike_sa_state_max_len() > OUT_MAX)
		abort();
	if (ike_state_peek(data, size, &h) == 0 && h.total_len > size)
		abort();
	check_sa(data, size);
	check_child(data, size);
	return 0;
}
