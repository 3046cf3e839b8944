ALTER TABLE `offerings` ADD `org_id` text;--> statement-breakpoint
CREATE INDEX `offerings_org_idx` ON `offerings` (`org_id`);