CREATE TABLE `connection_tags` (
	`connection_id` text NOT NULL,
	`org_id` text NOT NULL,
	`key` text NOT NULL,
	`value` text NOT NULL,
	PRIMARY KEY(`connection_id`, `key`),
	FOREIGN KEY (`connection_id`) REFERENCES `connections`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `connection_tags_lookup_idx` ON `connection_tags` (`org_id`,`key`,`value`);--> statement-breakpoint
CREATE TABLE `link_tags` (
	`link_id` text NOT NULL,
	`org_id` text NOT NULL,
	`key` text NOT NULL,
	`value` text NOT NULL,
	PRIMARY KEY(`link_id`, `key`),
	FOREIGN KEY (`link_id`) REFERENCES `links`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `link_tags_lookup_idx` ON `link_tags` (`org_id`,`key`,`value`);--> statement-breakpoint
ALTER TABLE `connections` ADD `user_metadata` text DEFAULT '{}' NOT NULL;--> statement-breakpoint
ALTER TABLE `connections` ADD `tags` text DEFAULT '{}' NOT NULL;--> statement-breakpoint
ALTER TABLE `links` ADD `tags` text DEFAULT '{}' NOT NULL;--> statement-breakpoint
-- Hand-written: the tag index tables follow the tags column inside the statement that writes it.
CREATE TRIGGER `connection_tags_insert` AFTER INSERT ON `connections` BEGIN
	INSERT INTO `connection_tags` (`connection_id`, `org_id`, `key`, `value`) SELECT NEW.`id`, NEW.`org_id`, j.`key`, j.`value` FROM json_each(NEW.`tags`) AS j;
END;--> statement-breakpoint
CREATE TRIGGER `connection_tags_update` AFTER UPDATE OF `tags` ON `connections` WHEN OLD.`tags` IS NOT NEW.`tags` BEGIN
	DELETE FROM `connection_tags` WHERE `connection_id` = NEW.`id`;
	INSERT INTO `connection_tags` (`connection_id`, `org_id`, `key`, `value`) SELECT NEW.`id`, NEW.`org_id`, j.`key`, j.`value` FROM json_each(NEW.`tags`) AS j;
END;--> statement-breakpoint
CREATE TRIGGER `link_tags_insert` AFTER INSERT ON `links` BEGIN
	INSERT INTO `link_tags` (`link_id`, `org_id`, `key`, `value`) SELECT NEW.`id`, NEW.`org_id`, j.`key`, j.`value` FROM json_each(NEW.`tags`) AS j;
END;--> statement-breakpoint
CREATE TRIGGER `link_tags_update` AFTER UPDATE OF `tags` ON `links` WHEN OLD.`tags` IS NOT NEW.`tags` BEGIN
	DELETE FROM `link_tags` WHERE `link_id` = NEW.`id`;
	INSERT INTO `link_tags` (`link_id`, `org_id`, `key`, `value`) SELECT NEW.`id`, NEW.`org_id`, j.`key`, j.`value` FROM json_each(NEW.`tags`) AS j;
END;
