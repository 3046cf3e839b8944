ALTER TABLE `applications` ADD `grant_types` text DEFAULT '["authorization_code","refresh_token","client_credentials"]' NOT NULL;--> statement-breakpoint
ALTER TABLE `applications` ADD `listed` integer DEFAULT false NOT NULL;--> statement-breakpoint
CREATE INDEX `applications_directory_idx` ON `applications` (`publish_state`,`listed`,`name`,`id`);