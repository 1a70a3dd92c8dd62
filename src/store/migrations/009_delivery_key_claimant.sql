-- Who claimed a delivery key (a random token per delivery). A claim repeated after its answer was lost
-- (the connection dropped after the commit) finds its own token and still counts as the first.
ALTER TABLE delivery_keys ADD COLUMN claimant text;
