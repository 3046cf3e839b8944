ALTER TABLE `integrations` ADD `next_verification_at` integer;--> statement-breakpoint
ALTER TABLE `integrations` ADD `verification_attempts` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
CREATE INDEX `integrations_next_verification_idx` ON `integrations` (`deleting_at`,`next_verification_at`);--> statement-breakpoint
-- Hand-written backfill: an integration whose verification could not reach its provider was
-- connectable (pending_first_connection); it is not any more, and the cron asks again at once.
UPDATE `integrations`
SET `verification` = json_set(
      `verification`,
      '$.pending_first_connection', json('false'),
      '$.message', replace(json_extract(`verification`, '$.message'), ' The first successful connection will verify the integration.', ' Edgelink asks again in the background; end users cannot connect until it answers.')
    ),
    `next_verification_at` = CAST(strftime('%s', 'now') AS INTEGER) * 1000,
    `verification_attempts` = 0
WHERE `status` = 'draft' AND `deleting_at` IS NULL AND json_extract(`verification`, '$.result') = 'unreachable';
