#!/usr/bin/env python3
"""Independent reference values for tests/unit/ike/test_ike_crypto*.c.

Computes, with Python's integers, hashlib/hmac and python3-cryptography
(never through hagw's code), the expected values of: MODP-2048 key exchange
(RFC 3526 prime derived from its defining formula), HMAC (RFC 4231 inputs),
prf+ (RFC 7296 §2.13), SKEYSEED and SK_* (§2.14), IKE SA rekey (§2.18),
CHILD SA KEYMAT (§2.17), and SK payloads for every cipher (RFC 7296 §3.14,
RFC 5282, RFC 7634). It also checks the RFC 5903 §8 and RFC 7748 §6.1
vectors it prints.

Usage: make_vectors.py > tests/unit/ike/test_ike_crypto_vectors.h
Output is deterministic; rerun only when adding vectors.
"""
import hashlib
import hmac
import sys

from cryptography.hazmat.primitives.asymmetric import ec, x25519
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM, ChaCha20Poly1305
from cryptography.hazmat.primitives import serialization

OUT = []


def emit(name, value):
    if isinstance(value, (bytes, bytearray)):
        value = value.hex()
    if isinstance(value, int):
        OUT.append("#define %s %d" % (name, value))
        return
    # Split long hex strings into 64-character pieces (C concatenation).
    parts = [value[i:i + 64] for i in range(0, len(value), 64)] or [""]
    if len(parts) == 1:
        OUT.append('#define %s "%s"' % (name, parts[0]))
    else:
        OUT.append("#define %s \\" % name)
        for i, part in enumerate(parts):
            tail = " \\" if i < len(parts) - 1 else ""
            OUT.append('\t"%s"%s' % (part, tail))


def pattern(n, mul, add):
    return bytes((i * mul + add) & 0xFF for i in range(n))


# ---- MODP-2048 (RFC 3526 §3): p = 2^2048 - 2^1984 - 1 + 2^64 * ([2^1918 pi] + 124476)

