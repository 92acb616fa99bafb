CREATE TABLE `webhook_deliveries` (
	`project_id` integer NOT NULL,
	`delivery_id` text NOT NULL,
	`received_at` text NOT NULL,
	PRIMARY KEY(`project_id`, `delivery_id`),
	FOREIGN KEY (`project_id`) REFERENCES `projects`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `webhook_secrets` (
	`project_id` integer PRIMARY KEY NOT NULL,
	`secret` text NOT NULL,
	`updated_at` text NOT NULL,
	FOREIGN KEY (`project_id`) REFERENCES `projects`(`id`) ON UPDATE no action ON DELETE cascade
);
