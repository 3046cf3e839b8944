CREATE INDEX `password_setup_tokens_expires_idx` ON `password_setup_tokens` (`expires_at`);--> statement-breakpoint
CREATE INDEX `password_setup_tokens_used_idx` ON `password_setup_tokens` (`used_at`);--> statement-breakpoint
CREATE INDEX `sign_in_attempts_window_idx` ON `sign_in_attempts` (`window_start`);--> statement-breakpoint
CREATE INDEX `oauth_codes_grant_idx` ON `oauth_codes` (`grant_id`);--> statement-breakpoint
CREATE INDEX `oauth_grants_revoked_idx` ON `oauth_grants` (`revoked_at`);--> statement-breakpoint
CREATE INDEX `oauth_grants_created_idx` ON `oauth_grants` (`created_at`);