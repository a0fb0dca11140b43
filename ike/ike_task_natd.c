/* Task ike_natd: NAT detection in IKE_SA_INIT (RFC 7296 §2.23):
 * NAT_DETECTION_SOURCE_IP / _DESTINATION_IP = SHA-1(SPIi | SPIr | IP |
 * port); a mismatch tells which side is behind a NAT. The initiator then
 * floats IKE to natt_port (also when UDP encapsulation is forced, or when
 * it already runs there); keepalives are sent by the side behind a NAT. */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "ike/ike_spi.h"
#include "ike/ike_task.h"

enum {
	IKE_NATD_HASH_LEN = 20,         /* SHA-1 */
	IKE_NATD_KEEPALIVE_S = 20,      /* strongSwan's default keep-alive */
};

static int
natd_hash(uint64_t spi_i, uint64_t spi_r, const struct ike_addr *a,
	  uint8_t out[IKE_NATD_HASH_LEN])
{
	uint8_t buf[IKE_SPI_LEN * 2 + 16 + 2];
	size_t ip = a->family == AF_INET ? 4 : 16, len = 0;
	unsigned int n = 0;

	ike_spi_put(spi_i, buf);
	ike_spi_put(spi_r, buf + IKE_SPI_LEN);
	len = IKE_SPI_LEN * 2;
	memcpy(buf + len, a->ip, ip);
	len += ip;
	buf[len++] = (uint8_t)(a->port >> 8);
	buf[len++] = (uint8_t)a->port;
	if (EVP_Digest(buf, len, out, &n, EVP_sha1(), NULL) != 1 || n != IKE_NATD_HASH_LEN)
		return -EIO;
	return 0;
}

static int
build(struct ike_exch *x)
{
	struct ike_sa *sa = x->sa;
	uint8_t h[IKE_NATD_HASH_LEN];
	int rc;

	if (x->in != NULL && ike_msg_find_notify(x->in, IKE_N_NAT_DETECTION_SOURCE_IP) == NULL)
		return 0;               /* responder: only if the initiator does NAT-T */
	if (sa->conn->cfg->encap)       /* §2.23: a faked source forces encapsulation */
		rc = ike_spi_random(h, sizeof(h));
	else
		rc = natd_hash(sa->st.spi_i, sa->st.spi_r, &sa->st.local, h);
	if (rc == 0)
		rc = ike_msg_build_status(x->b, IKE_N_NAT_DETECTION_SOURCE_IP, h, sizeof(h));
	if (rc == 0)
		rc = natd_hash(sa->st.spi_i, sa->st.spi_r, &sa->st.remote, h);
	if (rc == 0)
		rc = ike_msg_build_status(x->b, IKE_N_NAT_DETECTION_DESTINATION_IP, h, sizeof(h));
	return rc;
}

/* Does one of the notifies of TYPE carry the hash of A? */
static bool
natd_match(const struct ike_msg *m, uint16_t type, const struct ike_addr *a)
{
	uint8_t h[IKE_NATD_HASH_LEN];
	uint8_t i;

	if (natd_hash(m->hdr.spi_i, m->hdr.spi_r, a, h) != 0)
		return false;
	for (i = 0; i < m->n_notify; i++)
		if (m->notify[i].type == type && m->notify[i].data.len == sizeof(h) &&
		    CRYPTO_memcmp(m->notify[i].data.ptr, h, sizeof(h)) == 0)
			return true;
	return false;
}

static int
process(struct ike_exch *x)
{
	struct ike_sa *sa = x->sa;
	const struct ike_msg *m = x->in;

	if (ike_msg_find_notify(m, IKE_N_NAT_DETECTION_SOURCE_IP) == NULL ||
	    ike_msg_find_notify(m, IKE_N_NAT_DETECTION_DESTINATION_IP) == NULL)
		return 0;
	sa->st.nat_remote = !natd_match(m, IKE_N_NAT_DETECTION_SOURCE_IP, x->remote);
	sa->st.nat_local = !natd_match(m, IKE_N_NAT_DETECTION_DESTINATION_IP, x->local);
	sa->st.keepalive_interval = sa->st.nat_local ? IKE_NATD_KEEPALIVE_S : 0;
	if (sa->st.nat_local || sa->st.nat_remote)
		IKE_LOG_SA(x->ctx, sa, IKE_LOG_INFO, "NAT detected:%s%s",
			   sa->st.nat_local ? " local" : "", sa->st.nat_remote ? " remote" : "");
	return 0;
}

/* Initiator, IKE_SA_INIT done: move to natt_port for IKE_AUTH. */
static void
done(struct ike_exch *x)
{
	struct ike_sa *sa = x->sa;
	uint16_t natt = x->ctx->conf->cfg.natt_port;

	if (!sa->st.initiator)
		return;
	if (sa->st.nat_local || sa->st.nat_remote || sa->conn->cfg->encap ||
	    sa->st.local.port == natt) {
		sa->st.local.port = natt;
		sa->st.remote.port = natt;
		sa->st.natt = true;
	}
}

const struct ike_task ike_task_natd = {
	.name = "ike_natd",
	.build_i = build,
	.process_r = process,
	.build_r = build,
	.process_i = process,
	.done = done,
};
