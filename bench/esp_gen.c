/*
 * ESP frame generator for bench/esp_bench.py's inbound rows: writes a pcap
 * of COUNT Ethernet frames, each an IPv4 ESP tunnel-mode packet (RFC 4303
 * §2-§3, AES-GCM-128 with a 16-byte ICV, RFC 4106) carrying an IPv4/UDP
 * inner packet of SIZE bytes, with sequence numbers 1..COUNT: an inbound SA
 * accepts every frame once, so a replay window never drops one. The explicit
 * IV is the sequence number (RFC 4106 §3.1: unique per key).
 *
 * Inner destinations cycle over 16 addresses from --inner-dst and source
 * ports over 64 values, like the plaintext pcaps of the outbound rows.
 * The benchmark checks some frames with python3-cryptography, which shares
 * nothing with this program or hagw.
 *
 * Usage: esp_gen --out FILE --count N --size N --spi SPI --key HEX40
 *                --dst-mac MAC --src-mac MAC --outer-src A --outer-dst A
 *                --inner-src A --inner-dst A
 */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <intel-ipsec-mb.h>

enum {
	ETH_HDR_LEN = 14,
	ETH_ADDR_LEN = 6,
	ETHERTYPE_IPV4 = 0x0800,
	IPV4_HDR_LEN = 20,
	IPV4_OFF_LEN = 2,		/* RFC 791 §3.1 field offsets */
	IPV4_OFF_TTL = 8,
	IPV4_OFF_PROTO = 9,
	IPV4_OFF_CSUM = 10,
	IPV4_OFF_SRC = 12,
	IPV4_OFF_DST = 16,
	IPV4_VERSION_IHL = 0x45,
	IPV4_TTL = 64,
	IPPROTO_UDP_NUM = 17,
	IPPROTO_ESP_NUM = 50,
	IPPROTO_IPIP_NUM = 4,		/* ESP next header of a tunnelled IPv4 packet */
	UDP_HDR_LEN = 8,
	UDP_OFF_DPORT = 2,		/* RFC 768 */
	UDP_OFF_LEN = 4,
	ESP_OFF_SEQ = 4,		/* RFC 4303 §2 */
	UDP_SPORT_BASE = 1024,
	UDP_SPORT_SPREAD = 64,
	UDP_DPORT = 9,			/* discard */
	INNER_DSTS = 16,
	ESP_HDR_LEN = 8,
	ESP_IV_LEN = 8,
	ESP_TRAILER_LEN = 2,
	ESP_ALIGN = 4,
	ESP_ICV_LEN = 16,
	GCM_KEY_LEN = 16,
	GCM_SALT_LEN = 4,
	GCM_NONCE_LEN = 12,
	MIN_INNER = IPV4_HDR_LEN + UDP_HDR_LEN,
	MAX_INNER = 9000,
	MAX_FRAME = ETH_HDR_LEN + IPV4_HDR_LEN + ESP_HDR_LEN + ESP_IV_LEN + MAX_INNER +
		    ESP_ALIGN + ESP_TRAILER_LEN + ESP_ICV_LEN,
	PCAP_MAGIC = 0xa1b2c3d4,
	PCAP_VERSION_MAJOR = 2,
	PCAP_VERSION_MINOR = 4,
	PCAP_SNAPLEN = 65535,
	PCAP_LINKTYPE_ETHERNET = 1,
	USEC_PER_SEC = 1000000,
};

struct pcap_file_hdr {
	uint32_t magic;
	uint16_t major;
	uint16_t minor;
	int32_t thiszone;
	uint32_t sigfigs;
	uint32_t snaplen;
	uint32_t linktype;
};

struct pcap_rec_hdr {
	uint32_t ts_sec;
	uint32_t ts_usec;
	uint32_t incl_len;
	uint32_t orig_len;
};

struct gen_opts {
	const char *out;
	uint64_t count;
	uint32_t size;
	uint32_t spi;
	uint8_t key[GCM_KEY_LEN + GCM_SALT_LEN];
	uint8_t dst_mac[ETH_ADDR_LEN];
	uint8_t src_mac[ETH_ADDR_LEN];
	struct in_addr outer_src, outer_dst, inner_src, inner_dst;
};

static void
put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void
put32(uint8_t *p, uint32_t v)
{
	put16(p, (uint16_t)(v >> 16));
	put16(p + 2, (uint16_t)v);
}

