/*
 * Raw Intel IPsec-MB reference for bench/esp_bench.py: the crypto ceiling of
 * one core for the ESP payloads hagw encrypts (RFC 4303 §2, RFC 4106,
 * RFC 3602 + RFC 4868, RFC 7634), with nothing around it: no mbufs, no
 * headers, the same buffers again and again (hot in the caches).
 *
 * For an inner IP packet of SIZE bytes the ciphered payload is what ESP
 * tunnel mode ciphers: SIZE + padding + pad length + next header, rounded
 * up to 4 bytes (AEAD) or 16 (CBC); AEAD authenticates SPI and sequence
 * number as AAD (8 bytes), CBC hashes ESP header + IV + ciphertext with
 * HMAC-SHA-256-128. Every buffer gets a fresh IV and sequence number.
 * --size imix cycles through 7:4:1 inner packets of 64, 570 and 1420 bytes.
 *
 * APIs: "burst" (IMB_SUBMIT_BURST in bursts of BURST, what hagw uses),
 * "job" (IMB_SUBMIT_JOB one by one, flushed after each burst), "direct"
 * (IMB_AES128_GCM_ENC / the ChaCha20-Poly1305 init-update-finalize calls,
 * one packet at a time; AEAD only).
 *
 * Runs on one CPU (--cpu) for a warm-up, then a window of --seconds, and
 * prints one JSON line: packets done in the window, the thread's on-CPU
 * nanoseconds (CLOCK_THREAD_CPUTIME_ID: the scheduler's runtime, the counter
 * /proc/PID/task/TID/schedstat shows) and the TSC rate seen over the window.
 *
 * Usage: imb_ref --alg aes-gcm-128|aes-cbc-128-hmac-sha256|chacha20-poly1305
 *                --api burst|job|direct --dir enc|dec --size N|imix [--burst B]
 *                [--seconds S] [--warmup S] [--cpu C]
 */
#include <errno.h>
#include <getopt.h>
#include <sched.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <intel-ipsec-mb.h>
#include <x86intrin.h>

enum ref_alg {
	REF_GCM128,
	REF_CBC128_SHA256,
	REF_CHACHA20_POLY1305,
};

enum ref_api {
	REF_API_BURST,
	REF_API_JOB,
	REF_API_DIRECT,
};

enum {
	REF_MAX_BURST = 64,
	REF_BUF_LEN = 2048,		/* one mbuf's data room */
	REF_MAX_SIZE = 1600,		/* largest inner packet accepted */
	REF_ALIGN = 64,
	ESP_HDR_LEN = 8,		/* SPI + sequence number (RFC 4303 §2) */
	ESP_TRAILER_LEN = 2,		/* pad length + next header */
	ESP_AEAD_IV_LEN = 8,		/* RFC 4106 §3.1, RFC 7634 §2 */
	ESP_CBC_IV_LEN = 16,		/* RFC 3602 §2.3 */
	ESP_SALT_LEN = 4,
	ESP_NONCE_LEN = 12,		/* salt + explicit IV */
	ESP_ICV_LEN = 16,
	ESP_AEAD_ALIGN = 4,
	AES_BLOCK = 16,
	AES128_KEY = 16,
	CHACHA_KEY = 32,
	SHA256_BLOCK = 64,
	SHA256_DIGEST = 32,
	HMAC_IPAD = 0x36,
	HMAC_OPAD = 0x5c,
	AES128_ROUND_KEYS = 4 * 11,
	CHECK_EVERY = 64,		/* bursts between clock reads */
	IMIX_LEN = 12,			/* 7 x 64 B, 4 x 570 B, 1 x 1420 B */
};

static const uint16_t imix_sizes[IMIX_LEN] = {
	64, 570, 64, 64, 570, 64, 1420, 64, 570, 64, 64, 570,
};

#define NS_PER_S 1000000000.0

