/**
 * A self-signed certificate and key for tests that need the simulator over HTTPS (e.g. certificate pinning
 * in the XAPI client's tests). Test material only: it protects nothing. Valid 2020-2120 for 127.0.1.1-3,
 * 127.0.2.1-3, 127.0.0.1 and localhost; SHA-256 fingerprint below.
 *
 *   startSimulator({ tls: TEST_TLS })
 */
export const TEST_TLS = {
  key: `-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgICVJq5GToDzkVjhQ
IOoK3jTq/8ChUcGVibXUSuPSzcShRANCAAQTOy2hs4Geuots9tlaJ6MhHvCnttYG
zju084pC7oIjw6kHUwV68dwK76ma1Ln6KM+0YvuXAGUnmcDLOruWmQ3f
-----END PRIVATE KEY-----
`,
  cert: `-----BEGIN CERTIFICATE-----
MIIBsTCCAVegAwIBAgIBATAKBggqhkjOPQQDAjAYMRYwFAYDVQQDDA14YXBpLXNp
bS50ZXN0MCAXDTIwMDEwMTAwMDAwMFoYDzIxMjAwMTAxMDAwMDAwWjAYMRYwFAYD
VQQDDA14YXBpLXNpbS50ZXN0MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEEzst
obOBnrqLbPbZWiejIR7wp7bWBs47tPOKQu6CI8OpB1MFevHcCu+pmtS5+ijPtGL7
lwBlJ5nAyzq7lpkN36OBjzCBjDA+BgNVHREENzA1hwR/AAEBhwR/AAEChwR/AAED
hwR/AAIBhwR/AAIChwR/AAIDhwR/AAABgglsb2NhbGhvc3QwCQYDVR0TBAIwADAL
BgNVHQ8EBAMCBaAwEwYDVR0lBAwwCgYIKwYBBQUHAwEwHQYDVR0OBBYEFMbMjb0o
2U9J0txBTIlb15pafeInMAoGCCqGSM49BAMCA0gAMEUCIA7Y3+OdRdviLXBL5DAn
VzC7eECGZgrYz38SN6WbIo7eAiEA49Trfj7n06GerYlXOdT5kdPxmR1/9AYQO8Q2
BHjmEOM=
-----END CERTIFICATE-----
`,
};

/** `openssl x509 -fingerprint -sha256` of TEST_TLS.cert. */
export const TEST_TLS_FINGERPRINT = "E6:14:FA:D5:4D:45:54:DC:C2:1C:FF:32:92:CE:8E:97:D4:D6:AD:9E:7A:43:4D:C8:55:DD:0D:70:1A:31:78:1B";
