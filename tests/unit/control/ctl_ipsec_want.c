/*
 * The answers test_ctl_ipsec.c expects (see ctl_ipsec_want.h): the SAs
 * c1-in (A), c1-out (B), an unnamed inbound (C) and an unnamed outbound
 * (D), four policies and five clients, as test_ctl_ipsec.c builds them.
 */
#include "ctl_ipsec_want.h"

#define DROPS_0 "\"drops\":{\"replay\":0,\"auth\":0,\"policy\":0,\"malformed\":0,\"lifetime\":0," \
	"\"mtu\":0,\"inactive\":0}"

const char want_a[] =
	"{\"id\":0,\"name\":\"c1-in\",\"spi\":\"0x00001001\",\"direction\":\"in\","
	"\"mode\":\"tunnel\",\"algorithm\":\"aes-gcm-128\",\"esn\":false,"
	"\"local\":\"192.0.2.1\",\"remote\":\"192.0.2.2\",\"udp_encap\":true,"
	"\"local_port\":4500,\"remote_port\":4501,\"owner\":1,\"active\":true,"
	"\"soft_expired\":false,\"hard_expired\":false,\"age_s\":61,\"seq\":null,"
	"\"iv_epoch\":null,\"replay_window\":128,\"replay_top\":7,\"packets\":3,\"bytes\":300,"
	"\"dropped\":3,\"drops\":{\"replay\":2,\"auth\":1,\"policy\":0,\"malformed\":0,"
	"\"lifetime\":0,\"mtu\":0,\"inactive\":0},\"lifetime\":{\"used_bytes\":300,\"soft_bytes\":null,"
	"\"hard_bytes\":null,\"used_packets\":3,\"soft_packets\":50,\"hard_packets\":100},"
	"\"selectors\":[{\"local\":\"203.0.113.0/24\",\"remote\":\"10.9.0.5/32\","
	"\"protocol\":\"any\",\"local_ports\":\"any\",\"remote_ports\":\"any\"}]}";

const char want_b[] =
	"{\"id\":1,\"name\":\"c1-out\",\"spi\":\"0x00002002\",\"direction\":\"out\","
	"\"mode\":\"transport\",\"algorithm\":\"aes-cbc-256-hmac-sha256\",\"esn\":true,"
	"\"local\":\"2001:db8::1\",\"remote\":\"2001:db8::2\",\"udp_encap\":false,"
	"\"local_port\":null,\"remote_port\":null,\"owner\":null,\"active\":true,"
	"\"soft_expired\":false,\"hard_expired\":false,\"age_s\":61,\"seq\":5,\"iv_epoch\":0,"
	"\"replay_window\":null,\"replay_top\":null,\"packets\":5,\"bytes\":1000,\"dropped\":4,"
	"\"drops\":{\"replay\":0,\"auth\":0,\"policy\":0,\"malformed\":0,\"lifetime\":0,"
	"\"mtu\":4,\"inactive\":0},\"lifetime\":{\"used_bytes\":1000,\"soft_bytes\":1000000,"
	"\"hard_bytes\":2000000,\"used_packets\":5,\"soft_packets\":null,\"hard_packets\":null},"
	"\"selectors\":[{\"local\":\"2001:db8::1-2001:db8::5\",\"remote\":\"::/0\","
	"\"protocol\":\"tcp\",\"local_ports\":\"80\",\"remote_ports\":\"1024-65535\"},"
	"{\"local\":\"2001:db8::1/128\",\"remote\":\"2001:db8:9::/48\","
	"\"protocol\":\"ipv6-icmp\",\"local_ports\":\"128\",\"remote_ports\":\"0-255\"}]}";

const char want_c[] =
	"{\"id\":2,\"name\":null,\"spi\":\"0x00003003\",\"direction\":\"in\","
	"\"mode\":\"tunnel\",\"algorithm\":\"chacha20-poly1305\",\"esn\":true,"
	"\"local\":\"198.51.100.1\",\"remote\":\"198.51.100.2\",\"udp_encap\":false,"
	"\"local_port\":null,\"remote_port\":null,\"owner\":1,\"active\":true,"
	"\"soft_expired\":false,\"hard_expired\":false,\"age_s\":61,\"seq\":null,"
	"\"iv_epoch\":null,\"replay_window\":4096,\"replay_top\":0,\"packets\":0,\"bytes\":0,"
	"\"dropped\":0," DROPS_0 ",\"lifetime\":{\"used_bytes\":0,\"soft_bytes\":null,"
	"\"hard_bytes\":null,\"used_packets\":0,\"soft_packets\":null,\"hard_packets\":null},"
	"\"selectors\":[]}";