struct ref_keys {
	struct gcm_key_data gcm;
	uint32_t enc[AES128_ROUND_KEYS] __attribute__((aligned(16)));
	uint32_t dec[AES128_ROUND_KEYS] __attribute__((aligned(16)));
	uint8_t ipad[SHA256_DIGEST] __attribute__((aligned(16)));
	uint8_t opad[SHA256_DIGEST] __attribute__((aligned(16)));
	uint8_t chacha[CHACHA_KEY] __attribute__((aligned(16)));
	uint8_t salt[ESP_SALT_LEN];
} __attribute__((aligned(REF_ALIGN)));

/* One packet's buffer and the per-packet inputs the library reads. */
struct ref_pkt {
	uint8_t *esp;			/* ESP header, IV, payload, ICV */
	uint32_t payload_len;		/* ciphered bytes */
	uint8_t nonce[ESP_NONCE_LEN];
	uint8_t tag[ESP_ICV_LEN];
};

struct ref_opts {
	enum ref_alg alg;
	enum ref_api api;
	bool encrypt;
	unsigned int size;		/* 0: IMIX */
	bool imix;
	unsigned int burst;
	double seconds;
	double warmup;
	int cpu;
};

struct ref_ctx {
	const struct ref_opts *o;
	IMB_MGR *mgr;
	struct ref_keys *keys;
	struct ref_pkt pkts[REF_MAX_BURST];
	uint32_t iv_len;
	uint32_t payload_align;		/* 4 (AEAD) or 16 (CBC) */
	uint64_t seq;
	uint64_t failed;		/* jobs not completed */
	uint8_t sink;			/* decrypt: tag comparisons, kept alive */
};

static const char *const alg_names[] = {
	[REF_GCM128] = "aes-gcm-128",
	[REF_CBC128_SHA256] = "aes-cbc-128-hmac-sha256",
	[REF_CHACHA20_POLY1305] = "chacha20-poly1305",
};

static const char *const api_names[] = {
	[REF_API_BURST] = "burst",
	[REF_API_JOB] = "job",
	[REF_API_DIRECT] = "direct",
};

static int
name_index(const char *const *names, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(names[i], name) == 0)
			return (int)i;
	return -EINVAL;
}

static double
clock_s(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / NS_PER_S;
}

static uint32_t
round_up(uint32_t v, uint32_t align)
{
	return (v + align - 1) / align * align;
}

static bool
is_aead(enum ref_alg alg)
{
	return alg != REF_CBC128_SHA256;
}

/* HMAC-SHA-256 inner and outer states after one block of K ^ pad (RFC 2104). */
static void
hmac_precompute(IMB_MGR *mgr, struct ref_keys *k, const uint8_t *auth_key, size_t len)
{
	uint8_t block[SHA256_BLOCK];

	memset(block, HMAC_IPAD, sizeof(block));
	for (size_t i = 0; i < len; i++)
		block[i] ^= auth_key[i];
	IMB_SHA256_ONE_BLOCK(mgr, block, k->ipad);
	memset(block, HMAC_OPAD, sizeof(block));
	for (size_t i = 0; i < len; i++)
		block[i] ^= auth_key[i];
	IMB_SHA256_ONE_BLOCK(mgr, block, k->opad);
}

static void
keys_init(IMB_MGR *mgr, struct ref_keys *k)
{
	uint8_t key[CHACHA_KEY], auth[SHA256_DIGEST];

	for (size_t i = 0; i < sizeof(key); i++)
		key[i] = (uint8_t)(0x11 * i + 1);
	for (size_t i = 0; i < sizeof(auth); i++)
		auth[i] = (uint8_t)(0x07 * i + 3);
	IMB_AES128_GCM_PRE(mgr, key, &k->gcm);
	IMB_AES_KEYEXP_128(mgr, key, k->enc, k->dec);
	hmac_precompute(mgr, k, auth, sizeof(auth));
	memcpy(k->chacha, key, sizeof(key));
	memcpy(k->salt, "\xca\xfe\xba\xbe", ESP_SALT_LEN);
}

