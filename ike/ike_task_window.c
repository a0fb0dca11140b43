/* Task ike_window: SET_WINDOW_SIZE (RFC 7296 §2.3, §3.10.1) in IKE_AUTH,
 * both roles: ours when our window is above one (the peer may then have
 * that many requests outstanding once IKE_AUTH completes), the peer's
 * taken into st.window_remote (ike_win_peer_notify: 4 octets, 0 ignored,
 * clamped to IKE_WIN_MAX). Without one the peer's window stays one. */
#include "ike/ike_task.h"
#include "ike/ike_window.h"

enum { IKE_WIN_NOTIFY_BITS = 8 };

static int
build(struct ike_exch *x)
{
	uint32_t w = x->sa->st.window_local;
	uint8_t v[IKE_WIN_NOTIFY_LEN];
	size_t i;

	if (w <= 1)
		return 0;
	if (w > IKE_WIN_MAX)
		w = IKE_WIN_MAX;
	for (i = 0; i < IKE_WIN_NOTIFY_LEN; i++)        /* big endian */
		v[i] = (uint8_t)(w >> (IKE_WIN_NOTIFY_BITS * (IKE_WIN_NOTIFY_LEN - 1 - i)));
	return ike_msg_build_status(x->b, IKE_N_SET_WINDOW_SIZE, v, sizeof(v));
}

static int
process(struct ike_exch *x)
{
	ike_win_peer_notify(x->sa, x->in);
	return 0;
}

const struct ike_task ike_task_window = {
	.name = "ike_window",
	.build_i = build,
	.process_r = process,
	.build_r = build,
	.process_i = process,
};
