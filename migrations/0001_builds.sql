CREATE TABLE `block_credentials` (
	`block_id` integer PRIMARY KEY NOT NULL,
	`ssh_private_key` text,
	`ssh_public_key` text,
	`https_token` text,
	`updated_at` text NOT NULL,
	FOREIGN KEY (`block_id`) REFERENCES `blocks`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `builds` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`project_id` integer NOT NULL,
	`block` text NOT NULL,
	`environment` text NOT NULL,
	`status` text NOT NULL,
	`ref` text,
	`commit` text,
	`image` text,
	`image_id` text,
	`cache_hit` integer DEFAULT false NOT NULL,
	`reason` text,
	`created_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')) NOT NULL,
	`started_at` text,
	`finished_at` text,
	FOREIGN KEY (`project_id`) REFERENCES `projects`(`id`) ON UPDATE no action ON DELETE cascade
);