/* Fresh sequence number and IV for one packet (the ESP header is the AAD). */
static void
pkt_prepare(struct ref_ctx *c, struct ref_pkt *p)
{
	uint32_t seq = (uint32_t)++c->seq;
	uint32_t size = c->o->size != 0 ? c->o->size : imix_sizes[c->seq % IMIX_LEN];

	p->payload_len = round_up(size + ESP_TRAILER_LEN, c->payload_align);

	memcpy(p->esp + sizeof(uint32_t), &seq, sizeof(seq));
	memcpy(p->esp + ESP_HDR_LEN, &c->seq, sizeof(c->seq));
	memcpy(p->nonce, c->keys->salt, ESP_SALT_LEN);
	memcpy(p->nonce + ESP_SALT_LEN, &c->seq, ESP_AEAD_IV_LEN);
}

static void
job_aead(struct ref_ctx *c, IMB_JOB *job, struct ref_pkt *p)
{
	job->iv = p->nonce;
	job->iv_len_in_bytes = ESP_NONCE_LEN;
	if (c->o->alg == REF_CHACHA20_POLY1305) {
		job->cipher_mode = IMB_CIPHER_CHACHA20_POLY1305;
		job->hash_alg = IMB_AUTH_CHACHA20_POLY1305;
		job->enc_keys = job->dec_keys = c->keys->chacha;
		job->key_len_in_bytes = CHACHA_KEY;
		job->u.CHACHA20_POLY1305.aad = p->esp;
		job->u.CHACHA20_POLY1305.aad_len_in_bytes = ESP_HDR_LEN;
		job->u.CHACHA20_POLY1305.ctx = NULL;
	} else {
		job->cipher_mode = IMB_CIPHER_GCM;
		job->hash_alg = IMB_AUTH_AES_GMAC;
		job->enc_keys = job->dec_keys = &c->keys->gcm;
		job->key_len_in_bytes = AES128_KEY;
		job->u.GCM.aad = p->esp;
		job->u.GCM.aad_len_in_bytes = ESP_HDR_LEN;
		job->u.GCM.ctx = NULL;
	}
	job->hash_start_src_offset_in_bytes = ESP_HDR_LEN + c->iv_len;
	job->msg_len_to_hash_in_bytes = p->payload_len;
}

static void
job_cbc(struct ref_ctx *c, IMB_JOB *job, struct ref_pkt *p)
{
	job->cipher_mode = IMB_CIPHER_CBC;
	job->hash_alg = IMB_AUTH_HMAC_SHA_256;
	job->enc_keys = c->keys->enc;
	job->dec_keys = c->keys->dec;
	job->key_len_in_bytes = AES128_KEY;
	job->iv = p->esp + ESP_HDR_LEN;
	job->iv_len_in_bytes = ESP_CBC_IV_LEN;
	job->u.HMAC._hashed_auth_key_xor_ipad = c->keys->ipad;
	job->u.HMAC._hashed_auth_key_xor_opad = c->keys->opad;
	job->hash_start_src_offset_in_bytes = 0;
	job->msg_len_to_hash_in_bytes = ESP_HDR_LEN + ESP_CBC_IV_LEN + p->payload_len;
}

static void
job_fill(struct ref_ctx *c, IMB_JOB *job, struct ref_pkt *p)
{
	uint32_t data_off = ESP_HDR_LEN + c->iv_len;

	pkt_prepare(c, p);
	job->src = p->esp;
	job->dst = p->esp + data_off;
	job->cipher_start_src_offset_in_bytes = data_off;
	job->msg_len_to_cipher_in_bytes = p->payload_len;
	job->auth_tag_output = c->o->encrypt ? p->esp + data_off + p->payload_len : p->tag;
	job->auth_tag_output_len_in_bytes = ESP_ICV_LEN;
	job->cipher_direction = c->o->encrypt ? IMB_DIR_ENCRYPT : IMB_DIR_DECRYPT;
	job->chain_order = c->o->encrypt ? IMB_ORDER_CIPHER_HASH : IMB_ORDER_HASH_CIPHER;
	job->user_data = p;
	job->status = IMB_STATUS_BEING_PROCESSED;
	if (is_aead(c->o->alg))
		job_aead(c, job, p);
	else
		job_cbc(c, job, p);
}

/* Decrypt: the received ICV is compared with the computed one, as a
 * receiver must (constant time: OR of the byte differences). */
