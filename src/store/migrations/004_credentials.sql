-- Infrastructure credentials (forge and CI tokens, project secrets), encrypted at rest.
-- AES-256-GCM with the key from CODETHREAD_SECRET_KEY; a fresh 12-byte nonce per value; the name is
-- the additional authenticated data, so a value copied onto another name fails its check.
CREATE TABLE credentials (
  name        text PRIMARY KEY,
  key_id      text NOT NULL,                  -- first 8 hex of SHA-256 of the key that sealed the value
  nonce       text NOT NULL,                  -- base64, 12 bytes
  ciphertext  text NOT NULL,                  -- base64: ciphertext then the 16-byte GCM tag
  created_at  timestamptz NOT NULL DEFAULT now(),
  updated_at  timestamptz NOT NULL DEFAULT now()
);
