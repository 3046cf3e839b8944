CREATE TABLE `offerings` (
	`id` text PRIMARY KEY NOT NULL,
	`definition` text,
	`enabled` integer NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `integrations` (
	`id` text PRIMARY KEY NOT NULL,
	`org_id` text NOT NULL,
	`offering_id` text NOT NULL,
	`name` text NOT NULL,
	`client_id` text,
	`client_secret_enc` text,
	`scopes` text NOT NULL,
	`authorization_params` text NOT NULL,
	`inputs` text NOT NULL,
	`status` text NOT NULL,
	`verification` text,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`org_id`) REFERENCES `organizations`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `integrations_org_created_idx` ON `integrations` (`org_id`,`created_at`,`id`);--> statement-breakpoint
CREATE INDEX `integrations_offering_idx` ON `integrations` (`offering_id`);--> statement-breakpoint
CREATE TABLE `connections` (
	`id` text PRIMARY KEY NOT NULL,
	`org_id` text NOT NULL,
	`integration_id` text NOT NULL,
	`link_id` text,
	`end_user_id` text NOT NULL,
	`end_user_email` text,
	`end_user_name` text,
	`provider_account_id` text NOT NULL,
	`account_email` text,
	`account_name` text,
	`metadata` text NOT NULL,
	`scopes` text NOT NULL,
	`status` text NOT NULL,
	`access_token_enc` text NOT NULL,
	`refresh_token_enc` text,
	`token_type` text NOT NULL,
	`expires_at` integer,
	`last_refreshed_at` integer,
	`last_refresh_error` text,
	`refresh_failures` integer DEFAULT 0 NOT NULL,
	`next_refresh_attempt_at` integer,
	`lease_id` text,
	`lease_until` integer,
	`version` integer DEFAULT 1 NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`org_id`) REFERENCES `organizations`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`integration_id`) REFERENCES `integrations`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `connections_account_unique` ON `connections` (`integration_id`,`end_user_id`,`provider_account_id`);--> statement-breakpoint
CREATE INDEX `connections_org_created_idx` ON `connections` (`org_id`,`created_at`,`id`);--> statement-breakpoint
CREATE INDEX `connections_expiry_idx` ON `connections` (`status`,`expires_at`);