static void
job_done(struct ref_ctx *c, const IMB_JOB *job)
{
	const struct ref_pkt *p = job->user_data;
	const uint8_t *icv = p->esp + ESP_HDR_LEN + c->iv_len + p->payload_len;
	uint8_t diff = 0;

	if (job->status != IMB_STATUS_COMPLETED)
		c->failed++;
	if (c->o->encrypt)
		return;
	for (unsigned int i = 0; i < ESP_ICV_LEN; i++)
		diff |= (uint8_t)(p->tag[i] ^ icv[i]);
	c->sink |= diff;
}

static void
run_burst(struct ref_ctx *c)
{
	IMB_JOB *jobs[REF_MAX_BURST];
	uint32_t n = c->o->burst, done, k;

	if (IMB_GET_NEXT_BURST(c->mgr, n, jobs) != n) {
		c->failed += n;
		return;
	}
	for (uint32_t i = 0; i < n; i++)
		job_fill(c, jobs[i], &c->pkts[i]);
	done = IMB_SUBMIT_BURST(c->mgr, n, jobs);
	for (uint32_t i = 0; i < done; i++)
		job_done(c, jobs[i]);
	while (done < n && (k = IMB_FLUSH_BURST(c->mgr, n - done, jobs)) != 0) {
		for (uint32_t i = 0; i < k; i++)
			job_done(c, jobs[i]);
		done += k;
	}
	c->failed += n - done;
}

static void
run_job(struct ref_ctx *c)
{
	IMB_JOB *job;

	for (uint32_t i = 0; i < c->o->burst; i++) {
		job = IMB_GET_NEXT_JOB(c->mgr);
		job_fill(c, job, &c->pkts[i]);
		for (job = IMB_SUBMIT_JOB(c->mgr); job != NULL; job = IMB_GET_COMPLETED_JOB(c->mgr))
			job_done(c, job);
	}
	while ((job = IMB_FLUSH_JOB(c->mgr)) != NULL)
		job_done(c, job);
}

static void
direct_gcm(struct ref_ctx *c, struct ref_pkt *p, uint8_t *data, uint8_t *tag)
{
	struct gcm_context_data ctx;

	if (c->o->encrypt)
		IMB_AES128_GCM_ENC(c->mgr, &c->keys->gcm, &ctx, data, data, p->payload_len,
				   p->nonce, p->esp, ESP_HDR_LEN, tag, ESP_ICV_LEN);
	else
		IMB_AES128_GCM_DEC(c->mgr, &c->keys->gcm, &ctx, data, data, p->payload_len,
				   p->nonce, p->esp, ESP_HDR_LEN, tag, ESP_ICV_LEN);
}

static void
direct_chacha(struct ref_ctx *c, struct ref_pkt *p, uint8_t *data, uint8_t *tag)
{
	struct chacha20_poly1305_context_data ctx;

	IMB_CHACHA20_POLY1305_INIT(c->mgr, c->keys->chacha, &ctx, p->nonce, p->esp,
				   ESP_HDR_LEN);
	if (c->o->encrypt) {
		IMB_CHACHA20_POLY1305_ENC_UPDATE(c->mgr, c->keys->chacha, &ctx, data, data,
						 p->payload_len);
		IMB_CHACHA20_POLY1305_ENC_FINALIZE(c->mgr, &ctx, tag, ESP_ICV_LEN);
	} else {
		IMB_CHACHA20_POLY1305_DEC_UPDATE(c->mgr, c->keys->chacha, &ctx, data, data,
						 p->payload_len);
		IMB_CHACHA20_POLY1305_DEC_FINALIZE(c->mgr, &ctx, tag, ESP_ICV_LEN);
	}
}

static void
run_direct(struct ref_ctx *c)
{
	IMB_JOB fake = { 0 };

	fake.status = IMB_STATUS_COMPLETED;
	for (uint32_t i = 0; i < c->o->burst; i++) {
		struct ref_pkt *p = &c->pkts[i];
		uint8_t *data = p->esp + ESP_HDR_LEN + c->iv_len;
		uint8_t *tag;

		pkt_prepare(c, p);
		tag = c->o->encrypt ? data + p->payload_len : p->tag;
		if (c->o->alg == REF_GCM128)
			direct_gcm(c, p, data, tag);
		else
			direct_chacha(c, p, data, tag);
		fake.user_data = p;
		job_done(c, &fake);
	}
}

