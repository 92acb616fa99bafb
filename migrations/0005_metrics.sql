CREATE TABLE `metric_blocks` (
	`project` text NOT NULL,
	`environment` text NOT NULL,
	`block` text NOT NULL,
	`tier` integer NOT NULL,
	`at` integer NOT NULL,
	`replica` integer NOT NULL,
	`cpu_percent` real NOT NULL,
	`memory_bytes` real NOT NULL,
	`memory_limit_bytes` real NOT NULL,
	`net_rx_bps` real NOT NULL,
	`net_tx_bps` real NOT NULL,
	`block_read_bps` real NOT NULL,
	`block_write_bps` real NOT NULL,
	`restarts` integer NOT NULL,
	PRIMARY KEY(`project`, `environment`, `block`, `tier`, `at`, `replica`)
);
--> statement-breakpoint
CREATE INDEX `metric_blocks_tier_at` ON `metric_blocks` (`tier`,`at`);--> statement-breakpoint
CREATE TABLE `metric_host` (
	`tier` integer NOT NULL,
	`at` integer NOT NULL,
	`cpu_percent` real NOT NULL,
	`memory_used_bytes` real NOT NULL,
	`memory_total_bytes` real NOT NULL,
	`data_disk_used_bytes` real NOT NULL,
	`data_disk_total_bytes` real NOT NULL,
	`docker_disk_used_bytes` real,
	`docker_disk_total_bytes` real,
	PRIMARY KEY(`tier`, `at`)
);
--> statement-breakpoint
CREATE TABLE `metric_routes` (
	`project` text NOT NULL,
	`environment` text NOT NULL,
	`block` text NOT NULL,
	`tier` integer NOT NULL,
	`at` integer NOT NULL,
	`seconds` real NOT NULL,
	`by_class` text NOT NULL,
	`bytes` real NOT NULL,
	`buckets` text NOT NULL,
	`latency_sum` real NOT NULL,
	PRIMARY KEY(`project`, `environment`, `block`, `tier`, `at`)
);
--> statement-breakpoint
CREATE INDEX `metric_routes_tier_at` ON `metric_routes` (`tier`,`at`);