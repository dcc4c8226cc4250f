-- 0004_normalize_phones: phone numbers in the one form authd now
-- stores and compares (identity::NormalizePhone: whitespace, '.', '-', '('
-- and ')' removed), so that rows written before (which kept punctuation,
-- e.g. "+1(555)010-0000") are found, and counted as taken, under the
-- normalised number.
--
-- users.phone has no uniqueness: every row is rewritten. An identity is
-- rewritten unless that would collide with another identity of the same
-- tenant (one already holding the normalised number, or an older one that
-- normalises the same way, which wins); such a row keeps its old value and
-- stays reachable by a login that writes the number exactly as stored
-- (AccountFlows' legacy lookup).
--
-- Conventions: see 0001_init.sql.

UPDATE users SET phone = replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(phone, ' ', ''), char(9), ''), char(10), ''), char(11), ''), char(12), ''), char(13), ''), '.', ''), '-', ''), '(', ''), ')', '')
  WHERE phone IS NOT NULL AND phone <> replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(phone, ' ', ''), char(9), ''), char(10), ''), char(11), ''), char(12), ''), char(13), ''), '.', ''), '-', ''), '(', ''), ')', '');

UPDATE identities SET provider_id = replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(provider_id, ' ', ''), char(9), ''), char(10), ''), char(11), ''), char(12), ''), char(13), ''), '.', ''), '-', ''), '(', ''), ')', '')
  WHERE provider = 'phone' AND provider_id <> replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(provider_id, ' ', ''), char(9), ''), char(10), ''), char(11), ''), char(12), ''), char(13), ''), '.', ''), '-', ''), '(', ''), ')', '')
    AND NOT EXISTS (
      SELECT 1 FROM identities o
       WHERE o.provider = 'phone' AND o.id <> identities.id
         AND COALESCE(o.tenant_id, '') = COALESCE(identities.tenant_id, '')
         AND (o.provider_id = replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(identities.provider_id, ' ', ''), char(9), ''), char(10), ''), char(11), ''), char(12), ''), char(13), ''), '.', ''), '-', ''), '(', ''), ')', '')
              OR (replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(o.provider_id, ' ', ''), char(9), ''), char(10), ''), char(11), ''), char(12), ''), char(13), ''), '.', ''), '-', ''), '(', ''), ')', '') = replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(identities.provider_id, ' ', ''), char(9), ''), char(10), ''), char(11), ''), char(12), ''), char(13), ''), '.', ''), '-', ''), '(', ''), ')', '')
                  AND (o.created_at < identities.created_at
                       OR (o.created_at = identities.created_at AND o.id < identities.id)))));