static void
run_once(struct ref_ctx *c)
{
	switch (c->o->api) {
	case REF_API_BURST:
		run_burst(c);
		break;
	case REF_API_JOB:
		run_job(c);
		break;
	case REF_API_DIRECT:
		run_direct(c);
		break;
	}
}

/* Bursts until wall-clock seconds have passed; returns the packets done. */
static uint64_t
run_for(struct ref_ctx *c, double seconds)
{
	double end = clock_s(CLOCK_MONOTONIC) + seconds;
	uint64_t bursts = 0;

	do {
		for (unsigned int i = 0; i < CHECK_EVERY; i++)
			run_once(c);
		bursts += CHECK_EVERY;
	} while (clock_s(CLOCK_MONOTONIC) < end);
	return bursts * c->o->burst;
}

static int
ctx_init(struct ref_ctx *c, const struct ref_opts *o)
{
	memset(c, 0, sizeof(*c));
	c->o = o;
	c->iv_len = is_aead(o->alg) ? ESP_AEAD_IV_LEN : ESP_CBC_IV_LEN;
	c->payload_align = is_aead(o->alg) ? ESP_AEAD_ALIGN : AES_BLOCK;
	c->mgr = alloc_mb_mgr(0);
	if (c->mgr == NULL)
		return -ENOMEM;
	init_mb_mgr_auto(c->mgr, NULL);
	if (imb_get_errno(c->mgr) != 0)
		return -ENOTSUP;
	c->keys = aligned_alloc(REF_ALIGN, sizeof(*c->keys));
	if (c->keys == NULL)
		return -ENOMEM;
	keys_init(c->mgr, c->keys);
	for (unsigned int i = 0; i < o->burst; i++) {
		c->pkts[i].esp = aligned_alloc(REF_ALIGN, REF_BUF_LEN);
		if (c->pkts[i].esp == NULL)
			return -ENOMEM;
		memset(c->pkts[i].esp, (int)i, REF_BUF_LEN);
	}
	return 0;
}

static const char *
arch_name(const IMB_MGR *mgr)
{
	switch (mgr->used_arch) {
	case IMB_ARCH_SSE:
		return "sse";
	case IMB_ARCH_AVX:
		return "avx";
	case IMB_ARCH_AVX2:
		return "avx2";
	case IMB_ARCH_AVX512:
		return "avx512";
	default:
		return "other";
	}
}

static int
measure(struct ref_ctx *c)
{
	double cpu0, cpu1, wall0, wall1;
	uint64_t tsc0, tsc1, packets;

	run_for(c, c->o->warmup);
	wall0 = clock_s(CLOCK_MONOTONIC_RAW);
	tsc0 = __rdtsc();
	cpu0 = clock_s(CLOCK_THREAD_CPUTIME_ID);
	packets = run_for(c, c->o->seconds);
	cpu1 = clock_s(CLOCK_THREAD_CPUTIME_ID);
	tsc1 = __rdtsc();
	wall1 = clock_s(CLOCK_MONOTONIC_RAW);
	if (c->failed != 0) {
		fprintf(stderr, "imb_ref: %lu jobs did not complete\n", (unsigned long)c->failed);
		return -EIO;
	}
	printf("{\"alg\": \"%s\", \"api\": \"%s\", \"dir\": \"%s\", \"size\": %u, "
	       "\"payload\": %u, \"burst\": %u, \"arch\": \"%s\", \"packets\": %lu, "
	       "\"cpu_ns\": %.0f, \"wall_ns\": %.0f, \"tsc_hz\": %.0f, \"sink\": %u}\n",
	       alg_names[c->o->alg], api_names[c->o->api], c->o->encrypt ? "enc" : "dec",
	       c->o->size, c->o->imix ? 0 : c->pkts[0].payload_len, c->o->burst,
	       arch_name(c->mgr),
	       (unsigned long)packets, (cpu1 - cpu0) * NS_PER_S, (wall1 - wall0) * NS_PER_S,
	       (double)(tsc1 - tsc0) / (wall1 - wall0), c->sink);
	return 0;
}

