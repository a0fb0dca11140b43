/* IKE SA records and the coarse phase transition table (strongSwan style:
 * the exchanges are tasks, the SA keeps one state). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "ike/ike_sa.h"
#include "ike/ike_sa_pool.h"
#include "ike/ike_task.h"
#include "ike/ike_window.h"

/* allowed[from][to]: the only phase moves there are. */
static const bool allowed[IKE_SA_PHASE_COUNT][IKE_SA_PHASE_COUNT] = {
	[IKE_SA_PHASE_NONE] = {
		[IKE_SA_PHASE_INIT_SENT] = true,        /* initiator sends IKE_SA_INIT */
		[IKE_SA_PHASE_INIT_DONE] = true,        /* responder answered it */
		[IKE_SA_PHASE_DEAD] = true,
	},
	[IKE_SA_PHASE_INIT_SENT] = {
		[IKE_SA_PHASE_INIT_SENT] = true,        /* COOKIE / INVALID_KE retry */
		[IKE_SA_PHASE_INIT_DONE] = true,
		[IKE_SA_PHASE_DEAD] = true,
	},
	[IKE_SA_PHASE_INIT_DONE] = {
		[IKE_SA_PHASE_AUTH_SENT] = true,        /* initiator */
		[IKE_SA_PHASE_ESTABLISHED] = true,      /* responder after IKE_AUTH */
		[IKE_SA_PHASE_DEAD] = true,
	},
	[IKE_SA_PHASE_AUTH_SENT] = {
		[IKE_SA_PHASE_ESTABLISHED] = true,
		[IKE_SA_PHASE_DEAD] = true,
	},
	[IKE_SA_PHASE_ESTABLISHED] = {
		[IKE_SA_PHASE_REKEYING] = true,
		[IKE_SA_PHASE_DELETING] = true,
		[IKE_SA_PHASE_DEAD] = true,
	},
	[IKE_SA_PHASE_REKEYING] = {
		[IKE_SA_PHASE_ESTABLISHED] = true,
		[IKE_SA_PHASE_DELETING] = true,
		[IKE_SA_PHASE_DEAD] = true,
	},
	[IKE_SA_PHASE_DELETING] = {
		[IKE_SA_PHASE_DEAD] = true,
	},
	[IKE_SA_PHASE_DEAD] = { [IKE_SA_PHASE_DEAD] = false },
};

static const char *const phase_names[IKE_SA_PHASE_COUNT] = {
	[IKE_SA_PHASE_NONE] = "none",
	[IKE_SA_PHASE_INIT_SENT] = "init-sent",
	[IKE_SA_PHASE_INIT_DONE] = "init-done",
	[IKE_SA_PHASE_AUTH_SENT] = "auth-sent",
	[IKE_SA_PHASE_ESTABLISHED] = "established",
	[IKE_SA_PHASE_REKEYING] = "rekeying",
	[IKE_SA_PHASE_DELETING] = "deleting",
	[IKE_SA_PHASE_DEAD] = "dead",
};

bool
ike_sa_phase_allowed(enum ike_sa_phase from, enum ike_sa_phase to)
{
	if (from >= IKE_SA_PHASE_COUNT || to >= IKE_SA_PHASE_COUNT)
		return false;
	return allowed[from][to];
}

const char *
ike_sa_phase_name(enum ike_sa_phase p)
{
	return p < IKE_SA_PHASE_COUNT ? phase_names[p] : "?";
}

int
ike_sa_set_phase(struct ike_sa *sa, enum ike_sa_phase to)
{
	if (!ike_sa_phase_allowed((enum ike_sa_phase)sa->st.phase, to))
		return -EINVAL;
	sa->st.phase = (uint8_t)to;
	return 0;
}

/* Sanitizer builds (gcc says __SANITIZE_ADDRESS__, clang __has_feature)
 * allocate each SA from the heap: LeakSanitizer does not scan the pool's
 * mappings, so it would report what only a pooled SA points to (its CHILD
 * SAs) and miss a pooled SA that is never freed. The pool has its own
 * tests. */
#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define IKE_SA_FROM_HEAP 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__)
#define IKE_SA_FROM_HEAP 1
#endif

