CREATE TABLE `fleet_nodes` (
	`name` text PRIMARY KEY NOT NULL,
	`address` text NOT NULL,
	`host_key` text NOT NULL,
	`role` text NOT NULL,
	`k3s_version` text NOT NULL,
	`joined_at` text NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `fleet_nodes_address_unique` ON `fleet_nodes` (`address`);--> statement-breakpoint
CREATE TABLE `fleet_server` (
	`id` integer PRIMARY KEY NOT NULL,
	`url` text NOT NULL,
	`token_sealed` text NOT NULL,
	`agent_token_sealed` text NOT NULL,
	`k3s_version` text NOT NULL,
	`initialised_at` text NOT NULL
);
