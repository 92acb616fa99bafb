ALTER TABLE `environments` ADD `stopped_at` text;--> statement-breakpoint
ALTER TABLE `releases` ADD `source` text DEFAULT 'deploy' NOT NULL;--> statement-breakpoint
ALTER TABLE `releases` ADD `actor` text;