#if defined(IKE_SA_FROM_HEAP)
#define SA_ZALLOC(type) calloc(1, sizeof(type))
#define SA_WIPE_FREE(p, type) (OPENSSL_cleanse((p), sizeof(type)), free(p))
#else
#define SA_ZALLOC(type) ike_sa_pool_get(sizeof(type))
#define SA_WIPE_FREE(p, type) ike_sa_pool_put((p), sizeof(type))	/* wipes */
#endif

int
ike_sa_reserve(size_t ike_sas, size_t child_sas)
{
#if defined(IKE_SA_FROM_HEAP)
	(void)ike_sas;
	(void)child_sas;
	return 0;
#else
	if (ike_sa_pool_reserve(sizeof(struct ike_sa), ike_sas) < 0 ||
	    ike_sa_pool_reserve(sizeof(struct ike_child), child_sas) < 0)
		return -1;
	return 0;
#endif
}

struct ike_sa *
ike_sa_alloc(void)
{
	struct ike_sa *sa = SA_ZALLOC(struct ike_sa);

	if (sa != NULL)
		sa->st.window_remote = 1;
	return sa;
}

static void
free_msg(uint8_t **p, size_t *len)
{
	if (*p != NULL) {
		OPENSSL_cleanse(*p, *len);
		free(*p);
	}
	*p = NULL;
	*len = 0;
}

void
ike_sa_init_done(struct ike_sa *sa)
{
	ike_dh_free(sa->dh);
	sa->dh = NULL;
	free_msg(&sa->init_local, &sa->init_local_len);
	free_msg(&sa->init_remote, &sa->init_remote_len);
}

void
ike_sa_free(struct ike_sa *sa)
{
	struct ike_child *c, *n;

	if (sa == NULL)
		return;
	for (c = sa->children; c != NULL; c = n) {
		n = c->next;
		ike_sa_child_free(c);
	}
	ike_sa_init_done(sa);
	ike_dh_free(sa->ccsa.dh);
	ike_win_clear(sa);
	ike_queue_clear(sa);
	ike_frag_reset(&sa->frag);
	ike_sa_state_wipe(&sa->st);
	SA_WIPE_FREE(sa, struct ike_sa);
}

int
ike_sa_keep(uint8_t **dst, size_t *dst_len, const uint8_t *src, size_t len)
{
	uint8_t *p = malloc(len == 0 ? 1 : len);

	if (p == NULL)
		return -ENOMEM;
	if (len != 0)
		memcpy(p, src, len);    /* src may be NULL then (an empty blob) */
	free_msg(dst, dst_len);
	*dst = p;
	*dst_len = len;
	return 0;
}

struct ike_child *
ike_sa_child_add(struct ike_sa *sa)
{
	struct ike_child *c;

	if (sa->st.n_children >= IKE_STATE_CHILDREN_MAX)
		return NULL;
	c = SA_ZALLOC(struct ike_child);
	if (c == NULL)
		return NULL;
	c->next = sa->children;
	sa->children = c;
	return c;
}

void
ike_sa_child_free(struct ike_child *c)
{
	if (c == NULL)
		return;
	ike_child_state_wipe(&c->st);
	SA_WIPE_FREE(c, struct ike_child);
}

void
ike_sa_child_unlink(struct ike_sa *sa, struct ike_child *c)
{
	struct ike_child **pp;

	for (pp = &sa->children; *pp != NULL; pp = &(*pp)->next) {
		if (*pp == c) {
			*pp = c->next;
			break;
		}
	}
	ike_sa_child_ids(sa);
}

struct ike_child *
ike_sa_child_by_spi_out(struct ike_sa *sa, uint32_t spi)
{
	struct ike_child *c;

	for (c = sa->children; c != NULL; c = c->next)
		if (c->st.spi_out == spi)
			return c;
	return NULL;
}

void
ike_sa_child_ids(struct ike_sa *sa)
{
	struct ike_child *c;
	uint16_t n = 0;

	memset(sa->st.child_ids, 0, sizeof(sa->st.child_ids));
	for (c = sa->children; c != NULL && n < IKE_STATE_CHILDREN_MAX; c = c->next)
		if (c->st.id != 0)
			sa->st.child_ids[n++] = c->st.id;
	sa->st.n_children = n;
}
