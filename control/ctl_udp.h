/*
 * The control core's UDP services (RFC 768): datagrams punted to the box
 * go to the service registered for their destination port (IKE on
 * ike.port and ike.natt_port, the HA node on ha.port); the rest is
 * counted and dropped.
 */
#ifndef HAGW_CTL_UDP_H
#define HAGW_CTL_UDP_H

#include <stdint.h>

struct hagw;
struct dp_udp_dgram;

enum { CTL_UDP_MAX_SERVICES = 4 };

/* Takes one datagram; the payload is only valid during the call. */
typedef void (*ctl_udp_fn)(void *arg, const struct dp_udp_dgram *d);

struct ctl_udp_service {
	uint16_t port;
	ctl_udp_fn input;
	void *arg;
};

struct ctl_udp {
	uint8_t n;
	struct ctl_udp_service svc[CTL_UDP_MAX_SERVICES];
	uint64_t bad;			/* dp_udp_read refused it (length, checksum, fragment) */
	uint64_t no_service;		/* to a port nobody serves */
};

/* 0, -EADDRINUSE (port taken), -ENOSPC. */
int ctl_udp_register(struct ctl_udp *u, uint16_t port, ctl_udp_fn input, void *arg);
/* Removes every service registered with ARG. */
void ctl_udp_unregister(struct ctl_udp *u, const void *arg);

/* Takes the dataplane's local UDP for h->udp (before any service starts). */
void ctl_udp_start(struct hagw *h);
/* Gives it back. */
void ctl_udp_stop(struct hagw *h);

#endif