const char want_d[] =
	"{\"id\":3,\"name\":null,\"spi\":\"0x00004004\",\"direction\":\"out\","
	"\"mode\":\"tunnel\",\"algorithm\":\"aes-gcm-256\",\"esn\":false,"
	"\"local\":\"192.0.2.1\",\"remote\":\"192.0.2.9\",\"udp_encap\":true,"
	"\"local_port\":4500,\"remote_port\":4500,\"owner\":null,\"active\":true,"
	"\"soft_expired\":false,\"hard_expired\":true,\"age_s\":61,\"seq\":3,\"iv_epoch\":0,"
	"\"replay_window\":null,\"replay_top\":null,\"packets\":10,\"bytes\":1400,\"dropped\":1,"
	"\"drops\":{\"replay\":0,\"auth\":0,\"policy\":0,\"malformed\":0,\"lifetime\":1,"
	"\"mtu\":0,\"inactive\":0},\"lifetime\":{\"used_bytes\":1400,\"soft_bytes\":null,\"hard_bytes\":null,"
	"\"used_packets\":10,\"soft_packets\":null,\"hard_packets\":10},\"selectors\":[]}";

/* `hagwctl show sa c1-in`, `show sa 0x3003` */
const char text_a[] =
	"id:             0\n"
	"name:           c1-in\n"
	"spi:            0x00001001\n"
	"direction:      in\n"
	"mode:           tunnel\n"
	"algorithm:      aes-gcm-128\n"
	"esn:            no\n"
	"local:          192.0.2.1\n"
	"remote:         192.0.2.2\n"
	"udp_encap:      yes\n"
	"local_port:     4500\n"
	"remote_port:    4501\n"
	"owner:          1\n"
	"active:         yes\n"
	"soft_expired:   no\n"
	"hard_expired:   no\n"
	"age_s:          61\n"
	"seq:            -\n"
	"iv_epoch:       -\n"
	"replay_window:  128\n"
	"replay_top:     7\n"
	"packets:        3\n"
	"bytes:          300\n"
	"dropped:        3\n"
	"drops:\n"
	"  replay:     2\n"
	"  auth:       1\n"
	"  policy:     0\n"
	"  malformed:  0\n"
	"  lifetime:   0\n"
	"  mtu:        0\n"
	"  inactive:   0\n"
	"lifetime:\n"
	"  used_bytes:    300\n"
	"  soft_bytes:    -\n"
	"  hard_bytes:    -\n"
	"  used_packets:  3\n"
	"  soft_packets:  50\n"
	"  hard_packets:  100\n"
	"selectors:\n"
	"  local           remote       protocol  local_ports  remote_ports\n"
	"  203.0.113.0/24  10.9.0.5/32  any       any          any\n";

const char text_c[] =
	"id:             2\n"
	"name:           -\n"
	"spi:            0x00003003\n"
	"direction:      in\n"
	"mode:           tunnel\n"
	"algorithm:      chacha20-poly1305\n"
	"esn:            yes\n"
	"local:          198.51.100.1\n"
	"remote:         198.51.100.2\n"
	"udp_encap:      no\n"
	"local_port:     -\n"
	"remote_port:    -\n"
	"owner:          1\n"
	"active:         yes\n"
	"soft_expired:   no\n"
	"hard_expired:   no\n"
	"age_s:          61\n"
	"seq:            -\n"
	"iv_epoch:       -\n"
	"replay_window:  4096\n"
	"replay_top:     0\n"
	"packets:        0\n"
	"bytes:          0\n"
	"dropped:        0\n"
	"drops:\n"
	"  replay:     0\n"
	"  auth:       0\n"
	"  policy:     0\n"
	"  malformed:  0\n"
	"  lifetime:   0\n"
	"  mtu:        0\n"
	"  inactive:   0\n"
	"lifetime:\n"
	"  used_bytes:    0\n"
	"  soft_bytes:    -\n"
	"  hard_bytes:    -\n"
	"  used_packets:  0\n"
	"  soft_packets:  -\n"
	"  hard_packets:  -\n"
	"selectors:      -\n";

#define ANY_PORTS "\"protocol\":\"any\",\"local_ports\":\"any\",\"remote_ports\":\"any\""

const char want_spd[] =
	"{\"default_action\":\"discard\",\"policies\":["
	"{\"id\":1,\"priority\":100,\"action\":\"protect\",\"local\":\"2001:db8::1/128\","
	"\"remote\":\"2001:db8:9::/48\"," ANY_PORTS ",\"sa\":\"c1-out\","
	"\"sa_spi\":\"0x00002002\"},"
	"{\"id\":3,\"priority\":100,\"action\":\"protect\",\"local\":\"0.0.0.0/0\","
	"\"remote\":\"0.0.0.0/0\"," ANY_PORTS ",\"sa\":null,\"sa_spi\":\"0x00004004\"},"
	"{\"id\":2,\"priority\":150,\"action\":\"discard\",\"local\":\"10.0.0.0/8\","
	"\"remote\":\"0.0.0.0/0\",\"protocol\":\"udp\",\"local_ports\":\"53\","
	"\"remote_ports\":\"1-1023\",\"sa\":null,\"sa_spi\":null},"
	"{\"id\":0,\"priority\":200,\"action\":\"bypass\",\"local\":\"::/0\",\"remote\":\"::/0\","
	ANY_PORTS ",\"sa\":null,\"sa_spi\":null}],\"clients\":1}";

