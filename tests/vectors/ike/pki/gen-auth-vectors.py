#!/usr/bin/env python3
"""Independent computation of IKEv2 AUTH inputs (RFC 7296 §2.15) for
tests/unit/ike/test_ike_auth.c, with Python's hmac/hashlib only.

  InitiatorSignedOctets = RealMessage1 | NonceRData | MACedIDForI
  MACedIDForI = prf(SK_pi, RestOfInitIDPayload)      (ID type, 3 zero bytes, ID data)
  AUTH (PSK)  = prf(prf(Shared Secret, "Key Pad for IKEv2"), InitiatorSignedOctets)

The inputs are byte patterns that the C test rebuilds the same way. Writes
octets.bin (PRF HMAC-SHA2-256 case, signed by make-pki.sh with openssl) and
prints the expected values that are pasted into the test."""
import hashlib
import hmac

MSG_LEN = 300
NONCE_LEN = 32
PSK = b"hagw test pre-shared key 0123456789"
ID_TYPE_RFC822 = 3
ID_DATA = b"carol@example.org"
PRFS = (("sha256", 32), ("sha384", 48), ("sha512", 64))


def pattern(n, mul, add):
    return bytes((i * mul + add) & 0xFF for i in range(n))


def prf(name, key, data):
    return hmac.new(key, data, getattr(hashlib, name)).digest()


def main():
    msg = pattern(MSG_LEN, 7, 3)
    nonce = pattern(NONCE_LEN, 13, 5)
    id_body = bytes([ID_TYPE_RFC822, 0, 0, 0]) + ID_DATA
    for name, key_len in PRFS:
        sk_pi = pattern(key_len, 3, 0x11)
        maced = prf(name, sk_pi, id_body)
        octets = msg + nonce + maced
        auth = prf(name, prf(name, PSK, b"Key Pad for IKEv2"), octets)
        print(f"{name} maced_id {maced.hex()}")
        print(f"{name} psk_auth {auth.hex()}")
        if name == "sha256":
            with open("octets.bin", "wb") as f:
                f.write(octets)


if __name__ == "__main__":
    main()
