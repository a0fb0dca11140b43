/*
 * What the IKE library needs from whoever hosts it (hagw's control core,
 * a test program on UDP sockets, two in-memory instances in unit tests):
 * a way to send datagrams, clocks, and hooks into the ESP data path and
 * the HA module. The library never blocks, never sleeps and owns no
 * thread: the host calls ike_input() for each datagram and ike_tick()
 * when ike_next_deadline() says so (ike_ctx.h).
 */
#ifndef IKE_HOST_H
#define IKE_HOST_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include "ike/ike_state.h"
#include "ike/ike_types.h"

enum ike_log_level {
	IKE_LOG_ERR,
	IKE_LOG_WARNING,
	IKE_LOG_NOTICE,
	IKE_LOG_INFO,
	IKE_LOG_DEBUG,
};

/* Why a state hook fires: the HA module ships the state after each. */
enum ike_state_event {
	IKE_EV_SA_UP,            /* IKE SA established (after IKE_AUTH) */
	IKE_EV_SA_UPDATE,        /* message IDs, last response, addresses, rekey state */
	IKE_EV_SA_DOWN,          /* IKE SA deleted or dead; its state is gone after the hook */
	IKE_EV_CHILD_UP,         /* CHILD SA installed */
	IKE_EV_CHILD_DOWN,       /* CHILD SA removed */
};

struct ike_host_ops {
	/* Send one UDP datagram of LEN bytes from LOCAL (one of ours) to
	 * REMOTE. For port 4500 the library has already put the 4-byte
	 * non-ESP marker in front (RFC 3948 §2.2). 0 or a negative errno
	 * (the library retransmits as usual). */
	int (*send)(void *arg, const struct ike_addr *local, const struct ike_addr *remote,
		    const uint8_t *data, size_t len);
	/* Monotonic milliseconds (timers) and wall-clock seconds since the
	 * epoch (lifetimes in the state, comparable across appliances). */
	uint64_t (*now_ms)(void *arg);
	uint64_t (*wall_s)(void *arg);

	/* Data path (the ESP issue's API on hagw). Make-before-break: the
	 * inbound SA is installed before the response that makes the peer
	 * use it; outbound SA and policies switch when the exchange
	 * completes; the old SA is removed after its DELETE. Each returns 0
	 * or a negative errno (the CHILD SA then fails: the peer gets a
	 * notify, nothing is left installed). */
	int (*child_install_inbound)(void *arg, const struct ike_sa_state *ike,
				     const struct ike_child_state *child);
	int (*child_install_outbound)(void *arg, const struct ike_sa_state *ike,
				      const struct ike_child_state *child);
	/* Both directions and the policies of CHILD (either may be absent). */
	void (*child_remove)(void *arg, const struct ike_child_state *child);
	/* The peer's address or ports changed (NAT rebinding, MOBIKE). */
	int (*child_update_path)(void *arg, const struct ike_sa_state *ike,
				 const struct ike_child_state *child);

	/* HA: state changed (may be NULL). CHILD is NULL for IKE SA events. */
	void (*state_event)(void *arg, enum ike_state_event ev, const struct ike_sa_state *ike,
			    const struct ike_child_state *child);

	/* Log one line (no trailing newline). The library never passes key
	 * material; SPIs and identities are fine. */
	void (*log)(void *arg, enum ike_log_level level, const char *fmt, va_list ap);

	void *arg;
};

#endif /* IKE_HOST_H */
