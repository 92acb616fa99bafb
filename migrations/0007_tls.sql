CREATE TABLE `acme_accounts` (
	`directory` text PRIMARY KEY NOT NULL,
	`key_sealed` text NOT NULL,
	`account_url` text,
	`email` text,
	`created_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')) NOT NULL
);
--> statement-breakpoint
CREATE TABLE `acme_challenges` (
	`token` text PRIMARY KEY NOT NULL,
	`key_authorization` text NOT NULL,
	`host` text NOT NULL,
	`created_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')) NOT NULL
);
--> statement-breakpoint
CREATE TABLE `certificates` (
	`host` text PRIMARY KEY NOT NULL,
	`source` text NOT NULL,
	`status` text NOT NULL,
	`cert_pem` text,
	`key_sealed` text,
	`issuer` text,
	`not_before` text,
	`not_after` text,
	`reason` text,
	`failures` integer DEFAULT 0 NOT NULL,
	`next_attempt_at` text,
	`warned_at` text,
	`updated_at` text NOT NULL
);
--> statement-breakpoint
ALTER TABLE `edge_routes` ADD `https` text DEFAULT 'redirect' NOT NULL;--> statement-breakpoint
ALTER TABLE `edge_routes` ADD `hsts` integer DEFAULT false NOT NULL;