static void
usage(void)
{
	fprintf(stderr, "usage: imb_ref --alg aes-gcm-128|aes-cbc-128-hmac-sha256|"
		"chacha20-poly1305 --api burst|job|direct --dir enc|dec --size N|imix\n"
		"               [--burst 1..%d] [--seconds S] [--warmup S] [--cpu C]\n",
		REF_MAX_BURST);
	exit(2);
}

static int
parse_opt(struct ref_opts *o, int opt, const char *arg)
{
	int i;

	switch (opt) {
	case 'a':
		i = name_index(alg_names, sizeof(alg_names) / sizeof(alg_names[0]), arg);
		o->alg = (enum ref_alg)i;
		return i;
	case 'p':
		i = name_index(api_names, sizeof(api_names) / sizeof(api_names[0]), arg);
		o->api = (enum ref_api)i;
		return i;
	case 'd':
		o->encrypt = strcmp(arg, "enc") == 0;
		return o->encrypt || strcmp(arg, "dec") == 0 ? 0 : -EINVAL;
	case 'n':
		o->imix = strcmp(arg, "imix") == 0;
		o->size = o->imix ? 0 : (unsigned int)strtoul(arg, NULL, 0);
		return o->imix || (o->size > 0 && o->size <= REF_MAX_SIZE) ? 0 : -EINVAL;
	case 'b':
		o->burst = (unsigned int)strtoul(arg, NULL, 0);
		return o->burst > 0 && o->burst <= REF_MAX_BURST ? 0 : -EINVAL;
	case 's':
		o->seconds = strtod(arg, NULL);
		return o->seconds > 0 ? 0 : -EINVAL;
	case 'w':
		o->warmup = strtod(arg, NULL);
		return o->warmup >= 0 ? 0 : -EINVAL;
	case 'c':
		o->cpu = (int)strtol(arg, NULL, 0);
		return o->cpu >= 0 && o->cpu < CPU_SETSIZE ? 0 : -EINVAL;
	default:
		return -EINVAL;
	}
}

static void
parse_args(struct ref_opts *o, int argc, char **argv)
{
	static const struct option longs[] = {
		{ "alg", required_argument, NULL, 'a' }, { "api", required_argument, NULL, 'p' },
		{ "dir", required_argument, NULL, 'd' }, { "size", required_argument, NULL, 'n' },
		{ "burst", required_argument, NULL, 'b' },
		{ "seconds", required_argument, NULL, 's' },
		{ "warmup", required_argument, NULL, 'w' }, { "cpu", required_argument, NULL, 'c' },
		{ NULL, 0, NULL, 0 },
	};
	int opt;

	*o = (struct ref_opts){ .alg = REF_GCM128, .api = REF_API_BURST, .encrypt = true,
				.size = 0, .burst = 32, .seconds = 1.0, .warmup = 0.5, .cpu = -1 };
	while ((opt = getopt_long(argc, argv, "", longs, NULL)) != -1)
		if (parse_opt(o, opt, optarg) < 0)
			usage();
	if (optind != argc || (o->size == 0 && !o->imix))
		usage();
	if (o->api == REF_API_DIRECT && !is_aead(o->alg)) {
		fprintf(stderr, "imb_ref: --api direct is for the AEAD algorithms only\n");
		exit(2);
	}
}

int
main(int argc, char **argv)
{
	static struct ref_ctx ctx;
	struct ref_opts o;
	cpu_set_t set;
	int ret;

	parse_args(&o, argc, argv);
	if (o.cpu >= 0) {
		CPU_ZERO(&set);
		CPU_SET(o.cpu, &set);
		if (sched_setaffinity(0, sizeof(set), &set) != 0) {
			perror("imb_ref: sched_setaffinity");
			return 1;
		}
	}
	ret = ctx_init(&ctx, &o);
	if (ret < 0) {
		fprintf(stderr, "imb_ref: set-up failed: %s\n", strerror(-ret));
		return 1;
	}
	return measure(&ctx) < 0 ? 1 : 0;
}