/* RFC 791 header checksum over IPV4_HDR_LEN bytes (field zero on entry). */
static uint16_t
ipv4_csum(const uint8_t *h)
{
	uint32_t sum = 0;

	for (unsigned int i = 0; i < IPV4_HDR_LEN; i += 2)
		sum += (uint32_t)(h[i] << 8 | h[i + 1]);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

static void
ipv4_hdr(uint8_t *h, uint32_t total_len, uint8_t proto, struct in_addr src,
	 struct in_addr dst)
{
	memset(h, 0, IPV4_HDR_LEN);
	h[0] = IPV4_VERSION_IHL;
	put16(h + IPV4_OFF_LEN, (uint16_t)total_len);
	h[IPV4_OFF_TTL] = IPV4_TTL;
	h[IPV4_OFF_PROTO] = proto;
	memcpy(h + IPV4_OFF_SRC, &src, sizeof(src));
	memcpy(h + IPV4_OFF_DST, &dst, sizeof(dst));
	put16(h + IPV4_OFF_CSUM, ipv4_csum(h));
}

/* Inner IPv4/UDP packet of o->size bytes, then the ESP trailer (RFC 4303
 * §2.4: padding 1, 2, 3, ...). Returns the payload length to encrypt. */
static uint32_t
inner_fill(const struct gen_opts *o, uint8_t *p, uint64_t i)
{
	struct in_addr dst = o->inner_dst;
	uint32_t len = o->size, pad, n;

	dst.s_addr = htonl(ntohl(dst.s_addr) + (uint32_t)(i % INNER_DSTS));
	memset(p, 0, len);
	ipv4_hdr(p, len, IPPROTO_UDP_NUM, o->inner_src, dst);
	put16(p + IPV4_HDR_LEN, (uint16_t)(UDP_SPORT_BASE + i % UDP_SPORT_SPREAD));
	put16(p + IPV4_HDR_LEN + UDP_OFF_DPORT, UDP_DPORT);
	put16(p + IPV4_HDR_LEN + UDP_OFF_LEN, (uint16_t)(len - IPV4_HDR_LEN));
	n = (len + ESP_TRAILER_LEN + ESP_ALIGN - 1) / ESP_ALIGN * ESP_ALIGN;
	pad = n - len - ESP_TRAILER_LEN;
	for (uint32_t k = 0; k < pad; k++)
		p[len + k] = (uint8_t)(k + 1);
	p[n - 2] = (uint8_t)pad;
	p[n - 1] = IPPROTO_IPIP_NUM;
	return n;
}

/* One frame with sequence number seq; returns its length. */
static uint32_t
frame_build(IMB_MGR *mgr, const struct gcm_key_data *key, const struct gen_opts *o,
	    uint8_t *f, uint64_t seq)
{
	uint8_t *ip = f + ETH_HDR_LEN, *esp = ip + IPV4_HDR_LEN;
	uint8_t *payload = esp + ESP_HDR_LEN + ESP_IV_LEN, nonce[GCM_NONCE_LEN];
	struct gcm_context_data ctx;
	uint32_t n = inner_fill(o, payload, seq - 1);
	uint32_t ip_len = IPV4_HDR_LEN + ESP_HDR_LEN + ESP_IV_LEN + n + ESP_ICV_LEN;

	memcpy(f, o->dst_mac, ETH_ADDR_LEN);
	memcpy(f + ETH_ADDR_LEN, o->src_mac, ETH_ADDR_LEN);
	put16(f + 2 * ETH_ADDR_LEN, ETHERTYPE_IPV4);
	ipv4_hdr(ip, ip_len, IPPROTO_ESP_NUM, o->outer_src, o->outer_dst);
	put32(esp, o->spi);
	put32(esp + ESP_OFF_SEQ, (uint32_t)seq);
	put32(esp + ESP_HDR_LEN, (uint32_t)(seq >> 32));	/* explicit IV = seq */
	put32(esp + ESP_HDR_LEN + sizeof(uint32_t), (uint32_t)seq);
	memcpy(nonce, o->key + GCM_KEY_LEN, GCM_SALT_LEN);
	memcpy(nonce + GCM_SALT_LEN, esp + ESP_HDR_LEN, ESP_IV_LEN);
	IMB_AES128_GCM_ENC(mgr, key, &ctx, payload, payload, n, nonce, esp, ESP_HDR_LEN,
			   payload + n, ESP_ICV_LEN);
	return ETH_HDR_LEN + ip_len;
}

static int
write_pcap(const struct gen_opts *o)
{
	static uint8_t frame[MAX_FRAME];
	struct pcap_file_hdr fh = { PCAP_MAGIC, PCAP_VERSION_MAJOR, PCAP_VERSION_MINOR, 0, 0,
				    PCAP_SNAPLEN, PCAP_LINKTYPE_ETHERNET };
	struct gcm_key_data key;
	IMB_MGR *mgr = alloc_mb_mgr(0);
	FILE *f;
	int ret = 0;

	if (mgr == NULL)
		return -ENOMEM;
	init_mb_mgr_auto(mgr, NULL);
	IMB_AES128_GCM_PRE(mgr, o->key, &key);
	f = fopen(o->out, "wb");
	if (f == NULL) {
		free_mb_mgr(mgr);
		return -errno;
	}
	fwrite(&fh, sizeof(fh), 1, f);
	for (uint64_t seq = 1; seq <= o->count; seq++) {
		uint32_t len = frame_build(mgr, &key, o, frame, seq);
		struct pcap_rec_hdr rh = { (uint32_t)(seq / USEC_PER_SEC),
					   (uint32_t)(seq % USEC_PER_SEC), len, len };

		fwrite(&rh, sizeof(rh), 1, f);
		fwrite(frame, len, 1, f);
	}
	if (ferror(f))
		ret = -EIO;
	if (fclose(f) != 0 && ret == 0)
		ret = -errno;
	free_mb_mgr(mgr);
	return ret;
}

static int
parse_hex(const char *s, uint8_t *out, size_t len)
{
	if (strncmp(s, "0x", 2) == 0)
		s += 2;
	if (strlen(s) != 2 * len)
		return -EINVAL;
	for (size_t i = 0; i < len; i++)
		if (sscanf(s + 2 * i, "%2hhx", &out[i]) != 1)
			return -EINVAL;
	return 0;
}

static int
parse_mac(const char *s, uint8_t *mac)
{
	return sscanf(s, "%hhx:%hhx:%hhx:%hhx:%hhx:%hhx", &mac[0], &mac[1], &mac[2], &mac[3],
		      &mac[4], &mac[5]) == ETH_ADDR_LEN ? 0 : -EINVAL;
}

static int
parse_addr(const char *s, struct in_addr *a)
{
	return inet_pton(AF_INET, s, a) == 1 ? 0 : -EINVAL;
}

static int
parse_opt(struct gen_opts *o, int opt, const char *arg)
{
	switch (opt) {
	case 'o':
		o->out = arg;
		return 0;
	case 'c':
		o->count = strtoull(arg, NULL, 0);
		return o->count > 0 && o->count <= UINT32_MAX ? 0 : -EINVAL;
	case 'n':
		o->size = (uint32_t)strtoul(arg, NULL, 0);
		return o->size >= MIN_INNER && o->size <= MAX_INNER ? 0 : -EINVAL;
	case 'p':
		o->spi = (uint32_t)strtoul(arg, NULL, 0);
		return 0;
	case 'k':
		return parse_hex(arg, o->key, sizeof(o->key));
	case 'D':
		return parse_mac(arg, o->dst_mac);
	case 'S':
		return parse_mac(arg, o->src_mac);
	case 'a':
		return parse_addr(arg, &o->outer_src);
	case 'b':
		return parse_addr(arg, &o->outer_dst);
	case 'i':
		return parse_addr(arg, &o->inner_src);
	case 'j':
		return parse_addr(arg, &o->inner_dst);
	default:
		return -EINVAL;
	}
}

int
main(int argc, char **argv)
{
	static const struct option longs[] = {
		{ "out", required_argument, NULL, 'o' }, { "count", required_argument, NULL, 'c' },
		{ "size", required_argument, NULL, 'n' }, { "spi", required_argument, NULL, 'p' },
		{ "key", required_argument, NULL, 'k' },
		{ "dst-mac", required_argument, NULL, 'D' },
		{ "src-mac", required_argument, NULL, 'S' },
		{ "outer-src", required_argument, NULL, 'a' },
		{ "outer-dst", required_argument, NULL, 'b' },
		{ "inner-src", required_argument, NULL, 'i' },
		{ "inner-dst", required_argument, NULL, 'j' },
		{ NULL, 0, NULL, 0 },
	};
	struct gen_opts o = { 0 };
	int opt, ret, idx = 0;

	while ((opt = getopt_long(argc, argv, "", longs, &idx)) != -1) {
		if (parse_opt(&o, opt, optarg) < 0) {
			fprintf(stderr, "esp_gen: bad or missing value for --%s\n",
				opt == '?' ? "?" : longs[idx].name);
			return 2;
		}
	}
	if (optind != argc || o.out == NULL || o.count == 0 || o.size == 0 || o.spi == 0) {
		fprintf(stderr, "usage: esp_gen --out FILE --count N --size N --spi SPI --key HEX "
			"--dst-mac M --src-mac M --outer-src A --outer-dst A --inner-src A "
			"--inner-dst A\n");
		return 2;
	}
	ret = write_pcap(&o);
	if (ret < 0) {
		fprintf(stderr, "esp_gen: %s: %s\n", o.out, strerror(-ret));
		return 1;
	}
	return 0;
}
