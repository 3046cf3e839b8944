ALTER TABLE `integrations` ADD `deleting_at` integer;--> statement-breakpoint
CREATE INDEX `integrations_deleting_idx` ON `integrations` (`deleting_at`);--> statement-breakpoint
ALTER TABLE `connections` ADD `credential_mode` text DEFAULT 'oauth' NOT NULL;--> statement-breakpoint
ALTER TABLE `used_states` ADD `connection_id` text;--> statement-breakpoint
CREATE INDEX `oauth_codes_expires_idx` ON `oauth_codes` (`expires_at`);--> statement-breakpoint
CREATE INDEX `oauth_tokens_expires_idx` ON `oauth_tokens` (`expires_at`);--> statement-breakpoint
-- Credential connections used to be told apart by token_type alone.
UPDATE `connections` SET `credential_mode` = `token_type` WHERE `token_type` IN ('api_key', 'basic');--> statement-breakpoint
-- Refresh tokens issued before they had a lifetime get the idle one (30 days) from issue, so the purge can go by expires_at alone.
UPDATE `oauth_tokens` SET `expires_at` = `created_at` + 2592000000 WHERE `kind` = 'refresh' AND `expires_at` IS NULL;