def arctan_inv(x, scale):
    total = term = scale // x
    n, sign, x2 = 1, -1, x * x
    while term:
        term //= x2
        total += sign * (term // (2 * n + 1))
        n, sign = n + 1, -sign
    return total


def pi_floor(bits):
    guard = 64
    scale = 1 << (bits + guard)
    pi = 16 * arctan_inv(5, scale) - 4 * arctan_inv(239, scale)
    return pi >> guard


P = (1 << 2048) - (1 << 1984) - 1 + (1 << 64) * (pi_floor(1918) + 124476)
assert hex(P).endswith("ffffffffffffffff") and hex(P).startswith("0xffffffffffffffffc90fdaa2")


def be(n, length):
    return n.to_bytes(length, "big")


def modp():
    # An exponent whose public value has a leading zero octet, and a peer
    # exponent giving a shared secret with one: padding is exercised.
    a = int.from_bytes(pattern(32, 13, 0x51), "big")
    while pow(2, a, P) >> 2040:
        a += 1
    b = int.from_bytes(pattern(32, 29, 0x07), "big")
    while pow(pow(2, b, P), a, P) >> 2040:
        b += 1
    ya, yb = pow(2, a, P), pow(2, b, P)
    assert pow(ya, b, P) == pow(yb, a, P)
    emit("MODP_P", be(P, 256))
    emit("MODP_PRIV_A", be(a, 32))
    emit("MODP_PUB_A", be(ya, 256))
    emit("MODP_PRIV_B", be(b, 32))
    emit("MODP_PUB_B", be(yb, 256))
    emit("MODP_SHARED", be(pow(yb, a, P), 256))
    return be(pow(yb, a, P), 256)


# ---- RFC 5903 §8 (checked here, printed for the C test)
RFC5903 = {
    19: (ec.SECP256R1(), 32,
         "C88F01F510D9AC3F70A292DAA2316DE544E9AAB8AFE84049C62A9C57862D1433",
         "DAD0B65394221CF9B051E1FECA5787D098DFE637FC90B9EF945D0C3772581180"
         "5271A0461CDB8252D61F1C456FA3E59AB1F45B33ACCF5F58389E0577B8990BB3",
         "C6EF9C5D78AE012A011164ACB397CE2088685D8F06BF9BE0B283AB46476BEE53",
         "D12DFB5289C8D4F81208B70270398C342296970A0BCCB74C736FC7554494BF63"
         "56FBF3CA366CC23E8157854C13C58D6AAC23F046ADA30F8353E74F33039872AB",
         "D6840F6B42F6EDAFD13116E0E12565202FEF8E9ECE7DCE03812464D04B9442DE"),
    20: (ec.SECP384R1(), 48,
         "099F3C7034D4A2C699884D73A375A67F7624EF7C6B3C0F160647B67414DCE655"
         "E35B538041E649EE3FAEF896783AB194",
         "667842D7D180AC2CDE6F74F37551F55755C7645C20EF73E31634FE72B4C55EE6"
         "DE3AC808ACB4BDB4C88732AEE95F41AA9482ED1FC0EEB9CAFC4984625CCFC23F"
         "65032149E0E144ADA024181535A0F38EEB9FCFF3C2C947DAE69B4C634573A81C",
         "41CB0779B4BDB85D47846725FBEC3C9430FAB46CC8DC5060855CC9BDA0AA2942"
         "E0308312916B8ED2960E4BD55A7448FC",
         "E558DBEF53EECDE3D3FCCFC1AEA08A89A987475D12FD950D83CFA41732BC509D"
         "0D1AC43A0336DEF96FDA41D0774A3571DCFBEC7AACF3196472169E838430367F"
         "66EEBE3C6E70C416DD5F0C68759DD1FFF83FA40142209DFF5EAAD96DB9E6386C",
         "11187331C279962D93D604243FD592CB9D0A926F422E47187521287E7156C5C4"
         "D603135569B9E9D09CF5D4A270F59746"),
    21: (ec.SECP521R1(), 66,
         "0037ADE9319A89F4DABDB3EF411AACCCA5123C61ACAB57B5393DCE47608172A0"
         "95AA85A30FE1C2952C6771D937BA9777F5957B2639BAB072462F68C27A57382D4A52",
         "0015417E84DBF28C0AD3C278713349DC7DF153C897A1891BD98BAB4357C9ECBE"
         "E1E3BF42E00B8E380AEAE57C2D10756494188594" "2AF5A7F4601723C4195D176CED3E"
         "017CAE20B6641D2EEB695786D8C946146239D099E18E1D5A514C739D7CB4A10A"
         "D8A788015AC405D7799DC75E7B7D5B6CF2261A6A7F1507438BF01BEB6CA3926F9582",
         "0145BA99A847AF43793FDD0E872E7CDFA16BE30FDC780F97BCCC3F078380201E"
         "9C677D600B343757A3BDBF2A3163E4C2F869CCA7458AA4A4EFFC311F5CB151685EB9",
         "00D0B3975AC4B799F5BEA16D5E13E9AF971D5E9B984C9F39728B5E5739735A21"
         "9B97C356436ADC6E95BB0352F6BE64A6C2912D4EF2D0433CED2B6171640012D9460F"
         "015C68226383956E3BD066E797B623C27CE0EAC2F551A10C2C724D9852077B87"
         "220B6536C5C408A1D2AEBB8E86D678AE49CB57091F4732296579AB44FCD17F0FC56A",
         "01144C7D79AE6956BC8EDB8E7C787C4521CB086FA64407F97894E5E6B2D79B04"
         "D1427E73CA4BAA240A34786859810C06B3C715A3A8CC3151F2BEE417996D19F3DDEA"),
}


def ecp_check():
    for group, (curve, clen, i, gi, r, gr, gir) in RFC5903.items():
        for priv, pub in ((i, gi), (r, gr)):
            key = ec.derive_private_key(int(priv, 16), curve)
            nums = key.public_key().public_numbers()
            assert be(nums.x, clen) + be(nums.y, clen) == bytes.fromhex(pub), group
        ki = ec.derive_private_key(int(i, 16), curve)
        kr = ec.derive_private_key(int(r, 16), curve)
        shared = ki.exchange(ec.ECDH(), kr.public_key())
        assert shared == bytes.fromhex(gir) and len(shared) == clen, group
        for name, value in (("I", i), ("GI", gi), ("R", r), ("GR", gr), ("GIR", gir)):
            emit("ECP%d_%s" % (group, name), value.lower())


def x25519_check():
    # RFC 7748 §6.1
    a = "77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a"
    ga = "8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a"
    b = "5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb"
    gb = "de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f"
    k = "4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742"
    raw = serialization.Encoding.Raw, serialization.PublicFormat.Raw
    ka = x25519.X25519PrivateKey.from_private_bytes(bytes.fromhex(a))
    kb = x25519.X25519PrivateKey.from_private_bytes(bytes.fromhex(b))
    assert ka.public_key().public_bytes(*raw).hex() == ga
    assert kb.public_key().public_bytes(*raw).hex() == gb
    assert ka.exchange(kb.public_key()).hex() == k
    for name, value in (("A", a), ("GA", ga), ("B", b), ("GB", gb), ("K", k)):
        emit("X25519_%s" % name, value)
    return bytes.fromhex(k)


# ---- HMAC with the RFC 4231 inputs (test cases 1, 2, 3, 4, 6, 7)
RFC4231 = [
    (b"\x0b" * 20, b"Hi There"),
    (b"Jefe", b"what do ya want for nothing?"),
    (b"\xaa" * 20, b"\xdd" * 50),
    (bytes(range(1, 26)), b"\xcd" * 50),
    (b"\xaa" * 131, b"Test Using Larger Than Block-Size Key - Hash Key First"),
    (b"\xaa" * 131, b"This is a test using a larger than block-size key and a larger t"
                    b"han block-size data. The key needs to be hashed before being use"
                    b"d by the HMAC algorithm."),
]
HASHES = {256: hashlib.sha256, 384: hashlib.sha384, 512: hashlib.sha512}


def hmac_vectors():
    for n, (key, data) in enumerate(RFC4231):
        emit("HMAC_TC%d_KEY" % n, key)
        emit("HMAC_TC%d_DATA" % n, data)
        for bits, h in HASHES.items():
            emit("HMAC_TC%d_SHA%d" % (n, bits), hmac.new(key, data, h).digest())
    # Known values from RFC 4231 itself, as a check of this script.
    assert hmac.new(*RFC4231[0], hashlib.sha256).hexdigest().startswith("b0344c61d8db3853")
    assert hmac.new(*RFC4231[1], hashlib.sha256).hexdigest().startswith("5bdcc146bf60754e")


def prf(bits, key, data):
    return hmac.new(key, data, HASHES[bits]).digest()


def prf_plus(bits, key, seed, length):
    out, t, i = b"", b"", 1
    while len(out) < length:
        t = prf(bits, key, t + seed + bytes([i]))
        out += t
        i += 1
    return out[:length]


PRF_KEY = pattern(37, 1, 1)
PRF_SEED = pattern(50, 3, 0x40)


def prf_plus_vectors():
    emit("PRFP_KEY", PRF_KEY)
    emit("PRFP_SEED", PRF_SEED)
    for bits in HASHES:
        plen = bits // 8
        emit("PRFP_SHA%d_100" % bits, prf_plus(bits, PRF_KEY, PRF_SEED, 100))
        full = prf_plus(bits, PRF_KEY, PRF_SEED, 255 * plen)
        emit("PRFP_SHA%d_MAX_TAIL" % bits, full[-32:])
        emit("PRFP_SHA%d_MAX_SHA256" % bits, hashlib.sha256(full).digest())


# ---- IKE SA keys (RFC 7296 §2.14, §2.18) and CHILD SA KEYMAT (§2.17)
NI = pattern(32, 5, 0x11)
NR = pattern(48, 11, 0x22)
SPI_I = bytes.fromhex("0123456789abcdef")
SPI_R = bytes.fromhex("fedcba9876543210")

# name: prf bits, encr key octets (with salt), integ key octets
SUITES = {
    "A": (256, 16, 32),   # AES-CBC-128, HMAC-SHA2-256-128, PRF-SHA2-256
    "B": (384, 36, 0),    # AES-GCM-16-256, PRF-SHA2-384
    "C": (512, 36, 0),    # ChaCha20-Poly1305, PRF-SHA2-512
    "D": (256, 20, 0),    # AES-GCM-16-128, PRF-SHA2-256
    "E": (512, 32, 48),   # AES-CBC-256, HMAC-SHA2-384-192, PRF-SHA2-512
}
SA_KEYS = ("SK_D", "SK_AI", "SK_AR", "SK_EI", "SK_ER", "SK_PI", "SK_PR")


def sa_split(bits, encr, integ, skeyseed, ni, nr, spi_i, spi_r):
    plen = bits // 8
    lens = (plen, integ, integ, encr, encr, plen, plen)
    km = prf_plus(bits, skeyseed, ni + nr + spi_i + spi_r, sum(lens))
    keys, at = {}, 0
    for name, n in zip(SA_KEYS, lens):
        keys[name] = km[at:at + n]
        at += n
    return keys


def sa_vectors(gir_by_suite):
    emit("KDF_NI", NI)
    emit("KDF_NR", NR)
    emit("KDF_SPI_I", SPI_I)
    emit("KDF_SPI_R", SPI_R)
    result = {}
    for name, (bits, encr, integ) in SUITES.items():
        gir = gir_by_suite[name]
        skeyseed = prf(bits, NI + NR, gir)
        keys = sa_split(bits, encr, integ, skeyseed, NI, NR, SPI_I, SPI_R)
        emit("KDF_%s_SKEYSEED" % name, skeyseed)
        for k in SA_KEYS:
            emit("KDF_%s_%s" % (name, k), keys[k])
        result[name] = keys
    return result


def rekey_vectors(old_keys, gir):
    # Old SA: suite C (PRF-SHA2-512); new SA: suite A (PRF-SHA2-256).
    ni, nr = pattern(24, 7, 0x33), pattern(40, 9, 0x44)
    spi_i, spi_r = bytes.fromhex("1111222233334444"), bytes.fromhex("5555666677778888")
    skeyseed = prf(512, old_keys["SK_D"], gir + ni + nr)
    keys = sa_split(256, 16, 32, skeyseed, ni, nr, spi_i, spi_r)
    for n, v in (("NI", ni), ("NR", nr), ("SPI_I", spi_i), ("SPI_R", spi_r),
                 ("SKEYSEED", skeyseed)):
        emit("REKEY_%s" % n, v)
    for k in SA_KEYS:
        emit("REKEY_%s" % k, keys[k])


# ESP suite name: encr octets (with salt), integ octets
CHILD = {"GCM128": (20, 0), "CBC256": (32, 32), "CHACHA": (36, 0)}


def child_vectors(sk_d, gir):
    ni, nr = pattern(32, 17, 0x05), pattern(32, 19, 0x06)
    emit("CHILD_NI", ni)
    emit("CHILD_NR", nr)
    for name, (encr, integ) in CHILD.items():
        for pfs in (False, True):
            seed = (gir if pfs else b"") + ni + nr
            km = prf_plus(256, sk_d, seed, 2 * (encr + integ))
            parts = (km[:encr], km[encr:encr + integ], km[encr + integ:2 * encr + integ],
                     km[2 * encr + integ:])
            tag = "CHILD_%s%s" % (name, "_PFS" if pfs else "")
            for k, v in zip(("ENCR_I", "INTEG_I", "ENCR_R", "INTEG_R"), parts):
                emit("%s_%s" % (tag, k), v)


# ---- SK payloads (RFC 7296 §3.14, RFC 7383 §2.5, RFC 5282 §3-5, RFC 7634 §3)
SK_NEXT = 35           # IDi, the first inner payload
SK_HDR_LEN = {4: b"", 8: bytes.fromhex("00010002")}   # SKF: fragment 1 of 2


def sk_seal(cipher, ekey, akey, integ_bits, iv, aad, inner):
    if cipher == "CBC":
        enc = Cipher(algorithms.AES(ekey), modes.CBC(iv)).encryptor()
        ct = enc.update(inner) + enc.finalize()
        icv = hmac.new(akey, aad + iv + ct, HASHES[integ_bits]).digest()[:integ_bits // 16]
        return ct + icv
    if cipher == "GCM":
        return AESGCM(ekey[:-4]).encrypt(ekey[-4:] + iv, inner, aad)
    return ChaCha20Poly1305(ekey[:-4]).encrypt(ekey[-4:] + iv, inner, aad)


def sk_message(name, cipher, key_bits, integ_bits, plain_len, hdr_len, counter, inner=None):
    """A whole IKE_AUTH request with an SK (hdr_len 4) or SKF (8) payload.
    INNER replaces payloads | padding | pad length (malformed padding)."""
    aead = cipher != "CBC"
    ekey = pattern(key_bits // 8 + (4 if aead else 0), 23, 0x61)
    akey = pattern(integ_bits // 8, 31, 0x17) if not aead else b""
    iv = be(counter, 8) if aead else pattern(16, 41, 0x99)
    plain = pattern(plain_len, 7, 3)
    icv_len = 16 if aead else integ_bits // 16
    pad = 0 if aead else (16 - (plain_len + 1) % 16) % 16
    if inner is None:
        inner = plain + bytes(pad) + bytes([pad])
    total = 28 + hdr_len + len(iv) + len(inner) + icv_len
    np = 53 if hdr_len == 8 else 46

    def hdr(length, sk_len):
        ike = SPI_I + SPI_R + bytes([np, 0x20, 35, 0x08]) + be(1, 4) + be(length, 4)
        return ike + bytes([SK_NEXT, 0]) + be(sk_len, 2) + SK_HDR_LEN[hdr_len]

    aad = hdr(total, total - 28)
    msg = aad + iv + sk_seal(cipher, ekey, akey, integ_bits, iv, aad, inner)
    assert len(msg) == total
    for k, v in (("EKEY", ekey), ("AKEY", akey), ("IV", iv), ("PREFIX", hdr(0, 0)),
                 ("PLAIN", plain), ("MSG", msg)):
        emit("SK_%s_%s" % (name, k), v)
    emit("SK_%s_HDR_LEN" % name, hdr_len)


def sk_vectors():
    sk_message("CBC128", "CBC", 128, 256, 37, 4, 0)
    sk_message("CBC256", "CBC", 256, 256, 47, 4, 0)
    sk_message("CBC256_384", "CBC", 256, 384, 20, 4, 0)
    sk_message("GCM128", "GCM", 128, 0, 37, 4, 0x0102030405060708)
    sk_message("GCM256", "GCM", 256, 0, 37, 8, 0x0000000000000001)
    sk_message("CHACHA", "CHACHA", 256, 0, 37, 4, 0x00000000ffffffff)
    # Padding: Pad Length one more than the octets before it (bad), exactly
    # all of them (no payloads, accepted), and longer than needed (accepted).
    sk_message("CBC_BADPAD", "CBC", 128, 256, 0, 4, 0, bytes(31) + bytes([32]))
    sk_message("CBC_ALLPAD", "CBC", 128, 256, 0, 4, 0, bytes(31) + bytes([31]))
    sk_message("CBC_LONGPAD", "CBC", 128, 256, 5, 4, 0, pattern(5, 7, 3) + bytes(26) + bytes([26]))
    sk_message("GCM_BADPAD", "GCM", 128, 0, 0, 4, 9, bytes(4) + bytes([5]))
    sk_message("GCM_ALLPAD", "GCM", 128, 0, 0, 4, 9, bytes(4) + bytes([4]))
    sk_message("CHACHA_LONGPAD", "CHACHA", 256, 0, 5, 4, 9,
               pattern(5, 7, 3) + bytes(3) + bytes([3]))


def main():
    OUT.append("/* Expected values for the IKE crypto unit tests, generated by")
    OUT.append(" * tests/vectors/ike/crypto/make_vectors.py (Python integers, hashlib,")
    OUT.append(" * hmac, python3-cryptography). Do not edit: rerun the script. */")
    OUT.append("#ifndef TEST_IKE_CRYPTO_VECTORS_H")
    OUT.append("#define TEST_IKE_CRYPTO_VECTORS_H")
    OUT.append("")
    modp_k = modp()
    ecp_check()
    x_k = x25519_check()
    hmac_vectors()
    prf_plus_vectors()
    ecp256_k = bytes.fromhex(RFC5903[19][6])
    ecp384_k = bytes.fromhex(RFC5903[20][6])
    ecp521_k = bytes.fromhex(RFC5903[21][6])
    keys = sa_vectors({"A": modp_k, "B": ecp384_k, "C": x_k, "D": ecp256_k, "E": ecp521_k})
    rekey_vectors(keys["C"], ecp384_k)
    child_vectors(keys["A"]["SK_D"], ecp256_k)
    sk_vectors()
    OUT.append("")
    OUT.append("#endif /* TEST_IKE_CRYPTO_VECTORS_H */")
    sys.stdout.write("\n".join(OUT) + "\n")


if __name__ == "__main__":
    main()