const char text_spd[] =
	"default_action:  discard\n"
	"policies:\n"
	"  id  priority  action   local            remote           protocol  local_ports  "
	"remote_ports  sa      sa_spi\n"
	"   1       100  protect  2001:db8::1/128  2001:db8:9::/48  any       any          "
	"any           c1-out  0x00002002\n"
	"   3       100  protect  0.0.0.0/0        0.0.0.0/0        any       any          "
	"any           -       0x00004004\n"
	"   2       150  discard  10.0.0.0/8       0.0.0.0/0        udp       53           "
	"1-1023        -       -\n"
	"   0       200  bypass   ::/0             ::/0             any       any          "
	"any           -       -\n"
	"clients:         1\n";

const char tel_b_fmt[] =
	"{\"/hagw/show_sa\":{\"0\":{\"id\":1,\"name\":\"c1-out\",\"spi\":\"0x00002002\","
	"\"direction\":\"out\",\"mode\":\"transport\",\"algorithm\":\"aes-cbc-256-hmac-sha256\","
	"\"esn\":1,\"local\":\"2001:db8::1\",\"remote\":\"2001:db8::2\",\"udp_encap\":0,"
	"\"active\":1,\"soft_expired\":0,\"hard_expired\":0,\"age_s\":%u,\"seq\":5,"
	"\"iv_epoch\":0,\"packets\":5,\"bytes\":1000,\"dropped\":4,\"drops/replay\":0,"
	"\"drops/auth\":0,\"drops/policy\":0,\"drops/malformed\":0,\"drops/lifetime\":0,"
	"\"drops/mtu\":4,\"drops/inactive\":0,\"lifetime/used_bytes\":1000,\"lifetime/soft_bytes\":1000000,"
	"\"lifetime/hard_bytes\":2000000,\"lifetime/used_packets\":5,"
	"\"selectors/0/local\":\"2001:db8::1-2001:db8::5\",\"selectors/0/remote\":\"::/0\","
	"\"selectors/0/protocol\":\"tcp\",\"selectors/0/local_ports\":\"80\","
	"\"selectors/0/remote_ports\":\"1024-65535\","
	"\"selectors/1/local\":\"2001:db8::1/128\",\"selectors/1/remote\":\"2001:db8:9::/48\","
	"\"selectors/1/protocol\":\"ipv6-icmp\",\"selectors/1/local_ports\":\"128\","
	"\"selectors/1/remote_ports\":\"0-255\"}}}";

#define TEL_ANY_PORTS(i) "\"" i "/protocol\":\"any\",\"" i "/local_ports\":\"any\",\"" i \
	"/remote_ports\":\"any\""

const char tel_spd[] =
	"{\"/hagw/show_spd\":{\"default_action\":\"discard\",\"policies\":{"
	"\"0/id\":1,\"0/priority\":100,\"0/action\":\"protect\",\"0/local\":\"2001:db8::1/128\","
	"\"0/remote\":\"2001:db8:9::/48\"," TEL_ANY_PORTS("0") ",\"0/sa\":\"c1-out\","
	"\"0/sa_spi\":\"0x00002002\","
	"\"1/id\":3,\"1/priority\":100,\"1/action\":\"protect\",\"1/local\":\"0.0.0.0/0\","
	"\"1/remote\":\"0.0.0.0/0\"," TEL_ANY_PORTS("1") ",\"1/sa_spi\":\"0x00004004\","
	"\"2/id\":2,\"2/priority\":150,\"2/action\":\"discard\",\"2/local\":\"10.0.0.0/8\","
	"\"2/remote\":\"0.0.0.0/0\",\"2/protocol\":\"udp\",\"2/local_ports\":\"53\","
	"\"2/remote_ports\":\"1-1023\","
	"\"3/id\":0,\"3/priority\":200,\"3/action\":\"bypass\",\"3/local\":\"::/0\","
	"\"3/remote\":\"::/0\"," TEL_ANY_PORTS("3") "},\"clients\":1}}";

/* `show spd clients`: sorted IPv4 first, host bits cleared, SA 9 missing,
 * the IPv6 /48 queued behind a grace period. */
const char want_clients[] =
	"[{\"prefix\":\"10.9.0.6/32\",\"sa\":\"c1-out\",\"sa_spi\":\"0x00002002\","
	"\"pending\":false},"
	"{\"prefix\":\"10.9.1.0/24\",\"sa\":null,\"sa_spi\":\"0x00004004\",\"pending\":false},"
	"{\"prefix\":\"10.200.0.0/16\",\"sa\":null,\"sa_spi\":null,\"pending\":false},"
	"{\"prefix\":\"2001:db8:9::/48\",\"sa\":null,\"sa_spi\":\"0x00004004\","
	"\"pending\":true},"
	"{\"prefix\":\"2001:db8:9::6/128\",\"sa\":\"c1-out\",\"sa_spi\":\"0x00002002\","
	"\"pending\":false}]";

const char text_clients[] =
	"prefix             sa      sa_spi      pending\n"
	"10.9.0.6/32        c1-out  0x00002002  no\n"
	"10.9.1.0/24        -       0x00004004  no\n"
	"10.200.0.0/16      -       -           no\n"
	"2001:db8:9::/48    -       0x00004004  yes\n"
	"2001:db8:9::6/128  c1-out  0x00002002  no\n";
