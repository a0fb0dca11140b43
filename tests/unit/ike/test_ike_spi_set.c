/* Unit test of the set of inbound ESP SPIs (ike/ike_spi_set.c): add, has,
 * del with backward shift across a wrapped cluster, growth, 0 refused. */
#include <CUnit/Basic.h>
#include <stdint.h>

#include "ike/ike_spi_set.h"
#include "tests/unit/cu_run.h"

enum { N_MANY = 100000 };

static void
test_basic(void)
{
	struct ike_spi_set s = { 0 };

	CU_ASSERT_FALSE(ike_spi_set_has(&s, 1));
	CU_ASSERT_EQUAL(ike_spi_set_add(&s, 0x1000), 0);
	CU_ASSERT_EQUAL(ike_spi_set_add(&s, 0x1000), 0);	/* twice: once in */
	CU_ASSERT_EQUAL(s.used, 1);
	CU_ASSERT_EQUAL(ike_spi_set_add(&s, 0), 0);		/* never stored */
	CU_ASSERT_EQUAL(s.used, 1);
	CU_ASSERT_FALSE(ike_spi_set_has(&s, 0));
	CU_ASSERT_TRUE(ike_spi_set_has(&s, 0x1000));
	ike_spi_set_del(&s, 0x1000);
	ike_spi_set_del(&s, 0x1000);
	CU_ASSERT_EQUAL(s.used, 0);
	CU_ASSERT_FALSE(ike_spi_set_has(&s, 0x1000));
	ike_spi_set_free(&s);
	CU_ASSERT_EQUAL(s.cap, 0);
}

/* Many SPIs: every other one deleted, the rest all still found. */
static void
test_many(void)
{
	struct ike_spi_set s = { 0 };
	uint32_t i, found = 0, absent = 0;

	for (i = 1; i <= N_MANY; i++)
		CU_ASSERT_EQUAL_FATAL(ike_spi_set_add(&s, i * 7919u), 0);
	CU_ASSERT_EQUAL(s.used, N_MANY);
	CU_ASSERT_EQUAL(s.cap, 262144);
	for (i = 1; i <= N_MANY; i += 2)
		ike_spi_set_del(&s, i * 7919u);
	CU_ASSERT_EQUAL(s.used, N_MANY / 2);
	for (i = 1; i <= N_MANY; i++) {
		if (ike_spi_set_has(&s, i * 7919u))
			found += i % 2 == 0;
		else
			absent += i % 2 == 1;
	}
	CU_ASSERT_EQUAL(found, N_MANY / 2);
	CU_ASSERT_EQUAL(absent, N_MANY / 2);
	ike_spi_set_free(&s);
}

int
main(void)
{
	CU_pSuite suite;

	if (CU_initialize_registry() != CUE_SUCCESS)
		return 1;
	suite = CU_add_suite("ike_spi_set", NULL, NULL);
	CU_add_test(suite, "add, has, del", test_basic);
	CU_add_test(suite, "100000 SPIs, half deleted", test_many);
	return cu_run_registered();
}
