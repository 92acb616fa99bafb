CREATE TABLE `basic_auth_users` (
	`project` text NOT NULL,
	`environment` text NOT NULL,
	`block` text NOT NULL,
	`username` text NOT NULL,
	`password_hash` text NOT NULL,
	`updated_at` text NOT NULL,
	PRIMARY KEY(`project`, `environment`, `block`, `username`)
);
--> statement-breakpoint
CREATE TABLE `edge_routes` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`host` text NOT NULL,
	`path_prefix` text NOT NULL,
	`project` text NOT NULL,
	`environment` text NOT NULL,
	`block` text NOT NULL,
	`auth` text NOT NULL,
	`upstreams` text NOT NULL,
	`updated_at` text NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `edge_routes_host_prefix` ON `edge_routes` (`host`,`path_prefix`);--> statement-breakpoint
CREATE TABLE `gateway_clients` (
	`client_id` text PRIMARY KEY NOT NULL,
	`project` text NOT NULL,
	`environment` text NOT NULL,
	`name` text NOT NULL,
	`secret_hash` text NOT NULL,
	`created_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')) NOT NULL
);
--> statement-breakpoint
CREATE TABLE `releases` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`environment_id` integer NOT NULL,
	`number` integer NOT NULL,
	`blocks` text NOT NULL,
	`status` text NOT NULL,
	`reason` text,
	`created_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')) NOT NULL,
	`finished_at` text,
	FOREIGN KEY (`environment_id`) REFERENCES `environments`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `releases_env_number` ON `releases` (`environment_id`,`number`);