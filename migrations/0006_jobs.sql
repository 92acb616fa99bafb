CREATE TABLE `job_runs` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`project` text NOT NULL,
	`environment` text NOT NULL,
	`job` text NOT NULL,
	`trigger` text NOT NULL,
	`release` integer,
	`status` text NOT NULL,
	`exit_code` integer,
	`reason` text,
	`scheduled_for` text,
	`created_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')) NOT NULL,
	`started_at` text,
	`finished_at` text
);
--> statement-breakpoint
CREATE INDEX `job_runs_env_job` ON `job_runs` (`project`,`environment`,`job`);--> statement-breakpoint
ALTER TABLE `releases` ADD `warnings` text DEFAULT '[]' NOT NULL;